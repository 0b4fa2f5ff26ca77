"""Codings made in the reader under PIYUE_CODER, read on the command line under the login
name: every read of "your" codings says in one line whose codings there are (testerC F3)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli import main

HINT = "piyue: you (登录名) have coded nothing here; coders: 研究者 — use --coder 研究者 or --coder all\n"
AID = "003_cbd287e44765a48a-64ebaed8"


@pytest.fixture
def args(seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The seeds, one article tagged by 研究者; the command line's coder is 登录名."""
    base = ["--corpus", str(seeds_copy), "--db", str(tmp_path / "db.json")]
    assert main([*base, "tag", "--coder", "研究者", AID, "营商环境"]) == 0
    monkeypatch.setitem(os.environ, "PIYUE_CODER", "登录名")
    return base


@pytest.mark.parametrize(
    "command",
    [
        ["codes"],
        ["retrieve", "营商环境"],
        ["stats"],
        ["cooccur"],
        ["show", AID],
        ["export", "--format", "jsonl"],
    ],
)
def test_a_read_of_your_codings_names_the_coders_there_are(
    args: list[str], capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    capsys.readouterr()
    assert main([*args, *command]) == 0
    err = capsys.readouterr().err
    assert err.count(HINT) == 1, err


def test_no_hint_with_a_coder_given_or_codings_of_your_own(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    for command in (["codes", "--coder", "研究者"], ["retrieve", "营商环境", "--coder", "all"]):
        assert main([*args, *command]) == 0
        assert "coded nothing" not in capsys.readouterr().err
    assert main([*args, "codes", "--coder", "研究者"]) == 0
    assert "1 tagged article" in capsys.readouterr().out
    # 登录名 codes something: its own (empty) results are real, no hint
    assert main([*args, "tag", AID, "党建"]) == 0
    capsys.readouterr()
    assert main([*args, "retrieve", "营商环境"]) == 0
    got = capsys.readouterr()
    assert "coded nothing" not in got.err and "nothing coded with that" in got.out


def test_no_hint_in_an_empty_database(
    seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--corpus", str(seeds_copy), "--db", str(tmp_path / "d.json"), "codes"]) == 0
    assert "coded nothing" not in capsys.readouterr().err
