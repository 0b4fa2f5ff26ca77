"""The codebook line under the panes: quick tags 1–9 with their counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual.widgets import Static

from tui.render import assemble, plain
from tui.widgets.lists import truncate

if TYPE_CHECKING:
    from storage.annotations import TagDef


class Codebook(Static):
    """Quick tags 1–9 with their descriptions and counts, on at most two lines broken
    between entries (a wrap inside one left its number at the end of the first line and
    its code on the second); the entries that do not fit are counted."""

    LINES = 2

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.entries: list[list[str | tuple[str, str]]] = []
        self.drawn_width = 0

    def show(self, quick: Sequence[str], defs: dict[str, TagDef], counts: dict[str, int]) -> None:
        self.entries = []
        for i, t in enumerate(quick, start=1):
            if not t:
                continue  # a free digit
            d = defs.get(t)
            colour = d.colour if d else "#888888"
            entry: list[str | tuple[str, str]] = [
                (f"{i}", "bold"),
                " ",
                (f" {t} ", f"#101010 on {colour}"),
                (f" {counts.get(t, 0)}", "dim"),
            ]
            if d and d.description:
                entry.append((f" {truncate(d.description, 16)}", "dim italic"))
            self.entries.append(entry)
        self.draw()

    def draw(self) -> None:
        if not self.entries:
            self.update(plain("快捷标签 quick tags: 用 t 添加标签后出现 (tags appear here)", "dim"))
            return
        width = self.content_region.width or self.app.size.width - 2
        self.drawn_width = width
        gap, more_w = 3, cell_len(" +9")
        rows: list[list[str | tuple[str, str]]] = [[]]
        used = 0
        for n, entry in enumerate(self.entries):
            cells = sum(cell_len(p if isinstance(p, str) else p[0]) for p in entry)
            last_row = len(rows) == self.LINES
            room = width - (more_w if last_row and n + 1 < len(self.entries) else 0)
            if used and used + gap + cells > room:
                if last_row:
                    rows[-1].append((f" +{len(self.entries) - n}", "bold"))
                    break
                rows.append([])
                used = 0
            if used:
                rows[-1].append(" " * gap)
                used += gap
            rows[-1] += entry
            used += cells
        parts: list[str | tuple[str, str]] = []
        for k, row in enumerate(rows):
            parts += (["\n"] if k else []) + row
        self.update(assemble(*parts))

    def on_resize(self) -> None:
        if self.entries and self.content_region.width != self.drawn_width:
            self.draw()
