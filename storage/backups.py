"""Backups of the annotations database that outlive a working session.

Three kinds, all ``0600`` beside the database and written whole (a crash leaves the old one):

* ``FILE.bak.1..3`` — the state before each of the last three writing sessions (every
  command is one), rotated: they say what the last commands did, not what a day held;
* ``FILE.daily-YYYY-MM-DD.bak`` — the first state of each day a session wrote, the last
  ``DAILY_KEEP`` days kept, so routine commands after a mistake never rotate it away;
* ``FILE.before-WHAT-YYYY-MM-DDTHH-MM-SS[-N].bak`` — the state just before a change the
  command line cannot undo (deleting or merging a code, an import), the last ``BEFORE_KEEP``;
  ``-2``, ``-3``… when several are made in one second (a script importing in a loop).

A temp file of ours left by a killed write (``.FILE….XXXXXXXX.tmp``) is removed the next
time a session opens the database as the writer; other programs' files are never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from storage.files import atomic_write, durable_copy

BACKUPS = 3
DAILY_KEEP = 7
BEFORE_KEEP = 10
MODE = 0o600


def rotating_path(path: Path, k: int) -> Path:
    return path.with_name(f"{path.name}.bak.{k}")


def rotate(path: Path) -> None:
    """Copy the database to ``.bak.1`` (older ones move up to ``.bak.3``).  The copy is
    complete and on disk before any backup is renamed: a failure leaves them all as they
    were and raises ``DiskError``."""

    def shift() -> None:
        for k in range(BACKUPS, 1, -1):
            older = rotating_path(path, k - 1)
            if older.exists():
                with contextlib.suppress(OSError):
                    os.chmod(older, MODE)  # one made by an older piyue may be 0644
                os.replace(older, rotating_path(path, k))

    durable_copy(
        path,
        rotating_path(path, 1),
        MODE,
        after="the backups were left as they were and nothing was changed",
        before_rename=shift,
    )


def daily_path(path: Path, day: str) -> Path:
    return path.with_name(f"{path.name}.daily-{day}.bak")


def daily(path: Path, now: float | None = None) -> Path | None:
    """Keep today's first state of the database (once a day), pruning old days."""
    day = time.strftime("%Y-%m-%d", time.localtime(now))
    target = daily_path(path, day)
    if target.exists():
        return None
    durable_copy(path, target, MODE, after="nothing was changed")
    _prune(path, "daily-", DAILY_KEEP)
    return target


def _safe_label(what: str) -> str:
    keep = "".join(c if c.isalnum() else "_" for c in what)
    return keep[:24].strip("_") or "change"


def before(path: Path, tables: dict[str, Any], what: str, now: float | None = None) -> Path:
    """Write the current state (``tables``: what is in memory, journal included) to a
    ``before-`` backup named after the change, and return its path."""
    stamp = time.strftime("%Y-%m-%dT%H-%M-%S", time.localtime(now))
    base = f"{path.name}.before-{_safe_label(what)}-{stamp}"
    target = path.with_name(f"{base}.bak")
    n = 1
    while target.exists():  # five imports in one second: each keeps its own state
        n += 1
        target = path.with_name(f"{base}-{n}.bak")
    data = json.dumps(tables, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    atomic_write(target, data, MODE, after="nothing was changed")
    _prune(path, "before-", BEFORE_KEEP)
    return target


def _stamp_of(name: str) -> tuple[str, int]:
    """When a backup was made: its stamp, then its number within the second (``-2``…)."""
    m = re.search(r"(\d{4}-\d{2}-\d{2}(?:T\d{2}-\d{2}-\d{2})?)(?:-(\d+))?\.bak$", name)
    return (m.group(1), int(m.group(2) or 1)) if m else ("", 0)


def kept(path: Path, kind: str) -> list[Path]:
    """The backups of one kind (``daily-`` or ``before-``), oldest first."""
    prefix = f"{path.name}.{kind}"
    try:
        names = [p for p in path.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return []
    return sorted((p for p in names if p.name.endswith(".bak")), key=lambda p: _stamp_of(p.name))


def _prune(path: Path, kind: str, keep: int) -> None:
    for old in kept(path, kind)[:-keep]:
        with contextlib.suppress(OSError):
            old.unlink()


def stale_temp_pattern(path: Path) -> re.Pattern[str]:
    """Our temp files for this database or its backups: ``.NAME[.SUFFIX].XXXXXXXX.tmp``,
    as ``storage.files`` names them (``tempfile.mkstemp``'s eight characters)."""
    return re.compile(rf"\.{re.escape(path.name)}(?:\.[^/]+)?\.[a-z0-9_]{{8}}\.tmp")


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove temp files a killed write of this database left (call only as the writer:
    no other process writes them then)."""
    pattern = stale_temp_pattern(path)
    gone: list[Path] = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return gone
    for p in entries:
        if pattern.fullmatch(p.name) and p.is_file() and not p.is_symlink():
            with contextlib.suppress(OSError):
                p.unlink()
                gone.append(p)
    return gone
