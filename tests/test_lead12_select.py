"""After a search, ``v v`` selects the hit, not its first word: 光武大道 is 光/武大/道 to jieba
and the selection was «光» (testerD F6)."""

from __future__ import annotations

from pathlib import Path

from tui.app import make_app
from tui.widgets import Reader

from .test_tui import running, searched


async def test_v_v_after_a_search_selects_the_hit(seeds_copy: Path, tmp_path: Path) -> None:
    app = make_app(seeds_copy, tmp_path / "db" / "annotations.json")
    async with running(app) as (pilot, screen):
        await searched(pilot, screen, "光武大道")
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.02)
            if screen.article is not None and "光武大道" in screen.article.text:
                break
        reader = screen.query_one(Reader)
        await pilot.press("v", "v")
        await pilot.pause()
        sel = reader.selection()
        assert sel is not None and reader.article is not None
        assert reader.article.text[sel[0] : sel[1]] == "光武大道"
        await pilot.press("l")  # and on by words from there
        sel = reader.selection()
        assert sel is not None and reader.article.text[sel[0] : sel[1]].startswith("光武大道")
        assert len(reader.article.text[sel[0] : sel[1]]) > 4
