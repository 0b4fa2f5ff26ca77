"""What every subcommand shares: the corpus/database flags, opening a workspace, output."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.where import corpus_target
from storage import locations
from storage.errors import DiskError
from workspace.session import Mode, Workspace

if TYPE_CHECKING:  # argparse is left unimported when only the reader is opened
    import argparse


class UsageError(Exception):
    """A mistake the user can fix: reported as one line, exit status 2."""


def add_common(p: argparse.ArgumentParser, top: bool = False, coder: bool = True) -> None:
    """``--corpus``, ``--db`` and ``--coder``; on subcommands SUPPRESS keeps a flag given
    before the subcommand from being reset to its default."""
    from argparse import SUPPRESS

    default = None if top else SUPPRESS
    p.add_argument("--corpus", default=default, help="folder of pages (.txt, .md) or one page")
    p.add_argument("--db", default=default, help="annotation database file")
    if coder:
        p.add_argument(
            "--coder",
            default=default,
            help="who codes: every coding records its coder (default: $PIYUE_CODER, else "
            "the coder the reader remembered, else your login name; an empty name is refused)",
        )


def add_whose(p: argparse.ArgumentParser, anyone: bool = False) -> None:
    """``--corpus``, ``--db`` and a ``--coder`` that says whose codings a read shows
    (``anyone``: a name with no codings is not refused — see ``workspace``)."""
    from argparse import SUPPRESS

    add_common(p, coder=False)
    p.add_argument(
        "--coder",
        default=SUPPRESS,  # `piyue --coder X retrieve` means the same
        help="whose codings: a coder's name or 'all' (default: yours)"
        + ("" if anyone else "; a name with no codings here is refused, naming the coders"),
    )


def corpus_root(args: argparse.Namespace) -> Path:
    """The corpus folder, or one page file (``CorpusNotFound`` when nothing is there).  An
    empty ``--corpus ""`` is refused, like ``--coder ""``: in a script it is usually an unset
    variable, and reading the current folder instead would take any text there for pages."""
    given = getattr(args, "corpus", None)
    if given is not None and not str(given).strip():
        raise UsageError(
            "--corpus is empty: give a folder of pages or one page file, or leave the flag "
            "out for the default ($PIYUE_CORPUS, else the bundled sample pages)"
        )
    root = Path(given or locations.default_corpus()).expanduser()
    corpus_target(root)
    return root


def stale_notice(ws: Workspace) -> None:
    """Say once on stderr that results come from an index that could not be refreshed."""
    note = ws.library.take_index_warning()
    if note:
        warn(note)


def given_coder(args: argparse.Namespace) -> str | None:
    """``--coder`` as given, None when left out (``workspace.session.chosen_coder`` decides
    the default).  ``--coder ""`` and ``--coder "  "`` are both refused: in a script they are
    usually an unset variable, and coding under a default name would be the wrong name."""
    name = getattr(args, "coder", None)
    if not isinstance(name, str):
        return None
    if not name.strip():
        raise UsageError(
            "--coder is empty: give a name, or leave the flag out for the default "
            "($PIYUE_CODER, the coder the reader remembered, your login name)"
        )
    return name


def db_path(args: argparse.Namespace) -> Path | None:
    """``--db`` (else ``PIYUE_DB``) as given, None for the default database.  A database
    named by hand must be in a folder that exists: a typo in the path would otherwise
    start an empty project somewhere else, its folders made without a word."""
    import os

    db = getattr(args, "db", None)
    if db is not None and not str(db).strip():
        raise UsageError(
            "--db is empty: give the database file, or leave the flag out for the default "
            "database ($PIYUE_DB, else piyue's own)"
        )
    flag = "--db" if db else "PIYUE_DB"
    db = db or os.environ.get("PIYUE_DB")
    if not db:
        return None
    path = Path(db).expanduser()
    folder = path.absolute().parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(
            f"{flag} {path}: the folder {folder} {what} — check the path, or create the "
            "folder first for a new database"
        )
    if path.is_dir():
        raise UsageError(f"{flag} {path} is a folder: give the database file inside it")
    return path


@contextmanager
def workspace(
    args: argparse.Namespace,
    mode: Mode = "read",
    own_coder: bool = True,
    whose: bool = False,
    anyone: bool = False,
    yours: bool = False,
) -> Iterator[Workspace]:
    """The workspace of the command's ``--corpus``/``--db``; closed (journal folded) after.

    ``whose``: the command reads codings, and ``--coder`` says whose — ``all`` for every
    coder's (the store revealed), a name for that coder's, refused when they coded nothing
    here (``UnknownCoder``, naming the coders there are), as ``export`` and ``agree`` do —
    unless ``anyone`` (``show``: an article is shown to a coder who has not begun).

    ``whose`` or ``yours`` (``codes``, ``export``: your codings by default): without
    ``--coder``, when you coded nothing here and others did, one line on stderr says whose
    codings there are — the one place every such read says it.

    Folding the journal into the file can fail on a full disk after the command's changes
    were made durable in the journal: they are saved (DESIGN.md: durable before the UI says
    so), so the command succeeds — status 0, its usual output — and the failure is one
    warning line on stderr.  A script must not retry or give up on a change that was made."""
    coder = given_coder(args) if own_coder else None
    everyone = whose and coder is not None and coder.strip().lower() == "all"  # ALL, unimported
    db = db_path(args)
    new = db is not None and not db.exists()
    ws = Workspace(corpus_root(args), db, mode=mode, coder=None if everyone else coder)
    try:
        if everyone:
            ws.store.reveal(True)
        elif whose and coder is not None and not anyone:
            from workspace.coders import require_codings

            require_codings(ws.store, coder)
        if (whose or yours) and given_coder(args) is None:
            from workspace.coders import others_only

            hint = others_only(ws.store)
            if hint:
                warn(hint)
        yield ws
    except BaseException:
        with suppress(DiskError):  # the command's own error is the one to report
            ws.close()
        for note in ws.take_notices():
            warn(note)
        raise
    try:
        ws.close()
    except DiskError as exc:  # only the fold can fail here: the journal holds every change
        warn(str(exc))
    for note in ws.take_notices():  # recovered after an unclean exit, codings re-attached
        warn(note)
    if new and db is not None and db.exists():  # said once, by the command that made it
        warn(f"new database created at {db}")


def warn(msg: str) -> None:
    """One line on stderr that does not change the exit status."""
    from corpus.clean import scrub

    sys.stderr.write(f"piyue: {scrub(msg)}\n")


def plural(n: int, word: str) -> str:
    """``1 article``, ``2 articles``: counts in messages read as English."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def out(text: str) -> None:
    """Text for a terminal: control characters from the pages made visible."""
    from corpus.clean import scrub  # here: the reader's start-up does not need it

    sys.stdout.write(scrub(text))


def print_json(obj: object) -> None:
    import json

    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
