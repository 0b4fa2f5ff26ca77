"""Retrieval: every coded passage and tagged article of a code or a tag expression, across
the corpus, and the ``piyue retrieve`` outputs (JSON, CSV, Markdown)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from corpus.model import Corpus
from storage.annotations import Store, evaluate
from storage.export import cell, md_escape
from workspace.coded import (
    Item,
    Items,
    SortBy,
    check_sort,
    compile_expression,
    expander,
    leaves,
    live_passages,
    quiet_gc,
    tagged_articles,
)

BOM = b"\xef\xbb\xbf"


def _retrieve(
    corpus: Corpus, store: Store, expr: str, children: bool, sort: SortBy, width: int
) -> list[Item]:
    check_sort(sort)
    tree = compile_expression(store, expr)
    named = set(leaves(tree))
    expand = expander(store, children)
    items = Items(corpus, width)
    for row in tagged_articles(store):
        if row[0] in items and evaluate(tree, expand(row[1])):
            items.add_article(row)
    for p in live_passages(store):
        if p[1] in items and evaluate(tree, expand(p[4])):
            items.add_passage(p)

    def code_of(it: Item) -> str:
        for t in it.tags:
            if named & expand([t]):
                return t
        return it.tags[0] if it.tags else ""

    return items.sorted(sort, code_of)


def retrieve(
    corpus: Corpus,
    store: Store,
    expr: str,
    *,
    children: bool = True,
    sort: SortBy = "date",
    width: int = 20,
) -> list[Item]:
    """Every coded passage and tagged article of a code or a tag expression, across the corpus.

    ``sort``: ``"date"`` (undated last, then corpus order), ``"page"`` (corpus order: page,
    article, offset) or ``"code"`` (the first matching code, then date).
    """
    with quiet_gc():
        return _retrieve(corpus, store, expr, children, sort, width)


def retrieve_dict(items: Sequence[Item]) -> dict[str, Any]:
    """``{"items": [...]}`` as ``piyue retrieve --json`` prints it."""
    return {"items": [it.as_dict() for it in items]}


def retrieve_json(items: Sequence[Item]) -> str:
    return json.dumps(retrieve_dict(items), ensure_ascii=False)


CSV_COLUMNS = (
    "kind",
    "article_id",
    "start",
    "end",
    "left",
    "quote",
    "right",
    "tags",
    "note",
    "date",
    "file",
    "page",
    "title",
    "coder",
)


def retrieve_csv(items: Sequence[Item]) -> bytes:
    """One row per item; UTF-8 with a BOM and neutralised cells, like the CSV export."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for it in items:
        row = (
            it.kind,
            it.article_id,
            it.start,
            it.end,
            it.left,
            it.quote,
            it.right,
            ";".join(it.tags),
            it.note,
            it.date,
            it.file,
            it.page,
            it.title,
            it.coder,
        )
        w.writerow([cell(x) for x in row])
    return BOM + buf.getvalue().encode("utf-8")


def retrieve_md(
    items: Sequence[Item], title: str = "piyue retrieve", coders: bool | None = None
) -> bytes:
    """A reading copy: one section per item, the quote as a block quote, text escaped;
    each item's coder named with ``coders`` (every coder's codings; default: when the items
    are several coders')."""
    several = len({it.coder for it in items}) > 1 if coders is None else coders

    def by(coder: str) -> str:
        return f"编码者 coder: {coder}" if several else ""

    passages = sum(1 for it in items if it.kind == "passage")
    lines = [
        f"# {md_escape(title)}",
        "",
        f"{passages} 段 passage{'' if passages == 1 else 's'} · {len(items) - passages} 篇 "
        f"article{'' if len(items) - passages == 1 else 's'}",
        "",
    ]
    for it in items:
        lines += [f"## {md_escape(it.title or '(无标题)')}", ""]
        span = f"{it.start}–{it.end}" if it.kind == "passage" else "整篇 article"
        meta = " · ".join(
            x for x in (it.date or "", it.file, it.article_id, span, by(it.coder)) if x
        )
        lines += [f"*{md_escape(meta)}*", ""]
        if it.kind == "passage":
            lines += ["> " + md_escape(it.quote).replace("\n", "\n> "), ""]
        if it.tags:
            lines += ["标签 tags: " + ", ".join(md_escape(t) for t in it.tags), ""]
        if it.note:
            lines += ["**笔记 note:** " + md_escape(it.note).replace("\n", "  \n"), ""]
    return "\n".join(lines).encode("utf-8")
