"""A crash-safe, fast TinyDB storage: in-memory tables + an fsync'd journal + atomic compaction.

TinyDB's JSON storage rewrites the whole file on every change (cost grows with the database)
and a crash mid-write leaves a truncated file.  Here:

* the database lives in memory; the JSON file (``ensure_ascii=False``, readable, diffable)
  is only ever replaced whole: written to a temp file, fsync'd, renamed, directory fsync'd;
* each change appends the changed documents to ``<db>.journal`` and fsyncs before the call
  returns — durable, and its cost depends on the change, not on the database size;
* on open the journal is replayed (a torn last line is a change that was never
  acknowledged, and is ignored); it is compacted into the JSON file when it grows and on
  close;
* one writer at a time (``filelock``): a second process opens read-only;
* a corrupt file is never overwritten: ``CorruptDatabase`` and the file stays byte-identical.

``FastTable`` replaces TinyDB's whole-table rebuild on each update with a view that records
which documents an update touched, so only those go to the journal.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from storage.errors import CorruptDatabase, DatabaseLocked, ReadOnlyDatabase, StoreError
from storage.files import atomic_write, fsync_dir

COMPACT_OPS = 5000
COMPACT_BYTES = 8 * 1024 * 1024
BACKUPS = 3

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
        self._jfh: Any = None
        self._ops = 0
        self._jbytes = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the database folder {self.path.parent}: {exc.strerror}"
            ) from exc
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
        if not os.access(self.path.parent, os.W_OK):
            raise StoreError(f"the database folder {self.path.parent} is not writable")
        self.lock = FileLock(str(self.lock_path), timeout=timeout)
        try:
            self.lock.acquire()
        except Timeout as exc:
            who = self.holder() or "another piyue process"
            raise DatabaseLocked(f"{self.path} is in use by {who}") from exc
        with contextlib.suppress(OSError):
            self.lock_path.with_suffix(".owner").write_text(f"pid {os.getpid()}", encoding="utf-8")

    def holder(self) -> str | None:
        with contextlib.suppress(OSError):
            return self.lock_path.with_suffix(".owner").read_text(encoding="utf-8").strip() or None
        return None

    def _release(self) -> None:
        if self._jfh is not None:
            with contextlib.suppress(OSError):
                self._jfh.close()
            self._jfh = None
        if self.lock is not None and self.lock.is_locked:
            with contextlib.suppress(OSError):
                self.lock_path.with_suffix(".owner").unlink()
            self.lock.release()

    # ------------------------------------------------------------------ loading

    def _load(self) -> Tables:
        tables: Tables = {}
        if self.path.exists():
            try:
                raw = self.path.read_bytes()
            except OSError as exc:
                raise StoreError(f"cannot read {self.path}: {exc.strerror}") from exc
            if raw.strip():
                try:
                    loaded = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise CorruptDatabase(
                        f"{self.path} is not a valid piyue database ({exc}); it was left "
                        f"untouched — restore a backup ({self.path.name}.bak.1) or move it away"
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
        return tables

    def _replay(self, tables: Tables) -> None:
        try:
            data = self.journal.read_bytes()
        except OSError:
            return
        for line in data.split(b"\n"):
            if not line.strip():
                continue
            try:
                op = json.loads(line.decode("utf-8"))
                table, doc_id, doc = op["t"], str(op["i"]), op.get("d")
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                break  # a torn last write: never acknowledged
            t = tables.setdefault(table, {})
            if doc is None:
                t.pop(doc_id, None)
            else:
                t[doc_id] = doc
            self._ops += 1

    def start_session(self) -> None:
        """New session as the writer (after the caller checked the schema): rotate backups,
        fold a journal left by a crash into the JSON file."""
        if self.readonly:
            return
        if self.path.exists() and self.path.stat().st_size:
            for k in range(BACKUPS, 1, -1):
                older = self.path.with_name(f"{self.path.name}.bak.{k - 1}")
                if older.exists():
                    os.replace(older, self.path.with_name(f"{self.path.name}.bak.{k}"))
            bak = self.path.with_name(f"{self.path.name}.bak.1")
            shutil.copyfile(self.path, bak)
            os.chmod(bak, 0o600)
        if self._ops or not self.path.exists():
            self.compact()

    # ------------------------------------------------------------------ TinyDB API

    def read(self) -> Tables:
        return self.data

    def write(self, data: Tables) -> None:
        """Whole-database write (TinyDB internals such as drop_tables): compact it."""
        self._writable()
        self.data = data
        self.compact()

    def commit(self, table: str, changed: dict[str, Any | None]) -> None:
        """Make the given documents (``None`` = deleted) durable before returning."""
        self._writable()
        if not changed:
            return
        if self._jfh is None:
            fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._jfh = os.fdopen(fd, "ab")
        buf = b"".join(
            json.dumps({"t": table, "i": doc_id, "d": doc}, ensure_ascii=False).encode("utf-8")
            + b"\n"
            for doc_id, doc in changed.items()
        )
        self._jfh.write(buf)
        self._jfh.flush()
        os.fsync(self._jfh.fileno())
        self._ops += len(changed)
        self._jbytes += len(buf)
        if self._ops >= COMPACT_OPS or self._jbytes >= COMPACT_BYTES:
            self.compact()

    def compact(self) -> None:
        """Fold the journal into the JSON file (atomically), then empty the journal."""
        self._writable()
        atomic_write(self.path, dump_json(self.data))
        if self._jfh is not None:
            self._jfh.close()
            self._jfh = None
        if self.journal.exists():
            self.journal.unlink()
            fsync_dir(self.path.parent)
        self._ops = 0
        self._jbytes = 0

    def _writable(self) -> None:
        if self.readonly:
            raise ReadOnlyDatabase(f"{self.path} is open read-only (another piyue holds it)")

    def close(self) -> None:
        try:
            if not self.readonly and (self._ops or not self.path.exists()):
                self.compact()
        finally:
            self._release()


class _TrackedTable(MutableMapping[int, Any]):
    """The view of one raw table that TinyDB's updaters mutate; records touched ids."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.touched: set[str] = set()

    def __getitem__(self, key: int) -> Any:
        k = str(key)
        doc = self.raw[k]
        self.touched.add(k)  # TinyDB's update mutates the document it gets in place
        return doc

    def __setitem__(self, key: int, value: Any) -> None:
        k = str(key)
        self.raw[k] = value
        self.touched.add(k)

    def __delitem__(self, key: int) -> None:
        k = str(key)
        del self.raw[k]
        self.touched.add(k)

    def __iter__(self) -> Iterator[int]:
        return (int(k) for k in list(self.raw))

    def __len__(self) -> int:
        return len(self.raw)

    def __contains__(self, key: object) -> bool:
        return str(key) in self.raw

    def clear(self) -> None:
        self.touched.update(self.raw)
        self.raw.clear()


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
        updater(view)
        storage.commit(self.name, {k: raw.get(k) for k in view.touched})
        self.clear_cache()


class PiyueDB(TinyDB):
    table_class = FastTable


def open_db(path: Path, readonly: bool = False, lock_timeout: float = 0.0) -> PiyueDB:
    db = PiyueDB(str(path), storage=DurableStorage, readonly=readonly, lock_timeout=lock_timeout)
    return db
