"""Wrapping Chinese text for the reader, and the widget that draws it a line at a time."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.content import Content, Span

from tui.render import wrap
from tui.textview import TextView

TEXT = (
    "新华社北京11月22日电（记者张三）国家统计局今天发布数据，显示今年前十个月全国规模以上"
    "工业增加值同比增长5.8%。“这是一个好消息。”Hello world, an example of Latin text."
)


def pieces(text: str, lines: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in lines]


def test_lines_fit_and_cover_the_text() -> None:
    for width in (2, 5, 10, 20, 33, 80):
        lines = wrap(TEXT, width)
        assert "".join(pieces(TEXT, lines)) == TEXT
        assert all(cell_len(p.rstrip(" ")) <= width for p in pieces(TEXT, lines))


def test_chinese_line_breaking_rules() -> None:
    lines = pieces(TEXT, wrap(TEXT, 20))
    assert not any(p[0] in "，。、；：！？）」”" for p in lines[1:])
    assert not any(p[-1] in "（「“" for p in lines)
    latin = pieces(TEXT, wrap(TEXT, 33))
    words = {w.strip(",.") for p in latin for w in p.split()}
    assert {"Hello", "world", "example", "Latin"} <= words  # whole words, not cut
    assert pieces("ab", wrap("ab", 1)) == ["a", "b"]  # a word longer than the line is cut


def test_newlines_end_lines_and_are_the_only_thing_left_out() -> None:
    text = "第一行\n第二行很长很长很长\n"
    lines = wrap(text, 6)
    assert pieces(text, lines) == ["第一行", "第二行", "很长很", "长很长", ""]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("中文字，。「」《》 abc12\n😀\u0301")), max_size=200),
    st.integers(min_value=1, max_value=40),
)
def test_wrap_never_loses_a_character(text: str, width: int) -> None:
    lines = wrap(text, width)
    # between consecutive lines there is nothing, or the one newline that ended the line
    pos = 0
    for s, e in lines:
        assert text[pos:s] in ("", "\n")
        assert s <= e
        pos = e
    assert text[pos:] in ("", "\n")
    for s, e in lines:
        assert e - s <= 1 or cell_len(text[s:e].rstrip(" ")) <= max(width, 2)


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield TextView()


async def test_draws_only_the_lines_on_screen() -> None:
    body_text = "这是很长的一段文字，" * 400
    block = Content(body_text, [Span(i, i + 2, "bold") for i in range(0, len(body_text), 4)])
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(TextView)
        view.set_blocks([Content("标题"), block], [0, 1])
        await pilot.pause()
        width = view.scrollable_content_region.width
        assert view.virtual_size.height == view.line_count > 100
        assert 0 < len(view._strips) <= 20  # built lazily, one strip per visible line
        last = view.line_of(1, len(body_text) - 1)
        assert last == view.line_count - 1
        strip = view.render_line(2)  # line 0 the title, 1 the gap
        assert strip.text.rstrip() == body_text[: len(strip.text.rstrip())]
        assert strip.cell_length == width
        assert view.offset_at(0, 0) == (0, 0) and view.offset_at(3, 0) == (0, 1)
        assert view.offset_at(0, 1) is None  # the gap
        view.scroll_to_line(last)
        await pilot.pause()
        assert view.scroll_y > 0
        _b, s0, e0 = view._lines[int(view.scroll_y)]  # the top line after scrolling
        assert view.render_line(0).text.rstrip() == body_text[s0:e0].rstrip()
        # a restyle keeps the wrapping (cached by text) and redraws
        view.set_blocks([Content("标题"), Content(body_text)], [0, 1])
        assert view.line_count - 1 == last


def test_keyword_kinds_have_their_own_style() -> None:
    from tui.render import KEYWORD_KIND_STYLES, keyword_style

    assert keyword_style(0.9) == keyword_style(0.9, "word")
    assert "italic" in keyword_style(0.9, "term")
    for kind in ("person", "place", "organisation"):
        assert keyword_style(0.9, kind) == KEYWORD_KIND_STYLES[kind]
    assert len({keyword_style(0.9, k) for k in ("word", "term", "person", "place")}) == 4
