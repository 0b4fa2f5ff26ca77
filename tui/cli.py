"""The ``piyue`` command line (a stable contract: see DESIGN.md "Command line").

Errors a user can cause (unknown id, missing folder, locked or corrupt database) print one
clear line on stderr and exit with status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from corpus.clean import scrub
from corpus.model import Article, CorpusNotFound, Issue, Kind
from storage import locations
from storage.errors import StoreError

if TYPE_CHECKING:
    from storage.library import Library


class UsageError(Exception):
    """A mistake the user can fix: reported as one line, exit status 2."""


def _common(p: argparse.ArgumentParser, top: bool = False) -> None:
    # On subcommands SUPPRESS keeps a flag given before the subcommand from being reset.
    default = None if top else argparse.SUPPRESS
    p.add_argument("--corpus", type=Path, default=default, help="folder of page files (.txt)")
    p.add_argument("--db", type=Path, default=default, help="annotation database file")


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line; without ``commands`` only what opening the reader needs
    (building every subcommand's parser costs start-up time the reader should not pay)."""
    parser = argparse.ArgumentParser(
        prog="piyue", description="批阅 — read, tag and export Chinese newspaper pages."
    )
    _common(parser, top=True)
    if not commands:
        parser.set_defaults(cmd=None)
        return parser
    sub = parser.add_subparsers(dest="cmd")

    p = sub.add_parser("list", help="issues and their articles")
    _common(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", help="one article")
    _common(p)
    p.add_argument("article_id")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("index", help="build/refresh the corpus index")
    _common(p)
    p.add_argument("--workers", type=int, default=None)

    p = sub.add_parser("search", help="search the corpus")
    _common(p)
    p.add_argument("query", nargs="+")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=20)

    _register_annotation_commands(sub)
    return parser


def _register_annotation_commands(sub: Any) -> None:
    try:
        from tui import cli_annotate
    except ImportError:  # pragma: no cover - during bootstrap only
        return
    cli_annotate.register(sub, _common)


def corpus_root(args: argparse.Namespace) -> Path:
    root = args.corpus or locations.default_corpus()
    root = Path(root).expanduser()
    if not root.is_dir():
        raise UsageError(f"corpus folder not found: {root}")
    return root


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db).expanduser() if args.db else locations.default_db()


def library(args: argparse.Namespace) -> Library:
    from storage.library import Library

    return Library(corpus_root(args))


def _out(text: str) -> None:
    sys.stdout.write(text)


def _json(obj: object) -> None:
    _out(json.dumps(obj, ensure_ascii=False, indent=None) + "\n")


def cmd_list(args: argparse.Namespace) -> int:
    lib = library(args)
    corpus = lib.load()
    if args.json:
        _json(
            {
                "issues": [i.summary() for i in corpus.issues],
                "skipped": [{"file": s.file, "reason": s.reason} for s in corpus.skipped],
            }
        )
        return 0
    lines: list[str] = []
    for issue in corpus.issues:
        lines.append(f"{issue.id}  {issue.date or '—'}  {issue.title}  ({len(issue.articles)} 篇)")
        for a in issue.articles:
            spans = ", ".join(f"{s}-{e}" for s, e in a.spans)
            by = f"  — {a.reporters}" if a.reporters else ""
            lines.append(f"  {a.id}  {a.title or '(无标题)'}{by}  [行 {spans}]")
    for s in corpus.skipped:
        lines.append(f"skipped: {s.file}: {s.reason}")
    _out(scrub("\n".join(lines)) + "\n")
    return 0


def _article_or_fail(lib: Library, article_id: str) -> Article:
    art = lib.article(article_id)
    if art is None:
        raise UsageError(f"no article with id {article_id!r} (see `piyue list`)")
    return art


def article_json(lib: Library, art: Article, issue: Issue) -> dict[str, Any]:
    d = art.summary()
    d.update(
        {
            "issue": issue.id,
            "file": issue.source,
            "date": issue.date,
            "dateline": art.dateline,
            "continuation": art.continuation,
            "section_heads": list(art.section_heads),
            "captions": list(art.captions),
            "paragraphs": [
                {"kind": p.kind.value, "text": p.text, "lines": list(p.lines)}
                for p in art.paragraphs
            ],
            "text": art.text,
            "keywords": [{"word": k.word, "weight": k.weight} for k in lib.keywords(art)],
        }
    )
    return d


def cmd_show(args: argparse.Namespace) -> int:
    lib = library(args)
    art = _article_or_fail(lib, args.article_id)
    issue = lib.load().issue_of(art)
    lib.refresh_index()
    data = article_json(lib, art, issue)
    if args.json:
        _json(data)
        return 0
    out: list[str] = []
    if art.column:
        out.append(f"【{art.column}】")
    if art.kicker:
        out.append(art.kicker)
    out.append(f"# {art.title or '(无标题)'}")
    if art.subtitle:
        out.append(art.subtitle)
    meta = [x for x in (art.reporters, issue.date or "", issue.source) if x]
    meta.append("行 " + ", ".join(f"{s}-{e}" for s, e in art.spans))
    out.append("  ·  ".join(meta))
    out.append("")
    if art.dateline:
        out.append(art.dateline)
    for p in art.paragraphs:
        if p.kind is Kind.SECTION:
            out.append(f"\n## {p.text}")
        elif p.kind is Kind.CAPTION:
            out.append(f"[图] {p.text}")
        else:
            out.append(f"  {p.text}")
    out.append("")
    out.append("关键词: " + " ".join(k["word"] for k in data["keywords"]))
    _out(scrub("\n".join(out)) + "\n")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    lib = library(args)
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

        stats = lib.refresh_index(progress, args.workers)
    if stats is None:
        raise UsageError(f"cannot write the index under {lib.cache_dir}")
    print(
        f"{stats.pages} pages, {stats.articles} articles, {stats.tokens} tokens "
        f"({stats.parsed} parsed, {stats.unchanged} unchanged, {stats.removed} removed, "
        f"{stats.skipped} skipped) in {stats.seconds:.2f} s"
    )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    lib = library(args)
    lib.refresh_index()
    hits = lib.search(" ".join(args.query), args.limit)
    if args.json:
        _json(
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
        print(
            scrub(
                f"{h.article_id}  {h.title or '(无标题)'}  [{h.date or h.issue_id}]\n"
                f"    {h.snippet}"
            )
        )
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    from tui.app import make_app

    root = corpus_root(args)
    gc.disable()  # until the first paint: see PiyueApp.after_first_paint
    try:
        app = make_app(root, Path(args.db).expanduser() if args.db else None)
        app.run()
    finally:
        gc.enable()
    if app.fatal:
        fail(app.fatal)
    return int(app.return_code or 0)


COMMANDS = {"list": cmd_list, "show": cmd_show, "index": cmd_index, "search": cmd_search}


def _just_the_reader(argv: list[str]) -> bool:
    """Only ``--corpus``/``--db`` (no subcommand, no help): the reader is being opened."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--corpus", "--db"):
            i += 2
        elif a.startswith(("--corpus=", "--db=")):
            i += 1
        else:
            return False
    return True


def fail(msg: str, code: int = 2) -> NoReturn:
    sys.stderr.write(f"piyue: {scrub(msg)}\n")
    raise SystemExit(code)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(commands=not _just_the_reader(argv)).parse_args(argv)
    try:
        if args.cmd is None:
            return cmd_tui(args)
        handler = COMMANDS.get(args.cmd)
        if handler is not None:
            return handler(args)
        from tui import cli_annotate

        return cli_annotate.COMMANDS[args.cmd](args)
    except UsageError as exc:
        fail(str(exc))
    except CorpusNotFound as exc:
        fail(str(exc))
    except StoreError as exc:  # database, annotation and export problems the user can fix
        fail(str(exc))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
