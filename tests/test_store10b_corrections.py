"""A merged article keeps the first article's writer (tester A, F9): ``M`` on an article
signed in its dateline (``本报讯（记者 李梦龙）``) gave the merged article the second one's
closing byline; a first part with no writer of its own (a story the parser cut in two)
still takes the byline that closes the whole, and a split gives both back as they were."""

from __future__ import annotations

from corpus.parse import parse_text

DATELINE_SIGNED = (
    "市委办公室领导班子召开专题民主生活会\n\n"
    "本报讯（记者 李梦龙）昨日，市委办公室领导班子召开专题民主生活会。\n\n"
    "会议要求，要以整改落实的实际成效推动工作。\n\n"
    "西工区：提升服务企业效能\n\n"
    "近日，西工区开展“四项对接”活动，助力企业拓市场解难题。(晓蕊 吴言)\n"
)
BYLINE_SIGNED = (
    "市长调研重点项目\n\n昨日，市长王某某到西工区调研重点项目建设。他强调要加快进度。(记者 张三)\n\n"
    "全市召开安全生产会议\n\n昨日，全市召开安全生产工作会议。\n\n会议要求，各级各部门要压实责任。(李四 王五)\n"
)
UNSIGNED_FIRST = (
    "全市召开安全生产会议\n\n昨日，全市召开安全生产工作会议。\n\n"
    "会议要求\n\n各级各部门要压实责任，确保安全。(李四 王五)\n"
)


def _merged(text: str) -> tuple[str, str, str]:
    page = parse_text(text, "p")
    first = page.articles[0]
    merged = parse_text(text, "p", corrections=[("merge_next", first.spans[0][0])])
    (one, *_rest) = merged.articles
    return one.title, one.byline, one.reporters


def test_merge_keeps_the_writer_named_in_the_first_dateline() -> None:
    page = parse_text(DATELINE_SIGNED, "p")
    assert [a.reporters for a in page.articles] == ["记者 李梦龙", "(晓蕊 吴言)"]
    title, byline, reporters = _merged(DATELINE_SIGNED)
    assert title == "市委办公室领导班子召开专题民主生活会"
    assert byline == "" and reporters == "记者 李梦龙"


def test_merge_keeps_the_first_closing_byline() -> None:
    assert _merged(BYLINE_SIGNED)[1] == "(记者 张三)"


def test_an_unsigned_first_part_takes_the_byline_that_closes_the_whole() -> None:
    page = parse_text(UNSIGNED_FIRST, "p")
    assert len(page.articles) == 2 and page.articles[0].byline == ""
    assert _merged(UNSIGNED_FIRST)[1] == "(李四 王五)"


def test_split_back_gives_each_its_own_writer() -> None:
    for text in (DATELINE_SIGNED, BYLINE_SIGNED, UNSIGNED_FIRST):
        page = parse_text(text, "p")
        first, second = page.articles
        merge = ("merge_next", first.spans[0][0])
        again = parse_text(text, "p", corrections=[merge, ("split", second.spans[0][0])])
        assert [(a.id, a.byline, a.reporters) for a in again.articles] == [
            (a.id, a.byline, a.reporters) for a in page.articles
        ]
