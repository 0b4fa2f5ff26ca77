"""Tag expressions (``A and not B``, ``A or (B and C)``): the filter and export language.

Kept apart from the store so filters can be parsed and checked without a database.
"""

from __future__ import annotations

import re
from typing import Any

from storage.errors import AnnotationError

_EXPR_TOKEN = re.compile(r'\s*(\(|\)|"[^"]*"|[^\s()"]+)')


def parse_expression(expr: str) -> Any:
    """``A and not B``, ``A or (B and C)``; bare juxtaposition means ``and``."""
    tokens = [m.group(1) for m in _EXPR_TOKEN.finditer(expr) if m.group(1).strip()]
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
        return ("tag", " ".join(tok.strip('"').split()))

    if not tokens:
        raise AnnotationError("empty tag expression")
    tree = p_or()
    if pos != len(tokens):
        raise AnnotationError(f"unexpected {tokens[pos]!r} in {expr!r}")
    return tree


def evaluate(tree: Any, tags: set[str]) -> bool:
    op = tree[0]
    if op == "tag":
        return tree[1] in tags
    if op == "not":
        return not evaluate(tree[1], tags)
    if op == "and":
        return evaluate(tree[1], tags) and evaluate(tree[2], tags)
    return evaluate(tree[1], tags) or evaluate(tree[2], tags)
