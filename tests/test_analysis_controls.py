"""Control characters from pages and users on the analysis screens: a headline, a note and a
code's description carrying ESC/OSC/BEL are drawn as their pictures (␛, ␇) in the codebook,
retrieval, co-occurrence, concordance and key-terms screens — never sent raw, never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.annotations import Store
from tests.test_tui import SIZE
from tests.test_tui11_faults import EVIL, evil_corpus, raw_controls, started  # noqa: F401
from tests.test_tui_analysis import until
from tui.app import make_app
from tui.screens.codebook import CodebookScreen
from tui.screens.concordance import ConcordanceScreen
from tui.screens.cooccur import CooccurScreen
from tui.screens.retrieval import RetrievalScreen
from tui.screens.terms import TermsScreen


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


def pictured(app: object) -> bool:
    """The evil text is on screen, as pictures."""
    lines = ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]  # type: ignore[attr-defined]
    return any("红␛]0;T␇完" in ln for ln in lines)


async def test_analysis_screens_draw_control_characters_as_pictures(
    evil_corpus: Path,  # noqa: F811
    db: Path,
) -> None:
    app = make_app(evil_corpus, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        ws = app.workspace
        art = next(a for a in ws.corpus().articles if "\x1b" in a.title)
        with ws.store.batch("seed"):
            ws.store.define_tag("营商环境", "#e5c07b", description=f"描述{EVIL}")
            ws.set_note(art, f"笔记{EVIL}")
            ws.code_passage(art, 0, 4, ["营商环境"], f"段注{EVIL}")
            ws.store.add_tags(art, ["营商环境"])

        checks = [
            ("c", CodebookScreen, True),  # the description
            ("retrieval", RetrievalScreen, True),  # the headline and the note
            ("cooccur", CooccurScreen, False),
        ]
        for key, kind, shown in checks:
            if key == "c":
                await pilot.press("c")
            else:
                app.action_analysis(key, "营商环境" if key == "retrieval" else "")
            await until(pilot, lambda kind=kind: isinstance(app.screen, kind), key)
            await pilot.pause(0.3)
            assert raw_controls(app) == [], key
            assert pictured(app) == shown, key
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.main_screen, "back")
        await pilot.press("K", *"正文", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        await until(pilot, lambda: bool(app.screen.lines), "lines")
        await pilot.pause(0.2)
        assert raw_controls(app) == [], "concordance"
        assert pictured(app), "concordance: the headline"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.main_screen, "back")
        await until(pilot, lambda: app.main_screen.index_ready, "index")
        await pilot.press("W")
        await until(pilot, lambda: isinstance(app.screen, TermsScreen), "terms")
        await pilot.pause(0.3)
        assert raw_controls(app) == [], "terms"


def test_the_store_keeps_notes_as_written(db: Path, evil_corpus: Path) -> None:  # noqa: F811
    """What the screens draw as pictures stays exact in the file (exports keep it)."""
    from corpus.load import load_corpus

    art = next(a for a in load_corpus(evil_corpus).articles if "\x1b" in a.title)
    with Store.open(db) as s:
        s.set_note(art, f"笔记{EVIL}")
    with Store.open(db, readonly=True) as s:
        assert s.notes(art.id).note == f"笔记{EVIL}"
