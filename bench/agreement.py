"""Agreement figures for two coders on a study-sized sample: the pure part of ``piyue agree``,
and the whole ``piyue agree`` process on a real corpus and database.

    python -m bench.agreement [--articles 1000] [--codes 30] [--runs 5] [--no-process]

Prints one JSON line: the time of ``agreement_report`` (best and median of the runs), of the
disagreement list and of the formatters, on random but realistic codings — about 3 article
tags and 4 passages per article per coder, articles of about 1,500 characters, the second
coder agreeing with the first most of the time (same tag, passage boundaries shifted a little).

Then (unless ``--no-process``) the same kind of codings are written by two coders into a real
annotation database over a generated corpus of that many articles (pages of 20 articles,
about 1,000 characters each), and ``python -m cli agree 甲 乙 --json`` is timed as a whole
process: ``process_first_s`` (the first run after the database was written), and the best
and median of the runs after it.  The budget is 2 s for the whole process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from workspace.agreement import (
    Coding,
    Passage,
    agreement_report,
    coded_units,
    disagreements,
    to_csv,
    to_markdown,
)


def fake_study(
    articles: int, codes: int, seed: int = 12, sizes: Mapping[str, int] | None = None
) -> tuple[Coding, Coding, dict[str, int]]:
    """Two coders' codings of ``articles`` units (of ``sizes``' units and lengths if given)."""
    rng = random.Random(seed)
    given = list(sizes.items()) if sizes is not None else []
    names = [f"代码{k:02d}" for k in range(codes)]
    weights = [1 / (k + 1) for k in range(codes)]  # a few codes common, most rare (Zipf-like)
    lengths: dict[str, int] = {}
    tags_a: dict[str, set[str]] = {}
    tags_b: dict[str, set[str]] = {}
    pas_a: dict[str, list[Passage]] = {}
    pas_b: dict[str, list[Passage]] = {}
    for i in range(articles):
        if given:
            u, n = given[i]
        else:
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


_WORDS = "发展 经济 城市 改革 企业 服务 项目 建设 创新 环境 群众 工作 推进 加快 产业 质量".split()


def write_corpus(root: Path, articles: int, seed: int = 3) -> None:
    """Pages of 20 articles: a heading, a lead with a byline, three paragraphs."""
    rng = random.Random(seed)

    def para(n: int) -> str:
        return "".join(rng.choice(_WORDS) for _ in range(n)) + "。"

    for p in range((articles + 19) // 20):
        lines = []
        for k in range(min(20, articles - 20 * p)):
            lines.append(f"## 第{p}版第{k}篇 {rng.choice(_WORDS)}{rng.choice(_WORDS)}新闻\n")
            lines.append(f"本报讯(记者 张{k}) " + para(100) + "\n")
            lines.extend(para(rng.randint(80, 200)) + "\n" for _ in range(3))
        (root / f"p{p:04d}.txt").write_text("\n".join(lines), encoding="utf-8")


def write_database(root: Path, db: Path, articles: int, codes: int) -> dict[str, int]:
    """Two coders' codings of the corpus's articles, written through the store."""
    from corpus.load import load_corpus
    from storage.annotations import Store

    corpus = load_corpus(root)
    arts = {a.id: a for a in corpus.articles[:articles]}
    a, b, _ = fake_study(len(arts), codes, sizes={k: len(v.text) for k, v in arts.items()})
    with Store.open(db, coder="甲") as store:
        for coding in (a, b):
            with store.as_coder(coding.coder), store.batch(f"bench {coding.coder}"):
                for unit, art in arts.items():
                    if coding.tags.get(unit):
                        store.add_tags(art, sorted(coding.tags[unit]))
                    for p in coding.passages.get(unit, ()):
                        store.add_highlight(art, p.start, p.end, [p.code])
                    if unit in coding.read:
                        store.set_read(art, True, undoable=False)
    return {"db_articles": len(arts), "db_bytes": db.stat().st_size}


def process_times(articles: int, codes: int, runs: int) -> dict[str, object]:
    """``python -m cli agree 甲 乙 --json`` as a whole process over a real corpus and db."""
    with tempfile.TemporaryDirectory(prefix="piyue-agree-") as tmp:
        root, home = Path(tmp) / "corpus", Path(tmp) / "home"
        root.mkdir()
        home.mkdir()
        write_corpus(root, articles)
        db = Path(tmp) / "annotations.json"
        t = time.perf_counter()
        built = write_database(root, db, articles, codes)
        build_s = time.perf_counter() - t
        env = {**os.environ, "PIYUE_HOME": str(home)}
        argv = [sys.executable, "-m", "cli", "--corpus", str(root), "--db", str(db)]
        argv += ["agree", "甲", "乙", "--json"]

        def once() -> float:
            t = time.perf_counter()
            done = subprocess.run(argv, env=env, capture_output=True, check=False)
            took = time.perf_counter() - t
            if done.returncode != 0:
                raise SystemExit(done.stderr.decode("utf-8", "replace"))
            return took

        first = once()
        warm = [once() for _ in range(runs)]
        report = json.loads(subprocess.run(argv, env=env, capture_output=True, check=True).stdout)
    return {
        **built,
        "db_build_s": round(build_s, 2),
        "process_units": report["units"],
        "process_codes": len(report["codes"]),
        "process_first_s": round(first, 3),
        "process_best_s": round(min(warm), 3),
        "process_median_s": round(statistics.median(warm), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--codes", type=int, default=30)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-process", action="store_true", help="only the pure part")
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
    process = {} if args.no_process else process_times(args.articles, args.codes, args.runs)
    print(
        json.dumps(
            {
                **process,
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
