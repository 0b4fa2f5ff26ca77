"""The codebook screen: a digit pins the highlighted code on that quick key (README: "or a
pinned digit", unreachable before), and a colour the disk refuses keeps its dialog open."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static

from corpus.load import load_corpus
from storage.annotations import Store
from storage.errors import DiskError
from tests.test_tui import running, stored
from tests.test_tui_analysis import open_codebook, until
from tui.app import make_app
from tui.screens.codebook import ColourDialog


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


CODES = ["营商环境", "党建", "经济", "民生", "乡村", "安全", "环保", "教育", "医疗", "反诈"]


def seeded(seeds_copy: Path, db: Path) -> None:
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        for i, code in enumerate(CODES):
            s.add_tags(arts[i], [code])


async def test_a_digit_in_the_codebook_pins_the_code(seeds_copy: Path, db: Path) -> None:
    seeded(seeds_copy, db)  # ten codes: 反诈, the tenth, had no digit at all
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        book = await open_codebook(pilot, app)
        codes = book.query_one("#codes", OptionList)
        codes.highlighted = [r.name for r in book.rows].index("反诈")
        await pilot.press("2")
        await pilot.pause()
        with stored(db) as s:
            assert s.quick_tags()[1] == "反诈"
        row = str(codes.get_option_at_index(codes.highlighted or 0).prompt)
        assert "反诈" in row and "2" in row
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "back")
        line = str(screen.query_one("#codebook", Static).render())
        assert "2" in line and "反诈" in line
        art = screen.article
        assert art is not None
        await pilot.press("2")  # the quick key codes with it
        await pilot.pause()
        with stored(db) as s:
            assert "反诈" in s.notes(art.id).tags


async def test_a_colour_the_disk_refuses_stays_in_its_dialog(
    seeds_copy: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (_pilot, _screen):
        pilot = _pilot
        book = await open_codebook(pilot, app)
        book.query_one("#codes", OptionList).highlighted = 0

        def refuse(*_a: Any, **_k: Any) -> Any:
            raise DiskError("no space left on device", "annotations.json.journal", errno.ENOSPC)

        monkeypatch.setattr("workspace.codebook.edit", refuse)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, ColourDialog), "colour dialog")
        dialog = app.screen
        await pilot.press(*"#123456", "enter")
        await pilot.pause(0.1)
        assert app.screen is dialog, "the dialog closed on a refused write"
        assert dialog.query_one("#colour-input", Input).value == "#123456"
        shown = " ".join(str(s.render()) for s in dialog.query("Static"))
        assert "no space left" in shown
        monkeypatch.undo()
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is book, "saved")
    with stored(db) as s:
        assert {t.name: t.colour for t in s.tag_defs()}["营商环境"] == "#123456"
