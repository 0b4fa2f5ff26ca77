"""The last-read article's page renamed or deleted between sessions (tester B, F12): the
reader reopened on the vanished article and ``t``/``n`` killed it with a KeyError and a
3,800-line dump of every local."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from storage import state
from tests.test_tui import open_article, ready
from tests.test_tui_analysis import notices
from tui.app import make_app


async def _read_then_quit(corpus: Path, db: Path) -> tuple[str, str, str]:
    """Open an article in a first session and wait for the index; its id and page file."""
    app = make_app(corpus, db)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.main_screen
        await ready(pilot, screen)
        for _ in range(300):
            if screen.index_ready:
                break
            await pilot.pause(0.05)
        await open_article(pilot, screen, "涧西区")
        assert screen.article is not None and screen.pages is not None
        art = screen.article
        source = screen.pages.issue_of(art).source
        await pilot.press("q")
    assert state.load(corpus).get("article") == art.id
    return art.id, art.issue_id, source


async def test_a_vanished_last_article_is_not_reopened_and_t_n_do_not_crash(
    seeds_copy: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db" / "annotations.json"
    gone_id, gone_page, source = await _read_then_quit(seeds_copy, db)
    (seeds_copy / source).rename(tmp_path / "moved.txt")  # the page deleted from the archive
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.main_screen
        await ready(pilot, screen)
        await pilot.pause(0.2)
        assert screen.article is not None and screen.article.id != gone_id
        assert "last-read article's page is gone" in notices(app), notices(app)
        # the vanished article, as a stale row would open it: coding it says why it cannot
        assert screen.pages is not None
        ghost = dataclasses.replace(screen.article, id=gone_id, issue_id=gone_page)
        screen.open_article(ghost, focus=True, mark_read=False)
        await pilot.pause()
        for key in ("t", "n"):
            await pilot.press(key)
            await pilot.pause(0.1)
            assert app.is_running and app.return_code in (None, 0), key
            await pilot.press("escape")  # a dialog (with the orphan warning) or nothing
            await pilot.pause(0.1)
            assert app.is_running and app.screen is screen, key
    assert not app.fatal
