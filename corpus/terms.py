"""Term discovery: multi-word terms, people, places and organisations of a corpus.

jieba splits the terms of this genre into pieces (国家/产业/转型/升级/示范区, 七/二五/所), so a
reader, a search and a keyword list never see them whole.  Here, from token streams only (no
storage, no jieba): adjacent tokens that occur together far more often than their parts allow,
kept only where they stand alone (nested terms counted once, boundaries that branch), plus
suffix rules for organisations and places and person names from titles and verbs of speech.

The index is incremental, so counting and selecting are separate: ``count_page`` per page,
``Counts.merge``/``Counts.subtract`` as pages come and go, ``select_terms`` over the merged counts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import add, and_, itemgetter
from typing import Any

from corpus.termkinds import (
    ADMIN,
    CONTENT,
    MAX_N,
    NUMERIC,
    ORG_SUFFIXES,
    SUFFIX_SET,
    name_kind,
    suffix_kind,
    token_suffix_kind,
)
from corpus.termnames import (
    BREAK,
    CUES,
    TITLE_ENDS,
    find_people,
    looks_like_name,
    name_shaped,
    stopwords,
)
from corpus.termquotes import QUOTE_SET, SEP, count_quotes

KINDS = ("term", "person", "place", "organisation")
# A term does not start with these (verbs and adverbs that open a phrase, not a name).
_BAD_START_TAGS = frozenset("d p c u r y e o f q v i ad ul uj uz ug ud".split())
_BAD_END_TAGS = frozenset("d p c u r y e o f ad a i ul uj uz ug ud".split())
# Generic words that may sit in a term although they are boilerplate on their own
# (关心下一代工作, 全国自然灾害综合风险普查).
_EDGE_OK = frozenset(
    "工作 会议 活动 规划 领域 基础 单位 部门 水平 组织 干部 任务 全国 全省 全市 全区 全县 "
    "市民 群众 领导 重点 重大 主要 二期".split()
)
_PROPER_ONCE = ("ns", "nr", "nz", "nt", "j", "x", "m")
"""Tags of a first token that may start a name seen once (洛阳/轴承/研究所, 七/二五/所)."""
_TAIL_OK = frozenset("工作者 建设 会".split())
"""Generic words that may end a term, never start one (全国优秀党务工作者, 项目建设; 会 of
市委常委/会, where jieba cuts a suffix that ``token_suffix_kind`` reads across the tokens)."""


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    freq: int
    kind: str
    """One of KINDS: term, person, place, organisation."""
    parts: tuple[str, ...] = ()
    """The tokens it joins (one for a name jieba already keeps whole)."""


def _add(table: Counter[str], more: Mapping[str, int]) -> None:
    """``table.update(more)`` in C: Counter.update loops in Python once ``table`` has keys, and
    the index merges every page's counts into one (a quarter faster)."""
    keys = list(more)
    sums = map(add, map(table.get, keys, repeat(0)), more.values())
    dict.update(table, zip(keys, sums, strict=True))


@dataclass
class Counts:
    """Mergeable n-gram statistics of some pages (what the index stores per page).

    ``grams`` maps space-joined token n-grams (1 to MAX_N tokens) to their frequency; a longer
    n-gram is kept for a page only if it recurs on that page (or ends in an organisation or
    place suffix), which keeps a page's counts small.  ``people`` counts name evidence.
    """

    grams: Counter[str] = field(default_factory=Counter)
    people: Counter[str] = field(default_factory=Counter)
    tokens: int = 0
    docs: int = 0
    quoted: Counter[str] = field(default_factory=Counter)
    """Short spans the paper put in quotes (“河洛英才计划”, “十四五”): the genre marks its terms."""

    def merge(self, other: Counts) -> Counts:
        """Add ``other`` in place (and return self)."""
        _add(self.grams, other.grams)
        _add(self.people, other.people)
        _add(self.quoted, other.quoted)
        self.tokens += other.tokens
        self.docs += other.docs
        return self

    def subtract(self, other: Counts) -> Counts:
        """Remove a page counted before (a page changed or went away)."""
        for table, minus in (
            (self.grams, other.grams),
            (self.people, other.people),
            (self.quoted, other.quoted),
        ):
            for k, v in minus.items():
                n = table.get(k, 0) - v
                if n > 0:
                    table[k] = n
                else:
                    table.pop(k, None)
        self.tokens -= other.tokens
        self.docs -= other.docs
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "grams": dict(self.grams),
            "people": dict(self.people),
            "tokens": self.tokens,
            "docs": self.docs,
            "quoted": dict(self.quoted),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Counts:
        return cls(
            Counter(data.get("grams", {})),
            Counter(data.get("people", {})),
            int(data.get("tokens", 0)),
            int(data.get("docs", 0)),
            Counter(data.get("quoted", {})),
        )


_MARKS = QUOTE_SET | {SEP}


_SEEN: dict[str, int] = {}
"""Token → what it is to ``count_page``, as bits: content (may sit inside a term), a
cue of a name (a title, a verb of speech: _CUE), a suffix (_SUFFIX), a quotation mark or an
article's end (_MARK).  Judged once per process (the indexer's hottest question)."""
_CONTENT_BIT, _CUE, _SUFFIX, _MARK = 1, 2, 4, 8
_SPECIAL = _CUE | _SUFFIX | _MARK
_AGAIN = 16
"""Recurs on the page (``count_page``'s own bit, not ``_SEEN``'s)."""
_SPECIAL_BYTES = bytes(b & _SPECIAL for b in range(256))
_AGAIN_BYTES = bytes(int(b & (_AGAIN | _CONTENT_BIT) == _AGAIN | _CONTENT_BIT) for b in range(256))
"""1 for content that recurs on the page, 0 for any other token."""


def _is_content(tok: str) -> bool:
    """A token a term may hold: a word or a number, no break, and no boilerplate
    (``select_terms`` never keeps a gram that holds 发展 or 进行, so they are not counted)."""
    if (tok in BREAK and tok not in _TAIL_OK) or CONTENT.match(tok) is None:
        return False
    return tok not in stopwords() or tok in _EDGE_OK or tok in _TAIL_OK


def _judge_token(tok: str) -> int:
    cue = _CUE if tok in CUES or tok.endswith(TITLE_ENDS) else 0  # not 责任, 登记
    return (
        cue
        | (_SUFFIX if tok in SUFFIX_SET else 0)
        | (_MARK if tok in _MARKS else 0)
        | (_CONTENT_BIT if _is_content(tok) else 0)
    )


def _codes(distinct: list[str]) -> list[int]:
    """What each of ``distinct`` is (``_SEEN``'s bits), judging the tokens new to the process
    (found by a set difference in C: most pages of a cold index bring a few)."""
    try:
        return list(map(_SEEN.__getitem__, distinct))
    except KeyError:
        if len(_SEEN) > 500_000:
            _SEEN.clear()
        new = set(distinct).difference(_SEEN)
        _SEEN.update(zip(new, map(_judge_token, new), strict=True))
        return list(map(_SEEN.__getitem__, distinct))


def _expanded(toks: Sequence[str], expand: Mapping[str, Sequence[str]]) -> Sequence[str]:
    """Learned terms back into the base tokens they came from."""
    if expand.keys().isdisjoint(toks):
        return toks
    parts_of = {t: expand.get(t, (t,)) for t in set(toks)}
    return list(chain.from_iterable(map(parts_of.__getitem__, toks)))


_TWO_OR_MORE = (1).__lt__


def _longer(flat: list[str], at: list[int], grams: Counter[str]) -> None:
    """Grams of 3 to MAX_N tokens that recur on the page, into ``grams``: every pair of one
    is a repeated pair (``at``: where those stand).  Level by level, in C: a gram of
    k + 1 tokens at i is one of k at i whose last pair repeats."""
    get = flat.__getitem__
    paired = set(at).__contains__
    for k in range(3, MAX_N + 1):
        at = list(compress(at, map(paired, map(add, at, repeat(k - 2)))))  # its last pair
        if not at:
            return
        seen = Counter(zip(*(map(get, map(add, at, repeat(o))) for o in range(k)), strict=True))
        again = list(compress(seen, map(_TWO_OR_MORE, seen.values())))
        dict.update(grams, zip(map(" ".join, again), map(seen.__getitem__, again), strict=True))


_NONZERO = re.compile(rb"[^\x00]")


def _nonzero(flags: bytes) -> list[int]:
    """Where ``flags`` is not 0: a regex scans the zeros in C (a compress over range(n) makes
    an int for every token)."""
    return [m.start() for m in _NONZERO.finditer(flags)]


def count_page(
    tokens_per_article: Iterable[Sequence[str]],
    expand: Mapping[str, Sequence[str]] | None = None,
) -> Counts:
    """Counts of one page, from each article's tokens (what they hold is stored per page in
    the index: a change to it bumps ``storage.pagerow.SCHEMA``).

    ``expand`` maps learned terms to their parts: tokens segmented with the learned layer are
    counted as the base tokens they came from, so the selection is the same either way.
    The indexer's hottest loop: the page's articles go into one token list (``SEP`` between
    them), tokens are judged as the page's distinct tokens, pairs are made only of tokens that
    recur on the page, and every pass over tokens or pairs runs in C; Python loops only over
    the few places where a name's cue, a quotation mark or a suffix stands.
    """
    flat: list[str] = []
    tokens = docs = 0
    for toks in tokens_per_article:
        if expand:
            toks = _expanded(toks, expand)
        docs += 1
        tokens += len(toks)
        flat += toks
        flat.append(SEP)
    every = Counter(flat)
    distinct = list(every)
    code = _codes(distinct)
    n = len(flat)
    # a token's bits as one byte each (_AGAIN: content that recurs on the page): the passes
    # over the page below are bytes.translate, big-integer AND and compress over bytes
    twice = int.from_bytes(bytes(map(_TWO_OR_MORE, every.values())), "little") << 4  # _AGAIN
    vals = (int.from_bytes(bytes(code), "little") | twice).to_bytes(len(code), "little")
    bit_of = dict(zip(distinct, vals, strict=True))
    # itemgetter of many keys looks them all up in one call (a fifth faster than a map)
    bits = bytes(itemgetter(*flat)(bit_of)) if n > 1 else bytes(map(bit_of.__getitem__, flat))
    special_bits = bits.translate(_SPECIAL_BYTES)
    at = _nonzero(special_bits)
    what = special_bits.replace(b"\0", b"")
    special = set(compress(distinct, map(and_, code, repeat(_SPECIAL))))
    people: Counter[str] = Counter()
    quoted: Counter[str] = Counter()
    find_people(flat, compress(at, map(and_, what, repeat(_CUE))), people)
    if not QUOTE_SET.isdisjoint(special):
        count_quotes(flat, compress(at, map(and_, what, repeat(_MARK))), quoted)
    # a pair recurs only if both its tokens do (content tokens that recur on the page)
    again1 = set(compress(distinct, vals.translate(_AGAIN_BYTES)))
    ok = int.from_bytes(bits.translate(_AGAIN_BYTES), "little")
    both = (ok & (ok >> 8)).to_bytes(n, "little")  # both[i]: flat[i] and flat[i + 1] recur
    at_pair = _nonzero(both)
    get = flat.__getitem__
    pairs = list(zip(map(get, at_pair), map(get, map(add, at_pair, repeat(1))), strict=True))
    counted = Counter(pairs)
    rep = set(compress(counted, map(_TWO_OR_MORE, counted.values())))
    grams: Counter[str] = Counter()
    dict.update(grams, zip(map(" ".join, rep), map(counted.__getitem__, rep), strict=True))
    if rep:  # where the repeated pairs stand
        _longer(flat, list(compress(at_pair, map(rep.__contains__, pairs))), grams)
    suffixed: list[tuple[str, ...]] = []
    if not SUFFIX_SET.isdisjoint(special):
        seen = _SEEN
        for i in compress(at, map(and_, what, repeat(_SUFFIX))):
            if i < 1 or not (seen[flat[i]] & seen[flat[i - 1]] & _CONTENT_BIT):
                continue
            suffixed.append((flat[i - 1], flat[i]))
            if i > 1 and seen[flat[i - 2]] & _CONTENT_BIT:
                suffixed.append(tuple(flat[i - 2 : i + 1]))
                # 洛阳/国家/大学/科技园, not 船舶/七/二五/所
                if i > 2 and seen[flat[i - 3]] & _CONTENT_BIT and len(flat[i]) > 1:
                    suffixed.append(tuple(flat[i - 3 : i + 1]))
    by_suffix = Counter(suffixed)
    dict.update(grams, zip(map(" ".join, by_suffix), by_suffix.values(), strict=True))
    # A word seen once on the page, in no n-gram kept here, is left out (most of a page's
    # words): its corpus count is then a little low, which only matters for rare words.
    # (The words of a repeated pair or longer gram recur: the suffixes name the others.)
    again1.update(chain.from_iterable(by_suffix))
    dict.update(grams, zip(again1, map(every.__getitem__, again1), strict=True))
    return Counts(grams, people, tokens, docs, quoted)


def _entropy(f: int, ext: list[int]) -> float:
    """Branching entropy of a gram seen ``f`` times whose seen extensions are ``ext``; the
    remainder (punctuation, breaks, extensions not kept) counts as distinct neighbours."""
    h = 0.0
    rest = f - sum(ext)
    for c in ext:
        p = c / f
        h -= p * math.log(p)
    if rest > 0:
        h -= rest * (1 / f) * math.log(1 / f)
    return h


QUOTED_WORDS: tuple[str, ...] = ("n", "v", "a", "i", "l")
"""Tags of a dictionary word that, alone in quotes, is a figure (“防火墙”), not a new term."""
FRAGMENT = 0.3
"""A candidate whose neighbours branch less than this × log(f + 1) is a fragment."""
_PEOPLE_COUNT = re.compile(r"^[一二三四五六七八九十两几多百千万]+[名位]$")
"""A count of people (两名, 三位): 两名个人 is how many, never a name."""
LONGEST = 7
"""Longest term, in tokens, chained from grams of MAX_N (习近平/新/时代/中国/特色/社会主义/思想)."""


def _chained(grams: Mapping[str, int], min_freq: int, tags: Mapping[str, str]) -> dict[str, int]:
    """Terms longer than MAX_N tokens, inferred without counting them: when two grams of MAX_N
    overlap in MAX_N - 1 tokens and the three are seen equally often, each overlap was always
    between the two, so the joined gram was seen that often too.  A chain that always goes on
    with a word a term may hold (市委/十二届/…/经济 + 工作) is a fragment of a longer one; one
    that a verb always opens (贯彻 + 习近平/…/思想) is not."""
    by_head: dict[str, list[tuple[str, int]]] = {}
    level = [(g, f) for g, f in grams.items() if f >= min_freq and g.count(" ") == MAX_N - 1]
    for g, f in level:
        by_head.setdefault(g.rsplit(" ", 1)[0], []).append((g, f))
    chains: dict[str, int] = {}
    for size in range(MAX_N + 1, LONGEST + 2):
        grown = []
        for g, f in level:
            tail = g.split(" ", size - MAX_N)[-1]
            if grams.get(tail) != f:
                continue
            for nxt, fn in by_head.get(tail, ()):
                if fn == f:
                    grown.append((f"{g} {nxt.rsplit(' ', 1)[1]}", f))
        chains.update(grown)
        level = grown
    goes_on: set[str] = set()  # chains that always go on into a longer term
    for g in chains:
        head, _, last = g.rpartition(" ")
        first, _, rest = g.partition(" ")
        if tags.get(last, "n") not in _BAD_END_TAGS:
            goes_on.add(head)
        if tags.get(first, "n") not in _BAD_START_TAGS:
            goes_on.add(rest)
    return {g: f for g, f in chains.items() if g.count(" ") < LONGEST and g not in goes_on}


SELECTION = 2
"""The selection rules' version: an index whose terms were chosen by other rules chooses them
again from its stored counts (no page is read again)."""
PAIR_MIN = 5
"""Two single characters jieba cut apart are a word when seen together this often…"""
PAIR_COHESION = 0.5
"""…and mostly together (涧 and 西 of 涧西, the district's short name, 12 times in the seeds)."""
_PAIR_BAD_TAGS = frozenset("d p c u r y e o q m x uj ul uz ug ud".split())


def _char_pair(
    parts: list[str], f: int, grams: Mapping[str, int], tags: Mapping[str, str], stop: Any
) -> bool:
    a, b = parts
    if len(a) != 1 or len(b) != 1 or f < PAIR_MIN:
        return False
    if not ("\u4e00" <= a <= "\u9fff" and "\u4e00" <= b <= "\u9fff"):
        return False
    if a in stop or b in stop or tags.get(a, "x") in _PAIR_BAD_TAGS:
        return False
    if tags.get(b, "x") in _PAIR_BAD_TAGS:
        return False
    return f / math.sqrt(grams.get(a, f) * grams.get(b, f)) >= PAIR_COHESION


def select_terms(
    counts: Counts,
    rejected: Iterable[str] = (),
    *,
    tags: Mapping[str, str] | None = None,
    min_freq: int = 2,
    min_cohesion: float = 0.12,
    limit: int | None = None,
) -> list[Term]:
    """The corpus's terms, most frequent first.

    ``tags`` are dictionary parts of speech of single tokens (``Segmenter.tags()``): a term does
    not start or end with an adverb, preposition, conjunction or pronoun.  ``rejected`` texts
    never come back (and do not hide their parts).
    """
    reject = set(rejected)
    tags = tags or {}
    stop = stopwords()
    grams: Mapping[str, int] = counts.grams
    longest = _chained(grams, min_freq, tags)
    if longest:
        grams = {**grams, **longest}
    cands: dict[str, list[str]] = {}
    for g, f in grams.items():
        if " " not in g:
            continue
        parts = g.split(" ")
        text = "".join(parts)
        kind = token_suffix_kind(parts)
        if f < min_freq and kind is None:
            continue
        if len(text) == 2 and text not in reject and _char_pair(parts, f, grams, tags, stop):
            cands[g] = parts  # 涧/西: a name jieba does not know, cut into its characters
            continue
        if text in reject or len(text) < 3 or len(text) > 24:
            continue
        first, last = parts[0], parts[-1]
        if any(p in stop and p not in _EDGE_OK for p in parts[:-1]) or (
            last in stop and last not in _EDGE_OK and last not in _TAIL_OK
        ):
            continue
        if kind is None and first in ADMIN and last.endswith(ORG_SUFFIXES):
            kind = "organisation"  # 市/政协党组, 市/应急/管理局
        if NUMERIC.match(last) or (NUMERIC.match(first) and kind != "organisation"):
            continue
        first_tag, last_tag = tags.get(first, "n"), tags.get(last, "n")
        if first not in tags and len(first) > 1 and tags:
            glued = tags.get(first[0], "n")  # a word jieba's HMM made (以双椒, 做强)
            if glued in ("p", "c"):
                first_tag = glued  # 以 + 双椒/融合/产业园: no term starts with a preposition
            elif glued == "v" and tags.get(first[1:], "") == "a":
                first_tag = "v"  # 做强, 做大: a verb and its result, an action
        if kind is not None and len(last) == 1:
            last_tag = "n"  # 所, 局 as suffixes, whatever the dictionary says of them alone
        if first_tag in _BAD_START_TAGS or last_tag in _BAD_END_TAGS:
            continue
        if last_tag == "v" and (len(last) == 1 or first_tag in ("a", "ad", "d", "v")):
            continue  # 反诈宣传+进, 牢固+树立: a phrase, not a name
        if kind is not None and (first_tag == "v" or (first_tag in ("vn", "a") and len(parts) > 2)):
            continue  # 做强/吉利/片区, 优化/乡里/中心: a name does not start with a verb
        before = parts[-2]
        if last in ("市", "省", "县") and tags and before in tags:
            if not tags[before].startswith(("ns", "nz", "j")):
                continue  # (刘应安/)代表/市 of 代表市纪委: a word the dictionary knows is no place
        if _PEOPLE_COUNT.match(first):
            continue
        if len(first) == 1 and first not in "七八九十" and (kind is None or first not in ADMIN):
            continue  # 市/县/全 + word: a phrase, not a name
        if f < min_freq:
            # a suffix alone (X所, X局 seen once) needs a proper-noun-like start, not a name
            if (len(last) == 1 and kind == "place") or looks_like_name(first):
                continue
            office = first in ADMIN and len(parts) == 3 and len(parts[1]) > 1  # 市/生态环境/局
            if not office and not tags.get(first, "x").startswith(_PROPER_ONCE):
                continue
        cands[g] = parts
    # boundary statistics: how a candidate extends into longer candidates (an extension that
    # is no term itself, like 洛阳特色餐饮 + 传承 or 推动 + X, does not make it a fragment)
    left: dict[str, list[int]] = {}
    right: dict[str, list[int]] = {}
    for g in cands:
        f = grams[g]
        if g.count(" ") < 2:
            continue
        tail_gram = g.partition(" ")[2]
        init_gram = g.rsplit(" ", 1)[0]
        left.setdefault(tail_gram, []).append(f)
        right.setdefault(init_gram, []).append(f)
    # a candidate of MAX_N tokens has no longer grams: how its head and tail extend into any
    # MAX_N-gram tells (习近平新时代中国特色 is always followed by 社会主义)
    heads = {" ".join(p[:-1]) for p in cands.values() if len(p) == MAX_N}
    tails = {" ".join(p[1:]) for p in cands.values() if len(p) == MAX_N}
    left_any: dict[str, list[int]] = {}
    right_any: dict[str, list[int]] = {}
    if heads:
        for g, f in grams.items():
            if g.count(" ") != MAX_N - 1:
                continue
            tail_gram = g.partition(" ")[2]
            init_gram = g.rsplit(" ", 1)[0]
            if tail_gram in heads:
                left_any.setdefault(tail_gram, []).append(f)
            if init_gram in tails:
                right_any.setdefault(init_gram, []).append(f)
    scored: list[tuple[float, str]] = []
    for g, parts in cands.items():
        f = grams[g]
        coh = 1.0
        for k in range(1, len(parts)):
            if len(parts) > 2 and (
                (k == 1 and parts[0] in _EDGE_OK)
                or (k == len(parts) - 1 and (parts[-1] in _EDGE_OK or parts[-1] in _TAIL_OK))
            ):
                continue  # a generic edge (全国, 工作) is everywhere: judge the inner splits
            fl = grams.get(" ".join(parts[:k]), f)
            fr = grams.get(" ".join(parts[k:]), f)
            coh = min(coh, f / math.sqrt(fl * fr))
        if coh < min_cohesion and suffix_kind("".join(parts)) is None:
            continue
        hl = _entropy(f, left.get(g, []))
        hr = _entropy(f, right.get(g, []))
        if len(parts) == MAX_N:  # no longer grams: its head and tail tell how it branches
            init, tail = " ".join(parts[:-1]), " ".join(parts[1:])
            hl = min(hl, _entropy(grams[init], left_any.get(init, [])))
            hr = min(hr, _entropy(grams[tail], right_any.get(tail, [])))
        if f >= min_freq and min(hl, hr) < FRAGMENT * math.log(f + 1):
            continue  # nearly always inside one longer sequence: a fragment
        cvalue = math.log2(len(parts) + 1) * f * coh
        scored.append((cvalue, g))
    # nested terms: longest first; a shorter one must stand on its own often enough
    scored.sort(key=lambda x: (-x[1].count(" "), -x[0], x[1]))
    free: dict[str, int] = {}
    out: list[Term] = []
    for _, g in scored:
        f = grams[g]
        left_over = f - free.get(g, 0)
        if left_over < 1:
            continue
        parts = cands[g]
        text = "".join(parts)
        out.append(Term(text, f, name_kind(parts, tags) or "term", tuple(parts)))
        n = len(parts)
        for k in range(2, n):
            for i in range(n - k + 1):
                sub = " ".join(parts[i : i + k])
                free[sub] = free.get(sub, 0) + f
    have = {t.text for t in out}
    n_grams = len(out)  # the terms from grams come first, the quoted ones after them
    quotes: list[tuple[str, int]] = []
    for g, q in counts.quoted.items():
        parts = g.split(" ")
        text = "".join(parts)
        if text in reject or text in have:
            continue
        if len(parts) > 1 and (looks_like_name(parts[0]) or parts[0] in stop):
            continue
        if QUOTED_WORDS and len(parts) == 1 and tags.get(text, "") in QUOTED_WORDS:
            continue  # “防火墙”, “钱袋子”: a dictionary word used as a figure, not a new term
        have.add(text)
        f = max(grams.get(g, 0), q)
        out.append(Term(text, f, name_kind(parts, tags) or "term", tuple(parts)))
        quotes.append((text, q))
    if quotes:  # a gram said only inside a quoted term is a piece of it (站位强使命 of
        # “提高站位强使命”, whose verb no gram starts with): the quotes draw the boundary
        out = [t for i, t in enumerate(out) if i >= n_grams or not _inside_quote(t, quotes)]
    for name, ev in counts.people.items():
        if name in reject or name in have or not name_shaped(name):
            continue
        if not tags.get(name, "nr").startswith("nr"):
            continue  # a dictionary word that is not a name (时代 in 新时代…还)
        f = max(grams.get(name, 0), ev)
        out.append(Term(name, f, "person", (name,)))
    out.sort(key=lambda t: (-t.freq, t.text))
    return out[:limit] if limit is not None else out


def _inside_quote(t: Term, quotes: list[tuple[str, int]]) -> bool:
    return t.kind == "term" and any(t.text in q and t.text != q and t.freq <= n for q, n in quotes)


def join_terms(tokens: Sequence[str], terms: Iterable[Term]) -> list[str]:
    """Tokens with each learned term's parts joined into one token (longest match first): how
    the index can apply the learned layer to stored tokens without segmenting again.  A term
    the plain segmenter cuts differently here than where it was counted (a name learned on
    another page: 吴/志军) is joined by its text, from two or three tokens."""
    global _JOINER
    if _JOINER is not None and _JOINER[0] is terms:
        by_first, texts, starts = _JOINER[1]
    else:
        by_first, texts, starts = tables = _join_tables(terms)
        if isinstance(terms, list):  # the library's list, the same object until terms change
            _JOINER = terms, tables
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        for seq in by_first.get(tok, ()):
            k = len(seq)
            if tuple(tokens[i : i + k]) == seq:
                out.append("".join(seq))
                i += k
                break
        else:
            if tok in starts:
                if i + 1 < n and (two := tok + tokens[i + 1]) in texts:
                    if i + 2 < n and (three := two + tokens[i + 2]) in texts:
                        out.append(three)
                        i += 3
                        continue
                    out.append(two)
                    i += 2
                    continue
                if i + 2 < n and (three := tok + tokens[i + 1] + tokens[i + 2]) in texts:
                    out.append(three)
                    i += 3
                    continue
            out.append(tok)
            i += 1
    return out


_Tables = tuple[dict[str, list[tuple[str, ...]]], set[str], set[str]]
_JOINER: tuple[list[Term], _Tables] | None = None
"""The tables of the last list of terms ``join_terms`` was given (the reader's, every time)."""


def _join_tables(terms: Iterable[Term]) -> _Tables:
    """Multi-part terms by their first part (longest first), every term's text, and what the
    texts begin with (a token that begins none needs no joining by text)."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    texts: set[str] = set()
    for t in terms:
        if len(t.parts) > 1:
            by_first.setdefault(t.parts[0], []).append(t.parts)
        texts.add(t.text)
    for seqs in by_first.values():
        seqs.sort(key=len, reverse=True)
    starts = {x[:k] for x in texts for k in range(1, len(x))}
    return by_first, texts, starts
