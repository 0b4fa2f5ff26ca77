"""An export taken before a day folder was renamed: its codings, imported, are found by their
text on the renamed pages, as your own are (testerD F4: they stayed orphans until attached one
by one)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .test_coding_workflow import cli


def test_an_import_finds_codings_on_a_renamed_day_folder(
    tmp_path: Path, seeds_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day = tmp_path / "arch" / "洛阳日报" / "2019" / "01" / "05"
    day.mkdir(parents=True)
    for i, page in enumerate(sorted(seeds_copy.glob("*.txt"))[-2:], start=3):
        shutil.copy(page, day / f"0{i}.txt")
    arch = str(tmp_path / "arch")
    mine = ["--corpus", arch, "--db", str(tmp_path / "a.json"), "--coder", "甲"]
    _code, out, _err = cli(capsys, *mine, "list", "--json")
    arts = [a for i in json.loads(out)["issues"] for a in i["articles"]]
    aid = next(a["id"] for a in arts if a["title"].startswith("均和云谷"))
    assert cli(capsys, *mine, "tag", aid, "园区")[0] == 0
    assert cli(capsys, *mine, "highlight", aid, "均和云谷", "--tag", "园区")[0] == 0
    assert cli(capsys, *mine, "export", "-o", str(tmp_path / "before.jsonl"))[0] == 0
    day.rename(day.parent / "07")  # a misdated day, put right
    theirs = ["--corpus", arch, "--db", str(tmp_path / "b.json"), "--coder", "乙"]
    code, out, err = cli(
        capsys, *theirs, "import", str(tmp_path / "before.jsonl"), "--as-coder", "旧导出"
    )
    assert code == 0 and "2 codings found again" in out
    assert "kept as orphans" not in out and "orphan:" not in err
    assert "no orphans" in cli(capsys, *theirs, "orphans")[1].lower()
    code, out, _err = cli(capsys, *theirs, "retrieve", "园区", "--coder", "旧导出", "--json")
    items = json.loads(out)["items"]
    assert {i["kind"] for i in items} == {"article", "passage"}
    assert all("/07/" in i["article_id"] for i in items)
