"""The substring search reads only the texts FTS5 and the token vocabulary point at: it must
find exactly what reading every text would (soundness), at any substring."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from storage.index import Index
from storage.pagestore import ARTICLE_ID_SQL

_IDS = f"SELECT a.n, {ARTICLE_ID_SQL} FROM articles a JOIN pages p ON p.no = a.page"


def _texts(idx: Index) -> list[tuple[int, str, str]]:
    """(rowid, article id, text) of every article, in rowid order, from the corpus."""
    text_of = {a.id: a.text for a in idx.corpus().articles}
    rows = idx.db.execute(f"{_IDS} ORDER BY a.n").fetchall()
    return [(n, aid, text_of[aid]) for n, aid in rows]


def _samples(texts: list[str], k: int) -> list[str]:
    rng = random.Random(17)
    out = ["", "洛阳", "营商环境", "打造高质量首创之区", "不存在的词语甲乙", "。", "，“", "2018"]
    for _ in range(k):
        t = rng.choice(texts)
        if not t:
            continue
        i = rng.randrange(len(t))
        out.append(t[i : i + rng.choice((1, 2, 3, 4, 5, 7, 9, 12, 30))])
    out += [s + "丙" for s in out[8:20]]  # mostly absent: one character too many
    return out


def test_substring_hits_are_those_of_a_full_scan(tmp_path: Path, seeds_copy: Path) -> None:
    idx = Index(seeds_copy, tmp_path / "c")
    idx.refresh(workers=1)
    arts = _texts(idx)
    order = {a.id: k for k, a in enumerate(idx.corpus().articles)}
    for s in _samples([t for _, _, t in arts], 500):
        want = [(n, t) for n, _, t in arts if s in t]
        assert idx._substring_hits([s], [], 10**6) == want, s
        assert idx._substring_hits([s], [], 2) == want[:2], s
        got = list(idx.texts_containing(s))
        assert got == sorted(((aid, t) for _, aid, t in arts if s in t), key=lambda x: order[x[0]])
    # several terms and an exclusion
    want = [(n, t) for n, _, t in arts if "洛阳" in t and "发展" in t and "环境" not in t]
    assert idx._substring_hits(["洛阳", "发展"], ["环境"], 10**6) == want
    idx.close()


def test_vocab_follows_the_pages(tmp_path: Path, seeds_copy: Path) -> None:
    idx = Index(seeds_copy, tmp_path / "a")
    idx.refresh(workers=1)
    gone = sorted(seeds_copy.glob("*.txt"))[0]
    gone.unlink()
    changed = sorted(seeds_copy.glob("*.txt"))[0]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n新增一段关于龙门石窟的文字。\n", "utf-8"
    )
    idx.refresh(workers=1)
    # what the stored tokens say now, counted from scratch
    want: Counter[str] = Counter()
    for _n, aid in idx.db.execute(_IDS).fetchall():
        want.update(set(idx.tokens_of(aid) or []))
    assert dict(idx.db.execute("SELECT word, n FROM vocab").fetchall()) == dict(want)
    arts = _texts(idx)
    assert idx._substring_hits(["龙门石窟的文"], [], 10) == [
        (n, t) for n, _, t in arts if "龙门石窟的文" in t
    ]
    assert idx.search("龙门石窟的文")
    idx.close()


def test_function_words_left_out_of_fts_lose_no_hit(tmp_path: Path, seeds_copy: Path) -> None:
    from storage.pagestore import FTS_SKIP

    idx = Index(seeds_copy, tmp_path / "f")
    idx.refresh(workers=1)
    assert idx.db.execute("SELECT count(*) FROM fts WHERE fts MATCH '\"的\"'").fetchone() == (0,)
    assert idx.db.execute("SELECT n FROM vocab WHERE word='的'").fetchone()[0] > 0
    arts = _texts(idx)
    rng = random.Random(5)
    found: list[str] = []
    for _, _, t in arts:  # substrings around a function word, at both ends and inside
        for i, c in enumerate(t):
            if c in FTS_SKIP and rng.random() < 0.05:
                found += [t[max(0, i - 3) : i + 3], t[i : i + 4], t[max(0, i - 4) : i + 1], c]
    assert len(found) > 50
    for s in found:
        want = [(n, t) for n, _, t in arts if s in t]
        assert idx._substring_hits([s], [], 10**6) == want, s
    for query in ("的", "的 洛阳", '"发展 的"', "洛阳 -的", "洛阳 -发展的"):
        hits = idx.search(query)
        assert hits or "-" in query, query
        q = [w.strip('"').replace(" ", "") for w in query.split() if not w.startswith("-")]
        x = [w[1:] for w in query.split() if w.startswith("-")]
        body = {aid: t for _, aid, t in arts}
        for h in hits:
            assert all(w in body[h.article_id] or w in h.title for w in q), (query, h)
            assert not any(w in body[h.article_id] for w in x), (query, h)
    # a page that goes takes its tokens out of FTS5 exactly as they went in
    sorted(seeds_copy.glob("*.txt"))[0].unlink()
    idx.refresh(workers=1)
    idx.db.execute("INSERT INTO fts(fts, rank) VALUES('integrity-check', 0)")
    idx.close()
