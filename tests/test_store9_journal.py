"""The journal tells what it recovered and keeps evidence of damage (tester2 N8, N9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.load import load_corpus
from corpus.model import Article
from storage.annotations import Store

from .conftest import ROOT, SEEDS


@pytest.fixture(scope="module")
def arts() -> list[Article]:
    return list(load_corpus(SEEDS).articles)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "annotations.json"


def _journal(db: Path) -> Path:
    return db.with_name(db.name + ".journal")


def test_a_damaged_middle_line_is_kept_and_named(db: Path, arts: list[Article]) -> None:
    with Store.open(db) as s:
        s.add_tags(arts[0], ["before"])
    good = {"t": "articles", "i": "1", "d": None}
    with Store.open(db) as s:
        doc = dict(s.storage.read()["articles"]["1"], tags=["after"])
    good["d"] = doc
    _journal(db).write_bytes(b"GARBAGE\n" + json.dumps(good).encode() + b"\n")
    with Store.open(db, readonly=True) as r:  # a reader: told, nothing written
        (note,) = r.take_notices()
        assert str(_journal(db)) in note and "line 1 " in note and "left as it is" in note
    assert not list(db.parent.glob("*.corrupt-*"))
    with Store.open(db) as s:
        assert s.notes(arts[0].id).tags == ("after",)  # the good line still counts
        notes = s.take_notices()
        assert s.take_notices() == []  # said once
    (damage,) = [n for n in notes if "could not be read" in n]
    (kept,) = db.parent.glob("annotations.json.journal.corrupt-*")
    assert "line 1 " in damage and str(kept) in damage
    assert kept.read_bytes().startswith(b"GARBAGE\n")
    assert not _journal(db).exists()  # folded in: the copy is the evidence


def test_a_torn_last_line_is_silent(db: Path, arts: list[Article]) -> None:
    with Store.open(db) as s:
        s.add_tags(arts[0], ["x"])
    _journal(db).write_bytes(b'{"t": "articles", "i": "1", "d": {"art')
    with Store.open(db) as s:
        assert s.take_notices() == []
    assert not list(db.parent.glob("*.corrupt-*"))


def test_changes_recovered_after_kill_are_reported_once(db: Path, arts: list[Article]) -> None:
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from corpus.load import load_corpus\n"
        "from storage.annotations import Store\n"
        "a = load_corpus(Path(sys.argv[2])).articles\n"
        "s = Store.open(Path(sys.argv[1]))\n"
        "s.add_tags(a[0], ['t1'])\n"
        "s.set_note(a[1], 'n1')\n"
        "os._exit(0)\n"  # like kill -9: no close, the journal and the owner file stay
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code, str(db), str(SEEDS)], check=True, env=env)
    owner = db.with_name(db.name + ".owner").read_text()
    with Store.open(db) as s:
        assert s.notes(arts[0].id).tags == ("t1",)
        (note,) = s.take_notices()
    assert note.startswith("recovered the changes saved before an unclean exit")
    assert note.endswith(": 2 articles, 1 code")
    assert owner.removeprefix("pid ") in note
    with Store.open(db) as s:  # a clean close before: nothing to say
        assert s.take_notices() == []


def test_a_reader_opened_read_only_gets_write_access_when_the_writer_ends(
    tmp_path: Path, arts: list[Article]
) -> None:
    """tester2 N15: a short command held the lock when the reader started."""
    from workspace.session import Workspace

    db = tmp_path / "annotations.json"
    writer = Store.open(db, coder="cli")
    reader = Workspace(SEEDS, db, mode="ui", coder="reader")
    assert reader.readonly  # waited briefly, then read-only
    assert not reader.try_write_access()  # still held
    writer.add_tags(arts[0], ["by-the-command"])
    writer.close()
    assert reader.try_write_access()
    assert not reader.readonly
    assert reader.store.notes(arts[0].id, coders=None).tags == ("by-the-command",)
    reader.tag(arts[1], ["mine"])
    reader.close()
    with Store.open(db, coder="reader") as s:
        assert s.notes(arts[1].id).tags == ("mine",)
        assert s.notes(arts[0].id, coders=None).tags == ("by-the-command",)


def test_a_command_mode_store_never_takes_write_access(tmp_path: Path) -> None:
    from workspace.session import Workspace

    db = tmp_path / "annotations.json"
    Store.open(db).close()
    ws = Workspace(SEEDS, db, mode="read")
    assert ws.readonly and not ws.try_write_access()
    ws.close()


def test_a_batch_cut_short_by_a_crash_is_not_kept_in_part(db: Path, arts: list[Article]) -> None:
    """A tester killed an autocode of 4,800 passages while its one append was being written:
    3,280 came back as if coded. A batch is one change: all of it or none of it."""
    with Store.open(db) as s:
        s.add_tags(arts[0], ["before"])
        s.add_tags(arts[1], ["before"])
        docs = s.storage.read()["articles"]
    ops = [
        json.dumps({"t": "articles", "i": k, "d": dict(docs[k], tags=["after"])}).encode()
        for k in sorted(docs)
    ]
    _journal(db).write_bytes(b'{"b": 2}\n' + ops[0] + b"\n" + ops[1][:25])
    with Store.open(db) as s:
        assert [s.notes(a.id).tags for a in arts[:2]] == [("before",), ("before",)]
        assert s.take_notices() == []  # never acknowledged: nothing to recover
    _journal(db).write_bytes(b'{"b": 2}\n' + ops[0] + b"\n" + ops[1] + b"\n")
    with Store.open(db) as s:
        assert [s.notes(a.id).tags for a in arts[:2]] == [("after",), ("after",)]


def test_a_batch_is_written_whole_to_the_journal(db: Path, arts: list[Article]) -> None:
    s = Store.open(db)
    try:
        with s.batch("two"):
            s.add_tags(arts[0], ["甲"])
            s.add_tags(arts[1], ["乙"])
        lines = _journal(db).read_bytes().splitlines()
        (at,) = [i for i, x in enumerate(lines) if "b" in json.loads(x)]
        assert json.loads(lines[at])["b"] == len(lines) - at - 1  # it counts the whole batch
    finally:
        s.close()
