"""Faults of the reader and the analysis screens found in session 10, each pressed as a user
would: the reader's last coded-passage line after a smooth page-down, the describe dialog on a
refused write, the adjudication mark, the analysis screens at 80×24."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Static

from corpus.load import load_corpus
from storage.annotations import Store
from tests.test_tui import open_article, ready, stored
from tests.test_tui11_faults import disk_full
from tests.test_tui12_faults import two_coders
from tests.test_tui_analysis import notices, open_codebook, pick, running, seed, until
from tests.test_typeahead import type_fast
from tui.app import PiyueApp, make_app
from tui.dialogs import HelpScreen, InputDialog, TagDialog
from tui.screens.agreement import AdjudicationScreen, AgreementScreen
from tui.screens.codebook import CodebookScreen
from tui.screens.concordance import ConcordanceScreen
from tui.screens.retrieval import RetrievalScreen
from tui.widgets import Reader


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


def drawn(reader: Reader) -> list[str]:
    """The reader's text lines as the screen draws them now (what the terminal shows)."""
    box = reader.scrollable_content_region
    strips = reader.app.screen._compositor.render_strips()
    return [
        "".join(seg.text for seg in strips[y].crop(box.x, box.right))
        for y in range(box.y, box.bottom)
    ]


async def test_the_last_coded_passage_shows_after_a_smooth_scroll(
    seeds_copy: Path, db: Path
) -> None:
    """Space scrolls a page with an animation; its last frame moved scroll_y from 7.6 to 8,
    which Textual does not redraw (the same line when rounded) while the reader drew line
    int(7.6) = 7 at the top: the coded passages' last line stayed below the frame, and j
    could not bring it up (the scroll was already at its end)."""
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.main_screen
        await ready(pilot, screen)
        await open_article(pilot, screen, "涧西区")
        await pilot.press("v", "v", "l", "l", "t", *"营商", "enter")
        await pilot.press("escape")  # back to reading
        await pilot.pause(0.2)
        reader = screen.query_one(Reader)
        assert "营商" in reader.notes[0].plain.splitlines()[-1]
        end = reader.max_scroll_y
        assert end > 0
        reader.scroll_target_y = end  # an animated scroll_to: its target, then its frames
        reader.scroll_y = end - 0.4
        await pilot.pause()
        reader.scroll_y = end
        await pilot.pause()
        await pilot.press("j", "j")
        await pilot.pause()
        lines = [line.strip() for line in drawn(reader)]
        assert lines[-1].startswith("«") and lines[-1].endswith("营商"), lines[-3:]


def shown(dialog: Screen[object]) -> str:
    return " ".join(str(s.render()) for s in dialog.query("Static"))


async def codebook_at(pilot: Any, app: PiyueApp, code: str) -> CodebookScreen:
    book = await open_codebook(pilot, app)
    pick(book.query_one("#codes", OptionList), code)
    await pilot.pause()
    return book


async def test_a_description_the_disk_refuses_stays_in_its_dialog(
    seeds_copy: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """e on a full disk closed the dialog and the description typed was gone (a
    notification said why). It stays, with the text and the error; Enter again saves it."""
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _screen):
        book = await codebook_at(pilot, app, "党建")
        disk_full(monkeypatch, app, "describe_code")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, InputDialog), "describe dialog")
        dialog = app.screen
        await pilot.press("ctrl+u", *"基层党组织建设的报道", "enter")
        await pilot.pause(0.1)
        assert app.screen is dialog, "the dialog closed on a failed save"
        assert dialog.query_one(Input).value == "基层党组织建设的报道"
        assert "no space left" in shown(dialog) and "Enter" in shown(dialog)
        monkeypatch.undo()  # room again
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is book, "saved and closed")
        await pilot.pause()
        assert "基层党组织建设的报道" in str(
            book.query_one("#codes", OptionList).get_option("党建").prompt
        )
    with stored(db) as s:
        assert {t.name: t.description for t in s.tag_defs()}["党建"] == "基层党组织建设的报道"


async def test_no_description_dialog_on_a_read_only_store(seeds_copy: Path, db: Path) -> None:
    """Read-only (another piyue writes): e opened the dialog and threw away what was typed
    on Enter. As t and n in the reader: no dialog, and the reason said at once."""
    seed(seeds_copy, db)
    holder = Store.open(db)
    try:
        app = make_app(seeds_copy, db)
        async with running(app) as (pilot, _screen):
            book = await codebook_at(pilot, app, "党建")
            for key in "era":
                await pilot.press(key)
                await pilot.pause(0.1)
                assert app.screen is book, key
            assert "read-only" in notices(app)
    finally:
        holder.close()


async def test_a_rename_or_new_code_the_disk_refuses_stays_in_its_dialog(
    seeds_copy: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for the other typed codebook edits: a new code's name, a rename."""
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _screen):
        book = await codebook_at(pilot, app, "党建")
        disk_full(monkeypatch, app, "rename_code", "define_tag")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, InputDialog), "rename dialog")
        dialog = app.screen
        await pilot.press("ctrl+u", *"党的建设", "enter")
        await pilot.pause(0.1)
        assert app.screen is dialog and dialog.query_one(Input).value == "党的建设"
        assert "no space left" in shown(dialog)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is book, "given up")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, InputDialog), "new-code dialog")
        dialog = app.screen
        await pilot.press(*"乡村振兴", "enter")
        await pilot.pause(0.1)
        assert app.screen is dialog and dialog.query_one(Input).value == "乡村振兴"
        assert "no space left" in shown(dialog)
        monkeypatch.undo()
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is book, "saved and closed")
    with stored(db) as s:
        names = {t.name for t in s.tag_defs()}
    assert "乡村振兴" in names and "党建" in names and "党的建设" not in names


def region_lines(app: PiyueApp, box: Region) -> list[str]:
    """The lines of a screen region as drawn (cropped in cells: CJK characters are two)."""
    strips = app.screen._compositor.render_strips()
    return [
        "".join(seg.text for seg in strips[y].crop(box.x, box.right))
        for y in range(box.y, box.bottom)
    ]


def screen_lines(app: PiyueApp) -> list[str]:
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_a_reopened_both_decision_shows_its_whole_mark(
    seeds_copy: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    """A decision of both (A+B) that the coders' later codings reopened was marked "!A+":
    the mark was cut to three cells. It reads "!A+B", the titles still in one column."""
    from workspace.coders import Adjudication
    from workspace.session import Workspace

    db = tmp_path / "db.json"
    arts = two_coders(seeds_copy, db)
    with Workspace(seeds_copy, db, mode="write") as ws:
        adj = Adjudication(ws, "甲", "乙")
        for r in adj.rows():
            adj.settle(r.unit, r.code, "both" if r.code == "党建" else "a")
    with Store.open(db, coder="乙") as s:  # after the decision 乙 codes a passage of 党建
        s.highlight_quote(arts[1], arts[1].text[0:6], ["党建"])
    app = make_app(seeds_copy, db, coder="丙")
    async with app.run_test(size=size) as pilot:
        await ready(pilot, app.main_screen)
        await pilot.press("A", "甲", "enter")
        await pilot.pause()
        await pilot.press("乙", "enter")
        await until(pilot, lambda: isinstance(app.screen, AgreementScreen), "agreement")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, AdjudicationScreen), "queue")
        await pilot.pause()
        queue = app.screen
        assert isinstance(queue, AdjudicationScreen)
        assert {r.code: (r.settled, r.changed) for r in queue.rows}["党建"] == ("both", True)
        lines = screen_lines(app)
        marked = [line for line in lines if "党建" in line and "A:" in line]
        assert marked and "!A+B " in marked[0], marked
        prompts = [
            str(queue.query_one(OptionList).get_option_at_index(k).prompt)
            for k in range(len(queue.rows))
        ]
        # every title begins in the same column, after the mark
        assert {len(p) - len(p[5:].lstrip()) for p in prompts} == {5}, prompts


async def burst(pilot: Any, app: PiyueApp, *keys: str) -> None:
    """Keys as a terminal delivers them when typed fast or held down: all posted at once,
    through the app's key queue (the Pilot's press waits for each to be handled)."""
    type_fast(app, *keys)
    for _ in range(100):
        await pilot.pause(0.02)
        if not app.keys.held and not app.keys.in_flight:
            break
    await pilot.pause(0.1)


async def test_help_scrolls_a_line_for_every_j_typed_fast(seeds_copy: Path, db: Path) -> None:
    """Ten j's typed in a burst scrolled the help three lines: each read the scroll position
    the last one had not yet moved."""
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app.main_screen)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.pause()
        box = app.screen.query_one("#help-scroll")
        assert box.max_scroll_y > 10
        await burst(pilot, app, *"j" * 10)
        assert box.scroll_y == 10
        await burst(pilot, app, *"k" * 4)
        assert box.scroll_y == 6


async def test_the_reader_scrolls_a_line_for_every_j_typed_fast(seeds_copy: Path, db: Path) -> None:
    """j held down in the reader: every repeat scrolls a line."""
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        await ready(pilot, screen)
        await open_article(pilot, screen, "涧西区")
        reader = screen.query_one(Reader)
        assert app.focused is reader and reader.max_scroll_y > 12
        await burst(pilot, app, *"j" * 12)
        assert reader.scroll_y == 12
        await burst(pilot, app, *"k" * 5)
        assert reader.scroll_y == 7


async def test_a_long_dialog_title_wraps_at_80_columns(seeds_copy: Path, db: Path) -> None:
    """Autocode's code prompt at 80 columns read "…: 11 lines in 3": the title, one line,
    was cut at the dialog's edge (how many articles, and "code as", were lost)."""
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app.main_screen)
        await pilot.press("K", *"营商环境", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        await until(pilot, lambda: bool(ks.lines), "lines")
        await pilot.press("A", "enter")
        await until(pilot, lambda: isinstance(app.screen, TagDialog), "code prompt")
        await pilot.pause()
        title = app.screen.query_one(".dialog-title")
        words = str(title.render())
        said = "in 3 articles (1 in headlines: not coded, 标题不编码) — 代码 code as"
        assert said in words
        shown = "".join(line.strip() for line in region_lines(app, title.region))
        assert said.replace(" ", "") in shown.replace(" ", ""), shown


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_retrieval_says_whose_each_coding_is_when_every_coder_is_shown(
    seeds_copy: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    """With every coder shown (B), two coders' tags of one article and their codings of one
    passage were two identical rows each, as if retrieval listed them twice. Each row names
    its coder, as the reader does (@甲); blind, only your own are listed and none is named."""
    db = tmp_path / "db.json"
    arts = load_corpus(seeds_copy).articles
    for coder in ("甲", "乙"):
        with Store.open(db, coder=coder) as s:
            s.add_tags(arts[0], ["营商环境"])
            s.highlight_quote(arts[0], arts[0].text[2:8], ["营商环境"])
    app = make_app(seeds_copy, db, coder="甲")
    async with app.run_test(size=size) as pilot:
        await ready(pilot, app.main_screen)
        await pilot.press("B")
        await pilot.pause()
        app.action_analysis("retrieval", "营商环境")
        await until(pilot, lambda: isinstance(app.screen, RetrievalScreen), "retrieval")
        rs = app.screen
        assert isinstance(rs, RetrievalScreen)
        await until(pilot, lambda: len(rs.items) == 4, "four items")
        items = rs.query_one("#items", OptionList)
        heads = [str(items.get_option_at_index(k).prompt).split("\n")[0] for k in range(4)]
        for kind in ("article", "passage"):
            whose = sorted(
                "@甲" if "@甲" in heads[k] else "@乙" if "@乙" in heads[k] else "?"
                for k, it in enumerate(rs.items)
                if it.kind == kind
            )
            assert whose == ["@乙", "@甲"], (kind, heads)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("B")  # blind again: your own codings, not named
        await pilot.pause()
        app.action_analysis("retrieval", "营商环境")
        await until(
            pilot,
            lambda: isinstance(app.screen, RetrievalScreen) and app.screen is not rs,
            "retrieval again",
        )
        again = app.screen
        assert isinstance(again, RetrievalScreen)
        await until(pilot, lambda: len(again.items) == 2, "two items")
        listed = again.query_one("#items", OptionList)
        assert all("@" not in str(listed.get_option_at_index(k).prompt) for k in range(2))


async def test_the_agreement_table_shows_every_figure_at_80_columns(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """At 80 columns a long code name (30 cells) pushed char κ and uα, the passages'
    figures, off the table's right edge. The name is cut to what the figures leave."""
    db = tmp_path / "db.json"
    arts = two_coders(seeds_copy, db)
    long_code = "制造业高质量发展与产业转型升级"
    for coder in ("甲", "乙"):
        with Store.open(db, coder=coder) as s:
            s.highlight_quote(arts[2], arts[2].text[0:6], [long_code])
    app = make_app(seeds_copy, db, coder="丙")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app.main_screen)
        await pilot.press("A", "甲", "enter")
        await pilot.pause()
        await pilot.press("乙", "enter")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, AgreementScreen)
                and app.screen.query_one(DataTable).row_count > 0
            ),
            "agreement",
        )
        await pilot.pause(0.2)
        table = app.screen.query_one(DataTable)
        box = table.region
        lines = screen_lines(app)[box.y : box.bottom]
        header = lines[0][box.x : box.right]
        for label in ("代码 code", "κ", "α", "char κ", "uα"):
            assert label in header, header
        row = next(line for line in lines if "制造业" in line)
        assert long_code not in row and "…" in row
        assert row.count("1.000") == 2, row  # its char κ and uα: the same passage coded
        # the lines above and under the table are indented as the title is (they began in
        # the screen's first column)
        drawn = screen_lines(app)
        for wid in ("#agree-status", "#agree-legend"):
            y = app.screen.query_one(wid).region.y
            assert drawn[y].startswith(" ") and drawn[y][1] != " ", drawn[y]


async def test_a_passage_after_a_paragraph_break_reads_on_in_adjudication(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """The sides show each passage with a little context; a context across a paragraph
    break had the break as a space, where the side wrapped: "…首创之区" alone on a line and
    the passage on the next. The break is drawn as ¶ and the context reads on."""
    db = tmp_path / "db.json"
    arts = two_coders(seeds_copy, db)
    art = arts[0]
    at = art.text.index("\n") + 2  # two characters into the second paragraph
    with Store.open(db, coder="甲") as s:
        s.highlight_quote(art, art.text[at : at + 4], ["党建"])
    app = make_app(seeds_copy, db, coder="丙")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app.main_screen)
        await pilot.press("A", "甲", "enter")
        await pilot.pause()
        await pilot.press("乙", "enter")
        await until(pilot, lambda: isinstance(app.screen, AgreementScreen), "agreement")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, AdjudicationScreen), "queue")
        queue = app.screen
        assert isinstance(queue, AdjudicationScreen)
        k = next(i for i, r in enumerate(queue.rows) if r.unit == art.id and r.code == "党建")
        queue.query_one(OptionList).highlighted = k
        await pilot.pause()
        side = queue.query_one("#adj-a")
        box = side.content_region
        lines = region_lines(app, box)
        before, after = art.text[at - 3], art.text[at : at + 4]
        line = next(x for x in lines if before in x)
        assert f"{before}¶" in line and after[:2] in line, lines


async def test_the_quick_tags_line_breaks_between_codes_not_inside_one(
    seeds_copy: Path, db: Path
) -> None:
    """At 80 columns the quick tags line wrapped inside an entry: "4" at the end of the
    first line, its code on the second without its number. Lines break between entries, and
    codes the two lines cannot hold are counted ("+2"), not silently left off."""
    with Store.open(db) as s:
        s.define_tag("营商环境", "#e5c07b", "优化营商环境的报道，包括政务服务")
        s.define_tag("政企关系", "#98c379")
        s.define_tag("党建", "#e06c75", "党的建设")
        s.define_tag("制造业高质量发展与产业转型升级", "#61afef")
        for name in ("乡村振兴", "防汛抗旱", "反诈宣传", "关心下一代"):
            s.define_tag(name)
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        await ready(pilot, screen)
        await pilot.pause()
        line = screen.query_one("#codebook")
        drawn = region_lines(app, line.content_region)
        quick = app.workspace.store.quick_tags()
        shown = [k for k, t in enumerate(quick, start=1) if t and t in "".join(drawn)]
        for k in shown:  # every code shown has its number before it, on its line
            name = quick[k - 1]
            row = next(r for r in drawn if name in r)
            assert f"{k}  {name}" in row, drawn
        hidden = len([t for t in quick if t]) - len(shown)
        assert hidden > 0 and f"+{hidden}" in "".join(drawn), drawn


async def test_question_mark_lists_an_analysis_screens_keys(seeds_copy: Path, db: Path) -> None:
    """? did nothing on the analysis screens, where the footer at 80 columns leaves out keys
    (the codebook's o colour and e describe): it lists the screen's keys, as on the main
    screen. In the retrieval's expression box ? is typed, not taken."""
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app.main_screen)
        book = await open_codebook(pilot, app)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "keys")
        listed = str(app.screen.query_one("#help-text").render())
        for words in ("Describe", "Colour", "Retrieve", "Rename", "Back"):
            assert words in listed, listed
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is book, "closed")
        app.action_analysis("retrieval")
        await until(pilot, lambda: isinstance(app.screen, RetrievalScreen), "retrieval")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, RetrievalScreen)
        assert app.screen.query_one(Input).value == "?"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is book, "back in the codebook")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.main_screen, "back in the reader")
        await pilot.press("K", *"营商环境", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        await until(pilot, lambda: bool(ks.lines), "lines")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "its keys")
        listed = str(app.screen.query_one("#help-text").render())
        assert "sort by the left" in listed and "code its sentence" in listed, listed


async def test_a_codes_description_shows_under_the_list_when_its_row_cannot(
    seeds_copy: Path, db: Path
) -> None:
    """At 80 columns the rows leave no room for descriptions: one typed with e was saved and
    never seen again. The highlighted code's description shows under the list there; at
    160 columns, where the row shows it whole, nothing is added."""
    seed(seeds_copy, db)  # 营商环境: 优化营商环境的报道; 党建: 党的建设
    with Store.open(db) as s:
        s.define_tag("制造业高质量发展与产业转型升级")  # a long name: little room left at 80
    for size, under in (((80, 24), True), ((160, 50), False)):
        app = make_app(seeds_copy, db)
        async with app.run_test(size=size) as pilot:
            await ready(pilot, app.main_screen)
            book = await codebook_at(pilot, app, "党建")
            rows = book.query_one("#codes", OptionList)
            line = book.query_one("#code-desc", Static)
            said = str(line.render())
            if under:
                assert "党的建设" not in str(rows.get_option("党建").prompt)
                assert line.display and "党建" in said and "党的建设" in said
                pick(rows, "营商环境")
                await pilot.pause()
                assert "优化营商环境的报道" in str(line.render())
            else:
                assert "党的建设" in str(rows.get_option("党建").prompt)
                assert not line.display


async def test_an_empty_retrieval_says_so_and_why_when_blind(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """Blind (the default), a new coder's retrieval of a code the others used was an empty
    box under "0 段 passages · 0 篇 articles": it says nothing was found, that only your
    codings are listed, and that B shows every coder's."""
    db = tmp_path / "db.json"
    two_coders(seeds_copy, db)
    app = make_app(seeds_copy, db, coder="丙")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app.main_screen)
        app.action_analysis("retrieval", "营商环境")
        await until(pilot, lambda: isinstance(app.screen, RetrievalScreen), "retrieval")
        rs = app.screen
        assert isinstance(rs, RetrievalScreen)
        await pilot.pause()
        listed = rs.query_one("#items", OptionList)
        assert rs.items == [] and listed.option_count == 1
        said = str(listed.get_option_at_index(0).prompt)
        assert "nothing" in said and "丙" in said and "B" in said, said


async def test_the_agreement_table_does_not_run_off_the_screen(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """The note column was at least 8 cells even when 2 were left: at 80 columns the table
    ran past the screen's edge (its notes read "pa", "ta", the rest scrolled off). With too
    little room there is no note column: the whole note is under the table."""
    db = tmp_path / "db.json"
    arts = two_coders(seeds_copy, db)
    with Store.open(db, coder="甲") as s:
        s.highlight_quote(arts[2], arts[2].text[0:6], ["制造业高质量发展与产业转型升级"])
    app = make_app(seeds_copy, db, coder="丙")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app.main_screen)
        await pilot.press("A", "甲", "enter")
        await pilot.pause()
        await pilot.press("乙", "enter")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, AgreementScreen)
                and app.screen.query_one(DataTable).row_count > 0
            ),
            "agreement",
        )
        await pilot.pause(0.2)
        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width, (
            table.virtual_size,
            table.scrollable_content_region,
        )
        assert "note" in str(app.screen.query_one("#agree-note").render())


async def test_adjudication_titles_are_whole_when_there_is_room(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """At 160 columns the rows cut every title at 30 cells ("学习讨论持续俩月 内省自身外寻…")
    with half the line empty: a title takes what it needs, up to 48 cells."""
    db = tmp_path / "db.json"
    arts = two_coders(seeds_copy, db)
    app = make_app(seeds_copy, db, coder="丙")
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot, app.main_screen)
        await pilot.press("A", "甲", "enter")
        await pilot.pause()
        await pilot.press("乙", "enter")
        await until(pilot, lambda: isinstance(app.screen, AgreementScreen), "agreement")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, AdjudicationScreen), "queue")
        await pilot.pause()
        queue = app.screen
        assert isinstance(queue, AdjudicationScreen)
        listed = queue.query_one(OptionList)
        prompts = [str(listed.get_option_at_index(k).prompt) for k in range(len(queue.rows))]
        title = arts[1].title
        assert cell_len(title) > 30
        assert any(title in p for p in prompts), prompts


async def test_every_space_typed_fast_turns_a_page(seeds_copy: Path, db: Path) -> None:
    """Space scrolls a page with an animation; a second space while it ran counted from where
    the animation was, not where it was going: two fast spaces turned one page."""
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        await ready(pilot, screen)
        await open_article(pilot, screen, "涧西区")
        reader = screen.query_one(Reader)
        page = reader.scrollable_content_region.height
        assert reader.max_scroll_y > 3 * page
        await burst(pilot, app, "space", "space")
        await until(pilot, lambda: reader.scroll_y == 2 * page, "two pages down")
        await burst(pilot, app, "space", "space", "space")
        await until(pilot, lambda: reader.scroll_y == min(5 * page, reader.max_scroll_y), "five")
