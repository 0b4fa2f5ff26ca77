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
