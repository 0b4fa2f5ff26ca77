"""A code no coder used as an article tag has no tag agreement: "—" in ``piyue agree`` and in
the reader's agreement table alike, from one computation (testerC F4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable

from corpus.load import load_corpus
from storage.annotations import Store
from tests.test_tui import running
from tui.app import make_app
from tui.screens.agreement import AgreementScreen
from workspace.agreement import Coding, Passage, agreement_report

from .conftest import SEEDS


def passages_only(db: Path) -> None:
    """研究者 and 对照者 code passages of 领导表态 in the same two articles, no article tag."""
    arts = load_corpus(SEEDS).articles[:2]
    for who, quote in (("研究者", "高质量发展"), ("对照者", "高质量")):
        with Store.open(db, coder=who) as s:
            for art in arts:
                if "高质量发展" in art.text:
                    s.highlight_quote(art, quote, ["领导表态"])
                else:
                    s.highlight_quote(art, art.text[:4], ["领导表态"])


def test_no_tag_use_means_no_tag_agreement() -> None:
    a = Coding("A", passages={"u1": [Passage(0, 3, "x")]})
    b = Coding("B", passages={"u1": [Passage(0, 2, "x")], "u2": [Passage(1, 4, "x")]})
    (row,) = agreement_report(a, b, {"u1": 10, "u2": 10})["codes"]
    assert row["agreement"] is None and row["kappa"] is None
    assert "neither coder applied it as an article tag" in row.get("note", "")
    assert row["char_kappa"] is not None  # the passage figures stay
    # one coder's tag on one of two units: a real figure (the other unit agrees on absence)
    c = Coding("C", tags={"u1": {"x"}}, passages=a.passages)
    (row,) = agreement_report(c, b, {"u1": 10, "u2": 10}, units=["u1", "u2"])["codes"]
    assert row["agreement"] == 0.5


def test_cli_prints_a_dash_for_tag_agreement_of_an_untagged_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    db = tmp_path / "db.json"
    passages_only(db)
    args = ["--corpus", str(SEEDS), "--db", str(db), "agree", "研究者", "对照者"]
    assert main(args) == 0
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("| 领导表态 |")]
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[2:5] == ["—", "—", "—"], line  # agreement, κ, α
    assert cells[5] != "—"  # char κ is a figure
    assert main([*args, "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["codes"]
    assert row["agreement"] is None
    assert main([*args, "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split(",")[4] == ""  # the agreement cell is empty, as every undefined one


async def test_reader_shows_the_same_dash(tmp_path: Path, seeds_copy: Path) -> None:
    db = tmp_path / "db.json"
    passages_only(db)
    app = make_app(seeds_copy, db, coder="丙")
    async with running(app) as (pilot, _screen):
        await pilot.press("A", "enter")
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(200):
            await pilot.pause(0.02)
            if (
                isinstance(app.screen, AgreementScreen)
                and app.screen.query_one(DataTable).row_count
            ):
                break
        assert isinstance(app.screen, AgreementScreen)
        table = app.screen.query_one(DataTable)
        row = table.get_row_at(0)
        assert str(row[0]) == "领导表态"
        assert [str(c) for c in row[2:5]] == ["—", "—", "—"]
        assert app.screen.report is not None
        assert app.screen.report["codes"][0]["agreement"] is None  # the same figure as the CLI


def test_agree_without_a_common_article_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    db = tmp_path / "db.json"
    arts = load_corpus(SEEDS).articles
    with Store.open(db, coder="研究者") as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[1], ["营商环境"])
    with Store.open(db, coder="孤立者") as s:
        s.add_tags(arts[2], ["营商环境"])
    with pytest.raises(SystemExit) as exit_:
        main(["--corpus", str(SEEDS), "--db", str(db), "agree", "研究者", "孤立者"])
    assert exit_.value.code == 2
    got = capsys.readouterr()
    assert got.out == ""
    assert got.err == (
        "piyue: 研究者 and 孤立者 coded no article in common (研究者: 2 articles, 孤立者: 1 "
        "article): agreement is measured over the articles both coded\n"
    )
