"""Agreement figures for two coders on a study-sized sample: the pure part of ``piyue agree``.

    python -m bench.agreement [--articles 1000] [--codes 30] [--runs 5]

Prints one JSON line: the time of ``agreement_report`` (best and median of the runs), of the
disagreement list and of the formatters, on random but realistic codings — about 3 article
tags and 4 passages per article per coder, articles of about 1,500 characters, the second
coder agreeing with the first most of the time (same tag, passage boundaries shifted a little).
The whole ``piyue agree`` process has 2 s; this part should stay well under 1 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable

from workspace.agreement import (
    Coding,
    Passage,
    agreement_report,
    coded_units,
    disagreements,
    to_csv,
    to_markdown,
)


def fake_study(articles: int, codes: int, seed: int = 12) -> tuple[Coding, Coding, dict[str, int]]:
    rng = random.Random(seed)
    names = [f"代码{k:02d}" for k in range(codes)]
    weights = [1 / (k + 1) for k in range(codes)]  # a few codes common, most rare (Zipf-like)
    lengths: dict[str, int] = {}
    tags_a: dict[str, set[str]] = {}
    tags_b: dict[str, set[str]] = {}
    pas_a: dict[str, list[Passage]] = {}
    pas_b: dict[str, list[Passage]] = {}
    for i in range(articles):
        u = f"rmrb2026{i // 20:04d}-{i:08x}"
        n = max(200, int(rng.gauss(1500, 500)))
        lengths[u] = n
        tags = set(rng.choices(names, weights, k=rng.randint(2, 5)))
        tags_a[u] = tags
        other = {t for t in sorted(tags) if rng.random() < 0.8}
        if rng.random() < 0.5:
            other.add(rng.choices(names, weights)[0])
        tags_b[u] = other
        pa: list[Passage] = []
        pb: list[Passage] = []
        for _ in range(rng.randint(2, 6)):
            start = rng.randrange(n - 100)
            end = min(n, start + rng.randint(10, 200))
            code = rng.choices(names, weights)[0]
            pa.append(Passage(start, end, code))
            roll = rng.random()
            if roll < 0.7:  # same passage, boundaries a sentence fragment apart
                s2 = max(0, start + rng.randint(-15, 15))
                e2 = min(n, max(s2 + 1, end + rng.randint(-15, 15)))
                pb.append(Passage(s2, e2, code))
            elif roll < 0.85:  # same place, another code
                pb.append(Passage(start, end, rng.choices(names, weights)[0]))
            # else: B missed it
        if rng.random() < 0.5:  # B marked something A did not
            start = rng.randrange(n - 100)
            pb.append(Passage(start, start + rng.randint(10, 100), rng.choices(names, weights)[0]))
        pas_a[u], pas_b[u] = pa, pb
    a = Coding("甲", tags=tags_a, passages=pas_a, read=set(lengths))
    b = Coding("乙", tags=tags_b, passages=pas_b, read=set(lengths))
    return a, b, lengths


def timed(runs: int, fn: Callable[[], object]) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--codes", type=int, default=30)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    a, b, lengths = fake_study(args.articles, args.codes)
    units = coded_units(a, b)
    report = agreement_report(a, b, lengths, units)
    report_s = timed(args.runs, lambda: agreement_report(a, b, lengths, units))
    units_s = timed(args.runs, lambda: coded_units(a, b))
    dis_s = timed(args.runs, lambda: disagreements(a, b, units))
    fmt_s = timed(
        args.runs,
        lambda: (to_markdown(report), to_csv(report), json.dumps(report, ensure_ascii=False)),
    )
    print(
        json.dumps(
            {
                "articles": args.articles,
                "codes": args.codes,
                "units": report["units"],
                "chars": sum(lengths.values()),
                "tags_per_article": round(sum(len(t) for t in a.tags.values()) / args.articles, 2),
                "passages_per_article": round(
                    sum(len(p) for p in a.passages.values()) / args.articles, 2
                ),
                "report_best_s": round(min(report_s), 4),
                "report_median_s": round(statistics.median(report_s), 4),
                "coded_units_s": round(min(units_s), 4),
                "disagreements_s": round(min(dis_s), 4),
                "disagreement_rows": len(disagreements(a, b, units)),
                "format_md_csv_json_s": round(min(fmt_s), 4),
                "overall": report["overall"],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
