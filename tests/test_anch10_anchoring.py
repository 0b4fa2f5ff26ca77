"""Codings follow their text only to pages that are new (a rename or a move), never to a
reprint that was already there; orphans re-attach when their folder is back, whatever ran in
between; the orphan notice names where they were, once; a read-only command reuses what the
one before it found instead of anchoring everything again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli import main as cli_main
from storage.pagerow import index_path

BODY = (
    "一段在几个版面上一字不差的正文，说的是营商环境和{word}。\n\n第二段文字，讲的是{word}的来历。\n"
)


def page(title: str, word: str) -> str:
    return (
        f"## {title}\n\n{BODY.format(word=word)}\n## 本版另一篇{word}\n\n只在这一版的{word}消息。\n"
    )


def run(capsys: pytest.CaptureFixture[str], root: Path, db: Path, *argv: str) -> tuple[str, str]:
    try:
        code = cli_main(["--corpus", str(root), "--db", str(db), "--coder", "alice", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, err


def ids(capsys: pytest.CaptureFixture[str], root: Path, db: Path) -> list[str]:
    out, _ = run(capsys, root, db, "list", "--json")
    return [a["id"] for i in json.loads(out)["issues"] for a in i["articles"]]


def tagged(capsys: pytest.CaptureFixture[str], root: Path, db: Path, code: str) -> list[str]:
    out, _ = run(capsys, root, db, "retrieve", code, "--json")
    return sorted(i["article_id"] for i in json.loads(out)["items"])


def orphans(capsys: pytest.CaptureFixture[str], root: Path, db: Path) -> list[str]:
    out, _ = run(capsys, root, db, "orphans", "--json")
    return sorted(o["article_id"] for o in json.loads(out)["orphans"])


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    """甲报 and 乙报 print the same article on the same day (a reprint); 丙报 is elsewhere."""
    root = tmp_path / "arch"
    for paper, day, text in (
        ("甲报", "2020/03/01", page("重印的文章", "重印")),
        ("乙报", "2020/05/07", page("重印的文章", "重印")),
        ("丙报", "2020/01/02", page("丙报自己的文章", "丙报")),
    ):
        (root / paper / day).mkdir(parents=True)
        (root / paper / day / "01.txt").write_text(text, "utf-8")
    return root


@pytest.mark.parametrize("indexed", [False, True])
def test_a_coding_does_not_move_to_a_reprint_that_was_already_there(
    capsys: pytest.CaptureFixture[str], papers: Path, tmp_path: Path, indexed: bool
) -> None:
    db = tmp_path / "a.json"
    if indexed:
        run(capsys, papers, db, "index")
    coded = next(i for i in ids(capsys, papers, db) if i.startswith("甲报/"))
    reprint = next(i for i in ids(capsys, papers, db) if i.startswith("乙报/"))
    run(capsys, papers, db, "tag", coded, "营商")
    run(capsys, papers, db, "highlight", coded, "营商环境", "--tag", "营商")
    shutil.move(papers / "甲报", tmp_path / "甲报.away")  # the only other copy: 乙报's
    assert tagged(capsys, papers, db, "营商") == []  # a read: not on 乙报's reprint
    assert orphans(capsys, papers, db) == [coded, coded]
    other = next(i for i in ids(capsys, papers, db) if i.startswith("丙报/"))
    run(capsys, papers, db, "tag", other, "其他")  # a writer stores what it finds
    assert reprint not in tagged(capsys, papers, db, "营商")
    shutil.move(tmp_path / "甲报.away", papers / "甲报")
    assert tagged(capsys, papers, db, "营商") == [coded, coded]
    assert orphans(capsys, papers, db) == []
    run(capsys, papers, db, "tag", other, "再一个")  # and stays there once stored
    assert tagged(capsys, papers, db, "营商") == [coded, coded]


@pytest.mark.parametrize(
    ("indexed", "then"), [(False, "orphans"), (True, "index"), (True, "orphans")]
)
def test_a_renamed_folder_takes_its_codings_along(
    capsys: pytest.CaptureFixture[str], papers: Path, tmp_path: Path, indexed: bool, then: str
) -> None:
    """Followed by the first command after the rename: ``index``, or a read that finds
    the index stale (brought up to date first), or without any index."""
    db = tmp_path / "a.json"
    if indexed:
        run(capsys, papers, db, "index")
    coded = next(i for i in ids(capsys, papers, db) if i.startswith("丙报/"))
    run(capsys, papers, db, "tag", coded, "丙")
    run(capsys, papers, db, "highlight", coded, "丙报的来历", "--tag", "来历")
    (papers / "丙报").rename(papers / "丙报新")
    _, err = run(capsys, papers, db, then)
    assert "2 codings moved with their text" in err  # the tag and the passage: and where to
    assert "2 to pages renamed or moved (丙报/2020/01/02/ 2 → 丙报新/2020/01/02/ 2)" in err
    moved = coded.replace("丙报/", "丙报新/", 1).rpartition("-")[0]
    (now,) = tagged(capsys, papers, db, "丙")
    assert now.startswith(moved + "-")
    out, _ = run(capsys, papers, db, "retrieve", "来历", "--json")
    (item,) = json.loads(out)["items"]
    assert item["article_id"] == now and "丙报的来历" in json.dumps(item, ensure_ascii=False)
    assert orphans(capsys, papers, db) == []


def _lost_while_away(
    capsys: pytest.CaptureFixture[str], papers: Path, tmp_path: Path, db: Path, bob: bool = False
) -> tuple[str, str]:
    run(capsys, papers, db, "index")
    coded = next(i for i in ids(capsys, papers, db) if i.startswith("丙报/"))
    kept = next(i for i in ids(capsys, papers, db) if i.startswith("甲报/"))
    run(capsys, papers, db, "tag", coded, "远方")
    run(capsys, papers, db, "highlight", coded, "丙报的来历", "--tag", "远方段")
    if bob:
        run(capsys, papers, db, "--coder", "bob", "highlight", coded, "营商环境", "--tag", "乙")
    run(capsys, papers, db, "index")
    shutil.move(papers / "丙报", tmp_path / "丙报.away")
    return coded, kept


def test_orphans_re_attach_when_the_folder_is_back_after_a_writer_ran_without_index(
    capsys: pytest.CaptureFixture[str], papers: Path, tmp_path: Path, piyue_home: Path
) -> None:
    """A writer that found the folder gone stored the orphans; the folder back unchanged,
    the index matched the state anchored before it went: the orphans stayed (until some
    unrelated page changed)."""
    db = tmp_path / "a.json"
    coded, kept = _lost_while_away(capsys, papers, tmp_path, db)
    index = index_path(piyue_home / "cache", papers)
    for f in index.parent.glob(index.name + "*"):
        f.unlink()  # the cache cleared: the writer reads the pages without an index
    _, err = run(capsys, papers, db, "tag", kept, "近处")
    assert "2 codings lost their article" in err
    shutil.move(tmp_path / "丙报.away", papers / "丙报")
    run(capsys, papers, db, "index")  # rebuilt: the same pages as before the folder went
    assert orphans(capsys, papers, db) == []
    assert tagged(capsys, papers, db, "远方") == [coded]
    assert tagged(capsys, papers, db, "远方段") == [coded]


@pytest.mark.parametrize("back", ["retrieve", "index"])
@pytest.mark.parametrize("between", ["index", "tag", "orphans"])
def test_orphans_re_attach_whatever_ran_while_the_folder_was_away(
    capsys: pytest.CaptureFixture[str], papers: Path, tmp_path: Path, between: str, back: str
) -> None:
    """A reader, a writer or ``index`` while the folder was away; back (with another
    modification time), a read or ``index`` first: the orphans are found again either way
    (after a writer, ``index`` found the pages as anchored before and did nothing)."""
    db = tmp_path / "a.json"
    coded, kept = _lost_while_away(capsys, papers, tmp_path, db, bob=True)
    run(capsys, papers, db, between, *([kept, "近处"] if between == "tag" else []))
    away = tmp_path / "丙报.away"
    for f in away.rglob("*.txt"):
        f.write_bytes(f.read_bytes())
    shutil.move(away, papers / "丙报")
    run(capsys, papers, db, back, *(["远方"] if back == "retrieve" else []))
    assert tagged(capsys, papers, db, "远方") == [coded]
    run(capsys, papers, db, "--coder", "bob", "tag", kept, "别人")  # another coder writes
    assert tagged(capsys, papers, db, "远方段") == [coded]
    assert orphans(capsys, papers, db) == []
    out, _ = run(capsys, papers, db, "--coder", "bob", "retrieve", "乙", "--json")
    assert [i["article_id"] for i in json.loads(out)["items"]] == [coded]


def test_the_orphan_notice_names_the_folder_and_is_said_once(
    capsys: pytest.CaptureFixture[str], papers: Path, tmp_path: Path
) -> None:
    db = tmp_path / "a.json"
    coded, kept = _lost_while_away(capsys, papers, tmp_path, db)
    _, err = run(capsys, papers, db, "retrieve", "远方", "--json")
    assert "2 codings lost their article" in err and "丙报/2020/01/02/ 2" in err
    assert "read-only here" in err
    for argv in (("stats", "--json"), ("retrieve", "远方"), ("codes",)):
        _, err = run(capsys, papers, db, *argv)  # the same change: not said again
        assert "lost" not in err, argv
    shutil.move(tmp_path / "丙报.away", papers / "丙报")
    _, err = run(capsys, papers, db, "retrieve", "远方")
    assert "lost" not in err and "re-attached" not in err  # as stored: nothing happened
    shutil.move(papers / "丙报", tmp_path / "丙报.away")  # away again: a new change, said
    _, err = run(capsys, papers, db, "retrieve", "远方")
    assert "2 codings lost their article" in err
    _, err = run(capsys, papers, db, "tag", kept, "近处")  # stored: said once more, so
    assert "2 codings lost their article" in err and "read-only" not in err
    _, err = run(capsys, papers, db, "retrieve", "远方")
    assert "lost" not in err
    shutil.move(tmp_path / "丙报.away", papers / "丙报")
    _, err = run(capsys, papers, db, "orphans")
    assert "2 codings re-attached" in err
    _, err = run(capsys, papers, db, "stats")
    assert "re-attached" not in err


def test_whereabouts_names_a_few_folders_compactly() -> None:
    from workspace.anchoring import whereabouts

    month = [f"河南日报/2015/03/{d:02d}/{p:02d}-ab12" for d in range(1, 32) for p in (1, 2)]
    assert whereabouts(month) == "河南日报/2015/03/ 62"
    assert whereabouts(["乙报/003_cbd-1", "乙报/004_ef-2", "乙报/004_ef-3"]) == "乙报/ 3"
    day = ["洛阳日报/2015/01/02/03-aa", "洛阳日报/2015/01/02/04-bb"]
    assert whereabouts(day) == "洛阳日报/2015/01/02/ 2"
    papers = [f"{p}/x-1" for p in "甲乙丙丁戊"] + ["甲/y-2"]
    assert whereabouts(papers) == "甲/ 2, 乙/ 1, 丙/ 1 and 2 more"
    assert whereabouts(["001_ab-1", "002_cd-2"]) == "001_ab 1, 002_cd 1"


def test_a_read_only_command_reuses_what_the_one_before_found(
    capsys: pytest.CaptureFixture[str],
    papers: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a folder went away every read-only command anchored every coding again (4 s
    at 3,000 pages) until a writer stored it: the second reuses the first's result — as
    long as the codings and the pages are the ones it was found for."""
    from storage.annotations import Store
    from storage.library import Library
    from workspace.session import Workspace

    db = tmp_path / "a.json"
    coded, kept = _lost_while_away(capsys, papers, tmp_path, db)
    planned = []
    anchor = Store.anchor

    def counted(self: Store, *args: object, **kw: object) -> object:
        planned.append(1)
        return anchor(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "anchor", counted)

    def whole(self: Library) -> None:
        raise AssertionError("every page was parsed (the index went stale: refreshed first)")

    monkeypatch.setattr(Library, "load", whole)

    def read_only() -> list[str]:
        with Workspace(papers, db, mode="read") as ws:
            store = ws.codings()
            assert store.readonly
            return sorted(str(o["article_id"]) for o in store.orphans())

    assert read_only() == [coded, coded] and len(planned) == 1
    assert read_only() == [coded, coded] and len(planned) == 1  # reused
    with Store.open(db, coder="alice") as s:  # the codings change (no page does)
        s.keep_orphan("丁报/2020/01/01/01-abcd1234", tags=["导入"])
    assert read_only() == sorted([coded, coded, "丁报/2020/01/01/01-abcd1234"])
    assert len(planned) == 2  # found again for these codings
    shutil.move(tmp_path / "丙报.away", papers / "丙报")
    assert read_only() == ["丁报/2020/01/01/01-abcd1234"]  # the pages as stored: nothing to do
    assert len(planned) == 2


def test_without_the_pages_as_they_were_a_rename_leaves_orphans_not_guesses(
    capsys: pytest.CaptureFixture[str], papers: Path, tmp_path: Path, piyue_home: Path
) -> None:
    """Which pages are new is known from the page list kept when the codings were last
    anchored; with the cache cleared (or damaged) no page counts as new: the codings of a
    renamed folder are orphans (listed, said), never moved to a guess — and re-attach when
    the folder has its name back."""
    db = tmp_path / "a.json"
    run(capsys, papers, db, "index")
    coded = next(i for i in ids(capsys, papers, db) if i.startswith("丙报/"))
    run(capsys, papers, db, "tag", coded, "丙")
    kept = piyue_home / "cache" / "anchoring"
    lists = sorted(kept.glob("pages-*"))
    assert lists
    lists[0].write_bytes(b"damaged")
    for f in lists[1:]:
        f.unlink()
    (papers / "丙报").rename(papers / "丙报新")
    _, err = run(capsys, papers, db, "index")
    assert "1 coding lost their article" in err
    assert orphans(capsys, papers, db) == [coded]
    (papers / "丙报新").rename(papers / "丙报")
    _, err = run(capsys, papers, db, "index")
    assert "1 coding re-attached" in err
    assert tagged(capsys, papers, db, "丙") == [coded]
