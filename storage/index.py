"""The persistent corpus index: parsed pages, tokens, document frequencies, full-text search.

One SQLite file per corpus folder under the cache dir.  SQLite's FTS5 does the full-text
search (BM25 ranking) over space-joined jieba tokens; a substring scan backs it up for short
queries that segmentation split differently.  The index is a cache, never the truth: a
missing, corrupt or older-version file is rebuilt, and every consumer can work without it
(``Library`` falls back to parsing the pages).

Incremental: a page whose size and mtime are unchanged is not read; one whose content hash
is unchanged is not re-parsed; changed pages are re-parsed and re-segmented; deleted pages
disappear.  Cold builds segment in a process pool across all cores.

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
import os
import pickle
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from corpus.keywords import DocFreq, is_candidate
from corpus.load import CorpusNotFound, decode, issue_id_for, page_files
from corpus.model import Corpus, Issue, Skipped
from corpus.parse import PARSER_VERSION, parse_text
from corpus.search import match_spans, parse_query, snippet
from corpus.segment import Segmenter, learn_names
from storage.errors import DiskError, disk_error, explain, os_errno

SCHEMA = 3 * 100 + PARSER_VERSION  # cached pickled Issues are stale when the parser changes
Progress = Callable[[int, int], None]


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


@dataclass(frozen=True, slots=True)
class Hit:
    article_id: str
    title: str
    issue_id: str
    date: str | None
    score: float
    snippet: str
    """Context around the first match; the match is wrapped in ``«»``."""
    spans: tuple[tuple[int, int], ...] = ()
    """Offsets of every match in the article text."""


def index_path(cache_dir: Path, corpus_root: Path) -> Path:
    key = hashlib.sha1(str(corpus_root.resolve()).encode("utf-8")).hexdigest()[:12]
    return cache_dir / f"index-{key}.sqlite"


# ----------------------------------------------------------------- worker side (processes)

_WORKER_SEG: Segmenter | None = None


def _worker_init(cache_dir: str | None, user_dict: str | None) -> None:
    global _WORKER_SEG
    _WORKER_SEG = Segmenter(
        Path(cache_dir) if cache_dir else None, Path(user_dict) if user_dict else None
    )
    _WORKER_SEG.load()


Rows = list[tuple[str, str, list[str]]]
"""(article id, space-joined tokens of title + text, keyword-candidate words) per article."""


def _segment_issue(seg: Segmenter, issue: Issue) -> Rows:
    texts = [f"{a.reporters}\n{a.title}\n{a.text}" for a in issue.articles]
    added = seg.add_names(learn_names(texts))
    out: Rows = []
    for a in issue.articles:
        words = [w for w in seg.words(f"{a.title}\n{a.text}") if not w.isspace()]
        out.append((a.id, " ".join(words), [w for w in set(words) if is_candidate(w)]))
    seg.forget_names(added)
    return out


@dataclass(frozen=True, slots=True)
class _PageRows:
    """What the main process needs of a parsed page (cheap to send between processes)."""

    issue_id: str
    date: str | None
    articles: int
    blob: bytes
    texts: list[tuple[str, str, str]]


Result = tuple[str, object, Rows, str]


def process_page(root: str, rel: str) -> Result:
    """Read, parse and segment one page (runs in a pool worker)."""
    seg = _WORKER_SEG
    assert seg is not None
    path = Path(root) / rel
    try:
        data = path.read_bytes()
    except OSError as exc:
        return rel, Skipped(rel, f"unreadable: {exc.strerror or exc}"), [], ""
    digest = hashlib.sha1(data).hexdigest()
    text, how = decode(data)
    if text is None:
        return rel, Skipped(rel, how), [], digest
    issue = parse_text(text, issue_id_for(Path(rel)), rel)
    # Pickled here, in the worker: the main process stores the bytes as they are.
    page = _PageRows(
        issue.id,
        issue.date,
        len(issue.articles),
        pickle.dumps(issue, protocol=pickle.HIGHEST_PROTOCOL),
        [(a.id, a.title, a.text) for a in issue.articles],
    )
    return rel, page, _segment_issue(seg, issue), digest


def _process_chunk(root: str, rels: list[str]) -> list[Result]:
    return [process_page(root, rel) for rel in rels]


# ----------------------------------------------------------------------- the index itself


class Index:
    """Open (creating or rebuilding as needed) the index of one corpus folder."""

    def __init__(self, corpus_root: Path, cache_dir: Path, user_dict: Path | None = None) -> None:
        self.root = corpus_root
        if not corpus_root.is_dir():
            raise CorpusNotFound(f"corpus folder not found: {corpus_root}")
        self.cache_dir = cache_dir
        self.user_dict = user_dict
        self.path = index_path(cache_dir, corpus_root)
        self.readonly = False
        """Opened read-only (its folder cannot be written now): ``refresh`` raises."""
        self.warning = ""
        """Why it is read-only (one line)."""
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
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
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
            CREATE TABLE pages(rel TEXT PRIMARY KEY, size INT, mtime INT, sha1 TEXT,
                               issue BLOB, skipped TEXT);
            CREATE TABLE articles(id TEXT PRIMARY KEY, rel TEXT, ord INT, title TEXT,
                                  issue_id TEXT, date TEXT, text TEXT, tokens TEXT);
            CREATE INDEX articles_rel ON articles(rel);
            CREATE TABLE df(word TEXT PRIMARY KEY, n INT);
            CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, tokens, tokenize='unicode61');
            """
        )
        db.execute("INSERT OR REPLACE INTO meta VALUES('schema', ?)", (str(SCHEMA),))
        db.execute("INSERT OR REPLACE INTO meta VALUES('docs', '0')")
        db.commit()

    def close(self) -> None:
        self.db.close()

    # ----------------------------------------------------------------- refresh

    def refresh(self, progress: Progress | None = None, workers: int | None = None) -> IndexStats:
        """Bring the index up to date with the folder; returns what was done.

        All or nothing: on failure (``DiskError``) the index is as it was before."""
        if self.readonly:
            raise DiskError(self.warning, self.path)
        try:
            return self._refresh(progress, workers)
        except BaseException as exc:
            if self.db.in_transaction:
                try:
                    self.db.rollback()
                except sqlite3.Error:
                    pass
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
        row = self.db.execute(
            "SELECT count(*), "
            "coalesce(sum(length(tokens) - length(replace(tokens, ' ', '')) + 1), 0) FROM articles"
        ).fetchone()
        stats.articles, stats.tokens = int(row[0]), int(row[1])
        stats.pages = self.db.execute(
            "SELECT count(*) FROM pages WHERE issue IS NOT NULL"
        ).fetchone()[0]

    def _refresh(self, progress: Progress | None, workers: int | None) -> IndexStats:
        t0 = time.perf_counter()
        stats = IndexStats()
        known = {
            rel: (size, mtime, sha1)
            for rel, size, mtime, sha1 in self.db.execute(
                "SELECT rel, size, mtime, sha1 FROM pages"
            )
        }
        todo: list[str] = []
        present: set[str] = set()
        stat_of: dict[str, tuple[int, int]] = {}
        for path in page_files(self.root):
            rel = path.relative_to(self.root).as_posix()
            present.add(rel)
            try:
                st = path.stat()
            except OSError:
                continue
            stat_of[rel] = (st.st_size, st.st_mtime_ns)
            old = known.get(rel)
            if old is not None and old[0] == st.st_size and old[1] == st.st_mtime_ns:
                stats.unchanged += 1
                continue
            todo.append(rel)
        removed = [rel for rel in known if rel not in present]
        df_delta: dict[str, int] = {}
        docs_delta = 0
        for rel in removed:
            docs_delta -= self._drop_page(rel, df_delta)
            stats.removed += 1
        # Content unchanged (touched, copied): only the stat needs updating.
        really: list[str] = []
        for rel in todo:
            old = known.get(rel)
            if old is not None:
                try:
                    digest = hashlib.sha1((self.root / rel).read_bytes()).hexdigest()
                except OSError:
                    digest = ""
                if digest == old[2]:
                    size, mtime = stat_of[rel]
                    self.db.execute(
                        "UPDATE pages SET size=?, mtime=? WHERE rel=?", (size, mtime, rel)
                    )
                    stats.unchanged += 1
                    continue
            really.append(rel)
        total = len(really)
        done = 0
        if progress:
            progress(0, total)
        for rel, got, toks, digest in self._run(really, workers):
            if rel in known:
                docs_delta -= self._drop_page(rel, df_delta)
            size, mtime = stat_of.get(rel, (0, 0))
            if isinstance(got, Skipped):
                self.db.execute(
                    "INSERT OR REPLACE INTO pages VALUES(?,?,?,?,?,?)",
                    (rel, size, mtime, digest, None, got.reason),
                )
                stats.skipped += 1
            else:
                assert isinstance(got, _PageRows)
                self._store_page(rel, size, mtime, digest, got, toks, df_delta)
                docs_delta += got.articles
                stats.parsed += 1
            done += 1
            if progress:
                progress(done, total)
        if df_delta or docs_delta:
            self._apply_df(df_delta, docs_delta)
        if self.db.in_transaction:
            self.db.commit()
        self._count(stats)
        stats.seconds = time.perf_counter() - t0
        return stats

    def _run(self, rels: list[str], workers: int | None) -> Iterator[Result]:
        if not rels:
            return
        n = workers if workers is not None else (os.cpu_count() or 1)
        cache = str(self.cache_dir / "jieba")  # the one jieba cache (``Library`` uses it too)
        udict = str(self.user_dict) if self.user_dict else None
        if n <= 1 or len(rels) < 8:
            _worker_init(cache, udict)
            for rel in rels:
                yield process_page(str(self.root), rel)
            return
        chunk = max(4, min(32, len(rels) // (n * 4) or 1))
        chunks = [rels[i : i + chunk] for i in range(0, len(rels), chunk)]
        with ProcessPoolExecutor(
            max_workers=n, initializer=_worker_init, initargs=(cache, udict)
        ) as ex:
            for result in ex.map(_process_chunk, [str(self.root)] * len(chunks), chunks):
                yield from result

    def _drop_page(self, rel: str, df_delta: dict[str, int]) -> int:
        rows = self.db.execute("SELECT id, tokens FROM articles WHERE rel=?", (rel,)).fetchall()
        for aid, tokens in rows:
            for w in {t for t in tokens.split(" ") if is_candidate(t)}:
                df_delta[w] = df_delta.get(w, 0) - 1
            self.db.execute("DELETE FROM fts WHERE id=?", (aid,))
        self.db.execute("DELETE FROM articles WHERE rel=?", (rel,))
        self.db.execute("DELETE FROM pages WHERE rel=?", (rel,))
        return len(rows)

    def _store_page(
        self,
        rel: str,
        size: int,
        mtime: int,
        digest: str,
        page: _PageRows,
        toks: Rows,
        df_delta: dict[str, int],
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO pages VALUES(?,?,?,?,?,NULL)",
            (rel, size, mtime, digest, page.blob),
        )
        tok_of = {aid: (tokens, cands) for aid, tokens, cands in toks}
        rows = []
        fts_rows = []
        for ordinal, (aid, title, text) in enumerate(page.texts):
            tokens, cands = tok_of.get(aid, ("", []))
            rows.append((aid, rel, ordinal, title, page.issue_id, page.date, text, tokens))
            fts_rows.append((aid, tokens))
            for w in cands:
                df_delta[w] = df_delta.get(w, 0) + 1
        self.db.executemany("INSERT OR REPLACE INTO articles VALUES(?,?,?,?,?,?,?,?)", rows)
        self.db.executemany("INSERT INTO fts(id, tokens) VALUES(?,?)", fts_rows)

    def _apply_df(self, delta: dict[str, int], docs_delta: int) -> None:
        changed = [(w, d) for w, d in delta.items() if d]
        self.db.executemany(
            "INSERT INTO df(word, n) VALUES(?, ?) "
            "ON CONFLICT(word) DO UPDATE SET n = n + excluded.n",
            changed,
        )
        self.db.execute("DELETE FROM df WHERE n <= 0")
        self.db.execute(
            "UPDATE meta SET value = CAST(CAST(value AS INT) + ? AS TEXT) WHERE key='docs'",
            (docs_delta,),
        )

    # ------------------------------------------------------------------- reading

    def is_fresh(self) -> bool:
        """True when every page file has the size and mtime the index recorded (stat only)."""
        known = {
            rel: (size, mtime)
            for rel, size, mtime in self.db.execute("SELECT rel, size, mtime FROM pages")
        }
        if not known:
            return False
        seen = 0
        for path in page_files(self.root):
            rel = path.relative_to(self.root).as_posix()
            try:
                st = path.stat()
            except OSError:
                return False
            if known.get(rel) != (st.st_size, st.st_mtime_ns):
                return False
            seen += 1
        return seen == len(known)

    def corpus(self) -> Corpus:
        """The parsed corpus from the cache (call ``refresh`` first)."""
        issues: list[Issue] = []
        skipped: list[Skipped] = []
        for rel, blob, reason in self.db.execute(
            "SELECT rel, issue, skipped FROM pages ORDER BY rel"
        ):
            if blob is None:
                skipped.append(Skipped(rel, reason or "skipped"))
                continue
            try:
                issue = pickle.loads(blob)
            except Exception:
                continue
            if isinstance(issue, Issue):
                issues.append(issue)
        return Corpus(root=str(self.root), issues=tuple(issues), skipped=tuple(skipped))

    def doc_freq(self) -> DocFreq:
        docs = int(self.db.execute("SELECT value FROM meta WHERE key='docs'").fetchone()[0])
        return DocFreq(dict(self.db.execute("SELECT word, n FROM df")), docs)

    def tokens_of(self, article_id: str) -> list[str] | None:
        row = self.db.execute("SELECT tokens FROM articles WHERE id=?", (article_id,)).fetchone()
        return row[0].split(" ") if row and row[0] else None

    def search(self, text: str, limit: int = 50) -> list[Hit]:
        """Ranked hits for a query (words, "phrases", -excluded)."""
        q = parse_query(text)
        if not q.positives:
            return []
        scores: dict[str, float] = {}
        fts_expr = " AND ".join(_fts_term(t) for t in q.positives)
        if q.excluded:
            fts_expr += "".join(f" NOT {_fts_term(t)}" for t in q.excluded)
        try:
            for aid, rank in self.db.execute(
                "SELECT id, bm25(fts) FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?",
                (fts_expr, limit * 4),
            ):
                scores[aid] = -float(rank) + 10.0
        except sqlite3.OperationalError:
            pass
        # Substring fallback: a word that segmentation split differently (洛阳制造 as 洛阳/制造),
        # or a phrase typed without spaces that spans several tokens (打造高质量首创之区).
        terms = [t.replace(" ", "") for t in q.positives]
        if all(terms):
            where = " AND ".join("instr(text, ?) > 0" for _ in terms)
            params: list[str] = terms
            if q.excluded:
                where += "".join(" AND instr(text, ?) = 0" for _ in q.excluded)
                params += q.excluded
            for aid, body in self.db.execute(
                f"SELECT id, text FROM articles WHERE {where} LIMIT ?", (*params, limit * 4)
            ):
                if aid not in scores:
                    n = sum(body.count(t) for t in q.positives)
                    scores[aid] = n / (1 + len(body) / 1000)
        if not scores:
            return []
        ordered = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
        hits: list[Hit] = []
        for aid, score in ordered:
            row = self.db.execute(
                "SELECT title, issue_id, date, text FROM articles WHERE id=?", (aid,)
            ).fetchone()
            if row is None:
                continue
            title, issue_id, date, body = row
            if any(x in body for x in q.excluded):
                continue
            spans = match_spans(body, q.positives)
            if not spans and title and not any(t in title for t in q.positives):
                continue
            hits.append(
                Hit(aid, title, issue_id, date, round(score, 4), snippet(body, spans), tuple(spans))
            )
        return hits


def _fts_term(term: str) -> str:
    words = [w for w in re.split(r"\s+", term) if w]
    escaped = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    return f"({escaped}*)" if len(words) == 1 else f"({escaped})"
