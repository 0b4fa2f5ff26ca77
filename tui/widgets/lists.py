"""The issue and article lists: ``OptionList``s (virtualised: thousands of rows start in a
blink, never one widget per row). Each list owns its rows and their navigation keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from corpus.model import Article

if TYPE_CHECKING:
    from storage.annotations import ArticleNotes


def truncate(text: str, cells: int) -> str:
    """Cut to a width in terminal cells (CJK characters are two cells)."""
    if cell_len(text) <= cells:
        return text
    out, width = [], 0
    for ch in text:
        w = cell_len(ch)
        if width + w > cells - 1:
            break
        out.append(ch)
        width += w
    return "".join(out) + "…"


class VimList(OptionList):
    def text_width(self, fallback: int) -> int:
        """Cells available for a row's text (rows are cut, not wrapped mid-title)."""
        w = self.scrollable_content_region.width
        return max(12, (w if w > 4 else fallback) - 2)

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g", "first", "First", show=False, id="list.first"),
        Binding("G", "last", "Last", show=False, id="list.last"),
    ]


class ArticleList(VimList):
    """Articles: unread dot, title, tag chips, note marker."""

    def show(
        self,
        articles: Sequence[Article],
        notes: dict[str, ArticleNotes],
        colours: dict[str, str],
        keep: str | None = None,
    ) -> None:
        options = []
        width = self.text_width(42) - 3  # once per list, not per row
        for a in articles:
            n = notes.get(a.id)
            unread = not (n and n.read)
            parts: list[str | tuple[str, str] | Content] = [
                ("● " if unread else "  ", "#61afef"),
                (truncate(a.title or a.label, width), "bold" if unread else ""),
            ]
            if n and n.starred:
                parts.append(("  ★", "#e5c07b"))
            if n and n.note:
                parts.append(("  ✎", "#e5c07b"))
            if n and n.tags:
                parts.append("\n   ")
                for t in n.tags[:6]:
                    parts.append((f" {t} ", f"#101010 on {colours.get(t, '#888888')}"))
                    parts.append(" ")
            options.append(Option(Content.assemble(*parts), id=a.id))
        self.clear_options()
        self.add_options(options)
        index = next((i for i, a in enumerate(articles) if a.id == keep), 0)
        if options:
            self.highlighted = index
