"""The reader app, driven with Textual's Pilot: every flow asserts on what was stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList, Static

from corpus.load import load_corpus
from storage.annotations import Store
from tui.app import PiyueApp, make_app
from tui.dialogs import HelpScreen, NoteDialog, SearchScreen, TagDialog
from tui.screens.main import MainScreen
from tui.widgets import ArticleList, IssueList, Reader

SIZE = (160, 50)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


def stored(db: Path) -> Store:
    """What another process would read from the file right now."""
    return Store.open(db, readonly=True)


async def ready(pilot, screen: MainScreen, entities: bool = False) -> None:  # type: ignore[no-untyped-def]
    for _ in range(400):
        await pilot.pause(0.02)
        if screen.pages is not None and (screen.index_ready or screen.df is not None):
            if not entities or (
                screen.article is not None and screen.article.id in screen.entities
            ):
                await pilot.pause(0.05)
                return
    raise AssertionError("the app never got ready")


def main(app: PiyueApp) -> MainScreen:
    return app.main_screen


@asynccontextmanager
async def running(app: PiyueApp) -> AsyncIterator[tuple[Any, MainScreen]]:
    """The app under the Pilot, its corpus loaded."""
    async with app.run_test(size=SIZE) as pilot:
        screen = main(app)
        await ready(pilot, screen)
        yield pilot, screen


async def searched(pilot, screen: MainScreen, query: str) -> SearchScreen:  # type: ignore[no-untyped-def]
    """Once the index is ready: ``/``, the query and Enter, then the dialog with its hits."""
    while not screen.index_ready:
        await pilot.pause(0.05)
    await pilot.press("slash", *query, "enter")
    for _ in range(100):
        await pilot.pause(0.02)
        if isinstance(screen.app.screen, SearchScreen) and screen.app.screen.hit_ids:
            break
    dialog = screen.app.screen
    assert isinstance(dialog, SearchScreen)
    return dialog


async def open_article(pilot, screen: MainScreen, title_part: str) -> None:  # type: ignore[no-untyped-def]
    assert screen.pages is not None
    row = next(a for a in screen.pages.article_rows() if title_part in a.title)
    art = screen.pages.article(row.id)
    assert art is not None
    screen.select_issue(screen.pages.issue_of(art), keep=art.id)
    screen.open_article(art, focus=True)
    await pilot.pause()


async def test_startup_lists_and_open(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        assert screen.query_one(IssueList).page_count == 5  # rows: pages under their groups
        assert screen.query_one(ArticleList).option_count == 2
        await pilot.press("tab", "j", "enter")
        await pilot.pause()
        assert screen.article is not None and screen.article.title.startswith("学习讨论")
        assert screen.focused is screen.query_one(Reader)
        head = screen.query_one(Reader).head_text()
        assert "学习讨论持续俩月" in head
    with stored(db) as s:
        assert s.notes(screen.article.id).read


async def test_search_open_tag_is_durable(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        while not screen.index_ready:
            await pilot.pause(0.05)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"营商环境", "enter")
        for _ in range(100):
            await pilot.pause(0.02)
            if app.screen.query_one("#search-hits", OptionList).option_count:
                break
        hits = app.screen.query_one("#search-hits", OptionList)
        assert hits.option_count >= 3
        await pilot.press("enter")
        await pilot.pause()
        assert screen.article is not None and "营商环境" in screen.article.text
        assert screen.search_query == "营商环境"
        await pilot.press("t")
        assert isinstance(app.screen, TagDialog)
        await pilot.press(*"营商环境,政企关系", "enter")
        await pilot.pause()
        aid = screen.article.id
        # durable while the app is still running (another process reads the file + journal)
        with stored(db) as s:
            assert s.notes(aid).tags == ("营商环境", "政企关系")


async def test_search_says_when_hits_are_cut(
    seeds_copy: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dialog lists the best SEARCH_ROWS hits; when more match it says so, never a
    count that reads as the whole."""
    from tui.actions import search as search_mod

    monkeypatch.setattr(search_mod, "SEARCH_ROWS", 2)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        dialog = await searched(pilot, screen, "营商环境")
        assert dialog.query_one("#search-hits", OptionList).option_count == 2
        status = str(dialog.query_one("#search-status").render())
        assert "前 2 条" in status and "match" in status


async def test_tag_autocomplete(seeds_copy: Path, db: Path) -> None:
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[5], ["营商环境"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "学习讨论")
        await pilot.press("t", "营", "right", "enter")
        await pilot.pause()
        assert screen.article is not None
    with stored(db) as s:
        assert s.notes(screen.article.id).tags == ("营商环境",)


async def test_note_save_and_cancel_guard(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("n")
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"防汛很重要", "enter", *"第二行", "ctrl+s")
        await pilot.pause()
        aid = screen.article.id  # type: ignore[union-attr]
        with stored(db) as s:
            assert s.notes(aid).note == "防汛很重要\n第二行"
        await pilot.press("n", *"不要保存", "escape")
        await pilot.pause()
        assert "Discard" in str(app.screen.query_one(Static).render())
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen
        with stored(db) as s:
            assert s.notes(aid).note == "防汛很重要\n第二行"


async def test_select_passage_and_tag_it(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        reader = screen.query_one(Reader)
        await pilot.press("v", "right", "right", "v", "right", "right", "right")
        assert reader.mode == "select"
        sel = reader.selection()
        assert sel is not None
        art = screen.article
        assert art is not None
        expected = art.text[sel[0] : sel[1]]
        assert expected == "".join(art.text[s:e] for s, e in reader.tokens[2:6])
        await pilot.press("t", *"关键段落", "enter")
        await pilot.pause()
        assert reader.mode == "caret"  # on the passage just coded: ``n`` notes it (F2)
        await pilot.press("escape")
        assert reader.mode == "read"
    with stored(db) as s:
        (h,) = s.highlights(art.id)
        assert h.quote == expected and h.tags == ("关键段落",)
        assert art.text[h.start : h.end] == h.quote


async def test_the_caret_stops_inside_a_learned_term(seeds_copy: Path, db: Path) -> None:
    """A learned term reads as one word, but the passage caret stops at its parts: a passage
    can be one part of it (巡视整改 of 中央巡视整改专题民主生活会) without splitting it for good."""
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        lib = screen.ws.library
        for _ in range(200):
            if screen.index_ready and lib.segmenter.loaded and lib.terms(stored_only=True):
                break
            await pilot.pause(0.05)
        multi = {t.text: t.parts for t in lib.terms(stored_only=True) if len(t.parts) > 1}
        assert screen.pages is not None
        art, term = next(
            (a, w)
            for r in screen.pages.article_rows()
            if (a := screen.pages.article(r.id)) is not None
            for w in (t.word for t in lib.segmenter.tokens(a.text))
            if w in multi
        )
        await open_article(pilot, screen, art.title)
        reader = screen.query_one(Reader)
        at = art.text.index(term)
        stops = [s for s, _e in reader.tokens if at <= s < at + len(term)]
        assert len(stops) == len(multi[term])  # one caret stop per part
        first = next(i for i, (s, _e) in enumerate(reader.tokens) if s == at)
        await pilot.press("v", *["right"] * first, "v")  # select the term's first part alone
        assert reader.selection() == (at, at + len(multi[term][0]))


async def test_caret_moves_by_screen_line_and_the_mouse_selects(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        reader = screen.query_one(Reader)
        art = screen.article
        assert art is not None
        await pilot.press("v", "down")  # the word below the first one, on the next line
        first = reader.tokens[0]
        assert reader.tokens[reader.caret][0] > first[0]
        top = reader.line_of(len(reader.head), 0)
        below = next(y for y in range(top + 1, reader.line_count) if reader.offset_at(0, y))
        assert reader._caret_line() == below  # the next line with text (gaps are skipped)
        await pilot.press("escape")
        # drag across the first body line with the mouse
        y = reader.line_of(len(reader.head), 0) - int(reader.scroll_y)
        pad_x = reader.content_region.x - reader.region.x
        pad_y = reader.content_region.y - reader.region.y
        await pilot.mouse_down(Reader, offset=(pad_x, pad_y + y))
        assert reader.mode == "caret" and reader.caret == 0
        await pilot.hover(Reader, offset=(pad_x + 11, pad_y + y))
        await pilot.mouse_up(Reader, offset=(pad_x + 11, pad_y + y))
        await pilot.pause()
        assert reader.mode == "select"
        sel = reader.selection()
        assert sel is not None and sel[0] == 0 and 4 <= sel[1] - sel[0] <= 8
        expected = art.text[sel[0] : sel[1]]
        await pilot.press("t", *"鼠标选段", "enter")
        await pilot.pause()
    with stored(db) as s:
        (h,) = s.highlights(art.id)
        assert h.quote == expected and h.tags == ("鼠标选段",)


async def test_quick_tags_undo_redo_unread(seeds_copy: Path, db: Path) -> None:
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[1], ["营商环境", "党建"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        aid = screen.article.id  # type: ignore[union-attr]
        codebook = str(screen.query_one("#codebook", Static).render())
        assert "1" in codebook and "营商环境" in codebook
        await pilot.press("1")
        await pilot.pause()
        with stored(db) as s:
            assert s.notes(aid).tags == ("营商环境",)
        await pilot.press("u")
        await pilot.pause()
        with stored(db) as s:
            assert s.notes(aid).tags == ()
        await pilot.press("ctrl+r")
        await pilot.pause()
        with stored(db) as s:
            assert s.notes(aid).tags == ("营商环境",)
        await pilot.press("m")
        await pilot.pause()
        with stored(db) as s:
            assert not s.notes(aid).read
        await pilot.press("T", "enter")
        await pilot.pause()
        with stored(db) as s:
            assert s.notes(aid).tags == ()


async def test_filter_by_tag_expression(seeds_copy: Path, db: Path) -> None:
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[9], ["营商环境", "党建"])
        s.set_note(arts[12], "笔记")
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await pilot.press("f", *"营商环境 and not 党建", "enter")
        await pilot.pause()
        assert [a.id for a in screen.visible_articles] == [arts[0].id]
        await pilot.press("f")
        app.screen.query_one("Input").value = "has:note"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert [a.id for a in screen.visible_articles] == [arts[12].id]
        await pilot.press("f")
        app.screen.query_one("Input").value = ""  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert screen.art_filter.tree is None


async def test_corrections_merge_and_caption(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "市政协党组")
        before = len(screen.pages.issue_of(screen.article).articles)  # type: ignore[union-attr, arg-type]
        await pilot.press("M", "y")  # asked first (what moves)
        await pilot.pause()
        issue = screen.pages.issue_of(screen.article)  # type: ignore[union-attr, arg-type]
        assert len(issue.articles) == before - 1
        assert (
            screen.article is not None
            and "市纪委监委领导班子召开专题民主生活会" in screen.article.section_heads
        )
        await pilot.press("C")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.article.captions  # type: ignore[union-attr]
    with stored(db) as s:
        kinds = [c.kind for c in s.corrections()]
        assert kinds == ["merge_next", "caption"]
    # applied again on the next start
    app2 = make_app(seeds_copy, db)
    async with running(app2) as (pilot, screen2):
        issue2 = screen2.pages.issue(issue.id)  # type: ignore[union-attr]
        assert len(issue2.articles) == before - 1


async def test_read_only_when_another_process_holds_the_db(seeds_copy: Path, db: Path) -> None:
    holder = Store.open(db)
    try:
        app = make_app(seeds_copy, db)
        assert app.store.readonly
        async with running(app) as (pilot, screen):
            banner = str(screen.query_one("#readonly-banner", Static).render())
            assert "READ-ONLY" in banner
            await open_article(pilot, screen, "提升站位")
            await pilot.press("t")
            await pilot.pause()
            assert app.screen is screen  # no dialog: nothing can be saved
    finally:
        holder.close()
    with stored(db) as s:
        assert s.all_notes() == []


async def test_nothing_is_opened_before_the_first_paint(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    assert not db.parent.exists()  # the factory touches no file: the app opens the store
    async with running(app) as (_pilot, screen):
        assert db.exists() and not app.store.readonly
        assert screen.pages is not None and app.library.root == seeds_copy


async def test_a_corrupt_database_ends_the_app_with_a_message(seeds_copy: Path, db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"{not json")
    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if app.fatal:
                break
    assert "not a valid piyue database" in app.fatal
    assert app.return_code == 2
    assert db.read_bytes() == b"{not json"  # left untouched


async def test_next_prev_article_help_and_layers(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("right_square_bracket")
        assert screen.article is not None and screen.article.title.startswith("对损害营商环境")
        await pilot.press("left_square_bracket")
        assert screen.article.title.startswith("提升站位")
        await pilot.press("s")
        assert not screen.hl_layers.boundaries
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("q")
    assert app.return_code in (0, None)


async def test_key_hints_follow_focus_and_a_click_presses_the_key(
    seeds_copy: Path, db: Path
) -> None:
    """The one-widget footer shows what Textual's Footer would (keys of the focused widget
    and its screen, the palette on the right) and a click on a key presses it."""
    from tui.widgets.keyhints import KeyHints

    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        hints = screen.query_one(KeyHints)
        shown = [(k, d) for k, _, d, _ in hints.hints()]
        assert ("q", "Quit") in shown and ("question_mark", "Help") in shown
        assert shown[-1][0] == app.COMMAND_PALETTE_BINDING
        line = hints.render().plain
        assert line.startswith(" q Quit  ? Help ") and line.rstrip().endswith("^p palette")
        first, end, key, _ = next(k for k in hints._keys if k[2] == "question_mark")
        await pilot.click(KeyHints, offset=(first + 1, 0))
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_footer_keeps_the_important_keys_at_80_columns(seeds_copy: Path, db: Path) -> None:
    """Keys that do not fit are left out least important first (the screen's
    ``HINT_ORDER``), not from the end of the line, and the closed-up line takes the short
    descriptions (``HINT_SHORT``): the coding keys ``v`` and ``c`` stay (they were left out),
    with Undo and Quit; Filter and Export go (help and the palette have them)."""
    from tui.screens.codebook import CodebookScreen
    from tui.widgets.keyhints import KeyHints

    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = main(app)
        await ready(pilot, screen)
        line = screen.query_one(KeyHints).render().plain
        assert len(line) == 80 and line.rstrip().endswith("^p palette")
        for key in ("q Quit", "? Help", "/ Search", "t Tag", "n Note", "u Undo"):
            assert key in line, line
        assert "v Passage" in line and "c Codes" in line, line
        assert "x Export" not in line and "m Read/unread" not in line
        # a click still presses the key it is on (the cells moved when the line closed up)
        first, _end, key, _ = next(k for k in screen.query_one(KeyHints)._keys if k[2] == "u")
        assert line[first:].startswith(" u Undo")
        await pilot.press("c")
        for _ in range(100):
            await pilot.pause(0.02)
            if isinstance(app.screen, CodebookScreen):
                break
        line = app.screen.query_one(KeyHints).render().plain
        for key in ("esc Back", "u Undo", "a New", "r Rename", "m Merge", "p Move", "d Delete"):
            assert key in line, line
        assert "x Co-occur " in line, line
        await pilot.resize_terminal(160, 50)
        await pilot.pause(0.1)
        line = app.screen.query_one(KeyHints).render().plain
        assert "x Co-occurrence" in line and "e Describe" in line and "o Colour" in line
        await pilot.press("escape")
        await pilot.pause(0.1)
        line = screen.query_one(KeyHints).render().plain
        assert line.startswith(" q Quit  ? Help ") and "s Words  x Export  c Codebook " in line


async def test_remembers_last_article(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "全市宣传部长")
        await pilot.press("q")
    app2 = make_app(seeds_copy, db)
    async with running(app2) as (pilot, screen2):
        assert screen2.article is not None and screen2.article.title == "全市宣传部长会议召开"


async def test_remembers_the_scroll_position(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "以“新”赋能")
        await pilot.press("space", "j", "j")
        await pilot.pause()
        scrolled = screen.query_one(Reader).scroll_y
        assert scrolled > 0
        await pilot.press("q")
    app2 = make_app(seeds_copy, db)
    async with running(app2) as (pilot, screen2):
        await pilot.pause(0.1)
        assert screen2.article is not None and "以“新”赋能" in screen2.article.title
        assert screen2.query_one(Reader).scroll_y == scrolled


async def test_putting_the_reader_back_does_not_mark_an_article_read(
    seeds_copy: Path, db: Path
) -> None:
    """An article only passed over in the list is where the reader was: a restart shows it
    again but does not mark it read (read marks are coded units for agreement)."""
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await pilot.press("tab", "j", "j", "j")
        await pilot.pause(0.8)  # the position is saved once the user settles
        passed = screen.article
        assert passed is not None
        await pilot.press("q")
    app2 = make_app(seeds_copy, db)
    async with running(app2) as (pilot, screen2):
        await pilot.pause(0.1)
        assert screen2.article is not None and screen2.article.id == passed.id
        assert not app2.store.readonly  # the first reader's lock went with it
        assert not app2.store.notes(passed.id).read


async def test_markup_in_pages_is_shown_as_text(tmp_path: Path, db: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "p.txt").write_text(
        "## [bold]标题[/bold]\n\n正文[red]不是标记[/red]\x1b[31m。\n", "utf-8"
    )
    app = make_app(corpus, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "标题")
        body = screen.query_one(Reader).body_text()
        assert "[red]不是标记[/red]" in body and "\x1b" not in body
        head = screen.query_one(Reader).head_text()
        assert "[bold]标题[/bold]" in head


def _snap(
    size: tuple[int, int], title: str | None, visual: bool = False
) -> Callable[..., Awaitable[None]]:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = main(pilot.app)
        await ready(pilot, screen)
        while not screen.index_ready:
            await pilot.pause(0.05)
        if title:
            await open_article(pilot, screen, title)
        # names (part-of-speech tagging) arrive from a worker: wait, so the picture is stable
        if screen.article is not None:
            while screen.article.id not in screen.entities:
                await pilot.pause(0.05)
            screen.render_article()
        if visual:
            await pilot.press("v", "right", "right", "v", "right", "right")
        await pilot.pause(0.2)

    return run_before


async def test_hit_position_goes_with_its_article(seeds_copy: Path, db: Path) -> None:
    """ "命中 hit 1/n" stayed on the status line over articles that were no hit."""
    from tui.widgets import StatusLine

    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await searched(pilot, screen, "营商环境")
        await pilot.press("enter")
        await pilot.pause()
        bar = screen.query_one(StatusLine)
        assert bar.text.startswith("命中 hit 1/")
        hit = screen.article
        assert hit is not None
        await open_article(pilot, screen, "学习讨论")  # no 营商环境 in it
        assert screen.article is not None and "营商环境" not in screen.article.text
        assert "命中" not in bar.text
        await open_article(pilot, screen, hit.title[:8])
        await pilot.press("greater_than_sign")
        assert bar.text.startswith("命中 hit 1/")


def _snap_app(seeds: Path, db: Path) -> PiyueApp:
    art = next(a for a in load_corpus(seeds).articles if a.title.startswith("对损害营商环境"))
    with Store.open(db) as s:
        s.add_tags(art, ["营商环境", "党建"])
        s.highlight_quote(art, "优化营商环境", ["营商环境"], "关键")
        s.add_watch("纪检监察", "#ff6e6e")
    app = make_app(seeds, db)
    return app


def test_snapshot_main_160x50(seeds_copy: Path, db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        _snap_app(seeds_copy, db), terminal_size=(160, 50), run_before=_snap((160, 50), None)
    )


def test_snapshot_main_80x24(seeds_copy: Path, db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        _snap_app(seeds_copy, db), terminal_size=(80, 24), run_before=_snap((80, 24), None)
    )


def test_snapshot_reader_with_highlights(seeds_copy: Path, db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        _snap_app(seeds_copy, db),
        terminal_size=(160, 50),
        run_before=_snap((160, 50), "对损害营商环境", visual=True),
    )


async def test_export_dialog_writes_the_file(
    seeds_copy: Path, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["营商环境"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await pilot.press("x")
        await pilot.pause()
        path = Path(app.screen.query_one("#export-path").value)  # type: ignore[attr-defined]
        assert path.parent == tmp_path and path.suffix == ".jsonl"
        await pilot.press("enter")
        for _ in range(200):
            await pilot.pause(0.02)
            if app.screen is screen:
                break
        assert app.screen is screen
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 1 and '"营商环境"' in lines[0]


async def test_delete_passage_and_watch_term(seeds_copy: Path, db: Path) -> None:
    arts = load_corpus(seeds_copy).articles
    art = next(a for a in arts if a.title.startswith("提升站位"))
    with Store.open(db) as s:
        s.highlight_quote(art, "尾矿库", ["防汛"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("D", "enter")
        await pilot.pause()
        await screen.run_action("add_watch")
        await pilot.press(*"防汛", "enter")
        await pilot.pause()
    with stored(db) as s:
        assert s.highlights(art.id) == []
        assert [t for t, _ in s.watch_terms()] == ["防汛"]


async def test_join_word_goes_to_the_user_dictionary(
    seeds_copy: Path, db: Path, piyue_home: Path
) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        reader = screen.query_one(Reader)
        await pilot.press("v")
        art = screen.article
        assert art is not None
        i = next(
            k
            for k in range(len(reader.tokens) - 1)
            if all(art.text[s:e].isalnum() for s, e in reader.tokens[k : k + 2])
        )
        joined = art.text[reader.tokens[i][0] : reader.tokens[i + 1][1]]
        for _ in range(i):
            await pilot.press("right")
        await pilot.press("plus")
        await pilot.pause()
        assert joined in (piyue_home / "userdict.txt").read_text("utf-8")
        assert art.text[reader.tokens[i][0] : reader.tokens[i][1]] == joined  # applied at once


async def test_star_from_the_palette_action(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await screen.run_action("toggle_star")
        await pilot.pause()
        aid = screen.article.id  # type: ignore[union-attr]
        await pilot.press("f")
        app.screen.query_one("Input").value = "is:starred"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert [a.id for a in screen.visible_articles] == [aid]
    with stored(db) as s:
        assert s.notes(aid).starred


async def test_list_panes_resize(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        before = screen.query_one("#articles").outer_size.width
        await pilot.press("ctrl+right")
        await pilot.pause()
        assert screen.query_one("#articles").outer_size.width == before + 4
        await pilot.press("ctrl+left", "ctrl+left")
        await pilot.pause()
        assert screen.query_one("#articles").outer_size.width == before - 4


async def test_issue_row_shows_progress_after_tagging(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        await pilot.press("t", *"防汛", "enter")
        await pilot.pause()
        il = screen.query_one(IssueList)
        issue = screen.pages.issue_of(screen.article)  # type: ignore[union-attr, arg-type]
        prompt = str(il.get_option(issue.id).prompt)
        assert "✓1" in prompt and "●8" in prompt


def test_palette_commands_have_both_languages_and_keys_as_typed() -> None:
    """Every command is found by its English and by its Chinese words; keys read as typed."""
    from textual.app import App
    from textual.binding import Binding
    from textual.fuzzy import Matcher

    from tui.commands import ZH, PiyueCommands, key_display

    bindings = [b for b in MainScreen.BINDINGS if isinstance(b, Binding)]
    assert all(ZH.get(b.id or "") for b in bindings), "a main-screen key with no Chinese name"
    app = App[None]()
    assert [key_display(b) for b in bindings] == [app.get_key_display(b) for b in bindings]
    commands = PiyueCommands._actions(None)  # type: ignore[arg-type]
    by_action = {action: title for title, action, _zh in commands}
    assert by_action["help"] == "Help 帮助 按键 (?)"
    assert by_action["toggle_star"].endswith("(*)") and by_action["redo"].endswith("(^r)")
    for title, _action, zh in commands:
        assert "_" not in title and zh, title
        english = title.split(" (")[0].replace(zh, "").strip()
        for words in (english, *zh.split()):
            assert Matcher(words).match(title) > 0, (words, title)


async def test_palette_finds_a_command_by_its_chinese_name(seeds_copy: Path, db: Path) -> None:
    from textual.command import CommandList, CommandPalette

    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        for query, wanted in [("导出", "Export 导出 (x)"), ("帮助", "Help 帮助 按键 (?)")]:
            await pilot.press("ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*query)
            results = app.screen.query_one(CommandList)
            shown: list[str] = []
            for _ in range(100):
                await pilot.pause(0.02)
                shown = [
                    str(results.get_option_at_index(i).prompt) for i in range(results.option_count)
                ]
                if any(wanted in s for s in shown):
                    break
            assert any(wanted in s for s in shown), shown
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("ctrl+p", *"星标", "enter")
        for _ in range(100):
            await pilot.pause(0.02)
            if (
                app.screen is screen
                and screen.article
                and screen.ws.store.notes(screen.article.id).starred
            ):
                break
    assert screen.article is not None
    with stored(db) as s:
        assert s.notes(screen.article.id).starred
