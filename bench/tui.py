"""Reader latency: opening an article of ~5,000 characters (Pilot), and first paint in a real
terminal (tmux) against a bare Textual app that shows one line, measured side by side.

    python -m bench.tui

Prints one JSON line.  Targets: open ≤ 50 ms; first paint ≤ 1.5× the bare app.
Frames are timed at the hand-off to the terminal driver (see ``open_latency``).
"""

from __future__ import annotations

import asyncio
import compileall
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAIRS = 10  # first-paint runs of each app, alternated (this machine is noisy)


def make_corpus(folder: Path) -> None:
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    body = "\n\n".join(p for s in seeds for p in s.read_text("utf-8").split("\n") if len(p) > 80)
    (folder / "long.txt").write_text(f"## 一篇五千字的长文章\n\n{body[:5200]}\n", "utf-8")
    (folder / "other.txt").write_text(f"## 另一篇五千字的长文章\n\n{body[-5200:]}\n", "utf-8")


async def open_latency(folder: Path, db: Path) -> tuple[list[float], list[float]]:
    """Milliseconds from ``open_article`` to the first frame that shows the article, and to
    the last frame before the screen goes quiet (the scrollbar settles one frame later).

    Frames are timed where the app hands them to the terminal driver; the headless test
    driver skips turning them into escape codes, so that is done here as a real driver would.
    The app's own 60 fps timer decides when frames happen (no ``pilot.pause``, whose idle
    detection sleeps at least 20 ms and would be counted).
    """
    from tui.app import make_app

    gc.disable()  # as ``piyue`` does until the first paint (PiyueApp.after_first_paint)
    app = make_app(folder, db)
    frames: list[float] = []
    first: list[float] = []
    settled: list[float] = []
    async with app.run_test(size=(160, 50)) as pilot:
        display = app._display

        def timed(screen: Any, update: Any) -> None:
            if update is not None:
                if hasattr(update, "render_segments"):
                    update.render_segments(app.console)
                frames.append(time.perf_counter())
            display(screen, update)

        app._display = timed  # type: ignore[method-assign]
        screen = app.main_screen
        for _ in range(500):
            await pilot.pause(0.02)
            if screen.corpus is not None and screen.index_ready:
                break
        arts = screen.corpus.articles  # type: ignore[union-attr]
        for i in range(20):
            art = arts[i % 2]
            screen.keywords.clear()  # no cache: segment, rank, style, lay out every time
            await quiet(frames)
            frames.clear()
            t = time.perf_counter()
            screen.open_article(art, mark_read=False)
            await quiet(frames)
            if frames:
                first.append((frames[0] - t) * 1000)
                settled.append((frames[-1] - t) * 1000)
    return first, settled


async def quiet(frames: list[float], gap: float = 0.15) -> None:
    """Wait until no frame has been drawn for ``gap`` seconds."""
    start = time.perf_counter()
    while time.perf_counter() - (frames[-1] if frames else start) < gap:
        await asyncio.sleep(0.001)


def first_paint(cmd: str, marker: str, env: dict[str, str]) -> float | None:
    if shutil.which("tmux") is None:
        return None
    name = f"bench{os.getpid()}"
    t = time.perf_counter()
    started = subprocess.run(
        ["tmux", "new", "-d", "-s", name, "-x", "160", "-y", "50", cmd], env=env
    )
    if started.returncode != 0:
        return None
    try:
        while time.perf_counter() - t < 20:
            out = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True
            ).stdout
            if marker in out:
                return time.perf_counter() - t
            time.sleep(0.005)
        return None
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


BARE = (
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class Bare(App):\n    def compose(self):\n        yield Static('hello from a bare app')\n"
    "Bare().run()\n"
)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "c"
        folder.mkdir()
        make_corpus(folder)
        os.environ["PIYUE_HOME"] = str(Path(tmp) / "home")
        first, settled = asyncio.run(open_latency(folder, Path(tmp) / "db.json"))
        env = {**os.environ, "PIYUE_HOME": str(Path(tmp) / "home2")}
        bare_py = Path(tmp) / "bare.py"
        bare_py.write_text(BARE)
        # Byte-compile piyue as an installed package is (pip and a first run do this; this
        # machine sets PYTHONDONTWRITEBYTECODE, and Textual's own files are compiled).
        for pkg in ("corpus", "storage", "tui"):
            compileall.compile_dir(ROOT / pkg, quiet=1)
        bare, ours = [], []
        # One idle session keeps the tmux server up between runs (no server start-up in
        # the figures, and no race with a server that is shutting down).
        keeper = f"bench-keep{os.getpid()}"
        subprocess.run(["tmux", "new", "-d", "-s", keeper, "sleep 600"], capture_output=True)
        for _ in range(PAIRS):
            b = first_paint(f"{sys.executable} {bare_py}", "hello from a bare app", env)
            o = first_paint(
                f"{sys.executable} -m tui --corpus {ROOT / 'seeds'}",
                "版面 Issues",
                {**env, "PYTHONPATH": str(ROOT)},
            )
            if b is not None and o is not None:
                bare.append(b)
                ours.append(o)
        subprocess.run(["tmux", "kill-session", "-t", keeper], capture_output=True)
    result = {
        "article_chars": 5200,
        "open_first_frame_p50_ms": round(statistics.median(first), 1),
        "open_first_frame_max_ms": round(max(first), 1),
        "open_settled_p50_ms": round(statistics.median(settled), 1),
        "open_settled_max_ms": round(max(settled), 1),
    }
    if bare:
        result.update(
            {
                "first_paint_bare_s": round(statistics.median(bare), 3),
                "first_paint_piyue_s": round(statistics.median(ours), 3),
                "first_paint_ratio": round(statistics.median(ours) / statistics.median(bare), 2),
            }
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
