"""Export and import, shared by ``piyue export``/``import`` and the reader's export dialog."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storage.errors import StoreError

if TYPE_CHECKING:
    from corpus.model import Article
    from storage.annotations import Coders
    from storage.export import ImportReport
    from workspace.session import Workspace

Progress = Callable[[int, int], None]
NEEDS_PATH = ("qdpx", "corpus")


@dataclass(frozen=True)
class ExportOptions:
    fmt: str = "jsonl"
    tokens: bool = False
    per: str = "article"
    full: bool = False
    coder: str = ""
    """Whose codings: "" the current coder's, a name, or ``all``; see ``export_coders``."""
    force: bool = False


@dataclass(frozen=True)
class Exported:
    """What an export produced: the bytes (to write or print) or, for a corpus folder, the
    number of files written; and how many articles went in.  One row per passage (CSV
    ``per="highlight"``): ``passages`` rows, from the ``articles`` that have a passage."""

    data: bytes | None
    articles: int
    files: int = 0
    passages: int | None = None
    records: int | None = None
    """Records written when that is not one per article (``--coder all``: one per article
    and coder)."""


def export_coders(ws: Workspace, coder: str = "") -> tuple[Coders, str]:
    """Whose codings an export writes, and the name its provenance gives them.

    "" → the current coder's; ``all`` → every coder's (each record names its own); a coder
    who coded something here → theirs.  Any other name is refused (``UnknownCoder``, naming
    the coders there are): exporting someone's codings under a name that coded nothing —
    a typo — would file them under the wrong coder when the export is imported."""
    from storage.annotations import ALL
    from workspace.coders import require_codings

    store = ws.store
    if not coder.strip():
        return {store.coder}, store.coder
    if coder.strip().lower() == ALL:
        return None, ""
    name = require_codings(store, coder)
    return {name}, name


def check_codes(ws: Workspace, codes: Sequence[str]) -> None:
    """Every code named (``export --tag``) is in the codebook or in use: a typo is an
    ``UnknownCode`` error, not an empty export that looks like success."""
    from storage.annotations import UnknownCode

    store = ws.store
    known = {t.name for t in store.tag_defs()}
    if any(c not in known for c in codes):
        known |= set(store.tag_counts(None))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise UnknownCode(f"unknown code: {', '.join(unknown)}")


def select(
    ws: Workspace,
    tags: Sequence[str] = (),
    where: str = "",
    every: bool = False,
    coder: str = "",
) -> list[Article]:
    """The articles an export covers: every annotated article by ``coder``'s codings (see
    ``export_coders``), or every article (``every``), narrowed by all the given tags and a
    tag expression; a code stands for itself and its descendants; an unknown code is
    refused."""
    from storage import export as ex

    check_codes(ws, tags)
    scope, _label = export_coders(ws, coder)
    # the annotated articles are on the coded pages: not every page of a decade is decoded
    corpus = ws.corpus() if every else ws.coded_corpus()
    return ex.select(corpus, ws.store, tags, where, every, scope)


SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".md": "md", ".qdpx": "qdpx"}
"""File name extensions that name an export format (a .qdpx holding JSON fails only later,
in another program, far from the cause)."""


def export_format(given: str | None, output: Path | None) -> str:
    """The format to write: ``given`` (``--format``), else the one a known extension of
    ``output`` names, else JSON Lines.  A known extension that contradicts ``given`` is
    refused rather than written under a misleading name."""
    from storage.export import ExportError

    named = SUFFIXES.get(output.suffix.lower()) if output is not None else None
    if given is None:
        return named or "jsonl"
    if named is not None and named != given and output is not None:
        want = "a folder name" if given == "corpus" else f"a .{given} name"
        raise ExportError(
            f"{output.name} is a .{named} name but --format is {given}: drop --format, "
            f"or give -o {want}"
        )
    return given


def check_target(fmt: str, output: Path | None, force: bool) -> None:
    """Refuse before any work is done: a missing path where one is needed, a folder that
    does not exist (never made silently: a typo in a path would scatter exports), or a file
    that would be overwritten without ``force``."""
    from storage.export import ExportError

    if fmt in NEEDS_PATH and output is None:
        raise ExportError(f"--format {fmt} needs -o FILE")
    folder = output.expanduser().absolute().parent if output is not None else None
    if folder is not None and not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ExportError(f"cannot write {output}: {folder} {what} (create it first)")
    if output is not None and fmt != "corpus" and output.exists() and not force:
        raise ExportError(f"{output} exists (use --force to overwrite)")


def export(
    ws: Workspace,
    articles: list[Article],
    opts: ExportOptions,
    output: Path | None = None,
    progress: Progress | None = None,
) -> Exported:
    """Render ``articles`` in ``opts.fmt``; files (``output``) are written atomically."""
    from storage import export as ex

    check_target(opts.fmt, output, opts.force)
    lib, store = ws.library, ws.store
    scope, label = export_coders(ws, opts.coder)
    corpus = ws.coded_corpus()
    if not {a.id for a in articles} <= {a.id for a in corpus.articles}:
        corpus = ws.corpus()  # --all: articles nobody coded
    its = ex.items(corpus, store, articles, scope, label)
    if opts.fmt in ("jsonl", "corpus") or opts.tokens:
        lib.open_index()

    def tok(a: Article) -> str:
        return " ".join(lib.article_words(a))

    data: bytes
    if opts.fmt == "jsonl":

        def kw(a: Article) -> list[tuple[str, float]]:
            return [(k.word, k.weight) for k in lib.keywords(a)]

        data = ex.to_jsonl(its, kw, tok if opts.tokens else None, label, progress, store.tag_defs())
    elif opts.fmt == "csv":
        data = ex.to_csv(its, opts.per, progress, store.tag_defs())
    elif opts.fmt == "md":
        data = ex.to_markdown(its, opts.full, codebook=store.tag_defs())
    elif opts.fmt == "qdpx":
        data = ex.to_qdpx(its, store.tag_defs(), label or store.coder, progress)
    elif opts.fmt == "corpus":
        assert output is not None  # check_target
        files = ex.write_corpus(its, output, tok, opts.force, progress)
        return Exported(None, len(articles), files)
    else:
        raise ex.ExportError(f"unknown format {opts.fmt!r}")
    if output is not None:
        ex.write_file(output, data, opts.force)
    if opts.fmt == "csv" and opts.per == "highlight":
        rows = sum(len(it.highlights) for it in its)
        return Exported(data, len({it.article.id for it in its if it.highlights}), 0, rows)
    records = len(its) if opts.fmt in ("jsonl", "csv") and len(its) != len(articles) else None
    return Exported(data, len(articles), records=records)


def import_file(ws: Workspace, path: Path, as_coder: str = "", merge: bool = False) -> ImportReport:
    """Another coder's JSON Lines export: kept as the coder its provenance names (or
    ``as_coder``), or with ``merge`` united with your own codings."""
    from storage.annotations.importing import import_jsonl

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    if raw.startswith(b"PK\x03\x04"):
        raise StoreError(
            f"{path} is a zip file (a REFI-QDA project .qdpx?): import reads piyue JSON Lines "
            "exports (.jsonl); nothing was imported"
        )
    try:
        data = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StoreError(
            f"{path} is not UTF-8 text (byte {exc.start}): import reads piyue JSON Lines "
            "exports (.jsonl); nothing was imported"
        ) from exc
    corpus = ws.corpus()
    rep = import_jsonl(data, corpus, ws.store, as_coder, merge)
    if rep.orphans and not ws.store.readonly:
        # an article not found by its id may be on a page renamed or moved since the export
        # (a day folder re-dated): looked for by its text on every page, as your own
        # codings are when a page moves (testerD F4: they stayed orphans)
        found = ws.store.anchor(corpus, new_pages=[i.id for i in corpus.issues])
        rep.found_again = found.found
        still = {str(d["article_id"]) for d in ws.store.orphans()}
        # the lines name an article id followed by a space ("article X is…", "in X (kept…")
        rep.orphans = [o for o in rep.orphans if any(f" {a} " in o for a in still)]
    if not rep.articles and not rep.orphans and rep.skipped:
        # not one line was a record: a CSV, a Markdown export, some other file
        raise StoreError(
            f"{path} is not a piyue JSON Lines export: "
            + (
                "its one line is not"
                if len(rep.skipped) == 1
                else f"none of its {len(rep.skipped)} lines is"
            )
            + f" one ({rep.skipped[0]}); nothing was imported"
        )
    return rep
