"""The ``piyue`` command line: an adapter over the workspace, beside the reader.

A stable contract (DESIGN.md "Command line"). Errors a user can cause (unknown id, missing
folder, locked or corrupt database) print one clear line on stderr and exit with status 2 —
never a traceback. The command line imports the reader only to launch it.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn

from cli.common import UsageError, add_common, corpus_root, db_path, given_coder
from corpus.where import CorpusNotFound
from storage.errors import StoreError

if TYPE_CHECKING:
    import argparse

Handler = Callable[["argparse.Namespace"], int]


MODULES = {
    "reading": ("index", "list", "search", "show"),
    "annotate": ("highlight", "note", "orphans", "tag", "tags", "untag"),
    "exchange": ("export", "import"),
    "codes": ("codes",),
    "analysis": ("autocode", "cooccur", "kwic", "retrieve", "stats", "terms"),
    "coders": ("agree", "coders"),
}
"""Which module registers which subcommand (a test holds this to what they register): a
command imports its own module only — the others cost a quick ``piyue search`` ~60 ms."""


TOP_FLAGS = ("--corpus", "--db", "--coder")


def split_top(argv: list[str]) -> tuple[dict[str, str], list[str]] | None:
    """The top-level flags given first (name → value) and the rest of ``argv``, read without
    argparse (its import and parsers cost the reader's first frame ~10 ms); None when a flag
    lacks its value (argparse then says so)."""
    flags: dict[str, str] = {}
    i = 0
    while i < len(argv):
        flag, eq, value = argv[i].partition("=")
        if flag not in TOP_FLAGS:
            break
        if not eq:
            if i + 1 >= len(argv):
                return None
            value = argv[i + 1]
            i += 1
        flags[flag.removeprefix("--")] = value
        i += 1
    return flags, argv[i:]


def command_in(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (after the top-level flags), if any."""
    split = split_top(argv)
    rest = split[1] if split is not None else []
    return rest[0] if rest and not rest[0].startswith("-") else None


def just_the_reader(argv: list[str]) -> bool:
    """Only the top-level flags (no subcommand, no help): the reader is being opened."""
    split = split_top(argv)
    return split is not None and not split[1]


def version() -> str:
    """The installed piyue's version (what a bug report should name)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("piyue")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def build_parser(only: str | None = None) -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    """The command line and its handlers; with ``only`` (a known subcommand) just the module
    that has it (the reader, opened with the top-level flags alone, needs none: see
    ``reader_args``)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="piyue", description="批阅 — read, tag and export Chinese newspaper pages."
    )
    add_common(parser, top=True)
    parser.add_argument("--version", action="version", version=f"piyue {version()}")
    parser.set_defaults(cmd=None)
    import importlib

    handlers: dict[str, Handler] = {}
    names = [m for m, cmds in MODULES.items() if only in cmds] or list(MODULES)
    every = ",".join(c for cmds in MODULES.values() for c in cmds)
    sub = parser.add_subparsers(dest="cmd", metavar=f"{{{every}}}")  # all, even if not built
    for module in (importlib.import_module(f"cli.{name}") for name in names):
        handlers.update(module.register(sub))
    return parser, handlers


def reader_args(argv: list[str]) -> Any:
    """The namespace argparse would give the reader's flags; None when ``argv`` is more."""
    split = split_top(argv)
    if split is None or split[1]:
        return None
    flags = split[0]
    paths = {k: flags.get(k) for k in ("corpus", "db")}  # as typed: corpus_root, db_path check
    return SimpleNamespace(**paths, coder=flags.get("coder"), cmd=None)


def open_reader(args: argparse.Namespace) -> int:
    from tui.app import make_app

    root = corpus_root(args)
    coder = given_coder(args)
    gc.disable()  # until the first paint: see PiyueApp.after_first_paint
    try:
        app = make_app(root, db_path(args), coder=coder)
        app.run()
    finally:
        gc.enable()
    if app.fatal:
        fail(app.fatal)
    return int(app.return_code or 0)


def fail(msg: str, code: int = 2) -> NoReturn:
    from corpus.clean import scrub  # here: a clean start-up never needs it

    sys.stderr.write(f"piyue: {scrub(msg)}\n")
    raise SystemExit(code)


def is_exclusion(arg: str) -> bool:
    """``-党建``: a query word to exclude, not an option (options are ``--name``)."""
    return len(arg) > 1 and arg.startswith("-") and not arg.startswith("--")


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = reader_args(argv)
    if args is not None:  # the reader: keys typed while it starts are its keys already
        from cli.terminal import keys_as_the_reader_reads_them

        keys_as_the_reader_reads_them()
    handlers: dict[str, Handler] = {}
    if args is None:
        parser, handlers = build_parser(only=command_in(argv))
        args, extra = parser.parse_known_args(argv)
        if extra and getattr(args, "cmd", None) == "search" and all(is_exclusion(x) for x in extra):
            args.query = [*args.query, *extra]  # `search 营商环境 -党建`: a word excluded
        elif extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        if args.cmd is None:
            return open_reader(args)
        return handlers[args.cmd](args)
    except (UsageError, CorpusNotFound, StoreError) as exc:
        fail(str(exc))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt as exc:
        if str(exc):  # what was interrupted, in one line (an index refresh: kept as it was)
            print(str(exc), file=sys.stderr)
        return 130
    except Exception as exc:  # the machine's errors in one line; anything else is logged
        from storage.errors import last_resort

        fail(last_resort(exc))
