"""Faults of the disk on the command line: a search with no index says so (never "no
hits"), SQLite's "disk I/O error" on a full disk reads as a full disk, a corpus export that
fails half-way leaves nothing that looks complete, ``--db`` never makes folders silently."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from storage import export as ex
from storage.errors import explain, os_errno
from storage.locations import cache_dir
from storage.pagerow import index_path

from .conftest import SEEDS
from .test_cli9_export import A, B, Cli


def test_search_without_an_index_is_unavailable_not_no_hits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    index_path(cache_dir(), SEEDS).mkdir(parents=True)  # no index can be made there
    code, out, err = cli("search", "营商环境")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "search is unavailable" in err and "piyue kwic" in err
    code, out, _ = cli("kwic", "营商环境")  # the word is there
    assert code == 0 and "营商环境" in out


def test_sqlite_io_error_on_a_full_disk_says_no_space(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    from collections import namedtuple

    exc = sqlite3.OperationalError("disk I/O error")
    assert os_errno(exc) == errno.EIO
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10 << 20, 10 << 20, 4096))
    line = explain(exc, tmp_path / "index.sqlite")
    assert "no space left on device — free some space" in line and "failing" not in line
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10 << 30, 1 << 30, 9 << 30))
    assert "the disk may be failing" in explain(exc, tmp_path / "index.sqlite")
    assert "failing" in explain(OSError(errno.EIO, "Input/output error"), tmp_path / "x")


def test_corpus_export_failing_half_way_leaves_no_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("tag", A, "码")[0] == 0 and cli("tag", B, "码")[0] == 0
    real = ex._write_tokens
    calls = []

    def second_fails(*args: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise ex.disk_error(OSError(errno.ENOSPC, "No space left on device"), args[3])  # type: ignore[arg-type]
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(ex, "_write_tokens", second_fails)
    out = tmp_path / "exp" / "corp"
    out.parent.mkdir()
    code, _, err = cli("export", "--format", "corpus", "-o", str(out))
    assert code == 2 and f"cannot write {out}/" in err and "no space left" in err
    assert list(out.parent.iterdir()) == []  # no folder, no hidden leftovers
    monkeypatch.setattr(ex, "_write_tokens", real)
    code, _, err = cli("export", "--format", "corpus", "-o", str(out))
    assert code == 0 and sorted(p.name for p in out.iterdir()) == [f"{A}.txt", f"{B}.txt"]
    assert [p.name for p in out.parent.iterdir()] == ["corp"] and oct(out.stat().st_mode)[
        -3:
    ] == "755"


def test_db_in_a_missing_folder_is_refused_and_a_new_one_is_announced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "nonexistent" / "dir" / "a.json"
    cli = Cli(gone, capsys)
    code, out, err = cli("tag", A, "x")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"--db {gone}: the folder {gone.parent} does not exist" in err
    assert not (tmp_path / "nonexistent").exists()
    monkeypatch.setenv("PIYUE_DB", str(gone))
    capsys.readouterr()
    from cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--corpus", str(SEEDS), "tags"])
    assert exc.value.code == 2 and "PIYUE_DB" in capsys.readouterr().err
    monkeypatch.delenv("PIYUE_DB")
    new = Cli(tmp_path / "b.json", capsys)
    code, out, err = new("tags")  # a read: nothing made, nothing said
    assert code == 0 and err == "" and not (tmp_path / "b.json").exists()
    code, out, err = new("tag", A, "x")
    assert code == 0 and err == (
        f"piyue: new database created at {tmp_path / 'b.json'}\npiyue: new code x\n"
    )
    code, out, err = new("tag", A, "y")
    assert code == 0 and err == "piyue: new code y\n"  # said once: the database is not new
