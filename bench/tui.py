"""Reader latency: opening an article of ~5,000 characters (Pilot), and start-up in a real
terminal (tmux) against a bare Textual app that shows one line, measured side by side: the
empty frame, and what the user waits for — the issue list with page titles; the reader's
memory once an article is open with every layer on.

    python -m bench.tui [--corpus DIR --title TEXT]   # a large corpus (its index is built)

Prints one JSON line.  Targets: open ≤ 50 ms; titles ≤ 1.3× the bare app; reader ≤ 200 MB;
a large corpus's titles ≤ 1.5× the seeds' and ≤ 250 MB; a date jump ≤ 100 ms (to the frame).
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
            if screen.pages is not None and screen.index_ready:
                break
        pages = screen.pages
        assert pages is not None
        arts = [a for r in pages.rows for a in getattr(pages.issue(r.id), "articles", ())]
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


async def date_jumps(folder: Path, dates: list[str]) -> list[float]:
    """Milliseconds from a typed date to the frame showing that edition's first page and its
    articles, once start-up work (dictionary, index refresh) is over."""
    from corpus.dates import parse_date_jump
    from tui.app import make_app
    from tui.widgets import IssueList

    app = make_app(folder)
    out: list[float] = []
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.main_screen
        for _ in range(3000):
            await pilot.pause(0.02)
            if screen.pages is not None and screen.index_ready:
                break
        await pilot.pause(0.5)
        il = screen.query_one(IssueList)
        for d in dates:
            jump = parse_date_jump(d)
            assert jump is not None and screen.pages is not None
            t = time.perf_counter()
            row = il.jump_to_date(jump, screen.issue.date if screen.issue else None)
            page = screen.pages.issue(row.id) if row is not None else None
            if page is not None:
                screen.select_issue(page)
            await pilot.pause()
            out.append((time.perf_counter() - t) * 1000)
    return out


async def quiet(frames: list[float], gap: float = 0.15) -> None:
    """Wait until no frame has been drawn for ``gap`` seconds."""
    start = time.perf_counter()
    while time.perf_counter() - (frames[-1] if frames else start) < gap:
        await asyncio.sleep(0.001)


TMUX = ["tmux", "-L", f"piyue-bench-{os.getpid()}"]
"""A tmux server of the bench's own: a command started by an existing server runs in that
server's environment, not the bench's (another PIYUE_HOME, another PYTHONPATH)."""


def with_env(cmd: str, env: dict[str, str]) -> str:
    """``cmd`` with piyue's variables set in the command itself."""
    import shlex

    keys = ("PIYUE_HOME", "PIYUE_CODER", "PYTHONPATH", "PIYUE_DB")
    sets = " ".join(f"{k}={shlex.quote(env[k])}" for k in keys if k in env)
    return f"env {sets} {cmd}" if sets else cmd


def first_paint(
    cmd: str, markers: list[str], env: dict[str, str], rss_after: float = 0.0
) -> tuple[list[float | None], float | None]:
    """Seconds until each marker is on screen (in order), and the app's RSS in MB
    ``rss_after`` seconds after the last one (0: not measured)."""
    if shutil.which("tmux") is None:
        return [None] * len(markers), None
    name = f"bench{os.getpid()}"
    t = time.perf_counter()
    started = subprocess.run(
        [*TMUX, "new", "-d", "-s", name, "-x", "160", "-y", "50", with_env(cmd, env)], env=env
    )
    if started.returncode != 0:
        return [None] * len(markers), None
    seen: list[float | None] = []
    rss = None
    try:
        todo = list(markers)
        while todo and time.perf_counter() - t < 60:
            out = subprocess.run(
                [*TMUX, "capture-pane", "-p", "-t", name], capture_output=True, text=True
            ).stdout
            while todo and todo[0] in out:
                seen.append(time.perf_counter() - t)
                todo.pop(0)
            time.sleep(0.005)
        seen += [None] * len(todo)
        if rss_after and not todo:
            time.sleep(rss_after)
            rss = pane_rss_mb(name)
        return seen, rss
    finally:
        subprocess.run([*TMUX, "kill-session", "-t", name], capture_output=True)


def pane_rss_mb(session: str) -> float | None:
    """Resident memory of the program running in a tmux pane (and its children)."""
    pid = subprocess.run(
        [*TMUX, "display", "-p", "-t", session, "#{pane_pid}"], capture_output=True, text=True
    ).stdout.strip()
    if not pid.isdigit():
        return None
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        todo += kids
    return round(total / 1024, 1)


BARE = (
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class Bare(App):\n    def compose(self):\n        yield Static('hello from a bare app')\n"
    "Bare().run()\n"
)


def main() -> None:
    args = sys.argv[1:]
    big = Path(args[args.index("--corpus") + 1]) if "--corpus" in args else None
    big_title = args[args.index("--title") + 1] if "--title" in args else ""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "c"
        folder.mkdir()
        make_corpus(folder)
        os.environ["PIYUE_HOME"] = str(Path(tmp) / "home")
        first, settled = asyncio.run(open_latency(folder, Path(tmp) / "db.json"))
        env = {
            **os.environ,
            "PIYUE_HOME": str(Path(tmp) / "home2"),
            "PYTHONPATH": str(ROOT),
            "PIYUE_CODER": os.environ.get("PIYUE_CODER", "bench"),  # no "who is coding?"
        }
        bare_py = Path(tmp) / "bare.py"
        bare_py.write_text(BARE)
        # Byte-compile piyue as an installed package is (pip and a first run do this; this
        # machine sets PYTHONDONTWRITEBYTECODE, and Textual's own files are compiled).
        for pkg in ("corpus", "storage", "workspace", "cli", "tui"):
            compileall.compile_dir(ROOT / pkg, quiet=1)
        seeds_cmd = f"{sys.executable} -m cli --corpus {ROOT / 'seeds'}"
        subprocess.run(
            [*seeds_cmd.split(), "index"], env=env, capture_output=True
        )  # the seeds' index built, as after a first run
        bare, empty, titles = [], [], []
        # One idle session keeps the tmux server up between runs (no server start-up in
        # the figures, and no race with a server that is shutting down).
        keeper = f"bench-keep{os.getpid()}"
        subprocess.run([*TMUX, "new", "-d", "-s", keeper, "sleep 600"], capture_output=True)
        for _ in range(PAIRS):
            (b,), _r = first_paint(f"{sys.executable} {bare_py}", ["hello from a bare app"], env)
            (e, ti), _r = first_paint(seeds_cmd, ["版面 Issues", "洛阳市涧西区"], env)
            if b is not None and e is not None and ti is not None:
                bare.append(b)
                empty.append(e)
                titles.append(ti)
        # memory with an article open, words loaded, names found, every layer on
        _t, reader_rss = first_paint(seeds_cmd, ["关键词"], env, rss_after=4.0)
        big_result: dict[str, Any] = {}
        if big is not None and big_title:
            big_env = {**env, "PIYUE_HOME": str(Path(tmp) / "home3")}
            subprocess.run(
                [sys.executable, "-m", "cli", "--corpus", str(big), "index"],
                env=big_env,
                capture_output=True,
            )
            runs = [
                first_paint(
                    f"{sys.executable} -m cli --corpus {big}", [big_title], big_env, rss_after=1.0
                )
                for _ in range(3)
            ]
            got = [r[0][0] for r in runs if r[0][0] is not None]
            rss = [r[1] for r in runs if r[1] is not None]
            os.environ["PIYUE_HOME"] = big_env["PIYUE_HOME"]
            jumps = asyncio.run(date_jumps(big, ["2018-09-12", "20170101", "0315", "2016-07-04"]))
            if got:
                big_result = {
                    "big_date_jump_ms": [round(j, 1) for j in jumps],
                    "big_titles_s": round(statistics.median(got), 3),
                    "big_vs_seeds_titles": round(
                        statistics.median(got) / statistics.median(titles), 2
                    )
                    if titles
                    else None,
                    "big_rss_mb": max(rss) if rss else None,
                }
        subprocess.run([*TMUX, "kill-server"], capture_output=True)
    result: dict[str, Any] = {
        "article_chars": 5200,
        "open_first_frame_p50_ms": round(statistics.median(first), 1),
        "open_first_frame_max_ms": round(max(first), 1),
        "open_settled_p50_ms": round(statistics.median(settled), 1),
        "open_settled_max_ms": round(max(settled), 1),
    }
    if bare:
        b, e, ti = (statistics.median(x) for x in (bare, empty, titles))
        result.update(
            {
                "first_paint_bare_s": round(b, 3),
                "first_paint_empty_frame_s": round(e, 3),
                "first_paint_titles_s": round(ti, 3),
                "empty_frame_ratio": round(e / b, 2),
                "titles_ratio": round(ti / b, 2),
            }
        )
    result["reader_rss_mb"] = reader_rss
    result.update(big_result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
