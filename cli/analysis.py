"""Analysis subcommands: retrieve, cooccur, stats, kwic, autocode, terms.

Thin adapters over ``workspace.analysis`` and ``workspace.kwic``: parse, open the workspace,
call, print.  Choices are checked here rather than by argparse so that a wrong one is the
same single line on stderr (status 2) as every other mistake a user can make.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, Literal, cast

from cli.common import (
    UsageError,
    add_common,
    add_whose,
    out,
    plural,
    print_json,
    stale_notice,
    workspace,
)
from workspace.kwic import Sort, cell_width

FORMATS = ("md", "csv")
SORTS = ("date", "page", "code")
KWIC_SORTS = ("left", "right")
GROUPINGS = ("date", "page")
UNITS = ("match", "sentence", "paragraph")


def register(sub: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    p = sub.add_parser(
        "retrieve",
        help="every coded passage and tagged article of a code or expression",
        description="Every coded passage and tagged article of a code (its children "
        "included) or a tag expression such as '营商环境 and not 党建', across the corpus.",
        epilog='--json prints {"items": [{"kind", "article_id", "start", "end", "quote", '
        '"tags", "note", "date", "file", "title", "coder"}]} (an article item has start/end '
        "null and an empty quote).  With --coder all each item names its coder.",
    )
    add_whose(p)
    p.add_argument("expr", metavar="EXPR", help="a code name or a tag expression")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--format", metavar="md|csv", help="Markdown reading copy or CSV rows")
    p.add_argument("--sort", default="date", metavar="date|page|code", help="default: date")
    p.add_argument("--no-children", action="store_true", help="the code itself only")
    p.add_argument("--width", type=int, default=20, help="context characters each side")

    p = sub.add_parser(
        "cooccur",
        help="code × code matrices: articles carrying both, overlapping passages",
        description="Code × code counts.  articles: articles carrying both codes (as a tag "
        "or on a passage); passages: pairs of overlapping passages of the two codes.  Square, "
        "symmetric; the diagonal is the code's own count.",
        epilog='--json prints {"codes": [names], "articles": [[int]], "passages": [[int]]}.',
    )
    add_whose(p)
    p.add_argument("--json", action="store_true", help="both matrices as one JSON object")
    p.add_argument("--format", metavar="csv", help="one matrix as CSV")
    p.add_argument("--passages", action="store_true", help="show the passages matrix")

    p = sub.add_parser(
        "stats",
        help="code counts over issue dates or newspaper pages",
        description="Per code and issue date: articles carrying the code and its passages "
        "(the undated pages in one row).  --by page: per newspaper page — paper, date and "
        "page number, however many files hold it (a page whose date or number is unknown "
        "is counted alone, under its id).  Codes in codebook order.",
        epilog='--json prints {"by": "date"|"page", "rows": [{"code", "key", "articles", '
        '"passages"}]}: key is the date (null: undated) or the page\'s label; by page, '
        'each row also has "paper", "date" and "page" (its number).',
    )
    add_whose(p)
    p.add_argument("--by", default="date", metavar="date|page", help="default: date")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--format", metavar="csv", help="CSV rows")

    p = sub.add_parser(
        "kwic",
        help="concordance: every occurrence of a term with its context",
        description="Every occurrence of TERM in the corpus (inside longer words too), "
        "with WIDTH characters each side: the headline group (the page's banner, column, "
        "kicker, title, subtitle; marked 版头/栏目/引题/标题/副题) and the article's text, "
        "not image captions. Offsets count into the article's text, or into the headline line.",
        epilog='--json prints {"lines": [{"article_id", "start", "end", "left", "match", '
        '"right", "part"}]}; part is body, banner, column, kicker, title or subtitle; match '
        "is exactly the text of that part at [start, end).",
    )
    add_common(p)
    p.add_argument("term", metavar="TERM", help="a word or phrase, matched as plain text")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--width", type=int, default=20, help="context characters each side")
    p.add_argument("--sort", metavar="left|right", help="by left or right context")
    p.add_argument("--where", default="", metavar="EXPR", help="only articles matching it")
    p.add_argument("--limit", type=int, default=None, help="at most N lines")

    p = sub.add_parser(
        "autocode",
        help="code every occurrence of a term (its sentence or paragraph) with one code",
        description="Code every occurrence of QUERY — the match itself, its sentence or its "
        "paragraph — with CODE.  QUERY is one literal text (no search syntax: quotes, "
        "-exclusions and several words are refused when nothing matches them literally).  "
        "The command line cannot undo it (the reader's u does not reach it): --dry-run says "
        "first how many passages in how many articles it would code.  Only the articles' "
        "text is coded: a passage lies in the text, so the occurrences in headlines (which "
        "kwic lists) are counted and named, not coded — tag those articles instead.",
    )
    add_common(p)
    p.add_argument("query", metavar="QUERY", help="a word or phrase, matched as plain text")
    p.add_argument("code", metavar="CODE", help="the code to give each passage")
    p.add_argument("--unit", required=True, metavar="match|sentence|paragraph")
    p.add_argument("--where", default="", metavar="EXPR", help="only articles matching it")
    p.add_argument("--dry-run", action="store_true", help="preview only: nothing is written")

    p = sub.add_parser(
        "terms",
        help="discovered multi-word terms, people, places, organisations",
        description="The corpus's discovered terms with frequency and kind (term, person, "
        "place, organisation).  `piyue terms reject TERM` removes one for good.",
        epilog='--json prints {"terms": [{"text", "freq", "kind"}]}.',
    )
    add_common(p)
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--limit", type=int, default=100, help="at most N terms (default 100)")
    p.usage = (
        "%(prog)s [-h] [--corpus CORPUS] [--db DB] [--coder CODER] [--json] [--limit LIMIT]"
        " [reject TERM]"
    )
    tsub = p.add_subparsers(dest="terms_cmd", metavar="reject")
    r = tsub.add_parser("reject", help="never propose TERM again")
    add_common(r)
    r.add_argument("term", metavar="TERM")
    return {
        "retrieve": cmd_retrieve,
        "cooccur": cmd_cooccur,
        "stats": cmd_stats,
        "kwic": cmd_kwic,
        "autocode": cmd_autocode,
        "terms": cmd_terms,
    }


# ------------------------------------------------------------------------------- helpers


def choice(value: str | None, allowed: Sequence[str], what: str) -> str | None:
    """``value`` when it is one of ``allowed`` (or not given); else one line, status 2."""
    if value is None or value in allowed:
        return value
    raise UsageError(f"unknown {what} {value!r} (choose {', '.join(allowed)})")


def one_output(args: argparse.Namespace) -> None:
    if args.json and args.format:
        raise UsageError("give --json or --format, not both")


def non_negative(value: int | None, what: str) -> None:
    if value is not None and value < 0:
        raise UsageError(f"{what} must not be negative")


def at_least_one(value: int | None, what: str) -> None:
    """A count of results: 0 would print "no occurrence" of a word that is there."""
    if value is not None and value < 1:
        raise UsageError(f"{what} must be at least 1")


def write_bytes(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def flat(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def fit(text: str, cells: int) -> str:
    """``text`` on one line, cut to at most ``cells`` terminal cells (an ellipsis marks it)."""
    text = flat(text)
    if cell_width(text) <= cells:
        return text
    while text and cell_width(text) > cells - 1:
        text = text[:-1]
    return text + "…"


def pad(text: str, cells: int, right: bool = False) -> str:
    gap = " " * max(0, cells - cell_width(text))
    return gap + text if right else text + gap


def table(rows: list[list[str]], numeric_from: int) -> str:
    """Rows in columns aligned by terminal cells; columns from ``numeric_from`` on right."""
    if not rows:
        return ""
    widths = [max(cell_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join(
        "  ".join(
            pad(c, w, i >= numeric_from) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        + "\n"
        for r in rows
    )


def check_where(ws: Any, where: str) -> str:
    """The ``--where`` expression, its codes and page terms checked (a typo is an error,
    not 0 results)."""
    from workspace.coded import check_where as checked

    return checked(ws.store, where)


# ------------------------------------------------------------------------------ commands


def cmd_retrieve(args: argparse.Namespace) -> int:
    from workspace import analysis as an

    one_output(args)
    fmt = choice(args.format, FORMATS, "format")
    sort = choice(args.sort, SORTS, "sort")
    non_negative(args.width, "--width")
    if not args.expr.strip():
        raise UsageError("the expression is empty (give a code name or a tag expression)")
    with workspace(args, whose=True) as ws:
        store = ws.store
        everyone = store.visible is None  # --coder all: each item says whose it is
        an.compile_expression(store, args.expr)  # an unknown code fails before the corpus loads
        items = an.retrieve(
            ws.coded_corpus(),
            store,
            args.expr,
            children=not args.no_children,
            sort=cast(an.SortBy, sort),
            width=args.width,
        )
    if args.json:
        print_json(an.retrieve_dict(items))
    elif fmt == "csv":
        write_bytes(an.retrieve_csv(items))
    elif fmt == "md":
        write_bytes(an.retrieve_md(items, f"piyue retrieve {args.expr}", everyone))
    else:
        out(retrieve_text(items, args.width, everyone, is_expression(args.expr)))
    return 0


def is_expression(expr: str) -> bool:
    """Whether a retrieve query combines codes (and, or, not, parentheses) rather than
    naming one."""
    import re

    return bool(re.search(r"(?i)(^|[\s(（])(and|or|not)([\s(（]|$)|[()（）]", expr))


def retrieve_text(
    items: Sequence[Any], width: int, coders: bool = False, expression: bool = False
) -> str:
    """One line per item; with ``coders`` (every coder's codings) each line starts with
    whose it is; with ``expression`` (an operator in the query) the item-level rule said."""
    if not items:
        return "nothing coded with that\n"
    from workspace.kwic import Line, aligned

    cells = 2 * width
    ww = max(cell_width(it.date or it.file) for it in items)
    cw = max(cell_width(it.coder) for it in items) if coders else 0
    qw = max(8, min(40, max(cell_width(flat(it.quote)) for it in items)))
    lines = []
    for it in items:
        where = pad(it.date or it.file, ww)
        # the brackets hug the quote; the column's room is after them
        if it.kind == "article":
            body = pad("", cells) + " " + pad("【整篇】", qw + 4) + " " + pad("", cells)
        else:
            left, _, right = aligned(Line(it.article_id, 0, 0, it.left, "", it.right), cells)
            body = f"{left} {pad('【' + fit(it.quote, qw) + '】', qw + 4)} {right}"
        tags = " ".join(f"#{t}" for t in it.tags)
        title = pad(fit(it.title or "(无标题)", 30), 30)
        who = f"{pad(it.coder, cw)}  " if coders else ""
        lines.append(f"{who}{where}  {body}  {title}  {tags}".rstrip() + "\n")
    passages = sum(1 for it in items if it.kind == "passage")
    tagged = plural(len(items) - passages, "tagged article")
    lines.append(f"{plural(passages, 'passage')}, {tagged}\n")
    if expression:  # the difference to --where only shows with an operator
        lines.append(
            "each passage and article tag is judged by its own codes (a passage coded A "
            "but not B is listed even in an article that carries B); export --where and "
            "the reader's filter judge whole articles\n"
        )
    return "".join(lines)


def cmd_cooccur(args: argparse.Namespace) -> int:
    from workspace import analysis as an

    one_output(args)
    fmt = choice(args.format, ("csv",), "format")
    which: Literal["articles", "passages"] = "passages" if args.passages else "articles"
    with workspace(args, whose=True) as ws:
        matrix = an.cooccur(ws.coded_corpus(), ws.store)
    if args.json:
        print_json(matrix)
    elif fmt == "csv":
        write_bytes(an.cooccur_csv(matrix, which))
    elif not matrix["codes"]:
        print("no codes yet")
    else:
        codes: list[str] = matrix["codes"]
        rows = [[which, *codes]]
        rows += [[c, *map(str, r)] for c, r in zip(codes, matrix[which], strict=True)]
        out(table(rows, 1))
        out(
            "passages: pairs of overlapping passages of the two codes\n"
            if which == "passages"
            else "articles: articles carrying both codes (as a tag or on a passage)\n"
        )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from workspace import analysis as an

    one_output(args)
    fmt = choice(args.format, ("csv",), "format")
    by = choice(args.by, GROUPINGS, "grouping") or "date"
    with workspace(args, whose=True) as ws:
        rows = an.stats(ws.coded_corpus(), ws.store, cast(Literal["date", "page"], by))
    if args.json:
        print_json(an.stats_dict(rows, by))
    elif fmt == "csv":
        write_bytes(an.stats_csv(rows, by))
    elif not rows:
        print("nothing coded yet")
    else:
        head = [["code", by, "articles", "passages"]]
        body = [[r.code, r.key or an.UNDATED, str(r.articles), str(r.passages)] for r in rows]
        out(table(head + body, 2))
        out("articles: articles carrying the code (as a tag or on a passage)\n")
    return 0


def cmd_kwic(args: argparse.Namespace) -> int:
    from workspace.kwic import PART_NAMES, aligned, kwic_counted, kwic_dict

    sort = choice(args.sort, KWIC_SORTS, "sort")
    non_negative(args.width, "--width")
    at_least_one(args.limit, "--limit")
    if not args.term.strip():
        raise UsageError("the term is empty")
    with workspace(args) as ws:
        where = check_where(ws, args.where)
        lines, total, articles = kwic_counted(
            ws.library,
            args.term,
            width=args.width,
            sort=cast(Sort, sort),
            where=where or None,
            limit=args.limit,
            store=ws.store,
        )
    if args.json:
        print_json({**kwic_dict(lines), "total": total, "articles": articles})
        return 0
    if not lines:
        hint = ""
        if looks_like_search(args.term):  # 营商* found nothing: say why, not just "none"
            hint = " (kwic takes one literal text: no quotes, -exclusions or * wildcards)"
        print(f"no occurrence of {args.term}{hint}")
        return 0
    idw = max(len(ln.article_id) for ln in lines)
    cells = 2 * args.width
    marks = any(ln.headline for ln in lines)  # a column only when a headline is among them
    text = []
    for ln in lines:
        left, match, right = aligned(ln, cells)
        mark = f"{PART_NAMES.get(ln.part, '    ')} " if marks else ""
        text.append(f"{ln.article_id:<{idw}}  {mark}{left} {match} {right}".rstrip() + "\n")
    out("".join(text))
    more = " — --limit N for more" if total > len(lines) else ""
    shown = f"{len(lines)} of {total}" if total > len(lines) else f"{total}"
    noun = "occurrence" if total == 1 else "occurrences"
    # on stderr: standard output stays one line per occurrence, for sort, uniq and wc
    print(f"{shown} {noun} in {plural(articles, 'article')}{more}", file=sys.stderr)
    return 0


def looks_like_search(query: str) -> bool:
    """Whether a query is written in ``search`` syntax: quoted, with an ``-exclusion`` (－
    as a Chinese input method types it too), a ``*``, or several words."""
    import re

    q = query.strip()
    return bool(re.search(r"[\"“”＂*]|(^|\s)[-－﹣]\S|\s", q))


def cmd_autocode(args: argparse.Namespace) -> int:
    from storage.annotations import clean_tag
    from workspace import analysis as an
    from workspace.autocode import headline_hits

    unit = choice(args.unit, UNITS, "unit")
    if not args.query.strip():
        raise UsageError("the query is empty")
    code = clean_tag(args.code)  # an impossible code name fails before anything is read
    with workspace(args, "read" if args.dry_run else "write") as ws:
        where = check_where(ws, args.where)
        plan = an.plan_autocode(
            ws.corpus(),
            args.query,
            cast(an.Unit, unit),
            where=where or None,
            store=ws.store,
        )
        passages, articles = an.preview(plan)
        heads = headline_hits(ws.corpus(), args.query, where=where or None, store=ws.store)
        if not passages and not heads[0] and looks_like_search(args.query):
            raise UsageError(
                f"no occurrence of the literal text {args.query!r}: autocode takes one literal "
                "term, not search syntax (quotes, -exclusions, several words) — give the "
                "text itself, e.g. piyue autocode 营商环境 CODE"
            )
        if args.dry_run:
            print(
                f"would code {plural(passages, 'passage')} in {plural(articles, 'article')} "
                f"with {code}{headlines_left(heads)}"
            )
            return 0
        done = an.apply_autocode(ws.store, plan, code) if passages else 0
    matched = f"{plural(passages, 'passage')} in {plural(articles, 'article')}"
    if not passages:  # no undo step was made: saying "one undo step" would mislead
        where_else = f" in the articles' text{headlines_left(heads)}" if heads[0] else ""
        out(f"nothing coded: no occurrence of {args.query}{where_else}\n")
    elif not done:
        out(f"nothing coded: the {matched} matched already have {code}\n")
    else:
        out(
            f"coded {plural(done, 'passage')} with {code} ({matched} matched; the command "
            f"line cannot undo it){headlines_left(heads)}\n"
        )
    return 0


def headlines_left(heads: tuple[int, int]) -> str:
    """What autocoding leaves to article tags: the occurrences in headlines."""
    hits, articles = heads
    if not hits:
        return ""
    return (
        f"; not coded: {plural(hits, 'occurrence')} in the headlines of "
        f"{plural(articles, 'article')} (a passage lies in the text: tag those articles)"
    )


def cmd_terms(args: argparse.Namespace) -> int:
    rejecting = getattr(args, "terms_cmd", None) == "reject"
    if rejecting and not args.term.strip():
        raise UsageError("the term is empty")
    at_least_one(args.limit, "--limit")
    with workspace(args) as ws:  # rejected terms live beside the user dictionary
        lib = ws.library
        fn = getattr(lib, "reject_term" if rejecting else "terms", None)
        if not callable(fn):
            raise UsageError("terms are not available yet")
        if rejecting:
            term = args.term.strip()
            known = {t.text for t in lib.terms()}
            fn(term)
            if term in known:
                print(f"rejected {term}: it will not be proposed again")
            else:
                print(f"{term} is not a discovered term; remembered: it will never become one")
            return 0
        terms = list(fn(args.limit))
        stale_notice(ws)
    rows = [{"text": t.text, "freq": t.freq, "kind": t.kind} for t in terms]
    if args.json:
        print_json({"terms": rows})
    elif not rows:
        print("no terms discovered yet (run `piyue index`)")
    else:
        body = [[str(r["freq"]), str(r["kind"]), str(r["text"])] for r in rows]
        out("".join(f"{freq:>7}  {kind:<12}  {text}\n" for freq, kind, text in body))
    return 0
