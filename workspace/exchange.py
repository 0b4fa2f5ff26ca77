"""Export and import, shared by ``piyue export``/``import`` and the reader's export dialog."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storage.errors import StoreError

if TYPE_CHECKING:
    from corpus.model import Article
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
    force: bool = False


@dataclass(frozen=True)
class Exported:
    """What an export produced: the bytes (to write or print) or, for a corpus folder, the
    number of files written; and how many articles went in."""

    data: bytes | None
    articles: int
    files: int = 0


def select(
    ws: Workspace, tags: Sequence[str] = (), where: str = "", every: bool = False
) -> list[Article]:
    """The articles an export covers: all given tags, a tag expression, every annotated
    article by default, or every article (``every``)."""
    from storage import export as ex

    return ex.select(ws.corpus(), ws.store, tags, where, every)


def check_target(fmt: str, output: Path | None, force: bool) -> None:
    """Refuse before any work is done: a missing path where one is needed, or a file that
    would be overwritten without ``force``."""
    from storage.export import ExportError

    if fmt in NEEDS_PATH and output is None:
        raise ExportError(f"--format {fmt} needs -o FILE")
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
    its = ex.items(ws.corpus(), store, articles)
    if opts.fmt in ("jsonl", "corpus") or opts.tokens:
        lib.open_index()

    def tok(a: Article) -> str:
        return " ".join(lib.article_words(a))

    data: bytes
    if opts.fmt == "jsonl":

        def kw(a: Article) -> list[tuple[str, float]]:
            return [(k.word, k.weight) for k in lib.keywords(a)]

        data = ex.to_jsonl(its, kw, tok if opts.tokens else None, opts.coder, progress)
    elif opts.fmt == "csv":
        data = ex.to_csv(its, opts.per, progress, store.tag_defs())
    elif opts.fmt == "md":
        data = ex.to_markdown(its, opts.full, codebook=store.tag_defs())
    elif opts.fmt == "qdpx":
        data = ex.to_qdpx(its, store.tag_defs(), opts.coder or "piyue", progress)
    elif opts.fmt == "corpus":
        assert output is not None  # check_target
        files = ex.write_corpus(its, output, tok, opts.force, progress)
        return Exported(None, len(articles), files)
    else:
        raise ex.ExportError(f"unknown format {opts.fmt!r}")
    if output is not None:
        ex.write_file(output, data, opts.force)
    return Exported(data, len(articles))


def import_file(ws: Workspace, path: Path) -> ImportReport:
    """Merge another coder's JSON Lines export into this database."""
    from storage import export as ex

    try:
        data = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    return ex.import_jsonl(data, ws.corpus(), ws.store)
