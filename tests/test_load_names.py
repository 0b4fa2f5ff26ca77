"""File and folder names that are not UTF-8 (GBK names from an archive unpacked on Windows):
one such folder must not break the index, the search or ``list --json`` of the whole corpus."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from cli import main as cli_main
from corpus.load import foreign_name, load_corpus

pytestmark = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="a file system that takes any bytes as a name"
)
PAGE = (
    "## 洛阳市涧西区打造高质量首创之区\n\n本报讯(记者 孙小蕊)昨日，涧西区召开会议，优化营商环境。\n"
)
GBK_FOLDER = "河南日报旧档".encode("gbk")


def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "c"
    (root / "洛阳日报").mkdir(parents=True)
    (root / "洛阳日报" / "01.txt").write_text(PAGE, "utf-8")
    odd = os.path.join(os.fsencode(root), GBK_FOLDER)
    os.mkdir(odd)
    with open(os.path.join(odd, b"01.txt"), "wb") as fh:
        fh.write(PAGE.encode("utf-8"))
    with open(
        os.path.join(os.fsencode(root / "洛阳日报"), "版面".encode("gbk") + b".txt"), "wb"
    ) as fh:
        fh.write(PAGE.encode("utf-8"))
    return root


def run(capsys: pytest.CaptureFixture[str], root: Path, home: Path, *argv: str) -> tuple[int, str]:
    try:
        code = cli_main(["--corpus", str(root), "--db", str(home / "a.json"), *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "bug in piyue" not in err
    return code, out


def test_a_name_that_is_not_utf8_is_skipped_with_a_readable_reason(tmp_path: Path) -> None:
    got = load_corpus(corpus(tmp_path))
    assert [i.id for i in got.issues] == ["洛阳日报/01"]
    reasons = {s.file: s.reason for s in got.skipped}
    assert "河南日报旧档" in reasons  # shown as what it says, not as \udcba…
    assert "folder name is not UTF-8" in reasons["河南日报旧档"]
    assert "file name is not UTF-8" in reasons["洛阳日报/版面.txt"]
    for name in reasons:
        name.encode("utf-8")  # every name a database or terminal can take


def test_foreign_name() -> None:
    assert foreign_name("洛阳日报") is None
    assert foreign_name(os.fsdecode(GBK_FOLDER)) == "河南日报旧档"
    assert foreign_name(os.fsdecode(b"\xff\xfe01")) == "\\xff\\xfe01"


def test_index_search_and_list_work_beside_such_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIYUE_HOME", str(tmp_path / "home"))
    root, home = corpus(tmp_path), tmp_path / "home"
    home.mkdir()
    code, out = run(capsys, root, home, "index")
    assert code == 0
    code, out = run(capsys, root, home, "search", "营商环境")
    assert code == 0 and "洛阳日报/01" in out
    code, out = run(capsys, root, home, "list", "--json")
    assert code == 0
    listed = json.loads(out.encode("utf-8"))  # valid UTF-8 and valid JSON
    assert [i["id"] for i in listed["issues"]] == ["洛阳日报/01"]


def test_a_name_with_a_line_break_is_skipped_and_shown_with_pictures(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "换行\n文件夹").mkdir(parents=True)
    (root / "换行\n文件夹" / "01.txt").write_text(PAGE, "utf-8")
    (root / "洛阳日报").mkdir()
    (root / "洛阳日报" / "01\t.txt").write_text(PAGE, "utf-8")
    (root / "洛阳日报" / "02.txt").write_text(PAGE, "utf-8")
    got = load_corpus(root)
    assert [i.id for i in got.issues] == ["洛阳日报/02"]
    reasons = {s.file: s.reason for s in got.skipped}
    assert "line break" in reasons["换行␊文件夹"]
    assert "洛阳日报/01␉.txt" in reasons


def test_the_index_stays_fresh_beside_a_link_to_a_folder_and_an_odd_name(
    tmp_path: Path,
) -> None:
    """The freshness walk reads what the scan reads: a link to a folder of the corpus (a
    second name for a year) and a skipped name kept every later command re-reading pages."""
    from storage.library import Library

    root = tmp_path / "c"
    for day in ("01", "02"):
        (root / "洛阳日报" / "2015" / day).mkdir(parents=True)
        (root / "洛阳日报" / "2015" / day / "01.txt").write_text(PAGE, "utf-8")
    (root / "洛阳日报" / "z-link-to-2015").symlink_to(root / "洛阳日报" / "2015")
    (root / "换行\n文件夹").mkdir()
    (root / "换行\n文件夹" / "01.txt").write_text(PAGE, "utf-8")
    lib = Library(root, cache_dir=tmp_path / "cache")
    stats = lib.refresh_index(workers=1)
    assert stats is not None and stats.parsed == 2
    again = Library(root, cache_dir=tmp_path / "cache")
    idx = again.open_index()
    assert idx is not None and idx.is_fresh()


OTHER = "## 城市书房再添新成员\n\n本报讯(记者 李四)昨日，又一家城市书房开门迎客。\n"


def test_a_raw_page_added_beside_a_coded_one_does_not_take_its_codings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """01.txt (raw OCR) saved beside a coded 01.md: the codings stay on 01.md's text."""
    monkeypatch.setenv("PIYUE_HOME", str(tmp_path / "home"))
    root, home = tmp_path / "c", tmp_path / "home"
    (root / "洛阳日报").mkdir(parents=True)
    home.mkdir()
    (root / "洛阳日报" / "01.md").write_text(PAGE, "utf-8")
    code, out = run(capsys, root, home, "list", "--json")
    (coded,) = [a["id"] for i in json.loads(out)["issues"] for a in i["articles"]]
    assert run(capsys, root, home, "--coder", "alice", "tag", coded, "营商")[0] == 0
    assert run(capsys, root, home, "--coder", "alice", "highlight", coded, "优化营商环境")[0] == 0
    (root / "洛阳日报" / "01.txt").write_text(OTHER, "utf-8")
    code, out = run(capsys, root, home, "list", "--json")
    pages = {i["id"]: [a["id"] for a in i["articles"]] for i in json.loads(out)["issues"]}
    assert set(pages) == {"洛阳日报/01.md", "洛阳日报/01.txt"}
    code, out = run(capsys, root, home, "--coder", "alice", "retrieve", "营商", "--json")
    items = json.loads(out)["items"]
    assert items and {i["article_id"] for i in items} == set(pages["洛阳日报/01.md"])
    code, out = run(capsys, root, home, "orphans", "--json")
    assert "营商" not in out


def test_exports_saved_inside_the_corpus_are_not_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report or a segmented corpus exported into the archive folder (the reader's dialog
    saves in the folder it was started from) is not read as pages on the next index."""
    monkeypatch.setenv("PIYUE_HOME", str(tmp_path / "home"))
    root, home = tmp_path / "c", tmp_path / "home"
    (root / "洛阳日报").mkdir(parents=True)
    home.mkdir()
    (root / "洛阳日报" / "01.txt").write_text(PAGE, "utf-8")
    code, out = run(capsys, root, home, "list", "--json")
    (aid,) = [a["id"] for i in json.loads(out)["issues"] for a in i["articles"]]
    assert run(capsys, root, home, "--coder", "alice", "tag", aid, "营商")[0] == 0
    for fmt, target in (("md", root / "report.md"), ("corpus", root / "分词")):
        assert (
            run(
                capsys, root, home, "--coder", "alice", "export", "--format", fmt, "-o", str(target)
            )[0]
            == 0
        )
    code, out = run(capsys, root, home, "list", "--json")
    listed = json.loads(out)
    assert [i["id"] for i in listed["issues"]] == ["洛阳日报/01"]
    reasons = {s["file"]: s["reason"] for s in listed["skipped"]}
    assert "Markdown report" in reasons["report.md"]
    assert any("segmented-corpus" in r for f, r in reasons.items() if f.startswith("分词/"))
