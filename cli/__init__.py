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
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn

from cli.common import UsageError, add_common, corpus_root, db_path
from corpus.clean import scrub
from corpus.model import CorpusNotFound
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


def command_in(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (after the top-level flags), if any."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--corpus", "--db", "--coder"):
            i += 2
        elif a.startswith(("--corpus=", "--db=", "--coder=")):
            i += 1
        elif a.startswith("-"):
            return None
        else:
            return a
    return None


def build_parser(
    commands: bool = True, only: str | None = None
) -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    """The whole command line and its handlers; without ``commands`` only what opening the
    reader needs (building every subcommand's parser costs start-up time the reader should
    not pay); with ``only`` (a known subcommand) just the module that has it."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="piyue", description="批阅 — read, tag and export Chinese newspaper pages."
    )
    add_common(parser, top=True)
    parser.set_defaults(cmd=None)
    handlers: dict[str, Handler] = {}
    if commands:
        import importlib

        names = [m for m, cmds in MODULES.items() if only in cmds] or list(MODULES)
        sub = parser.add_subparsers(dest="cmd")
        for module in (importlib.import_module(f"cli.{name}") for name in names):
            handlers.update(module.register(sub))
    return parser, handlers


def just_the_reader(argv: list[str]) -> bool:
    """Only ``--corpus``/``--db`` (no subcommand, no help): the reader is being opened."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--corpus", "--db", "--coder"):
            i += 2
        elif a.startswith(("--corpus=", "--db=", "--coder=")):
            i += 1
        else:
            return False
    return True


def reader_args(argv: list[str]) -> Any:
    """The flags of ``just_the_reader`` read without argparse (whose import and parser cost
    the first frame ~10 ms); None when one lacks its value (argparse then says so)."""
    got: dict[str, Any] = {"corpus": None, "db": None, "coder": None, "cmd": None}
    i = 0
    while i < len(argv):
        flag, eq, value = argv[i].partition("=")
        if not eq:
            if i + 1 >= len(argv):
                return None
            value = argv[i + 1]
            i += 1
        i += 1
        name = flag.removeprefix("--")
        got[name] = value if name == "coder" else Path(value)
    return SimpleNamespace(**got)


def open_reader(args: argparse.Namespace) -> int:
    from tui.app import make_app

    root = corpus_root(args)
    gc.disable()  # until the first paint: see PiyueApp.after_first_paint
    try:
        app = make_app(root, db_path(args), coder=getattr(args, "coder", None))
        app.run()
    finally:
        gc.enable()
    if app.fatal:
        fail(app.fatal)
    return int(app.return_code or 0)


def fail(msg: str, code: int = 2) -> NoReturn:
    sys.stderr.write(f"piyue: {scrub(msg)}\n")
    raise SystemExit(code)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    argv = list(sys.argv[1:] if argv is None else argv)
    reader = just_the_reader(argv)
    args = reader_args(argv) if reader else None
    handlers: dict[str, Handler] = {}
    if args is None:
        parser, handlers = build_parser(commands=not reader, only=command_in(argv))
        args = parser.parse_args(argv)
    try:
        if args.cmd is None:
            return open_reader(args)
        return handlers[args.cmd](args)
    except (UsageError, CorpusNotFound, StoreError) as exc:
        fail(str(exc))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the machine's errors in one line; anything else is logged
        from storage.errors import last_resort

        fail(last_resort(exc))
