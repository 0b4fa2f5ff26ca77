"""Quoted terms: what a page's quotation marks hold (“十四五”, “河洛英才计划”), and each item
of a quoted slogan list (“大攻坚、见实效、建新功”).

Split from ``corpus.terms`` (counting and selection) along this seam: ``count_page`` finds
where the marks stand, this reads what is between them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from corpus.termkinds import CONTENT, MAX_N, NUMERAL_NAME, NUMERIC
from corpus.termnames import stopwords

OPEN = frozenset("“「『《")
CLOSE = frozenset("”」』》")
QUOTE_SET = OPEN | CLOSE | {'"'}
SEP = ""
"""Between two articles in a page's one token list: no token is empty, and it is no content,
no cue and no quotation mark (a run, a name or a quote never spans two articles)."""
LIST_N = 3 * MAX_N + 2
"""Longest quoted run, in tokens: a slogan of three items (“大攻坚、见实效、建新功”)."""


def count_quotes(tokens: Sequence[str], marks: Iterable[int], out: Counter[str]) -> None:
    """Token runs between quotation marks, short and without punctuation inside, or the items
    of a quoted list, into ``out`` (``marks``: where the quotation marks and article ends are)."""
    ascii_open = False
    start = -1
    for i in marks:
        t = tokens[i]
        if t == SEP:  # a new article: nothing is open
            ascii_open = False
            start = -1
            continue
        opening = t in OPEN or (t == '"' and not ascii_open)
        if t == '"':
            ascii_open = not ascii_open
        if opening:
            start = i
            continue
        inner = tuple(tokens[start + 1 : i]) if 0 <= start and i - start - 1 <= LIST_N else ()
        start = -1
        if not inner:
            continue
        if inner not in _SEEN:
            if len(_SEEN) > 200_000:
                _SEEN.clear()
            _SEEN[inner] = quote_keys(inner)
        for key in _SEEN[inner]:
            out[key] += 1


_SEEN: dict[tuple[str, ...], tuple[str, ...]] = {}
"""A quoted token run → its keys in ``Counts.quoted`` (none, one, or one per item of a quoted
list): the genre quotes the same terms again and again (“十四五”), so each is judged once per
process."""


def quote_keys(inner: tuple[str, ...]) -> tuple[str, ...]:
    """The terms a quote holds: the quote itself, or each item of a quoted list of short
    phrases (“大攻坚、见实效、建新功”: three slogans, each said as one)."""
    if "、" not in inner:
        key = _quote_key(inner) if len(inner) <= MAX_N else None
        return (key,) if key is not None else ()
    items: list[tuple[str, ...]] = [()]
    for t in inner:
        if t == "、":
            items.append(())
        else:
            items[-1] += (t,)
    if any(not 0 < len(item) <= MAX_N for item in items):
        return ()
    # an item of one token is a word the list names (“生产、生活、生态”), not a new term
    keys = [_quote_key(item) for item in items if len(item) > 1]
    return tuple(k for k in keys if k is not None)


def _quote_key(inner: tuple[str, ...]) -> str | None:
    text = "".join(inner)
    ok = inner and 2 <= len(text) <= 12 and all(map(CONTENT.match, inner))
    if not ok or (NUMERIC.match(text) and not NUMERAL_NAME.match(text)) or text in stopwords():
        return None
    return " ".join(inner)
