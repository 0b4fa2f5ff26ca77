"""Exports of tagged sets: JSON Lines, CSV, Markdown, REFI-QDA (.qdpx), a segmented corpus.
(The import of another coder's JSON Lines lives in storage.annotations.importing and is
re-exported here.)

Coders: every exported item is one coder's codings of one article (``Item.coder``); an export
of several coders has one item per article and coder. JSON Lines records carry ``coder`` and
name it in their provenance, CSV rows have a ``coder`` column, a REFI-QDA project has one
``<User>`` per coder and each coding's ``creatingUser``.

Nothing here lets article text choose a path, reach a shell or a markup interpreter: file
names come from article ids (sanitised), CSV cells that a spreadsheet would evaluate are
neutralised, Markdown special characters are escaped, XML is built with a real serialiser.
Files are written atomically and never overwrite an existing file unless asked to. The
Markdown and REFI-QDA writers live in storage.export_md and storage.export_qdpx, what all formats
share in storage.export_base; this module is the one to import (it re-exports them).

Page metadata (paper, page number, section, furniture, credits, continuations) is read through
`page_meta` only, with defaults, so every format carries it as soon as the model has it.

CSV, one row per article (``per="article"``; per article and coder when several coders are
exported), UTF-8 with a BOM, CRLF, RFC 4180 quoting:

- ``id, issue, file, date, paper, page, section, continued_from, continued_on, credits, title,
  kicker, byline, read, starred, coder, tags, passage_codes, note, highlights, captions,
  text`` — ``coder`` whose codings the row holds (beside ``read``/``starred``, 0 or 1,
  which are that coder's too), ``tags`` the article's own tags, ``passage_codes`` the
  codes of its passages (both ``;``-separated), ``highlights`` the number of coded
  passages, ``credits`` as ``编辑:武力;校对:向东``, ``captions`` the image captions one per
  line; the long ``text`` last.
- then three groups of 0/1 columns, each with one column per code of the codebook, used in
  these articles or not (two exports have the same columns and can be stacked), in codebook
  order, children after their parent: ``CODE`` — the article carries the code or one of its
  descendants anywhere (its own tag or a passage), exactly the articles ``--where CODE``
  selects; ``tag:CODE`` — the article itself is tagged CODE; ``passage:CODE`` — at least
  one of its passages is coded CODE (these two: the code itself, not its children). A bare
  ``CODE`` column that would repeat another header is left out (its ``tag:``/``passage:``
  columns are always there).

With ``per="highlight"`` there is one row per coded passage: ``article_id, title, tag, quote,
note, start, end, issue, file, date, paper, page, section, coder``.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from corpus.model import Article, Corpus
from storage.annotations import VISIBLE, Coders, Store, parse_expression
from storage.annotations.expressions import codebook_parents, page_matcher, widener
from storage.annotations.importing import ImportReport, import_jsonl
from storage.annotations.model import TagDef
from storage.errors import AnnotationError, disk_error
from storage.export_base import (
    GUID_NS,
    CodeDef,
    Item,
    Progress,
    code_tree,
    credits_text,
    guid,
    page_meta,
    passage_codes,
    version,
)
from storage.export_md import UNTAGGED, md_escape, to_markdown
from storage.export_qdpx import QDA_NS, to_qdpx
from storage.files import atomic_write, fsync_dir
from storage.printable import has_control, visible

__all__ = [
    "FORMATS",
    "GUID_NS",
    "QDA_NS",
    "UNTAGGED",
    "CodeDef",
    "ExportError",
    "ImportReport",
    "Item",
    "cell",
    "code_tree",
    "guid",
    "import_jsonl",
    "items",
    "md_escape",
    "page_meta",
    "safe_name",
    "select",
    "to_csv",
    "to_jsonl",
    "to_markdown",
    "to_qdpx",
    "unique_names",
    "version",
    "write_corpus",
    "write_file",
]

FORMATS = ("jsonl", "csv", "md", "qdpx", "corpus")


class ExportError(AnnotationError):
    """A problem with an export request (existing file, bad format, bad expression)."""


def select(
    corpus: Corpus,
    store: Store,
    tags: Sequence[str] = (),
    where: str = "",
    every: bool = False,
    coders: Coders = VISIBLE,
) -> list[Article]:
    """Articles for an export, by the codings of ``coders`` (default: the store's visible
    coders): every annotated one, or every article with ``every``; narrowed by all the
    given ``tags`` and by a tag expression ``where`` (page terms too).  A code, in ``tags``
    as in ``where``, stands for itself or any of its descendants (as in ``retrieve``)."""
    parents = codebook_parents(store.tag_defs())
    match = page_matcher(parse_expression(where), parents) if where.strip() else None
    widen = widener(parents)
    wanted = set(tags)
    annotated = store.annotated_ids(coders)
    tags_of = store.tags_by_article(coders)
    out = []
    for a in corpus.articles:
        if not every and a.id not in annotated:
            continue
        have = widen(tags_of.get(a.id, ()))
        if wanted and not wanted <= have:
            continue
        if match is not None and not match(have, corpus.issue_of(a)):
            continue
        out.append(a)
    return out


def items(
    corpus: Corpus,
    store: Store,
    articles: Iterable[Article],
    coders: Coders = VISIBLE,
    label: str = "",
) -> list[Item]:
    """The exported items: for each article, one per coder in ``coders`` who coded it (the
    store's visible coders by default; with one coder, one item per article even when
    empty). ``label`` renames a single coder's items (an export ``--coder NAME`` from a
    database where NAME coded nothing: the user naming themselves)."""
    scope = store.scope(coders)
    single = scope is not None and len(scope) == 1
    out = []
    for a in articles:
        issue = corpus.issue_of(a)
        meta = page_meta(issue, a)
        if single:
            assert scope is not None
            (who,) = scope
            per = {who: store.notes(a.id, scope)}
        else:
            per = store.notes_by_coder(a.id, scope)
        passages = [h for h in store.highlights(a.id, scope) if not h.orphan]
        for h in passages:
            if h.coder not in per:
                per[h.coder] = store.notes(a.id, {h.coder})
        if not per:
            per = {store.coder: store.notes(a.id, {store.coder})}
        for who in sorted(per):
            n = per[who]
            out.append(
                Item(
                    a,
                    issue.id,
                    issue.source,
                    issue.date,
                    issue.sha1,
                    list(n.tags),
                    n.note,
                    [h for h in passages if h.coder == who],
                    n.read,
                    n.starred,
                    meta,
                    (label if single and label else who),
                    n.updated,
                )
            )
    return out


NAME_BYTES = 200
"""Longest file name stem, in UTF-8 bytes (file systems allow 255; a suffix and -N follow)."""


def safe_name(text: str) -> str:
    """A file name for an id: letters of any script, digits and _.~- kept (洛阳日报 must stay,
    or two papers' same page collide), the rest one _, never a path."""
    name = re.sub(r"[^\w.~-]+", "_", text).strip("._") or "article"
    data = name.encode("utf-8")[:NAME_BYTES]
    return data.decode("utf-8", "ignore").rstrip("._") or "article"


def unique_names(ids: Sequence[str]) -> list[str]:
    """``safe_name`` of each id, made unique within one export (a/b and a_b, or two ids
    that agree in their first NAME_BYTES, get -2, -3…; the names compared case-blind, as
    macOS and Windows compare them)."""
    taken: set[str] = set()
    out: list[str] = []
    for i in ids:
        base = name = safe_name(i)
        n = 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.casefold())
        out.append(name)
    return out


# ------------------------------------------------------------------------ writers


def to_jsonl(
    its: Sequence[Item],
    keywords: Callable[[Article], list[tuple[str, float]]] | None = None,
    tokens: Callable[[Article], str] | None = None,
    coder: str = "",
    progress: Progress | None = None,
    codebook: Sequence[TagDef] = (),
) -> bytes:
    """One record per item; ``coder`` (when given) names every record's coder, else each
    item's own coder does.  ``codes`` carries the definitions of the codes a record uses
    (their parents first): an import into another database rebuilds that part of the tree."""
    defs = {d.name: d for d in codebook}
    buf = io.StringIO()
    for i, it in enumerate(its):
        who = coder or it.coder
        a = it.article
        meta = it.meta or page_meta(None, a)
        rec: dict[str, Any] = {
            "id": a.id,
            "coder": who,
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
            "captions": list(a.captions),
            "tags": it.tags,
            "note": it.note,
            "read": it.read,
            "starred": it.starred,
            "updated": it.updated or None,  # an import leaves out tags removed here since
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
            "provenance": {"source_sha1": it.source_sha1, "piyue": version(), "coder": who},
        }
        if defs:
            used = [*it.tags, *(t for h in it.highlights for t in h.tags)]
            rec["codes"] = [
                {
                    "name": d.name,
                    "parent": d.parent,
                    "colour": d.colour,
                    "description": d.description,
                }
                for d in _with_parents(used, defs)
            ]
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
    """A CSV cell a spreadsheet will show, not evaluate: a formula's first character
    neutralised with a ``'``, control characters (an ESC from an imported note) as their
    pictures (␛) — a spreadsheet or a ``cat`` of the file would show or obey them raw.
    Newlines and tabs stay (CSV quotes them); JSON Lines keeps the text exact."""
    s = "" if value is None else str(value)
    if has_control(s):  # rare: the search is much cheaper than a translation of every text
        s = visible(s)
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
    "coder",
    "tags",
    "passage_codes",
    "note",
    "highlights",
    "captions",
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
    "coder",
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
                    it.coder,
                )
                w.writerow([cell(x) for x in hrow])
    else:
        used = {t for it in its for t in (*it.tags, *(t for h in it.highlights for t in h.tags))}
        vocab = [n for n, _ in code_tree(codebook, used | {d.name for d in codebook})]
        taken = set(CSV_COLUMNS) | {f"{g}:{t}" for g in ("tag", "passage") for t in vocab}
        bare = [t for t in vocab if t not in taken]
        under = _with_descendants(codebook, vocab)
        header = [
            *CSV_COLUMNS,
            *bare,
            *(f"tag:{t}" for t in vocab),
            *(f"passage:{t}" for t in vocab),
        ]
        w.writerow([cell(x) for x in header])  # a code named =cmd|… is a header cell too
        for i, it in enumerate(its):
            m = it.meta
            own = set(it.tags)
            coded = passage_codes(it)
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
                credits_text(m),
                it.article.title,
                it.article.kicker,
                it.article.reporters,
                int(it.read),
                int(it.starred),
                it.coder,
                ";".join(it.tags),
                ";".join(coded),
                it.note,
                len(it.highlights),
                "\n".join(it.article.captions),
                it.article.text,
            ]
            anywhere = own | in_passages
            w.writerow(
                [cell(x) for x in row]
                + [int(bool(under[t] & anywhere)) for t in bare]
                + [int(t in own) for t in vocab]
                + [int(t in in_passages) for t in vocab]
            )
            if progress:
                progress(i + 1, len(its))
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def _with_descendants(codebook: Sequence[CodeDef], vocab: Iterable[str]) -> dict[str, set[str]]:
    """Each code with every code below it in the codebook: a parent's ``CODE`` column counts
    its children's codings, as ``--where PARENT`` selects them."""
    kids: dict[str, list[str]] = {}
    for d in codebook:
        if d.parent:
            kids.setdefault(d.parent, []).append(d.name)
    out: dict[str, set[str]] = {}
    for code in vocab:
        seen, todo = {code}, [code]
        while todo:
            for k in kids.get(todo.pop(), ()):
                if k not in seen:  # a hand-edited cycle cannot loop
                    seen.add(k)
                    todo.append(k)
        out[code] = seen
    return out


def write_corpus(
    its: Sequence[Item],
    out: Path,
    tokens: Callable[[Article], str],
    force: bool = False,
    progress: Progress | None = None,
) -> int:
    """One UTF-8 file per article, tokens separated by spaces, a small metadata header.

    The files are written into a hidden folder beside ``out`` (``.NAME.partial-…``) and
    only moved into ``out`` once all are written: an export killed or failing half-way
    (a full disk) leaves no ``out`` that looks complete — only that hidden folder when
    killed, nothing when it fails."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a folder")
    names = [f"{name}.txt" for name in unique_names([it.article.id for it in its])]
    if not force:  # every file checked before one is written: no half-written folder
        there = [out / n for n in names if (out / n).exists()]
        if there:
            n = len(there) - 1
            more = f" and {n} more file{'s' if n > 1 else ''} exist" if n else " exists"
            raise ExportError(f"{there[0]}{more} (use --force to overwrite)")
    if not out.parent.is_dir():  # never made: a mistyped folder is the user's to fix
        raise ExportError(f"cannot write {out}: the folder {out.parent} does not exist")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    except OSError as exc:
        raise disk_error(exc, out) from exc
    try:
        for i, (it, name) in enumerate(zip(its, names, strict=True)):
            _write_tokens(it, tmp / name, tokens, out / name)
            if progress:
                progress(i + 1, len(its))
        _move_into(tmp, out, names)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return len(its)


def _write_tokens(it: Item, path: Path, tokens: Callable[[Article], str], shown: Path) -> None:
    """One article's file at ``path``; an error names ``shown``, where it was going."""
    a = it.article
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
    data = (header.replace("\r", " ") + "\n\n" + tokens(a) + "\n").encode("utf-8")
    try:
        with path.open("wb") as fh:
            fh.write(data)
        path.chmod(0o644)
    except OSError as exc:
        raise disk_error(exc, shown) from exc


def _move_into(tmp: Path, out: Path, names: Sequence[str]) -> None:
    """The written files into ``out``: the whole folder renamed when ``out`` is new, else
    file by file (renames in one file system: no copying, no space needed)."""
    for name in names:  # written to disk before they are named as the export
        with contextlib.suppress(OSError):
            fd = os.open(tmp / name, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    try:
        if not out.exists():
            tmp.chmod(0o755)
            os.replace(tmp, out)
        else:
            for name in names:
                os.replace(tmp / name, out / name)
    except OSError as exc:
        raise disk_error(exc, out) from exc
    fsync_dir(out.parent)


def write_file(path: Path, data: bytes, force: bool = False) -> None:
    if path.exists() and not force:
        raise ExportError(f"{path} exists (use --force to overwrite)")
    if not path.parent.is_dir():  # never made: a mistyped folder is the user's to fix
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")
    atomic_write(path, data, 0o644)


def _code_record(d: TagDef) -> dict[str, str]:
    return {"name": d.name, "parent": d.parent, "colour": d.colour, "description": d.description}


def _with_parents(codes: Iterable[str], defs: Mapping[str, TagDef]) -> list[TagDef]:
    """The definitions of ``codes`` and of every code above them, each parent before its
    children (a cycle in old data is cut where it closes)."""
    out: dict[str, TagDef] = {}

    def add(name: str, seen: frozenset[str]) -> None:
        d = defs.get(name)
        if d is None or name in out or name in seen:
            return
        if d.parent:
            add(d.parent, seen | {name})
        out[name] = d

    for c in dict.fromkeys(codes):
        add(c, frozenset())
    return list(out.values())
