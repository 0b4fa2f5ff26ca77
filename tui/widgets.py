"""The three panes and the small status widgets.

Lists are ``OptionList``s (virtualised: thousands of rows start in a blink, never one widget
per row).  Each widget declares the messages it sends; the app owns the state.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.binding import Binding
from textual.content import Content
from textual.events import MouseDown, MouseEvent, MouseMove, MouseUp
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from corpus.model import Article, Issue
from tui.render import Layers, Layout, Marks, article_body, plain
from tui.textview import TextView

if TYPE_CHECKING:
    from storage.annotations import ArticleNotes, Highlight, TagDef


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


class IssueList(VimList):
    """Pages: title, date, article count, tagged/total, unread."""

    def row(self, issue: Issue, tagged: int, unread: int, width: int | None = None) -> Content:
        meta = f"{issue.date or ''}  {len(issue.articles)}篇 ✓{tagged} ●{unread}".strip()
        width = self.text_width(28) if width is None else width
        return Content.assemble(
            (truncate(issue.title or issue.id, width), "bold" if unread else ""),
            "\n",
            (meta, "dim"),
        )

    def show(self, issues: Sequence[Issue], progress: dict[str, tuple[int, int]]) -> None:
        width = self.text_width(28)  # once, not per row: 3,000 pages
        options = [
            Option(
                self.row(issue, *progress.get(issue.id, (0, len(issue.articles))), width=width),
                id=issue.id,
            )
            for issue in issues
        ]
        keep = self.highlighted
        self.clear_options()
        self.add_options(options)
        if options:
            self.highlighted = min(keep or 0, len(options) - 1)


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
        width = self.text_width(42) - 3
        for a in articles:
            n = notes.get(a.id)
            unread = not (n and n.read)
            parts: list[str | tuple[str, str] | Content] = [
                ("● " if unread else "  ", "#61afef"),
                (truncate(a.title or "(无标题) " + a.text[:20], width), "bold" if unread else ""),
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


class Codebook(Static):
    """Quick tags 1–9 with their descriptions and counts."""

    def show(self, quick: Sequence[str], defs: dict[str, TagDef], counts: dict[str, int]) -> None:
        if not quick:
            self.update(plain("快捷标签 quick tags: 用 t 添加标签后出现 (tags appear here)", "dim"))
            return
        parts: list[str | tuple[str, str]] = []
        for i, t in enumerate(quick, start=1):
            d = defs.get(t)
            colour = d.colour if d else "#888888"
            parts += [
                (f"{i}", "bold"),
                " ",
                (f" {t} ", f"#101010 on {colour}"),
                (f" {counts.get(t, 0)}", "dim"),
            ]
            if d and d.description:
                parts.append((f" {truncate(d.description, 16)}", "dim italic"))
            parts.append("   ")
        self.update(Content.assemble(*parts))


class Reader(TextView):
    """The article: headline group, meta line, highlighted body, tags/note/passages.

    In passage mode (``v``) a word caret moves with the arrows (h/j/k/l); ``v`` again
    anchors a selection that the same keys extend; ``t``/``n`` then tag or note the
    passage.  A click puts the caret on a word, a drag selects.
    """

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False, id="reader.down"),
        Binding("k", "scroll_up", "Up", show=False, id="reader.up"),
        Binding("space", "page_down", "Page", show=False, id="reader.page"),
        Binding("left,h", "caret(-1)", "Word left", show=False, id="reader.left"),
        Binding("right,l", "caret(1)", "Word right", show=False, id="reader.right"),
        Binding("up", "caret_line(-1)", "Up", show=False, id="reader.caret_up"),
        Binding("down", "caret_line(1)", "Down", show=False, id="reader.caret_down"),
    ]

    class CaretMoved(Message):
        """The word caret or selection changed (the app re-renders the body)."""

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.article: Article | None = None
        self.tokens: list[tuple[int, int]] = []
        self.mode = "read"  # read | caret | select
        self.caret = 0
        self.sel_anchor = 0
        self.text_layout: Layout | None = None
        self.head: list[Content] = []
        self.body: list[Content] = []
        self.notes: list[Content] = []
        self._dragging = False

    def _show(self) -> None:
        blocks = self.head + self.body + self.notes
        gaps = [0] * len(self.head) + [1] * len(self.body) + [1] * len(self.notes)
        self.set_blocks(blocks, gaps)

    # -- content

    def show_head(self, article: Article, issue: Issue) -> None:
        parts: list[str | tuple[str, str]] = []
        if article.column:
            parts += [(f"【{article.column}】", "bold #c678dd"), "\n"]
        if article.kicker:
            parts += [(article.kicker, "#98a2b3"), "\n"]
        parts += [(article.title or "(无标题)", "bold #ffffff"), "\n"]
        if article.subtitle:
            parts += [(article.subtitle, "#98a2b3"), "\n"]
        spans = ", ".join(f"{s}–{e}" for s, e in article.spans)
        meta = "  ·  ".join(
            x
            for x in (
                article.reporters,
                issue.date or "",
                issue.source,
                f"行 {spans}",
                article.continuation,
            )
            if x
        )
        parts += [(meta, "dim")]
        if article.dateline:
            parts += ["\n", (article.dateline, "dim italic")]
        self.head = [Content.assemble(*parts)]
        self._show()

    def head_text(self) -> str:
        return "\n".join(c.plain for c in self.head)

    def show_body(self, article: Article, marks: Marks, layers: Layers) -> None:
        if self.mode != "read" and self.tokens:
            c = min(self.caret, len(self.tokens) - 1)
            a = min(self.sel_anchor, len(self.tokens) - 1)
            lo, hi = min(a, c), max(a, c)
            marks.caret = self.tokens[c]
            if self.mode == "select":
                marks.selection = (self.tokens[lo][0], self.tokens[hi][1])
        self.body, self.text_layout = article_body(article, marks, layers)
        self._show()

    def body_text(self) -> str:
        """The rendered body as plain text (for tests and copying)."""
        return "\n\n".join(c.plain for c in self.body)

    def show_notes(
        self, notes: ArticleNotes, passages: Sequence[Highlight], colours: dict[str, str]
    ) -> None:
        parts: list[str | tuple[str, str]] = [("─" * 20, "dim"), "\n"]
        if notes.tags:
            parts.append(("标签 tags: ", "dim"))
            for t in notes.tags:
                parts += [(f" {t} ", f"#101010 on {colours.get(t, '#888888')}"), " "]
            parts.append("\n")
        if notes.note:
            parts += [("笔记 note: ", "dim"), (notes.note, "#e5c07b"), "\n"]
        if passages:
            parts.append(("编码段落 coded passages:\n", "dim"))
            for h in passages:
                tag = " ".join(h.tags) or "—"
                parts += [
                    ("  «", "dim"),
                    (truncate(h.quote, 60), "italic"),
                    ("» ", "dim"),
                    (tag, "bold"),
                ]
                if h.note:
                    parts += [("  ✎ ", "#e5c07b"), (truncate(h.note, 40), "#e5c07b")]
                parts.append("\n")
        if len(parts) == 2:
            parts.append(("t 标签 tag · n 笔记 note · v 选段 select a passage", "dim"))
        self.notes = [Content.assemble(*parts).rstrip()]
        self._show()

    # -- passage selection

    def selection(self) -> tuple[int, int] | None:
        if self.mode != "select" or not self.tokens:
            return None
        lo, hi = sorted((self.caret, self.sel_anchor))
        return self.tokens[lo][0], self.tokens[min(hi, len(self.tokens) - 1)][1]

    def caret_token(self) -> tuple[int, int] | None:
        if self.mode == "read" or not self.tokens:
            return None
        return self.tokens[min(self.caret, len(self.tokens) - 1)]

    def action_caret(self, step: int) -> None:
        if self.mode == "read":
            self.scroll_relative(x=step * 4, animate=False)
            return
        self.caret = max(0, min(len(self.tokens) - 1, self.caret + step))
        self.post_message(self.CaretMoved())

    def action_caret_line(self, step: int) -> None:
        if self.mode == "read":
            if step > 0:
                self.scroll_down(animate=False)
            else:
                self.scroll_up(animate=False)
            return
        # the word at the same column on the next/previous body line
        where = self._caret_cell()
        if where is None:
            return
        y, x = where
        first_body = len(self.head)
        while True:
            y += step
            if not 0 <= y < self.line_count:
                return
            hit = self.offset_at(x, y)
            if hit is None:
                continue  # the blank line between paragraphs
            if not first_body <= hit[0] < first_body + len(self.body):
                return
            tok = self._token_at(*hit)
            if tok is not None:
                if self._starts_above(tok, y) and tok + 1 < len(self.tokens):
                    tok += 1  # the word there began on the line before: take the next one
                self.caret = tok
                self.post_message(self.CaretMoved())
            return

    def _starts_above(self, tok: int, y: int) -> bool:
        b, start, _end = self._lines[y]
        return self._offset_in_block(self.tokens[tok][0], b) < start

    def _offset_in_block(self, article_offset: int, block: int) -> int:
        """Where an article offset falls in reader block ``block`` (a body paragraph)."""
        assert self.text_layout is not None
        block_start = self.text_layout.blocks[block - len(self.head)][0]
        return self.text_layout.to_display(article_offset) - block_start

    def _caret_line(self) -> int | None:
        tok = self.caret_token()
        if tok is None or self.text_layout is None:
            return None
        offset = self.text_layout.to_display(tok[0])
        i = self.text_layout.block_of(offset)
        return self.line_of(len(self.head) + i, offset - self.text_layout.blocks[i][0])

    def _caret_cell(self) -> tuple[int, int] | None:
        """(line, column in cells) of the caret's first character."""
        y = self._caret_line()
        tok = self.caret_token()
        if y is None or tok is None or self.text_layout is None:
            return None
        b, start, _end = self._lines[y]
        offset = self._offset_in_block(tok[0], b)
        return y, cell_len(self.blocks[b].plain[start:offset])

    def _token_at(self, block: int, offset: int) -> int | None:
        """Index of the word at ``offset`` in reader block ``block`` (a body paragraph)."""
        i = block - len(self.head)
        if self.text_layout is None or not 0 <= i < len(self.text_layout.blocks) or not self.tokens:
            return None
        article_offset = self.text_layout.to_article(self.text_layout.blocks[i][0] + offset)
        if article_offset is None:
            return None  # a caption: not part of the article's text
        return max(0, bisect_right(self._token_starts(), article_offset) - 1)

    def _token_starts(self) -> list[int]:
        return [s for s, _e in self.tokens]

    def keep_caret_visible(self) -> None:
        """Scroll so the caret's line is on screen."""
        y = self._caret_line()
        if y is not None:
            self.scroll_to_line(y)

    # -- the mouse: click puts the caret on a word, drag selects

    def _token_under(self, event: MouseEvent) -> int | None:
        where = event.get_content_offset(self)
        if where is None:
            return None
        hit = self.offset_at(where.x, where.y + int(self.scroll_y))
        return None if hit is None else self._token_at(*hit)

    def on_mouse_down(self, event: MouseDown) -> None:
        tok = self._token_under(event) if event.button == 1 else None
        if tok is None:
            return
        self.mode = "caret"
        self.caret = self.sel_anchor = tok
        self._dragging = True
        self.capture_mouse()
        self.post_message(self.CaretMoved())

    def on_mouse_move(self, event: MouseMove) -> None:
        if not self._dragging:
            return
        tok = self._token_under(event)
        if tok is not None and tok != self.caret:
            self.mode = "select"
            self.caret = tok
            self.post_message(self.CaretMoved())

    def on_mouse_up(self, _event: MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()
