"""Exports of tagged sets: JSON Lines, CSV, Markdown, REFI-QDA (.qdpx), a segmented corpus —
and the import of another coder's JSON Lines.

Nothing here lets article text choose a path, reach a shell or a markup interpreter: file
names come from article ids (sanitised), CSV cells that a spreadsheet would evaluate are
neutralised, Markdown special characters are escaped, XML is built with a real serialiser.
Files are written atomically and never overwrite an existing file unless asked to.

Page metadata (paper, page number, section, furniture, credits, continuations) is read through
`page_meta` only, with defaults, so every format carries it as soon as the model has it.

CSV, one row per article (``per="article"``), UTF-8 with a BOM, CRLF, RFC 4180 quoting:

- ``id, issue, file, date, paper, page, section, continued_from, continued_on, credits, title,
  kicker, byline, read, starred, tags, passage_codes, note, highlights, text`` — ``tags`` are the
  article's own tags, ``passage_codes`` the codes of its passages (both ``;``-separated),
  ``highlights`` the number of coded passages, ``read``/``starred`` 0 or 1, ``credits`` as
  ``编辑:武力;校对:向东``.
- then three groups of 0/1 columns, each with one column per code in the export (codebook order,
  children after their parent): ``CODE`` — the article carries the code anywhere (its own tag
  or a passage); ``tag:CODE`` — the article itself is tagged CODE; ``passage:CODE`` — at least
  one of its passages is coded CODE. A bare ``CODE`` column that would repeat another header is
  left out (its ``tag:``/``passage:`` columns are always there).

With ``per="highlight"`` there is one row per coded passage: ``article_id, title, tag, quote,
note, start, end, issue, file, date, paper, page, section``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from xml.etree import ElementTree as ET

from corpus.model import Article, Corpus
from storage.annotations import Highlight, Store, evaluate, parse_expression
from storage.errors import AnnotationError
from storage.files import atomic_write

FORMATS = ("jsonl", "csv", "md", "qdpx", "corpus")
QDA_NS = "urn:QDA-XML:project:1.0"
GUID_NS = uuid.UUID("6f1e4a52-3c0b-4d8e-9a57-8f0c2b1d7e33")
Progress = Callable[[int, int], None]
UNTAGGED = "(未标注 untagged)"


class ExportError(AnnotationError):
    """A problem with an export request (existing file, bad format, bad expression)."""


class CodeDef(Protocol):
    """What an export needs of a codebook entry (storage's TagDef has it)."""

    @property
    def name(self) -> str: ...
    @property
    def colour(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def parent(self) -> str: ...


def version() -> str:
    try:
        from importlib.metadata import version as v

        return v("piyue")
    except Exception:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


@dataclass
class Item:
    """One exported article with its annotations."""

    article: Article
    issue_id: str
    source: str
    date: str | None
    source_sha1: str
    tags: list[str]
    note: str
    highlights: list[Highlight]
    read: bool = False
    starred: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    """`page_meta` of the article's page."""


# ------------------------------------------------------------------------ page metadata

_CONTINUED = re.compile(r"(上接|下转|转)\s*(第?\s*[0-9０-９一二三四五六七八九十]+\s*[版页])")


def _text(value: object) -> str | None:
    s = "" if value is None else " ".join(str(value).split())
    return s or None


def page_meta(issue: object, article: object | None = None) -> dict[str, Any]:
    """The page's and the article's placement in the paper, whatever the model has of it yet.

    Read with defaults (the fields arrive from other work in parallel), so every export carries
    them as soon as the model does: ``paper``, ``page`` (int), ``section``, ``furniture`` (raw
    lines), ``credits`` (role → names), ``continued_from`` / ``continued_on`` (e.g. ``01版``).
    """
    page = getattr(issue, "page", None)
    if isinstance(page, str) and page.strip().isdigit():
        page = int(page.strip())
    if not isinstance(page, int) or isinstance(page, bool):
        page = None
    raw_credits = getattr(issue, "credits", None) or {}
    try:
        credits = {str(k): str(v) for k, v in dict(raw_credits).items()}
    except (TypeError, ValueError):
        credits = {}
    furniture = getattr(issue, "furniture", ()) or ()
    if isinstance(furniture, str):
        furniture = (furniture,)
    cont_from = _text(getattr(article, "continued_from", None))
    cont_on = _text(getattr(article, "continued_on", None))
    if article is not None and not hasattr(article, "continued_from"):
        # until the model has the fields: the marker as printed, e.g. (上接01版)
        m = _CONTINUED.search(str(getattr(article, "continuation", "") or ""))
        if m and m.group(1) == "上接":
            cont_from = m.group(2).replace(" ", "")
        elif m:
            cont_on = m.group(2).replace(" ", "")
    return {
        "paper": _text(getattr(issue, "paper", None)),
        "page": page,
        "section": _text(getattr(issue, "section", None)),
        "furniture": [str(x) for x in furniture],
        "credits": credits,
        "continued_from": cont_from,
        "continued_on": cont_on,
    }


def _credits_text(meta: dict[str, Any], sep: str = ";") -> str:
    return sep.join(f"{k}:{v}" for k, v in (meta.get("credits") or {}).items())


def _page_label(meta: dict[str, Any]) -> str:
    page = meta.get("page")
    return f"第{page}版" if page is not None else ""


def select(
    corpus: Corpus, store: Store, tags: Sequence[str] = (), where: str = "", every: bool = False
) -> list[Article]:
    """Articles for an export: all given tags (and), a tag expression, or every annotated one."""
    tree = None
    if where.strip():
        tree = parse_expression(where)
    wanted = set(tags)
    annotated = store.annotated_ids()
    tags_of = store.tags_by_article()
    out = []
    for a in corpus.articles:
        have = tags_of.get(a.id, set())
        if wanted and not wanted <= have:
            continue
        if tree is not None and not evaluate(tree, have):
            continue
        if not (every or wanted or tree is not None) and a.id not in annotated:
            continue
        out.append(a)
    return out


def items(corpus: Corpus, store: Store, articles: Iterable[Article]) -> list[Item]:
    out = []
    for a in articles:
        issue = corpus.issue_of(a)
        n = store.notes(a.id)
        out.append(
            Item(
                a,
                issue.id,
                issue.source,
                issue.date,
                issue.sha1,
                list(n.tags),
                n.note,
                [h for h in store.highlights(a.id) if not h.orphan],
                n.read,
                n.starred,
                page_meta(issue, a),
            )
        )
    return out


def guid(*parts: str) -> str:
    """Stable GUIDs: the same annotations give the same GUIDs in every export."""
    return str(uuid.uuid5(GUID_NS, "\x1f".join(parts)))


def safe_name(text: str) -> str:
    name = re.sub(r"[^0-9A-Za-z_.~-]+", "_", text).strip("._") or "article"
    return name[:120]


def code_tree(
    codebook: Sequence[CodeDef], names: Iterable[str] | None = None
) -> list[tuple[str, int]]:
    """Codes as a tree walk, ``(name, depth)``, each child right after its parent, siblings by name.

    With `names`, only those codes and their ancestors (a child keeps its place under its
    parent); names the codebook does not know are top-level codes. A cycle in the parents
    (which the codebook refuses, but a hand-edited file may have) cannot loop: a code of the
    cycle is put at the top.
    """
    parent = {d.name: d.parent or "" for d in codebook}
    wanted = set(parent) if names is None else set(names)
    keep: set[str] = set()
    for n in wanted:
        seen: set[str] = set()
        while n and n not in seen:
            keep.add(n)
            seen.add(n)
            n = parent.get(n, "")
    children: dict[str, list[str]] = {}
    for n in keep:
        p = parent.get(n, "")
        children.setdefault(p if p in keep and p != n else "", []).append(n)
    out: list[tuple[str, int]] = []
    visited: set[str] = set()

    def walk(p: str, depth: int) -> None:
        for n in sorted(children.get(p, ())):
            if n not in visited:
                visited.add(n)
                out.append((n, depth))
                walk(n, depth + 1)

    walk("", 0)
    for n in sorted(keep - visited):  # only codes on or under a cycle are left
        seen = set()
        while n not in seen:  # climb to a code on the cycle: it goes to the top
            seen.add(n)
            n = parent[n]
        if n not in visited:
            visited.add(n)
            out.append((n, 0))
            walk(n, 1)
    return out


def _passage_codes(it: Item) -> list[str]:
    seen: dict[str, None] = {}
    for h in it.highlights:
        for t in h.tags:
            seen.setdefault(t)
    return list(seen)


# ------------------------------------------------------------------------ writers


def to_jsonl(
    its: Sequence[Item],
    keywords: Callable[[Article], list[tuple[str, float]]] | None = None,
    tokens: Callable[[Article], str] | None = None,
    coder: str = "",
    progress: Progress | None = None,
) -> bytes:
    buf = io.StringIO()
    for i, it in enumerate(its):
        a = it.article
        meta = it.meta or page_meta(None, a)
        rec: dict[str, Any] = {
            "id": a.id,
            "issue": it.issue_id,
            "file": it.source,
            "date": it.date,
            "paper": meta.get("paper"),
            "page": meta.get("page"),
            "section": meta.get("section"),
            "furniture": meta.get("furniture", []),
            "credits": meta.get("credits", {}),
            "continued_from": meta.get("continued_from"),
            "continued_on": meta.get("continued_on"),
            "title": a.title,
            "kicker": a.kicker,
            "subtitle": a.subtitle,
            "byline": a.reporters,
            "text": a.text,
            "paragraphs": [p.text for p in a.body],
            "tags": it.tags,
            "note": it.note,
            "read": it.read,
            "starred": it.starred,
            "highlights": [
                {
                    "id": h.id,
                    "start": h.start,
                    "end": h.end,
                    "quote": h.quote,
                    "prefix": h.prefix,
                    "suffix": h.suffix,
                    "tags": list(h.tags),
                    "note": h.note,
                }
                for h in it.highlights
            ],
            "fingerprint": {
                "title": a.title,
                "text_hash": hashlib.sha1(a.text.encode()).hexdigest()[:16],
            },
            "provenance": {"source_sha1": it.source_sha1, "piyue": version(), "coder": coder},
        }
        if keywords is not None:
            rec["keywords"] = [{"word": w, "weight": wt} for w, wt in keywords(a)]
        if tokens is not None:
            rec["tokens"] = tokens(a)
        buf.write(json.dumps(rec, ensure_ascii=False) + "\n")
        if progress:
            progress(i + 1, len(its))
    return buf.getvalue().encode("utf-8")


_FORMULA = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def cell(value: object) -> str:
    """A CSV cell a spreadsheet will show, not evaluate."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(_FORMULA) else s


CSV_COLUMNS = (
    "id",
    "issue",
    "file",
    "date",
    "paper",
    "page",
    "section",
    "continued_from",
    "continued_on",
    "credits",
    "title",
    "kicker",
    "byline",
    "read",
    "starred",
    "tags",
    "passage_codes",
    "note",
    "highlights",
    "text",
)
CSV_HIGHLIGHT_COLUMNS = (
    "article_id",
    "title",
    "tag",
    "quote",
    "note",
    "start",
    "end",
    "issue",
    "file",
    "date",
    "paper",
    "page",
    "section",
)


def to_csv(
    its: Sequence[Item],
    per: str = "article",
    progress: Progress | None = None,
    codebook: Sequence[CodeDef] = (),
) -> bytes:
    """Rows for a spreadsheet or pandas; the layout is in the module docstring."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if per == "highlight":
        w.writerow(CSV_HIGHLIGHT_COLUMNS)
        for it in its:
            m = it.meta
            for h in it.highlights:
                hrow = (
                    it.article.id,
                    it.article.title,
                    ";".join(h.tags),
                    h.quote,
                    h.note,
                    h.start,
                    h.end,
                    it.issue_id,
                    it.source,
                    it.date or "",
                    m.get("paper"),
                    m.get("page"),
                    m.get("section"),
                )
                w.writerow([cell(x) for x in hrow])
    else:
        used = {t for it in its for t in (*it.tags, *(t for h in it.highlights for t in h.tags))}
        vocab = [n for n, _ in code_tree(codebook, used) if n in used]
        taken = set(CSV_COLUMNS) | {f"{g}:{t}" for g in ("tag", "passage") for t in vocab}
        bare = [t for t in vocab if t not in taken]
        w.writerow(
            [
                *CSV_COLUMNS,
                *bare,
                *(f"tag:{t}" for t in vocab),
                *(f"passage:{t}" for t in vocab),
            ]
        )
        for i, it in enumerate(its):
            m = it.meta
            own = set(it.tags)
            coded = _passage_codes(it)
            in_passages = set(coded)
            row = [
                it.article.id,
                it.issue_id,
                it.source,
                it.date or "",
                m.get("paper"),
                m.get("page"),
                m.get("section"),
                m.get("continued_from"),
                m.get("continued_on"),
                _credits_text(m),
                it.article.title,
                it.article.kicker,
                it.article.reporters,
                int(it.read),
                int(it.starred),
                ";".join(it.tags),
                ";".join(coded),
                it.note,
                len(it.highlights),
                it.article.text,
            ]
            w.writerow(
                [cell(x) for x in row]
                + [int(t in own or t in in_passages) for t in bare]
                + [int(t in own) for t in vocab]
                + [int(t in in_passages) for t in vocab]
            )
            if progress:
                progress(i + 1, len(its))
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")


def md_escape(text: str) -> str:
    out = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"^(\s*)([-+=]|\d+[.)])", r"\1\\\2", out, flags=re.M)


def _md_article(it: Item, level: int, passages: Sequence[Highlight], full: bool) -> list[str]:
    """One article under a code: heading with paper · date · page, its metadata, note, and
    only the passages given (the caller picks those of the code)."""
    a, m = it.article, it.meta
    where = " · ".join(x for x in (m.get("paper"), it.date, _page_label(m)) if x)
    head = md_escape(a.title or "(无标题)") + (f" ({md_escape(where)})" if where else "")
    lines = [f"{'#' * level} {head}", ""]
    cont = m.get("continued_from")
    meta = " · ".join(
        x
        for x in (
            a.reporters,
            m.get("section") or "",
            f"上接 {cont}" if cont else "",
            _credits_text(m, " "),
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
    lines = [
        f"# {md_escape(title)}",
        "",
        f"{len(its)} 篇 articles · {datetime.now(UTC):%Y-%m-%d}",
        "",
    ]
    if tree:
        lines += [
            "## 代码频率 Code frequencies",
            "",
            "| 代码 code | 文章 articles | 段落 passages |",
            "|---|---:|---:|",
        ]
        for name, depth in tree:
            indent = "　" * depth + ("└ " if depth else "")
            lines.append(f"| {indent}{md_escape(name)} | {art_n[name]} | {pas_n[name]} |")
        lines.append("")
    under: dict[str, list[Item]] = {}  # code → its articles, in export order, each once
    for it in its:
        for t in dict.fromkeys([*it.tags, *_passage_codes(it)]):
            under.setdefault(t, []).append(it)
    for name, depth in tree:
        level = min(2 + depth, 5)
        lines += [f"{'#' * level} {md_escape(name)}", ""]
        for it in under.get(name, ()):
            mine = [h for h in it.highlights if name in h.tags]
            lines += _md_article(it, level + 1, mine, full)
    rest = []
    for it in its:
        uncoded = [h for h in it.highlights if not h.tags]
        if not it.tags and not _passage_codes(it):
            rest.append((it, uncoded))
        elif uncoded:
            rest.append((it, uncoded))
    if rest:
        lines += [f"## {md_escape(UNTAGGED)}", ""]
        for it, hs in rest:
            lines += _md_article(it, 3, hs, full)
    return "\n".join(lines).encode("utf-8")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Characters XML 1.0 cannot carry become U+FFFD (the source text files keep them)."""
    return _NOT_XML.sub("\ufffd", text)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# name, REFI-QDA type, description: the article's placement as QDA "variables" (attributes)
_VARIABLES = (
    ("date", "Date", "出版日期 issue date"),
    ("issue", "Text", "版面 page id in piyue"),
    ("file", "Text", "版面文件 page file"),
    ("paper", "Text", "报纸 newspaper"),
    ("page", "Integer", "版次 page number"),
    ("section", "Text", "版面栏目 page section"),
    ("byline", "Text", "作者 byline"),
    ("kicker", "Text", "引题 kicker"),
    ("continued_from", "Text", "上接 continued from"),
    ("continued_on", "Text", "下转 continued on"),
    ("credits", "Text", "编辑 校对 组版 page credits"),
)
_ALWAYS = {"issue", "file", "byline", "kicker"}  # one value per source even when empty


def _variable_values(it: Item) -> dict[str, str]:
    m = it.meta
    vals = {
        "date": it.date if it.date and _ISO_DATE.fullmatch(it.date) else "",
        "issue": it.issue_id,
        "file": it.source,
        "paper": m.get("paper") or "",
        "page": str(m["page"]) if m.get("page") is not None else "",
        "section": m.get("section") or "",
        "byline": it.article.reporters,
        "kicker": it.article.kicker,
        "continued_from": m.get("continued_from") or "",
        "continued_on": m.get("continued_on") or "",
        "credits": _credits_text(m, " "),
    }
    return {k: v for k, v in vals.items() if v or k in _ALWAYS}


def to_qdpx(
    its: Sequence[Item],
    codebook: Sequence[CodeDef],
    coder: str = "piyue",
    progress: Progress | None = None,
) -> bytes:
    """A REFI-QDA project: TextSources, nested CodeBook, codings, variables, notes.

    Positions count code points. Every note is written where QualCoder's importer (and
    others) look for it: a passage note as its selection's Description (the coding memo), an
    article note as its source's Description (the source memo), and each also as a `<Note>`
    with its own PlainTextSelection and a NoteRef from its source (an annotation) — one
    annotation per span, as that importer's database requires.
    """
    ET.register_namespace("", QDA_NS)
    q = f"{{{QDA_NS}}}"
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    user = guid("user", coder)
    project = ET.Element(
        f"{q}Project",
        {
            "name": "piyue export",
            "origin": f"piyue {version()}",
            "creatingUserGUID": user,
            "creationDateTime": now,
        },
    )
    users = ET.SubElement(project, f"{q}Users")
    ET.SubElement(users, f"{q}User", {"guid": user, "name": coder})
    used = {t for it in its for t in (*it.tags, *(t for h in it.highlights for t in h.tags))}
    defs = {d.name: d for d in codebook}
    tree = code_tree(codebook, used | set(defs))
    code_guid = {t: guid("code", t) for t, _ in tree}
    if tree:
        cb = ET.SubElement(project, f"{q}CodeBook")
        stack: list[ET.Element] = [ET.SubElement(cb, f"{q}Codes")]
        for t, depth in tree:
            del stack[depth + 1 :]
            attrs = {"guid": code_guid[t], "name": t, "isCodable": "true"}
            d = defs.get(t)
            if d is not None and re.fullmatch(r"#[0-9A-Fa-f]{6}", d.colour or ""):
                attrs["color"] = d.colour.upper()
            code = ET.SubElement(stack[-1], f"{q}Code", attrs)
            if d is not None and d.description:
                ET.SubElement(code, f"{q}Description").text = d.description
            stack.append(code)

    values = [_variable_values(it) for it in its]
    present = {k for v in values for k in v}
    var_guid = {name: guid("variable", name) for name, _, _ in _VARIABLES}
    var_type = {name: kind for name, kind, _ in _VARIABLES}
    if present:
        ve = ET.SubElement(project, f"{q}Variables")
        for name, kind, desc in _VARIABLES:
            if name in present:
                v = ET.SubElement(
                    ve,
                    f"{q}Variable",
                    {"guid": var_guid[name], "name": name, "typeOfVariable": kind},
                )
                ET.SubElement(v, f"{q}Description").text = desc

    def selection(
        parent: ET.Element,
        sg: str,
        name: str,
        start: int,
        end: int,
        codings: list[tuple[str, str]],
        description: str = "",
    ) -> ET.Element:
        """A PlainTextSelection (code-point positions) with one Coding per code."""
        sel = ET.SubElement(
            parent,
            f"{q}PlainTextSelection",
            {
                "guid": sg,
                "name": name,
                "startPosition": str(start),
                "endPosition": str(end),
                "creatingUser": user,
                "creationDateTime": now,
            },
        )
        if description:
            ET.SubElement(sel, f"{q}Description").text = description
        for coding_guid, code in codings:
            c = ET.SubElement(
                sel,
                f"{q}Coding",
                {
                    "guid": coding_guid,
                    "creatingUser": user,
                    "creationDateTime": now,
                },
            )
            ET.SubElement(c, f"{q}CodeRef", {"targetGUID": code})
        return sel

    files: dict[str, bytes] = {}
    # guid, name, text, source-text span the note is about
    notes: list[tuple[str, str, str, int, int]] = []
    if its:
        sources = ET.SubElement(project, f"{q}Sources")
        for i, it in enumerate(its):
            a = it.article
            sg = guid("source", a.id)
            text = a.text
            files[f"sources/{sg}.txt"] = text.encode("utf-8")
            src = ET.SubElement(
                sources,
                f"{q}TextSource",
                {
                    "guid": sg,
                    "name": f"{a.title or a.id} ({a.id})",
                    "plainTextPath": f"internal://{sg}.txt",
                    "creatingUser": user,
                    "creationDateTime": now,
                },
            )
            if it.note:
                ET.SubElement(src, f"{q}Description").text = it.note
            if it.tags and text:
                selection(
                    src,
                    guid("whole", a.id),
                    "全文 whole article",
                    0,
                    len(text),
                    [(guid("coding", a.id, t), code_guid[t]) for t in it.tags],
                )
            # One annotation per span: QualCoder keeps annotations unique by (source, span) and
            # aborts the whole import on a second one. Notes on one span share one <Note>; an
            # uncoded passage is itself an annotation there, so it carries the span's notes.
            groups: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
            for h in it.highlights:
                if h.note:
                    groups.setdefault((h.start, h.end), []).append(
                        (guid("note", h.id), f"«{h.quote[:30]}»", h.note)
                    )
            if it.note:
                groups.setdefault((0, len(text)), []).append(
                    (guid("note", a.id), a.title or a.id, it.note)
                )
            joined = {span: "\n\n".join(t for _, _, t in g) for span, g in groups.items()}
            uncoded: set[tuple[int, int]] = set()
            for h in it.highlights:
                span = (h.start, h.end)
                if not h.tags and span in uncoded:
                    continue  # the same uncoded span again would be a second annotation
                if not h.tags:
                    uncoded.add(span)
                sel = selection(
                    src,
                    guid("selection", h.id),
                    h.quote[:40],
                    h.start,
                    h.end,
                    [(guid("coding", h.id, t), code_guid[t]) for t in h.tags],
                    h.note if h.tags else joined.get(span, ""),
                )
                if span in groups and (h.note or not h.tags):
                    ET.SubElement(sel, f"{q}NoteRef", {"targetGUID": groups[span][0][0]})
            for span, g in groups.items():
                notes.append((g[0][0], g[0][1], joined[span], *span))
                if span not in uncoded:  # what importers follow to an annotation
                    ET.SubElement(src, f"{q}NoteRef", {"targetGUID": g[0][0]})
            for name, value in values[i].items():
                vv = ET.SubElement(src, f"{q}VariableValue")
                ET.SubElement(vv, f"{q}VariableRef", {"targetGUID": var_guid[name]})
                kind = var_type[name]
                tag = {"Date": "DateValue", "Integer": "IntegerValue"}.get(kind, "TextValue")
                ET.SubElement(vv, f"{q}{tag}").text = value
            if progress:
                progress(i + 1, len(its))
    if notes:
        ne = ET.SubElement(project, f"{q}Notes")
        for ng, name, text, start, end in notes:
            n = ET.SubElement(
                ne,
                f"{q}Note",
                {"guid": ng, "name": name, "creatingUser": user, "creationDateTime": now},
            )
            ET.SubElement(n, f"{q}PlainTextContent").text = text
            ET.SubElement(
                n,
                f"{q}PlainTextSelection",
                {
                    "guid": guid("noted", ng),
                    "name": name[:40],
                    "startPosition": str(start),
                    "endPosition": str(end),
                    "creatingUser": user,
                    "creationDateTime": now,
                },
            )
    for el in project.iter():  # OCR control bytes in a title or note must not break the XML
        if el.text:
            el.text = _xml_text(el.text)
        for key, value in el.attrib.items():
            el.attrib[key] = _xml_text(value)
    xml = ET.tostring(project, encoding="utf-8", xml_declaration=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def write_corpus(
    its: Sequence[Item],
    out: Path,
    tokens: Callable[[Article], str],
    force: bool = False,
    progress: Progress | None = None,
) -> int:
    """One UTF-8 file per article, tokens separated by spaces, a small metadata header."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    for i, it in enumerate(its):
        a = it.article
        path = out / f"{safe_name(a.id)}.txt"
        if path.exists() and not force:
            raise ExportError(f"{path} exists (use --force to overwrite)")
        m = it.meta
        header = "\n".join(
            f"# {k}: {v}"
            for k, v in (
                ("id", a.id),
                ("title", a.title),
                ("date", it.date or ""),
                ("source", it.source),
                ("paper", m.get("paper")),
                ("page", m.get("page")),
                ("section", m.get("section")),
                ("tags", ";".join(it.tags)),
            )
            if v is not None  # page metadata only when the page has it
        )
        atomic_write(
            path, (header.replace("\r", " ") + "\n\n" + tokens(a) + "\n").encode("utf-8"), 0o644
        )
        if progress:
            progress(i + 1, len(its))
    return len(its)


def write_file(path: Path, data: bytes, force: bool = False) -> None:
    if path.exists() and not force:
        raise ExportError(f"{path} exists (use --force to overwrite)")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, 0o644)


# ------------------------------------------------------------------------ import


@dataclass
class ImportReport:
    articles: int = 0
    tags_added: int = 0
    notes_set: int = 0
    notes_conflicts: int = 0
    highlights_added: int = 0
    skipped: list[str] | None = None


def import_jsonl(data: str, corpus: Corpus, store: Store, coder: str = "") -> ImportReport:
    """Merge another coder's export: union of tags, both notes kept on conflict, new passages."""
    rep = ImportReport(skipped=[])
    assert rep.skipped is not None
    for lineno, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            aid = rec["id"]
        except (ValueError, KeyError, TypeError):
            rep.skipped.append(f"line {lineno}: not a piyue JSON Lines record")
            continue
        art = corpus.article(aid) or _by_title(corpus, rec)
        if art is None:
            rep.skipped.append(f"line {lineno}: article {aid} is not in this corpus")
            continue
        rep.articles += 1
        have = set(store.notes(art.id).tags)
        new_tags = [t for t in rec.get("tags", []) if t not in have]
        if new_tags:
            store.add_tags(art, new_tags)
            rep.tags_added += len(new_tags)
        theirs = str(rec.get("note") or "")
        mine = store.notes(art.id).note
        if theirs and theirs != mine and theirs not in mine:
            who = (rec.get("provenance") or {}).get("coder") or coder or "another coder"
            if mine:
                store.set_note(art, f"{mine}\n\n--- 来自 {who} (imported) ---\n{theirs}")
                rep.notes_conflicts += 1
            else:
                store.set_note(art, theirs)
            rep.notes_set += 1
        existing = {(h.start, h.end, h.quote) for h in store.highlights(art.id)}
        for h in rec.get("highlights", []):
            quote = str(h.get("quote", ""))
            s, e = int(h.get("start", -1)), int(h.get("end", -1))
            if art.text[s:e] != quote:
                i = art.text.find(quote) if quote else -1
                if i < 0:
                    rep.skipped.append(
                        f"line {lineno}: passage «{quote[:20]}» not found in {art.id}"
                    )
                    continue
                s, e = i, i + len(quote)
            if (s, e, quote) in existing:
                continue
            store.add_highlight(art, s, e, h.get("tags", []), str(h.get("note") or ""))
            existing.add((s, e, quote))
            rep.highlights_added += 1
    return rep


def _by_title(corpus: Corpus, rec: dict[str, Any]) -> Article | None:
    title = rec.get("title")
    if not title:
        return None
    for a in corpus.articles:
        if a.title == title and a.issue_id == rec.get("issue"):
            return a
    return None
