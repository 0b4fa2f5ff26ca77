"""A page's paper, date, page number and section: from a manifest, its path, or its text.

An archivist's choices beat the OCR: the first source that has a value wins — the manifest
``pages.csv`` in the corpus root, then the path and file name (``洛阳日报/2018/09/12/01.md``,
``洛阳日报 2018-09-12 第01版.txt``), then what the parser found printed on the page.  Every value
remembers where it came from (``Issue.meta_source``) so a wrong one can be traced and fixed.

Also here: the page terms of tag expressions and the TUI filter (``paper:洛阳日报``,
``date:2018-09``, ``date:2018-09-01..2018-10-31``, ``page:1``) and the TUI's date jump.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from corpus.dates import DateJump as DateJump
from corpus.dates import iso_date as _iso
from corpus.dates import nearest_date as nearest_date
from corpus.dates import number_label
from corpus.dates import parse_date_jump as parse_date_jump
from corpus.model import Corpus, Issue, Skipped

__all__ = [
    "MANIFEST",
    "DateJump",
    "Manifest",
    "PageMeta",
    "PageTerm",
    "PageTermError",
    "apply_meta",
    "editions_json",
    "matches_term",
    "meta_from_path",
    "nearest_date",
    "number_label",
    "page_label",
    "parse_date",
    "parse_date_jump",
    "parse_term",
    "read_manifest",
    "resolve",
]

MANIFEST = "pages.csv"
FIELDS = ("paper", "date", "page", "section")

# Dates in names: boundaries keep them out of longer digit runs (hashes, serial numbers).
_SEP = r"[-_.\s/]"
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(rf"(?<!\d)(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})(?!\d)"),
    re.compile(r"(?<![0-9A-Za-z])(\d{4})(\d{2})(\d{2})(?![0-9A-Za-z])"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),
)
_YEAR_DIR = re.compile(r"^(\d{4})\s*年?$")
_YEAR_MONTH_DIR = re.compile(rf"^(\d{{4}})\s*(?:年|{_SEP})?\s*(\d{{1,2}})\s*月?$")
_MONTH_DIR = re.compile(r"^(\d{1,2})\s*月?$")
_DAY_DIR = re.compile(r"^(\d{1,2})\s*日?$")
_DATE_DIRS = (_YEAR_DIR, _YEAR_MONTH_DIR, _MONTH_DIR, _DAY_DIR)

# Page numbers in a file name, most explicit first; each gives (section letter, number).
_PAGE_PATTERNS = (
    re.compile(r"第\s*0*(\d{1,3})\s*版"),
    re.compile(r"(?<![0-9A-Za-z])()0*(\d{1,3})\s*版"),
    re.compile(r"(?<![0-9A-Za-z])(?:[pP]|[pP]age|[pP]g)[._\s-]?0*(\d{1,3})(?![0-9A-Za-z])"),
    re.compile(r"(?<![0-9A-Za-z])([A-Z])0*(\d{1,3})(?![0-9A-Za-z])"),
)
_BARE_PAGE = re.compile(r"^0*(\d{1,3})$")
_TRAILING_NUMBER = re.compile(r"^[-_.\s]*0*(\d{1,3})\s*$")
_TEXT_PAGE = re.compile(r"(?:第\s*0*(\d{1,3})\s*版|^\s*[A-Z]?0*(\d{1,2})\s*版)")
_SEPARATORS = "_-.·:：、,，"
_CLOSING = {"(": ")", "（": "）", "[": "]", "【": "】", "《": "》", "〔": "〕", "「": "」"}
_OPENING = {v: k for k, v in _CLOSING.items()}
_HAS_WORD = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class PageMeta:
    """Values found by one source (or merged from all of them, with ``source``)."""

    paper: str | None = None
    date: str | None = None
    page: int | None = None
    section: str | None = None
    source: dict[str, str] = field(default_factory=dict, hash=False)


# ------------------------------------------------------------------------------- dates


def _find_date(text: str) -> tuple[str, int, int] | None:
    """The first valid date in ``text``: (ISO date, start, end of the match)."""
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if iso:
                return iso, m.start(), m.end()
    return None


def parse_date(value: str) -> str | None:
    """A whole value (manifest cell) as an ISO date, or None when it is not exactly a date."""
    v = value.strip()
    got = _find_date(v)
    if got is None:
        return None
    iso, start, end = got
    return iso if not v[:start].strip() and not v[end:].strip() else None


def _date_from_dirs(dirs: Sequence[str]) -> str | None:
    """``2018/09/12``, ``2018-09/12``, ``2018年/9月/12日`` as consecutive folders."""
    for i, name in enumerate(dirs):
        ym = _YEAR_MONTH_DIR.match(name)
        y = _YEAR_DIR.match(name)
        if ym and i + 1 < len(dirs):
            d = _DAY_DIR.match(dirs[i + 1])
            if d:
                iso = _iso(int(ym.group(1)), int(ym.group(2)), int(d.group(1)))
                if iso:
                    return iso
        if y and i + 2 < len(dirs):
            m = _MONTH_DIR.match(dirs[i + 1])
            d = _DAY_DIR.match(dirs[i + 2])
            if m and d:
                iso = _iso(int(y.group(1)), int(m.group(1)), int(d.group(1)))
                if iso:
                    return iso
    return None


# ------------------------------------------------------------------------------- paths


def _trim(s: str, *, head: bool, tail: bool) -> str:
    """Drop what is noise at a name's ends: separators where it was cut from a longer name,
    and at either end a bracket that opens or closes nothing.  Balanced brackets
    (``(扫描)``) and a dash that begins a whole folder name are the name's own."""
    while s:
        first, last = s[0], s[-1]
        if (tail and last in _SEPARATORS) or _unmatched(s, last, _OPENING, _CLOSING):
            s = s[:-1].rstrip()
        elif (head and first in _SEPARATORS) or _unmatched(s, first, _CLOSING, _OPENING):
            s = s[1:].lstrip()
        else:
            return s
    return s


def _unmatched(s: str, end: str, partner: dict[str, str], wrong: dict[str, str]) -> bool:
    """``end`` (the last or first character) is a bracket facing out of ``s`` (``wrong``)
    or one with fewer partners inside ``s`` than its own kind."""
    return end in wrong or (end in partner and s.count(partner[end]) < s.count(end))


def _label(text: str, *, head: bool = True, tail: bool = True) -> str | None:
    """A name cut out of a longer one; ``head``/``tail``: that end was cut (by a date or page
    mark), so separators there are noise.  None when no word is left."""
    s = _trim(text.strip(), head=head, tail=tail)
    return s if s and _HAS_WORD.search(s) else None


def _page_in(stem: str) -> tuple[int, str | None, int, int] | None:
    """(page, section letter or None, start, end) of the page mark in a file name."""
    bare = _BARE_PAGE.match(stem)
    if bare:
        return int(bare.group(1)), None, 0, len(stem)
    for pattern in _PAGE_PATTERNS:
        m = pattern.search(stem)
        if m:
            number = int(m.group(m.lastindex or 1))
            letter = m.group(1) if (m.lastindex or 0) >= 2 and m.group(1) else None
            return number, letter, m.start(), m.end()
    return None


def _day_named(dirs: Sequence[str], stem: str) -> str | None:
    """``2018/09/12.txt``: year and month folders, the day as the file name."""
    day = _BARE_PAGE.match(stem)
    if day is None:
        return None
    if dirs and (ym := _YEAR_MONTH_DIR.match(dirs[-1])):
        return _iso(int(ym.group(1)), int(ym.group(2)), int(day.group(1)))
    if len(dirs) >= 2 and (y := _YEAR_DIR.match(dirs[-2])) and (m := _MONTH_DIR.match(dirs[-1])):
        return _iso(int(y.group(1)), int(m.group(1)), int(day.group(1)))
    return None


@functools.lru_cache(maxsize=4096)
def _folders_date(dirs: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(date, paper written before it) from the folders; cached: an archive's pages share them."""
    for folder in reversed(dirs):
        got = _find_date(folder)
        if got:
            return got[0], _label(folder[: got[1]], head=False)
    return _date_from_dirs(dirs), None


@functools.lru_cache(maxsize=1024)
def _lead_paper(lead: str) -> str | None:
    return None if any(p.match(lead) for p in _DATE_DIRS) else _label(lead, head=False, tail=False)


def meta_from_path(rel: str) -> PageMeta:
    """What the path (relative to the corpus root) says about the page.

    Paper, most explicit first: the words before a date in the file name or a folder name
    (``洛阳日报_20180912_01``), the leading folder (``洛阳日报/2018/09/12/01.md``), the words
    before a page mark (``洛阳日报 第01版``)."""
    *dirs, name = (p for p in rel.split("/") if p and p != ".")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    date = paper = section = None
    page: int | None = None

    rest = stem
    in_name = _find_date(stem)
    if in_name:
        date, paper, rest = in_name[0], _label(stem[: in_name[1]], head=False), stem[in_name[2] :]
    else:
        date, paper = _folders_date(tuple(dirs))
        if date is None:
            date = _day_named(dirs, stem)
            if date is not None:
                rest = ""

    found = _page_in(rest) if rest else None
    if found is None and in_name:
        trailing = _TRAILING_NUMBER.match(rest)
        if trailing:
            found = (int(trailing.group(1)), None, 0, len(rest))
    before_mark = None
    if found is not None:
        page, letter, start, end = found
        section = _label(rest[end:]) or letter
        before_mark = _label(rest[:start], head=False) if start and not in_name else None

    if paper is None and dirs:
        paper = _lead_paper(dirs[0])
    if paper is None:
        paper = before_mark

    src = {
        key: "path"
        for key, value in (("paper", paper), ("date", date), ("page", page), ("section", section))
        if value is not None
    }
    return PageMeta(paper, date, page, section, src)


def _text_page(furniture: Iterable[str]) -> tuple[int | None, str | None]:
    """Page number (and the section named after it) printed in the page furniture."""
    for line in furniture:
        m = _TEXT_PAGE.search(line)
        if m:
            section = _label(line[m.end() :])
            return int(m.group(1) or m.group(2)), section if section and len(section) <= 8 else None
    return None, None


# ---------------------------------------------------------------------------- manifest


@dataclass(slots=True)
class Manifest:
    """``pages.csv`` in the corpus root: rows by page path, and the rows that were not used."""

    rows: dict[str, PageMeta] = field(default_factory=dict)
    problems: list[Skipped] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    """The manifest line of each row, to report rows naming no page file."""

    def check_files(self, present: Iterable[str]) -> None:
        """Report (and drop) rows whose ``file`` is not a page of the corpus."""
        have = set(present)
        for rel in [r for r in self.rows if r not in have]:
            line = self.lines[rel]
            self.problems.append(_problem(line, f"no page file {rel!r} in the corpus"))
            del self.rows[rel]
        self.problems.sort(key=lambda s: s.line or 0)


def _problem(line: int, why: str) -> Skipped:
    return Skipped(MANIFEST, f"line {line}: {why}", line)


def _norm_rel(value: str) -> str:
    v = value.strip().replace("\\", "/")
    while v.startswith("./"):
        v = v[2:]
    return v.strip("/")


def read_manifest(text: str) -> Manifest:
    """Parse the manifest's text (comma, tab or semicolon separated; header row naming the
    columns, ``file`` required); a bad row or cell is reported by line, never fatal."""
    out = Manifest()
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    # Spreadsheets in some locales write ``;`` or tabs instead of commas.
    delimiter = "," if "," in first else "\t" if "\t" in first else ";" if ";" in first else ","
    reader = csv.reader(lines, delimiter=delimiter)
    header: list[str] | None = None
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [c.strip().lstrip("\ufeff").lower() for c in row]
            if "file" not in header:
                out.problems.append(_problem(line, "no 'file' column; manifest not used"))
                return out
            continue
        if len(row) > len(header):
            out.problems.append(
                _problem(line, f"{len(row)} fields but the header has {len(header)}; extra ignored")
            )
        cells = {k: row[i].strip() for i, k in enumerate(header) if i < len(row)}
        rel = _norm_rel(cells.get("file", ""))
        if not rel:
            out.problems.append(_problem(line, "no file named"))
            continue
        if rel in out.rows:
            out.problems.append(_problem(line, f"{rel!r} already given on line {out.lines[rel]}"))
            continue
        meta = _manifest_row(cells, line, out.problems)
        out.rows[rel] = meta
        out.lines[rel] = line
    return out


def _manifest_row(cells: dict[str, str], line: int, problems: list[Skipped]) -> PageMeta:
    paper = cells.get("paper") or None
    section = cells.get("section") or None
    date = page = None
    if cells.get("date"):
        date = parse_date(cells["date"])
        if date is None:
            problems.append(_problem(line, f"date {cells['date']!r} is not a date"))
    if cells.get("page"):
        raw = cells["page"]
        found = _page_in(raw.strip())
        if found is None or raw.strip()[found[3] :].strip():
            problems.append(_problem(line, f"page {raw!r} is not a page number"))
        else:
            page = found[0]
    src = {
        k: "manifest"
        for k, v in (("paper", paper), ("date", date), ("page", page), ("section", section))
        if v is not None
    }
    return PageMeta(paper, date, page, section, src)


# ----------------------------------------------------------------------------- merging


def resolve(rel: str, issue: Issue, manifest: Manifest | None = None) -> PageMeta:
    """Merge manifest, path and text for one page: the first source with a value wins."""
    sources = [manifest.rows.get(rel) if manifest else None, meta_from_path(rel)]
    page, section = _text_page(issue.furniture)
    printed = _printed_date(issue)
    text = PageMeta(date=printed, page=page, section=section)
    got: dict[str, Any] = {}
    src: dict[str, str] = {}
    for key in FIELDS:
        for meta in sources:
            if meta is not None and getattr(meta, key) is not None:
                got[key] = getattr(meta, key)
                src[key] = meta.source[key]
                break
        else:
            value = getattr(text, key)
            if value is not None:
                got[key] = value
                src[key] = "text"
    if printed and src.get("date") not in (None, "text") and got["date"] != printed:
        src["date_text"] = printed
    return PageMeta(got.get("paper"), got.get("date"), got.get("page"), got.get("section"), src)


def _printed_date(issue: Issue) -> str | None:
    # Fresh from the parser (no meta_source yet) ``date`` is still the printed one.
    return issue.printed_date if issue.meta_source else issue.date


def apply_meta(issue: Issue, manifest: Manifest | None = None) -> Issue:
    """The parsed page with its paper/date/page/section filled in from every source.

    Can be applied again (a changed manifest) without re-parsing: the printed date is kept
    in ``printed_date``."""
    meta = resolve(issue.source, issue, manifest)
    return replace(
        issue,
        paper=meta.paper,
        date=meta.date,
        page=meta.page,
        section=meta.section,
        meta_source=meta.source,
        printed_date=_printed_date(issue),
    )


def page_label(issue: Issue) -> str:
    """How the issues tree names a page: ``A01``, ``第1版 要闻``, or the file name."""
    if issue.page is not None:
        return number_label(issue.page, issue.section)
    return issue.source.rsplit("/", 1)[-1]


def editions_json(corpus: Corpus) -> list[dict[str, Any]]:
    """``list --json``'s ``"editions"``: ``[{"paper", "date", "pages": [page ids]}]``."""
    return [{"paper": e.paper, "date": e.date, "pages": e.pages} for e in corpus.editions()]


# ------------------------------------------------------------------------------ filters


class PageTermError(ValueError):
    """A page term with a value that cannot match anything (``date:2018-13``)."""


def _date_prefix(value: str, term: str) -> str:
    """``2018`` → ``2018``, ``2018-9`` → ``2018-09``, ``20180912`` → ``2018-09-12``."""
    jump = parse_date_jump(value)
    if jump is None or jump.year is None or (jump.day is not None and jump.month is None):
        raise PageTermError(f"{term}: {value.strip()!r} is not a date (2018, 2018-09, 2018-09-12)")
    if jump.month is None:
        return f"{jump.year:04d}"
    if jump.day is None:
        return f"{jump.year:04d}-{jump.month:02d}"
    iso = _iso(jump.year, jump.month, jump.day)
    if iso is None:
        raise PageTermError(f"{term}: {value.strip()!r} is not a date")
    return iso


@dataclass(frozen=True, slots=True)
class PageTerm:
    """One parsed page term; parse once with ``parse_term``, then ``matches`` every page."""

    key: str
    low: str | int | None = None
    high: str | int | None = None
    text: str | None = None
    none: bool = False
    """``KEY:none`` — pages that have no value for KEY."""

    def matches(self, issue: Any) -> bool:
        """``issue``: a page or its row (anything with paper, date, page and section)."""
        value: Any = getattr(issue, self.key)
        if self.none:
            return value is None
        if value is None:
            return False
        if self.text is not None:
            v = str(value).casefold()
            return v == self.text
        if self.key == "date":
            d = str(value)
            lo, hi = self.low, self.high
            return (lo is None or d[: len(str(lo))] >= str(lo)) and (
                hi is None or d[: len(str(hi))] <= str(hi)
            )
        n = int(value)
        return (self.low is None or n >= int(self.low)) and (
            self.high is None or n <= int(self.high)
        )


def _unquote(value: str) -> str:
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1]
    return v


def parse_term(term: str) -> PageTerm | None:
    """``paper:X``, ``section:X``, ``date:A``, ``date:A..B`` (either end may be left open),
    ``page:N``, ``page:N..M`` → a PageTerm; None when ``term`` is not a page term.

    Raises PageTermError for a page term whose value is malformed."""
    key, sep, raw = term.partition(":")
    key = key.strip().lower()
    if not sep or key not in FIELDS:
        return None
    value = _unquote(raw)
    if not value:
        raise PageTermError(f"{term}: give a value, e.g. {key}:{_EXAMPLE[key]}")
    if value.lower() == "none":
        return PageTerm(key, none=True)
    if key in ("paper", "section"):
        return PageTerm(key, text=value.casefold())
    lo_s, dots, hi_s = value.partition("..")
    if key == "date":
        lo = _date_prefix(lo_s, term) if lo_s.strip() else None
        hi = _date_prefix(hi_s, term) if dots and hi_s.strip() else None
        if not dots:
            hi = lo
        return PageTerm(key, lo, hi)
    try:
        low = int(lo_s) if lo_s.strip() else None
        high = (int(hi_s) if hi_s.strip() else None) if dots else low
    except ValueError:
        raise PageTermError(f"{term}: pages are numbers, e.g. page:1 or page:1..4") from None
    return PageTerm(key, low, high)


_EXAMPLE = {"paper": "洛阳日报", "date": "2018-09", "page": "1", "section": "要闻"}


def matches_term(term: str, issue: Issue) -> bool | None:
    """Does the page match ``term``?  None when ``term`` is not a page term (a tag, a word).

    Raises PageTermError for a malformed page term.  To test many pages, ``parse_term`` once."""
    parsed = parse_term(term)
    return None if parsed is None else parsed.matches(issue)
