"""Reports say it right (test user A): the Markdown header counts articles, not coder
records (F23); a tagged article's uncoded passages are not listed as "untagged" (F33);
``orphans`` names whose each orphan is (F24); ``codes merge`` says which children moved
(F32)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.annotations import Store

from .test_cli9_export import A, B, Cli


def test_markdown_counts_articles_and_keeps_memo_passages_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("--coder", "alice", "tag", A, "营商环境")[0] == 0
    assert cli("--coder", "bob", "tag", A, "党建")[0] == 0
    assert cli("--coder", "bob", "highlight", A, "制造业", "--note", "只有笔记")[0] == 0
    assert cli("--coder", "bob", "note", B, "未标注的笔记")[0] == 0
    code, out, err = cli("--coder", "all", "export", "--format", "md")
    assert code == 0, err
    assert "2 篇 articles, 3 条编码记录 coder records ·" in out
    head, _, memos = out.partition("## (未编码段落 uncoded passages)")
    assert memos and "只有笔记" in memos and "只有笔记" not in head
    untagged = head.partition("## (未标注 untagged)")[2]
    assert "未标注的笔记" in untagged and "制造业" not in untagged
    assert "标注文章 tagged articles" in out


def test_orphans_name_their_coder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    rec = {
        "id": A,
        "provenance": {"coder": "bob"},
        "tags": ["营商环境"],
        "highlights": [{"start": 0, "end": 3, "quote": "没有这句话", "tags": ["码"]}],
    }
    f = tmp_path / "bob.jsonl"
    f.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    assert cli("import", str(f))[0] == 0
    code, out, _ = cli("orphans")
    (line,) = out.splitlines()
    assert code == 0 and line.split()[:2] == ["highlight", "bob"] and "#码" in line


def test_merging_a_parent_says_which_children_moved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.json"
    cli = Cli(db, capsys)
    assert cli("tag", A, "经济发展")[0] == 0
    with Store.open(db) as s:
        s.define_tag("营商环境", parent="经济发展")
        s.define_tag("制造业", parent="经济发展")
    code, out, err = cli("codes", "merge", "经济发展", "营商环境", "--yes")
    assert code == 0, err
    assert out.splitlines() == ["merge: 经济发展 → 营商环境", "moved under 营商环境: 制造业"]
