"""The status line: one widget that keeps the coder visible and draws the indexing bar."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from textual.app import App, ComposeResult

from tui.widgets.statusline import BAR_CELLS, StatusLine, progress_bar


def test_progress_bar_fills_in_eighths() -> None:
    assert progress_bar(0, 10) == "▕" + " " * BAR_CELLS + "▏"
    assert progress_bar(10, 10) == "▕" + "█" * BAR_CELLS + "▏"
    half = progress_bar(1, 2)
    assert half.count("█") == BAR_CELLS // 2 and cell_len(half) == BAR_CELLS + 2
    assert progress_bar(1, 16, cells=4) == "▕▎   ▏"  # a quarter of a cell still shows
    assert progress_bar(5, 0) == progress_bar(0, 1)  # no total: empty, never a crash


class _One(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusLine("start", id="status")


async def test_long_text_is_cut_and_the_coder_stays() -> None:
    app = _One()
    async with app.run_test(size=(40, 3)) as pilot:
        line = app.query_one(StatusLine)
        line.say("正在读取版面 reading pages " * 5 + "[bold]x[/bold]")
        line.show_coder("编码者 小李")
        await pilot.pause()
        shown = str(line.render())
        assert shown.endswith("编码者 小李")
        assert "…" in shown and cell_len(shown) <= 38
        line.say("[bold]不是标记[/bold]")
        line.show_progress(3, 6)
        await pilot.resize_terminal(80, 3)
        await pilot.pause()
        shown = str(line.render())
        assert shown.startswith("[bold]不是标记[/bold] ▕")  # page text is never markup
        assert "█" * (BAR_CELLS // 2) in shown and shown.endswith("编码者 小李")
        line.show_progress(0, 0)
        await pilot.pause()
        assert "▕" not in str(line.render())


async def test_a_toast_covers_the_status_line_to_the_edge(seeds_copy: Path, tmp_path: Path) -> None:
    """The toast rack kept a scrollbar's gutter at the right: the last cells of the status
    line (the coder's name) showed beside every toast."""
    from textual.widgets._toast import Toast

    from tests.test_tui import SIZE, ready
    from tui.app import make_app

    app = make_app(seeds_copy, tmp_path / "db" / "annotations.json")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(pilot, app.main_screen)
        app.notify("已保存 saved")
        for _ in range(50):
            await pilot.pause(0.02)
            toasts = list(app.screen.query(Toast))
            if toasts and toasts[0].region.width:
                break
        assert toasts and toasts[0].region.right == app.size.width
