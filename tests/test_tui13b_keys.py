"""Keys a tester lost (session 10): ctrl+q from a dialog holding typed text, and Esc read
together with the next key (alt+key to Textual)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from corpus.load import load_corpus
from storage.annotations import Store
from tests.test_tui import open_article, running, stored
from tests.test_typeahead import settle, type_fast
from tui.app import make_app
from tui.dialogs import ConfirmDialog, NoteDialog, TagDialog


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


async def test_ctrl_q_in_the_note_editor_asks_before_the_memo_is_lost(
    seeds_copy: Path, db: Path
) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("n", *"未保存的笔记草稿", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog), "ctrl+q quit at once"
        assert "Quit and discard" in app.screen.question
        await pilot.press("n")  # go back: the text is still there
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        assert app.screen.query_one("TextArea").text == "未保存的笔记草稿"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        aid = screen.article.id  # type: ignore[union-attr]
        with stored(db) as s:
            assert s.notes(aid).note == "未保存的笔记草稿"
        # a tag prompt with text typed asks too; y quits
        await pilot.press("t", *"党建", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert app._exit


async def test_ctrl_q_with_nothing_typed_quits_at_once(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("n", "ctrl+q")
        await pilot.pause()
        assert app._exit


async def test_escape_read_with_the_next_key_is_both_keys(seeds_copy: Path, db: Path) -> None:
    """``Esc t 党建 Enter`` over ssh: the terminal sends ESC and t in one read, which Textual
    names alt+t; bound to nothing, both keys vanished and the tag was never written."""
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["营商环境"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        aid = screen.article.id  # type: ignore[union-attr]
        await pilot.press("v")  # passage mode: Esc leaves it
        type_fast(app, "alt+t", *"党建", "enter")
        await settle(pilot, lambda: not isinstance(app.screen, TagDialog))
        await pilot.pause(0.1)
        with stored(db) as s:
            assert s.notes(aid).tags == ("党建",)
        assert screen.query_one("Reader").mode == "read"  # type: ignore[attr-defined]
        type_fast(app, "alt+1")  # Esc, then quick tag 1
        await pilot.pause(0.3)
        with stored(db) as s:
            assert set(s.notes(aid).tags) == {"党建", "营商环境"}
        # in a dialog: Esc closes it, the key goes to the screen below (t opens the prompt)
        await pilot.press("n")
        await pilot.pause()
        type_fast(app, "alt+t")
        await settle(pilot, lambda: isinstance(app.screen, TagDialog))
        assert app.screen.query_one(Input).value == ""


async def test_ctrl_c_says_how_to_quit_in_words(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _screen):
        await pilot.press("ctrl+c")
        await pilot.pause()
        said = " ".join(str(n.message) for n in app._notifications)
        assert "ctrl+q" in said and "[b]" not in said
