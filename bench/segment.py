"""Segmentation benchmark: piyue's Segmenter vs plain ``jieba.lcut`` on the same texts, same run.

    python -m bench.segment [CORPUS_DIR] [--pages N]

Prints one JSON line: dictionary load (cold, from cache), words/s for both, the cost of offsets
(``tokens``) and of part-of-speech names for one article (the reader does this per article).
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

from corpus.load import load_corpus
from corpus.segment import Segmenter


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "corpus", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent / "seeds"
    )
    ap.add_argument("--pages", type=int, default=200)
    args = ap.parse_args()
    corpus = load_corpus(args.corpus)
    texts = [a.text for i in corpus.issues[: args.pages] for a in i.articles]
    chars = sum(len(t) for t in texts)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        seg = Segmenter(Path(tmp))
        seg.load()
        cold = time.perf_counter() - t
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
        longest = max(texts, key=len)
        t = time.perf_counter()
        seg.entities(longest)
        pos = time.perf_counter() - t
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
            }
        )
    )


if __name__ == "__main__":
    main()
