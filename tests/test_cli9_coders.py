"""``piyue coders``: the notes column counts every note of a coder, passage notes too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli9_export import A, B, Cli


def test_coders_notes_count_article_and_passage_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("--coder", "alice", "note", A, "文章笔记")[0] == 0
    assert (
        cli("--coder", "alice", "highlight", A, "涧西", "--tag", "地点", "--note", "段注")[0] == 0
    )
    assert cli("--coder", "alice", "highlight", B, "营商环境", "--tag", "码")[0] == 0
    assert cli("--coder", "bob", "highlight", B, "营商环境", "--note", "乙注")[0] == 0
    code, out, _ = cli("coders", "--json")
    rows = {r["name"]: r for r in json.loads(out)["coders"]}
    assert code == 0 and rows["alice"]["notes"] == 2 and rows["bob"]["notes"] == 1
    assert rows["alice"]["passages"] == 2 and rows["alice"]["read"] == 0
    code, out, _ = cli("coders")
    (alice,) = [x for x in out.splitlines() if x.startswith("alice")]
    assert alice.split()[1:] == ["2", "0", "2", "2", "0"]
