"""Analysis benchmark: retrieval, co-occurrence, concordance (as a whole process), autocode.

On a corpus from make_corpus with N codings made here (article tags and passages over ~50
codes, one code with exactly 2,000 passages), prints one JSON line.  The corpus is loaded the
fast way (``Library(root).load()`` from a fresh index); the index is built first when it is
not fresh, under the same ``PIYUE_HOME``.

    python ../shared/tools/make_corpus.py /tmp/c3000 --pages 3000
    PIYUE_HOME=/tmp/home python -m cli --corpus /tmp/c3000 index
    PIYUE_HOME=/tmp/home python -m bench.analysis /tmp/c3000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from corpus.model import Article
from storage.annotations import Store
from storage.durable import dump_json
from storage.library import Library
from workspace import analysis as an
from workspace.kwic import kwic

TARGET = "营商环境"
# The whole ``piyue kwic TERM --json`` process ("index": it reads article texts from the fresh
# index), and for comparison the same lines over the fully loaded corpus ("load").
KWIC_SCRIPT = (
    "import sys, pathlib\n"
    "from storage.library import Library\n"
    "from workspace.kwic import kwic, kwic_json\n"
    "lines = kwic(Library(pathlib.Path(sys.argv[1])).load(), sys.argv[2], width=20)\n"
    "sys.stdout.write(kwic_json(lines))\n"
)


def kwic_command(root: Path, term: str, how: str) -> list[str]:
    if how == "index":
        return [sys.executable, "-m", "cli", "--corpus", str(root), "kwic", term, "--json"]
    return [sys.executable, "-c", KWIC_SCRIPT, str(root), term]


def codebook(n: int) -> list[dict[str, Any]]:
    """``n`` codes: the target, nine top-level codes with four children each, the rest flat."""
    names = [TARGET] + [f"代码{i:02d}" for i in range(1, n)]
    out = []
    for i, name in enumerate(names):
        parent = ""
        if 10 <= i < 46:
            parent = names[1 + (i - 10) // 4]  # 代码01..代码09 get four children each
        out.append({"name": name, "colour": "#61afef", "description": "", "parent": parent})
    return out


def seed(path: Path, arts: list[Article], codings: int, n_codes: int, rng: random.Random) -> None:
    """Write the database file directly: 20,000 ``add_highlight`` calls would time fsyncs."""
    tags = codebook(n_codes)
    others = [t["name"] for t in tags[1:]]
    n_tags = codings // 5
    n_passages = codings - n_tags
    articles: dict[str, dict[str, Any]] = {}

    def art_doc(a: Article) -> dict[str, Any]:
        d = articles.get(a.id)
        if d is None:
            text = a.text
            d = articles[a.id] = {
                "article_id": a.id,
                "issue_id": a.issue_id,
                "title": a.title,
                "head": text[:40],
                "text_hash": hashlib.sha1(text.encode("utf-8")).hexdigest()[:16],
                "tags": [],
                "note": "",
                "read": False,
                "starred": False,
                "created": 0.0,
                "updated": 0.0,
                "orphan": False,
            }
        return d

    for _ in range(n_tags):
        d = art_doc(rng.choice(arts))
        t = rng.choice([*others, TARGET])
        if t not in d["tags"]:
            d["tags"].append(t)
    highlights: dict[str, dict[str, Any]] = {}
    for k in range(n_passages):
        a = rng.choice(arts)
        text = a.text
        start = rng.randrange(max(1, len(text) - 10))
        end = min(len(text), start + rng.randint(5, 60))
        codes = [TARGET] if k < 2000 else rng.sample(others, rng.choice((1, 1, 1, 2)))
        art_doc(a)
        highlights[str(k + 1)] = {
            "id": f"{k:012x}",
            "article_id": a.id,
            "start": start,
            "end": end,
            "quote": text[start:end],
            "prefix": text[max(0, start - 32) : start],
            "suffix": text[end : end + 32],
            "tags": codes,
            "note": "",
            "created": 0.0,
            "orphan": False,
        }
    tables = {
        "articles": {str(i + 1): d for i, d in enumerate(articles.values())},
        "highlights": highlights,
        "tags": {str(i + 1): t for i, t in enumerate(tags)},
        "meta": {"1": {"schema": 1}},
    }
    path.write_bytes(dump_json(tables))


def best_of(n: int, fn: Any) -> tuple[float, float, Any]:
    """(first run, median of ``n`` runs) in seconds, and the last result."""
    times, result = [], None
    for _ in range(n):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return times[0], statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--codings", type=int, default=20_000)
    ap.add_argument("--codes", type=int, default=50)
    ap.add_argument("--term", default="营商环境", help="a frequent term for the concordance")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    env = dict(os.environ)
    root = args.corpus.resolve()

    lib = Library(root)
    indexed = lib._index_file_exists()
    if not indexed:  # the fast load needs a fresh index: build it once
        cmd = [sys.executable, "-m", "cli", "--corpus", str(root), "index"]
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        lib = Library(root)
    t = time.perf_counter()
    corpus = lib.load()
    load_s = time.perf_counter() - t
    arts = [a for a in corpus.articles if len(a.text) > 20]

    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="piyue-analysis-") as tmp:
        db = Path(tmp) / "db.json"
        seed(db, arts, args.codings, args.codes, rng)
        t = time.perf_counter()
        store = Store.open(db)
        open_s = time.perf_counter() - t

        first, med, items = best_of(
            args.runs, lambda: an.retrieve(corpus, store, TARGET, children=False)
        )
        passages = sum(1 for it in items if it.kind == "passage")
        r_first, r_med, parent_items = best_of(
            args.runs, lambda: an.retrieve(corpus, store, "代码01")
        )
        j_first, _, _ = best_of(1, lambda: an.retrieve_json(items))
        c_first, c_med, matrix = best_of(args.runs, lambda: an.cooccur(corpus, store))
        _, s_med, rows = best_of(args.runs, lambda: an.stats(corpus, store))
        k_first, k_med, lines = best_of(args.runs, lambda: kwic(corpus, args.term))

        whole: dict[str, Any] = {}
        for how in ("index", "load"):
            walls, cpus = [], []
            for _ in range(3):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                out = subprocess.run(
                    kwic_command(root, args.term, how),
                    capture_output=True,
                    env=env,
                    check=True,
                )
                walls.append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            whole[f"kwic_whole_process_{how}_wall_s"] = [round(x, 3) for x in walls]
            whole[f"kwic_whole_process_{how}_cpu_s"] = [round(x, 3) for x in cpus]
            whole[f"kwic_whole_process_{how}_lines"] = len(json.loads(out.stdout)["lines"])

        plan = an.plan_autocode(corpus, args.term, "sentence")[:200]
        t = time.perf_counter()
        coded = an.apply_autocode(store, plan, "自动编码")
        apply_s = time.perf_counter() - t
        t = time.perf_counter()
        store.undo()
        undo_s = time.perf_counter() - t
        store.close()

    ms = 1000.0
    print(
        json.dumps(
            {
                "pages": len(corpus.issues),
                "articles": len(corpus.articles),
                "codings": args.codings,
                "codes": len(matrix["codes"]),
                "corpus_load_s": round(load_s, 3),
                "index_was_built_by_bench": not indexed,
                "store_open_s": round(open_s, 3),
                "retrieve_items": len(items),
                "retrieve_passages": passages,
                "retrieve_full_list_first_ms": round(first * ms, 1),
                "retrieve_full_list_median_ms": round(med * ms, 1),
                "retrieve_parent_with_children_items": len(parent_items),
                "retrieve_parent_with_children_first_ms": round(r_first * ms, 1),
                "retrieve_parent_with_children_median_ms": round(r_med * ms, 1),
                "retrieve_json_ms": round(j_first * ms, 1),
                "cooccur_first_s": round(c_first, 3),
                "cooccur_median_s": round(c_med, 3),
                "stats_rows": len(rows),
                "stats_median_s": round(s_med, 3),
                "kwic_term": args.term,
                "kwic_lines": len(lines),
                "kwic_in_process_first_s": round(k_first, 3),
                "kwic_in_process_median_s": round(k_med, 3),
                **whole,
                "autocode_passages": coded,
                "autocode_apply_s": round(apply_s, 3),
                "autocode_undo_s": round(undo_s, 3),
                "loadavg_1min_at_end": round(os.getloadavg()[0], 2),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
