"""Finding: search (``/``) and its hits, the tag-expression filter, stepping through articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from storage.errors import AnnotationError
from tui.screens.base import Filter, ScreenBase, dialogs
from tui.widgets import Reader, StatusLine

if TYPE_CHECKING:
    from corpus.model import Article

SEARCH_ROWS = 200
"""Hits the search dialog lists (ranked best first); when more match, it says so."""
COUNT_CAP = 1000
"""When more match, the dialog says how many up to this (counting 1,000 takes ~0.2 s)."""


def more_note(total: int | None) -> str:
    """What the search dialog says when it lists only the first ``SEARCH_ROWS`` hits."""
    if total is None:
        of = "more match (counting…)"
    elif total > COUNT_CAP:
        of = f"more than {COUNT_CAP:,} match"
    else:
        of = f"{total:,} match in all"
    return (
        f"前 {SEARCH_ROWS} 条 the first {SEARCH_ROWS} hits; {of} — narrow the query "
        "(`piyue search --limit N` lists more) · Enter 打开 open"
    )


class SearchActions(ScreenBase):
    hit_said = ""
    """The status line's "命中 hit n/m", while it still speaks of the reader's article."""

    class SearchDone(Message):
        """Hits for a query (a worker's result), shown by the search dialog."""

        def __init__(
            self, query: str, hits: list[Any], note: str = "", pending: bool = False
        ) -> None:
            super().__init__()
            self.text, self.hits, self.note = query, hits, note
            self.pending = pending
            """The search waits for the index: more hits will come."""

    class SearchCounted(Message):
        """How many hits a query has in all (when more than the dialog lists)."""

        def __init__(self, query: str, total: int) -> None:
            super().__init__()
            self.text, self.total = query, total

    def action_search(self) -> None:
        def opened(article_id: str | None) -> None:
            if article_id and self.pages is not None:
                art = self.pages.article(article_id)
                if art is not None:
                    self.select_issue(self.pages.issue_of(art), keep=art.id)
                    self.open_article(art, focus=True)
                    self.action_next_hit()

        self.app.push_screen(dialogs().SearchScreen(self.search_query), opened)

    def search_requested(self, query: str) -> None:
        """The search dialog asked (via the app) for hits."""
        self.search_query = query
        if not self.index_ready:  # decided here, on the UI thread, as IndexReady is handled
            self.pending_query = query
            note = "正在建立索引 building the index — the search runs as soon as it is ready"
            self.post_message(self.SearchDone(query, [], note, pending=True))
            return
        self.run_search(query)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        try:
            hits = self.ws.search(query, SEARCH_ROWS + 1)  # one more: are there more?
            if len(hits) <= SEARCH_ROWS:
                self.post_message(self.SearchDone(query, hits))
                return
            self.post_message(self.SearchDone(query, hits[:SEARCH_ROWS], more_note(None)))
            # then how many in all (the first hits are on screen meanwhile)
            total = len(self.ws.search(query, COUNT_CAP + 1))
            self.post_message(self.SearchCounted(query, total))
        except Exception as exc:
            self.post_message(self.SearchDone(query, [], f"search failed: {exc}"))

    def on_search_actions_search_done(self, msg: SearchDone) -> None:
        if isinstance(self.app.screen, dialogs().SearchScreen):
            self.app.screen.show_hits(msg.text, msg.hits, msg.note, msg.pending)

    def on_search_actions_search_counted(self, msg: SearchCounted) -> None:
        screen = self.app.screen
        if isinstance(screen, dialogs().SearchScreen) and msg.text == self.search_query:
            screen.say(more_note(msg.total))

    def hits_in_article(self) -> list[tuple[int, int]]:
        if not self.search_query or self.article is None:
            return []
        from corpus.search import match_spans, parse_query

        return match_spans(self.article.text, parse_query(self.search_query).positives)

    def action_next_hit(self, step: int = 1) -> None:
        reader = self.query_one(Reader)
        hits = self.hits_in_article()
        if hits != reader.hits:
            reader.set_hits(hits)
        where = reader.next_hit(step)
        if where is not None:
            self.hit_said = f"命中 hit {where[0]}/{where[1]}"
            self.status(self.hit_said)

    def open_article(
        self, article: Article, scroll: float = 0.0, focus: bool = False, mark_read: bool = True
    ) -> None:
        """Another article in the reader: a hit position said for the last one goes (a tester
        read "hit 1/6" over an article that was no hit at all)."""
        before = self.article
        super().open_article(article, scroll, focus, mark_read)
        if self.hit_said and (before is None or before.id != article.id):
            bar = self.query_one(StatusLine)
            if bar.text == self.hit_said:
                bar.say("")
            self.hit_said = ""

    def action_prev_hit(self) -> None:
        self.action_next_hit(-1)

    def action_filter(self, typed: str | None = None) -> None:
        """``typed``: an expression refused a moment ago, offered again to be corrected
        (nothing typed is lost to a missing quote)."""

        def apply(expr: str | None) -> None:
            if expr is None:
                return
            expr = expr.strip()
            if not expr:
                self.action_clear_filter()
                self.status("筛选已清除 filter cleared")
                return
            try:
                from storage.annotations import parse_expression
                from storage.annotations.expressions import page_matcher

                tree = parse_expression(expr)
                self.art_filter = Filter(expr, tree, page_matcher(tree))
            except AnnotationError as exc:
                self.notify(str(exc), severity="error")
                self.action_filter(expr)
                return
            self.refresh_articles()
            self.set_pane("articles")

        self.app.push_screen(
            dialogs().InputDialog(
                "筛选 Filter articles",
                self.art_filter.expr if typed is None else typed,
                "标签表达式 tag expression: 营商环境 and not 党建 · or · ( ) · "
                "is:unread · has:note · is:starred · paper:洛阳日报 · "
                'paper:"洛阳日报 副刊" · date:2018-09 · date:2018-09-01..2018-10-31 · page:1 '
                "— 空 = 清除 empty clears",
            ),
            apply,
        )

    def action_clear_filter(self) -> None:
        self.art_filter = Filter()
        if self.issue is not None:
            self.select_issue(self.issue)

    def _step_article(self, step: int) -> None:
        if self.article is None or not self.visible_articles:
            return
        ids = [a.id for a in self.visible_articles]
        i = ids.index(self.article.id) if self.article.id in ids else -1
        j = i + step
        if not (0 <= j < len(ids)):
            pages = self.pages
            if self.art_filter.tree is None and pages is not None and self.issue is not None:
                order = [r.id for r in pages.rows]
                here = order.index(self.issue.id) if self.issue.id in order else -1
                k = here + (1 if step > 0 else -1)
                page = pages.issue(order[k]) if here >= 0 and 0 <= k < len(order) else None
                if page is not None and page.articles:
                    self.select_issue(page)
                    art = page.articles[0 if step > 0 else -1]
                    self.refresh_articles(art.id)
                    self.open_article(art)
            return
        found = self.pages.article(ids[j]) if self.pages is not None else None
        if found is not None:
            self.refresh_articles(ids[j])
            self.open_article(found)

    def action_next_article(self) -> None:
        self._step_article(1)

    def action_prev_article(self) -> None:
        self._step_article(-1)
