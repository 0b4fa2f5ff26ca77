"""Codes land where the user means them (issue #15): each numbered problem as a test."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from textual.widgets import Input

from cli import main as cli_main
from corpus.load import load_corpus
from storage.annotations import Store
from tui.app import make_app
from tui.dialogs import ConfirmDialog, InputDialog, TagDialog
from tui.widgets import ArticleList, Reader

from .test_tui import open_article, running, searched, stored


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli_main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# 2. `t` acts on the article the user is looking at ------------------------------------


async def test_t_tags_the_highlighted_row_when_the_list_has_focus(
    seeds_copy: Path, db: Path
) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "以“新”赋能")
        reading = screen.article
        assert reading is not None
        await pilot.press("shift+tab", "shift+tab", "j", "tab")
        await pilot.pause()
        al = screen.query_one(ArticleList)
        row = al.get_option_at_index(al.highlighted or 0)
        assert row.id != reading.id
        target = screen.pages.article(row.id or "")  # type: ignore[union-attr]
        assert target is not None
        await pilot.press("t")
        assert isinstance(app.screen, TagDialog)
        assert target.title[:8] in app.screen.heading  # the dialog names its target
        await pilot.press(*"目标", "enter")
        await pilot.pause()
    with stored(db) as s:
        assert s.notes(target.id).tags == ("目标",)
        assert s.notes(reading.id).tags == ()


# 3. undoing a split changes the screen too --------------------------------------------


async def test_undo_of_a_split_refreshes_lists_and_reader(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        assert screen.pages is not None and screen.article is not None
        issue_id = screen.article.issue_id
        n_before = len(screen.pages.issue(issue_id).articles)
        await pilot.press("S", "down", "enter")  # split at the second paragraph
        await pilot.pause()
        issue = screen.pages.issue(issue_id)
        assert len(issue.articles) == n_before + 1
        assert screen.query_one(ArticleList).option_count == n_before + 1
        await pilot.press("u")
        await pilot.pause()
        issue = screen.pages.issue(issue_id)
        assert len(issue.articles) == n_before
        assert screen.query_one(ArticleList).option_count == n_before
        assert screen.article is not None and screen.article.title.startswith("提升站位")
        ids = {a.id for a in issue.articles}
        assert screen.article.id in ids
        await pilot.press("ctrl+r")
        await pilot.pause()
        issue = screen.pages.issue(issue_id)
        assert screen.query_one(ArticleList).option_count == n_before + 1


# 4. corrections are honoured by list, show and search -----------------------------------


def _merge_first_page(seeds: Path, db: Path) -> tuple[str, str, str]:
    corpus = load_corpus(seeds)
    issue = corpus.issues[0]
    first, second = issue.articles[0], issue.articles[1]
    with Store.open(db) as s:
        s.add_correction(issue.id, "merge_next", first.spans[0][0])
    others = "".join(a.text for a in corpus.articles if a.id != second.id)
    word = next(
        second.text[i : i + 4]
        for i in range(len(second.text) - 4)
        if second.text[i : i + 4].isalnum() and second.text[i : i + 4] not in others
    )
    return first.id, second.id, word


def test_corrections_apply_to_list_show_search_and_index(
    seeds_copy: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    total = len(load_corpus(seeds_copy).articles)
    first, second, word = _merge_first_page(seeds_copy, db)
    base = ["--corpus", str(seeds_copy), "--db", str(db)]
    code, out, _ = cli(capsys, *base, "list", "--json")
    ids = [a["id"] for i in json.loads(out)["issues"] for a in i["articles"]]
    assert code == 0 and second not in ids and first in ids and len(ids) == total - 1
    code, _, err = cli(capsys, *base, "show", second)
    assert code == 2 and "no article" in err
    code, out, _ = cli(capsys, *base, "search", word, "--json")
    hits = [h["id"] for h in json.loads(out)["hits"]]
    assert code == 0 and second not in hits and first in hits
    code, out, _ = cli(capsys, *base, "index")
    assert code == 0 and f"{total - 1} articles" in out


async def test_search_after_a_merge_opens_the_merged_article(seeds_copy: Path, db: Path) -> None:
    first, second, word = _merge_first_page(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        dialog = await searched(pilot, screen, word)
        assert second not in dialog.hit_ids and first in dialog.hit_ids


# 5. ] and [ are the keys Textual sends --------------------------------------------------


async def test_square_brackets_step_through_articles(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("]")
        assert screen.article is not None and screen.article.title.startswith("对损害营商环境")
        await pilot.press("[")
        assert screen.article.title.startswith("提升站位")
    from tui.commands import PiyueCommands

    titles = [t for t, _a, _h in PiyueCommands._actions(None)]  # type: ignore[arg-type]
    assert any(t.endswith("(])") for t in titles) and any(t.endswith("(>)") for t in titles)
    assert not any("bracket" in t or "_sign" in t for t in titles)


# 6. Tab completes a tag; a half-typed code is not saved silently ------------------------


async def test_tab_completes_and_a_half_typed_code_asks_first(seeds_copy: Path, db: Path) -> None:
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[5], ["营商环境"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "学习讨论")
        await pilot.press("t", "营", "tab", "enter")
        await pilot.pause()
        aid = screen.article.id  # type: ignore[union-attr]
        with stored(db) as s:
            assert s.notes(aid).tags == ("营商环境",)
        await pilot.press("]")
        await pilot.press("t", "营")
        await pilot.pause()
        box = app.screen.query_one("#tag-input", Input)
        box.cursor_position = 1
        box._suggestion = ""  # the user moved away from the suggestion
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # n: use 营商环境 — at once (testerC F12)
        await pilot.pause()
        assert app.screen is screen
        other = screen.article.id  # type: ignore[union-attr]
    with stored(db) as s:
        assert s.notes(other).tags == ("营商环境",)
        assert "营" not in {t.name for t in s.tag_defs()}


# 8. the caret starts on screen; split pre-fills the word; read-only writes nothing -------


async def test_v_after_scrolling_puts_the_caret_on_screen(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        assert screen.pages is not None
        longest = max(screen.ws.corpus().articles, key=lambda a: len(a.text))
        await open_article(pilot, screen, longest.title)
        reader = screen.query_one(Reader)
        reader.scroll_end(animate=False)
        await pilot.pause()
        assert reader.scroll_y > 0
        await pilot.press("v")
        await pilot.pause()
        y = reader._caret_line()
        assert y is not None
        top = int(reader.scroll_y)
        assert top <= y < top + reader.scrollable_content_region.height


async def test_split_dialog_prefills_the_word(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        reader = screen.query_one(Reader)
        await pilot.press("v")
        art = screen.article
        assert art is not None
        i = next(k for k, (s, e) in enumerate(reader.tokens) if e - s >= 2)
        for _ in range(i):
            await pilot.press("right")
        await pilot.press("minus")
        await pilot.pause()
        assert isinstance(app.screen, InputDialog)
        s, e = reader.tokens[i]
        assert app.screen.query_one(Input).value == art.text[s:e]


async def test_a_read_only_instance_writes_no_words_and_no_position(
    seeds_copy: Path, db: Path, piyue_home: Path
) -> None:
    with Store.open(db):  # another piyue holds the database
        app = make_app(seeds_copy, db)
        async with running(app) as (pilot, screen):
            assert app.store.readonly
            await open_article(pilot, screen, "提升站位")
            await pilot.press("v", "plus")
            await pilot.pause(0.7)
            await pilot.press("q")
    assert not (piyue_home / "userdict.txt").exists()
    assert not list(piyue_home.rglob("state.json"))


# 9. smaller ----------------------------------------------------------------------------


def test_orphans_does_not_wait_for_the_writer(
    seeds_copy: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db):
        t0 = time.perf_counter()
        code, out, _ = cli(capsys, "--corpus", str(seeds_copy), "--db", str(db), "orphans")
        assert code == 0 and time.perf_counter() - t0 < 2.5


async def test_star_key_and_a_second_export_in_the_same_minute(
    seeds_copy: Path, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("*")
        await pilot.pause()
        aid = screen.article.id  # type: ignore[union-attr]
        with stored(db) as s:
            assert s.notes(aid).starred
        # something to export: an export of no article is refused, not written (tui13b)
        await pilot.press("t", *"防汛", "enter")
        await pilot.pause()
        paths = []
        for _ in range(2):
            await pilot.press("x")
            await pilot.pause()
            where = app.screen.query_one("#export-where", Input)
            paths.append(Path(app.screen.query_one("#export-path", Input).value))
            where.focus()
            await pilot.press("enter")  # Enter in the selection box exports too (tui13b)
            for _ in range(200):
                await pilot.pause(0.02)
                if app.screen is screen:
                    break
            assert app.screen is screen
        assert paths[0] != paths[1] and all(p.exists() for p in paths)


async def test_typing_after_a_search_starts_a_new_query(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await searched(pilot, screen, "营商环境")
        box = app.screen.query_one("#search-input", Input)
        assert app.screen.focused is not box
        box.value = ""
        await pilot.press(*"尾矿库")
        assert box.value == "尾矿库"


async def test_widening_the_terminal_recuts_the_list_titles(seeds_copy: Path, db: Path) -> None:
    """At 60 columns the issue list is the whole screen; at 160 it is a 30-cell pane: rows
    cut for the wide list must be cut again, not wrapped."""
    from rich.cells import cell_len

    from tui.widgets import IssueList

    app = make_app(seeds_copy, db)
    async with app.run_test(size=(60, 24)) as pilot:
        screen = app.main_screen
        for _ in range(200):
            await pilot.pause(0.02)
            if screen.pages is not None:
                break
        await pilot.pause(0.1)
        il = screen.query_one(IssueList)
        wide_rows = [str(il.get_option_at_index(i).prompt).split("\n")[0] for i in range(5)]
        await pilot.resize_terminal(160, 50)
        await pilot.pause(0.3)
        width = il.scrollable_content_region.width
        rows = [str(il.get_option_at_index(i).prompt).split("\n")[0] for i in range(5)]
        assert max(cell_len(r) for r in wide_rows) > width
        assert all(cell_len(r) <= width for r in rows)


# 1. quick-tag digits keep their code ------------------------------------------------------


async def test_quick_tag_digits_keep_their_code_while_coding(seeds_copy: Path, db: Path) -> None:
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        for i, t in enumerate(["党建", "产业升级", "政策话语", "营商环境", "防汛"]):
            s.add_tags(arts[20 + i], [t] * 1)
        s.add_tags(arts[25], ["党建", "产业升级"])  # uses differ: a by-use order would move
        five = s.quick_tags()[4]
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        tagged = []
        for _ in range(3):
            await pilot.press("5")
            await pilot.pause()
            tagged.append(screen.article.id)  # type: ignore[union-attr]
            await pilot.press("]")
        assert "5" in str(screen.query_one("#codebook").render())
    with stored(db) as s:
        assert [s.notes(a).tags for a in tagged] == [(five,)] * 3


# 7. passages are first-class -------------------------------------------------------------


async def test_a_quick_digit_codes_the_passage_at_the_caret(seeds_copy: Path, db: Path) -> None:
    """P Enter, then a digit: the passage gets the code (README: "in a passage they code the
    passage"); the digit tagged the article, or said its code was "already on" it."""
    art = next(a for a in load_corpus(seeds_copy).articles if a.title.startswith("提升站位"))
    with Store.open(db) as s:
        s.highlight_quote(art, "尾矿库", ["防汛"])
        s.add_tags(art, ["安全"])
        slot = s.quick_tags().index("安全") + 1
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("P", "enter", str(slot))
        await pilot.pause()
        with stored(db) as s:
            assert s.highlights(art.id)[0].tags == ("防汛", "安全")
            assert s.notes(art.id).tags == ("安全",)
        steps = len(app.workspace.store.history.undo)
        await pilot.press(str(slot))  # the passage has it now: said, nothing written
        await pilot.pause()
        assert len(app.workspace.store.history.undo) == steps


async def test_t_T_n_D_act_on_the_passage_at_the_caret(seeds_copy: Path, db: Path) -> None:
    art = next(a for a in load_corpus(seeds_copy).articles if a.title.startswith("提升站位"))
    with Store.open(db) as s:
        h = s.highlight_quote(art, "尾矿库", ["防汛"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("P", "enter")  # the list of passages: jump to the only one
        await pilot.pause()
        reader = screen.query_one(Reader)
        assert reader.mode == "caret" and reader.caret_token()[0] <= h.start  # type: ignore[index]
        assert "防汛" in str(
            screen.query_one("#reader").border_subtitle
        )  # its code on the meta line
        await pilot.press("t", *"安全", "enter")
        await pilot.pause()
        await pilot.press("n", *"段落说明", "ctrl+s")
        await pilot.pause()
        with stored(db) as s:
            (got,) = s.highlights(art.id)
            assert got.tags == ("防汛", "安全") and got.note == "段落说明"
            assert s.notes(art.id).tags == () and s.notes(art.id).note == ""
        await pilot.press("T", "enter")  # removes the passage's first code, not an article tag
        await pilot.pause()
        with stored(db) as s:
            assert s.highlights(art.id)[0].tags == ("安全",)
        await pilot.press("D")
        await pilot.pause()
        with stored(db) as s:
            assert s.highlights(art.id) == []


async def test_coding_the_same_span_twice_keeps_one_passage(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        reader = screen.query_one(Reader)
        for keys in (("t", *"甲", "enter"), ("n", *"乙", "ctrl+s")):
            reader.caret = 0  # the same two words both times
            await pilot.press("v", "right", "v", "right")
            await pilot.press(*keys)
            await pilot.pause()
        aid = screen.article.id  # type: ignore[union-attr]
    with stored(db) as s:
        (h,) = s.highlights(aid)
        assert h.tags == ("甲",) and h.note == "乙"


# snapshots: the reader with coloured, named passages ----------------------------------


def _passages_app(seeds: Path, db: Path):  # type: ignore[no-untyped-def]
    art = next(a for a in load_corpus(seeds).articles if a.title.startswith("提升站位"))
    with Store.open(db) as s:
        s.define_tag("防汛", colour="#e5c07b", description="汛期安全")
        s.define_tag("安全生产", colour="#61afef")
        s.highlight_quote(art, "尾矿库", ["防汛", "安全生产"], "重点")
        s.highlight_quote(art, art.text[:12], ["安全生产"])
    return make_app(seeds, db)


def _in_passage(size: tuple[int, int]):  # type: ignore[no-untyped-def]
    from .test_tui import ready

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = pilot.app.main_screen
        await ready(pilot, screen)
        while not screen.index_ready:
            await pilot.pause(0.05)
        await open_article(pilot, screen, "提升站位")
        while screen.article.id not in screen.entities:
            await pilot.pause(0.05)
        await pilot.press("P", "down", "enter")  # the caret into the 尾矿库 passage
        await pilot.pause(0.3)

    return run_before


def test_snapshot_reader_passages_160x50(seeds_copy: Path, db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        _passages_app(seeds_copy, db), terminal_size=(160, 50), run_before=_in_passage((160, 50))
    )


def test_snapshot_reader_passages_80x24(seeds_copy: Path, db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        _passages_app(seeds_copy, db), terminal_size=(80, 24), run_before=_in_passage((80, 24))
    )


async def test_R_over_two_passages_names_them_and_R_over_one_resizes_it(
    seeds_copy: Path, db: Path
) -> None:
    """R gives the coded passage the selection overlaps the selection's bounds; a selection
    over two passages said only "must overlap one", which it did (testerD): it names both."""
    art = next(a for a in load_corpus(seeds_copy).articles if a.title.startswith("提升站位"))
    with Store.open(db) as s:
        first = s.highlight_quote(art, "尾矿库是夏季", ["甲"])
        s.highlight_quote(art, "防汛的重点", ["乙"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        reader = screen.query_one(Reader)
        said: list[str] = []
        screen.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]

        def select(start: int, end: int) -> None:
            reader.mode = "select"
            reader.sel_anchor = next(i for i, (s, _e) in enumerate(reader.tokens) if s >= start)
            reader.caret = max(i for i, (_s, e) in enumerate(reader.tokens) if e <= end)

        select(first.start, first.end + 4)
        await pilot.press("R")
        await pilot.pause()
        assert "2" in said[-1] and "«尾矿库是夏季» 甲" in said[-1] and "«防汛的重点» 乙" in said[-1]
        with stored(db) as s:
            assert {h.quote for h in s.highlights(art.id)} == {"尾矿库是夏季", "防汛的重点"}
        select(first.start, first.end - 2)  # within the first only: it takes the bounds
        await pilot.press("R")
        await pilot.pause()
    with stored(db) as s:
        assert {h.quote for h in s.highlights(art.id)} == {"尾矿库是", "防汛的重点"}
