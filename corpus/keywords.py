"""Corpus-aware keyword ranking.

Plain ``jieba.analyse.extract_tags`` ranks newspaper boilerplate (发展, 工作, 推动) and junk
(``##``, ``01``).  Here: TF-IDF with document frequencies from the user's own corpus,
blended with jieba's general IDF while the corpus is small, a stopword list for the genre,
and filters that keep only real words (two or more characters, not digits or punctuation).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

STOPWORDS_FILE = Path(__file__).with_name("data") / "stopwords.txt"
_WORDLIKE = re.compile(
    r"^(?:[\u3400-\u9fff]{2,}|(?=[A-Za-z0-9\-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9\-]+)$"
)
_NUMERIC_CJK = re.compile(r"^[\d零一二三四五六七八九十百千万亿两几多余个年月日号时分点%％.]+$")
FULL_WEIGHT_DOCS = 500
"""With this many articles the corpus IDF is trusted fully."""


@dataclass(frozen=True, slots=True)
class Keyword:
    word: str
    weight: float


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words: set[str] = set()
    for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        words.update(line.split())
    return frozenset(words)


@lru_cache(maxsize=1)
def jieba_idf() -> tuple[dict[str, float], float]:
    """jieba's general-purpose IDF table and its median (for unseen words)."""
    import jieba.analyse

    path = Path(jieba.analyse.__file__).with_name("idf.txt")
    table: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                table[parts[0]] = float(parts[1])
            except ValueError:
                continue
    values = sorted(table.values())
    return table, values[len(values) // 2] if values else 10.0


def is_candidate(word: str) -> bool:
    """A word worth ranking: no digits-only, punctuation, markup, single characters."""
    if word in stopwords():
        return False
    if not _WORDLIKE.match(word):
        return False
    return not _NUMERIC_CJK.match(word)


class DocFreq:
    """Document frequencies of candidate words over a corpus of articles."""

    def __init__(self, df: Mapping[str, int] | None = None, docs: int = 0) -> None:
        self.df: dict[str, int] = dict(df or {})
        self.docs = docs

    def add_document(self, words: Iterable[str]) -> None:
        self.docs += 1
        for w in set(words):
            if is_candidate(w):
                self.df[w] = self.df.get(w, 0) + 1

    def idf(self, word: str) -> float:
        general, median = jieba_idf()
        g = general.get(word, median)
        if self.docs == 0:
            return g
        local = math.log((self.docs + 1) / (self.df.get(word, 0) + 1)) + 1.0
        # Scale the corpus IDF into jieba's range so the two can be blended.
        local_scaled = local / (math.log(self.docs + 1) + 1.0) * 12.0
        alpha = min(1.0, self.docs / FULL_WEIGHT_DOCS)
        return alpha * local_scaled + (1 - alpha) * g


def rank(
    words: Iterable[str], df: DocFreq, top: int = 20, boost: Iterable[str] = ()
) -> list[Keyword]:
    """Top keywords of one article's words, best first.

    ``boost`` are words known to be names or terms (learned names, user dictionary): a
    reader underlines them, so they get a modest bonus.
    """
    counts = Counter(w for w in words if is_candidate(w))
    if not counts:
        return []
    total = sum(counts.values())
    boosted = set(boost)
    scored: list[Keyword] = []
    for w, c in counts.items():
        score = (c / total) * df.idf(w)
        if w in boosted:
            score *= 1.5
        if len(w) >= 4:
            score *= 1.15  # longer words are more specific terms (专精特新, 减污降碳)
        scored.append(Keyword(w, score))
    scored.sort(key=lambda k: (-k.weight, k.word))
    best = scored[:top]
    if best:
        m = best[0].weight
        best = [Keyword(k.word, round(k.weight / m, 4)) for k in best]
    return best
