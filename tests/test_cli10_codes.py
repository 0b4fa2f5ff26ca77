"""``codes merge``/``delete`` check the codes they name before asking for ``--yes``: the
question came first, and with ``--yes`` the edit was then refused anyway."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_cli9_export import A, B, Cli


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (("merge", "民生", "民生"), "piyue: cannot merge '民生' into itself\n"),
        (("merge", "民生", " 民生 "), "piyue: cannot merge '民生' into itself\n"),
        (("merge", "民生", "不存在"), "piyue: no code '不存在' in the codebook\n"),
        (("merge", "无此码", "民生"), "piyue: no code '无此码' in the codebook\n"),
        (("delete", "无此码"), "piyue: no code '无此码' in the codebook\n"),
    ],
)
def test_a_bad_merge_is_refused_before_the_yes_question(
    edit: tuple[str, ...], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("--coder", "alice", "tag", A, "民生")[0] == 0
    assert cli("--coder", "bob", "tag", B, "民生")[0] == 0
    before = (tmp_path / "a.json").read_bytes()
    for yes in ((), ("--yes",)):
        code, out, err = cli("codes", *edit, *yes)
        assert (code, out, err) == (2, "", said), yes
    assert (tmp_path / "a.json").read_bytes() == before


def test_a_good_merge_still_asks_then_merges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("--coder", "alice", "tag", A, "民生")[0] == 0
    assert cli("--coder", "alice", "tag", B, "经济")[0] == 0
    code, _, err = cli("codes", "merge", "民生", "经济")
    assert code == 2 and "add --yes" in err
    code, out, err = cli("codes", "merge", "民生", "经济", "--yes")
    assert (code, out) == (0, "merge: 民生 → 经济\n")
    assert err.startswith("piyue: the codings as they were before are in ")  # store10b


def test_move_says_where_the_code_went(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("tag", A, "民生", "经济")[0] == 0
    assert cli("codes", "move", "民生", "经济") == (0, "move: 民生 → 经济\n", "")
    assert cli("codes", "move", "民生", "") == (0, "move: 民生 → (top level)\n", "")


@pytest.mark.parametrize("cmd", ["export", "import"])
def test_export_and_import_help_say_what_they_do(
    cmd: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = Cli(tmp_path / "a.json", capsys)(cmd, "--help")
    assert code == 0
    usage, _, rest = out.partition("\n\n")
    assert rest.split()[0] in ("Export", "Read"), rest  # a description before the options
