"""The reader's filter (session 10's test users): a coded row stays put until the filter is
applied again, an unknown code is said, the tree's 未知报纸 is a page term."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.load import load_corpus
from storage.annotations import Store
from tests.test_tui import running, stored
from tui.app import make_app
from tui.widgets import ArticleList


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


def notes_said(app) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(n.message) for n in app._notifications)


async def test_code_down_code_in_a_filtered_list_codes_neighbours(
    seeds_copy: Path, db: Path
) -> None:
    """``f not 安全``, then ``6 Down 6`` coded the 1st and the 3rd article: the coded row
    vanished and the cursor slid onto the next one."""
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        for i, code in enumerate(["营商环境", "党建", "经济", "民生", "乡村", "安全"]):
            s.add_tags(arts[20 + i], [code])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await pilot.press("f", *"not 安全", "enter")
        await pilot.pause()
        first = [a.id for a in screen.visible_articles[:3]]
        assert screen.focused is screen.query_one(ArticleList)
        await pilot.press("home", "6", "down", "6")
        await pilot.pause()
        with stored(db) as s:
            coded = [a for a in first if "安全" in s.notes(a).tags]
        assert coded == first[:2], "the row after the coded one was skipped"
        title = str(screen.query_one(ArticleList).border_title)
        assert "2 不再匹配 no longer matching" in title
        assert [a.id for a in screen.visible_articles[:3]] == first
        # applied again: the coded rows go
        await pilot.press("f", "enter")
        await pilot.pause()
        assert [a.id for a in screen.visible_articles[:1]] == first[2:3]
        assert "不再匹配" not in str(screen.query_one(ArticleList).border_title)


async def test_the_filter_says_an_unknown_code_and_knows_the_trees_no_paper(
    seeds_copy: Path, db: Path
) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await pilot.press("f", *"未知代码", "enter")
        await pilot.pause()
        assert "unknown code: 未知代码" in notes_said(app)
        # the seeds have no paper: the tree calls them 未知报纸
        await pilot.press("f")
        app.screen.query_one("Input").value = "paper:未知报纸"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert len(screen.visible_articles) == 30
        assert "unknown code: paper" not in notes_said(app)
