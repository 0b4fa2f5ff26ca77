"""The analysis screens' latency in the app (Pilot, headless, 160×50): the codebook screen
opening, and the retrieval of a code with 2,000 passages up to its first rows on screen, on a
corpus from make_corpus with 20,000 codings (the database written as bench.analysis does).

Times run from the call that pushes the screen to the end of the first refresh after the
screen filled its list (``AnalysisScreen.shown_at``): wall clock, and the UI thread's CPU
time (what the app did, without the waits for a core on a shared machine).  A bare screen
(a title, a two-row list, the footer) is timed the same way as the reference.  The corpus
is loaded the fast way (a fresh index under the same ``PIYUE_HOME``; built first when
missing).

    python ../shared/tools/make_corpus.py /tmp/c3000 --pages 3000
    PIYUE_HOME=/tmp/home python -m bench.tui_analysis /tmp/c3000

Prints one JSON line.  Targets: codes screen ≤ 100 ms; retrieval first rows ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.analysis import TARGET, seed
from storage.library import Library


async def measure(root: Path, db: Path, runs: int) -> dict[str, Any]:
    from tui.app import make_app
    from tui.screens.retrieval import AnalysisScreen

    gc.disable()  # as ``piyue`` does until the first paint (PiyueApp.after_first_paint)
    app = make_app(root, db)
    out: dict[str, Any] = {}
    async with app.run_test(size=(160, 50)) as pilot:
        main = app.main_screen
        t = time.perf_counter()
        while main.corpus is None:
            await asyncio.sleep(0.01)
        out["app_corpus_ready_s"] = round(time.perf_counter() - t, 2)
        while main.df is None:  # the words and index worker: done before anything is timed
            await asyncio.sleep(0.05)
        out["app_index_ready_s"] = round(time.perf_counter() - t, 2)
        # names (part-of-speech tagging, its dictionary loaded on first use) and the
        # neighbours' segmentation run in threads: nothing is timed while one holds the GIL
        while any(w.is_running for w in app.workers):
            await asyncio.sleep(0.05)
        out["app_workers_idle_s"] = round(time.perf_counter() - t, 2)
        await pilot.pause(0.5)

        async def timed(which: str, arg: str = "") -> tuple[float, float, AnalysisScreen]:
            c0 = time.thread_time()
            t0 = time.perf_counter()
            (push_bare if which == "bare" else real)(which, arg)
            for _ in range(2000):
                screen = app.screen
                if isinstance(screen, AnalysisScreen) and screen.shown_at:
                    wall = (screen.shown_at - t0) * 1000
                    return wall, (screen.shown_cpu - c0) * 1000, screen
                await asyncio.sleep(0.001)
            raise RuntimeError(f"{which} never showed")

        # the reference: a screen with only a title, a list and the footer (what Textual
        # itself costs on this machine right now)
        from textual.app import ComposeResult
        from textual.widgets import Footer, OptionList, Static

        class Bare(AnalysisScreen):
            def compose(self) -> ComposeResult:
                yield Static("bare")
                yield OptionList("one", "two")
                yield Footer()

            def on_mount(self) -> None:
                self.call_after_refresh(self.shown)

        def push_bare(which: str, arg: str = "") -> None:
            app.push_screen(Bare())

        real = app.action_analysis
        for which, arg, name in (
            ("bare", "", "bare_screen"),
            ("codebook", "", "codes_screen"),
            ("retrieval", TARGET, "retrieval_first_rows"),
            ("cooccur", "", "cooccur_screen"),
        ):
            times, cpus = [], []
            for _ in range(runs):
                ms, cpu, screen = await timed(which, arg)
                times.append(ms)
                cpus.append(cpu)
                if which == "codebook":
                    out["codes"] = len(screen.rows)  # type: ignore[attr-defined]
                if which == "retrieval":
                    items = screen.items  # type: ignore[attr-defined]
                    out["retrieval_items"] = len(items)
                    out["retrieval_passages"] = sum(1 for it in items if it.kind == "passage")
                await pilot.pause(0.3)  # the rest of the rows, then back
                app.pop_screen()
                await pilot.pause(0.2)
            out[f"{name}_all_ms"] = [round(x, 1) for x in times]
            out[f"{name}_first_ms"] = round(times[0], 1)
            out[f"{name}_median_ms"] = round(statistics.median(times), 1)
            out[f"{name}_cpu_median_ms"] = round(statistics.median(cpus), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--codings", type=int, default=20_000)
    ap.add_argument("--codes", type=int, default=50)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    root = args.corpus.resolve()
    lib = Library(root)
    if not lib._index_file_exists():  # the fast load needs a fresh index: build it once
        cmd = [sys.executable, "-m", "cli", "--corpus", str(root), "index"]
        subprocess.run(cmd, check=True, capture_output=True)
        lib = Library(root)
    corpus = lib.load()
    arts = [a for a in corpus.articles if len(a.text) > 20]
    with tempfile.TemporaryDirectory(prefix="piyue-tui-analysis-") as tmp:
        db = Path(tmp) / "db.json"
        seed(db, arts, args.codings, args.codes, random.Random(7))
        del corpus, arts, lib
        gc.collect()
        figures = asyncio.run(measure(root, db, args.runs))
    print(
        json.dumps(
            {
                "pages": len(list(root.glob("*.txt"))),
                "codings": args.codings,
                **figures,
                "targets_ms": {"codes_screen": 100, "retrieval_first_rows": 200},
                "loadavg_1min_at_end": round(os.getloadavg()[0], 2),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
