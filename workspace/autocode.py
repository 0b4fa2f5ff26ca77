"""Autocoding: code every occurrence of a term — the match, its sentence or its paragraph —
with one code, after a preview, as one undo step.

Only the article's text is coded: a passage's offsets count into the text, so a headline (which
the concordance shows) cannot be one — :func:`headline_hits` counts what is left for article
tags, and the command says so rather than leave them out silently (testerC F5)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Literal

from corpus.model import Article, Corpus
from storage.annotations import Store, clean_tag
from workspace.coded import live_passages
from workspace.kwic import (
    Where,
    article_filter,
    articles_with_heads,
    matching_articles,
    occurrences,
)

Unit = Literal["match", "sentence", "paragraph"]
UNITS: tuple[Unit, ...] = ("match", "sentence", "paragraph")
Plan = list[tuple[Article, int, int]]

SENTENCE_END = frozenset("。！？；…!?;")
CLOSERS = frozenset("”’」』）)】》\"'")


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
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} (match, sentence or paragraph)")
    plan: Plan = []
    n = len(query)
    for art, text in matching_articles(corpus, query, article_filter(where, store, corpus)):
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


def headline_hits(
    corpus: Corpus, query: str, *, where: Where = None, store: Store | None = None
) -> tuple[int, int]:
    """(occurrences, articles) of ``query`` in headline groups (banner, column, kicker,
    title, subtitle): what autocoding does not code."""
    hits = articles = 0
    for _aid, _text, heads in articles_with_heads(
        corpus, query, article_filter(where, store, corpus)
    ):
        n = sum(h.count(query) for _, h in heads)
        hits += n
        articles += n > 0
    return hits, articles


def preview(plan: Plan) -> tuple[int, int]:
    """(passages, articles) the plan would code."""
    return len(plan), len({a.id for a, _, _ in plan})


def one_step(store: Store, label: str) -> AbstractContextManager[None]:
    """Many store changes as one undo step and one journal write."""
    return store.batch(label)


def apply_autocode(store: Store, plan: Plan, code: str) -> int:
    """Code every planned span with ``code`` in one undo step; returns the passages coded.
    A passage already on exactly that span gets the code added (the store joins them); one
    that has the code already is skipped."""
    code = clean_tag(code)
    has: dict[tuple[str, int, int], set[str]] = {}
    for _, aid, start, end, tags, _, _ in live_passages(store):
        has.setdefault((aid, start, end), set()).update(tags)
    todo = [(art, s, e) for art, s, e in plan if code not in has.get((art.id, s, e), ())]
    if not todo:
        return 0
    with one_step(store, f"autocode {code}"):
        for art, s, e in todo:
            store.add_highlight(art, s, e, [code])
    return len(todo)
