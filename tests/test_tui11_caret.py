"""Passage mode on a very long paragraph (a broken OCR export on one line): a caret key
redraws the caret, not the paragraph, and looks exactly as the fully styled body would."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.content import Span
from textual.strip import Strip

from tests.test_tui import SIZE, open_article, ready
from tests.test_tui_analysis import until
from tui import render
from tui.app import make_app
from tui.render import Marks, article_body, body_layout, in_blocks
from tui.textview import line_strip
from tui.widgets import Reader

ROOT = Path(__file__).resolve().parent.parent


def huge_page(folder: Path, size: int) -> None:
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    text = "".join(
        p.strip() for s in seeds for p in s.read_text("utf-8").split("\n") if len(p) > 80
    )
    (folder / "huge.txt").write_text(f"## 巨页\n\n{(text * (size // len(text) + 1))[:size]}\n")


def drawn(reader: Reader) -> list[list[tuple[str, str]]]:
    """The lines on screen as (text, style) segments."""
    return [
        [(seg.text, str(seg.style)) for seg in reader.render_line(y)]
        for y in range(reader.scrollable_content_region.height)
    ]


def fully_styled(reader: Reader, screen: Any) -> list[list[tuple[str, str]]]:
    """The same lines drawn the old way: every layer, the caret and selection in the body."""
    marks = screen.marks
    again = Marks(**{k: getattr(marks, k) for k in marks.__dataclass_fields__})
    c = reader.caret
    again.caret = reader.tokens[c]
    if reader.mode == "select":
        lo, hi = sorted((c, reader.sel_anchor))
        again.selection = (reader.tokens[lo][0], reader.tokens[hi][1])
    body, _layout = article_body(screen.article, again, screen.hl_layers)
    blocks = reader.head + body + reader.notes
    base = reader.visual_style.rich_style
    out = []
    for y in range(reader.scrollable_content_region.height):
        i = y + reader.scroll_offset.y
        b, start, end = reader._lines[i] if i < reader.line_count else (-1, 0, 0)
        width = reader._width
        strip = line_strip(blocks[b], start, end, base) if b >= 0 else Strip.blank(width, base)
        out.append([(s.text, str(s.style)) for s in strip.adjust_cell_length(width, base)])
    return out


async def test_a_caret_key_on_a_huge_paragraph_redraws_only_the_caret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F18: each caret key re-styled all 400,000 characters (0.9–1.5 s a key).  Now no key
    re-styles the body, a key costs well under 100 ms, and the screen is what the fully
    styled body showed."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    huge_page(corpus, 400_000)
    app = make_app(corpus, tmp_path / "db" / "annotations.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.main_screen
        await ready(pilot, screen)
        await until(pilot, lambda: screen.ws.library.segmenter.loaded, "dictionary")
        await open_article(pilot, screen, "巨页")
        reader = screen.query_one(Reader)
        await until(pilot, lambda: len(reader.tokens) > 100_000, "the words")
        styled = 0
        real = render.text_spans

        def counted(*a: Any, **k: Any) -> Any:
            nonlocal styled
            styled += 1
            return real(*a, **k)

        monkeypatch.setattr(render, "text_spans", counted)
        handler = type(screen).on_reader_caret_moved
        spent: list[float] = []

        def timed(self: Any, msg: Any) -> None:
            t = time.perf_counter()
            handler(self, msg)
            for y in range(reader.scrollable_content_region.height):
                reader.render_line(y)  # the frame the key costs
            spent.append(time.perf_counter() - t)

        monkeypatch.setattr(type(screen), "on_reader_caret_moved", timed)
        await pilot.press("v", "l", "l", "v", "l", "l", "l", "j")
        await pilot.pause()
        assert reader.mode == "select" and reader.caret > 5
        assert styled == 0  # the body was not re-styled for any caret key
        assert len(spent) == 8 and sorted(spent)[4] < 0.1, spent
        monkeypatch.setattr(render, "text_spans", real)
        assert drawn(reader) == fully_styled(reader, screen)
        sel = reader.selection()
        assert sel is not None
        await pilot.press("t", *"巨页段", "enter")
        await pilot.pause()
    (h,) = app.workspace.store.highlights(screen.article.id)
    assert (h.start, h.end) == sel and h.tags == ("巨页段",)


async def test_the_caret_and_selection_look_as_before_on_a_short_article(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """Drawn over the body, the caret and selection look exactly as when they were part of
    it, across paragraphs too; Esc takes them away."""
    app = make_app(seeds_copy, tmp_path / "db" / "annotations.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.main_screen
        await ready(pilot, screen)
        await open_article(pilot, screen, "提升站位")
        reader = screen.query_one(Reader)
        await pilot.press("v", "l", "v", *["j"] * 6, "l")
        await pilot.pause()
        sel = reader.selection()
        assert sel is not None and "\n" in screen.article.text[sel[0] : sel[1]]
        assert drawn(reader) == fully_styled(reader, screen)
        await pilot.press("escape")
        await pilot.pause()
        assert reader.mode == "read"
        assert not any("reverse" in style for line in drawn(reader) for _t, style in line)


@given(
    st.lists(st.integers(1, 12), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=12),
)
@settings(max_examples=200, deadline=None)
def test_spans_land_on_the_characters_they_cover(sizes: list[int], raw: list[Any]) -> None:
    """Each styled character of the article is styled at the same character of its block,
    however the spans cross paragraphs (checked character by character)."""
    from corpus.model import Article, Kind, Paragraph

    paras = [  # the second of three or more a caption: shown, not in the article's text
        Paragraph(
            Kind.CAPTION if i == 1 and len(sizes) > 2 else Kind.TEXT,
            "".join(chr(0x4E00 + 40 * i + k) for k in range(n)),
            (i + 1, i + 1),
        )
        for i, n in enumerate(sizes)
    ]
    art = Article(id="a", issue_id="p", title="t", paragraphs=tuple(paras))
    layout, _base = body_layout(art)
    spans = [Span(s, s + n, f"#{i:06x}") for i, (s, n) in enumerate(raw)]
    placed = in_blocks(layout, spans)
    blocks = [layout.display[s:e] for s, e in layout.blocks]
    for i, sp in enumerate(spans):
        want = {art.text[k] for k in range(sp.start, min(sp.end, len(art.text)))} - {"\n"}
        got = {
            blocks[b][k]
            for b, in_b in placed.items()
            for x in in_b
            if x.style == sp.style
            for k in range(x.start, x.end)
        }
        assert got == want, (i, sp)
