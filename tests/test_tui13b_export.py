"""The export dialog (session 10's test user A): an unknown code is refused as the command
line refuses it, the reader's own filter terms export exactly the filtered list, nothing is
written (nor called exported) for no article, and Enter in the selection box exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from corpus.load import load_corpus
from storage.annotations import Store
from tests.test_tui import running
from tests.test_tui_analysis import until
from tui.app import make_app
from tui.dialogs.export import ExportDialog


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


async def open_export(pilot, app, where: str, out: Path) -> ExportDialog:  # type: ignore[no-untyped-def]
    await pilot.press("x")
    await until(pilot, lambda: isinstance(app.screen, ExportDialog), "export dialog")
    dialog = app.screen
    dialog.query_one("#export-path", Input).value = str(out)
    box = dialog.query_one("#export-where", Input)
    box.value = where
    box.focus()
    await pilot.pause()
    return dialog


def status(dialog: ExportDialog) -> str:
    return str(dialog.query_one("#export-status", Static).render())


async def test_an_unknown_code_is_refused_and_nothing_written(
    seeds_copy: Path, db: Path, tmp_path: Path
) -> None:
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["党建"])
    app = make_app(seeds_copy, db)
    out = tmp_path / "typo.jsonl"
    async with running(app) as (pilot, _screen):
        dialog = await open_export(pilot, app, "未知代码", out)
        await pilot.press("enter")  # in the selection box: exports (or says why not)
        await until(pilot, lambda: "失败" in status(dialog), "refused")
        assert "unknown code: 未知代码" in status(dialog)
        assert app.screen is dialog and not out.exists()
        dialog.query_one("#export-where", Input).value = "党建 and paper:none"
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is app.main_screen, "exported")
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [arts[0].id]


async def test_the_readers_own_terms_export_the_filtered_list(
    seeds_copy: Path, db: Path, tmp_path: Path
) -> None:
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["党建"])
        s.set_note(arts[14], "本文是巡视整改类报道")
        s.set_starred(arts[3], True)
    app = make_app(seeds_copy, db)
    out = tmp_path / "note.jsonl"
    async with running(app) as (pilot, screen):
        await pilot.press("f", *"has:note", "enter")
        await pilot.pause()
        assert [a.id for a in screen.visible_articles] == [arts[14].id]
        dialog = await open_export(pilot, app, "has:note", out)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen, "exported")
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert [r["id"] for r in rows] == [arts[14].id]
        assert rows[0]["note"] == "本文是巡视整改类报道"
        starred = tmp_path / "star.jsonl"
        dialog = await open_export(pilot, app, "is:starred", starred)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen, "exported")
        assert [json.loads(x)["id"] for x in starred.read_text().splitlines()] == [arts[3].id]
        # nothing matches: said, nothing written, the dialog stays
        empty = tmp_path / "none.jsonl"
        dialog = await open_export(pilot, app, "has:note and is:starred", empty)
        await pilot.press("enter")
        await until(pilot, lambda: "失败" in status(dialog), "refused")
        assert "no article matches" in status(dialog) and not empty.exists()
