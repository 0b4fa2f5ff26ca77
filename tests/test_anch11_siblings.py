"""testerB F21: several items of one headline on a page (``简讯``) are numbered ``-2``,
``-3`` by position; an item added above shifts every number, and the article codings
must follow their text to the sibling that now holds it, as the passages do — and say so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_anch10_anchoring import ids, orphans, run, tagged

ITEMS = {
    "展览": "昨日，市图书馆举办古籍修复展览，吸引市民参观。",
    "电梯": "老旧小区加装电梯工作启动，首批十个小区试点。",
    "公交": "本月起新开两条公交线路，方便西工区居民出行。",
    "新的": "市民政局发布冬季救助通知，各区设立临时避寒点。",
}


def brief_page(*keys: str) -> str:
    return "".join(f"## 简讯\n\n{ITEMS[k]}\n\n" for k in keys)


def item_of(capsys: pytest.CaptureFixture[str], root: Path, db: Path, key: str) -> str:
    """The id of the item holding ``key``'s text now."""
    for aid in ids(capsys, root, db):
        out, _ = run(capsys, root, db, "show", aid)
        if ITEMS[key] in out:
            return aid
    raise AssertionError(key)


@pytest.mark.parametrize("indexed", [False, True])
def test_an_item_added_above_takes_no_codings_from_its_neighbours(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, indexed: bool
) -> None:
    root, db = tmp_path / "arch", tmp_path / "a.json"
    page = root / "简讯测试" / "2015-07-10" / "02.md"
    page.parent.mkdir(parents=True)
    page.write_text(brief_page("展览", "电梯", "公交"), "utf-8")
    if indexed:
        run(capsys, root, db, "index")
    lift = item_of(capsys, root, db, "电梯")
    bus = item_of(capsys, root, db, "公交")
    assert lift.endswith("-2") and bus.endswith("-3")
    run(capsys, root, db, "tag", lift, "电梯")
    run(capsys, root, db, "note", lift, "about lifts")
    run(capsys, root, db, "highlight", lift, "加装电梯", "--tag", "电梯段")
    run(capsys, root, db, "tag", bus, "公交")
    page.write_text(brief_page("新的", "展览", "电梯", "公交"), "utf-8")
    _, err = run(capsys, root, db, "index" if indexed else "list")
    now_lift, now_bus = item_of(capsys, root, db, "电梯"), item_of(capsys, root, db, "公交")
    assert now_lift == bus and now_bus.endswith("-4")
    assert "moved with their text" in err and f"{lift} → {now_lift}" in err
    assert tagged(capsys, root, db, "电梯") == [now_lift]
    assert tagged(capsys, root, db, "电梯段") == [now_lift]
    assert tagged(capsys, root, db, "公交") == [now_bus]
    out, _ = run(capsys, root, db, "export", "--format", "jsonl")
    notes = {json.loads(x)["id"]: json.loads(x).get("note") for x in out.splitlines() if x}
    assert notes.get(now_lift) == "about lifts" and not notes.get(lift)
    assert orphans(capsys, root, db) == []
    _, err = run(capsys, root, db, "list")
    assert "moved" not in err  # said once


def test_an_item_edited_in_place_keeps_its_codings_beside_a_copy(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Two copies of one item (an OCR duplicate); the first is corrected in place: its
    codings stay on it, not on the untouched copy that already held the old text."""
    root, db = tmp_path / "arch", tmp_path / "a.json"
    page = root / "简讯测试" / "2015-07-10" / "02.md"
    page.parent.mkdir(parents=True)
    page.write_text(brief_page("电梯", "电梯", "公交"), "utf-8")
    first = ids(capsys, root, db)[0]
    run(capsys, root, db, "tag", first, "电梯")
    page.write_text(
        brief_page("电梯", "电梯", "公交").replace("首批十个", "首批十二个", 1), "utf-8"
    )
    _, err = run(capsys, root, db, "list")
    assert "moved" not in err
    assert tagged(capsys, root, db, "电梯") == [first]


def test_an_item_removed_above_takes_the_codings_back_one_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root, db = tmp_path / "arch", tmp_path / "a.json"
    page = root / "简讯测试" / "2015-07-10" / "02.md"
    page.parent.mkdir(parents=True)
    page.write_text(brief_page("展览", "电梯", "公交"), "utf-8")
    run(capsys, root, db, "index")
    lift, bus = item_of(capsys, root, db, "电梯"), item_of(capsys, root, db, "公交")
    run(capsys, root, db, "tag", lift, "电梯")
    run(capsys, root, db, "highlight", lift, "加装电梯", "--tag", "电梯段")
    run(capsys, root, db, "tag", bus, "公交")
    page.write_text(brief_page("电梯", "公交"), "utf-8")  # the exhibition item was an error
    _, err = run(capsys, root, db, "index")
    assert "item added or removed above" in err
    assert tagged(capsys, root, db, "电梯") == [item_of(capsys, root, db, "电梯")]
    assert tagged(capsys, root, db, "电梯段") == [item_of(capsys, root, db, "电梯")]
    assert tagged(capsys, root, db, "公交") == [item_of(capsys, root, db, "公交")]
    assert orphans(capsys, root, db) == []
