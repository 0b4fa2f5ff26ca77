"""The text domain: issues (pages), articles and their paragraphs.

Everything is a frozen dataclass so parsed pages can be cached, shared between threads and
compared in tests.  Every piece of text keeps the source lines it came from, because the
parser is heuristic and the user must be able to see (and correct) where an article came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from corpus.dates import Paged as Paged
from corpus.dates import page_order as page_order
from corpus.where import CorpusNotFound as CorpusNotFound
from corpus.where import EmptyCorpus as EmptyCorpus
from corpus.where import corpus_target as corpus_target

Span = tuple[int, int]
"""1-based inclusive line numbers of the source file."""

FRAGMENT_LABEL = "（片段）"
_PAGE_REF = re.compile(r"^[（(]\s*(?:上接|接上|下转|转下|转)\s*(.*?)\s*[)）]$")


def _page_ref(marker: str) -> str | None:
    """``(上接01版)`` → ``01版``; None without a marker (or a marker naming no page)."""
    m = _PAGE_REF.match(marker.strip())
    return (m.group(1) or None) if m else None


class Kind(StrEnum):
    """What a block of an article's body is."""

    TEXT = "text"
    SECTION = "section"  # a section head inside the article (### 四项重点工作…, 1 深化…, ●解读)
    CAPTION = "caption"  # an image caption between paragraphs


@dataclass(frozen=True, slots=True)
class Paragraph:
    kind: Kind
    text: str
    lines: Span
    raw: str = ""
    """The paragraph's characters as the page had them (before column-wrap repair)."""


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    issue_id: str
    title: str
    kicker: str = ""
    subtitle: str = ""
    column: str = ""
    byline: str = ""
    dateline: str = ""
    """The lead's dateline as printed, e.g. ``本报讯(记者 孙小蕊)``."""
    continuation: str = ""
    """A continuation marker such as ``(上接01版)``."""
    paragraphs: tuple[Paragraph, ...] = ()
    spans: tuple[Span, ...] = ()
    heading_lines: tuple[int, ...] = ()
    jump: str = ""
    """A jump marker such as ``(下转02版)``: the article goes on on another page."""
    fragment: bool = False
    """Text under no headline group (a stray piece of another story): kept apart, never glued."""

    @property
    def continued_from(self) -> str | None:
        """The page this article comes from (``01版`` of ``(上接01版)``), if it is continued."""
        return _page_ref(self.continuation)

    @property
    def continued_on(self) -> str | None:
        """The page this article goes on to (``02版`` of ``(下转02版)``)."""
        return _page_ref(self.jump)

    @property
    def label(self) -> str:
        """What a list shows: the title, or ``（片段）`` and the first words of a fragment."""
        if self.title:
            return self.title
        first = next((p.text for p in self.paragraphs if p.text), "")
        return f"{FRAGMENT_LABEL}{first[:16]}" if self.fragment else first[:16]

    @property
    def body(self) -> tuple[Paragraph, ...]:
        """Text and section heads in reading order: what the reader shows as the article."""
        return tuple(p for p in self.paragraphs if p.kind is not Kind.CAPTION)

    @property
    def text(self) -> str:
        """The article's text; offsets of highlights and tokens count into this string."""
        return "\n".join(p.text for p in self.body)

    @property
    def section_heads(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.paragraphs if p.kind is Kind.SECTION)

    @property
    def captions(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.paragraphs if p.kind is Kind.CAPTION)

    @property
    def reporters(self) -> str:
        """Who wrote it: the closing byline, or the names inside the lead's dateline."""
        if self.byline:
            return self.byline
        if "(" in self.dateline or "（" in self.dateline:
            inner = self.dateline.replace("（", "(").replace("）", ")")
            return inner[inner.index("(") + 1 :].rstrip(")").strip()
        return ""

    @property
    def fingerprint(self) -> str:
        """Content hash used to re-attach annotations after a re-parse."""
        import hashlib  # OpenSSL's start-up is not paid by the reader's first frame

        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:16]

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kicker": self.kicker,
            "subtitle": self.subtitle,
            "column": self.column,
            "byline": self.reporters,
            "lines": [list(s) for s in self.spans],
            "continued_from": self.continued_from,
            "continued_on": self.continued_on,
            "fragment": self.fragment,
            "label": self.label,
        }


@dataclass(frozen=True, slots=True)
class Issue:
    id: str
    source: str
    """Path of the page file, relative to the corpus folder."""
    title: str
    date: str | None
    banner: str = ""
    """A series banner over the whole page (e.g. ``奋力实现十四五开新局``)."""
    furniture: tuple[str, ...] = ()
    """Page furniture lines: date, editor, proofreader, layout."""
    articles: tuple[Article, ...] = ()
    sha1: str = ""
    paper: str | None = None
    page: int | None = None
    section: str | None = None
    meta_source: dict[str, str] = field(default_factory=dict, hash=False)
    """Where each of date/paper/page/section came from: ``manifest``, ``path`` or ``text``;
    ``date_text`` holds the page's own printed date when it disagrees with the kept one."""
    printed_date: str | None = None
    """The date the parser found printed on the page, whichever source ``date`` came from."""
    credits: dict[str, str] = field(default_factory=dict, hash=False)
    """Who made the page, from the furniture: ``{"编辑": "武力", "校对": "向东"}``."""
    furniture_page: str | None = None
    """The page number the furniture prints (``第3版`` → ``3``), not the one from the path."""
    furniture_section: str | None = None
    """The section name printed beside that page number (``第3版 要闻`` → ``要闻``)."""

    @property
    def fragments(self) -> tuple[Article, ...]:
        return tuple(a for a in self.articles if a.fragment)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.source,
            "title": self.title,
            "date": self.date,
            "paper": self.paper,
            "page": self.page,
            "section": self.section,
            "meta_source": dict(self.meta_source),
            "articles": [a.summary() for a in self.articles],
            "furniture": list(self.furniture),
            "credits": dict(self.credits),
            "furniture_page": self.furniture_page,
            "furniture_section": self.furniture_section,
            "fragments": [a.id for a in self.articles if a.fragment],
        }


@dataclass(frozen=True, slots=True)
class Skipped:
    file: str
    reason: str
    line: int | None = None
    """Set for a manifest row that was not used (``file`` is then the manifest)."""


class Edition(NamedTuple):
    """One paper's edition of one day: what a newspaper calls an issue."""

    paper: str | None
    date: str | None
    pages: list[str]
    """Page ids in page order."""


@dataclass(frozen=True, slots=True)
class Corpus:
    root: str
    issues: tuple[Issue, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    _by_id: dict[str, Article] = field(default_factory=dict, compare=False, repr=False)
    _issues: dict[str, Issue] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for issue in self.issues:
            self._issues[issue.id] = issue
            for art in issue.articles:
                self._by_id[art.id] = art

    def article(self, article_id: str) -> Article | None:
        return self._by_id.get(article_id)

    def issue_of(self, article: Article) -> Issue:
        return self._issues[article.issue_id]

    @property
    def articles(self) -> list[Article]:
        return [a for i in self.issues for a in i.articles]

    @property
    def is_empty(self) -> bool:
        """No page was read (the CLI then prints ``corpus.load.describe_empty``)."""
        return not self.issues

    def counts(self) -> dict[str, int]:
        """How many pages were read, files skipped and manifest rows not used."""
        rows = sum(1 for s in self.skipped if s.line is not None)
        return {"pages": len(self.issues), "skipped": len(self.skipped) - rows, "manifest": rows}

    def editions(self) -> list[Edition]:
        """Pages grouped by (paper, date), papers then dates in order, unknowns last; pages
        without a date (or paper) form their own group rather than being lost."""
        groups: dict[tuple[str | None, str | None], list[tuple[tuple[str, int, int], int]]] = {}
        for n, issue in enumerate(self.issues):
            key = (issue.paper, issue.date)
            groups.setdefault(key, []).append((page_order(issue), n))
        out = []
        for (paper, date), pages in sorted(
            groups.items(),
            key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1] is None, kv[0][1] or ""),
        ):
            ids = [self.issues[n].id for _, n in sorted(pages)]
            out.append(Edition(paper, date, ids))
        return out
