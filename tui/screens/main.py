"""The main screen: issues │ articles │ reader. It composes the panes, binds the keys to the
task modules' actions (``tui.actions``), starts the loading workers and handles what they
post. Workers compute and post messages; the handlers here own the state and touch widgets.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Resize
from textual.message import Message
from textual.widgets import OptionList, Static

from storage import state
from storage.errors import StoreError
from tui.actions.annotate import AnnotateActions
from tui.actions.coders import CoderActions
from tui.actions.export import ExportActions
from tui.actions.layers import LayerActions
from tui.actions.merge import MergeActions
from tui.actions.orphans import OrphanActions
from tui.actions.refresh import RefreshActions
from tui.actions.search import SearchActions
from tui.render import plain
from tui.screens.base import PANES, ScreenBase, dialogs
from tui.typeahead import ready
from tui.widgets import ArticleList, Codebook, IssueList, Reader, StatusLine, plural
from tui.widgets.keyhints import KeyHints

if TYPE_CHECKING:
    from corpus.dates import DateJump
    from corpus.keywords import DocFreq
    from corpus.model import Article, Skipped
    from storage.index import IndexStats
    from storage.pages import PageView
    from storage.pagestore import PageRow


QUICK_ROWS = 100_000
"""Up to this many pages, the first frame has the titles (see ``on_mount``)."""


def asked_date(jump: DateJump, current: str) -> str:
    """The typed date as an ISO prefix (a date without a year in ``current``'s year):
    ``2018-09-12``, ``2018-09``, ``2018``."""
    year = jump.year if jump.year is not None else int(current[:4] or 0)
    out = f"{year:04d}"
    if jump.month is not None:
        out += f"-{jump.month:02d}"
        if jump.day is not None:
            out += f"-{jump.day:02d}"
    return out


class MainScreen(
    RefreshActions,
    AnnotateActions,
    SearchActions,
    MergeActions,
    LayerActions,
    ExportActions,
    CoderActions,
    OrphanActions,
    ScreenBase,
):
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("slash", "search", "Search", id="search"),
        Binding("t", "tag", "Tag", id="tag"),
        Binding("T", "untag", "Untag", id="untag"),
        Binding("n", "note", "Note", id="note"),
        Binding("v", "visual", "Select passage", id="visual"),
        Binding("escape", "cancel_visual", "Cancel", show=False, id="cancel"),
        Binding("D", "delete_passage", "Delete passage", show=False, id="delete_passage"),
        Binding("P", "passages", "Passages", show=False, id="passages"),
        Binding("R", "resize_passage", "Resize passage", show=False, id="resize_passage"),
        Binding("f", "filter", "Filter", id="filter"),
        Binding("m", "toggle_read", "Read/unread", id="toggle_read"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="redo"),
        Binding(
            "right_square_bracket",
            "next_article",
            "Next article",
            show=False,
            id="next_article",
            key_display="]",
        ),
        Binding(
            "left_square_bracket",
            "prev_article",
            "Previous article",
            show=False,
            id="prev_article",
            key_display="[",
        ),
        Binding(
            "greater_than_sign", "next_hit", "Next hit", show=False, id="next_hit", key_display=">"
        ),
        Binding(
            "less_than_sign", "prev_hit", "Prev hit", show=False, id="prev_hit", key_display="<"
        ),
        Binding("s", "toggle_boundaries", "Words", id="toggle_boundaries"),
        Binding("L", "layers", "Layers", show=False, id="layers"),
        Binding("O", "orphans", "Attach an orphan here", show=False, id="orphans"),
        Binding("M", "merge_next", "Merge next", show=False, id="merge_next"),
        Binding("S", "split_here", "Split article", show=False, id="split_here"),
        Binding("C", "mark_caption", "Mark caption", show=False, id="mark_caption"),
        Binding("asterisk", "toggle_star", "Star", show=False, id="toggle_star", key_display="*"),
        Binding("x", "export", "Export", id="export"),
        Binding("d", "jump_date", "Jump to date", show=False, id="jump_date"),
        Binding("A", "agreement", "Agreement", show=False, id="agreement"),
        Binding("B", "toggle_blind", "Blind / all coders", show=False, id="toggle_blind"),
        Binding("ctrl+left", "resize_lists(-4)", "Narrower lists", show=False, id="narrower"),
        Binding("ctrl+right", "resize_lists(4)", "Wider lists", show=False, id="wider"),
        Binding("tab", "pane(1)", "Next pane", show=False, id="pane_next", priority=True),
        Binding("shift+tab", "pane(-1)", "Prev pane", show=False, id="pane_prev", priority=True),
        Binding("c", "app.analysis('codebook')", "Codebook", id="codebook"),
        Binding("K", "app.analysis('concordance')", "Concordance", show=False, id="concordance"),
        Binding("W", "app.analysis('terms')", "Key terms", show=False, id="terms"),
        Binding("f5", "refresh", "Refresh from disk", show=False, id="refresh", key_display="F5"),
        *[
            Binding(str(i), f"quick_tag({i})", f"Quick tag {i}", show=False, id=f"quick_tag_{i}")
            for i in range(1, 10)
        ],
    ]
    HINT_ORDER = (
        "help",
        "tag",
        "visual",
        "note",
        "codebook",
        "search",
        "undo",
        "quit",
        "filter",
        "export",
        "untag",
        "toggle_read",
        "toggle_boundaries",
    )
    """The footer's keys, most important first: at 80 columns the last ones are left out
    (see ``KeyHints``): coding (tag, passage, note, codebook) before filter and export."""
    HINT_SHORT = {"visual": "Passage", "codebook": "Codes"}
    """Shorter descriptions on a narrow footer (``v`` and ``c`` did not fit at 80 columns)."""

    # ------------------------------------------------------------------ messages

    class StoreReady(Message):
        """The annotation database is open (as the writer or read-only)."""

    class StoreFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class CorpusLoaded(Message):
        """The pages' rows are read (the tree can be drawn), and the first page to show."""

        def __init__(
            self, pages: PageView | None, first: Article | None = None, error: str = ""
        ) -> None:
            super().__init__()
            self.pages, self.first, self.error = pages, first, error

    class WordsReady(Message):
        pass

    class IndexProgress(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class IndexReady(Message):
        def __init__(
            self,
            stats: IndexStats | None,
            df: DocFreq | None,
            error: str = "",
            rows: tuple[list[PageRow], list[Skipped]] | None = None,
            refreshed: bool = False,
        ) -> None:
            super().__init__()
            self.stats, self.df, self.error = stats, df, error
            self.refreshed = refreshed
            """Asked for (``F5``): what changed is said."""
            self.rows = rows
            """The pages' rows again, when the refresh found page files changed since the
            index the screen was drawn from."""

    # ------------------------------------------------------------------ composition

    def __init__(self) -> None:
        super().__init__()
        self._words_started = False
        self._words_timer: Any = None
        self._write_retry: Any = None

    def compose(self) -> ComposeResult:
        # Few widgets: each one in the first frame costs its styling and layout (~2 ms).
        # The pane titles are border titles, the lists carry their own borders.
        yield IssueList(id="issues", classes="pane")
        yield ArticleList(id="articles", classes="pane")
        yield Reader(id="reader", classes="pane")  # its legend is the border's subtitle
        with Vertical(id="bottom"):
            yield Codebook(id="codebook")
            yield StatusLine("正在读取版面 reading pages…", id="status")
            yield KeyHints()

    def on_mount(self) -> None:
        self.query_one(IssueList).border_title = plain("版面 Issues", "bold")
        # what a page's "5篇 ✓2 ●4" counts (✓ read like "read"; ? has it too)
        self.query_one(IssueList).border_subtitle = plain("✓ coded ● unread", "dim")
        self.query_one(ArticleList).border_title = plain("文章 Articles", "bold")
        self.query_one(Reader).border_title = plain("阅读 Reader", "bold")
        self.set_pane("issues")
        # The titles are in the first frame: the rows as the index stored them are one
        # read-only query, done before the store, the segmenter or the index module are
        # imported; the full reading (with corrections, notes and freshness) replaces them
        # moments later.  A large corpus's rows (and their tree) come from the worker only:
        # drawn twice they cost more than they save.
        from storage import locations
        from storage.pagerow import quick_rows

        cache = self.ws.cache_dir or locations.cache_dir()
        rows = quick_rows(cache, self.ws.root, most=QUICK_ROWS)
        if rows:
            self.query_one(IssueList).show(rows, {})
        # Workers hold the GIL while they open the database, parse and load the dictionary:
        # paint first.
        self.call_after_refresh(self.start_workers)

    def start_workers(self) -> None:
        self.papp.after_first_paint()
        self.load_corpus()
        # The dictionary load holds the GIL for most of a second: it starts once the lists
        # with their titles are on screen (see on_main_screen_corpus_loaded), or after a
        # moment if the corpus is slow, so it never delays what the user waits for.
        self._words_timer = self.set_timer(1.5, self.start_words)

    def start_words(self) -> None:
        if not self._words_started:
            self._words_started = True
            self._words_timer.stop()
            self.load_words()

    # ------------------------------------------------------------------ workers

    @work(thread=True, exclusive=True, group="load")
    def load_corpus(self) -> None:
        try:
            _ = self.ws.store  # opened here, off the UI thread
        except StoreError as exc:
            self.post_message(self.StoreFailed(str(exc)))
            return
        self.post_message(self.StoreReady())
        try:
            pages = self.ws.pages()
            remembered = state.load(self.ws.root)
            first = pages.article(str(remembered.get("article", ""))) if remembered else None
            if first is not None and pages.gone(first):  # its folder renamed, its file deleted
                first = None
            if first is not None:
                pages.issue(first.issue_id)  # built here, off the UI thread
            elif pages.rows:
                page = pages.first_page()
                first = page.articles[0] if page and page.articles else None
            self.post_message(self.CorpusLoaded(pages, first))
        except Exception as exc:  # shown, not crashed
            self.post_message(self.CorpusLoaded(None, None, str(exc)))

    @work(thread=True, exclusive=True, group="words")
    def load_words(self) -> None:
        from corpus.keywords import DocFreq

        lib = self.ws.library
        try:
            lib.prepare_words()
        except Exception:
            pass
        self.post_message(self.WordsReady())
        try:
            from textual.worker import get_current_worker

            from storage.index import Abandoned

            me = get_current_worker()

            def progress(done: int, total: int) -> None:
                if me.is_cancelled:  # the reader quit: stop the pool, the index resumes later
                    raise Abandoned
                self.post_message(self.IndexProgress(done, total))

            stats = lib.refresh_index(progress)
            df = lib.doc_freq() if stats is not None else DocFreq()
            df.general()  # jieba's IDF of the corpus's words, read here and not on screen
            rows = None
            changed = stats is not None and (stats.parsed or stats.removed or stats.relabelled)
            if changed and lib.lazy:  # (a pages.csv edited: the same pages, other papers)
                self.ws.reattach_moved()  # the tree was drawn from the index before this
                rows = (lib.page_rows(), lib.skipped())
            self.post_message(self.IndexReady(stats, df, rows=rows))
        except Exception as exc:
            self.post_message(self.IndexReady(None, DocFreq(), str(exc)))

    # ------------------------------------------------------------------ handlers

    def on_main_screen_store_ready(self, _msg: StoreReady) -> None:
        store = self.ws.store
        if store.readonly:
            why = store.storage.readonly_reason or "in use by another piyue"
            self.mount(
                Static(
                    plain(f"只读 READ-ONLY: {store.path}: {why}; changes are not possible here."),
                    id="readonly-banner",
                ),
                before=0,
            )
            who = "另一个 piyue 正在使用数据库" if why.startswith("in use") else "数据库不可写"
            self.notify(f"{who}：只读打开 opened read-only", severity="warning", timeout=8)
            if why.startswith("in use"):  # it may finish soon: write access then (store9)
                self._write_retry = self.set_interval(2.0, self.retry_write_access)
        self.tell_notices()
        if self.article is None:
            self.query_one(Reader).show_notes(self.notes_of(None), [], {})
        self.settle_coder()
        self.refresh_codebook()

    def retry_write_access(self) -> None:
        """Opened read-only while another piyue wrote: the writer once it has ended."""
        if not self.ws.try_write_access():
            return
        if self._write_retry is not None:
            self._write_retry.stop()
        for banner in self.query("#readonly-banner"):
            banner.remove()
        self.notify("可写 write access: the other piyue has finished", timeout=8)
        self.tell_notices()
        self.refresh_codebook()

    def tell_notices(self) -> None:
        """What opening the database or re-attaching codings found (store9)."""
        for note in self.ws.take_notices():
            self.notify(note, severity="warning", timeout=15, markup=False)

    def on_main_screen_store_failed(self, msg: StoreFailed) -> None:
        """A database piyue must not touch (corrupt, newer, unreadable): say so and leave."""
        ready(self)
        self.papp.fatal = msg.error
        self.app.exit(return_code=2)

    def on_main_screen_corpus_loaded(self, msg: CorpusLoaded) -> None:
        self.call_after_refresh(ready, self)  # keys typed meanwhile go to the filled lists
        self.call_after_refresh(self.start_words)  # after the frame with the titles
        # The corpus lives as long as the app: out of later full collections (at 3,000
        # pages they walked millions of objects, 0.3–0.5 s pauses in the analysis screens).
        gc.freeze()
        if msg.pages is None:
            self.status(f"无法读取 cannot read the corpus: {msg.error}")
            return
        pages = self.pages = msg.pages
        self.tell_notices()
        if pages.is_empty:
            self.show_empty(pages)
            return
        n = pages.article_count
        skipped = f", {len(pages.skipped)} skipped" if pages.skipped else ""
        self.status(
            f"{len(pages.rows)} 版 {plural(len(pages.rows), 'page')} · {n} 篇 "
            f"{plural(n, 'article')}{skipped} · 正在加载词典 loading words…"
        )
        self.refresh_issues()
        remembered = state.load(self.ws.root)
        art = msg.first
        if art is not None and remembered and remembered.get("article") == art.id:
            self.select_issue(pages.issue_of(art), keep=art.id)
            # where the reader was (perhaps an article only passed over in the list): putting
            # it back is not reading it, and read marks count as coded units for agreement
            remembered_at = float(remembered.get("scroll", 0))
            self.open_article(art, scroll=remembered_at, focus=True, mark_read=False)
        elif art is not None:
            if remembered and remembered.get("article"):  # its page was renamed or deleted
                self.notify("上次读的文章已不在 the last-read article's page is gone", timeout=6)
            self.select_issue(pages.issue_of(art))
            self.open_article(art, mark_read=False)
        else:
            page = pages.first_page()
            if page is not None:
                self.select_issue(page)

    def on_main_screen_words_ready(self, _msg: WordsReady) -> None:
        if self.article is not None:
            self.render_article(keep_scroll=True)
            self.compute_entities(self.article)

    def show_empty(self, pages: PageView) -> None:
        """A corpus without pages: the folder and the extensions looked for, on the status
        line and in the empty lists (as ``piyue list`` says it)."""
        from textual.widgets.option_list import Option

        from corpus.load import describe_empty

        why = describe_empty(self.ws.library.root, len(pages.skipped))
        self.status(why)
        for lst, text in ((IssueList, "无版面 no pages"), (ArticleList, why)):
            widget = self.query_one(lst)
            widget.clear_options()
            widget.add_option(Option(plain(text, "dim"), disabled=True))

    def on_main_screen_index_progress(self, msg: IndexProgress) -> None:
        if msg.total <= 0:
            return
        self.query_one(StatusLine).show_progress(msg.done, msg.total)
        self.status(f"建立索引 indexing {msg.done}/{msg.total}…")

    def on_main_screen_index_ready(self, msg: IndexReady) -> None:
        self.query_one(StatusLine).show_progress(0, 0)
        self.df = msg.df
        self.index_ready = msg.stats is not None
        self.keywords.clear()
        self._tokens.clear()  # cut before the index's learned terms reached the segmenter
        if msg.rows is not None and self.pages is not None:
            self.pages.replace(*msg.rows)
            self.corpus_reloaded(reload=False)
        self.tell_notices()  # codings the changed pages orphaned or gave back
        if msg.refreshed and msg.stats is not None:
            self.said_refreshed(msg.stats)
        elif not self.rows_read_at:
            import time

            self.rows_read_at = time.time()
        if msg.error or msg.stats is None:
            self.status(f"搜索不可用 search unavailable ({msg.error or 'no index'}); reading works")
        elif msg.stats.stale:
            self.status(f"搜索可用 search works; {msg.stats.warning or 'the index may be stale'}")
        elif self.pages is not None and self.pages.is_empty:
            self.show_empty(self.pages)  # the reason stays: an index of nothing is no news
        elif self.pages is not None:
            self.status(
                f"{len(self.pages.rows)} 版 {plural(len(self.pages.rows), 'page')} · "
                f"{self.pages.article_count} 篇 {plural(self.pages.article_count, 'article')} · "
                "索引就绪 index ready · / 搜索 search"
            )
        if self.article is not None:
            self.render_article(keep_scroll=True)
        if self.pending_query and self.index_ready:
            query, self.pending_query = self.pending_query, ""
            self.run_search(query)

    def on_screen_base_entities_ready(self, msg: ScreenBase.EntitiesReady) -> None:
        self.entities[msg.article_id] = msg.spans
        if self.article is not None and self.article.id == msg.article_id:
            self.render_article(keep_scroll=True)

    @on(OptionList.OptionHighlighted, "#issues")
    def issue_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.pages is None or self.art_filter.tree is not None:
            return
        if event.option_index != event.option_list.highlighted:
            return  # stale: the cursor has moved on since this was posted
        row = self.query_one(IssueList).issue_at(event.option.id)  # None: a group row
        if row is not None and (self.issue is None or row.id != self.issue.id):
            issue = self.pages.issue(row.id)
            if issue is not None:
                self.select_issue(issue, move_cursor=False)

    @on(OptionList.OptionSelected, "#issues")
    def issue_selected(self, event: OptionList.OptionSelected) -> None:
        self.set_pane("articles")

    @on(OptionList.OptionHighlighted, "#articles")
    def article_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != event.option_list.highlighted:
            return  # stale
        if self.pages is None or event.option.id not in self.visible_ids:
            return
        if self.article is not None and event.option.id == self.article.id:
            return
        art = self.pages.article(event.option.id or "")
        if art is not None and self.pane == "articles":
            self.open_article(art, mark_read=False)

    @on(OptionList.OptionSelected, "#articles")
    def article_selected(self, event: OptionList.OptionSelected) -> None:
        art = self.pages.article(event.option.id or "") if self.pages else None
        if art is not None:
            self.open_article(art, focus=True)

    def on_reader_caret_moved(self, _msg: Reader.CaretMoved) -> None:
        """Only the caret and the legend (which names the passage under it) are redrawn."""
        reader = self.query_one(Reader)
        reader.show_caret()
        self.show_legend(self.marks)
        reader.keep_caret_visible()

    def on_reader_words_changed(self, _msg: Reader.WordsChanged) -> None:
        self.words_changed()

    def on_resize(self, event: Resize) -> None:
        self.layout_classes(event.size.width)  # the lists re-cut their rows themselves

    # ------------------------------------------------------------------ screen actions

    def action_quit(self) -> None:
        self.papp.request_quit()

    def action_help(self) -> None:
        rows = [
            ("↑↓ j k", "move / scroll (passage mode: the caret a line)"),
            ("←→ h l", "passage mode: the caret a word"),
            ("enter", "open"),
        ]
        for b in self.BINDINGS:
            if isinstance(b, Binding) and not b.action.startswith("quick_tag"):
                rows.append((self.app.get_key_display(b), b.description))
                if b.id == "untag":
                    rows.append(("1–9", "quick tags: the codebook line's codes"))
        rows += [
            ("+ / -", "join / split the word at the caret (passage mode)"),
            ("ctrl+p", "command palette"),
            ("5篇 ✓2 ●4", "issues tree: 5 articles, 2 coded (✓), 4 unread (●)"),
        ]
        self.app.push_screen(dialogs().HelpScreen(rows))

    def action_jump_date(self) -> None:
        """``d``: the edition of a typed day (2018-09-12, 20180912, 0912) in the issues tree."""
        from corpus.dates import parse_date_jump

        def go(text: str | None) -> None:
            if not text:
                return
            jump = parse_date_jump(text)
            if jump is None:
                self.notify(f"不是日期 not a date: {text}", severity="error")
                return
            current = self.issue.date if self.issue is not None else None
            row = self.query_one(IssueList).jump_to_date(jump, current)
            page = self.pages.issue(row.id) if row is not None and self.pages else None
            if page is None:
                self.notify("没有带日期的版面 no dated pages")
                return
            self.select_issue(page)
            self.set_pane("issues")
            self.status(f"{page.date} {page.paper or ''} · {len(page.articles)} 篇")
            asked = asked_date(jump, current or page.date or "")
            if not (page.date or "").startswith(asked):  # it landed elsewhere: say so
                self.notify(
                    f"{asked} 没有版面 no edition on {asked}; 最近 nearest: {page.date}",
                    severity="warning",
                    timeout=5,
                )

        self.app.push_screen(
            dialogs().InputDialog(
                "跳到日期 Jump to date", hint="2018-09-12 · 20180912 · 0912 · 2018年9月12日"
            ),
            go,
        )

    def action_pane(self, step: int) -> None:
        i = PANES.index(self.pane)
        self.set_pane(PANES[(i + step) % len(PANES)])
