"""The issue and article lists: ``OptionList``s (virtualised: thousands of rows start in a
blink, never one widget per row). Each list owns its rows and their navigation keys."""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from tui.render import assemble

if TYPE_CHECKING:
    from textual.css.styles import RulesMap

    from corpus.model import Article
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


def plural(n: int, noun: str) -> str:
    """The English noun for ``n`` of it: ``passage`` for one, ``passages`` otherwise."""
    return noun if n == 1 else f"{noun}s"


def counted(n: int, noun: str) -> str:
    """``1 passage``, ``2 passages`` (a tester saw "1 passages")."""
    return f"{n} {plural(n, noun)}"


def tag_chips(
    tags: Sequence[str], colours: dict[str, str], room: int
) -> list[str | tuple[str, str]]:
    """Tag chips in ``room`` cells, the rest counted (``+2``): a long code name or many
    codes wrapped the row's tag line at 80 columns, under the next row's title."""
    out: list[str | tuple[str, str]] = []
    for i, tag in enumerate(tags):
        rest = len(tags) - i - 1
        more = cell_len(f"+{rest}") if rest else 0  # kept free to count the rest
        shown = tag
        if cell_len(tag) + 3 + more > room:
            if out:
                out.append((f"+{rest + 1}", "dim"))
                return out
            shown = truncate(tag, max(2, room - 3 - more))
        out += [(f" {shown} ", f"#101010 on {colours.get(tag, '#888888')}"), " "]
        room -= cell_len(shown) + 3
    return out


class Cut(Content):
    """A row already cut to its list's width: as tall as its lines, never wrapped.  Textual
    measures a plain Content by wrapping it (~0.1 ms a row): 400 rows on a date jump."""

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.plain.count("\n") + 1


class StopList(OptionList):
    """An option list that stops at its ends: Up on the first row stays there (Textual's
    wraps to the last, so a tester's ``Up Up Up Down Down`` landed on the wrong code)."""

    def _step(self, direction: int) -> None:
        at = self.highlighted
        if at is None:
            (super().action_cursor_down if direction > 0 else super().action_cursor_up)()
            return
        i = at + direction
        while 0 <= i < self.option_count:
            if not self.get_option_at_index(i).disabled:
                self.highlighted = i
                return
            i += direction

    def action_cursor_up(self) -> None:
        self._step(-1)

    def action_cursor_down(self) -> None:
        self._step(1)


class VimList(StopList):
    """An option list whose rows are cut to its width: when the width changes (the terminal,
    or the pane focus in narrow layouts) it cuts them again itself."""

    _cut_for = 0

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if self._cut_for and width != self._cut_for:
            self.call_after_refresh(self.recut)

    def recut(self) -> None:
        """Rebuild the rows for the current width (the subclass knows its rows)."""

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

    _shown: (
        tuple[
            Sequence[Article], dict[str, ArticleNotes], dict[str, str], dict[str, list[str]] | None
        ]
        | None
    ) = None
    _stale: Set[str] = frozenset()

    def recut(self) -> None:
        if self._shown is not None and self.option_count:
            keep = self.get_option_at_index(self.highlighted or 0).id
            articles, notes, colours, passages = self._shown
            self.show(articles, notes, colours, keep=keep, stale=self._stale, passages=passages)

    def show(
        self,
        articles: Sequence[Article],
        notes: dict[str, ArticleNotes],
        colours: dict[str, str],
        keep: str | None = None,
        stale: Set[str] = frozenset(),
        passages: dict[str, list[str]] | None = None,
    ) -> None:
        """``stale``: rows a filter no longer matches, kept in place and marked; ``passages``:
        the codes of an article's passages that are not its tags, shown after ``段``."""
        self._shown = (articles, notes, colours, passages)
        self._stale = stale
        self._cut_for = self.scrollable_content_region.width
        options = []
        width = self.text_width(42) - 3  # once per list, not per row
        for a in articles:
            n = notes.get(a.id)
            unread = not (n and n.read)
            parts: list[str | tuple[str, str] | Content] = [
                ("● " if unread else "  ", "#61afef"),
                (truncate(a.title or a.label, width), "bold" if unread else ""),
            ]
            if a.id in stale:
                parts[1] = (truncate(a.title or a.label, width - 12), "dim strike")
                parts.append(("  不再匹配", "dim italic"))
            if n and n.starred:
                parts.append(("  ★", "#e5c07b"))
            if n and n.note:
                parts.append(("  ✎", "#e5c07b"))
            tags = n.tags if n else ()
            more = (passages or {}).get(a.id, [])
            if tags or more:
                parts.append("\n   ")
                parts += tag_chips(tags, colours, width - 1)
            if more:
                room = width - 1 - sum(cell_len(t) + 3 for t in tags) - 3
                if room > 4:
                    parts += [("段 ", "dim"), *tag_chips(more, colours, room)]
            options.append(Option(assemble(*parts), id=a.id))
        self.clear_options()
        self.add_options(options)
        index = next((i for i, a in enumerate(articles) if a.id == keep), 0)
        if options:
            self.highlighted = index


def type_into(box: Input, event: events.Key) -> None:
    """A key typed on a list goes to the list's input box instead, where typing continues
    (the box does not select what it holds on focus: the next key would replace it)."""
    box.select_on_focus = False
    box.focus()
    box.insert_text_at_cursor(event.character or "")
    event.stop()
    event.prevent_default()
