"""Analysis: retrieval, co-occurrence, stats, concordance and autocode on a hand-made corpus
whose every count is known."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.load import load_corpus
from corpus.model import Article, Corpus, Issue, Kind, Paragraph
from storage.annotations import Store
from workspace import analysis as an
from workspace.kwic import kwic, kwic_dict

PAGE1 = """2018年9月12日 星期三 编辑:武力 校对:向东

# 优化营商环境十条措施

本报讯 我市出台优化营商环境十条措施。营商环境是发展的生命线！企业家说：“营商环境好了。”

放管服改革持续深化；审批时间缩短一半。

# 防汛工作会议召开

本报讯 全市防汛工作会议召开。会议要求做好防汛准备。
"""
PAGE2 = """# 党建引领基层治理

本报讯 党建引领基层治理取得实效。营商环境与党建相互促进。
"""
TEXT_A = (
    "我市出台优化营商环境十条措施。营商环境是发展的生命线！企业家说：“营商环境好了。”\n"
    "放管服改革持续深化；审批时间缩短一半。"
)
TEXT_B = "全市防汛工作会议召开。会议要求做好防汛准备。"
TEXT_C = "党建引领基层治理取得实效。营商环境与党建相互促进。"


class Fx:
    def __init__(self, corpus: Corpus, store: Store) -> None:
        self.corpus = corpus
        self.store = store
        by_title = {a.title: a for a in corpus.articles}
        self.a = by_title["优化营商环境十条措施"]
        self.b = by_title["防汛工作会议召开"]
        self.c = by_title["党建引领基层治理"]


@pytest.fixture
def fx(tmp_path: Path) -> Iterator[Fx]:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "p01.txt").write_text(PAGE1, "utf-8")
    (root / "p02.txt").write_text(PAGE2, "utf-8")
    corpus = load_corpus(root)
    store = Store.open(tmp_path / "db.json")
    f = Fx(corpus, store)
    assert (f.a.text, f.b.text, f.c.text) == (TEXT_A, TEXT_B, TEXT_C)
    assert corpus.issue_of(f.a).date == "2018-09-12" and corpus.issue_of(f.c).date is None
    store.define_tag("营商环境", "#e06c75")
    store.define_tag("放管服", parent="营商环境")
    store.define_tag("审批", parent="放管服")  # a grandchild
    store.add_tags(f.a, ["营商环境"])
    store.add_tags(f.b, ["防汛"])
    store.add_tags(f.c, ["党建"])
    store.highlight_quote(f.a, "优化营商环境十条措施", ["营商环境"], "h1")
    store.highlight_quote(f.a, "营商环境十条", ["党建"])  # overlaps h1
    store.highlight_quote(f.a, "放管服改革", ["放管服"])
    store.highlight_quote(
        f.a, "改革持续深化", ["审批"], "=cmd|' /C calc'!A0"
    )  # overlaps 放管服改革
    store.highlight_quote(f.c, "营商环境与党建", ["营商环境", "党建"])
    yield f
    store.close()


def kinds(items: list[an.Item]) -> list[tuple[str, str, str]]:
    return [(it.kind, it.title[:2], it.quote) for it in items]


# ------------------------------------------------------------------------------- retrieval


def test_retrieve_code_includes_children(fx: Fx) -> None:
    items = an.retrieve(fx.corpus, fx.store, "营商环境")
    assert kinds(items) == [  # by date: the dated page first, article item before its passages
        ("article", "优化", ""),
        ("passage", "优化", "优化营商环境十条措施"),
        ("passage", "优化", "放管服改革"),
        ("passage", "优化", "改革持续深化"),
        ("passage", "党建", "营商环境与党建"),
    ]
    own = an.retrieve(fx.corpus, fx.store, "营商环境", children=False)
    assert [it.quote for it in own] == ["", "优化营商环境十条措施", "营商环境与党建"]
    assert len(an.retrieve(fx.corpus, fx.store, "放管服")) == 2  # itself and 审批
    assert len(an.retrieve(fx.corpus, fx.store, "审批")) == 1


def test_retrieve_expression_on_own_tags(fx: Fx) -> None:
    both = an.retrieve(fx.corpus, fx.store, "营商环境 and 党建")
    assert kinds(both) == [("passage", "党建", "营商环境与党建")]
    either = an.retrieve(fx.corpus, fx.store, "放管服 or 防汛", sort="page")
    assert kinds(either) == [
        ("passage", "优化", "放管服改革"),
        ("passage", "优化", "改革持续深化"),
        ("article", "防汛", ""),
    ]
    assert len(an.retrieve(fx.corpus, fx.store, "营商环境 and not 党建")) == 4
    with pytest.raises(an.UnknownCode):
        an.retrieve(fx.corpus, fx.store, "营商环竟")


def test_retrieve_fields_context_and_sort(fx: Fx) -> None:
    items = an.retrieve(fx.corpus, fx.store, "营商环境", width=4)
    p = items[1]
    assert (p.start, p.end) == (4, 14) and TEXT_A[p.start : p.end] == p.quote
    assert p.left == "我市出台" and p.right == "。营商环"
    assert p.date == "2018-09-12" and p.file == "p01.txt" and p.note == "h1"
    assert items[-1].date is None and items[-1].left == "取得实效。"[-4:]
    art = items[0]
    assert art.start is None and art.end is None and art.quote == "" and art.tags == ("营商环境",)
    by_code = an.retrieve(fx.corpus, fx.store, "营商环境", sort="code")
    codes = [next(t for t in it.tags if t in {"营商环境", "放管服", "审批"}) for it in by_code]
    assert codes == sorted(codes)


def test_retrieve_json_md_csv(fx: Fx) -> None:
    items = an.retrieve(fx.corpus, fx.store, "营商环境")
    obj = json.loads(an.retrieve_json(items))
    assert list(obj) == ["items"]
    keys = ["kind", "article_id", "start", "end", "quote", "tags", "note", "date", "file", "title"]
    assert all(list(x) == [*keys, "coder"] for x in obj["items"])
    assert obj["items"][0]["start"] is None and obj["items"][0]["quote"] == ""
    assert obj["items"][1]["tags"] == ["营商环境"]
    raw = an.retrieve_csv(items)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 5 and rows[1]["quote"] == "优化营商环境十条措施"
    assert rows[3]["note"].startswith("'=cmd")  # a spreadsheet shows it, does not run it
    md = an.retrieve_md(items).decode("utf-8")
    assert "> 优化营商环境十条措施" in md and "4 段 passages · 1 篇 article\n" in md


# ------------------------------------------------------------------------- co-occurrence


def test_cooccur_counts_symmetric_diagonal(fx: Fx) -> None:
    m = an.cooccur(fx.corpus, fx.store)
    codes = m["codes"]
    assert sorted(codes) == sorted(["营商环境", "放管服", "审批", "党建", "防汛"])
    ix = {c: i for i, c in enumerate(codes)}

    def at(which: str, x: str, y: str) -> int:
        v: int = m[which][ix[x]][ix[y]]
        return v

    for which in ("articles", "passages"):
        mat = m[which]
        assert len(mat) == len(codes) and all(len(r) == len(codes) for r in mat)
        assert all(mat[i][j] == mat[j][i] for i in range(len(codes)) for j in range(len(codes)))
    # articles: own tags and passage codes both count (A carries 营商环境, 党建, 放管服, 审批)
    assert [at("articles", c, c) for c in ("营商环境", "党建", "放管服", "审批", "防汛")] == [
        2,
        2,
        1,
        1,
        1,
    ]
    assert at("articles", "营商环境", "党建") == 2
    assert at("articles", "放管服", "审批") == 1 and at("articles", "防汛", "营商环境") == 0
    # passages: h1×h2 overlap, h5 carries both; 放管服改革 × 改革持续深化 overlap
    assert [at("passages", c, c) for c in ("营商环境", "党建", "放管服", "审批", "防汛")] == [
        2,
        2,
        1,
        1,
        0,
    ]
    assert at("passages", "营商环境", "党建") == 2
    assert at("passages", "放管服", "审批") == 1 and at("passages", "营商环境", "放管服") == 0
    rows = list(csv.reader(io.StringIO(an.cooccur_csv(m).decode("utf-8-sig"))))
    assert rows[0] == ["articles", *codes] and rows[1 + ix["营商环境"]][1 + ix["党建"]] == "2"


def test_cooccur_cell_items(fx: Fx) -> None:
    arts = an.cooccur_items(fx.corpus, fx.store, "营商环境", "党建")
    assert kinds(arts) == [
        ("article", "优化", ""),
        ("passage", "优化", "优化营商环境十条措施"),
        ("passage", "优化", "营商环境十条"),
        ("article", "党建", ""),
        ("passage", "党建", "营商环境与党建"),
    ]
    pas = an.cooccur_items(fx.corpus, fx.store, "营商环境", "党建", "passages")
    assert [it.quote for it in pas] == ["优化营商环境十条措施", "营商环境十条", "营商环境与党建"]
    pair = an.cooccur_items(fx.corpus, fx.store, "放管服", "审批", "passages", sort="code")
    assert [it.tags for it in pair] == [("审批",), ("放管服",)]
    assert an.cooccur_items(fx.corpus, fx.store, "防汛", "营商环境") == []
    diag = an.cooccur_items(fx.corpus, fx.store, "党建", "党建", "passages")
    m = an.cooccur(fx.corpus, fx.store)
    i = m["codes"].index("党建")
    assert len(diag) == m["passages"][i][i] == 2


def test_stats_by_date_and_page(fx: Fx) -> None:
    rows = {(r.code, r.key): (r.articles, r.passages) for r in an.stats(fx.corpus, fx.store)}
    p2 = fx.corpus.issue_of(fx.c).id
    assert rows == {
        ("营商环境", "2018-09-12"): (1, 1),
        ("营商环境", ""): (1, 1),  # the undated pages: one row
        ("党建", "2018-09-12"): (1, 1),
        ("党建", ""): (1, 1),
        ("放管服", "2018-09-12"): (1, 1),
        ("审批", "2018-09-12"): (1, 1),
        ("防汛", "2018-09-12"): (1, 0),
    }
    by_page = an.stats(fx.corpus, fx.store, by="page")
    assert fx.corpus.issue_of(fx.a).page == 1
    assert {r.key for r in by_page} == {"2018-09-12 第1版", p2}  # p2: undated, under its id
    obj = an.stats_dict(by_page, "page")
    assert obj["by"] == "page"
    assert list(obj["rows"][0]) == ["code", "key", "articles", "passages", "paper", "date", "page"]
    assert an.stats_csv(by_page, "page").startswith(
        b"\xef\xbb\xbfcode,page,articles,passages,paper,date,number"
    )


# ------------------------------------------------------------------------------- KWIC


def test_kwic_substring_offsets_sort_where(fx: Fx) -> None:
    lines = kwic(fx.corpus, "营商", width=3)
    assert len(lines) == 5  # inside 营商环境 too: not only whole tokens; the title's too
    assert [ln.part for ln in lines].count("title") == 1 and lines[0].part == "title"
    assert (lines[0].start, lines[0].left, lines[0].right) == (2, "优化", "环境十")
    texts = {fx.a.id: TEXT_A, fx.c.id: TEXT_C}
    for ln in lines[1:]:
        t = texts[ln.article_id]
        assert t[ln.start : ln.end] == ln.match == "营商"
        assert ln.left == t[max(0, ln.start - 3) : ln.start] and ln.right == t[ln.end : ln.end + 3]
    left = kwic(fx.corpus, "营商环境", sort="left")
    assert [ln.left[::-1] for ln in left] == sorted(ln.left[::-1] for ln in left)
    right = kwic(fx.corpus, "营商环境", sort="right")
    assert [ln.right for ln in right] == sorted(ln.right for ln in right)
    assert len(kwic(fx.corpus, "营商环境", limit=2)) == 2
    assert len(kwic(fx.corpus, "营商环境", where="党建", store=fx.store)) == 5
    assert kwic(fx.corpus, "营商环境", where="防汛", store=fx.store) == []
    only_c = kwic(fx.corpus, "营商环境", where=lambda aid: aid == fx.c.id)
    assert [(ln.article_id, ln.start) for ln in only_c] == [(fx.c.id, 13)]
    obj = json.loads(json.dumps(kwic_dict(only_c)))
    assert obj == {
        "lines": [
            {
                "article_id": fx.c.id,
                "start": 13,
                "end": 17,
                "left": "党建引领基层治理取得实效。",
                "match": "营商环境",
                "right": "与党建相互促进。",
                "part": "body",
            }
        ]
    }
    with pytest.raises(ValueError):
        kwic(fx.corpus, "")


@settings(max_examples=200, deadline=None)
@given(
    paras=st.lists(st.text(alphabet="营商环境。党\n a", max_size=40), min_size=1, max_size=3),
    term=st.text(alphabet="营商环境。党 a", min_size=1, max_size=3),
    width=st.integers(0, 6),
)
def test_kwic_offsets_cut_out_the_match(paras: list[str], term: str, width: int) -> None:
    art = Article("i-1", "i", "t", paragraphs=tuple(Paragraph(Kind.TEXT, p, (1, 1)) for p in paras))
    corpus = Corpus("/", (Issue("i", "p.txt", "t", None, articles=(art,)),))
    text = art.text
    lines = kwic(corpus, term, width=width)
    assert len(lines) == text.count(term)
    for ln in lines:
        assert text[ln.start : ln.end] == ln.match == term
        assert ln.left == text[max(0, ln.start - width) : ln.start]
        assert ln.right == text[ln.end : ln.end + width]


# ------------------------------------------------------------------------------ autocode


def test_sentence_and_paragraph_spans() -> None:
    i = TEXT_A.index("营商环境好了")
    s, e = an.sentence_span(TEXT_A, i, i + 4)
    assert TEXT_A[s:e] == "企业家说：“营商环境好了。”"
    i = TEXT_A.index("审批")
    assert TEXT_A[slice(*an.sentence_span(TEXT_A, i, i + 2))] == "审批时间缩短一半。"
    assert (
        TEXT_A[slice(*an.paragraph_span(TEXT_A, i, i + 2))]
        == "放管服改革持续深化；审批时间缩短一半。"
    )
    t = "他说：“好。”然后走了"
    i = t.index("然后")
    assert t[slice(*an.sentence_span(t, i, i + 2))] == "然后走了"


def plan_quotes(plan: Any) -> list[str]:
    return [a.text[s:e] for a, s, e in plan]


def test_plan_units_and_preview(fx: Fx) -> None:
    m = an.plan_autocode(fx.corpus, "营商环境", "match")
    assert an.preview(m) == (4, 2)
    s = an.plan_autocode(fx.corpus, "营商环境", "sentence")
    assert plan_quotes(s) == [
        "我市出台优化营商环境十条措施。",
        "营商环境是发展的生命线！",
        "企业家说：“营商环境好了。”",
        "营商环境与党建相互促进。",
    ]
    p = an.plan_autocode(fx.corpus, "营商环境", "paragraph")  # three hits, one paragraph
    assert an.preview(p) == (2, 2)
    assert plan_quotes(p) == [TEXT_A.split("\n")[0], TEXT_C]
    assert an.preview(an.plan_autocode(fx.corpus, "营商环境", where="防汛", store=fx.store)) == (
        0,
        0,
    )


def test_apply_autocode_is_one_undo_step(fx: Fx) -> None:
    before = fx.store.highlights()
    plan = an.plan_autocode(fx.corpus, "营商环境", "sentence")
    assert an.apply_autocode(fx.store, plan, "自动") == 4
    after = fx.store.highlights()
    assert len(after) == len(before) + 4
    assert sum("自动" in h.tags for h in after) == 4
    assert an.apply_autocode(fx.store, plan, "自动") == 0  # already coded: nothing new
    fx.store.undo()  # the second call made no step: this undoes the whole first one
    assert fx.store.highlights() == before
    fx.store.redo()
    assert len(fx.store.highlights()) == len(before) + 4


def test_autocode_adds_the_code_to_an_existing_span(fx: Fx) -> None:
    plan = [(fx.c, 0, len("党建引领基层治理")), (fx.c, 13, 20)]  # 13-20: 营商环境与党建 exists
    assert an.apply_autocode(fx.store, plan, "治理") == 2
    hs = fx.store.highlights(fx.c.id)
    assert len(hs) == 2 and all("治理" in h.tags for h in hs)
    assert next(h for h in hs if h.start == 13).tags == ("营商环境", "党建", "治理")
    fx.store.undo()
    assert [h.tags for h in fx.store.highlights(fx.c.id)] == [("营商环境", "党建")]


def test_kwic_from_a_fresh_index_equals_kwic_on_the_corpus(fx: Fx, tmp_path: Path) -> None:
    from storage.library import Library
    from workspace.kwic import kwic_library

    root = tmp_path / "corpus"
    lib = Library(root, cache_dir=tmp_path / "cache", user_dict=tmp_path / "user.txt")
    lib.refresh_index(workers=1)
    lib.index = None
    got = kwic_library(lib, "生命", width=3, sort="left")
    assert lib.corpus is None  # answered from the index, the pages were not unpickled
    assert got == kwic(fx.corpus, "生命", width=3, sort="left") and len(got) == 1
    # in a headline: the index's texts are bodies, so the pages answer, headline included
    other = Library(root, cache_dir=tmp_path / "cache", user_dict=tmp_path / "user.txt")
    got = kwic_library(other, "营商", width=3, sort="left")
    assert got == kwic(fx.corpus, "营商", width=3, sort="left") and len(got) == 5
    assert kwic_library(lib, "生命", where="防汛", store=fx.store) == []
    assert lib.corpus is None
    (root / "p02.txt").write_text(PAGE2.replace("相互促进", "营商营商"), "utf-8")
    assert len(kwic_library(lib, "营商")) == 7  # a stale index is not used (title, 6 in texts)
    assert lib.corpus is not None


class WithSnapshot:
    """The store plus the bulk read the analysis takes when a store offers it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def tables_snapshot(self) -> Any:
        return self.store.storage.read()


def test_the_snapshot_bulk_read_gives_the_same_answers(fx: Fx) -> None:
    fast = cast(Store, WithSnapshot(fx.store))
    fx.store.highlight_quote(fx.b, "防汛准备", ["防汛"])
    for expr in ("营商环境", "党建 or 防汛", "not 党建"):
        assert an.retrieve(fx.corpus, fast, expr) == an.retrieve(fx.corpus, fx.store, expr)
    assert an.cooccur(fx.corpus, fast) == an.cooccur(fx.corpus, fx.store)
    assert an.stats(fx.corpus, fast) == an.stats(fx.corpus, fx.store)
    for which in ("articles", "passages"):
        got = an.cooccur_items(fx.corpus, fast, "营商环境", "党建", which)  # type: ignore[arg-type]
        assert got == an.cooccur_items(fx.corpus, fx.store, "营商环境", "党建", which)  # type: ignore[arg-type]
    assert an.code_names(fast) == an.code_names(fx.store)


def test_codes_with_spaces_and_descendants(fx: Fx) -> None:
    fx.store.highlight_quote(fx.b, "防汛准备", ["一把手访谈"])  # a space: refused (store10b)
    assert [it.quote for it in an.retrieve(fx.corpus, fx.store, " 一把手访谈 ")] == ["防汛准备"]
    assert an.descendants(fx.store, "营商环境") == {"营商环境", "放管服", "审批"}
    fx.store.define_tag("营商环境", parent="审批")  # a cycle: the walk stops, nothing hangs
    assert an.descendants(fx.store, "审批") == {"审批", "营商环境", "放管服"}


def test_autocode_is_one_store_batch(fx: Fx, monkeypatch: pytest.MonkeyPatch) -> None:
    labels: list[str] = []

    @contextmanager
    def batch(label: str) -> Iterator[None]:
        labels.append(label)
        yield

    monkeypatch.setattr(fx.store, "batch", batch)
    plan = an.plan_autocode(fx.corpus, "防汛", "sentence")
    assert an.preview(plan) == (2, 1)
    assert an.apply_autocode(fx.store, plan, "防汛") == 2 and labels == ["autocode 防汛"]


def test_aligned_lines_share_one_column() -> None:
    from workspace.kwic import Line, aligned, cell_width

    lines = [
        Line("x", 3, 5, "ab营", "营商", "环境\nok"),
        Line("y", 30, 32, "很长的左边上下文很长的", "营商", "x"),
    ]
    cols = [aligned(ln, 7) for ln in lines]
    assert all(cell_width(left) == 7 and cell_width(right) == 7 for left, _, right in cols)
    assert cols[0] == ("   ab营", "营商", "环境 ok")
    assert cols[1] == (" 很长的", "营商", "x      ")  # a wide character never split
    with pytest.raises(ValueError):
        kwic(Corpus("/"), "营商", limit=-1)


def test_concordance_head_is_the_head_of_the_concordance() -> None:
    """The first lines in each order and the count of all, holding only those lines."""
    from workspace.kwic import concordance, concordance_head

    texts = [
        ("a", "发展经济，发展产业，高质量发展"),
        ("b", "没有"),
        ("c", "发展发展发展"),
        ("d", "推动发展"),
    ]
    every = concordance(texts, "发展", width=3)
    for sort in (None, "left", "right"):
        whole = concordance(texts, "发展", width=3, sort=sort)  # type: ignore[arg-type]
        for limit in (1, 3, 100):
            head, total, articles = concordance_head(
                iter(texts),
                "发展",
                width=3,
                sort=sort,
                limit=limit,  # type: ignore[arg-type]
            )
            assert head == whole[:limit] and total == len(every) == 7 and articles == 3
