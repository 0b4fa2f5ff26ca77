"""Adjudication carries the coders' memos into ``final`` (the exported deliverable): an
accepted passage keeps its note, both coders' when both wrote one, each marked whose."""

from __future__ import annotations

from pathlib import Path

from corpus.load import load_corpus
from storage.annotations import Store
from workspace.coders import Adjudication
from workspace.session import Workspace

from .conftest import SEEDS


def test_accepted_passages_and_articles_keep_their_notes(tmp_path: Path) -> None:
    db = tmp_path / "annotations.json"
    arts = load_corpus(SEEDS).articles
    a = next(x for x in arts if "营商环境" in x.text)
    b = next(x for x in arts if x.id != a.id and len(x.text) > 50)
    i = a.text.index("营商环境")
    for who in ("甲", "乙"):
        with Store.open(db, coder=who) as s:
            h = s.add_highlight(a, i, i + 4, ["营商环境"])
            s.set_highlight_note(h.id, f"{who}的备注")
            s.set_read(b)
            if who == "甲":
                s.add_tags(b, ["防汛"])
                s.set_note(b, "防汛报道")
                j = b.text.index(b.text[10:16])
                p = s.add_highlight(b, j, j + 6, ["防汛"])
                s.set_highlight_note(p.id, "只有甲")
    with Workspace(SEEDS, db, mode="write") as ws:
        adj = Adjudication(ws, "甲", "乙")
        adj.settle(b.id, "防汛", "a")  # carries the agreed passage in a, with both notes
        agreed = ws.store.highlights(a.id, {"final"})
        assert [h.note for h in agreed] == ["甲: 甲的备注\n乙: 乙的备注"]
        (taken,) = ws.store.highlights(b.id, {"final"})
        assert taken.note == "甲: 只有甲"
        assert ws.store.notes(b.id, {"final"}).note == "甲: 防汛报道"
        adj.settle(b.id, "防汛", "both")  # deciding again does not repeat the notes
        (taken,) = ws.store.highlights(b.id, {"final"})
        assert taken.note == "甲: 只有甲"
        assert ws.store.notes(b.id, {"final"}).note == "甲: 防汛报道"
