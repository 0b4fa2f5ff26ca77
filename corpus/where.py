"""Where a corpus is: a folder or one page file, or an error that says so.  Light to import:
the command line checks the corpus before the reader's first frame."""

from __future__ import annotations

from pathlib import Path


class CorpusNotFound(Exception):
    """The corpus folder does not exist or is not a folder."""


def corpus_target(location: Path | str) -> tuple[Path, Path | None]:
    """(root folder, the one page file or None) for a folder or a single file.

    Raises CorpusNotFound when nothing exists there."""
    where = Path(location).expanduser()
    if where.is_dir():
        return where, None
    if where.is_file():
        return where.parent, where
    raise CorpusNotFound(f"corpus folder not found: {where}")


class EmptyCorpus(CorpusNotFound):
    """The corpus exists but holds no page: the CLI prints the message and exits with 2."""
