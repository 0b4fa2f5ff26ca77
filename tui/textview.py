"""A block of styled paragraphs, wrapped for Chinese and drawn one line at a time.

Why not ``Static``: a Static lays out and renders every span of every paragraph whenever
its content changes; a long article with a tinted word boundary on every other word is
thousands of spans.  This widget wraps each paragraph once per width (``render.wrap``) and
builds only the lines the compositor asks for, so opening or restyling an article costs
about the same for 500 or 50,000 characters.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from itertools import pairwise

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

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


class WrappedText(Widget):
    """Paragraphs (``Content``: text + spans) separated by a blank line."""

    DEFAULT_CSS = "WrappedText { height: auto; }"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.blocks: list[Content] = []
        self._lines: list[tuple[int, int, int]] = []  # (block, start, end); block -1 = gap
        self._first_line: list[int] = []  # first line of each block
        self._wrapped_at = -1
        self._strips: dict[int, Strip] = {}

    # -- content

    def update(self, blocks: list[Content]) -> None:
        """Show new paragraphs; if only their styles changed, nothing is re-wrapped."""
        same_text = len(blocks) == len(self.blocks) and all(
            a.plain == b.plain for a, b in zip(blocks, self.blocks, strict=True)
        )
        self.blocks = blocks
        self._strips.clear()
        if not same_text:
            self._wrapped_at = -1
        self.refresh(layout=not same_text)

    def plain(self) -> str:
        return "\n\n".join(b.plain for b in self.blocks)

    # -- geometry

    def lines(self, width: int) -> list[tuple[int, int, int]]:
        if width != self._wrapped_at:
            self._wrapped_at = width
            self._strips.clear()
            out: list[tuple[int, int, int]] = []
            self._first_line = []
            for b, block in enumerate(self.blocks):
                if b:
                    out.append((-1, 0, 0))
                self._first_line.append(len(out))
                out.extend((b, s, e) for s, e in wrap(block.plain, width))
            self._lines = out
        return self._lines

    def line_of(self, block: int, offset: int) -> int:
        """The line showing character ``offset`` of paragraph ``block``."""
        lines = self.lines(self.size.width)
        if not self.blocks:
            return 0
        block = max(0, min(block, len(self.blocks) - 1))
        y = self._first_line[block]
        end = self._first_line[block + 1] - 1 if block + 1 < len(self.blocks) else len(lines)
        starts = [s for _b, s, _e in lines[y:end]]
        return y + max(0, bisect_right(starts, offset) - 1)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    # -- drawing

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self.lines(width)
        got = self._strips.get(y)
        if got is not None:
            return got
        base = self.visual_style.rich_style
        if not 0 <= y < len(lines) or lines[y][0] < 0:
            strip = Strip.blank(width, base)
        else:
            strip = self._line_strip(*lines[y], base).adjust_cell_length(width, base)
        self._strips[y] = strip
        return strip

    def _line_strip(self, b: int, start: int, end: int, base: RichStyle) -> Strip:
        block = self.blocks[b]
        text = block.plain
        spans = [sp for sp in block.spans if sp.start < end and sp.end > start]
        cuts = sorted(
            {start, end}
            | {max(start, sp.start) for sp in spans}
            | {min(end, sp.end) for sp in spans}
        )
        segments = []
        for a, z in pairwise(cuts):
            styles = tuple(str(sp.style) for sp in spans if sp.start <= a and sp.end >= z)
            segments.append(Segment(text[a:z], _combined(base, styles)))
        return Strip(segments)
