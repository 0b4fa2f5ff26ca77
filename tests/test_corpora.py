"""One default database for every corpus: opening it on another corpus with codings says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main as cli_main

PAGE = "## {t}\n\n本报讯(记者 孙小蕊)昨日，{t}，优化营商环境。\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli_main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_database_used_on_another_corpus_says_so_until_written_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIYUE_HOME", str(tmp_path / "home"))
    a, b = tmp_path / "洛阳日报", tmp_path / "河南日报"
    for root, title in ((a, "涧西区召开会议"), (b, "郑州召开会议")):
        (root / "2015" / "01").mkdir(parents=True)
        (root / "2015" / "01" / "01.txt").write_text(PAGE.format(t=title), "utf-8")
    code, out, _ = run(capsys, "--corpus", str(a), "list", "--json")
    (aid,) = [x["id"] for i in json.loads(out)["issues"] for x in i["articles"]]
    assert run(capsys, "--corpus", str(a), "--coder", "alice", "tag", aid, "人大监督")[0] == 0
    code, out, err = run(capsys, "--corpus", str(b), "--coder", "alice", "tags")
    assert code == 0 and "another corpus" in err and str(a) in err and "--db" in err
    code, out, err = run(capsys, "--corpus", str(b), "--coder", "alice", "tags")
    assert "another corpus" in err  # until something is written there
    code, out, _ = run(capsys, "--corpus", str(b), "list", "--json")
    (bid,) = [x["id"] for i in json.loads(out)["issues"] for x in i["articles"]]
    assert run(capsys, "--corpus", str(b), "--coder", "alice", "tag", bid, "郑州")[0] == 0
    code, out, err = run(capsys, "--corpus", str(b), "--coder", "alice", "tags")
    assert "another corpus" not in err
    code, out, err = run(capsys, "--corpus", str(a), "--coder", "alice", "tags")
    assert "another corpus" not in err  # its own corpus


def test_export_of_a_few_coded_articles_reads_only_their_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test user's export of one tagged article decoded all 12,000 articles of the archive
    (2 s at 2,500 pages, ≈25 s at 30,000): the annotated articles are on the coded pages."""
    from workspace.session import Workspace

    monkeypatch.setenv("PIYUE_HOME", str(tmp_path / "home"))
    root = tmp_path / "c"
    for day in range(1, 9):
        (root / "2015" / f"{day:02}").mkdir(parents=True)
        page = PAGE.format(t=f"第{day}次会议召开") * 3
        (root / "2015" / f"{day:02}" / "01.txt").write_text(page, "utf-8")
    assert run(capsys, "--corpus", str(root), "index")[0] == 0
    code, out, _ = run(capsys, "--corpus", str(root), "list", "--json")
    aid = json.loads(out)["issues"][3]["articles"][0]["id"]
    assert run(capsys, "--corpus", str(root), "--coder", "alice", "tag", aid, "会议")[0] == 0

    def whole(self: Workspace) -> None:
        raise AssertionError("the whole corpus was read")

    monkeypatch.setattr(Workspace, "corpus", whole)
    code, out, err = run(
        capsys, "--corpus", str(root), "--coder", "alice", "export", "--tag", "会议"
    )
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == [aid]
