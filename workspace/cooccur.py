"""Co-occurrence (code × code) and counts over issue dates or pages, with the segments
behind one cell; the definitions are in ``workspace.analysis``'s docstring."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from corpus.dates import number_label
from corpus.model import Corpus, Issue
from storage.annotations import Store
from storage.export import cell
from workspace.coded import (
    Item,
    Items,
    PassageRow,
    Places,
    SortBy,
    check_sort,
    live_passages,
    quiet_gc,
    tagged_articles,
    used_codes,
)

BOM = b"\xef\xbb\xbf"
Matrix = Literal["articles", "passages"]
_Span = tuple[int, int, tuple[str, ...]]


def _coded(corpus: Corpus, store: Store) -> tuple[dict[str, set[str]], dict[str, list[_Span]]]:
    """Per corpus article: the codes it carries (own + passages') and its live coded passages
    as (start, end, codes)."""
    known = Places(corpus).issue
    carries: dict[str, set[str]] = {}
    passages: dict[str, list[_Span]] = {}
    for aid, tags, _, _ in tagged_articles(store):
        if aid in known:
            carries.setdefault(aid, set()).update(tags)
    for _, aid, start, end, tags, _, _ in live_passages(store):
        if not tags or aid not in known:
            continue
        carries.setdefault(aid, set()).update(tags)
        passages.setdefault(aid, []).append((start, end, tuple(tags)))
    return carries, passages


def code_names(store: Store) -> list[str]:
    """Every code of the codebook and every code in use, in the codebook's tree order (a
    child right after its parent, as ``piyue codes`` and the codebook screen list them)."""
    names = [r.name for r in store.codebook()]
    listed = set(names)
    return names + sorted(used_codes(store) - listed)


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
    diagonal = the code's own count (see ``workspace.analysis`` for what counts)."""
    with quiet_gc():
        return _cooccur(corpus, store)


def cooccur_csv(matrix: dict[str, Any], which: Matrix = "articles") -> bytes:
    """One matrix as CSV (codes as the header row and the first column), UTF-8 with a BOM."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    codes: list[str] = matrix["codes"]
    w.writerow([cell(which), *(cell(c) for c in codes)])
    for c, row in zip(codes, matrix[which], strict=True):
        w.writerow([cell(c), *row])
    return BOM + buf.getvalue().encode("utf-8")


def _cross(p: PassageRow, q: PassageRow, a: str, b: str) -> bool:
    """Passages ``p`` and ``q`` overlap and one is coded ``a``, the other ``b``."""
    if not (q[2] < p[3] and p[2] < q[3]):
        return False
    return (a in p[4] and b in q[4]) or (b in p[4] and a in q[4])


def cooccur_items(
    corpus: Corpus,
    store: Store,
    a: str,
    b: str,
    which: Matrix = "articles",
    *,
    sort: SortBy = "date",
    width: int = 20,
) -> list[Item]:
    """The segments behind one cell of :func:`cooccur` (Enter on a cell).

    ``"articles"``: in every article carrying both codes, its article item (when it is tagged
    ``a`` or ``b``) and its passages coded ``a`` or ``b``.  ``"passages"``: the passages of
    the cell's overlapping pairs (a passage carrying both codes is one).  ``a == b`` gives
    the diagonal's segments."""
    check_sort(sort)
    with quiet_gc():
        items = Items(corpus, width)
        pair = {a, b}
        if which == "articles":
            carries, _ = _coded(corpus, store)
            both = {aid for aid, tags in carries.items() if pair <= tags}
            for row in tagged_articles(store):
                if row[0] in both and pair & set(row[1]):
                    items.add_article(row)
            for p in live_passages(store):
                if p[1] in both and pair & set(p[4]):
                    items.add_passage(p)
        elif which == "passages":
            by_article: dict[str, list[PassageRow]] = {}
            for p in live_passages(store):
                if p[1] in items and pair & set(p[4]):
                    by_article.setdefault(p[1], []).append(p)
            for ps in by_article.values():
                for p in ps:
                    if pair <= set(p[4]) or any(q is not p and _cross(p, q, a, b) for q in ps):
                        items.add_passage(p)
        else:
            raise ValueError(f"unknown matrix {which!r} (articles or passages)")
        return items.sorted(sort, lambda it: a if a in it.tags else b)


# --------------------------------------------------------------------------------- stats


@dataclass(frozen=True, slots=True)
class StatRow:
    """A code's count on one issue date (or newspaper page): articles carrying it, passages
    of it.  ``key`` labels the group: the date ("" for the undated pages, one group), or the
    page as ``paper date 第N版`` (a page without a date or number: its page id); ``paper``, ``date``
    and ``page`` are the page's own, for ``by="page"``."""

    code: str
    key: str
    articles: int
    passages: int
    paper: str | None = None
    date: str | None = None
    page: int | None = None

    def as_dict(self, by: str = "date") -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": self.code,
            "key": self.key or None,
            "articles": self.articles,
            "passages": self.passages,
        }
        if by == "page":
            d.update(paper=self.paper, date=self.date, page=self.page)
        return d


UNDATED = "undated"
"""How the text table labels the undated pages' row (its key is "")."""

_Group = tuple[tuple[Any, ...], str, str | None, str | None, int | None]
"""A group's sort key, label, paper, date and page number."""


def _group(issue: Issue, by: Literal["date", "page"]) -> _Group:
    """The group of an article's page: its date, or its newspaper page — the paper, date
    and printed page number (a lettered section's A01 and B01 are two pages), however many
    files hold it; a page whose date or number is unknown is a group of its own (its id)."""
    if by == "date":
        return ((issue.date is None, issue.date or ""), issue.date or "", None, None, None)
    paper, date, page = issue.paper, issue.date, issue.page
    if page is None or date is None:
        return ((True, issue.id), issue.id, paper, date, page)
    section = issue.section or ""
    lettered = len(section) == 1 and section.isascii() and section.isupper()
    label = " ".join(x for x in (paper, date, number_label(page, section)) if x)
    order = (False, paper or "", date, section if lettered else "", page)
    return (order, label, paper, date, page)


def _stats(corpus: Corpus, store: Store, by: Literal["date", "page"]) -> list[StatRow]:
    if by not in ("date", "page"):
        raise ValueError(f"unknown grouping {by!r} (date or page)")
    places = Places(corpus)
    groups: dict[str, _Group] = {}

    def key(aid: str) -> _Group:
        issue = places.issue[aid]
        got = groups.get(issue.id)
        if got is None:
            got = groups[issue.id] = _group(issue, by)
        return got

    carries, passages = _coded(corpus, store)
    counts: dict[tuple[str, tuple[tuple[Any, ...], str]], list[int]] = {}
    for aid, tags in carries.items():
        k = key(aid)
        for t in tags:
            counts.setdefault((t, (k[0], k[1])), [0, 0])[0] += 1
    for aid, spans in passages.items():
        k = key(aid)
        for _, _, codes in spans:
            for t in set(codes):
                counts.setdefault((t, (k[0], k[1])), [0, 0])[1] += 1
    full = {(g[0], g[1]): g for g in groups.values()}
    rank = {c: i for i, c in enumerate(code_names(store))}
    ordered = sorted(counts.items(), key=lambda kv: (rank.get(kv[0][0], len(rank)), kv[0]))
    return [
        StatRow(c, g[1], a, p, *full[g][2:]) if by == "page" else StatRow(c, g[1], a, p)
        for (c, g), (a, p) in ordered
    ]


def stats(corpus: Corpus, store: Store, by: Literal["date", "page"] = "date") -> list[StatRow]:
    """Code × issue date counts (undated pages: one row, key ""), or code × newspaper page
    (``by="page"``: paper, date and page number; see ``_group``).  Rows in the codebook's
    tree order of codes (as ``cooccur`` and ``piyue codes``), then by date or page."""
    with quiet_gc():
        return _stats(corpus, store, by)


def stats_dict(rows: Sequence[StatRow], by: str = "date") -> dict[str, Any]:
    return {"by": by, "rows": [r.as_dict(by) for r in rows]}


def stats_csv(rows: Sequence[StatRow], by: str = "date") -> bytes:
    """``code, date|page, articles, passages`` (an undated row's date is empty); by page,
    the page's ``paper, date, number`` follow."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    extra = ["paper", "date", "number"] if by == "page" else []
    w.writerow(["code", by, "articles", "passages", *extra])
    for r in rows:
        more = [cell(r.paper), r.date or "", "" if r.page is None else r.page] if extra else []
        w.writerow([cell(r.code), cell(r.key), r.articles, r.passages, *more])
    return BOM + buf.getvalue().encode("utf-8")
