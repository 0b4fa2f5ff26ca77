"""Backups that survive a working session (tester B, F8).

The three ``.bak.N`` rotated on every command, so ``codes delete X --yes`` followed by three
routine ``tag`` commands left no copy of X (the command line cannot undo a delete); a
``kill -9`` during a backup copy left ``.annotations.json.bak.1.XXXXXXXX.tmp`` forever."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from corpus.load import load_corpus
from corpus.model import Article
from storage import backups
from storage.annotations import Store

from .conftest import SEEDS
from .test_cli9_export import A, Cli


@pytest.fixture(scope="module")
def arts() -> list[Article]:
    return load_corpus(SEEDS).articles


def coding(folder: Path, code: str) -> list[str]:
    """The files (database and backups) in which an article is coded ``code``."""
    got = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith("a.json") and p.name not in ("a.json.lock", "a.json.corpora"):
            arts = json.loads(p.read_text()).get("articles", {}).values()
            if any(code in a.get("tags", ()) for a in arts):
                got.append(p.name)
    return got


def test_a_deleted_code_survives_three_routine_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.json"
    cli = Cli(db, capsys)
    assert cli("tag", A, "招商")[0] == 0
    today = tmp_path / f"a.json.daily-{time.strftime('%Y-%m-%d')}.bak"
    today.write_text("{}")  # the day began before 招商 was coded
    rc, _out, err = cli("codes", "delete", "招商", "--yes")
    assert rc == 0
    kept = backups.kept(db, "before-")
    assert len(kept) == 1 and kept[0].name.startswith("a.json.before-delete_招商-")
    assert f"piyue: the codings as they were before are in {kept[0]}" in err
    for k in range(3):
        assert cli("tag", A, f"AFTER{k}")[0] == 0
    assert coding(tmp_path, "招商") == [kept[0].name]
    # the rotating ones are there too, and today's first state
    names = {p.name for p in tmp_path.iterdir()}
    assert {"a.json.bak.1", "a.json.bak.2", "a.json.bak.3"} <= names
    assert backups.kept(db, "daily-") == [today] and today.read_text() == "{}"


def test_merge_and_import_keep_a_copy_from_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.json"
    cli = Cli(db, capsys)
    assert cli("tag", A, "甲", "乙")[0] == 0
    rc, _out, err = cli("codes", "merge", "甲", "乙", "--yes")
    assert rc == 0 and "before are in" in err
    (merge,) = backups.kept(db, "before-")
    assert "merge_甲" in merge.name and '"甲"' in merge.read_text()
    out_file = tmp_path / "x.jsonl"
    assert cli("export", "--format", "jsonl", "-o", str(out_file))[0] == 0
    time.sleep(1.05)  # a distinct stamp: backups are told apart by name
    rc, _out, err = cli("import", str(out_file), "--as-coder", "丙")  # adds 丙's codings
    assert rc == 0, err
    assert "before the import are in" in err
    assert [p.name.split("-")[0] for p in backups.kept(db, "before-")] == [
        "a.json.before",
        "a.json.before",
    ]
    assert "before-import-" in backups.kept(db, "before-")[1].name
    time.sleep(1.05)
    rc, _out, err = cli("import", str(out_file), "--as-coder", "丙")  # the same file again
    assert rc == 0 and "+0 tags" in _out, (err, _out)
    assert "before the import" not in err  # nothing changed: no backup pushes one out
    assert len(backups.kept(db, "before-")) == 2


def test_daily_and_before_backups_are_bounded(tmp_path: Path) -> None:
    db = tmp_path / "annotations.json"
    db.write_text("{}")
    day = 86400.0
    start = time.mktime((2026, 11, 1, 12, 0, 0, 0, 0, -1))
    for k in range(10):
        assert backups.daily(db, now=start + k * day) is not None
    assert backups.daily(db, now=start + 9 * day + 60) is None  # once a day
    days = [p.name for p in backups.kept(db, "daily-")]
    assert len(days) == backups.DAILY_KEEP
    assert days[0] == "annotations.json.daily-2026-11-04.bak"
    assert days[-1] == "annotations.json.daily-2026-11-10.bak"
    for k in range(backups.BEFORE_KEEP + 3):
        backups.before(db, {"t": {}}, "delete x", now=start + k)
    kept = backups.kept(db, "before-")
    assert len(kept) == backups.BEFORE_KEEP
    assert kept[-1].name.endswith("T12-00-12.bak")


def test_stale_temp_files_of_ours_go_on_the_next_open(tmp_path: Path, arts: list[Article]) -> None:
    db = tmp_path / "annotations.json"
    with Store.open(db) as s:
        s.add_tags(arts[0], ["t"])
    ours = [
        tmp_path / ".annotations.json.bak.1._nm2qjpq.tmp",  # what tester B found
        tmp_path / ".annotations.json.abcd1234.tmp",
        tmp_path / ".annotations.json.daily-2026-11-28.bak.x_y_z_12.tmp",
    ]
    theirs = [
        tmp_path / ".other.json.abcd1234.tmp",
        tmp_path / "annotations.json.abcd1234.tmp",  # no leading dot: not our naming
        tmp_path / ".annotations.json.mine.tmp",  # not mkstemp's eight characters
        tmp_path / ".annotations.json.ABCD1234.tmp",
    ]
    for p in ours + theirs:
        p.write_text("x")
    with Store.open(db, readonly=True):
        pass
    assert all(p.exists() for p in ours)  # a reader never removes: a writer may be at work
    with Store.open(db) as s:
        assert s.notes(arts[0].id).tags == ("t",)
    assert not any(p.exists() for p in ours)
    assert all(p.exists() for p in theirs)


def test_a_corrupt_database_names_the_day_and_before_backups_too(tmp_path: Path) -> None:
    from storage.durable import open_db
    from storage.errors import CorruptDatabase

    db = tmp_path / "annotations.json"
    db.write_text("{broken", encoding="utf-8")
    day = tmp_path / "annotations.json.daily-2026-11-27.bak"
    day.write_text("{}")
    with pytest.raises(CorruptDatabase) as got:
        open_db(db)
    assert "restore a backup (annotations.json.daily-2026-11-27.bak)" in str(got.value)
    (tmp_path / "annotations.json.bak.1").write_text("{}")
    with pytest.raises(CorruptDatabase) as got:
        open_db(db)
    assert (
        "restore a backup (annotations.json.bak.1; older: annotations.json.daily-2026-11-27.bak)"
        in str(got.value)
    )
    assert db.read_text() == "{broken"


def test_before_backups_made_in_one_second_each_keep_their_state(tmp_path: Path) -> None:
    """testerC F6: five imports in a loop printed the same before-import path for four of
    them; the state before the second import was kept nowhere."""
    db = tmp_path / "annotations.json"
    db.write_text("{}")
    now = time.mktime((2026, 11, 28, 17, 24, 48, 0, 0, -1))
    made = [backups.before(db, {"n": {"k": k}}, "import", now=now) for k in range(5)]
    assert len(set(made)) == 5
    assert [json.loads(p.read_text())["n"]["k"] for p in made] == [0, 1, 2, 3, 4]
    assert backups.kept(db, "before-") == made  # oldest first, the counter after the stamp
    later = backups.before(db, {"n": {"k": 5}}, "delete x", now=now + 1)
    assert backups.kept(db, "before-")[-1] == later
    for k in range(backups.BEFORE_KEEP):
        backups.before(db, {"n": {"k": 6 + k}}, "import", now=now + 2)
    kept = backups.kept(db, "before-")
    assert len(kept) == backups.BEFORE_KEEP
    assert json.loads(kept[-1].read_text())["n"]["k"] == 5 + backups.BEFORE_KEEP
