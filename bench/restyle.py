"""Restyle latency: tagging an article, coding a passage and noting it on one paragraph of
700,000 characters (a broken OCR export on one line), from the save to the frame drawn,
against the same change with the body styled whole again (the old way), in the same run.

    python -m bench.restyle [--chars N] [--rounds N]

Prints one JSON line.  Target: each change ≤ 50 ms on 700,000 characters.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def huge_page(folder: Path, size: int) -> None:
    """One article whose body is one paragraph of ``size`` characters of the seed pages."""
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    text = "".join(
        p.strip() for s in seeds for p in s.read_text("utf-8").split("\n") if len(p) > 80
    )
    (folder / "huge.txt").write_text(f"## 巨页\n\n{(text * (size // len(text) + 1))[:size]}\n")


async def until(pilot: Any, ok: Callable[[], bool], what: str) -> None:
    for _ in range(3000):
        if ok():
            return
        await pilot.pause(0.02)
    raise SystemExit(f"gave up waiting for {what}")


async def measure(chars: int, rounds: int) -> dict[str, Any]:
    from tui.app import make_app
    from tui.widgets import Reader

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PIYUE_HOME"] = str(Path(tmp) / "home")
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        huge_page(corpus, chars)
        app = make_app(corpus, Path(tmp) / "db" / "annotations.json")
        async with app.run_test(size=(160, 50)) as pilot:
            screen = app.main_screen
            await until(pilot, lambda: screen.pages is not None and screen.index_ready, "index")
            await until(pilot, lambda: screen.ws.library.segmenter.loaded, "dictionary")
            pages = screen.pages
            assert pages is not None
            art = pages.article(pages.article_rows()[0].id)
            assert art is not None
            screen.open_article(art, focus=True)
            reader = screen.query_one(Reader)
            await until(pilot, lambda: len(reader.tokens) > chars // 4, "the words")
            await until(pilot, lambda: art.id in screen.entities, "the names")
            await pilot.pause(0.5)
            ws = screen.ws
            times: dict[str, list[float]] = {}

            def change(kind: str, k: int) -> None:
                if kind == "tag":
                    ws.tag(art, [f"标签{k}"])
                elif kind == "passage":
                    start = 1000 + 97 * k
                    ws.code_passage(art, start, start + 12, [f"段{k % 3}"])
                else:
                    h = ws.store.highlights(art.id)[-1]
                    ws.set_passage_note(h.id, f"笔记 {k}")

            for k in range(rounds):
                for kind in ("tag", "passage", "note"):
                    for way in ("incremental", "whole"):
                        if way == "whole":
                            reader._body_key = ()  # as before: every layer styled again
                        t = time.perf_counter()
                        change(kind, 2 * k + (way == "whole"))
                        screen.after_change()
                        for y in range(reader.scrollable_content_region.height):
                            reader.render_line(y)  # the frame the change costs
                        times.setdefault(f"{kind}_{way}", []).append(time.perf_counter() - t)
                        await pilot.pause()
    out: dict[str, Any] = {"chars": chars, "rounds": rounds}
    for kind in ("tag", "passage", "note"):
        inc = statistics.median(times[f"{kind}_incremental"]) * 1000
        whole = statistics.median(times[f"{kind}_whole"]) * 1000
        out[f"{kind}_ms"] = round(inc, 1)
        out[f"{kind}_whole_ms"] = round(whole, 1)
        out[f"{kind}_ratio"] = round(inc / whole, 3)
    out["target_ms"] = 50
    out["ok"] = all(out[f"{k}_ms"] <= 50 for k in ("tag", "passage", "note"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chars", type=int, default=700_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    for pkg in ("corpus", "storage", "workspace", "tui"):  # as installed (PYTHONDONTWRITEBYTECODE)
        compileall.compile_dir(ROOT / pkg, quiet=1)
    print(json.dumps(asyncio.run(measure(args.chars, args.rounds)), ensure_ascii=False))


if __name__ == "__main__":
    main()
