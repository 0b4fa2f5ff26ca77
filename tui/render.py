"""Article → styled ``Content`` for the reader: pure functions, no widgets, easy to test.

Article text is always text: ``Content(text, spans)`` with spans at jieba's offsets, never
markup, so ``[bold]`` in a page shows as ``[bold]``.  Control characters are shown as their
visible "control picture" (ESC → ␛) so offsets stay aligned and nothing reaches the terminal.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from rich.cells import get_character_cell_size
from textual.content import Content, Span

if TYPE_CHECKING:
    from corpus.model import Article


_CONTROL_PICTURES = {c: 0x2400 + c for c in range(0x20) if c != 0x0A}
_CONTROL_PICTURES[0x7F] = 0x2421


_KEEP_TABS = {c: p for c, p in _CONTROL_PICTURES.items() if c != 0x09}
_C1 = re.compile("[\x80-\x9f]")


def visible(text: str, tabs: bool = False) -> str:
    """Same length, nothing a terminal would act on (``tabs``: tabs kept, for an editor)."""
    out = text.translate(_KEEP_TABS if tabs else _CONTROL_PICTURES)
    return _C1.sub("\ufffd", out)  # a regular expression: per character, 0.2 s a long page


@dataclass
class Layers:
    """Which highlight layers the reader shows (each toggleable)."""

    boundaries: bool = True
    keywords: bool = True
    watch: bool = True
    entities: bool = True
    hits: bool = True
    passages: bool = True

    def names(self) -> list[str]:
        return ["boundaries", "keywords", "watch", "entities", "hits", "passages"]


LABELS = {
    "boundaries": "词界 word boundaries",
    "keywords": "关键词 keywords",
    "watch": "关注词 watch list",
    "entities": "人名/地名/机构 names",
    "hits": "搜索命中 search hits",
    "passages": "编码段落 coded passages",
}

KEYWORD_STYLES = ["bold #f0c674", "#f0c674", "underline #d8b86a"]
ENTITY_STYLES = {"person": "#7fb6f0", "place": "#8fce7a", "org": "#c49ae0"}
BOUNDARY_STYLE = "on #262b36"
HIT_STYLE = "bold #101010 on #f0c674"
SELECTION_STYLE = "reverse"
CARET_STYLE = "bold reverse #ffffff"
SECTION_STYLE = "bold #e0e0e0"


@dataclass
class Marks:
    """Everything to highlight in one article, as offsets into ``Article.text``."""

    tokens: list[tuple[int, int]] = field(default_factory=list)
    keywords: dict[str, float] = field(default_factory=dict)
    keyword_kinds: dict[str, str] = field(default_factory=dict)
    """What each keyword is: word, term, person, place, organisation (the legend says)."""
    watch: list[tuple[str, str]] = field(default_factory=list)
    entities: list[tuple[int, int, str]] = field(default_factory=list)
    hits: list[tuple[int, int]] = field(default_factory=list)
    passages: list[tuple[int, int, str]] = field(default_factory=list)
    selection: tuple[int, int] | None = None
    caret: tuple[int, int] | None = None


KEYWORD_KIND_STYLES = {
    "term": "italic",
    "person": f"bold {ENTITY_STYLES['person']}",
    "place": f"bold {ENTITY_STYLES['place']}",
    "organisation": f"bold {ENTITY_STYLES['org']}",
}
"""A keyword that is a multi-word term is set in italics; a name keyword in its kind's colour."""
KEYWORD_LEGEND = (
    ("术语 term", "italic #f0c674"),
    ("人名 person", KEYWORD_KIND_STYLES["person"]),
    ("地名 place", KEYWORD_KIND_STYLES["place"]),
    ("机构 org", KEYWORD_KIND_STYLES["organisation"]),
)


def keyword_style(weight: float, kind: str = "word") -> str:
    """Three strengths by weight; terms and names marked by their kind."""
    base = _weight_style(weight)
    extra = KEYWORD_KIND_STYLES.get(kind)
    if extra is None:
        return base
    if kind == "term":
        return f"{base} {extra}"
    return f"{extra} underline" if "underline" in base else extra


def _weight_style(weight: float) -> str:
    if weight >= 0.6:
        return KEYWORD_STYLES[0]
    if weight >= 0.3:
        return KEYWORD_STYLES[1]
    return KEYWORD_STYLES[2]


def passage_style(colour: str) -> str:
    """A dim background in the tag's colour: visible under the other layers."""
    c = colour.lstrip("#")
    if len(c) != 6:
        return "underline on #3a3040"
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    r, g, b = (int(x * 0.5 + 0x1E * 0.5) for x in (r, g, b))
    return f"underline on #{r:02x}{g:02x}{b:02x}"


def find_all(text: str, term: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    if not term:
        return out
    i = text.find(term)
    while i >= 0:
        out.append((i, i + len(term)))
        i = text.find(term, i + len(term))
    return out


LOWER, UPPER, ALL = "lower", "upper", "all"
"""Parts of the styling: the layers that follow the words (boundaries, names, keywords,
watch list), those an annotation or a search changes (passages, hits), and both."""


def text_spans(text: str, marks: Marks, layers: Layers, part: str = ALL) -> list[Span]:
    """Spans over ``text`` (the article's text), later spans drawn over earlier ones; ``part``
    says which layers (an upper part drawn over a lower looks as both drawn at once)."""
    spans: list[Span] = []
    if part != UPPER:
        spans += _lower_spans(text, marks, layers)
    if part != LOWER:
        if layers.passages:
            for s, e, colour in marks.passages:
                spans.append(Span(s, e, passage_style(colour)))
        if layers.hits:
            for s, e in marks.hits:
                spans.append(Span(s, e, HIT_STYLE))
        spans += caret_spans(marks)
    return [sp for sp in spans if sp.end > sp.start and sp.style]


def _lower_spans(text: str, marks: Marks, layers: Layers) -> list[Span]:
    spans: list[Span] = []
    if layers.boundaries:
        odd = False
        for s, e in marks.tokens:
            if _is_word(text[s:e]):
                if odd:
                    spans.append(Span(s, e, BOUNDARY_STYLE))
                odd = not odd
    if layers.entities:
        for s, e, kind in marks.entities:
            spans.append(Span(s, e, ENTITY_STYLES.get(kind, "")))
    if layers.keywords and marks.keywords:
        for s, e in marks.tokens:
            word = text[s:e]
            w = marks.keywords.get(word)
            if w is not None:
                spans.append(Span(s, e, keyword_style(w, marks.keyword_kinds.get(word, "word"))))
    if layers.watch:
        for term, colour in marks.watch:
            for s, e in find_all(text, term):
                spans.append(Span(s, e, f"bold {colour or '#ff8080'}"))
    return spans


@lru_cache(maxsize=65536)
def _is_word(token: str) -> bool:
    """A token the word-boundary layer tints (not blank, not punctuation); cached: a long
    page repeats its words, and checking each of 400,000 tokens took 0.3 s a restyle."""
    return bool(token.strip()) and not _is_punct(token)


def _is_punct(word: str) -> bool:
    return all(not ch.isalnum() for ch in word)


@dataclass
class Layout:
    """Where each body paragraph of the article sits in the displayed text."""

    display: str
    starts: list[tuple[int, int, int]]
    """(article offset, display offset, length) per body paragraph."""
    blocks: list[tuple[int, int]] = field(default_factory=list)
    """Display range of every paragraph, captions included (one widget each)."""

    def block_of(self, display_offset: int) -> int:
        for i, (_s, e) in enumerate(self.blocks):
            if display_offset <= e:
                return i
        return max(0, len(self.blocks) - 1)

    def to_article(self, display_offset: int) -> int | None:
        """The article offset shown at ``display_offset`` (None inside a caption)."""
        for a, d, n in self.starts:
            if d <= display_offset <= d + n:
                return a + min(display_offset - d, max(0, n - 1))
        return None

    def to_display(self, offset: int) -> int:
        for a, d, n in self.starts:
            if a <= offset <= a + n:
                return d + (offset - a)
        return len(self.display)


def body_layout(article: Article) -> tuple[Layout, list[Span]]:
    """Paragraphs separated by blank lines, captions in place (dim), section heads bold."""
    from corpus.model import Kind  # not before the first frame (see cli.reader_args)

    parts: list[str] = []
    starts: list[tuple[int, int, int]] = []
    blocks: list[tuple[int, int]] = []
    base: list[Span] = []
    a_off = 0
    d_off = 0
    for p in article.paragraphs:
        if parts:
            parts.append("\n\n")
            d_off += 2
        if p.kind is Kind.CAPTION:
            shown = f"〔图〕{visible(p.text)}"
            parts.append(shown)
            base.append(Span(d_off, d_off + len(shown), "italic #8a8f98"))
            blocks.append((d_off, d_off + len(shown)))
            d_off += len(shown)
            continue
        if starts:
            a_off += 1  # the "\n" between paragraphs in Article.text
        starts.append((a_off, d_off, len(p.text)))
        blocks.append((d_off, d_off + len(p.text)))
        parts.append(visible(p.text))
        if p.kind is Kind.SECTION:
            base.append(Span(d_off, d_off + len(p.text), SECTION_STYLE))
        a_off += len(p.text)
        d_off += len(p.text)
    return Layout("".join(parts), starts, blocks), base


def article_body(
    article: Article, marks: Marks, layers: Layers, part: str = ALL
) -> tuple[list[Content], Layout]:
    """One ``Content`` per paragraph (caption, section head, text), spans in place (``part``
    of the layers, see ``text_spans``)."""
    layout, base = body_layout(article)
    per_block: list[list[Span]] = [[] for _ in layout.blocks]
    block_starts = [s for s, _e in layout.blocks]
    for sp in base:
        b = max(0, bisect_right(block_starts, sp.start) - 1)
        s0 = layout.blocks[b][0]
        per_block[b].append(Span(sp.start - s0, sp.end - s0, str(sp.style)))
    for b, spans in in_blocks(layout, text_spans(article.text, marks, layers, part)).items():
        per_block[b].extend(spans)
    blocks = [
        Content(layout.display[s:e], spans, strip_control_codes=False)
        for (s, e), spans in zip(layout.blocks, per_block, strict=True)
    ]
    return blocks, layout


def in_blocks(layout: Layout, spans: list[Span]) -> dict[int, list[Span]]:
    """Spans over the article's text as spans in the reader's blocks (block number → spans
    at offsets in it), a span across paragraphs cut at each."""
    out: dict[int, list[Span]] = {}
    block_starts = [s for s, _e in layout.blocks]
    starts = [a for a, _d, _n in layout.starts]
    where = []  # per paragraph: its article offset, length, block, and the shift into it
    for a, d, n in layout.starts:
        b = max(0, bisect_right(block_starts, d) - 1)
        where.append((a, n, b, d - a - block_starts[b]))
    if len(where) == 1 and not where[0][3]:  # one paragraph, in place: most spans as they are
        a, n, b, _shift = where[0]
        out[b] = [
            sp
            if a <= sp.start and sp.end <= a + n and isinstance(sp.style, str)
            else Span(max(sp.start, a), min(sp.end, a + n), str(sp.style))
            for sp in spans
            if sp.start < a + n and sp.end > a
        ]
        return out if out[b] else {}
    for sp in spans:
        i = max(0, bisect_right(starts, sp.start) - 1)
        style = str(sp.style)
        while i < len(where):
            a, n, b, shift = where[i]
            if a >= sp.end:
                break
            s, e = max(sp.start, a), min(sp.end, a + n)
            if s < e and not shift and (s, e) == (sp.start, sp.end) and style is sp.style:
                out.setdefault(b, []).append(sp)  # already in place: not made again
            elif s < e:
                out.setdefault(b, []).append(Span(s + shift, e + shift, style))
            i += 1
    return out


def caret_spans(marks: Marks) -> list[Span]:
    """The selection and the caret, over everything else (in article offsets)."""
    spans = []
    if marks.selection:
        spans.append(Span(*marks.selection, SELECTION_STYLE))
    if marks.caret:
        spans.append(Span(*marks.caret, CARET_STYLE))
    return [sp for sp in spans if sp.end > sp.start]


def plain(text: str, style: str = "") -> Content:
    """User or page text as a Content (never markup)."""
    t = visible(text)
    return Content(t, [Span(0, len(t), style)] if style and t else [], strip_control_codes=False)


Part = str | tuple[str, str] | Content
ContentT = TypeVar("ContentT", bound=Content)


def assemble(*parts: Part, cls: type[ContentT] = Content) -> ContentT:  # type: ignore[assignment]
    """``Content.assemble`` for text from pages and users (headlines, bylines, notes, tags,
    descriptions, coders' names): every control character drawn as its picture (␛), none
    sent to the terminal (an OSC in a note retitled it; ESC[0m reset the styling)."""
    safe: list[Part] = [
        visible(p) if isinstance(p, str) else (visible(p[0]), p[1]) if isinstance(p, tuple) else p
        for p in parts
    ]
    return cls.assemble(*safe, strip_control_codes=False)  # type: ignore[return-value]


# -- wrapping Chinese text into terminal lines

_NO_LINE_START = frozenset("，。、；：！？）》」』】〕〉”’…·,.;:!?)]}%")
_NO_LINE_END = frozenset("（《「『【〔〈“‘([{")


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "'-_.")


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Cut ``text`` into lines of at most ``width`` cells, as ``(start, end)`` offsets.

    CJK text breaks between any two characters, except that a closing mark (，。」…) never
    starts a line and an opening mark (「《…) never ends one when that can be helped; a Latin
    word or number moves whole to the next line unless it is longer than a line.  Spaces at a
    break stay at the end of the line (they are invisible there).  The lines cover ``text``
    in order and leave out only the ``"\\n"`` characters that end them.
    """
    width = max(1, width)
    lines: list[tuple[int, int]] = []
    n = len(text)
    start = 0
    while start < n:
        used, i = 0, start
        while i < n:
            ch = text[i]
            if ch == "\n":
                break
            cells = get_character_cell_size(ch)
            if used + cells > width and i > start:
                break
            used += cells
            i += 1
        if i < n and text[i] != "\n":
            i = _break_at(text, start, i)
        lines.append((start, i))
        start = i + 1 if i < n and text[i] == "\n" else i
    if (n and text[-1] == "\n") or not lines:
        lines.append((n, n))
    return lines


def _break_at(text: str, start: int, i: int) -> int:
    """Move a break at ``i`` to where it reads well (never to ``start``)."""
    n = len(text)
    while i < n and text[i] == " ":
        i += 1
    if i >= n or text[i] == "\n":
        return i
    if _is_word_char(text[i]) and _is_word_char(text[i - 1]):
        j = i
        while j > start and _is_word_char(text[j - 1]):
            j -= 1
        if j > start:
            return j
    j = i
    for _ in range(3):
        if text[j - 1] == " ":
            break  # after a space any character may start a line
        if j - 1 > start and (text[j] in _NO_LINE_START or text[j - 1] in _NO_LINE_END):
            j -= 1
        else:
            break
    return j
