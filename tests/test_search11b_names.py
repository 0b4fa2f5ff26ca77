"""Paper and section names keep what the archivist typed (test user B, session 10): the
folder ``洛阳日报 副刊 (扫描)`` lost its closing bracket and ``-rf 破折号开头`` its dash.
Only separators next to a date or page mark cut out of a name are noise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main
from corpus.pagemeta import meta_from_path, parse_term
from storage.library import Library

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.mark.parametrize(
    ("rel", "paper"),
    [
        ("洛阳日报 副刊 (扫描)/2015-03-10/01.md", "洛阳日报 副刊 (扫描)"),
        ("洛阳日报（扫描）/2015/03/10/01.md", "洛阳日报（扫描）"),
        ("【洛阳日报】/2015/03/10/01.md", "【洛阳日报】"),
        ("《洛阳日报》/2015/03/10/01.md", "《洛阳日报》"),
        ("[洛阳日报]/2015/03/10/01.md", "[洛阳日报]"),
        ("-rf 破折号开头/01.md", "-rf 破折号开头"),
        ("_草稿_/01.md", "_草稿_"),
        ("  洛阳日报  /2015/03/10/01.md", "洛阳日报"),  # blanks around a name are no part of it
        # a folder with the date in it: the words before the date, their own brackets kept
        ("洛阳日报 (扫描) 2015-03-10/01.md", "洛阳日报 (扫描)"),
        ("-rf 破折号开头_2015-03-10/01.md", "-rf 破折号开头"),
        # a file name: the separators next to the date or the page mark are noise
        ("-rf 破折号开头 2015-03-10 第01版.txt", "-rf 破折号开头"),
        ("洛阳日报(2015-03-10)01.txt", "洛阳日报"),
        ("洛阳日报【2015-03-10】.txt", "洛阳日报"),
        ("洛阳日报-2015-03-10-01.txt", "洛阳日报"),
        ("洛阳日报（扫描）_第01版.txt", "洛阳日报（扫描）"),
        ("(洛阳日报_20150310_01.txt", "洛阳日报"),  # an opening bracket never closed
    ],
)
def test_paper_keeps_its_name(rel: str, paper: str) -> None:
    meta = meta_from_path(rel)
    assert meta.paper == paper, rel
    assert meta.source["paper"] == "path"


@pytest.mark.parametrize(
    ("rel", "section"),
    [
        ("河南日报/2018-09-12/第05版 要闻（扫描）.md", "要闻（扫描）"),
        ("河南日报/2018-09-12/第05版-要闻.md", "要闻"),
        ("河南日报/2018-09-12/第05版_要闻_.md", "要闻"),
        ("河南日报/2018-09-12/第05版) 要闻.md", "要闻"),  # a bracket closing nothing
        ("河南日报/2018-09-12/第05版 《要闻》.md", "《要闻》"),
    ],
)
def test_section_keeps_its_name(rel: str, section: str) -> None:
    assert meta_from_path(rel).section == section, rel


def test_a_typed_name_matches_exactly() -> None:
    class Page:
        date, page, section = "2015-03-10", 1, None

        def __init__(self, paper: str) -> None:
            self.paper = paper

    whole = parse_term('paper:"洛阳日报 副刊 (扫描)"')
    assert whole is not None
    assert whole.matches(Page("洛阳日报 副刊 (扫描)"))
    assert not whole.matches(Page("洛阳日报 副刊 (扫描"))
    assert not whole.matches(Page("洛阳日报 副刊"))
    dash = parse_term("paper:-rf")
    assert dash is not None and not dash.matches(Page("-rf 破折号开头"))


def test_the_index_and_exports_carry_the_whole_name(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    for rel, seed in (
        ("洛阳日报 副刊 (扫描)/2015-03-10/01.md", SEEDS[0]),
        ("-rf 破折号开头/01.md", SEEDS[1]),
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(seed.read_bytes())
    corpus = Library(root).load()
    papers = {i.source.split("/", 1)[0]: i.paper for i in corpus.issues}
    assert papers == {
        "洛阳日报 副刊 (扫描)": "洛阳日报 副刊 (扫描)",
        "-rf 破折号开头": "-rf 破折号开头",
    }
    assert {e.paper for e in corpus.editions()} == set(papers.values())
    # the rows the reader's tree is drawn from, stored in the index
    assert {r.paper for r in Library(root).page_rows()} == set(papers.values())

    wanted = (
        ('paper:"洛阳日报 副刊 (扫描)"', "洛阳日报 副刊 (扫描)"),
        ('paper:"-rf 破折号开头"', "-rf 破折号开头"),
    )
    for n, (where, want) in enumerate(wanted):
        out = tmp_path / f"out{n}.jsonl"
        argv = ["--corpus", str(root), "--db", str(tmp_path / "db.json")]
        code = main([*argv, "export", "--all", "--where", where, "-o", str(out)])
        assert code in (0, None)
        lines = out.read_text(encoding="utf-8").splitlines()
        assert lines and {json.loads(line)["paper"] for line in lines} == {want}, where
