"""The three panes and the small status widgets.

Lists are ``OptionList``s (virtualised: thousands of rows start in a blink, never one widget
per row).  Each widget declares the messages it sends; the app owns the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from corpus.model import Article, Issue
from tui.render import Layers, Layout, Marks, article_body, plain
from tui.textview import WrappedText

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

    def row(self, issue: Issue, tagged: int, unread: int) -> Content:
        meta = f"{issue.date or ''}  {len(issue.articles)}篇 ✓{tagged} ●{unread}".strip()
        return Content.assemble(
            (truncate(issue.title or issue.id, self.text_width(28)), "bold" if unread else ""),
            "\n",
            (meta, "dim"),
        )

    def show(self, issues: Sequence[Issue], progress: dict[str, tuple[int, int]]) -> None:
        options = [
            Option(self.row(issue, *progress.get(issue.id, (0, len(issue.articles)))), id=issue.id)
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


class Reader(VerticalScroll):
    """The article: headline group, meta line, highlighted body, tags/note/passages.

    In passage mode (``v``) a word caret moves with ←/→ (h/l); ``v`` again anchors a
    selection that the same keys extend; ``t``/``n`` then tag or note the passage.
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

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="reader-head")
        yield WrappedText(id="reader-body")
        yield Static(id="reader-notes")

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
        self.query_one("#reader-head", Static).update(Content.assemble(*parts))

    def show_body(self, article: Article, marks: Marks, layers: Layers) -> None:
        if self.mode != "read" and self.tokens:
            c = min(self.caret, len(self.tokens) - 1)
            a = min(self.sel_anchor, len(self.tokens) - 1)
            lo, hi = min(a, c), max(a, c)
            marks.caret = self.tokens[c]
            if self.mode == "select":
                marks.selection = (self.tokens[lo][0], self.tokens[hi][1])
        pieces, self.text_layout = article_body(article, marks, layers)
        self.query_one("#reader-body", WrappedText).update(pieces)

    def body_text(self) -> str:
        """The rendered body as plain text (for tests and copying)."""
        return self.query_one("#reader-body", WrappedText).plain()

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
        self.query_one("#reader-notes", Static).update(Content.assemble(*parts))

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
        # roughly one screen line of words
        words_per_line = max(1, (self.size.width or 40) // 5)
        self.caret = max(0, min(len(self.tokens) - 1, self.caret + step * words_per_line))
        self.post_message(self.CaretMoved())

    def keep_caret_visible(self) -> None:
        """Scroll so the caret's line is on screen (estimated from wrapped line widths)."""
        tok = self.caret_token()
        if tok is None or self.text_layout is None:
            return
        offset = self.text_layout.to_display(tok[0])
        i = self.text_layout.block_of(offset)
        body = self.query_one("#reader-body", WrappedText)
        line = body.line_of(i, offset - self.text_layout.blocks[i][0])
        y = body.region.y - self.region.y + int(self.scroll_y) + line
        if not (self.scroll_y <= y < self.scroll_y + self.size.height - 1):
            self.scroll_to(y=max(0, y - self.size.height // 3), animate=False)
