"""Faults test users met in the reader (session 11), each pressed as a user would: a write
the disk refuses keeps the dialog and its text, control characters from pages and users never
reach the terminal, a quick tag already there is said (no empty undo step), j/k in passage
mode, the export dialog's path and coder, the issues tree after a coder switch, the palette,
help, the date jump, the search dialog, the tag dialog's target."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from storage.annotations import Store
from storage.errors import DiskError
from tests.test_tui import SIZE, open_article, ready, stored
from tests.test_tui_analysis import until
from tui.app import PiyueApp, make_app
from tui.dialogs import NoteDialog, TagDialog

FULL = "cannot write annotations.json.journal: no space left on device — free some space"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


async def started(pilot: Any, app: PiyueApp) -> None:
    await ready(pilot, app.main_screen)


def disk_full(monkeypatch: pytest.MonkeyPatch, app: PiyueApp, *names: str) -> None:
    """The store's writes fail as on a full disk (``names``: its methods)."""
    store = app.workspace.store

    def refuse(*_a: Any, **_k: Any) -> Any:
        raise DiskError(FULL, "annotations.json.journal", errno.ENOSPC)

    for name in names:
        monkeypatch.setattr(store, name, refuse)


async def test_a_note_the_disk_refuses_stays_in_its_editor(
    seeds_copy: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctrl+s on a full disk closed the editor and the note was gone. It stays open with
    the text and the error; once there is room, ctrl+s saves it."""
    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        screen = app.main_screen
        await open_article(pilot, screen, "西工区")
        disk_full(monkeypatch, app, "set_note")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog), "note editor")
        editor = app.screen
        await pilot.press(*"半小时的笔记", "ctrl+s")
        await pilot.pause(0.1)
        assert app.screen is editor, "the editor closed on a failed save"
        assert editor.query_one(TextArea).text == "半小时的笔记"
        shown = " ".join(str(s.render()) for s in editor.query("Static"))
        assert "no space left" in shown and "ctrl+s" in shown
        monkeypatch.undo()  # the user freed some space
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen, "saved and closed")
        art = screen.article
        assert art is not None
    with stored(db) as s:
        assert s.notes(art.id).note == "半小时的笔记"


async def test_a_tag_the_disk_refuses_stays_in_its_prompt(
    seeds_copy: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for the tag prompt: what was typed stays, Enter again saves it."""
    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        screen = app.main_screen
        await open_article(pilot, screen, "西工区")
        disk_full(monkeypatch, app, "add_tags")
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TagDialog), "tag prompt")
        prompt = app.screen
        await pilot.press(*"营商环境 党建", "enter")
        await pilot.pause(0.1)
        assert app.screen is prompt, "the prompt closed on a failed save"
        assert prompt.query_one(Input).value == "营商环境 党建"
        shown = " ".join(str(s.render()) for s in prompt.query("Static"))
        assert "no space left" in shown
        monkeypatch.undo()
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen, "saved and closed")
        art = screen.article
        assert art is not None
    with stored(db) as s:
        assert list(s.notes(art.id).tags) == ["营商环境", "党建"]


EVIL = "\x1b[31m红\x1b]0;T\x07完\x07"
"""What a page or a user's note may hold: a colour, an OSC retitling the terminal, a bell."""


def raw_controls(app: PiyueApp) -> list[str]:
    """Every line of the screen as drawn that carries a control character (what would reach
    the terminal as it is)."""
    bad = []
    for strip in app.screen._compositor.render_strips():
        text = "".join(seg.text for seg in strip)
        if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text):
            bad.append(text)
    return bad


@pytest.fixture
def evil_corpus(seeds_copy: Path) -> Path:
    """A page whose headline, byline and body carry control characters."""
    (seeds_copy / "zz_evil.txt").write_text(
        f"## 标题{EVIL}\n\n正文第一段，有{EVIL}控制字符。\n\n□记者 某某{EVIL}\n", encoding="utf-8"
    )
    return seeds_copy


async def test_control_characters_never_reach_the_terminal(
    evil_corpus: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSC sequence in a note retitled the terminal; ESC[0m in a headline reset the
    styling and shifted the borders. Headline, byline, notes (article and passage), a code's
    description: drawn as ␛ in the lists, the reader, the legend, toasts and dialogs."""
    from tui.dialogs import NoteDialog, TagDialog
    from tui.widgets import Reader

    with Store.open(db) as s:
        s.define_tag("营商环境", "#e5c07b", description=f"描述{EVIL}")
    app = make_app(evil_corpus, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        screen = app.main_screen
        await open_article(pilot, screen, "标题")
        art = screen.article
        assert art is not None and "\x1b" in art.title
        ws = app.workspace
        ws.set_note(art, f"笔记{EVIL}")
        ws.code_passage(art, 0, 4, ["营商环境"], f"段注{EVIL}")
        screen.after_change()
        screen.refresh_codebook()
        await pilot.pause(0.1)
        assert raw_controls(app) == []
        assert "␛[31m红␛]0;T␇完␇" in screen.query_one(Reader).head_text()
        # the caret in the passage: its note in the legend
        await pilot.press("v")
        await pilot.pause(0.1)
        screen.query_one(Reader).caret_to(0)
        await pilot.pause(0.1)
        legend = screen.query_one(Reader).border_subtitle
        assert legend is not None and "段注␛[31m红" in str(legend)
        assert raw_controls(app) == []
        await pilot.press("escape", "tab", "tab")  # the article list: its row
        await pilot.pause(0.1)
        assert raw_controls(app) == []
        screen.set_pane("reader")
        await pilot.press("1")  # a toast naming the headline
        await pilot.pause(0.2)
        assert any("标题␛[31m红" in n.message for n in app._notifications)
        assert raw_controls(app) == []
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TagDialog), "tag dialog")
        await pilot.pause(0.1)
        assert raw_controls(app) == []
        await pilot.press("escape", "n")
        await until(pilot, lambda: isinstance(app.screen, NoteDialog), "note editor")
        await pilot.pause(0.1)
        assert raw_controls(app) == []
        await pilot.press("escape")


async def test_a_quick_tag_already_there_is_said_and_not_an_undo_step(
    seeds_copy: Path, db: Path
) -> None:
    """``1`` on an article that has the code said "营商环境 → 西工区…" and recorded a step
    that did nothing: ``u`` then "undid" it. It says the code is there; ``u`` undoes the
    real last change."""
    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        screen = app.main_screen
        await open_article(pilot, screen, "西工区")
        art = screen.article
        assert art is not None
        await pilot.press("t", *"营商环境", "enter")
        await until(pilot, lambda: app.screen is screen, "tagged")
        await pilot.press("t", *"党建", "enter")
        await until(pilot, lambda: app.screen is screen, "tagged again")
        assert app.workspace.store.quick_tags()[0] == "营商环境"
        app.clear_notifications()
        await pilot.press("1")
        await pilot.pause(0.1)
        said = " ".join(n.message for n in app._notifications)
        assert "already" in said and "营商环境" in said, said
        await pilot.press("u")
        await pilot.pause(0.1)
        assert list(app.workspace.store.notes(art.id).tags) == ["营商环境"]


async def test_j_and_k_move_the_caret_a_line_in_passage_mode(seeds_copy: Path, db: Path) -> None:
    """``j j`` in passage mode did nothing (h/l moved the caret): j/k are ↓/↑ there."""
    from tui.widgets import Reader

    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        screen = app.main_screen
        await open_article(pilot, screen, "西工区")
        reader = screen.query_one(Reader)
        await pilot.press("v")
        await pilot.pause(0.1)
        start = reader.caret
        await pilot.press("down", "down")
        await pilot.pause(0.1)
        by_arrows = reader.caret
        assert by_arrows > start
        await pilot.press("up", "up")
        await pilot.pause(0.1)
        assert reader.caret == start
        await pilot.press("j", "j")
        await pilot.pause(0.1)
        assert reader.caret == by_arrows
        await pilot.press("k")
        await pilot.pause(0.1)
        assert start < reader.caret < by_arrows


@pytest.mark.parametrize("size", [(160, 50), (80, 24)])
async def test_help_lists_every_key_and_the_tree_marks(
    seeds_copy: Path, db: Path, size: tuple[int, int]
) -> None:
    """``?`` had 1–9 (and B, K, W) below the fold of a box that did not say it scrolls, and
    nothing on screen said what ✓ and ● mean. At 160 columns it all shows at once; at 80
    ↓ scrolls to the end."""
    from textual.containers import VerticalScroll

    from tui.dialogs import HelpScreen

    app = make_app(seeds_copy, db)
    async with app.run_test(size=size) as pilot:
        await started(pilot, app)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.pause(0.1)
        text = str(app.screen.query_one("#help-text").render())
        for key, what in [
            ("1–9", "quick tags"),
            ("W", "Key terms"),
            ("K", "Concordance"),
            ("A", "Agreement"),
            ("B", "Blind"),
            ("✓", "coded"),
            ("●", "unread"),
        ]:
            assert key in text and what in text, (key, what)
        lines = text.count("\n") + 1
        assert app.screen.query_one("#help-text").size.height == lines, "rows wrap"
        scroll = app.screen.query_one("#help-scroll", VerticalScroll)
        box = app.screen.query_one(".help-dialog")
        hint = list(box.query("Static"))[-1]
        assert "Esc" in str(hint.render())
        assert scroll.region.bottom <= hint.region.y < hint.region.bottom <= box.region.bottom
        if size[0] >= 160:
            assert scroll.max_scroll_y == 0, "help does not fit at 160x50"
        else:
            assert scroll.max_scroll_y > 0
            for _ in range(40):
                await pilot.press("j")
            await pilot.pause(0.1)
            assert scroll.scroll_y == scroll.max_scroll_y


async def test_the_issues_tree_follows_a_coder_switch(seeds_copy: Path, db: Path) -> None:
    """After "Set the coder" the tree kept the previous coder's ✓/● (27 unread where the
    filter said 28). It shows the new coder's; its border says what ✓ and ● mean."""
    from corpus.load import load_corpus
    from tui.dialogs import InputDialog
    from tui.screens.base import progress_of_all
    from tui.widgets import IssueList

    arts = load_corpus(seeds_copy).articles
    with Store.open(db, coder="甲") as s:  # on a page the reader does not open first
        s.add_tags(arts[-1], ["营商环境"])
        s.set_read(arts[-1], True)
    app = make_app(seeds_copy, db, coder="甲")
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        screen = app.main_screen
        tree = screen.query_one(IssueList)
        assert screen.pages is not None
        page = screen.pages.issue_of(arts[-1]).id
        before = tree.progress[page]
        assert "✓" in str(tree.border_subtitle) and "●" in str(tree.border_subtitle)
        screen.action_set_coder()
        await until(pilot, lambda: isinstance(app.screen, InputDialog), "coder dialog")
        await pilot.press("ctrl+u", *"乙", "enter")
        await until(pilot, lambda: app.screen is screen, "switched")
        await pilot.pause(0.1)
        assert app.workspace.store.coder == "乙"
        notes = list(app.workspace.store.combined_notes().values())
        fresh = progress_of_all(screen.pages, notes)
        assert fresh[page] != before
        assert tree.progress == fresh


@pytest.mark.parametrize("query", ["coder", "编码者"])
async def test_coder_in_the_palette_sets_the_coder(seeds_copy: Path, db: Path, query: str) -> None:
    """ "coder" Enter toggled blind mode ("Blind / all coders" ranked first)."""
    from textual.command import CommandList, CommandPalette

    from tui.dialogs import InputDialog

    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "palette")
        await pilot.press(*query)
        results = app.screen.query_one(CommandList)
        await until(pilot, lambda: results.option_count > 1, "hits")
        await pilot.pause(0.3)
        first = str(results.get_option_at_index(0).prompt)
        assert "Set the coder" in first, first
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, InputDialog), "the coder dialog")


async def test_export_format_keeps_the_typed_path_and_a_coder_can_be_chosen(
    seeds_copy: Path, db: Path, tmp_path: Path
) -> None:
    """Choosing CSV after typing a path put the default path back (in the current folder,
    the source tree); and there was no way to export another coder's or the adjudicated
    codings. The typed path keeps its folder and name (the extension follows the format);
    a coder is chosen as with the CLI's ``--coder``."""
    import csv
    import io

    from textual.widgets import Select

    from corpus.load import load_corpus
    from tui.dialogs.export import ExportDialog

    arts = load_corpus(seeds_copy).articles
    with Store.open(db, coder="甲") as s:
        s.add_tags(arts[0], ["营商环境"])
    with Store.open(db, coder="final") as s:
        s.add_tags(arts[1], ["党建"])
    app = make_app(seeds_copy, db, coder="乙")
    out = tmp_path / "exp-bob.jsonl"
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog), "export dialog")
        dialog = app.screen
        await pilot.press("ctrl+u", *str(tmp_path / "exp-bob.jsonl"))
        fmt = dialog.query_one("#export-format", Select)
        fmt.focus()
        await pilot.press("enter", "down", "enter")  # CSV
        await pilot.pause(0.1)
        assert fmt.value == "csv"
        path = dialog.query_one("#export-path", Input)
        assert path.value == str(tmp_path / "exp-bob.csv")
        coder = dialog.query_one("#export-coder", Select)
        choices = [v for _label, v in coder._options]
        assert choices == ["", "final", "甲", "all"], choices
        coder.value = "final"
        path.focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is app.main_screen, "exported")
    assert not out.exists()
    rows = list(csv.DictReader(io.StringIO((tmp_path / "exp-bob.csv").read_text("utf-8-sig"))))
    assert [(r["id"], r["coder"], r["tags"]) for r in rows] == [(arts[1].id, "final", "党建")]


async def test_a_date_with_no_edition_says_where_it_went(seeds_copy: Path, db: Path) -> None:
    """``d 1999-05-05`` silently landed on the nearest edition."""
    from tui.dialogs import InputDialog

    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        screen = app.main_screen
        app.clear_notifications()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, InputDialog), "date")
        await pilot.press(*"1999-05-05", "enter")
        await until(pilot, lambda: app.screen is screen, "jumped")
        await pilot.pause(0.1)
        said = " ".join(n.message for n in app._notifications)
        assert "no edition on 1999-05-05; 最近 nearest: 2018-09-12" in said, said
        app.clear_notifications()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, InputDialog), "date")
        await pilot.press(*"2018-09-12", "enter")
        await until(pilot, lambda: app.screen is screen, "jumped")
        await pilot.pause(0.1)
        assert not [n.message for n in app._notifications if "edition" in n.message]


async def test_search_says_how_many_match_and_its_header_is_whole_at_80_columns(
    seeds_copy: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "前 200 条结果 … more match" never said how many (the CLI said 600), and its end was
    cut; at 80 columns the header was cut at "ctrl+k 语境索引 conco"."""
    from tests.test_tui import searched
    from tui.actions import search as search_mod

    monkeypatch.setattr(search_mod, "SEARCH_ROWS", 2)
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        dialog = await searched(pilot, app.main_screen, "营商环境")
        status = dialog.query_one("#search-status")
        await until(pilot, lambda: "in all" in str(status.render()), "the count")
        said = str(status.render())
        assert "前 2 条 the first 2 hits; 3 match in all" in said, said
        assert status.size.height >= 2  # wrapped, not cut
        hint = dialog.query_one("#search-hint").region
        strips = app.screen._compositor.render_strips()
        shown = "".join(strips[y].crop(hint.x, hint.right).text for y in range(hint.y, hint.bottom))
        assert "".join(shown.split()).endswith("ctrl+k语境索引concordance"), shown


async def test_the_tag_dialog_names_the_date_and_page_of_its_article(
    seeds_copy: Path, db: Path
) -> None:
    """The same article reprinted on several dates has the same title: the tag and note
    dialogs name the date and page too."""
    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        screen = app.main_screen
        assert screen.pages is not None
        row = next(r for r in screen.pages.rows if r.date)
        issue = screen.pages.issue(row.id)
        assert issue is not None
        art = issue.articles[0]
        screen.select_issue(issue, keep=art.id)
        screen.open_article(art, focus=True)
        await pilot.pause()
        for key, kind in (("t", TagDialog), ("n", NoteDialog)):
            await pilot.press(key)
            await until(pilot, lambda kind=kind: isinstance(app.screen, kind), key)  # type: ignore[misc]
            heading = app.screen.heading  # type: ignore[attr-defined]
            assert issue.date in heading, heading
            if issue.page is not None:
                assert f"第{issue.page}版" in heading
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen, "closed")


async def test_a_quick_tag_another_coder_has_is_still_yours_to_add(
    seeds_copy: Path, db: Path
) -> None:
    """With every coder shown, a code another coder gave the article is not "already
    there" for you: ``1`` tags it as yours."""
    from corpus.load import load_corpus
    from workspace.coders import is_blind, reveal

    art = load_corpus(seeds_copy).articles[0]
    with Store.open(db, coder="甲") as s:
        s.add_tags(art, ["营商环境"])
    app = make_app(seeds_copy, db, coder="乙")
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        screen = app.main_screen
        reveal(app.workspace, True)
        assert not is_blind(app.workspace)
        await open_article(pilot, screen, art.title[:6])
        assert screen.article is not None and screen.article.id == art.id
        await pilot.press("1")
        await pilot.pause(0.1)
    with stored(db) as s:
        assert "营商环境" in s.notes(art.id, {"乙"}).tags
