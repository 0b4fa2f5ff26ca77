"""The status line: what piyue is doing on the left, who codes on the right, and a bar while
the index is built.  One widget, drawn as one line: it is in the first frame, where every
widget costs its layout and styling (a row of three widgets cost ~4 ms more)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from tui.render import plain
from tui.widgets.lists import truncate

BAR_CELLS = 20


def progress_bar(done: int, total: int, cells: int = BAR_CELLS) -> str:
    """``▕██████▌      ▏``: eighths of a cell, so a slow index still visibly moves."""
    eighths = round(max(0, min(done, total)) / max(1, total) * cells * 8)
    full, part = divmod(eighths, 8)
    body = "█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")
    return "▕" + body.ljust(cells) + "▏"


class StatusLine(Widget):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
    }
    """

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = text
        self.coder = ""
        self.progress: tuple[int, int] | None = None

    def say(self, text: str) -> None:
        self.text = text
        self.refresh()

    def show_coder(self, text: str) -> None:
        self.coder = text
        self.refresh()

    def show_progress(self, done: int, total: int) -> None:
        """Indexing ``done`` of ``total`` pages; a total of 0 hides the bar."""
        self.progress = (done, total) if total > 0 else None
        self.refresh()

    def render(self) -> Content:
        width = self.content_size.width or 80
        right = self.coder
        bar = f" {progress_bar(*self.progress)}" if self.progress else ""
        room = max(0, width - cell_len(right) - cell_len(bar) - (2 if right else 0))
        left = truncate(self.text, room) + bar
        gap = max(1, width - cell_len(left) - cell_len(right)) if right else 0
        return plain(left, "dim") + " " * gap + plain(right, "dim")
