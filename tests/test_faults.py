"""Faults a user's machine causes: a full disk, a read-only mount, permissions, a vanished folder.

Each write site (journal append, compaction, backup, index insert, atomic file write) is made
to fail with each errno; the error must be one line naming the file (a ``StoreError``, so the
CLI prints it with status 2) and the database and its backups must be byte-identical
afterwards.  As root (CI), the same on a real full tmpfs and a read-only remount.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus.load import load_corpus
from corpus.model import Article
from storage import durable, files
from storage.annotations import Store
from storage.errors import (
    CannotWrite,
    DatabaseLocked,
    DiskError,
    NotWritable,
    StoreError,
    explain,
    log_unexpected,
)
from storage.index import Index
from storage.library import Library
from storage.locations import error_log_path

from .conftest import SEEDS

ERRNOS = [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT]
SQLITE_FAULTS = [
    "database or disk is full",
    "attempt to write a readonly database",
    "disk I/O error",
]


@pytest.fixture(scope="module")
def arts() -> list[Article]:
    return load_corpus(SEEDS).articles


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "annotations.json"


def oserror(code: int) -> OSError:
    return OSError(code, os.strerror(code))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the database's folder, by name (temporary files would show up here);
    not the owner file (a note of which process holds the lock)."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith(".owner")
    }


def one_line(msg: str, *names: str) -> None:
    assert "\n" not in msg and "Traceback" not in msg
    for name in names:
        assert name in msg, (name, msg)


def cli_main() -> Callable[[list[str]], int]:
    """The command line's entry point (``cli`` once it has moved out of ``tui``)."""
    import importlib

    try:
        mod = importlib.import_module("cli")
    except ImportError:
        mod = importlib.import_module("tui.cli")
    main: Callable[[list[str]], int] = mod.main
    return main


def with_backups(db: Path, arts: list[Article]) -> None:
    """A database with three backups (four sessions, each adding a tag)."""
    for i in range(4):
        with Store.open(db) as s:
            s.add_tags(arts[0], [f"t{i}"])
    assert db.with_name(db.name + ".bak.3").exists()


# ------------------------------------------------------------------------- messages


@pytest.mark.parametrize("code", [*ERRNOS, errno.ENOENT, errno.EIO])
def test_explain_is_one_line_naming_the_file(code: int) -> None:
    msg = explain(oserror(code), Path("/x/annotations.json.journal"), after="nothing was lost")
    one_line(msg, "/x/annotations.json.journal", " — ", "nothing was lost")
    assert msg.startswith("cannot write /x/annotations.json.journal: ")


@pytest.mark.parametrize("text", SQLITE_FAULTS)
def test_explain_sqlite(text: str) -> None:
    msg = explain(sqlite3.OperationalError(text), "/c/index-1.sqlite")
    one_line(msg, "/c/index-1.sqlite", " — ")


def test_explain_unexpected_and_log(tmp_path: Path) -> None:
    try:
        raise ValueError("boom\nsecond line")
    except ValueError as exc:
        msg = explain(exc)
        logged = log_unexpected(exc)
    one_line(msg, "unexpected error", "ValueError", "boom")
    assert logged == error_log_path()
    assert "Traceback" in logged.read_text(encoding="utf-8")
    assert stat.S_IMODE(logged.stat().st_mode) == 0o600


def test_last_resort(tmp_path: Path) -> None:
    from storage.errors import last_resort

    full = last_resort(oserror(errno.ENOSPC), tmp_path / "x")
    one_line(full, str(tmp_path / "x"), "no space left")
    assert not error_log_path().exists()  # the machine's fault: nothing to log
    try:
        raise KeyError("k")
    except KeyError as exc:
        bug = last_resort(exc)
    one_line(bug, "KeyError", "please report it", str(error_log_path()))
    assert "KeyError" in error_log_path().read_text(encoding="utf-8")


def test_disk_error_is_a_store_error_and_an_os_error() -> None:
    from storage.errors import disk_error

    err = disk_error(oserror(errno.ENOSPC), "/x/a.json")
    assert isinstance(err, StoreError) and isinstance(err, OSError)
    assert err.errno == errno.ENOSPC and err.path == Path("/x/a.json")
    assert str(err).startswith("cannot write /x/a.json: no space left on device")


# ------------------------------------------------------------------------- backups


def failing_copy(code: int) -> Callable[..., None]:
    """A copy that writes 4 KiB and then fails (what a full disk does)."""

    def copy(src: Any, dst: Any, length: int = 0) -> None:
        dst.write(src.read(4096))
        dst.flush()
        raise oserror(code)

    return copy


@pytest.mark.parametrize("code", ERRNOS)
def test_backup_failure_keeps_backups(
    db: Path, arts: list[Article], code: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backups(db, arts)
    before = snapshot(db.parent)
    monkeypatch.setattr(files.shutil, "copyfileobj", failing_copy(code))
    for _ in range(2):  # the case: two failed commands in a row
        with pytest.raises(StoreError) as got:
            Store.open(db)
        one_line(str(got.value), f"{db.name}.bak.1", "backups were left as they were")
        assert isinstance(got.value, CannotWrite) and got.value.errno == code
    assert snapshot(db.parent) == before


def test_backups_rotate_and_are_private(db: Path, arts: list[Article]) -> None:
    with_backups(db, arts)
    for p in db.parent.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    with Store.open(db, readonly=True) as s:
        assert set(s.notes(arts[0].id).tags) == {"t0", "t1", "t2", "t3"}
    # .bak.1 is the database as the last session found it, .bak.3 the oldest
    assert b"t2" in db.with_name(db.name + ".bak.1").read_bytes()
    assert b"t2" not in db.with_name(db.name + ".bak.2").read_bytes()
    assert b"t0" in db.with_name(db.name + ".bak.3").read_bytes()
    assert b"t1" not in db.with_name(db.name + ".bak.3").read_bytes()


def test_backup_failure_opens_read_only_in_the_ui(
    db: Path, arts: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backups(db, arts)
    monkeypatch.setattr(files.shutil, "copyfileobj", failing_copy(errno.ENOSPC))
    with Store.open_for_ui(db) as s:
        assert s.readonly
        reason = s.storage.readonly_reason
        assert reason and "no space left" in reason
        assert "t3" in s.notes(arts[0].id).tags


# ------------------------------------------------------------------------- journal


def failing_write(code: int, partial: bool = True) -> Callable[[int, Any], int]:
    real = os.write

    def write(fd: int, data: Any) -> int:
        if partial and len(data) > 8:
            real(fd, bytes(data[: len(data) // 2]))
        raise oserror(code)

    return write


@pytest.mark.parametrize("code", ERRNOS)
def test_journal_append_failure(
    db: Path, arts: list[Article], code: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Store.open(db)
    s.add_tags(arts[0], ["kept"])
    journal = db.with_name(db.name + ".journal")
    before = snapshot(db.parent)
    monkeypatch.setattr(durable.os, "write", failing_write(code))
    with pytest.raises(StoreError) as got:
        s.add_tags(arts[0], ["lost"])
    one_line(str(got.value), str(journal), "not saved", "nothing saved before was lost")
    with pytest.raises(DiskError):
        s.set_note(arts[1], "also lost")
    # memory is what the disk has; the journal was cut back to its acknowledged end
    assert s.notes(arts[0].id).tags == ("kept",)
    assert s.notes(arts[1].id).note == ""
    assert snapshot(db.parent) == before
    monkeypatch.undo()
    s.add_tags(arts[0], ["later"])  # the disk has room again
    s.storage._release()  # a crash: no compaction
    with Store.open(db) as again:
        assert again.notes(arts[0].id).tags == ("kept", "later")
        assert again.notes(arts[1].id).note == ""


def test_torn_journal_that_cannot_be_cut_back(
    db: Path, arts: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Store.open(db)
    s.add_tags(arts[0], ["a"])
    monkeypatch.setattr(durable.os, "write", failing_write(errno.EIO))
    monkeypatch.setattr(durable.os, "ftruncate", lambda fd, n: (_ for _ in ()).throw(oserror(5)))
    with pytest.raises(DiskError):
        s.add_tags(arts[0], ["torn"])
    monkeypatch.undo()
    s.add_tags(arts[0], ["b"])  # starts on a new line after the torn one
    s.storage._release()
    with Store.open(db) as again:
        assert again.notes(arts[0].id).tags == ("a", "b")


# ------------------------------------------------------------------------- compaction


@pytest.mark.parametrize("code", ERRNOS)
def test_compaction_failure_keeps_everything(
    db: Path, arts: list[Article], code: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backups(db, arts)
    s = Store.open(db)
    s.add_tags(arts[1], ["in-journal"])
    before = snapshot(db.parent)
    monkeypatch.setattr(files.os, "fsync", lambda fd: (_ for _ in ()).throw(oserror(code)))
    with pytest.raises(StoreError) as got:
        s.close()  # quitting folds the journal into the file
    one_line(str(got.value), str(db), "safe in the journal")
    assert snapshot(db.parent) == before
    monkeypatch.undo()
    with Store.open(db) as again:
        assert again.notes(arts[1].id).tags == ("in-journal",)


def test_compaction_during_a_session_never_fails_a_saved_change(
    db: Path, arts: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(durable, "COMPACT_OPS", 2)
    s = Store.open(db)
    monkeypatch.setattr(files.os, "replace", lambda a, b: (_ for _ in ()).throw(oserror(28)))
    for i in range(5):
        s.add_tags(arts[i], ["x"])  # each is in the journal: no error though compaction fails
    monkeypatch.undo()
    s.close()
    with Store.open(db, readonly=True) as again:
        assert all(again.notes(a.id).tags == ("x",) for a in arts[:5])


# ------------------------------------------------------------------------- atomic writes


@pytest.mark.parametrize("code", ERRNOS)
def test_atomic_write_failure(tmp_path: Path, code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    monkeypatch.setattr(files.os, "fsync", lambda fd: (_ for _ in ()).throw(oserror(code)))
    with pytest.raises(DiskError) as got:
        files.atomic_write(target, b"new" * 1000, 0o644)
    one_line(str(got.value), str(target))
    assert isinstance(got.value, OSError)  # best-effort callers (reader state) shrug it off
    assert snapshot(tmp_path) == {"out.csv": b"old"}


def test_atomic_write_temp_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    modes: list[int] = []
    real = files.os.fsync

    def fsync(fd: int) -> None:
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        real(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    files.atomic_write(tmp_path / "export.md", b"notes", 0o644)
    assert modes[0] == 0o600  # private while written; the export's own mode at the end
    assert stat.S_IMODE((tmp_path / "export.md").stat().st_mode) == 0o644


def test_vanished_folder(tmp_path: Path) -> None:
    with pytest.raises(DiskError) as got:
        files.atomic_write(tmp_path / "gone" / "state.json", b"{}")
    one_line(str(got.value), str(tmp_path / "gone"), "is gone")


def test_database_folder_vanishes_during_a_session(
    db: Path, arts: list[Article], tmp_path: Path
) -> None:
    s = Store.open(db)
    s.storage._close_journal()
    for p in db.parent.iterdir():
        p.unlink()
    db.parent.rmdir()
    with pytest.raises(DiskError) as got:
        s.add_tags(arts[0], ["x"])
    one_line(str(got.value), str(db.parent), "is gone")
    s.storage._release()


# ------------------------------------------------------------------------- read-only


def test_unwritable_database_is_read_only_for_the_ui(
    db: Path, arts: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backups(db, arts)
    before = snapshot(db.parent)
    monkeypatch.setattr(durable.os, "access", lambda p, mode: False)
    with pytest.raises(NotWritable) as got:
        Store.open(db)  # a write command
    assert isinstance(got.value, DatabaseLocked)
    one_line(str(got.value), str(db), "can only be read")
    with Store.open_for_ui(db) as s:
        assert s.readonly
        assert s.storage.readonly_reason and "not writable" in s.storage.readonly_reason
        assert "t3" in s.notes(arts[0].id).tags
    assert snapshot(db.parent) == before


# ------------------------------------------------------------------------- the index


class FailingDB:
    """A connection whose writes fail like SQLite's do on a full or read-only disk."""

    def __init__(self, real: sqlite3.Connection, message: str) -> None:
        self.real = real
        self.message = message

    def _check(self, sql: str) -> None:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError(self.message)

    def execute(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self.real.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self.real.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def built(tmp_path: Path, seeds_copy: Path) -> Iterator[tuple[Library, Path]]:
    lib = Library(seeds_copy, cache_dir=tmp_path / "cache")
    assert lib.refresh_index(workers=1) is not None
    yield lib, seeds_copy
    if lib.index is not None:
        lib.index.close()


@pytest.mark.parametrize("message", SQLITE_FAULTS)
def test_index_insert_failure_keeps_the_previous_index(
    built: tuple[Library, Path], message: str
) -> None:
    lib, corpus = built
    idx = lib.index
    assert idx is not None
    hits = lib.search("营商环境")
    assert hits
    before = idx.stats()
    page = sorted(corpus.glob("*.txt"))[0]
    page.write_bytes(page.read_bytes() + "\n\n新闻 营商环境\n".encode())
    real = idx.db
    idx.db = FailingDB(real, message)  # type: ignore[assignment]
    with pytest.raises(DiskError) as got:
        idx.refresh(workers=1)
    one_line(str(got.value), str(idx.path), "previous index is kept")
    idx.db = real
    assert not real.in_transaction
    assert lib.search("营商环境") == hits
    if message != SQLITE_FAULTS[0]:
        return  # the rest does not depend on the message (and each refresh loads jieba)
    # a reader carries on with the index as it is, and is told once why
    idx.db = FailingDB(real, message)  # type: ignore[assignment]
    stats = lib.refresh_index()
    assert stats is not None and stats.stale and stats.warning
    assert (stats.pages, stats.articles) == (before.pages, before.articles)
    assert lib.index_warning == stats.warning
    notice = lib.take_index_warning()
    assert notice and notice.startswith("the index may be stale: cannot write")
    assert lib.take_index_warning() is None  # said once
    with pytest.raises(DiskError):  # the index command
        lib.refresh_index(strict=True)
    idx.db = real
    fresh = lib.refresh_index()
    assert fresh is not None and not fresh.stale and fresh.parsed == 1


def test_fresh_index_refresh_writes_nothing(built: tuple[Library, Path]) -> None:
    lib, _ = built
    idx = lib.index
    assert idx is not None
    idx.db = FailingDB(idx.db, "database or disk is full")  # type: ignore[assignment]
    stats = lib.refresh_index()  # what every search does first
    assert stats is not None and not stats.stale and stats.unchanged == 5
    assert lib.search("营商环境")


def test_unwritable_index_opens_read_only(
    built: tuple[Library, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    lib, corpus = built
    hits = lib.search("营商环境")
    assert lib.index is not None
    lib.index.close()
    lib.index = None
    monkeypatch.setattr("storage.index.os.access", lambda p, mode: False)
    (corpus / "new.txt").write_text("新的一页\n营商环境\n", encoding="utf-8")
    stats = lib.refresh_index()
    assert lib.index is not None and lib.index.readonly
    assert stats is not None and stats.stale and "cannot write" in stats.warning
    assert lib.search("营商环境") == hits


def test_index_cache_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    lib = Library(SEEDS, cache_dir=blocker / "cache")
    assert lib.refresh_index() is None
    assert lib.index_warning and str(blocker) in lib.index_warning
    with pytest.raises(DiskError):
        lib.refresh_index(strict=True)


def test_index_the_disk_refuses_to_read_is_kept(tmp_path: Path, seeds_copy: Path) -> None:
    cache = tmp_path / "cache"
    idx = Index(seeds_copy, cache)
    idx.refresh(workers=1)
    idx.close()
    size = idx.path.stat().st_size
    # the disk refusing a read is not corruption: the file is kept
    real = sqlite3.connect

    def refuse(*a: Any, **k: Any) -> sqlite3.Connection:
        raise sqlite3.OperationalError("disk I/O error")

    try:
        sqlite3.connect = refuse  # type: ignore[assignment]
        with pytest.raises(DiskError):
            Index(seeds_copy, cache)
    finally:
        sqlite3.connect = real  # type: ignore[assignment]
    assert idx.path.stat().st_size == size


# ------------------------------------------------------------------------- the CLI


def test_cli_full_disk_is_one_line_status_2(
    tmp_path: Path,
    arts: list[Article],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    main = cli_main()

    db = tmp_path / "annotations.json"
    with_backups(db, arts)
    before = snapshot(tmp_path)
    monkeypatch.setattr(files.shutil, "copyfileobj", failing_copy(errno.ENOSPC))
    args = ["--corpus", str(SEEDS), "--db", str(db)]
    with pytest.raises(SystemExit) as got:
        main(["tag", *args, arts[0].id, "new"])
    assert got.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("piyue: cannot write ")
    assert f"{db.name}.bak.1" in err and "no space left" in err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_cli_change_saved_in_the_journal_is_a_success_with_a_warning(
    tmp_path: Path,
    arts: list[Article],
    code: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The tag is durable in the journal before the fold into the file fails on a full
    disk: the command did what it was asked (status 0, its usual output) and says once that
    the file could not be updated; the change is there the next time."""
    main = cli_main()
    db = tmp_path / "annotations.json"
    with_backups(db, arts)
    real = files.atomic_write

    def full(path: Path, data: bytes, mode: int = 0o600, after: str = "") -> None:
        if Path(path) == db:
            raise durable.disk_error(oserror(code), path, after=after)
        real(path, data, mode, after)

    monkeypatch.setattr(durable, "atomic_write", full)
    args = ["--corpus", str(SEEDS), "--db", str(db)]
    assert main(["tag", *args, arts[0].id, "saved"]) == 0
    got = capsys.readouterr()
    assert got.out.startswith(f"{arts[0].id}: ") and "saved" in got.out
    err = got.err.replace("piyue: new code saved\n", "")
    assert err.count("\n") == 1 and err.startswith("piyue: cannot write ")
    one_line(err.strip(), str(db), "safe in the journal")
    monkeypatch.undo()
    with Store.open(db, readonly=True) as again:
        assert "saved" in again.notes(arts[0].id).tags


# ------------------------------------------------------------------------- real mounts


def _can_mount() -> bool:
    return (
        os.geteuid() == 0
        and subprocess.run(["which", "mount"], capture_output=True).returncode == 0
    )


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real 64 MiB tmpfs (root only), always unmounted."""
    if not _can_mount():
        pytest.skip("needs root and mount")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m,mode=0755", "tmpfs", str(mnt)],
        capture_output=True,
    )
    if r.returncode:
        pytest.skip(f"mount failed: {r.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(folder: Path) -> None:
    """Use up every free block."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 4096, 1):
            block = b"\0" * size
            try:
                while os.write(fd, block):
                    pass
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def remount_ro(mnt: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True, capture_output=True)


def shared_jieba(cache: Path) -> None:
    """The dictionary cache stays off the small disk (conftest shares one)."""
    cache.mkdir(parents=True, exist_ok=True)
    os.symlink(Path(os.environ["PIYUE_HOME"]) / "cache" / "jieba", cache / "jieba")


def test_real_full_disk(tmpfs: Path, arts: list[Article], seeds_copy: Path) -> None:
    db = tmpfs / "data" / "annotations.json"
    with_backups(db, arts)
    cache = tmpfs / "cache"
    shared_jieba(cache)
    lib = Library(seeds_copy, cache_dir=cache)
    assert lib.refresh_index(workers=1) is not None
    hits = lib.search("营商环境")
    assert hits
    assert lib.index is not None
    lib.index.close()
    s = Store.open(db)
    s.add_tags(arts[1], ["before-full"])
    before = snapshot(db.parent)
    fill(tmpfs)
    try:
        # journal append
        with pytest.raises(DiskError) as got:
            s.set_note(arts[2], "笔记" * 4000)  # more than the journal's last page holds
        one_line(str(got.value), "annotations.json", "no space left")
        assert snapshot(db.parent) == before
        # quitting: compaction fails, the journal keeps it
        with pytest.raises(DiskError) as got:
            s.close()
        one_line(str(got.value), str(db), "safe in the journal")
        # a write command: the backup fails, the backups stay
        for _ in range(2):
            with pytest.raises(CannotWrite) as cw:
                Store.open(db)
            one_line(str(cw.value), ".bak.1", "no space left")
        assert snapshot(db.parent) == before
        # reading and searching a complete index need no space
        with Store.open_for_ui(db) as ro:
            assert ro.readonly and "before-full" in ro.notes(arts[1].id).tags
        lib2 = Library(seeds_copy, cache_dir=cache)
        stats = lib2.refresh_index()
        assert stats is not None
        assert lib2.search("营商环境") == hits
        # a changed page cannot be indexed: the old index is used, said to be stale
        page = sorted(seeds_copy.glob("*.txt"))[0]
        os.utime(page, (1, 1))
        lib3 = Library(seeds_copy, cache_dir=cache)
        stale = lib3.refresh_index(workers=1)
        assert stale is not None and stale.stale and stale.warning
        assert lib3.search("营商环境") == hits
        # no index yet and no space for one: reading works, search says nothing, no debris
        lib4 = Library(SEEDS, cache_dir=tmpfs / "cache2")
        assert lib4.refresh_index(workers=1) is None
        assert lib4.index_warning and "no space left" in lib4.index_warning
        assert len(lib4.load().articles) == 30
        assert not list((tmpfs / "cache2").glob("index-*"))
        for x in (lib2, lib3):
            if x.index is not None:
                x.index.close()
    finally:
        (tmpfs / "filler").unlink()
    with Store.open(db) as again:  # space again: the journal is folded in
        assert again.notes(arts[1].id).tags == ("before-full",)


def test_real_read_only_mount(tmpfs: Path, arts: list[Article], seeds_copy: Path) -> None:
    db = tmpfs / "annotations.json"
    with_backups(db, arts)
    cache = tmpfs / "cache"
    shared_jieba(cache)
    lib = Library(seeds_copy, cache_dir=cache)
    assert lib.refresh_index(workers=1) is not None
    hits = lib.search("营商环境")
    assert lib.index is not None
    lib.index.close()
    before = snapshot(tmpfs)
    remount_ro(tmpfs)
    with pytest.raises(NotWritable) as got:
        Store.open(db)
    one_line(str(got.value), str(db), "read-only file system")
    with Store.open_for_ui(db) as s:
        assert s.readonly
        assert s.storage.readonly_reason and "read-only" in s.storage.readonly_reason
        assert "t3" in s.notes(arts[0].id).tags
        with pytest.raises(StoreError):
            s.add_tags(arts[0], ["nope"])
    (seeds_copy / "extra.txt").write_text("新的一页\n营商环境\n", encoding="utf-8")
    lib2 = Library(seeds_copy, cache_dir=cache)
    stats = lib2.refresh_index(workers=1)
    assert stats is not None and stats.stale and "read-only" in stats.warning
    assert lib2.index is not None and lib2.index.readonly
    assert lib2.search("营商环境") == hits
    assert len(lib2.load().articles) >= 30
    lib2.index.close()
    assert snapshot(tmpfs) == before


def test_cli_search_with_an_index_that_cannot_be_refreshed(
    tmp_path: Path,
    seeds_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    main = cli_main()

    args = ["--corpus", str(seeds_copy)]
    assert main(["index", *args, "--workers", "1"]) == 0
    capsys.readouterr()

    def full(self: Index, *a: Any, **k: Any) -> None:
        raise DiskError(f"cannot write {self.path}: no space left on device", self.path)

    monkeypatch.setattr(Index, "refresh", full)
    assert main(["search", *args, "营商环境"]) == 0
    out = capsys.readouterr().out
    assert "营商环境" in out and "no hits" not in out


def test_unreadable_journal_is_never_folded(
    db: Path, arts: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Store.open(db)
    s.add_tags(arts[0], ["in-journal"])
    journal = db.with_name(db.name + ".journal")
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    assert stat.S_IMODE(s.storage.lock_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(s.storage.owner_path.stat().st_mode) == 0o600
    s.storage._release()  # a crash
    before = snapshot(db.parent)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == journal:
            raise oserror(errno.EIO)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(DiskError) as got:
        Store.open(db)
    one_line(str(got.value), str(journal), "cannot read")
    monkeypatch.undo()
    assert snapshot(db.parent) == before
    with Store.open(db) as again:
        assert again.notes(arts[0].id).tags == ("in-journal",)


def test_apply_is_all_or_nothing(
    db: Path, arts: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Store.open(db)
    s.add_tags(arts[0], ["a"])
    storage = s.storage
    memory = {t: dict(v) for t, v in storage.read().items()}
    before = snapshot(db.parent)
    change = {"articles": {"1": None, "77": {"article_id": "x"}}, "extra": {"1": {"v": 1}}}
    monkeypatch.setattr(durable.os, "write", failing_write(errno.ENOSPC))
    with pytest.raises(DiskError):
        storage.commit_tables(change)
    assert snapshot(db.parent) == before
    with pytest.raises(DiskError) as got:
        storage.apply(change)
    one_line(str(got.value), "annotations.json.journal", "not saved")
    assert {t: dict(v) for t, v in storage.read().items() if v} == {
        t: v for t, v in memory.items() if v
    }
    assert snapshot(db.parent) == before
    monkeypatch.undo()
    storage.apply(change)
    storage._release()  # a crash
    with Store.open(db, readonly=True) as again:
        raw = again.storage.read()
        assert "1" not in raw["articles"] and raw["articles"]["77"] == {"article_id": "x"}
        assert raw["extra"] == {"1": {"v": 1}}


def test_corrupt_database_names_only_backups_that_exist(
    tmp_path: Path, arts: list[Article], capsys: pytest.CaptureFixture[str]
) -> None:
    """The message points at a file the user can restore, or says there is none."""
    main = cli_main()
    db = tmp_path / "annotations.json"
    db.write_text("{broken", encoding="utf-8")
    args = ["--corpus", str(SEEDS), "--db", str(db)]
    with pytest.raises(SystemExit) as got:
        main(["tags", *args])
    err = capsys.readouterr().err
    assert got.value.code == 2 and err.count("\n") == 1
    assert ".bak" not in err and "no backup" in err and db.read_text() == "{broken"
    db.unlink()
    with_backups(db, arts)
    db.write_text("{broken", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["tags", *args])
    err = capsys.readouterr().err
    assert f"restore a backup ({db.name}.bak.1, the newest; older: {db.name}.daily-" in err
