"""Query syntax and match marking, shared by the index (ranking) and the reader (hits).

``营商环境 "优化 营商" -党建``: words, quoted phrases, excluded words.  A word given twice is
one word; a query of more than ``MAX_WORDS`` words is refused (``query_problem``): every word
is a condition on every hit, and each one costs the index a lookup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(slots=True)
class Query:
    terms: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def positives(self) -> list[str]:
        return self.terms + self.phrases


_QUERY_TOKEN = re.compile(r'[-－﹣]?["“＂][^"”＂]*["”＂]?|\S+')
"""A quoted phrase (straight, Chinese or full-width quotes) or a word; a quote inside a word
is part of it (a pasted passage holds “…”: made straight, it was found nowhere)."""

MINUS = "-－﹣"
"""What excludes a word: a Chinese input method in full-width mode types －, not -."""

_QUOTES = '"“”＂'

MAX_WORDS = 64
"""Words a query may have (different ones; a phrase's each, excluded ones too): past that
it is refused, with this limit named, rather than left to run for minutes."""

OPERATORS = frozenset({"OR", "AND", "NOT"})
"""Words a user may type meaning an operator the syntax does not have (the filter's ``or``
is a tag expression): a query holding one bare is refused, quoted it is a word."""


def parse_query(text: str) -> Query:
    """Words, ``"quoted phrases"`` and ``-excluded`` words, each once (a word given twice,
    or quoted and not, is one condition: 4,000 copies of two words cost what two do)."""
    q = Query()
    seen: set[tuple[bool, str]] = set()
    for raw in _QUERY_TOKEN.findall(text):
        neg = raw[:1] in MINUS and len(raw) > 1
        body = raw[1:] if neg else raw
        quoted = body[:1] in _QUOTES
        body = body.strip(_QUOTES).strip().removesuffix("*")  # a word matches inside words
        if not body or (neg, body) in seen:
            continue
        seen.add((neg, body))
        if neg:
            q.excluded.append(body)
        elif quoted:
            q.phrases.append(body)
        else:
            q.terms.append(body)
    return q


class QueryRefused(ValueError):
    """A query the search cannot answer as typed (its message says why)."""


class QueryTooLong(QueryRefused):
    """A query of more than ``MAX_WORDS`` words (its message says so)."""


def too_many_words(q: Query) -> str | None:
    """A phrase's words count one by one (FTS5 matches a phrase of n words in time that
    grows as n², a repeated word most of all)."""
    count = sum(len(w.split()) for w in [*q.positives, *q.excluded])
    if count <= MAX_WORDS:
        return None
    return (
        f"the query has {count:,} words: at most {MAX_WORDS} are searched (a word given "
        "twice counts once, a phrase's words one by one) — narrow it down"
    )


def query_problem(text: str) -> str | None:
    """Why the search refuses ``text`` (said as it is to the user, by the command line and
    the reader alike), or None."""
    too_many = too_many_words(parse_query(text))
    if too_many:
        return too_many
    tokens = _QUERY_TOKEN.findall(text)
    bare = sorted({w for w in tokens if w in OPERATORS})
    if bare:
        return (
            f"{'/'.join(bare)} is not an operator here: every word must occur in a hit and "
            '-WORD excludes one (营商环境 -党建); quote it ("OR") to find the word itself'
        )
    return wildcard_problem(text) or field_problem(text)


def wildcard_problem(text: str) -> str | None:
    """A ``*`` the search cannot honour, said (it was searched as a character: no hits).
    At a word's end it is dropped — every word already matches inside longer words, so
    ``营商*`` finds what ``营商`` finds."""
    for tok in _QUERY_TOKEN.findall(text):
        word = tok.lstrip(MINUS).strip(_QUOTES).strip()
        if "*" in word.removesuffix("*") or (word and not word.strip("*")):
            return (
                f"{tok}: * is not supported there — only at the end of a word (营商*), where "
                "it changes nothing: every word already matches inside longer words"
            )
    return None


FIELD_WORDS = ("paper:", "date:", "page:", "section:", "paper：", "date：", "page：", "section：")
"""Page terms of the filter: in a search they would be looked for as text."""


def field_problem(text: str) -> str | None:
    """``paper:洛阳日报`` typed into a search selects nothing (no page holds that text):
    say where page terms go."""
    for tok in _QUERY_TOKEN.findall(text):
        if tok.lstrip(MINUS).lower().startswith(FIELD_WORDS):
            return (
                f"{tok}: page terms (paper:, date:, page:, section:) select articles in the "
                "filter (f in the reader, --where on the command line), not in a search"
            )
    return None


def match_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for t in dict.fromkeys(t.replace(" ", "") for t in terms):
        if not t:
            continue
        start = text.find(t)
        while start >= 0:
            spans.append((start, start + len(t)))
            start = text.find(t, start + len(t))
    spans.sort()
    return spans


def snippet(text: str, spans: list[tuple[int, int]], width: int = 30) -> str:
    """A short context around the first match, with the match marked «like this» (a long
    match, a pasted passage, by its two ends: a hit list of whole paragraphs says nothing)."""
    flat = text.replace("\n", " ")
    if not spans:
        return flat[: width * 2]
    s, e = spans[0]
    a = max(0, s - width)
    b = min(len(flat), e + width)
    match = flat[s:e] if e - s <= 4 * width else f"{flat[s : s + width]}…{flat[e - width : e]}"
    return (
        ("…" if a > 0 else "")
        + flat[a:s]
        + "«"
        + match
        + "»"
        + flat[e:b]
        + ("…" if b < len(flat) else "")
    )
