"""``n`` after coding a selection notes that passage, not the article (testerC F2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_tui import open_article, running, stored
from tests.test_tui_analysis import until
from tui.app import make_app
from tui.dialogs import NoteDialog
from tui.widgets import Reader


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


async def test_n_right_after_coding_a_selection_notes_that_passage(
    seeds_copy: Path, db: Path
) -> None:
    """``v … v t CODE Enter n`` wrote the article's note while the legend promised the
    passage's; now the caret stays on the passage, the editor names it, and Esc then ``n``
    is the article's note as before."""
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        reader = screen.query_one(Reader)
        await pilot.press("v", "right", "right", "v", "right", "right", "right")
        sel = reader.selection()
        assert sel is not None
        await pilot.press("t", *"领导表态", "enter")
        await pilot.pause()
        # the legend on the reader's border offers the passage's keys, and they are true
        legend = str(reader.border_subtitle)
        assert "领导表态" in legend and "n 笔记" in legend
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog), "note editor")
        art = screen.article
        assert art is not None
        quote = art.text[sel[0] : sel[1]]
        assert "段落笔记" in app.screen.heading
        await pilot.press(*"区委书记表态", "ctrl+s")
        await until(pilot, lambda: app.screen is screen, "editor closed")
        with stored(db) as s:
            (h,) = s.highlights(art.id)
            assert h.quote == quote and h.tags == ("领导表态",)
            assert h.note == "区委书记表态"
            assert s.notes(art.id).note == ""
        # Esc: reading again; ``n`` is the article's note, and its editor says so
        await pilot.press("escape")
        await pilot.pause()
        assert reader.mode == "read"
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog), "note editor")
        assert "文章笔记" in app.screen.heading
        await pilot.press(*"全文笔记", "ctrl+s")
        await until(pilot, lambda: app.screen is screen, "editor closed")
        with stored(db) as s:
            assert s.notes(art.id).note == "全文笔记"
            assert s.highlights(art.id)[0].note == "区委书记表态"


async def test_n_on_a_selection_makes_a_noted_passage_and_keeps_the_caret_on_it(
    seeds_copy: Path, db: Path
) -> None:
    """``v … v n`` codes the selection as a noted passage; a second ``n`` edits that note."""
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("v", "right", "v", "right", "right", "n")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog), "note editor")
        await pilot.press(*"第一稿", "ctrl+s")
        await until(pilot, lambda: app.screen is screen, "editor closed")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog), "note editor")
        assert "段落笔记" in app.screen.heading
        await pilot.press(*"第二稿", "ctrl+s")
        await until(pilot, lambda: app.screen is screen, "editor closed")
        art = screen.article
        assert art is not None
        with stored(db) as s:
            (h,) = s.highlights(art.id)
            assert "第一稿" in h.note and "第二稿" in h.note and s.notes(art.id).note == ""
