"""CSV cells show control characters as pictures: an ESC in a note (imported, or typed
through ``piyue note``) reached the spreadsheet raw; JSON Lines keeps the text exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.export import cell

from .test_cli9_export import A, B, Cli

NOTE = "note with \x1b[2J clear\x07 and\r\na second line"


def test_cell_shows_control_characters_as_pictures() -> None:
    assert cell("a\x1b[2Jb\x07") == "a␛[2Jb␇"
    assert cell("两行\n\t缩进") == "两行\n\t缩进"  # newlines and tabs stay: CSV quotes them
    assert cell("=1+1") == "'=1+1" and cell("\x1b=") == "␛="
    assert cell(None) == "" and cell(3) == "3"


def test_csv_outputs_carry_no_raw_control_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("--coder", "alice", "tag", A, "营商环境")[0] == 0
    assert cli("--coder", "alice", "note", A, NOTE)[0] == 0
    assert (
        cli("--coder", "alice", "highlight", B, "营商环境", "--tag", "=码", "--note", NOTE)[0] == 0
    )
    assert cli("--coder", "bob", "tag", A, "营商环境")[0] == 0
    outputs = {}
    for argv in (
        ("--coder", "alice", "export", "--format", "csv"),
        ("--coder", "alice", "export", "--format", "csv", "--per", "highlight"),
        ("--coder", "alice", "retrieve", "营商环境", "--format", "csv"),
        ("--coder", "alice", "retrieve", "=码", "--format", "csv"),
        ("--coder", "alice", "stats", "--format", "csv"),
        ("--coder", "alice", "cooccur", "--format", "csv"),
        ("agree", "alice", "bob", "--format", "csv"),
    ):
        code, out, err = cli(*argv)
        assert code == 0, (argv, err)
        outputs[argv] = out
        assert "\x1b" not in out and "\x07" not in out, argv
        assert "\n=码" not in out and ",=码" not in out, argv  # the formula is neutralised
    assert "␛[2J clear␇" in outputs[("--coder", "alice", "export", "--format", "csv")]
    code, out, _ = cli("--coder", "alice", "export")
    notes = [json.loads(x)["note"] for x in out.splitlines()]
    assert code == 0 and NOTE in notes  # JSON Lines: exact, by design
