"""After a search, ``v v`` selects the hit, not its first word: 光武大道 is 光/武大/道 to jieba
and the selection was «光» (testerD F6)."""

from __future__ import annotations

from pathlib import Path

from tui.app import make_app
from tui.widgets import Reader

from .test_tui import running, searched


async def open_hit(pilot, screen, term: str) -> None:  # type: ignore[no-untyped-def]
    """Search ``term`` and open its article from the hits."""
    await searched(pilot, screen, term)
    await pilot.press("enter")
    for _ in range(100):
        await pilot.pause(0.02)
        if screen.article is not None and term in screen.article.text:
            return


async def test_v_v_after_a_search_selects_the_hit(seeds_copy: Path, tmp_path: Path) -> None:
    app = make_app(seeds_copy, tmp_path / "db" / "annotations.json")
    async with running(app) as (pilot, screen):
        await open_hit(pilot, screen, "光武大道")
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


async def test_joining_a_word_in_two_steps_leaves_no_half_word(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """``+ +`` on 光/武大/道 joined 光武大, then 光武大道, and left 光武大 in the user's dictionary,
    where it cut other texts (汉光武大帝 → …光武大|帝; testerD)."""
    app = make_app(seeds_copy, tmp_path / "db" / "annotations.json")
    async with running(app) as (pilot, screen):
        await open_hit(pilot, screen, "光武大道")
        await pilot.press("v", "plus")
        await pilot.pause()
        await pilot.press("plus")
        await pilot.pause()
        lib = app.workspace.library
        lines = lib.user_dict.read_text("utf-8").split()
        assert "光武大道" in lines and "光武大" not in lines
        assert "光武大道" in lib.segmenter.words("伊滨区光武大道与兰台路")
        assert "光武大" not in lib.segmenter.words("汉光武大帝")
