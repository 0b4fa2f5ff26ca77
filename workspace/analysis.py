"""Analysis over the coded corpus: retrieval of coded segments, co-occurrence, counts over
issues, and autocoding — written once here for the TUI and the command line.

Definitions (the tests pin them down):

* **Children.** A code's children are the codes whose ``parent`` chain leads to it.  With
  ``children=True`` a passage or article carrying a child code counts as carrying the parent.
* **Retrieval** evaluates the expression on each item's *own* tags: a passage on the passage's
  codes, an article on the article's tags (a passage code does not make its whole article an
  article item; the passage is retrieved as a passage).  Orphaned passages (not re-attached
  after a re-parse) and annotations of articles outside the corpus are left out.
* **Co-occurrence, articles**: an article carries a code when the code is an article tag *or*
  the code of one of its passages — the same rule as tag-expression filters and exports
  (``Store.select``), so a cell's count is what ``--where "A and B"`` selects.
  **Passages**: the number of pairs (passage of A, passage of B) in one article whose spans
  overlap; a passage carrying both codes is such a pair with itself.  The diagonal is the
  code's own count: articles carrying it, passages coded with it.  Codes count themselves only
  (no roll-up of children), like the codebook's counts.
* **Stats**: per code and issue date (or page), the articles carrying the code and its
  passages; undated pages are keyed by their issue id.
"""

from __future__ import annotations

import csv
import gc
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from corpus.model import Article, Corpus, Issue
from storage.annotations import Highlight, Store, clean_tag, evaluate, parse_expression
from storage.errors import AnnotationError
from storage.export import cell, md_escape
from workspace.kwic import Where, article_filter, matching_articles, occurrences

SortBy = Literal["date", "page", "code"]
Unit = Literal["match", "sentence", "paragraph"]
Plan = list[tuple[Article, int, int]]

BOM = b"\xef\xbb\xbf"
SENTENCE_END = frozenset("。！？；…!?;")
CLOSERS = frozenset("”’」』）)】》\"'")


class UnknownCode(AnnotationError):
    """The expression names a code nobody has defined or used."""


# ---------------------------------------------------------------------------- the codebook


def _parents(store: Store) -> dict[str, str]:
    return {t.name: t.parent for t in store.tag_defs() if t.parent}


def ancestors(parents: dict[str, str], code: str) -> list[str]:
    """The parent chain of ``code`` (nearest first); a cycle stops the walk."""
    out: list[str] = []
    seen = {code}
    p = parents.get(code, "")
    while p and p not in seen:
        out.append(p)
        seen.add(p)
        p = parents.get(p, "")
    return out


def descendants(store: Store, code: str) -> set[str]:
    """``code`` and every code whose parent chain leads to it."""
    parents = _parents(store)
    names = {t.name for t in store.tag_defs()}
    return {code} | {n for n in names if code in ancestors(parents, n)}


def _expander(store: Store, children: bool) -> Callable[[Iterable[str]], set[str]]:
    """Tags → the set an expression is evaluated on (plus ancestors when children count)."""
    if not children:
        return set
    parents = _parents(store)
    cache: dict[str, list[str]] = {}

    def expand(tags: Iterable[str]) -> set[str]:
        out = set(tags)
        for t in list(out):
            up = cache.get(t)
            if up is None:
                up = cache[t] = ancestors(parents, t)
            out.update(up)
        return out

    return expand


def _leaves(tree: Any) -> list[str]:
    if tree[0] == "tag":
        return [tree[1]]
    return [x for sub in tree[1:] for x in _leaves(sub)]


def compile_expression(store: Store, expr: str) -> Any:
    """A code name (spaces and all) or a tag expression, as a tree; unknown codes refused."""
    known = {t.name for t in store.tag_defs()}
    name = " ".join(expr.split())
    tree = ("tag", name) if name in known else parse_expression(expr)
    unknown = [x for x in _leaves(tree) if x not in known]
    if unknown:  # every code in use is normally in the codebook: look further only now
        known |= set(store.tag_counts())
        tree = ("tag", name) if name in known else tree
        unknown = [x for x in _leaves(tree) if x not in known]
    if unknown:
        raise UnknownCode(f"unknown code: {', '.join(unknown)}")
    return tree


# ---------------------------------------------------------------- reading the store in bulk


@contextmanager
def _quiet_gc() -> Iterator[None]:
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


def _article_docs(store: Store) -> Iterable[dict[str, Any]]:
    """Every annotated article as ``{"article_id", "tags", "note"}``.

    The store's table is read as it is when the store exposes it (``all_notes()`` builds an
    object per article, most of a retrieval's time at 20,000 codings); the public API
    otherwise.  A bulk read in the store's public API would replace this."""
    raw = getattr(store, "_raw", None)
    if callable(raw):
        docs: Iterable[dict[str, Any]] = raw("articles").values()
        return docs
    return ({"article_id": n.article_id, "tags": n.tags, "note": n.note} for n in store.all_notes())


def _passage_docs(store: Store) -> Iterable[dict[str, Any]]:
    """Every passage as ``{"id", "article_id", "start", "end", "tags", "note", "orphan"}``
    (see :func:`_article_docs` for why the table is read as it is)."""
    raw = getattr(store, "_raw", None)
    if callable(raw):
        docs: Iterable[dict[str, Any]] = raw("highlights").values()
        return docs
    return (
        {
            "id": h.id,
            "article_id": h.article_id,
            "start": h.start,
            "end": h.end,
            "tags": h.tags,
            "note": h.note,
            "orphan": h.orphan,
        }
        for h in store.highlights()
    )


# ------------------------------------------------------------------------------- retrieval


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
        }


class _Places:
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


class _Items:
    """Builds items of one query: article places, article texts cut once, the context width."""

    def __init__(self, corpus: Corpus, width: int) -> None:
        self.places = _Places(corpus)
        self.width = width
        self.texts: dict[str, str] = {}
        self.found: list[tuple[Item, int, int]] = []

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.places.issue

    def add(self, kind: Literal["passage", "article"], d: dict[str, Any]) -> None:
        aid = d["article_id"]
        issue = self.places.issue[aid]
        art = self.places.article[aid]
        start = end = None
        quote = left = right = ""
        if kind == "passage":
            text = self.texts.get(aid)
            if text is None:
                text = self.texts[aid] = art.text
            start, end, w = int(d["start"]), int(d["end"]), self.width
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
            tuple(d.get("tags", ())),
            d.get("note", ""),
            issue.date,
            issue.source,
            art.title,
            getattr(issue, "page", None),
            d["id"] if kind == "passage" else None,
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


def _check_sort(sort: str) -> None:
    if sort not in ("date", "page", "code"):
        raise ValueError(f"unknown sort {sort!r} (date, page or code)")


def _retrieve(
    corpus: Corpus, store: Store, expr: str, children: bool, sort: SortBy, width: int
) -> list[Item]:
    _check_sort(sort)
    tree = compile_expression(store, expr)
    leaves = set(_leaves(tree))
    expand = _expander(store, children)
    items = _Items(corpus, width)
    for d in _article_docs(store):
        tags = d.get("tags")
        if tags and d["article_id"] in items and evaluate(tree, expand(tags)):
            items.add("article", d)
    for d in _passage_docs(store):
        if d.get("orphan") or d["article_id"] not in items:
            continue
        if evaluate(tree, expand(d.get("tags", ()))):
            items.add("passage", d)

    def code_of(it: Item) -> str:
        for t in it.tags:
            if leaves & expand([t]):
                return t
        return it.tags[0] if it.tags else ""

    return items.sorted(sort, code_of)


def retrieve(
    corpus: Corpus,
    store: Store,
    expr: str,
    *,
    children: bool = True,
    sort: SortBy = "date",
    width: int = 20,
) -> list[Item]:
    """Every coded passage and tagged article of a code or a tag expression, across the corpus.

    ``sort``: ``"date"`` (undated last, then corpus order), ``"page"`` (corpus order: page,
    article, offset) or ``"code"`` (the first matching code, then date).
    """
    with _quiet_gc():
        return _retrieve(corpus, store, expr, children, sort, width)


def retrieve_dict(items: Sequence[Item]) -> dict[str, Any]:
    """``{"items": [...]}`` as ``piyue retrieve --json`` prints it."""
    return {"items": [it.as_dict() for it in items]}


def retrieve_json(items: Sequence[Item]) -> str:
    return json.dumps(retrieve_dict(items), ensure_ascii=False)


def retrieve_csv(items: Sequence[Item]) -> bytes:
    """One row per item; UTF-8 with a BOM and neutralised cells, like the CSV export."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(
        [
            "kind",
            "article_id",
            "start",
            "end",
            "left",
            "quote",
            "right",
            "tags",
            "note",
            "date",
            "file",
            "page",
            "title",
        ]
    )
    for it in items:
        row = (
            it.kind,
            it.article_id,
            it.start,
            it.end,
            it.left,
            it.quote,
            it.right,
            ";".join(it.tags),
            it.note,
            it.date,
            it.file,
            it.page,
            it.title,
        )
        w.writerow([cell(x) for x in row])
    return BOM + buf.getvalue().encode("utf-8")


def retrieve_md(items: Sequence[Item], title: str = "piyue retrieve") -> bytes:
    """A reading copy: one section per item, the quote as a block quote, text escaped."""
    passages = sum(1 for it in items if it.kind == "passage")
    lines = [
        f"# {md_escape(title)}",
        "",
        f"{passages} 段 passages · {len(items) - passages} 篇 articles",
        "",
    ]
    for it in items:
        lines += [f"## {md_escape(it.title or '(无标题)')}", ""]
        span = f"{it.start}–{it.end}" if it.kind == "passage" else "整篇 article"
        meta = " · ".join(x for x in (it.date or "", it.file, it.article_id, span) if x)
        lines += [f"*{md_escape(meta)}*", ""]
        if it.kind == "passage":
            lines += ["> " + md_escape(it.quote).replace("\n", "\n> "), ""]
        if it.tags:
            lines += ["标签 tags: " + ", ".join(md_escape(t) for t in it.tags), ""]
        if it.note:
            lines += ["**笔记 note:** " + md_escape(it.note).replace("\n", "  \n"), ""]
    return "\n".join(lines).encode("utf-8")


# ------------------------------------------------------------------------- co-occurrence


_Span = tuple[int, int, tuple[str, ...]]


def _coded(corpus: Corpus, store: Store) -> tuple[dict[str, set[str]], dict[str, list[_Span]]]:
    """Per corpus article: the codes it carries (own + passages') and its live coded passages
    as (start, end, codes)."""
    known = _Places(corpus).issue
    carries: dict[str, set[str]] = {}
    passages: dict[str, list[_Span]] = {}
    for d in _article_docs(store):
        tags = d.get("tags")
        if tags and d["article_id"] in known:
            carries.setdefault(d["article_id"], set()).update(tags)
    for d in _passage_docs(store):
        tags = d.get("tags")
        aid = d["article_id"]
        if d.get("orphan") or not tags or aid not in known:
            continue
        carries.setdefault(aid, set()).update(tags)
        passages.setdefault(aid, []).append((int(d["start"]), int(d["end"]), tuple(tags)))
    return carries, passages


def code_names(store: Store) -> list[str]:
    """Every code of the codebook and every code in use, sorted by name."""
    used = {t for d in _article_docs(store) for t in d.get("tags", ())}
    used |= {t for d in _passage_docs(store) for t in d.get("tags", ())}
    return sorted({t.name for t in store.tag_defs()} | used)


def _cooccur(corpus: Corpus, store: Store) -> dict[str, Any]:
    codes = code_names(store)
    ix = {c: i for i, c in enumerate(codes)}
    k = len(codes)
    arts = [[0] * k for _ in range(k)]
    pas = [[0] * k for _ in range(k)]
    carries, passages = _coded(corpus, store)
    for tags in carries.values():
        idx = sorted(ix[t] for t in tags)
        for a, i in enumerate(idx):
            row = arts[i]
            for j in idx[a:]:
                row[j] += 1
    for spans in passages.values():
        spans.sort()
        coded = [(st, en, sorted({ix[t] for t in tags})) for st, en, tags in spans]
        for a, (_, p_end, pi) in enumerate(coded):
            for i in pi:
                pas[i][i] += 1
                for j in pi:  # a passage with two codes pairs with itself
                    if i != j:
                        pas[i][j] += 1
            for q_start, _, qi in coded[a + 1 :]:
                if q_start >= p_end:
                    break  # sorted by start: no later passage overlaps this one
                for i in pi:
                    for j in qi:
                        if i != j:
                            pas[i][j] += 1
                            pas[j][i] += 1
    for i in range(k):
        for j in range(i + 1, k):
            arts[j][i] = arts[i][j]
    return {"codes": codes, "articles": arts, "passages": pas}


def cooccur(corpus: Corpus, store: Store) -> dict[str, Any]:
    """``{"codes": [...], "articles": [[int]], "passages": [[int]]}``: square and symmetric,
    diagonal = the code's own count (see the module docstring for what counts)."""
    with _quiet_gc():
        return _cooccur(corpus, store)


def cooccur_csv(
    matrix: dict[str, Any], which: Literal["articles", "passages"] = "articles"
) -> bytes:
    """One matrix as CSV (codes as the header row and the first column), UTF-8 with a BOM."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    codes: list[str] = matrix["codes"]
    w.writerow([cell(which), *(cell(c) for c in codes)])
    for c, row in zip(codes, matrix[which], strict=True):
        w.writerow([cell(c), *row])
    return BOM + buf.getvalue().encode("utf-8")


def _cross(p: dict[str, Any], q: dict[str, Any], a: str, b: str) -> bool:
    """Passages ``p`` and ``q`` overlap and one is coded ``a``, the other ``b``."""
    if not (int(q["start"]) < int(p["end"]) and int(p["start"]) < int(q["end"])):
        return False
    pt, qt = p.get("tags", ()), q.get("tags", ())
    return (a in pt and b in qt) or (b in pt and a in qt)


def cooccur_items(
    corpus: Corpus,
    store: Store,
    a: str,
    b: str,
    which: Literal["articles", "passages"] = "articles",
    *,
    sort: SortBy = "date",
    width: int = 20,
) -> list[Item]:
    """The segments behind one cell of :func:`cooccur` (Enter on a cell).

    ``"articles"``: in every article carrying both codes, its article item (when it is tagged
    ``a`` or ``b``) and its passages coded ``a`` or ``b``.  ``"passages"``: the passages of
    the cell's overlapping pairs (a passage carrying both codes is one).  ``a == b`` gives
    the diagonal's segments."""
    _check_sort(sort)
    with _quiet_gc():
        items = _Items(corpus, width)
        pair = {a, b}
        carries, _ = _coded(corpus, store)
        if which == "articles":
            both = {aid for aid, tags in carries.items() if pair <= tags}
            for d in _article_docs(store):
                if d["article_id"] in both and pair & set(d.get("tags", ())):
                    items.add("article", d)
            for d in _passage_docs(store):
                if d["article_id"] in both and not d.get("orphan"):
                    if pair & set(d.get("tags", ())):
                        items.add("passage", d)
        elif which == "passages":
            by_article: dict[str, list[dict[str, Any]]] = {}
            for d in _passage_docs(store):
                if d.get("orphan") or d["article_id"] not in items:
                    continue
                if pair & set(d.get("tags", ())):
                    by_article.setdefault(d["article_id"], []).append(d)
            for docs in by_article.values():
                for p in docs:
                    if pair <= set(p.get("tags", ())) or any(
                        q is not p and _cross(p, q, a, b) for q in docs
                    ):
                        items.add("passage", p)
        else:
            raise ValueError(f"unknown matrix {which!r} (articles or passages)")
        return items.sorted(sort, lambda it: a if a in it.tags else b)


# --------------------------------------------------------------------------------- stats


@dataclass(frozen=True, slots=True)
class StatRow:
    """A code's count on one issue date (or page): articles carrying it, passages of it."""

    code: str
    key: str
    articles: int
    passages: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "key": self.key,
            "articles": self.articles,
            "passages": self.passages,
        }


def _stats(corpus: Corpus, store: Store, by: Literal["date", "page"]) -> list[StatRow]:
    if by not in ("date", "page"):
        raise ValueError(f"unknown grouping {by!r} (date or page)")
    places = _Places(corpus)

    def key(aid: str) -> tuple[bool, str]:
        issue = places.issue[aid]
        if by == "date" and issue.date:
            return False, issue.date
        return True, issue.id

    carries, passages = _coded(corpus, store)
    counts: dict[tuple[str, tuple[bool, str]], list[int]] = {}
    for aid, tags in carries.items():
        k = key(aid)
        for t in tags:
            counts.setdefault((t, k), [0, 0])[0] += 1
    for aid, spans in passages.items():
        k = key(aid)
        for _, _, codes in spans:
            for t in set(codes):
                counts.setdefault((t, k), [0, 0])[1] += 1
    return [StatRow(c, k, a, p) for (c, (_, k)), (a, p) in sorted(counts.items())]


def stats(corpus: Corpus, store: Store, by: Literal["date", "page"] = "date") -> list[StatRow]:
    """Code × issue date counts (``by="page"``: code × page, keyed by issue id); undated pages
    are keyed by their issue id.  Rows sorted by code, then dates before ids."""
    with _quiet_gc():
        return _stats(corpus, store, by)


def stats_dict(rows: Sequence[StatRow], by: str = "date") -> dict[str, Any]:
    return {"by": by, "rows": [r.as_dict() for r in rows]}


def stats_csv(rows: Sequence[StatRow], by: str = "date") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["code", by, "articles", "passages"])
    for r in rows:
        w.writerow([cell(r.code), cell(r.key), r.articles, r.passages])
    return BOM + buf.getvalue().encode("utf-8")


# ------------------------------------------------------------------------------ autocode


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) around ``[start, end)``: bounded by 。！？；… (with closing quotes after
    them) and by paragraph breaks; surrounding whitespace left out."""
    s = start
    while s > 0 and text[s - 1] not in SENTENCE_END and text[s - 1] != "\n":
        s -= 1
    # closing quotes right after the previous sentence's end belong to that sentence
    while s < start and (text[s] in CLOSERS or text[s].isspace()):
        s += 1
    e = end
    if not (e > start and text[e - 1] in SENTENCE_END):
        while e < len(text) and text[e] not in SENTENCE_END and text[e] != "\n":
            e += 1
    while e < len(text) and (text[e] in SENTENCE_END or text[e] in CLOSERS):
        e += 1
    while e > end and text[e - 1].isspace():
        e -= 1
    return s, e


def paragraph_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph(s) of the article text containing ``[start, end)``."""
    s = text.rfind("\n", 0, start) + 1
    e = text.find("\n", end)
    return s, len(text) if e < 0 else e


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def plan_autocode(
    corpus: Corpus,
    query: str,
    unit: Unit = "match",
    *,
    where: Where = None,
    store: Store | None = None,
) -> Plan:
    """The passages autocoding would code: every occurrence of ``query`` (a plain substring,
    as the concordance finds it), widened to its sentence or paragraph; overlapping spans in
    one article merged."""
    if unit not in ("match", "sentence", "paragraph"):
        raise ValueError(f"unknown unit {unit!r} (match, sentence or paragraph)")
    plan: Plan = []
    n = len(query)
    for art, text in matching_articles(corpus, query, article_filter(where, store)):
        spans = []
        for i in occurrences(text, query):
            if unit == "sentence":
                spans.append(sentence_span(text, i, i + n))
            elif unit == "paragraph":
                spans.append(paragraph_span(text, i, i + n))
            else:
                spans.append((i, i + n))
        plan.extend((art, s, e) for s, e in _merge(spans))
    return plan


def preview(plan: Plan) -> tuple[int, int]:
    """(passages, articles) the plan would code."""
    return len(plan), len({a.id for a, _, _ in plan})


@contextmanager
def one_step(store: Store, label: str) -> Iterator[Callable[[], None]]:
    """Many store changes as one undo step.  Uses ``store.batch(label)`` when the store has
    it; otherwise folds each change into the first as it is made — call the yielded function
    after every store call (the store keeps only its last 200 steps)."""
    batch = getattr(store, "batch", None)
    if callable(batch):
        with batch(label):
            yield lambda: None
        return
    merged: list[Any] = []
    top = store._undo[-1] if store._undo else None

    def absorb() -> None:
        nonlocal top
        if not store._undo or store._undo[-1] is top:
            return
        ch = store._undo.pop()
        if merged:
            merged[0].before.extend(ch.before)
            merged[0].after.extend(ch.after)
        else:
            ch.label = label
            merged.append(ch)
        top = store._undo[-1] if store._undo else None

    try:
        yield absorb
    finally:
        absorb()
        if merged:
            store._undo.append(merged[0])


def apply_autocode(store: Store, plan: Plan, code: str) -> int:
    """Code every planned span with ``code`` in one undo step; returns the passages coded.
    A span already coded exactly there gets the code added; one that has it is skipped."""
    code = clean_tag(code)
    if not plan:
        return 0
    existing: dict[tuple[str, int, int], Highlight] = {}
    for h in store.highlights():
        if not h.orphan:
            existing.setdefault((h.article_id, h.start, h.end), h)
    done = 0
    with one_step(store, f"autocode {code}") as absorb:
        for art, s, e in plan:
            old = existing.get((art.id, s, e))
            if old is None:
                store.add_highlight(art, s, e, [code])
            elif code in old.tags:
                continue
            else:
                store.edit_highlight(old.id, tags=[*old.tags, code])
            absorb()
            done += 1
    return done
