"""The concordance counts the headline group too: ``piyue kwic`` finds what ``grep -o`` finds in
the pages' titles and texts, each headline line marked; autocode codes the text and says what
it left in headlines (testerC F5)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cli import main
from corpus.load import load_corpus
from workspace.autocode import headline_hits
from workspace.kwic import kwic

from .conftest import SEEDS


def grep_count(term: str) -> int:
    """Occurrences in the page files, as ``grep -o TERM | wc -l`` counts them, less the image
    captions (kwic reads headlines and text, not captions)."""
    corpus = load_corpus(SEEDS)
    captions = sum(c.count(term) for a in corpus.articles for c in a.captions)
    return sum(p.read_text("utf-8").count(term) for p in SEEDS.glob("*.txt")) - captions


@pytest.mark.parametrize("indexed", [False, True])
def test_kwic_counts_every_occurrence_headlines_included(
    seeds_copy: Path, capsys: pytest.CaptureFixture[str], indexed: bool
) -> None:
    """With or without the index (its fast path reads bodies): the same lines."""
    args = ["--corpus", str(seeds_copy)]
    if indexed:
        assert main([*args, "index"]) == 0
        capsys.readouterr()
    assert main([*args, "kwic", "发展", "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["lines"]
    assert len(lines) == grep_count("发展")
    parts = {ln["part"] for ln in lines}
    assert {"body", "title", "kicker", "banner"} <= parts
    corpus = load_corpus(seeds_copy)
    for ln in lines:  # each line's offsets cut the match out of the part it names
        art = corpus.article(ln["article_id"])
        assert art is not None
        issue = corpus.issue_of(art)
        where = {
            "body": art.text,
            "title": art.title,
            "kicker": art.kicker,
            "subtitle": art.subtitle,
            "column": art.column,
            "banner": issue.banner,
        }[ln["part"]]
        assert where[ln["start"] : ln["end"]] == "发展" == ln["match"]
    # the page's title alone (a banner over page 004) is found, marked in the text output
    assert main([*args, "kwic", "加快推动高质量发展"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and re.search(r"-\w+\s+版头\s+\S", out), out


def test_kwic_headline_lines_come_first_in_their_article() -> None:
    corpus = load_corpus(SEEDS)
    lines = kwic(corpus, "制造业高质量发展")
    art = next(a for a in corpus.articles if "全面挺起制造业" in a.title)
    mine = [ln for ln in lines if ln.article_id == art.id]
    assert [ln.part for ln in mine[:2]] == ["kicker", "title"]
    assert all(ln.part == "body" for ln in mine[2:]) and len(mine) > 2
    assert mine[1].left.endswith("全面挺起") and mine[1].right.startswith("“脊梁")


def test_autocode_codes_text_and_names_the_headline_occurrences(
    seeds_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--corpus", str(seeds_copy)]
    corpus = load_corpus(seeds_copy)
    assert headline_hits(corpus, "加快推动高质量发展") == (1, 1)
    assert main([*args, "autocode", "加快推动高质量发展", "框架", "--unit", "match"]) == 0
    out = capsys.readouterr().out
    assert "nothing coded" in out and "1 occurrence in the headlines of 1 article" in out
    assert main([*args, "autocode", "高质量发展", "框架", "--unit", "match", "--dry-run"]) == 0
    out = capsys.readouterr().out
    hits, arts = headline_hits(corpus, "高质量发展")
    assert hits > 0 and f"not coded: {hits} occurrences in the headlines of {arts} " in out
    body = sum(a.text.count("高质量发展") for a in corpus.articles)
    assert out.startswith(f"would code {body} passages")


async def test_the_readers_concordance_marks_headlines_and_codes_only_text(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """``K 发展``: as many lines as ``piyue kwic``, the headline ones marked; ``c`` on one says
    a headline is no passage (nothing written); Enter opens its article."""
    from textual.widgets import OptionList

    from storage.annotations import Store
    from tests.test_tui import running
    from tests.test_tui_analysis import until
    from tui.app import make_app
    from tui.screens.concordance import ConcordanceScreen

    db = tmp_path / "db.json"
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, main):
        await pilot.press("K", *"发展", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        await until(pilot, lambda: bool(ks.lines), "lines")
        assert len(ks.lines) == grep_count("发展") == ks.total
        i = next(i for i, ln in enumerate(ks.lines) if ln.part == "title")
        ol = ks.query_one("#kwic-lines", OptionList)
        assert ol.get_option_at_index(i).prompt.plain.lstrip().startswith("标题")
        ol.highlighted = i
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is ks
        assert any("headline cannot be a passage" in n.message for n in app._notifications)
        aid = ks.lines[i].article_id
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is main, "reader")
        assert main.article is not None and main.article.id == aid
    with Store.open(db, readonly=True) as s:
        assert s.highlights(aid) == []


@pytest.mark.parametrize("term", ["发展", "营商环境", "加快推动高质量发展", "制造业高质量发展"])
def test_the_index_answers_with_the_headline_pages_built_in_their_place(
    seeds_copy: Path, term: str
) -> None:
    """A term in a headline no longer makes ``piyue kwic`` build every page (0.48 s → 1.40 s
    at 3,000 pages): the index gives the bodies, the few headline pages are built in their
    place, and the lines are those of the whole corpus, in its order."""
    from storage.library import Library
    from workspace.kwic import kwic_library

    lib = Library(seeds_copy)
    lib.refresh_index(workers=1)
    fast = Library(seeds_copy)
    got = kwic_library(fast, term)
    assert fast.corpus is None  # the index answered: the corpus was never loaded
    want = kwic(load_corpus(seeds_copy), term)
    assert [ln.as_dict() for ln in got] == [ln.as_dict() for ln in want]
    assert any(ln.part != "body" for ln in got)
