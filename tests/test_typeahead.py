"""Nothing typed is lost: keys sent with no pause, right after start-up and right after each
dialog opens, reach their target in order (issue #13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, OptionList

from corpus.load import load_corpus
from storage.annotations import Store
from tui.app import PiyueApp, make_app
from tui.dialogs import SearchScreen

from .test_tui import open_article, running, stored

NAMES = {"/": "slash", "\r": "enter", "*": "asterisk", ":": "colon", " ": "space"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


def type_fast(app: PiyueApp, *keys: str) -> None:
    """Post every key at once, as a fast typist or a script in a terminal does."""
    for k in keys:
        if len(k) == 1:
            app.post_message(events.Key(NAMES.get(k, k), k))
        else:
            app.post_message(events.Key(k, {"enter": "\r", "escape": "\x1b"}.get(k)))


async def settle(pilot, until, rounds: int = 400) -> None:  # type: ignore[no-untyped-def]
    for _ in range(rounds):
        await pilot.pause(0.02)
        if until():
            return
    raise AssertionError("never happened")


async def test_search_typed_at_start_up_is_kept_and_run(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(160, 50)) as pilot:
        type_fast(app, "/", *"尾矿库", "enter")

        def searched() -> bool:
            screen = app.screen
            return isinstance(screen, SearchScreen) and bool(screen.hit_ids)

        await settle(pilot, searched)
        assert app.screen.query_one("#search-input", Input).value == "尾矿库"
        assert app.screen.query_one("#search-hits", OptionList).option_count >= 1


async def test_open_a_hit_then_tag_it_without_pausing(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await settle(pilot, lambda: screen.index_ready)
        type_fast(app, "/", *"尾矿库", "enter")
        await settle(pilot, lambda: isinstance(app.screen, SearchScreen) and app.screen.hit_ids)
        type_fast(app, "enter", "t", *"防汛", "enter")

        def done() -> bool:
            tagged = any(n.tags for n in screen.ws.store.all_notes())
            return not app.keys.held and app.screen is screen and tagged

        await settle(pilot, done, rounds=1000)
        assert screen.article is not None and "尾矿库" in screen.article.text
        aid = screen.article.id
    with stored(db) as s:
        assert s.notes(aid).tags == ("防汛",)


async def test_each_dialog_takes_keys_typed_as_it_opens(seeds_copy: Path, db: Path) -> None:
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["营商环境"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        aid = screen.article.id  # type: ignore[union-attr]
        type_fast(app, "t", *"甲乙", "enter", "n", *"快速笔记", "ctrl+s", "T", "enter")
        await settle(pilot, lambda: not app.keys.held and app.screen is screen)
        await pilot.pause(0.1)
        with stored(db) as s:
            assert s.notes(aid).note == "快速笔记"
            assert s.notes(aid).tags == ()  # tagged 甲乙, then T + enter removed it
        type_fast(app, "f", *"营商环境", "enter")
        await settle(pilot, lambda: screen.art_filter.expr == "营商环境")
        assert [a.id for a in screen.visible_articles] == [arts[0].id]


async def test_enter_typed_before_raw_mode_is_enter_and_waits_for_the_hits(
    seeds_copy: Path, db: Path
) -> None:
    """Keys typed while Python starts go through the terminal's line discipline, which turns
    Enter into LF (read as ctrl+j).  `/ 尾矿库 Enter Enter t 防汛 Enter` typed blind at
    start-up: the query runs, the second Enter waits for the hits and opens the first, and
    the article is tagged 防汛."""
    await search_open_and_tag(seeds_copy, db, "ctrl+j")


async def search_open_and_tag(seeds_copy: Path, db: Path, enter: str) -> None:
    """``/ 尾矿库 Enter Enter t 防汛 Enter`` typed at once as the reader starts: the hit
    opens and is tagged 防汛 (``enter``: the key an Enter arrives as)."""
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.main_screen
        type_fast(app, "/", *"尾矿库", enter, enter, "t", *"防汛", enter)

        def done() -> bool:
            tagged = any(n.tags for n in screen.ws.store.all_notes())
            return not app.keys.held and app.screen is screen and tagged

        await settle(pilot, done, rounds=1000)
        assert screen.article is not None and "尾矿库" in screen.article.text
        aid = screen.article.id
    with stored(db) as s:
        assert s.notes(aid).tags == ("防汛",)


async def test_ctrl_j_once_the_app_is_up_stays_ctrl_j(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        assert not app.keys.starting
        got = app.keys.as_typed(events.Key("ctrl+j", "\n"))
        assert isinstance(got, events.Key) and got.key == "ctrl+j"


@pytest.mark.parametrize("opener", ["c", "W", "question_mark"])
async def test_keys_after_closing_an_analysis_screen_reach_the_next_one(
    seeds_copy: Path, db: Path, opener: str
) -> None:
    """Esc closes the codebook (or key terms), then ``K`` and a term at once: the whole term
    reaches the concordance's box.  The Esc's marker was still on its way when the codebook
    closed; taken for the ``K``'s, it sent 加 to the main screen before ``K`` had opened the
    concordance, and the box read 快推动 (found in a terminal)."""
    from tui.screens.concordance import ConcordanceScreen

    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await settle(pilot, lambda: screen.index_ready)
        type_fast(app, opener)
        await settle(pilot, lambda: app.screen is not screen and not app.keys.held)
        await pilot.pause(0.3)
        type_fast(app, "escape", "K", *"加快推动")

        def typed() -> bool:
            if not isinstance(app.screen, ConcordanceScreen) or app.keys.held:
                return False
            return app.screen.query_one("#kwic-input", Input).value == "加快推动"

        await settle(pilot, typed)


async def test_keys_typed_on_past_a_similar_code_question_wait_for_its_answer(
    seeds_copy: Path, db: Path
) -> None:
    """``t 大库四 Enter n 这是笔记 ctrl+s`` at once, with 大库一 in the codebook: the question
    "new code? 大库一 exists" comes up; the n typed for the note answered it ("use 大库一") and
    the note was lost (testerD F9).  Keys typed before it showed now wait: the user answers,
    then the note is written and saved."""
    from tui.dialogs import ConfirmDialog

    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["大库一"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "学习讨论")
        aid = screen.article.id  # type: ignore[union-attr]
        type_fast(app, "t", *"大库四", "enter", "n", *"这是笔记", "ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConfirmDialog)  # not answered by the n typed before
        await pilot.press("y")

        def saved() -> bool:
            n = app.workspace.store.notes(aid)
            return n.note == "这是笔记" and not app.keys.held

        await settle(pilot, saved)
    with stored(db) as s:
        assert s.notes(aid).tags == ("大库四",) and s.notes(aid).note == "这是笔记"


async def test_keys_held_past_the_question_wait_for_the_tag_prompt_after_esc(
    seeds_copy: Path, db: Path
) -> None:
    """Esc on the "new code?" question goes back to editing the code: the keys typed on past
    it (n, a note, ctrl+s) were typed into the code (企业服务n笔记三; testerD F10).  They
    wait for the prompt to close, then write the note."""
    from tui.dialogs import ConfirmDialog, TagDialog

    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["企业服务"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "学习讨论")
        aid = screen.article.id  # type: ignore[union-attr]
        type_fast(app, "t", *"企业服", "enter", "n", *"笔记三", "ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.pause(0.1)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, TagDialog))
        await pilot.pause(0.2)
        assert app.screen.query_one("#tag-input", Input).value == "企业服务"
        await pilot.press("enter")

        def saved() -> bool:
            n = app.workspace.store.notes(aid)
            return n.note == "笔记三" and not app.keys.held

        await settle(pilot, saved)
    with stored(db) as s:
        assert s.notes(aid).tags == ("企业服务",) and s.notes(aid).note == "笔记三"


async def test_a_blocked_event_loop_is_no_time_a_screen_had_to_get_ready(
    seeds_copy: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held keys go "anyway" after a deadline of free time, not of wall time: a 2 MB article
    held the event loop longer than the deadline, and the key after ``t`` went to the reader
    the moment it was free, before the tag prompt had opened (the tag saved was 试码, not
    测试码, in tmux)."""
    import time

    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _screen):
        went: list[bool] = []

        async def anyway() -> None:
            went.append(True)

        monkeypatch.setattr(app, "_deliver_anyway", anyway)
        deadline = app._deadline(0.6)
        await pilot.pause(0.05)  # its clock is running
        time.sleep(1.5)  # the event loop held, as laying out a huge article holds it
        await pilot.pause(0.25)
        assert not went  # the blocked stretch counted as a step, not as 1.5 s
        await settle(pilot, lambda: bool(went))  # free time does run out
        deadline.stop()


def test_patience_counts_a_blocked_stretch_as_one_step() -> None:

    from tui.typeahead import STEP, Patience

    p = Patience(3 * STEP)
    p.last -= 10.0  # ten seconds blocked
    assert not p.over()  # counted as two steps at most
    p.last -= STEP
    assert p.over()


async def test_keys_after_a_search_wait_for_an_index_slower_than_the_hold_limit(
    seeds_copy: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first start on a large corpus: the index takes longer than ``HOLD_LIMIT``.  The
    Enter meant for the first hit and the keys after it went into the query (尾矿库t尾矿…,
    no hits, nothing tagged: tester E, E7); they wait for the hits now."""
    import time

    from storage.library import Library
    from tui.typeahead import HOLD_LIMIT

    build = Library.refresh_index

    def slow(self: Library, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        time.sleep(HOLD_LIMIT + 1.5)  # in the indexing worker: the screen stays free
        return build(self, *args, **kwargs)

    monkeypatch.setattr(Library, "refresh_index", slow)
    await search_open_and_tag(seeds_copy, db, "enter")
