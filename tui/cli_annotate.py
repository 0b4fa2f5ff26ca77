"""Annotation subcommands: tag, untag, note, highlight, tags, orphans.

The CLI opens the database as the writer, waiting a moment for the lock; if another piyue
(usually the TUI) holds it, it fails with one line naming that process.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corpus.clean import scrub
from corpus.model import Article
from storage.annotations import Store
from storage.errors import StoreError
from storage.export import FORMATS, ExportError

LOCK_WAIT = 3.0


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("tag", help="add tags to an article")
    common(p)
    p.add_argument("article_id")
    p.add_argument("tags", nargs="+")
    p = sub.add_parser("untag", help="remove tags from an article")
    common(p)
    p.add_argument("article_id")
    p.add_argument("tags", nargs="+")
    p = sub.add_parser("note", help="set the article's note ('-' reads stdin)")
    common(p)
    p.add_argument("article_id")
    p.add_argument("text")
    p = sub.add_parser("highlight", help="code a passage (first occurrence of QUOTE)")
    common(p)
    p.add_argument("article_id")
    p.add_argument("quote")
    p.add_argument("--tag", action="append", default=[])
    p.add_argument("--note", default="")
    p = sub.add_parser("tags", help="tag vocabulary with counts")
    common(p)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("orphans", help="annotations that could not be re-attached")
    common(p)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("export", help="export a tagged set")
    common(p)
    p.add_argument("--tag", action="append", default=[], help="repeat: articles with all of them")
    p.add_argument("--where", default="", help="tag expression, e.g. '营商环境 and not 党建'")
    p.add_argument("--all", action="store_true", help="every article, annotated or not")
    p.add_argument("--format", choices=FORMATS, default="jsonl")
    p.add_argument("-o", "--output", type=Path, default=None)
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--tokens", action="store_true", help="JSON Lines: add space-joined tokens")
    p.add_argument("--per", choices=("article", "highlight"), default="article", help="CSV rows")
    p.add_argument("--full", action="store_true", help="Markdown: include the full text")
    p.add_argument("--coder", default="", help="your name in the provenance")
    p = sub.add_parser("import", help="merge another coder's JSON Lines export")
    common(p)
    p.add_argument("file", type=Path)


@contextmanager
def session(args: argparse.Namespace, write: bool = True) -> Iterator[tuple[Any, Store]]:
    """The library with corrections applied, and the store; orphans re-attached."""
    from tui.cli import UsageError, db_path, library

    lib = library(args)
    try:
        store = Store.open(db_path(args), readonly=not write, lock_timeout=LOCK_WAIT)
    except StoreError as exc:
        raise UsageError(str(exc)) from exc
    try:
        lib.use_store(store)
        lib.load()
        if write:
            store.reattach(lib.load())
        yield lib, store
    except StoreError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        store.close()


def _article(lib: Any, article_id: str) -> Article:
    from tui.cli import _article_or_fail

    art: Article = _article_or_fail(lib, article_id)
    return art


def cmd_tag(args: argparse.Namespace) -> int:
    with session(args) as (lib, store):
        n = store.add_tags(_article(lib, args.article_id), args.tags)
        print(f"{n.article_id}: {' '.join(n.tags)}")
    return 0


def cmd_untag(args: argparse.Namespace) -> int:
    with session(args) as (lib, store):
        n = store.remove_tags(_article(lib, args.article_id), args.tags)
        print(f"{n.article_id}: {' '.join(n.tags) or '(no tags)'}")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    with session(args) as (lib, store):
        store.set_note(_article(lib, args.article_id), text)
        print(f"{args.article_id}: note saved ({len(text)} characters)")
    return 0


def cmd_highlight(args: argparse.Namespace) -> int:
    with session(args) as (lib, store):
        h = store.highlight_quote(_article(lib, args.article_id), args.quote, args.tag, args.note)
        print(scrub(f"{h.id}: {h.article_id} [{h.start}-{h.end}] «{h.quote}» {' '.join(h.tags)}"))
    return 0


def cmd_tags(args: argparse.Namespace) -> int:
    with session(args, write=False) as (_lib, store):
        counts = store.tag_counts()
        defs = {t.name: t for t in store.tag_defs()}
        names = sorted(set(counts) | set(defs), key=lambda t: (-counts.get(t, 0), t))
        if args.json:
            print(
                json.dumps(
                    {
                        "tags": [
                            {
                                "name": n,
                                "count": counts.get(n, 0),
                                "colour": defs[n].colour if n in defs else "",
                                "description": defs[n].description if n in defs else "",
                            }
                            for n in names
                        ]
                    },
                    ensure_ascii=False,
                )
            )
        else:
            for n in names:
                print(scrub(f"{counts.get(n, 0):6d}  {n}"))
    return 0


def cmd_orphans(args: argparse.Namespace) -> int:
    with session(args) as (_lib, store):
        orphans = store.orphans()
        if args.json:
            print(json.dumps({"orphans": orphans}, ensure_ascii=False))
        elif not orphans:
            print("no orphans")
        else:
            for o in orphans:
                what = f"«{o['quote']}»" if o["type"] == "highlight" else o.get("title", "")
                print(scrub(f"{o['type']:9s} {o['article_id']}  {what}"))
    return 0


def run_export(
    lib: Any,
    store: Store,
    fmt: str,
    articles: list[Article],
    output: Path | None,
    force: bool = False,
    tokens: bool = False,
    per: str = "article",
    full: bool = False,
    coder: str = "",
    progress: Any = None,
) -> bytes | int:
    """Shared by the CLI and the TUI's export dialog: returns the bytes, or the file count."""
    from storage import export as ex

    corpus = lib.load()
    its = ex.items(corpus, store, articles)
    if fmt in ("jsonl", "corpus") or tokens:
        lib.open_index()

    def tok(a: Article) -> str:
        return " ".join(lib.article_words(a))

    if fmt == "jsonl":

        def kw(a: Article) -> list[tuple[str, float]]:
            return [(k.word, k.weight) for k in lib.keywords(a)]

        return ex.to_jsonl(its, kw, tok if tokens else None, coder, progress)
    if fmt == "csv":
        return ex.to_csv(its, per, progress)
    if fmt == "md":
        return ex.to_markdown(its, full)
    if fmt == "qdpx":
        return ex.to_qdpx(its, store.tag_defs(), coder or "piyue", progress)
    if output is None:
        raise ExportError("--format corpus needs -o FOLDER")
    return ex.write_corpus(its, output, tok, force, progress)


def cmd_export(args: argparse.Namespace) -> int:
    from storage import export as ex

    if args.format in ("qdpx", "corpus") and args.output is None:
        raise ExportError(f"--format {args.format} needs -o FILE")
    if (
        args.output is not None
        and args.output.exists()
        and not args.force
        and args.format != "corpus"
    ):
        raise ExportError(f"{args.output} exists (use --force to overwrite)")
    with session(args, write=False) as (lib, store):
        articles = ex.select(lib.load(), store, args.tag, args.where, args.all)
        got = run_export(
            lib,
            store,
            args.format,
            articles,
            args.output,
            args.force,
            args.tokens,
            args.per,
            args.full,
            args.coder,
        )
        if isinstance(got, int):
            print(f"{got} articles → {args.output}/", file=sys.stderr)
            return 0
        if args.output is None:
            sys.stdout.buffer.write(got)
            sys.stdout.flush()
        else:
            ex.write_file(args.output, got, args.force)
            print(f"{len(articles)} articles → {args.output}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from storage import export as ex

    try:
        data = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"cannot read {args.file}: {exc}") from exc
    with session(args) as (lib, store):
        rep = ex.import_jsonl(data, lib.load(), store)
    print(
        f"merged {rep.articles} articles: +{rep.tags_added} tags, {rep.notes_set} notes "
        f"({rep.notes_conflicts} kept both), +{rep.highlights_added} passages"
    )
    for s in rep.skipped or []:
        print(f"skipped: {s}", file=sys.stderr)
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "tag": cmd_tag,
    "untag": cmd_untag,
    "note": cmd_note,
    "highlight": cmd_highlight,
    "tags": cmd_tags,
    "orphans": cmd_orphans,
    "export": cmd_export,
    "import": cmd_import,
}
