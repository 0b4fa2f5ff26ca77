"""Exports of tagged sets: JSON Lines, CSV, Markdown, REFI-QDA (.qdpx), a segmented corpus —
and the import of another coder's JSON Lines.

Nothing here lets article text choose a path, reach a shell or a markup interpreter: file
names come from article ids (sanitised), CSV cells that a spreadsheet would evaluate are
neutralised, Markdown special characters are escaped, XML is built with a real serialiser.
Files are written atomically and never overwrite an existing file unless asked to.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from corpus.model import Article, Corpus
from storage.annotations import Highlight, Store, evaluate, parse_expression
from storage.errors import AnnotationError
from storage.files import atomic_write

FORMATS = ("jsonl", "csv", "md", "qdpx", "corpus")
QDA_NS = "urn:QDA-XML:project:1.0"
GUID_NS = uuid.UUID("6f1e4a52-3c0b-4d8e-9a57-8f0c2b1d7e33")
Progress = Callable[[int, int], None]


class ExportError(AnnotationError):
    """A problem with an export request (existing file, bad format, bad expression)."""


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
            )
        )
    return out


def guid(*parts: str) -> str:
    """Stable GUIDs: the same annotations give the same GUIDs in every export."""
    return str(uuid.uuid5(GUID_NS, "\x1f".join(parts)))


def safe_name(text: str) -> str:
    name = re.sub(r"[^0-9A-Za-z_.~-]+", "_", text).strip("._") or "article"
    return name[:120]


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
        rec: dict[str, Any] = {
            "id": a.id,
            "issue": it.issue_id,
            "file": it.source,
            "date": it.date,
            "title": a.title,
            "kicker": a.kicker,
            "subtitle": a.subtitle,
            "byline": a.reporters,
            "text": a.text,
            "paragraphs": [p.text for p in a.body],
            "tags": it.tags,
            "note": it.note,
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


def to_csv(its: Sequence[Item], per: str = "article", progress: Progress | None = None) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if per == "highlight":
        w.writerow(["article_id", "title", "tag", "quote", "note", "start", "end"])
        for it in its:
            for h in it.highlights:
                w.writerow(
                    [
                        cell(x)
                        for x in (
                            it.article.id,
                            it.article.title,
                            ";".join(h.tags),
                            h.quote,
                            h.note,
                            h.start,
                            h.end,
                        )
                    ]
                )
    else:
        vocab = sorted(
            {t for it in its for t in (*it.tags, *(t for h in it.highlights for t in h.tags))}
        )
        w.writerow(
            ["id", "issue", "date", "title", "byline", "tags", "note", "highlights", "text", *vocab]
        )
        for i, it in enumerate(its):
            have = set(it.tags) | {t for h in it.highlights for t in h.tags}
            row = [
                it.article.id,
                it.issue_id,
                it.date or "",
                it.article.title,
                it.article.reporters,
                ";".join(it.tags),
                it.note,
                len(it.highlights),
                it.article.text,
            ]
            w.writerow([cell(x) for x in row] + [1 if t in have else 0 for t in vocab])
            if progress:
                progress(i + 1, len(its))
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")


def md_escape(text: str) -> str:
    out = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"^(\s*)([-+=]|\d+[.)])", r"\1\\\2", out, flags=re.M)


def to_markdown(its: Sequence[Item], full: bool = False, title: str = "piyue export") -> bytes:
    groups: dict[str, list[Item]] = {}
    for it in its:
        tags = set(it.tags) | {t for h in it.highlights for t in h.tags}
        for t in sorted(tags) or ["(未标注 untagged)"]:
            groups.setdefault(t, []).append(it)
    lines = [
        f"# {md_escape(title)}",
        "",
        f"{len(its)} 篇 articles · {datetime.now(UTC):%Y-%m-%d}",
        "",
    ]
    for tag in sorted(groups):
        lines += [f"## {md_escape(tag)}", ""]
        for it in groups[tag]:
            a = it.article
            lines.append(f"### {md_escape(a.title or '(无标题)')}")
            meta = " · ".join(x for x in (a.reporters, it.date or "", it.source, a.id) if x)
            lines += ["", f"*{md_escape(meta)}*", ""]
            if it.tags:
                lines += ["标签 tags: " + ", ".join(md_escape(t) for t in it.tags), ""]
            if it.note:
                lines += ["**笔记 note:** " + md_escape(it.note).replace("\n", "  \n"), ""]
            for h in it.highlights:
                lines.append("> " + md_escape(h.quote).replace("\n", "\n> "))
                extra = ", ".join(h.tags)
                if h.note:
                    extra += (" — " if extra else "") + h.note
                lines += [">", f"> — {md_escape(extra)}" if extra else ">", ""]
            if full:
                lines += [md_escape(p.text) + "\n" for p in a.body]
    return "\n".join(lines).encode("utf-8")


def to_qdpx(
    its: Sequence[Item],
    codebook: Sequence[Any],
    coder: str = "piyue",
    progress: Progress | None = None,
) -> bytes:
    """A REFI-QDA project: TextSources, CodeBook, codings, notes.  Positions count code points."""
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
    used = sorted(
        {t for it in its for t in (*it.tags, *(t for h in it.highlights for t in h.tags))}
    )
    defs = {d.name: d for d in codebook}
    code_guid = {t: guid("code", t) for t in used}
    if used:
        cb = ET.SubElement(project, f"{q}CodeBook")
        codes = ET.SubElement(cb, f"{q}Codes")
        for t in used:
            attrs = {"guid": code_guid[t], "name": t, "isCodable": "true"}
            d = defs.get(t)
            if d is not None and re.fullmatch(r"#[0-9A-Fa-f]{6}", d.colour or ""):
                attrs["color"] = d.colour.upper()
            code = ET.SubElement(codes, f"{q}Code", attrs)
            if d is not None and d.description:
                ET.SubElement(code, f"{q}Description").text = d.description

    def selection(
        parent: ET.Element, sg: str, name: str, start: int, end: int, codings: list[tuple[str, str]]
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
    notes: list[tuple[str, str, str]] = []
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
            if it.tags and text:
                selection(
                    src,
                    guid("whole", a.id),
                    "全文 whole article",
                    0,
                    len(text),
                    [(guid("coding", a.id, t), code_guid[t]) for t in it.tags],
                )
            for h in it.highlights:
                sel = selection(
                    src,
                    guid("selection", h.id),
                    h.quote[:40],
                    h.start,
                    h.end,
                    [(guid("coding", h.id, t), code_guid[t]) for t in h.tags],
                )
                if h.note:
                    ng = guid("note", h.id)
                    ET.SubElement(sel, f"{q}NoteRef", {"targetGUID": ng})
                    notes.append((ng, f"«{h.quote[:30]}»", h.note))
            if it.note:
                ng = guid("note", a.id)
                ET.SubElement(src, f"{q}NoteRef", {"targetGUID": ng})
                notes.append((ng, a.title or a.id, it.note))
            if progress:
                progress(i + 1, len(its))
    if notes:
        ne = ET.SubElement(project, f"{q}Notes")
        for ng, name, text in notes:
            n = ET.SubElement(
                ne,
                f"{q}Note",
                {"guid": ng, "name": name, "creatingUser": user, "creationDateTime": now},
            )
            ET.SubElement(n, f"{q}PlainTextContent").text = text
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
        header = "\n".join(
            f"# {k}: {v}"
            for k, v in (
                ("id", a.id),
                ("title", a.title),
                ("date", it.date or ""),
                ("source", it.source),
                ("tags", ";".join(it.tags)),
            )
            if v is not None
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
