"""Faults test users met in the TUI (session 10), each pressed as a user would: the palette,
the pick dialogs, new codes' colours, the footer and the analysis screens at 80 columns,
whose tags are whose with every coder shown, focus in the concordance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList

from storage.annotations import Store
from tests.test_tui import SIZE, ready, stored
from tests.test_tui_analysis import until
from tui.app import PiyueApp, make_app


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


async def started(pilot: Any, app: PiyueApp) -> None:
    await ready(pilot, app.main_screen)


async def test_quit_is_once_in_the_palette(seeds_copy: Path, db: Path) -> None:
    """Textual's own Quit and ours were both listed: one is enough (ours, with its key)."""
    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "palette")
        await pilot.press(*"quit")
        results = app.screen.query_one(CommandList)
        await until(pilot, lambda: results.option_count > 0, "hits")
        await pilot.pause(0.3)
        titles = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
        quits = [t for t in titles if t.lower().startswith("quit")]
        assert len(quits) == 1, titles
        assert "退出" in quits[0] and "(q)" in quits[0]


async def test_a_pick_dialog_says_when_its_filter_matches_nothing(
    seeds_copy: Path, db: Path
) -> None:
    """Merge a code, filter with a word no code has: the list says so (it was an empty box),
    Enter chooses nothing, and clearing the filter brings the codes back."""
    from tui.dialogs import PickDialog
    from tui.screens.codebook import CodebookScreen

    with Store.open(db) as s:
        s.define_tag("营商环境", "#e5c07b")
        s.define_tag("党建", "#e06c75")
    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CodebookScreen), "codebook")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, PickDialog), "merge dialog")
        dialog = app.screen
        ol = dialog.query_one("#pick-list", OptionList)
        assert ol.option_count == 1  # the one other code
        await pilot.press(*"zzz")
        await pilot.pause()
        assert ol.option_count == 1 and ol.highlighted is None
        row = ol.get_option_at_index(0)
        assert row.disabled and "no match" in str(row.prompt) and "没有匹配" in str(row.prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # nothing chosen, the dialog stays
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
        assert ol.option_count == 1 and not ol.get_option_at_index(0).disabled
        await pilot.press("escape")
    with stored(db) as s:
        assert {d.name for d in s.tag_defs()} == {"营商环境", "党建"}


async def test_a_new_code_takes_the_least_used_colour(seeds_copy: Path, db: Path) -> None:
    """Colours were given by counting codes: after a delete the next code took a colour
    another code had.  Delete the first of two codes, then make one in the codebook and one
    with ``t`` in the reader: each takes a colour no code has (palette order)."""
    from storage.annotations import PALETTE
    from tui.dialogs import ConfirmDialog, InputDialog, TagDialog
    from tui.screens.codebook import CodebookScreen

    with Store.open(db) as s:
        s.define_tag("甲", PALETTE[0])
        s.define_tag("乙", PALETTE[1])
    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CodebookScreen), "codebook")
        book = app.screen
        assert isinstance(book, CodebookScreen)
        book.query_one("#codes", OptionList).highlighted = 0
        assert book.current() is not None and book.current().name == "甲"  # type: ignore[union-attr]
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "delete?")
        await pilot.press("y")
        await until(pilot, lambda: app.screen is book, "deleted")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, InputDialog), "new code")
        await pilot.press(*"丙", "enter")
        await until(pilot, lambda: app.screen is book, "created")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.main_screen, "main")
        await pilot.press("tab", "tab", "t")  # the reader's article
        await until(pilot, lambda: isinstance(app.screen, TagDialog), "tag")
        await pilot.press(*"丁", "enter")
        await until(pilot, lambda: app.screen is app.main_screen, "tagged")
    with stored(db) as s:
        colours = {d.name: d.colour for d in s.tag_defs()}
    assert colours == {"乙": PALETTE[1], "丙": PALETTE[0], "丁": PALETTE[2]}, colours


def shown(widget: Any) -> list[str]:
    """The lines of a widget as they are on screen (cut where the screen cuts them)."""
    from textual.geometry import Region

    w, h = widget.outer_size
    return [strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, w, h))]


def squeezed(text: str) -> str:
    return "".join(text.split())


async def two_coders_at_80_columns(pilot: Any, app: PiyueApp) -> Any:
    """The agreement screen of 甲 and 乙 (党建 only tagged: its passages' figures are
    undefined, with a note why)."""
    from textual.widgets import DataTable

    from tui.screens.agreement import AgreementScreen

    await started(pilot, app)
    await pilot.press("A", "enter")
    await pilot.pause()
    await pilot.press("enter")
    await until(
        pilot,
        lambda: (
            isinstance(app.screen, AgreementScreen)
            and app.screen.query_one(DataTable).row_count > 0
        ),
        "agreement",
    )
    await pilot.pause(0.2)
    return app.screen


@pytest.fixture
def two_coders(seeds_copy: Path, tmp_path: Path) -> Path:
    from corpus.load import load_corpus

    db = tmp_path / "two.json"
    arts = load_corpus(seeds_copy).articles
    with Store.open(db, coder="甲") as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[1], ["营商环境", "党建"])
        s.highlight_quote(arts[1], arts[1].text[10:30], ["营商环境"])
        s.add_tags(arts[2], ["营商环境"])
    with Store.open(db, coder="乙") as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[1], ["营商环境"])
        s.highlight_quote(arts[1], arts[1].text[15:40], ["营商环境"])
        s.add_tags(arts[4], ["党建"])
    return db


async def test_agreement_notes_fit_at_80_columns(seeds_copy: Path, two_coders: Path) -> None:
    """The note column ran off the screen at 80 columns ("passages: no vari"): it takes the
    cells the figures leave, cut with an ellipsis, and the highlighted code's whole note is
    under the table; at 160 columns the note is whole in its column."""
    from textual.widgets import DataTable, Static

    app = make_app(seeds_copy, two_coders, coder="丙")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await two_coders_at_80_columns(pilot, app)
        table = screen.query_one(DataTable)
        codes = [r["code"] for r in screen.report["codes"]]  # in codebook order
        table.move_cursor(row=codes.index("党建"))
        await pilot.pause(0.3)
        note = screen.notes[codes.index("党建")]
        rows = [ln for ln in shown(table) if ln.lstrip().startswith("党建")]
        assert rows, shown(table)
        assert rows[0].endswith("…") and squeezed(rows[0][:-1])[-6:] in squeezed(note or "x")
        assert len(rows[0]) <= 80
        below = " ".join(shown(screen.query_one("#agree-note", Static)))
        assert note and squeezed(note) in squeezed(below), below
        await pilot.resize_terminal(160, 50)
        await pilot.pause(0.3)
        rows = [ln for ln in shown(table) if ln.lstrip().startswith("党建")]
        assert rows[0].endswith(note), rows


async def test_adjudication_title_is_whole_at_80_columns(
    seeds_copy: Path, two_coders: Path
) -> None:
    """The title line with the keys and the one-coder note was cut at 80 columns (and the
    note at 160): the keys wrap on lines of their own; rows stay one line each."""
    from textual.widgets import Static

    from tui.screens.agreement import AdjudicationScreen

    app = make_app(seeds_copy, two_coders, coder="丙")
    async with app.run_test(size=(80, 24)) as pilot:
        await two_coders_at_80_columns(pilot, app)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, AdjudicationScreen), "adjudication")
        await pilot.pause(0.2)
        adj = app.screen
        assert isinstance(adj, AdjudicationScreen)
        top = " ".join(
            ln for w in adj.query(Static) if w.id in ("adj-title", "adj-help") for ln in shown(w)
        )
        for words in (
            "裁定 Adjudication",
            "0/2 settled",
            "0 皆否 neither",
            "writes it and moves to the next row",
            "2 篇仅一人编码 articles only one coder coded: not units, not in final",
        ):
            assert squeezed(words) in squeezed(top), top
        ol = adj.query_one(OptionList)
        lines = [ln.strip("▊▎ ") for ln in shown(ol)[1:-1]]
        lines = [ln for ln in lines if ln]
        # two rows, each on two lines: the title and code, then what A and B did, whole
        assert len(lines) == 4, lines
        assert lines[0].endswith("党建") and lines[2].endswith("营商环境"), lines
        assert lines[1] == "A: —  B: 标签 tag", lines
        assert lines[3] == "A: 标签 tag + 1 段 passage  B: 标签 tag + 1 段 passage", lines
        await pilot.resize_terminal(160, 50)
        await pilot.pause(0.3)
        lines = [ln.strip("▊▎ ") for ln in shown(ol)[1:-1]]
        lines = [ln for ln in lines if ln]
        assert len(lines) == 2 and lines[1].endswith("B: 标签 tag + 1 段 passage"), lines


async def test_with_every_coder_shown_the_reader_says_whose_each_coding_is(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """``B`` merged both coders' tags and passages under the text without a word of whose
    they were: each says its coder (``@甲``); blind again, the reader's own need no name."""
    from corpus.load import load_corpus
    from tests.test_tui import open_article
    from tui.widgets import Reader

    db = tmp_path / "db.json"
    art = next(a for a in load_corpus(seeds_copy).articles if a.title.startswith("提升站位"))
    with Store.open(db, coder="甲") as s:
        s.add_tags(art, ["党建", "营商环境"])
        s.highlight_quote(art, art.text[10:20], ["营商环境"])
        s.set_note(art, "甲的笔记")
    with Store.open(db, coder="乙") as s:
        s.add_tags(art, ["党建"])
        s.highlight_quote(art, art.text[30:40], ["党建"])
    app = make_app(seeds_copy, db, coder="甲")
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        screen = app.main_screen
        await open_article(pilot, screen, "提升站位")
        reader = screen.query_one(Reader)

        def notes() -> list[str]:
            return reader.notes[0].plain.splitlines()

        assert "@" not in "".join(notes())  # blind: yours only, no names
        await pilot.press("B")
        await pilot.pause()
        tags = next(ln for ln in notes() if ln.startswith("标签"))
        assert " 党建  @乙 @甲 " in tags and tags.rstrip().endswith(" 营商环境  @甲"), tags
        assert any("笔记 note @甲" in ln and "甲的笔记" in ln for ln in notes()), notes()
        quotes = [ln for ln in notes() if ln.startswith("  «")]
        assert [q.rsplit(" ", 2)[-2:] for q in quotes] == [["营商环境", "@甲"], ["党建", "@乙"]]
        await pilot.press("B")
        await pilot.pause()
        assert "@" not in "".join(notes())


async def test_the_plot_keeps_the_highlighted_row_in_view(seeds_copy: Path, db: Path) -> None:
    """At 80×24 the plot (``g``) takes the lower part of the screen: the table scrolled not,
    and the highlighted code's row was out of view; after ``g`` again every row is drawn
    once (a tester saw a row twice once; not reproduced, checked here)."""
    from textual.widgets import DataTable

    from tests.test_tui_analysis import open_codebook, open_cooccur

    codes = ["乡村振兴", "党建", "制造业", "安全", "改革", "教育", "营商环境", "防汛"]
    from corpus.load import load_corpus

    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        for i, a in enumerate(arts):
            s.add_tags(a, sorted({codes[i % 8], codes[(i * 3 + 1) % 8], codes[(i + 5) % 8]}))
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        await open_codebook(pilot, app)
        screen = await open_cooccur(pilot, app)
        table = screen.query_one("#matrix", DataTable)
        order = list(screen.matrix["codes"])  # the codebook's order
        assert sorted(order) == sorted(codes)
        await pilot.press(*["down"] * order.index("营商环境"))
        assert screen.row_code() == "营商环境"
        await pilot.press("g")
        await until(pilot, lambda: bool(screen.query("#plot")), "plot")
        await pilot.pause(0.3)

        def rows() -> list[str]:
            return [ln.strip("│ ").split(" ")[0] for ln in shown(table)[1:] if ln.strip("│ ")]

        assert "营商环境" in rows(), rows()
        await pilot.press("g")
        await pilot.pause(0.3)
        names = [r for r in rows() if r in codes]
        assert names == order, rows()


async def test_analysis_status_lines_are_whole_at_80_columns(seeds_copy: Path, db: Path) -> None:
    """The concordance's and co-occurrence's status took two lines and needed three at 80
    columns: their last keys (A autocode, g plot) were cut."""
    from textual.widgets import Static

    from tests.test_tui_analysis import open_codebook, open_cooccur
    from tui.screens.concordance import ConcordanceScreen

    with Store.open(db) as s:
        s.define_tag("营商环境")
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        await pilot.press("K", *"营商环境", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        await pilot.pause(0.3)
        status = " ".join(shown(app.screen.query_one(".analysis-status", Static)))
        assert squeezed("A 自动编码 autocode") in squeezed(status), status
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.main_screen, "main")
        await open_codebook(pilot, app)
        screen = await open_cooccur(pilot, app)
        await pilot.pause(0.3)
        status = " ".join(shown(screen.query_one(".analysis-status", Static)))
        assert squeezed("g 图 plot") in squeezed(status), status


@pytest.mark.parametrize("lazy", [False, True], ids=["corpus", "index"])
async def test_back_in_the_concordance_the_list_has_the_keys(
    seeds_copy: Path, db: Path, lazy: bool
) -> None:
    """Going through a term's occurrences: Enter opens one in the reader, ``K`` comes back.
    The concordance came back empty with the term box focused, so ↓ did nothing until Tab:
    it comes back with the term, its lines, the line that was opened highlighted and the
    focus on the list; ↓ goes on to the next line.  Coding a line keeps the focus there."""
    from tui.dialogs import TagDialog
    from tui.screens.concordance import ConcordanceScreen

    if lazy:  # pages read from a built index, as on a second start
        app = make_app(seeds_copy, db)
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot, app)
            while not app.main_screen.index_ready:
                await pilot.pause(0.05)
    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        assert app.workspace.library.lazy == lazy
        main = app.main_screen

        async def concordance() -> ConcordanceScreen:
            await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
            ks = app.screen
            assert isinstance(ks, ConcordanceScreen)
            await until(pilot, lambda: bool(ks.lines) and ks.typeahead_ready, "lines")
            await pilot.pause(0.1)
            return ks

        await pilot.press("K", *"营商环境", "enter")
        ks = await concordance()
        ol = ks.query_one("#kwic-lines", OptionList)
        await pilot.press("down", "down")
        assert ol.highlighted == 2 and app.focused is ol
        opened = ks.lines[2]
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is main, "reader")
        assert main.article is not None and main.article.id == opened.article_id
        await pilot.press("K")
        ks = await concordance()
        ol = ks.query_one("#kwic-lines", OptionList)
        assert ks.term == "营商环境" and len(ks.lines) == 12
        assert app.focused is ol and ol.highlighted == 2
        await pilot.press("down")
        assert ol.highlighted == 3
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, TagDialog), "code dialog")
        await pilot.press(*"营商环境", "enter")
        await until(pilot, lambda: app.screen is ks, "coded")
        await pilot.press("down")
        assert app.focused is ol and ol.highlighted == 4
    with stored(db) as s:
        (h,) = s.highlights(ks.lines[3].article_id)
        assert (h.start, h.end) == (ks.lines[3].start, ks.lines[3].end)


async def test_a_term_typed_over_the_lines_is_a_new_term(seeds_copy: Path, db: Path) -> None:
    """Back in the concordance (``K``) the lines have the focus: a new term typed there goes
    to the term box, replacing the old one; ↓ in the term box goes to the lines."""
    from tui.screens.concordance import ConcordanceScreen

    app = make_app(seeds_copy, db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("K", *"营商环境", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        await until(pilot, lambda: len(ks.lines) == 12, "lines")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.main_screen, "main")
        await pilot.press("K")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "again")
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        await until(pilot, lambda: len(ks.lines) == 12, "the same lines")
        ol = ks.query_one("#kwic-lines", OptionList)
        assert app.focused is ol
        await pilot.press(*"防汛", "enter")
        await until(pilot, lambda: ks.term == "防汛" and len(ks.lines) == 12, "防汛")
        assert app.focused is ol
        await pilot.press("slash")
        assert app.focused is ks.query_one("#kwic-input")
        await pilot.press("down")
        assert app.focused is ol
