"""F5 after a page's text changed under a coded passage says the coding is now an orphan,
also when another command re-read the page first (testerC F13: "nothing changed" while a
passage silently left the article's P list)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main
from corpus.load import load_corpus
from storage.annotations import Store
from tests.test_tui import running
from tests.test_tui_analysis import until
from tui.app import make_app

QUOTE = "西工区着力完善企业服务工作机制，建立健全"


@pytest.mark.parametrize("cli_first", [False, True])
async def test_f5_names_the_codings_a_changed_page_orphaned(
    seeds_copy: Path, tmp_path: Path, cli_first: bool
) -> None:
    db = tmp_path / "db.json"
    art = next(a for a in load_corpus(seeds_copy).articles if QUOTE in a.text)
    with Store.open(db) as s:
        s.highlight_quote(art, QUOTE, ["企业服务"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        page = next(p for p in seeds_copy.glob("*.txt") if QUOTE[:8] in p.read_text("utf-8"))
        text = page.read_text("utf-8")
        page.write_text(text.replace("企业服务工作机制", "企业服务工作体系"), "utf-8")
        if cli_first:  # another command re-reads the page (the reader holds the database)
            assert main(["--corpus", str(seeds_copy), "--db", str(db), "index"]) == 0
        app.clear_notifications()
        await pilot.press("f5")
        await until(
            pilot,
            lambda: any("已刷新" in str(n.message) for n in app._notifications),
            "refreshed",
        )
        said = " ".join(str(n.message) for n in app._notifications)
        assert "共 1 条孤儿编码 orphaned codings in all: 1" in said, said
