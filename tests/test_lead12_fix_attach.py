"""A page renamed and edited: its boundary correction cannot follow it by its file and is an
orphan; ``piyue orphans attach OLD_PAGE NEW_PAGE`` puts it on the page by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_anch10_anchoring import run, tagged
from tests.test_anch11_corrections import articles, merged_page
from tests.test_anch11_siblings import ITEMS


@pytest.mark.parametrize("indexed", [False, True])
def test_an_orphaned_correction_is_attached_by_hand(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, indexed: bool
) -> None:
    root, db, _first = merged_page(tmp_path, indexed)
    capsys.readouterr()
    (root / "简讯测试").rename(root / "简讯测试2")
    page = root / "简讯测试2" / "2015-07-10" / "02.md"
    page.write_text(page.read_text("utf-8").replace("首批十个", "首批十二个"), "utf-8")
    run(capsys, root, db, "index" if indexed else "list")
    out, _ = run(capsys, root, db, "orphans", "--json")
    fixes = [o for o in json.loads(out)["orphans"] if o["type"] == "correction"]
    assert [o["article_id"] for o in fixes] == ["简讯测试/2015-07-10/02"]
    assert len(articles(capsys, root, db)) == 3  # not merged: the correction is lost
    out, err = run(
        capsys, root, db, "orphans", "attach", "简讯测试/2015-07-10/02", "简讯测试2/2015-07-10/02"
    )
    assert "attached 1 boundary correction" in out
    got = articles(capsys, root, db)
    assert len(got) == 2  # merged again
    shown, _ = run(capsys, root, db, "show", got[0]["id"])
    assert ITEMS["展览"] in shown and "首批十二个" in shown
    out, _ = run(capsys, root, db, "orphans", "--json")
    (left,) = json.loads(out)["orphans"]  # the merged article's tag: its text was edited too
    assert left["type"] == "article" and left["tags"] == ["展览"]
    run(capsys, root, db, "orphans", "attach", left["article_id"], got[0]["id"])
    assert tagged(capsys, root, db, "展览") == [got[0]["id"]]
    out, _ = run(capsys, root, db, "orphans", "--json")
    assert json.loads(out)["orphans"] == []


def test_attaching_corrections_onto_no_page_or_twice_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from cli import main

    root, db, _first = merged_page(tmp_path, True)
    (root / "简讯测试").rename(root / "简讯测试2")
    page = root / "简讯测试2" / "2015-07-10" / "02.md"
    page.write_text(page.read_text("utf-8").replace("首批十个", "首批十二个"), "utf-8")
    run(capsys, root, db, "index")
    base = ["--corpus", str(root), "--db", str(db), "--coder", "alice", "orphans", "attach"]

    def attach(target: str) -> tuple[int, str]:
        try:
            code = main([*base, "简讯测试/2015-07-10/02", target])
        except SystemExit as exc:
            code = int(exc.code or 0)
        return code, capsys.readouterr().err

    code, err = attach("没有/这一版")
    assert code == 2 and "no page with id '没有/这一版'" in err and "Traceback" not in err
    assert attach("简讯测试2/2015-07-10/02")[0] == 0
    code, err = attach("简讯测试2/2015-07-10/02")  # done already: nothing of that page left
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
