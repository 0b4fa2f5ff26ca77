"""Dates and page numbers as the reader shows and jumps to them: cheap to import (the
issues tree needs them in the first frame; the page-metadata rules in ``pagemeta`` are not)."""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Sequence
from typing import NamedTuple, Protocol


def iso_date(y: int, m: int, d: int) -> str | None:
    """The ISO date, or None for a date that does not exist or is out of range."""
    if not 1800 <= y <= 2200:
        return None
    try:
        return datetime.date(y, m, d).isoformat()
    except ValueError:
        return None


def number_label(page: int, section: str | None) -> str:
    """A page number as the paper prints it: ``A01`` in lettered sections, else ``第1版 要闻``."""
    sec = section or ""
    if len(sec) == 1 and sec.isascii() and sec.isupper():
        return f"{sec}{page:02d}"
    return f"第{page}版 {sec}".rstrip()


# ---------------------------------------------------------------------------- date jump


class DateJump(NamedTuple):
    """A date as typed, possibly partial: ``0912`` has no year, ``2018-09`` no day."""

    year: int | None
    month: int | None
    day: int | None


# Patterns as strings: re compiles (and caches) them at the first jump, not at start-up.
_JUMP_FULL = r"^(\d{4})(?:[-/.年\s]\s*(\d{1,2})(?:[-/.月\s]\s*(\d{1,2})日?)?月?)?年?$"
_JUMP_MONTH_DAY = r"^(\d{1,2})[-/.月\s]\s*(\d{1,2})日?$"


def parse_date_jump(text: str) -> DateJump | None:
    """``2018-09-12``, ``2018/9/12``, ``2018年9月12日``, ``20180912``, ``201809``, ``2018``,
    ``2018-09``, ``0912``, ``09-12``, ``9月12日`` → a DateJump; None when it is not a date."""
    t = text.strip()
    y: int | None
    mo: int | None
    d: int | None
    if t.isdigit():
        if len(t) == 8:
            y, mo, d = int(t[:4]), int(t[4:6]), int(t[6:])
        elif len(t) == 6:
            y, mo, d = int(t[:4]), int(t[4:]), None
        elif len(t) in (3, 4) and 1 <= int(t[:-2]) <= 12:
            y, mo, d = None, int(t[:-2]), int(t[-2:])  # 0912: month and day
        elif len(t) == 4 and 1800 <= int(t) <= 2200:
            y, mo, d = int(t), None, None
        else:
            return None
    elif m := re.match(_JUMP_FULL, t):
        y = int(m.group(1))
        mo = int(m.group(2)) if m.group(2) else None
        d = int(m.group(3)) if m.group(3) else None
    elif m := re.match(_JUMP_MONTH_DAY, t):
        y, mo, d = None, int(m.group(1)), int(m.group(2))
    else:
        return None
    if mo is not None and not 1 <= mo <= 12:
        return None
    if d is not None:
        probe = iso_date(y if y is not None else 2000, mo or 1, d)  # 2000: 29 Feb is allowed
        if probe is None:
            return None
    return DateJump(y, mo, d)


def nearest_date(jump: DateJump, dates: Sequence[str], current: str | None = None) -> str | None:
    """The date to jump to among sorted ISO ``dates``: the first on or after the typed one,
    else the last.  A date typed without a year (``0912``) is read in ``current``'s year,
    or in the latest year of ``dates`` when there is no current date."""
    if not dates:
        return None
    year = jump.year
    if year is None:
        year = int((current or dates[-1])[:4])
    target = f"{year:04d}-{jump.month or 1:02d}-{jump.day or 1:02d}"
    i = bisect.bisect_left(dates, target)
    return dates[min(i, len(dates) - 1)]


# ---------------------------------------------------------------------------- page order

_LETTERED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class Paged(Protocol):
    """A page or a page's row: what ordering pages inside an edition looks at."""

    @property
    def section(self) -> str | None: ...

    @property
    def page(self) -> int | None: ...


def page_order(issue: Paged) -> tuple[str, int, int]:
    """Sort key of a page inside its edition: lettered sections (A01…B08) first by letter."""
    sec = issue.section or ""
    letter = sec if 0 < len(sec) <= 2 and set(sec) <= _LETTERED else ""
    return (letter, 0 if issue.page is not None else 1, issue.page or 0)
