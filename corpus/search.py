"""Query syntax and match marking, shared by the index (ranking) and the reader (hits).

``营商环境 "优化 营商" -党建``: words, quoted phrases, excluded words.
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


_QUERY_TOKEN = re.compile(r'-?"[^"]*"?|\S+')


def parse_query(text: str) -> Query:
    """Words, ``"quoted phrases"`` and ``-excluded`` words."""
    q = Query()
    for raw in _QUERY_TOKEN.findall(text.replace("“", '"').replace("”", '"')):
        neg = raw.startswith("-") and len(raw) > 1
        body = raw[1:] if neg else raw
        quoted = body.startswith('"')
        body = body.strip('"').strip()
        if not body:
            continue
        if neg:
            q.excluded.append(body)
        elif quoted:
            q.phrases.append(body)
        else:
            q.terms.append(body)
    return q


def match_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for t in terms:
        t = t.replace(" ", "")
        if not t:
            continue
        start = text.find(t)
        while start >= 0:
            spans.append((start, start + len(t)))
            start = text.find(t, start + len(t))
    spans.sort()
    return spans


def snippet(text: str, spans: list[tuple[int, int]], width: int = 30) -> str:
    """A short context around the first match, with the match marked «like this»."""
    flat = text.replace("\n", " ")
    if not spans:
        return flat[: width * 2]
    s, e = spans[0]
    a = max(0, s - width)
    b = min(len(flat), e + width)
    return (
        ("…" if a > 0 else "")
        + flat[a:s]
        + "«"
        + flat[s:e]
        + "»"
        + flat[e:b]
        + ("…" if b < len(flat) else "")
    )
