"""Two coders in the reader (issue #12): asked once, shown, blind until revealed, agreement and
adjudication screens."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import DataTable, Input, OptionList

from corpus.load import load_corpus
from storage.annotations import Store
from tui.app import make_app
from tui.dialogs import InputDialog
from tui.screens.agreement import AdjudicationScreen, AgreementScreen
from tui.typeahead import REACTION

from .test_tui import open_article, ready, running, stored


async def test_the_coder_is_asked_once_and_shown(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PIYUE_CODER")
    db = tmp_path / "db.json"
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(160, 50)) as pilot:
        for _ in range(300):
            await pilot.pause(0.02)
            if isinstance(app.screen, InputDialog) and app.screen.typeahead_ready:
                break  # on screen: keys typed before that were meant for the reader
        assert isinstance(app.screen, InputDialog) and "编码者" in app.screen.heading
        await pilot.pause(REACTION)  # a person reads the question first
        app.screen.query_one("Input").value = ""  # type: ignore[attr-defined]
        await pilot.press(*"小李", "enter")
        await pilot.pause()
        assert app.store.coder == "小李"
        assert "小李" in str(app.main_screen.query_one("#status").render())
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot, app.main_screen)
        assert not isinstance(app.screen, InputDialog)  # asked once
        assert app.store.coder == "小李"


async def test_escape_leaves_the_coder_question_for_next_time(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Esc is no answer: the login name is not remembered as the coder's name."""
    from storage import state

    monkeypatch.delenv("PIYUE_CODER")
    db = tmp_path / "db.json"
    for _ in range(2):  # asked on both starts
        app = make_app(seeds_copy, db)
        async with app.run_test(size=(160, 50)) as pilot:
            for _ in range(300):
                await pilot.pause(0.02)
                if isinstance(app.screen, InputDialog) and app.screen.typeahead_ready:
                    break
            assert isinstance(app.screen, InputDialog) and "编码者" in app.screen.heading
            await pilot.press("escape")
            await pilot.pause()
        assert state.coder() == ""


async def test_keys_typed_before_the_first_start_question_go_to_the_reader(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search typed straight after the very first start is not taken as the coder's name:
    it waits behind the question and runs once it is answered."""
    from textual.widgets import Input

    from tui.dialogs import SearchScreen

    from .test_typeahead import settle, type_fast

    monkeypatch.delenv("PIYUE_CODER")
    app = make_app(seeds_copy, tmp_path / "db.json")
    async with app.run_test(size=(160, 50)) as pilot:
        type_fast(app, "/", *"营商环境", "enter")
        await settle(
            pilot, lambda: isinstance(app.screen, InputDialog) and app.screen.typeahead_ready
        )
        question = app.screen
        assert isinstance(question, InputDialog) and "编码者" in question.heading
        box = question.query_one(Input)
        assert box.value == app.store.coder  # the default, untouched by the typed search
        box.value = ""
        await pilot.pause(REACTION)  # a person reads the question first
        type_fast(app, *"小李", "enter")

        def searched() -> bool:
            return isinstance(app.screen, SearchScreen) and bool(app.screen.hit_ids)

        await settle(pilot, searched)
        assert app.store.coder == "小李"
        assert app.screen.query_one("#search-input", Input).value == "营商环境"


async def test_keys_read_just_after_the_question_showed_are_not_its_answer(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tester's `carol Enter` sent with the launch reached the app just after the question
    showed: Enter took the login name as the coder. Keys read within a reaction time of the
    question were typed before it was seen: they go to the reader once it is answered.

    Each key carries the time it was read, stamped relative to when the question showed (as
    the terminal driver stamps it): the test no longer races the clock, which a loaded
    machine lost when more than ``REACTION`` passed before the first key was posted."""
    from .test_typeahead import settle

    def read_at(when: float, key: str = "enter", char: str = "\r") -> events.Key:
        event = events.Key(key, char)
        event.time = when
        return event

    monkeypatch.delenv("PIYUE_CODER")
    app = make_app(seeds_copy, tmp_path / "db.json")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(
            pilot, lambda: isinstance(app.screen, InputDialog) and app.screen.typeahead_ready
        )
        question = app.screen
        assert isinstance(question, InputDialog)
        app.post_message(read_at(question.shown_at + REACTION / 3))  # nobody answers that fast
        await settle(pilot, lambda: bool(question.parked))
        assert app.screen is question  # not answered: the login name offered is not taken
        question.query_one(Input).value = "小李"
        app.post_message(read_at(question.shown_at + REACTION * 2))  # read, then answered
        await settle(pilot, lambda: not isinstance(app.screen, InputDialog))
        assert app.store.coder == "小李"
        # the early Enter goes to the screen below
        await settle(pilot, lambda: not question.parked and not app.keys.held)


async def test_blind_until_revealed(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    art = next(a for a in load_corpus(seeds_copy).articles if a.title.startswith("提升站位"))
    with Store.open(db, coder="甲") as s:
        s.add_tags(art, ["甲的代码"])
    app = make_app(seeds_copy, db, coder="乙")
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        assert "甲的代码" not in screen.query_one("#reader").notes[0].plain  # type: ignore[attr-defined]
        await pilot.press("B")
        await pilot.pause()
        assert "甲的代码" in screen.query_one("#reader").notes[0].plain  # type: ignore[attr-defined]
        assert "全部" in str(screen.query_one("#status").render())


async def test_with_every_coder_shown_the_list_shows_every_coders_tags(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """``B`` shows all coders: an article's row carries both coders' tags (it kept the last
    coder's only, and lost the other's when the article was opened)."""
    from tui.widgets.lists import ArticleList

    db = tmp_path / "db.json"
    art = next(a for a in load_corpus(seeds_copy).articles if a.title.startswith("提升站位"))
    for who, code in (("甲", "甲的代码"), ("乙", "乙的代码")):
        with Store.open(db, coder=who) as s:
            s.add_tags(art, [code])
    app = make_app(seeds_copy, db, coder="甲")
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("B")
        await pilot.pause()

        def row() -> str:
            lst = screen.query_one(ArticleList)
            return str(lst.get_option(art.id).prompt)

        assert "甲的代码" in row() and "乙的代码" in row()
        await pilot.press("B")  # blind again: yours only
        await pilot.pause()
        assert "甲的代码" in row() and "乙的代码" not in row()


async def test_agreement_and_adjudication(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    arts = load_corpus(seeds_copy).articles
    with Store.open(db, coder="甲") as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[1], ["营商环境", "党建"])
    with Store.open(db, coder="乙") as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[1], ["营商环境"])
    app = make_app(seeds_copy, db, coder="丙")
    async with running(app) as (pilot, screen):
        await pilot.press("A", "enter")  # coder A: the first listed
        await pilot.pause()
        await pilot.press("enter")  # coder B
        for _ in range(200):
            await pilot.pause(0.02)
            if (
                isinstance(app.screen, AgreementScreen)
                and app.screen.query_one(DataTable).row_count
            ):
                break
        assert isinstance(app.screen, AgreementScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3  # two codes and the overall row
        figures = list(table.columns.values())[2:5]  # agreement, κ, α: "0.333", never "0"
        assert all(c.content_width >= len("0.333") for c in figures)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, AdjudicationScreen)
        assert app.screen.query_one(OptionList).option_count == 1  # 党建 on the second article
        a = app.screen.adj.a.coder
        await pilot.press("1" if a == "甲" else "2")  # accept 甲's tag
        await pilot.pause()
        assert app.screen.adj.progress() == (1, 1)
        await pilot.press("u")
        await pilot.pause()
        assert app.screen.adj.progress() == (0, 1)
        await pilot.press("1" if a == "甲" else "2")
        await pilot.pause()
    with stored(db) as s:
        assert "党建" in s.notes_by_coder(arts[1].id)["final"].tags
