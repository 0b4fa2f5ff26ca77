"""The page parser: per-signal rules on seed text, hand labels, nothing lost, id stability."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.load import load_corpus
from corpus.model import Issue, Kind
from corpus.parse import parse_text

from .conftest import SEEDS

EXPECTED = json.loads(
    (Path(__file__).parent / "fixtures" / "seeds_expected.json").read_text("utf-8")
)
MARKS = re.compile(r"^\s*#{1,6}")


def page_chars(text: str) -> Counter[str]:
    """Every non-whitespace character of a page except the ``#`` marks of headings."""
    out: Counter[str] = Counter()
    for line in text.split("\n"):
        out.update(c for c in MARKS.sub("", line, count=1) if not c.isspace())
    return out


def issue_chars(issue: Issue) -> Counter[str]:
    fields = [issue.banner, *issue.furniture]
    for a in issue.articles:
        fields += [a.title, a.kicker, a.subtitle, a.column, a.byline, a.dateline, a.continuation]
        fields.append(a.jump)  # a (下转02版) marker is kept on the article, cut from its text
        fields += [p.raw for p in a.paragraphs]
    out: Counter[str] = Counter()
    for f in fields:
        out.update(c for c in f if not c.isspace())
    return out


def parse_seed(name: str) -> Issue:
    path = next(SEEDS.glob(f"{name}_*.txt"))
    return parse_text(path.read_text("utf-8"), path.stem, path.name)


def article(issue: Issue, title_part: str):  # type: ignore[no-untyped-def]
    return next(a for a in issue.articles if title_part in a.title)


# ------------------------------------------------------------------ hand-labelled pages


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_seed_pages_match_hand_labels(source: str) -> None:
    corpus = load_corpus(SEEDS)
    issue = next(i for i in corpus.issues if i.source == source)
    want = EXPECTED[source]
    got = [
        {
            "title": a.title,
            "kicker": a.kicker,
            "subtitle": a.subtitle,
            "column": a.column,
            "byline": a.reporters,
            "lines": [list(s) for s in a.spans],
        }
        for a in issue.articles
    ]
    assert got == want["articles"]
    assert issue.title == want["title"]
    assert issue.date == want["date"]


def test_boundary_f1_on_seeds_is_perfect() -> None:
    corpus = load_corpus(SEEDS)
    got = {(i.source, tuple(map(tuple, a.spans))) for i in corpus.issues for a in i.articles}
    want = {
        (src, tuple(tuple(s) for s in a["lines"]))
        for src, page in EXPECTED.items()
        for a in page["articles"]
    }
    tp = len(got & want)
    f1 = 2 * tp / (len(got) + len(want))
    assert f1 >= 0.95


# ------------------------------------------------------------------ one test per signal


def test_markdown_levels_title_kicker_and_section_heads() -> None:
    issue = parse_seed("001")
    a = issue.articles[0]
    assert issue.banner == "奋力实现十四五开新局"
    assert a.kicker.startswith("我市坚持把制造业高质量发展作为主攻方向")
    assert a.title == "以“新”赋能,全面挺起制造业高质量发展“脊梁”"
    assert a.section_heads == (
        "加快发展动能转换,增强制造业高质量发展“新动力”",
        "发力项目和场域载体建设,构筑制造业高质量发展“新载体”",
        "实施开放引领行动,构筑制造业高质量发展“新格局”",
    )


def test_kicker_above_title_with_deeper_mark() -> None:
    a = article(parse_seed("001"), "我市两名个人")
    assert a.kicker == "全国“两优一先”拟表彰对象名单公示"


def test_unmarked_page_headline_group_with_subtitle_and_furniture() -> None:
    issue = parse_seed("002")
    assert issue.banner == "在中原更加出彩中谱写浓墨重彩的洛阳篇章"
    assert issue.date == "2018-09-12"
    assert issue.furniture == ("2018年9月12日 星期三 编辑:武力 校对:向东 组版:祖威",)
    a = issue.articles[0]
    assert a.title == "让产业园区求新常新"
    assert a.subtitle == "——反思问题 倒逼落实 担当作为"
    assert a.kicker == "深入学习贯彻市委十一届七次全会精神 推动洛阳经济发展高质量和党的建设高质量"


def test_column_banner_and_interview_subtitle() -> None:
    issue = parse_seed("004")
    a = issue.articles[0]
    assert a.column == "一把手访谈"
    assert a.title == "真抓实干谋发展 奋勇争先谱新篇"
    assert a.subtitle == "访涧西区委书记、高新区党工委书记谢峰"
    assert article(issue, "减污降碳").subtitle == "-访市生态环境局党组书记、局长吴劲松"
    assert issue.furniture == ("校对:王岚 组版:晓南",)


def test_title_split_around_first_paragraph() -> None:
    a = article(parse_seed("004"), "均和云谷")
    assert a.title == "均和云谷·洛阳信息科技港:二期项目封顶"
    assert len([p for p in a.paragraphs if p.kind is Kind.TEXT]) == 2


def test_colon_kickers_open_articles() -> None:
    issue = parse_seed("004")
    assert article(issue, "三进").kicker == "南关街道:"
    assert article(issue, "沿街排查").kicker == "安乐街道:"


@pytest.mark.parametrize(
    ("page", "title", "byline"),
    [
        ("001", "以“新”赋能", "本报记者 陈曦 通讯员 李航 周宇飞"),
        ("003", "环都市区", "洛报融媒记者 李东慧 孙小蕊"),
        ("000", "洛阳市涧西区", "□东方今报·猛犸新闻记者 程慧娟 通讯员 高德权/文图"),
        ("004", "三进", "(郭洁琼 宋婉青)"),
        ("002", "西工区", "(晓蕊 吴言)"),
        ("004", "沿街排查", "张铁生 文/图"),
        ("004", "南阳商会", "(李士晋)"),
    ],
)
def test_bylines_in_every_form(page: str, title: str, byline: str) -> None:
    a = article(parse_seed(page), title)
    assert a.byline == byline
    # a trailing byline is cut from the last paragraph, not duplicated
    assert byline not in a.text


def test_lead_dateline_and_reporters() -> None:
    a = article(parse_seed("001"), "提升站位")
    assert a.dateline == "本报讯(记者 孙小蕊)"
    assert a.reporters == "记者 孙小蕊"
    assert a.text.startswith("昨日,市委副书记赵会生")
    b = article(parse_seed("004"), "科学规划")
    assert b.dateline == "本报讯 (洛报融媒记者 李雅君)"


def test_continuation_marker() -> None:
    a = article(parse_seed("001"), "项目为王")
    assert a.continuation == "(上接01版)"
    assert a.text.startswith("对中航光电")
    b = article(parse_seed("004"), "全国国企")
    assert b.continuation == "(上接01版)"


def test_captions_are_kept_apart_from_text() -> None:
    issue = parse_seed("003")
    feature = issue.articles[0]
    assert "偃师首阳新区万达广场" in feature.captions
    assert "伊川县吕店镇富硒小米种植基地 (本文配图均为资料图片)" in feature.captions
    assert "偃师首阳新区万达广场" not in feature.text
    assert (
        "在中信重工下线的国内首台悬臂式硬岩掘进机(资料图片)"
        in parse_seed("001").articles[0].captions
    )


def test_feature_split_in_two_blocks_is_one_article() -> None:
    issue = parse_seed("003")
    feature = issue.articles[0]
    assert feature.spans == ((3, 67), (103, 151))
    heads = [h for h in feature.section_heads if not h.startswith("●")]
    assert heads == [
        "新安 扭住龙头更好巩固制造业优势",
        "偃师区 在积极融入大市区中加快发展",
        "孟津区 乘势而上 推动整体提升",
        "伊川县 振奋精神加快打开工作新局面",
        "宜阳县 以关键工作突破带动新的更大发展",
    ]
    titles = [a.title for a in issue.articles]
    assert "以见实效为标准 开展人大监督工作" in titles
    assert not any(t.startswith(("伊川县", "宜阳县")) for t in titles)


def test_numbered_section_heads_stay_inside() -> None:
    a = article(parse_seed("002"), "西工区")
    assert a.section_heads[0] == "1 深化“放管服”改革 服务效能显著提升"
    assert len(a.section_heads) == 3


def test_paragraph_broken_across_blank_line_is_rejoined() -> None:
    a = article(parse_seed("001"), "以“新”赋能")
    assert "全市60家重点企业实现产值" in a.text
    b = article(parse_seed("000"), "学习讨论")
    assert "推动制造业高质量发展，打造全国先进制造业基地" in b.text
    assert "纷纷通过大学习" in b.text
    c = article(parse_seed("002"), "让产业园区")
    assert "经济增长放缓、市场需求变化" in c.text
    d = article(parse_seed("004"), "沿街排查")
    assert "充分利用宣传栏" in d.text  # across a two-line image gap


def test_parallel_paragraphs_are_not_joined() -> None:
    a = article(parse_seed("004"), "真抓实干")
    assert "提升基层治理\n聚焦乡村振兴促共享" in a.text


def test_column_wrap_spaces_removed_in_body_kept_in_headlines() -> None:
    issue = parse_seed("004")
    a = issue.articles[0]
    assert "综保区内麦斯克" in a.text
    assert "科技产业社区工地" in a.text
    assert a.title == "真抓实干谋发展 奋勇争先谱新篇"
    b = article(issue, "三进")
    assert '"钱袋子"' in b.text
    assert article(issue, "伏牛").reporters == "洛报融媒记者 李雅君 通讯员 张宇 欢 李劲鸣"


def test_spaces_between_ascii_stay_in_body_text() -> None:
    """Only spaces in Chinese prose are OCR debris: a command line or a path quoted in an
    article keeps its spaces (``touch /tmp``, ``rm -rf x`` lost them), CJK around ASCII not."""
    from corpus.clean import remove_wrap_spaces

    assert remove_wrap_spaces("第二段 $(touch /tmp/x) rm -rf x") == "第二段$(touch /tmp/x) rm -rf x"
    assert remove_wrap_spaces("综 保区 Windows 10 系统 a / b") == "综保区Windows 10系统a / b"
    assert remove_wrap_spaces("增长 31 % ，达到") == "增长31 %，达到"


def test_cut_off_heading_fragment_goes_to_previous_article() -> None:
    a = article(parse_seed("004"), "全国国企")
    assert a.text.endswith('产业集群和"生产、生态、生活"融合的科')


# ------------------------------------------------------------------ nothing is lost


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_nothing_lost_on_seeds(path: Path) -> None:
    text = path.read_text("utf-8")
    issue = parse_text(text, path.stem, path.name)
    assert issue_chars(issue) == page_chars(text)
    for a in issue.articles:
        for p in a.paragraphs:
            assert Counter(c for c in p.text if not c.isspace()) == Counter(
                c for c in p.raw if not c.isspace()
            )


PIECES = st.sampled_from(
    [
        "# ",
        "## ",
        "### ",
        "#### ",
        "本报讯(记者 张三 通讯员 李四)",
        "本报记者 王五",
        "洛报融媒记者 赵六",
        "(上接01版)",
        "●解读",
        "●路径",
        "2018年9月12日 星期三 编辑:武力",
        "校对:王岚 组版:晓南",
        "(晓蕊 吴言)",
        "张铁生 文/图",
        "——副题",
        "-访某某",
        "一把手访谈",
        "南关街道:",
        "。",
        "，",
        "、",
        ":",
        "“",
        "”",
        '"',
        " ",
        "　",
        "\n",
        "\n\n",
        "\n\n\n",
        "1 ",
        "全市60家重",
        "点企业实现产值同比增长31%。",
        "综 保区",
        "(资料图片)",
        "[bold]",
        "\x1b[31m",
        "洛阳市涧西区打造高质量首创之区",
        "产业园区发展普遍遇到瓶颈",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=60))
def test_nothing_lost_property(parts: list[str]) -> None:
    text = "".join(parts)
    issue = parse_text(text, "p")
    assert issue_chars(issue) == page_chars(text)
    ids = [a.id for a in issue.articles]
    assert len(ids) == len(set(ids))
    for a in issue.articles:
        for first, last in a.spans:
            assert 1 <= first <= last <= text.count("\n") + 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_never_crashes_on_any_text(text: str) -> None:
    issue = parse_text(text, "p")
    assert issue_chars(issue) == page_chars(text)


# ------------------------------------------------------------------ stable ids


def test_article_ids_stable_across_runs_and_reparse() -> None:
    a = load_corpus(SEEDS)
    b = load_corpus(SEEDS)
    assert [x.id for x in a.articles] == [x.id for x in b.articles]
    assert len({x.id for x in a.articles}) == len(a.articles)


def test_article_id_survives_edits_elsewhere_on_the_page() -> None:
    path = next(SEEDS.glob("001_*.txt"))
    text = path.read_text("utf-8")
    before = {a.title: a.id for a in parse_text(text, path.stem).articles}
    edited = text.replace("尾矿库是夏季防汛的重点。", "尾矿库是夏季防汛的重中之重。")
    after = {a.title: a.id for a in parse_text(edited, path.stem).articles}
    assert before == after


# ------------------------------------------------------------------ beyond the seeds


def test_same_level_marks_are_separate_articles() -> None:
    issue = parse_text(
        "## 标题一\n\n正文一。\n\n## 标题二\n\n正文二。\n\n## 标题三\n\n正文三。\n", "p"
    )
    assert [a.title for a in issue.articles] == ["标题一", "标题二", "标题三"]


def test_unmarked_short_news_with_paren_bylines() -> None:
    page = (
        "市长调研重点项目\n\n昨日，市长王某某到西工区调研重点项目建设。他强调要加快进度。(记者 张三)\n\n"
        "全市召开安全生产会议\n\n昨日，全市召开安全生产工作会议。\n\n会议要求，各级各部门要压实责任。(李四 王五)\n"
    )
    issue = parse_text(page, "p")
    assert [(a.title, a.byline) for a in issue.articles] == [
        ("市长调研重点项目", "(记者 张三)"),
        ("全市召开安全生产会议", "(李四 王五)"),
    ]


def test_feature_with_subheads_then_news_with_lead() -> None:
    page = (
        "## 大标题\n\n导语正文一段，很长的一段话。\n\n### 小标题一\n\n正文。\n\n### 小标题二\n\n正文。\n\n"
        "本报记者 张三\n\n## 下一篇\n\n新华社北京9月1日电(记者 李四)正文。\n"
    )
    issue = parse_text(page, "p")
    first, second = issue.articles
    assert first.section_heads == ("小标题一", "小标题二") and first.byline == "本报记者 张三"
    assert second.dateline == "新华社北京9月1日电(记者 李四)" and second.text == "正文。"


def test_single_newline_page_with_masthead_furniture() -> None:
    page = (
        "洛阳日报 2020年3月5日 星期四\n第3版 要闻\n## 标题\n"
        "本报讯（记者 张三）第一段正文，还没\n说完。\n第二段正文。\n本报记者 李四\n"
    )
    issue = parse_text(page, "p")
    assert issue.date == "2020-03-05"
    assert issue.furniture == ("洛阳日报 2020年3月5日 星期四", "第3版 要闻")
    (a,) = issue.articles
    assert a.text == "第一段正文，还没说完。\n第二段正文。" and a.byline == "本报记者 李四"
    assert a.dateline == "本报讯（记者 张三）" and a.reporters == "本报记者 李四"


MINERU = """# 洛阳日报

2015年7月1日 星期三 第01版

# 我市上半年经济运行稳中向好

![](images/3f2a9c1be0d4e5f6a7b8c9d0e1f2a3b4.jpg)

本报讯（记者 张三）今年上半年，我市经济运行稳中向好，主要指标增速高于全省平均水平。

<table><tr><td>指标</td><td>数值</td></tr><tr><td>地区生产总值</td><td>2500亿元</td></tr></table>

市统计局负责人表示，下半年将继续巩固向好态势。

$$
\\text{GDP} = C + I + G
$$

# 城市书房再添新成员

![](images/aa.jpg)
图为新开放的城市书房（记者 李四 摄）

本报讯（记者 李四）昨日，位于老城区的又一座城市书房正式开放。
"""


def test_a_mineru_page_image_links_formulas_and_tables() -> None:
    """What MinerU and Marker write: an image link is never a headline nor a story's text, a
    formula block never joins a headline group, a table stays a block of its own."""
    from corpus.keywords import is_candidate

    issue = parse_text(MINERU, "01", "01.md")
    assert [a.title for a in issue.articles] == ["我市上半年经济运行稳中向好", "城市书房再添新成员"]
    first, second = issue.articles
    assert first.paragraphs[0].text.startswith("今年上半年")  # the lead stays with its headline
    assert [p.text[:7] for p in first.paragraphs[1:]] == ["<table>", "市统计局负责人"]
    assert second.kicker == "" and "GDP" not in second.title
    assert any(f.startswith("![](images/aa.jpg") for f in issue.furniture)
    assert not any("images" in p.text for a in issue.articles for p in a.paragraphs)
    assert issue_chars(issue) == page_chars(MINERU)
    assert not any(is_candidate(w) for w in ("td", "tr", "table", "images", "jpg"))


def test_hard_wrapped_ocr_lines_are_running_text_not_headlines() -> None:
    """Line-level OCR writes every printed line as a line, no blank lines between: lines of
    the page's common width were cut there and are running text, and a line cut at a comma is
    never a headline (a five-article page became 74 articles titled by half sentences)."""
    page = parse_seed("002")
    lines: list[str] = []
    for a in page.articles:
        lines.append(a.title)
        for p in a.paragraphs:
            text = p.text.replace("\n", "")
            lines += [text[i : i + 18] for i in range(0, len(text), 18)]
    wrapped = "\n".join(lines) + "\n"
    issue = parse_text(wrapped, "p", "p.txt")
    assert len(issue.articles) <= len(page.articles) + 2
    assert not [a.title for a in issue.articles if a.title.endswith(("，", "、"))]
    assert issue_chars(issue) == page_chars(wrapped)
