"""The analysis screens and lists at 80×24 (a laptop's terminal): long Chinese code names and
many codes are cut to the width, never wrapped under the next row; what a line says is seen."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from textual.widgets import OptionList, Static

from storage.annotations import Store
from tests.test_tui import open_article
from tests.test_tui_analysis import article, open_codebook, open_cooccur, running, seed, until
from tui.app import make_app
from tui.widgets import ArticleList

LONG = "一个非常长的代码名称用于测试界面截断效果"


def long_codes(seeds: Path, db: Path) -> None:
    seed(seeds, db)
    with Store.open(db) as s:
        s.define_tag(LONG, "#61afef")
        a = article(seeds, "对损害营商环境")
        s.add_tags(a, [LONG, "甲", "乙", "丙"])
        s.highlight_quote(a, "营商环境", [LONG])


def widest(ol: OptionList) -> int:
    lines = [
        line
        for i in range(ol.option_count)
        for line in str(ol.get_option_at_index(i).prompt).split("\n")
    ]
    return max(cell_len(x) for x in lines)


async def test_codebook_rows_fit_80_columns_with_a_long_code_name(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """The with-children counts of 营商环境 wrapped to a second line beside a 40-cell name."""
    db = tmp_path / "db" / "annotations.json"
    long_codes(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.main_screen.pages is not None, "ready")
        cb = await open_codebook(pilot, app)
        codes = cb.query_one("#codes", OptionList)
        await until(pilot, lambda: codes.option_count >= 4, "the codes")
        assert widest(codes) <= codes.scrollable_content_region.width
        row = str(codes.get_option_at_index(0).prompt)
        assert "含子" in row and "段" in row.split("含子")[1]  # the counts are all there
        longest = next(
            str(codes.get_option_at_index(i).prompt)
            for i in range(codes.option_count)
            if "一个非常长" in str(codes.get_option_at_index(i).prompt)
        )
        assert "…" in longest and "篇" in longest


async def test_article_rows_cut_their_tags_to_the_list(seeds_copy: Path, tmp_path: Path) -> None:
    """Four codes, one of 40 cells: the tag line counts what does not fit (+N), unwrapped."""
    db = tmp_path / "db" / "annotations.json"
    long_codes(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        await until(pilot, lambda: screen.pages is not None, "ready")
        await open_article(pilot, screen, "对损害营商环境")
        await pilot.pause()
        rows = screen.query_one(ArticleList)
        assert widest(rows) <= rows.scrollable_content_region.width
        tags = next(
            str(rows.get_option_at_index(i).prompt).split("\n")[1]
            for i in range(rows.option_count)
            if "对损害营商环境" in str(rows.get_option_at_index(i).prompt)
        )
        # 营商环境 党建 shown, then the 40-cell code does not fit: it and 甲 乙 丙 counted
        assert tags.split() == ["营商环境", "党建", "+4"]


async def test_the_plot_legend_is_read_whole_at_80_columns(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """The notice of undated pages was cut mid-sentence on a one-line legend."""
    db = tmp_path / "db" / "annotations.json"
    seed(seeds_copy, db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        await pilot.resize_terminal(80, 24)
        await open_codebook(pilot, app)
        co = await open_cooccur(pilot, app)
        await pilot.press("space", "j", "space", "g")
        await until(pilot, lambda: bool(co.query("#plot-legend")), "the plot")
        legend = co.query_one("#plot-legend", Static)
        await until(pilot, lambda: legend.size.height > 0, "the legend drawn")
        text = str(legend.render())
        needed = -(-cell_len(text) // legend.content_region.width)
        assert legend.size.height >= min(needed, 3)


def test_a_first_code_too_long_for_the_line_is_cut_and_the_rest_counted() -> None:
    from tui.widgets.lists import tag_chips

    chips = tag_chips([LONG, "甲"], {}, 20)
    text = "".join(c if isinstance(c, str) else c[0] for c in chips)
    assert cell_len(text) <= 20 and text.startswith(" 一个非常") and "…" in text
    assert text.rstrip().endswith("+1")
    assert tag_chips(["甲", "乙"], {"甲": "#ff0000"}, 20)[0] == (" 甲 ", "#101010 on #ff0000")


async def test_concordance_enter_on_spaces_says_to_type_a_term(
    seeds_copy: Path, tmp_path: Path
) -> None:
    from tui.screens.concordance import ConcordanceScreen

    app = make_app(seeds_copy, tmp_path / "db" / "annotations.json")
    async with running(app) as (pilot, _main):
        await pilot.press("K")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        await pilot.press("space", "space", "enter")
        await pilot.pause()
        said = str(app.screen.query_one(".analysis-status", Static).render())
        assert "type a term first" in said
        await pilot.press(*"营商环境", "enter")
        await until(
            pilot,
            lambda: "occurrences" in str(app.screen.query_one(".analysis-status", Static).render()),
            "the lines",
        )
