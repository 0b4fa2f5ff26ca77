"""The search dialog (``/``): a query, its ranked hits with snippets, Enter opens one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.render import assemble, plain
from tui.typeahead import INDEX_WAIT, Dialog, ready
from tui.widgets.lists import StopList, plural, type_into


class QueryInput(Input):
    """The query box. Enter holds the keys typed after it until the hits are listed (the
    next Enter is meant for a hit): said here, while the Enter itself is handled, before
    the app can hand on the next key."""

    async def action_submit(self) -> None:
        if self.value.strip():
            self.screen.typeahead_ready = False  # type: ignore[attr-defined]
        await super().action_submit()


class SearchScreen(Dialog[str | None]):
    """``/``: type a query, Enter lists hits with snippets, Enter on a hit opens it."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="search.close"),
        Binding("ctrl+k", "concordance", "Concordance", id="search.kwic", priority=True),
    ]

    class Run(Message):
        """Posted to ask the app to search; the app answers with ``show_hits``."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query
        self.hit_ids: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog search-dialog"):
            yield Label("搜索 Search", classes="dialog-title")
            # a line of its own that wraps: in the title it was cut at 80 columns
            hint = '词语 words · "短语" phrase · -排除 exclude · ctrl+k 语境索引 concordance'
            yield Static(plain(hint, "dim"), id="search-hint")
            yield QueryInput(
                self.query_text, placeholder='营商环境 "优化 营商" -党建', id="search-input"
            )
            yield Static("", id="search-status")
            yield StopList(id="search-hits")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            from corpus.search import query_problem

            problem = query_problem(event.value)  # refused as `piyue search` refuses it
            if problem:
                self.show_hits(event.value, [], f"无法搜索 refused: {problem}")
                self.query_one(Input).focus()
                return
            self.query_one("#search-status", Static).update(plain("搜索中 searching…", "dim"))
            self.post_message(self.Run(event.value))

    def show_hits(
        self, query: str, hits: Sequence[Any], note: str = "", pending: bool = False
    ) -> None:
        """The hits (or a note); ``pending``: the search runs once the index is ready, and
        keys typed after Enter keep waiting for its hits (at most ``INDEX_WAIT``: on a first
        start the index takes longer than ``HOLD_LIMIT``, and the Enter meant for a hit and
        the keys after it went into the query)."""
        self.typeahead_wait = INDEX_WAIT if pending else 0.0
        ol = self.query_one("#search-hits", OptionList)
        ol.clear_options()
        self.hit_ids = [h.article_id for h in hits]
        options = []
        for i, h in enumerate(hits):
            c: Content = assemble(
                (h.title or "(无标题)", "bold"),
                "  ",
                (h.date or h.issue_id, "dim"),
                "\n  ",
                _snippet(h.snippet),
            )
            options.append(Option(c, id=str(i)))
        ol.add_options(options)
        status = note or (
            f"{len(hits)} 条结果 {plural(len(hits), 'hit')} — Enter 打开 open"
            if hits
            else "没有结果 no hits"
        )
        self.query_one("#search-status", Static).update(plain(status, "dim"))
        if hits:
            ol.highlighted = 0
            ol.focus()
        if not pending:
            self.call_after_refresh(ready, self)  # with the focus where the hits put it

    def say(self, status: str) -> None:
        """A new status line (how many hits in all, once counted)."""
        self.query_one("#search-status", Static).update(plain(status, "dim"))

    def on_key(self, event: events.Key) -> None:
        """Typing in the hit list goes to the query (a new search, not a lost keystroke)."""
        box = self.query_one("#search-input", Input)
        if self.focused is not box and event.is_printable and event.character:
            type_into(box, event)

    @on(OptionList.OptionSelected, "#search-hits")
    def open_hit(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hit_ids[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_concordance(self) -> None:
        """ctrl+k: the concordance of the query's first term (every occurrence, in context)."""
        from corpus.search import parse_query

        value = self.query_one("#search-input", Input).value
        terms = parse_query(value).positives if value.strip() else []
        term = terms[0].replace(" ", "") if terms else ""
        app = self.app
        self.dismiss(None)
        app.call_later(app.run_action, f"analysis('concordance', {term!r})")


def _snippet(snippet: str) -> Content:
    """Render «match» marks as a highlight (text, never markup)."""
    out = []
    rest = snippet.replace("\n", " ")
    while "«" in rest and "»" in rest:
        a = rest.index("«")
        b = rest.index("»", a)
        out.append(plain(rest[:a]))
        out.append(plain(rest[a + 1 : b], "bold #101010 on #f0c674"))
        rest = rest[b + 1 :]
    out.append(plain(rest))
    return assemble(*out)
