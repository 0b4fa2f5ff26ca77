"""A page's row, where the index lives, and the rows read straight from it.

Kept free of the parser and of the index's write side: the reader draws the issues tree
from ``quick_rows`` before the annotation store, the segmenter or the index module are even
imported (their imports are most of start-up); the full reading follows moments later.

A decade of a daily is 30,000 rows: sqlite hands them over in ~70 ms, ``marshal`` in a few.
So the rows the full reading got from an index are also kept beside it (``*.rows``), stamped
with the index file's size and time; a stamp that no longer matches means the index was
written since, and the rows are read from sqlite again.
"""

from __future__ import annotations

import importlib
import marshal
import os
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from corpus.version import PARSER_VERSION

SCHEMA = 9 * 100 + PARSER_VERSION
"""The index's schema: stored pages are stale when the parser changes, or what a page's term
counts hold (``corpus.terms.count_page``).  8xx: every page's tokens are cut without the
learned terms (7xx cut a page parsed again after terms were learned with them, so tokens
depended on the index's history).  9xx: the counts hold each item of a quoted list, grams
ending in 会 (市委常委/会) and the reporters of the bylines: pages counted before would make
the terms depend on the history."""


class PageRow(NamedTuple):
    """What a tree of papers, dates and pages shows of one page (no article is built).
    A named tuple: 30,000 of them are made each time the reader starts."""

    id: str
    file: str
    paper: str | None
    date: str | None
    page: int | None
    section: str | None
    title: str
    articles: int


ROWS_SQL = (
    "SELECT id, rel, paper, date, page, section, coalesce(title, ''), "
    "coalesce(articles, 0) FROM pages WHERE skipped IS NULL ORDER BY key"
)


def _sha1_hex(data: bytes) -> str:
    """SHA-1 by CPython's builtin module where it has one: hashlib would load OpenSSL (~2 ms)
    before the first frame, for one short digest."""
    try:
        return str(importlib.import_module("_sha1").sha1(data).hexdigest())
    except (ImportError, AttributeError):
        import hashlib

        return hashlib.sha1(data).hexdigest()


def index_path(cache_dir: Path, corpus_root: Path) -> Path:
    """The index file of a corpus folder or page file (one per path the user gives)."""
    key = _sha1_hex(str(corpus_root.resolve()).encode("utf-8"))[:12]
    return cache_dir / f"index-{key}.sqlite"


Stamp = tuple[int, ...]


def index_stamp(index: Path) -> Stamp:
    """What changes when the index is written: the file's size and time, and its write-ahead
    log's (an empty or missing log counts as none: readers create and remove it)."""
    out: list[int] = []
    for p in (index, Path(f"{index}-wal")):
        try:
            st = p.stat()
        except OSError:
            out += [0, 0]
            continue
        out += [st.st_size, st.st_mtime_ns] if st.st_size else [0, 0]
    return tuple(out)


def rows_file(index: Path) -> Path:
    return index.with_suffix(".rows")


def save_rows(index: Path, stamp: Stamp, rows: list[PageRow]) -> None:
    """Keep the rows read from ``index`` (stamped before they were read) for the next start.
    Best effort: a cache that cannot be written is only a slower start."""
    target = rows_file(index)
    head = (SCHEMA, stamp, len(rows))
    try:
        with target.open("rb") as f:
            if _head(f) == head:
                return  # kept already (only the header is read)
    except OSError:
        pass
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        packed = marshal.dumps(head)
        with tmp.open("wb") as f:
            f.write(len(packed).to_bytes(4, "little") + packed)
            f.write(marshal.dumps(_shared(rows)))
        os.replace(tmp, target)
    except (OSError, ValueError):
        tmp.unlink(missing_ok=True)


def _shared(rows: list[PageRow]) -> list[tuple[Any, ...]]:
    """The rows with each paper, date and section one object: marshal writes a repeated
    object once and refers to it after, so 30,000 rows load faster and share their strings."""
    one: dict[Any, Any] = {}
    out = []
    for r in rows:
        paper, date, section = (one.setdefault(v, v) for v in (r.paper, r.date, r.section))
        out.append((r.id, r.file, paper, date, r.page, section, r.title, r.articles))
    return out


def _head(f: BinaryIO) -> Any:
    """The header of a rows file: (schema, stamp, number of rows); None if unreadable."""
    try:
        n = int.from_bytes(f.read(4), "little")
        return marshal.loads(f.read(n))
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _saved_rows(index: Path, most: int | None) -> list[PageRow] | None:
    """The kept rows if the index has not been written since (``[]``: more than ``most``).
    Read whole and unmarshalled at once (``marshal.load`` on a file reads piece by piece)."""
    try:
        with rows_file(index).open("rb") as f:
            head = _head(f)
            if not isinstance(head, tuple) or head[:2] != (SCHEMA, index_stamp(index)):
                return None
            if most is not None and head[2] > most:
                return []
            rows = marshal.loads(f.read())
    except (OSError, ValueError, EOFError, TypeError, IndexError):
        return None
    return list(map(PageRow._make, rows))


def quick_rows(cache_dir: Path, corpus_root: Path, most: int | None = None) -> list[PageRow] | None:
    """The page rows of an existing index of this schema, read-only, as they were stored
    (freshness and boundary corrections are the full reading's business); None when there
    is no such index, it cannot be read, or it holds more than ``most`` pages."""
    path = index_path(cache_dir, corpus_root)
    if not path.is_file():
        return None
    saved = _saved_rows(path, most)
    if saved is not None:
        return saved or None
    import sqlite3  # only now: the kept rows spare the first frame its import

    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            got = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if got is None or str(got[0]) != str(SCHEMA):
                return None
            if most is not None:
                n = db.execute("SELECT count(*) FROM pages WHERE skipped IS NULL").fetchone()
                if n[0] > most:
                    return None
            return list(map(PageRow._make, db.execute(ROWS_SQL)))
        finally:
            db.close()
    except (sqlite3.Error, OSError, ValueError):
        return None
