"""Key-term benchmark: do the top-10 keywords contain the terms a researcher expects?

    python -m bench.keywords [--labels tests/fixtures/keyterms.json] [--top 10]

Prints one JSON object: for "before" (main's ranking: words, learned names, no terms), "after"
(what the reader shows: the corpus indexed, terms discovered and joined into the stored tokens,
``Library.keywords`` ranking them with their kinds) and plain
``jieba.analyse.extract_tags`` — strict recall@N (a keyword equals or contains the term), junk
(digits, single characters, fragments, boilerplate) and the time of one article's keywords
(its tokens read from the index included).
The labels are hand-written (tests/fixtures/keyterms.json is held out; keyterms_tune.json is
what the ranking was tuned on).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from corpus.keywords import DocFreq, Keyword, rank
from corpus.load import load_corpus
from corpus.model import Article
from corpus.segment import Segmenter, learn_names
from corpus.termnames import stopwords
from corpus.terms import Counts, count_page, select_terms
from storage.library import Library

ROOT = Path(__file__).resolve().parent.parent
_FUNCTION = "的了和与及在是对把将从为以等并也都而又让被向于就才之其着过"
_BOILERPLATE = frozenset(
    "本报讯 本报 记者 通讯员 编辑 校对 组版 洛报融媒 图片 资料图片 上接 下转".split()
)
_FUNCTION_WORDS = frozenset(_FUNCTION) | {"以及", "并且", "而且", "通过", "按照", "对于", "关于"}
_NUMERAL_NAME = re.compile(r"^[一二三四五六七八九十百千]{3,}$")
_BASE: Segmenter | None = None
"""The segmenter without learned terms, to see where a keyword's words start and end."""
_NUMERIC = re.compile(r"^[\d零一二三四五六七八九十百千万亿两几多余个年月日号时分点%％.]+$")


def junk_reason(word: str, seg: Segmenter | None = None) -> str | None:
    """Why a keyword is junk for a reader, or None.  A fragment starts or ends with a function
    word (的, 和, 在…) as the plain segmenter cuts it; numerals that name something (十四五)
    are not digits."""
    if len(word) < 2:
        return "single character"
    if word.isdigit() or (_NUMERIC.match(word) and not _NUMERAL_NAME.match(word)):
        return "digits"
    if not re.search(r"[\u3400-\u9fffA-Za-z]", word):
        return "no text"
    if word in _BOILERPLATE or word in stopwords():
        return "boilerplate"
    if seg is not None:
        parts = _BASE.words(word) if _BASE is not None else seg.words(word)
        if len(parts) > 1 and (parts[0] in _FUNCTION_WORDS or parts[-1] in _FUNCTION_WORDS):
            return "fragment"
    elif word[0] in "的了着过之" or word[-1] in _FUNCTION:
        return "fragment"
    return None


def score(ranked: dict[str, list[str]], labels: dict[str, Any], top: int) -> dict[str, Any]:
    """Strict recall@top and junk of each article's ranked keywords against its labels."""
    hits = total = 0
    junk: list[str] = []
    missed: dict[str, list[str]] = {}
    for aid, entry in labels.items():
        kws = ranked.get(aid, [])[:top]
        for term in entry["terms"]:
            total += 1
            if any(k == term or term in k for k in kws):
                hits += 1
            else:
                missed.setdefault(aid, []).append(term)
        junk += [k for k in kws if junk_reason(k, _BASE)]
    return {
        "recall": round(hits / total, 3) if total else 0.0,
        "hits": hits,
        "terms": total,
        "junk": len(junk),
        "junk_words": junk,
        "missed": missed,
    }


def _text(a: Article) -> str:
    return f"{a.title}\n{a.text}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=ROOT / "seeds")
    ap.add_argument(
        "--labels",
        type=Path,
        nargs="*",
        default=[ROOT / "tests/fixtures/keyterms.json", ROOT / "tests/fixtures/keyterms_tune.json"],
    )
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--show", action="store_true", help="print each article's keywords")
    ap.add_argument(
        "--no-tags", action="store_true", help="select terms without jieba's parts of speech"
    )
    args = ap.parse_args()
    corpus = load_corpus(args.corpus)
    arts = list(corpus.articles)
    with tempfile.TemporaryDirectory() as tmp:
        # before: main's code path (Library.keywords without an index)
        seg = Segmenter(Path(tmp))
        seg.add_names(learn_names(f"{a.reporters}\n{a.text}" for a in arts))
        seg.load()
        global _BASE
        _BASE = Segmenter(Path(tmp))
        boost = seg.names | seg.user_words
        df = DocFreq()
        words = {a.id: seg.words(_text(a)) for a in arts}
        for a in arts:
            df.add_document(words[a.id])
        before = {a.id: [k.word for k in rank(words[a.id], df, args.top, boost)] for a in arts}
        # after: terms over the corpus, per page and merged, learned into the segmenter
        t = time.perf_counter()
        counts = Counts()
        for issue in corpus.issues:
            counts.merge(count_page([words[a.id] for a in issue.articles]))
        tags = seg.tags()
        terms = select_terms(counts, tags=None if args.no_tags else tags)
        discover = time.perf_counter() - t
        # after: what the reader shows — the corpus indexed (terms discovered while pages are
        # parsed, joined into the stored tokens when read), keywords from ``Library.keywords``
        lib = Library(args.corpus, cache_dir=Path(tmp) / "cache", rejected_file=Path(tmp) / "r")
        lib.refresh_index(workers=1)
        lib.prepare_words()
        after_kw: dict[str, list[Keyword]] = {}
        times = []
        for a in lib.load().articles:
            t = time.perf_counter()
            after_kw[a.id] = lib.keywords(a, top=args.top)
            times.append(time.perf_counter() - t)
        after = {aid: [k.word for k in ks] for aid, ks in after_kw.items()}
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    plain = {a.id: list(jieba.analyse.extract_tags(_text(a), topK=args.top)) for a in arts}
    out: dict[str, Any] = {
        "articles": len(arts),
        "terms_discovered": len(terms),
        "discovery_ms": round(discover * 1000, 1),
        "rank_ms_median": round(statistics.median(times) * 1000, 2),
        "rank_ms_max": round(max(times) * 1000, 2),
    }
    for path in args.labels:
        labels = json.loads(path.read_text("utf-8"))["articles"]
        out[path.stem] = {
            "before": score(before, labels, args.top),
            "after": score(after, labels, args.top),
            "jieba_extract_tags": score(plain, labels, args.top),
        }
    if args.show:
        for a in arts:
            print(a.id, a.title[:20])
            print("  before:", " ".join(before[a.id]))
            print("  after: ", " ".join(f"{k.word}/{k.kind[:3]}" for k in after_kw[a.id]))
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
