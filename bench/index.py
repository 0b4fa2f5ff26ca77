"""Index benchmark: cold index vs a plain single-process jieba.lcut loop, warm re-index,
search latency (as a whole process), peak memory.  Prints one JSON line.

    python ../shared/tools/make_corpus.py /tmp/c1000 --pages 1000
    python -m bench.index /tmp/c1000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def plain_jieba(root: Path) -> float:
    """The baseline: read every page and jieba.lcut it, one process, global tokenizer."""
    code = (
        "import sys, time, jieba, logging, pathlib\n"
        "jieba.setLogLevel(logging.WARNING)\n"
        "t = time.perf_counter(); jieba.initialize()\n"
        "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.txt')):\n"
        "    jieba.lcut(p.read_text('utf-8'))\n"
        "print(time.perf_counter() - t)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return time.perf_counter() - t, out.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--query", default="营商环境")
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="piyue-bench-"))
    env = {**os.environ, "PIYUE_HOME": str(home)}
    # warm jieba's own dictionary cache for both sides, so neither pays the first build
    subprocess.run([sys.executable, "-c", "import jieba; jieba.initialize()"], capture_output=True)
    piyue = [sys.executable, "-m", "tui", "--corpus", str(args.corpus)]
    subprocess.run(
        [*piyue, "show", "none"], capture_output=True, env=env
    )  # builds piyue's jieba cache
    shutil.rmtree(home / "cache", ignore_errors=True)
    (home / "cache").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from corpus.segment import Segmenter; from pathlib import Path; "
            f"Segmenter(Path({str(home / 'cache' / 'jieba')!r})).load()",
        ],
        env=env,
        check=True,
    )
    baseline = plain_jieba(args.corpus)
    cold, _ = timed([*piyue, "index"], env)
    warm, _ = timed([*piyue, "index"], env)
    search, out = timed([*piyue, "search", args.query, "--json"], env)
    hits = len(json.loads(out)["hits"])
    peak = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
            *piyue,
            "index",
        ],
        capture_output=True,
        text=True,
        env={**env, "PIYUE_HOME": tempfile.mkdtemp()},
    )
    pages = len(list(args.corpus.glob("*.txt")))
    print(
        json.dumps(
            {
                "pages": pages,
                "plain_jieba_s": round(baseline, 2),
                "cold_index_s": round(cold, 2),
                "cold_vs_plain": round(cold / baseline, 3),
                "warm_reindex_s": round(warm, 2),
                "warm_vs_cold": round(warm / cold, 3),
                "search_process_s": round(search, 3),
                "search_hits": hits,
                "peak_rss_mb_one_process": round(int(peak.stdout.strip() or 0) / 1024, 1),
                "self_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
