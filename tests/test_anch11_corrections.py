"""testerB F22: a boundary correction (a merge) follows its page to a renamed folder as the
codings do, and says so; one whose page cannot be found is listed by ``piyue orphans``,
never dropped silently, and applies again when its page comes back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.test_anch10_anchoring import run, tagged
from tests.test_anch11_siblings import ITEMS, brief_page
from workspace.session import Workspace


def merged_page(tmp_path: Path, indexed: bool, legacy: bool = False) -> tuple[Path, Path, str]:
    """A page of three 简讯 whose first two items the user merged (``M``); ``legacy``: as
    stored before corrections named their page's fingerprint."""
    root, db = tmp_path / "arch", tmp_path / "a.json"
    page = root / "简讯测试" / "2015-07-10" / "02.md"
    page.parent.mkdir(parents=True)
    page.write_text(brief_page("展览", "电梯", "公交"), "utf-8")
    (root / "其他报" / "2015-07-10").mkdir(parents=True)  # the corpus is never empty
    (root / "其他报" / "2015-07-10" / "01.md").write_text(brief_page("新的"), "utf-8")
    with Workspace(root, db, mode="write", coder="alice") as ws:
        if indexed:
            ws.library.refresh_index()
        issue = next(i for i in ws.corpus().issues if i.id.startswith("简讯"))
        first = issue.articles[0]
        ws.store.add_tags(first, ["展览"])
        if legacy:
            ws.store.add_correction(issue.id, "merge_next", first.spans[0][0])
        else:
            ws.correct(issue.id, "merge_next", first.spans[0][0])
            assert len(ws.page_of(first).articles) == 2
    return root, db, first.id


def articles(capsys: pytest.CaptureFixture[str], root: Path, db: Path) -> list[dict[str, str]]:
    """The articles of the 简讯 page, whatever its folder's name."""
    out, _ = run(capsys, root, db, "list", "--json")
    got = [a for i in json.loads(out)["issues"] for a in i["articles"]]
    return [a for a in got if a["id"].startswith("简讯")]


@pytest.mark.parametrize(("indexed", "first"), [(False, "list"), (True, "index"), (True, "tags")])
def test_a_merge_follows_its_page_to_a_renamed_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, indexed: bool, first: str
) -> None:
    """``tags``: read-only, what it found is reused by the read-only commands after it."""
    root, db, _ = merged_page(tmp_path, indexed)
    capsys.readouterr()
    (root / "简讯测试").rename(root / "简讯测试2")
    _, err = run(capsys, root, db, first)
    assert "1 boundary correction followed its page" in err
    assert "简讯测试/2015-07-10/02 → 简讯测试2/2015-07-10/02" in err
    got = articles(capsys, root, db)
    assert len(got) == 2  # still merged
    out, _ = run(capsys, root, db, "show", got[0]["id"])
    assert ITEMS["展览"] in out and ITEMS["电梯"] in out
    out, _ = run(capsys, root, db, "retrieve", "展览", "--json")
    assert [i["article_id"] for i in json.loads(out)["items"]] == [got[0]["id"]]
    out, _ = run(capsys, root, db, "orphans", "--json")
    assert json.loads(out)["orphans"] == []
    _, err = run(capsys, root, db, "list")
    assert "correction" not in err  # said once


def test_a_correction_whose_page_is_gone_is_an_orphan_until_it_returns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root, db, first = merged_page(tmp_path, True)
    capsys.readouterr()
    shutil.move(root / "简讯测试", tmp_path / "away")
    _, err = run(capsys, root, db, "index")
    assert "1 boundary correction lost its page (简讯测试/2015-07-10/02:" in err
    out, _ = run(capsys, root, db, "orphans", "--json")
    fixes = [o for o in json.loads(out)["orphans"] if o["type"] == "correction"]
    assert [(o["article_id"], o["kind"]) for o in fixes] == [
        ("简讯测试/2015-07-10/02", "merge_next")
    ]
    out, _ = run(capsys, root, db, "orphans")
    assert "correction" in out and "merge_next" in out
    shutil.move(tmp_path / "away", root / "简讯测试")
    run(capsys, root, db, "index")
    assert len(articles(capsys, root, db)) == 2  # merged again
    out, _ = run(capsys, root, db, "orphans", "--json")
    assert json.loads(out)["orphans"] == []


def test_a_correction_made_before_pages_were_fingerprinted_follows_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A database older than this: its corrections learn their page's fingerprint while
    the page is there, so a later rename is followed."""
    root, db, first = merged_page(tmp_path, True, legacy=True)
    (root / "简讯测试" / "2015-07-10" / "03.md").write_text(brief_page("新的"), "utf-8")
    run(capsys, root, db, "index")
    (root / "简讯测试").rename(root / "简讯测试2")
    _, err = run(capsys, root, db, "index")
    assert "1 boundary correction followed its page" in err
    assert len([a for a in articles(capsys, root, db) if "/02-" in a["id"]]) == 2
    out, _ = run(capsys, root, db, "orphans", "--json")
    assert [o for o in json.loads(out)["orphans"] if o["type"] == "correction"] == []


@pytest.mark.parametrize("indexed", [False, True])
def test_a_merge_takes_the_codings_of_the_item_it_takes_in_not_its_renumbered_neighbour(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, indexed: bool
) -> None:
    """Merging the items before a coded 简讯 renumbers the items after it: the coded item's
    tag, note and passage go into the merged article (its text), not onto the item that now
    has its number — and follow the page to a renamed folder after that."""
    root, db = tmp_path / "arch", tmp_path / "a.json"
    page = root / "简讯测试" / "2015-07-10" / "02.md"
    page.parent.mkdir(parents=True)
    page.write_text(brief_page("展览", "电梯", "公交"), "utf-8")
    with Workspace(root, db, mode="write", coder="alice") as ws:
        if indexed:
            ws.library.refresh_index()
        issue = ws.corpus().issues[0]
        first, lift = issue.articles[0], issue.articles[1]
        ws.store.add_tags(lift, ["电梯"])
        ws.store.set_note(lift, "about lifts")
        ws.store.highlight_quote(lift, "加装电梯", ["电梯段"])
        ws.correct(issue.id, "merge_next", first.spans[0][0])
        assert ws.take_notices() == ["编码 codings: 2 codings followed their text"]
    for folder in ("简讯测试", "简讯测试2"):
        if folder != "简讯测试":
            (root / "简讯测试").rename(root / folder)
            run(capsys, root, db, "index" if indexed else "list")
        got = articles(capsys, root, db)
        assert len(got) == 2
        assert tagged(capsys, root, db, "电梯") == [got[0]["id"]]
        assert tagged(capsys, root, db, "电梯段") == [got[0]["id"]]
        out, _ = run(capsys, root, db, "orphans", "--json")
        assert json.loads(out)["orphans"] == []
