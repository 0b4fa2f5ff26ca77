"""``O`` in the reader: an orphan (its page renamed and re-OCR'd, so neither id nor text
is found) attached by hand to the article on screen, as ``piyue orphans attach`` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.annotations import Store
from tests.test_anch10_anchoring import ids, run
from tests.test_tui import SIZE, ready
from tests.test_tui_analysis import until
from tui.app import make_app
from tui.commands import PiyueCommands
from tui.dialogs import PickDialog

PAGE = (
    "## 学习讨论持续俩月 内省自身外寻突破\n\n"
    "活动一经启动，迅速在涧西区铺开。为切实解决问题、抢抓机遇，各部门行动。\n\n"
    "第二段讲的是营商环境。\n"
)


def orphaned_archive(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[Path, Path, str]:
    """alice's tag, note and two passages, then the page renamed with two small changes."""
    root, db = tmp_path / "arch", tmp_path / "a.json"
    (root / "洛阳日报" / "04" / "01").mkdir(parents=True)
    old_md = root / "洛阳日报" / "04" / "01" / "01.md"
    old_md.write_text(PAGE, "utf-8")
    (old,) = ids(capsys, root, db)
    run(capsys, root, db, "tag", old, "T_K0")
    run(capsys, root, db, "note", old, "我的备注")
    run(capsys, root, db, "highlight", old, "迅速在涧西区铺开", "--tag", "P_K0")
    run(capsys, root, db, "highlight", old, "抢抓机遇", "--tag", "P_K1")
    old_md.with_name("01_修订.md").write_text(
        PAGE.replace("内省", "内醒").replace("抢抓", "抢占"), "utf-8"
    )
    old_md.unlink()
    return root, db, old


def orphans_of(db: Path) -> list[str]:
    with Store.open(db, readonly=True, coder="alice") as s:
        return sorted(o.get("quote") or o["article_id"] for o in s.orphans())


async def test_o_attaches_an_orphaned_article_to_the_one_on_screen(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root, db, old = orphaned_archive(capsys, tmp_path)
    app = make_app(root, db, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.main_screen
        await ready(pilot, screen)
        assert orphans_of(db) == sorted([old, "抢抓机遇", "迅速在涧西区铺开"])
        assert screen.pages is not None
        (row,) = screen.pages.article_rows()
        new = screen.pages.article(row.id)
        assert new is not None and new.id != old
        screen.open_article(new, focus=True)
        await pilot.pause()
        await pilot.press("O")
        await until(pilot, lambda: isinstance(app.screen, PickDialog), "the orphans")
        dialog = app.screen
        assert isinstance(dialog, PickDialog)
        labels = [label for _v, label in dialog.items]
        assert "✓ 引文在本文" in labels[0] and "迅速在涧西区铺开" in labels[0]  # fits: first
        assert any(old in x and "内省自身" in x and "#T_K0" in x for x in labels)
        await pilot.press(*"文章", "enter")  # typed to narrow: the orphaned article
        await until(pilot, lambda: app.screen is screen, "the dialog closed")
        await pilot.pause()
        assert "T_K0" in screen.query_one("#reader").notes[0].plain  # shown at once
        with Store.open(db, readonly=True, coder="alice") as s:
            notes = s.notes(new.id)
            assert notes.tags == ("T_K0",) and notes.note == "我的备注"
            assert [h.quote for h in s.highlights(new.id) if not h.orphan] == ["迅速在涧西区铺开"]
        assert orphans_of(db) == ["抢抓机遇"]  # its quote is not in the new text

        await pilot.press("O", *"抢抓", "enter")  # refused: the quote is not there
        await until(pilot, lambda: app.screen is screen, "the dialog closed")
        assert "抢抓机遇» is not in the text" in screen.last_error
        assert orphans_of(db) == ["抢抓机遇"]

        await pilot.press("u")  # the attach was one step
        await pilot.pause()
        assert orphans_of(db) == sorted([old, "抢抓机遇", "迅速在涧西区铺开"])
        with Store.open(db, readonly=True, coder="alice") as s:
            assert s.notes(new.id).tags == ()


async def test_o_is_in_the_palette_and_help(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Findable: "orphan" or 孤儿 in ctrl+p names it with its key."""
    root, db, _old = orphaned_archive(capsys, tmp_path)
    app = make_app(root, db, coder="bob")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.main_screen
        await ready(pilot, screen)
        titles = [t for t, action, _zh in PiyueCommands(screen)._actions() if action == "orphans"]
        assert titles and "(O)" in titles[0] and "孤儿" in titles[0] and "orphan" in titles[0]
        assert screen.pages is not None
        (row,) = screen.pages.article_rows()
        art = screen.pages.article(row.id)
        assert art is not None
        screen.open_article(art, focus=True)
        await pilot.press("O")  # bob has none: alice's are named, not offered
        await pilot.pause()
        assert not isinstance(app.screen, PickDialog)
        said = [n.message for n in app._notifications]
        assert any("no orphans of yours (bob)" in m and "3 of other coders" in m for m in said)
