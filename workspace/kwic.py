"""Concordance (KWIC): every occurrence of a term in the corpus with its context.

A term is matched as a plain substring of ``article.text`` — not as a jieba token — so 营商
inside 营商环境 counts; offsets count into ``article.text`` like highlight offsets, so a line
can be opened in the reader or coded as a passage as it is.  The headline group counts too
(headline framing is what a newspaper study reads first; testerC F5): the page's banner (with
the page's first article), each article's column, kicker, title and subtitle, before its body;
such a line's ``part`` names it and its offsets count into that line, not into the text.
Occurrences do not overlap (the search resumes after a match, as ``str.count`` does).
Context is raw text, newlines included: the display decides how to show them.
"""

from __future__ import annotations

import heapq
import itertools
import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from corpus.model import Article, Corpus
from storage.annotations import Store

if TYPE_CHECKING:  # the library (and through it the index) is only needed by kwic_counted
    from storage.library import Library

Sort = Literal["left", "right"] | None
Where = Callable[[str], bool] | str | None
Heads = tuple[tuple[str, str], ...]
"""An article's headline lines as (part, text): ``banner``, ``column``, ``kicker``, ``title``,
``subtitle``."""
Texts = Iterable[tuple[str, str] | tuple[str, str, Heads]]
"""(article id, text) pairs in corpus order, or (article id, text, headline lines)."""
BODY = "body"
PART_NAMES = {
    "banner": "版头",
    "column": "栏目",
    "kicker": "引题",
    "title": "标题",
    "subtitle": "副题",
}
"""A headline line's mark where lines are shown (two wide characters: columns stay aligned)."""


@dataclass(frozen=True, slots=True)
class Line:
    """One occurrence: ``match == article.text[start:end]``."""

    article_id: str
    start: int
    end: int
    left: str
    match: str
    right: str
    part: str = BODY
    """``body`` (offsets into ``article.text``) or the headline line it is in."""

    @property
    def headline(self) -> bool:
        return self.part != BODY

    def as_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "left": self.left,
            "match": self.match,
            "right": self.right,
            "part": self.part,
        }


def occurrences(text: str, term: str) -> Iterator[int]:
    """Start offsets of ``term`` in ``text``, left to right, not overlapping."""
    i = text.find(term)
    n = len(term)
    while i >= 0:
        yield i
        i = text.find(term, i + n)


def article_filter(
    where: Where, store: Store | None, corpus: Corpus | None = None
) -> Callable[[str], bool] | None:
    """``where`` as a predicate on article ids: a callable as is, a tag expression through the
    store — over every article of the corpus, its own tags and its passages' (an article
    nobody coded has none), a code standing for itself or any of its descendants, as the
    reader's filter and ``export --where`` judge it.  Page terms (``paper:``, ``date:``…) need
    the ``corpus``."""
    if where is None:
        return None
    if isinstance(where, str):
        if not where.strip():
            return None
        if store is None:
            raise ValueError("a tag expression needs the annotation store")
        from storage.annotations.expressions import (
            codebook_parents,
            page_matcher,
            page_terms,
            parse_expression,
        )

        tree = parse_expression(where)
        match = page_matcher(tree, codebook_parents(store.tag_defs()))
        tags_of = store.tags_by_article()
        if not page_terms(tree):
            return lambda aid: match(tags_of.get(aid, set()), None)
        if corpus is None:
            raise ValueError("page terms (paper:, date:, page:, section:) need the corpus")
        page = {a.id: issue for issue in corpus.issues for a in issue.articles}
        return lambda aid: match(tags_of.get(aid, set()), page.get(aid))
    return where


def has_page_terms(where: Where) -> bool:
    """Whether ``where`` is an expression with page terms (they need the loaded corpus)."""
    from storage.annotations.expressions import page_terms, parse_expression

    return (
        isinstance(where, str) and bool(where.strip()) and bool(page_terms(parse_expression(where)))
    )


def matching_articles(
    corpus: Corpus, term: str, where: Callable[[str], bool] | None = None
) -> Iterator[tuple[Article, str]]:
    """Articles (in corpus order) whose text contains ``term``, with that text (``.text``
    joins the paragraphs on every call, so it is computed once here)."""
    if not term:
        raise ValueError("the search term is empty")
    for issue in corpus.issues:
        for art in issue.articles:
            if where is not None and not where(art.id):
                continue
            text = art.text
            if term in text:
                yield art, text


def headline_lines(article: Article, banner: str = "") -> Heads:
    """The headline group as printed, top down: banner, column, kicker, title, subtitle."""
    parts = (
        ("banner", banner),
        ("column", article.column),
        ("kicker", article.kicker),
        ("title", article.title),
        ("subtitle", article.subtitle),
    )
    return tuple((k, v) for k, v in parts if v)


def articles_with_heads(
    corpus: Corpus, term: str, where: Callable[[str], bool] | None = None
) -> Iterator[tuple[str, str, Heads]]:
    """(id, text, headline lines) of the articles (in corpus order) holding ``term`` in their
    text or headline group; a page's banner goes with its first article."""
    if not term:
        raise ValueError("the search term is empty")
    for issue in corpus.issues:
        for i, art in enumerate(issue.articles):
            if where is not None and not where(art.id):
                continue
            heads = headline_lines(art, issue.banner if i == 0 else "")
            text = art.text
            if term in text or any(term in h for _, h in heads):
                yield art.id, text, heads


def kwic(
    corpus: Corpus,
    term: str,
    *,
    width: int = 20,
    sort: Sort = None,
    where: Where = None,
    limit: int | None = None,
    store: Store | None = None,
) -> list[Line]:
    """Every occurrence of ``term`` with ``width`` characters each side.

    ``sort="left"`` orders by the left context read backwards from the match (the word just
    before the match first), as concordancers do; ``"right"`` by the right context; ``None``
    keeps corpus order.  ``limit`` applies after sorting.  ``where``: a predicate on article
    ids, or a tag expression evaluated with ``store``.
    """
    _check(width, sort, limit)
    pred = article_filter(where, store, corpus)
    texts = articles_with_heads(corpus, term, pred)
    return concordance(texts, term, width=width, sort=sort, limit=limit)


def kwic_library(
    library: Library,
    term: str,
    *,
    width: int = 20,
    sort: Sort = None,
    where: Where = None,
    limit: int | None = None,
    store: Store | None = None,
) -> list[Line]:
    """:func:`kwic` for a command (:func:`kwic_counted`'s lines)."""
    return kwic_counted(
        library, term, width=width, sort=sort, where=where, limit=limit, store=store
    )[0]


def kwic_counted(
    library: Library,
    term: str,
    *,
    width: int = 20,
    sort: Sort = None,
    where: Where = None,
    limit: int | None = None,
    store: Store | None = None,
) -> tuple[list[Line], int, int]:
    """:func:`kwic`'s lines, how many there are in all and in how many articles (a researcher
    reports the count; ``--limit`` cut them silently).  When the corpus is not loaded yet, the
    index is fresh and no boundary correction applies, the articles' texts come straight from
    the index (a query, instead of unpickling every parsed page — most of a whole ``piyue
    kwic`` process); the lines are the same either way."""
    _check(width, sort, limit)
    if not term:
        raise ValueError("the search term is empty")
    store = store if store is not None else library.store
    rows = None
    if library.corpus is None and not has_page_terms(where):
        rows = _indexed_texts(library, term)
    if rows is None:
        every = kwic(library.load(), term, width=width, sort=sort, where=where, store=store)
    else:
        pred = article_filter(where, store)
        texts = (r for r in rows if pred is None or pred(r[0]))
        if limit is not None:
            return concordance_head(texts, term, width=width, sort=sort, limit=limit)
        every = concordance(texts, term, width=width, sort=sort)
    shown = every if limit is None else every[:limit]
    return shown, len(every), len({ln.article_id for ln in every})


def _indexed_texts(library: Library, term: str) -> Iterator[Any] | None:
    """(article id, text) of the articles containing ``term``, in corpus order, read from a
    fresh index as they are consumed (a frequent word's texts are most of the corpus), the
    articles with ``term`` in a headline in their place (:func:`texts_with_heads`); None when
    the index cannot answer for the corpus as parsed now."""
    if library.corrections():
        return None  # corrected pages are re-parsed on load: the index has the old articles
    try:
        from storage.index import Index
        from storage.pagerow import index_path

        if not index_path(library.cache_dir, library.location).exists():
            return None
        idx = Index(library.location, library.cache_dir, library.user_dict)
    except Exception:  # a cache is never required for correctness
        return None
    try:
        fresh = idx.is_fresh()
    except Exception:
        fresh = False
    if not fresh:
        idx.close()
        return None
    try:
        heads = headline_pages(idx, term)
    except Exception:  # an index of another shape: the corpus answers
        idx.close()
        return None

    def read() -> Iterator[Any]:
        try:
            yield from texts_with_heads(idx, term, heads)
        finally:
            idx.close()

    return read()


def texts_with_heads(index: Any, term: str, pages: set[str]) -> Iterator[Any]:
    """(id, text) of the articles with ``term`` in their text, in corpus order, from the
    index; on ``pages`` (those with ``term`` in a headline, :func:`headline_pages`) every
    article holding it in its text or headline group as (id, text, headline lines), a page's
    banner with its first article.  No page is built: building the 600 pages of a common
    term's headlines cost 0.6 s, twice the bodies' scan."""
    bodies = index.keyed_texts_containing(term)
    if not pages:
        yield from ((aid, text) for _key, aid, text in bodies)
        return
    due = index.headline_groups(pages)
    at = 0
    held: dict[str, str] = {}  # the bodies found on the headline page being read
    for key, aid, text in bodies:
        while at < len(due) and due[at].key < key:
            yield from _group_items(due[at], term, held)
            held, at = {}, at + 1
        if at < len(due) and due[at].key == key:
            held[aid] = text
        else:
            yield aid, text
    for group in due[at:]:
        yield from _group_items(group, term, held)
        held = {}


def _group_items(group: Any, term: str, bodies: dict[str, str]) -> Iterator[Any]:
    """A headline page's articles holding ``term``, as :func:`articles_with_heads` gives
    them (an article with it in a headline alone comes with no text: it has no line there)."""
    for i, (aid, column, kicker, title, subtitle) in enumerate(group.articles):
        heads = tuple(
            (k, v)
            for k, v in (
                ("banner", group.banner if i == 0 else ""),
                ("column", column),
                ("kicker", kicker),
                ("title", title),
                ("subtitle", subtitle),
            )
            if v
        )
        text = bodies.get(aid, "")
        if text or any(term in h for _, h in heads):
            yield aid, text, heads


_IN_HEADS = (
    "(instr(a.title, ?1) OR instr(a.kicker, ?1) OR instr(a.subtitle, ?1) OR instr(a.col, ?1))"
)
_IN_BANNER = "p.skipped IS NULL AND instr(p.title, ?1)"
"""Where ``term`` (?1) stands in an article's headline group, and in a page's title (which
holds its banner): what :func:`headline_pages` asks of every page, a scan of short strings."""


def headline_pages(index: Any, term: str) -> set[str]:
    """Ids of the pages with ``term`` in a headline group, by the index: one scan answers
    both whether there are any and which (asked apart, the headlines were scanned twice)."""
    rows = index.db.execute(
        "SELECT p.id FROM articles a JOIN pages p ON p.no = a.page WHERE p.skipped IS NULL "
        f"AND {_IN_HEADS} UNION SELECT p.id FROM pages p WHERE {_IN_BANNER}",
        (term,),
    )
    return {pid for (pid,) in rows}


def with_headline_pages(
    library: Library, corpus: Corpus, term: str, pages: set[str] | None = None
) -> Corpus:
    """``corpus`` (the pages ``term`` is in the text of) and the pages it is in a headline of
    (``pages``, or asked of the index), in page order: what the concordance of ``term`` reads
    without building every page."""
    if pages is None:
        idx = library.reading_index()
        if idx is None:
            return corpus
        pages = headline_pages(idx, term)
    have = {i.id: i for i in corpus.issues}
    more = {pid: page for pid in pages - set(have) if (page := library.issue(pid))}
    if not more:
        return corpus
    have.update(more)
    order = [r.id for r in library.page_rows() if r.id in have]
    return Corpus(corpus.root, tuple(have[pid] for pid in order))


def _check(width: int, sort: Sort, limit: int | None = None) -> None:
    if width < 0:
        raise ValueError("width must not be negative")
    if limit is not None and limit < 0:
        raise ValueError("limit must not be negative")
    if sort not in ("left", "right", None):
        raise ValueError(f"unknown sort {sort!r} (left, right or none)")


def _lines(texts: Texts, term: str, width: int) -> Iterator[Line]:
    n = len(term)
    for aid, text, *more in texts:
        for part, head in more[0] if more else ():
            for i in occurrences(head, term):
                left = head[max(0, i - width) : i]
                yield Line(aid, i, i + n, left, term, head[i + n : i + n + width], part)
        for i in occurrences(text, term):
            left = text[max(0, i - width) : i]
            yield Line(aid, i, i + n, left, term, text[i + n : i + n + width])


def _order(sort: Sort) -> Callable[[Line], str] | None:
    if sort == "left":
        return lambda ln: ln.left[::-1]
    if sort == "right":
        return lambda ln: ln.right
    return None


def concordance(
    texts: Texts,
    term: str,
    *,
    width: int = 20,
    sort: Sort = None,
    limit: int | None = None,
) -> list[Line]:
    """KWIC lines of ``term`` over (article id, text[, headline lines]) in corpus order."""
    _check(width, sort, limit)
    if not term:
        raise ValueError("the search term is empty")
    lines = _lines(texts, term, width)
    key = _order(sort)
    if key is None:
        return list(lines if limit is None else itertools.islice(lines, limit))
    out = sorted(lines, key=key)
    return out if limit is None else out[:limit]


def concordance_head(
    texts: Texts, term: str, *, width: int, sort: Sort, limit: int
) -> tuple[list[Line], int, int]:
    """The first ``limit`` lines of :func:`concordance`, how many lines there are in all and
    in how many articles, holding no more than ``limit`` lines (a frequent word at 30,000
    pages has ~1,000,000)."""
    _check(width, sort, limit)
    if not term:
        raise ValueError("the search term is empty")
    seen = articles = 0

    def counted(items: Texts) -> Texts:
        nonlocal seen, articles
        for item in items:
            heads: Heads = item[2] if len(item) > 2 else ()
            # non-overlapping, as ``occurrences`` finds them
            n = item[1].count(term) + sum(h.count(term) for _, h in heads)
            seen += n
            articles += n > 0
            yield item

    lines = _lines(counted(texts), term, width)
    key = _order(sort)
    if key is None:
        head = list(itertools.islice(lines, limit))
        for _ in lines:  # the rest is only counted
            pass
    else:
        head = heapq.nsmallest(limit, lines, key=key)  # = sorted(...)[:limit], stable
    return head, seen, articles


def cell_width(text: str) -> int:
    """Terminal cells: 2 for wide and full-width characters (汉字, ，), 0 for combining marks."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


def aligned(line: Line, cells: int) -> tuple[str, str, str]:
    """A line for a fixed-width column display: left context cut from its start and padded to
    exactly ``cells`` cells, right context cut and padded the same, line breaks shown as
    spaces — so the matches of many lines stand in one column whatever their scripts."""

    def flat(s: str) -> str:
        return s.replace("\r", " ").replace("\n", " ").replace("\t", " ")

    left, right = flat(line.left), flat(line.right)
    while cell_width(left) > cells:
        left = left[1:]
    while cell_width(right) > cells:
        right = right[:-1]
    pad_l = " " * (cells - cell_width(left))
    pad_r = " " * (cells - cell_width(right))
    return pad_l + left, flat(line.match), right + pad_r


def kwic_dict(lines: list[Line]) -> dict[str, Any]:
    """The ``piyue kwic --json`` object."""
    return {"lines": [ln.as_dict() for ln in lines]}


def kwic_json(lines: list[Line]) -> str:
    return json.dumps(kwic_dict(lines), ensure_ascii=False)
