"""Reads see codings anchored in the pages as they are (tester2 N1, N1b, N2, N2b): a page
edited, renamed or a folder gone and back is taken into account by every command, not only
by the next write, and the user is told what was orphaned or found again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli import main as cli_main

from .conftest import SEEDS


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli_main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Two papers' folders of seed pages."""
    root = tmp_path / "arch"
    for paper, pages in (("甲报", sorted(SEEDS.glob("*.txt"))[:3]), ("乙报", [])):
        (root / paper).mkdir(parents=True)
        for p in pages:
            (root / paper / p.name).write_bytes(p.read_bytes())
    for p in sorted(SEEDS.glob("*.txt"))[3:]:
        (root / "乙报" / p.name).write_bytes(p.read_bytes())
    return root


def _run(
    capsys: pytest.CaptureFixture[str], root: Path, db: Path, *argv: str
) -> tuple[int, str, str]:
    return cli(capsys, "--corpus", str(root), "--db", str(db), "--coder", "alice", *argv)


def _articles(capsys: pytest.CaptureFixture[str], root: Path, db: Path) -> list[dict[str, object]]:
    code, out, _ = _run(capsys, root, db, "list", "--json")
    assert code == 0
    return [a for i in json.loads(out)["issues"] for a in i["articles"]]


def _passages(capsys: pytest.CaptureFixture[str], root: Path, db: Path, code_: str) -> list[dict]:
    code, out, err = _run(capsys, root, db, "retrieve", code_, "--json")
    assert code == 0, err
    return [i for i in json.loads(out)["items"] if i["kind"] == "passage"]


@pytest.mark.parametrize("indexed", [False, True])
def test_a_page_edited_is_read_at_the_new_offsets(
    capsys: pytest.CaptureFixture[str], archive: Path, tmp_path: Path, indexed: bool
) -> None:
    db = tmp_path / "a.json"
    page = sorted((archive / "甲报").glob("*.txt"))[0]
    art = next(a for a in _articles(capsys, archive, db) if "甲报" in str(a["id"]))
    code, out, _ = _run(capsys, archive, db, "show", str(art["id"]), "--json")
    text = json.loads(out)["text"]
    quote = text[40:46]
    assert text.count(quote) == 1
    assert _run(capsys, archive, db, "highlight", str(art["id"]), quote, "--tag", "旧")[0] == 0
    # a paragraph is inserted before the coded text (the article keeps its id)
    lines = page.read_text(encoding="utf-8").split("\n")
    first_body = next(n for n, line in enumerate(lines) if quote[:3] in line)
    lines.insert(first_body, "插入的新段落文字，在编码的文字之前。\n")
    page.write_text("\n".join(lines), encoding="utf-8")
    if indexed:
        assert _run(capsys, archive, db, "index")[0] == 0
    (p,) = _passages(capsys, archive, db, "旧")
    code, out, _ = _run(capsys, archive, db, "show", str(art["id"]), "--json")
    now = json.loads(out)["text"]
    assert now[p["start"] : p["end"]] == quote and p["start"] > 40
    code, out, _ = _run(capsys, archive, db, "export", "--coder", "alice")
    (row,) = [json.loads(line) for line in out.splitlines()]
    (h,) = row["highlights"]
    assert now[h["start"] : h["end"]] == quote


def test_a_folder_gone_and_back(
    capsys: pytest.CaptureFixture[str], archive: Path, tmp_path: Path
) -> None:
    db = tmp_path / "a.json"
    arts = _articles(capsys, archive, db)
    away = [a for a in arts if str(a["id"]).startswith("乙报/")][:3]
    stay = next(a for a in arts if str(a["id"]).startswith("甲报/"))
    for a in away:
        assert _run(capsys, archive, db, "tag", str(a["id"]), "远方")[0] == 0
    assert _run(capsys, archive, db, "index")[0] == 0
    assert _run(capsys, archive, db, "orphans")[1] == "no orphans\n"
    shutil.move(archive / "乙报", tmp_path / "乙报.away")
    code, out, err = _run(capsys, archive, db, "orphans", "--json")  # a read says it
    assert len(json.loads(out)["orphans"]) == 3
    assert "3 codings lost their article" in err and "乙报/ 3" in err
    assert "re-attach when the pages return" in err and "read-only here" in err
    code, _, err = _run(capsys, archive, db, "index")  # stored by the command that indexed
    assert code == 0 and "3 codings lost their article" in err and "read-only" not in err
    code, out, err = _run(capsys, archive, db, "orphans", "--json")  # once stored: not again
    assert len(json.loads(out)["orphans"]) == 3 and "lost" not in err
    code, _, err = _run(capsys, archive, db, "tag", str(stay["id"]), "近处")
    assert code == 0 and "lost" not in err
    shutil.move(tmp_path / "乙报.away", archive / "乙报")
    code, _, err = _run(capsys, archive, db, "retrieve", "远方", "--json")  # before `index`
    assert "3 codings re-attached" in err
    code, _, err = _run(capsys, archive, db, "index")
    assert "3 codings re-attached" in err
    code, out, err = _run(capsys, archive, db, "retrieve", "远方", "--json")
    assert {i["article_id"] for i in json.loads(out)["items"]} == {a["id"] for a in away}
    assert _run(capsys, archive, db, "orphans")[1] == "no orphans\n"


def test_an_orphan_whose_page_is_back_counts_again(
    capsys: pytest.CaptureFixture[str], archive: Path, tmp_path: Path
) -> None:
    """Orphaned by a writer while its page was away; back, every analysis sees it."""
    db = tmp_path / "a.json"
    arts = _articles(capsys, archive, db)
    a = next(x for x in arts if str(x["id"]).startswith("乙报/"))
    other = next(x for x in arts if str(x["id"]).startswith("甲报/"))
    page = archive / (str(a["id"]).rpartition("-")[0] + ".txt")
    assert _run(capsys, archive, db, "tag", str(a["id"]), "复制测试")[0] == 0
    assert _run(capsys, archive, db, "index")[0] == 0
    page.rename(tmp_path / "away.txt")
    assert _run(capsys, archive, db, "index")[0] == 0
    assert _run(capsys, archive, db, "tag", str(other["id"]), "其他")[0] == 0
    assert len(json.loads(_run(capsys, archive, db, "orphans", "--json")[1])["orphans"]) == 1
    (tmp_path / "away.txt").rename(page)
    assert _run(capsys, archive, db, "index")[0] == 0
    code, out, _ = _run(capsys, archive, db, "retrieve", "复制测试", "--json")
    assert code == 0 and [i["article_id"] for i in json.loads(out)["items"]] == [a["id"]]
    code, out, _ = _run(capsys, archive, db, "stats", "--by", "page", "--json")
    assert "复制测试" in out
    assert _run(capsys, archive, db, "orphans")[1] == "no orphans\n"


def test_an_old_orphan_does_not_make_every_page_edit_read_the_whole_corpus(
    capsys: pytest.CaptureFixture[str],
    archive: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from storage.library import Library
    from workspace.session import Workspace

    db = tmp_path / "a.json"
    arts = _articles(capsys, archive, db)
    lost = next(x for x in arts if str(x["id"]).startswith("乙报/"))
    kept = next(x for x in arts if str(x["id"]).startswith("甲报/"))
    assert _run(capsys, archive, db, "tag", str(lost["id"]), "远方")[0] == 0
    text = json.loads(_run(capsys, archive, db, "show", str(kept["id"]), "--json")[1])["text"]
    quote = text[60:66]
    assert _run(capsys, archive, db, "highlight", str(kept["id"]), quote, "--tag", "近")[0] == 0
    (archive / (str(lost["id"]).rpartition("-")[0] + ".txt")).unlink()
    assert "1 coding lost" in _run(capsys, archive, db, "index")[2]
    page = archive / (str(kept["id"]).rpartition("-")[0] + ".txt")
    body = page.read_text(encoding="utf-8")
    at = body.index(text[20:26])
    page.write_text(body[:at] + "加字" + body[at:], encoding="utf-8")  # same ids, new offsets
    ws = Workspace(archive, db, mode="write")
    ws.library.refresh_index()

    def whole(self: Library) -> None:
        raise AssertionError("the whole corpus was read")

    monkeypatch.setattr(Library, "load", whole)
    ws.reattach_moved()
    (d,) = ws.store.storage.read()["highlights"].values()
    art = ws.article(str(kept["id"]))
    assert art.text[d["start"] : d["end"]] == quote and d["start"] == 62
    assert len(ws.store.orphans()) == 1
    ws.close()
