"""Faults a tester found in the analysis screens (session 9, tester1): whose codings a codebook
edit changes, the move picker, retrieval's layout and sort, co-occurrence's order and plot, the
agreement table's tag column, decisions the coders' later changes reopen."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, OptionList, Static

from corpus.load import load_corpus
from storage.annotations import Store
from tests.test_tui import stored
from tests.test_tui_analysis import (
    QUOTE_STYLE,
    article,
    notices,
    open_codebook,
    open_cooccur,
    pick,
    running,
    seed,
    until,
)
from tui.app import make_app
from tui.dialogs import ConfirmDialog, PickDialog
from tui.screens.agreement import AdjudicationScreen, AgreementScreen
from tui.screens.cooccur import CooccurScreen
from tui.screens.retrieval import RetrievalScreen
from workspace import codebook


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


def three_coders(seeds: Path, db: Path) -> None:
    """亲清政商: alice a passage and a tag, bob a passage, final two passages."""
    a, b = article(seeds, "对损害营商环境"), article(seeds, "西工区")
    with Store.open(db, coder="alice") as s:
        s.define_tag("营商表述")
        s.define_tag("亲清政商")
        s.highlight_quote(a, "优化营商环境", ["亲清政商"])
        s.add_tags(b, ["亲清政商"])
    with Store.open(db, coder="bob") as s:
        s.highlight_quote(a, "洛玻集团", ["亲清政商"])
    with Store.open(db, coder="final") as s:
        s.highlight_quote(a, "优化营商环境", ["亲清政商"])
        s.highlight_quote(b, "营商环境", ["亲清政商"])


def question(app: Any) -> str:
    assert isinstance(app.screen, ConfirmDialog)
    return str(app.screen.query_one(Static).render())


async def test_merge_and_delete_say_whose_codings_change(seeds_copy: Path, db: Path) -> None:
    three_coders(seeds_copy, db)
    app = make_app(seeds_copy, db, coder="alice")
    async with running(app) as (pilot, _main):
        cb = await open_codebook(pilot, app)
        status = str(cb.query_one(".analysis-status", Static).render())
        assert "own counts of your codings (alice)" in status  # whose the row's counts are
        codes = cb.query_one("#codes", OptionList)
        pick(codes, "亲清政商")
        # delete: every coder's codings, per coder, and the row's figure said to be yours
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "delete asked")
        text = question(app)
        assert "1 篇 article: alice 1" in text
        assert "4 段 passages: alice 1, bob 1, final 2" in text
        assert "the row counts 1 篇 · 1 段: 你的 yours" in text
        await pilot.press("n")
        await until(pilot, lambda: app.screen is cb, "kept")
        # merge through the picker asks first, naming whose codings move
        await pilot.press("m", *"表述", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "merge asked")
        text = question(app)
        assert "every coder's codings" in text
        assert "4 段 passages: alice 1, bob 1, final 2" in text
        await pilot.press("y")
        await until(pilot, lambda: app.screen is cb, "merged")
    with stored(db) as s:
        assert "亲清政商" not in {r.name for r in s.codebook(None)}
        assert s.code_usage("营商表述", ["bob"]).passages


async def test_move_picker_leaves_out_the_code_and_its_descendants(
    seeds_copy: Path, db: Path
) -> None:
    seed(seeds_copy, db)
    with Store.open(db) as s:
        s.define_tag("放管服", parent="政企关系")  # a grandchild of 营商环境
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        cb = await open_codebook(pilot, app)
        pick(cb.query_one("#codes", OptionList), "营商环境")
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PickDialog), "picker")
        assert isinstance(app.screen, PickDialog)
        offered = [v for v, _label in app.screen.items]
        assert offered == ["", "党建"]
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cb, "back")
        # a refusal (as from a stale list) is said in both languages
        cb.edit(lambda: codebook.edit(cb.ws, "move", "营商环境", "放管服"))
        await pilot.pause()
        said = notices(app)
        assert "不能移到它自己或它的子代码之下" in said and "cannot move" in said


async def test_retrieval_header_first_text_as_on_the_page_sort_kept(
    seeds_copy: Path, db: Path
) -> None:
    seed(seeds_copy, db)
    a = article(seeds_copy, "对损害营商环境")
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        app.push_screen(RetrievalScreen("营商环境"))
        await until(pilot, lambda: isinstance(app.screen, RetrievalScreen), "retrieval")
        rs = app.screen
        assert isinstance(rs, RetrievalScreen)
        await pilot.pause()
        items = rs.query_one("#items", OptionList)
        i = next(k for k, it in enumerate(rs.items) if it.quote == "优化营商环境")
        prompt = items.get_option_at_index(i).prompt
        header, context = prompt.plain.split("\n")
        assert a.title[:8] in header  # where it is comes first
        it = rs.items[i]
        # the quote in its context as the page has it: no space put around it
        assert f"{it.left[-4:]}优化营商环境{it.right[:4]}" in context
        span = next(sp for sp in prompt.spans if str(sp.style) == QUOTE_STYLE)
        assert prompt.plain[span.start : span.end] == "优化营商环境"
        whole = next(k for k, x in enumerate(rs.items) if x.kind == "article")
        header, context = items.get_option_at_index(whole).prompt.plain.split("\n")
        assert "整篇 whole article" in context and "整篇" not in header
        # the sort is kept for the session
        await pilot.press("s")
        assert rs.sort == "page"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, RetrievalScreen), "closed")
        app.push_screen(RetrievalScreen("营商环境"))
        await until(pilot, lambda: isinstance(app.screen, RetrievalScreen), "again")
        again = app.screen
        assert isinstance(again, RetrievalScreen) and again is not rs
        await pilot.pause()
        assert again.sort == "page"
        assert "版面 page" in str(again.query_one(".analysis-status", Static).render())


async def test_cooccurrence_in_codebook_order_and_undated_codings_counted(
    seeds_copy: Path, db: Path
) -> None:
    seed(seeds_copy, db)
    with Store.open(db) as s:  # a code named before 营商环境 in code-point order, made last
        s.define_tag("亲清政商")
        s.highlight_quote(article(seeds_copy, "对损害营商环境"), "洛玻集团", ["亲清政商"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _main):
        cb = await open_codebook(pilot, app)
        tree = [r.name for r in cb.rows]
        assert tree == ["营商环境", "政企关系", "党建", "亲清政商"]
        cs = await open_cooccur(pilot, app)
        assert cs.matrix["codes"] == tree
        table = cs.query_one("#matrix", DataTable)
        labels = [str(c.label) for c in table.columns.values()][1:]
        assert labels == tree
        # counts follow their codes: 营商环境 × 政企关系 (one article carries both)
        assert cs.matrix["articles"][0][1] == 1 and cs.matrix["articles"][1][0] == 1
        # the plot of 亲清政商 (coded only on an undated page) says it left that out
        table.move_cursor(row=3, column=1)
        await pilot.press("g")
        await until(pilot, lambda: bool(cs.query("#plot-legend")), "plot")
        await pilot.pause()
        legend = str(cs.query_one("#plot-legend", Static).render())
        assert "1 篇在无日期版面上" in legend and "1 article on undated pages not plotted" in legend
        assert isinstance(app.screen, CooccurScreen)


def two_coders(seeds: Path, db: Path) -> list[Any]:
    arts = load_corpus(seeds).articles
    with Store.open(db, coder="甲") as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[1], ["营商环境", "党建"])
        s.highlight_quote(arts[0], arts[0].text[2:8], ["段落码"])
    with Store.open(db, coder="乙") as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[1], ["营商环境"])
    return list(arts)


async def agreement_screen(pilot: Any, app: Any) -> AgreementScreen:
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
    assert isinstance(app.screen, AgreementScreen)
    return app.screen


async def test_tag_agreement_is_not_applicable_to_a_code_never_tagged(
    seeds_copy: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db.json"
    two_coders(seeds_copy, db)
    app = make_app(seeds_copy, db, coder="丙")
    async with running(app) as (pilot, _main):
        screen = await agreement_screen(pilot, app)
        table = screen.query_one(DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert "标签 tag agreement" in labels
        rows = {str(table.get_row_at(i)[0]): table.get_row_at(i) for i in range(table.row_count)}
        assert str(rows["段落码"][2]) == "—"  # only a passage: no tag to agree on
        assert str(rows["党建"][2]) == "0.500"  # a real tag agreement stays
        assert (
            "neither coder applied it as an article tag"
            in screen.notes[
                [str(table.get_row_at(i)[0]) for i in range(table.row_count)].index("段落码")
            ]
        )


async def test_a_decision_is_reopened_when_the_coders_change_their_codings(
    seeds_copy: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db.json"
    arts = two_coders(seeds_copy, db)
    app = make_app(seeds_copy, db, coder="丙")
    async with running(app) as (pilot, _main):
        screen = await agreement_screen(pilot, app)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, AdjudicationScreen), "queue")
        adj_screen = app.screen
        assert isinstance(adj_screen, AdjudicationScreen)
        rows = adj_screen.adj.rows()
        i = next(k for k, r in enumerate(rows) if r.code == "党建")
        adj_screen.query_one(OptionList).highlighted = i
        await pilot.press("1" if adj_screen.adj.a.coder == "甲" else "2")  # 甲's tag
        await pilot.pause()
        done = adj_screen.adj.progress()[0]
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "back")
        # after the decision 乙 codes a passage of 党建 in the same article
        store = app.workspace.store
        with store.as_coder("乙"):
            store.highlight_quote(arts[1], arts[1].text[0:6], ["党建"])
        await pilot.press("d")
        await until(
            pilot,
            lambda: isinstance(app.screen, AdjudicationScreen) and app.screen is not adj_screen,
            "queue again",
        )
        again = app.screen
        assert isinstance(again, AdjudicationScreen)
        row = next(r for r in again.adj.rows() if r.code == "党建")
        assert row.settled is not None and row.changed
        assert again.adj.progress()[0] == done - 1  # no longer counted as settled
        title = str(again.query_one("#adj-title", Static).render())
        assert "changed since decided" in title
        ol = again.query_one(OptionList)
        k = next(n for n, r in enumerate(again.rows) if r.code == "党建")
        assert re.match(r"\s*!", str(ol.get_option_at_index(k).prompt))
        # deciding again settles it with what the coders did now
        ol.highlighted = k
        await pilot.press("3")
        await pilot.pause()
        row = next(r for r in again.adj.rows() if r.code == "党建")
        assert row.settled == "both" and not row.changed
    with stored(db) as s:
        assert s.notes_by_coder(arts[1].id)["final"].tags.count("党建") == 1


def test_a_decision_without_a_fingerprint_stays_settled(seeds_copy: Path, tmp_path: Path) -> None:
    """Decisions stored before fingerprints (no ``settled_basis``) are not reopened; a decision
    undone takes its fingerprint with it."""
    from workspace.coders import Adjudication
    from workspace.session import Workspace

    db = tmp_path / "db.json"
    arts = two_coders(seeds_copy, db)
    with Workspace(seeds_copy, db, mode="write") as ws:
        adj = Adjudication(ws, "甲", "乙")
        r = next(r for r in adj.rows() if r.code == "党建")
        with ws.store.as_coder("final"):
            ws.store.settle_code(arts[1], "党建", "a", True, ())  # as an older version did
        assert ws.store.settled_basis("final") == {}
        assert (
            adj.progress()[0] == 1 and not next(x for x in adj.rows() if x.code == "党建").changed
        )
        adj.settle(r.unit, "党建", "b")
        assert ws.store.settled_basis("final") == {(r.unit, "党建"): r.basis()}
        adj.undo()
        assert ws.store.settled_basis("final") == {}


def test_a_decided_row_the_coders_now_agree_on_stays_in_the_queue(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """Testers: B removed the 党建 tag A had alone after the row was decided "a"; the row
    left the queue (now an agreement) while final kept 党建, which neither coder has. It
    stays, marked changed, and deciding again writes what both now do."""
    from workspace.coders import Adjudication
    from workspace.session import Workspace

    db = tmp_path / "db.json"
    arts = two_coders(seeds_copy, db)
    with Workspace(seeds_copy, db, mode="write") as ws:
        adj = Adjudication(ws, "甲", "乙")
        row = next(r for r in adj.rows() if r.code == "党建")
        adj.settle(row.unit, "党建", "a")
        with ws.store.as_coder("甲"):
            ws.store.remove_tags(arts[1], ["党建"])  # now neither has it
        again = Adjudication(ws, "甲", "乙")
        (kept,) = [r for r in again.rows() if r.code == "党建"]
        assert kept.changed and not kept.a_tag and not kept.b_tag
        assert again.progress()[0] == 0  # reopened: not settled
        again.settle(kept.unit, "党建", "a")
        assert "党建" not in ws.store.notes(kept.unit, {"final"}).tags
        assert again.progress()[0] == 1
