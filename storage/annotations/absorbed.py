"""What a merge took in, remembered on the article it went into, so that a split at the same
boundary gives each article its own tags, note and read state back (every coder's).

When a boundary correction merges article B into A, B's document (one per coder) is merged
into A's (``reattach.merge_article_docs``) or, when the coder had none for A, renamed to A.
Either way B's tags would stay on A for good once B is split off again.  So the merged
document keeps an ``absorbed`` list: B's document as it was, and what A's was before
(``into``; None when A had none).  Once B's article is back in the pages, its share is
taken out of A and given back to B — what was removed since the merge stays removed, what was
added to the merged article stays on A.  Pure functions over stored documents: the store
writes what they plan (in the correction's undo step).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from corpus.model import Article, Corpus
from storage.annotations.history import State
from storage.annotations.model import copy_doc
from storage.annotations.reattach import merge_article_docs

KEY = "absorbed"

Doc = dict[str, Any]

_NONE = {"tags": [], "note": "", "read": False, "starred": False}


def _share(doc: Doc | None) -> Doc | None:
    """The parts of an article document that a merge combines (a copy)."""
    if doc is None:
        return None
    return copy.deepcopy({k: doc.get(k, _NONE[k]) for k in _NONE})


def remember(plan: list[State], before: dict[str, Doc], corpus: Corpus) -> list[State]:
    """``plan`` (re-attachment's updates) with every merge of one article's document into
    another's, or onto another article's text, remembered on the document it went to."""
    latest: dict[str, Doc | None] = dict(before)
    out: list[State] = []
    out_before: Doc | None = None  # the previous update's document before it
    for table, key, doc in plan:
        if table != "articles":
            out.append((table, key, doc))
            continue
        old = latest.get(key)
        if doc is None and old is not None and out and out[-1][0] == "articles":
            # a merge: re-attachment puts the merged document right before deleting this one
            _t, into_key, merged = out[-1]
            if merged is not None:
                entry = {"doc": copy_doc(old), "into": _share(out_before)}
                merged = {**merged, KEY: [*merged.get(KEY, []), entry]}
                out[-1] = ("articles", into_key, merged)
                latest[into_key] = merged
        elif doc is not None and old is not None and _taken_in(old, doc, corpus):
            doc = {**doc, KEY: [{"doc": copy_doc(old), "into": None}]}
        out_before = latest.get(key)
        latest[key] = doc
        out.append((table, key, doc))
    return out


def _taken_in(old: Doc, new: Doc, corpus: Corpus) -> bool:
    """The document moved onto an article that took its text in with more before it (a
    merge), not onto the same article under a new id (a re-read page, a corrected title)."""
    if old["article_id"] == new["article_id"] or corpus.article(old["article_id"]) is not None:
        return False
    target = corpus.article(new["article_id"])
    head = str(old.get("head", ""))
    return bool(target is not None and head and head in target.text[1:])


def restore(
    articles: dict[str, Doc],
    corpus: Corpus,
    legacy: str,
    new_key: Callable[[], str],
) -> list[State]:
    """The updates that give each absorbed article its share back once it is a separate
    article of the page again (or move that share on, when what it sits in now is another
    article: A+B+C split between A and B gives B+C the share of C)."""

    def who(d: Doc) -> str:
        return str(d.get("coder") or legacy)

    latest: dict[str, Doc | None] = dict(articles)
    key_of = {(d["article_id"], who(d)): k for k, d in articles.items()}
    out: list[State] = []

    def put(key: str, doc: Doc | None) -> None:
        was = latest.get(key)
        if was is not None:
            key_of.pop((was["article_id"], who(was)), None)
        if doc is not None:
            key_of[(doc["article_id"], who(doc))] = key
        latest[key] = doc
        out.append(("articles", key, doc))

    def give(dest: Article, part: Doc) -> None:
        """The share onto ``dest``: its own article back (as it was, with what is left), or
        merged into what took it in now (remembered there, to be split off again)."""
        home = part["article_id"] == dest.id
        at = key_of.get((dest.id, who(part)))
        there = latest.get(at) if at is not None else None
        if there is None:
            doc = part if home else {**part, "article_id": dest.id, "issue_id": dest.issue_id}
            if not home:
                doc[KEY] = [{"doc": part, "into": None}]
            put(new_key(), doc)
            return
        merged = merge_article_docs(there, part)
        if not home:
            merged[KEY] = [*there.get(KEY, []), {"doc": part, "into": _share(there)}]
        put(str(at), merged)

    for k in list(articles):
        doc = latest.get(k)
        if doc is None or not doc.get(KEY):
            continue
        art = corpus.article(doc["article_id"])
        if art is None:
            continue
        for entry in list(doc[KEY]):
            dest = _destination(entry["doc"], art, corpus)
            cur = latest.get(k)
            if dest is None or cur is None:
                continue
            rest, part = _take(cur, entry)
            put(k, rest)
            give(dest, part)
    return out


def _destination(old: Doc, art: Article, corpus: Corpus) -> Article | None:
    """Where an absorbed article's share goes now: its own article, back on the page; or the
    one other article of the page that took its text in; None while it is still in ``art``."""
    page = corpus.issue_of(art)
    own = corpus.article(old["article_id"])
    if own is not None and own.id != art.id and own.issue_id == art.issue_id:
        return own
    head = str(old.get("head", ""))
    if not head or head in art.text:
        return None
    hits = [a for a in page.articles if a.id != art.id and head in a.text]
    return hits[0] if len(hits) == 1 else None


def _take(cur: Doc, entry: Doc) -> tuple[Doc | None, Doc]:
    """``cur`` without what ``entry`` brought in (None: nothing left of a document the merge
    created), and that share: the absorbed document with what is still on ``cur``."""
    old: Doc = entry["doc"]
    into: Doc = entry["into"] or _NONE
    tags_now = list(cur.get("tags", []))
    brought = [t for t in old.get("tags", []) if t not in into.get("tags", [])]
    note_now, own_note, its_note = cur.get("note", ""), into.get("note", ""), old.get("note", "")
    rest_note, part_note = note_now, ""
    if its_note and its_note in note_now:
        part_note = its_note
        if its_note != own_note:
            joined = "\n\n".join(dict.fromkeys(n for n in (own_note, its_note) if n))
            if note_now == joined:
                rest_note = own_note
            elif f"\n\n{its_note}" in note_now:
                rest_note = note_now.replace(f"\n\n{its_note}", "", 1)
            else:
                rest_note = note_now.replace(its_note, "", 1).strip("\n")
    rest = {**cur, "tags": [t for t in tags_now if t not in brought], "note": rest_note}
    for flag in ("read", "starred"):
        if bool(cur.get(flag)) == bool(into.get(flag) or old.get(flag)):
            rest[flag] = bool(into.get(flag))
    left = [e for e in cur.get(KEY, []) if e != entry]
    if left:
        rest[KEY] = left
    else:
        rest.pop(KEY, None)
    part = {
        **copy_doc(old),
        "tags": [t for t in old.get("tags", []) if t in tags_now],
        "note": part_note,
        "orphan": False,
    }
    empty = not (rest["tags"] or rest["note"] or rest.get("read") or rest.get("starred"))
    if entry["into"] is None and empty and not left:
        return None, part
    return rest, part


def retag(doc: Doc, rewrite: Callable[[list[str]], list[str]]) -> list[Doc] | None:
    """``doc``'s absorbed documents with a code renamed or merged away (``rewrite``), None
    when that changes nothing: split off later, an article gets its codes by today's names."""
    entries = doc.get(KEY)
    if not entries:
        return None
    out = []
    for e in entries:
        e = copy_doc(e)
        for part in (e["doc"], e["into"]):
            if part is not None:
                part["tags"] = rewrite(list(part.get("tags", ())))
                if part is e["doc"] and part.get(KEY):
                    part[KEY] = retag(part, rewrite) or part[KEY]
        out.append(e)
    return None if out == entries else out
