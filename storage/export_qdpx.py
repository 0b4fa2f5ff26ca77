"""The REFI-QDA project (.qdpx) writer, shaped by what real importers keep (DESIGN.md,
"Exchange with other QDA tools"): notes as Descriptions and as annotated Notes, variables,
nested codes, each source's text as a file under sources/."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from storage.export_base import CodeDef, Item, Progress, code_tree, credits_text, guid, version

QDA_NS = "urn:QDA-XML:project:1.0"


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
    ("captions", "Text", "图片说明 image captions"),
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
        "credits": credits_text(m, " "),
        "captions": " / ".join(it.article.captions),
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

    Coders: one ``<User>`` per coder of the items and every selection and coding names its
    coder as ``creatingUser`` (so NVivo/MAXQDA can compute their own agreement); an article
    coded by several coders is one TextSource with each coder's selections.  With one coder,
    ``coder`` names them (the export's label) and GUIDs are as they always were.
    """
    ET.register_namespace("", QDA_NS)
    q = f"{{{QDA_NS}}}"
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    # one <User> per coder; with one coder, ``coder`` names them (the export's label)
    multi = len({it.coder for it in its}) > 1

    def who(it: Item) -> str:
        return (it.coder or coder) if multi else (coder or it.coder or "piyue")

    names = list(dict.fromkeys([coder or (who(its[0]) if its else "piyue"), *map(who, its)]))
    user_guid = {name: guid("user", name) for name in names}
    user = user_guid[names[0]]
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
    for name in names:
        ET.SubElement(users, f"{q}User", {"guid": user_guid[name], "name": name})
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
        by: str = "",
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
                "creatingUser": by or user,
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
                    "creatingUser": by or user,
                    "creationDateTime": now,
                },
            )
            ET.SubElement(c, f"{q}CodeRef", {"targetGUID": code})
        return sel

    files: dict[str, bytes] = {}
    # guid, name, text, source-text span the note is about
    notes: list[tuple[str, str, str, int, int]] = []
    # one TextSource per article, whatever number of coders coded it
    by_article: dict[str, list[Item]] = {}
    for it in its:
        by_article.setdefault(it.article.id, []).append(it)
    if its:
        sources = ET.SubElement(project, f"{q}Sources")
        for i, group in enumerate(by_article.values()):
            it0 = group[0]
            a = it0.article
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
                    "creatingUser": user_guid[who(it0)],
                    "creationDateTime": now,
                },
            )

            def tail(it: Item) -> tuple[str, ...]:
                """GUID parts that keep coders apart (none with one coder: GUIDs as before)."""
                return (who(it),) if multi else ()

            def labelled(it: Item, note: str) -> str:
                return f"[{who(it)}] {note}" if multi else note

            article_notes = [labelled(it, it.note) for it in group if it.note]
            if article_notes:
                ET.SubElement(src, f"{q}Description").text = "\n\n".join(article_notes)
            for it in group:
                if it.tags and text:
                    selection(
                        src,
                        guid("whole", a.id, *tail(it)),
                        "全文 whole article",
                        0,
                        len(text),
                        [(guid("coding", a.id, t, *tail(it)), code_guid[t]) for t in it.tags],
                        by=user_guid[who(it)],
                    )
            # One annotation per span: QualCoder keeps annotations unique by (source, span) and
            # aborts the whole import on a second one. Notes on one span share one <Note>; an
            # uncoded passage is itself an annotation there, so it carries the span's notes.
            groups: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
            for it in group:
                for h in it.highlights:
                    if h.note:
                        groups.setdefault((h.start, h.end), []).append(
                            (guid("note", h.id), f"«{h.quote[:30]}»", labelled(it, h.note))
                        )
            for it in group:
                if it.note:
                    groups.setdefault((0, len(text)), []).append(
                        (guid("note", a.id, *tail(it)), a.title or a.id, labelled(it, it.note))
                    )
            joined = {span: "\n\n".join(t for _, _, t in g) for span, g in groups.items()}
            uncoded: set[tuple[int, int]] = set()
            for it in group:
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
                        by=user_guid[who(it)],
                    )
                    if span in groups and (h.note or not h.tags):
                        ET.SubElement(sel, f"{q}NoteRef", {"targetGUID": groups[span][0][0]})
            for span, g in groups.items():
                notes.append((g[0][0], g[0][1], joined[span], *span))
                if span not in uncoded:  # what importers follow to an annotation
                    ET.SubElement(src, f"{q}NoteRef", {"targetGUID": g[0][0]})
            for name, value in _variable_values(it0).items():
                vv = ET.SubElement(src, f"{q}VariableValue")
                ET.SubElement(vv, f"{q}VariableRef", {"targetGUID": var_guid[name]})
                kind = var_type[name]
                tag = {"Date": "DateValue", "Integer": "IntegerValue"}.get(kind, "TextValue")
                ET.SubElement(vv, f"{q}{tag}").text = value
            if progress:
                progress(i + 1, len(by_article))
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
