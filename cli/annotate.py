"""Annotation subcommands: tag, untag, note, highlight, tags, orphans.

Writers wait a moment for the database lock; if another piyue (usually the reader) holds
it, they fail with one line naming that process. Reads never take the lock.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from cli.common import add_common, add_whose, out, plural, print_json, warn, workspace


def register(sub: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    aid_help = "an article id, as `piyue list` prints it"
    p = sub.add_parser(
        "tag",
        help="add tags (codes) to an article",
        description="Tag an article with one or more codes; a code new to the codebook is "
        "added to it.  Prints the article's tags.  One undo step in the reader.",
    )
    add_common(p)
    p.add_argument("article_id", metavar="ARTICLE_ID", help=aid_help)
    p.add_argument("tags", nargs="+", metavar="TAG", help="a code (quote one with spaces)")
    p = sub.add_parser(
        "untag",
        help="remove tags from an article",
        description="Remove one or more of your tags from an article (the codebook keeps "
        "the codes; `piyue codes delete` removes one everywhere).  Prints the tags left.",
    )
    add_common(p)
    p.add_argument("article_id", metavar="ARTICLE_ID", help=aid_help)
    p.add_argument("tags", nargs="+", metavar="TAG", help="a tag of the article")
    p = sub.add_parser(
        "note",
        help="set the article's note ('-' reads stdin)",
        description="Set (replace) your note on an article; an empty TEXT clears it.  With "
        "'-' the note is read from standard input, without the newline that ends it.",
    )
    add_common(p)
    p.add_argument("article_id", metavar="ARTICLE_ID", help=aid_help)
    p.add_argument("text", metavar="TEXT", help="the note, or '-' for standard input")
    p = sub.add_parser(
        "highlight",
        help="code a passage (first occurrence of QUOTE)",
        description="Code the first occurrence of QUOTE in the article as a passage, with "
        "codes and a note.  Coding the same span again adds to the passage already there.  "
        "Prints the passage's id, offsets and codes.",
    )
    add_common(p)
    p.add_argument("article_id", metavar="ARTICLE_ID", help=aid_help)
    p.add_argument("quote", metavar="QUOTE", help="text of the article, exactly as it is there")
    p.add_argument(
        "--tag", action="append", default=[], metavar="T", help="repeat: a code for the passage"
    )
    p.add_argument("--note", default="", metavar="N", help="a note on the passage")
    p = sub.add_parser(
        "tags",
        help="tag vocabulary with counts",
        description="Every code with how many articles and passages carry it (your codings; "
        "--coder NAME: theirs, --coder all: everyone's), most used first.",
        epilog='--json prints {"tags": [{"name", "count", "colour", "description"}]}.',
    )
    add_whose(p)
    p.add_argument("--json", action="store_true", help="one JSON object")
    p = sub.add_parser(
        "orphans",
        help="annotations that could not be re-attached",
        description="Tags, notes and passages whose article is gone after the pages were "
        "re-parsed and that could not be re-attached by title or quote; they are kept, "
        "never dropped.  Reads without the writer lock.",
        epilog='--json prints {"orphans": [{"type", "article_id", ...}]}.',
    )
    add_common(p)
    p.add_argument("--json", action="store_true", help="one JSON object")
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
        known = {t.name for t in ws.store.tag_defs()} | set(ws.store.tag_counts(None))
        n = ws.tag(ws.article(args.article_id), args.tags)
    print(f"{n.article_id}: {' '.join(n.tags)}")
    for t in (t for t in n.tags if t not in known):  # a typo must not pass unseen
        like = sorted(k for k in known if t in k or k in t)
        warn(f"new code {t}" + (f" (codes like it: {', '.join(like)})" if like else ""))
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
    with workspace(args, whose=True) as ws:
        counts = ws.codings().tag_counts()
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
        ws.anchor()  # the codings found again in the pages as they are (not a corpus load)
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
