"""Export on the command line, after testers' reports: whose codings (``--coder``, also given
before the subcommand), what ``--where``/``--tag`` select (annotated articles unless
``--all``; a code stands for its descendants too, as in ``retrieve``), unknown codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main

from .conftest import SEEDS

A = "000_5307bc753add3444-0eed87d9"
B = "001_f7413848275faa8a-4994e2c3"
C = "002_b9b8827272cb3fea-de6073ee"
D = "003_cbd287e44765a48a-64ebaed8"


class Cli:
    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.base = ["--corpus", str(SEEDS), "--db", str(db)]
        self.capsys = capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            code = main([*self.base, *argv])
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        return code, out, err

    def ids(self, *argv: str) -> list[str]:
        code, out, err = self("export", *argv)
        assert code == 0, err
        return [json.loads(x)["id"] for x in out.splitlines()]


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Coder 测试员: A 营商环境; B only the child 监管执法; D a passage of the grandchild 表述
    and 党建.  Coder dave: C 党建 营商环境."""
    c = Cli(tmp_path / "a.json", capsys)
    for argv in (
        ("tag", A, "营商环境"),
        ("tag", B, "监管执法"),
        ("codes", "move", "监管执法", "营商环境"),
        ("highlight", D, "偃师", "--tag", "表述"),
        ("codes", "move", "表述", "监管执法"),
        ("tag", D, "党建"),
        ("--coder", "dave", "tag", C, "党建", "营商环境"),
    ):
        assert c(*argv)[0] == 0, argv
    return c


def test_export_coder_with_no_codings_is_refused_not_relabelled(cli: Cli) -> None:
    """Another name used to export *your* codings relabelled with it (an import would then
    file them under the wrong coder); ``piyue --coder X export`` ignored X."""
    for argv in (("export", "--coder", "xyz"), ("--coder", "xyz", "export")):
        code, out, err = cli(*argv)
        assert code == 2 and out == "" and err.count("\n") == 1, argv
        assert "'xyz'" in err and "dave" in err and "测试员" in err
    code, out, _ = cli("--coder", "dave", "export")
    recs = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and [(r["id"], r["coder"]) for r in recs] == [(C, "dave")]
    assert cli.ids("--coder", "dave") == [C]
    assert set(cli.ids()) == {A, B, D}  # yours by default


def test_where_narrows_the_annotated_articles_unless_all(cli: Cli) -> None:
    assert cli.ids("--where", "not 党建") == [A, B]
    everything = cli.ids("--all", "--where", "not 党建")
    assert len(everything) > 20 and A in everything and D not in everything
    assert cli.ids("--where", "date:2018-09") == []  # dave's C is not yours
    assert cli.ids("--coder", "dave", "--where", "date:2018-09") == [C]


def test_a_code_in_where_or_tag_stands_for_its_descendants(cli: Cli) -> None:
    """B is tagged only with the child 监管执法, D has a passage of the grandchild 表述: both
    are 营商环境 articles, as ``retrieve 营商环境`` and the codebook's totals say."""
    assert cli.ids("--where", "营商环境") == [A, B, D]
    assert cli.ids("--where", "营商环境 and not 党建") == [A, B]
    assert cli.ids("--tag", "营商环境") == [A, B, D]
    assert cli.ids("--tag", "监管执法") == [B, D]
    assert cli.ids("--where", "表述") == [D]
    code, out, _ = cli("retrieve", "营商环境 and not 党建", "--json")
    got = {(it["kind"], it["article_id"]) for it in json.loads(out)["items"]}
    # retrieval judges each item on its own codes: D's passage is not coded 党建
    assert code == 0 and got == {("article", A), ("article", B), ("passage", D)}
    code, out, _ = cli("kwic", "偃师", "--where", "营商环境 and not 党建", "--json")
    assert code == 0 and json.loads(out)["lines"] == []
    code, out, _ = cli("kwic", "偃师", "--where", "监管执法", "--json")
    assert code == 0 and {x["article_id"] for x in json.loads(out)["lines"]} == {D}


def test_kwic_where_page_terms_select_pages(cli: Cli) -> None:
    code, out, _ = cli("kwic", "营商", "--where", "date:2018-09", "--json")
    lines = json.loads(out)["lines"]
    assert code == 0 and lines and {x["article_id"][:20] for x in lines} == {C[:20]}


def test_export_unknown_tag_is_an_error(cli: Cli) -> None:
    code, out, err = cli("export", "--tag", "不存在")
    assert code == 2 and out == "" and err == "piyue: unknown code: 不存在\n"
    code, out, err = cli("export", "--tag", "营商环境", "--tag", "nosuch", "-o", "x.jsonl")
    assert code == 2 and "unknown code: nosuch" in err and not Path("x.jsonl").exists()


def test_export_says_when_it_exports_nothing_or_leaves_orphans_out(
    tmp_path: Path, seeds_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = Cli(tmp_path / "a.json", capsys)
    c.base[1] = str(seeds_copy)
    assert c("tag", A, "码")[0] == 0 and c("tag", B, "码")[0] == 0
    code, out, err = c("export", "--where", "码 and not 码")
    assert code == 0 and out == "" and err == "piyue: nothing to export: no article matches\n"
    (seeds_copy / (A.split("-")[0] + ".txt")).unlink()  # A's page is gone
    assert c("tag", B, "再")[0] == 0  # a write: annotations are re-attached or orphaned
    code, out, err = c("export")
    assert code == 0 and [json.loads(x)["id"] for x in out.splitlines()] == [B]
    assert "1 annotation could not be re-attached" in err and "piyue orphans" in err


def test_a_markdown_report_says_whose_codings_it_holds(cli: Cli) -> None:
    """A tester's report of alice's codings never named her, and one of every coder's
    listed the same article once per coder with nothing to tell them apart."""
    cli("--coder", "dave", "tag", A, "营商环境")
    code, out, _ = cli("--coder", "dave", "export", "--format", "md")
    assert code == 0 and "编码者 coder: dave" in out.splitlines()[2]
    code, out, _ = cli("export", "--coder", "all", "--format", "md")
    assert code == 0 and "编码者 coders: dave, 测试员" in out
    heads = [ln for ln in out.splitlines() if ln.startswith("###") and "首创之区" in ln]
    assert {h.rsplit("编码者 coder: ", 1)[-1] for h in heads} == {"dave", "测试员"}
