"""Corpus-aware keyword ranking over words *and* terms.

Plain ``jieba.analyse.extract_tags`` ranks newspaper boilerplate (发展, 工作, 推动) and junk
(``##``, ``01``).  Here: TF-IDF with document frequencies from the user's own corpus,
blended with jieba's general IDF while the corpus is small, a stopword list for the genre,
and filters that keep only real words (two or more characters, not digits or punctuation).
Multi-word terms and names (``corpus.terms``, learned into the segmenter) compete with single
words; each keyword says what it is (``KEYWORD_KINDS``) so the reader's legend can tell.
jieba's IDF table is read from its file once, here: ``jieba.analyse`` (which loads its own
copy, and the POS tables) is never imported.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corpus.termnames import STOPWORDS_FILE, stopwords
from corpus.terms import Term

__all__ = [
    "FULL_WEIGHT_DOCS",
    "KEYWORD_KINDS",
    "STOPWORDS_FILE",
    "DocFreq",
    "Keyword",
    "Term",
    "is_candidate",
    "jieba_idf",
    "kinds_of",
    "rank",
    "stopwords",
]
KEYWORD_KINDS = ("word", "term", "person", "place", "organisation")
_WORDLIKE = re.compile(
    r"^(?:[\u3400-\u9fff]{2,}|(?=[A-Za-z0-9\-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9\-]+"
    r"|(?=(?:.*[\u3400-\u9fff]){2})[\u3400-\u9fff][\u3400-\u9fffA-Za-z0-9·\-]{2,})$"
)
_NUMERIC_CJK = re.compile(r"^[\d零一二三四五六七八九十百千万亿两几多余个年月日号时分点%％.]+$")
FULL_WEIGHT_DOCS = 500
"""With this many articles the corpus IDF is trusted fully."""
GENRE_SHARE = 0.25
GENRE_MIN_DOCS = 20
"""A word in a quarter of the articles is the genre's own (高质量发展 in 13 of 30 local news
stories), whatever jieba's general table says: from GENRE_MIN_DOCS articles on, its IDF is at
most the corpus's."""
TERM_FULL_WEIGHT_DOCS = 50
"""The same for learned multi-word terms, whose general IDF is only a guess."""


@dataclass(frozen=True, slots=True)
class Keyword:
    word: str
    weight: float
    kind: str = "word"
    """One of KEYWORD_KINDS: word, term, person, place, organisation."""


JIEBA_IDF_MEDIAN = 11.9547675029
"""The median of jieba's IDF table: the general IDF of a word it does not know (a test
checks it against the table)."""


def jieba_idf(vocabulary: Collection[str] | None = None) -> tuple[dict[str, float], float]:
    """jieba's general-purpose IDF table — only the words of ``vocabulary`` when given (the
    file is streamed: the whole 270,000-word table, ≈40 MB as a dict, is never built) — and
    its median."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin).parent / "analyse" / "idf.txt"
    table: dict[str, float] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            word, _, value = line.rstrip("\n").partition(" ")
            if not value or (vocabulary is not None and word not in vocabulary):
                continue
            try:
                table[word] = float(value)
            except ValueError:
                continue
    return table, JIEBA_IDF_MEDIAN


_PRESS = re.compile(r"(?:融媒|日报|晚报|报社|新华社|客户端|新闻网)$")
"""The press itself (洛报融媒, 洛阳日报社): in a paper's own text, a credit or a byline."""


_CANDIDATE: dict[str, bool] = {}
_MARKUP_WORDS = frozenset(
    "table tr td th tbody thead div span br img src href images jpg jpeg png gif html".split()
)
"""Markup of a converter's Markdown (MinerU writes tables as HTML): no keyword of a page."""


def is_candidate(word: str) -> bool:
    """A word worth ranking: no digits-only, punctuation, markup, single characters, nor the
    press itself."""
    known = _CANDIDATE.get(word)
    if known is None:
        if len(_CANDIDATE) > 200_000:
            _CANDIDATE.clear()
        known = _CANDIDATE[word] = not (
            word in stopwords()
            or word.lower() in _MARKUP_WORDS
            or _PRESS.search(word)
            or not _WORDLIKE.match(word)
            or _NUMERIC_CJK.match(word)
        )
    return known


class DocFreq:
    """Document frequencies of candidate words over a corpus of articles."""

    def __init__(self, df: Mapping[str, int] | None = None, docs: int = 0) -> None:
        self.df: dict[str, int] = dict(df or {})
        self.docs = docs
        self.parts: dict[str, tuple[str, ...]] = {}
        self._general: dict[str, float] | None = None

    def general(self) -> dict[str, float]:
        """jieba's IDF of the corpus's own words and their parts (read once; call from a
        worker first — it streams a 6 MB file)."""
        if self._general is None:
            vocabulary = set(self.df)
            for parts in self.parts.values():
                vocabulary.update(parts)
            self._general = jieba_idf(vocabulary)[0]
        return self._general

    def add_terms(self, terms: Iterable[Term]) -> None:
        """Learned terms: jieba's IDF table does not know them, so their general IDF is that
        of their rarest part (a term is at least as rare; a generic phrase stays generic)."""
        for t in terms:
            if len(t.parts) > 1:
                self.parts[t.text] = t.parts

    def add_document(self, words: Iterable[str]) -> None:
        self.docs += 1
        for w in set(words):
            if is_candidate(w):
                self.df[w] = self.df.get(w, 0) + 1

    def idf(self, word: str) -> float:
        """Corpus IDF blended with jieba's general one while the corpus is small (from
        FULL_WEIGHT_DOCS articles on, jieba's table is not even loaded: ≈40 MB saved)."""
        alpha = min(1.0, self.docs / FULL_WEIGHT_DOCS)
        if word in self.parts:  # jieba's table has no opinion on a term: trust the corpus
            alpha = min(1.0, self.docs / TERM_FULL_WEIGHT_DOCS)
        g = 0.0
        if self.docs == 0:  # no corpus figures yet (the index is loading): one constant
            return JIEBA_IDF_MEDIAN
        if alpha < 1.0:
            general, median = self.general(), JIEBA_IDF_MEDIAN
            found = general.get(word)
            if found is None:
                parts = self.parts.get(word)
                found = max(general.get(p, median) for p in parts) if parts else median
            g = found
        local = math.log((self.docs + 1) / (self.df.get(word, 0) + 1)) + 1.0
        # Scale the corpus IDF into jieba's range so the two can be blended.
        local_scaled = local / (math.log(self.docs + 1) + 1.0) * 12.0
        blended = alpha * local_scaled + (1 - alpha) * g
        if self.docs >= GENRE_MIN_DOCS and self.df.get(word, 0) >= GENRE_SHARE * self.docs:
            return min(blended, local_scaled)
        return blended


DOMAIN_DICT = Path(__file__).with_name("data") / "domain_dict.txt"
_DOMAIN_SECTIONS = {"policy": "term"}
"""Sections of piyue's domain dictionary (``# --- policy slogans…``) and what their words are:
only the slogans and programme names (its institutions and places are in jieba's ns and nt
already, and ranked up as such; its officials' titles are no key terms)."""


@lru_cache(maxsize=1)
def domain_kinds() -> dict[str, str]:
    """The domain dictionary's curated words and their kind: its policy slogans and programme
    names are terms (主题教育, 以案促改) that rank as a learned term does."""
    out: dict[str, str] = {}
    kind: str | None = None
    for line in DOMAIN_DICT.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ---"):
            words = line[5:].split()
            kind = _DOMAIN_SECTIONS.get(words[0]) if words else None
            continue
        word = line.split("#", 1)[0].split()[:1]
        if word and kind is not None:
            out[word[0]] = kind
    return out


def kinds_of(
    terms: Iterable[Term] = (),
    names: Iterable[str] = (),
    tags: Mapping[str, str] | None = None,
    words: Iterable[str] = (),
) -> dict[str, str]:
    """What each word is, for ``rank``: learned terms by their kind, learned names as people,
    the domain dictionary's slogans as terms (``domain_kinds``), and among ``words`` (the
    article's, when given: then only those) those jieba's dictionary tags as places (ns) or
    organisations (nt)."""
    out: dict[str, str] = {}
    present = set(words)
    for t in terms:
        if not present or t.text in present:
            out[t.text] = t.kind
    for n in names:
        if not present or n in present:
            out[n] = "person"
    for w, kind in domain_kinds().items():
        if (not present or w in present) and w not in out:
            out[w] = kind
    if tags:
        for w in present:
            if len(w) < 2 or w in out or not is_candidate(w):
                continue  # learned kinds first; the table is slow to ask: only what may rank
            tag = tags.get(w, "")
            if tag.startswith("ns"):
                out[w] = "place"
            elif tag.startswith("nt"):
                out[w] = "organisation"
    return out


TF_SUBLINEAR = True
"""1 + log(count): a word repeated ten times is not ten times the topic (项目, 企业)."""
KIND_ANY: tuple[str, ...] = ("place", "organisation")
"""Places and organisations from the dictionary's tags (高新区, 中国一拖) count as names too…"""
KIND_ANY_LEN = 3
"""…when they are three characters or more (洛阳 or 南路 alone is everywhere or a fragment)."""
BOOST = 1.5
LONG_BONUS = 1.15
TITLE_BONUS = 1.6
USE_RATIO = 0.5
"""A term that holds a chosen word takes its slot only if the article uses it half as often."""
FAINT = 0.3
"""A plain word said once scoring under this share of the top keyword is no key term (a
brief's 交会处 and 占地约)."""
_NAME_KINDS = frozenset(("person", "place", "organisation"))
LEAD_BONUS = 1.5
LEAD_CHARS = 120
"""The lead: roughly the first sentence of a story (本报讯… 昨日, X 到 Y 调研 Z)."""
_KIND_BONUS = {"term": 1.3, "person": 2.5, "place": 2.0, "organisation": 2.0}
"""Names are what a reader skims for: people, places and organisations first."""


def _count_nested(counts: Counter[str], kinds: Mapping[str, str]) -> None:
    """A term also occurs inside the longer terms the article uses (先进制造业基地 in
    全国先进制造业基地): count it there too, as C-value does, so a term is not ranked down for
    being said in several longer ways.  Names are left alone: 涧西区 inside 涧西区委 is
    another thing."""
    inside: Counter[str] = Counter()
    for big, c in counts.items():
        if kinds.get(big) != "term" or len(big) < 4:
            continue
        n = len(big)
        subs = {big[i:j] for i in range(n) for j in range(i + 3, n + 1) if j - i < n}
        for sub in subs:
            if kinds.get(sub) == "term" and sub in counts:
                inside[sub] += c
    counts.update(inside)


def _rankable(w: str, kinds: Mapping[str, str]) -> bool:
    if is_candidate(w):
        return True
    # a learned term may hold digits or numerals (十四五, 伏牛1号旅游公路)
    return w in kinds and len(w) > 2 and not w.isdigit() and not _PRESS.search(w)


_ESC_PARAMS = re.compile(r"^[\[\]();?0-9]+$")
_ESC_FINAL = re.compile(r"^[0-9;?]*[A-Za-z@~]$")


def outside_escapes(words: list[str]) -> list[str]:
    """The words that are not part of a terminal escape sequence in the text (ESC [ 31m,
    ESC ] 0;title BEL): ``31m`` or ``2J`` are no keywords of a page that carried them."""
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        i += 1
        if w != "\x1b":
            out.append(w)
            continue
        osc = i < n and words[i] == "]"
        while i < n:
            w = words[i]
            i += 1
            if osc:
                if w in ("\x07", "\x1b"):
                    break  # an OSC's text runs to BEL (or the next ESC)
            elif _ESC_FINAL.match(w):
                break  # a CSI sequence ends with its final letter
            elif not _ESC_PARAMS.match(w):
                i -= 1  # not an escape after all: the word is the text's
                break
    return out


def rank(
    words: Iterable[str],
    df: DocFreq,
    top: int = 20,
    boost: Iterable[str] = (),
    kinds: Mapping[str, str] | None = None,
    title: Iterable[str] = (),
    lead: Iterable[str] = (),
) -> list[Keyword]:
    """Top keywords of one article's words, best first.

    ``boost`` are words known to be names or terms (learned names, user dictionary): a
    reader underlines them, so they get a modest bonus.  ``kinds`` (``kinds_of``) says which
    words are terms, people, places, organisations: those compete with single words on
    more than their frequency (a term is rarer than each of its parts, and more telling).
    ``title`` are the headline's words and ``lead`` those of the first ``LEAD_CHARS``
    characters of the text: what a news story names first, it is about.
    Without ``kinds``, ``title`` and ``lead`` this is the ranking piyue had before terms.
    """
    kinds = kinds or {}
    if not isinstance(words, list):
        words = list(words)
    counts = Counter(words)
    if "\x1b" in counts:
        counts = Counter(outside_escapes(words))
    for w in [w for w in counts if not _rankable(w, kinds)]:
        del counts[w]
    if not counts:
        return []
    total = sum(counts.values())
    own = counts.copy()  # as said alone, before counting terms inside longer ones
    if kinds:
        _count_nested(counts, kinds)
    boosted = boost if isinstance(boost, (set, frozenset)) else set(boost)
    in_title = set(title)
    in_lead = set(lead)
    sublinear = TF_SUBLINEAR and bool(kinds)
    log = math.log
    idf = df.idf
    scored: list[tuple[float, str]] = []
    for w, c in counts.items():
        score = ((1.0 + log(c)) if sublinear else c) / total * idf(w)
        kind = kinds.get(w)
        if w in boosted:
            score *= BOOST
            if kind is not None:
                score *= _KIND_BONUS.get(kind, 1.0)
        elif kind in KIND_ANY and len(w) >= KIND_ANY_LEN:
            score *= _KIND_BONUS.get(kind, 1.0)
        elif kind == "term":  # a slogan of the domain dictionary (主题教育): a term, not boosted
            score *= _KIND_BONUS["term"]
        if w in in_title:  # the lead restating the headline is one statement, not two
            score *= TITLE_BONUS
        elif w in in_lead:
            score *= LEAD_BONUS
        if len(w) >= 4:
            score *= LONG_BONUS  # longer words are more specific terms (专精特新, 减污降碳)
        scored.append((-score, w))
    scored.sort()
    best: list[Keyword] = []
    for neg, w in scored:
        if len(best) >= top:
            break
        kind = kinds.get(w, "word")
        if kinds:
            if kind == "word" and own[w] < 2 and -neg < FAINT * -scored[0][0]:
                continue  # said once, far below the top: filler (交会处, 占地约 in a brief)
            if any(w in b.word for b in best):
                continue  # 民主生活会 under 专题民主生活会: the longer one already shows it
            inside = [i for i, b in enumerate(best) if b.word in w]
            if (
                inside
                and kind not in _NAME_KINDS
                and any(own[w] < USE_RATIO * own[best[i].word] for i in inside)
            ):
                continue  # 防汛 stands alone far more than in 检查防汛: it says it better
            if inside:  # 副中心城市, then 洛阳副中心城市: one slot, the longer name in it
                best[inside[0]] = Keyword(w, best[inside[0]].weight, kind)
                best = [b for i, b in enumerate(best) if i not in inside[1:]]
                continue
        best.append(Keyword(w, -neg, kind))
    if best:
        m = best[0].weight
        best = [Keyword(k.word, round(k.weight / m, 4), k.kind) for k in best]
    return best
