"""The classified lines and the article drafts that the parser's passes share.

Kept apart so the headline, byline, furniture and join rules can each work on a draft
without importing the page driver in ``corpus.parse`` (and without import cycles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, auto

from corpus.model import Kind

HEADLINE_MAX = 40
"""Longer lines are body text, whatever they end with."""


class LineKind(Enum):
    HEADING = auto()
    SHORT = auto()
    BODY = auto()
    LEAD = auto()
    CONTINUATION = auto()
    BYLINE = auto()
    FURNITURE = auto()
    CAPTION = auto()
    MARKER = auto()
    JUMP = auto()


@dataclass(slots=True)
class Line:
    no: int
    raw: str
    text: str
    level: int
    gap: int
    """Blank lines right before this one (a gap of two or more is where an image stood)."""
    kind: LineKind = LineKind.BODY


@dataclass(slots=True)
class Draft:
    """An article being assembled; frozen into an Article at the end."""

    title: str = ""
    title_level: int = 0
    kicker: list[str] = field(default_factory=list)
    subtitle: list[str] = field(default_factory=list)
    column: list[str] = field(default_factory=list)
    byline: list[str] = field(default_factory=list)
    dateline: str = ""
    continuation: str = ""
    jump: str = ""
    interrupted: Draft | None = None
    """For a fragment cut off a paragraph: the article it was wrongly joined to."""
    paras: list[list[object]] = field(default_factory=list)
    """[kind, raw text, first line, last line] — mutable while paragraphs are re-joined."""
    lines: list[int] = field(default_factory=list)
    heading_lines: list[int] = field(default_factory=list)
    closed: bool = False
    markers: set[str] = field(default_factory=set)
    colon_title: bool = False

    def add_para(self, kind: Kind, text: str, line: Line) -> None:
        self.paras.append([kind, text, line.no, line.no])
        self.lines.append(line.no)

    @property
    def has_text(self) -> bool:
        return any(p[0] is Kind.TEXT for p in self.paras)


@dataclass(slots=True)
class Page:
    text: str = ""
    furniture: list[tuple[int, str]] = field(default_factory=list)
    banner: list[tuple[int, str]] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
