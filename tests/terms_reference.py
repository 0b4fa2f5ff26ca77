"""Term counting per page as it was before it was made faster: the reference
``corpus.terms.count_page`` is tested against (same counts on the seeds and generated pages)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, compress, groupby, pairwise

from corpus.termkinds import CONTENT as _CONTENT
from corpus.termkinds import MAX_N
from corpus.termkinds import NUMERAL_NAME as _NUMERAL_NAME
from corpus.termkinds import NUMERIC as _NUMERIC
from corpus.termkinds import SUFFIX_SET as _SUFFIX_SET
from corpus.termnames import (
    BREAK,
    CUES,
    TITLE_LAST,
    find_people,
    stopwords,
)
from corpus.termquotes import OPEN as _OPEN
from corpus.termquotes import QUOTE_SET as _QUOTE_SET
from corpus.terms import (
    _EDGE_OK,
    _TAIL_OK,
    Counts,
)

_CONTENT_SEEN: dict[str, bool] = {}


def _is_content(tok: str) -> bool:
    known = _CONTENT_SEEN.get(tok)
    if known is None:
        if len(_CONTENT_SEEN) > 500_000:
            _CONTENT_SEEN.clear()
        # boilerplate (发展, 进行) is no content since select_terms never kept a gram holding it
        known = _CONTENT_SEEN[tok] = (
            (tok not in BREAK or tok in _TAIL_OK)
            and _CONTENT.match(tok) is not None
            and (tok not in stopwords() or tok in _EDGE_OK or tok in _TAIL_OK)
        )
    return known


def _runs(tokens: Sequence[str]) -> list[list[str]]:
    """Maximal runs of content tokens (grouped in C once every token's verdict is known:
    the indexer's hottest loop)."""
    seen = _CONTENT_SEEN
    for t in set(tokens).difference(seen):
        _is_content(t)
    try:
        return [list(g) for ok, g in groupby(tokens, key=seen.__getitem__) if ok]
    except KeyError:  # the cache was cleared while this page's tokens went in
        return [list(g) for ok, g in groupby(tokens, key=_is_content) if ok]


_CUE_SEEN: dict[str, bool] = {}
"""Token → may it be a cue of a name (a title, a verb of speech)? Remembered per process."""


def _people(tokens: Sequence[str], out: Counter[str]) -> None:
    """Names after a title (书记赵会生) or before a verb of speech (阮金泉…强调)."""
    cue_of = _CUE_SEEN
    distinct = set(tokens)
    for t in distinct.difference(cue_of):
        if len(cue_of) > 500_000:
            cue_of.clear()
        cue_of[t] = t in CUES or t[-1:] in TITLE_LAST
    here = {t for t in distinct if cue_of.get(t, False)}
    if not here:
        return
    # every token that may be a cue (wider than count_page's: 责任, 登记 too); the rule that
    # reads a name at a cue is the one count_page calls, so this checks where the cues are
    find_people(tokens, [i for i, t in enumerate(tokens) if t in here], out)


def count_page_reference(
    tokens_per_article: Iterable[Sequence[str]],
    expand: Mapping[str, Sequence[str]] | None = None,
) -> Counts:
    """Counts of one page, from each article's tokens.

    ``expand`` maps learned terms to their parts: tokens segmented with the learned layer are
    counted as the base tokens they came from, so the selection is the same either way.
    """
    grams: Counter[str] = Counter()
    people: Counter[str] = Counter()
    quoted: Counter[str] = Counter()
    tokens = docs = 0
    runs: list[list[str]] = []
    for toks in tokens_per_article:
        if expand:
            flat: list[str] = []
            for t in toks:
                parts = expand.get(t)
                if parts is None:
                    flat.append(t)
                else:
                    flat.extend(parts)
            toks = flat
        docs += 1
        tokens += len(toks)
        _people(toks, people)
        _quotes(toks, quoted)
        runs.extend(_runs(toks))
    unigrams = Counter(chain.from_iterable(runs))
    bigrams: Counter[tuple[str, ...]] = Counter(chain.from_iterable(pairwise(r) for r in runs))
    # An n-gram recurs on the page only if each of its bigrams does: extend from those alone.
    rep = {b for b, c in bigrams.items() if c >= 2}
    longer: Counter[tuple[str, ...]] = Counter()
    suffixed: Counter[tuple[str, ...]] = Counter()
    for run in runs:
        m = len(run)
        if m < 2:
            continue
        if _SUFFIX_SET.isdisjoint(run):
            suffix_at: list[int] = []
        else:
            suffix_at = [k for k, t in enumerate(run) if k and t in _SUFFIX_SET]
        for i in suffix_at:
            suffixed[(run[i - 1], run[i])] += 1
            if i > 1:
                suffixed[(run[i - 2], run[i - 1], run[i])] += 1
                if i > 2 and len(run[i]) > 1:  # 洛阳/国家/大学/科技园, not 船舶/七/二五/所
                    suffixed[(run[i - 3], run[i - 2], run[i - 1], run[i])] += 1
        flags = list(map(rep.__contains__, pairwise(run)))  # bigram k..k+1 repeats
        if flags.count(True) < 2:  # a longer gram needs two repeated bigrams in a row
            continue
        for i in compress(range(m - 1), flags):
            j = i + 1
            while j < m and j - i < MAX_N and flags[j - 1]:
                if j - i >= 2:
                    longer[tuple(run[i : j + 1])] += 1
                j += 1
    for b in rep:
        grams[" ".join(b)] = bigrams[b]
    for g, c in longer.items():
        if c >= 2:
            grams[" ".join(g)] = c
    for g, c in suffixed.items():
        grams[" ".join(g)] = c
    # A word seen once on the page, in no n-gram kept here, is left out (most of a page's
    # words): its corpus count is then a little low, which only matters for rare words.
    used = {t for g in grams for t in g.split(" ")}
    for t, c in unigrams.items():
        if c >= 2 or t in used:
            grams[t] = c
    return Counts(grams, people, tokens, docs, quoted)


def _quotes(tokens: Sequence[str], out: Counter[str]) -> None:
    """Token runs between quotation marks, short and without punctuation inside."""
    if _QUOTE_SET.isdisjoint(tokens):
        return
    marks = [i for i, t in enumerate(tokens) if t in _QUOTE_SET]
    ascii_open = False
    start = -1
    for i in marks:
        t = tokens[i]
        opening = t in _OPEN or (t == '"' and not ascii_open)
        if t == '"':
            ascii_open = not ascii_open
        if opening:
            start = i
            continue
        if start < 0:
            continue
        inner = tokens[start + 1 : i]
        start = -1
        if "、" in inner:  # a quoted list: each item of two tokens or more, if all are short
            cuts = [k for k, t in enumerate(inner) if t == "、"]
            bounds = list(zip([-1, *cuts], [*cuts, len(inner)], strict=True))
            items = [inner[a + 1 : b] for a, b in bounds]
            if len(inner) <= 3 * MAX_N + 2 and all(0 < len(x) <= MAX_N for x in items):
                for item in items:
                    if len(item) > 1:
                        _quoted(item, out)
            continue
        if len(inner) <= MAX_N:
            _quoted(inner, out)


def _quoted(inner: Sequence[str], out: Counter[str]) -> None:
    text = "".join(inner)
    if (
        inner
        and 2 <= len(text) <= 12
        and all(_CONTENT.match(x) for x in inner)
        and not (_NUMERIC.match(text) and not _NUMERAL_NAME.match(text))
        and text not in stopwords()
    ):
        out[" ".join(inner)] += 1
