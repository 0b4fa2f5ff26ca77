"""One object the CLI and the TUI talk to: the corpus, its index, words and keywords.

It hides where things come from: the parsed corpus comes from the index when the index is
usable and from the page files otherwise (the cache is never required for correctness).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.keywords import DocFreq, Keyword, rank
from corpus.model import Article, Corpus
from corpus.segment import Segmenter, learn_names
from storage import locations
from storage.annotations import Store

if TYPE_CHECKING:  # the index (sqlite3, multiprocessing) is imported when first used
    from storage.index import Hit, Index, IndexStats, Progress


@dataclass
class Library:
    root: Path
    cache_dir: Path = field(default_factory=locations.cache_dir)
    user_dict: Path = field(default_factory=locations.user_dict)
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

    def __post_init__(self) -> None:
        self.segmenter = Segmenter(self.cache_dir / "jieba", self.user_dict)

    # -- loading

    def use_store(self, store: Store) -> None:
        """Annotations to use: their boundary corrections apply when pages are parsed."""
        self.store = store
        self.corpus = None

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

                    idx = Index(self.root, self.cache_dir, self.user_dict)
                    try:
                        if idx.is_fresh():
                            corpus = idx.corpus()
                    finally:
                        idx.close()
                except Exception:  # a cache is never required for correctness
                    corpus = None
            if corpus is None:
                from corpus.load import load_corpus

                corpus = load_corpus(self.root, self.corrections())
            else:
                self.corpus = corpus
                for issue_id in self.corrections():
                    corpus = self.reparse_issue(issue_id)
            self.corpus = corpus
            self._names_learned = False
        return self.corpus

    def prepare_words(self) -> Segmenter:
        """Names learned from the corpus, dictionary loaded (≈1 s: call from a worker)."""
        if self._names_learned and self.segmenter.loaded:
            return self.segmenter  # the reader's hot path: no lock
        with self._lock:
            self._learn_names()
        self.segmenter.load()
        return self.segmenter

    def _learn_names(self) -> None:
        if not self._names_learned:
            corpus = self.load()
            self.segmenter.add_names(
                learn_names(f"{a.reporters}\n{a.text}" for a in corpus.articles)
            )
            self._names_learned = True

    def _index_file_exists(self) -> bool:
        from storage.index import index_path

        try:
            return index_path(self.cache_dir, self.root).exists()
        except OSError:
            return False

    def open_index(self) -> Index | None:
        """The index (read-only when its folder cannot be written), or None when there is
        none and none can be made (``index_warning`` says why)."""
        if self.index is None:
            from storage.index import Index

            try:
                self.index = Index(self.root, self.cache_dir, self.user_dict)
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
            stats = idx.refresh(progress, workers)
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
        return stats

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
            if idx is not None:
                self._df = idx.doc_freq()
            else:
                df = DocFreq()
                for a in self.load().articles:
                    df.add_document(self.prepare_words().words(f"{a.title}\n{a.text}"))
                self._df = df
        return self._df

    def article_words(self, article: Article) -> list[str]:
        """Words of title + text: from the index when it has them, else segmented now."""
        if self.index is not None:
            cached = self.index.tokens_of(article.id)
            if cached is not None:
                return cached
        return self.prepare_words().words(f"{article.title}\n{article.text}")

    def keywords(
        self,
        article: Article,
        top: int = 20,
        words: list[str] | None = None,
        df: DocFreq | None = None,
    ) -> list[Keyword]:
        """Top keywords; the reader passes the words it already has and the document
        frequencies it has so far (it must not segment the whole corpus on its thread)."""
        if words is None:
            words = self.article_words(article)
        self.prepare_words()
        boost = self.segmenter.names | self.segmenter.user_words
        return rank(words, df if df is not None else self.doc_freq(), top=top, boost=boost)

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
                got = read_page(self.root, self.root / issue.source, fixes)
                issues.append(got if isinstance(got, type(issue)) else issue)
            else:
                issues.append(issue)
        self.corpus = Corpus(corpus.root, tuple(issues), corpus.skipped)
        return self.corpus

    def article(self, article_id: str) -> Article | None:
        return self.load().article(article_id)


def _one_line(exc: BaseException) -> str:
    from storage.errors import explain

    return explain(exc, getattr(exc, "path", None))
