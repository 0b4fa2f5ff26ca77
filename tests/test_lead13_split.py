"""A split gives each part what stands beside it on the page: a byline that closes the story
(after the split-off part) signs the second part, with its lines; a dateline's writer stays
with the first (tester report: the byline stayed on the first half, whose lines then ran past
the second's)."""

from __future__ import annotations

from pathlib import Path

from corpus.parse import parse_text

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "seeds" / "000_5307bc753add3444.txt").read_text(encoding="utf-8")

CLOSED = """# 洛阳日报 2021年6月1日 第2版

## 我市召开项目建设推进会

昨日，我市召开项目建设推进会。会议强调，要抓好项目建设，确保全年目标任务完成。

第二段文字讲的是推进会上的部署，要持续推进项目落地见效，形成比学赶超的良好氛围。

另一篇稿子被并进了这里：伊川县举行乡村振兴培训班，全县一百余名村干部参加培训。

培训班为期三天，邀请省内专家授课，内容涵盖产业发展、基层治理等方面。

（记者 张三 通讯员 李四）
"""


def _lines(spans: tuple[tuple[int, int], ...]) -> set[int]:
    return {n for a, b in spans for n in range(a, b + 1)}


def _split(text: str, nth: int) -> tuple[object, object, object]:
    issue = parse_text(text, "p")
    art = issue.articles[0]
    line = art.paragraphs[nth].lines[0]
    after = parse_text(text, "p", corrections=[("split", line)])
    parts = [*after.articles, *after.fragments]
    first = next(a for a in parts if a.id == art.id)
    second = next(a for a in parts if a.text.startswith(art.paragraphs[nth].text))
    return art, first, second


def test_a_closing_byline_goes_with_the_part_it_closes() -> None:
    art, first, second = _split(CLOSED, 2)
    assert art.byline == "（记者 张三 通讯员 李四）" or "张三" in art.byline
    assert first.byline == ""
    assert "张三" in second.byline
    last = max(_lines(art.spans))
    assert last in _lines(second.spans)  # the byline's line is the second part's
    assert max(_lines(first.spans)) < min(_lines(second.spans))


def test_a_seed_article_split_keeps_its_lines_in_order() -> None:
    art, first, second = _split(PAGE, 3)
    assert "程慧娟" in art.byline
    assert "程慧娟" in second.byline and first.byline == ""
    assert max(_lines(first.spans)) < min(_lines(second.spans))
    text = PAGE.split("\n")
    written = {n for n in _lines(art.spans) if text[n - 1].strip()}
    assert written <= _lines(first.spans) | _lines(second.spans) <= _lines(art.spans)


def test_a_dateline_writer_stays_with_the_first_part() -> None:
    text = CLOSED.replace("昨日，", "本报讯（记者 王五）昨日，").replace(
        "\n（记者 张三 通讯员 李四）\n", "\n"
    )
    art, first, second = _split(text, 2)
    assert "王五" in first.dateline
    assert second.byline == "" and "王五" not in second.dateline
