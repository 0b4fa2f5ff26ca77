"""Index benchmark.  Prints one JSON object; every ratio is measured in this one run.

* cold index with term discovery against the same build without it (#14: ≤ 1.25×), and
  against a plain single-process ``jieba.lcut`` loop;
* warm re-index, index size against the corpus's bytes (#17: ≤ 1×);
* whole processes, each timed with its peak RSS: ``piyue search``, ``piyue list --json``, and
  what the scale APIs do (``Library.iter_summaries`` streamed as ``list --json``,
  ``Library.page_rows`` for a tree, ``Library.search`` without loading the corpus,
  ``Library.issue`` of one page).

    python ../shared/tools/make_corpus.py /tmp/c1000 --pages 1000
    python -m bench.index /tmp/c1000
    python -m bench.index /tmp/c30000 --skip-plain --skip-no-terms   (a cold build is minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from storage.pagerow import rows_file

# Run in a child process and report (seconds, peak RSS in MB) of that child alone.
_TIMED = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
    "dt = time.perf_counter() - t\n"
    "sys.stderr.write(p.stderr.decode(errors='replace')[-2000:])\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(dt, rss, len(p.stdout), p.returncode)\n"
)


RUNS = 1
"""Times each process is run (``--runs``): the median is reported, and every run."""


def measure(cmd: list[str], env: dict[str, str], runs: int | None = None) -> dict[str, Any]:
    times: list[float] = []
    peak = 0
    size = 0
    for _ in range(runs or RUNS):
        out = subprocess.run(
            [sys.executable, "-c", _TIMED, *cmd],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        secs, rss, got, rc = out.stdout.split()
        if rc != "0":
            raise SystemExit(f"{cmd} failed ({rc}): {out.stderr}")
        times.append(round(float(secs), 3))
        peak = max(peak, int(rss))
        size = int(got)
    result: dict[str, Any] = {
        "s": statistics.median(times),
        "rss_mb": round(peak / 1024, 1),
        "out_bytes": size,
    }
    if len(times) > 1:
        result["runs"] = times
    return result


def plain_jieba(root: Path) -> tuple[float, float]:
    """The baseline: read every page and jieba.lcut it, one process, global tokenizer."""
    code = (
        "import sys, time, jieba, logging, pathlib\n"
        "jieba.setLogLevel(logging.WARNING)\n"
        "t = time.perf_counter(); jieba.initialize()\n"
        "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*')):\n"
        "    if p.suffix in ('.txt', '.md', '.markdown'): jieba.lcut(p.read_text('utf-8'))\n"
        "print(time.perf_counter() - t)\n"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return float(out.stdout.strip()), cpu


def build(corpus: Path, home: Path, env: dict[str, str], terms: bool) -> dict[str, Any]:
    """A cold build in a process of its own (the ``index`` command's work)."""
    code = (
        "import sys, time, json\n"
        "from pathlib import Path\n"
        "from storage.library import Library\n"
        "lib = Library(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))\n"
        "idx = lib.open_index()\n"
        f"idx.discover_terms = {terms!r}\n"
        "t = time.perf_counter()\n"
        "s = lib.refresh_index(strict=True)\n"
        "print(json.dumps({'s': time.perf_counter() - t, 'pages': s.pages, 'articles': s.articles,"
        " 'terms': s.terms, 'terms_s': s.terms_seconds, 'path': str(idx.path)}))\n"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [sys.executable, "-c", code, str(corpus), str(home / "cache")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    got: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    # CPU seconds of the build and its pool workers: what the machine's load does not change
    got["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return got


def _warm_dictionary(home: Path, env: dict[str, str]) -> None:
    """The segmenter's one-off work in a new cache dir (dict.txt sorted), before any timing."""
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


def corpus_bytes(root: Path) -> tuple[int, int]:
    size = files = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for f in filenames:
            if f.endswith((".txt", ".md", ".markdown")) and not f.startswith("."):
                size += os.path.getsize(os.path.join(dirpath, f))
                files += 1
    return size, files


def index_bytes(path: Path) -> int:
    """The index's bytes on disk: the file, its write-ahead log and the page rows kept beside
    it (``storage.pagerow.rows_file``: the reader writes it on its first start)."""
    files = [Path(str(path) + s) for s in ("", "-wal")] + [rows_file(path)]
    return sum(p.stat().st_size for p in files if p.exists())


_SCALE = {
    "summaries": (
        "import json, sys\nfrom pathlib import Path\nfrom storage.library import Library\n"
        "lib = Library(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))\n"
        "w = sys.stdout.write\nw('{\"issues\": [')\n"
        "for n, s in enumerate(lib.iter_summaries()):\n"
        "    w((',' if n else '') + json.dumps(s, ensure_ascii=False))\n"
        "w('], \"editions\": ' + json.dumps([e._asdict() for e in lib.editions()],"
        " ensure_ascii=False))\n"
        "w(', \"skipped\": ' + json.dumps([[s.file, s.reason] for s in lib.skipped()],"
        " ensure_ascii=False) + '}')\n"
    ),
    "listing": (
        "import json, sys\nfrom pathlib import Path\nfrom storage.library import Library\n"
        "lib = Library(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))\n"
        "got = lib.listing()\n"
        "w = sys.stdout.write\nw('{\"issues\": [')\n"
        "for n, s in enumerate(got.pages):\n"
        "    w((',' if n else '') + s)\n"
        "w('], \"editions\": ' + json.dumps([e._asdict() for e in got.editions],"
        " ensure_ascii=False))\n"
        "w(', \"skipped\": ' + json.dumps([[s.file, s.reason] for s in got.skipped],"
        " ensure_ascii=False) + '}')\n"
    ),
    "page_rows": (
        "import sys\nfrom pathlib import Path\nfrom storage.library import Library\n"
        "lib = Library(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))\n"
        "rows = lib.page_rows(); eds = lib.editions(rows)\n"
        "print(len(rows), len(eds))\n"
    ),
    "search": (
        "import sys\nfrom pathlib import Path\nfrom storage.library import Library\n"
        "lib = Library(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))\n"
        "lib.refresh_index()\n"
        "for h in lib.search(sys.argv[3], 20): print(h.article_id, h.snippet)\n"
    ),
    "issue": (
        "import sys\nfrom pathlib import Path\nfrom storage.library import Library\n"
        "lib = Library(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))\n"
        "rows = lib.page_rows()\n"
        "i = lib.issue(rows[len(rows) // 2].id)\n"
        "print(i.id, len(i.articles))\n"
    ),
}


def search_words(corpus: Path, cache: str, words: list[str], env: dict[str, str]) -> dict[str, Any]:
    """``piyue search`` and ``Library.search`` as whole processes for each of ``words`` (#17:
    ≤ 0.5 s, a word with no or few FTS hits included)."""
    got: dict[str, Any] = {}
    for word in words:
        lib = [sys.executable, "-c", _SCALE["search"], str(corpus), cache, word]
        cli = [sys.executable, "-m", "cli", "search", "--corpus", str(corpus), word, "--json"]
        got[word] = {"search_process": measure(lib, env), "cli_search_process": measure(cli, env)}
    return got


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--query", default="营商环境")
    ap.add_argument("--skip-plain", action="store_true", help="no plain-jieba baseline")
    ap.add_argument(
        "--skip-no-terms", action="store_true", help="no second cold build without terms"
    )
    ap.add_argument("--skip-cli", action="store_true", help="no piyue list/search processes")
    ap.add_argument(
        "--skip-cli-index", action="store_true", help="no third cold build (``piyue index``)"
    )
    ap.add_argument("--runs", type=int, default=1, help="runs of each timed process (median)")
    ap.add_argument("--repeat", type=int, default=1, help="cold builds of each kind (best kept)")
    ap.add_argument("--words", default="", help="comma-separated queries to time (search_words)")
    args = ap.parse_args()
    global RUNS
    RUNS = max(1, args.runs)
    corpus = args.corpus.resolve()
    root = Path(__file__).resolve().parent.parent
    base_env = {**os.environ, "PYTHONPATH": str(root)}
    homes = [Path(tempfile.mkdtemp(prefix="piyue-bench-")) for _ in range(2)]
    # warm jieba's own dictionary cache for both sides, so neither pays the first build
    subprocess.run([sys.executable, "-c", "import jieba; jieba.initialize()"], capture_output=True)
    for home in homes:
        _warm_dictionary(home, base_env)
    env = {**base_env, "PIYUE_HOME": str(homes[0])}
    result: dict[str, Any] = {}
    size, files = corpus_bytes(corpus)
    result["files"] = files
    result["corpus_mb"] = round(size / 2**20, 1)
    if not args.skip_plain:
        plain_s, plain_cpu = plain_jieba(corpus)
        result["plain_jieba_s"] = round(plain_s, 2)
        result["plain_jieba_cpu_s"] = round(plain_cpu, 2)  # with start-up and dictionary load
    # with and without term discovery, interleaved (the machine's load changes): best of each
    offs: list[float] = []
    off_cpu: list[float] = []
    ons: list[dict[str, Any]] = []
    for _ in range(args.repeat):
        if not args.skip_no_terms:
            off = build(corpus, homes[1], {**base_env, "PIYUE_HOME": str(homes[1])}, terms=False)
            offs.append(off["s"])
            off_cpu.append(off["cpu"])
            Path(off["path"]).unlink(missing_ok=True)
        if ons:
            Path(ons[-1]["path"]).unlink(missing_ok=True)
        ons.append(build(corpus, homes[0], env, terms=True))
    on = min(ons, key=lambda x: x["s"])
    on["path"] = ons[-1]["path"]
    if offs:
        result["cold_no_terms_s"] = round(min(offs), 2)
        result["cold_no_terms_runs"] = [round(x, 2) for x in offs]
        result["cold_index_runs"] = [round(x["s"], 2) for x in ons]
    result.update(
        {
            "pages": on["pages"],
            "articles": on["articles"],
            "terms": on["terms"],
            "cold_index_s": round(on["s"], 2),
            "terms_select_s": round(on["terms_s"], 2),
        }
    )
    result["cold_index_cpu_s"] = round(min(x["cpu"] for x in ons), 2)
    if "cold_no_terms_s" in result:
        result["terms_cost_ratio"] = round(on["s"] / result["cold_no_terms_s"], 3)
        result["cold_no_terms_cpu_s"] = round(min(off_cpu), 2)
        result["terms_cost_ratio_cpu"] = round(
            result["cold_index_cpu_s"] / result["cold_no_terms_cpu_s"], 3
        )
    if "plain_jieba_s" in result:
        result["cold_vs_plain"] = round(on["s"] / result["plain_jieba_s"], 3)
        # CPU seconds: what another session's load does not change (the pool's share of 2 cores
        # does); a cold build's wall time on 2 idle cores is at least half its CPU
        result["cold_cpu_vs_plain_cpu"] = round(
            result["cold_index_cpu_s"] / result["plain_jieba_cpu_s"], 3
        )
    path = Path(on["path"])
    t = time.perf_counter()
    warm = build(corpus, homes[0], env, terms=True)
    result["warm_reindex_s"] = round(warm["s"], 2)
    result["warm_process_s"] = round(time.perf_counter() - t, 2)
    result["warm_vs_cold"] = round(warm["s"] / on["s"], 3)
    cache = str(homes[0] / "cache")
    for name, code in _SCALE.items():
        extra = [args.query] if name == "search" else []
        got = measure([sys.executable, "-c", code, str(corpus), cache, *extra], env)
        result[f"{name}_process"] = got
    # the index as it stands once read (the reader keeps the page rows beside it)
    result["index_mb"] = round(index_bytes(path) / 2**20, 1)
    result["index_vs_corpus"] = round(index_bytes(path) / size, 3)
    piyue = [sys.executable, "-m", "cli"]
    if not args.skip_cli:
        result["cli_search_process"] = measure(
            [*piyue, "search", "--corpus", str(corpus), args.query, "--json"], env
        )
        result["cli_list_json_process"] = measure(
            [*piyue, "list", "--corpus", str(corpus), "--json"], env
        )
    if not args.skip_cli and not args.skip_cli_index:
        # ``piyue index`` as a user runs it: a cold build in a home of its own (the dictionary's
        # sorted copy made there first, as the other homes have it), then again (warm); rss_mb is
        # the peak of the largest process (the command or one of its pool workers)
        home = Path(tempfile.mkdtemp(prefix="piyue-bench-"))
        homes.append(home)
        _warm_dictionary(home, base_env)
        ienv = {**base_env, "PIYUE_HOME": str(home)}
        index_cmd = [*piyue, "index", "--corpus", str(corpus), "--db", str(home / "a.json")]
        result["cli_index_cold_process"] = measure(index_cmd, ienv, runs=1)
        result["cli_index_warm_process"] = measure(index_cmd, ienv, runs=1)
    if args.words:
        words = [w for w in args.words.split(",") if w]
        result["search_words"] = search_words(corpus, cache, words, env)
    print(json.dumps(result, ensure_ascii=False))
    for home in homes:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
