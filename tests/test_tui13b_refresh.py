"""The archive changing under the running reader (session 10's test user B, F6): F5 reads
the folder again and redraws the tree; a page file that is gone or changed is said when its
article opens and before it is coded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_tui import open_article, running
from tests.test_tui_analysis import until
from tui.app import make_app
from tui.commands import PiyueCommands
from tui.dialogs import TagDialog
from tui.screens.main import MainScreen
from tui.widgets import IssueList


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


def said(app) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(n.message) for n in app._notifications)


async def test_a_deleted_page_is_said_and_f5_reads_the_folder_again(
    seeds_copy: Path, db: Path
) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        assert screen.query_one(IssueList).page_count == 5
        await open_article(pilot, screen, "提升站位")
        art = screen.article
        assert art is not None
        page = seeds_copy / screen.pages.by_id[art.issue_id].file  # type: ignore[union-attr]
        shutil.copy(page, seeds_copy / "005_新的一版.txt")  # a new page arrives
        page.unlink()  # and this one is deleted
        await open_article(pilot, screen, "严格执行")  # same page
        assert "the page file is gone" in said(app)
        app.clear_notifications()
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TagDialog), "tag prompt")
        assert "may become an orphan" in said(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f5")
        await until(pilot, lambda: "已刷新 refreshed" in said(app), "refreshed")
        await pilot.pause()
        titles = [r.file for r in screen.pages.rows]  # type: ignore[union-attr]
        assert page.name not in titles and "005_新的一版.txt" in titles
        assert screen.query_one(IssueList).page_count == 5


def test_refresh_is_in_the_palette() -> None:
    actions = [a for _t, a, zh in PiyueCommands._actions(None) if "刷新" in zh]  # type: ignore[arg-type]
    assert actions == ["refresh"]
    assert any(b.id == "refresh" and b.key == "f5" for b in MainScreen.BINDINGS)  # type: ignore[union-attr]
