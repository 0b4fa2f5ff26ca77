"""The main screen: issues │ articles │ reader, and every reading/annotating action.

Workers compute and post messages; the handlers here own the state and touch widgets.
Storage errors become notifications, never a crash.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static

from corpus.model import Article, Corpus, Issue, Kind
from corpus.search import match_spans, parse_query
from storage import state
from storage.errors import AnnotationError, StoreError
from tui.render import LABELS, Layers, Marks, plain
from tui.widgets import ArticleList, Codebook, IssueList, Reader, truncate

if TYPE_CHECKING:
    from corpus.keywords import DocFreq
    from storage.annotations import ArticleNotes
    from storage.index import IndexStats
    from tui.app import PiyueApp

# Imported when first needed, not before the first paint: the store, the library and
# the keyword ranker pull in TinyDB, the file lock and the segmenter.

PANES = ("issues", "articles", "reader")


def dialogs() -> Any:
    """The dialogs module, imported on first use (keeps start-up lean)."""
    from tui import dialogs as d

    return d


def _progress(issue: Issue, note_of: Callable[[str], ArticleNotes | None]) -> tuple[int, int]:
    """(tagged, unread) articles of a page."""
    notes = [note_of(a.id) for a in issue.articles]
    return sum(1 for n in notes if n and n.tags), sum(1 for n in notes if not (n and n.read))


@dataclass
class Filter:
    expr: str = ""
    tree: Any = None


class MainScreen(Screen[None]):
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
        Binding("f", "filter", "Filter", id="filter"),
        Binding("m", "toggle_read", "Read/unread", id="toggle_read"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="redo"),
        Binding(
            "bracketright",
            "next_article",
            "Next article",
            show=False,
            id="next_article",
            key_display="]",
        ),
        Binding(
            "bracketleft",
            "prev_article",
            "Previous article",
            show=False,
            id="prev_article",
            key_display="[",
        ),
        Binding("greater_than_sign", "next_hit", "Next hit", show=False, id="next_hit"),
        Binding("less_than_sign", "prev_hit", "Prev hit", show=False, id="prev_hit"),
        Binding("s", "toggle_boundaries", "Words", id="toggle_boundaries"),
        Binding("L", "layers", "Layers", show=False, id="layers"),
        Binding("plus", "join_word", "Join word", show=False, id="join_word"),
        Binding("minus", "split_word", "Split word", show=False, id="split_word"),
        Binding("M", "merge_next", "Merge next", show=False, id="merge_next"),
        Binding("S", "split_here", "Split article", show=False, id="split_here"),
        Binding("C", "mark_caption", "Mark caption", show=False, id="mark_caption"),
        Binding("x", "export", "Export", id="export"),
        Binding("ctrl+left", "resize_lists(-4)", "Narrower lists", show=False, id="narrower"),
        Binding("ctrl+right", "resize_lists(4)", "Wider lists", show=False, id="wider"),
        Binding("tab", "pane(1)", "Next pane", show=False, id="pane_next", priority=True),
        Binding("shift+tab", "pane(-1)", "Prev pane", show=False, id="pane_prev", priority=True),
        *[
            Binding(str(i), f"quick_tag({i})", f"Quick tag {i}", show=False, id=f"quick_tag_{i}")
            for i in range(1, 10)
        ],
    ]

    # ------------------------------------------------------------------ messages

    class StoreReady(Message):
        """The annotation database is open (as the writer or read-only)."""

    class StoreFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class CorpusLoaded(Message):
        def __init__(self, corpus: Corpus | None, error: str = "") -> None:
            super().__init__()
            self.corpus = corpus
            self.error = error

    class WordsReady(Message):
        pass

    class IndexProgress(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class IndexReady(Message):
        def __init__(self, stats: IndexStats | None, df: DocFreq | None, error: str = "") -> None:
            super().__init__()
            self.stats, self.df, self.error = stats, df, error

    class EntitiesReady(Message):
        def __init__(self, article_id: str, spans: list[tuple[int, int, str]]) -> None:
            super().__init__()
            self.article_id, self.spans = article_id, spans

    class SearchDone(Message):
        def __init__(self, query: str, hits: list[Any], note: str = "") -> None:
            super().__init__()
            self.text, self.hits, self.note = query, hits, note

    # ------------------------------------------------------------------ state

    def __init__(self) -> None:
        super().__init__(classes="focus-issues")
        self.corpus: Corpus | None = None
        self.issue: Issue | None = None
        self.article: Article | None = None
        self.visible_articles: list[Article] = []
        self.art_filter = Filter()
        self.hl_layers = Layers()
        self.df: DocFreq | None = None
        self.index_ready = False
        self.search_query = ""
        self.keywords: dict[str, dict[str, float]] = {}
        self.entities: dict[str, list[tuple[int, int, str]]] = {}
        self.hit_index = -1
        self.pane = "issues"
        self._tokens: dict[str, list[Any]] = {}
        self._save_timer: Any = None

    @property
    def papp(self) -> PiyueApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with Vertical(id="issues-pane", classes="pane"):
                yield Static(plain("版面 Issues", "bold"), classes="pane-title", id="issues-title")
                yield IssueList(id="issues")
            with Vertical(id="articles-pane", classes="pane"):
                yield Static(
                    plain("文章 Articles", "bold"), classes="pane-title", id="articles-title"
                )
                yield ArticleList(id="articles")
            with Vertical(id="reader-pane", classes="pane"):
                yield Static(plain("", "dim"), id="legend")
                yield Reader(id="reader")
        yield Codebook(id="codebook")
        with Horizontal(id="status"):
            yield Static(plain("正在读取版面 reading pages…", "dim"), id="status-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reader-pane").border_title = "阅读 Reader"
        self.set_pane("issues")
        # Workers hold the GIL while they open the database, parse and load the dictionary:
        # paint first.
        self.call_after_refresh(self.start_workers)

    def start_workers(self) -> None:
        self.papp.after_first_paint()
        self.load_corpus()
        self.set_timer(0.05, self.load_words)

    # ------------------------------------------------------------------ workers

    @work(thread=True, exclusive=True, group="load")
    def load_corpus(self) -> None:
        try:
            store = self.papp.store
        except StoreError as exc:
            self.post_message(self.StoreFailed(str(exc)))
            return
        self.post_message(self.StoreReady())
        try:
            lib = self.papp.library
            corpus = lib.load()
            store = self.papp.store
            if not store.readonly:
                store.reattach(corpus)
            self.post_message(self.CorpusLoaded(corpus))
        except Exception as exc:  # shown, not crashed
            self.post_message(self.CorpusLoaded(None, str(exc)))

    @work(thread=True, exclusive=True, group="words")
    def load_words(self) -> None:
        from corpus.keywords import DocFreq

        lib = self.papp.library
        try:
            lib.prepare_words()
        except Exception:
            pass
        self.post_message(self.WordsReady())
        try:

            def progress(done: int, total: int) -> None:
                self.post_message(self.IndexProgress(done, total))

            stats = lib.refresh_index(progress)
            df = lib.doc_freq() if stats is not None else DocFreq()
            self.post_message(self.IndexReady(stats, df))
        except Exception as exc:
            self.post_message(self.IndexReady(None, DocFreq(), str(exc)))

    @work(thread=True, exclusive=True, group="entities")
    def compute_entities(self, article: Article) -> None:
        try:
            spans = self.papp.library.segmenter.entities(article.text)
        except Exception:
            spans = []
        self.post_message(self.EntitiesReady(article.id, spans))

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        if not self.index_ready:
            self.post_message(
                self.SearchDone(
                    query, [], "索引尚未就绪 the index is still being built — try again in a moment"
                )
            )
            return
        try:
            hits = self.papp.library.search(query, 200)
            self.post_message(self.SearchDone(query, hits))
        except Exception as exc:
            self.post_message(self.SearchDone(query, [], f"search failed: {exc}"))

    # ------------------------------------------------------------------ handlers

    def on_main_screen_store_ready(self, _msg: StoreReady) -> None:
        store = self.papp.store
        if store.readonly:
            who = store.storage.holder() or "another piyue"
            self.mount(
                Static(
                    plain(
                        f"只读 READ-ONLY: {store.path} is in use by {who}; "
                        "changes are not possible here."
                    ),
                    id="readonly-banner",
                ),
                before=0,
            )
            self.notify(
                "另一个 piyue 正在使用数据库：只读打开 opened read-only",
                severity="warning",
                timeout=8,
            )
        if self.article is None:
            self.query_one(Reader).show_notes(self._notes(None), [], {})
        self.refresh_codebook()

    def on_main_screen_store_failed(self, msg: StoreFailed) -> None:
        """A database piyue must not touch (corrupt, newer, unreadable): say so and leave."""
        self.papp.fatal = msg.error
        self.app.exit(return_code=2)

    def on_main_screen_corpus_loaded(self, msg: CorpusLoaded) -> None:
        if msg.corpus is None:
            self.status(f"无法读取 cannot read the corpus: {msg.error}")
            return
        self.corpus = msg.corpus
        n = len(self.corpus.articles)
        skipped = f", {len(self.corpus.skipped)} skipped" if self.corpus.skipped else ""
        self.status(
            f"{len(self.corpus.issues)} 版 pages · {n} 篇 articles{skipped} · "
            "正在加载词典 loading words…"
        )
        self.refresh_issues()
        remembered = state.load(self.papp.library.root)
        art = self.corpus.article(str(remembered.get("article", ""))) if remembered else None
        if art is not None:
            self.select_issue(self.corpus.issue_of(art), keep=art.id)
            self.open_article(art, scroll=float(remembered.get("scroll", 0)), focus=True)
        elif self.corpus.issues:
            self.select_issue(self.corpus.issues[0])
            if self.corpus.issues[0].articles:
                self.open_article(self.corpus.issues[0].articles[0], mark_read=False)

    def on_main_screen_words_ready(self, _msg: WordsReady) -> None:
        if self.article is not None:
            self.render_article(keep_scroll=True)
            self.compute_entities(self.article)

    def on_main_screen_index_progress(self, msg: IndexProgress) -> None:
        from textual.widgets import ProgressBar

        if msg.total <= 0:
            return
        found = self.query("#index-progress")
        if found:
            bar = found.first(ProgressBar)
        else:  # mounted on the first progress report: nothing to compose before first paint
            bar = ProgressBar(id="index-progress", show_eta=False)
            self.query_one("#status").mount(bar)
        bar.display = True
        bar.update(total=max(1, msg.total), progress=msg.done)
        if msg.total:
            self.status(f"建立索引 indexing {msg.done}/{msg.total}…")

    def on_main_screen_index_ready(self, msg: IndexReady) -> None:
        for bar in self.query("#index-progress"):
            bar.display = False
        self.df = msg.df
        self.index_ready = msg.stats is not None
        self.keywords.clear()
        if msg.error or msg.stats is None:
            self.status(f"搜索不可用 search unavailable ({msg.error or 'no index'}); reading works")
        elif self.corpus is not None:
            self.status(
                f"{len(self.corpus.issues)} 版 pages · {len(self.corpus.articles)} 篇 articles · "
                "索引就绪 index ready · / 搜索 search"
            )
        if self.article is not None:
            self.render_article(keep_scroll=True)

    def on_main_screen_entities_ready(self, msg: EntitiesReady) -> None:
        self.entities[msg.article_id] = msg.spans
        if self.article is not None and self.article.id == msg.article_id:
            self.render_article(keep_scroll=True)

    def on_main_screen_search_done(self, msg: SearchDone) -> None:
        if isinstance(self.app.screen, dialogs().SearchScreen):
            self.app.screen.show_hits(msg.text, msg.hits, msg.note)

    @on(OptionList.OptionHighlighted, "#issues")
    def issue_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.corpus is None or self.art_filter.tree is not None:
            return
        if event.option_index != event.option_list.highlighted:
            return  # stale: the cursor has moved on since this was posted
        issue = next((i for i in self.corpus.issues if i.id == event.option.id), None)
        if issue is not None and issue is not self.issue:
            self.select_issue(issue, move_cursor=False)

    @on(OptionList.OptionSelected, "#issues")
    def issue_selected(self, event: OptionList.OptionSelected) -> None:
        self.set_pane("articles")

    @on(OptionList.OptionHighlighted, "#articles")
    def article_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != event.option_list.highlighted:
            return  # stale
        art = self.corpus.article(event.option.id or "") if self.corpus else None
        if art is not None and art not in self.visible_articles:
            return
        if art is not None and art is not self.article and self.pane == "articles":
            self.open_article(art, mark_read=False)

    @on(OptionList.OptionSelected, "#articles")
    def article_selected(self, event: OptionList.OptionSelected) -> None:
        art = self.corpus.article(event.option.id or "") if self.corpus else None
        if art is not None:
            self.open_article(art, focus=True)

    def on_reader_caret_moved(self, _msg: Reader.CaretMoved) -> None:
        self.render_article(keep_scroll=True)
        self.query_one(Reader).keep_caret_visible()

    # ------------------------------------------------------------------ views

    def status(self, text: str) -> None:
        self.query_one("#status-text", Static).update(plain(text, "dim"))

    def _notes(self, article: Article | None) -> ArticleNotes:
        return self.papp.store.notes(article.id if article else "")

    def colours(self) -> dict[str, str]:
        return {t.name: t.colour for t in self.papp.store.tag_defs()}

    def refresh_issues(self) -> None:
        if self.corpus is None:
            return
        note_of = {n.article_id: n for n in self.papp.store.all_notes()}.get
        progress = {issue.id: _progress(issue, note_of) for issue in self.corpus.issues}
        self.query_one(IssueList).show(self.corpus.issues, progress)

    def select_issue(self, issue: Issue, keep: str | None = None, move_cursor: bool = True) -> None:
        self.issue = issue
        il = self.query_one(IssueList)
        if move_cursor:
            for i, iss in enumerate(self.corpus.issues if self.corpus else ()):
                if iss.id == issue.id and il.highlighted != i:
                    il.highlighted = i
        if self.art_filter.tree is None:
            self.visible_articles = list(issue.articles)
            self.query_one("#articles-title", Static).update(
                plain(f"文章 Articles · {truncate(issue.title, 24)}", "bold")
            )
        self.refresh_articles(keep)

    def refresh_articles(self, keep: str | None = None) -> None:
        store = self.papp.store
        notes = {n.article_id: n for n in store.all_notes()}
        if self.art_filter.tree is not None and self.corpus is not None:
            tags_of = store.tags_by_article()
            self.visible_articles = [
                a for a in self.corpus.articles if self._matches(a, notes, tags_of)
            ]
            self.query_one("#articles-title", Static).update(
                plain(
                    f"筛选 Filter: {self.art_filter.expr} ({len(self.visible_articles)})",
                    "bold #e5c07b",
                )
            )
        keep = keep or (self.article.id if self.article else None)
        self.query_one(ArticleList).show(self.visible_articles, notes, self.colours(), keep)

    def _matches(
        self, article: Article, notes: dict[str, Any], tags_of: dict[str, set[str]]
    ) -> bool:
        n = notes.get(article.id)
        tags = set(tags_of.get(article.id, ()))
        if not (n and n.read):
            tags.add("is:unread")
        else:
            tags.add("is:read")
        if n and n.note:
            tags.add("has:note")
        if n and n.starred:
            tags.add("is:starred")
        from storage.annotations import evaluate

        return bool(evaluate(self.art_filter.tree, tags))

    def refresh_codebook(self) -> None:
        store = self.papp.store
        self.query_one(Codebook).show(
            store.recent_tags(9), {t.name: t for t in store.tag_defs()}, dict(store.tag_counts())
        )

    def set_pane(self, pane: str) -> None:
        self.pane = pane
        self._layout_classes()
        target = {"issues": "#issues", "articles": "#articles", "reader": "#reader"}[pane]
        self.query_one(target).focus()

    def on_resize(self, event: Any) -> None:
        self._layout_classes(event.size.width)

    def _layout_classes(self, width: int | None = None) -> None:
        """Pane focus and width classes, set in one go (each change restyles the screen)."""
        w = width if width is not None else self.size.width or self.app.size.width
        wanted = {f"focus-{self.pane}"}
        if w and w < 110:
            wanted.add("narrow")
        if w and w < 80:
            wanted.add("tiny")
        if set(self.classes) != wanted:
            self.set_classes(wanted)

    # ------------------------------------------------------------------ the reader

    def open_article(
        self, article: Article, scroll: float = 0.0, focus: bool = False, mark_read: bool = True
    ) -> None:
        reader = self.query_one(Reader)
        if self.article is None or article.id != self.article.id:
            reader.mode = "read"
            reader.caret = reader.sel_anchor = 0
            self.hit_index = -1
        self.article = article
        if self.corpus is not None:
            reader.show_head(article, self.corpus.issue_of(article))
        self.render_article()
        reader.jump_to(scroll)
        if mark_read and not self.papp.store.readonly:
            was = self.papp.store.notes(article.id).read
            self.guard(lambda: self.papp.store.set_read(article, True, undoable=False))
            if not was:
                self.refresh_articles(article.id)
                if self.corpus is not None:
                    self.refresh_issue_row(self.corpus.issue_of(article))
        if focus:
            self.set_pane("reader")
        if self.papp.library.segmenter.loaded and article.id not in self.entities:
            self.compute_entities(article)
        ids = [a.id for a in self.visible_articles]
        if article.id in ids:
            i = ids.index(article.id)
            self.prefetch([self.visible_articles[j] for j in (i + 1, i - 1) if 0 <= j < len(ids)])
        self.remember_position()

    def remember_position(self) -> None:
        """Where the reader is, saved a moment after the user settles (not per keystroke)."""
        if self._save_timer is not None:
            self._save_timer.stop()

        def save() -> None:
            if self.article is not None:
                state.save(
                    self.papp.library.root,
                    article=self.article.id,
                    scroll=self.query_one(Reader).scroll_y,
                )

        self._save_timer = self.set_timer(0.5, save)

    def render_article(self, keep_scroll: bool = False) -> None:
        article = self.article
        if article is None:
            return
        reader = self.query_one(Reader)
        lib = self.papp.library
        store = self.papp.store
        marks = Marks()
        if lib.segmenter.loaded:
            toks = self.tokens_of(article)
            reader.tokens = [(t.start, t.end) for t in toks]
            kw = self.keywords.get(article.id)
            if kw is None:
                words = lib.segmenter.words(article.title) + [t.word for t in toks]
                from corpus.keywords import DocFreq

                ranked = lib.keywords(article, 15, words, self.df or DocFreq())
                kw = {k.word: k.weight for k in ranked}
                self.keywords[article.id] = kw
            marks.tokens = reader.tokens
            marks.keywords = kw
        else:
            reader.tokens = [(i, i + 1) for i, ch in enumerate(article.text) if not ch.isspace()]
        marks.watch = store.watch_terms()
        marks.entities = self.entities.get(article.id, [])
        if self.search_query:
            q = parse_query(self.search_query)
            marks.hits = match_spans(article.text, q.positives)
        colours = self.colours()
        passages = store.highlights(article.id)
        marks.passages = [
            (h.start, h.end, colours.get(h.tags[0], "#888888") if h.tags else "#888888")
            for h in passages
            if not h.orphan
        ]
        y = reader.scroll_y
        reader.show_body(article, marks, self.hl_layers)
        reader.show_notes(store.notes(article.id), passages, colours)
        self.show_legend(marks)
        if keep_scroll:
            reader.jump_to(y)

    def tokens_of(self, article: Article) -> list[Any]:
        """Segmented text, cached (and prefetched for the neighbours, see ``prefetch``)."""
        got = self._tokens.get(article.id)
        if got is None:
            got = self.papp.library.segmenter.tokens(article.text)
            self._tokens[article.id] = got
            while len(self._tokens) > 64:
                self._tokens.pop(next(iter(self._tokens)))
        return got

    @work(thread=True, exclusive=True, group="prefetch")
    def prefetch(self, articles: list[Article]) -> None:
        """Segment the next and previous articles while the user reads this one."""
        seg = self.papp.library.segmenter
        for a in articles:
            if a.id not in self._tokens and seg.loaded:
                self._tokens[a.id] = seg.tokens(a.text)

    def show_legend(self, marks: Marks) -> None:
        from textual.content import Content

        parts: list[Any] = []
        on = self.hl_layers
        if on.keywords and marks.keywords:
            parts += [("关键词", "bold #f0c674"), " "]
        if on.entities:
            parts += [("人名", "#7fb6f0"), " ", ("地名", "#8fce7a"), " ", ("机构", "#c49ae0"), " "]
        if on.watch and marks.watch:
            parts += [("关注词", "bold #ff8080"), " "]
        if on.hits and marks.hits:
            parts += [(f"命中 {len(marks.hits)}", "bold #101010 on #f0c674"), " "]
        if on.passages and marks.passages:
            parts += [("编码", "underline"), " "]
        if on.boundaries:
            parts += [("词界", "on #262b36"), " "]
        reader = self.query_one(Reader)
        if reader.mode == "caret":
            parts += [("选段: ←→↑↓ 移动, v 开始选择 (或拖动鼠标), Esc 取消", "bold #61afef")]
        elif reader.mode == "select":
            parts += [("选段: ←→↑↓ 扩展, t 标签, n 笔记, Esc 取消", "bold #61afef")]
        self.query_one("#legend", Static).update(Content.assemble(*parts) if parts else "")

    def guard(self, fn: Callable[[], Any], saved: str = "") -> Any:
        """Run a storage call; errors become a notification.  ``saved`` is said only after
        the call returned, i.e. after the change is durable."""
        try:
            result = fn()
        except (AnnotationError, StoreError) as exc:
            self.notify(str(exc), title="未保存 not saved", severity="error")
            return None
        except OSError as exc:
            self.notify(f"disk error: {exc}", title="未保存 not saved", severity="error")
            return None
        if saved:
            self.notify(saved, title="已保存 saved", timeout=2)
        return result if result is not None else True

    def refresh_issue_row(self, issue: Issue) -> None:
        """Progress of one page after an annotation (not the whole list: 3,000 rows)."""
        il = self.query_one(IssueList)
        with contextlib.suppress(Exception):  # the row may be gone after a re-parse
            il.replace_option_prompt(
                issue.id, il.row(issue, *_progress(issue, self.papp.store.notes))
            )

    def after_change(self) -> None:
        if self.article is not None and self.corpus is not None:
            self.refresh_issue_row(self.corpus.issue_of(self.article))
        self.refresh_articles()
        self.refresh_codebook()
        self.render_article(keep_scroll=True)

    def writable(self) -> bool:
        if self.papp.store.readonly:
            self.notify("只读模式 read-only: another piyue holds the database", severity="warning")
            return False
        return True

    # ------------------------------------------------------------------ actions

    def action_quit(self) -> None:
        if self.article is not None:
            state.save(
                self.papp.library.root,
                article=self.article.id,
                scroll=self.query_one(Reader).scroll_y,
            )
        self.app.exit()

    def action_help(self) -> None:
        rows = [("↑↓ j k", "move / scroll"), ("enter", "open")]
        for b in self.BINDINGS:
            if isinstance(b, Binding) and not b.action.startswith("quick_tag"):
                rows.append((self.app.get_key_display(b), b.description))
        rows += [("1–9", "quick tags (codebook line)"), ("ctrl+p", "command palette")]
        self.app.push_screen(dialogs().HelpScreen(rows))

    def action_pane(self, step: int) -> None:
        i = PANES.index(self.pane)
        self.set_pane(PANES[(i + step) % len(PANES)])

    def action_search(self) -> None:
        def opened(article_id: str | None) -> None:
            if article_id and self.corpus is not None:
                art = self.corpus.article(article_id)
                if art is not None:
                    self.select_issue(self.corpus.issue_of(art), keep=art.id)
                    self.open_article(art, focus=True)
                    self.action_next_hit()

        screen = dialogs().SearchScreen(self.search_query)
        self.app.push_screen(screen, opened)

    def search_requested(self, query: str) -> None:
        """The search dialog asked (via the app) for hits."""
        self.search_query = query
        self.run_search(query)

    def _hits(self) -> list[tuple[int, int]]:
        if not self.search_query or self.article is None:
            return []
        return match_spans(self.article.text, parse_query(self.search_query).positives)

    def action_next_hit(self, step: int = 1) -> None:
        hits = self._hits()
        if not hits:
            return
        self.hit_index = (self.hit_index + step) % len(hits)
        reader = self.query_one(Reader)
        start = hits[self.hit_index][0]
        idx = next((i for i, (s, e) in enumerate(reader.tokens) if s <= start < e), 0)
        mode = reader.mode
        reader.mode, reader.caret = "caret", idx
        reader.keep_caret_visible()
        reader.mode = mode
        self.status(f"命中 hit {self.hit_index + 1}/{len(hits)}")

    def action_prev_hit(self) -> None:
        self.action_next_hit(-1)

    def _target_selection(self) -> tuple[int, int] | None:
        reader = self.query_one(Reader)
        return reader.selection()

    def action_tag(self) -> None:
        if self.article is None or not self.writable():
            return
        article = self.article
        sel = self._target_selection()
        store = self.papp.store
        vocab = [t for t, _ in sorted(store.tag_counts().items(), key=lambda kv: -kv[1])]
        vocab += [t.name for t in store.tag_defs() if t.name not in vocab]
        if sel is not None:
            quote = article.text[sel[0] : sel[1]]

            def tag_passage(tags: list[str] | None) -> None:
                if tags and self.guard(
                    lambda: store.add_highlight(article, sel[0], sel[1], tags),
                    f"«{truncate(quote, 20)}» ← {' '.join(tags)}",
                ):
                    self.action_cancel_visual()
                    self.after_change()

            self.app.push_screen(
                dialogs().TagDialog(f"给段落加标签 Tag passage «{truncate(quote, 30)}»", vocab),
                tag_passage,
            )
            return

        def tag_article(tags: list[str] | None) -> None:
            if tags and self.guard(
                lambda: store.add_tags(article, tags),
                f"{' '.join(tags)} → {truncate(article.title, 20)}",
            ):
                self.after_change()

        self.app.push_screen(
            dialogs().TagDialog(
                f"标签 Tag: {truncate(article.title, 40)}", vocab, store.notes(article.id).tags
            ),
            tag_article,
        )

    def action_untag(self) -> None:
        if self.article is None or not self.writable():
            return
        article = self.article
        tags = self.papp.store.notes(article.id).tags
        if not tags:
            self.notify("这篇文章没有标签 no tags on this article")
            return

        def chosen(tag: str | None) -> None:
            if tag and self.guard(lambda: self.papp.store.remove_tags(article, [tag]), f"− {tag}"):
                self.after_change()

        self.app.push_screen(
            dialogs().PickDialog("删除标签 Remove tag", [(t, t) for t in tags]), chosen
        )

    def action_note(self) -> None:
        if self.article is None or not self.writable():
            return
        article = self.article
        store = self.papp.store
        sel = self._target_selection()
        if sel is not None:
            quote = article.text[sel[0] : sel[1]]

            def note_passage(text: str | None) -> None:
                if text is not None and self.guard(
                    lambda: store.add_highlight(article, sel[0], sel[1], (), text),
                    "段落笔记 passage note",
                ):
                    self.action_cancel_visual()
                    self.after_change()

            self.app.push_screen(
                dialogs().NoteDialog(f"段落笔记 Note on «{truncate(quote, 30)}»", ""), note_passage
            )
            return

        def save_note(text: str | None) -> None:
            if text is not None and self.guard(lambda: store.set_note(article, text), "笔记 note"):
                self.after_change()

        self.app.push_screen(
            dialogs().NoteDialog(
                f"笔记 Note: {truncate(article.title, 40)}", store.notes(article.id).note
            ),
            save_note,
        )

    def action_visual(self) -> None:
        reader = self.query_one(Reader)
        if self.article is None:
            return
        if not self.papp.library.segmenter.loaded:
            self.notify("词典加载中 the dictionary is still loading")
        if reader.mode == "read":
            reader.mode = "caret"
            self.set_pane("reader")
        elif reader.mode == "caret":
            reader.mode = "select"
            reader.sel_anchor = reader.caret
        else:
            reader.mode = "caret"
        self.render_article(keep_scroll=True)

    def action_cancel_visual(self) -> None:
        reader = self.query_one(Reader)
        if reader.mode != "read":
            reader.mode = "read"
            self.render_article(keep_scroll=True)

    def action_delete_passage(self) -> None:
        if self.article is None or not self.writable():
            return
        passages = self.papp.store.highlights(self.article.id)
        if not passages:
            self.notify("没有编码段落 no coded passages here")
            return

        def chosen(hid: str | None) -> None:
            if hid and self.guard(
                lambda: self.papp.store.delete_highlight(hid), "删除段落 passage deleted"
            ):
                self.after_change()

        items = [(h.id, f"«{truncate(h.quote, 40)}» {' '.join(h.tags)}") for h in passages]
        self.app.push_screen(
            dialogs().PickDialog("删除编码段落 Delete coded passage", items), chosen
        )

    def action_filter(self) -> None:
        def apply(expr: str | None) -> None:
            if expr is None:
                return
            expr = expr.strip()
            if not expr:
                self.art_filter = Filter()
                if self.issue is not None:
                    self.select_issue(self.issue)
                self.status("筛选已清除 filter cleared")
                return
            try:
                from storage.annotations import parse_expression

                self.art_filter = Filter(expr, parse_expression(expr))
            except AnnotationError as exc:
                self.notify(str(exc), severity="error")
                return
            self.refresh_articles()
            self.set_pane("articles")

        self.app.push_screen(
            dialogs().InputDialog(
                "筛选 Filter articles",
                self.art_filter.expr,
                "标签表达式 tag expression: 营商环境 and not 党建 · or · ( ) · "
                "is:unread · has:note · is:starred — 空 = 清除 empty clears",
            ),
            apply,
        )

    def action_toggle_read(self) -> None:
        if self.article is None or not self.writable():
            return
        article = self.article
        now = not self.papp.store.notes(article.id).read
        if self.guard(lambda: self.papp.store.set_read(article, now)):
            self.refresh_articles(article.id)
            if self.corpus is not None:
                self.refresh_issue_row(self.corpus.issue_of(article))
            self.status("已读 marked read" if now else "未读 marked unread")

    def action_undo(self) -> None:
        self._history(self.papp.store.undo, "撤销 undone", "没有可撤销的 nothing to undo")

    def action_redo(self) -> None:
        self._history(self.papp.store.redo, "重做 redone", "没有可重做的 nothing to redo")

    def _history(self, step: Callable[[], str | None], done: str, nothing: str) -> None:
        if not self.writable():
            return
        label = self.guard(step)
        if label in (None, True):
            self.notify(nothing)
            return
        self.notify(f"{done}: {label}", timeout=2)
        self.after_change()

    def action_quick_tag(self, n: int) -> None:
        if self.article is None or not self.writable():
            return
        quick = self.papp.store.recent_tags(9)
        if n > len(quick):
            self.notify(f"快捷标签 {n} 未定义 quick tag {n} is not set")
            return
        tag = quick[n - 1]
        article = self.article
        sel = self._target_selection()
        if sel is not None:
            if self.guard(
                lambda: self.papp.store.add_highlight(article, sel[0], sel[1], [tag]),
                f"段落 ← {tag}",
            ):
                self.action_cancel_visual()
                self.after_change()
            return
        if self.guard(
            lambda: self.papp.store.add_tags(article, [tag]),
            f"{tag} → {truncate(article.title, 20)}",
        ):
            self.after_change()

    def _step_article(self, step: int) -> None:
        if self.article is None or not self.visible_articles:
            return
        ids = [a.id for a in self.visible_articles]
        i = ids.index(self.article.id) if self.article.id in ids else -1
        j = i + step
        if not (0 <= j < len(ids)):
            if self.art_filter.tree is None and self.corpus is not None and self.issue is not None:
                issues = list(self.corpus.issues)
                k = issues.index(self.issue) + (1 if step > 0 else -1)
                if 0 <= k < len(issues) and issues[k].articles:
                    self.select_issue(issues[k])
                    art = issues[k].articles[0 if step > 0 else -1]
                    self.refresh_articles(art.id)
                    self.open_article(art)
            return
        self.refresh_articles(ids[j])
        self.open_article(self.visible_articles[j])

    def action_next_article(self) -> None:
        self._step_article(1)

    def action_prev_article(self) -> None:
        self._step_article(-1)

    def action_toggle_boundaries(self) -> None:
        self.hl_layers.boundaries = not self.hl_layers.boundaries
        self.render_article(keep_scroll=True)

    def action_layers(self) -> None:
        def apply(chosen: list[str] | None) -> None:
            if chosen is None:
                return
            for name in self.hl_layers.names():
                setattr(self.hl_layers, name, name in chosen)
            self.render_article(keep_scroll=True)

        opts = [(n, LABELS[n], getattr(self.hl_layers, n)) for n in self.hl_layers.names()]
        self.app.push_screen(dialogs().LayersDialog(opts), apply)

    def action_join_word(self) -> None:
        reader = self.query_one(Reader)
        if self.article is None or reader.mode == "read" or not reader.tokens:
            self.notify("先按 v 选词 press v and move to the word first")
            return
        i = min(reader.caret, len(reader.tokens) - 1)
        if i + 1 >= len(reader.tokens):
            return
        s, _ = reader.tokens[i]
        _, e = reader.tokens[i + 1]
        word = self.article.text[s:e]
        if not all(ch.isalnum() for ch in word):
            self.notify(f"“{word}”不是一个词 only letters can form a word", severity="warning")
            return
        if self.guard(lambda: self.papp.add_user_word(word), f"词典 + {word}"):
            self.dictionary_changed()

    def action_split_word(self) -> None:
        reader = self.query_one(Reader)
        if self.article is None or reader.mode == "read" or not reader.tokens:
            self.notify("先按 v 选词 press v and move to the word first")
            return
        s, e = reader.tokens[min(reader.caret, len(reader.tokens) - 1)]
        word = self.article.text[s:e]
        if len(word) < 2:
            return

        def apply(value: str | None) -> None:
            if not value:
                return
            parts = value.split()
            if "".join(parts) != word or len(parts) < 2:
                self.notify(f"用空格把“{word}”分开 separate “{word}” with spaces", severity="error")
                return
            if self.guard(
                lambda: self.papp.split_user_word(word, parts), f"词典 {word} → {' '.join(parts)}"
            ):
                self.dictionary_changed()

        self.app.push_screen(
            dialogs().InputDialog(
                f"拆分词 Split “{word}”",
                " ".join(word),
                "用空格标出拆分处 mark the split with spaces",
            ),
            apply,
        )

    def dictionary_changed(self) -> None:
        """A word boundary was fixed: everything segmented before is stale."""
        self._tokens.clear()
        self.keywords.clear()
        self.render_article(keep_scroll=True)

    def _pick_paragraph(self, title: str, then: Callable[[int], None]) -> None:
        if self.article is None:
            return
        items = [
            (
                p.lines[0],
                f"{p.lines[0]:>4}  {'§ ' if p.kind is Kind.SECTION else ''}{truncate(p.text, 50)}",
            )
            for p in self.article.paragraphs
        ]
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
        self.app.push_screen(
            dialogs().PickDialog(title, items), lambda line: then(line) if line else None
        )

    def _correct(self, kind: str, line: int) -> None:
        if self.article is None or self.corpus is None or not self.writable():
            return
        issue_id = self.article.issue_id
        old_title = self.article.title
        if not self.guard(
            lambda: self.papp.store.add_correction(issue_id, kind, line),
            f"更正 correction: {kind} @ {line}",
        ):
            return
        lib = self.papp.library
        corpus = self.corpus = lib.reparse_issue(issue_id)
        issue = next(i for i in corpus.issues if i.id == issue_id)
        self.guard(lambda: self.papp.store.reattach(corpus))
        art = next(
            (a for a in issue.articles if a.title == old_title),
            issue.articles[0] if issue.articles else None,
        )
        self.refresh_issues()
        self.select_issue(issue, keep=art.id if art else None)
        if art is not None:
            self.open_article(art)

    def action_merge_next(self) -> None:
        if self.article is None:
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

    def action_export(self) -> None:
        self.papp.open_export(self.art_filter.expr)

    def action_resize_lists(self, delta: int) -> None:
        """Give the reader more or less room (the list panes grow or shrink together)."""
        for pane, low, high in (("#issues-pane", 20, 60), ("#articles-pane", 28, 90)):
            widget = self.query_one(pane)
            width = widget.outer_size.width or low
            widget.styles.width = max(low, min(high, width + delta))
        if self.corpus is not None:
            self.call_after_refresh(self.refresh_issues)
            self.call_after_refresh(self.refresh_articles)

    def action_toggle_star(self) -> None:
        if self.article is None or not self.writable():
            return
        article = self.article
        now = not self.papp.store.notes(article.id).starred
        if self.guard(lambda: self.papp.store.set_starred(article, now), "★" if now else "☆"):
            self.after_change()

    def action_toggle_layer(self, name: str) -> None:
        setattr(self.hl_layers, name, not getattr(self.hl_layers, name))
        self.render_article(keep_scroll=True)

    def action_clear_filter(self) -> None:
        self.art_filter = Filter()
        if self.issue is not None:
            self.select_issue(self.issue)

    def action_add_watch(self) -> None:
        if not self.writable():
            return

        def add(term: str | None) -> None:
            if term and self.guard(
                lambda: self.papp.store.add_watch(term.strip()), f"关注 watching {term}"
            ):
                self.render_article(keep_scroll=True)

        self.app.push_screen(
            dialogs().InputDialog("关注词 Watch-list term", hint="总是高亮 always highlighted"), add
        )
