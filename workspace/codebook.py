"""Codebook use cases, shared by ``piyue codes`` and the codebook screen: every edit is one
undo step and durable when it returns (the store's journal)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.annotations import CodeRow, CodeUsage, TagDef
    from workspace.session import Workspace

EDITS = ("rename", "merge", "move", "colour", "describe", "delete")


def rows(ws: Workspace) -> list[CodeRow]:
    """The codebook in tree order with counts (own, and with children)."""
    return ws.codings().codebook()


def usage(ws: Workspace, code: str) -> CodeUsage:
    """What deleting ``code`` removes: every coder's codings of it, not only the visible."""
    return ws.store.code_usage(code, None)


def edit(ws: Workspace, what: str, code: str, value: str = "") -> TagDef | CodeUsage:
    """One codebook edit by name: rename (value = new name), merge (value = into), move
    (value = parent, "" = top level), colour (#RRGGBB), describe (text), delete."""
    store = ws.store
    if what == "rename":
        return store.rename_code(code, value)
    if what == "merge":
        return store.merge_codes(code, value)
    if what == "move":
        return store.move_code(code, value)
    if what == "colour":
        return store.recolour_code(code, value)
    if what == "describe":
        return store.describe_code(code, value)
    if what == "delete":
        return store.delete_code(code)
    raise ValueError(f"unknown codebook edit {what!r}")
