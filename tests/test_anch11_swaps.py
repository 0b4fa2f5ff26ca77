"""Two pages swapped on disk (a renumbering fix) when only one of them was coded: the
codings go with their text to the other page (it changed too), never to a copy of the text
on a page that did not change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_anch10_anchoring import orphans, run, tagged
from tests.test_anch10_swaps import swap_pages


def other_headlines(root: Path) -> tuple[Path, Path]:
    """Two pages of one day whose articles have different headlines (different ids)."""
    day = root / "洛阳日报" / "2015" / "06" / "01"
    day.mkdir(parents=True)
    three, eight = day / "03.md", day / "08.md"
    three.write_text("## 涧西区学习讨论\n\n活动一经启动，迅速在涧西区铺开。\n", "utf-8")
    eight.write_text("## 各部门抢抓机遇\n\n为切实解决问题、抢抓机遇，各部门行动。\n", "utf-8")
    return three, eight


def swap(a: Path, b: Path) -> None:
    ta, tb = a.read_text("utf-8"), b.read_text("utf-8")
    a.write_text(tb, "utf-8")
    b.write_text(ta, "utf-8")


def article_of(capsys: pytest.CaptureFixture[str], root: Path, db: Path, page: str) -> str:
    out, _ = run(capsys, root, db, "list")
    return next(w for line in out.splitlines() if (w := line.split()[0]).startswith(page + "-"))


@pytest.mark.parametrize("indexed", [False, True])
@pytest.mark.parametrize("same_headline", [True, False])
def test_a_swap_with_one_coded_page_takes_its_codings_along(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, indexed: bool, same_headline: bool
) -> None:
    root, db = tmp_path / "arch", tmp_path / "a.json"
    three_md, eight_md = (swap_pages if same_headline else other_headlines)(root)
    if indexed:
        run(capsys, root, db, "index")
    three = article_of(capsys, root, db, "洛阳日报/2015/06/01/03")
    run(capsys, root, db, "tag", three, "SW03")
    run(capsys, root, db, "note", three, "page three")
    run(capsys, root, db, "highlight", three, "活动一经启动", "--tag", "SWP03")
    swap(three_md, eight_md)
    _, err = run(capsys, root, db, "index" if indexed else "tags")
    eight = article_of(capsys, root, db, "洛阳日报/2015/06/01/08")
    assert "2 codings moved with their text" in err and f"{three} → {eight}" in err
    assert tagged(capsys, root, db, "SW03") == [eight]
    assert tagged(capsys, root, db, "SWP03") == [eight]
    out, _ = run(capsys, root, db, "show", eight)
    assert "page three" in out and "活动一经启动" in out
    assert orphans(capsys, root, db) == []


def test_a_rewritten_page_does_not_send_its_codings_to_an_unchanged_copy(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Page 03 overwritten by another text; 08 (unchanged) had held a copy all along."""
    root, db = tmp_path / "arch", tmp_path / "a.json"
    three_md, eight_md = other_headlines(root)
    shutil.copy(three_md, eight_md)
    run(capsys, root, db, "index")
    three = article_of(capsys, root, db, "洛阳日报/2015/06/01/03")
    run(capsys, root, db, "tag", three, "SW03")
    three_md.write_text("## 另一篇文章\n\n完全不同的另一段正文。\n", "utf-8")
    _, err = run(capsys, root, db, "index")
    assert "moved" not in err
    assert tagged(capsys, root, db, "SW03") == []  # an orphan, not on the copy
    assert orphans(capsys, root, db) == [three]
