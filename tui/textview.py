"""Blocks of styled text in one scrollable view, wrapped for Chinese and drawn a line at a time.

Why not Statics in a scroll container: a Static lays out and renders every span of its text
whenever it changes, and each size change costs Textual a second layout pass one frame later.
A long article with a tint on every other word is thousands of spans.  Here each block is
wrapped once per width (``render.wrap``, cached by text), the view's height is known at once
(one layout, one frame), and only the lines on screen are styled, so opening or restyling an
article costs about the same for 500 or 50,000 characters.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import pairwise

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.content import Content, Span
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.render import wrap


@lru_cache(maxsize=4096)
def _combined(base: RichStyle, styles: tuple[str, ...]) -> RichStyle:
    style = base
    for s in styles:
        style = style + _parsed(s)
    return style


@lru_cache(maxsize=512)
def _parsed(style: str) -> RichStyle:
    try:
        return RichStyle.parse(style)
    except Exception:  # a malformed colour from the user's codebook: draw plainly
        return RichStyle()


class SpanIndex:
    """A block's spans found by position, in their drawing order.

    A 700,000-character paragraph has over a million spans; filtering all of them for each
    line drawn cost 5 ms a line.  Spans come in runs sorted by start (one per layer); each run
    is searched by bisection, and the runs are read in order, so later spans stay on top."""

    def __init__(self, spans: list[Span]) -> None:
        self.runs: list[tuple[list[int], list[Span], int]] = []  # starts, spans, longest
        run: list[Span] = []
        for sp in spans:
            if run and sp.start < run[-1].start:
                self._close(run)
                run = []
            run.append(sp)
        if run:
            self._close(run)

    def _close(self, run: list[Span]) -> None:
        self.runs.append(([sp.start for sp in run], run, max(sp.end - sp.start for sp in run)))

    def over(self, start: int, end: int) -> list[Span]:
        """The spans that cover part of ``start:end``, in drawing order."""
        out: list[Span] = []
        for starts, run, longest in self.runs:
            lo = bisect_left(starts, start - longest)
            hi = bisect_left(starts, end)
            out.extend(sp for sp in run[lo:hi] if sp.end > start)
        return out


def line_strip(
    block: Content,
    start: int,
    end: int,
    base: RichStyle,
    index: SpanIndex | None = None,
    extra: Sequence[Span] = (),
) -> Strip:
    """Characters ``start:end`` of ``block`` with its spans (later spans drawn over earlier),
    then ``extra`` over them (the caret and selection)."""
    text = block.plain
    found = index.over(start, end) if index is not None else block.spans
    spans = [sp for sp in (*found, *extra) if sp.start < end and sp.end > start]
    cuts = sorted(
        {start, end} | {max(start, sp.start) for sp in spans} | {min(end, sp.end) for sp in spans}
    )
    segments = []
    for a, z in pairwise(cuts):
        styles = tuple(str(sp.style) for sp in spans if sp.start <= a and sp.end >= z)
        segments.append(Segment(text[a:z], _combined(base, styles)))
    return Strip(segments)


class TextView(ScrollView):
    """A vertical run of ``Content`` blocks, each preceded by ``gap`` blank lines."""

    DEFAULT_CSS = """
    TextView {
        overflow-x: hidden;
        scrollbar-gutter: stable;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.blocks: list[Content] = []
        self.gaps: list[int] = []
        self._lines: list[tuple[int, int, int]] = []  # (block, start, end); block -1 = gap
        self._first_line: list[int] = []
        self._width = -1
        self._wraps: dict[tuple[str, int], list[tuple[int, int]]] = {}
        self._strips: dict[int, Strip] = {}
        self._indexes: dict[int, tuple[Content, SpanIndex]] = {}
        self.overlay: Mapping[int, Sequence[Span]] = {}
        self.upper: dict[int, SpanIndex] = {}

    # -- content

    def set_blocks(self, blocks: list[Content], gaps: list[int]) -> None:
        """Show ``blocks``; wrapping is cached by text, so a restyle re-wraps nothing."""
        self.blocks, self.gaps = blocks, gaps
        kept = {id(b) for b in blocks}
        self._indexes = {k: v for k, v in self._indexes.items() if k in kept}
        self._width = -1
        self._strips.clear()
        self._relayout()
        self.refresh()

    def set_overlay(self, overlay: Mapping[int, Sequence[Span]]) -> None:
        """Spans drawn over the blocks' own (block number → spans in it): the caret and the
        selection.  Only the lines they leave or reach are redrawn, whatever the text's size."""
        old, self.overlay = self.overlay, overlay
        self._relayout()
        for b in {*old, *overlay}:
            if not 0 <= b < len(self.blocks):
                continue
            for sp in (*old.get(b, ()), *overlay.get(b, ())):
                first = self.line_of(b, sp.start)
                last = self.line_of(b, max(sp.start, sp.end - 1))
                for y in range(first, last + 1):
                    self._strips.pop(y, None)
                self.refresh_lines(first, last - first + 1)

    def set_upper(self, upper: Mapping[int, list[Span]]) -> None:
        """Spans drawn over the blocks' own and under the overlay (block number → spans in
        it): what an annotation or a search changes, restyled without the blocks (a passage
        coded on a 700,000-character paragraph re-styled all of it, 0.3 s)."""
        self.upper = {b: SpanIndex(spans) for b, spans in upper.items() if spans}
        self._strips.clear()
        self.refresh()

    def _index(self, block: int) -> SpanIndex:
        content = self.blocks[block]
        got = self._indexes.get(id(content))
        if got is None or got[0] is not content:
            got = self._indexes[id(content)] = (content, SpanIndex(list(content.spans)))
        return got[1]

    def _text_width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _relayout(self) -> None:
        width = self._text_width()
        if width == self._width:
            return
        self._width = width
        self._strips.clear()
        if len(self._wraps) > 4000:
            self._wraps.clear()
        lines: list[tuple[int, int, int]] = []
        first: list[int] = []
        for b, (block, gap) in enumerate(zip(self.blocks, self.gaps, strict=True)):
            lines.extend([(-1, 0, 0)] * gap)
            first.append(len(lines))
            key = (block.plain, width)
            wrapped = self._wraps.get(key)
            if wrapped is None:
                wrapped = self._wraps[key] = wrap(block.plain, width)
            lines.extend((b, s, e) for s, e in wrapped)
        self._lines, self._first_line = lines, first
        self.virtual_size = Size(width, len(lines))

    def on_resize(self) -> None:
        self._relayout()

    # -- geometry

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def line_of(self, block: int, offset: int) -> int:
        """The line showing character ``offset`` of block ``block``."""
        self._relayout()
        if not self.blocks:
            return 0
        block = max(0, min(block, len(self.blocks) - 1))
        y = self._first_line[block]
        end = self._first_line[block + 1] if block + 1 < len(self.blocks) else len(self._lines)
        starts = [s for b, s, _e in self._lines[y:end] if b == block]
        return y + max(0, bisect_right(starts, offset) - 1)

    def offset_at(self, x: int, y: int) -> tuple[int, int] | None:
        """(block, character offset) under content cell ``x`` of line ``y``, if any."""
        if not 0 <= y < len(self._lines) or self._lines[y][0] < 0:
            return None
        b, start, end = self._lines[y]
        text = self.blocks[b].plain
        cells = 0
        for i in range(start, end):
            cells += get_character_cell_size(text[i])
            if cells > x:
                return b, i
        return b, max(start, end - 1)

    def scroll_to_line(self, y: int) -> None:
        """Bring line ``y`` on screen (a third of the way down) if it is not."""
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if not (top <= y < top + height - 1):
            self.jump_to(max(0, y - height // 3))

    def jump_to(self, y: float) -> None:
        """Scroll to line ``y`` now.  Forced: Textual only allows scrolling once a layout has
        shown the new height is scrollable, but the height is already known here."""
        self.scroll_to(y=y, animate=False, force=True)

    # -- drawing

    def render_line(self, y: int) -> Strip:
        self._relayout()
        # scroll_offset (rounded), as Textual redraws: an animated scroll's last frame, 7.6
        # to 8, is not redrawn, and int(7.6) kept the view a line short of its end
        index = y + self.scroll_offset.y
        got = self._strips.get(index)
        if got is None:
            base = self.visual_style.rich_style
            if 0 <= index < len(self._lines) and self._lines[index][0] >= 0:
                b, start, end = self._lines[index]
                extra = self.overlay.get(b, ())
                if b in self.upper:
                    extra = (*self.upper[b].over(start, end), *extra)
                got = line_strip(self.blocks[b], start, end, base, self._index(b), extra)
            else:
                got = Strip.blank(self._width, base)
            got = got.adjust_cell_length(self._width, base)
            self._strips[index] = got
        return got
