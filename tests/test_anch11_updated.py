"""A change to an article's passages only (one added, removed, recoded, annotated) moves
the article's ``updated`` time on, so the export carries it and ``piyue import`` of that
newer export takes the coder's word for it (a passage removed is withdrawn)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.test_anch10_anchoring import page, run
from workspace.session import Workspace


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "arch"
    (root / "甲报" / "2020" / "03" / "01").mkdir(parents=True)
    (root / "甲报" / "2020" / "03" / "01" / "01.txt").write_text(page("营商文章", "营商"), "utf-8")
    return root


def passages(capsys: pytest.CaptureFixture[str], root: Path, db: Path) -> list[str]:
    out, _ = run(capsys, root, db, "export", "--format", "jsonl")
    return sorted(h["quote"] for x in out.splitlines() for h in json.loads(x)["highlights"])


def test_a_passage_removed_on_one_machine_is_withdrawn_by_importing_its_export(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    laptop, desk = tmp_path / "laptop.json", tmp_path / "desk.json"
    with Workspace(corpus, laptop, mode="write", coder="alice") as ws:
        art = ws.corpus().issues[0].articles[0]
        ws.store.add_tags(art, ["营商"])
        ws.store.highlight_quote(art, "营商环境", ["PA"])
        gone = ws.store.highlight_quote(art, "第二段文字", ["PB"])
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    run(capsys, corpus, laptop, "export", "--format", "jsonl", "-o", str(first))
    run(capsys, corpus, desk, "import", str(first))
    assert passages(capsys, corpus, desk) == ["第二段文字", "营商环境"]
    time.sleep(0.01)
    with Workspace(corpus, laptop, mode="write", coder="alice") as ws:
        ws.store.delete_highlight(gone.id)  # only passages change
        ws.store.highlight_quote(art, "的来历", ["PC"])
    run(capsys, corpus, laptop, "export", "--format", "jsonl", "-o", str(second))
    _, err = run(capsys, corpus, desk, "import", str(second))
    assert passages(capsys, corpus, desk) == ["的来历", "营商环境"]  # the removal came too
    rec = json.loads(second.read_text("utf-8").splitlines()[0])
    assert rec["updated"] > json.loads(first.read_text("utf-8").splitlines()[0])["updated"]


@pytest.mark.parametrize("change", ["tags", "untag", "note", "resize", "undo"])
def test_every_passage_change_moves_the_article_time_on(
    corpus: Path, tmp_path: Path, change: str
) -> None:
    with Workspace(corpus, tmp_path / "a.json", mode="write", coder="alice") as ws:
        art = ws.corpus().issues[0].articles[0]
        h = ws.store.highlight_quote(art, "营商环境", ["PA", "PB"])
        was = ws.store.notes(art.id).updated
        time.sleep(0.01)
        if change == "tags":
            ws.store.add_highlight_tags(h.id, ["PC"])
        elif change == "untag":
            ws.store.remove_highlight_tags(h.id, ["PB"])
        elif change == "note":
            ws.store.set_highlight_note(h.id, "一条备注")
        elif change == "resize":
            ws.store.resize_highlight(h.id, h.start, h.end + 1, art)
        else:
            assert ws.undo() is not None  # the passage goes: the time goes back with it
            assert ws.store.notes(art.id).updated <= was
            return
        assert ws.store.notes(art.id).updated > was
