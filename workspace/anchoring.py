"""Annotations anchored in the pages as they are now, for every read and write.

Codings point at articles by id and offsets.  When the pages change (edited, renamed, a
folder gone for a while and back, a boundary correction) they must be found again before
anything is read, exported or counted — not only when something is written.  The corpus
state the annotations were last anchored in is remembered in the database (a stamp of the
index's pages and the corrections): when it matches, nothing is done; when it does not, the
coded pages are built (the whole corpus only when a coded article id is gone) and every
coding is found again — stored by the writer, in memory only for a read-only session.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corpus.model import Issue
    from storage.annotations import Reanchored, Store
    from storage.library import Library


def corpus_stamp(lib: Library) -> str | None:
    """What the articles of a fresh index depend on: every page's id and content hash, the
    index's schema and the boundary corrections; None when pages are not read from an
    index (the corpus is in memory)."""
    idx = lib.reading_index()
    if idx is None:
        return None
    h, names = hashlib.sha1(), hashlib.sha1()
    for row in idx.db.execute("SELECT value FROM meta WHERE key='schema'"):
        h.update(f"schema {row[0]}\n".encode())
    for pid, sha in idx.db.execute("SELECT id, sha1 FROM pages WHERE skipped IS NULL ORDER BY id"):
        h.update(f"{pid}\0{sha}\n".encode())
        names.update(f"{pid}\n".encode())
    for pid, fixes in sorted(lib.corrections().items()):
        h.update(f"fix {pid}\0{sorted(fixes)}\n".encode())
    return f"{h.hexdigest()}:{names.hexdigest()}"


def _page_set(stamp: str) -> str:
    """The part of a stamp that changes only when pages come or go (or are renamed)."""
    return stamp.partition(":")[2]


def anchor(store: Store, lib: Library, built: dict[str, Issue]) -> Reanchored | None:
    """Find every coding again if the corpus changed since they were last anchored; None
    when nothing had to be done (the stamp matches: a query and a hash, no page built).
    ``built``: the coded pages, kept by the caller — filled with the pages built here."""
    from corpus.model import Corpus
    from storage.pages import issue_ids_of

    if not lib.lazy:  # the corpus is in memory: checking every coding is cheap beside it
        return store.anchor(lib.load())
    stamp, last = corpus_stamp(lib), store.anchored_stamp()
    if stamp is None or stamp == last:
        return None
    ids = store.coded_ids()
    fixed = set(lib.corrections())
    known = issue_ids_of(lib, ids)
    gone = {a for a in ids if a not in known and a.rpartition("-")[0] not in fixed}
    # Codings whose article just went, or orphans when pages came or went (a renamed page is
    # back under another name): their articles may be anywhere now — the whole corpus is
    # read.  Orphans of long ago, when only page contents changed: not again.
    if gone & store.attached_ids() or (gone and _page_set(stamp) != _page_set(last)):
        report = store.anchor(lib.load())
        lib.let_go()  # back to pages on demand
    else:
        wanted = set(known.values()) | fixed
        built.clear()
        built.update((pid, p) for pid in sorted(wanted) if (p := lib.issue(pid)) is not None)
        pages = tuple(built.values())
        report = store.anchor(Corpus(str(lib.root), pages), within=wanted | ids)
    store.set_anchored(stamp)
    return report


def describe(report: Reanchored | None, readonly: bool) -> list[str]:
    """One line per kind of change, for the user (nothing when nothing changed)."""
    if report is None:
        return []
    out = []
    where = " (read-only here: for this session; the file is unchanged)" if readonly else ""
    if report.found:
        out.append(
            f"{_n(report.found, 'coding')} re-attached: their articles are in the corpus "
            f"again{where}"
        )
    if report.orphaned:
        folders = Counter(a.split("/", 1)[0] + "/" for a in report.orphaned if "/" in a)
        top = ", ".join(f"{f} {n}" for f, n in folders.most_common(3))
        out.append(
            f"{_n(len(report.orphaned), 'coding')} lost their article (pages gone, renamed "
            f"or changed{': ' + top if top else ''}): kept as orphans (`piyue orphans`); "
            f"they re-attach when the pages return{where}"
        )
    if report.moved:
        out.append(f"{_n(report.moved, 'coding')} moved with their text: pages changed{where}")
    return out


def describe_correction(report: Reanchored | None) -> list[str]:
    """What a boundary correction did to the codings of its page (nothing: no line)."""
    if report is None or not (report.moved or report.orphaned):
        return []
    parts = []
    if report.moved:
        parts.append(f"{_n(report.moved, 'coding')} followed their text")
    if report.orphaned:
        parts.append(
            f"{_n(len(report.orphaned), 'coding')} could not be found in the new articles "
            "(`piyue orphans` lists them; undo brings them back)"
        )
    return [f"编码 codings: {'; '.join(parts)}"]


def _n(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
