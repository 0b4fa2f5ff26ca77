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
        "added to it.  Prints the article's tags.",
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
    actions = p.add_subparsers(
        dest="orphans_action", metavar="attach", help="attach ORPHAN ARTICLE_ID: see its --help"
    )
    a = actions.add_parser(
        "attach",
        help="move one of your orphans onto an article",
        description="Move one of your orphans onto an article of the corpus, as one change "
        "(undoable in the reader): a passage, by the id `piyue orphans` prints, re-found by "
        "its quote in the article's text (refused when the quote is not there); or an "
        "orphaned article, by its old id: its tags and note go to the article, with its "
        "orphaned passages whose quote the article has (the others stay orphans, named); "
        "or a page's orphaned boundary corrections, by the old page id, onto a page "
        "(ARTICLE_ID is then a page id: a page renamed and edited, so they could not follow it).",
    )
    add_common(a)
    a.add_argument("orphan", metavar="ORPHAN", help="a passage id or an orphaned article id")
    a.add_argument("article_id", metavar="ARTICLE_ID", help=aid_help)
    return {
        "tag": cmd_tag,
        "untag": cmd_untag,
        "note": cmd_note,
        "highlight": cmd_highlight,
        "tags": cmd_tags,
        "orphans": cmd_orphans,
    }


def cmd_tag(args: argparse.Namespace) -> int:
    from workspace.codebook import codes_like

    with workspace(args, "write") as ws:
        known = {t.name for t in ws.store.tag_defs()} | set(ws.store.tag_counts(None))
        n = ws.tag(ws.article(args.article_id), args.tags)
    print(f"{n.article_id}: {' '.join(n.tags)}")
    for t in (t for t in n.tags if t not in known):  # a typo must not pass unseen
        like = codes_like(t, known)
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
    if getattr(args, "orphans_action", None) == "attach":
        return _attach(args)
    with workspace(args) as ws:
        ws.anchor()  # the codings found again in the pages as they are (not a corpus load)
        orphans = ws.store.orphans(corrections=True)  # boundary fixes whose page is gone too
    if args.json:
        print_json({"orphans": orphans})
    elif not orphans:
        print("no orphans")
    else:
        for o in orphans:  # a passage by its id (what `orphans attach` takes), whose, codes
            what = f"«{o['quote']}» {o['id']}" if o["type"] == "highlight" else o.get("title", "")
            codes = "".join(f"  #{t}" for t in o.get("tags") or ())
            who = o.get("coder") or "-"
            out(f"{o['type']:9s} {who}  {o['article_id']}  {what}{codes}\n")
    return 0


def _attach(args: argparse.Namespace) -> int:
    with workspace(args, "write") as ws:
        ws.anchor()
        if ws.orphaned_corrections(args.orphan):
            n = ws.attach_corrections(args.orphan, args.article_id)  # a page's, onto a page
            print(f"{args.orphan} → {args.article_id}: attached {plural(n, 'boundary correction')}")
            for line in ws.take_notices():
                print(line, file=sys.stderr)
            return 0
        done = ws.store.attach_orphan(args.orphan, ws.article(args.article_id))
    moved = (["tags and note"] if done.article else []) + (
        [plural(done.passages, "passage")] if done.passages else []
    )
    print(f"{args.orphan} → {done.article_id}: attached {' and '.join(moved) or 'nothing'}")
    for quote in done.left:
        print(f"  stays an orphan: «{quote}» is not in the article's text", file=sys.stderr)
    return 0
