"""Errors the user must be told about (one line, exit status 2 on the CLI).

Kept apart from the modules that raise them so the reader can catch them without importing
TinyDB and the file lock before its first paint.  ``explain`` turns what a user's machine can
throw at a write (a full disk, a read-only mount, a vanished folder, SQLite's versions of
these) into that one line, naming the file and what to do.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path


class StoreError(Exception):
    """A database problem the user must be told about (exit status 2 on the CLI)."""


class CorruptDatabase(StoreError):
    pass


class ReadOnlyDatabase(StoreError):
    pass


class DatabaseLocked(StoreError):
    pass


class NotWritable(DatabaseLocked):
    """The database's folder or file cannot be written: the UI opens it read-only (as it does
    when another piyue holds it), a write command stops with this message."""


class NewerSchema(StoreError):
    pass


class AnnotationError(StoreError):
    """Invalid input to the annotation API (empty tag, unknown id, oversize note…)."""


class DiskError(StoreError, OSError):
    """The machine refused a read or write (full disk, read-only mount, permissions…).

    Also an ``OSError``, so code that already shrugs off OS errors (best-effort state
    saving, the export dialog) keeps doing so; its ``str()`` is the one-line message.
    """

    def __init__(
        self, message: str, path: Path | str | None = None, code: int | None = None
    ) -> None:
        super().__init__(message)
        self.path = Path(path) if path is not None else None
        self.errno = code


class CannotWrite(NotWritable, DiskError):
    """Opening as the writer failed on the disk (no space to back up…): the UI reads it."""


# errno → (what happened, what to do)
_WHAT: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("no space left on device", "free some space"),
    errno.EDQUOT: ("disk quota exceeded", "free some space or ask for a larger quota"),
    errno.EROFS: ("the file system is read-only", "use a writable folder (--db, PIYUE_HOME)"),
    errno.EACCES: ("permission denied", "check the owner and permissions of {folder}"),
    errno.EPERM: ("operation not permitted", "check the owner and permissions of {folder}"),
    errno.ENOENT: (
        "the folder {folder} is gone",
        "reconnect the drive or recreate the folder",
    ),
    errno.EIO: ("input/output error", "the disk may be failing: copy your data elsewhere"),
    errno.EFBIG: ("the file is too large for this file system", "use another folder"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the path"),
    errno.EBUSY: ("it is in use by another program", "try again in a moment"),
}

# SQLite's messages (sqlite3.OperationalError has no errno) → the errno they stand for
_SQLITE: tuple[tuple[str, int], ...] = (
    ("disk is full", errno.ENOSPC),
    ("readonly database", errno.EROFS),
    ("read-only", errno.EROFS),
    ("disk i/o error", errno.EIO),
    ("unable to open database file", errno.EACCES),
    ("database is locked", errno.EBUSY),
)


def os_errno(exc: BaseException) -> int | None:
    """The errno an OS or SQLite error stands for (None when it is something else)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno
    if type(exc).__module__ == "sqlite3":
        text = str(exc).lower()
        for needle, code in _SQLITE:
            if needle in text:
                return code
    return None


def _out_of_space(exc: BaseException, folder: Path) -> bool:
    """A SQLite I/O error that is a full disk: SQLite reports ENOSPC while growing its
    shared-memory or journal file as SQLITE_IOERR_* ("disk I/O error"), which would
    otherwise read as a failing disk.  Judged by the free space left in ``folder``."""
    if type(exc).__module__ != "sqlite3":
        return False
    if getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL":
        return True
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


def is_disk_error(exc: BaseException) -> bool:
    """True for an error the user's machine caused (as opposed to a bug in piyue)."""
    return isinstance(exc, OSError) or os_errno(exc) is not None


def explain(
    exc: BaseException, path: Path | str | None = None, action: str = "write", after: str = ""
) -> str:
    """One line: which file could not be read/written, why, and what to do.

    ``after`` is added at the end ("nothing acknowledged was lost"…).  A ``StoreError`` is
    already such a line and comes back as it is; an exception that is not the machine's
    doing is named as unexpected (the caller logs its traceback, see ``log_unexpected``).
    """
    if isinstance(exc, StoreError):
        return _one_line(str(exc))
    if path is None and isinstance(exc, OSError) and exc.filename:
        path = os.fsdecode(exc.filename)
    where = f" {path}" if path is not None else ""
    folder = Path(path).parent if path is not None else Path(".")
    code = os_errno(exc)
    if code == errno.EIO and path is not None and _out_of_space(exc, folder):
        code = errno.ENOSPC  # SQLite says "disk I/O error" when it cannot grow a file
    if code in _WHAT:
        what, todo = _WHAT[code]
        line = (
            f"cannot {action}{where}: {what.format(folder=folder)} — {todo.format(folder=folder)}"
        )
    elif code is not None or isinstance(exc, OSError):
        reason = (
            (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
        )
        line = f"cannot {action}{where}: {reason}"
    else:
        line = f"unexpected error{' with' + where if where else ''}: {type(exc).__name__}: {exc}"
    if after:
        line += f"; {after}"
    return _one_line(line)


def disk_error(
    exc: BaseException, path: Path | str, action: str = "write", after: str = ""
) -> DiskError:
    """``explain`` as an exception the CLI and the TUI already catch (a ``StoreError``)."""
    return DiskError(explain(exc, path, action, after), path, os_errno(exc))


def log_unexpected(exc: BaseException) -> Path | None:
    """Append the traceback of an unexpected error to ``error_log_path()``; its path, or None
    when even that cannot be written."""
    import datetime
    import traceback

    from storage.locations import error_log_path

    path = error_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.datetime.now().isoformat(timespec='seconds')}\n")
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return path


def last_resort(exc: BaseException, path: Path | str | None = None) -> str:
    """The one line for an exception nothing else caught (the CLI's and the TUI's exit
    handlers): the machine's errors explained; anything else logged with its traceback
    and the line names the log."""
    if isinstance(exc, StoreError) or is_disk_error(exc):
        return explain(exc, path)
    log = log_unexpected(exc)
    where = f"details in {log}" if log else "no log could be written"
    return _one_line(f"{explain(exc, path)} — this is a bug in piyue, please report it; {where}")


def _one_line(text: str) -> str:
    return " ".join(text.split())
