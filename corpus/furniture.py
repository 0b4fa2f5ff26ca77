"""Page furniture (date, editors, page number), its credits, and the jump markers.

What is printed around the articles rather than in them: the parser keeps it off the
articles, and researchers cite it (a page's editors, its printed page and date), so the
patterns and their reading are kept in one place.  ``(上接01版)``/``(下转02版)`` markers are
here too: they belong to an article but point across pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from corpus.drafts import Draft
from corpus.model import Kind

CONTINUATION = re.compile(r"^\s*[（(]\s*(?:上接|接上)[^)）]{0,12}[)）]")
_JUMP = re.compile(r"[（(]\s*(?:下转|转下|转第)[^)）]{0,12}[)）]\s*$")
JUMP_LINE = re.compile(r"^\s*[（(]\s*(?:下转|转下|转第)[^)）]{0,12}[)）]\s*$")
_ROLE = r"责任编辑|责任校对|美术编辑|图片编辑|编辑|校对|组版|美编|版式|责编|审读|值班主任|排版|设计"
_CREDIT = re.compile(rf"({_ROLE})\s*[:：]\s*(.*?)(?=\s*(?:{_ROLE})\s*[:：]|$)")
_PAGE_NO = re.compile(
    r"(?:^|\s)(?:第\s*([\d一二三四五六七八九十]+)\s*版|([A-Z]?\d{1,2})\s*版)"
    rf"(?:[\s:：]*(?!(?:{_ROLE})\s*[:：])([\u4e00-\u9fff·]{{2,8}})(?=\s|$))?"
)
FURNITURE = re.compile(
    r"(?:编辑|校对|组版|美编|版式|责编|审读|值班主任)\s*[:：]|"
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:星期|周)[一二三四五六日天]|"
    r"^\s*(?:第\s*[\d一二三四五六七八九十]+\s*版|[A-Z]?\d{1,2}\s*版)(?:\s|$)"
)
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def printed_date(furniture: Iterable[str]) -> str | None:
    """The first valid ``YYYY年M月D日`` in the furniture lines, as ``YYYY-MM-DD``."""
    for f in furniture:
        m = _DATE.search(f)
        if m:
            y, mo, dd = (int(x) for x in m.groups())
            if 1 <= mo <= 12 and 1 <= dd <= 31:
                return f"{y:04d}-{mo:02d}-{dd:02d}"
    return None


def read_furniture(lines: Iterable[str]) -> tuple[dict[str, str], str | None, str | None]:
    """Credits (``编辑:武力`` → ``{"编辑": "武力"}``), page number and section from furniture.

    Researchers cite a page's editors and its printed page; both are read from the raw lines,
    which stay on the issue as they were.  A role named twice keeps both names.
    """
    credits: dict[str, str] = {}
    page_no: str | None = None
    section: str | None = None
    for line in lines:
        for m in _CREDIT.finditer(line):
            names = []
            for word in m.group(2).split():
                if any(ch.isdigit() for ch in word) or word.startswith(("星期", "周")):
                    break  # the date printed after the names
                names.append(word.strip("，,;；。"))
            name = " ".join(n for n in names if n)
            if name:
                role = m.group(1)
                credits[role] = f"{credits[role]} {name}" if role in credits else name
        if page_no is None:
            pm = _PAGE_NO.search(line)
            if pm is not None:
                page_no = pm.group(1) or pm.group(2)
                section = pm.group(3)
    return credits, page_no, section


def take_jump(cur: Draft) -> None:
    """``…建设。(下转02版)``: the jump marker at the end of a paragraph goes on the article."""
    if cur.jump or not cur.paras or cur.paras[-1][0] is not Kind.TEXT:
        return
    text = str(cur.paras[-1][1])
    if "转" not in text[-20:]:
        return  # the marker is at most 20 characters from the end: skip the regex
    m = _JUMP.search(text)
    if m is None or not text[: m.start()].strip():
        return
    cur.paras[-1][1] = text[: m.start()].rstrip()
    cur.jump = m.group(0).strip()
