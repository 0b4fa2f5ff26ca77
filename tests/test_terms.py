"""Term discovery, the learned dictionary layer and keyword ranking over terms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from corpus.keywords import KEYWORD_KINDS, DocFreq, kinds_of, rank
from corpus.load import load_corpus
from corpus.segment import Segmenter
from corpus.terms import KINDS, Counts, Term, count_page, join_terms, select_terms

from .conftest import ROOT, SEEDS

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    s = Segmenter(ROOT / ".pytest_cache" / "jieba")
    s.load()
    return s


@pytest.fixture(scope="module")
def seed_counts(seg: Segmenter) -> Counts:
    total = Counts()
    for issue in load_corpus(SEEDS).issues:
        total.merge(count_page([seg.words(f"{a.title}\n{a.text}") for a in issue.articles]))
    return total


def _page(*articles: str) -> list[list[str]]:
    return [a.split() for a in articles]


def test_recurring_token_sequences_become_terms() -> None:
    page = _page(
        "国家 产业 转型 升级 示范区 是 涧西 的 优势 ， 国家 产业 转型 升级 示范区 有利",
        "依托 国家 产业 转型 升级 示范区 ， 产业 发展",
    )
    terms = {t.text: t for t in select_terms(count_page(page))}
    assert "国家产业转型升级示范区" in terms
    t = terms["国家产业转型升级示范区"]
    assert t.freq == 3 and t.parts == ("国家", "产业", "转型", "升级", "示范区")
    # nested: the long term does not also count as its parts
    assert "产业转型升级" not in terms and "国家产业" not in terms


def test_terms_longer_than_the_counted_grams_are_chained() -> None:
    """Seven tokens, counted as grams of five: the chain of grams seen equally often is one
    term; a chain a verb opens is not a fragment, one that always goes on with a noun is."""
    said = "深入 学习 贯彻 习近平 新 时代 中国 特色 社会主义 思想 ， "
    meeting = "召开 市委 十二届 五次 全会 暨 市委 经济 工作 会议 ， "
    page = _page(said * 2 + meeting * 2, said + meeting)
    tags = {"贯彻": "v", "召开": "v", "学习": "v", "深入": "v"}
    texts = {t.text for t in select_terms(count_page(page), tags=tags)}
    assert "习近平新时代中国特色社会主义思想" in texts
    assert not any(t.startswith("市委十二届") and not t.endswith("会议") for t in texts)


def test_suffix_rules_name_organisations_and_places() -> None:
    page = _page(
        "洛阳 轴承 研究所 研发 ， 中国 船舶 七 二五 所 研发",
        "洛龙区 安乐 街道 组织 ， 安乐 街道 将",
        "市 应急 管理局 组织 ， 市 应急 管理局 针对",
    )
    kinds = {t.text: t.kind for t in select_terms(count_page(page))}
    assert kinds.get("洛阳轴承研究所") == "organisation"
    assert kinds.get("七二五所") == "organisation"
    assert kinds.get("安乐街道") == "place"
    assert kinds.get("市应急管理局") == "organisation"
    # a name that ends in a name the dictionary knows is one of the same kind
    tags = {"洛阳市": "ns", "涧西区": "ns", "全省": "n", "联络站": "nt", "代表": "n"}
    page = _page("洛阳市 涧西区 召开 ， 洛阳市 涧西区 委 ， 代表 联络站 建在 代表 联络站")
    kinds = {t.text: t.kind for t in select_terms(count_page(page), tags=tags)}
    assert kinds.get("洛阳市涧西区") == "place"
    assert kinds.get("代表联络站") == "term"  # a common noun does not start a name


def test_offices_said_once_and_suffixes_cut_across_tokens() -> None:
    """An office of the city said once (市/生态环境/局) is a name; 常委会 is a suffix even
    where jieba cuts it 市委常委/会; a common word before 局 or 会 makes no name."""
    page = _page(
        "日前 ， 市 生态环境 局 党组书记 表示",
        "近日 ， 市委常委 会 召开 会议 ， 市委常委 会 强调",
        "企业 会 参加 ， 企业 会 组织",
    )
    tags = {"会": "v", "企业": "n", "生态环境": "l", "市委常委": "n"}
    kinds = {t.text: t.kind for t in select_terms(count_page(page), tags=tags)}
    assert kinds.get("市生态环境局") == "organisation"
    assert "市委常委会" in kinds
    assert "企业会" not in kinds


def test_a_gram_said_only_inside_a_quoted_term_is_a_piece_of_it() -> None:
    """testerC F7: 站位强使命 was listed beside “提高站位强使命”, the only place it is said (no
    gram starts with the verb 提高, so no longer gram showed it to be a fragment)."""
    said = "开展 “ 提高 站位 强 使命 、 解放思想 找 差距 ” 活动 ， "
    page = _page(said * 2, "强化 站位 意识")
    tags = {"提高": "v", "站位": "n", "强": "a", "使命": "n", "解放思想": "i", "找": "v"}
    texts = {t.text for t in select_terms(count_page(page), tags=tags)}
    assert "提高站位强使命" in texts and "解放思想找差距" in texts
    assert "站位强使命" not in texts


def test_a_counted_slogan_is_no_place() -> None:
    """四好农村路 (the “four goods” rural roads) ends like a road but is a programme: a first
    word the dictionary does not know that opens with a numeral counts, it names nothing;
    三门峡 (ns) still starts a place."""
    page = _page("建设 四好 农村路 ， 推进 四好 农村路", "三门峡 大道 通车 ， 三门峡 大道 两侧")
    tags = {"三门峡": "ns", "农村路": "n", "大道": "n"}
    kinds = {t.text: t.kind for t in select_terms(count_page(page), tags=tags)}
    assert kinds.get("四好农村路") == "term"
    assert kinds.get("三门峡大道") == "place"


def test_each_item_of_a_quoted_list_is_a_term() -> None:
    """A quoted slogan of several items (“大攻坚、见实效、建新功”) names each item; an item of
    one dictionary word (“生产、生活”) names nothing new, and a long quote is no list."""
    page = _page(
        "深入 主题教育 “ 大 攻坚 、 见 实效 、 建 新功 ” 活动",
        "推动 “ 生产 、 生活 、 生态 ” 融合",
        "他 说 “ 我们 要 把 工作 做 好 、 做 实 、 做 细 ， 让 群众 满意 ” 。",
    )
    counts = count_page(page)
    assert {"大 攻坚", "见 实效", "建 新功"} <= set(counts.quoted)
    assert not {"生产", "生活", "生态"} & set(counts.quoted)
    assert not any("群众" in q for q in counts.quoted)
    texts = {t.text for t in select_terms(counts)}
    assert {"大攻坚", "见实效", "建新功"} <= texts


def test_people_from_titles_and_verbs_of_speech() -> None:
    page = _page(
        "市委 副书记 赵会生 带领 相关 部门 ， 赵会生 强调 ， 要",
        "吴 劲松 表示 ， 全市 生态 环境 系统",
        "时代 还 在",  # a dictionary word before 还 is no name
        "在 以 楼阳生 同志 为 核心 的 省委 领导 下 ， 主要 负责 同志 、 老 同志 参加",
        "省委 书记 嵇宏远 出席 ， 书记 座谈会",
    )
    tags = {"时代": "n", "负责": "v", "座谈会": "n"}
    people = {t.text for t in select_terms(count_page(page), tags=tags) if t.kind == "person"}
    # 楼, 嵇 are no common surnames: 同志 or a title before a whole name says it
    assert {"赵会生", "吴劲松", "楼阳生", "嵇宏远"} <= people
    assert not {"时代", "负责", "老", "座谈会"} & people


def test_names_with_numbers_and_quoted_terms() -> None:
    page = _page(
        "督导 伏牛 1 号 旅游 公路 建设 ， 伏牛 1 号 旅游 公路 建成",
        "以 “ 河洛 英才 计划 ” 为 依托 ， 力争 “ 十四五 ” 翻番",
    )
    texts = {t.text for t in select_terms(count_page(page))}
    assert {"伏牛1号旅游公路", "河洛英才计划", "十四五"} <= texts


def test_fragments_and_boilerplate_are_not_terms(seed_counts: Counts, seg: Segmenter) -> None:
    terms = select_terms(seed_counts, tags=seg.tags())
    texts = {t.text for t in terms}
    assert "制造业高质量发展" in texts
    for t in terms:
        assert t.kind in KINDS
        assert not t.text.isdigit() and len(t.text) >= 2
        function_words = {"的", "了", "和", "与", "在", "是", "推动", "加快"}
        assert t.parts[0] not in function_words and t.parts[-1] not in function_words, t


def test_names_need_a_proper_start_and_generic_edges_need_inner_cohesion() -> None:
    page = _page(
        "西工区 行政 服务中心 开通 ， 西工区 行政 服务中心 办理",
        "整治 僵尸 园区 ， 盘活 僵尸 园区 ， 六大 产业园 ， 六大 产业园 建设",
        "院士 李俊 贤 入选 ， 书记 谢峰 在 讲话 ， 副主任 郭晓芒 、 马东安 等 参加",
        "做好 宣传 思想 工作 ， 宣传 思想 工作 会议",
        "工作 开展 工作 落实 工作 部署 工作 推进 工作 任务 工作 安排",
    )
    tags = {"行政": "n", "服务中心": "n", "僵尸": "n", "园区": "n", "六大": "m", "宣传": "vn"}
    tags |= {"思想": "n", "工作": "vn", "开通": "v", "办理": "v", "整治": "v", "盘活": "v"}
    kinds = {t.text: t.kind for t in select_terms(count_page(page), tags=tags)}
    assert kinds.get("西工区行政服务中心") == "organisation"  # 服务中心 ends in 中心
    assert kinds.get("僵尸园区") == "term" and kinds.get("六大产业园") == "term"
    assert kinds.get("李俊贤") == "person" and kinds.get("谢峰") == "person"
    assert kinds.get("马东安") == "person"  # a list under one title
    assert "宣传思想工作" in kinds  # 工作 is everywhere: the inner split decides
    assert "宣传思想" not in kinds


def test_a_phrase_that_recurs_whole_is_no_name(seg: Segmenter) -> None:
    """A reprinted article repeats its phrases exactly, so counts cannot tell a fragment: the
    start of a name can. A preposition jieba's HMM glued on (以双椒), a verb and its result
    (做强), a verb before a phrase (优化 乡里中心) and a person before 代表市 are no name's
    start; a road named 幸福 and a place of a kind (教育产业园) stay."""
    said = (
        "以双椒融合产业园和中药材基地，要做强吉利片区，优化乡里中心，"
        "刘应安代表市委讲话，幸福路，教育产业园。"
    )
    page = [seg.words(said) for _ in range(3)]
    found = {t.text for t in select_terms(count_page(page), tags=seg.tags())}
    assert not {"以双椒融合产业园", "做强吉利片区", "优化乡里中心", "刘应安代表市"} & found
    assert {"吉利片区", "幸福路", "教育产业园"} <= found, found


def test_keyword_slots_hold_distinct_things(seg: Segmenter) -> None:
    words = ["副中心城市"] * 4 + ["洛阳副中心城市"] * 2 + ["洛报融媒"] * 3 + ["南路", "高新区"]
    df = DocFreq({"副中心城市": 1, "洛阳副中心城市": 1}, docs=600)  # corpus IDF alone
    kinds = {"洛阳副中心城市": "term", "副中心城市": "term", "洛报融媒": "organisation"}
    kinds |= {"南路": "place", "高新区": "place"}
    ks = [k.word for k in rank(words, df, 5, kinds=kinds)]
    assert "洛阳副中心城市" in ks and "副中心城市" not in ks  # one slot, the longer name
    assert "洛报融媒" not in ks  # the press itself
    # a place of three characters or more counts as a name; 南路 alone does not
    assert ks.index("高新区") < ks.index("南路")


def test_counts_merge_subtract_and_json_round_trip(seg: Segmenter) -> None:
    pages = [p for p in load_corpus(SEEDS).issues]
    per_page = [count_page([seg.words(a.text) for a in p.articles]) for p in pages]
    total = Counts()
    for c in per_page:
        total.merge(c)
    again = Counts()
    for c in per_page:
        again.merge(Counts.from_json(json.loads(json.dumps(c.to_json()))))
    assert again == total
    before = select_terms(total)
    total.merge(per_page[0]).subtract(per_page[0])
    assert select_terms(total) == before
    empty = Counts()
    for c in per_page:
        total.subtract(c)
    assert total == empty


def test_rejected_terms_never_come_back(seed_counts: Counts) -> None:
    terms = select_terms(seed_counts)
    gone = {terms[0].text, next(t.text for t in terms if t.kind == "person")}
    again = select_terms(seed_counts, rejected=gone)
    assert not gone & {t.text for t in again}


def test_learned_tokens_are_counted_as_their_parts() -> None:
    base = _page("河洛 英才 计划 实施 ， 河洛 英才 计划 推进")
    terms = select_terms(count_page(base))
    joined = [join_terms(toks, terms) for toks in base]
    assert "河洛英才计划" in joined[0]
    expand = {t.text: t.parts for t in terms}
    assert count_page(joined, expand) == count_page(base)


def test_learned_layer_keeps_terms_whole_below_the_user_dictionary(tmp_path: Path) -> None:
    ud = tmp_path / "userdict.txt"
    ud.write_text("应急管理局 0\n应急 2000\n管理局 2000\n信息科技港 2000\n", encoding="utf-8")
    s = Segmenter(tmp_path / "j", ud)
    term = Term("河洛英才计划", 3, "term", ("河洛", "英才", "计划"))
    split = Term("市应急管理局", 3, "organisation", ("市", "应急", "管理局"))
    cut = Term("洛阳信息科技", 4, "term", ("洛阳", "信息", "科技"))  # would cut 信息科技港
    s.add_terms([term, split, cut])  # before the dictionary is loaded: applied on load
    assert "河洛英才计划" in s.words("以河洛英才计划为依托")
    assert "市应急管理局" not in s.words("市应急管理局组织")  # the user's split wins
    assert "信息科技港" in s.words("洛阳信息科技港二期")  # and the user's join
    assert s.terms == {"河洛英才计划": "term"}
    s.split_word("英才计划", ["英才", "计划"])  # a later split undoes a term that holds it
    assert "河洛英才计划" not in s.words("以河洛英才计划为依托")
    s.set_terms([Term("伏牛1号旅游公路", 4, "place", ("伏牛", "1", "号", "旅游", "公路"))])
    assert "伏牛1号旅游公路" in s.words("督导伏牛1号旅游公路建设")
    s.add_word("公路建设")  # a word the user joins later cuts the learned term: it goes
    assert "伏牛1号旅游公路" not in s.terms
    assert "伏牛1号旅游公路" not in s.words("督导伏牛1号旅游公路建设")
    s.set_terms([Term("河洛英才", 2, "term", ("河洛", "英才"))])
    s.forget_terms()
    assert s.terms == {} and "河洛英才" not in s.words("河洛英才计划")


def test_pos_uses_the_one_tokenizer_and_its_words(tmp_path: Path) -> None:
    s = Segmenter(tmp_path / "j")
    s.add_terms([Term("东方红国际陆港联运中心", 2, "organisation", ("东方红", "国际"))])
    spans = s.entities("东方红国际陆港联运中心开通")
    assert (0, 11, "org") in spans
    import jieba.posseg

    # the module's own tagger was not given our words: nothing leaked into shared state
    assert "东方红国际陆港联运中心" not in jieba.posseg.dt.word_tag_tab


def test_keywords_carry_kinds_and_terms_compete(seg: Segmenter, seed_counts: Counts) -> None:
    terms = select_terms(seed_counts, tags=seg.tags())
    words = ["制造业高质量发展"] * 3 + ["制造业"] * 4 + ["发展"] * 9 + ["赵会生", "洛阳"]
    df = DocFreq()
    df.add_terms(terms)
    kinds = kinds_of(terms, {"赵会生"}, seg.tags(), words)
    ks = rank(words, df, 5, boost={"赵会生", "制造业高质量发展"}, kinds=kinds)
    by_word = {k.word: k.kind for k in ks}
    assert by_word["制造业高质量发展"] == "term"
    assert by_word["赵会生"] == "person"
    assert "发展" not in by_word
    assert all(k.kind in KEYWORD_KINDS for k in ks)
    # without kinds: the ranking piyue had before terms
    assert {k.kind for k in rank(words, df, 5)} == {"word"}


def test_the_domain_dictionarys_slogans_are_terms() -> None:
    """主题教育 is one jieba word from piyue's domain dictionary (its policy slogans): a term
    in the legend, ranked over a word said as often; its officials' titles are none."""
    from corpus.keywords import domain_kinds

    domain = domain_kinds()
    assert domain.get("主题教育") == "term" and domain.get("十四五") == "term"
    assert "市委书记" not in domain and "洛阳" not in domain
    words = ["主题教育", "学习", "宣传", "会议"] * 2
    kinds = kinds_of((), (), None, words)
    assert kinds == {"主题教育": "term"}
    ks = rank(words, DocFreq({"主题教育": 1, "学习": 1, "宣传": 1, "会议": 1}, 10), 4, kinds=kinds)
    assert ks[0].word == "主题教育" and ks[0].kind == "term"


def test_labelled_sets_are_disjoint_and_cover_fifteen_articles() -> None:
    held = json.loads((FIXTURES / "keyterms.json").read_text("utf-8"))["articles"]
    tune = json.loads((FIXTURES / "keyterms_tune.json").read_text("utf-8"))["articles"]
    assert len(held) >= 15 and not set(held) & set(tune)
    ids = {a.id for a in load_corpus(SEEDS).articles}
    assert set(held) <= ids and set(tune) <= ids
    assert all(4 <= len(v["terms"]) <= 6 for v in held.values())


def test_one_dictionary_and_one_idf_table_in_memory(tmp_path: Path) -> None:
    """jieba's word/tag table is read once (posseg's own), jieba.analyse never loads."""
    import subprocess
    import sys

    code = f"""
import sys
from pathlib import Path
import jieba.posseg
reads = []
orig = jieba.posseg.POSTokenizer.load_word_tag
jieba.posseg.POSTokenizer.load_word_tag = lambda self, f: reads.append(1) or orig(self, f)
from corpus.segment import Segmenter
from corpus.keywords import jieba_idf
s = Segmenter(Path({str(tmp_path / "j")!r}))
s.add_names(["阮金泉"])
assert ("阮金泉", "nr") in [(w, t) for w, t, _, _ in s.iter_pos("阮金泉在洛阳强调")]
s.tags()
assert jieba_idf()[0]
assert "jieba.analyse" not in sys.modules, "a second IDF table"
assert not reads, reads
assert not jieba.dt.initialized, "jieba's global dictionary was loaded"
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_jieba_idf_median_and_the_vocabulary_filter() -> None:
    from corpus.keywords import JIEBA_IDF_MEDIAN, DocFreq, jieba_idf

    table, _median = jieba_idf()
    values = sorted(table.values())
    assert abs(values[len(values) // 2] - JIEBA_IDF_MEDIAN) < 1e-6
    small, _ = jieba_idf({"营商", "环境", "不是一个词的词"})
    assert small == {w: table[w] for w in ("营商", "环境")}
    df = DocFreq({"营商": 2, "环境": 5}, docs=10)
    assert df.general() == small  # only the corpus's words are kept


def test_page_counts_are_those_of_the_former_code(seg: Segmenter) -> None:
    """count_page was made faster (one token list per page, passes in C): the same counts as
    the former code (tests/terms_reference.py) on the seeds, with learned terms expanded, and
    on random pages of the seeds' tokens, quotation marks, titles and article ends included."""
    import random

    from .terms_reference import count_page_reference

    issues = load_corpus(SEEDS).issues
    pages = [[seg.words(f"{a.title}\n{a.text}") for a in i.articles] for i in issues]
    for page in pages:
        assert count_page(page) == count_page_reference(page)
    terms = select_terms(count_page([a for p in pages for a in p]), tags=seg.tags())
    expand = {t.text: t.parts for t in terms if len(t.parts) > 1}
    for page in pages:
        joined = [join_terms(a, terms) for a in page]
        assert count_page(joined, expand) == count_page_reference(joined, expand)
    vocab = sorted({t for p in pages for a in p for t in a})
    special = ["“", "”", '"', "《", "》", "书记", "强调", "、", "所", "街道", "王", "军", "的"]
    special += ["、", "会", "市委常委", "常委", "局", "市"]
    rnd = random.Random(14)
    longer = quoted = 0
    for _ in range(300):
        few = rnd.sample(vocab, 12) + special  # a small vocabulary: grams repeat
        page = [
            [rnd.choice(few) for _ in range(rnd.randrange(0, 80))]
            for _ in range(rnd.randrange(1, 5))
        ]
        counts = count_page(page)
        assert counts == count_page_reference(page), page
        longer += sum(g.count(" ") >= 2 for g in counts.grams)
        quoted += sum(counts.quoted.values())
    assert longer > 100 and quoted > 10


def test_a_count_of_people_is_no_term() -> None:
    page = _page("我市 两名 个人 上榜 ， 两名 个人 入选", "三位 专家 发言 ， 三位 专家 点评")
    texts = {t.text for t in select_terms(count_page(page))}
    assert "两名个人" not in texts and "三位专家" not in texts


def test_a_term_counts_where_it_is_said_inside_a_longer_term() -> None:
    """C-value in the ranking: 先进制造业基地 said twice alone and twice inside
    全国先进制造业基地 outranks a term said three times; its slot shows the longer form."""
    words = ["先进制造业基地"] * 2 + ["全国先进制造业基地"] * 2 + ["科技型企业"] * 3
    words += ["会议", "召开"]
    df = DocFreq({w: 1 for w in words}, docs=600)
    kinds = {"先进制造业基地": "term", "全国先进制造业基地": "term", "科技型企业": "term"}
    ks = [k.word for k in rank(words, df, 3, kinds=kinds)]
    assert "先进制造业基地" in ks[0] and "科技型企业" in ks
    # a place inside another name is another thing: not counted there
    from collections import Counter

    from corpus.keywords import _count_nested

    counts = Counter(["涧西区"] + ["涧西区委"] * 3 + ["先进制造业基地", "全国先进制造业基地"])
    _count_nested(counts, {"涧西区": "place", "涧西区委": "organisation"} | kinds)
    assert counts["涧西区"] == 1 and counts["先进制造业基地"] == 2


def test_a_chunks_counts_are_summed_in_its_worker() -> None:
    """process_chunk sends a chunk's term counts once, on its last page (the others carry
    none): their sum is what the pages' own counts add up to."""
    from storage import indexer

    saved = indexer._WORKER_SEG, indexer._WORKER_MANIFEST, indexer._WORKER_EXPAND
    indexer.worker_init(str(ROOT / ".pytest_cache" / "jieba"), None)
    try:
        _check_chunk(indexer)
    finally:  # the main process's indexer state as it was (Index._tags reads it)
        indexer._WORKER_SEG, indexer._WORKER_MANIFEST, indexer._WORKER_EXPAND = saved


def _check_chunk(indexer: Any) -> None:
    from storage.pagestore import unpack_counts

    items = [(p.name, p.stem) for p in sorted(SEEDS.glob("*.txt"))]
    items.append(("missing.txt", "missing"))  # skipped pages carry no counts either
    chunk = indexer.process_chunk(str(SEEDS), items)
    alone = [indexer.process_page(str(SEEDS), rel, pid) for rel, pid in items]
    rows = [r[1] for r in chunk if isinstance(r[1], indexer.PageRows)]
    assert [bool(r.counts) for r in rows] == [False] * (len(rows) - 1) + [True]
    total = Counts()
    for r in alone:
        if isinstance(r[1], indexer.PageRows):
            total.merge(unpack_counts(r[1].counts))
    assert unpack_counts(rows[-1].counts) == total
    assert [r[2] for r in chunk] == [r[2] for r in alone]


def test_two_processes_rejecting_and_restoring_keep_each_others_rejections(
    tmp_path: Path,
) -> None:
    """A reader open (one Library) and ``piyue terms reject`` in another shell (another):
    the reader's undo takes back its own rejection only, not one made meanwhile."""
    from storage.library import Library

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "01.txt").write_text("## 标题\n\n正文。\n", "utf-8")
    shared = tmp_path / "words" / "rejected-terms.txt"
    reader = Library(corpus, cache_dir=tmp_path / "cache", rejected_file=shared)
    shell = Library(corpus, cache_dir=tmp_path / "cache", rejected_file=shared)
    reader.reject_term("工作机制")
    assert reader.rejected_terms() == {"工作机制"}
    shell.reject_term("五星")
    shell.reject_term("不存在的词")
    assert reader.rejected_terms() == {"工作机制", "五星", "不存在的词"}  # read again
    assert reader.restore_term("工作机制")
    assert sorted(shared.read_text("utf-8").split()) == ["不存在的词", "五星"]
    reader.reject_term("企业服务工作机制")
    assert shell.rejected_terms() == {"不存在的词", "五星", "企业服务工作机制"}


def test_the_same_text_gives_the_same_tokens_whatever_the_index_history(
    tmp_path: Path, seeds_copy: Path
) -> None:
    """A page parsed again after terms were learned is cut as a cold build cuts it: tokens
    (and so keywords and the segmented export) do not depend on when a page was parsed."""
    import os
    import time

    from storage.library import Library

    lib = Library(seeds_copy, cache_dir=tmp_path / "a")
    lib.refresh_index(workers=1)
    assert lib.terms()  # terms are known now: the next parse could use them
    page = sorted(seeds_copy.glob("*.txt"))[3]
    page.write_bytes(page.read_bytes() + b"\n")
    os.utime(page, (time.time() + 5, time.time() + 5))
    lib.refresh_index(workers=1)
    fresh = Library(seeds_copy, cache_dir=tmp_path / "b")
    fresh.refresh_index(workers=1)
    assert {t.text for t in lib.terms()} == {t.text for t in fresh.terms()}
    for article in fresh.load().articles:
        assert lib.article_words(article) == fresh.article_words(article), article.id


def test_join_terms_joins_a_term_cut_differently_by_its_text() -> None:
    from corpus.terms import Term, join_terms

    terms = [
        Term("吴志军", 3, "person", ("吴志军",)),
        Term("产业集群", 4, "term", ("产业", "集群")),
        Term("中国船舶七二五所", 2, "organisation", ("中国", "船舶", "七二五所")),
    ]
    tokens = ["副市长", "吴", "志军", "说", "产业", "集群", "中国", "船舶", "七", "二五所", "好"]
    assert join_terms(tokens, terms) == [
        *("副市长", "吴志军", "说", "产业集群"),
        *("中国", "船舶", "七", "二五所", "好"),  # four pieces: not joined by its text
    ]
    assert join_terms(["装备", "产业集", "群"], terms) == ["装备", "产业集群"]
    assert join_terms(["吴", "志", "军"], terms) == ["吴志军"]
    assert join_terms(["吴", "志军", "吴志"], terms) == ["吴志军", "吴志"]


def test_reporters_of_the_bylines_are_people_and_go_with_their_page(tmp_path: Path) -> None:
    """testerC F7: who wrote matters to a media researcher; the index counts a page's bylines
    as it counts its tokens, so a page that goes takes its reporters' counts with it, and the
    count without an index is the same."""
    import shutil

    from storage.library import Library

    root = tmp_path / "seeds"
    shutil.copytree(SEEDS, root)

    def people(lib: Library) -> dict[str, int]:
        return {t.text: t.freq for t in lib.terms() if t.kind == "person"}

    counted = people(Library(root, cache_dir=tmp_path / "none", rejected_file=tmp_path / "r"))
    lib = Library(root, cache_dir=tmp_path / "c", rejected_file=tmp_path / "r")
    lib.refresh_index(workers=1)
    indexed = people(lib)
    assert indexed == counted
    assert indexed["李三旺"] == 4 and indexed["李雅君"] == 5 and indexed["陈聚涛"] == 2
    (root / "004_2ef35578912733a8.txt").unlink()  # two of 李三旺's bylines
    lib = Library(root, cache_dir=tmp_path / "c", rejected_file=tmp_path / "r")
    lib.refresh_index(workers=1)
    assert people(lib)["李三旺"] == 2
    fresh = Library(root, cache_dir=tmp_path / "c2", rejected_file=tmp_path / "r")
    fresh.refresh_index(workers=1)
    assert people(lib) == people(fresh)


def test_two_characters_jieba_cuts_apart_everywhere_are_a_word() -> None:
    """涧西 (the district's short name) is 涧/西 to jieba, twelve times in one seed article: a
    pair of single characters seen together often and mostly together is a term, so the
    export and the concordance get one token.  Pairs seen rarely, loosely or with function
    characters are not."""
    line = " ， ".join(["涧 西 工业"] * 3 + ["涧 西 将 把 做 大"] * 3 + ["东 西 好"])
    tags = {"涧": "ng", "西": "f", "将": "d", "把": "p", "做": "v", "大": "a", "东": "f"}
    terms = {t.text for t in select_terms(count_page(_page(line)), tags=tags)}
    assert "涧西" in terms
    assert not {"将把", "把做", "东西", "做大"} & terms  # 东西 3 of 7 西; 做大 3 times only
    few = " ， ".join(["涧 西 工业"] * 4)
    assert "涧西" not in {t.text for t in select_terms(count_page(_page(few)), tags=tags)}
