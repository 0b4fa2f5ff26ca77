"""The undo/redo change log: each user action (or ``Store.batch``) is one step holding the
before and after state of every document it touched.

Plain data; the store applies the states to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

State = tuple[str, str, dict[str, Any] | None]
"""(table, document id, document or None for absent)."""

LIMIT = 200


@dataclass
class Change:
    """One undoable step: the before/after of the documents it touched."""

    label: str
    before: list[State] = field(default_factory=list)
    after: list[State] = field(default_factory=list)


class History:
    """Undo and redo stacks plus the change being recorded.

    ``begin``/``end`` nest: an action inside a batch joins the batch's step, so autocode or a
    codebook merge is undone with one key.
    """

    def __init__(self) -> None:
        self.undo: list[Change] = []
        self.redo: list[Change] = []
        self.current: Change | None = None
        self.depth = 0

    def begin(self, label: str) -> None:
        if self.current is None:
            self.current = Change(label)
            self.depth = 0
        self.depth += 1

    def end(self) -> None:
        """Close one level; the outermost level files the step (if it changed anything)."""
        if self.current is None:
            return
        self.depth -= 1
        if self.depth > 0:
            return
        if self.current.after:
            self.undo.append(self.current)
            self.undo[:] = self.undo[-LIMIT:]
            self.redo.clear()
        self.current = None

    def abort(self) -> Change | None:
        """Drop the step being recorded (all levels); the caller rolls its writes back."""
        ch, self.current, self.depth = self.current, None, 0
        return ch

    def record(self, table: str, doc_id: str, before: Any, after: Any) -> None:
        if self.current is not None:
            self.current.before.append((table, doc_id, before))
            self.current.after.append((table, doc_id, after))
