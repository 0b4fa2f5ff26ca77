"""The status line: one widget that keeps the coder visible and draws the indexing bar."""

from __future__ import annotations

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
