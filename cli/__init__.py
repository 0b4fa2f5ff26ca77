"""The ``piyue`` command line: an adapter over the workspace, beside the reader.

A stable contract (DESIGN.md "Command line"). Errors a user can cause (unknown id, missing
folder, locked or corrupt database) print one clear line on stderr and exit with status 2 —
never a traceback. The command line imports the reader only to launch it.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from cli.common import UsageError, add_common, corpus_root, db_path
from corpus.clean import scrub
from corpus.model import CorpusNotFound
from storage.errors import StoreError

Handler = Callable[[argparse.Namespace], int]


def build_parser(commands: bool = True) -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    """The whole command line and its handlers; without ``commands`` only what opening the
    reader needs (building every subcommand's parser costs start-up time the reader should
    not pay)."""
    parser = argparse.ArgumentParser(
        prog="piyue", description="批阅 — read, tag and export Chinese newspaper pages."
    )
    add_common(parser, top=True)
    parser.set_defaults(cmd=None)
    handlers: dict[str, Handler] = {}
    if commands:
        from cli import analysis, annotate, coders, codes, exchange, reading

        sub = parser.add_subparsers(dest="cmd")
        for module in (reading, annotate, exchange, codes, analysis, coders):
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
    parser, handlers = build_parser(commands=not just_the_reader(argv))
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
