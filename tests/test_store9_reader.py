"""The reader and the database's one writer (tester2 N8, N15): a reader that opened
read-only because a command was writing gets write access when that command has ended, and
a reader that recovers changes after an unclean exit says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from corpus.load import load_corpus
from storage.annotations import Store
from tui.app import make_app

from .conftest import ROOT
from .test_tui import open_article, running, stored


async def test_read_only_reader_takes_over_when_the_writer_ends(
    seeds_copy: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db" / "annotations.json"
    holder = Store.open(db)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        assert app.store.readonly and screen.query("#readonly-banner")
        holder.close()  # the command is done
        for _ in range(150):
            await pilot.pause(0.05)
            if not screen.query("#readonly-banner"):
                break
        assert not app.store.readonly and not screen.query("#readonly-banner")
        await open_article(pilot, screen, "提升站位")
        await pilot.press("t", *"接手", "enter")
        await pilot.pause()
    with stored(db) as s:
        assert "接手" in {t for n in s.all_notes() for t in n.tags}


async def test_the_reader_says_what_it_recovered(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "db" / "annotations.json"
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from corpus.load import load_corpus\n"
        "from storage.annotations import Store\n"
        "a = load_corpus(Path(sys.argv[2])).articles\n"
        "s = Store.open(Path(sys.argv[1]))\n"
        "s.add_tags(a[0], ['崩溃前'])\n"
        "os._exit(0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code, str(db), str(seeds_copy)], check=True, env=env)
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, _screen):
        await pilot.pause()
        told = [n.message for n in app._notifications]
        assert any("recovered the changes saved before an unclean exit" in m for m in told)
        first = load_corpus(seeds_copy).articles[0]
        assert app.store.notes(first.id).tags == ("崩溃前",)
