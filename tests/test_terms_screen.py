"""The key-terms screen (``W``) under the Pilot: the discovered terms listed with their kinds,
filtered; a rejection remembered (and taken back with ``u``), the reader's words following."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import OptionList

from storage import locations
from tests.test_tui import SIZE, ready
from tests.test_tui_analysis import until
from tui.app import make_app
from tui.dialogs import ConfirmDialog
from tui.screens.concordance import ConcordanceScreen
from tui.screens.terms import TermsScreen

TERM = "制造业高质量发展"
"""The seeds' most frequent term (18): the first row."""


def rows(screen: TermsScreen) -> list[str]:
    ol = screen.query_one("#terms-list", OptionList)
    return [str(ol.get_option_at_index(i).prompt) for i in range(ol.option_count)]


async def open_terms(pilot: Any, app: Any) -> TermsScreen:
    """The reader ready, its index too, then ``W``: the terms screen with its list."""
    await ready(pilot, app.main_screen)
    await until(pilot, lambda: app.main_screen.index_ready, "index")
    await pilot.press("W")
    await until(pilot, lambda: isinstance(app.screen, TermsScreen) and bool(app.screen.every))
    assert isinstance(app.screen, TermsScreen)
    return app.screen


def rejected_file() -> set[str]:
    path = locations.rejected_terms()
    return set(path.read_text("utf-8").split()) if path.exists() else set()


async def test_terms_listed_filtered_by_text_and_kind(seeds_copy: Path, tmp_path: Path) -> None:
    app = make_app(seeds_copy, tmp_path / "a.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_terms(pilot, app)
        terms = app.workspace.library.terms()
        assert [t.text for t in screen.shown_terms] == [t.text for t in terms]
        first = rows(screen)[0]
        assert TERM in first and "术语 term" in first and str(terms[0].freq) in first
        freqs = [t.freq for t in screen.shown_terms]
        assert freqs == sorted(freqs, reverse=True)
        await pilot.press("t")  # the next kind: terms only, then people
        assert {t.kind for t in screen.shown_terms} == {"term"}
        await pilot.press("t")
        people = screen.shown_terms
        assert people and {t.kind for t in people} == {"person"}
        assert any("习近平" in r and "人名 person" in r for r in rows(screen))
        await pilot.press("slash", *"赵会")
        await pilot.pause()
        assert [t.text for t in screen.shown_terms] == ["赵会生"]
        await pilot.press(*"zzz")
        await pilot.pause()
        assert screen.shown_terms == []
        assert "no match" in str(screen.query_one(".analysis-status").render())


async def test_reject_typed_fast_is_remembered_and_undone(seeds_copy: Path, tmp_path: Path) -> None:
    """W x y typed with no pause: the highlighted term (the first) goes from the list, the
    library, the file and the reader's words; u brings it back, ctrl+r rejects it again."""
    app = make_app(seeds_copy, tmp_path / "a.json")
    async with app.run_test(size=SIZE) as pilot:
        main = app.main_screen
        await ready(pilot, main)
        await until(pilot, lambda: main.index_ready, "index")
        lib = app.workspace.library
        assert TERM in lib.segmenter.words(f"推动{TERM}")
        await pilot.press("W", "x", "y")
        await until(pilot, lambda: TERM in rejected_file(), "the rejection written")
        screen = app.screen
        assert isinstance(screen, TermsScreen)
        await until(pilot, lambda: TERM not in {t.text for t in screen.every}, "gone")
        assert TERM not in {t.text for t in lib.terms()}
        assert TERM not in lib.segmenter.words(f"推动{TERM}")
        await pilot.press("u")
        await until(pilot, lambda: TERM not in rejected_file(), "taken back")
        await until(pilot, lambda: TERM in {t.text for t in screen.every}, "listed again")
        assert TERM in lib.segmenter.words(f"推动{TERM}")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: TERM in rejected_file(), "rejected again")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is main, "back")
        # what was ranked with the term is ranked again: its parts, not the term
        aid = main.article.id if main.article else ""
        await until(pilot, lambda: bool(main.keywords.get(aid)), "keywords again")
        assert TERM not in main.keywords[aid] and "制造业" in main.keywords[aid]
    # a new session (the CLI, the next start) never proposes it
    again = make_app(seeds_copy, tmp_path / "a.json")
    async with again.run_test(size=SIZE) as pilot:
        await ready(pilot, again.main_screen)
        await until(pilot, lambda: again.main_screen.index_ready, "index")
        assert TERM not in {t.text for t in again.workspace.library.terms()}


async def test_reject_asks_first_and_enter_opens_the_concordance(
    seeds_copy: Path, tmp_path: Path
) -> None:
    app = make_app(seeds_copy, tmp_path / "a.json")
    async with app.run_test(size=SIZE) as pilot:
        await open_terms(pilot, app)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert isinstance(app.screen, TermsScreen) and TERM == app.screen.shown_terms[0].text
        assert not rejected_file()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        assert app.screen.term == TERM
        await until(pilot, lambda: bool(app.screen.lines), "lines")


async def test_before_the_index_is_ready_it_says_so(seeds_copy: Path, tmp_path: Path) -> None:
    app = make_app(seeds_copy, tmp_path / "a.json")
    async with app.run_test(size=SIZE) as pilot:
        main = app.main_screen
        await ready(pilot, main)
        main.index_ready = False  # as while the first index is being built
        await pilot.press("W")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TermsScreen)
        assert "not ready" in str(screen.query_one(".analysis-status").render())
        assert screen.typeahead_ready


async def test_chinese_typed_on_the_list_filters_and_down_leaves_the_filter(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """营造 typed on the list was dropped; ↓ in the filter went into it as text (tester E,
    E9.2).  Letters on the list stay commands (x, t, u)."""
    app = make_app(seeds_copy, tmp_path / "a.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_terms(pilot, app)
        await pilot.press(*"营造")
        await pilot.pause()
        assert screen.query_one("#terms-input").value == "营造"  # type: ignore[attr-defined]
        assert screen.shown_terms and all("营造" in t.text for t in screen.shown_terms)
        await pilot.press("down")
        ol = screen.query_one("#terms-list", OptionList)
        assert screen.focused is ol and ol.highlighted == 0
