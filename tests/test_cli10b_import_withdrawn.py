"""Re-importing a coder's corrected export removes what they withdrew (test user A, F26:
agreement and adjudication ran on a tag and a passage the coder had taken back), and an
older export does not define again a code renamed or deleted here since."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from storage.annotations import Store

from .test_cli9_export import A, Cli


def test_a_newer_export_of_theirs_replaces_their_codings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bob = Cli(tmp_path / "bob.json", capsys)
    assert bob("--coder", "bob", "tag", A, "营商环境", "党建")[0] == 0
    assert bob("--coder", "bob", "highlight", A, "制造业", "--tag", "营商环境")[0] == 0
    v1 = tmp_path / "v1.jsonl"
    assert bob("--coder", "bob", "export", "-o", str(v1))[0] == 0
    carol = Cli(tmp_path / "carol.json", capsys)
    code, out, err = carol("--coder", "carol", "import", str(v1))
    assert code == 0, err
    time.sleep(0.01)
    # bob withdraws the tag 营商环境 and his passage, and exports again
    rec = json.loads(v1.read_text("utf-8"))
    rec["tags"] = ["党建"]
    rec["highlights"] = []
    rec["updated"] = time.time()
    v2 = tmp_path / "v2.jsonl"
    v2.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, err = carol("--coder", "carol", "import", str(v2))
    assert code == 0, err
    assert "2 codings withdrawn in that newer file removed here" in out
    with Store.open(tmp_path / "carol.json", readonly=True) as s:
        assert s.notes(A, ["bob"]).tags == ("党建",)
        assert s.highlights(A, ["bob"]) == []
    code, out, _ = carol("--coder", "carol", "import", str(v1))  # the older one again
    assert code == 0 and "withdrawn" not in out
    with Store.open(tmp_path / "carol.json", readonly=True) as s:
        assert "营商环境" not in s.notes(A, ["bob"]).tags


def test_a_code_removed_from_a_passage_goes_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bob = Cli(tmp_path / "bob.json", capsys)
    assert bob("--coder", "bob", "tag", A, "党建")[0] == 0
    assert bob("--coder", "bob", "highlight", A, "制造业", "--tag", "甲", "--tag", "乙")[0] == 0
    v1 = tmp_path / "v1.jsonl"
    assert bob("--coder", "bob", "export", "-o", str(v1))[0] == 0
    carol = Cli(tmp_path / "carol.json", capsys)
    assert carol("--coder", "carol", "import", str(v1))[0] == 0
    time.sleep(0.01)
    rec = json.loads(v1.read_text("utf-8"))
    rec["highlights"][0]["tags"] = ["甲"]
    rec["updated"] = time.time()
    v2 = tmp_path / "v2.jsonl"
    v2.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = carol("--coder", "carol", "import", str(v2))
    assert code == 0 and "1 coding withdrawn" in out
    with Store.open(tmp_path / "carol.json", readonly=True) as s:
        assert [h.tags for h in s.highlights(A, ["bob"])] == [("甲",)]


def test_an_older_export_does_not_define_a_code_deleted_here(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.json"
    cli = Cli(db, capsys)
    assert cli("tag", A, "留下", "删了")[0] == 0
    old = tmp_path / "old.jsonl"
    assert cli("export", "-o", str(old))[0] == 0
    assert "删了" in {c["name"] for c in json.loads(old.read_text("utf-8"))["codes"]}
    time.sleep(0.01)
    with Store.open(db) as s:
        s.delete_code("删了")
    code, _out, err = cli("import", str(old))
    assert code == 0
    assert "left out: 1 code renamed or deleted here since that export (删了)" in err
    with Store.open(db, readonly=True) as s:
        assert "删了" not in {d.name for d in s.tag_defs()}
