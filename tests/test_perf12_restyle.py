"""Restyling after an annotation change: coding, noting or tagging on a very long paragraph
restyles the passages and search hits alone, and the reader looks exactly as when every
layer was styled again from scratch."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from textual.strip import Strip

from tests.test_tui import SIZE, open_article, ready
from tests.test_tui11_caret import drawn, huge_page
from tests.test_tui_analysis import until
from tui.app import make_app
from tui.render import Marks, article_body, passage_style
from tui.textview import line_strip
from tui.widgets import Reader
from tui.widgets import reader as reader_module


def restyled(reader: Reader, screen: Any) -> list[list[tuple[str, str]]]:
    """The lines on screen drawn from a body styled whole again: every layer at once, the
    caret and selection (in passage mode) in it, nothing kept from before."""
    marks = screen.marks
    again = Marks(**{k: getattr(marks, k) for k in marks.__dataclass_fields__})
    if reader.mode != "read":
        again.caret = reader.tokens[reader.caret]
    if reader.mode == "select":
        lo, hi = sorted((reader.caret, reader.sel_anchor))
        again.selection = (reader.tokens[lo][0], reader.tokens[hi][1])
    body, _layout = article_body(screen.article, again, screen.hl_layers)
    blocks = reader.head + body + reader.notes
    base = reader.visual_style.rich_style
    width = reader._width
    out = []
    for y in range(reader.scrollable_content_region.height):
        i = y + reader.scroll_offset.y
        b, start, end = reader._lines[i] if i < reader.line_count else (-1, 0, 0)
        strip = line_strip(blocks[b], start, end, base) if b >= 0 else Strip.blank(width, base)
        out.append([(s.text, str(s.style)) for s in strip.adjust_cell_length(width, base)])
    return out


def passage_drawn(reader: Reader, screen: Any, tag: str) -> bool:
    """Some line on screen shows the tint of a passage coded ``tag``."""
    tint = passage_style(screen.colours().get(tag, "#888888")).split(" on ")[1]
    return any(f"on {tint}" in style for line in drawn(reader) for _t, style in line)


async def test_coding_a_passage_on_a_huge_paragraph_restyles_only_the_passages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tagging a passage, noting it and tagging the article each restyled all 400,000
    characters (0.3 s on 700,000); now the words' layers are not styled again, each change
    costs well under 100 ms, and the screen is what a body styled whole shows."""
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
        await until(pilot, lambda: screen.article.id in screen.entities, "the names")
        await pilot.pause()
        styled = 0
        real = reader_module.article_body

        def counted(*a: Any, **k: Any) -> Any:
            nonlocal styled
            styled += 1
            return real(*a, **k)

        monkeypatch.setattr(reader_module, "article_body", counted)
        spent: list[float] = []
        after_change = type(screen).after_change

        def timed(self: Any) -> None:
            t = time.perf_counter()
            after_change(self)
            for y in range(reader.scrollable_content_region.height):
                reader.render_line(y)  # the frame the change costs
            spent.append(time.perf_counter() - t)

        monkeypatch.setattr(type(screen), "after_change", timed)
        assert not passage_drawn(reader, screen, "巨页段")
        await pilot.press("v", "l", "v", "l", "l", "t", *"巨页段", "enter")
        await until(pilot, lambda: len(spent) == 1, "the passage coded")
        (h,) = app.workspace.store.highlights(screen.article.id)
        assert h.tags == ("巨页段",)
        assert passage_drawn(reader, screen, "巨页段")
        assert drawn(reader) == restyled(reader, screen)
        await pilot.press("n", *"一条笔记", "ctrl+s")
        await until(pilot, lambda: len(spent) == 2, "the note saved")
        assert app.workspace.store.highlights(screen.article.id)[0].note == "一条笔记"
        await pilot.press("escape", "t", *"整篇", "enter")
        await until(pilot, lambda: len(spent) == 3, "the article tagged")
        assert "整篇" in app.workspace.store.notes(screen.article.id).tags
        assert drawn(reader) == restyled(reader, screen)
        await pilot.press("u")  # undo the article's tag; then the note, then the passage
        await pilot.press("u", "u")
        await until(pilot, lambda: not app.workspace.store.highlights(screen.article.id), "undo")
        await pilot.pause()
        assert not passage_drawn(reader, screen, "巨页段")
        assert drawn(reader) == restyled(reader, screen)
        assert styled == 0  # the body (the words' layers) was never styled again
        assert len(spent) >= 4 and max(spent) < 0.1, spent


async def test_a_passage_across_paragraphs_and_a_layer_toggled_look_as_restyled_whole(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """On an article of many paragraphs (captions, section heads): a passage over several,
    hidden and shown again with the layer switch, looks as the body styled whole."""
    app = make_app(seeds_copy, tmp_path / "db" / "annotations.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.main_screen
        await ready(pilot, screen, entities=True)
        await open_article(pilot, screen, "提升站位")
        reader = screen.query_one(Reader)
        await until(pilot, lambda: screen.article.id in screen.entities, "the names")
        await pilot.press("v", "l", "v", *["j"] * 6, "l", "t", *"跨段", "enter")
        await until(pilot, lambda: bool(app.workspace.store.highlights(screen.article.id)), "coded")
        await pilot.pause()
        (h,) = app.workspace.store.highlights(screen.article.id)
        assert "\n" in screen.article.text[h.start : h.end]
        assert passage_drawn(reader, screen, "跨段")
        assert drawn(reader) == restyled(reader, screen)
        screen.hl_layers.passages = False
        screen.render_article(keep_scroll=True)
        await pilot.pause()
        assert not passage_drawn(reader, screen, "跨段")
        assert drawn(reader) == restyled(reader, screen)
        screen.search_query = "责任"  # search hits: restyled over the same body too
        screen.render_article(keep_scroll=True)
        await pilot.pause()
        assert any("#f0c674" in style and t == "责任" for ln in drawn(reader) for t, style in ln)
        assert drawn(reader) == restyled(reader, screen)
        screen.hl_layers.passages = True
        screen.hl_layers.boundaries = False  # a layer of the words: the body is styled again
        screen.render_article(keep_scroll=True)
        await pilot.pause()
        assert passage_drawn(reader, screen, "跨段")
        assert drawn(reader) == restyled(reader, screen)
