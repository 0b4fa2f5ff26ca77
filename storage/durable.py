"""A crash-safe, fast TinyDB storage: in-memory tables + an fsync'd journal + atomic compaction.

TinyDB's JSON storage rewrites the whole file on every change (cost grows with the database)
and a crash mid-write leaves a truncated file.  Here:

* the database lives in memory; the JSON file (``ensure_ascii=False``, readable, diffable)
  is only ever replaced whole: written to a temp file, fsync'd, renamed, directory fsync'd;
* each change appends the changed documents to ``<db>.journal`` and fsyncs before the call
  returns — durable, and its cost depends on the change, not on the database size;
* on open the journal is replayed (a torn last line, or a batch cut short, was never
  acknowledged and is ignored); it is compacted into the JSON file when it grows and on close;
* one writer at a time (``filelock``): a second process opens read-only, and so does a
  database whose folder or file cannot be written (``NotWritable``, a ``DatabaseLocked``);
* a corrupt file is never overwritten: ``CorruptDatabase`` and the file stays byte-identical;
* backups (``storage.backups``: rotating, daily, before a destructive change) are replaced
  only once a complete new copy is on disk, so a full disk never destroys one;
* every OS error of a write becomes a one-line ``DiskError`` naming the file (a
  ``StoreError``); a change whose journal append failed is rolled back in memory and the
  journal cut back, so nothing unacknowledged is kept and nothing acknowledged is lost.
  Every file written next to the database is ``0600``.

``FastTable`` replaces TinyDB's whole-table rebuild on each update with a view that records
which documents an update touched, so only those go to the journal.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from storage import backups
from storage.errors import (
    CannotWrite,
    CorruptDatabase,
    DatabaseLocked,
    DiskError,
    NotWritable,
    ReadOnlyDatabase,
    StoreError,
    disk_error,
)
from storage.files import atomic_write, durable_copy, file_stamp, fsync_dir, unwritable

COMPACT_OPS = 5000
COMPACT_BYTES = 8 * 1024 * 1024
BACKUPS = backups.BACKUPS
MODE = 0o600
SAFE_IN_JOURNAL = "your changes are safe in the journal and are folded in next time"
NOT_SAVED = "that change was not saved; nothing saved before was lost"

Tables = dict[str, dict[str, Any]]


def dump_json(tables: Tables) -> bytes:
    return json.dumps(tables, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


class DurableStorage(Storage):
    """TinyDB storage; construct through ``open_db``."""

    def __init__(self, path: str | Path, readonly: bool = False, lock_timeout: float = 0.0) -> None:
        self.path = Path(path)
        self.journal = self.path.with_name(self.path.name + ".journal")
        self.readonly = readonly
        self.lock: FileLock | None = None
        self._jfh: int | None = None
        self._ops = 0
        self._jbytes = 0
        self._next_compact = COMPACT_OPS
        self._torn = False
        self._why_readonly: str | None = None
        self._refused = False  # the session could not start as the writer: close quietly
        self.bad_lines: list[int] = []
        """Journal lines (1-based) that could not be read and were followed by good ones."""
        self.stale_owner: str | None = None
        """The pid a writer that ended without closing left in the owner file."""
        self.notices: list[str] = []
        self._replayed: set[tuple[str, str]] = set()
        """What the user should be told once about this opening (recovery, damage)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise disk_error(exc, self.path.parent, "create the database folder") from exc
        if not readonly:
            self._acquire(lock_timeout)
        try:
            self.data = self._load()
        except BaseException:
            self._release()
            raise

    # ------------------------------------------------------------------ locking

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _acquire(self, timeout: float) -> None:
        why = unwritable(self.path)
        if why:
            _refused(self.path, why)
            raise NotWritable(
                f"{self.path} cannot be changed: {why} — it can only be read (open it in the "
                "reader, or copy it to a writable folder and use --db)"
            )
        # not thread-local: the reader opens the store in a worker thread and closes it on
        # the UI thread, and a thread-local lock released there stayed held by the worker
        self.lock = FileLock(str(self.lock_path), timeout=timeout, mode=MODE, thread_local=False)
        try:
            self.lock.acquire()
        except Timeout as exc:
            _REFUSED.pop(_key(self.path), None)  # the reason is the holder, nothing older
            who = self.holder() or "another piyue process"
            raise DatabaseLocked(
                f"{self.path} is in use by {who} — close the reader (or wait for that command) "
                "and try again"
            ) from exc
        except OSError as exc:
            err = disk_error(exc, self.lock_path, after="nothing was changed")
            _refused(self.path, str(err))
            raise CannotWrite(str(err), err.path, err.errno) from exc
        self._took_lock()

    def _took_lock(self) -> None:
        """The lock is ours: note a writer that ended unclean, and name this process."""
        _REFUSED.pop(_key(self.path), None)
        with contextlib.suppress(OSError):
            os.chmod(self.lock_path, MODE)  # one made by an older piyue may be 0644
        left = self.holder()  # a writer that closed removed it: this one ended unclean
        if left and left.startswith("pid ") and left != f"pid {os.getpid()}":
            self.stale_owner = left[4:]
        with contextlib.suppress(OSError):
            fd = os.open(self.owner_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, MODE)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                os.fchmod(fh.fileno(), MODE)
                fh.write(f"pid {os.getpid()}")

    def try_write_access(self) -> bool:
        """Become the writer if the database is free now (the process that held it has
        ended) — a reader opened read-only because a short command was writing: the file
        and journal are read again (that command changed them), then as ``start_session``.
        False, and nothing changed, while another process holds it or it cannot be
        written."""
        if not self.readonly:
            return True
        if unwritable(self.path):
            return False
        lock = FileLock(str(self.lock_path), timeout=0, mode=MODE, thread_local=False)
        try:
            lock.acquire()
        except (Timeout, OSError):
            return False
        self.lock = lock
        try:
            self._took_lock()
            self._ops, self._jbytes, self._replayed = 0, 0, set()
            self.bad_lines = []
            data = self._load()
        except BaseException:
            self._release()
            self.lock = None
            raise
        self.data = data
        self.readonly = False
        self._why_readonly = None
        return True

    @property
    def owner_path(self) -> Path:
        return self.lock_path.with_suffix(".owner")

    @property
    def readonly_reason(self) -> str | None:
        """Why this storage is read-only, for the reader's banner (None for the writer)."""
        if not self.readonly:
            return None
        if self._why_readonly is None:
            why = unwritable(self.path) or _REFUSED.get(_key(self.path))
            if why:
                self._why_readonly = why
            else:
                who = self.holder() or "another piyue"
                self._why_readonly = f"in use by {who}"
        return self._why_readonly

    def holder(self) -> str | None:
        with contextlib.suppress(OSError):
            return self.owner_path.read_text(encoding="utf-8").strip() or None
        return None

    def _release(self) -> None:
        self._close_journal()
        if self.lock is not None and self.lock.is_locked:
            with contextlib.suppress(OSError):
                self.owner_path.unlink()
            with contextlib.suppress(OSError):
                self.lock.release()

    def _close_journal(self) -> None:
        if self._jfh is not None:
            with contextlib.suppress(OSError):
                os.close(self._jfh)
            self._jfh = None

    # ------------------------------------------------------------------ loading

    def _load(self) -> Tables:
        """The file with the journal replayed.  A reader (no lock) may read the file just
        before the writer folds the journal into it and removes it, and then find no
        journal: the file it read lacked the journal's changes (a code just created was
        unknown to a command run as the reader quit).  So the file is read again when it
        was replaced while it and the journal were read."""
        tables: Tables = {}
        for _ in range(5):
            seen = file_stamp(self.path)
            self.bad_lines = []
            self._replayed = set()
            tables = self._load_once()
            if file_stamp(self.path) == seen:
                break
        return tables

    def _load_once(self) -> Tables:
        tables: Tables = {}
        if self.path.exists():
            try:
                raw = self.path.read_bytes()
            except OSError as exc:
                raise disk_error(exc, self.path, "read", "nothing was changed") from exc
            if raw.strip():
                try:
                    loaded = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise CorruptDatabase(
                        f"{self.path} is not a valid piyue database ({exc}); it was left "
                        f"untouched — {self._restore_hint()}"
                    ) from exc
                if not isinstance(loaded, dict) or not all(
                    isinstance(v, dict) for v in loaded.values()
                ):
                    raise CorruptDatabase(
                        f"{self.path} does not look like a piyue database; it was left untouched"
                    )
                tables = loaded
        if self.journal.exists():
            self._replay(tables)
            if self.bad_lines and self.readonly:
                self._keep_bad_journal()
        return tables

    def _restore_hint(self) -> str:
        """What to do about a corrupt file, naming only backups that exist."""
        there = [b.name for k in range(1, BACKUPS + 1) if (b := self.backup_path(k)).is_file()]
        older = [p.name for kind in ("daily-", "before-") for p in backups.kept(self.path, kind)]
        if not there and not older:
            return "there is no backup of it: repair it or move it away"
        newest = f"{there[0]}, the newest" if there[1:] else (there or older)[0]
        more = f"; older: {', '.join(older[-2:])}" if older and there else ""
        return f"restore a backup ({newest}{more}) or move it away"

    def _replay(self, tables: Tables) -> None:
        try:
            data = self.journal.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:  # never fold (and delete) a journal that could not be read
            raise disk_error(exc, self.journal, "read", "nothing was changed") from exc
        lines = data.split(b"\n")
        last = max((n for n, line in enumerate(lines) if line.strip()), default=-1)
        group: list[tuple[str, str, Any]] = []
        want = 0  # lines to come of a batch begun by {"b": N}: one cut short is not kept
        skip = 0  # lines left of a batch that had a bad line: none of it is applied
        for n, line in enumerate(lines):
            if not line.strip():
                continue
            if skip:
                skip -= 1
                continue
            try:
                op = json.loads(line.decode("utf-8"))
                if want == 0 and "b" in op:
                    want, group = int(op["b"]), []
                    continue
                table, doc_id, doc = op["t"], str(op["i"]), op.get("d")
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                # A torn write (a crash, or a full disk that could not be cut back): never
                # acknowledged.  The append after a write that could not be cut back starts
                # with an empty line, so what follows was acknowledged and is kept.  Any
                # other bad line followed by good ones is damage: said, and kept as evidence.
                torn_known = n + 1 < len(lines) and not lines[n + 1].strip()
                if n != last and not torn_known:
                    self.bad_lines.append(n + 1)
                skip = max(0, want - 1)  # a batch with a bad line is not applied in part
                want, group = 0, []
                continue
            if want:
                group.append((table, doc_id, doc))
                want -= 1
                if want:
                    continue
                ops, group = group, []
            else:
                ops = [(table, doc_id, doc)]
            for table, doc_id, doc in ops:
                self._replayed.add((table, doc_id))
                t = tables.setdefault(table, {})
                if doc is None:
                    t.pop(doc_id, None)
                else:
                    t[doc_id] = doc
                self._ops += 1

    def _recovered_summary(self) -> str:
        """``2 articles, 1 code``: the documents the journal replay changed, by kind."""
        names = {
            "articles": "article",
            "highlights": "passage",
            "tags": "code",
            "corrections": "correction",
            "watch": "watch-list term",
            "quick": "quick key",
        }
        counts: dict[str, int] = {}
        for table, _ in self._replayed:
            if table in names:
                counts[names[table]] = counts.get(names[table], 0) + 1
        if not counts:
            return "settings only"
        return ", ".join(
            f"{counts[w]} {w}{'s' if counts[w] != 1 else ''}" for w in names.values() if w in counts
        )

    def _keep_bad_journal(self) -> None:
        """A journal with damaged lines in the middle: the writer keeps a copy beside the
        database (``.journal.corrupt-TIME``) before folding it in and removing it; either
        way the user is told which lines of which file were skipped."""
        import time

        bad = self.bad_lines
        where = f"line {bad[0]}" if len(bad) == 1 else "lines " + ", ".join(map(str, bad[:5]))
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        verb = "was" if len(bad) == 1 else "were"
        kept = "the journal is left as it is"
        if not self.readonly:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            keep = self.journal.with_name(f"{self.journal.name}.corrupt-{stamp}")
            durable_copy(self.journal, keep, MODE, after="the journal was not folded in")
            kept = f"a copy of the journal as it was is kept in {keep}"
        self.notices.append(
            f"{self.journal}: {where}{more} could not be read and {verb} skipped (a change "
            f"there may be lost); {kept}"
        )

    def start_session(self) -> None:
        """New session as the writer (after the caller checked the schema): rotate backups,
        fold a journal left by a crash into the JSON file."""
        if self.readonly:
            return
        try:
            if self.bad_lines:
                self._keep_bad_journal()
            if self._ops:
                who = f" (pid {self.stale_owner})" if self.stale_owner else ""
                self.notices.append(
                    f"recovered the changes saved before an unclean exit{who} from "
                    f"{self.journal.name}: {self._recovered_summary()}"
                )
            backups.remove_stale_temps(self.path)
            if self.path.exists() and self.path.stat().st_size:
                self.backup()
            if self._ops or not self.path.exists():
                self.compact(after=SAFE_IN_JOURNAL if self._ops else "nothing was changed")
        except DiskError as exc:
            # Readable, not writable now: the reader opens it read-only, a command stops.
            _refused(self.path, str(exc))
            self._refused = True
            raise CannotWrite(str(exc), exc.path, exc.errno) from exc

    def backup_path(self, k: int) -> Path:
        return backups.rotating_path(self.path, k)

    def backup(self) -> None:
        """Rotate ``.bak.1..3`` and keep today's first state (``storage.backups``)."""
        backups.rotate(self.path)
        backups.daily(self.path)

    def backup_before(self, what: str) -> Path:
        """Write the current state (journal included) to a ``before-`` backup."""
        self._writable()
        return backups.before(self.path, self.data, what)

    # ------------------------------------------------------------------ TinyDB API

    def read(self) -> Tables:
        return self.data

    def write(self, data: Tables) -> None:
        """Whole-database write (TinyDB internals such as drop_tables): compact it."""
        self._writable()
        self.data = data
        self.compact()

    def commit(self, table: str, changed: dict[str, Any | None]) -> None:
        """Make the given documents (``None`` = deleted) durable before returning.

        On failure the journal is cut back to where it was (the change was not
        acknowledged) and ``DiskError`` is raised; the caller rolls back its memory."""
        self._commit([(table, doc_id, doc) for doc_id, doc in changed.items()])

    def commit_tables(self, changes: Mapping[str, Mapping[str, Any | None]]) -> None:
        """``commit`` for several tables at once: one journal append and one sync, all of it
        durable or — ``DiskError`` — none of it (a batch, an undo step)."""
        self._commit(
            [(table, str(k), doc) for table, docs in changes.items() for k, doc in docs.items()]
        )

    def apply(self, changes: Mapping[str, Mapping[str, Any | None]]) -> None:
        """Set documents (``None`` = delete) in several tables as one durable change (undo,
        redo, direct writes): in memory and in the journal together, or — ``DiskError`` —
        in neither."""
        self._writable()
        before: list[tuple[dict[str, Any], str, Any]] = []
        ops: list[tuple[str, str, Any | None]] = []
        for table, docs in changes.items():
            raw = self.data.setdefault(table, {})
            for doc_id, doc in docs.items():
                k = str(doc_id)
                before.append((raw, k, raw.get(k, _GONE)))
                if doc is None:
                    raw.pop(k, None)
                else:
                    raw[k] = doc
                ops.append((table, k, doc))
        try:
            self._commit(ops)
        except BaseException:
            for raw, k, old in reversed(before):
                if old is _GONE:
                    raw.pop(k, None)
                else:
                    raw[k] = old
            raise

    def _commit(self, ops: list[tuple[str, str, Any | None]]) -> None:
        self._writable()
        if not ops:
            return
        # several documents are one change: {"b": N} first, a crash mid-append keeps none
        head = f'{{"b": {len(ops)}}}\n'.encode() if len(ops) > 1 else b""
        buf = head + b"".join(
            json.dumps({"t": table, "i": doc_id, "d": doc}, ensure_ascii=False).encode("utf-8")
            + b"\n"
            for table, doc_id, doc in ops
        )
        self._append(buf)
        self._ops += len(ops)
        self._jbytes += len(buf)
        if self._ops >= self._next_compact or self._jbytes >= COMPACT_BYTES:
            try:
                self.compact()
            except DiskError:
                # The change is durable in the journal; fold it in later.
                self._next_compact = self._ops + COMPACT_OPS

    def _append(self, buf: bytes) -> None:
        start = -1
        try:
            if self._jfh is None:
                self._jfh = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, MODE)
                with contextlib.suppress(OSError):
                    os.fchmod(self._jfh, MODE)
            start = os.fstat(self._jfh).st_size
            if self._torn:  # an empty line after the torn one: replay knows it is torn
                buf = b"\n\n" + buf
            view = memoryview(buf)
            while view:
                view = view[os.write(self._jfh, view) :]
            os.fsync(self._jfh)
            self._torn = False
        except OSError as exc:
            self._cut_back(start)
            raise disk_error(exc, self.journal, after=NOT_SAVED) from exc

    def _cut_back(self, size: int) -> None:
        """Remove a partly written change from the journal (best effort: if even that
        fails, the next append starts on a new line so replay skips only the torn one)."""
        if self._jfh is None or size < 0:
            return
        try:
            os.ftruncate(self._jfh, size)
        except OSError:
            self._torn = True
            self._close_journal()

    def compact(self, after: str = SAFE_IN_JOURNAL) -> None:
        """Fold the journal into the JSON file (atomically), then empty the journal."""
        self._writable()
        atomic_write(self.path, dump_json(self.data), MODE, after=after)
        self._close_journal()
        self._torn = False
        try:
            if self.journal.exists():
                self.journal.unlink()
                fsync_dir(self.path.parent)
        except OSError as exc:  # the file has it all; replaying the journal again is harmless
            raise disk_error(exc, self.journal, after="nothing was lost") from exc
        self._ops = 0
        self._jbytes = 0
        self._next_compact = COMPACT_OPS

    def _writable(self) -> None:
        if self.readonly:
            raise ReadOnlyDatabase(f"{self.path} is open read-only ({self.readonly_reason})")

    def close(self) -> None:
        try:
            if not (self.readonly or self._refused) and (self._ops or not self.path.exists()):
                self.compact()
        finally:
            self._release()


_REFUSED: dict[str, str] = {}
"""Why the last attempt in this process to open a database as the writer failed (by path):
the read-only storage opened next (``Store.open_for_ui``) can tell the user."""


def _key(path: Path) -> str:
    return os.path.abspath(path)


def _refused(path: Path, why: str) -> None:
    _REFUSED[_key(path)] = why


class _TrackedTable(MutableMapping[int, Any]):
    """The view of one raw table that TinyDB's updaters mutate; records touched ids."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.touched: set[str] = set()
        self.before: dict[str, Any] = {}
        """The documents as they were before this update touched them (``_GONE``: absent)."""

    def _touch(self, k: str) -> None:
        if k not in self.touched:
            self.touched.add(k)
            self.before[k] = copy.deepcopy(self.raw[k]) if k in self.raw else _GONE

    def roll_back(self) -> None:
        for k, doc in self.before.items():
            if doc is _GONE:
                self.raw.pop(k, None)
            else:
                self.raw[k] = doc

    def __getitem__(self, key: int) -> Any:
        k = str(key)
        doc = self.raw[k]
        self._touch(k)  # TinyDB's update mutates the document it gets in place
        return doc

    def __setitem__(self, key: int, value: Any) -> None:
        k = str(key)
        self._touch(k)
        self.raw[k] = value

    def __delitem__(self, key: int) -> None:
        k = str(key)
        self._touch(k)
        del self.raw[k]

    def __iter__(self) -> Iterator[int]:
        return (int(k) for k in list(self.raw))

    def __len__(self) -> int:
        return len(self.raw)

    def __contains__(self, key: object) -> bool:
        return str(key) in self.raw

    def clear(self) -> None:
        for k in list(self.raw):
            self._touch(k)
        self.raw.clear()


_GONE = object()


class FastTable(Table):
    """A TinyDB table whose updates cost O(changed documents), not O(table)."""

    def _update_table(self, updater: Any) -> None:
        storage = self._storage
        if not isinstance(storage, DurableStorage):  # pragma: no cover - other storages
            super()._update_table(updater)
            return
        storage._writable()
        tables = storage.read()
        raw = tables.setdefault(self.name, {})
        view = _TrackedTable(raw)
        try:
            updater(view)
            storage.commit(self.name, {k: raw.get(k) for k in view.touched})
        except BaseException:
            view.roll_back()  # memory stays what the disk has
            raise
        finally:
            self.clear_cache()


class PiyueDB(TinyDB):
    table_class = FastTable


def database_file(path: Path) -> Path:
    """The file a database path names: a symbolic link's target (the database is replaced
    whole on each save, and a replaced link would leave the real file behind, unchanged);
    anything but a regular file is refused (a save would put a file in place of /dev/null)."""
    real = Path(os.path.realpath(path))
    if real.exists() and not real.is_file():
        what = "a folder" if real.is_dir() else "not a regular file"
        raise StoreError(f"{path} is {what}: the database must be a file (.json)")
    return real


def open_db(path: Path, readonly: bool = False, lock_timeout: float = 0.0) -> PiyueDB:
    real = database_file(path)
    db = PiyueDB(str(real), storage=DurableStorage, readonly=readonly, lock_timeout=lock_timeout)
    return db
