"""Retrieval: every coded passage and tagged article of a code or a tag expression, one row
each — the quote centred in its context (KWIC-like), then date, page, title, codes and note.
Enter opens the reader at the passage, selected.

Also the base the analysis screens share (``AnalysisScreen``): the way back to the main
screen and its reader, edits through the workspace with errors as notifications, undo/redo,
and cell-width helpers for CJK columns."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from rich.cells import cell_len
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from storage.errors import AnnotationError, StoreError
from tui.render import assemble, plain, visible
from tui.typeahead import ready, resumed
from tui.widgets import Reader, VimList, plural, truncate
from tui.widgets.keyhints import KeyHints
from tui.widgets.reader import CODER_STYLE

if TYPE_CHECKING:
    from corpus.model import Article, Corpus
    from storage.annotations import Store
    from tui.app import PiyueApp
    from tui.screens.main import MainScreen
    from workspace.analysis import Item, SortBy
    from workspace.session import Workspace

QUOTE_STYLE = "bold #101010 on #f0c674"
SORTS: tuple[SortBy, ...] = ("date", "page", "code")
SORT_NAMES = {"date": "日期 date", "page": "版面 page", "code": "代码 code"}
FIRST_ROWS = 60
"""Rows shown at once; the rest follow after the first frame (a code with 2,000 passages)."""
MORE_ROWS = 200
LAST_SORT: WeakKeyDictionary[App[Any], SortBy] = WeakKeyDictionary()
"""Each running app's last retrieval sort: ``s`` is remembered for the session (it went back
to date order each time the screen opened)."""


# ------------------------------------------------------------------ cell-width helpers


def flat(text: str) -> str:
    """One line of page text for a column: breaks and tabs as spaces, controls visible."""
    return visible(text.replace("\r", " ").replace("\n", " ").replace("\t", " "))


def fit_left(text: str, cells: int) -> str:
    """The end of ``text`` in exactly ``cells`` cells, right-aligned (left context)."""
    out: list[str] = []
    width = 0
    for ch in reversed(text):
        w = cell_len(ch)
        if width + w > cells:
            break
        out.append(ch)
        width += w
    return " " * (cells - width) + "".join(reversed(out))


def fit_right(text: str, cells: int) -> str:
    """The start of ``text`` in exactly ``cells`` cells, padded (right context)."""
    out: list[str] = []
    width = 0
    for ch in text:
        w = cell_len(ch)
        if width + w > cells:
            break
        out.append(ch)
        width += w
    return "".join(out) + " " * (cells - width)


def cut_middle(text: str, cells: int) -> str:
    """A quote in at most ``cells`` cells: its beginning and its end around an ellipsis."""
    if cell_len(text) <= cells:
        return text
    half = max(1, (cells - 1) // 2)
    head = fit_right(text, half).rstrip(" ")
    tail = fit_left(text, cells - 1 - cell_len(head)).lstrip(" ")
    return head + "…" + tail


def kwic_cells(avail: int, match: int, meta: bool) -> tuple[int, int]:
    """(context cells each side, meta cells) for a one-line concordance of ``avail`` cells."""
    meta_w = 34 if meta and avail >= 110 else 0
    side = max(6, (avail - match - meta_w - (2 if meta_w else 0)) // 2)
    return side, meta_w


# ------------------------------------------------------------------ the shared base


class AnalysisScreen(Screen[None]):
    """A full screen over the main one; Esc goes back.  Edits go through the workspace;
    when any was made, the main screen's lists, codebook line and reader follow."""

    CSS_PATH = str(Path(__file__).parent.parent / "analysis.tcss")
    """Read when the first analysis screen opens (a path of its own, as for dialogs)."""
    BINDINGS = [
        Binding("escape", "back", "Back", id="analysis.back"),
        Binding("u", "undo", "Undo", id="analysis.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="analysis.redo"),
        Binding("question_mark", "keys", "Keys", show=False, id="analysis.keys"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.changed = False
        self.last_error = ""
        self.typeahead_ready = False
        self.shown_at = 0.0
        """When the first rows were on screen (perf_counter; the benchmark reads it)."""
        self.drawn_width = 0
        self.shown_cpu = 0.0
        """The UI thread's CPU clock then (thread_time: the work, without waiting for a
        core on a busy machine)."""

    @property
    def papp(self) -> PiyueApp:
        return self.app  # type: ignore[return-value]

    @property
    def ws(self) -> Workspace:
        return self.papp.workspace

    @property
    def main(self) -> MainScreen:
        return self.papp.main_screen

    def corpus(self) -> Corpus | None:
        """What retrieval and co-occurrence read: the pages of coded articles
        (``Workspace.coded_corpus``: the same results as over every page); None until the
        main screen has its pages.  The app builds it in a worker before the screen opens."""
        if self.main.pages is None:
            return None
        return self.ws.coded_corpus()

    def shown(self) -> None:
        """The screen can take keys; note when its first rows were drawn."""
        self.shown_at = time.perf_counter()
        self.shown_cpu = time.thread_time()
        ready(self)

    def on_screen_resume(self) -> None:
        resumed(self)

    def status(self, text: str) -> None:
        for s in self.query(".analysis-status").results(Static):
            s.update(plain(text, "dim"))

    def writable(self) -> bool:
        """False (and why, said once) while another piyue holds the database: checked before
        a dialog opens, so nothing is typed that cannot be saved."""
        if self.ws.store.readonly and not self.ws.try_write_access():
            why = self.ws.store.storage.readonly_reason or "another piyue holds the database"
            self.last_error = f"只读模式 read-only: {why}"
            self.notify(self.last_error, severity="warning")
            return False
        return True

    def edit(self, fn: Callable[[], Any], saved: str = "") -> Any:
        """A change through the workspace: None (and a notification) when refused; the
        reason stays in ``last_error``."""
        self.last_error = ""
        if not self.writable():
            return None
        try:
            result = fn()
        except (AnnotationError, StoreError, ValueError) as exc:
            self.last_error = self.refusal(exc)
            self.notify(self.last_error, title="未保存 not saved", severity="error")
            return None
        except OSError as exc:
            self.last_error = f"disk error: {exc}"
            self.notify(self.last_error, title="未保存 not saved", severity="error")
            return None
        self.changed = True
        if saved:
            self.notify(saved, title="已保存 saved", timeout=2)
        return result if result is not None else True

    def attempt(self, fn: Callable[[], Any], saved: str, then: Callable[[], None]) -> str:
        """``edit`` for a dialog that stays open when the write is refused: ``then`` after
        a durable write; the reason, or '' when saved."""
        if self.edit(fn, saved) is None:
            return self.last_error or "未保存 not saved"
        then()
        return ""

    def refusal(self, exc: Exception) -> str:
        """The line a refused edit shows (a screen may say it in both languages)."""
        return str(exc)

    def after_edit(self) -> None:
        """Re-render after an edit (or its undo); each screen says how."""

    def rows_for_width(self) -> None:
        """Rows are cut to the list's width: cut them again after a resize."""

    def on_resize(self, event: Resize) -> None:
        width = event.size.width
        if self.shown_at and width != self.drawn_width:
            self.call_after_refresh(self.rows_for_width)
        self.drawn_width = width

    def action_undo(self) -> None:
        self._history(redo=False)

    def action_redo(self) -> None:
        self._history(redo=True)

    def _history(self, redo: bool) -> None:
        step = self.edit(self.ws.redo if redo else self.ws.undo)
        if step is None:
            return
        if step is True:
            self.notify("没有可重做的 nothing to redo" if redo else "没有可撤销的 nothing to undo")
            return
        self.notify(f"{'重做 redone' if redo else '撤销 undone'}: {step.label}", timeout=2)
        if step.corpus_changed:
            self.main.corpus_reloaded()
        self.after_edit()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_keys(self) -> None:
        """``?``: this screen's keys (the footer leaves some out at 80 columns)."""
        from tui.dialogs import HelpScreen, screen_keys

        self.app.push_screen(HelpScreen(screen_keys(self)))

    def on_unmount(self) -> None:
        if self.changed:
            self.main.after_change()

    def vocabulary(self) -> list[str]:
        store = self.ws.store
        vocab = [t for t, _ in sorted(store.tag_counts().items(), key=lambda kv: -kv[1])]
        return vocab + [t.name for t in store.tag_defs() if t.name not in vocab]

    def article(self, article_id: str) -> Article | None:
        pages = self.main.pages
        return pages.article(article_id) if pages is not None else None

    def open_in_reader(
        self, article_id: str, start: int | None = None, end: int | None = None
    ) -> None:
        """Back to the main screen with the article in the reader: the caret on ``start``,
        and with ``end`` the span selected (passage mode)."""
        main = self.main
        art = self.article(article_id)
        if art is None or main.pages is None:
            self.notify(f"文章不在语料中 article not in the corpus: {article_id}", severity="error")
            return
        while len(self.app.screen_stack) > 1 and self.app.screen is not main:
            self.app.pop_screen()
        main.select_issue(main.pages.issue_of(art), keep=art.id)
        main.open_article(art, focus=True)
        if start is None:
            return

        def place() -> None:
            reader = main.query_one(Reader)
            reader.caret_to(start)
            if end is not None and end > start and reader.tokens:
                reader.mode = "select"
                reader.sel_anchor = reader.caret
                last = max(start, end - 1)
                reader.caret = max(
                    reader.sel_anchor,
                    next(
                        (i for i, (s, e) in enumerate(reader.tokens) if s <= last < e),
                        reader.caret,
                    ),
                )
                reader.post_message(Reader.CaretMoved())

        main.call_after_refresh(place)


# ------------------------------------------------------------------ retrieval


def quote_cells(items: list[Item], avail: int) -> int:
    """The quote column: as wide as the longest quote, within a third of the row."""
    longest = max((cell_len(it.quote) for it in items), default=8)
    return max(8, min(longest, 48, avail // 3))


def whose_items(store: Store, items: list[Item]) -> list[str] | None:
    """Each item's coder, when every coder is shown (``B``) and some item is not the
    reader's own: two coders' tags of an article were two identical rows. None otherwise
    (as the reader, which names coders only then)."""
    if store.visible is not None:
        return None
    passages: dict[str, dict[str, str]] = {}
    tagged: dict[str, list[tuple[str, tuple[str, ...], str]]] = {}
    out = []
    for it in items:
        aid = it.article_id
        if it.kind == "passage":
            if aid not in passages:
                passages[aid] = {h.id: h.coder for h in store.highlights(aid)}
            out.append(passages[aid].get(it.highlight_id or "", ""))
            continue
        if aid not in tagged:
            tagged[aid] = [(c, tuple(n.tags), n.note) for c, n in store.notes_by_coder(aid).items()]
        # an article's row is one coder's tags and note: the first coder with those, taken
        # (two coders with the same tags are two rows, one each)
        left = tagged[aid]
        k = next((i for i, (_c, t, n) in enumerate(left) if t == it.tags and n == it.note), -1)
        out.append(left.pop(k)[0] if k >= 0 else "")
    return None if set(out) <= {store.coder} else out


def item_rows(
    items: list[Item],
    avail: int,
    quote_w: int,
    first: int = 0,
    whose: list[str] | None = None,
) -> list[Option]:
    """Two lines an item: where it is (its header), then the quote centred in its context
    (option ids count from ``first``), each cut to ``avail`` cells.  The quote is marked by
    its style only: the line reads as the page has it, with no space put around the quote
    (a header under its context read as the next item's, and "党的十九 大精神" as a gap)."""
    side = max(6, (avail - quote_w) // 2)
    options = []
    for i, it in enumerate(items, start=first):
        if it.kind == "passage":
            quote = cut_middle(flat(it.quote), quote_w)
            # the right context takes the cells a narrower quote leaves (counted in cells:
            # a quote with a half-width comma is an odd number of them), so every row is
            # as wide as the others
            line: Content = assemble(
                (fit_left(flat(it.left), side), ""),
                (quote, QUOTE_STYLE),
                (fit_right(flat(it.right), side + quote_w - cell_len(quote)), ""),
            )
        else:
            line = assemble((" " * side, ""), ("整篇 whole article", "bold #61afef"))
        place = f"第{it.page}版" if it.page is not None else it.file.rsplit(".", 1)[0]
        meta: list[str | tuple[str, str]] = []
        if it.date:
            meta += [(it.date, "dim"), "  "]
        meta += [(truncate(flat(it.title) or "(无标题)", 36), "bold"), "  "]
        meta += [(truncate(" ".join(it.tags), 24), "#c678dd"), "  "]
        if whose is not None:
            meta += [(f"@{whose[i - first] or '?'}", CODER_STYLE), "  "]
        if it.note:
            meta += [("✎ " + truncate(flat(it.note), 30), "#e5c07b"), "  "]
        meta += [(place, "dim")]
        header: Content = assemble(*meta).truncate(avail, ellipsis=True)
        options.append(Option(assemble(header, "\n", line), id=str(i)))
    return options


class RetrievalScreen(AnalysisScreen):
    """Rows of coded segments for an expression typed at the top, or given (a co-occurrence
    cell's segments).  ``s`` cycles the sort, Enter opens the reader at the passage."""

    BINDINGS = [
        *AnalysisScreen.BINDINGS,
        Binding("s", "sort", "Sort", id="retrieval.sort"),
        Binding("slash", "edit_query", "Expression", id="retrieval.query"),
    ]

    def __init__(
        self,
        expr: str = "",
        fetch: Callable[[SortBy, int], list[Item]] | None = None,
        title: str = "",
    ) -> None:
        super().__init__()
        self.expr = expr
        self.fetch = fetch
        self.heading = title
        self.sort: SortBy = "date"
        self.items: list[Item] = []
        self.whose: list[str] | None = None
        """Each item's coder while every coder is shown (``whose_items``)."""

    def compose(self) -> ComposeResult:
        yield Static(plain(self.heading or "检索 Retrieval", "bold"), classes="analysis-title")
        if self.fetch is None:
            yield Input(
                self.expr,
                placeholder="代码或标签表达式 code or tag expression: 营商环境 and not 党建",
                id="retrieve-input",
            )
        yield Static("", classes="analysis-status")
        yield VimList(id="items")
        yield KeyHints()

    def on_mount(self) -> None:
        self.sort = LAST_SORT.get(self.app, self.sort)
        if self.fetch is not None or self.expr.strip():
            self.run()
            self.query_one("#items").focus()
        else:
            self.query_one("#retrieve-input").focus()
            self.call_after_refresh(self.shown)

    @on(Input.Submitted, "#retrieve-input")
    def submitted(self, event: Input.Submitted) -> None:
        self.expr = event.value
        if self.expr.strip():
            self.run()
            self.query_one("#items").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A co-occurrence cell's list has no expression to edit: ``/`` is not offered."""
        if action == "edit_query" and self.fetch is not None:
            return False
        return super().check_action(action, parameters)

    def action_edit_query(self) -> None:
        for box in self.query("#retrieve-input"):
            box.focus()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        LAST_SORT[self.app] = self.sort
        self.run()

    def after_edit(self) -> None:
        self.run()

    def rows_for_width(self) -> None:
        if self.items or self.fetch is not None or self.expr.strip():
            ol = self.query_one("#items", OptionList)
            at = ol.highlighted
            self.run()
            if at is not None and at < ol.option_count:
                ol.highlighted = at

    def width(self) -> int:
        w = self.query_one("#items", OptionList).scrollable_content_region.width
        return max(40, (w if w > 4 else self.app.size.width - 4) - 4)

    def retrieve(self, sort: SortBy, width: int) -> list[Item]:
        if self.fetch is not None:
            return self.fetch(sort, width)
        from workspace.analysis import retrieve

        corpus = self.corpus()
        if corpus is None:
            raise ValueError("语料还在加载 the corpus is still loading")
        return retrieve(corpus, self.ws.store, self.expr, sort=sort, width=width)

    def run(self) -> None:
        avail = self.width()
        try:
            self.items = self.retrieve(self.sort, avail // 2)
        except (AnnotationError, StoreError, ValueError) as exc:
            self.items = []
            self.status(f"{exc}")
            self.query_one("#items", OptionList).clear_options()
            self.call_after_refresh(self.shown)
            return
        ol = self.query_one("#items", OptionList)
        ol.clear_options()
        quote_w = quote_cells(self.items, avail)
        self.whose = whose_items(self.ws.store, self.items)
        ol.add_options(item_rows(self.items[:FIRST_ROWS], avail, quote_w, 0, self.whose))
        if not self.items:
            ol.add_option(Option(plain(self.nothing(), "dim italic"), disabled=True))
        if self.items:
            ol.highlighted = 0
        passages = sum(1 for it in self.items if it.kind == "passage")
        self.status(
            f"{passages} 段 {plural(passages, 'passage')} · {len(self.items) - passages} 篇 "
            f"{plural(len(self.items) - passages, 'article')} · "
            f"排序 sort: {SORT_NAMES[self.sort]} (s) · Enter 打开 open"
            + (" · / 表达式 expression" if self.fetch is None else "")
        )
        self.call_after_refresh(self.shown)
        if len(self.items) > FIRST_ROWS:
            more = partial(self._more, avail, quote_w, FIRST_ROWS)
            self.call_after_refresh(self.set_timer, 0.02, more)

    def nothing(self) -> str:
        """What an empty list says: blind, that only your codings are in it (a new coder's
        retrieval of the others' codes was an empty box)."""
        store = self.ws.store
        if store.visible is not None and set(store.coders()) - {store.coder}:
            return (
                f"没有结果 nothing retrieved · 盲编码 blind: only your codings ({store.coder}) "
                "are listed; B 在主屏幕 on the main screen shows every coder's"
            )
        return "没有结果 nothing retrieved"

    def _more(self, avail: int, quote_w: int, done: int) -> None:
        """The rows after the first screenful, a batch per tick (adding 2,000 rows at once
        holds the screen for half a second): keys are handled in between."""
        ol = self.query_one("#items", OptionList)
        if done != ol.option_count or done >= len(self.items):
            return  # replaced by a newer query meanwhile, or finished
        batch = self.items[done : done + MORE_ROWS]
        whose = self.whose[done : done + MORE_ROWS] if self.whose is not None else None
        ol.add_options(item_rows(batch, avail, quote_w, done, whose))
        if done + len(batch) < len(self.items):
            self.set_timer(0.01, partial(self._more, avail, quote_w, done + len(batch)))

    @on(OptionList.OptionSelected, "#items")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        it = self.items[int(event.option.id or 0)]
        self.open_in_reader(it.article_id, it.start, it.end)
