"""The persistent corpus index: parsed pages, tokens, document frequencies, terms, search.

One SQLite file per corpus (a folder, or one page file) under the cache dir.  SQLite's FTS5
does the full-text search (BM25 ranking) over space-joined jieba tokens; a substring scan
backs it up for short queries that segmentation split differently.  The index is a cache,
never the truth: a missing, corrupt or older-version file is rebuilt, and every consumer can
work without it (``Library`` falls back to parsing the pages).

Pages are found by ``corpus.load.scan_corpus`` and parsed with their metadata (manifest, path,
text) exactly as ``load_corpus`` would, so the index and the page files give the same Corpus.
Article text is stored once (``articles.text``); the rest of a page (headline groups, spans,
paragraph kinds, furniture, metadata) is stored compactly beside it, so an Issue is rebuilt
without re-parsing and the pages' rows (what a tree of papers and dates shows) are read
without rebuilding any article.  FTS5 is contentless: it keeps only its inverted index.

Incremental: a page whose size and mtime are unchanged is not read; one whose content hash
is unchanged is not re-parsed; changed pages are re-parsed and re-segmented; deleted pages
disappear; a changed manifest re-applies metadata without re-parsing.  Each page's term
counts (``corpus.terms.count_page``) are kept, their sum is updated as pages come and go, and
the corpus's terms are selected again from it.  Cold builds segment in a process pool.

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
import re
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from corpus.keywords import DocFreq, is_candidate
from corpus.load import PAGE_SUFFIXES, corpus_target, decode, parse_page, scan_corpus
from corpus.model import Article, Corpus, Edition, Issue, Kind, Paragraph, Skipped
from corpus.pagemeta import MANIFEST, Manifest, apply_meta
from corpus.parse import PARSER_VERSION
from corpus.search import match_spans, parse_query, snippet
from corpus.segment import Segmenter, learn_names
from corpus.terms import Counts, Term, count_page, select_terms
from storage.errors import DiskError, disk_error, explain, os_errno

SCHEMA = 4 * 100 + PARSER_VERSION  # stored pages are stale when the parser changes
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


@dataclass(frozen=True, slots=True)
class PageRow:
    """What a tree of papers, dates and pages shows of one page (no article is built)."""

    id: str
    file: str
    paper: str | None
    date: str | None
    page: int | None
    section: str | None
    title: str
    articles: int


def index_path(cache_dir: Path, corpus_root: Path) -> Path:
    key = hashlib.sha1(str(corpus_root.resolve()).encode("utf-8")).hexdigest()[:12]
    return cache_dir / f"index-{key}.sqlite"


def _sort_key(rel: str) -> str:
    """Orders rows as the folder walk does (a folder's pages before ``name.txt`` beside it)."""
    return rel.replace("/", "\x01")


# ------------------------------------------------------------- compact pages (no pickles)


def _is_tuple(f: Any) -> bool:
    return str(f.type).startswith("tuple")


_ISSUE_SKIP = {"id", "source", "articles"}
_ART_COLS = {"id", "issue_id", "title", "paragraphs"}
_KINDS = {k.value: k for k in Kind}


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def _tupled(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    return value


def encode_issue(issue: Issue) -> str:
    """An Issue's own fields (not its articles) as JSON."""
    return json.dumps(
        {
            f.name: _jsonable(getattr(issue, f.name))
            for f in fields(Issue)
            if f.name not in _ISSUE_SKIP
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode_issue(pid: str, rel: str, meta: str, articles: tuple[Article, ...] = ()) -> Issue:
    data = json.loads(meta)
    kw: dict[str, Any] = {}
    for f in fields(Issue):
        if f.name in data:
            kw[f.name] = _tupled(data[f.name]) if _is_tuple(f) else data[f.name]
    return Issue(id=pid, source=rel, articles=articles, **kw)


def encode_article(a: Article) -> tuple[str, bytes]:
    """(summary JSON, compressed body) — with the text column, all an Article holds."""
    body: dict[str, Any] = {}
    for f in fields(Article):
        if f.name in _ART_COLS:
            continue
        value = getattr(a, f.name)
        if value != f.default:
            body[f.name] = _jsonable(value)
    texts = a.text.split("\n")
    main = [p for p in a.paragraphs if p.kind is not Kind.CAPTION]
    derivable = len(texts) == len(main) and all(
        p.text == t for p, t in zip(main, texts, strict=True)
    )
    paras = []
    for p in a.paragraphs:
        own = p.text if (p.kind is Kind.CAPTION or not derivable) else None
        raw: Any = None
        if p.raw != p.text:
            ops = _raw_ops(p.raw, p.text)
            short = ops is not None and len(json.dumps(ops, ensure_ascii=False)) < len(p.raw)
            raw = ops if short else p.raw
        paras.append([p.kind.value, p.lines[0], p.lines[1], raw, own])
    body["p"] = paras
    summary = json.dumps(a.summary(), ensure_ascii=False, separators=(",", ":"))
    packed = zlib.compress(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
    return summary, packed


def decode_article(aid: str, issue_id: str, title: str, text: str, body: bytes) -> Article:
    data = json.loads(zlib.decompress(body))
    texts = iter(text.split("\n"))
    paras = []
    for kind, first, last, raw, own in data.pop("p"):
        t = own if own is not None else next(texts, "")
        if raw is None:
            raw = t
        elif isinstance(raw, list):
            raw = _apply_ops(t, raw)
        paras.append(Paragraph(_KINDS[kind], t, (first, last), raw))
    kw: dict[str, Any] = {}
    for f in fields(Article):
        if f.name in data:
            kw[f.name] = _tupled(data[f.name]) if _is_tuple(f) else data[f.name]
    return Article(id=aid, issue_id=issue_id, title=title, paragraphs=tuple(paras), **kw)


def _pack_counts(counts: Counts) -> bytes:
    return zlib.compress(json.dumps(counts.to_json(), ensure_ascii=False).encode(), 6)


def pack_tokens(source: str, tokens: str) -> bytes:
    """Tokens as their lengths, cut from ``source`` (what was segmented) again when read:
    segmentation only drops whitespace, so lengths are enough.  ``b"="`` + the tokens
    themselves when that does not hold (a token longer than 255 characters)."""
    words = tokens.split(" ") if tokens else []
    if words and max(map(len, words)) < 256:
        lengths = b"#" + bytes(map(len, words))
        if unpack_tokens(source, lengths) == words:
            return zlib.compress(lengths, 6)
    return zlib.compress(b"=" + tokens.encode(), 6)


def unpack_tokens(source: str, packed: bytes) -> list[str]:
    """``pack_tokens`` undone (``packed`` already decompressed)."""
    if packed[:1] == b"=":
        text = packed[1:].decode()
        return text.split(" ") if text else []
    lengths = packed[1:]
    out: list[str] = []
    i, n = 0, len(source)
    for k in lengths:
        while i < n and source[i].isspace():
            i += 1
        out.append(source[i : i + k])
        i += k
    return out


def _raw_ops(raw: str, text: str) -> list[Any] | None:
    """How ``raw`` differs from ``text``: [offset in raw, raw characters, text characters
    they replace] for the spaces and line breaks the cleaner took out and the punctuation it
    normalised; None when ``text`` is not ``raw`` so cleaned."""
    ops: list[list[Any]] = []
    j = 0
    m = len(text)
    for i, ch in enumerate(raw):
        if j < m and text[j] == ch:
            j += 1
            continue
        used = 0 if (ch.isspace() or j >= m) else 1
        j += used
        last = ops[-1] if ops else None
        if last is not None and last[0] + len(last[1]) == i:
            last[1] += ch
            last[2] += used
        else:
            ops.append([i, ch, used])
    if j != m or _apply_ops(text, ops) != raw:
        return None
    return ops


def _apply_ops(text: str, ops: list[Any]) -> str:
    parts: list[str] = []
    j = 0
    pos = 0  # length of the raw string built so far
    for at, chars, used in ops:
        take = at - pos
        parts.append(text[j : j + take])
        parts.append(chars)
        j += take + used
        pos = at + len(chars)
    parts.append(text[j:])
    return "".join(parts)


def _unpack_counts(blob: bytes | None) -> Counts:
    return Counts.from_json(json.loads(zlib.decompress(blob))) if blob else Counts()


# ----------------------------------------------------------------- worker side (processes)

_WORKER_SEG: Segmenter | None = None
_WORKER_MANIFEST: Manifest | None = None
_WORKER_EXPAND: dict[str, tuple[str, ...]] = {}
_WORKER_COUNT = True


def _worker_init(
    cache_dir: str | None,
    user_dict: str | None,
    manifest: Manifest | None = None,
    terms: Iterable[Term] = (),
    count: bool = True,
) -> None:
    """One segmenter per worker, with the learned terms the index knows (below the user's
    dictionary); tokens are counted as the base tokens those terms join."""
    global _WORKER_SEG, _WORKER_MANIFEST, _WORKER_EXPAND, _WORKER_COUNT
    seg = Segmenter(Path(cache_dir) if cache_dir else None, Path(user_dict) if user_dict else None)
    terms = list(terms)
    seg.add_terms(terms)
    seg.load()
    _WORKER_SEG = seg
    _WORKER_MANIFEST = manifest
    _WORKER_COUNT = count
    _WORKER_EXPAND = {t.text: t.parts for t in terms if len(t.parts) > 1 and t.text in seg.terms}


Rows = list[tuple[str, str, list[str], bytes]]
"""(article id, space-joined tokens of title + text, keyword-candidate words, the tokens
packed by ``pack_tokens``) per article."""


def _segment_issue(seg: Segmenter, issue: Issue) -> tuple[Rows, Counts]:
    texts = [f"{a.reporters}\n{a.title}\n{a.text}" for a in issue.articles]
    added = seg.add_names(learn_names(texts))
    out: Rows = []
    per_article: list[list[str]] = []
    for a in issue.articles:
        source = f"{a.title}\n{a.text}"
        words = seg.words(source)
        per_article.append(words)
        joined = " ".join(words)
        cands = [w for w in set(words) if is_candidate(w)]
        out.append((a.id, joined, cands, pack_tokens(source, joined)))
    seg.forget_names(added)
    if not _WORKER_COUNT:
        return out, Counts()
    return out, count_page(per_article, _WORKER_EXPAND or None)


@dataclass(frozen=True, slots=True)
class _PageRows:
    """What the main process stores of a parsed page (cheap to send between processes)."""

    issue_id: str
    meta: str
    paper: str | None
    date: str | None
    page: int | None
    section: str | None
    title: str
    articles: list[tuple[str, str, str, str, bytes]]
    """(id, title, text, summary JSON, compressed body) per article."""
    counts: bytes


Result = tuple[str, object, Rows, str]


def _page_rows(issue: Issue, counts: Counts) -> _PageRows:
    arts = []
    for a in issue.articles:
        summary, body = encode_article(a)
        arts.append((a.id, a.title, a.text, summary, body))
    return _PageRows(
        issue.id,
        encode_issue(issue),
        issue.paper,
        issue.date,
        issue.page,
        issue.section,
        issue.title,
        arts,
        _pack_counts(counts),
    )


def process_page(root: str, rel: str, pid: str | None = None) -> Result:
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
    issue = parse_page(
        text, rel, pid or Path(rel).with_suffix("").as_posix(), manifest=_WORKER_MANIFEST
    )
    rows, counts = _segment_issue(seg, issue)
    return rel, _page_rows(issue, counts), rows, digest


def _process_chunk(root: str, items: list[tuple[str, str]]) -> list[Result]:
    return [process_page(root, rel, pid) for rel, pid in items]


# ----------------------------------------------------------------------- the index itself


class Index:
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
            db.execute("PRAGMA page_size=16384")  # rows of article text pack better (new files)
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
            CREATE TABLE pages(rel TEXT PRIMARY KEY, key TEXT, id TEXT, size INT, mtime INT,
                               sha1 TEXT, skipped TEXT, paper TEXT, date TEXT, page INT,
                               section TEXT, title TEXT, articles INT, meta TEXT,
                               counts BLOB);
            CREATE INDEX pages_key ON pages(key);
            CREATE INDEX pages_id ON pages(id);
            CREATE TABLE articles(n INTEGER PRIMARY KEY, id TEXT UNIQUE, rel TEXT, ord INT,
                                  title TEXT, issue_id TEXT, date TEXT, text TEXT,
                                  tokens BLOB, summary TEXT, body BLOB);
            CREATE INDEX articles_rel ON articles(rel);
            CREATE TABLE df(word TEXT PRIMARY KEY, n INT) WITHOUT ROWID;
            CREATE TABLE terms(text TEXT PRIMARY KEY, freq INT, kind TEXT, parts TEXT);
            CREATE TABLE blobs(key TEXT PRIMARY KEY, value BLOB);
            CREATE VIRTUAL TABLE fts USING fts5(tokens, content='', tokenize='unicode61');
            """
        )
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

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        if self._meta(key) != value:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES(?, ?)", (key, value))

    def _manifest_stamp(self) -> str:
        try:
            st = (self.root / MANIFEST).stat()
        except OSError:
            return ""
        return f"{st.st_size}:{st.st_mtime_ns}"

    def _refresh(
        self, progress: Progress | None, workers: int | None, rejected: set[str], tags: Tags | None
    ) -> IndexStats:
        t0 = time.perf_counter()
        stats = IndexStats()
        known = {
            rel: (size, mtime, sha1, pid)
            for rel, size, mtime, sha1, pid in self.db.execute(
                "SELECT rel, size, mtime, sha1, id FROM pages"
            )
        }
        walked, others = self._quick_walk()
        if self._unchanged(walked, others, known):
            stats.unchanged = len(known)
            self._count(stats)
            stats.seconds = time.perf_counter() - t0
            return stats
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
                        "UPDATE pages SET size=?, mtime=? WHERE rel=?", (size, mtime, rel)
                    )
                    stats.unchanged += 1
                    continue
            really.append((rel, pid))
        total = len(really)
        pid_of = dict(really)
        done = 0
        if progress:
            progress(0, total)
        for rel, got, toks, digest in self._run(really, workers, scan.manifest):
            if rel in known:
                d, t = self._drop_page(rel, df_delta, counts_gone)
                docs_delta -= d
                tokens_delta -= t
            size, mtime = stat_of.get(rel, (0, 0))
            if isinstance(got, Skipped):
                self.db.execute(
                    "INSERT OR REPLACE INTO pages(rel, key, id, size, mtime, sha1, skipped) "
                    "VALUES(?,?,?,?,?,?,?)",
                    (rel, _sort_key(rel), pid_of.get(rel), size, mtime, digest, got.reason),
                )
                stats.skipped += 1
            else:
                assert isinstance(got, _PageRows)
                tokens_delta += self._store_page(rel, size, mtime, digest, got, toks, df_delta)
                if self.discover_terms:
                    counts_new.merge(_unpack_counts(got.counts))
                docs_delta += len(got.articles)
                stats.parsed += 1
            done += 1
            if progress:
                progress(done, total)
        if df_delta or docs_delta:
            self._apply_df(df_delta, docs_delta)
        if tokens_delta:
            self._set_meta("tokens", str(int(self._meta("tokens") or 0) + tokens_delta))
        stamp = self._manifest_stamp()
        if self._meta("manifest") != stamp:
            self._reapply_meta(scan.manifest, {rel for rel, _ in really})
            self._set_meta("manifest", stamp)
        self._set_meta("others", others)
        self._set_meta(
            "scan_skipped",
            json.dumps([[s.file, s.reason, s.line] for s in scan.skipped], ensure_ascii=False),
        )
        if self.discover_terms and (stats.parsed or stats.removed or counts_gone.docs):
            t1 = time.perf_counter()
            totals = _unpack_counts(self._blob("totals"))
            totals.subtract(counts_gone).merge(counts_new)
            self.db.execute(
                "INSERT OR REPLACE INTO blobs VALUES('totals', ?)", (_pack_counts(totals),)
            )
            self._store_terms(totals, rejected, tags)
            stats.terms_seconds = time.perf_counter() - t1
        if self.db.in_transaction:
            self.db.commit()
        self._count(stats)
        stats.seconds = time.perf_counter() - t0
        return stats

    def _blob(self, key: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM blobs WHERE key=?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def _tags(self) -> Mapping[str, str]:
        seg = _WORKER_SEG if _WORKER_SEG is not None else self._tags_seg
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
            self._store_terms(_unpack_counts(self._blob("totals")), set(rejected), tags)
            if self.db.in_transaction:
                self.db.commit()
        except (OSError, sqlite3.OperationalError) as exc:
            if self.db.in_transaction:
                self.db.rollback()
            raise disk_error(exc, self.path, after="the previous index is kept") from exc
        return self.terms()

    def _reapply_meta(self, manifest: Manifest, skip: set[str]) -> None:
        """The manifest changed: metadata again for every page, without parsing any."""
        rows = self.db.execute(
            "SELECT rel, id, meta FROM pages WHERE skipped IS NULL AND meta IS NOT NULL"
        ).fetchall()
        for rel, pid, meta in rows:
            if rel in skip:
                continue
            issue = decode_issue(pid, rel, meta)
            again = apply_meta(issue, manifest)
            if again == issue:
                continue
            self.db.execute(
                "UPDATE pages SET paper=?, date=?, page=?, section=?, meta=? WHERE rel=?",
                (again.paper, again.date, again.page, again.section, encode_issue(again), rel),
            )
            if again.date != issue.date:
                self.db.execute("UPDATE articles SET date=? WHERE rel=?", (again.date, rel))

    def _run(
        self, items: list[tuple[str, str]], workers: int | None, manifest: Manifest
    ) -> Iterator[Result]:
        if not items:
            return
        n = workers if workers is not None else (os.cpu_count() or 1)
        cache = str(self.cache_dir / "jieba")  # the one jieba cache (``Library`` uses it too)
        udict = str(self.user_dict) if self.user_dict else None
        terms = self.terms()
        init = (cache, udict, manifest, terms, self.discover_terms)
        if n <= 1 or len(items) < 8:
            _worker_init(*init)
            for rel, pid in items:
                yield process_page(str(self.root), rel, pid)
            return
        chunk = max(4, min(32, len(items) // (n * 4) or 1))
        chunks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
        with ProcessPoolExecutor(max_workers=n, initializer=_worker_init, initargs=init) as ex:
            for result in ex.map(_process_chunk, [str(self.root)] * len(chunks), chunks):
                yield from result

    def _drop_page(self, rel: str, df_delta: dict[str, int], counts: Counts) -> tuple[int, int]:
        """Remove a page; returns (articles, tokens) it had, its term counts into ``counts``."""
        rows = self.db.execute(
            "SELECT n, title, text, tokens FROM articles WHERE rel=?", (rel,)
        ).fetchall()
        ntok = 0
        for n, title, text, blob in rows:
            words = unpack_tokens(f"{title}\n{text}", zlib.decompress(blob)) if blob else []
            tokens = " ".join(words)
            ntok += len(words)
            for w in {t for t in tokens.split(" ") if is_candidate(t)}:
                df_delta[w] = df_delta.get(w, 0) - 1
            self.db.execute(
                "INSERT INTO fts(fts, rowid, tokens) VALUES('delete', ?, ?)", (n, tokens)
            )
        if self.discover_terms:
            row = self.db.execute("SELECT counts FROM pages WHERE rel=?", (rel,)).fetchone()
            if row is not None and row[0]:
                counts.merge(_unpack_counts(row[0]))
        self.db.execute("DELETE FROM articles WHERE rel=?", (rel,))
        self.db.execute("DELETE FROM pages WHERE rel=?", (rel,))
        return len(rows), ntok

    def _store_page(
        self,
        rel: str,
        size: int,
        mtime: int,
        digest: str,
        page: _PageRows,
        toks: Rows,
        df_delta: dict[str, int],
    ) -> int:
        self.db.execute(
            "INSERT OR REPLACE INTO pages VALUES(?,?,?,?,?,?,NULL,?,?,?,?,?,?,?,?)",
            (
                rel,
                _sort_key(rel),
                page.issue_id,
                size,
                mtime,
                digest,
                page.paper,
                page.date,
                page.page,
                page.section,
                page.title,
                len(page.articles),
                page.meta,
                page.counts if self.discover_terms else None,
            ),
        )
        tok_of = {aid: (tokens, cands, packed) for aid, tokens, cands, packed in toks}
        ntok = 0
        for ordinal, (aid, title, text, summary, body) in enumerate(page.articles):
            tokens, cands, packed = tok_of.get(aid, ("", [], b""))
            ntok += tokens.count(" ") + 1 if tokens else 0
            cur = self.db.execute(
                "INSERT OR REPLACE INTO articles(id, rel, ord, title, issue_id, date, text, "
                "tokens, summary, body) VALUES(?,?,?,?,?,?,?,?,?,?)",
                (
                    aid,
                    rel,
                    ordinal,
                    title,
                    page.issue_id,
                    page.date,
                    text,
                    packed or None,
                    summary,
                    body,
                ),
            )
            self.db.execute("INSERT INTO fts(rowid, tokens) VALUES(?,?)", (cur.lastrowid, tokens))
            for w in cands:
                df_delta[w] = df_delta.get(w, 0) + 1
        return ntok

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

    def _quick_walk(self) -> tuple[dict[str, tuple[int, int]], str]:
        """(size, mtime) of every page file and a digest of the other files' names: the
        files ``scan_corpus`` would find, without building its Paths (a decade of a daily is
        30,000 pages: every search and every start asks whether the index is fresh)."""
        pages: dict[str, tuple[int, int]] = {}
        others: list[str] = []
        if self.single:
            name = self.location.name
            try:
                st = os.stat(self.location)
                pages[name] = (st.st_size, st.st_mtime_ns)
            except OSError:
                others.append(name)
            return pages, ""
        seen: set[tuple[int, int]] = set()
        with contextlib.suppress(OSError):
            st = os.stat(self.root)
            seen.add((st.st_dev, st.st_ino))
        stack = [(str(self.root), "")]
        while stack:
            folder, prefix = stack.pop()
            try:
                with os.scandir(folder) as it:
                    entries = [e for e in it if not e.name.startswith(".")]
            except OSError:
                others.append(f"{prefix}/!")
                continue
            for e in entries:
                rel = prefix + e.name
                try:
                    if e.is_dir():
                        st = e.stat()
                        key = (st.st_dev, st.st_ino)
                        if key not in seen:
                            seen.add(key)
                            stack.append((e.path, rel + "/"))
                        else:
                            others.append(rel)
                        continue
                    if e.is_file() and os.path.splitext(e.name)[1].lower() in PAGE_SUFFIXES:
                        st = e.stat()
                        pages[rel] = (st.st_size, st.st_mtime_ns)
                        continue
                except OSError:
                    pass
                if rel != MANIFEST:
                    others.append(rel)
        digest = hashlib.sha1("\n".join(sorted(others)).encode("utf-8", "replace")).hexdigest()
        return pages, digest

    def _unchanged(
        self,
        walked: dict[str, tuple[int, int]],
        others: str,
        known: Mapping[str, tuple[int, int, str, str | None]],
    ) -> bool:
        if not known or len(walked) != len(known):
            return False
        if (self._meta("manifest") or "") != self._manifest_stamp():
            return False
        if self._meta("others") != others:
            return False
        return all(known.get(rel, (-1, -1))[:2] == st for rel, st in walked.items())

    def is_fresh(self) -> bool:
        """True when every page file has the size and mtime the index recorded, no file came
        or went, and the manifest is the one it applied (stat only)."""
        known = {
            rel: (size, mtime, "", pid)
            for rel, size, mtime, pid in self.db.execute("SELECT rel, size, mtime, id FROM pages")
        }
        walked, others = self._quick_walk()
        return self._unchanged(walked, others, known)

    def skipped(self) -> list[Skipped]:
        """Files that are not pages and pages that could not be read, as ``load_corpus``
        orders them (files in walk order, then the manifest's rows by line)."""
        got = [Skipped(f, r, line) for f, r, line in json.loads(self._meta("scan_skipped") or "[]")]
        for rel, reason in self.db.execute(
            "SELECT rel, skipped FROM pages WHERE skipped IS NOT NULL"
        ):
            got.append(Skipped(rel, reason or "skipped"))
        files = sorted((s for s in got if s.line is None), key=lambda s: s.file.split("/"))
        rows = [s for s in got if s.line is not None]
        return [*files, *rows]

    def _articles_of(self, rel: str, issue_id: str) -> tuple[Article, ...]:
        return tuple(
            decode_article(aid, issue_id, title, text, body)
            for aid, title, text, body in self.db.execute(
                "SELECT id, title, text, body FROM articles WHERE rel=? ORDER BY ord", (rel,)
            )
        )

    def corpus(self) -> Corpus:
        """The parsed corpus from the cache (call ``refresh`` first)."""
        issues: list[Issue] = []
        by_rel: dict[str, list[Article]] = {}
        pages = self.db.execute(
            "SELECT rel, id, meta FROM pages WHERE skipped IS NULL ORDER BY key"
        ).fetchall()
        ids = {rel: pid for rel, pid, _ in pages}
        for aid, rel, title, text, body in self.db.execute(
            "SELECT id, rel, title, text, body FROM articles ORDER BY rel, ord"
        ):
            by_rel.setdefault(rel, []).append(
                decode_article(aid, ids.get(rel, ""), title, text, body)
            )
        for rel, pid, meta in pages:
            issues.append(decode_issue(pid, rel, meta, tuple(by_rel.get(rel, ()))))
        return Corpus(root=str(self.root), issues=tuple(issues), skipped=tuple(self.skipped()))

    def issue(self, page_id: str) -> Issue | None:
        """One page, rebuilt from the index (no parsing)."""
        row = self.db.execute(
            "SELECT rel, meta FROM pages WHERE id=? AND skipped IS NULL", (page_id,)
        ).fetchone()
        if row is None:
            return None
        rel, meta = row
        return decode_issue(page_id, rel, meta, self._articles_of(rel, page_id))

    def page_rows(self) -> list[PageRow]:
        """Every page's row in walk order, without building an article."""
        return [
            PageRow(pid, rel, paper, date, page, section, title or "", n or 0)
            for pid, rel, paper, date, page, section, title, n in self.db.execute(
                "SELECT id, rel, paper, date, page, section, title, articles FROM pages "
                "WHERE skipped IS NULL ORDER BY key"
            )
        ]

    def editions(self) -> list[Edition]:
        """Pages grouped into editions (``Corpus.editions``) from the page rows alone."""
        bare = tuple(
            Issue(r.id, r.file, r.title, r.date, paper=r.paper, page=r.page, section=r.section)
            for r in self.page_rows()
        )
        return Corpus(str(self.root), bare).editions()

    def iter_summaries(self) -> Iterator[dict[str, Any]]:
        """``Issue.summary()`` of every page in walk order, one page at a time, from stored
        JSON (no Article is built): what ``list --json`` streams."""
        cur = self.db.execute(
            "SELECT p.rel, p.id, p.meta, a.summary FROM pages p LEFT JOIN articles a "
            "ON a.rel = p.rel WHERE p.skipped IS NULL ORDER BY p.key, a.ord"
        )
        rel_now: str | None = None
        head: dict[str, Any] = {}
        arts: list[dict[str, Any]] = []
        for rel, pid, meta, summary in cur:
            if rel != rel_now:
                if rel_now is not None:
                    yield _summary(head, arts)
                rel_now = rel
                head = {"id": pid, "file": rel, **json.loads(meta)}
                arts = []
            if summary is not None:
                arts.append(json.loads(summary))
        if rel_now is not None:
            yield _summary(head, arts)

    def iter_summary_json(self) -> Iterator[tuple[str, str]]:
        """(page id, ``Issue.summary()`` as JSON text) of every page in walk order: the
        articles' stored JSON is spliced in as it is, never decoded (``list --json`` at
        scale; the same value as ``iter_summaries``, compact separators inside articles)."""
        cur = self.db.execute(
            "SELECT p.rel, p.id, p.meta, (SELECT group_concat(summary, ',') FROM "
            "(SELECT summary FROM articles a WHERE a.rel = p.rel ORDER BY a.ord)) "
            "FROM pages p WHERE p.skipped IS NULL ORDER BY p.key"
        )
        hole = "\x00articles\x00"
        for rel, pid, meta, joined in cur:
            arts = joined or ""
            frags: list[dict[str, Any]] = []
            if '"fragment":true' in arts:
                frags = [a for a in json.loads(f"[{arts}]") if a.get("fragment")]
            head = {"id": pid, "file": rel, **json.loads(meta)}
            summary = _summary(head, [])
            summary["articles"] = hole
            summary["fragments"] = [a["id"] for a in frags]
            text = json.dumps(summary, ensure_ascii=False)
            yield pid, text.replace(json.dumps(hole), f"[{arts}]", 1)

    def doc_freq(self) -> DocFreq:
        docs = int(self._meta("docs") or 0)
        return DocFreq(dict(self.db.execute("SELECT word, n FROM df")), docs)

    def terms(self) -> list[Term]:
        """The corpus's discovered terms, most frequent first."""
        return [
            Term(text, freq, kind, tuple(parts.split(" ")))
            for text, freq, kind, parts in self.db.execute(
                "SELECT text, freq, kind, parts FROM terms ORDER BY freq DESC, text"
            )
        ]

    def tokens_of(self, article_id: str) -> list[str] | None:
        row = self.db.execute(
            "SELECT title, text, tokens FROM articles WHERE id=?", (article_id,)
        ).fetchone()
        if not row or not row[2]:
            return None
        return unpack_tokens(f"{row[0]}\n{row[1]}", zlib.decompress(row[2])) or None

    def search(self, text: str, limit: int = 50) -> list[Hit]:
        """Ranked hits for a query (words, "phrases", -excluded)."""
        q = parse_query(text)
        if not q.positives:
            return []
        scores: dict[int, float] = {}
        fts_expr = " AND ".join(_fts_term(t) for t in q.positives)
        if q.excluded:
            fts_expr += "".join(f" NOT {_fts_term(t)}" for t in q.excluded)
        try:
            for n, rank in self.db.execute(
                "SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?",
                (fts_expr, limit * 4),
            ):
                scores[n] = -float(rank) + 10.0
        except sqlite3.OperationalError:
            pass
        # Substring fallback: a word that segmentation split differently (洛阳制造 as 洛阳/制造),
        # or a phrase typed without spaces that spans several tokens (打造高质量首创之区).
        # Its hits rank below every FTS hit, so it is not needed when those fill the page.
        terms = [t.replace(" ", "") for t in q.positives]
        if all(terms) and len(scores) < limit:
            where = " AND ".join("instr(text, ?) > 0" for _ in terms)
            params: list[str] = terms
            if q.excluded:
                where += "".join(" AND instr(text, ?) = 0" for _ in q.excluded)
                params += q.excluded
            for n, body in self.db.execute(
                f"SELECT n, text FROM articles WHERE {where} LIMIT ?", (*params, limit * 4)
            ):
                if n not in scores:
                    c = sum(body.count(t) for t in q.positives)
                    scores[n] = c / (1 + len(body) / 1000)
        if not scores:
            return []
        ordered = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
        hits: list[Hit] = []
        for n, score in ordered:
            row = self.db.execute(
                "SELECT id, title, issue_id, date, text FROM articles WHERE n=?", (n,)
            ).fetchone()
            if row is None:
                continue
            aid, title, issue_id, date, body = row
            if any(x in body for x in q.excluded):
                continue
            spans = match_spans(body, q.positives)
            if not spans and title and not any(t in title for t in q.positives):
                continue
            hits.append(
                Hit(aid, title, issue_id, date, round(score, 4), snippet(body, spans), tuple(spans))
            )
        return hits


def _summary(head: dict[str, Any], arts: list[dict[str, Any]]) -> dict[str, Any]:
    """The keys and order of ``Issue.summary()``."""
    return {
        "id": head["id"],
        "file": head["file"],
        "title": head.get("title", ""),
        "date": head.get("date"),
        "paper": head.get("paper"),
        "page": head.get("page"),
        "section": head.get("section"),
        "meta_source": head.get("meta_source", {}),
        "articles": arts,
        "furniture": head.get("furniture", []),
        "credits": head.get("credits", {}),
        "furniture_page": head.get("furniture_page"),
        "furniture_section": head.get("furniture_section"),
        "fragments": [a["id"] for a in arts if a.get("fragment")],
    }


def _fts_term(term: str) -> str:
    words = [w for w in re.split(r"\s+", term) if w]
    escaped = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    return f"({escaped}*)" if len(words) == 1 else f"({escaped})"
