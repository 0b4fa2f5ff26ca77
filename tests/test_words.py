"""Segmentation, keywords, the persistent index and search."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from corpus.keywords import DocFreq, is_candidate, rank
from corpus.segment import Segmenter, learn_names
from storage.index import Index, parse_query
from storage.library import Library

from .conftest import SEEDS


@pytest.fixture(scope="module")
def seg(tmp_path_factory: pytest.TempPathFactory) -> Segmenter:
    s = Segmenter(Path(__file__).resolve().parent.parent / ".pytest_cache" / "jieba")
    s.load()
    return s


def test_tokens_have_offsets_into_the_text(seg: Segmenter) -> None:
    text = "涧西区坚持以科技创新为引领，着力发展“专精特新”高科技企业。\n第二段 有空格。"
    toks = seg.tokens(text)
    assert all(text[t.start : t.end] == t.word for t in toks)
    assert "".join(t.word for t in toks) == text.replace(" ", "").replace("\n", "")
    assert "专精特新" in [t.word for t in toks]


def test_domain_dictionary_keeps_terms_whole(seg: Segmenter) -> None:
    words = seg.words("腾笼换鸟，轴研所研发的专用轴承，深化放管服改革，优化营商环境，综保区")
    for term in ("腾笼换鸟", "轴研所", "放管服", "营商环境", "综保区"):
        assert term in words


def test_names_learned_from_the_corpus(tmp_path: Path) -> None:
    texts = [
        "本报讯(记者 孙小蕊)昨日,市委副书记赵会生带领相关部门负责同志到洛宁县督导检查",
        "阮金泉在点评时强调,洛阳市纪委监委要把抓好巩固",
        "严格执行“三个规定”",
    ]
    names = learn_names(texts)
    assert {"孙小蕊", "赵会生", "阮金泉"} <= names
    s = Segmenter(tmp_path / "j")
    s.add_names(names)
    assert "阮金泉" in s.words("阮金泉在点评时强调")
    assert "严格" not in s.names  # a common word that matched a pattern is no name
    text = "阮金泉在洛阳强调"
    assert ("阮金泉", "person") in [(text[a:b], kind) for a, b, kind in s.entities(text)]


def test_user_dictionary_applies(tmp_path: Path) -> None:
    ud = tmp_path / "userdict.txt"
    ud.write_text("# my words\n均和云谷 500 nt\n", encoding="utf-8")
    s = Segmenter(tmp_path / "j", ud)
    assert "均和云谷" in s.words("均和云谷·洛阳信息科技港")
    s.add_word("信息科技港")
    assert "信息科技港" in s.words("洛阳信息科技港")


def test_dictionary_cache_not_in_tmp(tmp_path: Path) -> None:
    s = Segmenter(tmp_path / "cachedir")
    s.load()
    assert list((tmp_path / "cachedir").glob("lexicon-*.idx"))


def test_keyword_candidates_filter_junk() -> None:
    for junk in ["##", "01", "146", "发展", "工作", "的", "。", "3大", "2024年", "a"]:
        assert not is_candidate(junk), junk
    for good in ["专精特新", "阮金泉", "营商环境", "APP", "5G"]:
        assert is_candidate(good), good


def test_keywords_of_seed_articles(seg: Segmenter) -> None:
    lib = Library(SEEDS)
    corpus = lib.load()
    a = next(x for x in corpus.articles if x.title.startswith("提升站位"))
    words = [k.word for k in lib.keywords(a, 10)]
    assert len(words) == 10
    assert "赵会生" in words and "防汛" in words
    assert not any(w.isdigit() or len(w) < 2 for w in words)
    b = next(x for x in corpus.articles if "阮金泉" in x.text)
    assert "阮金泉" in [k.word for k in lib.keywords(b, 20)]


def test_escape_sequences_are_no_keywords(seg: Segmenter) -> None:
    """A page that carried terminal escapes (ESC [ 31m, ESC ] 0;T BEL) gave 31m, 2J as
    keywords; the text around them still counts."""
    from corpus.keywords import outside_escapes

    text = "营商环境\x1b[31m优化\x1b[0m营商环境\x1b[2J\x1b[H\x1b]0;标题栏\x07营商环境 5G 31m"
    words = seg.words(text)
    kept = outside_escapes(words)
    assert "".join(kept) == "营商环境优化营商环境营商环境5G31m"  # a 31m of the text stays
    df = DocFreq()
    df.add_document(words)
    got = [k.word for k in rank(words, df, 20)]
    assert "营商环境" in got and "2J" not in got and "0m" not in got and "标题栏" not in got


def test_rank_prefers_rare_words() -> None:
    df = DocFreq({"常见词": 900, "稀有词": 1}, docs=1000)  # large corpus: its own IDF rules
    ks = rank(["常见词", "常见词", "稀有词"], df, 2)
    assert ks[0].word == "稀有词"


def test_a_word_in_a_quarter_of_a_small_corpus_is_its_genre_not_a_key_term() -> None:
    """jieba's table thinks 高质量发展 rare; in 13 of 30 local news articles it is the genre's
    own vocabulary, and the corpus says so even while the corpus is small."""
    df = DocFreq({"高质量发展": 13, "尾矿库": 2}, docs=30)
    assert df.idf("高质量发展") < 6 < df.idf("尾矿库")
    assert DocFreq({"高质量发展": 13}, docs=10).idf("高质量发展") > 6  # too few to tell
    ks = rank(["高质量发展", "高质量发展", "尾矿库", "尾矿库"], df, 2)
    assert [k.word for k in ks] == ["尾矿库", "高质量发展"]


def test_a_word_said_once_far_below_the_top_is_left_out(seg: Segmenter) -> None:
    """A brief of two sentences has no ten key terms: a plain word said once, scoring under a
    0.3 of the best, is filler (交会处, 占地约); a term or a name is kept."""
    text = (
        "均和云谷·洛阳信息科技港二期项目14栋厂房主体结构封顶。该项目位于伊滨区光武大道与兰台路"
        "交会处附近,占地约146亩。"
    )
    words = seg.words(text)
    df = DocFreq({w: 1 for w in words}, docs=600)
    kinds = {"洛阳信息科技港": "term", "伊滨区": "place"}
    words = [w for w in words if w not in ("洛阳", "信息", "科技", "港")] + ["洛阳信息科技港"] * 2
    got = [k.word for k in rank(words, df, 10, kinds=kinds, title=["洛阳信息科技港", "封顶"])]
    assert got[0] == "洛阳信息科技港" and "伊滨区" in got
    assert "交会处" not in got and "占地约" not in got
    assert len(got) < 10
    plain = [k.word for k in rank(words, df, 10)]  # without kinds: the ranking of old
    assert "交会处" in plain


def test_the_lead_restating_the_headline_counts_once() -> None:
    """What the headline names counts more, and so does what the lead names; a lead that says
    the headline again (提升站位…确保安全度汛) is the same statement, not a second one."""
    df = DocFreq({"站位": 3, "防汛": 3, "尾矿库": 3}, docs=600)
    words = ["站位", "防汛", "尾矿库"]
    got = {
        k.word: k.weight
        for k in rank(words, df, 3, kinds={"尾矿库": "word"}, title=["站位", "防汛"], lead=["站位"])
    }
    assert got["站位"] == got["防汛"]  # in the headline; the lead's echo adds nothing
    led = {k.word: k.weight for k in rank(words, df, 3, kinds={"尾矿库": "word"}, lead=["站位"])}
    assert led["站位"] > led["防汛"] == led["尾矿库"]  # the lead alone still counts


def test_query_syntax() -> None:
    q = parse_query('营商环境 "优化 营商" -党建 “放管服”')
    assert q.terms == ["营商环境"]
    assert q.phrases == ["优化 营商", "放管服"]
    assert q.excluded == ["党建"]


def test_incremental_index(tmp_path: Path, seeds_copy: Path) -> None:
    cache = tmp_path / "cache"
    idx = Index(seeds_copy, cache)
    s1 = idx.refresh(workers=1)
    assert (s1.pages, s1.parsed) == (5, 5) and s1.articles == 30 and s1.tokens > 10000
    s2 = idx.refresh()
    assert (s2.parsed, s2.unchanged) == (0, 5)
    page = next(seeds_copy.glob("001_*.txt"))
    os.utime(page, (time.time() + 5, time.time() + 5))  # touched, same content
    s3 = idx.refresh()
    assert s3.parsed == 0
    page.write_text(
        page.read_text("utf-8") + "\n## 新的文章标题\n\n本报讯(记者 张三)新的内容。\n", "utf-8"
    )
    (seeds_copy / "000_5307bc753add3444.txt").unlink()
    (seeds_copy / "junk.txt").write_bytes(b"\x00\x01binary")
    s4 = idx.refresh()
    assert (s4.parsed, s4.removed, s4.skipped) == (1, 1, 1)
    corpus = idx.corpus()
    assert next(i.source for i in corpus.issues).startswith("001_")
    assert any(a.title == "新的文章标题" for a in corpus.articles)
    assert corpus.skipped[0].file == "junk.txt"
    assert idx.search("新的内容")
    df = idx.doc_freq()
    assert df.docs == len(corpus.articles)
    idx.close()


def test_parallel_and_serial_index_agree(tmp_path: Path, seeds_copy: Path) -> None:
    for i in range(4):  # enough pages for the pool
        for p in list(SEEDS.glob("*.txt")):
            (seeds_copy / f"copy{i}_{p.name}").write_bytes(p.read_bytes())
    a = Index(seeds_copy, tmp_path / "a")
    b = Index(seeds_copy, tmp_path / "b")
    a.refresh(workers=1)
    b.refresh(workers=2)
    q = "SELECT aid, tokens FROM articles ORDER BY page, ord"
    assert a.db.execute(q).fetchall() == b.db.execute(q).fetchall()


def test_corrupt_index_is_rebuilt(tmp_path: Path, seeds_copy: Path) -> None:
    idx = Index(seeds_copy, tmp_path / "c")
    idx.refresh(workers=1)
    path = idx.path
    idx.close()
    path.write_bytes(b"this is not sqlite" * 100)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    idx2 = Index(seeds_copy, tmp_path / "c")
    assert idx2.refresh(workers=1).parsed == 5
    idx2.db.execute("SELECT count(*) FROM fts").fetchone()


def test_search_ranking_phrases_exclusion_substring(tmp_path: Path, seeds_copy: Path) -> None:
    idx = Index(seeds_copy, tmp_path / "s")
    idx.refresh(workers=1)
    hits = idx.search("营商环境")
    assert len(hits) >= 3
    assert all("营商环境" in h.snippet for h in hits)
    assert hits == sorted(hits, key=lambda h: -h.score)
    excl = idx.search("营商环境 -纪检监察")
    assert {h.article_id for h in excl} < {h.article_id for h in hits}
    # a word segmentation splits differently is still found (substring fallback)
    assert idx.search("洛阳制造")
    assert idx.search('"市委常委会"')
    assert idx.search("不存在的词语组合xyz") == []
    assert idx.search("") == []


def test_library_works_without_any_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = Library(SEEDS, cache_dir=tmp_path / "nocache")
    monkeypatch.setattr(Library, "open_index", lambda self: None)
    corpus = lib.load()
    assert len(lib.keywords(corpus.articles[0])) >= 10
    assert lib.search("营商环境") == []  # search needs the index; reading does not
    assert not list((tmp_path / "nocache").glob("index-*.sqlite"))


def test_unusable_cache_dir_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    lib = Library(SEEDS, cache_dir=blocker / "cache")
    assert len(lib.load().articles) == 30
    assert lib.refresh_index() is None


def test_long_unspaced_phrase_spanning_tokens_is_found(tmp_path: Path, seeds_copy: Path) -> None:
    idx = Index(seeds_copy, tmp_path / "p")
    idx.refresh(workers=1)
    hits = idx.search("打造全国先进制造业基地")
    assert hits and all("打造全国先进制造业基地" in h.snippet for h in hits)


def test_the_names_layer_paints_people_not_nouns_jieba_tags_nr(seg: Segmenter) -> None:
    """jieba's dictionary tags 公共安全, 承诺书, 宣传栏 and 多渠道 nr: the names layer showed
    them as people (tester E, E1); a name has a surname's shape or was learned."""
    text = "张铁生表示，通过多渠道发放宣传单、张贴宣传栏、签订承诺书，共同维护公共安全。"
    people = {text[a:b] for a, b, kind in seg.entities(text) if kind == "person"}
    assert not people & {"公共安全", "承诺书", "宣传栏", "宣传单", "多渠道"}
    assert "张铁生" in people
