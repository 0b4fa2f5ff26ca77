"""The annotation store: API, validation, durability under SIGKILL, locking, faults, re-attach."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from corpus.load import load_corpus
from corpus.model import Article
from storage.annotations import Store, parse_expression
from storage.errors import (
    AnnotationError,
    CorruptDatabase,
    DatabaseLocked,
    NewerSchema,
    StoreError,
)

from .conftest import ROOT, SEEDS


@pytest.fixture(scope="module")
def arts() -> list[Article]:
    return load_corpus(SEEDS).articles


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "annotations.json"


def test_tags_notes_read_state(db: Path, arts: list[Article]) -> None:
    with Store.open(db) as s:
        a = arts[0]
        s.add_tags(a, ["营商环境", "  党建 ", "营商环境"])
        assert s.notes(a.id).tags == ("营商环境", "党建")
        s.remove_tags(a, ["党建"])
        s.set_note(a, "第一条笔记\n第二行")
        s.set_read(a)
        n = s.notes(a.id)
        assert n.tags == ("营商环境",) and n.note == "第一条笔记\n第二行" and n.read
    text = db.read_text("utf-8")
    assert "营商环境" in text and "\\u" not in text  # the user's file shows 政治, not escapes
    with Store.open(db, readonly=True) as s:
        assert s.notes(arts[0].id).note == "第一条笔记\n第二行"


def test_validation(db: Path, arts: list[Article]) -> None:
    with Store.open(db) as s:
        a = arts[0]
        for bad in ["", "   ", "\t", "a\x00b", "x" * 200, "and", "(a)"]:
            with pytest.raises(AnnotationError):
                s.add_tags(a, [bad])
        with pytest.raises(AnnotationError):
            s.set_note(a, "字" * 10_000_001)
        with pytest.raises(AnnotationError):
            s.remove_tags(a, ["never-there"])
        with pytest.raises(AnnotationError):
            s.highlight_quote(a, "这句话不在文章里")
        with pytest.raises(AnnotationError):
            s.add_highlight(a, 5, 5)
        with pytest.raises(AnnotationError):
            s.delete_highlight("nope")
        with pytest.raises(AnnotationError):
            s.define_tag("x", colour="red")
    assert json.loads(db.read_text("utf-8"))["meta"]


def test_highlights_quote_and_context(db: Path, arts: list[Article]) -> None:
    a = next(x for x in arts if "营商环境" in x.text)
    with Store.open(db) as s:
        h = s.highlight_quote(a, "营商环境", tags=["营商环境"], note="关键")
        assert a.text[h.start : h.end] == "营商环境"
        assert a.text[: h.start].endswith(h.prefix) and a.text[h.end :].startswith(h.suffix)
        h2 = s.edit_highlight(h.id, tags=["营商环境", "政企关系"], note="改")
        assert h2.tags == ("营商环境", "政企关系")
        assert s.tag_counts()["营商环境"] == 1
        assert s.select("政企关系") == {a.id}
        s.delete_highlight(h.id)
        assert s.highlights(a.id) == []


def test_tag_expressions(db: Path, arts: list[Article]) -> None:
    with Store.open(db) as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[1], ["营商环境", "党建"])
        s.add_tags(arts[2], ["党建"])
        assert s.select("营商环境 and not 党建") == {arts[0].id}
        assert s.select("营商环境 or 党建") == {arts[0].id, arts[1].id, arts[2].id}
        assert s.select("(营商环境 and 党建) or nothing") == {arts[1].id}
        assert s.select("营商环境 党建") == {arts[1].id}
    for bad in ["", "a and", "(a", "a )", "or b"]:
        with pytest.raises(AnnotationError):
            parse_expression(bad)


def test_undo_redo(db: Path, arts: list[Article]) -> None:
    with Store.open(db) as s:
        s.add_tags(arts[0], ["一"])
        s.add_tags(arts[0], ["二"])
        assert s.undo() is not None
        assert s.notes(arts[0].id).tags == ("一",)
        s.redo()
        assert s.notes(arts[0].id).tags == ("一", "二")
        s.undo()
        s.undo()
        assert s.notes(arts[0].id).tags == ()
    with Store.open(db) as s:  # undo is durable too
        assert s.notes(arts[0].id).tags == ()


def test_a_change_that_changes_nothing_is_no_undo_step(db: Path, arts: list[Article]) -> None:
    """A quick tag on an article that has it, or a note saved as it was, leaves the undo
    history alone: ``u`` undoes the last real change (a tester's ``u`` did nothing first)."""
    with Store.open(db) as s:
        s.add_tags(arts[1], ["一"])
        s.set_note(arts[0], "笔记")
        s.add_tags(arts[0], ["二"])
        steps = len(s.history.undo)
        s.add_tags(arts[0], ["二"])
        s.set_note(arts[0], "笔记")
        assert len(s.history.undo) == steps
        assert s.undo() == "tag 二"
        assert s.notes(arts[0].id).tags == () and s.notes(arts[0].id).note == "笔记"
        assert s.undo() is not None  # the note
        assert s.notes(arts[0].id).note == ""
        assert s.notes(arts[1].id).tags == ("一",)


def test_watch_list_and_codebook(db: Path) -> None:
    with Store.open(db) as s:
        s.add_watch("专精特新", "#ff0000")
        s.add_watch("专精特新")
        assert s.watch_terms() == [("专精特新", "#ff0000")]
        s.define_tag("营商环境", "#00ff00", "政府与企业关系", parent="经济")
        assert s.tag("营商环境").description == "政府与企业关系"
        s.remove_watch("专精特新")
        assert s.watch_terms() == []


def test_file_permissions_and_missing_dir(db: Path, arts: list[Article]) -> None:
    with Store.open(db) as s:
        s.add_tags(arts[0], ["x"])
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_dir(tmp_path: Path) -> None:  # pragma: no cover - CI runs as root
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(StoreError):
        Store.open(ro / "a.json")


def test_unwritable_location_is_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create"):
        Store.open(blocker / "sub" / "a.json")


def test_symlinked_database_is_written_through_the_link(
    tmp_path: Path, arts: list[Article]
) -> None:
    """A save replaces the database whole: through a link it must replace the link's target,
    or the real file keeps the old content and the link becomes a second database."""
    real = tmp_path / "real" / "ann.json"
    with Store.open(real) as s:
        s.add_tags(arts[0], ["before"])
    link = tmp_path / "link.json"
    link.symlink_to(os.path.relpath(real, tmp_path))
    with Store.open(link) as s:
        s.add_tags(arts[0], ["via-link"])
    assert link.is_symlink()
    with Store.open(real, readonly=True) as s:
        assert s.notes(arts[0].id).tags == ("before", "via-link")


def test_database_must_be_a_regular_file(tmp_path: Path, arts: list[Article]) -> None:
    """--db /dev/null (or a pipe, or a folder) is refused before anything is written: a save
    would otherwise put a file where the device was."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    for bad in (fifo, folder, Path(os.devnull)):
        for readonly in (False, True):
            with pytest.raises(StoreError, match="must be a file"):
                Store.open(bad, readonly=readonly)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and not (tmp_path / "pipe.lock").exists()
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_corrupt_database_left_byte_identical(db: Path) -> None:
    db.parent.mkdir(parents=True)
    junk = b'{"articles": {"1": {"article_id": "x", '  # truncated
    db.write_bytes(junk)
    with pytest.raises(CorruptDatabase, match="left untouched"):
        Store.open(db)
    assert db.read_bytes() == junk
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(db), "tag", "x", "y"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(db) in proc.stderr
    assert db.read_bytes() == junk


def test_newer_schema_refused(db: Path) -> None:
    db.parent.mkdir(parents=True)
    raw = json.dumps({"meta": {"1": {"schema": 99}}}).encode()
    db.write_bytes(raw)
    with pytest.raises(NewerSchema):
        Store.open(db)
    assert db.read_bytes() == raw


def test_second_writer_is_refused_and_reader_allowed(db: Path, arts: list[Article]) -> None:
    code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from storage.annotations import Store
        s = Store.open(__import__("pathlib").Path({str(db)!r}))
        print("locked", flush=True)
        time.sleep(30)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(DatabaseLocked, match=f"pid {proc.pid}"):
            Store.open(db, lock_timeout=0.2)
        ui = Store.open_for_ui(db)
        assert ui.readonly
        with pytest.raises(StoreError):
            ui.add_tags(arts[0], ["x"])
        ui.close()
    finally:
        proc.kill()
        proc.wait()
    with Store.open(db) as s:  # a killed holder's lock is released by the OS
        s.add_tags(arts[0], ["ok"])


WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from corpus.load import load_corpus
    from storage.annotations import Store
    arts = load_corpus(sys.argv[3]).articles
    s = Store.open(Path(sys.argv[2]))
    i = 0
    while True:
        a = arts[i % len(arts)]
        s.add_tags(a, [f"t{i}"])
        if i % 3 == 0:
            s.set_note(a, f"note {i} " + "长" * (i % 50))
        print(i, flush=True)
        i += 1
    """
)


@pytest.mark.parametrize("seed", range(6))
def test_sigkill_loses_nothing_acknowledged(tmp_path: Path, seed: int) -> None:
    db = tmp_path / "a.json"
    script = tmp_path / "w.py"
    script.write_text(WRITER)
    for round_ in range(2):  # the second round starts from the first round's crash
        proc = subprocess.Popen(
            [sys.executable, str(script), str(ROOT), str(db), str(SEEDS)],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0 + random.Random(seed * 10 + round_).random() * 1.5)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        acked = [int(x) for x in out.split()]
        json.loads(db.read_text("utf-8"))  # the JSON file is always complete
        with Store.open(db, readonly=True) as s:
            have = {t for n in s.all_notes() for t in n.tags}
        assert {f"t{i}" for i in acked} <= have
    assert acked, "the writer never got going"


def test_journal_torn_tail_is_ignored(db: Path, arts: list[Article]) -> None:
    with Store.open(db) as s:
        s.add_tags(arts[0], ["a"])
        s.storage._jfh = None  # simulate a crash: no close/compaction
        s.storage.lock.release()  # type: ignore[union-attr]
    journal = db.with_name(db.name + ".journal")
    with open(journal, "ab") as fh:
        fh.write(b'{"t": "articles", "i": "9", "d": {"article_id": "bro')
    with Store.open(db) as s:
        assert s.notes(arts[0].id).tags == ("a",)
        assert len(s.all_notes()) == 1


def test_reattach_after_reparse(tmp_path: Path, seeds_copy: Path) -> None:
    db = tmp_path / "a.json"
    corpus = load_corpus(seeds_copy)
    a = next(x for x in corpus.articles if x.title.startswith("提升站位"))
    gone = next(x for x in corpus.articles if x.title.startswith("市关工委"))
    with Store.open(db) as s:
        s.add_tags(a, ["防汛"])
        h = s.highlight_quote(a, "尾矿库是夏季防汛的重点", tags=["防汛"])
        s.add_tags(gone, ["关工委"])
    page = seeds_copy / "001_f7413848275faa8a.txt"
    text = page.read_text("utf-8")
    text = text.replace("## 提升站位严格落实责任", "## 提升站位 严格落实责任")  # new title → new id
    text = text.replace("昨日,市委副书记赵会生", "昨日上午,市委副书记赵会生")  # text shifts
    # the whole 关工委 article disappears
    start = text.index("## 市关工委")
    end = text.index("### 全国“两优一先”")
    text = text[:start] + text[end:]
    page.write_text(text, "utf-8")
    corpus2 = load_corpus(seeds_copy)
    a2 = next(x for x in corpus2.articles if x.title.startswith("提升站位"))
    assert a2.id != a.id
    with Store.open(db) as s:
        orphans = s.reattach(corpus2)
        assert s.notes(a2.id).tags == ("防汛",)
        (h2,) = s.highlights(a2.id)
        assert a2.text[h2.start : h2.end] == "尾矿库是夏季防汛的重点" and h2.start == h.start + 2
        assert orphans == 1
        (o,) = s.orphans()
        assert o["article_id"] == gone.id and o["tags"] == ["关工委"]


def test_cli_annotation_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli import main

    aid = next(a.id for a in load_corpus(SEEDS).articles if "营商环境" in a.text)
    db = str(tmp_path / "x.json")
    assert main(["--db", db, "tag", aid, "营商环境", "党建"]) == 0
    assert main(["--db", db, "untag", aid, "党建"]) == 0
    assert main(["--db", db, "note", aid, "笔记"]) == 0
    assert main(["--db", db, "highlight", aid, "营商环境", "--tag", "营商环境"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "tags", "--json"]) == 0
    tags = json.loads(capsys.readouterr().out)["tags"]
    assert tags[0] == {
        "name": "营商环境",
        "count": 2,
        "colour": tags[0]["colour"],
        "description": "",
    }
    with pytest.raises(SystemExit) as exc:
        main(["--db", db, "tag", aid, "   "])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["--db", db, "tag", "no-such-article", "x"])
    assert main(["--db", db, "orphans"]) == 0
    assert "no orphans" in capsys.readouterr().out


def test_merged_in_article_keeps_its_tags_not_a_neighbour_with_a_close_title(
    tmp_path: Path,
) -> None:
    """市纪委监委领导班子… merged into the article before it: its tags go with its text, not to
    the next article, whose title 市委办公室领导班子… is close enough to pass as an OCR variant."""
    import shutil

    from workspace.session import Workspace

    shutil.copytree(SEEDS, tmp_path / "c")
    corpus = load_corpus(tmp_path / "c")
    target = next(a for a in corpus.articles if "市政协党组" in a.title)
    page = corpus._issues[target.issue_id]
    nxt = page.articles[page.articles.index(target) + 1]
    db = tmp_path / "db.json"
    with Store.open(db) as s:
        s.add_tags(nxt, ["合并"])
    with Workspace(tmp_path / "c", db, mode="write") as ws:
        ws.corpus()
        after = ws.correct(target.issue_id, "merge_next", target.spans[0][0])
        merged = next(a for a in after._issues[target.issue_id].articles if a.id == target.id)
        assert nxt.text in merged.text
        assert ws.store.notes(target.id).tags == ("合并",)
        assert all(n.article_id == target.id for n in ws.store.all_notes() if n.tags)
