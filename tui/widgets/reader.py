"""The reader: one line-drawn view of the article that owns its word caret, passage
selection and search-hit jumps (the screen asks it where the caret is; it never asks back)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.binding import Binding
from textual.content import Content
from textual.events import MouseDown, MouseEvent, MouseMove, MouseUp
from textual.message import Message

from storage.errors import StoreError
from tui.render import (
    LOWER,
    UPPER,
    Layers,
    Layout,
    Marks,
    article_body,
    assemble,
    caret_spans,
    in_blocks,
    text_spans,
)
from tui.textview import TextView
from tui.widgets.lists import truncate

if TYPE_CHECKING:
    from corpus.model import Article, Issue
    from storage.annotations import ArticleNotes, Highlight
    from workspace.session import Workspace


CODER_STYLE = "italic #8fa1b3"
"""Whose a coding is, after it (every coder shown)."""


def at(coders: Sequence[str]) -> str:
    """``@甲 @乙``: the coders of a coding, each as a word of its own."""
    return " ".join(f"@{c}" for c in coders) or "@?"


def same_key(new: tuple[object, ...], old: tuple[object, ...]) -> bool:
    """The same inputs: the same objects (a 400,000-word list is not compared again) or equal."""
    return len(new) == len(old) and all(a is b or a == b for a, b in zip(new, old, strict=True))


class Reader(TextView):
    """The article: headline group, meta line, highlighted body, tags/note/passages.

    In passage mode (``v``) a word caret moves with the arrows (h/j/k/l); ``v`` again
    anchors a selection that the same keys extend; ``t``/``n`` then tag or note the
    passage.  A click puts the caret on a word, a drag selects.
    """

    BINDINGS = [
        # j/k as ↓/↑: they scroll while reading, move the caret a line in passage mode (as
        # h/l move it a word; j/k did nothing there)
        Binding("j", "caret_line(1)", "Down", show=False, id="reader.down"),
        Binding("k", "caret_line(-1)", "Up", show=False, id="reader.up"),
        Binding("space", "page_down", "Page", show=False, id="reader.page"),
        Binding("left,h", "caret(-1)", "Word left", show=False, id="reader.left"),
        Binding("right,l", "caret(1)", "Word right", show=False, id="reader.right"),
        Binding("up", "caret_line(-1)", "Up", show=False, id="reader.caret_up"),
        Binding("down", "caret_line(1)", "Down", show=False, id="reader.caret_down"),
        Binding("plus", "join_word", "Join word", show=False, id="join_word"),
        Binding("minus", "split_word", "Split word", show=False, id="split_word"),
    ]

    class CaretMoved(Message):
        """The word caret, the selection or the mode changed (the screen re-renders)."""

    class WordsChanged(Message):
        """A word boundary was fixed: everything segmented before is stale."""

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
        self._body_key: tuple[object, ...] = ()
        self._joined: tuple[tuple[str, int] | None, str] = (None, "")
        """Where (article, offset) and which word ``+`` last joined."""
        self._starts: tuple[list[tuple[int, int]], list[int]] = ([], [])
        self.hits: list[tuple[int, int]] = []
        self.hit_index = -1

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
        parts += [(article.title or article.label, "bold #ffffff"), "\n"]
        if article.subtitle:
            parts += [(article.subtitle, "#98a2b3"), "\n"]
        spans = ", ".join(f"{s}–{e}" for s, e in article.spans)
        where = " ".join(
            x
            for x in (
                issue.paper or "",
                issue.date or "",
                f"第{issue.page}版" if issue.page is not None else "",
                issue.section or "",
            )
            if x
        )
        meta = "  ·  ".join(
            x
            for x in (
                article.reporters,
                where,
                issue.source,
                f"行 {spans}",
                f"上接 {article.continued_from}" if article.continued_from else "",
                f"下转 {article.continued_on}" if article.continued_on else "",
            )
            if x
        )
        parts += [(meta, "dim")]
        credits = "  ".join(f"{k}:{v}" for k, v in issue.credits.items())
        if credits:
            parts += ["\n", (credits, "dim")]
        if article.dateline:
            parts += ["\n", (article.dateline, "dim italic")]
        self.head = [assemble(*parts)]
        self._show()

    def head_text(self) -> str:
        return "\n".join(c.plain for c in self.head)

    def show_body(self, article: Article, marks: Marks, layers: Layers) -> None:
        """The body with every layer; the caret and selection go over it (``show_caret``).
        The layers that follow the words are styled again only when they change: coding a
        passage restyles the passages (and search hits) alone, over the same body."""
        marks.caret = marks.selection = None
        key = (  # copies of the small inputs: a list changed in place is still seen
            article,
            marks.tokens,
            dict(marks.keywords),
            dict(marks.keyword_kinds),
            tuple(marks.watch),
            tuple(marks.entities),
            (layers.boundaries, layers.keywords, layers.watch, layers.entities),
        )
        if self.text_layout is None or not same_key(key, self._body_key):
            self.body, self.text_layout = article_body(article, marks, layers, LOWER)
            self._body_key = key
        self._show()
        first = len(self.head)
        upper = in_blocks(self.text_layout, text_spans(article.text, marks, layers, UPPER))
        self.set_upper({first + b: spans for b, spans in upper.items()})
        self.overlay = {}
        self.show_caret()

    def show_caret(self) -> None:
        """Redraw the caret and selection alone: a caret key on a 700,000-character paragraph
        re-styled all of it (1.5 s a key); now it costs the lines it touches."""
        marks = Marks()
        if self.mode != "read" and self.tokens and self.text_layout is not None:
            c = min(self.caret, len(self.tokens) - 1)
            a = min(self.sel_anchor, len(self.tokens) - 1)
            lo, hi = min(a, c), max(a, c)
            marks.caret = self.tokens[c]
            if self.mode == "select":
                marks.selection = (self.tokens[lo][0], self.tokens[hi][1])
        spans = caret_spans(marks)
        if self.text_layout is None or not spans:
            self.set_overlay({})
            return
        first = len(self.head)
        placed = in_blocks(self.text_layout, spans)
        self.set_overlay({first + b: sp for b, sp in placed.items()})

    def body_text(self) -> str:
        """The rendered body as plain text (for tests and copying)."""
        return "\n\n".join(c.plain for c in self.body)

    def show_notes(
        self,
        notes: ArticleNotes,
        passages: Sequence[Highlight],
        colours: dict[str, str],
        by_coder: Mapping[str, ArticleNotes] | None = None,
    ) -> None:
        """The article's tags, note and coded passages under the text.  With ``by_coder``
        (every coder shown, and not all of it yours) each tag, note and passage says whose
        it is (``@甲``): merged, they looked like the reader's own."""
        parts: list[str | tuple[str, str]] = [("─" * 20, "dim"), "\n"]
        whose: dict[str, list[str]] = {}
        for who, n in (by_coder or {}).items():
            for t in n.tags:
                whose.setdefault(t, []).append(who)
        if notes.tags:
            parts.append(("标签 tags: ", "dim"))
            for t in notes.tags:
                parts += [(f" {t} ", f"#101010 on {colours.get(t, '#888888')}"), " "]
                if by_coder is not None:
                    parts += [(at(whose.get(t, ())), CODER_STYLE), "  "]
            parts.append("\n")
        if by_coder is not None:
            for who, n in by_coder.items():
                if n.note:
                    parts += [("笔记 note ", "dim"), (at((who,)), CODER_STYLE), ("：", "dim")]
                    parts += [(n.note, "#e5c07b"), "\n"]
        elif notes.note:
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
                if by_coder is not None:
                    parts += [" ", (at((h.coder,)), CODER_STYLE)]
                if h.note:
                    parts += [("  ✎ ", "#e5c07b"), (truncate(h.note, 40), "#e5c07b")]
                parts.append("\n")
        if len(parts) == 2:
            parts.append(("t 标签 tag · n 笔记 note · v 选段 select a passage", "dim"))
        self.notes = [assemble(*parts).rstrip()]
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

    def action_page_down(self) -> None:
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, step: int) -> None:
        """A page on from where the scroll is going, not from where its animation is: a
        second space while the first page still slid counted from mid-way (two fast spaces
        turned one page).  At once, so a third key reads the new target."""
        height = self.scrollable_content_region.height
        self.scroll_to(y=self.scroll_target_y + step * height, immediate=True)

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
        """The words' starts, kept while the words are the same list (a long paragraph has
        hundreds of thousands; rebuilt per caret key they cost 20 ms)."""
        if self._starts[0] is not self.tokens:
            self._starts = (self.tokens, [s for s, _e in self.tokens])
        return self._starts[1]

    def keep_caret_visible(self) -> None:
        """Scroll so the caret's line is on screen."""
        y = self._caret_line()
        if y is not None:
            self.scroll_to_line(y)

    # -- passage mode: read → caret (v) → selection (v) → caret; Esc back to reading

    def toggle_passage_mode(self) -> None:
        if self.mode == "read":
            self.mode = "caret"
            if not self._caret_on_screen():
                self.caret = self.sel_anchor = self._first_visible_token()
        elif self.mode == "caret":
            self.mode = "select"
            self.sel_anchor = self.caret
            end = self._hit_from_caret()
            if end is not None:  # a search hit starts here: selected whole (光武大道, not 光)
                self.caret = max(self.caret, bisect_left(self._token_starts(), end) - 1)
        else:
            self.mode = "caret"
        self.post_message(self.CaretMoved())

    def cancel_passage_mode(self) -> bool:
        """Back to reading; False when already reading."""
        if self.mode == "read":
            return False
        self.mode = "read"
        self.post_message(self.CaretMoved())
        return True

    def reset_for(self, article: Article) -> None:
        """A different article: reading mode, caret at its start, no hit chosen."""
        if self.article is None or article.id != self.article.id:
            self.mode = "read"
            self.caret = self.sel_anchor = 0
            self.hit_index = -1
        self.article = article

    def _caret_on_screen(self) -> bool:
        y = self._caret_line()
        top = self.scroll_offset.y
        return y is not None and top <= y < top + max(1, self.scrollable_content_region.height)

    def _first_visible_token(self) -> int:
        """The first word on the first body line on screen (where a reader's eyes are)."""
        top = self.scroll_offset.y
        first_body = len(self.head)
        for y in range(top, min(self.line_count, top + max(1, self.size.height))):
            b, start, _end = self._lines[y]
            if not first_body <= b < first_body + len(self.body):
                continue
            tok = self._token_at(b, start)
            if tok is None:
                continue
            if self._starts_above(tok, y) and tok + 1 < len(self.tokens):
                tok += 1
            return tok
        return min(self.caret, max(0, len(self.tokens) - 1))

    def caret_to(self, offset: int) -> None:
        """Passage mode with the caret on the word at an article offset, scrolled into view."""
        if not self.tokens:
            return
        self.mode = "caret"
        self.caret = self.sel_anchor = max(0, bisect_right(self._token_starts(), offset) - 1)
        self.keep_caret_visible()
        self.post_message(self.CaretMoved())

    # -- search hits

    def _hit_from_caret(self) -> int | None:
        """The end of the search hit that starts in the word at the caret, if one does."""
        if not self.hits or not self.tokens:
            return None
        s, e = self.tokens[min(self.caret, len(self.tokens) - 1)]
        return next((he for hs, he in self.hits if s <= hs < e), None)

    def set_hits(self, hits: list[tuple[int, int]]) -> None:
        self.hits = hits
        self.hit_index = -1

    def next_hit(self, step: int = 1) -> tuple[int, int] | None:
        """Move to the next (or previous) hit and scroll it into view: (n, of) or None."""
        if not self.hits:
            return None
        self.hit_index = (self.hit_index + step) % len(self.hits)
        start = self.hits[self.hit_index][0]
        idx = next((i for i, (s, e) in enumerate(self.tokens) if s <= start < e), 0)
        mode = self.mode
        self.mode, self.caret = "caret", idx
        self.keep_caret_visible()
        self.mode = mode
        return self.hit_index + 1, len(self.hits)

    # -- word boundaries at the caret (saved to the user dictionary)

    def words_at_caret(self, count: int) -> tuple[int, int] | None:
        """Article span of ``count`` words from the caret, or None outside passage mode."""
        if self.mode == "read" or not self.tokens:
            return None
        i = min(self.caret, len(self.tokens) - 1)
        if i + count - 1 >= len(self.tokens):
            return None
        return self.tokens[i][0], self.tokens[i + count - 1][1]

    def _words(self) -> Workspace | None:
        ws: Workspace | None = getattr(self.app, "workspace", None)
        return ws

    def action_join_word(self) -> None:
        """Join the word at the caret with the next one, for good (user dictionary)."""
        span = self.words_at_caret(2)
        ws = self._words()
        if span is None or self.article is None or ws is None:
            self.notify("先按 v 选词 press v and move to the word first")
            return
        word = self.article.text[span[0] : span[1]]
        if not all(ch.isalnum() for ch in word):
            self.notify(f"“{word}”不是一个词 only letters can form a word", severity="warning")
            return
        # + again on the word just joined grows it (光武大, then 光武大道): the half is taken back
        at, last = self._joined
        grows = last if at == (self.article.id, span[0]) and last in word else ""
        if self._save_words(lambda: ws.join_word(word, grows), f"词典 + {word}"):
            self._joined = ((self.article.id, span[0]), word)
            self.post_message(self.WordsChanged())

    def action_split_word(self) -> None:
        """Split the word at the caret where the user puts spaces."""
        span = self.words_at_caret(1)
        ws = self._words()
        if span is None or self.article is None or ws is None:
            self.notify("先按 v 选词 press v and move to the word first")
            return
        word = self.article.text[span[0] : span[1]]
        if len(word) < 2:
            return
        from tui.dialogs import InputDialog

        def apply(value: str | None) -> None:
            if not value:
                return
            parts = value.split()
            if "".join(parts) != word or len(parts) < 2:
                self.notify(f"用空格把“{word}”分开 separate “{word}” with spaces", severity="error")
                return
            if self._save_words(lambda: ws.split_word(word, parts), f"词典 {word} → {value}"):
                self.post_message(self.WordsChanged())

        self.app.push_screen(
            InputDialog(
                f"拆分词 Split “{word}”", word, "在拆分处加空格 put a space where it splits"
            ),
            apply,
        )

    def _save_words(self, change: Callable[[], None], saved: str) -> bool:
        try:
            change()
        except (StoreError, OSError) as exc:
            self.notify(str(exc), title="未保存 not saved", severity="error")
            return False
        self.notify(saved, title="已保存 saved", timeout=2)
        return True

    # -- the mouse: click puts the caret on a word, drag selects

    def _token_under(self, event: MouseEvent) -> int | None:
        where = event.get_content_offset(self)
        if where is None:
            return None
        hit = self.offset_at(where.x, where.y + self.scroll_offset.y)
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
