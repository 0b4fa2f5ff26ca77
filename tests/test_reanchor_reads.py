"""Every count reads codings anchored in the pages as they are (a tester saw ``agree`` lose
an article whose headline was edited while ``retrieve`` followed it), and a coding whose
page is gone never moves to one of several reprints of its text elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main as cli_main

PAGE = "## {title}\n\n正文第一段，说的是营商环境。\n\n□记者 某某\n"
SAME = "## 重印的文章\n\n一段在几个版面上一字不差的正文，说的是营商环境。\n"


def cli(capsys: pytest.CaptureFixture[str], root: Path, db: Path, *argv: str) -> tuple[int, str]:
    try:
        code = cli_main(["--corpus", str(root), "--db", str(db), *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, _err = capsys.readouterr()
    return code, out


def ids(capsys: pytest.CaptureFixture[str], root: Path, db: Path) -> list[str]:
    _, out = cli(capsys, root, db, "list", "--json")
    return [a["id"] for i in json.loads(out)["issues"] for a in i["articles"]]


def test_agree_follows_an_article_whose_headline_was_edited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, db = tmp_path / "c", tmp_path / "db" / "a.json"
    root.mkdir()
    db.parent.mkdir()
    page = root / "p01.txt"
    page.write_text(PAGE.format(title="对损害营商环境行为零容忍"), "utf-8")
    (aid,) = ids(capsys, root, db)
    assert cli(capsys, root, db, "--coder", "alice", "tag", aid, "营商环境")[0] == 0
    assert cli(capsys, root, db, "--coder", "bob", "tag", aid, "纪检")[0] == 0
    page.write_text(PAGE.format(title="对损害营商环境行为零容忍（修订）"), "utf-8")
    (new,) = ids(capsys, root, db)
    assert new != aid
    code, out = cli(capsys, root, db, "agree", "alice", "bob", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["units"] == 1  # the edited article is still the unit both coded
    code, out = cli(capsys, root, db, "--coder", "alice", "codes", "--json")
    assert [c["articles"] for c in json.loads(out)["codes"] if c["name"] == "营商环境"] == [1]


def test_a_coding_never_moves_to_one_of_several_reprints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, db = tmp_path / "c", tmp_path / "db" / "a.json"
    for paper in ("甲报", "乙报", "丙报"):
        (root / paper).mkdir(parents=True)
        (root / paper / "01.txt").write_text(SAME, "utf-8")
    db.parent.mkdir()
    coded = next(i for i in ids(capsys, root, db) if i.startswith("丙报"))
    assert cli(capsys, root, db, "--coder", "alice", "tag", coded, "营商环境")[0] == 0
    (root / "丙报" / "01.txt").unlink()  # its page is gone; two reprints remain elsewhere
    assert (
        cli(capsys, root, db, "--coder", "alice", "tag", ids(capsys, root, db)[0], "其他")[0] == 0
    )
    code, out = cli(capsys, root, db, "--coder", "alice", "export", "--tag", "营商环境")
    assert out == ""  # not on 甲报's or 乙报's reprint
    code, out = cli(capsys, root, db, "orphans", "--json")
    assert coded in out
