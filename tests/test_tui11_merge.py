"""``M`` asks before merging and says what happens to the next article's codings (every
coder's, counted): they become the first article's.  ``n`` changes nothing; ``y`` merges."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from storage.annotations import Store
from tests.test_tui import open_article, running
from tests.test_tui_analysis import open_codebook, pick, seed, until
from tui.app import make_app
from tui.dialogs import ConfirmDialog


async def test_merge_says_which_codings_move_to_the_first_article(
    seeds_copy: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db" / "annotations.json"
    app = make_app(seeds_copy, db, coder="alice")
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        assert screen.pages is not None and screen.article is not None
        first = screen.article
        page = screen.pages.issue(first.issue_id)
        assert page is not None
        second = page.articles[page.articles.index(first) + 1]
        store = app.workspace.store
        store.add_tags(second, ["后", "民生"])
        store.set_note(second, "第二篇的笔记")
        store.add_highlight(second, 0, 4, ["段甲"])
        store.set_coder("bob")
        store.add_tags(second, ["后"])
        store.add_highlight(second, 2, 6, ["段乙"])
        store.set_coder("alice")

        await pilot.press("M")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        question = app.screen.question  # type: ignore[attr-defined]
        assert first.title[:10] in question and second.title[:10] in question
        assert "3 个标签 tags (后, 民生)" in question and "1 条笔记 note" in question
        assert "2 段 passages" in question
        assert "alice: 2 tags, 1 note, 1 passage; bob: 1 tag, 1 passage" in question
        assert "become the first article's" in question
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen, "the question closed")
        assert store.corrections() == []  # nothing done
        assert [a.id for a in screen.pages.issue(first.issue_id).articles] == [  # type: ignore[union-attr]
            a.id for a in page.articles
        ]

        await pilot.press("M")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("y")
        await until(pilot, lambda: bool(store.corrections()), "the merge")
        merged = screen.article
        assert merged is not None and second.title in merged.text
    with Store.open(db, readonly=True, coder="alice") as s:
        assert [c.kind for c in s.corrections()] == ["merge_next"]
        notes = s.notes_by_coder(merged.id)
        assert set(notes["alice"].tags) >= {"后", "民生"} and notes["alice"].note == "第二篇的笔记"
        assert "后" in notes["bob"].tags
        moved = {(h.coder, h.tags) for h in s.highlights(merged.id, coders=None)}
        assert moved >= {("alice", ("段甲",)), ("bob", ("段乙",))}


async def test_merge_of_an_uncoded_article_says_so(seeds_copy: Path, tmp_path: Path) -> None:
    app = make_app(seeds_copy, tmp_path / "db" / "annotations.json")
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("M")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        assert "没有编码 it has no codings" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "the question closed")
        assert app.workspace.store.corrections() == []


async def test_a_code_merge_names_the_sub_codes_that_move(seeds_copy: Path, tmp_path: Path) -> None:
    """Merging 营商环境 into 党建 moves its sub-code 政企关系 under 党建: said before; and
    a merge into its own sub-code says that code takes the merged one's place."""
    db = tmp_path / "db" / "annotations.json"
    seed(seeds_copy, db)
    with Store.open(db) as s:
        s.define_tag("放管服", parent="营商环境")
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        cb = await open_codebook(pilot, app)
        pick(cb.query_one("#codes", OptionList), "营商环境")
        await pilot.press("m", *"党建", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "merge asked")
        text = app.screen.question  # type: ignore[attr-defined]
        assert "its 2 sub-codes 「政企关系」、「放管服」 move under 「党建」" in text
        assert "takes" not in text
        await pilot.press("n")
        await until(pilot, lambda: app.screen is cb, "kept")
        pick(cb.query_one("#codes", OptionList), "营商环境")
        await pilot.press("m", *"放管服", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "merge asked")
        text = app.screen.question  # type: ignore[attr-defined]
        assert "its 1 sub-code 「政企关系」 moves under 「放管服」" in text
        assert "「放管服」取代「营商环境」的位置 takes 「营商环境」's place" in text
        await pilot.press("y")
        await until(pilot, lambda: app.screen is cb, "merged")
    with Store.open(db, readonly=True) as s:
        rows = {r.name: r.parent for r in s.codebook(None)}
    assert rows == {"放管服": "", "政企关系": "放管服", "党建": ""}
