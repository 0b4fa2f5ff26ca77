"""The persistent corpus index: parsed pages, tokens, document frequencies, terms, search.

One SQLite file per corpus (a folder, or one page file) under the cache dir.  SQLite's FTS5
does the full-text search (BM25 ranking) over space-joined jieba tokens; a substring scan
backs it up for short queries that segmentation split differently.  The index is a cache,
never the truth: a missing, corrupt or older-version file is rebuilt, and every consumer can
work without it (``Library`` falls back to parsing the pages).

Pages are found by ``corpus.load.scan_corpus`` and parsed with their metadata (manifest, path,
text) exactly as ``load_corpus`` would, so the index and the page files give the same Corpus.
Article text is stored once, a page's texts compressed together (``pagetext``); the rest of a
page (headline groups, spans, paragraph kinds, furniture, metadata) is stored compactly beside
it, so an Issue is rebuilt without re-parsing and the pages' rows (what a tree of papers and
dates shows) are read without rebuilding any article.  An article refers to its page by the
page's number (``pages.no``, an INTEGER PRIMARY KEY: VACUUM keeps it), and stores only the
part of its id after its page's: no path, page id or whole article id is repeated per article
(an id is found by its parts, ``article_rows``).  FTS5 is contentless: it keeps only its
inverted index; ``vocab`` counts every token's articles, so a substring search asks FTS5 for
the articles holding a run of tokens that could spell the substring (or, failing that, tokens
that could cover its rarest characters) and reads the text of those alone.

Incremental: a page whose size and mtime are unchanged is not read; one whose content hash
is unchanged is not re-parsed; changed pages are re-parsed and re-segmented; deleted pages
disappear; a changed manifest re-applies metadata without re-parsing.  The sum of the pages'
term counts (``corpus.terms.count_page``) is kept and updated as pages come and go (a page's
counts are counted again from its stored tokens when it goes, with the learned terms it was
counted with, ``pages.counted``), and the corpus's terms are selected again from it.  Cold
builds segment in a process pool.

Reads never need write space: a refresh is one transaction (rolled back on failure, so the
previous index stays usable) and writes nothing when nothing changed; an index whose folder
cannot be written (read-only mount, full disk) is opened read-only; only a corrupt or
old-schema file is deleted and rebuilt, never one the disk merely refused to write.  Disk
failures are ``DiskError`` (one line naming the file).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.load import corpus_target, scan_corpus
from corpus.model import Skipped
from corpus.pagemeta import Manifest, apply_meta
from corpus.search import parse_query as parse_query  # the query syntax, for callers
from corpus.segment import Segmenter
from corpus.terms import SELECTION, Counts, Term, select_terms
from storage import userwords
from storage.errors import DiskError, disk_error, explain, os_errno
from storage.index_read import Walk
from storage.index_search import Hit as Hit
from storage.index_search import Searcher
from storage.index_write import PageWriter
from storage.pagerow import SCHEMA, index_path
from storage.pagestore import PageRow as PageRow
from storage.pagestore import (
    decode_issue,
    encode_issue,
    pack_counts,
    sort_key,
    unpack_counts,
)

if TYPE_CHECKING:
    from storage.indexer import Result

Progress = Callable[[int, int], None]
Tags = Callable[[], Mapping[str, str]]


@dataclass(slots=True)
class IndexStats:
    pages: int = 0
    articles: int = 0
    tokens: int = 0
    parsed: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    stale: bool = False
    """The index could not be brought up to date; these are the numbers of the one in use."""
    warning: str = ""
    """Why it is stale, one line (say it once: "the index may be stale: …")."""
    terms: int = 0
    """Terms discovered in the corpus (after this refresh)."""
    terms_seconds: float = 0.0
    """Time spent merging counts and selecting terms."""
    relabelled: int = 0
    """Pages not parsed whose paper, date or page changed with the manifest (pages.csv)."""


class Abandoned(Exception):
    """Raised by a progress callback to stop a refresh (the reader quitting): the pool is
    terminated and the index is as it was; the next refresh parses those pages again."""


class IndexInterrupted(KeyboardInterrupt):
    """Ctrl-C during a refresh, with the one line to say (the CLI exits 130 with it)."""


def _warm(tags: Tags) -> None:
    """The tags for choosing terms, loaded ahead of need on a thread; a failure is met again
    (and reported) when the terms are chosen."""
    with contextlib.suppress(Exception):
        tags()


def _stop(pool: Any) -> None:
    """Terminate a pool's workers now (a second Ctrl-C meanwhile is not let in to leave
    them running; they would die with this process anyway)."""
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        pool.terminate()
        pool.join()
    finally:
        if main:
            signal.signal(signal.SIGINT, old)


def _worker_expand() -> dict[str, tuple[str, ...]]:
    """What a pool worker counts learned terms as (run in the worker)."""
    from storage import indexer

    return dict(indexer._WORKER_EXPAND)


# ----------------------------------------------------------------------- the index itself


class Index(PageWriter, Searcher):
    """Open (creating or rebuilding as needed) the index of one corpus folder or page file."""

    def __init__(self, corpus_root: Path, cache_dir: Path, user_dict: Path | None = None) -> None:
        self.location = corpus_root
        """What the user gave: a folder, or one page file."""
        self.root, single = corpus_target(corpus_root)  # CorpusNotFound when nothing is there
        self.single = single is not None
        self.cache_dir = cache_dir
        self.user_dict = user_dict
        self.path = index_path(cache_dir, corpus_root)
        self.readonly = False
        """Opened read-only (its folder cannot be written now): ``refresh`` raises."""
        self.warning = ""
        """Why it is read-only (one line)."""
        self.discover_terms = True
        """Count and select terms on refresh (the benchmark turns it off to measure it)."""
        self._tags_seg: Segmenter | None = None
        self._vocab_delta: Counter[str] = Counter()
        self._counted: str | None = None
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if not self.path.exists():
                raise disk_error(exc, cache_dir, "create") from exc
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        existed = self.path.exists()
        if existed and not (os.access(self.cache_dir, os.W_OK) and os.access(self.path, os.W_OK)):
            code = errno.EACCES
            with contextlib.suppress(OSError):
                if os.statvfs(self.cache_dir).f_flag & os.ST_RDONLY:
                    code = errno.EROFS
            return self._open_readonly(OSError(code, os.strerror(code)))
        try:
            db = self._connect()
        except sqlite3.DatabaseError as exc:
            if os_errno(exc) is None:
                return self._rebuild()
            if existed:
                return self._open_readonly(exc)
            self._remove_files()  # the empty file the failed attempt left
            raise disk_error(exc, self.path) from exc
        try:
            self._check(db)
            return db
        except (sqlite3.DatabaseError, ValueError) as exc:
            db.close()
            if os_errno(exc) is not None:  # the disk, not the file: keep the file
                raise disk_error(exc, self.path, "read") from exc
            return self._rebuild()

    @staticmethod
    def _check(db: sqlite3.Connection) -> None:
        """Raises ``DatabaseError``/``ValueError`` unless this is a usable index."""
        ver = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if ver is None or int(ver[0]) != SCHEMA:
            raise sqlite3.DatabaseError("old schema")
        db.execute("SELECT count(*) FROM pages").fetchone()

    def _rebuild(self) -> sqlite3.Connection:
        """A corrupt or old index: delete it, start an empty one."""
        try:
            self._remove_files(strict=True)
            db = self._connect()
            self._create(db)
        except (OSError, sqlite3.Error) as exc:
            raise disk_error(exc, self.path) from exc
        return db

    def _remove_files(self, strict: bool = False) -> None:
        for suffix in ("", "-wal", "-shm"):
            try:
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            except OSError:
                if strict:
                    raise

    def _open_readonly(self, why: BaseException) -> sqlite3.Connection:
        """The existing index, read-only (a WAL file left over needs ``-shm`` to be created
        or present; failing that the file is opened as immutable: nobody can write it)."""
        uri = self.path.resolve().as_uri()
        for mode in ("mode=ro", "immutable=1"):
            try:
                db = sqlite3.connect(f"{uri}?{mode}", uri=True, check_same_thread=False)
            except sqlite3.Error:
                continue
            try:
                self._check(db)
            except (sqlite3.DatabaseError, ValueError):
                db.close()
                continue
            self.readonly = True
            self.warning = explain(why, self.path)
            return db
        raise disk_error(why, self.path) from why

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False)
        try:
            if db.execute("PRAGMA page_count").fetchone()[0] == 0:  # a new file (else a write)
                db.execute("PRAGMA page_size=65536")  # a page's texts (~7 KB) waste less
                db.execute("PRAGMA auto_vacuum=INCREMENTAL")  # pages FTS5's merges free go back
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # a checkpointed log is cut back to 8 MB (it would keep its largest size, up to
            # 1,000 pages of 64 KB, beside the index for as long as the reader is open)
            db.execute("PRAGMA journal_size_limit=8388608")
            has_meta = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
            ).fetchone()
            if not has_meta:
                db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE pages(no INTEGER PRIMARY KEY, rel TEXT, key TEXT, id TEXT, size INT,
                               mtime INT, sha1 TEXT, skipped TEXT, paper TEXT, date TEXT,
                               page INT, section TEXT, title TEXT, articles INT, meta TEXT,
                               counted TEXT);
            CREATE INDEX pages_key ON pages(key);
            CREATE INDEX pages_id ON pages(id);
            CREATE TABLE articles(n INTEGER PRIMARY KEY, page INT, ord INT, aid TEXT,
                                  title TEXT, tokens BLOB, kicker TEXT, subtitle TEXT,
                                  col TEXT, byline TEXT, lines TEXT, cfrom TEXT, con TEXT,
                                  fragment INT, label TEXT);
            CREATE INDEX articles_page ON articles(page, ord);
            CREATE INDEX articles_whole ON articles(aid) WHERE unicode(aid) = 1;
            CREATE TABLE pagetext(no INTEGER PRIMARY KEY, texts BLOB, bodies BLOB);
            CREATE TABLE df(word TEXT PRIMARY KEY, n INT) WITHOUT ROWID;
            CREATE TABLE vocab(word TEXT PRIMARY KEY, n INT) WITHOUT ROWID;
            CREATE TABLE terms(text TEXT PRIMARY KEY, freq INT, kind TEXT, parts TEXT);
            CREATE TABLE blobs(key TEXT PRIMARY KEY, value BLOB);
            CREATE VIRTUAL TABLE fts USING fts5(tokens, content='', tokenize='unicode61');
            """
        )
        # FTS5 leaves of 16 KB, four to a 64 KB page (its default ~4 KB wastes 5% more)
        db.execute("INSERT INTO fts(fts, rank) VALUES('pgsz', 16000)")
        db.execute("INSERT OR REPLACE INTO meta VALUES('schema', ?)", (str(SCHEMA),))
        db.execute("INSERT OR REPLACE INTO meta VALUES('docs', '0')")
        db.commit()

    def close(self) -> None:
        self.db.close()

    # ----------------------------------------------------------------- refresh

    def refresh(
        self,
        progress: Progress | None = None,
        workers: int | None = None,
        *,
        rejected: Iterable[str] = (),
        tags: Tags | None = None,
    ) -> IndexStats:
        """Bring the index up to date with the folder; returns what was done.

        ``rejected`` terms are never selected; ``tags`` gives parts of speech for the term
        selection (by default a segmenter of the index's own is loaded when terms change).
        All or nothing: on failure (``DiskError``) the index is as it was before."""
        if self.readonly:
            raise DiskError(self.warning, self.path)
        try:
            return self._refresh(progress, workers, set(rejected), tags)
        except BaseException as exc:
            if self.db.in_transaction:
                try:
                    self.db.rollback()
                except sqlite3.Error:
                    pass
            if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, IndexInterrupted):
                raise IndexInterrupted(
                    "interrupted; the index is as it was (the next run builds it again)"
                ) from None
            if isinstance(exc, (OSError, sqlite3.OperationalError)) and not isinstance(
                exc, DiskError
            ):
                raise disk_error(exc, self.path, after="the previous index is kept") from exc
            raise

    def stats(self) -> IndexStats:
        """What the index holds now (reads only)."""
        stats = IndexStats()
        self._count(stats)
        return stats

    def _count(self, stats: IndexStats) -> None:
        stats.articles = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        row = self.db.execute("SELECT value FROM meta WHERE key='tokens'").fetchone()
        stats.tokens = int(row[0]) if row else 0
        stats.pages = self.db.execute(
            "SELECT count(*) FROM pages WHERE skipped IS NULL"
        ).fetchone()[0]
        stats.terms = self.db.execute("SELECT count(*) FROM terms").fetchone()[0]

    def _skipped_pages(self) -> int:
        return int(
            self.db.execute("SELECT count(*) FROM pages WHERE skipped IS NOT NULL").fetchone()[0]
        )

    def _set_meta(self, key: str, value: str) -> None:
        if self._meta(key) != value:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES(?, ?)", (key, value))

    def _refresh(
        self, progress: Progress | None, workers: int | None, rejected: set[str], tags: Tags | None
    ) -> IndexStats:
        t0 = time.perf_counter()
        stats = IndexStats()
        walk = self._quick_walk()
        stamp = self._meta("walk")
        # terms chosen by other rules (an older piyue) are chosen again, whatever changed; pages
        # holding a word the user's dictionary added, dropped or changed are cut again
        words, recut = userwords.pending(self.user_dict, self._meta(userwords.META_KEY))
        rules = bool(recut) or (self.discover_terms and self._meta("selection") != str(SELECTION))
        if not rules and stamp is not None and stamp == self._stamp(walk):
            self._count(stats)
            stats.unchanged = stats.pages + self._skipped_pages()
            stats.seconds = time.perf_counter() - t0
            return stats
        known = self._known()
        if not rules and self._unchanged(walk, known):
            stats.unchanged = len(known)
            self._count(stats)
            stats.seconds = time.perf_counter() - t0
            return stats
        # one transaction inserting at random places of the pages' key and id indexes and of
        # FTS5's: the pages it changes stay in memory instead of spilling to the WAL (reads
        # keep the default)
        self.db.execute("PRAGMA cache_size=-65536")
        try:
            return self._update(
                t0, stats, known, walk, progress, workers, rejected, tags, (words, recut)
            )
        finally:
            self.db.execute("PRAGMA cache_size=-2000")

    def _update(
        self,
        t0: float,
        stats: IndexStats,
        known: dict[str, tuple[int, int, str, str | None]],
        walk: Walk,
        progress: Progress | None,
        workers: int | None,
        rejected: set[str],
        tags: Tags | None,
        user: tuple[dict[str, str], set[str]] = ({}, set()),
    ) -> IndexStats:
        scan = scan_corpus(self.location)
        todo: list[tuple[str, str]] = []
        present: set[str] = set()
        stat_of: dict[str, tuple[int, int]] = {}
        for page in scan.pages:
            rel = page.rel
            present.add(rel)
            try:
                st = page.path.stat()
            except OSError:
                continue
            stat_of[rel] = (st.st_size, st.st_mtime_ns)
            old = known.get(rel)
            if old is not None and old[:2] == stat_of[rel] and old[3] == page.id:
                stats.unchanged += 1
                continue
            todo.append((rel, page.id))
        removed = [rel for rel in known if rel not in present]
        df_delta: dict[str, int] = {}
        self._vocab_delta = Counter()
        docs_delta = tokens_delta = 0
        counts_gone = Counts()
        counts_new = Counts()
        for rel in removed:
            d, t = self._drop_page(rel, df_delta, counts_gone)
            docs_delta -= d
            tokens_delta -= t
            stats.removed += 1
        # Content unchanged (touched, copied): only the stat needs updating.
        really: list[tuple[str, str]] = []
        for rel, pid in todo:
            old = known.get(rel)
            if old is not None and old[3] == pid:
                try:
                    digest = hashlib.sha1((self.root / rel).read_bytes()).hexdigest()
                except OSError:
                    digest = ""
                if digest == old[2]:
                    size, mtime = stat_of[rel]
                    self.db.execute(
                        "UPDATE pages SET size=?, mtime=? WHERE key=? AND rel=?",
                        (size, mtime, sort_key(rel), rel),
                    )
                    stats.unchanged += 1
                    continue
            really.append((rel, pid))
        if user[1]:  # the user's dictionary changed: its pages, cut again
            really += userwords.recut_pages(self, user[1], present, known, {r for r, _ in really})
        total = len(really)
        pid_of = dict(really)
        done = 0
        if progress:
            progress(0, total)
        # The dictionary's tags (for choosing the terms at the end) load on a thread while the
        # pool works: the choice no longer waits for them after the last page.
        warm = None
        if self.discover_terms and self._pool_size(workers, len(really)) > 1:
            get = tags or self._tags
            warm = threading.Thread(target=_warm, args=(get,), name="piyue-tags", daemon=True)
            warm.start()
        # closed on any exception (a progress callback that stops it too): the pool is
        # terminated then, not left to finish the pages
        results = self._run(really, workers, scan.manifest)
        with contextlib.closing(results):
            for rel, got, toks, digest in results:
                if rel in known:
                    d, t = self._drop_page(rel, df_delta, counts_gone)
                    docs_delta -= d
                    tokens_delta -= t
                size, mtime = stat_of.get(rel, (0, 0))
                if isinstance(got, Skipped):
                    self.db.execute(
                        "INSERT INTO pages(rel, key, id, size, mtime, sha1, skipped) "
                        "VALUES(?,?,?,?,?,?,?)",
                        (rel, sort_key(rel), pid_of.get(rel), size, mtime, digest, got.reason),
                    )
                    stats.skipped += 1
                else:
                    tokens_delta += self._store_page(rel, size, mtime, digest, got, toks, df_delta)
                    if self.discover_terms:
                        counts_new.merge(unpack_counts(got.counts))
                    docs_delta += len(got.articles)
                    stats.parsed += 1
                done += 1
                if progress:
                    progress(done, total)
        if df_delta or docs_delta:
            self._apply_df(df_delta, docs_delta)
        if self._vocab_delta:
            self._apply_vocab(self._vocab_delta)
        if tokens_delta:
            self._set_meta("tokens", str(int(self._meta("tokens") or 0) + tokens_delta))
        stamp = self._manifest_stamp()
        if self._meta("manifest") != stamp:
            stats.relabelled = self._reapply_meta(scan.manifest, {rel for rel, _ in really})
            self._set_meta("manifest", stamp)
        self._set_meta("others", walk.digest)
        self._set_meta(userwords.META_KEY, userwords.dumped(user[0]))
        self._set_meta(
            "scan_skipped",
            json.dumps([[s.file, s.reason, s.line] for s in scan.skipped], ensure_ascii=False),
        )
        if stats.parsed or stats.removed:
            self.db.execute(
                "DELETE FROM blobs WHERE key LIKE 'expand:%' AND substr(key, 8) NOT IN "
                "(SELECT counted FROM pages WHERE counted IS NOT NULL)"
            )
        rules = self._meta("selection") != str(SELECTION)  # chosen by other rules
        if self.discover_terms and (stats.parsed or stats.removed or counts_gone.docs or rules):
            t1 = time.perf_counter()
            totals = unpack_counts(self._blob("totals"))
            totals.subtract(counts_gone).merge(counts_new)
            self.db.execute(
                "INSERT OR REPLACE INTO blobs VALUES('totals', ?)", (pack_counts(totals),)
            )
            if warm is not None:
                warm.join()
            self._store_terms(totals, rejected, tags)
            self._set_meta("selection", str(SELECTION))
            stats.terms_seconds = time.perf_counter() - t1
        # the stamp of the walk the index now matches, for the next freshness check
        if self._unchanged(walk, self._known()):
            self._set_meta("walk", self._stamp(walk))
        else:
            self.db.execute("DELETE FROM meta WHERE key='walk'")
        if self.db.in_transaction:
            self.db.commit()
        with contextlib.suppress(sqlite3.OperationalError):  # only the file's size is at stake
            if self.db.execute("PRAGMA freelist_count").fetchone()[0] > 8:
                # to the end: a statement stepped once (``execute``) frees one page
                self.db.executescript("PRAGMA incremental_vacuum")
        self._count(stats)
        stats.seconds = time.perf_counter() - t0
        return stats

    def _tags(self) -> Mapping[str, str]:
        from storage import indexer

        seg = indexer._WORKER_SEG if indexer._WORKER_SEG is not None else self._tags_seg
        if seg is None:
            seg = self._tags_seg = Segmenter(self.cache_dir / "jieba", self.user_dict)
        return seg.tags()

    def _store_terms(self, totals: Counts, rejected: set[str], tags: Tags | None) -> None:
        chosen = select_terms(totals, rejected, tags=(tags or self._tags)())
        new = {t.text: (t.freq, t.kind, " ".join(t.parts)) for t in chosen}
        old = {
            text: (freq, kind, parts)
            for text, freq, kind, parts in self.db.execute("SELECT * FROM terms")
        }
        if new == old:
            return
        gone = [(text,) for text in old if text not in new]
        if gone:
            self.db.executemany("DELETE FROM terms WHERE text=?", gone)
        changed = [(k, *v) for k, v in new.items() if old.get(k) != v]
        self.db.executemany("INSERT OR REPLACE INTO terms VALUES(?,?,?,?)", changed)

    def reselect_terms(self, rejected: Iterable[str], tags: Tags | None = None) -> list[Term]:
        """Select terms again from the stored counts (a term was rejected); returns them."""
        if self.readonly:
            raise DiskError(self.warning, self.path)
        try:
            self._store_terms(unpack_counts(self._blob("totals")), set(rejected), tags)
            if self.db.in_transaction:
                self.db.commit()
        except (OSError, sqlite3.OperationalError) as exc:
            if self.db.in_transaction:
                self.db.rollback()
            raise disk_error(exc, self.path, after="the previous index is kept") from exc
        return self.terms()

    def _reapply_meta(self, manifest: Manifest, skip: set[str]) -> int:
        """The manifest changed: metadata again for every page, without parsing any; returns
        how many pages it changed."""
        changed = 0
        rows = self.db.execute(
            "SELECT no, rel, id, title, date, paper, page, section, sha1, meta FROM pages "
            "WHERE skipped IS NULL"
        ).fetchall()
        for no, rel, pid, title, date, paper, page, section, sha1, meta in rows:
            if rel in skip:
                continue
            issue = decode_issue(pid, rel, (title, date, paper, page, section, sha1), meta)
            again = apply_meta(issue, manifest)
            if again == issue:
                continue
            changed += 1
            self.db.execute(
                "UPDATE pages SET paper=?, date=?, page=?, section=?, meta=? WHERE no=?",
                (
                    again.paper,
                    again.date,
                    again.page,
                    again.section,
                    encode_issue(again, sha1),
                    no,
                ),
            )
        return changed

    @staticmethod
    def _pool_size(workers: int | None, pages: int) -> int:
        """How many processes ``_run`` parses in (1: here, without a pool)."""
        n = workers if workers is not None else (os.cpu_count() or 1)
        return n if n > 1 and pages >= 8 else 1

    def _run(
        self, items: list[tuple[str, str]], workers: int | None, manifest: Manifest
    ) -> Generator[Result, None, None]:
        if not items:
            return
        # the pool and the parser's side: not imported by a reader that only searches
        from storage import indexer
        from storage.indexer import process_page, worker_init

        cache = str(self.cache_dir / "jieba")  # the one jieba cache (``Library`` uses it too)
        udict = str(self.user_dict) if self.user_dict else None
        # no learned terms: every page is cut by the same segmenter whenever it is parsed, so
        # the same text gives the same tokens whatever the index's history (a page parsed in
        # a cold build, before any term was known, and one parsed again later); the learned
        # layer is applied when tokens are read (``join_terms``)
        init = (cache, udict, manifest, (), self.discover_terms)
        n = self._pool_size(workers, len(items))
        if n == 1:
            worker_init(*init)
            self._remember_expand(indexer._WORKER_EXPAND)
            for rel, pid in items:
                yield process_page(str(self.root), rel, pid)
            return
        chunk = max(4, min(32, len(items) // (n * 4) or 1))
        chunks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
        # multiprocessing's Pool, not concurrent.futures: its terminate() stops workers at
        # once, where ProcessPoolExecutor's shutdown after Ctrl-C could hang on its own
        # InvalidStateError (cancelled futures failed again by its manager thread)
        import multiprocessing

        pool = multiprocessing.Pool(n, indexer.pool_init, (os.getpid(), *init))
        try:
            self._remember_expand(pool.apply(_worker_expand))
            root = str(self.root)
            for result in pool.imap(indexer.process_chunk_of, [(root, c) for c in chunks]):
                yield from result
        except BaseException:  # Ctrl-C, the reader quitting, a failure: no waiting
            _stop(pool)
            raise
        pool.close()
        pool.join()

    # ------------------------------------------------------------------- reading
