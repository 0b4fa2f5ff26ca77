"""The user dictionary the index's tokens were cut with.

The user's dictionary is the winning word layer: a word joined in the reader (``+``) or split
(``-``) must reach the stored tokens, hence the keywords, the terms and the segmented exports.
The index remembers the entries it cut with; when the file says otherwise, the pages whose
text or headline holds a changed word are cut again (not the whole corpus: a reader's ``+``
touches a few pages of a decade).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from itertools import chain
from pathlib import Path
from typing import Any

from corpus.segment import read_dict_words
from storage.index_search import Searcher
from storage.pagestore import full_id

META_KEY = "userwords"


def entries(path: Path | None) -> dict[str, str]:
    """Word → its line's frequency and tag as the segmenter reads them (the last line wins;
    a frequency of 0 splits the word)."""
    if path is None:
        return {}
    return {
        w: f"{freq if freq is not None else ''} {tag or ''}"
        for w, freq, tag in read_dict_words(path)
    }


def stored(text: str | None) -> dict[str, str]:
    """The entries an index cut with, from its meta row ({} for an index from before)."""
    if not text:
        return {}
    try:
        got = json.loads(text)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in got.items()} if isinstance(got, dict) else {}


def dumped(current: dict[str, str]) -> str:
    return json.dumps(current, ensure_ascii=False, sort_keys=True)


def changed(old: dict[str, str], new: dict[str, str]) -> set[str]:
    """Words added, removed or given another frequency or tag."""
    return {w for w in old.keys() | new.keys() if old.get(w) != new.get(w)}


def pages_holding(
    db: sqlite3.Connection, texts: Iterable[tuple[str, str]], words: set[str]
) -> set[str]:
    """The pages (``rel``) whose article texts (``texts``: article id and text, a superset
    is fine) or headline group hold one of ``words``."""
    rels: set[str] = set()
    hit_ids = {aid for aid, text in texts if any(w in text for w in words)}
    rows = db.execute(
        "SELECT p.rel, p.id, a.aid, a.title, a.kicker, a.subtitle, a.col FROM articles a "
        "JOIN pages p ON p.no = a.page WHERE p.skipped IS NULL"
    )
    for rel, pid, aid, *heads in rows:
        if rel in rels:
            continue
        if full_id(aid, pid) in hit_ids or any(w in h for h in heads if h for w in words):
            rels.add(rel)
    return rels


def pending(path: Path | None, stored_text: str | None) -> tuple[dict[str, str], set[str]]:
    """The dictionary's entries now, and the words that changed since the index cut."""
    now = entries(path)
    return now, changed(stored(stored_text), now)


def recut_pages(
    index: Searcher, words: set[str], present: set[str], known: Mapping[str, Any], have: set[str]
) -> list[tuple[str, str]]:
    """(rel, page id) of the pages to cut again that are still there and not cut anyway."""
    texts = chain.from_iterable(index.texts_containing(w) for w in words)
    again = pages_holding(index.db, texts, words) & present
    return [(r, known[r][3] or "") for r in sorted(again - have) if r in known]
