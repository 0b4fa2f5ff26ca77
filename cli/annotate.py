"""Annotation subcommands: tag, untag, note, highlight, tags, orphans.

Writers wait a moment for the database lock; if another piyue (usually the reader) holds
it, they fail with one line naming that process. Reads never take the lock.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from cli.common import add_common, out, plural, print_json, workspace


def register(sub: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    for name, help_text in (("tag", "add tags to an article"), ("untag", "remove tags")):
        p = sub.add_parser(name, help=help_text)
        add_common(p)
        p.add_argument("article_id")
        p.add_argument("tags", nargs="+")
    p = sub.add_parser("note", help="set the article's note ('-' reads stdin)")
    add_common(p)
    p.add_argument("article_id")
    p.add_argument("text")
    p = sub.add_parser("highlight", help="code a passage (first occurrence of QUOTE)")
    add_common(p)
    p.add_argument("article_id")
    p.add_argument("quote")
    p.add_argument("--tag", action="append", default=[])
    p.add_argument("--note", default="")
    p = sub.add_parser("tags", help="tag vocabulary with counts")
    add_common(p)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("orphans", help="annotations that could not be re-attached")
    add_common(p)
    p.add_argument("--json", action="store_true")
    return {
        "tag": cmd_tag,
        "untag": cmd_untag,
        "note": cmd_note,
        "highlight": cmd_highlight,
        "tags": cmd_tags,
        "orphans": cmd_orphans,
    }


def cmd_tag(args: argparse.Namespace) -> int:
    with workspace(args, "write") as ws:
        n = ws.tag(ws.article(args.article_id), args.tags)
    print(f"{n.article_id}: {' '.join(n.tags)}")
    return 0


def cmd_untag(args: argparse.Namespace) -> int:
    with workspace(args, "write") as ws:
        n = ws.untag(ws.article(args.article_id), args.tags)
    print(f"{n.article_id}: {' '.join(n.tags) or '(no tags)'}")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    # text piped in ends with the newline of its last line (echo, a heredoc): not the note's
    text = sys.stdin.read().removesuffix("\n") if args.text == "-" else args.text
    with workspace(args, "write") as ws:
        ws.set_note(ws.article(args.article_id), text)
    print(f"{args.article_id}: note saved ({plural(len(text), 'character')})")
    return 0


def cmd_highlight(args: argparse.Namespace) -> int:
    with workspace(args, "write") as ws:
        h = ws.code_quote(ws.article(args.article_id), args.quote, args.tag, args.note)
    out(f"{h.id}: {h.article_id} [{h.start}-{h.end}] «{h.quote}» {' '.join(h.tags)}\n")
    return 0


def cmd_tags(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        counts = ws.store.tag_counts()
        defs = {t.name: t for t in ws.store.tag_defs()}
    names = sorted(set(counts) | set(defs), key=lambda t: (-counts.get(t, 0), t))
    if args.json:
        print_json(
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
            }
        )
    elif not names:  # on stdout, like `codes`, `orphans`, `search` when they find nothing
        print("no tags yet (tag an article: piyue tag ID TAG)")
    else:
        out("".join(f"{counts.get(n, 0):6d}  {n}\n" for n in names))
    return 0


def cmd_orphans(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        ws.corpus()
        orphans = ws.store.orphans()
    if args.json:
        print_json({"orphans": orphans})
    elif not orphans:
        print("no orphans")
    else:
        for o in orphans:
            what = f"«{o['quote']}»" if o["type"] == "highlight" else o.get("title", "")
            out(f"{o['type']:9s} {o['article_id']}  {what}\n")
    return 0
