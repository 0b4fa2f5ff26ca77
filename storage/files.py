"""Crash-safe file replacement (the database, exports and the reader's state use it).

A failure (full disk, read-only mount…) leaves the old file as it was, removes the
temporary file and raises ``DiskError``: one line naming the file, also an ``OSError``.
Temporary files are ``0600`` while they are written (they may hold private notes); the
final mode is set just before the rename.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from storage.errors import DiskError, disk_error


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (best effort where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _replace_with(
    path: Path,
    fill: Callable[[BinaryIO], None],
    mode: int,
    after: str,
    before_rename: Callable[[], None] | None = None,
) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise disk_error(exc, path, after=after) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), mode)
        if before_rename is not None:
            before_rename()
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, DiskError):
            raise disk_error(exc, path, after=after) from exc
        raise
    fsync_dir(path.parent)


def atomic_write(path: Path, data: bytes, mode: int = 0o600, after: str = "") -> None:
    """Replace ``path`` with ``data`` so a crash leaves either the old or the new file.

    ``after`` ends the error line (what the failure means for the user's data)."""

    def fill(fh: BinaryIO) -> None:
        fh.write(data)

    _replace_with(path, fill, mode, after)


def durable_copy(
    src: Path,
    dst: Path,
    mode: int = 0o600,
    after: str = "",
    before_rename: Callable[[], None] | None = None,
) -> None:
    """Copy ``src`` to ``dst`` the way ``atomic_write`` writes: all of it or nothing.

    ``before_rename`` runs once the copy is complete and on disk (backup rotation)."""
    try:
        fin = open(src, "rb")  # closed by the with below
    except OSError as exc:
        raise disk_error(exc, src, "read", after) from exc
    with fin:
        _replace_with(
            dst, lambda fh: shutil.copyfileobj(fin, fh, 1024 * 1024), mode, after, before_rename
        )


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is replaced or written: inode, size, modification time."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def unwritable(path: Path) -> str | None:
    """Why the database at ``path`` cannot be changed here (None when it can)."""
    folder = path.parent
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} is {_ro_or_denied(folder)}"
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file is {_ro_or_denied(path)}"
    return None


def _ro_or_denied(path: Path) -> str:
    with contextlib.suppress(OSError):
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "on a read-only file system"
    return "not writable for you"
