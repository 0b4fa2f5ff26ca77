"""``piyue codes``: the codebook, and its edits (the command line cannot undo them; the
reader's undo covers only what was done in the reader)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from cli.common import UsageError, add_common, out, plural, print_json, warn, workspace
from workspace import codebook
from workspace.session import Workspace


def register(sub: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    p = sub.add_parser(
        "codes",
        help="the codebook: names, parents, colours, descriptions, counts; and its edits",
        description="Without an edit: the codebook as a tree with counts of articles tagged "
        "and passages coded. Edits: rename OLD NEW · merge SRC DST · move CODE PARENT "
        "('' = top level) · colour CODE #RRGGBB · describe CODE TEXT · delete CODE.",
    )
    add_common(p)
    p.add_argument("--json", action="store_true", help='print {"codes": [...]}')
    p.usage = "%(prog)s [-h] [--corpus CORPUS] [--db DB] [--coder CODER] [--json] [EDIT ...]"
    edits = p.add_subparsers(dest="edit", metavar="EDIT")
    for name, args, help_text in (
        ("rename", ("code", "new"), "rename a code everywhere"),
        ("merge", ("code", "into"), "move every coding of CODE to INTO, then drop CODE"),
        ("move", ("code", "parent"), "put CODE under PARENT ('' = top level)"),
        ("colour", ("code", "colour"), "set CODE's colour (#RRGGBB)"),
        ("describe", ("code", "text"), "set CODE's description"),
        ("delete", ("code",), "remove CODE from the codebook and every coding"),
    ):
        e = edits.add_parser(name, help=help_text)
        add_common(e)
        for a in args:
            e.add_argument(a)
        if name in IRREVERSIBLE:
            e.add_argument(
                "--yes",
                action="store_true",
                help="do it although the code is in use (every coder's codings of it change; "
                "the command line cannot undo it)",
            )
    return {"codes": cmd_codes}


IRREVERSIBLE = ("delete", "merge")
"""Edits the command line cannot take back (the reader's undo lives in the reader): a code
in use is changed only with ``--yes``."""


def check_names(ws: Workspace, args: argparse.Namespace) -> None:
    """The codes a delete or merge names exist (and a merge has two): checked before the
    ``--yes`` question, which is pointless for an edit that would be refused anyway."""
    names = {r.name for r in ws.store.codebook(None)}
    code = " ".join(args.code.split())
    into = " ".join(getattr(args, "into", "").split()) if args.edit == "merge" else None
    for name in (code, into):
        if name is not None and name not in names:
            raise UsageError(f"no code {name!r} in the codebook")
    if into == code:
        raise UsageError(f"cannot merge {code!r} into itself")


def check_confirmed(ws: Workspace, args: argparse.Namespace) -> None:
    """A delete or merge of a code in use needs ``--yes``: it changes every coder's
    codings of it (blind coding hides theirs from you) and no ``u`` brings them back."""
    if args.edit not in IRREVERSIBLE or args.yes:
        return
    check_names(ws, args)
    use = codebook.usage(ws, args.code)
    if not use.articles and not use.passages:
        return
    store = ws.store
    who: dict[str, int] = {}
    for aid in set(use.articles):
        for name, n in store.notes_by_coder(aid, None).items():
            if args.code in n.tags:
                who[name] = who.get(name, 0) + 1
    wanted = set(use.passages)
    for h in store.highlights(None, None):
        if h.id in wanted:
            who[h.coder] = who.get(h.coder, 0) + 1
    coders = ", ".join(f"{k} {v}" for k, v in sorted(who.items()))
    verb = "deleting" if args.edit == "delete" else "merging"
    raise UsageError(
        f"{args.code} codes {plural(len(use.articles), 'article')} and "
        f"{plural(len(use.passages), 'passage')} (codings by coder: {coders}); {verb} it "
        "changes them all and cannot be undone from the command line — add --yes to do it"
    )


def cmd_codes(args: argparse.Namespace) -> int:
    if not getattr(args, "edit", None):
        with workspace(args, yours=True) as ws:
            rows = codebook.rows(ws)
        if args.json:
            print_json({"codes": [r.as_json() for r in rows]})
        elif not rows:
            print("no codes yet (tag an article: piyue tag ID CODE)")
        else:
            out(
                "".join(
                    f"{'  ' * r.depth}{r.name}  {r.colour}  "
                    f"{plural(r.articles, 'tagged article')}, "
                    f"{plural(r.passages, 'passage')}"
                    f"{f'  — {r.description}' if r.description else ''}\n"
                    for r in rows
                )
            )
        return 0
    value = {
        "rename": "new",
        "merge": "into",
        "move": "parent",
        "colour": "colour",
        "describe": "text",
    }.get(args.edit)
    with workspace(args, "write") as ws:
        check_confirmed(ws, args)
        kids = [d.name for d in ws.store.tag_defs() if d.parent == args.code]
        got = codebook.edit(ws, args.edit, args.code, getattr(args, value, "") if value else "")
        backup = ws.store.last_backup
    if args.edit == "delete":
        n_art = len(getattr(got, "articles", ()))
        n_pas = len(getattr(got, "passages", ()))
        out(f"deleted {args.code} ({plural(n_art, 'article')}, {plural(n_pas, 'passage')})\n")
    elif args.edit in ("rename", "merge"):  # name both: which code went into which
        into = getattr(got, "name", args.code)
        out(f"{args.edit}: {args.code} → {into}\n")
        moved = [k for k in kids if k != into]
        if args.edit == "merge" and moved:  # its children now sit under the code it went into
            out(f"moved under {into}: {', '.join(moved)}\n")
    elif args.edit == "move":  # say where it went
        parent = getattr(got, "parent", "")
        out(f"move: {getattr(got, 'name', args.code)} → {parent or '(top level)'}\n")
    else:
        out(f"{args.edit}: {getattr(got, 'name', args.code)}\n")
    if backup is not None and args.edit in ("delete", "merge"):
        warn(f"the codings as they were before are in {backup}")
    return 0
