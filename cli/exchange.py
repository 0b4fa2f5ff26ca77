"""Exchange subcommands: export and import."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli.coders import use_coder
from cli.common import (
    UsageError,
    add_common,
    given_coder,
    plural,
    stale_notice,
    warn,
    workspace,
)
from storage.export import FORMATS
from workspace import exchange
from workspace.coded import check_where


def register(sub: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    p = sub.add_parser(
        "export",
        help="export a tagged set",
        description="Export the annotated articles (every article with --all), narrowed by "
        "--tag and --where, with your codings (--coder: another coder's, or all): JSON Lines, "
        "CSV, Markdown, a REFI-QDA project (.qdpx) or a segmented corpus folder.  To standard "
        "output unless -o is given; an existing file is kept unless --force.",
    )
    add_common(p, coder=False)
    p.add_argument("--tag", action="append", default=[], help="repeat: articles with all of them")
    p.add_argument(
        "--where",
        default="",
        help="tag expression and page terms, e.g. '营商环境 and not 党建', "
        "'paper:\"洛阳日报 副刊\" and date:2018-09' (paper:未知报纸: pages without one)",
    )
    p.add_argument("--all", action="store_true", help="every article, annotated or not")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="default: from the -o extension (.jsonl .csv .md .qdpx), else jsonl",
    )
    p.add_argument("-o", "--output", type=Path, default=None)
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--tokens", action="store_true", help="JSON Lines: add space-joined tokens")
    p.add_argument("--per", choices=("article", "highlight"), default="article", help="CSV rows")
    p.add_argument("--full", action="store_true", help="Markdown: include the full text")
    p.add_argument(
        "--coder",
        default=argparse.SUPPRESS,  # `piyue --coder X export` means the same
        help="whose codings: a coder's name or 'all' (default: yours); the provenance names "
        "them; an empty name, or a name with no codings here, is refused",
    )
    p = sub.add_parser(
        "import",
        help="another coder's JSON Lines export, kept as theirs",
        description="Read a piyue JSON Lines export: its codings go to the coder its "
        "provenance names (--as-coder: another name), or with --merge into yours; codes it "
        "defines are added to the codebook, articles not in this corpus are kept as orphans.",
    )
    add_common(p)
    p.add_argument("file", type=Path, metavar="FILE.jsonl", help="a `piyue export` JSON Lines file")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--as-coder", default="", help="the coder the codings belong to")
    who.add_argument("--merge", action="store_true", help="unite them with your own codings")
    return {"export": cmd_export, "import": cmd_import}


def cmd_export(args: argparse.Namespace) -> int:
    whose = given_coder(args) or ""  # "" → yours (the session's coder)
    args.format = exchange.export_format(args.format, args.output)
    if args.per != "article" and args.format != "csv":
        raise UsageError(f"--per {args.per} is for --format csv (one row per passage)")
    exchange.check_target(args.format, args.output, args.force)
    opts = exchange.ExportOptions(args.format, args.tokens, args.per, args.full, whose, args.force)
    with workspace(args, own_coder=False, yours=True) as ws:  # --coder: whose codings
        where = check_where(ws.store, args.where)  # a typo must not export nothing, status 0
        articles = exchange.select(ws, args.tag, where, args.all, whose)
        got = exchange.export(ws, articles, opts, args.output)
        stale_notice(ws)
        lost = len(ws.store.orphans(exchange.export_coders(ws, whose)[0]))
    if lost:  # kept in the database, but an export of "everything coded" lacks them
        warn(
            f"{plural(lost, 'annotation')} could not be re-attached to the pages (orphans) "
            "and are not in this export: piyue orphans lists them"
        )
    if not got.articles and args.output is None:
        warn("nothing to export: no article matches")
    if got.data is None:
        print(f"{plural(got.files, 'article')} → {args.output}/", file=sys.stderr)
    elif args.output is None:
        sys.stdout.buffer.write(got.data)
        sys.stdout.flush()
    elif got.passages is not None:  # one row per passage: say what the rows are
        print(
            f"{plural(got.passages, 'passage')} from {plural(got.articles, 'article')} "
            f"→ {args.output}",
            file=sys.stderr,
        )
    elif got.records is not None:  # --coder all: a record per article and coder
        print(
            f"{plural(got.records, 'record')} ({plural(got.articles, 'article')}, one record "
            f"per coder of each) → {args.output}",
            file=sys.stderr,
        )
    else:
        print(f"{plural(got.articles, 'article')} → {args.output}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with workspace(args, "write") as ws:
        use_coder(ws, args)
        rep = exchange.import_file(ws, args.file, args.as_coder, args.merge)
        backup = ws.store.last_backup
    who = "merged" if rep.merged else f"imported as {', '.join(rep.coders) or '-'}:"
    print(
        f"{who} {plural(rep.articles, 'article')}: +{plural(rep.tags_added, 'tag')}, "
        f"{plural(rep.notes_set, 'note')} ({rep.notes_conflicts} kept both), "
        f"+{plural(rep.highlights_added, 'passage')}"
        + (f", +{plural(rep.codes_defined, 'code')} defined" if rep.codes_defined else "")
        + (
            f", {plural(rep.tags_left_out, 'tag')} removed here since that export left out"
            if rep.tags_left_out
            else ""
        )
        + (
            f", {plural(rep.withdrawn, 'coding')} withdrawn in that newer file removed here"
            if rep.withdrawn
            else ""
        )
        + (
            f", {plural(rep.found_again, 'coding')} found again on pages renamed or moved since"
            if rep.found_again
            else ""
        )
        + (f", {len(rep.orphans)} kept as orphans" if rep.orphans else "")
    )
    if rep.codes_left_out:
        print(
            f"left out: {plural(len(rep.codes_left_out), 'code')} renamed or deleted here "
            f"since that export ({', '.join(rep.codes_left_out)}), not defined again",
            file=sys.stderr,
        )
    for s in rep.orphans:
        print(f"orphan: {s}", file=sys.stderr)
    if backup is not None:
        warn(f"the codings as they were before the import are in {backup}")
    for s in rep.skipped or []:
        print(f"skipped: {s}", file=sys.stderr)
    for s in rep.renamed:
        print(f"renamed: {s}", file=sys.stderr)
    return 0
