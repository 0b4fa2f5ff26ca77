"""Importing an older export does not bring back the tags a coder removed since (store10,
fault 3: ``import`` only added, so re-importing yesterday's export undid today's untag).  The
store keeps when each tag was removed; an export record says when its article's codings were
last changed; an import leaves out what was removed here after that, and says so."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from storage.annotations import Store

from .test_cli9_export import A, B, Cli


def _tags(db: Path, aid: str, coder: str = "测试员") -> set[str]:
    with Store.open(db, readonly=True) as s:
        return set(s.notes(aid, coders=[coder]).tags)


def test_an_older_export_does_not_bring_back_a_removed_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.json"
    cli = Cli(db, capsys)
    assert cli("tag", A, "留下", "去掉")[0] == 0
    assert cli("tag", B, "乙")[0] == 0
    old = tmp_path / "old.jsonl"
    assert cli("export", "-o", str(old))[0] == 0
    assert all(json.loads(x)["updated"] for x in old.read_text("utf-8").splitlines())
    time.sleep(0.01)
    assert cli("untag", A, "去掉")[0] == 0
    assert cli("untag", B, "乙")[0] == 0
    code, out, err = cli("import", str(old))
    assert code == 0, err
    assert "2 tags removed here since that export left out" in out
    assert _tags(db, A) == {"留下"} and _tags(db, B) == set()
    # codings changed after the removal (on another machine, say) have the last word
    rec = json.loads(old.read_text("utf-8").splitlines()[0])
    assert rec["id"] == A
    time.sleep(0.01)
    rec["updated"] = time.time()
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = cli("import", str(newer))
    assert code == 0 and "removed here" not in out and _tags(db, A) == {"留下", "去掉"}
    # and once tagged again here, a removal before that is history
    assert cli("untag", A, "去掉")[0] == 0 and cli("tag", A, "去掉")[0] == 0
    with Store.open(db, readonly=True) as s:
        assert s.removed_since(A, 0.0) == set()


def test_a_record_without_a_time_still_adds_and_says_how_many(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An export of an older piyue says nothing of when: its tags come in, counted."""
    db = tmp_path / "a.json"
    cli = Cli(db, capsys)
    assert cli("tag", A, "去掉")[0] == 0
    old = tmp_path / "old.jsonl"
    assert cli("export", "-o", str(old))[0] == 0
    rec = json.loads(old.read_text("utf-8"))
    del rec["updated"]
    old.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    assert cli("untag", A, "去掉")[0] == 0
    code, out, _ = cli("import", str(old))
    assert code == 0 and "+1 tag" in out and _tags(db, A) == {"去掉"}


def test_a_code_renamed_or_deleted_since_is_not_brought_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.json"
    cli = Cli(db, capsys)
    assert cli("tag", A, "旧名", "删了")[0] == 0
    old = tmp_path / "old.jsonl"
    assert cli("export", "-o", str(old))[0] == 0
    time.sleep(0.01)
    with Store.open(db) as s:
        s.rename_code("旧名", "新名")
        s.delete_code("删了")
    code, out, _ = cli("import", str(old))
    assert code == 0 and "2 tags removed here since that export left out" in out
    assert _tags(db, A) == {"新名"}
