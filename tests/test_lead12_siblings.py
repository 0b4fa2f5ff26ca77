"""A coded item of a run of same-headline items (简讯) deleted from its page: its codings do
not land on the item that now has its number; they are orphans, listed and re-attachable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_anch10_anchoring import ids, orphans, run, tagged
from tests.test_anch11_siblings import brief_page, item_of


@pytest.mark.parametrize("indexed", [False, True])
def test_a_coded_item_deleted_leaves_its_codings_to_no_other_item(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, indexed: bool
) -> None:
    root, db = tmp_path / "arch", tmp_path / "a.json"
    page = root / "简讯测试" / "2015-07-10" / "02.md"
    page.parent.mkdir(parents=True)
    page.write_text(brief_page("展览", "电梯", "公交"), "utf-8")
    if indexed:
        run(capsys, root, db, "index")
    lift, bus = item_of(capsys, root, db, "电梯"), item_of(capsys, root, db, "公交")
    run(capsys, root, db, "tag", lift, "电梯")
    run(capsys, root, db, "note", lift, "about lifts")
    run(capsys, root, db, "highlight", lift, "加装电梯", "--tag", "电梯段")
    run(capsys, root, db, "tag", bus, "公交")
    page.write_text(brief_page("展览", "公交"), "utf-8")  # the lift item was withdrawn
    run(capsys, root, db, "index" if indexed else "list")
    now_bus = item_of(capsys, root, db, "公交")
    assert now_bus == lift  # the bus item has the lift item's number now…
    assert tagged(capsys, root, db, "电梯") == []  # …but not its codings
    assert tagged(capsys, root, db, "电梯段") == []
    assert tagged(capsys, root, db, "公交") == [now_bus]
    out, _ = run(capsys, root, db, "show", now_bus)
    assert "about lifts" not in out and "电梯" not in out.split("\n", 3)[-1].split("#")[-1]
    lost = orphans(capsys, root, db)  # the article's codings and its passage, on its page
    assert len(lost) == 2 and len(set(lost)) == 1
    assert lost[0].startswith(lift.rsplit("-", 1)[0]) and lost[0] not in ids(capsys, root, db)
    out, _ = run(capsys, root, db, "orphans")
    assert "电梯" in out and "加装电梯" in out
    # the item put back: its codings are found again on it
    page.write_text(brief_page("展览", "电梯", "公交"), "utf-8")
    run(capsys, root, db, "index" if indexed else "list")
    assert tagged(capsys, root, db, "电梯") == [item_of(capsys, root, db, "电梯")]
    assert tagged(capsys, root, db, "电梯段") == [item_of(capsys, root, db, "电梯")]
    assert tagged(capsys, root, db, "公交") == [item_of(capsys, root, db, "公交")]
    assert orphans(capsys, root, db) == []
