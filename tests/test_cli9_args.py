"""Arguments: an unquoted ``-word`` exclusion in a search, every command in the usage line,
result counts below one refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import MODULES

from .test_cli9_export import Cli


def test_search_takes_unquoted_exclusions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    code, out, err = cli("search", "营商环境", "-党建", "--json")
    assert code == 0, err
    code, quoted, _ = cli("search", "营商环境 -党建", "--json")
    assert json.loads(out) == json.loads(quoted) and json.loads(out)["hits"]
    for argv in (("search", "-党建"), ("search", "--", "-党建"), ("search",)):
        code, out, err = cli(*argv)
        assert code == 2 and out == "" and err.count("\n") == 1, argv
    code, _, err = cli("search", "营商环境", "--bogus")
    assert code == 2 and "unrecognized arguments: --bogus" in err


def test_usage_names_every_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    code, _, err = cli("list", "--bogus")
    assert code == 2
    for cmds in MODULES.values():
        for c in cmds:
            assert c in err, c


@pytest.mark.parametrize("argv", [("kwic", "营商"), ("terms",)])
def test_a_limit_of_zero_is_refused(
    argv: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    code, out, err = cli(*argv, "--limit", "0")
    assert code == 2 and out == "" and err == "piyue: --limit must be at least 1\n"


def test_deleting_or_merging_a_code_in_use_needs_yes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``codes delete`` removed every coder's codings at once, with no confirmation and no
    undo on the command line (a tester lost another coder's tag)."""
    from .test_cli9_export import A, B

    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("--coder", "carol", "tag", A, "营商环境")[0] == 0
    assert cli("--coder", "dave", "tag", B, "营商环境", "党建")[0] == 0
    before = (tmp_path / "a.json").read_bytes()
    for edit in (("delete", "营商环境"), ("merge", "营商环境", "党建")):
        code, out, err = cli("--coder", "carol", "codes", *edit)
        assert code == 2 and out == "" and err.count("\n") == 1, edit
        assert "2 articles" in err and "carol 1, dave 1" in err and "--yes" in err
    assert (tmp_path / "a.json").read_bytes() == before
    assert cli("codes", "describe", "营商环境", "说明")[0] == 0  # other edits: as before
    assert cli("codes", "colour", "党建", "#112233")[0] == 0
    assert cli("tag", A, "空码")[0] == 0 and cli("untag", A, "空码")[0] == 0
    assert cli("codes", "delete", "空码")[0] == 0  # codes nothing: no question
    code, out, _ = cli("codes", "delete", "营商环境", "--yes")
    assert code == 0 and out == "deleted 营商环境 (2 articles, 0 passages)\n"
