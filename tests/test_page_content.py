"""Nothing of a page is lost: control bytes, furniture, continuation markers, fragments."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.load import decode, load_corpus
from corpus.model import Issue
from corpus.parse import accounted_text, parse_text, read_furniture, reads_as_one

from .conftest import SEEDS

MARKS = re.compile(r"^\s*#{1,6}")


def normalise(text: str) -> Counter[str]:
    """The non-space characters of a text, as a multiset.

    The OCR repairs in corpus/clean.py only touch whitespace: ``remove_wrap_spaces`` drops
    column-wrap spaces inside body text and ``squash_spaces`` collapses runs of spaces in
    headlines and bylines.  Comparing non-space characters is therefore the same normalisation
    the repairs apply; a repair that changed other characters (e.g. punctuation width) would have
    to be applied here to both sides.
    """
    return Counter(c for c in text if not c.isspace())


def page_chars(text: str) -> Counter[str]:
    """Every non-space character of a page; the ``#`` marks of headings are markup, not text."""
    out: Counter[str] = Counter()
    for line in text.split("\n"):
        out.update(normalise(MARKS.sub("", line, count=1)))
    return out


def model_chars(issue: Issue) -> Counter[str]:
    out: Counter[str] = Counter()
    for _, piece in accounted_text(issue):
        out.update(normalise(piece))
    return out


def seed(name: str) -> tuple[str, Issue]:
    path = next(SEEDS.glob(f"{name}_*.txt"))
    text = path.read_text("utf-8")
    return text, parse_text(text, path.stem, path.name)


# ------------------------------------------------------------------ stray control bytes


def test_page_with_stray_nul_and_control_bytes_is_listed_and_parsed(tmp_path: Path) -> None:
    page = (
        "## 洛阳市涧西区打造高质量首创之区\n\n"
        "本报讯(记者 孙小蕊)昨日，涧西区\x00召开会议\x07。\n\n本报记者 李迎博\n"
    )
    (tmp_path / "p.txt").write_bytes(page.encode("utf-8"))
    corpus = load_corpus(tmp_path)
    assert not corpus.skipped
    (a,) = corpus.issues[0].articles
    assert a.title == "洛阳市涧西区打造高质量首创之区"
    assert a.text == "昨日，涧西区\x00召开会议\x07。"  # kept; the reader shows them visibly


def test_gb18030_page_with_nul_is_text() -> None:
    text, how = decode("正文\x00，还有正文。".encode("gb18030"))
    assert how == "gb18030" and text == "正文\x00，还有正文。"


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(32)) * 40,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        b"PK\x03\x04" + bytes((i * 37) % 256 for i in range(4000)),
    ],
    ids=["controls", "png", "zip"],
)
def test_mostly_non_text_is_skipped_with_a_reason(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "x.txt").write_bytes(data)
    corpus = load_corpus(tmp_path)
    assert not corpus.issues
    assert [s.reason for s in corpus.skipped] == ["binary file (not text)"]


# ------------------------------------------------------------------ furniture


def test_credits_parsed_from_furniture_on_seeds() -> None:
    _, issue = seed("002")
    assert issue.credits == {"编辑": "武力", "校对": "向东", "组版": "祖威"}
    assert issue.furniture == ("2018年9月12日 星期三 编辑:武力 校对:向东 组版:祖威",)
    _, issue = seed("004")
    assert issue.credits == {"校对": "王岚", "组版": "晓南"}


@pytest.mark.parametrize(
    ("lines", "credits", "page", "section"),
    [
        (["第3版 要闻"], {}, "3", "要闻"),
        (["A3版：要闻 编辑：张三"], {"编辑": "张三"}, "A3", "要闻"),
        (["01版 责任编辑：李四 美编：王五"], {"责任编辑": "李四", "美编": "王五"}, "01", None),
        (["编辑:武力 2018年9月12日 星期三"], {"编辑": "武力"}, None, None),
        (["编辑:甲", "编辑:乙 校对:丙"], {"编辑": "甲 乙", "校对": "丙"}, None, None),
    ],
)
def test_read_furniture(
    lines: list[str], credits: dict[str, str], page: str | None, section: str | None
) -> None:
    assert read_furniture(lines) == (credits, page, section)


def test_masthead_page_number_and_section() -> None:
    page = "洛阳日报 2020年3月5日 星期四\n第3版 要闻 编辑:张三\n## 标题\n正文。\n"
    issue = parse_text(page, "p")
    assert issue.furniture_page == "3" and issue.furniture_section == "要闻"
    assert issue.credits == {"编辑": "张三"}


def test_summary_has_the_page_metadata() -> None:
    _, issue = seed("002")
    s = issue.summary()
    assert s["furniture"] == ["2018年9月12日 星期三 编辑:武力 校对:向东 组版:祖威"]
    assert s["credits"] == {"编辑": "武力", "校对": "向东", "组版": "祖威"}
    assert s["furniture_page"] is None and s["furniture_section"] is None
    assert s["fragments"] == []
    for key in ("id", "file", "title", "date", "articles"):
        assert key in s  # the keys list --json already had stay
    art = s["articles"][0]
    assert art["continued_from"] is None and art["continued_on"] is None
    assert art["fragment"] is False and art["label"] == art["title"]
    for key in ("id", "title", "kicker", "subtitle", "column", "byline", "lines"):
        assert key in art


# ------------------------------------------------------------------ continuations


def test_continued_from_on_seeds() -> None:
    _, issue = seed("001")
    a = next(a for a in issue.articles if "项目为王" in a.title)
    assert a.continued_from == "01版" and a.summary()["continued_from"] == "01版"
    assert a.continuation == "(上接01版)"


def test_jump_markers_kept_on_the_article() -> None:
    page = (
        "## 标题一\n\n本报讯(记者 张三)第一段正文。\n\n第二段正文。(下转02版)\n\n"
        "## 标题二\n\n正文二。\n\n（下转第3版）\n\n## 标题三\n\n正文三。\n"
    )
    issue = parse_text(page, "p")
    one, two, three = issue.articles
    assert one.jump == "(下转02版)" and one.continued_on == "02版"
    assert one.text == "第一段正文。\n第二段正文。"
    assert two.continued_on == "第3版" and two.text == "正文二。"
    assert three.title == "标题三" and three.continued_on is None
    assert model_chars(issue) == page_chars(page)


# ------------------------------------------------------------------ fragments


def test_foreign_fragment_not_glued_into_seed_article() -> None:
    text, issue = seed("001")
    a = next(a for a in issue.articles if "项目为王" in a.title)
    assert a.text.endswith("也是城市")
    assert "全赞同" not in a.text and "现职省级领导同志" not in a.text
    assert not a.fragment
    i = issue.articles.index(a)
    frag = issue.articles[i + 1]  # in reading order, right after it
    assert frag.fragment and frag.title == ""
    assert frag.text.startswith("全赞同、坚决拥护党中央决定")
    assert "现职省级领导同志" in frag.text
    assert frag.label.startswith("（片段）全赞同")
    assert issue.summary()["fragments"] == [frag.id]
    assert frag.summary()["fragment"] is True and frag.summary()["label"] == frag.label
    assert [f.id for f in issue.fragments] == [frag.id]
    assert frag.spans == ((121, 127),) and a.spans == ((115, 119),)
    # the fragment's own broken paragraph (…中部地区 ⏎⏎ 高质量发展…) is still rejoined
    assert "中部地区高质量发展中奋勇争先" in frag.text


def test_fragments_are_articles_for_corpus_lookups() -> None:
    corpus = load_corpus(SEEDS)
    frags = [a for a in corpus.articles if a.fragment]
    assert len(frags) == 1
    assert corpus.article(frags[0].id) is frags[0]


# Every paragraph rejoined across a blank line on the seeds before fragments existed, except
# the foreign one (001: 119 ⏎ 121): (page, first line, last line).
JOINS = {
    ("000", 36, 38), ("000", 40, 42), ("000", 50, 52), ("000", 56, 58),
    ("001", 23, 25), ("001", 39, 41), ("001", 73, 75), ("001", 109, 111), ("001", 121, 123),
    ("002", 22, 24), ("002", 58, 60), ("002", 66, 68), ("002", 76, 78), ("002", 92, 94),
    ("002", 110, 112), ("002", 134, 136),
    ("003", 25, 27), ("003", 113, 115), ("003", 141, 143),
    ("004", 15, 17), ("004", 19, 21), ("004", 35, 37), ("004", 95, 97), ("004", 109, 113),
}  # fmt: skip


def test_every_checked_repair_of_broken_paragraphs_is_kept() -> None:
    got = set()
    for name in ("000", "001", "002", "003", "004"):
        _, issue = seed(name)
        for a in issue.articles:
            got |= {(name, *p.lines) for p in a.paragraphs if "\n" in p.raw}
    assert got == JOINS


@pytest.mark.parametrize(
    ("left", "right", "one"),
    [
        ("全市60家重", "点企业实现产值同比增长31%,其中21家增速超过5成。" * 3, True),
        ("然而，近年受国内外经济增长放缓、", "市场需求变化。" * 20, True),
        (
            "要抓手,也是城市",
            "全赞同、坚决拥护党中央决定。我将和省领导班子一道,增强四个意识。" * 3,
            False,
        ),
        ("要抓手,也是城市", "，全赞同、坚决拥护党中央决定。我将和省领导班子一道。" * 3, True),
    ],
)
def test_reads_as_one(left: str, right: str, one: bool) -> None:
    context = "牢固树立项目为王工作导向。对中航光电近年积极推进高速连接器精密加工。" + left
    page = "## 抓好重点工作\n\n" + context + "\n\n" + right
    assert reads_as_one(context, left, right, page) is one
    # a word broken across the break (重 ⏎ 点) is recognised by the pair elsewhere on the page


def test_ids_of_headlined_articles_hash_their_headline() -> None:
    """Fragments never shift the ids of articles around them (ids stay stable)."""
    for name in ("000", "001", "002", "003", "004"):
        _, issue = seed(name)
        for a in issue.articles:
            if a.title:
                assert a.id.split("-")[-1] == hashlib.sha1(a.title.encode()).hexdigest()[:8] or (
                    a.id.count("-") >= 2
                )


# ------------------------------------------------------------------ the invariant


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_every_character_of_a_seed_page_is_accounted_once(path: Path) -> None:
    text = path.read_text("utf-8")
    assert model_chars(parse_text(text, path.stem, path.name)) == page_chars(text)


SEED_LINES = sorted(
    {ln for p in SEEDS.glob("*.txt") for ln in p.read_text("utf-8").split("\n") if ln.strip()}
)
HEADING = st.builds(
    lambda marks, text: f"{marks}{text}",
    st.sampled_from(["", "# ", "## ", "### ", "#### ", "##"]),
    st.text(alphabet="洛阳市涧西区打造高质量首创之区：:·“”—- 　", min_size=1, max_size=20),
)
BYLINE = st.sampled_from(
    [
        "本报记者 王五",
        "洛报融媒记者 赵六 通讯员 钱七",
        "(晓蕊 吴言)",
        "张铁生 文/图",
        "□东方今报·猛犸新闻记者 程慧娟",
        "本报讯(记者 张三 通讯员 李四)昨日，会议召开。",
    ]
)
FURNITURE = st.sampled_from(
    [
        "2018年9月12日 星期三 编辑:武力 校对:向东 组版:祖威",
        "校对:王岚 组版:晓南",
        "第3版 要闻",
        "A3版：要闻 编辑：张三",
        "(上接01版)",
        "(下转02版)",
        "正文说到一半。(下转第3版)",
    ]
)
CONTROL = st.text(alphabet="\x00\x01\x07\x08\x0b\x0c\x1b\x1c\x1f\x7f\x85\u2028", max_size=3)
LINE = st.one_of(
    st.sampled_from(SEED_LINES),
    HEADING,
    BYLINE,
    FURNITURE,
    st.builds(lambda a, c, b: a[: len(a) // 2] + c + b, st.sampled_from(SEED_LINES), CONTROL,
              st.sampled_from(["", "。", "，正文"])),
    st.just(""),
)  # fmt: skip


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(LINE, st.sampled_from(["\n", "\n\n", "\n\n\n", "\r\n"])), max_size=40))
def test_every_character_of_a_generated_page_is_accounted_once(
    lines: list[tuple[str, str]],
) -> None:
    page = "".join(line + end for line, end in lines)
    issue = parse_text(page, "p")
    assert model_chars(issue) == page_chars(page)
    for a in issue.articles:
        for p in a.paragraphs:
            assert normalise(p.text) == normalise(p.raw)
    ids = [a.id for a in issue.articles]
    assert len(ids) == len(set(ids))


def test_indented_line_after_a_cut_paragraph_starts_a_new_one() -> None:
    page = "## 标题\n\n　　第一段正文，说到一半\n\n　　第二段正文另起一段。\n"
    (a,) = parse_text(page, "p").articles
    assert [p.text for p in a.body] == ["第一段正文，说到一半", "第二段正文另起一段。"]
    joined = parse_text(page.replace("\n\n　　第二", "\n\n第二"), "p").articles[0]
    assert [p.text for p in joined.body] == ["第一段正文，说到一半第二段正文另起一段。"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_not_read_as_gb18030(codec: str) -> None:
    page = "## 洛阳市涧西区打造高质量首创之区\n\n本报讯(记者 孙小蕊)昨日，2021年会议召开。\n"
    text, how = decode(page.encode(codec))
    assert (text, how) == (page, codec)


def test_user_can_merge_a_fragment_back_or_split_it() -> None:
    text, issue = seed("001")
    merged = parse_text(text, "p", corrections=[("merge_next", 119)])
    a = next(a for a in merged.articles if "项目为王" in a.title)
    assert "全赞同" in a.text and not merged.fragments
    assert model_chars(merged) == page_chars(text)
    split = parse_text(text, "p", corrections=[("split", 125)])
    assert [f.spans for f in split.fragments] == [((121, 123),), ((125, 127),)]
    assert model_chars(split) == page_chars(text)
