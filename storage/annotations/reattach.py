"""Re-attachment after a re-parse: find an annotated article again by its fingerprint (text
hash, title, opening, a close title) and a passage by its offsets, its quote with context, or
the quote nearest its old place.

Pure functions over the stored documents: they plan the updates, the store writes them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from corpus.model import Article, Corpus
from storage.annotations.history import State
from storage.annotations.model import CONTEXT, fingerprint


@dataclass
class Reanchored:
    """What finding the annotations again did: codings (an article's tags and note, or one
    passage) ``found`` again after being orphans, newly ``orphaned`` (by article id), and
    ``moved`` (new article or new offsets) — ``elsewhere`` those moved to another page
    (a page renamed or moved), ``renumbered`` those moved to another item of the same
    headline on their page (one added or removed above), as (old, new) article ids.
    ``fixes_moved``: boundary corrections that followed their page, as (old, new) page
    ids; ``fixes_orphaned`` the pages of those that lost it, ``fixes_found`` how many came
    back with their page."""

    found: int = 0
    moved: int = 0
    orphaned: list[str] = field(default_factory=list)
    elsewhere: list[tuple[str, str]] = field(default_factory=list)
    renumbered: list[tuple[str, str]] = field(default_factory=list)
    fixes_moved: list[tuple[str, str]] = field(default_factory=list)
    fixes_orphaned: list[str] = field(default_factory=list)
    fixes_found: int = 0

    def count(
        self, table: str, before: dict[str, Any] | None, after: dict[str, Any] | None
    ) -> None:
        """Count one planned document update (an article's document merged into another's
        counts once: as moved, not again as the one it went into)."""
        if table == "articles" and before and not (before.get("tags") or before.get("note")):
            return  # only read or starred: nothing to lose, not counted (``orphans``)
        was = bool(before and before.get("orphan"))
        now = bool(after and after.get("orphan"))
        if after is None:
            self.moved += 1
        elif was and not now:
            self.found += 1
        elif now and not was and before is not None:
            self.orphaned.append(str(before["article_id"]))
        elif not now and (
            table == "highlights" or before is None or before["article_id"] != after["article_id"]
        ):
            self.moved += 1
            old, new = str((before or after)["article_id"]), str(after["article_id"])
            if page_of_id(old) != page_of_id(new):
                self.elsewhere.append((old, new))
            elif old != new and same_headline(old, new):
                self.renumbered.append((old, new))


NUMBERED = re.compile(r"(-[0-9a-f]{8})-[0-9]+$")
"""The position number of an item whose headline an earlier item of its page has."""


def base_id(aid: str) -> str:
    """An article id without its position number (``PAGE-hash``)."""
    return NUMBERED.sub(r"\1", aid)


def page_of_id(aid: str) -> str:
    """The page an article id names (``PAGE-hash`` or ``PAGE-hash-N``)."""
    return base_id(aid).rpartition("-")[0]


def same_headline(a: str, b: str) -> bool:
    """Two ids of one page numbered apart only by position: the same headline (``简讯``)."""
    return base_id(a) == base_id(b)


MIN_HEAD = 8
"""Characters of an article's opening needed to recognise it inside another article."""


def plan_reattach(
    articles: dict[str, dict[str, Any]],
    highlights: dict[str, dict[str, Any]],
    corpus: Corpus,
    legacy: str = "",
    new_pages: Collection[str] = (),
) -> list[State]:
    """The document updates that move annotations of vanished article ids to their new
    articles and flag what cannot be found (``orphan``); unchanged documents are left out.

    A vanished article is looked for on its own page, and by its exact text only on
    ``new_pages``: pages that were not there when the codings were last anchored (a page
    renamed or moved, whose article ids all changed).  A reprint of the text on a page that
    was already there is another unit of analysis: the coding becomes an orphan instead,
    and re-attaches when its own page comes back.

    A vanished article whose text now sits inside another article of its page (a split
    undone, two parts merged) has its annotations merged into that article's.  Coders are
    kept apart: a coder's document moves onto (or merges into) that coder's document only;
    ``legacy`` is the coder of documents that name none."""
    by_issue: dict[str, list[Article]] = {}
    for issue in corpus.issues:
        by_issue[issue.id] = list(issue.articles)
    known = {a.id for a in corpus.articles}

    def who(d: dict[str, Any]) -> str:
        return str(d.get("coder") or legacy)

    key_of = {(d["article_id"], who(d)): k for k, d in articles.items()}
    latest = dict(articles)
    moved: dict[tuple[str, str], str] = {}
    moved_any: dict[str, str] = {}
    out: list[State] = []

    def put(table: str, key: str, doc: dict[str, Any] | None) -> None:
        out.append((table, key, doc))
        if table == "articles" and doc is not None:
            latest[key] = doc

    by_text: dict[str, list[Article]] = {}
    lost: dict[tuple[str, str], str] = {}

    def same_text(d: dict[str, Any]) -> Article | None:
        """The one article of a new page with the document's text (hashed once); when
        several have it (a page scanned twice, a reprint), the one in the folder its page
        was in — else none: a coding does not move to whichever comes first (two copies
        renamed in their own date folders orphaned every coding: tester E, E8)."""
        if not by_text:
            for pid in new_pages:
                for a in by_issue.get(pid, ()):
                    by_text.setdefault(fingerprint(a)["text_hash"], []).append(a)
            by_text[""] = []
        found = by_text.get(str(d.get("text_hash", "")), [])
        if len(found) > 1:
            folder = _folder(str(d.get("issue_id", "")))
            found = [a for a in found if _folder(a.issue_id) == folder]
        return found[0] if len(found) == 1 else None

    followed = follow_text(articles, corpus, new_pages, who)
    for k, went in followed.items():
        d = articles[k]
        moved[(d["article_id"], who(d))] = moved_any[d["article_id"]] = went.id
        put(
            "articles",
            k,
            {**d, "article_id": went.id, "issue_id": went.issue_id, "orphan": False},
        )
    key_of = {(d["article_id"], who(d)): k for k, d in latest.items()}
    # articles still there first, so a merge below starts from their current document
    for k, d in sorted(articles.items(), key=lambda kv: kv[1]["article_id"] not in known):
        aid = d["article_id"]
        if k in followed:  # went with its text (above)
            continue
        c = who(d)
        if (now := corpus.article(aid)) is not None:
            # its id is there; only if its item now holds another text and its own was
            # taken into another item (a merge renumbered the items of one headline) does
            # it follow that, else it stays
            target, inside = None, _taken_in(d, now, by_issue.get(now.issue_id, []))
            if inside is None and _lost_item(d, now, by_issue.get(now.issue_id, [])):
                # its item was deleted and a sibling took its number: an orphan under an id
                # of its page no item has, so the number is free for the sibling's codings
                gone = lost_id(aid, str(d["text_hash"]))
                put("articles", k, {**d, "article_id": gone, "orphan": True})
                lost[(aid, c)] = moved[(aid, c)] = gone
                if key_of.get((aid, c)) == k:
                    del key_of[(aid, c)]
                key_of[(gone, c)] = k
                continue
            if inside is None or key_of.get((inside.id, c)) == k:
                if d.get("orphan"):
                    put("articles", k, {**d, "orphan": False})
                continue
        else:
            cands = by_issue.get(d.get("issue_id", ""), [])
            target = find_article(cands, d, fuzzy=False) or same_text(d)
            inside = containing_article(cands, d) if target is None else None
            if target is None and inside is None:  # last: a close title (merged text first)
                target = find_article(cands, d)
        if inside is not None and (inside.id, c) in key_of:
            into = key_of[(inside.id, c)]
            put("articles", into, merge_article_docs(latest[into], d))
            put("articles", k, None)
            moved[(aid, c)] = moved_any[aid] = inside.id
            if key_of.get((aid, c)) == k:
                del key_of[(aid, c)]  # its id is free for another document
            continue
        target = target or inside
        if target is None or (target.id, c) in key_of:
            if not d.get("orphan"):
                put("articles", k, {**d, "orphan": True})
            continue
        moved[(aid, c)] = moved_any[aid] = target.id
        if key_of.get((aid, c)) == k:
            del key_of[(aid, c)]
        key_of[(target.id, c)] = k
        put(
            "articles",
            k,
            {**d, "article_id": target.id, "issue_id": target.issue_id, "orphan": False},
        )
    for k, d in list(highlights.items()):
        aid = moved.get((d["article_id"], who(d))) or moved_any.get(
            d["article_id"], d["article_id"]
        )
        art = corpus.article(aid)
        page = art.issue_id if art is not None else _page_of(aid, articles, key_of, who(d))
        found = find_passage(art, by_issue.get(page, []), d)
        if found is None:
            item_gone = lost.get((d["article_id"], who(d)))
            if item_gone is not None:  # with its deleted item
                put("highlights", k, {**d, "article_id": item_gone, "orphan": True})
            elif not d.get("orphan"):
                put("highlights", k, {**d, "orphan": True})
            continue
        aid, new = found
        if new != (d["start"], d["end"]) or aid != d["article_id"] or d.get("orphan"):
            put(
                "highlights",
                k,
                {**d, "article_id": aid, "start": new[0], "end": new[1], "orphan": False},
            )
    return out


def _folder(page_id: str) -> str:
    """The folder of a page id (``报/2020/01/02`` of ``报/2020/01/02/01``)."""
    return page_id.rpartition("/")[0]


def follow_text(
    articles: dict[str, dict[str, Any]],
    corpus: Corpus,
    new_pages: Collection[str],
    who: Callable[[dict[str, Any]], str],
) -> dict[str, Article]:
    """Documents whose article id is still there but no longer holds their text, which
    now sits in exactly one other article (key → that article): two pages swapped (a
    renumbering fix) — the other article's own text changed too — or the text moved to a
    page that is new.  The codings go with the text they were made on; none moves when
    two documents of a coder would land on one article, or onto one that stays.

    Items of one headline on a page (``简讯``) are numbered by position, so one added above
    renumbers the rest: a document whose item now holds another text (its opening is not
    even close: not an edit) may also go to the one item of its headline holding its text."""
    current = {a.id: a for a in corpus.articles}
    drifted = {
        k: d
        for k, d in articles.items()
        if (a := current.get(d["article_id"])) is not None
        and d.get("text_hash")
        and fingerprint(a)["text_hash"] != d["text_hash"]
    }
    if not drifted:
        return {}
    pool = {a.id: a for i in corpus.issues if i.id in new_pages for a in i.articles}
    pool.update((d["article_id"], current[d["article_id"]]) for d in drifted.values())
    by_hash: dict[str, list[Article]] = {}
    for a in pool.values():
        by_hash.setdefault(fingerprint(a)["text_hash"], []).append(a)
    siblings = _numbered(corpus, drifted.values(), current)

    def hits(d: dict[str, Any]) -> list[Article]:
        here = current[d["article_id"]]
        found = {  # another article of its own page only as an item of its headline (below)
            a.id: a
            for a in by_hash.get(str(d["text_hash"]), [])
            if a.issue_id != here.issue_id or a.id == here.id
        }
        if _another_text(current[d["article_id"]], str(d.get("head", ""))):
            group = siblings.get(base_id(d["article_id"]), ())
            found.update((a.id, a) for a in group if fingerprint(a)["text_hash"] == d["text_hash"])
        return list(found.values())

    go = {
        k: got[0]
        for k, d in drifted.items()
        if len(got := hits(d)) == 1 and got[0].id != d["article_id"]
    }
    while True:  # drop moves that would collide until none does
        staying = {(d["article_id"], who(d)) for k, d in articles.items() if k not in go}
        landing = Counter((a.id, who(articles[k])) for k, a in go.items())
        bad = {
            k
            for k, a in go.items()
            if (a.id, who(articles[k])) in staying or landing[(a.id, who(articles[k]))] > 1
        }
        if not bad:
            return go
        go = {k: a for k, a in go.items() if k not in bad}


def _taken_in(d: dict[str, Any], now: Article, page: list[Article]) -> Article | None:
    """The other article of its page that took a document's text in, when the article its
    id names now holds another text (not an edit of its own)."""
    if not d.get("text_hash") or fingerprint(now)["text_hash"] == d["text_hash"]:
        return None
    if not _another_text(now, str(d.get("head", ""))):
        return None
    return containing_article((a for a in page if a.id != now.id), d)


def lost_id(aid: str, text_hash: str) -> str:
    """The id a deleted item's codings keep as orphans: its page's and headline's, numbered
    by its text where no item is numbered (positions never start with 0)."""
    return f"{base_id(aid)}-0{int(text_hash[:8], 16)}"


def _lost_item(d: dict[str, Any], now: Article, page: list[Article]) -> bool:
    """An item of a run of one headline (简讯) whose number another item holds now, its own
    text nowhere on the page: it was deleted, and its codings belong to no other item."""
    if not d.get("text_hash") or fingerprint(now)["text_hash"] == d["text_hash"]:
        return False
    run = NUMBERED.search(now.id) is not None or any(
        a.id != now.id and same_headline(a.id, now.id) for a in page
    )
    return run and not holds_its_text(now, d) and containing_article(page, d) is None


SAME_OPENING = 0.5
"""How alike (difflib's ratio) an item's opening must stay to count as edited in place."""


def holds_its_text(now: Article, d: dict[str, Any]) -> bool:
    """Whether an article still holds the text a document was coded on: the same opening
    (or close: an edit), or that opening inside it (a merge took it in)."""
    head = str(d.get("head", ""))
    return not _another_text(now, head) or (len(head) >= MIN_HEAD and head in now.text)


def _another_text(now: Article, head: str) -> bool:
    """Whether an item's opening is unlike the one it was coded with (another item's)."""
    if not head:
        return False
    return SequenceMatcher(None, now.text[: len(head)], head).ratio() < SAME_OPENING


def _numbered(
    corpus: Corpus, drifted: Iterable[dict[str, Any]], current: dict[str, Article]
) -> dict[str, list[Article]]:
    """The items sharing a headline with a drifted document's item on its page (by the id
    without position number); only for headlines given to more than one item."""
    wanted = {current[d["article_id"]].issue_id for d in drifted}
    groups: dict[str, list[Article]] = {}
    for issue in corpus.issues:
        if issue.id in wanted:
            for a in issue.articles:
                groups.setdefault(base_id(a.id), []).append(a)
    return {b: g for b, g in groups.items() if len(g) > 1}


def _page_of(
    aid: str,
    articles: dict[str, dict[str, Any]],
    key_of: dict[tuple[str, str], str],
    coder: str,
) -> str:
    """The page a vanished article was on: its document says, else its id (``PAGE-hash``)."""
    k = key_of.get((aid, coder))
    doc = articles.get(k) if k is not None else None
    if doc is not None and doc.get("issue_id"):
        return str(doc["issue_id"])
    return page_of_id(aid)


def find_passage(
    art: Article | None, page: list[Article], d: dict[str, Any]
) -> tuple[str, tuple[int, int]] | None:
    """(article id, offsets) of a passage after its page changed: in its own article by
    offsets or quote with context; else in the one other article of the page holding the
    quote with context (a split moved it, a merge took it in); else the quote alone — in its
    own article first, then in the one article of the page that has it."""
    if art is not None and (got := reanchor(art, d, context_only=True)) is not None:
        return art.id, got
    others = [a for a in page if art is None or a.id != art.id]
    ctx = d.get("prefix", "") + d["quote"] + d.get("suffix", "")
    hits = [a for a in others if ctx in a.text]
    if len(hits) == 1 and (got := reanchor(hits[0], d)) is not None:
        return hits[0].id, got
    if art is not None and (got := reanchor(art, d)) is not None:
        return art.id, got
    hits = [a for a in others if d["quote"] in a.text]
    if len(hits) == 1 and (got := reanchor(hits[0], d)) is not None:
        return hits[0].id, got
    return None


def containing_article(candidates: Iterable[Article], d: dict[str, Any]) -> Article | None:
    """The one article of the page whose text contains the vanished article's opening."""
    head = str(d.get("head", ""))
    if len(head) < MIN_HEAD:
        return None
    hits = [a for a in candidates if head in a.text]
    return hits[0] if len(hits) == 1 else None


def merge_article_docs(into: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """One article's annotations with another's added: tags of both, both notes, read or
    starred if either was."""
    notes = [n for n in (into.get("note", ""), other.get("note", "")) if n]
    return {
        **into,
        "tags": list(dict.fromkeys([*into.get("tags", ()), *other.get("tags", ())])),
        "note": "\n\n".join(dict.fromkeys(notes)),
        "read": bool(into.get("read") or other.get("read")),
        "starred": bool(into.get("starred") or other.get("starred")),
        "updated": max(float(into.get("updated", 0)), float(other.get("updated", 0))),
        "orphan": False,
    }


def find_article(
    candidates: Iterable[Article],
    d: dict[str, Any],
    same_text_only: bool = False,
    fuzzy: bool = True,
) -> Article | None:
    """The article a stored document names: same text, same title, same opening, and with
    ``fuzzy`` a close title (an OCR re-run changed a character)."""
    cands = list(candidates)
    for a in cands:
        if fingerprint(a)["text_hash"] == d.get("text_hash"):
            return a
    if same_text_only:
        return None
    title = "".join(str(d.get("title", "")).split())
    for a in cands:
        if title and "".join(a.title.split()) == title:
            return a
    for a in cands:
        if d.get("head") and a.text.startswith(d["head"]):
            return a
    if not fuzzy:
        return None
    # OCR re-runs change a character here and there: a close title still identifies it.
    best, score = None, 0.0
    for a in cands:
        other = "".join(a.title.split())
        if title and other:
            j = len(set(title) & set(other)) / len(set(title) | set(other))
            if j > score:
                best, score = a, j
    return best if score >= 0.75 else None


def reanchor(
    article: Article, d: dict[str, Any], context_only: bool = False, told: bool = False
) -> tuple[int, int] | None:
    """Find a passage again: same offsets, else quote with context, else (unless
    ``context_only``) the quote alone, else the quote up to punctuation width and spacing —
    alone, only where some of its old neighbours are still beside it, unless ``told`` (the
    user attaches the passage to this article: its quote anywhere there will do)."""
    need = 0 if told else MIN_AGREEMENT
    text = article.text
    quote = d["quote"]
    s, e = int(d["start"]), int(d["end"])
    if text[s:e] == quote:
        return s, e
    ctx = d.get("prefix", "") + quote + d.get("suffix", "")
    i = text.find(ctx)
    if i >= 0:
        s = i + len(d.get("prefix", ""))
        return s, s + len(quote)
    if not context_only and quote and quote in text:
        # the occurrence whose neighbours still read as the passage's did, nearest the old
        # place among equals; none that does: not this passage (the coded words were
        # corrected and another 军民融合 a sentence on is a different claim)
        agree, _, first = max(  # (ties: the first occurrence, as before)
            (_agreement(text, x, x + len(quote), d), -abs(x - s), -x)
            for x in (m.start() for m in re.finditer(re.escape(quote), text))
        )
        return (-first, -first + len(quote)) if agree >= need else None
    if not context_only:
        got = _refound_folded(text, quote, int(d["start"]))
        if got is not None and _agreement(text, *got, d) >= need:
            return got
    return None


MIN_AGREEMENT = 2
"""Characters of a passage's old neighbours (either side, punctuation width and spacing
aside) that must still stand next to a quote found elsewhere for it to be the passage."""


def _agreement(text: str, start: int, end: int, d: dict[str, Any]) -> int:
    """How many characters next to ``text[start:end]`` are still the passage's old
    neighbours: the end of its prefix before, the start of its suffix after."""
    before, _ = _folded(text[max(0, start - CONTEXT) : start])
    after, _ = _folded(text[end : end + CONTEXT])
    prefix, _ = _folded(str(d.get("prefix", "")))
    suffix, _ = _folded(str(d.get("suffix", "")))
    n = 0
    while n < min(len(before), len(prefix)) and before[-1 - n] == prefix[-1 - n]:
        n += 1
    m = 0
    while m < min(len(after), len(suffix)) and after[m] == suffix[m]:
        m += 1
    if not prefix and not suffix:
        return MIN_AGREEMENT  # nothing to judge by (an old record): as before
    if (not prefix and start == 0) or (not suffix and end == len(text)):
        return max(n + m, MIN_AGREEMENT)  # at the text's edge, where it was
    return n + m


_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {
    ord(a): b for a, b in zip("“”‘’", "\"\"''", strict=True)
}
"""Full-width forms as ASCII (，→, ；→; （→( ０→0) and curly quotes as straight: what two OCR
runs of one page most often differ in."""


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` with punctuation width folded and whitespace left out, and where each of its
    characters stands in ``text``."""
    keep = [i for i, c in enumerate(text) if not c.isspace()]
    return "".join(text[i] for i in keep).translate(_FOLD), keep


def _refound_folded(text: str, quote: str, near: int) -> tuple[int, int] | None:
    """The quote, nearest ``near``, where the text differs from it only in punctuation width
    or spacing (a page OCR'd again: ，→, and a line break moved): the passage stays coded."""
    q, _ = _folded(quote)
    if len(q) < 2:
        return None
    folded, at = _folded(text)
    starts = [m.start() for m in re.finditer(re.escape(q), folded)]
    if not starts:
        return None
    i = min(starts, key=lambda x: abs(at[x] - near))
    return at[i], at[i + len(q) - 1] + 1
