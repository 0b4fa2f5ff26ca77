"""What every subcommand shares: the corpus/database flags, opening a workspace, output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corpus.clean import scrub
from storage import locations
from workspace.session import Mode, Workspace


class UsageError(Exception):
    """A mistake the user can fix: reported as one line, exit status 2."""


def add_common(p: argparse.ArgumentParser, top: bool = False) -> None:
    """``--corpus`` and ``--db``; on subcommands SUPPRESS keeps a flag given before the
    subcommand from being reset to its default."""
    default = None if top else argparse.SUPPRESS
    p.add_argument("--corpus", type=Path, default=default, help="folder of page files (.txt)")
    p.add_argument("--db", type=Path, default=default, help="annotation database file")


def corpus_root(args: argparse.Namespace) -> Path:
    """The corpus folder, or one page file (``CorpusNotFound`` when nothing is there)."""
    from corpus.load import corpus_target

    root = Path(getattr(args, "corpus", None) or locations.default_corpus()).expanduser()
    corpus_target(root)
    return root


def stale_notice(ws: Workspace) -> None:
    """Say once on stderr that results come from an index that could not be refreshed."""
    note = ws.library.take_index_warning()
    if note:
        sys.stderr.write(f"piyue: {scrub(note)}\n")


def db_path(args: argparse.Namespace) -> Path | None:
    db = getattr(args, "db", None)
    return Path(db).expanduser() if db else None


@contextmanager
def workspace(args: argparse.Namespace, mode: Mode = "read") -> Iterator[Workspace]:
    """The workspace of the command's ``--corpus``/``--db``; closed (journal folded) after."""
    ws = Workspace(corpus_root(args), db_path(args), mode=mode)
    try:
        yield ws
    finally:
        ws.close()


def out(text: str) -> None:
    """Text for a terminal: control characters from the pages made visible."""
    sys.stdout.write(scrub(text))


def print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
