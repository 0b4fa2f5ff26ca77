"""A page's row, where the index lives, and the rows read straight from it.

Kept free of the parser and of the index's write side: the reader draws the issues tree
from ``quick_rows`` before the annotation store, the segmenter or the index module are even
imported (their imports are most of start-up); the full reading follows moments later.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import NamedTuple

from corpus.version import PARSER_VERSION

SCHEMA = 5 * 100 + PARSER_VERSION
"""The index's schema: stored pages are stale when the parser changes."""


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


def index_path(cache_dir: Path, corpus_root: Path) -> Path:
    """The index file of a corpus folder or page file (one per path the user gives)."""
    key = hashlib.sha1(str(corpus_root.resolve()).encode("utf-8")).hexdigest()[:12]
    return cache_dir / f"index-{key}.sqlite"


def quick_rows(cache_dir: Path, corpus_root: Path, most: int | None = None) -> list[PageRow] | None:
    """The page rows of an existing index of this schema, read-only, as they were stored
    (freshness and boundary corrections are the full reading's business); None when there
    is no such index, it cannot be read, or it holds more than ``most`` pages."""
    path = index_path(cache_dir, corpus_root)
    if not path.is_file():
        return None
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
