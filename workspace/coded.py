"""What every analysis query shares: the codebook's parent chains, expressions over codes,
the store read in bulk through its public API, and retrieved items with their places.

Retrieval (``workspace.retrieval``), co-occurrence and counts (``workspace.cooccur``) and
autocoding (``workspace.autocode``) build on this; ``workspace.analysis`` gathers them.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, cast

from corpus.model import Article, Corpus, Issue
from storage.annotations import Store, UnknownCode, parse_expression
from storage.annotations.expressions import ancestors, codebook_parents, widener

SortBy = Literal["date", "page", "code"]


# ---------------------------------------------------------------------------- the codebook


def parents_of(store: Store) -> dict[str, str]:
    """Code → its parent, for the codes that have one."""
    return codebook_parents(store.tag_defs())


def descendants(store: Store, code: str) -> set[str]:
    """``code`` and every code whose parent chain leads to it."""
    parents = parents_of(store)
    names = {t.name for t in store.tag_defs()}
    return {code} | {n for n in names if code in ancestors(parents, n)}


def expander(store: Store, children: bool) -> Callable[[Iterable[str]], set[str]]:
    """Tags → the set an expression is evaluated on (plus ancestors when children count)."""
    return widener(parents_of(store)) if children else set


def leaves(tree: Any) -> list[str]:
    """The code names an expression tree mentions."""
    if tree[0] == "tag":
        return [tree[1]]
    return [x for sub in tree[1:] for x in leaves(sub)]


def compile_expression(store: Store, expr: str) -> Any:
    """A code name (spaces and all) or a tag expression, as a tree; unknown codes refused."""
    known = {t.name for t in store.tag_defs()}
    name = " ".join(expr.split())
    tree = ("tag", name) if name in known else parse_expression(expr)
    unknown = [x for x in leaves(tree) if x not in known]
    if unknown:  # every code in use is normally in the codebook: look further only now
        known |= set(store.tag_counts())
        tree = ("tag", name) if name in known else tree
        unknown = [x for x in leaves(tree) if x not in known]
    if unknown:
        raise UnknownCode(f"unknown code: {', '.join(unknown)}")
    return tree


def check_where(store: Store, expr: str) -> str:
    """A ``--where`` expression checked before anything is read: every leaf a page term
    (``paper:``, ``date:``, ``page:``, ``section:``; a malformed value is refused) or a code.
    Anything else — a typo, an unknown field such as ``bogus:1`` — is an error naming it,
    not an empty result.  (A code may hold a colon, so ``bogus:1`` is refused here, where
    the codes are known, not by the parser.)  Returns the expression, "" for none."""
    from storage.annotations.expressions import page_terms

    if not expr.strip():
        return ""
    tree = parse_expression(expr)
    terms = page_terms(tree)
    rest = [x for x in leaves(tree) if x not in terms]
    known = {t.name for t in store.tag_defs()}
    if any(x not in known for x in rest):
        known |= set(store.tag_counts(None))
    unknown = [x for x in rest if x not in known]
    fielded = [x for x in unknown if ":" in x.strip(":")]
    if fielded:
        raise UnknownCode(
            f"{fielded[0]}: unknown field {fielded[0].partition(':')[0]!r} (page terms are "
            "paper:, date:, page:, section:) and no code of that name"
        )
    if unknown:
        raise UnknownCode(f"unknown code: {', '.join(unknown)}")
    return expr


# ---------------------------------------------------------------- reading the store in bulk


@contextmanager
def quiet_gc() -> Iterator[None]:
    """No cyclic garbage collection while a query builds its (acyclic) rows: with a parsed
    corpus in memory each collection walks millions of objects, which made a query's time
    vary threefold.  (An app that calls ``gc.freeze()`` after loading the corpus gets the
    same for all its code.)"""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


ArticleRow = tuple[str, Sequence[str], str, str]
"""An article's id, its own tags, its note and its coder."""
PassageRow = tuple[str, str, int, int, Sequence[str], str, str]
"""A passage's id, article id, start, end, codes, note and coder."""


def snapshot(store: Store) -> Mapping[str, Mapping[str, Mapping[str, Any]]] | None:
    """The store's tables as they are in memory (table → document id → document, read
    only), when the store offers that bulk read: a query then builds rows only for what it
    keeps, instead of an object per article and per passage first."""
    snap = getattr(store, "tables_snapshot", None)
    return cast(Mapping[str, Mapping[str, Mapping[str, Any]]], snap()) if callable(snap) else None


def tagged_articles(store: Store) -> Iterator[ArticleRow]:
    """Every article with tags of its own."""
    snap = snapshot(store)
    if snap is None:
        return ((n.article_id, n.tags, n.note, n.coder) for n in store.all_notes() if n.tags)
    docs = snap.get("articles", {}).values()
    legacy = store.legacy_coder
    return (
        (d["article_id"], d["tags"], d.get("note", ""), d.get("coder") or legacy)
        for d in docs
        if d.get("tags")
    )


def live_passages(store: Store) -> Iterator[PassageRow]:
    """Every passage still attached to its article (orphans are left out of every count)."""
    snap = snapshot(store)
    legacy = store.legacy_coder
    if snap is None:
        return (
            (h.id, h.article_id, h.start, h.end, h.tags, h.note, h.coder)
            for h in store.highlights()
            if not h.orphan
        )
    return (
        (
            d["id"],
            d["article_id"],
            int(d["start"]),
            int(d["end"]),
            d.get("tags", ()),
            d.get("note", ""),
            d.get("coder") or legacy,  # as Store.coder_of says, for documents read only
        )
        for d in snap.get("highlights", {}).values()
        if not d.get("orphan")
    )


def used_codes(store: Store) -> set[str]:
    """Every code some article or passage carries (orphaned passages included)."""
    snap = snapshot(store)
    if snap is not None:
        docs = (*snap.get("articles", {}).values(), *snap.get("highlights", {}).values())
        return {t for d in docs for t in d.get("tags", ())}
    used = {t for n in store.all_notes() for t in n.tags}
    return used | {t for h in store.highlights() for t in h.tags}


# ------------------------------------------------------------------------------- items


@dataclass(frozen=True, slots=True)
class Item:
    """One retrieved segment: a coded passage, or a tagged article (no span, empty quote)."""

    kind: Literal["passage", "article"]
    article_id: str
    start: int | None
    end: int | None
    quote: str
    left: str
    right: str
    tags: tuple[str, ...]
    note: str
    date: str | None
    file: str
    title: str
    page: Any
    """The page number when the corpus knows it, else None."""
    highlight_id: str | None = None
    coder: str = ""
    """Whose coding it is (retrieval with every coder's codings shows it)."""

    def as_dict(self) -> dict[str, Any]:
        """The ``piyue retrieve --json`` fields, exactly."""
        return {
            "kind": self.kind,
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "tags": list(self.tags),
            "note": self.note,
            "date": self.date,
            "file": self.file,
            "title": self.title,
            "coder": self.coder,
        }


class Places:
    """Where each article sits: its issue and its position in corpus (reading) order.
    Built per query (a few ms at 17,000 articles) rather than cached: a cache would keep a
    replaced corpus alive in the TUI."""

    def __init__(self, corpus: Corpus) -> None:
        self.issue: dict[str, Issue] = {}
        self.order: dict[str, int] = {}
        self.article: dict[str, Article] = {}
        n = 0
        for issue in corpus.issues:
            for art in issue.articles:
                self.issue[art.id] = issue
                self.order[art.id] = n
                self.article[art.id] = art
                n += 1


def check_sort(sort: str) -> None:
    if sort not in ("date", "page", "code"):
        raise ValueError(f"unknown sort {sort!r} (date, page or code)")


class Items:
    """Builds the items of one query: article places, article texts cut once, the width."""

    def __init__(self, corpus: Corpus, width: int) -> None:
        self.places = Places(corpus)
        self.width = width
        self.texts: dict[str, str] = {}
        self.found: list[tuple[Item, int, int]] = []

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.places.issue

    def add_article(self, row: ArticleRow) -> None:
        aid, tags, note, coder = row
        self._add("article", aid, None, None, tags, note, None, coder)

    def add_passage(self, row: PassageRow) -> None:
        hid, aid, start, end, tags, note, coder = row
        self._add("passage", aid, start, end, tags, note, hid, coder)

    def _add(
        self,
        kind: Literal["passage", "article"],
        aid: str,
        start: int | None,
        end: int | None,
        tags: Sequence[str],
        note: str,
        hid: str | None,
        coder: str = "",
    ) -> None:
        issue = self.places.issue[aid]
        art = self.places.article[aid]
        quote = left = right = ""
        if start is not None and end is not None:
            text = self.texts.get(aid)
            if text is None:
                text = self.texts[aid] = art.text
            w = self.width
            quote = text[start:end]
            left, right = text[max(0, start - w) : start], text[end : end + w]
        it = Item(
            kind,
            aid,
            start,
            end,
            quote,
            left,
            right,
            tuple(tags),
            note,
            issue.date,
            issue.source,
            art.title,
            getattr(issue, "page", None),
            hid,
            coder,
        )
        self.found.append((it, -1 if start is None else start, -1 if end is None else end))

    def sorted(self, sort: SortBy, code_of: Callable[[Item], str]) -> list[Item]:
        order = self.places.order

        def place(p: tuple[Item, int, int]) -> tuple[int, int, int]:
            return order[p[0].article_id], p[1], p[2]

        found = self.found
        if sort == "date":
            found.sort(key=lambda p: (p[0].date is None, p[0].date or "", *place(p)))
        elif sort == "page":
            found.sort(key=place)
        else:
            found.sort(key=lambda p: (code_of(p[0]), p[0].date is None, p[0].date or "", *place(p)))
        return [p[0] for p in found]
