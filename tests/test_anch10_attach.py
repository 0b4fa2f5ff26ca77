"""`piyue orphans attach`: an orphan the pages no longer name (a page renamed and
re-OCR'd, so neither its id nor its text is found) is moved onto an article by hand — a
passage re-found by its quote, refused when the quote is not there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main as cli_main
from tests.test_anch10_anchoring import ids, run, tagged

PAGE = (
    "## 学习讨论持续俩月 内省自身外寻突破\n\n"
    "活动一经启动，迅速在涧西区铺开。为切实解决问题、抢抓机遇，各部门行动。\n\n"
    "第二段讲的是营商环境。\n"
)


def refused(capsys: pytest.CaptureFixture[str], root: Path, db: Path, *argv: str) -> str:
    try:
        code = cli_main(["--corpus", str(root), "--db", str(db), "--coder", "alice", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    _, err = capsys.readouterr()
    assert code != 0
    assert "Traceback" not in err
    return err


def orphan_rows(capsys: pytest.CaptureFixture[str], root: Path, db: Path) -> list[dict[str, str]]:
    out, _ = run(capsys, root, db, "orphans", "--json")
    return list(json.loads(out)["orphans"])


def test_orphans_attach_moves_an_article_and_its_passages_by_hand(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root, db = tmp_path / "arch", tmp_path / "a.json"
    (root / "洛阳日报" / "04" / "01").mkdir(parents=True)
    old_md = root / "洛阳日报" / "04" / "01" / "01.md"
    old_md.write_text(PAGE, "utf-8")
    (old,) = ids(capsys, root, db)
    run(capsys, root, db, "tag", old, "T_K0")
    run(capsys, root, db, "note", old, "我的备注")
    run(capsys, root, db, "highlight", old, "迅速在涧西区铺开", "--tag", "P_K0")
    run(capsys, root, db, "highlight", old, "抢抓机遇", "--tag", "P_K1")
    # re-OCR'd under a new name: a character of the headline and one quote changed
    new_md = old_md.with_name("01_修订.md")
    new_md.write_text(PAGE.replace("内省", "内醒").replace("抢抓", "抢占"), "utf-8")
    old_md.unlink()
    (new,) = ids(capsys, root, db)
    rows = orphan_rows(capsys, root, db)
    assert sorted(r["type"] for r in rows) == ["article", "highlight", "highlight"]
    out, _ = run(capsys, root, db, "orphans")
    lost = next(r for r in rows if r.get("quote") == "抢抓机遇")
    line = next(x for x in out.splitlines() if "«抢抓机遇»" in x)
    assert f"«抢抓机遇» {lost['id']}" in line and "alice" in line  # the id to attach by, whose

    err = refused(capsys, root, db, "orphans", "attach", lost["id"], new)
    assert f"«抢抓机遇» is not in the text of {new}" in err and "stays an orphan" in err
    err = refused(capsys, root, db, "orphans", "attach", "nothing-like-it", new)
    assert "no orphan 'nothing-like-it'" in err and "piyue orphans" in err
    err = refused(capsys, root, db, "--coder", "bob", "orphans", "attach", old, new)
    assert "is alice's" in err

    out, err = run(capsys, root, db, "orphans", "attach", old, new)
    assert out == f"{old} → {new}: attached tags and note and 1 passage\n"
    assert "stays an orphan: «抢抓机遇» is not in the article's text" in err
    assert tagged(capsys, root, db, "T_K0") == [new]
    out, _ = run(capsys, root, db, "retrieve", "P_K0", "--json")
    (item,) = json.loads(out)["items"]
    assert item["article_id"] == new and "迅速在涧西区铺开" in json.dumps(item, ensure_ascii=False)
    out, _ = run(capsys, root, db, "export", "--format", "jsonl")
    (rec,) = [json.loads(x) for x in out.splitlines() if x]
    assert rec["id"] == new and rec.get("note") == "我的备注"
    assert [r["quote"] for r in orphan_rows(capsys, root, db)] == ["抢抓机遇"]
    # the page as it was comes back: the coding stays where the user put it
    new_md.write_text(new_md.read_text("utf-8").replace("抢占", "抢抓"), "utf-8")
    out, _ = run(capsys, root, db, "orphans", "attach", lost["id"], new)
    assert out == f"{lost['id']} → {new}: attached 1 passage\n"
    assert orphan_rows(capsys, root, db) == []
    assert tagged(capsys, root, db, "P_K1") == [new]
