"""rjieba as the engine: the same tokens as Python jieba with every layer piyue adds and removes.

``JiebaSegmenter`` (``tests/jieba_reference.py``) is the former implementation (a dedicated ``jieba.Tokenizer``); ``Segmenter``
must give exactly its tokens, on the seed pages and on pages made by shuffling their sentences,
with names learned and forgotten page by page, terms set and replaced, the user's words and
splits, and the cases where rjieba differs from jieba (deleted words, CJK extension characters).
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from corpus import tokenizer as tokmod
from corpus.load import load_corpus
from corpus.segment import Segmenter, learn_names
from corpus.terms import Counts, Term, count_page, select_terms
from corpus.tokenizer import Lexicon
from tests.jieba_reference import JiebaSegmenter

from .conftest import ROOT, SEEDS

CACHE = ROOT / ".pytest_cache" / "jieba"


def _pages() -> list[list[str]]:
    """Each seed page as its articles' ``title\\ntext``, with bylines (names are learned from
    them)."""
    return [
        [f"{a.reporters}\n{a.title}\n{a.text}" for a in issue.articles]
        for issue in load_corpus(SEEDS).issues
    ]


_SENTENCE = re.compile(r"[^。！？]*[。！？]?")


def _generated(n: int, seed: int = 7) -> list[list[str]]:
    """Pages of seed sentences shuffled across articles and pages, numbers changed: new contexts
    for every word boundary (names, terms and user words meet new neighbours)."""
    rng = random.Random(seed)
    sentences = [
        s
        for page in _pages()
        for art in page
        for line in art.splitlines()
        for s in _SENTENCE.findall(line)
        if s.strip()
    ]
    bylines = [art.split("\n", 1)[0] for page in _pages() for art in page]
    pages = []
    for _ in range(n):
        arts = []
        for _ in range(rng.randint(3, 8)):
            body = "".join(rng.choice(sentences) for _ in range(rng.randint(2, 12)))
            body = re.sub(r"\d+", lambda m: str(rng.randint(1, 3000)), body)
            arts.append(f"{rng.choice(bylines)}\n{rng.choice(sentences)[:20]}\n{body}")
        pages.append(arts)
    return pages


def _same(a: Segmenter, b: JiebaSegmenter, text: str) -> None:
    ta = [(t.word, t.start, t.end) for t in a.tokens(text)]
    tb = [(t.word, t.start, t.end) for t in b.tokens(text)]
    if ta != tb:
        i = next(k for k, (x, y) in enumerate(zip(ta, tb, strict=False)) if x != y)
        raise AssertionError(f"rjieba {ta[i - 3 : i + 4]} != jieba {tb[i - 3 : i + 4]}")
    assert a.words(text) == b.words(text)


def _run_pages(a: Segmenter, b: JiebaSegmenter, pages: list[list[str]]) -> int:
    """What the indexer does: each page's names learned for that page only."""
    n = 0
    for page in pages:
        names = learn_names(page)
        added_a, added_b = a.add_names(names), b.add_names(names)
        assert added_a == added_b
        for text in page:
            _same(a, b, text.split("\n", 1)[1])
            n += 1
        a.forget_names(added_a)
        b.forget_names(added_b)
    return n


@pytest.fixture(scope="module")
def seed_terms() -> list[Term]:
    s = Segmenter(CACHE)
    total = Counts()
    for page in _pages():
        total.merge(count_page([s.words(t) for t in page]))
    return select_terms(total, tags=s.tags())


@pytest.fixture
def userdict(tmp_path: Path) -> Path:
    ud = tmp_path / "userdict.txt"
    ud.write_text(
        "# words and splits of a user\n均和云谷 500 nt\n信息科技港\n营商环境 0\n高质量 0\n"
        "洛阳制造 20\n伊滨区 ns\n",
        encoding="utf-8",
    )
    return ud


def test_lexicon_answers_what_jiebas_tables_answer(tmp_path: Path) -> None:
    import jieba
    import jieba.posseg

    lex = Lexicon(tmp_path)
    tk = jieba.Tokenizer()
    tk.tmp_dir = str(CACHE)
    CACHE.mkdir(parents=True, exist_ok=True)
    tk.initialize()
    assert lex.py_total == tk.total
    rng = random.Random(3)
    words = [*rng.sample(sorted(tk.FREQ), 20000), "中华人民", "B超", "zzz", "", "洛阳"]
    tags = jieba.posseg.dt.word_tag_tab
    for w in words:
        freq, tag = lex.entry(w)
        assert freq == tk.FREQ.get(w), w
        assert tag == tags.get(w), w
    assert Lexicon(tmp_path).entry("洛阳") == lex.entry("洛阳")  # read back from the cache


def test_same_tokens_on_the_seeds_with_every_layer(
    tmp_path: Path, seed_terms: list[Term], userdict: Path
) -> None:
    a = Segmenter(tmp_path / "a", userdict)
    b = JiebaSegmenter(tmp_path / "b", userdict)
    a.add_terms(seed_terms[: len(seed_terms) // 2])  # before loading: the pending path
    b.add_terms(seed_terms[: len(seed_terms) // 2])
    a.load()
    b.load()
    assert a.terms == b.terms and a.terms
    assert _run_pages(a, b, _pages()) == 30
    a.set_terms(seed_terms[len(seed_terms) // 3 :])  # some forgotten, some added
    b.set_terms(seed_terms[len(seed_terms) // 3 :])
    assert a.terms == b.terms
    a.add_word("信息科技", 2000)
    b.add_word("信息科技", 2000)
    a.split_word("洛阳市", ["洛阳", "市"])
    b.split_word("洛阳市", ["洛阳", "市"])
    a.split_word("领导", ["领", "导"])  # a word of jieba's dictionary, into single characters
    b.split_word("领导", ["领", "导"])
    assert a.terms == b.terms
    _run_pages(a, b, _pages())
    every = learn_names(t for p in _pages() for t in p)  # the reader: all names at once
    assert a.add_names(every) == b.add_names(every)
    _run_pages(a, b, _pages())
    a.forget_terms()
    b.forget_terms()
    _run_pages(a, b, _pages())
    assert a._t.total == b._tk.total  # type: ignore[attr-defined]


def test_same_tokens_on_generated_pages(
    tmp_path: Path, seed_terms: list[Term], userdict: Path
) -> None:
    a = Segmenter(tmp_path / "a", userdict)
    b = JiebaSegmenter(tmp_path / "b", userdict)
    for s in (a, b):
        s.add_terms(seed_terms)
        s.load()
        s.add_word("防汛抗旱", 2000)
        s.split_word("监督检查", ["监督", "检查"])
    assert _run_pages(a, b, _generated(60)) > 200


def test_dead_words_and_force_splits_follow_jieba(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Words added then removed stay in rjieba's trie at frequency 0: a run of single characters
    that spells one must still go to the HMM (and a split word's HMM output be split)."""
    monkeypatch.setattr(tokmod, "_DEAD_REBUILD", 5)
    a = Segmenter(tmp_path / "a")
    b = JiebaSegmenter(tmp_path / "b")
    a.load()
    b.load()
    texts = [
        "赵会生强调，阮金泉指出，孙小蕊说。",
        "，赵会生，阮金泉。洛阳市委常委会研究部署",
        "AT&T的B超和C++在洛阳，GDP增长5.3%，㐀丽𠀀华伊滨区\r\n第二段",
        "研究生命起源，结婚的和尚未结婚的",
    ]
    names = [{"赵会生", "阮金泉"}, {"孙小蕊"}, {"王岚", "晓南"}, {"武力", "向东", "祖威"}]
    for _ in range(2):
        for group in names:
            got_a, got_b = a.add_names(group), b.add_names(group)
            for t in texts:
                _same(a, b, t)
            a.forget_names(got_a)
            b.forget_names(got_b)
            for t in texts:
                _same(a, b, t)
    assert a.rebuilds >= 1
    for word, parts in [("生命", ["生", "命"]), ("和尚", ["和", "尚"]), ("会生", ["会", "生"])]:
        a.split_word(word, parts)
        b.split_word(word, parts)
        for t in texts:
            _same(a, b, t)
    a.add_word("尚未结婚", 50)
    b.add_word("尚未结婚", 50)
    for t in texts:
        _same(a, b, t)


def test_extension_characters_are_single_symbols(tmp_path: Path) -> None:
    a = Segmenter(tmp_path / "a")
    b = JiebaSegmenter(tmp_path / "b")
    for t in ["㐀㐁中华人民共和国", "鿖鿗洛阳", "𠀀𠀁𠀂报道", "丽華兀中", "x\u3400y"]:
        _same(a, b, t)


def test_pos_and_entities_from_the_same_tokens(tmp_path: Path) -> None:
    a = Segmenter(tmp_path / "a")
    b = JiebaSegmenter(tmp_path / "b")
    kinds: dict[str, tuple[set[str], set[str]]] = {}
    for page in _pages():
        names = learn_names(page)
        a.add_names(names)
        b.add_names(names)
    for page in _pages():
        for text in page:
            toks = [(t.word, t.start, t.end) for t in a.tokens(text)]
            assert [(w, s, e) for w, _, s, e in a.iter_pos(text)] == toks
            for seg, side in ((a, 0), (b, 1)):
                for s, e, kind in seg.entities(text):
                    kinds.setdefault(kind, (set(), set()))[side].add(text[s:e])
    for kind in ("person", "place", "org"):
        new, old = kinds[kind]
        assert len(new & old) >= 0.85 * len(old), (kind, sorted(old - new)[:20])
    assert {"赵会生", "阮金泉"} <= kinds["person"][0]
    assert "洛阳" in kinds["place"][0]


def test_tags_table(tmp_path: Path) -> None:
    s = Segmenter(tmp_path / "a")
    s.add_terms([Term("东方红国际陆港联运中心", 2, "organisation", ("东方红", "国际"))])
    tags = s.tags()
    assert tags["洛阳"] == "ns" and tags.get("的") == "uj"
    assert tags.get("东方红国际陆港联运中心") == "nt"
    assert tags.get("不是一个词xyz") is None
    s.forget_terms()
    assert s.tags().get("东方红国际陆港联运中心") is None


def test_reader_never_loads_jiebas_dictionary(tmp_path: Path) -> None:
    code = f"""
import sys, tracemalloc
from pathlib import Path
tracemalloc.start()
from corpus.segment import Segmenter
s = Segmenter(Path({str(CACHE)!r}))
s.add_names(["阮金泉"])
text = "阮金泉在洛阳强调，优化营商环境。" * 50
assert ("阮金泉", "nr") in [(w, t) for w, t, _, _ in s.iter_pos(text)]
s.words(text); s.entities(text); s.tags().get("洛阳")
s.add_word("营商环境优化", 2000); s.split_word("营商环境", ["营商", "环境"]); s.words(text)
assert "jieba" not in sys.modules, "Python jieba was imported"
print(tracemalloc.get_traced_memory()[1] // 2**20)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert int(out.stdout.strip()) < 20  # MB of Python objects at the peak (jieba's: ≈90)


def test_whitespace_tokens_are_the_ones_isspace_knows() -> None:
    every = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert frozenset([*every, "\r\n"]) == tokmod.SPACES


def test_indexer_packs_words_as_pack_tokens_does() -> None:
    from storage.indexer import pack_words
    from storage.pagestore import inflate, pack_tokens

    s = Segmenter(CACHE)
    for a in load_corpus(SEEDS).articles:
        source = f"{a.title}\n{a.text}\r\n\u3000 x"
        words = s.words(source)
        packed = pack_words(words)
        assert packed is not None
        assert inflate(packed) == inflate(pack_tokens(source, " ".join(words)))
    assert inflate(pack_words([]) or b"") == inflate(pack_tokens("", ""))
    assert pack_words(["长" * 300]) is None


def test_a_dead_dictionary_word_rjieba_cannot_follow_falls_back_to_jieba(tmp_path: Path) -> None:
    """揶揄 is in jieba's dictionary, 揶 alone is no word: split, its zero-frequency edge may be
    the only one where it starts, and a rebuild cannot drop a word of jieba's own dictionary."""
    a = Segmenter(tmp_path / "a")
    b = JiebaSegmenter(tmp_path / "b")
    for s in (a, b):
        s.split_word("揶揄", ["揶", "揄"])
    for t in ["他揶揄地笑了", "揶揄。", "不要揶揄别人，揶揄是不好的"]:
        _same(a, b, t)
    assert a.jieba_fallbacks >= 1
    _same(a, b, "没有那个词的句子照常切分")


def test_a_split_is_the_one_the_user_drew(tmp_path: Path) -> None:
    """Splitting 市委办公室领导班子 as 市委办公室/领导/班子 must cut it so, though jieba's
    dictionary has 领导班子 (which beats 领导 + 班子) and cuts 市委办公室 as 市委/办公室; the
    entries written to the user dictionary give the same cut after a restart; jieba, told the
    same, cuts the same."""
    word, parts = "市委办公室领导班子", ["市委办公室", "领导", "班子"]
    text = "市委办公室领导班子召开专题民主生活会。领导班子成员参加。"
    a = Segmenter(tmp_path / "a")
    b = JiebaSegmenter(tmp_path / "b")
    for s in (a, b):
        s.load()
        s.add_word(word, 2000)
        assert s.words(text)[0] == word
    tuned = a.split_word(word, parts)
    b.split_word(word, parts)
    assert a.words(text)[:3] == parts
    _same(a, b, text)
    assert word in a.user_splits and {"市委办公室"} <= a.user_words
    assert "领导班子" not in a.user_words  # tuned down where the user drew a line, not kept
    assert [w for w in a.words(text) if w == "领导班子"] == []  # jieba has no context: a
    # word tuned to 0 is gone everywhere (suggest_freq's own result here)
    userdict = tmp_path / "userdict.txt"
    userdict.write_text(f"{word} 2000\n" + "".join(f"{w} {f}\n" for w, f in tuned), "utf-8")
    c = Segmenter(tmp_path / "c", userdict)
    c.load()
    assert c.words(text) == a.words(text)
    assert c.user_splits == a.user_splits and c.user_words == a.user_words


def test_tags_before_the_engine_loads_are_the_engines(tmp_path: Path) -> None:
    """The index chooses terms with tags read from the files (no rjieba dictionary in its
    process): they must be the tags the loaded engine gives, user dictionary included."""
    from corpus.segment import DOMAIN_DICT, read_dict_words

    user = tmp_path / "userdict.txt"
    user.write_text("营商环境 2000 n\n洛阳 5 nz\n河洛英才计划 3\n# note\n涧西区 10 ns\n", "utf-8")
    words = ["营商环境", "洛阳", "河洛英才计划", "涧西区", "的", "发展", "不是一个词xyz"]
    words += [w for w, _, _ in read_dict_words(DOMAIN_DICT)]
    words += [w for a in load_corpus(SEEDS).articles[:20] for w in re.findall(r"\w{2,4}", a.title)]
    light = Segmenter(tmp_path / "c", user)
    before = {w: light.tags().get(w) for w in words}
    assert not light.loaded
    assert before["洛阳"] == "nz" and before["涧西区"] == "ns" and before["的"] == "uj"
    light.load()
    assert {w: light.tags().get(w) for w in words} == before
    assert {w: Segmenter(tmp_path / "c", user).tags().get(w) for w in words} == before
