"""The tag prompt's "create a new code?" and another coder's codings with ``B`` (session 10's
test user A, F6 and F7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from corpus.load import load_corpus
from storage.annotations import Store
from tests.test_tui import open_article, running, stored
from tui.app import make_app
from tui.dialogs import ConfirmDialog, PickDialog, TagDialog


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


async def test_no_to_a_new_code_takes_the_existing_one(seeds_copy: Path, db: Path) -> None:
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["党建"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        aid = screen.article.id  # type: ignore[union-attr]
        await pilot.press("t", "党", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        # n "use 党建" does it at once: a key typed next is a key, not text in the field
        # (testerC F12: n then q left 党建q in the input, nothing written): the dialog is gone
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen
        with stored(db) as s:
            assert s.notes(aid).tags == ("党建",)
            assert "党" not in {t.name for t in s.tag_defs()}
        # Esc: back to the field with the existing code in it, to change it
        await pilot.press("t", "党", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "n 用「党建」" in app.screen.keys
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TagDialog)
        assert app.screen.query_one(Input).value == "党建"


async def test_all_coders_shown_untag_offers_only_your_own(seeds_copy: Path, db: Path) -> None:
    arts = load_corpus(seeds_copy).articles
    target = next(a for a in arts if "提升站位" in a.title)
    with Store.open(db, coder="bob") as s:
        s.add_tags(target, ["经济发展"])
        s.add_highlight(target, 0, 6, ["营商环境"])
    with Store.open(db, coder="alice") as s:
        s.add_tags(target, ["安全"])
        s.add_highlight(target, 10, 16, ["安全"])
    app = make_app(seeds_copy, db, coder="alice")
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("B")
        await pilot.pause()
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, PickDialog)
        assert [label for _v, label in app.screen.items] == ["安全"]  # not bob's 经济发展
        await pilot.press("escape", "P")
        await pilot.pause()
        assert isinstance(app.screen, PickDialog)
        labels = [label for _v, label in app.screen.items]
        assert any("@bob" in x for x in labels) and any("@" not in x for x in labels), labels
