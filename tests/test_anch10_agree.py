"""The agreement screen says how many of its units a coder only read (opened, no code):
opening an article marks it read, and a read mark is a unit coded "nothing applies"."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from corpus.load import load_corpus
from storage.annotations import Store
from tests.test_tui12_faults import agreement_screen
from tests.test_tui_analysis import running
from tui.app import make_app


async def test_the_agreement_screen_says_units_only_read(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    arts = load_corpus(seeds_copy).articles
    with Store.open(db, coder="甲") as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[1], ["营商环境"])
    with Store.open(db, coder="乙") as s:
        s.add_tags(arts[0], ["营商环境"])
        s.set_read(arts[1])  # only opened it
    app = make_app(seeds_copy, db, coder="丙")
    async with running(app) as (pilot, _main):
        screen = await agreement_screen(pilot, app)
        status = str(screen.query_one("#agree-status", Static).render())
    assert "2 篇共同编码的文章 articles both coded (1 only read by 乙)" in status
