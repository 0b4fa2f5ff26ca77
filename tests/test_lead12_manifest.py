"""A pages.csv added, edited or removed beside unchanged pages: the index relabels the pages and
says how many, the reader redraws its tree at start-up and F5 says what changed (testerD F5:
the tree was one session behind and F5 said "nothing changed")."""

from __future__ import annotations

from pathlib import Path

from storage.library import Library
from tui.app import make_app
from tui.widgets import IssueList

from .test_tui import running


def _manifest(root: Path) -> str:
    page = sorted(root.glob("*.txt"))[0].name
    (root / "pages.csv").write_text(
        f"file,paper,date,page\n{page},洛阳晚报,2018-09-13,5\n", "utf-8"
    )
    return page


def test_the_index_counts_the_pages_a_manifest_relabels(tmp_path: Path, seeds_copy: Path) -> None:
    lib = Library(seeds_copy, cache_dir=tmp_path / "cache")
    assert lib.refresh_index(workers=1).relabelled == 0
    _manifest(seeds_copy)
    stats = lib.refresh_index(workers=1)
    assert (stats.parsed, stats.relabelled) == (0, 1)
    assert lib.refresh_index(workers=1).relabelled == 0  # applied once
    (seeds_copy / "pages.csv").unlink()
    assert lib.refresh_index(workers=1).relabelled == 1


def _tree(screen: object) -> str:
    il = screen.query_one(IssueList)  # type: ignore[attr-defined]
    return "\n".join(str(il.get_option_at_index(i).prompt) for i in range(il.option_count))


async def test_the_reader_shows_a_new_manifest_at_start_up_and_f5_names_it(
    seeds_copy: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db" / "annotations.json"
    async with running(make_app(seeds_copy, db)) as (pilot, screen):
        while not screen.index_ready:
            await pilot.pause(0.05)
        assert "洛阳晚报" not in _tree(screen)
    _manifest(seeds_copy)
    async with running(make_app(seeds_copy, db)) as (pilot, screen):
        while not screen.index_ready:
            await pilot.pause(0.05)
        await pilot.pause(0.1)
        assert "洛阳晚报" in _tree(screen)
        (seeds_copy / "pages.csv").unlink()
        said: list[str] = []
        screen.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        await pilot.press("f5")
        for _ in range(200):
            await pilot.pause(0.02)
            if said:
                break
        assert "洛阳晚报" not in _tree(screen)
        assert any("1 版报名" in s and "pages.csv" in s for s in said), said
