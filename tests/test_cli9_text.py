"""Text that reaches a spreadsheet or a terminal through an export: CSV header cells are
neutralised like every other cell; control characters in headlines, notes and names are
shown as pictures in Markdown (the way the reader shows bodies); an import with such names
comes in (names pictured and reported) instead of being refused whole."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from storage.annotations import Store

from .test_cli9_export import Cli

ESC = "\x1b"


@pytest.fixture
def page(tmp_path: Path) -> Path:
    root = tmp_path / "pages"
    root.mkdir()
    (root / "p.txt").write_text(
        f"# 标题{ESC}[31m红色{ESC}]0;TITLE\x07完\n\n正文第一段，营商环境很好。\n",
        encoding="utf-8",
    )
    return root


def article_id(cli: Cli) -> str:
    code, out, _ = cli("list", "--json")
    return str(json.loads(out)["issues"][0]["articles"][0]["id"])


def test_csv_header_cells_are_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    code, out, _ = cli("list", "--json")
    aid = json.loads(out)["issues"][0]["articles"][0]["id"]
    assert cli("tag", aid, "=cmd|x", "+1", "@SUM", "-2", "安全")[0] == 0
    code, out, _ = cli("export", "--format", "csv")
    header = next(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert code == 0 and "'=cmd|x" in header and "'+1" in header and "'@SUM" in header
    assert "'-2" in header and "安全" in header and "tag:=cmd|x" in header
    assert not any(h.startswith(("=", "+", "-", "@")) for h in header)


def test_markdown_shows_control_characters_as_pictures(
    page: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    cli.base[1] = str(page)
    aid = article_id(cli)
    assert cli("note", aid, f"笔记{ESC}[5m闪烁{ESC}]0;T\x07完\r\n第二行")[0] == 0
    assert cli("highlight", aid, "营商环境", "--tag", "码", "--note", f"段注{ESC}[7m")[0] == 0
    for argv in (("export", "--format", "md", "--full"), ("retrieve", "码", "--format", "md")):
        code, out, _ = cli(*argv)
        assert code == 0 and "\x1b" not in out and "\x07" not in out and "\r" not in out, argv
        assert "␛" in out, argv
    code, out, _ = cli("export", "--format", "md")
    assert "红色␛" in out and "笔记␛\\[5m闪烁␛\\]0;T␇完" in out and "段注␛\\[7m" in out
    code, out, _ = cli("export")  # JSON Lines keeps the note as written (escaped by JSON)
    assert json.loads(out)["note"].startswith(f"笔记{ESC}[5m")


def test_import_with_control_characters_keeps_text_and_pictures_names(
    page: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.json"
    cli = Cli(db, capsys)
    cli.base[1] = str(page)
    aid = article_id(cli)
    rec = {
        "id": aid,
        "tags": [f"{ESC}[41m红底码", "好码"],
        "note": f"文章笔记{ESC}]0;IMPORTED\x07",
        "coder": f"外{ESC}人",
        "highlights": [{"start": 0, "end": 0, "quote": "营商环境", "tags": ["好码"]}],
        "codes": [{"name": "好码", "description": f"desc{ESC}]0;PWN\x07x", "parent": ""}],
    }
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, err = cli("import", str(f))
    assert code == 0, err
    assert "imported as 外␛人" in out and "+2 tags" in out and "+1 passage" in out
    assert "renamed: line 1: code name with control characters imported as '␛[41m红底码'" in err
    assert "renamed: line 1: coder name" in err and ESC not in out + err
    with Store.open(db, readonly=True) as s:
        n = s.notes(aid, {"外␛人"})
        assert set(n.tags) == {"␛[41m红底码", "好码"}
        assert n.note == f"文章笔记{ESC}]0;IMPORTED\x07"  # free text: kept as written
        (d,) = [t for t in s.tag_defs() if t.name == "好码"]
        assert d.description == f"desc{ESC}]0;PWN\x07x"
    code, out, _ = cli("codes")
    assert code == 0 and ESC not in out and "\x07" not in out


def test_import_names_the_line_it_refuses_and_knows_a_qdpx(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.json"
    cli = Cli(db, capsys)
    aid = article_id(cli)
    good = {"id": aid, "tags": ["好码"], "coder": "甲"}
    bad = {"id": aid, "tags": ["a (b)"], "coder": "甲"}
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (good, bad)), "utf-8")
    code, out, err = cli("import", str(f))
    assert code == 2 and out == "" and err.startswith("piyue: line 2: ") and err.count("\n") == 1
    assert "nothing was imported" in err
    if db.exists():
        with Store.open(db, readonly=True) as s:
            assert s.tag_counts(None) == {} and s.notes(aid, None).tags == ()
    qd = tmp_path / "p.qdpx"
    assert (
        cli("tag", aid, "码")[0] == 0 and cli("export", "--format", "qdpx", "-o", str(qd))[0] == 0
    )
    code, out, err = cli("import", str(qd))
    assert code == 2 and "zip file" in err and "JSON Lines" in err and err.count("\n") == 1


def test_captions_are_in_every_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An image caption (shown in the reader and in ``show --json``) was in no export."""
    import zipfile

    cli = Cli(tmp_path / "a.json", capsys)
    aid = "000_5307bc753add3444-0eed87d9"
    caption = "发展中的洛阳市涧西区"
    assert cli("tag", aid, "码")[0] == 0
    code, out, _ = cli("export")
    assert code == 0 and json.loads(out)["captions"] == [caption]
    code, out, _ = cli("export", "--format", "csv")
    (row,) = csv.DictReader(io.StringIO(out.lstrip("\ufeff")))
    assert row["captions"] == caption and list(row)[-1] != "captions"
    code, out, _ = cli("export", "--format", "md", "--full")
    assert code == 0 and caption in out
    qd = tmp_path / "p.qdpx"
    assert cli("export", "--format", "qdpx", "-o", str(qd))[0] == 0
    with zipfile.ZipFile(qd) as z:
        assert caption in z.read("project.qde").decode("utf-8")
