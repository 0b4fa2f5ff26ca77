"""``stats`` by newspaper page and in codebook order; ``agree`` in codebook order.

``stats --by page`` grouped by page file and labelled rows with file ids; ``--by date`` put a
page id in the date column for each undated page; ``stats`` and ``agree`` listed codes in
code-point order while ``codes`` and ``cooccur`` use the codebook's tree order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli9_export import Cli

PAGES = {
    "甲报/2015/01/01/01.txt": "# 营商环境第一篇\n\n本报讯 营商环境不断优化，党建引领发展。\n",
    "甲报/2015/01/01/02.txt": "# 党建工作会议\n\n本报讯 党建工作会议召开，营商环境被提及。\n",
    "甲报/2015/01/02/01.txt": "# 次日头版\n\n本报讯 营商环境再获好评，党建工作扎实。\n",
    "杂页.txt": "# 无日期文章\n\n本报讯 营商环境和党建都重要。\n",
}
TREE = ["营商环境", "安全", "党建"]
"""The codebook's tree order (安全 is 营商环境's child); code-point order is 党建, 安全, 营商环境."""


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    for rel, text in PAGES.items():
        (tmp_path / "c" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "c" / rel).write_text(text, encoding="utf-8")
    c = Cli(tmp_path / "a.json", capsys)
    c.base[1] = str(tmp_path / "c")
    code, out, _ = c("list", "--json")
    ids = {i["file"]: i["articles"][0]["id"] for i in json.loads(out)["issues"]}
    for coder in ("alice", "bob"):
        for rel in PAGES:
            assert c("--coder", coder, "tag", ids[rel], "营商环境")[0] == 0
            assert c("--coder", coder, "highlight", ids[rel], "党建", "--tag", "党建")[0] == 0
    assert c("--coder", "alice", "highlight", ids["杂页.txt"], "重要", "--tag", "安全")[0] == 0
    assert c("--coder", "bob", "highlight", ids["杂页.txt"], "都重要", "--tag", "安全")[0] == 0
    assert c("codes", "move", "安全", "营商环境")[0] == 0
    return c


def test_stats_by_page_groups_newspaper_pages_in_codebook_order(cli: Cli) -> None:
    code, out, err = cli("--coder", "alice", "stats", "--by", "page", "--json")
    assert code == 0, err
    rows = [
        (r["code"], r["key"], r["paper"], r["date"], r["page"]) for r in json.loads(out)["rows"]
    ]
    assert rows == [
        ("营商环境", "甲报 2015-01-01 第1版", "甲报", "2015-01-01", 1),
        ("营商环境", "甲报 2015-01-01 第2版", "甲报", "2015-01-01", 2),
        ("营商环境", "甲报 2015-01-02 第1版", "甲报", "2015-01-02", 1),
        ("营商环境", "杂页", None, None, None),  # no date: under its page id
        ("安全", "杂页", None, None, None),
        ("党建", "甲报 2015-01-01 第1版", "甲报", "2015-01-01", 1),
        ("党建", "甲报 2015-01-01 第2版", "甲报", "2015-01-01", 2),
        ("党建", "甲报 2015-01-02 第1版", "甲报", "2015-01-02", 1),
        ("党建", "杂页", None, None, None),
    ]
    code, out, _ = cli("--coder", "alice", "stats", "--by", "page", "--format", "csv")
    lines = out.lstrip("\ufeff").splitlines()
    assert lines[0] == "code,page,articles,passages,paper,date,number"
    assert lines[1] == "营商环境,甲报 2015-01-01 第1版,1,0,甲报,2015-01-01,1"
    assert lines[4] == "营商环境,杂页,1,0,,,"


def test_stats_by_date_counts_the_undated_pages_in_one_row(cli: Cli) -> None:
    code, out, _ = cli("--coder", "alice", "stats", "--json")
    rows = [(r["code"], r["key"], r["articles"], r["passages"]) for r in json.loads(out)["rows"]]
    assert code == 0 and list(json.loads(out)["rows"][0]) == ["code", "key", "articles", "passages"]
    assert rows == [
        ("营商环境", "2015-01-01", 2, 0),
        ("营商环境", "2015-01-02", 1, 0),
        ("营商环境", None, 1, 0),
        ("安全", None, 1, 1),
        ("党建", "2015-01-01", 2, 2),
        ("党建", "2015-01-02", 1, 1),
        ("党建", None, 1, 1),
    ]
    code, out, _ = cli("--coder", "alice", "stats")
    table = [line.split() for line in out.splitlines()]
    assert table[0] == ["code", "date", "articles", "passages"]
    assert [r[:2] for r in table[1:-1]] == [
        ["营商环境", "2015-01-01"],
        ["营商环境", "2015-01-02"],
        ["营商环境", "undated"],
        ["安全", "undated"],
        ["党建", "2015-01-01"],
        ["党建", "2015-01-02"],
        ["党建", "undated"],
    ]
    assert out.splitlines()[-1].startswith("articles: articles carrying the code")
    code, out, _ = cli("--coder", "alice", "stats", "--format", "csv")
    assert "\r\n营商环境,,1,0\r\n" in out  # an undated row's date is empty, not a page id


def test_agree_lists_codes_in_codebook_order(cli: Cli) -> None:
    code, out, err = cli("agree", "alice", "bob", "--json")
    assert code == 0, err
    assert [r["code"] for r in json.loads(out)["codes"]] == TREE
    code, out, _ = cli("agree", "alice", "bob", "--format", "csv")
    assert [line.split(",")[2] for line in out.splitlines()[1:]] == [*TREE, "(overall)"]
    code, out, _ = cli("--coder", "alice", "cooccur", "--json")
    assert json.loads(out)["codes"] == TREE  # as cooccur lists them
