"""Flags given empty: ``--corpus ""`` read the current folder (a README taken for a page,
status 0) and ``--db ""`` was called "a folder"; both are refused like ``--coder ""``."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [
        ("--corpus", "", "list", "--json"),
        ("list", "--corpus", ""),
        ("--corpus=", "list"),
        ("--corpus", "  ", "show", "x"),
        ("--corpus", ""),  # the reader: refused before it opens
    ],
)
def test_an_empty_corpus_is_refused(
    argv: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "README.md").write_text("# 不是报纸\n\n一段文字。\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("piyue: --corpus is empty: give a folder") and err.count("\n") == 1


@pytest.mark.parametrize("argv", [("--db", "", "tags"), ("tags", "--db", "")])
def test_an_empty_db_is_refused(
    argv: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("piyue: --db is empty: give the database file") and err.count("\n") == 1
