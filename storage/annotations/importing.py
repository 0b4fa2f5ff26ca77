"""Importing another coder's JSON Lines export (``piyue import``).

By default the file's codings stay the coder's named in its provenance (or ``as_coder``):
kept apart from yours, so the two opinions can be compared and settled.  ``merge`` is the
old union into your own codings.  Either way re-importing the same file changes nothing,
and nothing is dropped silently: an article this corpus does not have, or a passage whose
quote is not in its article, is kept as an orphan and reported.

Control characters (ESC, BEL…) — a file from elsewhere may hold them: free text (article and
passage notes, code descriptions) is kept exactly as written, as ``piyue note`` keeps it, and
every output made for people shows them as pictures (the command line strips them, Markdown
shows ␛); a *name* (a code, a coder) cannot hold them, so instead of refusing the whole file
such a name comes in with its control characters as pictures (ESC → ␛), reported per line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corpus.model import Article, Corpus
from storage.annotations.coders import clean_coder
from storage.annotations.model import MAX_NOTE, REMOVED, Highlight, clean_colour, clean_tag
from storage.errors import AnnotationError
from storage.printable import has_control, visible

if TYPE_CHECKING:
    from storage.annotations.store import Store


@dataclass
class ImportReport:
    articles: int = 0
    tags_added: int = 0
    tags_left_out: int = 0
    """Tags the record has that were removed here after its ``updated`` time: not brought back."""
    withdrawn: int = 0
    """The coder's codings here (tags, passages, a passage's codes) that their newer record
    no longer has: removed, as they withdrew them."""
    codes_left_out: list[str] = field(default_factory=list)
    """Codes the file defines that were renamed or deleted here after it was exported: not
    defined again."""
    notes_set: int = 0
    notes_conflicts: int = 0
    highlights_added: int = 0
    codes_defined: int = 0
    """Codes the file defined that this codebook did not have (with parent, colour, text)."""
    skipped: list[str] | None = field(default_factory=list)
    """Lines that are not piyue records (nothing of them could be kept)."""
    coders: list[str] = field(default_factory=list)
    """Whose the imported codings now are (yours with ``merge``)."""
    orphans: list[str] = field(default_factory=list)
    """What was kept as an orphan: articles not in this corpus, passages not found."""
    found_again: int = 0
    """Codings kept as orphans at first, then found again by their text on a page renamed or
    moved since the export (``workspace.exchange.import_file``)."""
    merged: bool = False
    renamed: list[str] = field(default_factory=list)
    """Names (codes, coders) that held control characters, brought in with their pictures."""


class _Names:
    """Names of one file made storable: control characters as pictures, each change reported
    once with the first line it was met on."""

    def __init__(self, rep: ImportReport) -> None:
        self.rep = rep
        self.seen: set[str] = set()

    def __call__(self, name: str, lineno: int, what: str = "code") -> str:
        if not has_control(name):
            return name
        shown = visible(name).replace("\n", "␊").replace("\t", "␉")
        if name not in self.seen:
            self.seen.add(name)
            self.rep.renamed.append(
                f"line {lineno}: {what} name with control characters imported as {shown!r}"
            )
        return shown


def _records(data: str, rep: ImportReport) -> list[tuple[int, dict[str, Any]]]:
    out = []
    assert rep.skipped is not None
    for lineno, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or not isinstance(rec["id"], str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            rep.skipped.append(f"line {lineno}: not a piyue JSON Lines record")
            continue
        out.append((lineno, rec))
    return out


def _coder_of(rec: dict[str, Any]) -> str:
    prov = rec.get("provenance")
    name = prov.get("coder") if isinstance(prov, dict) else None
    return str(name or rec.get("coder") or "")


def import_jsonl(
    data: str, corpus: Corpus, store: Store, coder: str = "", merge: bool = False
) -> ImportReport:
    """Import a JSON Lines export: as the coder its records name (``coder`` overrides), or
    with ``merge`` into the current coder's codings.  One undo step, one journal write."""
    rep = ImportReport(merged=merge)
    recs = _records(data, rep)
    names = _Names(rep)
    for lineno, rec in recs:
        _clean_names(rec, lineno, names)
    who_of: list[str] = []
    for lineno, rec in recs:
        who = store.coder if merge else (coder or names(_coder_of(rec), lineno, "coder"))
        if not who:
            raise AnnotationError(
                f"line {lineno} names no coder (exported without --coder): import with "
                "--as-coder NAME, or --merge into your own codings"
            )
        try:
            who_of.append(clean_coder(who))
        except AnnotationError as exc:
            raise AnnotationError(f"line {lineno}: {exc}; nothing was imported") from exc
    rep.coders = sorted(set(who_of))
    if not recs:
        return rep
    backup = store.storage.backup_before("import")
    store.last_backup = backup
    before = _state(store)
    with store.batch("import"):
        _define_codes(recs, store, rep)
        for (lineno, rec), who in zip(recs, who_of, strict=True):
            with store.as_coder(who):
                try:
                    _one(rec, lineno, corpus, store, rep, merge)
                except AnnotationError as exc:  # the whole file is refused: say where
                    raise AnnotationError(f"line {lineno}: {exc}; nothing was imported") from exc
    if _state(store) == before:  # nothing changed (the same file again): no backup of it,
        backup.unlink(missing_ok=True)  # which would push a real one out of the ten kept
        store.last_backup = None  # (tester E, E9.3)
    return rep


def _state(store: Store) -> str:
    """The codings as one string, to tell whether an import changed anything."""
    raw = store.storage.read() or {}
    return json.dumps(
        {t: raw.get(t, {}) for t in ("articles", "highlights", "tags")}, sort_keys=True
    )


def _clean_names(rec: dict[str, Any], lineno: int, names: _Names) -> None:
    """The record's code names (its tags, its passages', its code definitions and their
    parents) with control characters as pictures, in place."""
    if isinstance(rec.get("tags"), list):
        rec["tags"] = [names(str(t), lineno) for t in rec["tags"]]
    for h in rec.get("highlights") or []:
        if isinstance(h, dict) and isinstance(h.get("tags"), list):
            h["tags"] = [names(str(t), lineno) for t in h["tags"]]
    for c in rec.get("codes") or []:
        if isinstance(c, dict):
            for key in ("name", "parent"):
                if isinstance(c.get(key), str):
                    c[key] = names(c[key], lineno)


def _define_codes(recs: list[tuple[int, dict[str, Any]]], store: Store, rep: ImportReport) -> None:
    """Codes the file defines (``codes`` of its records: name, parent, colour, description)
    that this codebook does not have yet, defined as the file has them, parents first.  A code
    this codebook has keeps its own definition: the user's codebook wins."""
    have = {d.name for d in store.tag_defs()}
    gone: dict[str, float] = {}  # code → when it last left an article here (renamed, deleted)
    for d in store._raw("articles").values():
        for t, at in (d.get(REMOVED) or {}).items():
            gone[t] = max(gone.get(t, 0.0), float(at))
    for _lineno, rec in recs:
        codes = rec.get("codes")
        if not isinstance(codes, list):
            continue
        when = _when(rec)
        for c in codes:
            if not isinstance(c, dict) or not isinstance(c.get("name"), str):
                continue
            try:
                name = clean_tag(c["name"])
                if name in have:
                    continue
                if when is not None and gone.get(name, 0.0) > when:
                    if name not in rep.codes_left_out:
                        rep.codes_left_out.append(name)
                    continue
                parent = str(c.get("parent") or "")
                colour = str(c.get("colour") or "")
                try:
                    clean_colour(colour)
                except AnnotationError:
                    colour = ""
                store.define_tag(
                    name,
                    colour,
                    str(c.get("description") or "")[:MAX_NOTE],
                    parent if parent in have else "",
                )
            except AnnotationError:
                continue  # a name this codebook cannot hold: its codings still come in
            have.add(name)
            rep.codes_defined += 1


def _when(rec: dict[str, Any]) -> float | None:
    """When the record's codings were last changed (None: an older export does not say)."""
    when = rec.get("updated")
    if isinstance(when, int | float) and not isinstance(when, bool):
        return float(when)
    return None


def _one(
    rec: dict[str, Any], lineno: int, corpus: Corpus, store: Store, rep: ImportReport, merge: bool
) -> None:
    aid = str(rec["id"])
    tags = [str(t) for t in rec.get("tags") or []]
    theirs = str(rec.get("note") or "")
    art = corpus.article(aid) or _by_title(corpus, rec)
    if art is None:
        fp = rec.get("fingerprint") if isinstance(rec.get("fingerprint"), dict) else {}
        text = str(rec.get("text") or "")
        store.keep_orphan(
            aid,
            str(rec.get("issue") or ""),
            str(rec.get("title") or (fp or {}).get("title") or ""),
            text[:40],
            str((fp or {}).get("text_hash") or ""),
            tags,
            theirs,
            bool(rec.get("read")) and not merge,
            bool(rec.get("starred")) and not merge,
        )
        for h in rec.get("highlights") or []:
            store.keep_orphan_passage(
                aid,
                int(h.get("start", 0)),
                int(h.get("end", 0)),
                str(h.get("quote", "")),
                str(h.get("prefix", "")),
                str(h.get("suffix", "")),
                [str(t) for t in h.get("tags") or []],
                str(h.get("note") or ""),
            )
        rep.orphans.append(f"line {lineno}: article {aid} is not in this corpus (kept as orphan)")
        return
    rep.articles += 1
    here = store.notes(art.id, {store.coder})
    have = set(here.tags)
    new_tags = [t for t in dict.fromkeys(tags) if t not in have]
    when = _when(rec)
    # the record is the coder's own later word on the article (a corrected export): what it
    # no longer has, they withdrew — not when merging into yours, nor from an older export
    replace = not merge and when is not None and when > here.updated
    if replace and (dropped := [t for t in have if t not in tags]):
        store.remove_tags(art, dropped)
        rep.withdrawn += len(dropped)
    if when is not None:  # an older export
        gone = store.removed_since(art.id, when)
        rep.tags_left_out += sum(t in gone for t in new_tags)
        new_tags = [t for t in new_tags if t not in gone]
    if new_tags:
        store.add_tags(art, new_tags)
        rep.tags_added += len(new_tags)
    author = _coder_of(rec)
    mine = store.notes(art.id, {store.coder}).note
    if theirs and theirs != mine and theirs not in mine:
        if mine:
            who = author or "another coder"
            store.set_note(art, f"{mine}\n\n--- 来自 {who} (imported) ---\n{theirs}")
            rep.notes_conflicts += 1
        elif merge and author and author != store.coder:
            store.set_note(art, f"{author}: {theirs}")  # merged into yours, still theirs
        else:
            store.set_note(art, theirs)
        rep.notes_set += 1
    if not merge:
        if rec.get("read"):
            store.set_read(art, True, undoable=False)
        if rec.get("starred") and not store.notes(art.id, {store.coder}).starred:
            store.set_starred(art, True)
    _passages(rec, lineno, art, store, rep, replace, author if merge else "")


def _passages(
    rec: dict[str, Any],
    lineno: int,
    art: Article,
    store: Store,
    rep: ImportReport,
    replace: bool = False,
    author: str = "",
) -> None:
    existing = {(h.start, h.end, h.quote): h for h in store.highlights(art.id, {store.coder})}
    in_file: dict[tuple[int, int, str], set[str]] = {}
    for h in rec.get("highlights") or []:
        quote = str(h.get("quote", ""))
        codes = [str(t) for t in h.get("tags") or []]
        note = str(h.get("note") or "")
        if note and author and author != store.coder:
            note = f"{author}: {note}"  # merged: whose passage note it was (import --merge)
        s, e = int(h.get("start", -1)), int(h.get("end", -1))
        if not (0 <= s < e) or art.text[s:e] != quote:
            i = art.text.find(quote) if quote else -1
            if i < 0:
                if store.keep_orphan_passage(
                    art.id,
                    s,
                    e,
                    quote,
                    str(h.get("prefix", "")),
                    str(h.get("suffix", "")),
                    codes,
                    note,
                ):
                    rep.orphans.append(
                        f"line {lineno}: passage «{quote[:20]}» not found in {art.id} "
                        "(kept as orphan)"
                    )
                continue
            s, e = i, i + len(quote)
        in_file.setdefault((s, e, quote), set()).update(codes)
        old = existing.get((s, e, quote))
        if old is not None:
            more = [t for t in codes if t not in old.tags]
            if not more and (not note or note in old.note):
                continue
            new = store.add_highlight(art, s, e, more, "" if note in old.note else note)
        else:
            new = store.add_highlight(art, s, e, codes, note)
            rep.highlights_added += 1
        existing[(s, e, quote)] = new
    if replace:
        _withdraw(existing, in_file, store, rep)


def _withdraw(
    existing: dict[tuple[int, int, str], Highlight],
    in_file: dict[tuple[int, int, str], set[str]],
    store: Store,
    rep: ImportReport,
) -> None:
    """The coder's passages here that their newer record lacks go, and so do the codes a
    passage has here but not in the record (its note stays with it)."""
    for key, h in existing.items():
        if h.orphan:
            continue
        if key not in in_file:
            store.delete_highlight(h.id)
            rep.withdrawn += 1
        elif extra := [t for t in h.tags if t not in in_file[key]]:
            store.remove_highlight_tags(h.id, extra)
            rep.withdrawn += len(extra)


def _by_title(corpus: Corpus, rec: dict[str, Any]) -> Article | None:
    title = rec.get("title")
    if not title:
        return None
    for a in corpus.articles:
        if a.title == title and a.issue_id == rec.get("issue"):
            return a
    return None
