"""One object the CLI and the TUI talk to: the corpus, its index, words, terms and keywords.

It hides where things come from: the parsed corpus comes from the index when the index is
usable and from the page files otherwise (the cache is never required for correctness).
At scale, what a list or a tree shows is read from the index row by row (``page_rows``,
``iter_summaries``) and a page is built when it is opened (``issue``).

Terms discovered in the corpus (``corpus.terms``) are the segmenter's learned layer, below the
user dictionary.  A term the user rejects is written to a small file beside the index and
never comes back, whatever the index does.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.keywords import LEAD_CHARS, DocFreq, Keyword, kinds_of, rank
from corpus.model import Article, Corpus, Edition, Issue, Skipped
from corpus.segment import Segmenter, learn_names, page_counts
from corpus.terms import Counts, Term, join_terms, select_terms
from storage import locations
from storage.annotations import Store
from storage.namelearner import NameLearner

if TYPE_CHECKING:  # the index (sqlite3, multiprocessing) is imported when first used
    from storage.index import Hit, Index, IndexStats, PageRow, Progress
    from storage.rejected import RejectedTerms

PAGES_KEPT = 48
"""Pages kept built in memory when they come from the index one at a time."""
REJECTED_FILE = "rejected-terms.txt"
"""Where older piyue kept rejected terms (in the cache dir); read when the file
``locations.rejected_terms`` names does not exist yet."""


@dataclass
class Library:
    root: Path
    """The corpus folder (for a corpus given as one page file, the file's folder)."""
    cache_dir: Path = field(default_factory=locations.cache_dir)
    user_dict: Path = field(default_factory=locations.user_dict)
    rejected_file: Path = field(default_factory=locations.rejected_terms)
    """One rejected term a line, for every corpus (a judgement on a word, not a cache)."""
    corpus: Corpus | None = None
    index: Index | None = None
    store: Store | None = None
    segmenter: Segmenter = field(init=False)
    _df: DocFreq | None = None
    index_warning: str | None = None
    _warned_for: str | None = None
    """Why the index could not be opened or brought up to date (one line; say it once:
    "the index may be stale: …").  Reading works without it."""
    _names_learned: bool = False
    _lock: threading.RLock = field(default_factory=threading.RLock)
    location: Path = field(init=False)
    """What the user gave: the folder, or the one page file."""
    _terms: list[Term] | None = None
    _terms_applied: bool = False
    _rejected: RejectedTerms | None = None
    _reader: Index | None = None
    _reader_checked: bool = False
    _reader_trust: bool = False
    """Open the index for reading without walking the page files (see ``trust_index``)."""
    _pages: OrderedDict[str, Issue] = field(default_factory=OrderedDict)
    """Pages built from the index lately (the reader goes back and forth between a few)."""
    _name_learner: NameLearner | None = None

    def __post_init__(self) -> None:
        from corpus.where import CorpusNotFound, corpus_target

        self.location = Path(self.root)
        try:
            self.root, _ = corpus_target(self.location)
        except CorpusNotFound:
            self.root = self.location  # said when the pages are read
        self.segmenter = Segmenter(self.cache_dir / "jieba", self.user_dict)

    # -- loading

    def use_store(self, store: Store) -> None:
        """Annotations to use: their boundary corrections apply when pages are parsed."""
        self.store = store
        self.corpus = None
        self._pages.clear()

    def corrections(self) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        if self.store is not None:
            for c in self.store.corrections():
                out.setdefault(c.issue_id, []).append((c.kind, c.line))
        return out

    def load(self) -> Corpus:
        """The parsed pages — what the first screen needs.  From the index when it is fresh
        (unpickling is much faster than parsing thousands of pages), else parsed now."""
        with self._lock:
            return self._load()

    def _load(self) -> Corpus:
        if self.corpus is None:
            corpus = None
            if self._index_file_exists():
                # A connection of its own: the words worker may be refreshing the index now.
                try:
                    from storage.index import Index

                    idx = Index(self.location, self.cache_dir, self.user_dict)
                    try:
                        if idx.is_fresh():
                            corpus = idx.corpus()
                    finally:
                        idx.close()
                except Exception:  # a cache is never required for correctness
                    corpus = None
            if corpus is None:
                from corpus.load import load_corpus

                corpus = load_corpus(self.location, self.corrections())
            else:
                self.corpus = corpus
                for issue_id in self.corrections():
                    corpus = self.reparse_issue(issue_id)
            self.corpus = corpus
            self._names_learned = False
        return self.corpus

    def prepare_words(self) -> Segmenter:
        """Names learned from the corpus, the index's terms as the learned layer, dictionary
        loaded (≈1 s: call from a worker)."""
        if self._names_learned and self._terms_applied and self.segmenter.loaded:
            return self.segmenter  # the reader's hot path: no lock
        with self._lock:
            self._learn_names()
            if not self._terms_applied:
                self.segmenter.set_terms(self.terms(stored_only=True))
                self._terms_applied = True
        self.segmenter.load()
        self.segmenter.tags()  # keywords need the word/tag table: load it here, off-screen
        return self.segmenter

    def _learn_names(self) -> None:
        """Names from every page; when pages come from the index one at a time, from each
        page as it is built (``issue``) instead of reading the whole corpus."""
        if not self._names_learned and self.lazy:
            self._names_learned = True
        if not self._names_learned:
            corpus = self.load()
            self.segmenter.add_names(
                learn_names(f"{a.reporters}\n{a.text}" for a in corpus.articles)
            )
            self._names_learned = True

    def _index_file_exists(self) -> bool:
        from storage.pagerow import index_path

        try:
            return index_path(self.cache_dir, self.location).exists()
        except OSError:
            return False

    def open_index(self) -> Index | None:
        """The index (read-only when its folder cannot be written), or None when there is
        none and none can be made (``index_warning`` says why).  One thread opens it: two
        opening (and perhaps rebuilding) the same file at once is how a reader crashes."""
        with self._lock:
            if self.index is None:
                from storage.index import Index

                try:
                    self.index = Index(self.location, self.cache_dir, self.user_dict)
                except OSError as exc:  # DiskError included
                    self.index = None
                    self.index_warning = _one_line(exc)
                else:
                    if self.index.readonly:
                        self.index_warning = self.index.warning
            return self.index

    def refresh_index(
        self, progress: Progress | None = None, workers: int | None = None, strict: bool = False
    ) -> IndexStats | None:
        """Bring the index up to date.  When the disk refuses (full, read-only…) a reader
        goes on with the index as it is: its stats come back marked ``stale`` with the
        reason (also in ``index_warning``); None when there is no index at all.  ``strict``
        (the ``index`` command) raises ``DiskError`` instead."""
        import sqlite3

        from storage.errors import DiskError, disk_error

        idx = self.open_index()
        if idx is None:
            if strict:
                raise DiskError(
                    self.index_warning or f"cannot write the index under {self.cache_dir}",
                    self.cache_dir,
                )
            return None
        try:
            stats = idx.refresh(progress, workers, rejected=self.rejected_terms(), tags=self._tags)
        except (OSError, sqlite3.OperationalError) as exc:
            err = exc if isinstance(exc, DiskError) else disk_error(exc, idx.path)
            if strict:
                raise err from exc
            self.index_warning = str(err)
            try:
                stats = idx.stats()
            except sqlite3.Error:
                return None
            stats.stale = True
            stats.warning = str(err)
        self._df = None
        self._terms = None
        self._reader_checked = False  # rows and pages: read again, from the index just made
        self._reader_trust = not stats.stale
        self._pages.clear()
        if self._terms_applied:  # the reader's segmenter follows the index's terms
            with self._lock:
                self.segmenter.set_terms(self.terms(stored_only=True))
        return stats

    def _tags(self) -> Mapping[str, str]:
        """Parts of speech for the term selection: the reader's own segmenter, loaded once."""
        return self.segmenter.tags()

    def take_index_warning(self) -> str | None:
        """ "the index may be stale: <why>" the first time it is asked for, then None (the
        command line says it once, on stderr)."""
        why = self.index_warning
        if why is None or why == self._warned_for:
            return None
        self._warned_for = why
        return f"the index may be stale: {why}"

    # -- words

    def doc_freq(self) -> DocFreq:
        if self._df is None:
            idx = self.index
            terms = self.terms()
            if idx is not None:
                df = idx.doc_freq()
                # Pages indexed before a term was learned hold it as its parts: a term is in
                # at most as many articles as it occurs, and as its rarest part.
                for t in terms:
                    if len(t.parts) > 1:
                        est = min([t.freq, *(df.df.get(p, t.freq) for p in t.parts)])
                        df.df[t.text] = max(df.df.get(t.text, 0), est)
            else:
                df = DocFreq()
                for a in self.load().articles:
                    df.add_document(self.prepare_words().words(f"{a.title}\n{a.text}"))
            df.add_terms(terms)
            self._df = df
        return self._df

    def article_words(self, article: Article) -> list[str]:
        """Words of title + text: from the index when it has them (learned terms joined,
        whenever the page was indexed), else segmented now."""
        if self.index is not None:
            cached = self.index.tokens_of(article.id)
            if cached is not None:
                return join_terms(cached, self.terms())
        return self.prepare_words().words(f"{article.title}\n{article.text}")

    def keywords(
        self,
        article: Article,
        top: int = 20,
        words: list[str] | None = None,
        df: DocFreq | None = None,
    ) -> list[Keyword]:
        """Top keywords, each with its kind (word, term, person, place, organisation); the
        reader passes the words it already has and the document frequencies it has so far
        (it must not segment the whole corpus on its thread)."""
        if words is None:
            words = self.article_words(article)
        seg = self.prepare_words()
        terms = self.terms(stored_only=True)
        boost = seg.names | seg.user_words | set(seg.terms)
        kinds = kinds_of(terms, seg.names, seg.tags(), words)
        title = seg.words(article.title)
        lead = seg.words(article.text[:LEAD_CHARS])
        return rank(
            words,
            df if df is not None else self.doc_freq(),
            top=top,
            boost=boost,
            kinds=kinds,
            title=title,
            lead=lead,
        )

    # -- terms

    def rejected_terms(self) -> set[str]:
        """Terms the user rejected (never selected again), as the file says now: another
        process (``piyue terms reject`` beside an open reader) may have changed it."""
        if self._rejected is None:
            from storage.rejected import RejectedTerms

            self._rejected = RejectedTerms(self.rejected_file, self.cache_dir / REJECTED_FILE)
        return self._rejected.current()

    def reject_term(self, text: str) -> None:
        """The user says ``text`` is no term: remembered (file written atomically), gone from
        the segmenter and the index's terms at once.  Raises ``DiskError`` when the file
        cannot be written."""
        text = text.strip()
        if text:
            self._set_rejected(text, rejecting=True)

    def restore_term(self, text: str) -> bool:
        """Take back a rejection (the reader's undo on the terms screen): the term may be
        selected again, and is at once when the corpus still has it.  True if it had been
        rejected.  Raises ``DiskError`` when the file cannot be written."""
        text = text.strip()
        if text not in self.rejected_terms():
            return False
        self._set_rejected(text, rejecting=False)
        return True

    def _set_rejected(self, text: str, rejecting: bool) -> None:
        from storage.errors import DiskError

        with self._lock:
            self.rejected_terms()
            assert self._rejected is not None
            rejected = self._rejected.change(text, rejecting)
            if rejecting:
                self.segmenter.forget_terms([text])
            idx = self.open_index()
            if idx is not None and not idx.readonly:
                try:
                    back = idx.reselect_terms(rejected, self._tags)
                except DiskError:
                    back = []  # the file has it; the index catches up on its next refresh
                if not rejecting:
                    self.segmenter.add_terms(t for t in back if t.text == text)
            self._terms = None
            self._df = None

    def terms(self, limit: int | None = None, *, stored_only: bool = False) -> list[Term]:
        """The corpus's discovered terms, most frequent first, rejected ones left out: from
        the index (as last refreshed); without an index, counted from the pages now (slow;
        not with ``stored_only``, which then gives none)."""
        if self._terms is None:
            found: list[Term] | None = None
            idx = self.index
            if idx is None and stored_only:
                return []  # the reader's thread never opens (or builds) the index
            if idx is None and self._index_file_exists():
                idx = self.open_index()
            if idx is not None:
                try:
                    found = idx.terms()
                except Exception:  # a cache is never required for correctness
                    found = None
            if found is None:
                if stored_only:
                    return []
                found = self._count_terms()
            rejected = self.rejected_terms()
            self._terms = [t for t in found if t.text not in rejected]
        return self._terms[:limit] if limit is not None else list(self._terms)

    def _count_terms(self) -> list[Term]:
        seg = self.prepare_words()
        total = Counts()
        for issue in self.load().issues:
            tokens = [seg.words(f"{a.title}\n{a.text}") for a in issue.articles]
            total.merge(page_counts(tokens, [a.reporters for a in issue.articles]))
        return select_terms(total, self.rejected_terms(), tags=seg.tags())

    # -- pages at scale

    def _fresh_index(self, trust: bool = False) -> Index | None:
        """A connection of its own to an index that matches the page files, or None.
        ``trust``: any index that holds pages will do (its freshness is checked later)."""
        if not self._index_file_exists():
            return None
        from storage.index import Index

        try:
            idx = Index(self.location, self.cache_dir, self.user_dict)
        except Exception:
            return None
        try:
            if trust:
                if idx.db.execute("SELECT 1 FROM pages WHERE skipped IS NULL LIMIT 1").fetchone():
                    return idx
            elif idx.is_fresh():
                return idx
        except Exception:
            pass
        idx.close()
        return None

    def trust_index(self) -> None:
        """Read rows and pages from the index as it is, without first walking every page file
        (a second at 30,000 pages): the reader's start. The refresh that follows walks them,
        and what it changed is read again (``refresh_index`` resets the reader)."""
        with self._lock:
            if not self._reader_checked:
                self._reader_trust = True

    def reading_index(self) -> Index | None:
        """The index pages and rows are read from, checked fresh once (a walk of every page
        file: not per page opened) and again after each refresh; None: parse the pages."""
        if self.corpus is not None:
            return None
        with self._lock:
            if not self._reader_checked:
                if self._reader is not None:
                    self._reader.close()
                self._reader = self._fresh_index(trust=self._reader_trust)
                self._reader_trust = False
                self._reader_checked = True
            return self._reader

    def _corrected(self, issue_id: str) -> Issue | None:
        """The page parsed again with the user's boundary corrections, when it has any."""
        fixes = self.corrections().get(issue_id)
        if not fixes:
            return None
        if self.corpus is not None:
            return self.corpus._issues.get(issue_id)
        from corpus.load import read_page

        idx = self.reading_index()
        row = None
        if idx is not None:
            row = idx.db.execute("SELECT rel FROM pages WHERE id=?", (issue_id,)).fetchone()
        if row is None:
            return self.load()._issues.get(issue_id)
        got = read_page(self.root, self.root / row[0], fixes, issue_id=issue_id)
        return got if isinstance(got, Issue) else None

    def page_rows(self) -> list[PageRow]:
        """Every page's row (id, file, paper, date, page, section, title, article count) for
        a tree: from a fresh index without building any article, else from the parsed pages."""
        from storage.index import PageRow

        idx = self.reading_index()
        if idx is None:
            return [
                PageRow(
                    i.id, i.source, i.paper, i.date, i.page, i.section, i.title, len(i.articles)
                )
                for i in self.load().issues
            ]
        from storage.pagerow import index_stamp, save_rows

        stamp = index_stamp(idx.path)
        rows = idx.page_rows()
        save_rows(idx.path, stamp, rows)  # the next start's first frame (pagerow.quick_rows)
        fixed = self.corrections()
        if fixed:
            out = []
            for r in rows:
                again = self._corrected(r.id) if r.id in fixed else None
                out.append(r if again is None else replace_count(r, len(again.articles)))
            rows = out
        return rows

    def editions(self, rows: list[PageRow] | None = None) -> list[Edition]:
        """Pages grouped into editions, from the page rows."""
        return editions_of(self.root, self.page_rows() if rows is None else rows)

    def listing(self) -> Listing:
        """Everything ``list --json`` prints: each page's ``Issue.summary()`` as JSON text
        (streamed from a fresh index, no article decoded; pages with boundary corrections as
        corrected), the editions and the skipped files."""
        import json

        idx = self.reading_index()
        if idx is None:
            corpus = self.load()
            return Listing(
                (json.dumps(i.summary(), ensure_ascii=False) for i in corpus.issues),
                corpus.editions(),
                list(corpus.skipped),
            )
        return Listing(self.iter_summary_json(), self.editions(), idx.skipped())

    def iter_summaries(self) -> Iterator[dict[str, Any]]:
        """``Issue.summary()`` of every page, one at a time: from a fresh index without
        building articles, else from the parsed pages.  Pages with boundary corrections come
        as corrected."""
        idx = self.reading_index()
        if idx is None:
            for issue in self.load().issues:
                yield issue.summary()
            return
        fixed = self.corrections()
        for summary in idx.iter_summaries():
            again = self._corrected(summary["id"]) if summary["id"] in fixed else None
            yield summary if again is None else again.summary()

    def iter_summary_json(self) -> Iterator[str]:
        """``iter_summaries`` as JSON text, one page at a time: from a fresh index without
        decoding articles."""
        import json

        idx = self.reading_index()
        if idx is None:
            for issue in self.load().issues:
                yield json.dumps(issue.summary(), ensure_ascii=False)
            return
        fixed = self.corrections()
        for pid, text in idx.iter_summary_json():
            again = self._corrected(pid) if pid in fixed else None
            yield text if again is None else json.dumps(again.summary(), ensure_ascii=False)

    def skipped(self) -> list[Skipped]:
        """Files that were not read, with their reasons (``Corpus.skipped``)."""
        idx = self.reading_index()
        return list(self.load().skipped) if idx is None else idx.skipped()

    def issue(self, page_id: str) -> Issue | None:
        """One page, on demand: corrected, or from the index, or parsed from its file."""
        if self.corpus is not None:
            return self.corpus._issues.get(page_id)
        if page_id in self.corrections():
            got = self._corrected(page_id)
            if got is not None:
                return got
        idx = self.reading_index()
        if idx is not None:
            with self._lock:
                found = self._pages.get(page_id)
                if found is None:
                    found = idx.issue(page_id)
                    if found is not None:  # its names, as the indexer learned them
                        self._learn_page_names(found)
                if found is not None:
                    self._pages[page_id] = found
                    self._pages.move_to_end(page_id)
                    while len(self._pages) > PAGES_KEPT:
                        self._pages.popitem(last=False)
                    return found
        return self.load()._issues.get(page_id)

    @property
    def lazy(self) -> bool:
        """Pages are read from a fresh index one at a time; the corpus is not in memory."""
        return self.corpus is None and self.reading_index() is not None

    def _learn_page_names(self, page: Issue) -> None:
        """Teach the segmenter a page's names without waiting: while the dictionary loads
        (a second) the segmenter is busy, and a page opened meanwhile must not wait for it."""
        names = learn_names(f"{a.reporters}\n{a.text}" for a in page.articles)
        with self._lock:  # one worker for every page (not a thread each)
            if self._name_learner is None:
                self._name_learner = NameLearner(self.segmenter)
        self._name_learner.add(names)

    def let_go(self) -> None:
        """Drop the corpus read whole (for a one-off re-attachment): pages on demand again."""
        with self._lock:
            self.corpus = None
            self._pages.clear()

    def forget_page(self, page_id: str) -> None:
        """A page's articles changed (a correction, or its undo): build it again when asked."""
        with self._lock:
            self._pages.pop(page_id, None)

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        import sqlite3

        from storage.errors import disk_error

        idx = self.open_index()
        if idx is None:
            return []
        try:
            return idx.search(query, limit)
        except sqlite3.OperationalError as exc:  # only reads: the disk failed them
            raise disk_error(exc, idx.path, "read") from exc

    def reparse_issue(self, issue_id: str) -> Corpus:
        """Parse one page again (after a boundary correction) and swap it in."""
        from corpus.load import read_page

        corpus = self.load()
        fixes = self.corrections().get(issue_id, [])
        issues = []
        for issue in corpus.issues:
            if issue.id == issue_id:
                got = read_page(self.root, self.root / issue.source, fixes, issue_id=issue.id)
                issues.append(got if isinstance(got, type(issue)) else issue)
            else:
                issues.append(issue)
        self.corpus = Corpus(corpus.root, tuple(issues), corpus.skipped)
        return self.corpus

    def article(self, article_id: str) -> Article | None:
        return self.load().article(article_id)


@dataclass
class Listing:
    """What ``list --json`` prints (``Library.listing``)."""

    pages: Iterator[str]
    """``Issue.summary()`` of each page as JSON text, in walk order (consume it once)."""
    editions: list[Edition]
    skipped: list[Skipped]


def editions_of(root: Path, rows: list[PageRow]) -> list[Edition]:
    """``Corpus.editions`` from page rows alone."""
    bare = tuple(
        Issue(r.id, r.file, r.title, r.date, paper=r.paper, page=r.page, section=r.section)
        for r in rows
    )
    return Corpus(str(root), bare).editions()


def replace_count(row: PageRow, articles: int) -> PageRow:
    return row._replace(articles=articles)


def _one_line(exc: BaseException) -> str:
    from storage.errors import explain

    return explain(exc, getattr(exc, "path", None))
