"""The Markdown report: code frequencies, then one section per code, nested as in the
codebook, with only that code's passages. Every user or article text is escaped."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from storage.annotations import Highlight
from storage.export_base import CodeDef, Item, code_tree, credits_text, page_label, passage_codes
from storage.printable import visible

UNTAGGED = "(未标注 untagged)"
UNCODED = "(未编码段落 uncoded passages)"
"""Where a coded article's passages without a code (memos) go: the article is not untagged."""

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")


def md_escape(text: str) -> str:
    """Text as Markdown shows it literally: special characters escaped, control characters
    made visible (``visible``)."""
    out = _MD_SPECIAL.sub(r"\\\1", visible(text))
    return re.sub(r"^(\s*)([-+=]|\d+[.)])", r"\1\\\2", out, flags=re.M)


def _md_article(
    it: Item, level: int, passages: Sequence[Highlight], full: bool, whose: bool = False
) -> list[str]:
    """One article under a code: heading with paper · date · page (and ``whose``: the
    coder, when the report holds several coders' codings of one article), its metadata,
    note, and only the passages given (the caller picks those of the code)."""
    a, m = it.article, it.meta
    where = " · ".join(x for x in (m.get("paper"), it.date, page_label(m)) if x)
    head = md_escape(a.title or "(无标题)") + (f" ({md_escape(where)})" if where else "")
    if whose and it.coder:
        head += f" — 编码者 coder: {md_escape(it.coder)}"
    lines = [f"{'#' * level} {head}", ""]
    cont = m.get("continued_from")
    meta = " · ".join(
        x
        for x in (
            a.reporters,
            m.get("section") or "",
            f"上接 {cont}" if cont else "",
            credits_text(m, " "),
            it.source,
            a.id,
        )
        if x
    )
    lines += [f"*{md_escape(meta)}*", ""]
    if it.tags:
        lines += ["标签 tags: " + ", ".join(md_escape(t) for t in it.tags), ""]
    if it.note:
        lines += ["**笔记 note:** " + md_escape(it.note).replace("\n", "  \n"), ""]
    for h in passages:
        lines.append("> " + md_escape(h.quote).replace("\n", "\n> "))
        codes = ", ".join(h.tags) or "(未编码 uncoded)"
        line = f"> — {md_escape(codes)}"
        if h.note:  # the note always comes second, after the codes, never in their place
            line += " — " + md_escape(h.note).replace("\n", "\n> ")
        lines += [">", line, ""]
    if full:
        lines += [md_escape(p.text) + "\n" for p in a.body]
        lines += [f"*〔图〕{md_escape(c)}*\n" for c in a.captions]
    return lines


def to_markdown(
    its: Sequence[Item],
    full: bool = False,
    title: str = "piyue export",
    codebook: Sequence[CodeDef] = (),
) -> bytes:
    """A report for reading: code frequencies, then one section per code (nested as in the
    codebook) with its tagged articles and only the passages coded with it."""
    art_n: Counter[str] = Counter(t for it in its for t in set(it.tags))
    pas_n: Counter[str] = Counter(t for it in its for h in it.highlights for t in set(h.tags))
    used = set(art_n) | set(pas_n)
    tree = code_tree(codebook, used)
    coders = sorted({it.coder for it in its if it.coder})
    whose = len(coders) > 1
    n = len({it.article.id for it in its})
    count = f"{n} 篇 article{'' if n == 1 else 's'}"
    if n != len(its):  # --coder all: one record per article and coder
        count += f", {len(its)} 条编码记录 coder records"
    lines = [
        f"# {md_escape(title)}",
        "",
        f"{count} · {datetime.now(UTC):%Y-%m-%d}"
        + (f" · 编码者 coder{'s' if whose else ''}: " if coders else "")
        + ", ".join(md_escape(c) for c in coders),
        "",
    ]
    if whose:
        lines += [
            "每位编码者的编码分开列出，频率是各编码者之和 each coder's codings are listed "
            "apart; frequencies add up every coder's",
            "",
        ]
    if tree:
        lines += [
            "## 代码频率 Code frequencies",
            "",
            "| 代码 code | 标注文章 tagged articles | 段落 passages |",
            "|---|---:|---:|",
        ]
        for name, depth in tree:
            indent = "　" * depth + ("└ " if depth else "")
            lines.append(f"| {indent}{md_escape(name)} | {art_n[name]} | {pas_n[name]} |")
        lines.append("")
    under: dict[str, list[Item]] = {}  # code → its articles, in export order, each once
    for it in its:
        for t in dict.fromkeys([*it.tags, *passage_codes(it)]):
            under.setdefault(t, []).append(it)
    for name, depth in tree:
        level = min(2 + depth, 5)
        lines += [f"{'#' * level} {md_escape(name)}", ""]
        for it in under.get(name, ()):
            mine = [h for h in it.highlights if name in h.tags]
            lines += _md_article(it, level + 1, mine, full, whose)
    rest, memos = [], []
    for it in its:
        uncoded = [h for h in it.highlights if not h.tags]
        if not it.tags and not passage_codes(it):
            rest.append((it, uncoded))
        elif uncoded:
            memos.append((it, uncoded))
    for heading, group in ((UNTAGGED, rest), (UNCODED, memos)):
        if group:
            lines += [f"## {md_escape(heading)}", ""]
            for it, hs in group:
                lines += _md_article(it, 3, hs, full, whose)
    return "\n".join(lines).encode("utf-8")
