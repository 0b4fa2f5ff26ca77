"""Save latency of single annotation changes on a database of N annotated articles.

Prints one JSON line: {"docs", "save_p50_ms", "save_p95_ms", "tinydb_default_p50_ms", ...}
— piyue's store vs plain ``TinyDB(path).table(...).update(...)`` on the same data, measured
in the same run (these machines are noisy: compare the ratio, not the absolute figures).

    python -m bench.annotations --docs 50000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from tinydb import TinyDB

from corpus.model import Article, Kind, Paragraph
from storage.annotations import Store
from storage.durable import dump_json


def fake_articles(n: int) -> list[Article]:
    return [
        Article(
            id=f"issue{i // 8:05d}-{i:08x}",
            issue_id=f"issue{i // 8:05d}",
            title=f"标题{i}",
            paragraphs=(Paragraph(Kind.TEXT, f"正文第{i}篇，营商环境与高质量发展。", (1, 1)),),
        )
        for i in range(n)
    ]


def seed_file(path: Path, arts: list[Article]) -> None:
    docs = {
        str(i + 1): {
            "article_id": a.id,
            "issue_id": a.issue_id,
            "title": a.title,
            "head": a.text[:40],
            "text_hash": "0" * 16,
            "tags": ["营商环境", "党建"][: 1 + i % 2],
            "note": "笔记" * 10,
            "read": bool(i % 2),
            "starred": False,
            "created": 0.0,
            "updated": 0.0,
            "orphan": False,
        }
        for i, a in enumerate(arts)
    }
    path.write_bytes(dump_json({"articles": docs, "meta": {"1": {"schema": 1}}}))


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=50_000)
    ap.add_argument("--saves", type=int, default=300)
    ap.add_argument("--baseline-saves", type=int, default=15)
    ap.add_argument("--dir", default=None, help="where to put the databases (a real disk: fsync)")
    args = ap.parse_args()
    rng = random.Random(1)
    arts = fake_articles(args.docs)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        ours = Path(tmp) / "ours.json"
        seed_file(ours, arts)
        t0 = time.perf_counter()
        store = Store.open(ours)
        open_s = time.perf_counter() - t0
        lat: list[float] = []
        for k in range(args.saves):
            a = arts[rng.randrange(len(arts))]
            t = time.perf_counter()
            if k % 2:
                store.add_tags(a, [f"tag{k % 7}"])
            else:
                store.set_note(a, f"note {k}")
            lat.append((time.perf_counter() - t) * 1000)
        t0 = time.perf_counter()
        store.close()
        close_s = time.perf_counter() - t0

        plain = Path(tmp) / "plain.json"
        seed_file(plain, arts)
        base: list[float] = []
        db = TinyDB(plain)
        table = db.table("articles")
        for k in range(args.baseline_saves):
            doc_id = rng.randrange(len(arts)) + 1
            t = time.perf_counter()
            table.update({"note": f"note {k}"}, doc_ids=[doc_id])
            base.append((time.perf_counter() - t) * 1000)
        db.close()
    p50, p95, b50 = statistics.median(lat), pct(lat, 0.95), statistics.median(base)
    print(
        json.dumps(
            {
                "docs": args.docs,
                "save_p50_ms": round(p50, 3),
                "save_p95_ms": round(p95, 3),
                "tinydb_default_p50_ms": round(b50, 3),
                "speedup_p50": round(b50 / p50, 1),
                "speedup_vs_p95": round(b50 / p95, 1),
                "open_s": round(open_s, 3),
                "close_s": round(close_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
