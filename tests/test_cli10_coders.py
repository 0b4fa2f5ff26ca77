"""Whose codings a read shows (``--coder NAME|all``), said the same by every command.

``retrieve``, ``stats`` and ``cooccur`` answered a coder with no codings ("zed", a typo)
with empty results and status 0 while ``export`` and ``agree`` refused it (with two
different lists of coders); ``show`` promised "your codings" and showed none; a retrieval
of every coder's codings did not say whose each item is."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from .test_cli9_export import A, B, Cli

REFUSED = "piyue: no codings by 'zed' in this database (coders: alice, bob)\n"


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    c = Cli(tmp_path / "a.json", capsys)
    for argv in (
        ("--coder", "alice", "tag", A, "营商环境", "党建"),
        ("--coder", "alice", "note", A, "甲的笔记\n第二行"),
        ("--coder", "alice", "highlight", B, "营商环境", "--tag", "营商环境", "--note", "段注"),
        ("--coder", "bob", "tag", A, "营商环境"),
        ("--coder", "bob", "highlight", B, "营商环境", "--tag", "党建"),
        ("--coder", "root", "tag", B, "临时"),  # a coder whose codings went again:
        ("--coder", "root", "untag", B, "临时"),  # known to the database, no codings
    ):
        assert c(*argv)[0] == 0, argv
    return c


@pytest.mark.parametrize(
    "argv",
    [
        ("--coder", "zed", "retrieve", "营商环境"),
        ("retrieve", "营商环境", "--coder", "zed", "--json"),
        ("--coder", "zed", "stats"),
        ("stats", "--by", "page", "--coder", "zed"),
        ("--coder", "zed", "cooccur", "--json"),
        ("--coder", "zed", "export"),
        ("export", "--coder", "zed"),
        ("agree", "alice", "zed"),
        ("agree", "zed", "bob"),
        ("--coder", "root", "stats"),
        ("--coder", "zed", "tags"),
    ],
)
def test_a_coder_with_no_codings_is_refused_alike(cli: Cli, argv: tuple[str, ...]) -> None:
    code, out, err = cli(*argv)
    assert code == 2 and out == ""
    assert err == REFUSED.replace("zed", "root" if "root" in argv else "zed")


def test_the_default_coder_with_no_codings_reads_nothing(cli: Cli) -> None:
    """Only a name given with --coder is checked: PIYUE_CODER's coder may not have begun;
    nor is it for ``show``, which shows the article to a coder about to code it."""
    # ... but when you coded nothing and others did, one line says whose there are (F3)
    hint = (
        "piyue: you (测试员) have coded nothing here; coders: alice, bob — use --coder NAME "
        "or --coder all\n"
    )
    assert cli("stats") == (0, "nothing coded yet\n", hint)
    for argv in (("show", A, "--json"), ("--coder", "zed", "show", A, "--json")):
        code, out, _ = cli(*argv)
        assert code == 0 and json.loads(out)["codings"] == []
    code, out, _ = cli("--coder", "zed", "show", A)
    assert code == 0 and out.endswith("\n编码 codings (zed): none\n")


def test_retrieve_of_every_coder_names_each_items_coder(cli: Cli) -> None:
    code, out, err = cli("--coder", "all", "retrieve", "营商环境", "--json")
    assert code == 0, err
    got = [
        (i["coder"], i["kind"], i["article_id"], tuple(i["tags"])) for i in json.loads(out)["items"]
    ]
    assert sorted(got) == sorted(
        [
            ("alice", "article", A, ("营商环境", "党建")),
            ("bob", "article", A, ("营商环境",)),
            ("alice", "passage", B, ("营商环境",)),
        ]
    )
    code, out, _ = cli("retrieve", "营商环境", "--coder", "alice")
    assert code == 0 and not any(line.startswith(("alice", "bob")) for line in out.splitlines())
    code, out, _ = cli("retrieve", "营商环境", "--coder", "all")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4 and lines[-1] == "1 passage, 2 tagged articles"
    assert sorted(line.split()[0] for line in lines[:3]) == ["alice", "alice", "bob"]
    code, out, _ = cli("--coder", "all", "retrieve", "党建", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0][-1] == "coder" and sorted(r[-1] for r in rows[1:]) == ["alice", "bob"]
    code, out, _ = cli("--coder", "all", "retrieve", "党建", "--format", "md")
    assert out.count("编码者 coder: alice") == 1 and out.count("编码者 coder: bob") == 1
    code, out, _ = cli("--coder", "all", "tags", "--json")
    assert {t["name"]: t["count"] for t in json.loads(out)["tags"]} == {
        "营商环境": 3,
        "党建": 2,
        "临时": 0,
    }
    code, out, _ = cli("--coder", "bob", "tags", "--json")
    assert {t["name"]: t["count"] for t in json.loads(out)["tags"]} == {
        "营商环境": 1,
        "党建": 1,
        "临时": 0,
    }
    code, out, _ = cli("--coder", "all", "stats", "--json")
    counts = {(r["code"], r["articles"], r["passages"]) for r in json.loads(out)["rows"]}
    assert counts == {("营商环境", 2, 1), ("党建", 2, 1)}  # an article counts once


def test_show_shows_the_codings(cli: Cli) -> None:
    code, out, err = cli("--coder", "alice", "show", A)
    assert code == 0, err
    tail = out.split("关键词")[1].splitlines()[1:]
    assert tail == [
        "",
        "编码 codings (alice)",
        "  标签 tags: #营商环境 #党建",
        "  笔记 note: 甲的笔记",
        "    第二行",
    ]
    code, out, _ = cli("--coder", "bob", "show", B)
    assert out.split("关键词")[1].splitlines()[2:] == [
        "编码 codings (bob)",
        f"  [{out_span(cli, B, 'bob')}] «营商环境» #党建",
    ]
    code, out, _ = cli("--coder", "all", "show", B, "--json")
    codings = json.loads(out)["codings"]
    assert [c["coder"] for c in codings] == ["alice", "bob"]
    (p,) = codings[0]["passages"]
    text = json.loads(out)["text"]
    assert text[p["start"] : p["end"]] == p["quote"] == "营商环境"
    assert (p["tags"], p["note"]) == (["营商环境"], "段注")
    assert codings[0]["tags"] == [] and codings[1]["passages"][0]["tags"] == ["党建"]
    code, out, _ = cli("--coder", "alice", "show", B)
    assert "#营商环境 — 段注" in out and "#党建" not in out  # blind: alice's only
    code, out, _ = cli("--coder", "alice", "show", "003_cbd287e44765a48a-64ebaed8")
    assert out.endswith("\n编码 codings (alice): none\n")


def out_span(cli: Cli, aid: str, coder: str) -> str:
    code, out, _ = cli("--coder", coder, "show", aid, "--json")
    (p,) = json.loads(out)["codings"][0]["passages"]
    return f"{p['start']}–{p['end']}"
