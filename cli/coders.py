"""Coder subcommands: ``piyue coders`` (who coded what) and ``piyue agree`` (inter-coder
agreement); and the ``--coder`` flag every writing command takes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from cli.common import add_common, given_coder, out, print_json, stale_notice, workspace
from workspace.session import Workspace


def use_coder(ws: Workspace, args: argparse.Namespace) -> None:
    """Make ``--coder`` the workspace's current coder (when given)."""
    name = given_coder(args)
    if name is not None:
        ws.store.set_coder(name)


def register(sub: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    p = sub.add_parser(
        "coders",
        help="every coder in the database with what they coded",
        description="Every coder with the articles they annotated, their tags, passages, "
        "notes (on articles and on passages) and articles read — for an adjudicator "
        "(final) the articles they settled, which a settlement marks read; the current "
        "coder (--coder, $PIYUE_CODER, the coder the reader remembered, or your login "
        "name) is marked (you).",
        epilog='--json prints {"coders": [{"name", "articles", "tags", "passages", "notes", '
        '"read", "current"}]}.',
    )
    add_common(p)
    p.add_argument("--json", action="store_true", help="one JSON object")
    p = sub.add_parser(
        "agree",
        help="agreement between two coders: κ, α, character κ, uα per code",
        description="Units are the articles both coders coded (a tag, a passage or read).",
    )
    add_common(p)
    p.add_argument("coder_a", metavar="CODER_A")
    p.add_argument("coder_b", metavar="CODER_B")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--format", choices=("md", "csv"), default="md", help="text output")
    p.add_argument(
        "--code", action="append", default=[], help="repeat: report only these codes, in order"
    )
    return {"coders": cmd_coders, "agree": cmd_agree}


def cmd_coders(args: argparse.Namespace) -> int:
    from workspace.coders import coder_list

    with workspace(args) as ws:
        use_coder(ws, args)
        rows = coder_list(ws)
    if args.json:
        print_json({"coders": [r.as_json() for r in rows]})
        return 0
    from workspace.kwic import cell_width

    width = max(cell_width(r.name) for r in [*rows]) if rows else 5
    width = max(width, 5)

    def name(text: str) -> str:
        return text + " " * (width - cell_width(text))

    out(f"{name('coder')}  articles  tags  passages  notes  read\n")
    for r in rows:
        mark = "  (you)" if r.current else ""
        out(
            f"{name(r.name)}  {r.articles:>8}  {r.tags:>4}  {r.passages:>8}  {r.notes:>5}"
            f"  {r.read:>4}{mark}\n"
        )
    out(
        "articles: every article the coder tagged, noted, coded a passage in or marked "
        "read (Enter on an article in the reader, or m, marks it read; passing over it does not)\n"
    )
    return 0


def cmd_agree(args: argparse.Namespace) -> int:
    from workspace.agreement import to_csv, to_markdown
    from workspace.coders import agree

    with workspace(args) as ws:
        report = agree(ws, args.coder_a, args.coder_b, args.code)
        stale_notice(ws)
    if args.json:
        print_json(report)
    elif args.format == "csv":
        sys.stdout.write(to_csv(report))
    else:
        out(to_markdown(report))
    return 0
