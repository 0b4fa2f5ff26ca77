"""Codings go with the text they were made on: two pages swapped on disk (a renumbering
fix) take their tags, notes and passages along to the other id, and say so; a renamed
folder's codings follow its page even when an uncoded copy of it was already elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_anch10_anchoring import ids, orphans, papers, run, tagged

__all__ = ["papers"]  # a fixture

HEAD = "## 学习讨论持续俩月\n\n"


def swap_pages(root: Path) -> tuple[Path, Path]:
    """Two pages of one day, each with an article of the same headline (same id hash)."""
    day = root / "洛阳日报" / "2015" / "06" / "01"
    day.mkdir(parents=True)
    three, eight = day / "03.md", day / "08.md"
    three.write_text(HEAD + "活动一经启动，迅速在涧西区铺开。\n\n第三版的第二段。\n", "utf-8")
    eight.write_text(HEAD + "为切实解决问题、抢抓机遇，各部门行动。\n\n第八版另一段。\n", "utf-8")
    return three, eight


def coded(capsys: pytest.CaptureFixture[str], root: Path, db: Path) -> tuple[str, str]:
    got = ids(capsys, root, db)
    three = next(i for i in got if "/03-" in i)
    eight = next(i for i in got if "/08-" in i)
    run(capsys, root, db, "tag", three, "SW03")
    run(capsys, root, db, "note", three, "page three")
    run(capsys, root, db, "highlight", three, "活动一经启动", "--tag", "SWP03")
    run(capsys, root, db, "tag", eight, "SW08")
    run(capsys, root, db, "note", eight, "page eight")
    run(capsys, root, db, "highlight", eight, "为切实解决问题", "--tag", "SWP08")
    return three, eight


def text_of(capsys: pytest.CaptureFixture[str], root: Path, db: Path, aid: str) -> str:
    out, _ = run(capsys, root, db, "show", aid)
    return out


@pytest.mark.parametrize("indexed", [False, True])
def test_two_swapped_pages_take_their_codings_to_the_other_id(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, indexed: bool
) -> None:
    root, db = tmp_path / "arch", tmp_path / "a.json"
    three_md, eight_md = swap_pages(root)
    if indexed:
        run(capsys, root, db, "index")
    three, eight = coded(capsys, root, db)
    a, b = three_md.read_text("utf-8"), eight_md.read_text("utf-8")
    three_md.write_text(b, "utf-8")
    eight_md.write_text(a, "utf-8")
    _, err = run(capsys, root, db, "index" if indexed else "list")
    assert "4 codings moved with their text" in err  # 2 tags+notes, 2 passages: said, where
    assert f"{three} → {eight}" in err and f"{eight} → {three}" in err
    assert tagged(capsys, root, db, "SW03") == [eight]  # the text coded SW03 is now 08
    assert tagged(capsys, root, db, "SW08") == [three]
    out, _ = run(capsys, root, db, "retrieve", "SWP03 or SWP08", "--json")
    items = {i["article_id"]: i for i in json.loads(out)["items"]}
    assert set(items) == {three, eight}
    assert "活动一经启动" in json.dumps(items[eight], ensure_ascii=False)
    assert "为切实解决问题" in json.dumps(items[three], ensure_ascii=False)
    out, _ = run(capsys, root, db, "export", "--format", "jsonl")
    notes = {json.loads(x)["id"]: json.loads(x).get("note") for x in out.splitlines() if x}
    assert notes.get(eight) == "page three" and notes.get(three) == "page eight"
    assert orphans(capsys, root, db) == []
    _, err = run(capsys, root, db, "list")
    assert "moved" not in err  # said once


def test_a_text_edited_in_place_keeps_its_codings_and_two_candidates_move_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root, db = tmp_path / "arch", tmp_path / "a.json"
    three_md, eight_md = swap_pages(root)
    three, eight = coded(capsys, root, db)
    a = three_md.read_text("utf-8")
    three_md.write_text(a.replace("铺开", "全面铺开"), "utf-8")  # an OCR fix: stays
    eight_md.write_text(a, "utf-8")  # 08 now holds 03's old text, 03 changed: one candidate
    (three_md.parent / "09.md").write_text(a, "utf-8")  # …and a new page holds it too
    _, err = run(capsys, root, db, "list")
    assert "moved with their text" not in err
    assert tagged(capsys, root, db, "SW03") == [three]
    assert tagged(capsys, root, db, "SW08") == [eight]


def test_a_renamed_folder_takes_its_codings_past_an_uncoded_copy_already_there(
    capsys: pytest.CaptureFixture[str], papers: Path, tmp_path: Path
) -> None:
    """testerB F5: 甲报's page has a byte-identical copy in 乙报 (a backup); only the new
    page (the rename) is a candidate, so the codings follow it, not the copy."""
    db = tmp_path / "a.json"
    run(capsys, papers, db, "index")
    coded = next(i for i in ids(capsys, papers, db) if i.startswith("甲报/"))
    run(capsys, papers, db, "tag", coded, "营商")
    run(capsys, papers, db, "note", coded, "我的备注")
    run(capsys, papers, db, "highlight", coded, "营商环境", "--tag", "营商")
    (papers / "甲报").rename(papers / "甲报 另一个名称")
    _, err = run(capsys, papers, db, "index")
    assert "2 to pages renamed or moved (甲报/2020/03/01/ 2 → 甲报 另一个名称/2020/03/01/ 2)" in err
    moved = coded.replace("甲报/", "甲报 另一个名称/", 1)
    assert tagged(capsys, papers, db, "营商") == [moved, moved]
    assert orphans(capsys, papers, db) == []
