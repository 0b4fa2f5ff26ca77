"""Small command-line fixes from test user A: autocode refuses search syntax that matches
nothing (F27), full-width parentheses group in expressions (F28), no promise of an undo
nothing performs (F31), search says when it stops short (F34), optional sub-commands shown
as optional in the usage line."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.annotations.expressions import parse_expression

from .test_cli9_export import A, B, Cli


def test_autocode_refuses_search_syntax_that_matches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    for query in ('"营商环境"', "营商环境 -纪检", "营商环境 放管服"):
        code, out, err = cli("autocode", query, "码", "--unit", "match", "--dry-run")
        assert code == 2 and "not search syntax" in err and "literal" in err, (query, err)
    code, out, err = cli("autocode", "营商环境", "码", "--unit", "match")
    assert code == 0 and "one undo step" not in out and "cannot undo" in out
    code, out, _ = cli("autocode", "--help")
    assert "one undo step" not in out
    code, out, _ = cli("tag", "--help")
    assert "undo step" not in out


def test_full_width_parentheses_group(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_expression("（营商环境 or 党建）and not 安全") == parse_expression(
        "(营商环境 or 党建) and not 安全"
    )
    assert parse_expression("党建（新） or A") == ("or", ("tag", "党建（新）"), ("tag", "A"))
    assert parse_expression("A and（B）") == ("and", ("tag", "A"), ("tag", "B"))
    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("tag", A, "营商环境")[0] == 0
    assert cli("tag", B, "党建")[0] == 0
    code, out, err = cli("export", "--format", "csv", "--where", "（营商环境 or 党建）")
    assert code == 0, err
    assert A in out and B in out


def test_search_says_how_many_in_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    code, out, _ = cli("search", "发展", "--json", "--limit", "500")
    import json

    n = len(json.loads(out)["hits"])
    assert n > 3
    code, out, _ = cli("search", "发展", "--limit", "3")
    assert code == 0 and out.splitlines()[-1] == f"3 of {n} hits — --limit N for more"
    code, out, _ = cli("search", "发展", "--limit", str(n))
    assert "hits —" not in out


def test_optional_sub_commands_look_optional(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    code, out, _ = cli("codes", "--help")
    assert "[EDIT ...]" in out.split("\n\n")[0]
    code, out, _ = cli("terms", "--help")
    assert "[reject TERM]" in out.split("\n\n")[0]
