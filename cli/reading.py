"""Reading subcommands: list, show, index, search."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

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
from corpus.model import Article, Issue, Kind
from workspace.session import Workspace


def register(sub: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    p = sub.add_parser(
        "list",
        help="issues and their articles",
        description="Every page (issue) of the corpus with its articles' ids and titles.",
    )
    add_common(p)
    p.add_argument("--json", action="store_true", help="one JSON object (issues, skipped files)")

    p = sub.add_parser(
        "show",
        help="one article",
        description="One article: headline, byline, text, keywords and your codings of it "
        "(its tags, note and coded passages; --coder NAME: theirs, --coder all: everyone's).",
        epilog='--json adds "codings": [{"coder", "tags", "note", "read", "passages": '
        '[{"id", "start", "end", "quote", "tags", "note"}]}], one entry per coder who coded '
        "the article (offsets count into text).",
    )
    add_whose(p, anyone=True)
    p.add_argument("article_id", help="an article id, as `piyue list` prints it")
    p.add_argument("--json", action="store_true", help="one JSON object")

    p = sub.add_parser(
        "index",
        help="build/refresh the corpus index",
        description="Build or bring up to date the search index and the discovered terms "
        "(only pages added or changed since are read again).",
    )
    add_common(p)
    p.add_argument(
        "--workers", type=int, default=None, help="processes that parse (default: one per core)"
    )

    p = sub.add_parser(
        "search",
        help="search the corpus",
        description='Ranked articles for a query: words, "a phrase" in quotes, -word to exclude '
        "(－ and “…” as a Chinese input method types them too).  A word matches inside longer "
        "words, so 营商* is 营商; * anywhere else is refused.  Page terms (paper:, date:) "
        "belong to --where of export/kwic and to the reader's filter.",
    )
    add_common(p)
    p.add_argument(
        "query", nargs="*", help='words, "a phrase", -excluded (also unquoted: 营商环境 -党建)'
    )
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--limit", type=int, default=20, help="at most N hits (default 20)")
    return {"list": cmd_list, "show": cmd_show, "index": cmd_index, "search": cmd_search}


def cmd_list(args: argparse.Namespace) -> int:
    from corpus.load import describe_counts, describe_empty
    from corpus.model import EmptyCorpus

    with workspace(args) as ws:
        if args.json:
            # streamed: each page's summary as stored in a fresh index (corrections applied),
            # so a decade of a daily prints without building every article
            ws.codings()  # corrections of a renamed page follow it first (anchoring)
            listing = ws.library.listing()
            pages = iter(listing.pages)
            first = next(pages, None)
            if first is None:
                raise EmptyCorpus(describe_empty(ws.library.root, len(listing.skipped)))
            write = sys.stdout.write
            write('{"issues": [')
            write(first)
            for page in pages:
                write(", ")
                write(page)
            write('], "skipped": ')
            write(json.dumps([skipped_json(s) for s in listing.skipped], ensure_ascii=False))
            write(', "editions": ')
            editions = [
                {"paper": e.paper, "date": e.date, "pages": e.pages} for e in listing.editions
            ]
            write(json.dumps(editions, ensure_ascii=False))
            write("}\n")
            return 0
        corpus = ws.corpus()
        if not corpus.issues:
            raise EmptyCorpus(describe_empty(ws.library.root, len(corpus.skipped)))
        lines: list[str] = []
        for issue in corpus.issues:
            lines.append(
                f"{issue.id}  {issue.date or '—'}  {issue.title}  ({len(issue.articles)} 篇)"
            )
            for a in issue.articles:
                spans = ", ".join(f"{s}-{e}" for s, e in a.spans)
                by = f"  — {a.reporters}" if a.reporters else ""
                lines.append(f"  {a.id}  {a.title or a.label or '(无标题)'}{by}  [行 {spans}]")
        for s in corpus.skipped:
            lines.append(f"skipped: {s.file}: {s.reason}")
        out("\n".join(lines) + "\n")
        print(describe_counts(corpus), file=sys.stderr)
    return 0


def skipped_json(s: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"file": s.file, "reason": s.reason}
    if getattr(s, "line", None) is not None:
        d["line"] = s.line
    return d


def article_json(ws: Workspace, art: Article, issue: Issue) -> dict[str, Any]:
    d = art.summary()
    d.update(
        {
            "issue": issue.id,
            "file": issue.source,
            "date": issue.date,
            "paper": issue.paper,
            "page": issue.page,
            "section": issue.section,
            "credits": dict(issue.credits),
            "furniture": list(issue.furniture),
            "dateline": art.dateline,
            "continuation": art.continuation,
            "section_heads": list(art.section_heads),
            "captions": list(art.captions),
            "paragraphs": [
                {"kind": p.kind.value, "text": p.text, "lines": list(p.lines)}
                for p in art.paragraphs
            ],
            "text": art.text,
            "keywords": [{"word": k.word, "weight": k.weight} for k in ws.library.keywords(art)],
        }
    )
    return d


def codings_json(ws: Workspace, art: Article) -> list[dict[str, Any]]:
    """The article's codings of the coders shown (yours; ``--coder``'s; everyone's), one
    entry per coder who coded it: tags, note, read, and the passages in text order."""
    store = ws.store
    by: dict[str, dict[str, Any]] = {}

    def entry(coder: str) -> dict[str, Any]:
        return by.setdefault(
            coder, {"coder": coder, "tags": [], "note": "", "read": False, "passages": []}
        )

    seen = store.visible
    for coder, n in store.notes_by_coder(art.id, seen).items():
        if n.tags or n.note or n.read:
            entry(coder).update(tags=list(n.tags), note=n.note, read=n.read)
    text = art.text
    for h in sorted(store.highlights(art.id), key=lambda h: (h.start, h.end, h.coder)):
        if h.orphan:
            continue
        quote = text[h.start : h.end] if 0 <= h.start < h.end <= len(text) else h.quote
        entry(h.coder)["passages"].append(
            {
                "id": h.id,
                "start": h.start,
                "end": h.end,
                "quote": quote,
                "tags": list(h.tags),
                "note": h.note,
            }
        )
    return [by[c] for c in sorted(by)]


def codings_text(codings: list[dict[str, Any]], shown: str) -> list[str]:
    """``编码 codings`` lines: per coder, tags, note and passages (``[start–end] «quote»``)."""
    if not codings:
        return [f"编码 codings ({shown}): none"]
    lines: list[str] = []
    for c in codings:
        lines.append(f"编码 codings ({c['coder']}){'  · 已读 read' if c['read'] else ''}")
        if c["tags"]:
            lines.append("  标签 tags: " + " ".join(f"#{t}" for t in c["tags"]))
        if c["note"]:
            lines.append("  笔记 note: " + c["note"].replace("\n", "\n    "))
        for p in c["passages"]:
            quote = p["quote"].replace("\n", " ")
            tail = " ".join(f"#{t}" for t in p["tags"])
            note = f" — {p['note']}".replace("\n", " ") if p["note"] else ""
            lines.append(f"  [{p['start']}–{p['end']}] «{quote}» {tail}{note}".rstrip())
    return lines


def cmd_show(args: argparse.Namespace) -> int:
    with workspace(args, whose=True, anyone=True) as ws:
        art = ws.article(args.article_id)
        issue = ws.page_of(art)
        ws.library.refresh_index()
        stale_notice(ws)
        data = article_json(ws, art, issue)
        data["codings"] = codings_json(ws, art)
        shown = "all" if ws.store.visible is None else ws.store.coder
    if args.json:
        print_json(data)
        return 0
    lines: list[str] = []
    if art.column:
        lines.append(f"【{art.column}】")
    if art.kicker:
        lines.append(art.kicker)
    lines.append(f"# {art.title or art.label or '(无标题)'}")
    if art.subtitle:
        lines.append(art.subtitle)
    meta = [x for x in (art.reporters, issue.date or "", issue.source) if x]
    meta.append("行 " + ", ".join(f"{s}-{e}" for s, e in art.spans))
    lines.append("  ·  ".join(meta))
    lines.append("")
    if art.dateline:
        lines.append(art.dateline)
    for p in art.paragraphs:
        if p.kind is Kind.SECTION:
            lines.append(f"\n## {p.text}")
        elif p.kind is Kind.CAPTION:
            lines.append(f"[图] {p.text}")
        else:
            lines.append(f"  {p.text}")
    lines.append("")
    lines.append("关键词: " + " ".join(k["word"] for k in data["keywords"]))
    lines.append("")
    lines += codings_text(data["codings"], shown)
    out("\n".join(lines) + "\n")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from corpus.load import corpus_target, describe_empty, describe_numbers
    from corpus.model import EmptyCorpus
    from storage.pages import PageView

    with workspace(args) as ws:
        lib = ws.library
        corpus_target(lib.location)  # a missing folder: said before anything is built
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
            disable=not sys.stderr.isatty(),
        ) as bar:
            task = bar.add_task("indexing", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            stats = lib.refresh_index(progress, args.workers, strict=True)
        if stats is None:
            raise UsageError(f"cannot write the index under {lib.cache_dir}")
        # counted from the index just built, as the boundary corrections make the pages
        view = PageView.open(lib)
        if view.is_empty:
            raise EmptyCorpus(describe_empty(lib.root, len(view.skipped)))
        ws.reattach_moved()
    # the pages parsed now or kept, and every file or folder skipped (as `list` counts them):
    # the index's own ``unchanged`` includes the files it skipped before, and its ``skipped``
    # only the files it read this time, not the folders and links the walk passed over
    kept = max(0, len(view.rows) - stats.parsed)
    print(
        f"{plural(len(view.rows), 'page')}, {plural(view.article_count, 'article')}, "
        f"{plural(stats.tokens, 'token')} "
        f"({stats.parsed} parsed, {kept} unchanged, {stats.removed} removed, "
        f"{len(view.skipped)} skipped"
        + (f", {stats.relabelled} relabelled by pages.csv" if stats.relabelled else "")
        + f") in {stats.seconds:.2f} s"
    )
    print(describe_numbers(len(view.rows), view.skipped), file=sys.stderr)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    words = " ".join(args.query).split()
    if not words:
        raise UsageError('search needs a query: words, "a phrase", -excluded')
    from corpus.search import MINUS, query_problem  # the reader's search dialog says the same

    if all(w[:1] in MINUS for w in words):  # －党建 too, as a Chinese input method types it
        raise UsageError("a query needs at least one word to find: -WORD only excludes")

    problem = query_problem(" ".join(args.query))
    if problem:
        raise UsageError(problem)
    with workspace(args) as ws:
        stats = ws.library.refresh_index()  # the pages are not loaded: the index answers
        if stats is None or (stats.stale and not stats.articles):
            # no index could be made (a full disk…): "no hits" would be a wrong answer
            why = ws.library.index_warning or "there is no index"
            raise UsageError(
                f"search is unavailable: the index could not be built ({why}); "
                "`piyue kwic WORD` finds a word without it"
            )
        stale_notice(ws)
        query = " ".join(args.query)
        hits = ws.search(query, args.limit + 1)
        more = len(hits) > args.limit
        total = len(hits)
        if more:  # say how many in all, as the reader does (up to a cap)
            total = len(ws.search(query, COUNT_CAP + 1)) if args.limit < COUNT_CAP else total
            hits = hits[: args.limit]
    if args.json:
        print_json(
            {
                "hits": [
                    {
                        "id": h.article_id,
                        "title": h.title,
                        "issue": h.issue_id,
                        "date": h.date,
                        "score": h.score,
                        "snippet": h.snippet,
                        "matches": [list(s) for s in h.spans],
                    }
                    for h in hits
                ]
            }
        )
        return 0
    if not hits:
        print("no hits")
        return 0
    for h in hits:
        out(f"{h.article_id}  {h.title or '(无标题)'}  [{h.date or h.issue_id}]\n    {h.snippet}\n")
    if more:
        cap = max(COUNT_CAP, args.limit)
        of = f"more than {cap:,}" if total > COUNT_CAP or args.limit >= COUNT_CAP else f"{total:,}"
        out(f"{len(hits)} of {of} hits — --limit N for more\n")
    return 0


COUNT_CAP = 1000
"""How far ``search`` counts the hits beyond --limit (the reader's dialog counts as far)."""
