"""Annotations anchored in the pages as they are now, for every read and write.

Codings point at articles by id and offsets.  When the pages change (edited, renamed, a
folder gone for a while and back, a boundary correction) they must be found again before
anything is read, exported or counted — not only when something is written.  The corpus
state the annotations were last anchored in is remembered in the database (a stamp of the
index's pages and the corrections): when it matches, nothing is done; when it does not, the
coded pages (and the pages that are new since) are built and every coding is found again —
stored by the writer, in memory only for a read-only session, which keeps what it found in
a cache so the next read-only command reuses it instead of doing it again.

A coding whose article is gone follows its exact text only to a page that is new since the
codings were last anchored (a rename or a move: every article id of the page changed) or
whose file changed since (two pages swapped, even when only one was coded), never to a
reprint on a page that did not change: otherwise it is an orphan, until its page comes back.
The page ids of every anchored state, and their files' sha1, are kept in the cache
(``pages-<hash>.gz``, ``files-<hash>.gz``) to tell which pages are new or changed; without
them none counts as such (an orphan, never a wrong move) — but every page is new for
codings never anchored at all (a database older than anchoring).  Boundary corrections
follow their page the same way (``follow_fixes``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.annotations.reattach import page_of_id

if TYPE_CHECKING:
    from corpus.model import Issue
    from storage.annotations import Reanchored, Store
    from storage.library import Library

RULES = "anch11.1"
"""Bumped when the way codings are found again changes: cached results are not reused."""
PAGE_SETS_KEPT = 16
"""Page-id lists kept in the cache (the newest by use): a few per corpus and database."""


def corpus_stamp(lib: Library) -> str | None:
    """What the articles of a fresh index depend on: every page's id and content hash, the
    index's schema and the boundary corrections; None when pages are not read from an
    index (the corpus is in memory)."""
    state = _indexed_state(lib)
    return None if state is None else state[0]


def _indexed_state(lib: Library) -> tuple[str, list[str]] | None:
    """(stamp, page ids in order) of the index pages are read from, or None."""
    got = _index_pages(lib)
    return None if got is None else (_stamp(lib, *got), list(got[1]))


def _index_pages(lib: Library) -> tuple[str, dict[str, str]] | None:
    """(the index's schema, page id → sha1 of the page file in id order), or None when
    pages are not read from an index."""
    idx = lib.reading_index()
    if idx is None:
        return None
    schema = "".join(f"schema {r[0]}\n" for r in idx.db.execute(SCHEMA))
    rows = idx.db.execute("SELECT id, sha1 FROM pages WHERE skipped IS NULL ORDER BY id")
    return schema, {str(pid): str(sha) for pid, sha in rows}


SCHEMA = "SELECT value FROM meta WHERE key='schema'"


def _stamp(lib: Library, schema: str, pages: dict[str, str]) -> str:
    h = hashlib.sha1(schema.encode())
    for pid, sha in pages.items():
        h.update(f"{pid}\0{sha}\n".encode())
    for pid, fixes in sorted(lib.corrections().items()):
        h.update(f"fix {pid}\0{sorted(fixes)}\n".encode())
    return f"{h.hexdigest()}:{_names(pages)}"


def _names(pages: Iterable[str]) -> str:
    """A hash of the page ids (in order): the part of a stamp that pages coming or going
    (or being renamed) change."""
    h = hashlib.sha1()
    for pid in pages:
        h.update(f"{pid}\n".encode())
    return h.hexdigest()


def _page_set(stamp: str) -> str:
    """The part of a stamp that changes only when pages come or go (or are renamed)."""
    return stamp.partition(":")[2]


def anchor(store: Store, lib: Library, built: dict[str, Issue]) -> Reanchored | None:
    """Find every coding again if the corpus changed since they were last anchored; None
    when nothing had to be done (the stamp matches: a query and a hash, no page built) or
    a read-only session reused what an earlier one found (and said) for the same state.
    ``built``: the coded pages, kept by the caller — filled with the pages built here."""
    from corpus.model import Corpus
    from storage.pages import issue_ids_of

    last = store.anchored_stamp()
    got = _index_pages(lib) if lib.lazy else None
    if got is None:  # the corpus is in memory: checking every coding is cheap beside it
        corpus = lib.load()
        pages = sorted(i.id for i in corpus.issues)
        digests = dict(sorted(_file_digests(lib, pages).items()))
        fixes = follow_fixes(store, lib, pages, last, digests)
        for pid in fixes.pages():
            corpus = lib.reparse_issue(pid)
        moved = _new_pages(lib, last, pages) | _changed_pages(lib, last, digests)
        report = store.anchor(corpus, new_pages=moved)
        files = _names(f"{p}\t{h}" for p, h in digests.items())
        _settle(store, lib, f"memory-{files}:{_names(digests)}", digests)
        return fixes.told(report)
    schema, digests = got
    stamp, pages = _stamp(lib, schema, digests), list(digests)
    if stamp == last:
        _remember(lib, stamp, digests)  # an anchored state older than this rule
        follow_fixes(store, lib, pages, None, digests)  # only fingerprints learned
        if store.readonly:  # back as stored: the next change is found (and said) afresh
            _forget(lib, store)
        return None
    key = _cache_key(store, stamp, last) if store.readonly else ""
    if key and (updates := _cached(lib, store, key)) is not None:
        store.anchor_again(updates)
        for table, _, doc in updates:
            if table == "corrections" and doc is not None:
                lib.forget_page(str(doc["issue_id"]))  # built again with it
        store.set_anchored(_stamp(lib, schema, digests))  # corrections may have moved
        return None
    before = _documents(store) if key else {}
    fixes = follow_fixes(store, lib, pages, last, digests)
    if fixes.changed:
        stamp = _stamp(lib, schema, digests)
    for pid in fixes.pages():
        lib.forget_page(pid)  # built again with the corrections that came with it
    ids = store.coded_ids()
    fixed = set(lib.corrections())
    known = issue_ids_of(lib, ids)
    there = set(pages)
    gone = {a for a in ids if a not in known and page_of_id(a) not in fixed}
    # the pages of coded articles, of vanished ones still there (an edited headline), and —
    # when some are gone — the pages that are new since: a vanished article may be there
    new = _new_pages(lib, last, pages) if gone else set()
    # …and the pages whose file changed, when a coded one did: two swapped, or renumbered
    changed = _changed_pages(lib, last, digests)
    if gone or changed & set(known.values()):
        new |= changed
    wanted = set(known.values()) | fixed | new | ({page_of_id(a) for a in gone} & there)
    wanted &= there
    built.clear()
    built.update((pid, p) for pid in sorted(wanted) if (p := lib.issue(pid)) is not None)
    corpus = Corpus(str(lib.root), tuple(built.values()))
    report = store.anchor(corpus, within=wanted | ids, new_pages=new)
    _settle(store, lib, stamp, digests)
    if key:
        _keep(lib, store, key, _changes(before, store))
    return fixes.told(report)


# -- boundary corrections follow their page


@dataclass
class FixesFollowed:
    """What following the corrections' pages did: (old, new) page ids of corrections that
    followed their page, and the pages of those that became (or stopped being) orphans."""

    moved: list[tuple[str, str]] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    changed: bool = False

    def pages(self) -> set[str]:
        """The pages whose corrections changed: to be built again."""
        return {b for _, b in self.moved} | set(self.found)

    def told(self, report: Reanchored) -> Reanchored:
        report.fixes_moved += self.moved
        report.fixes_orphaned += self.orphaned
        report.fixes_found += len(self.found)
        return report


def follow_fixes(
    store: Store,
    lib: Library,
    pages: list[str],
    last: str | None,
    digests: Mapping[str, str],
) -> FixesFollowed:
    """Boundary corrections follow their page as codings do: one whose page is gone moves
    to the one page new since ``last`` with the same file (a folder renamed), else it is
    an orphan (``piyue orphans``) until its page is back; never to a copy already there.
    A correction without its page's fingerprint (older databases) learns it while the
    page is there (a writer).  ``last`` None: only that (nothing changed)."""
    done = FixesFollowed()
    docs = store.correction_docs()
    if not docs:
        return done
    there = set(pages)
    updates: dict[str, dict[str, Any]] = {}
    learn = {k: d for k, d in docs.items() if d["issue_id"] in there and not d.get("page_sha1")}
    if learn and not store.readonly:
        updates.update(
            (k, {**d, "page_sha1": digests[d["issue_id"]]})
            for k, d in learn.items()
            if digests.get(d["issue_id"])
        )
    for k, d in docs.items():
        if d.get("orphan") and d["issue_id"] in there:
            updates[k] = {**updates.get(k, d), "orphan": False}
            done.found.append(str(d["issue_id"]))
    gone = {k: d for k, d in docs.items() if d["issue_id"] not in there}
    if gone and last is not None:
        by_sha: dict[str, list[str]] = {}
        for pid in sorted(_new_pages(lib, last, pages)):
            by_sha.setdefault(digests.get(pid, ""), []).append(pid)
        for k, d in gone.items():
            hits = by_sha.get(str(d.get("page_sha1") or "\0"), [])
            if len(hits) == 1:
                updates[k] = {**d, "issue_id": hits[0], "orphan": False}
                done.moved.append((str(d["issue_id"]), hits[0]))
            elif not d.get("orphan"):
                updates[k] = {**d, "orphan": True}
                done.orphaned.append(str(d["issue_id"]))
    store.update_corrections(updates)
    done.changed = bool(done.moved or done.found)
    return done


def _file_digests(lib: Library, ids: Iterable[str]) -> dict[str, str]:
    """Page id → sha1 of its file's bytes (as the index keeps it), for pages in memory."""
    wanted, out = set(ids), {}
    for issue in lib.load().issues:
        if issue.id in wanted:
            try:
                out[issue.id] = hashlib.sha1((lib.root / issue.source).read_bytes()).hexdigest()
            except OSError:
                continue
    return out


def _settle(store: Store, lib: Library, stamp: str, digests: dict[str, str]) -> None:
    """Remember that the codings are anchored in ``stamp`` (a writer: in the database), and
    its pages and their files' sha1 (to tell, next time, which pages are new or changed)."""
    store.set_anchored(stamp)
    _remember(lib, stamp, digests)


def _new_pages(lib: Library, last: str, pages: list[str]) -> set[str]:
    """The pages that were not there when the codings were last anchored: every page when
    they never were (a database older than anchoring, whose page ids may have changed
    form since: each article is found by its text if only one page has it); none when the
    list is no longer in the cache (an orphan rather than a guess)."""
    if not last:
        return set(pages)
    before = _recall(lib, _page_set(last))
    return set() if before is None else set(pages) - before


def _changed_pages(lib: Library, last: str, digests: dict[str, str]) -> set[str]:
    """The pages whose file changed since the codings were last anchored (two swapped: a
    coding follows its text to the other); none when that state's files are not known."""
    before = _recall_files(lib, last) if last else None
    if before is None:
        return set()
    return {p for p, sha in digests.items() if before.get(p, sha) != sha}


# -- the cache: page lists of anchored states, and a read-only session's findings


def _cache(lib: Library) -> Path:
    return lib.cache_dir / "anchoring"


def _remember(lib: Library, stamp: str, digests: dict[str, str]) -> None:
    """Keep the page ids of an anchored state, and its pages' file sha1 (once; a cache: a
    full disk only means no page counts as new or changed later)."""
    names, files = _page_set(stamp), stamp.partition(":")[0]
    for kind, name, rows in (("pages", names, False), ("files", files, True)):
        path = _cache(lib) / f"{kind}-{name}.gz"
        try:
            if path.exists():
                continue
            text = "".join(f"{p}\t{h}\n" if rows else f"{p}\n" for p, h in digests.items())
            _write(path, gzip.compress(text.encode()))
            kept = sorted(path.parent.glob(f"{kind}-*.gz"), key=lambda p: p.stat().st_mtime)
            for old in kept[:-PAGE_SETS_KEPT]:
                old.unlink(missing_ok=True)
        except OSError:
            pass


def _recall(lib: Library, names: str) -> set[str] | None:
    """The page ids of an anchored state, if kept (and intact: they hash to its name)."""
    path = _cache(lib) / f"pages-{names}.gz"
    try:
        pages = gzip.decompress(path.read_bytes()).decode().splitlines()
        os.utime(path)  # in use: kept before older lists
    except (OSError, EOFError, UnicodeDecodeError, zlib.error):
        return None
    return set(pages) if _names(pages) == names else None


def _recall_files(lib: Library, stamp: str) -> dict[str, str] | None:
    """Page id → file sha1 of an anchored state, if kept (and whole: its page ids hash to
    the stamp's)."""
    path = _cache(lib) / f"files-{stamp.partition(':')[0]}.gz"
    try:
        rows = [ln.split("\t") for ln in gzip.decompress(path.read_bytes()).decode().splitlines()]
        os.utime(path)
    except (OSError, EOFError, UnicodeDecodeError, zlib.error):
        return None
    got = {r[0]: r[1] for r in rows if len(r) == 2}
    return got if len(got) == len(rows) and _names(got) == _page_set(stamp) else None


def _cache_key(store: Store, stamp: str, last: str) -> str:
    """What a read-only session's anchoring depends on: the pages (``stamp``), the state
    they were last anchored in (which pages are new), and every coding as read."""
    raw = store.storage.read()
    h = hashlib.sha1(f"{RULES}\0{stamp}\0{last}\0{store.legacy_coder}\0".encode())
    for table in TABLES:
        h.update(json.dumps(raw.get(table, {}), ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()


TABLES = ("articles", "highlights", "corrections")
"""What anchoring changes."""


def _documents(store: Store) -> dict[str, dict[str, Any]]:
    """A copy of the documents anchoring may change (to tell what it changed)."""
    raw = store.storage.read()
    return {t: json.loads(json.dumps(raw.get(t, {}))) for t in TABLES}


def _changes(before: dict[str, dict[str, Any]], store: Store) -> list[tuple[str, str, Any]]:
    """The documents anchoring changed, added (a document) or removed (None)."""
    raw = store.storage.read()
    out: list[tuple[str, str, Any]] = []
    for t in TABLES:
        was, now = before[t], raw.get(t, {})
        out += [(t, k, None) for k in was if k not in now]
        out += [(t, k, d) for k, d in now.items() if was.get(k) != d]
    return out


def _found_file(lib: Library, store: Store) -> Path:
    db = str(store.storage.path.resolve())
    return _cache(lib) / f"found-{hashlib.sha1(db.encode()).hexdigest()[:12]}.json"


def _cached(lib: Library, store: Store, key: str) -> list[tuple[str, str, Any]] | None:
    """The updates an earlier read-only session planned for exactly this state, or None."""
    try:
        got = json.loads(_found_file(lib, store).read_text(encoding="utf-8"))
        if got.get("key") != key:
            return None
        return [(str(t), str(k), d) for t, k, d in got["updates"]]
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _keep(lib: Library, store: Store, key: str, updates: list[Any]) -> None:
    """Keep a read-only session's updates for the next (one state per database)."""
    try:
        text = json.dumps({"key": key, "updates": updates}, ensure_ascii=False)
        _write(_found_file(lib, store), text.encode())
    except (OSError, TypeError, ValueError):
        pass


def _forget(lib: Library, store: Store) -> None:
    try:
        _found_file(lib, store).unlink(missing_ok=True)
    except OSError:
        pass


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: another command may be reading it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# -- what the user is told


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
        places = whereabouts(report.orphaned)
        out.append(
            f"{_n(len(report.orphaned), 'coding')} lost their article or their passage's text "
            f"(pages gone, renamed or changed{': ' + places if places else ''}): kept as orphans "
            f"(`piyue orphans`, O in the reader); they re-attach when the pages return{where}"
        )
    if report.moved:
        line = f"{_n(report.moved, 'coding')} moved with their text: pages changed"
        if report.elsewhere:  # said where: a coding on another page is checked by the user
            was = whereabouts(a for a, _ in report.elsewhere)
            now = whereabouts(b for _, b in report.elsewhere)
            if was != now:
                line += f"; {len(report.elsewhere)} to pages renamed or moved ({was} → {now})"
            else:  # pages of one folder swapped or renumbered: which article went where
                named = _named(f"{a} → {b}" for a, b in report.elsewhere)
                line += (
                    f"; {len(report.elsewhere)} to another article whose page now holds "
                    f"their text (pages swapped or renumbered: {named})"
                )
        if report.renumbered:  # same headline, numbered by position: which went where
            named = _named(f"{a} → {b}" for a, b in report.renumbered)
            line += (
                f"; {len(report.renumbered)} to the item of the same headline now holding "
                f"their text (an item added or removed above: {named})"
            )
        out.append(line + where)
    out += _describe_fixes(report, where)
    return out


PLACES = 3
"""Places an orphan notice names before "and N more"."""


def _describe_fixes(report: Reanchored, where: str) -> list[str]:
    """What happened to boundary corrections whose page was renamed, gone or back."""
    out = []
    if report.fixes_moved:
        n = len(report.fixes_moved)
        out.append(
            f"{_n(n, 'boundary correction')} followed {'its page' if n == 1 else 'their pages'}"
            f" to a new name: {_named(f'{a} → {b}' for a, b in report.fixes_moved)}{where}"
        )
    if report.fixes_orphaned:
        n = len(report.fixes_orphaned)
        out.append(
            f"{_n(n, 'boundary correction')} lost {'its page' if n == 1 else 'their pages'} "
            f"({_named(report.fixes_orphaned)}: gone, or renamed and changed): kept as "
            f"orphans (`piyue orphans`); they apply again when the pages return{where}"
        )
    if report.fixes_found:
        out.append(
            f"{_n(report.fixes_found, 'boundary correction')} apply again: their pages are "
            f"back{where}"
        )
    return out


def _named(items: Iterable[str]) -> str:
    """A few distinct items, then "and N more"."""
    got = list(dict.fromkeys(items))
    more = f" and {len(got) - PLACES} more" if len(got) > PLACES else ""
    return ", ".join(got[:PLACES]) + more


def whereabouts(article_ids: Iterable[str]) -> str:
    """Where codings were, compactly: the deepest folders that name them in at most a few
    places, with how many codings each — the day's folder, or ``河南日报/2015/03/ 505`` when
    a month went away, not only the paper; a page of the corpus's top folder by its id."""
    pages = Counter(page_of_id(a) or a for a in article_ids)
    places, depth = pages, max((p.count("/") for p in pages), default=0)
    while depth > 0:  # the pages' folders, then up one until a few name them all
        places = Counter()
        for p, n in pages.items():
            parts = p.split("/")
            places["/".join(parts[:depth]) + "/" if len(parts) > depth else p] += n
        if len(places) <= PLACES:
            break
        depth -= 1
    top = places.most_common(PLACES)
    text = ", ".join(f"{p} {n}" for p, n in top)
    more = len(places) - len(top)
    return f"{text} and {more} more" if more else text


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
