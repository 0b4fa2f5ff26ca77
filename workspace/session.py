"""A workspace: one corpus folder, its index and words, and one annotation database.

Every use case the two user interfaces share is a method here (tag, note, code a passage,
corrections, undo/redo, user words, watch list), so the command line and the reader never
re-implement one. Nothing is opened until it is first needed: the reader builds its first
screen before the database or the dictionary is touched.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from storage import locations
from storage.errors import StoreError

if TYPE_CHECKING:
    from corpus.model import Article, Corpus, Issue
    from storage.annotations import ArticleNotes, Highlight, Reanchored, Store
    from storage.index import Hit
    from storage.library import Library
    from storage.pages import PageView

Mode = Literal["ui", "write", "read"]
LOCK_WAIT = 3.0
"""Seconds a command waits for the writer lock before naming the process that holds it."""
UI_LOCK_WAIT = 1.0
"""Seconds the reader waits for the lock (in its loading worker) before opening read-only:
a short command that is writing lets go by then; a longer one, ``try_write_access``."""


def chosen_coder(given: str | None = None) -> str | None:
    """Who codes in a session — decided here for the command line and the reader alike:
    ``given`` (``--coder``; a blank name is refused, not taken for the default) >
    ``$PIYUE_CODER`` (blank counts as unset) > the coder the reader remembered when it asked
    on its first start > None, which is the login name (the store's default)."""
    from storage import state
    from storage.annotations import clean_coder
    from storage.errors import AnnotationError

    if given is not None:
        return clean_coder(given)
    env = os.environ.get("PIYUE_CODER", "")
    if env.strip():
        return clean_coder(env)
    try:
        return clean_coder(state.coder()) or None
    except AnnotationError:  # never remembered (""), or a name edited by hand into nonsense
        return None


class UnknownArticle(StoreError):
    """An article id that is not in the corpus (one line, exit status 2 on the CLI)."""


@dataclass(frozen=True)
class Step:
    """What an undo or redo did: its label, and whether the articles themselves changed
    (a boundary correction was undone or redone, so lists and the reader must reload)."""

    label: str
    corpus_changed: bool


class Workspace:
    """The corpus, its index and words (``library``) and the annotations (``store``).

    ``mode``: ``"ui"`` opens the database as the writer when it is free and read-only
    otherwise (the reader's policy); ``"write"`` waits briefly for the lock and fails with
    the holder's name; ``"read"`` never takes the lock.
    """

    def __init__(
        self,
        corpus_root: Path,
        db_path: Path | None = None,
        cache_dir: Path | None = None,
        mode: Mode = "ui",
        coder: str | None = None,
    ) -> None:
        self.root = corpus_root
        self.coder = coder
        """Who codes in this session as given (None: see ``chosen_coder``)."""
        self.db_path = db_path
        self.cache_dir = cache_dir
        self.mode: Mode = mode
        self._store: Store | None = None
        self._library: Library | None = None
        self._reattached = False
        self._coded_pages: dict[str, Issue] = {}
        """Pages ``coded_corpus`` built (the corpus is not in memory)."""
        self._opening = threading.RLock()
        self._notices: list[str] = []
        """Said once by the user interface (``take_notices``)."""
        self._opened_stamp: tuple[tuple[int, int] | None, ...] = ()

    # ------------------------------------------------------------------ opening

    @property
    def store(self) -> Store:
        """The annotation store, opened on first use (thread-safe)."""
        with self._opening:
            if self._store is None:
                from storage.annotations import Store

                path = self.db_path or locations.default_db()
                coder = chosen_coder(self.coder)
                if self.mode == "ui":
                    self._store = Store.open_for_ui(path, coder=coder, wait=UI_LOCK_WAIT)
                else:
                    self._store = Store.open(
                        path,
                        readonly=self.mode == "read",
                        lock_timeout=LOCK_WAIT if self.mode == "write" else 0.0,
                        coder=coder,
                    )
                from workspace.corpora import check_corpus, written_stamp

                if (notice := check_corpus(path, self.root, self._store)) is not None:
                    self._notices.append(notice)
                self._opened_stamp = written_stamp(path)
            return self._store

    @property
    def library(self) -> Library:
        """Corpus, index, segmenter and keywords; corrections from the store apply."""
        with self._opening:
            if self._library is None:
                from storage.library import Library

                store = self.store
                library = Library(self.root, cache_dir=self.cache_dir or locations.cache_dir())
                library.use_store(store)
                self._library = library
            return self._library

    @property
    def readonly(self) -> bool:
        return self.store.readonly

    @property
    def coder_chosen(self) -> bool:
        """Someone said who codes (``--coder``, ``PIYUE_CODER``, the remembered coder): the
        reader asks on its first start only when not — the login name is a guess."""
        return chosen_coder(self.coder) is not None

    def corpus(self) -> Corpus:
        """The parsed corpus with corrections applied; annotations are found again in it
        once (``anchor``)."""
        self._reattach_once()  # first: while pages come from the index, its stamp is cheap
        return self.library.load()

    def pages(self) -> PageView:
        """What the reader's lists show, pages built on demand from a fresh index (the
        corpus is read whole only without one).  Annotations are anchored once (``anchor``:
        nothing to do when the pages did not change since they were last)."""
        from storage.pages import PageView

        lib = self.library
        lib.trust_index()  # the refresh that follows checks every page file
        view = PageView.open(lib)
        self._reattach_once()
        return view

    def codings(self) -> Store:
        """The store, its codings anchored in the pages as they are now: what every count
        and figure reads (``codes``, ``tags``, ``coders``, ``agree`` counted codings where a
        changed page had left them, while ``retrieve`` followed them)."""
        self._reattach_once()
        return self.store

    def _reattach_once(self) -> None:
        """``anchor`` the first time annotations or pages are read in this session."""
        with self._opening:
            if not self._reattached:
                self._reattached = True
                self.anchor()

    def _index_up_to_date(self) -> None:
        """An index that no longer matches the page files (a folder moved away or back, a
        page edited) is brought up to date first — only what changed is read again — so
        this command and the next read pages from it, instead of each parsing every page
        (seconds at 3,000 pages) and anchoring the codings in that.  Without an index
        (never built): none is made here."""
        from storage.pagerow import index_path

        lib = self.library
        if lib.corpus is not None or lib.reading_index() is not None:
            return
        try:
            if index_path(lib.cache_dir, lib.location).exists():
                lib.refresh_index()
        except OSError:  # the pages are parsed as without an index
            pass

    def reattach_moved(self) -> None:
        """Anchor the annotations again: called after an index refresh that changed pages.
        A command that refreshed the index (``piyue index``, read-only otherwise) stores
        the result when the database is free, so later reads find nothing to do."""
        with self._opening:
            self._reattached = True
            store = self.store
            if store.readonly and self.mode == "read" and self.library.lazy:
                from workspace.anchoring import corpus_stamp

                if corpus_stamp(self.library) != store.anchored_stamp():
                    store.try_write_access()
            self.anchor()

    def anchor(self) -> None:
        """Find every coding again in the pages as they are, if they changed since the
        codings were last anchored (``workspace.anchoring``): reads, exports and counts then
        agree with the pages.  What moved, was orphaned or came back is said once
        (``take_notices``); read-only, it is done in memory for this session."""
        from workspace.anchoring import anchor, describe

        store = self.store
        self._index_up_to_date()
        built: dict[str, Issue] = {}
        report = anchor(store, self.library, built)
        if report is not None:
            self._coded_pages = built  # as they are now (empty: read again when asked)
            self._notices += describe(report, store.readonly)

    def _fresh_stamp(self) -> str | None:
        """The corpus stamp when the annotations are anchored in it now (else None)."""
        from workspace.anchoring import corpus_stamp

        lib = self.library
        stamp = corpus_stamp(lib) if lib.lazy else None
        return stamp if stamp and stamp == self.store.anchored_stamp() else None

    def _still_anchored(self, was: str | None) -> None:
        """After a correction (or its undo) re-attached its page's annotations: anchored
        in the new state too, when they were in the old (the next start checks nothing)."""
        from workspace.anchoring import corpus_stamp

        lib = self.library
        if was and not self.store.readonly and lib.lazy:
            stamp = corpus_stamp(lib)
            if stamp:
                self.store.set_anchored(stamp)

    def article(self, article_id: str) -> Article:
        """The article, or ``UnknownArticle`` naming the id.  With a fresh index only its
        page is built (``show``/``tag`` at 30,000 pages: not the whole corpus)."""
        from storage.pages import PageView

        self._reattach_once()  # first: a stale index is brought up to date
        lib = self.library
        art = PageView(lib).article(article_id) if lib.lazy else self.corpus().article(article_id)
        if art is None:
            raise UnknownArticle(f"no article with id {article_id!r} (see `piyue list`)")
        return art

    def coded_corpus(self) -> Corpus:
        """The pages that hold coded or noted articles (and passages), in corpus order: what
        retrieval, co-occurrence and their statistics read — the same results as over the
        whole corpus, without reading 30,000 pages for the few thousand that are coded.
        Pages built once are kept; with the corpus in memory, that corpus."""
        from storage.pages import issue_ids_of

        self._reattach_once()  # first: a stale index is brought up to date
        lib = self.library
        if not lib.lazy:
            return self.corpus()
        store = self.store
        fixed = {c.issue_id for c in store.corrections()}
        wanted = set(issue_ids_of(lib, store.attached_ids()).values()) | fixed
        built = self._coded_pages
        for pid in (wanted - built.keys()) | fixed:  # corrected pages: as corrected now
            page = lib.issue(pid)
            if page is not None:
                built[pid] = page
        return self._in_page_order({pid: built[pid] for pid in wanted if pid in built})

    def indexed_texts(self, term: str) -> Iterator[tuple[str, str]] | None:
        """(article id, text) of the articles holding ``term``, in corpus order, from the
        index the reader reads — no page is built; None when the corpus is in memory, or a
        boundary correction makes the index's articles differ from the ones coded."""
        lib = self.library
        if not lib.lazy or lib.corrections():
            return None
        idx = lib.reading_index()
        return None if idx is None else idx.texts_containing(term)  # read as consumed

    def term_corpus(self, term: str) -> Corpus:
        """The pages on which ``term`` occurs (as corrected), in corpus order: what autocoding
        it, or its concordance with corrections about, reads — the same result as over every
        page; at 30,000 pages a rare term builds a few.  With the corpus in memory, that."""
        from storage.pages import issue_ids_of

        self._reattach_once()  # first: a stale index is brought up to date
        lib = self.library
        idx = lib.reading_index() if lib.lazy else None
        if idx is None or not term:
            return self.corpus()
        ids = [aid for aid, _ in idx.texts_containing(term)]
        wanted = set(issue_ids_of(lib, ids).values()) | set(lib.corrections())
        return self._in_page_order(
            {pid: page for pid in wanted if (page := lib.issue(pid)) is not None}
        )

    def _in_page_order(self, pages: dict[str, Issue]) -> Corpus:
        """Some pages as a Corpus, in the corpus's own page order."""
        from corpus.model import Corpus

        lib = self.library
        order = [r.id for r in lib.page_rows() if r.id in pages]
        return Corpus(str(lib.root), tuple(pages[pid] for pid in order))

    def page_of(self, article: Article) -> Issue:
        """The page an article is on, as corrected (built alone from a fresh index)."""
        page = self.library.issue(article.issue_id)
        if page is None:
            raise UnknownArticle(f"no page {article.issue_id!r} for article {article.id!r}")
        return page

    def try_write_access(self) -> bool:
        """The reader opened read-only because another piyue was writing: become the writer
        if that one has ended (True; the codings are read again, the pages rebuilt with any
        corrections it made).  Call it now and then while read-only, and before a write."""
        with self._opening:
            store = self.store
            if not store.readonly:
                return True
            if self.mode != "ui" or not store.try_write_access():
                return False
            if self._library is not None:
                self._library.use_store(store)
            self._coded_pages.clear()
            self._reattached = False
        return True

    def take_notices(self) -> list[str]:
        """Lines to tell the user once: what opening the database recovered or found
        damaged, how many codings re-attaching moved, orphaned or found again."""
        with self._opening:
            out = self._store.take_notices() if self._store is not None else []
            out += self._notices
            self._notices = []
        return out

    def close(self) -> None:
        with self._opening:
            if self._store is not None:
                self._store.close()
                from workspace.corpora import remember_corpus, written_stamp

                path = self.db_path or locations.default_db()
                if not self._store.readonly and written_stamp(path) != self._opened_stamp:
                    remember_corpus(path, self.root)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ search

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Ranked hits over the articles as corrections make them: the index knows the pages
        as parsed; pages with boundary corrections are searched here, in their corrected
        articles, so a hit never names an article that a merge or split removed."""
        from corpus.search import match_spans, parse_query, snippet
        from storage.index import Hit

        corrected = {c.issue_id for c in self.store.corrections()}
        hits = [h for h in self.library.search(query, limit) if h.issue_id not in corrected]
        q = parse_query(query)
        if corrected and q.positives:
            for issue_id in sorted(corrected):
                issue = self.library.issue(issue_id)  # that page alone, as corrected
                if issue is None:
                    continue
                for a in issue.articles:
                    if any(x in a.text for x in q.excluded):
                        continue
                    spans = match_spans(a.text, q.positives)
                    if not spans or any(t.replace(" ", "") not in a.text for t in q.positives):
                        continue
                    score = len(spans) / (1 + len(a.text) / 1000)
                    hits.append(
                        Hit(
                            a.id,
                            a.title,
                            issue.id,
                            issue.date,
                            round(score, 4),
                            snippet(a.text, spans),
                            tuple(spans),
                        )
                    )
            hits.sort(key=lambda h: -h.score)
        return hits[:limit]

    # ------------------------------------------------------------------ annotate

    def tag(self, article: Article, tags: Iterable[str]) -> ArticleNotes:
        return self.store.add_tags(article, tags)

    def untag(self, article: Article, tags: Iterable[str]) -> ArticleNotes:
        return self.store.remove_tags(article, tags)

    def set_note(self, article: Article, text: str) -> ArticleNotes:
        return self.store.set_note(article, text)

    def set_read(self, article: Article, read: bool, undoable: bool = True) -> None:
        self.store.set_read(article, read, undoable=undoable)

    def set_starred(self, article: Article, starred: bool) -> None:
        self.store.set_starred(article, starred)

    def code_passage(
        self, article: Article, start: int, end: int, tags: Iterable[str], note: str = ""
    ) -> Highlight:
        return self.store.add_highlight(article, start, end, list(tags), note)

    def code_quote(
        self, article: Article, quote: str, tags: Iterable[str], note: str = ""
    ) -> Highlight:
        """Code the first occurrence of ``quote`` in the article."""
        return self.store.highlight_quote(article, quote, list(tags), note)

    def delete_passage(self, passage_id: str) -> None:
        self.store.delete_highlight(passage_id)

    def passage_at(self, article: Article, offset: int) -> Highlight | None:
        """The innermost coded passage at an offset of the article's text."""
        return self.store.highlight_at(article.id, offset)

    def add_passage_codes(self, passage_id: str, tags: Iterable[str]) -> Highlight:
        return self.store.add_highlight_tags(passage_id, list(tags))

    def remove_passage_codes(self, passage_id: str, tags: Iterable[str]) -> Highlight | None:
        """None when the passage was left with no code and no note (and so removed)."""
        return self.store.remove_highlight_tags(passage_id, list(tags))

    def set_passage_note(self, passage_id: str, text: str) -> Highlight | None:
        return self.store.set_highlight_note(passage_id, text)

    def resize_passage(self, passage_id: str, article: Article, start: int, end: int) -> Highlight:
        return self.store.resize_highlight(passage_id, start, end, article)

    def add_watch(self, term: str) -> None:
        self.store.add_watch(term)

    # ------------------------------------------------------------------ history

    def undo(self) -> Step | None:
        return self._step(self.store.undo)

    def redo(self) -> Step | None:
        return self._step(self.store.redo)

    def _step(self, step: object) -> Step | None:
        """Undo/redo through the store; a step that changed boundary corrections re-parses
        the pages involved, so every view sees the articles the corrections now give."""
        store = self.store
        before = {(c.issue_id, c.kind, c.line) for c in store.corrections()}
        was = self._fresh_stamp()
        label = step()  # type: ignore[operator]
        if label is None:
            return None
        after = {(c.issue_id, c.kind, c.line) for c in store.corrections()}
        changed = before ^ after
        for issue_id in sorted({c[0] for c in changed}):
            self._reparse(issue_id)
        if changed:
            self._still_anchored(was)
        return Step(str(label), bool(changed))

    # ------------------------------------------------------------------ corrections

    def correct(self, issue_id: str, kind: str, line: int) -> Corpus:
        """Record a boundary correction (merge_next, split, caption…) and re-parse its page;
        every coder's annotations of articles whose id or text changed follow their text —
        in the same undo step, so undoing it gives both articles back exactly."""
        store = self.store
        before = self.library.issue(issue_id)  # as it is now: its article ids are going
        was = self._fresh_stamp()
        with store.batch(f"correction {kind}"):
            store.add_correction(issue_id, kind, line, self._page_sha1(before))
            corpus, report = self._reparse(issue_id, before, undoable=True)
        self._still_anchored(was)
        from workspace.anchoring import describe_correction

        self._notices += describe_correction(report)
        return corpus

    def orphaned_corrections(self, page: str) -> dict[str, dict[str, Any]]:
        """The boundary corrections of ``page`` that lost it (by key)."""
        docs = self.store.correction_docs()
        return {k: d for k, d in docs.items() if d["issue_id"] == page and d.get("orphan")}

    def attach_corrections(self, old_page: str, new_page: str) -> int:
        """The orphaned boundary corrections of a page that is gone (renamed and edited, so
        they could not follow it by its file) put on the page the user names; its articles
        are cut again with them and their codings follow their text.  Returns how many."""
        store = self.store
        docs = store.correction_docs()
        mine = self.orphaned_corrections(old_page)
        if not mine:
            raise StoreError(
                f"no orphaned boundary correction of page {old_page!r} (piyue orphans lists them)"
            )
        page = self.library.issue(new_page)
        if page is None:
            raise StoreError(f"no page with id {new_page!r} (piyue list shows the pages)")
        if any(d["issue_id"] == new_page for d in docs.values()):
            raise StoreError(f"page {new_page} has boundary corrections of its own: nothing moved")
        sha = self._page_sha1(page)
        was = self._fresh_stamp()
        with store.batch("attach corrections"):
            store.update_corrections(
                {
                    k: {**d, "issue_id": new_page, "orphan": False, "page_sha1": sha}
                    for k, d in mine.items()
                }
            )
            self._reparse(new_page, page, undoable=True)
        self._still_anchored(was)
        return len(mine)

    def _page_sha1(self, page: Issue | None) -> str:
        """The page file's fingerprint, for its corrections to follow it to a new name."""
        try:
            data = (self.library.root / page.source).read_bytes() if page else b""
        except OSError:
            return ""
        return hashlib.sha1(data).hexdigest() if data else ""

    def _reparse(
        self, issue_id: str, before: Issue | None = None, undoable: bool = False
    ) -> tuple[Corpus, Reanchored | None]:
        """The page parsed again with its corrections.  With the corpus in memory, the whole
        corpus comes back; with pages on demand, a corpus of that page alone, and only its
        annotations are re-attached (``undoable``: as part of the step being recorded); with
        what that did (None read-only)."""
        lib = self.library
        report = None
        fresh = issue_id if undoable else ""  # the user's correction: their text is the new one
        if not lib.lazy:
            corpus = lib.reparse_issue(issue_id)
            if not self.store.readonly:
                report = self.store.anchor(corpus, undoable=undoable, refresh=fresh)
            return corpus, report
        from corpus.model import Corpus

        before = before or lib.issue(issue_id)
        lib.forget_page(issue_id)
        self._coded_pages.pop(issue_id, None)
        after = lib.issue(issue_id)
        pages = tuple(p for p in (after,) if p is not None)
        corpus = Corpus(str(lib.root), pages)
        if not self.store.readonly:
            ids = {issue_id, *(a.id for p in (before, after) if p for a in p.articles)}
            report = self.store.anchor(corpus, within=ids, undoable=undoable, refresh=fresh)
        return corpus, report

    # ------------------------------------------------------------------ words

    def join_word(self, word: str, extends: str = "") -> None:
        """Keep ``word`` whole from now on: the user dictionary and the segmenter at once.
        ``extends``: the word just joined that this one grows (光武大, then 光武大道): taken
        back if it is the dictionary's last line, not left to cut other texts (汉光武大帝)."""
        self._words_writable()
        seg = self.library.segmenter
        if extends and extends in word and self._drop_last_user_line(f"{extends} 2000"):
            seg.withdraw_word(extends)
        self._append_user_dict([f"{word} 2000"])
        seg.add_word(word, 2000)

    def _drop_last_user_line(self, line: str) -> bool:
        """Remove the user dictionary's last line if it is ``line`` (written whole, then
        renamed over the file)."""
        path = self.library.user_dict
        try:
            text = path.read_text("utf-8")
        except OSError:
            return False
        lines = text.rstrip("\n").split("\n")
        if not lines or lines[-1].strip() != line:
            return False
        kept = "\n".join(lines[:-1])
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(kept + "\n" if kept else "", "utf-8")
        tmp.replace(path)
        return True

    def split_word(self, word: str, parts: list[str]) -> None:
        """Segment ``word`` as ``parts`` from now on."""
        self._words_writable()
        tuned = self.library.segmenter.split_word(word, parts)
        self._append_user_dict([f"{w} {f}" for w, f in tuned])

    def _words_writable(self) -> None:
        if self.store.readonly:
            raise StoreError("read-only: another piyue holds the database; words are not saved")

    def _append_user_dict(self, lines: list[str]) -> None:
        self._words_writable()
        path = self.library.user_dict
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("".join(f"{line}\n" for line in lines))
