"""Concordance (KWIC): every occurrence of a term in the corpus with its context.

A term is matched as a plain substring of ``article.text`` — not as a jieba token — so 营商
inside 营商环境 counts; offsets count into ``article.text`` like highlight offsets, so a line
can be opened in the reader or coded as a passage as it is.  Occurrences do not overlap (the
search resumes after a match, as ``str.count`` does).  Context is raw text, newlines included:
the display decides how to show them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from corpus.model import Article, Corpus
from storage.annotations import Store

Sort = Literal["left", "right"] | None
Where = Callable[[str], bool] | str | None


@dataclass(frozen=True, slots=True)
class Line:
    """One occurrence: ``match == article.text[start:end]``."""

    article_id: str
    start: int
    end: int
    left: str
    match: str
    right: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "left": self.left,
            "match": self.match,
            "right": self.right,
        }


def occurrences(text: str, term: str) -> Iterator[int]:
    """Start offsets of ``term`` in ``text``, left to right, not overlapping."""
    i = text.find(term)
    n = len(term)
    while i >= 0:
        yield i
        i = text.find(term, i + n)


def article_filter(where: Where, store: Store | None) -> Callable[[str], bool] | None:
    """``where`` as a predicate on article ids: a callable as is, a tag expression through the
    store (the article's own tags and its passages', as ``export --where`` selects)."""
    if where is None:
        return None
    if isinstance(where, str):
        if not where.strip():
            return None
        if store is None:
            raise ValueError("a tag expression needs the annotation store")
        chosen = store.select(where)
        return chosen.__contains__
    return where


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
    keeps corpus order.  ``limit`` applies after sorting.
    """
    if width < 0:
        raise ValueError("width must not be negative")
    if sort not in ("left", "right", None):
        raise ValueError(f"unknown sort {sort!r} (left, right or none)")
    pred = article_filter(where, store)
    n = len(term)
    out: list[Line] = []
    early = limit if sort is None else None
    for art, text in matching_articles(corpus, term, pred):
        for i in occurrences(text, term):
            out.append(
                Line(
                    art.id, i, i + n, text[max(0, i - width) : i], term, text[i + n : i + n + width]
                )
            )
            if early is not None and len(out) >= early:
                return out
    if sort == "left":
        out.sort(key=lambda ln: ln.left[::-1])
    elif sort == "right":
        out.sort(key=lambda ln: ln.right)
    return out if limit is None else out[:limit]


def kwic_dict(lines: list[Line]) -> dict[str, Any]:
    """The ``piyue kwic --json`` object."""
    return {"lines": [ln.as_dict() for ln in lines]}


def kwic_json(lines: list[Line]) -> str:
    return json.dumps(kwic_dict(lines), ensure_ascii=False)
