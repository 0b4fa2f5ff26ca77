"""The analysis screens under the Pilot (codebook, retrieval, co-occurrence, concordance):
every flow asserts on what was stored, and snapshots of the new screens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, OptionList, Static

from corpus.load import load_corpus
from corpus.model import Article
from storage.annotations import Store
from tests.test_tui import SIZE, ready, stored
from tui.app import PiyueApp, make_app
from tui.dialogs import ConfirmDialog, InputDialog, PickDialog, SearchScreen, TagDialog
from tui.screens.codebook import CodebookScreen
from tui.screens.concordance import ConcordanceScreen
from tui.screens.cooccur import CooccurScreen
from tui.screens.main import MainScreen
from tui.screens.retrieval import QUOTE_STYLE, RetrievalScreen
from tui.widgets import Reader


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


def article(seeds: Path, title: str) -> Article:
    return next(a for a in load_corpus(seeds).articles if a.title.startswith(title))


def seed(seeds: Path, db: Path) -> None:
    """营商环境 (with the child 政企关系) and 党建 on two articles:

    A 对损害营商环境…: tags 营商环境 党建; «优化营商环境» 营商环境; «洛玻集团» 政企关系
    B 西工区…: tag 营商环境; the first «营商环境» coded 营商环境 and 党建
    """
    a, b = article(seeds, "对损害营商环境"), article(seeds, "西工区")
    with Store.open(db) as s:
        s.define_tag("营商环境", "#e5c07b", "优化营商环境的报道")
        s.define_tag("政企关系", "#98c379", parent="营商环境")
        s.define_tag("党建", "#e06c75", "党的建设")
        s.add_tags(a, ["营商环境", "党建"])
        s.highlight_quote(a, "优化营商环境", ["营商环境"], "关键")
        s.highlight_quote(a, "洛玻集团", ["政企关系"])
        s.add_tags(b, ["营商环境"])
        s.highlight_quote(b, "营商环境", ["营商环境", "党建"])


@asynccontextmanager
async def running(app: PiyueApp) -> AsyncIterator[tuple[Any, MainScreen]]:
    async with app.run_test(size=SIZE) as pilot:
        screen = app.main_screen
        await ready(pilot, screen)
        yield pilot, screen


async def until(pilot: Any, cond: Callable[[], bool], what: str = "") -> None:
    for _ in range(200):
        if cond():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


def pick(ol: OptionList, option_id: str) -> None:
    ol.highlighted = ol.get_option_index(option_id)


def choose(dialog: Any, value: str) -> None:
    """Highlight the item of a PickDialog whose value is ``value``."""
    assert isinstance(dialog, PickDialog)
    i = next(k for k, (v, _label) in enumerate(dialog.items) if v == value)
    dialog.query_one(OptionList).highlighted = i


def match_cell(prompt: Any) -> int:
    """The cell where a row's highlighted quote or match begins."""
    from rich.cells import cell_len

    span = next(sp for sp in prompt.spans if str(sp.style) == QUOTE_STYLE)
    return cell_len(prompt.plain[: span.start].rsplit("\n", 1)[-1])  # in its own line


def notices(app: PiyueApp) -> str:
    return " ".join(str(n.message) for n in app._notifications)


def codebook_of(db: Path) -> dict[str, tuple[str, int, int]]:
    with stored(db) as s:
        return {r.name: (r.parent, r.articles, r.passages) for r in s.codebook()}


async def open_codebook(pilot: Any, app: PiyueApp) -> CodebookScreen:
    await pilot.press("c")
    await until(pilot, lambda: isinstance(app.screen, CodebookScreen), "codebook")
    assert isinstance(app.screen, CodebookScreen)
    return app.screen


async def open_cooccur(pilot: Any, app: PiyueApp) -> CooccurScreen:
    """From the codebook: ``x``, then the co-occurrence screen."""
    await pilot.press("x")
    await until(pilot, lambda: isinstance(app.screen, CooccurScreen), "co-occurrence")
    assert isinstance(app.screen, CooccurScreen)
    return app.screen


async def test_codebook_tree_counts_and_edits(seeds_copy: Path, db: Path) -> None:
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, main):
        cb = await open_codebook(pilot, app)
        codes = cb.query_one("#codes", OptionList)
        rows = [str(codes.get_option_at_index(i).prompt) for i in range(codes.option_count)]
        assert [r.name for r in cb.rows] == ["营商环境", "政企关系", "党建"]
        # the parent's own counts (2 articles, 2 passages), then with its child's passage: 3
        assert "营商环境" in rows[0] and "   2 篇     2 段  含子    2 篇     3 段" in rows[0]
        assert "含子" not in rows[1]  # 政企关系 has no children
        assert "优化营商环境的报道" in rows[0]
        assert rows[1].startswith("  ██ 政企关系")
        # rename
        pick(codes, "党建")
        await pilot.press("r")
        assert isinstance(app.screen, InputDialog)
        app.screen.query_one("Input").value = "党的建设"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert "党的建设" in codebook_of(db) and "党建" not in codebook_of(db)
        # rename onto an existing name offers a merge
        pick(codes, "党的建设")
        await pilot.press("r")
        app.screen.query_one("Input").value = "营商环境"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "merge offered")
        assert "Merge" in str(app.screen.query_one(Static).render())
        await pilot.press("y")
        await pilot.pause()
        book = codebook_of(db)
        assert "党的建设" not in book
        assert book["营商环境"] == ("", 2, 2)  # every coding moved; B's passage had both
        # undo brings the merged code back, byte for byte its codings
        await pilot.press("u")
        await pilot.pause()
        assert codebook_of(db)["党的建设"] == ("", 1, 1)
        # a cycle is not offered (its refusal: tests/test_tui12_faults.py), nothing stored
        pick(codes, "营商环境")
        await pilot.press("p")
        assert isinstance(app.screen, PickDialog)
        assert "政企关系" not in [v for v, _label in app.screen.items]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is cb
        assert codebook_of(db)["营商环境"][0] == ""
        # a legal move
        pick(codes, "党的建设")
        await pilot.press("p")
        choose(app.screen, "营商环境")
        await pilot.press("enter")
        await pilot.pause()
        assert codebook_of(db)["党的建设"][0] == "营商环境"
        # colour typed, description
        await pilot.press("o", *"#123456", "enter")
        await pilot.pause()
        await pilot.press("e")
        app.screen.query_one("Input").value = "新描述"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        with stored(db) as s:
            assert s.tag("党的建设").colour == "#123456"
            assert s.tag("党的建设").description == "新描述"
        # delete says what it codes and asks first
        pick(codes, "政企关系")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        question = str(app.screen.query_one(Static).render())
        assert "0 篇 articles · 1 段 passage: " in question
        await pilot.press("n")
        await pilot.pause()
        assert "政企关系" in codebook_of(db)
        await pilot.press("d", "y")
        await pilot.pause()
        assert "政企关系" not in codebook_of(db)
        await pilot.press("u")
        await pilot.pause()
        assert codebook_of(db)["政企关系"] == ("营商环境", 0, 1)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "政企关系" not in codebook_of(db)
        # back on the main screen the codebook line shows the edits
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is main, "back")
        line = str(main.query_one("#codebook", Static).render())
        assert "党的建设" in line and "政企关系" not in line


async def test_codebook_create_and_refusals(seeds_copy: Path, db: Path) -> None:
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        cb = await open_codebook(pilot, app)
        await pilot.press("a", *"新代码", "enter")
        await pilot.pause()
        assert "新代码" in codebook_of(db)
        assert cb.rows[-1].name == "新代码"
        await pilot.press("a", " ", "enter")  # an empty name is refused, in the dialog
        await pilot.pause()
        said = " ".join(str(s.render()) for s in app.screen.query(".save-error"))
        assert "empty" in said
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cb, "given up")
        await pilot.press("o")
        app.screen.query_one("Input").value = "red"  # type: ignore[attr-defined]
        app.screen.query_one("Input").focus()  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert "#RRGGBB" in notices(app)


async def test_move_dialog_filters_and_keeps_keys_typed_while_it_opens(
    seeds_copy: Path, db: Path
) -> None:
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        cb = await open_codebook(pilot, app)
        pick(cb.query_one("#codes", OptionList), "党建")
        # no pause after p: the name typed while the dialog opens narrows its list
        await pilot.press("p", *"政企", "enter")
        await until(pilot, lambda: app.screen is cb, "moved")
        assert codebook_of(db)["党建"][0] == "政企关系"
        # typing narrows, ↓ moves within what is left, a filter matching nothing keeps it open
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, PickDialog)
        await pilot.press(*"TOP")  # any case
        listed = dialog.query_one("#pick-list", OptionList)
        assert listed.option_count == 1 and "top level" in str(listed.get_option_at_index(0).prompt)
        await pilot.press("backspace", "backspace", "backspace", *"营商", "down")
        assert listed.option_count == 1 and listed.highlighted == 0
        await pilot.press(*"zzz", "enter")
        assert app.screen is dialog and listed.highlighted is None
        assert "no match" in str(listed.get_option_at_index(0).prompt)  # said, not empty
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cb, "cancelled")
        assert codebook_of(db)["党建"][0] == "政企关系"


async def test_colour_dialog_enter_keeps_the_current_colour(seeds_copy: Path, db: Path) -> None:
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        cb = await open_codebook(pilot, app)
        codes = cb.query_one("#codes", OptionList)
        pick(codes, "营商环境")  # #e5c07b: the third swatch of the palette
        await pilot.press("o", "enter")
        await until(pilot, lambda: app.screen is cb, "closed")
        with stored(db) as s:
            assert s.tag("营商环境").colour == "#e5c07b"
        # ↓ moves on from the current colour, not from the first swatch
        await pilot.press("o", "down", "enter")
        await until(pilot, lambda: app.screen is cb, "closed")
        with stored(db) as s:
            assert s.tag("营商环境").colour == "#61afef"
        # a colour of its own (not in the palette) is listed first, highlighted, and kept
        await pilot.press("o", *"#123456", "enter")
        await until(pilot, lambda: app.screen is cb, "closed")
        await pilot.press("o")
        palette = app.screen.query_one("#colour-palette", OptionList)
        assert palette.highlighted == 0
        assert "#123456" in str(palette.get_option_at_index(0).prompt)
        assert "当前 current" in str(palette.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is cb, "closed")
        with stored(db) as s:
            assert s.tag("营商环境").colour == "#123456"


async def test_retrieval_rows_and_enter_opens_the_passage_selected(
    seeds_copy: Path, db: Path
) -> None:
    seed(seeds_copy, db)
    a = article(seeds_copy, "对损害营商环境")
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, main):
        cb = await open_codebook(pilot, app)
        pick(cb.query_one("#codes", OptionList), "营商环境")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RetrievalScreen), "retrieval")
        rs = app.screen
        assert isinstance(rs, RetrievalScreen)
        # children included: 2 tagged articles, 3 passages (one coded with the child)
        kinds = sorted(it.kind for it in rs.items)
        assert kinds == ["article", "article", "passage", "passage", "passage"]
        items = rs.query_one("#items", OptionList)
        assert items.option_count == 5
        i = next(k for k, it in enumerate(rs.items) if it.quote == "优化营商环境")
        row = str(items.get_option_at_index(i).prompt)
        left, right = rs.items[i].left, rs.items[i].right
        assert f"{left[-4:]}优化营商环境{right[:4]}" in row.replace("\n", "")
        assert "关键" in row and a.title[:8] in row
        # the quote column: every passage's quote starts in the same cell

        starts = {
            match_cell(items.get_option_at_index(k).prompt)
            for k, it in enumerate(rs.items)
            if it.kind == "passage"
        }
        assert len(starts) == 1
        # sort cycles
        await pilot.press("s")
        assert rs.sort == "page"
        items.highlighted = next(k for k, it in enumerate(rs.items) if it.quote == "优化营商环境")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is main, "back to the reader")
        await pilot.pause(0.1)
        reader = main.query_one(Reader)
        assert main.article is not None and main.article.id == a.id
        assert reader.mode == "select"
        sel = reader.selection()
        assert sel is not None
        start = a.text.index("优化营商环境")
        assert sel[0] <= start and start + len("优化营商环境") <= sel[1]
        assert sel[1] - sel[0] <= len("优化营商环境") + 4  # the passage's words, no more


async def test_retrieval_of_an_expression(seeds_copy: Path, db: Path) -> None:
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        app.action_analysis("retrieval")
        await until(pilot, lambda: isinstance(app.screen, RetrievalScreen), "retrieval")
        rs = app.screen
        assert isinstance(rs, RetrievalScreen)
        await pilot.press(*"营商环境 and 党建", "enter")
        await pilot.pause()
        # A's article item; B's passage carrying both codes
        assert sorted(it.kind for it in rs.items) == ["article", "passage"]
        await pilot.press("slash")
        rs.query_one("#retrieve-input").value = "没有这个代码"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert rs.items == [] and "unknown code" in str(
            rs.query_one(".analysis-status", Static).render()
        )


async def test_cooccurrence_counts_and_enter_retrieves(seeds_copy: Path, db: Path) -> None:
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        cb = await open_codebook(pilot, app)
        cs = await open_cooccur(pilot, app)
        codes = cs.matrix["codes"]
        assert codes == ["营商环境", "政企关系", "党建"]  # the codebook's (tree) order
        y, z, d = codes.index("营商环境"), codes.index("政企关系"), codes.index("党建")
        table = cs.query_one("#matrix", DataTable)
        cell = str(table.get_cell_at((y, d + 1)))
        assert cell.strip() == "2"  # A and B carry both
        assert str(table.get_cell_at((y, z + 1))).strip() == "1"
        assert str(table.get_cell_at((y, y + 1))).strip() == "2"
        await pilot.press("t")
        assert cs.which == "passages"
        assert str(table.get_cell_at((y, d + 1))).strip() == "1"  # B's passage with both
        assert str(table.get_cell_at((y, y + 1))).strip() == "2"
        await pilot.press("t")
        table.move_cursor(row=y, column=d + 1)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RetrievalScreen), "cell segments")
        rs = app.screen
        assert isinstance(rs, RetrievalScreen)
        # in A and B: their article items and their passages coded 营商环境 or 党建
        assert sorted((it.kind, it.article_id[-8:]) for it in rs.items) == sorted(
            [
                ("article", article(seeds_copy, "对损害营商环境").id[-8:]),
                ("passage", article(seeds_copy, "对损害营商环境").id[-8:]),
                ("article", article(seeds_copy, "西工区").id[-8:]),
                ("passage", article(seeds_copy, "西工区").id[-8:]),
            ]
        )
        # a cell's list has no expression: / is neither offered nor taken
        assert "表达式" not in str(rs.query_one(".analysis-status").render())
        assert rs.check_action("edit_query", ()) is False
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cs, "back")
        # the plot: marked codes over issue dates
        table.move_cursor(row=y, column=1)
        await pilot.press("space", "g")
        await pilot.pause()
        assert cs.plotted == ["营商环境"]
        assert cs.query_one("#plot").display
        await pilot.press("g")
        assert not cs.query_one("#plot").display
        assert cb is not None


async def test_codebook_and_cooccurrence_count_a_parent_alike(seeds_copy: Path, db: Path) -> None:
    """Both count a code's own codings (``workspace.analysis``: no roll-up of children); the
    codebook adds the total with children, labelled, and each screen says what it counts."""
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        cb = await open_codebook(pilot, app)
        own = {r.name: r.passages for r in cb.rows}
        codes = cb.query_one("#codes", OptionList)
        shown = {
            r.name: str(codes.get_option_at_index(i).prompt).split("段")[0].split()[-1]
            for i, r in enumerate(cb.rows)
        }
        assert "own counts" in str(cb.query_one(".analysis-status", Static).render())
        assert "with children" in str(codes.border_title)
        cs = await open_cooccur(pilot, app)
        diagonal = {c: cs.matrix["passages"][i][i] for i, c in enumerate(cs.matrix["codes"])}
        assert diagonal == own == {c: int(n) for c, n in shown.items()}
        assert shown["营商环境"] == "2"  # not 3: its child's passage is the child's
        assert "children not included" in str(cs.query_one(".analysis-status", Static).render())


async def test_concordance_offsets_and_coding_an_occurrence(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, main):
        await pilot.press("K")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        await pilot.press(*"营商环境", "enter")
        await pilot.pause()
        assert main.pages is not None
        assert len(ks.lines) == 12  # every occurrence, in corpus order (one in a title)
        for ln in ks.lines:
            art = main.pages.article(ln.article_id)
            where = art.title if art is not None and ln.part == "title" else art.text  # type: ignore[union-attr]
            assert art is not None and where[ln.start : ln.end] == "营商环境"
        ol = ks.query_one("#kwic-lines", OptionList)

        prompts = [ol.get_option_at_index(i).prompt for i in range(ol.option_count)]
        assert {match_cell(p) for p in prompts} == {match_cell(prompts[0])}  # one column
        for p in prompts:
            span = next(sp for sp in p.spans if sp.style == QUOTE_STYLE)
            assert p.plain[span.start : span.end] == "营商环境"
        await pilot.press("r")
        assert [ln.right for ln in ks.lines] == sorted(ln.right for ln in ks.lines)
        await pilot.press("l")
        assert [ln.left[::-1] for ln in ks.lines] == sorted(ln.left[::-1] for ln in ks.lines)
        # code the occurrence, then its sentence
        at = next(i for i, x in enumerate(ks.lines) if i >= 2 and not x.headline)
        ol.highlighted = at
        ln = ks.lines[at]
        await pilot.press("c")
        assert isinstance(app.screen, TagDialog)
        await pilot.press(*"营商", "enter")
        await pilot.pause()
        with stored(db) as s:
            (h,) = s.highlights(ln.article_id)
            assert (h.start, h.end, h.tags) == (ln.start, ln.end, ("营商",))
        await pilot.press("C", *"句子", "enter")
        await pilot.pause()
        art = main.pages.article(ln.article_id)
        assert art is not None
        with stored(db) as s:
            sentence = next(h for h in s.highlights(ln.article_id) if h.tags == ("句子",))
            assert sentence.start <= ln.start and ln.end <= sentence.end
            assert (
                sentence.quote.endswith(("。", "！", "？", "；", "”"))
                or "\n" in art.text[sentence.end : sentence.end + 1]
            )
        # Enter opens the article with the caret on the occurrence
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is main, "reader")
        await pilot.pause(0.1)
        reader = main.query_one(Reader)
        assert main.article is not None and main.article.id == ln.article_id
        tok = reader.caret_token()
        assert reader.mode == "caret" and tok is not None and tok[0] <= ln.start < tok[1]


async def test_autocode_preview_and_one_step_undo(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        await pilot.press("K", *"营商环境", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        ks = app.screen
        await until(pilot, lambda: bool(ks.lines), "lines")  # type: ignore[attr-defined]
        await pilot.press("A")
        assert isinstance(app.screen, PickDialog)
        choose(app.screen, "sentence")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TagDialog), "code")
        await pilot.press(*"营商环境", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "preview")
        question = str(app.screen.query_one(Static).render())
        assert "passages in 3 articles — code them as 「营商环境」?" in question
        n = int(question.split(" passages")[0])
        assert 3 <= n <= 11
        await pilot.press("y")
        await pilot.pause()
        with stored(db) as s:
            hs = s.highlights()
            assert len(hs) == n and all(h.tags == ("营商环境",) for h in hs)
            assert all("营商环境" in h.quote for h in hs)
        await pilot.press("u")
        await pilot.pause()
        with stored(db) as s:
            assert s.highlights() == []


async def test_search_dialog_opens_the_concordance(seeds_copy: Path, db: Path) -> None:
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"防汛 -党建", "ctrl+k")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        assert ks.term == "防汛" and len(ks.lines) == 12


async def test_concordance_code_dialog_says_what_it_codes(seeds_copy: Path, db: Path) -> None:
    """«民主生活会» alone did not say where: the dialog names the article of the one line it
    codes, and autocoding how many lines in how many articles."""
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, main):
        await pilot.press("K", *"营商环境", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        await until(pilot, lambda: bool(ks.lines), "lines")
        ks.query_one("#kwic-lines", OptionList).highlighted = 4
        art = main.pages.article(ks.lines[4].article_id) if main.pages else None
        assert art is not None
        for key in ("c", "C"):
            await pilot.press(key)
            dialog = app.screen
            assert isinstance(dialog, TagDialog)
            assert "1 line in 1 article" in dialog.heading
            assert art.title[:12] in dialog.heading
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is ks, "back")
        await pilot.press("A")
        choose(app.screen, "match")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TagDialog), "code")
        dialog = app.screen
        assert isinstance(dialog, TagDialog)
        assert "12 lines in 3 articles (1 in headlines: not coded" in dialog.heading


async def test_lists_stop_at_their_ends(seeds_copy: Path, db: Path) -> None:
    """Up on the first code stayed not; it went to the last (Textual's lists wrap), so
    ``Up Up Up Down Down Enter`` retrieved the wrong code."""
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        cb = await open_codebook(pilot, app)
        codes = cb.query_one("#codes", OptionList)
        codes.highlighted = 0
        await pilot.press("up")
        assert codes.highlighted == 0
        await pilot.press("up", "up", "down")
        assert codes.highlighted == 1
        await pilot.press("down", "down", "down", "j")
        assert codes.highlighted == codes.option_count - 1
        await pilot.press("p")  # a pick dialog's list stops too
        dialog = app.screen
        assert isinstance(dialog, PickDialog)
        picks = dialog.query_one(OptionList)
        await pilot.press("up")
        assert picks.highlighted == 0
        for _ in range(picks.option_count + 1):
            await pilot.press("down")
        assert picks.highlighted == picks.option_count - 1


async def test_one_is_singular(seeds_copy: Path, db: Path) -> None:
    """「党建」 codes one article (A's tag) and one passage (B's): "1 articles and 1 passages"
    read wrong."""
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        cb = await open_codebook(pilot, app)
        pick(cb.query_one("#codes", OptionList), "党建")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        question = str(app.screen.query_one(Static).render())
        assert "1 篇 article: " in question and "1 段 passage: " in question
        await pilot.press("n")
        await until(pilot, lambda: app.screen is cb, "back")
        cs = await open_cooccur(pilot, app)
        table = cs.query_one("#matrix", DataTable)
        codes = cs.matrix["codes"]
        table.move_cursor(row=codes.index("政企关系"), column=codes.index("党建") + 1)
        await pilot.press("enter")  # 党建 × 政企关系: A's article and its passages
        await until(pilot, lambda: isinstance(app.screen, RetrievalScreen), "cell")
        status = str(app.screen.query_one(".analysis-status", Static).render())
        assert "1 段 passage · 1 篇 article ·" in status


async def test_cooccurrence_headers_sit_over_their_counts(seeds_copy: Path, db: Path) -> None:
    """Labels were left-aligned over right-aligned counts: a label as wide as the column (a
    four-character code) had the counts a cell to its left."""
    from rich.cells import cell_len

    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        await open_codebook(pilot, app)
        cs = await open_cooccur(pilot, app)
        await pilot.pause()
        table = cs.query_one("#matrix", DataTable)
        codes = cs.matrix["codes"]
        y = codes.index("营商环境")
        header, row = table.render_line(0), table.render_line(1 + y)
        x = 0
        for j, column in enumerate(table.ordered_columns):
            w = column.get_render_width(table)
            label, count = header.crop(x, x + w).text, row.crop(x, x + w).text
            x += w
            if j == 0:
                continue
            n = cs.matrix["articles"][y][j - 1]
            assert count.strip() == (str(n) if n else "·")
            assert codes[j - 1][:2] in label
            # each ends where the other does
            gap = cell_len(label) - cell_len(label.rstrip())
            assert gap == cell_len(count) - cell_len(count.rstrip()), (label, count)


async def test_plot_ticks_counts_in_whole_numbers(seeds_copy: Path, db: Path) -> None:
    import re

    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        await open_codebook(pilot, app)
        cs = await open_cooccur(pilot, app)
        table = cs.query_one("#matrix", DataTable)
        table.move_cursor(row=cs.matrix["codes"].index("营商环境"), column=1)
        await pilot.press("g")
        await pilot.pause()
        plot: Any = cs.query_one("#plot")
        drawn = re.sub(r"\x1b\[[0-9;]*m", "", plot.plt.build())
        ticks = re.findall(r"^\s*(\S+)┤", drawn, re.M)
        assert ticks and all(t.isdigit() for t in ticks), ticks


async def test_retrieval_rows_line_up_with_half_width_punctuation(
    seeds_copy: Path, db: Path
) -> None:
    """A quote with an ASCII comma or parenthesis is an odd number of cells: its row came
    out a cell narrower or wider than the others."""
    from rich.cells import cell_len

    seed(seeds_copy, db)
    corpus = load_corpus(seeds_copy)
    with Store.open(db) as s:
        for quote in ("发展,近年", "党员(含拟"):
            art = next(a for a in corpus.articles if quote in a.text)
            s.highlight_quote(art, quote, ["营商环境"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        app.push_screen(RetrievalScreen("营商环境"))
        await until(pilot, lambda: isinstance(app.screen, RetrievalScreen), "retrieval")
        rs = app.screen
        assert isinstance(rs, RetrievalScreen)
        await pilot.pause()
        ol = rs.query_one("#items", OptionList)
        firsts = [
            ol.get_option_at_index(i).prompt
            for i, it in enumerate(rs.items)
            if it.kind == "passage"
        ]
        quotes = {
            p.plain[sp.start : sp.end]
            for p in firsts
            for sp in p.spans
            if str(sp.style) == QUOTE_STYLE
        }
        assert {"发展,近年", "党员(含拟"} <= quotes
        widths = {cell_len(p.plain.split("\n")[1]) for p in firsts}
        assert len(widths) == 1, widths
        assert len({match_cell(p) for p in firsts}) == 1


# ---------------------------------------------------------------------------- snapshots


def _snap(which: str, keys: tuple[str, ...] = ()) -> Callable[..., Awaitable[None]]:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        screen = app.main_screen
        await ready(pilot, screen)
        while not screen.index_ready:
            await pilot.pause(0.05)
        await pilot.press(*keys)
        await until(pilot, lambda: type(app.screen).__name__ == which, which)
        await pilot.pause(0.3)

    return run_before


SNAPS = {
    "codebook": ("CodebookScreen", ("c",)),
    "retrieval": ("RetrievalScreen", ("c", "enter")),
    "concordance": ("ConcordanceScreen", ("K", *"营商环境", "enter")),
}


@pytest.mark.parametrize("size", [(160, 50), (80, 24)], ids=["160x50", "80x24"])
@pytest.mark.parametrize("name", list(SNAPS))
def test_snapshot_analysis(
    seeds_copy: Path,
    db: Path,
    snap_compare: Any,
    name: str,
    size: tuple[int, int],
) -> None:
    seed(seeds_copy, db)
    which, keys = SNAPS[name]
    assert snap_compare(make_app(seeds_copy, db), terminal_size=size, run_before=_snap(which, keys))


async def test_autocode_says_the_headline_count_is_of_the_lines_shown(
    seeds_copy: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more lines than the screen holds, the headline lines were counted over those shown
    and read as the total's (48600 lines … 307 in headlines, where 3,000 are; testerD F8)."""
    import tui.screens.concordance as conc

    monkeypatch.setattr(conc, "LIMIT", 3)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        await pilot.press("K", *"营商环境", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        await until(pilot, lambda: bool(ks.lines), "lines")
        assert ks.total == 12 and len(ks.lines) == 3
        await pilot.press("A")
        choose(app.screen, "match")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TagDialog), "code")
        heading = app.screen.heading  # type: ignore[attr-defined]
        assert "12 lines in 3 articles (of the first 3, 1 in headlines: not coded" in heading
