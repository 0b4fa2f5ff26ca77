"""Boundary corrections: merge with the next article, split at a paragraph, mark a caption.

Stored with the annotations and applied by the workspace on every later load.
"""

from __future__ import annotations

from collections.abc import Callable

from tui.screens.base import ScreenBase, dialogs
from tui.widgets import Reader, truncate


class CorrectionActions(ScreenBase):
    def _pick_paragraph(self, title: str, then: Callable[[int], None]) -> None:
        """The paragraph at the caret, or one the user picks from a list."""
        from corpus.model import Kind  # not before the first frame

        if self.article is None:
            return
        reader = self.query_one(Reader)
        tok = reader.caret_token()
        if tok is not None:
            for p, (a, _d, n) in zip(
                [p for p in self.article.paragraphs if p.kind is not Kind.CAPTION],
                reader.text_layout.starts if reader.text_layout else [],
                strict=False,
            ):
                if a <= tok[0] <= a + n:
                    then(p.lines[0])
                    return
        items = [
            (
                p.lines[0],
                f"{p.lines[0]:>4}  {'§ ' if p.kind is Kind.SECTION else ''}{truncate(p.text, 50)}",
            )
            for p in self.article.paragraphs
        ]
        self.app.push_screen(
            dialogs().PickDialog(title, items), lambda line: then(line) if line else None
        )

    def _correct(self, kind: str, line: int) -> None:
        if self.article is None or self.pages is None or not self.writable():
            return
        issue_id, title = self.article.issue_id, self.article.title
        corpus = self.guard(
            lambda: self.ws.correct(issue_id, kind, line), f"更正 correction: {kind} @ {line}"
        )
        if corpus is not None and corpus is not True:
            self.corpus_reloaded(issue_id, title)
        for note in self.ws.take_notices():  # how many codings moved or were orphaned
            self.notify(note, timeout=8, markup=False)

    def action_merge_next(self) -> None:
        """Refused on a page's last article: nothing follows to merge with, and a merge
        stored anyway would join whatever a later re-OCR adds after it."""
        if self.article is None or self.pages is None:
            return
        page = self.pages.issue_of(self.article)
        if page.articles and page.articles[-1].id == self.article.id:
            self.status("没有下一篇 nothing to merge: this is the last article on its page")
            return
        self._correct("merge_next", self.article.spans[0][0] if self.article.spans else 1)

    def action_split_here(self) -> None:
        self._pick_paragraph(
            "从哪一段拆开 Split the article at paragraph", lambda line: self._correct("split", line)
        )

    def action_mark_caption(self) -> None:
        self._pick_paragraph(
            "标为图片说明 Mark paragraph as caption", lambda line: self._correct("caption", line)
        )
