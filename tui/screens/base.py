"""What every task of the main screen shares: the reading state, and the views that show it
(lists, reader, codebook line, status). The task modules in ``tui.actions`` act on it."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.screen import Screen

from storage import state
from storage.errors import AnnotationError, StoreError
from tui.render import Layers, Marks, assemble, plain
from tui.typeahead import resumed
from tui.widgets import ArticleList, Codebook, IssueList, Reader, StatusLine, truncate

if TYPE_CHECKING:
    from corpus.keywords import DocFreq
    from corpus.model import Article, Issue
    from storage.annotations import ArticleNotes, Highlight
    from storage.pages import PageView
    from tui.app import PiyueApp
    from workspace.session import Workspace

PANES = ("issues", "articles", "reader")
FILTER_ROWS = 3000
"""A filter lists at most this many articles (its title says how many match in all): a list
of 180,000 rows takes seconds to build and nobody scrolls it."""


def facts(n: ArticleNotes | None, tags: set[str] | None) -> set[str] | None:
    """What a filter expression sees of an annotated article: its tags and its states
    (``is:read``/``is:unread``, ``has:note``, ``is:starred``); None for an article with no
    annotation (``{"is:unread"}``)."""
    if n is None and not tags:
        return None
    out = set(tags or ())
    out.add("is:read" if n and n.read else "is:unread")
    if n and n.note:
        out.add("has:note")
    if n and n.starred:
        out.add("is:starred")
    return out


def dialogs() -> Any:
    """The dialogs module, imported on first use (keeps start-up lean)."""
    from tui import dialogs as d

    return d


def progress_of(
    issue: Issue, note_of: Callable[[str], ArticleNotes | None], coded: Set[str] = frozenset()
) -> tuple[int, int]:
    """(coded, unread) articles of a page: coded is tagged or with a coded passage (ids in
    ``coded``) — a passage-coding project saw ✓0 everywhere (testerC F11)."""
    notes = [(a.id, note_of(a.id)) for a in issue.articles]
    return (
        sum(1 for aid, n in notes if (n and n.tags) or aid in coded),
        sum(1 for _, n in notes if not (n and n.read)),
    )


def progress_of_all(
    pages: PageView, notes: list[ArticleNotes], coded: Set[str] = frozenset()
) -> dict[str, tuple[int, int]]:
    """(coded, unread) of every page from the notes alone (no page is built): a note names
    its page; an older one that does not, or an article coded only by passages (ids in
    ``coded``), is looked up in the index."""
    tagged: dict[str, int] = {}
    read: dict[str, int] = {}
    from storage.pages import issue_ids_of

    known = {n.article_id: n for n in notes if not n.orphan}
    unknown = [n.article_id for n in known.values() if not n.issue_id]
    unknown += [aid for aid in coded if aid not in known]
    page_of = issue_ids_of(pages.library, unknown) if unknown else {}
    for aid in coded:
        n = known.get(aid)
        if n is None or not n.tags:  # counted below when tagged
            pid = (n.issue_id if n is not None else "") or page_of.get(aid, "")
            if pid:
                tagged[pid] = tagged.get(pid, 0) + 1
    for n in notes:
        if n.orphan or not (n.tags or n.read):
            continue
        pid = n.issue_id or page_of.get(n.article_id, "")
        if n.tags:
            tagged[pid] = tagged.get(pid, 0) + 1
        if n.read:
            read[pid] = read.get(pid, 0) + 1
    return {r.id: (tagged.get(r.id, 0), max(0, r.articles - read.get(r.id, 0))) for r in pages.rows}


@dataclass
class Filter:
    """The article filter: a tag expression, with page terms (``paper:``, ``date:``…)."""

    expr: str = ""
    tree: Any = None
    match: Any = None
    """``match(tags, issue)``, built once from ``tree`` (see ``page_matcher``)."""
    shown: list[Article] | None = None
    """The rows listed: None until the filter is first applied (a filter applied again is a
    new ``Filter``, and its list is built afresh)."""
    stale: set[str] = field(default_factory=set)
    """Rows that stopped matching since (coded, read): kept in place, marked, until the
    filter is applied again — ``6 Down 6`` then codes two neighbouring rows, as unfiltered."""


READER_TERMS = ("is:read", "is:unread", "has:note", "is:starred")
"""Filter terms only the reader knows (``facts``)."""

ALIASES = {"paper:未知报纸": "paper:none", "date:无日期": "date:none"}
"""The issues tree's labels for pages without a paper or a date, as filter terms."""


def unaliased(expr: str) -> str:
    """``paper:未知报纸`` (what the tree calls pages with no paper) is ``paper:none``."""
    for label, term in ALIASES.items():
        expr = re.sub(rf"(?<![^\s(]){re.escape(label)}(?![^\s)])", term, expr)
    return expr


def keep_rows(old: list[Article], new: list[Article]) -> tuple[list[Article], set[str]]:
    """The rows listed before with the ones that match now: a row that stopped matching
    stays where it was (its id in the returned set); a new match goes after the row it
    follows in ``new``."""
    new_ids = {a.id for a in new}
    old_ids = {a.id for a in old}
    stale = old_ids - new_ids
    after: dict[str | None, list[Article]] = {}
    last: str | None = None
    for a in new:
        if a.id in old_ids:
            last = a.id
        else:
            after.setdefault(last, []).append(a)
    out = list(after.get(None, []))
    for a in old:
        out.append(a)
        out.extend(after.get(a.id, []))
    return out, stale


class ScreenBase(Screen[None]):
    """State the handlers own, and the views. Workers never touch any of it."""

    class EntitiesReady(Message):
        """Names of people, places and organisations found in an article."""

        def __init__(self, article_id: str, spans: list[tuple[int, int, str]]) -> None:
            super().__init__()
            self.article_id, self.spans = article_id, spans

    def __init__(self) -> None:
        super().__init__(classes="focus-issues")
        self.pages: PageView | None = None
        """The pages: rows for the tree, a page's articles and an article on demand."""
        self.issue: Issue | None = None
        self.article: Article | None = None
        self.visible_articles: list[Article] = []
        self.visible_ids: set[str] = set()
        self.art_filter = Filter()
        self.hl_layers = Layers()
        self.df: DocFreq | None = None
        self.index_ready = False
        self.search_query = ""
        self.pending_query = ""
        """A search asked for before the index was ready: run when it is."""
        self.typeahead_ready = False
        """Keys typed before the lists are filled wait for them (see tui.typeahead)."""
        self.keywords: dict[str, dict[str, float]] = {}
        self.marks = Marks()  # the article's, as last drawn (the legend redrawn with the caret)
        self.keyword_kinds: dict[str, dict[str, str]] = {}
        self.entities: dict[str, list[tuple[int, int, str]]] = {}
        self.pane = "issues"
        self._tokens: dict[str, list[Any]] = {}
        self._stops: tuple[list[Any], dict[str, Any], list[Any], list[Any]] | None = None
        self._save_timer: Any = None
        self.last_error = ""
        """Why the last ``guard`` call failed ('' when it did not)."""

    @property
    def papp(self) -> PiyueApp:
        return self.app  # type: ignore[return-value]

    @property
    def ws(self) -> Workspace:
        return self.papp.workspace

    def on_screen_resume(self) -> None:
        resumed(self)

    # ------------------------------------------------------------------ small views

    def status(self, text: str) -> None:
        self.query_one(StatusLine).say(text)

    def notes_of(self, article: Article | None) -> ArticleNotes:
        return self.ws.store.notes(article.id if article else "")

    def colours(self) -> dict[str, str]:
        return {t.name: t.colour for t in self.ws.store.tag_defs()}

    def guard(self, fn: Callable[[], Any], saved: str = "") -> Any:
        """Run a storage call; errors become a notification.  ``saved`` is said only after
        the call returned, i.e. after the change is durable."""
        self.last_error = ""
        try:
            result = fn()
        except (AnnotationError, StoreError) as exc:
            self.last_error = str(exc)
            self.notify(self.last_error, title="未保存 not saved", severity="error")
            return None
        except OSError as exc:
            self.last_error = f"disk error: {exc}"
            self.notify(self.last_error, title="未保存 not saved", severity="error")
            return None
        if saved:
            self.notify(saved, title="已保存 saved", timeout=2)
        return result if result is not None else True

    def attempt(self, fn: Callable[[], Any], saved: str, then: Callable[[], None]) -> str:
        """``guard`` for a dialog that stays open when the write fails: ``then`` after a
        durable write; the error, or '' when saved."""
        if self.guard(fn, saved) is None:
            return self.last_error or "未保存 not saved"
        then()
        return ""

    def writable(self) -> bool:
        if self.ws.store.readonly and not self.ws.try_write_access():
            why = self.ws.store.storage.readonly_reason or "another piyue holds the database"
            self.notify(f"只读模式 read-only: {why}", severity="warning")
            return False
        return True

    # ------------------------------------------------------------------ panes

    def set_pane(self, pane: str) -> None:
        self.pane = pane
        self.layout_classes()
        target = {"issues": "#issues", "articles": "#articles", "reader": "#reader"}[pane]
        self.query_one(target).focus()

    def layout_classes(self, width: int | None = None) -> None:
        """Pane focus and width classes, set in one go (each change restyles the screen)."""
        w = width if width is not None else self.size.width or self.app.size.width
        wanted = {f"focus-{self.pane}"}
        if w and w < 110:
            wanted.add("narrow")
        if w and w < 80:
            wanted.add("tiny")
        if set(self.classes) != wanted:
            self.set_classes(wanted)

    # ------------------------------------------------------------------ lists

    def refresh_issues(self) -> None:
        if self.pages is None:
            return
        store = self.ws.store
        coded = {aid for aid, codes in store.tags_by_article().items() if codes}
        progress = progress_of_all(self.pages, list(store.combined_notes().values()), coded)
        self.query_one(IssueList).show(self.pages.rows, progress)

    def refresh_issue_row(self, issue: Issue) -> None:
        """Progress of one page after an annotation (not the whole list: 3,000 rows)."""
        il = self.query_one(IssueList)
        store = self.ws.store
        coded = {a.id for a in issue.articles if store.highlights(a.id)}
        il.progress[issue.id] = got = progress_of(issue, store.notes, coded)
        row = il.by_id.get(issue.id)
        with contextlib.suppress(Exception):  # the row may be closed or gone after a re-parse
            if row is not None:
                il.replace_option_prompt(issue.id, il.row(row, *got))

    def select_issue(self, issue: Issue, keep: str | None = None, move_cursor: bool = True) -> None:
        self.issue = issue
        if move_cursor:
            self.query_one(IssueList).reveal(issue.id)
        if self.art_filter.tree is None:
            self.visible_articles = list(issue.articles)
            self.query_one(ArticleList).border_title = plain(
                f"文章 Articles · {truncate(issue.title, 24)}", "bold"
            )
        self.refresh_articles(keep)

    def refresh_articles(self, keep: str | None = None) -> None:
        store = self.ws.store
        notes = store.combined_notes()  # every visible coder's tags, not the last coder's
        if self.art_filter.tree is not None and self.pages is not None:
            flt = self.art_filter
            if flt.shown is None:
                self.warn_unknown(flt)
            matched, total = self.filtered(flt, FILTER_ROWS)
            if flt.shown is not None:  # the same filter: rows that stopped matching stay
                matched, flt.stale = keep_rows(flt.shown, matched)
            flt.shown = self.visible_articles = matched
            shown = len(matched) - len(flt.stale)
            more = f", 前 {shown} 条 first {shown} shown" if shown < total else ""
            gone = (
                f" · {len(flt.stale)} 不再匹配 no longer matching (f Enter 刷新 refresh)"
                if flt.stale
                else ""
            )
            self.query_one(ArticleList).border_title = plain(
                f"筛选 Filter: {flt.expr} ({total}{more}){gone}", "bold #e5c07b"
            )
        keep = keep or (self.article.id if self.article else None)
        self.visible_ids = {a.id for a in self.visible_articles}
        stale = self.art_filter.stale if self.art_filter.tree is not None else set()
        codes = store.tags_by_article()  # a passage's codes show on its article's row (F11)
        on_passages = {
            a.id: sorted(codes[a.id] - set(n.tags if (n := notes.get(a.id)) else ()))
            for a in self.visible_articles
            if codes.get(a.id)
        }
        self.query_one(ArticleList).show(
            self.visible_articles, notes, self.colours(), keep, stale=stale, passages=on_passages
        )

    def filtered(self, flt: Filter, limit: int) -> tuple[list[Article], int]:
        """The articles a filter selects now (the first ``limit``) and how many in all."""
        assert self.pages is not None
        store = self.ws.store
        notes = store.combined_notes()
        tags_of = store.tags_by_article()
        from storage.annotations import parse_expression
        from storage.annotations.expressions import codebook_parents, page_matcher

        tree = flt.tree
        if unaliased(flt.expr) != flt.expr:
            tree = parse_expression(unaliased(flt.expr))
        # built on every refresh: a code matches its descendants in the codebook as it
        # is now (a code moved under another changes what the filter selects)
        flt.match = page_matcher(tree, codebook_parents(store.tag_defs()))

        def facts_of(aid: str) -> set[str] | None:
            return facts(notes.get(aid), tags_of.get(aid))

        return self.pages.matching(flt.match, facts_of, set(notes) | set(tags_of), limit)

    def warn_unknown(self, flt: Filter) -> None:
        """A filter naming a code nobody has (a typo) says so: its empty list looked like
        "no article has this code"."""
        from storage.annotations import parse_expression
        from storage.annotations.expressions import page_terms
        from workspace.coded import leaves

        try:
            tree = parse_expression(unaliased(flt.expr))
            terms = page_terms(tree)
        except Exception:
            return
        store = self.ws.store
        known = {t.name for t in store.tag_defs()} | set(store.tag_counts(None))
        unknown = [
            x for x in leaves(tree) if x not in terms and x not in READER_TERMS and x not in known
        ]
        if unknown:
            self.notify(
                f"未知代码 unknown code: {', '.join(unknown)} — 代码本中没有 not in the codebook",
                severity="warning",
                timeout=8,
            )

    def refresh_codebook(self) -> None:
        store = self.ws.store
        self.query_one(Codebook).show(
            store.quick_tags(), {t.name: t for t in store.tag_defs()}, dict(store.tag_counts())
        )

    def after_change(self) -> None:
        """An annotation changed: the page's row, the list, the codebook line, the reader."""
        if self.article is not None and self.pages is not None:
            self.refresh_issue_row(self.pages.issue_of(self.article))
        self.refresh_articles()
        self.refresh_codebook()
        self.render_article(keep_scroll=True)

    def corpus_reloaded(self, issue_id: str = "", title: str = "", reload: bool = True) -> None:
        """Boundaries changed (a correction, or its undo/redo): every view follows. The
        reader stays on its article when it still exists, else the article of the same page
        with the same title (or the page's first)."""
        pages = self.pages
        if pages is None:
            return
        if reload:
            pages.reload()
        self.art_filter.shown = None  # a new list: rows kept as no longer matching go
        self.art_filter.stale = set()
        self.keywords.clear()
        current = self.article
        issue_id = issue_id or (current.issue_id if current else "")
        title = title or (current.title if current else "")
        art = pages.article(current.id) if current else None
        if art is None:
            issue = pages.issue(issue_id) if issue_id else None
            if issue is not None and issue.articles:
                art = next((a for a in issue.articles if a.title == title), issue.articles[0])
        self.refresh_issues()
        if art is None:
            self.refresh_articles()
            return
        self.select_issue(pages.issue_of(art), keep=art.id)
        self.open_article(art, mark_read=False)

    # ------------------------------------------------------------------ the reader

    def open_article(
        self, article: Article, scroll: float = 0.0, focus: bool = False, mark_read: bool = True
    ) -> None:
        reader = self.query_one(Reader)
        reader.reset_for(article)
        self.article = article
        if self.pages is not None:
            reader.show_head(article, self.pages.issue_of(article))
        self.render_article()
        reader.jump_to(scroll)
        store = self.ws.store
        if mark_read and not store.readonly:
            was = store.notes(article.id).read
            self.guard(lambda: self.ws.set_read(article, True, undoable=False))
            if not was:
                self.refresh_articles(article.id)
                if self.pages is not None:
                    self.refresh_issue_row(self.pages.issue_of(article))
        if focus:
            self.set_pane("reader")
        if self.ws.library.segmenter.loaded and article.id not in self.entities:
            self.compute_entities(article)
        ids = [a.id for a in self.visible_articles]
        if article.id in ids:
            i = ids.index(article.id)
            near = [self.visible_articles[j] for j in (i + 1, i - 1) if 0 <= j < len(ids)]
            self.prefetch([a for a in near if a.paragraphs])  # rows of a filter: not built
        self.remember_position()

    def remember_position(self) -> None:
        """Where the reader is, saved a moment after the user settles (not per keystroke)."""
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(0.5, self.save_position)

    def save_position(self) -> None:
        if self.article is not None and not self.ws.store.readonly:
            state.save(
                self.ws.root, article=self.article.id, scroll=self.query_one(Reader).scroll_y
            )

    def render_article(self, keep_scroll: bool = False) -> None:
        article = self.article
        if article is None:
            return
        reader = self.query_one(Reader)
        lib = self.ws.library
        store = self.ws.store
        marks = Marks()
        if lib.segmenter.loaded:
            toks = self.tokens_of(article)
            words_at, reader.tokens = self.word_stops(toks)
            kw = self.keywords.get(article.id)
            if kw is None:
                words = lib.segmenter.words(article.title) + [t.word for t in toks]
                from corpus.keywords import DocFreq

                ranked = lib.keywords(article, 15, words, self.df or DocFreq())
                kw = {k.word: k.weight for k in ranked}
                self.keywords[article.id] = kw
                self.keyword_kinds[article.id] = {k.word: k.kind for k in ranked}
            marks.tokens = words_at
            marks.keywords = kw
            marks.keyword_kinds = self.keyword_kinds.get(article.id, {})
        else:
            reader.tokens = [(i, i + 1) for i, ch in enumerate(article.text) if not ch.isspace()]
        marks.watch = store.watch_terms()
        marks.entities = self.entities.get(article.id, [])
        if self.search_query:
            from corpus.search import match_spans, parse_query

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
        self.marks = marks
        reader.show_body(article, marks, self.hl_layers)
        reader.show_notes(
            store.notes(article.id), passages, colours, self.whose(article.id, passages)
        )
        self.show_legend(marks)
        if keep_scroll:
            reader.jump_to(y)

    def whose(self, article_id: str, passages: list[Highlight]) -> dict[str, ArticleNotes] | None:
        """Each visible coder's tags and note of the article, when the reader must say
        whose they are: every coder shown (``B``) and something here not the reader's own."""
        store = self.ws.store
        if store.visible is not None:
            return None
        by = {c: n for c, n in store.notes_by_coder(article_id).items() if n.tags or n.note}
        if set(by) | {h.coder for h in passages} <= {store.coder}:
            return None
        return by

    def tokens_of(self, article: Article) -> list[Any]:
        """Segmented text, cached (and prefetched for the neighbours, see ``prefetch``)."""
        got = self._tokens.get(article.id)
        if got is None:
            got = self.ws.library.segmenter.tokens(article.text)
            self._tokens[article.id] = got
            while len(self._tokens) > 64:
                self._tokens.pop(next(iter(self._tokens)))
        return got

    def word_stops(self, toks: list[Any]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(the words' spans, the caret's stops) of segmented text, kept for the same tokens
        and learned terms: every restyle of a 700,000-character paragraph redid them (0.2 s)."""
        parts_of = {
            t.text: t.parts for t in self.ws.library.terms(stored_only=True) if len(t.parts) > 1
        }
        got = self._stops
        if got is None or got[0] is not toks or got[1] != parts_of:
            words_at = [(t.start, t.end) for t in toks]
            stops = self.caret_spans(toks, words_at, parts_of)
            got = self._stops = (toks, parts_of, words_at, stops)
        return got[2], got[3]

    def caret_spans(
        self, toks: list[Any], words_at: list[tuple[int, int]], parts_of: dict[str, Any]
    ) -> list[tuple[int, int]]:
        """Where the passage caret stops: every word (``words_at``, the words' spans), a
        learned term at its parts (中央巡视整改专题民主生活会 is one word to read, but a passage
        may be 巡视整改 alone; ``parts_of``: each learned term's parts)."""
        if parts_of.keys().isdisjoint(t.word for t in toks):
            return words_at  # no learned term here: the caret stops at the words
        out: list[tuple[int, int]] = []
        for t in toks:
            parts = parts_of.get(t.word)
            if parts and "".join(parts) == t.word:
                at = t.start
                for p in parts:
                    out.append((at, at + len(p)))
                    at += len(p)
            else:
                out.append((t.start, t.end))
        return out

    def words_changed(self) -> None:
        """A word boundary was fixed: everything segmented before is stale."""
        self._tokens.clear()
        self.keywords.clear()
        self.render_article(keep_scroll=True)

    @work(thread=True, exclusive=True, group="prefetch")
    def prefetch(self, articles: list[Article]) -> None:
        """Segment the next and previous articles while the user reads this one."""
        seg = self.ws.library.segmenter
        for a in articles:
            if a.id not in self._tokens and seg.loaded:
                self._tokens[a.id] = seg.tokens(a.text)

    @work(thread=True, exclusive=True, group="entities")
    def compute_entities(self, article: Article) -> None:
        try:
            spans = self.ws.library.segmenter.entities(article.text)
        except Exception:
            spans = []
        self.post_message(self.EntitiesReady(article.id, spans))

    def show_legend(self, marks: Marks) -> None:

        parts: list[Any] = []
        reader = self.query_one(Reader)
        tok = reader.caret_token() if reader.mode == "caret" else None
        here = self.ws.passage_at(self.article, tok[0]) if tok and self.article else None
        if here is not None:  # before the layers: on a narrow screen the layer names can go
            colours = self.colours()
            parts += [("段落", "bold"), " "]
            for t in here.tags or ("—",):
                parts += [(f" {t} ", f"#101010 on {colours.get(t, '#888888')}"), " "]
            if self.ws.store.visible is None and here.coder != self.ws.store.coder:
                from tui.widgets.reader import CODER_STYLE, at

                parts += [(at((here.coder,)), CODER_STYLE), " "]  # another's passage
            if here.note:
                parts += [("✎ ", "#e5c07b"), (truncate(here.note, 24), "#e5c07b"), " "]
            parts += [("t/T 代码 n 笔记 D 删 R 范围", "dim"), "  "]
        on = self.hl_layers
        if on.keywords and marks.keywords:
            parts += [("关键词", "bold #f0c674"), " "]
            kinds = set(marks.keyword_kinds.values())
            from tui.render import KEYWORD_LEGEND

            for (label, style), kind in zip(
                KEYWORD_LEGEND, ("term", "person", "place", "organisation"), strict=True
            ):
                if kind in kinds:
                    parts += [(label.split()[0], style), " "]
            parts += ["· "]
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
        # the keys of the mode the reader is in come first: the border cuts what follows
        if here is None and reader.mode == "caret":
            parts[:0] = [
                ("选段: ←→↑↓ 移动, v 开始选择 (或拖动鼠标), Esc 取消", "bold #61afef"),
                "  ",
            ]
        elif reader.mode == "select":
            parts[:0] = [
                ("选段: ←→↑↓ 扩展, t 标签, n 笔记, R 改范围, Esc 取消", "bold #61afef"),
                "  ",
            ]
        reader.border_subtitle = assemble(*parts) if parts else None

    def target_article(self) -> Article | None:
        """What an action acts on: the highlighted row while the article list has focus,
        else the article in the reader."""
        if self.pane == "articles" and self.pages is not None:
            al = self.query_one(ArticleList)
            if al.highlighted is not None and al.option_count:
                row = al.get_option_at_index(al.highlighted)
                found = self.pages.article(row.id or "")
                if found is not None:
                    return found
        return self.article
