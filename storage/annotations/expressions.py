"""Tag expressions (``A and not B``, ``A or (B and C)``): the filter and export language.

One meaning everywhere (the reader's filter, ``export --where``/``--tag``, ``kwic`` and
``autocode --where``, ``retrieve``): a code in an expression stands for the code *or any of
its descendants* in the codebook, as the codebook's "with children" totals count them — so
``营商环境 and not 党建`` also finds an article coded only with a child of 营商环境.  The
caller gives the codebook's parents (``parents``); the tags are widened with their
ancestors (``with_ancestors``) before the expression is evaluated.

Kept apart from the store so filters can be parsed and checked without a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from corpus.pagemeta import PageTerm, PageTermError, parse_term
from storage.errors import AnnotationError

FIELD_NAMES = frozenset({"paper", "date", "page", "section", "is", "has"})
"""Words that open a field term (``paper:X``): after one, a full-width ``：`` is the colon
and a quote (straight or Chinese) holds the value, spaces and all."""

OPENING_QUOTES = '"“＂'
CLOSING_QUOTES = '"”＂'
"""A quote a Chinese input method types (“…”, ＂…＂) holds a value as "…" does; after a
field, '…' too (what a shell user tries first)."""

ALIASES = {"paper:未知报纸": "paper:none", "date:无日期": "date:none"}
"""The tree's labels for pages without a paper or a date, as the terms they mean — here,
in the one parser, so the reader's filter and ``--where`` both take them."""


def _tokens(expr: str) -> list[str]:
    """Tokens of a tag expression: ``(``, ``)``, a quoted name (``"a name"``), a field term
    with a quoted value (``paper:"洛阳日报 副刊"``, kept as ``paper:"…"``), or a run of
    anything else.  The full-width （） a Chinese input method types are parentheses too
    where a name cannot hold them — （ opening a token, ） closing one with no （ of its
    own — so ``（营商环境 or 党建）`` groups while a code named ``党建（新）`` stays one name.
    An unclosed quote is an error: silently reading it to the end selected nothing."""
    out: list[str] = []
    cur: list[str] = []
    inner = 0  # full-width parentheses opened inside the current name

    def flush() -> None:
        nonlocal inner
        if cur:
            out.append("".join(cur))
            cur.clear()
        inner = 0

    def closing(i: int, opener: str) -> int:
        stops = {'"': '"”', "'": "'"}.get(opener, CLOSING_QUOTES)
        j = next((k for k in range(i + 1, len(expr)) if expr[k] in stops), -1)
        if j < 0:
            raise AnnotationError(
                f'unclosed quote {opener} in {expr!r}: close it, e.g. paper:"洛阳日报 副刊"'
            )
        return j

    i = 0
    while i < len(expr):
        c = expr[i]
        word = "".join(cur)
        field = word[:-1].lower() in FIELD_NAMES and word.endswith(":")
        if field and (c in OPENING_QUOTES or c == "'"):  # paper:"a name with spaces"
            j = closing(i, c)
            out.append(f'{word}"{expr[i + 1 : j]}"')
            cur.clear()
            i = j + 1
            continue
        if c in OPENING_QUOTES and (c != "“" or _whole_quote(expr, i)):
            flush()
            j = closing(i, c)
            out.append('"' + expr[i + 1 : j] + '"')
            i = j + 1
            continue
        if c == "：" and word.lower() in FIELD_NAMES:
            cur.append(":")  # paper：X, typed with a Chinese input method
        elif c.isspace():
            flush()
        elif c in "()":
            flush()
            out.append(c)
        elif c == "（" and word.lower() in ("", "and", "or", "not"):
            flush()
            out.append("(")
        elif c == "）" and not inner:
            flush()
            out.append(")")
        else:
            cur.append(c)
            inner += (c == "（") - (c == "）")
        i += 1
    flush()
    return out


def _whole_quote(expr: str, i: int) -> bool:
    """Whether the “ at ``i`` quotes a whole name: it opens a token and its ” ends one.
    Otherwise it is part of a name (a code such as “放管服”改革 keeps its quotes)."""
    if i > 0 and not (expr[i - 1].isspace() or expr[i - 1] in "(（"):
        return False
    j = expr.find("”", i + 1)
    return j > 0 and (j + 1 == len(expr) or expr[j + 1].isspace() or expr[j + 1] in ")）")


def _leaf(tok: str) -> str:
    """A token as the term it names: a quoted name unquoted (its spaces squeezed, as code
    names are); a field's quoted value exactly as typed; the tree's labels as their terms."""
    if tok.startswith('"'):
        return " ".join(tok[1:-1].split())
    key, colon, value = tok.partition(":")
    if colon and key.lower() in FIELD_NAMES:
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = value[1:-1].strip()
        term = f"{key}:{value}"
        return ALIASES.get(f"{key.lower()}:{value}", term)
    return tok


def parse_expression(expr: str) -> Any:
    """``A and not B``, ``A or (B and C)``; bare juxtaposition means ``and``."""
    tokens = _tokens(expr)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise AnnotationError(f"incomplete tag expression: {expr!r}")
        pos += 1
        return tokens[pos - 1]

    def p_or() -> Any:
        node = p_and()
        while (peek() or "").lower() == "or":
            take()
            node = ("or", node, p_and())
        return node

    def p_and() -> Any:
        node = p_not()
        while peek() is not None and peek() != ")" and (peek() or "").lower() != "or":
            if (peek() or "").lower() == "and":
                take()
            node = ("and", node, p_not())
        return node

    def p_not() -> Any:
        if (peek() or "").lower() == "not":
            take()
            return ("not", p_not())
        tok = take()
        if tok == "(":
            node = p_or()
            if take() != ")":
                raise AnnotationError(f"missing ')' in {expr!r}")
            return node
        if tok == ")" or tok.lower() in ("and", "or"):
            raise AnnotationError(f"unexpected {tok!r} in {expr!r}")
        return ("tag", _leaf(tok))

    if not tokens:
        raise AnnotationError("empty tag expression")
    tree = p_or()
    if pos != len(tokens):
        raise AnnotationError(f"unexpected {tokens[pos]!r} in {expr!r}")
    return tree


def evaluate(tree: Any, tags: set[str], facts: Callable[[str], bool | None] | None = None) -> bool:
    """Whether ``tags`` satisfy the expression; ``facts`` decides terms that are not tags
    (``paper:洛阳日报``, ``date:2018-09``: see ``page_matcher``), None meaning "a tag"."""
    op = tree[0]
    if op == "tag":
        if facts is not None:
            got = facts(tree[1])
            if got is not None:
                return got
        return tree[1] in tags
    if op == "not":
        return not evaluate(tree[1], tags, facts)
    if op == "and":
        return evaluate(tree[1], tags, facts) and evaluate(tree[2], tags, facts)
    return evaluate(tree[1], tags, facts) or evaluate(tree[2], tags, facts)


def ancestors(parents: Mapping[str, str], code: str) -> list[str]:
    """The parent chain of ``code`` (nearest first); a cycle stops the walk."""
    out: list[str] = []
    seen = {code}
    p = parents.get(code, "")
    while p and p not in seen:
        out.append(p)
        seen.add(p)
        p = parents.get(p, "")
    return out


def codebook_parents(defs: Iterable[Any]) -> dict[str, str]:
    """Code → its parent, from the codebook's definitions (anything with ``name`` and
    ``parent``: ``Store.tag_defs()``), for the codes that have one."""
    return {d.name: d.parent for d in defs if d.parent}


def widener(parents: Mapping[str, str] | None) -> Callable[[Iterable[str]], set[str]]:
    """Tags → the tags plus all their ancestors (``parents``: code → its parent; None or
    empty: the tags as they are).  A code's chain is walked once per widener."""
    if not parents:
        return set
    cache: dict[str, list[str]] = {}

    def widen(tags: Iterable[str]) -> set[str]:
        out = set(tags)
        for t in list(out):
            up = cache.get(t)
            if up is None:
                up = cache[t] = ancestors(parents, t)
            out.update(up)
        return out

    return widen


def with_ancestors(tags: Iterable[str], parents: Mapping[str, str] | None) -> set[str]:
    """``tags`` and every ancestor of each: what an expression is evaluated on, so that a
    code in it matches the code or any of its descendants."""
    return widener(parents)(tags)


def page_terms(tree: Any) -> dict[str, PageTerm]:
    """The page terms of an expression (``paper:``, ``date:``, ``page:``, ``section:``),
    parsed once; a malformed one is an ``AnnotationError`` naming it."""
    out: dict[str, PageTerm] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if node[0] == "tag":
            try:
                term = parse_term(node[1])
            except PageTermError as exc:
                raise AnnotationError(str(exc)) from exc
            if term is not None:
                out[node[1]] = term
        else:
            stack.extend(node[1:])
    return out


def page_matcher(
    tree: Any, parents: Mapping[str, str] | None = None
) -> Callable[[set[str], Any], bool]:
    """``match(tags, issue)``: the expression over an article's tags and its page (an
    ``Issue`` or a page's row: anything with paper, date, page and section).  ``parents``
    (code → parent, the codebook's): a code then matches its descendants too (see the
    module's docstring); every caller that has a codebook passes it."""
    terms = page_terms(tree)
    widen = widener(parents)
    if not terms:
        return lambda tags, _issue: evaluate(tree, widen(tags))

    def match(tags: set[str], issue: Any) -> bool:
        def facts(term: str) -> bool | None:
            got = terms.get(term)
            return None if got is None else (issue is not None and got.matches(issue))

        return evaluate(tree, widen(tags), facts)

    return match
