"""Segmentation benchmark: piyue's Segmenter vs plain ``jieba.lcut`` on the same texts, same run.

    python -m bench.segment [CORPUS_DIR] [--pages N]

Prints one JSON line: dictionary load (cold, from cache), words/s for both (piyue's runs on rjieba,
Python jieba's algorithm in Rust; plain is Python jieba), the cost of offsets
(``tokens``) and of part-of-speech names for one article (the reader does this per article), and
what term discovery adds to segmenting the pages (``count_page`` per page, merge, ``select_terms``:
the issue's budget is 25% of a cold index) and the RSS after segmenter + keywords + POS.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

from corpus.keywords import DocFreq, kinds_of, rank
from corpus.load import load_corpus
from corpus.segment import Segmenter
from corpus.terms import Counts, count_page, select_terms


def rss_mb() -> float:
    """Resident set size now (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "corpus", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent / "seeds"
    )
    ap.add_argument("--pages", type=int, default=200)
    args = ap.parse_args()
    rss_start = rss_mb()
    corpus = load_corpus(args.corpus)
    issues = corpus.issues[: args.pages]
    texts = [a.text for i in issues for a in i.articles]
    chars = sum(len(t) for t in texts)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        seg = Segmenter(Path(tmp))
        seg.load()
        cold = time.perf_counter() - t
        # the reader's memory: one article with every layer (words, keywords, names/POS),
        # measured before this benchmark loads anything else
        longest = max(texts, key=len)
        reader_words = seg.words(longest)
        seg.entities(longest)
        reader_df = DocFreq()
        reader_df.add_document(reader_words)
        rank(reader_words, reader_df, 20)
        rss_reader = rss_mb()
        t = time.perf_counter()
        Segmenter(Path(tmp)).load()
        warm = time.perf_counter() - t
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        t = time.perf_counter()
        n_plain = sum(len(jieba.lcut(x)) for x in texts)
        plain = time.perf_counter() - t
        t = time.perf_counter()
        n_ours = sum(len(seg.words(x)) for x in texts)
        ours = time.perf_counter() - t
        t = time.perf_counter()
        for x in texts:
            seg.tokens(x)
        offsets = time.perf_counter() - t
        t = time.perf_counter()
        seg.entities(longest)
        pos = time.perf_counter() - t
        # term discovery over the same pages, against segmenting them: page by page, as the
        # indexer does (segment a page, count it, keep only its counts)
        segment_pages = count_s = 0.0
        per_page = []
        for issue in issues:
            t = time.perf_counter()
            ws = [seg.words(f"{a.title}\n{a.text}") for a in issue.articles]
            t2 = time.perf_counter()
            per_page.append(count_page(ws))
            segment_pages += t2 - t
            count_s += time.perf_counter() - t2
        art_words = seg.words(longest)
        # what a removal costs when rjieba must drop dead words: a fresh instance, layers again
        t = time.perf_counter()
        seg._rebuild()
        rebuild = time.perf_counter() - t
        t = time.perf_counter()
        total = Counts()
        for c in per_page:
            total.merge(c)
        merge_s = time.perf_counter() - t
        t = time.perf_counter()
        terms = select_terms(total, tags=seg.tags())
        select_s = time.perf_counter() - t
        t = time.perf_counter()
        seg.add_terms(terms)
        learn_s = time.perf_counter() - t
        df = DocFreq()
        df.add_terms(terms)
        for a in corpus.articles[:2000]:
            df.add_document(seg.words(a.text[:400]))
        t = time.perf_counter()
        rank(art_words, df, 20, set(seg.terms) | seg.names, kinds_of(terms, seg.names))
        rank_s = time.perf_counter() - t
        grams = sum(len(c.grams) for c in per_page)
    print(
        json.dumps(
            {
                "articles": len(texts),
                "chars": chars,
                "dict_load_cold_s": round(cold, 3),
                "dict_load_warm_s": round(warm, 3),
                "plain_lcut_s": round(plain, 3),
                "piyue_words_s": round(ours, 3),
                "words_vs_plain": round(ours / plain, 3),
                "tokens_with_offsets_s": round(offsets, 3),
                "tokens_vs_plain": round(offsets / plain, 3),
                "plain_words": n_plain,
                "piyue_words": n_ours,
                "entities_longest_article_ms": round(pos * 1000, 1),
                "longest_article_chars": len(longest),
                "rss_start_mb": round(rss_start, 1),
                "rss_reader_one_article_mb": round(rss_reader, 1),
                "rss_end_mb": round(rss_mb(), 1),
                "pages": len(issues),
                "segment_pages_s": round(segment_pages, 3),
                "terms_count_pages_s": round(count_s, 3),
                "terms_merge_s": round(merge_s, 3),
                "terms_select_s": round(select_s, 3),
                "terms_vs_segment": round((count_s + merge_s + select_s) / segment_pages, 3),
                "terms_learn_s": round(learn_s, 3),
                "terms": len(terms),
                "grams_stored_per_page": round(grams / max(1, len(per_page)), 1),
                "merged_grams": len(total.grams),
                "rank_longest_article_ms": round(rank_s * 1000, 2),
                "rjieba_rebuild_s": round(rebuild, 3),
                "rjieba_rebuilds": seg.rebuilds,
                "jieba_fallbacks": seg.jieba_fallbacks,
            }
        )
    )


if __name__ == "__main__":
    main()
