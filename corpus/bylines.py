"""Leads (``本报讯…``) and bylines: who wrote an article, and where it starts and ends.

A byline closes an article and a lead opens one, so both steer how the parser cuts a page;
the name patterns are fiddly enough to live, and be read, on their own.
"""

from __future__ import annotations

import re

from corpus.drafts import HEADLINE_MAX, Draft
from corpus.model import Kind

_NAME = r"[\u4e00-\u9fff·]{2,5}"
_BYLINE_REPORTER = re.compile(
    r"^[□■◇◆]?[\u4e00-\u9fff·]{0,12}(?:记者|通讯员|特约撰稿人|实习生)[\s:：]*"
    r"[\u4e00-\u9fff]{2,4}(?:[\s/]|$)"
)
_BYLINE_PAREN = re.compile(rf"^[（(]\s*{_NAME}(?:\s+{_NAME})*\s*[)）]$")
_BYLINE_CREDIT = re.compile(
    rf"^{_NAME}(?:\s+{_NAME})*\s*/?\s*(?:文/图|文\s*/\s*图|文图|文|图|摄影?)$"
)
_TRAILING_BYLINE = re.compile(
    rf"(?<=[。！？!?”\"])\s*((?:[（(]\s*{_NAME}(?:\s+{_NAME})*\s*[)）])|(?:{_NAME}(?:\s+{_NAME})*\s*(?:文/图|文图|摄影?)))\s*$"
)
_NOT_NAMES = re.compile(r"图片|资料|如图|上接|下转|配图")
LEAD = re.compile(
    r"^\s*(?:本报讯|本报[\d一二三四五六七八九十]+月[\d一二三四五六七八九十]+日讯|"
    r"新华社[\u4e00-\u9fff]{0,8}\d{0,2}月?\d{0,2}日?电|[\u4e00-\u9fff]{2,8}\d{1,2}月\d{1,2}日电)"
    r"\s*(?:[（(][^（()）\n]{0,80}[)）])?"
)
"""A dateline (``本报讯``, ``新华社北京5月1日电``) that opens an article's first paragraph."""


def is_byline(text: str) -> bool:
    s = text.strip()
    if not s or len(s) > HEADLINE_MAX or "。" in s or _NOT_NAMES.search(s):
        return False
    return bool(_BYLINE_REPORTER.match(s) or _BYLINE_PAREN.match(s) or _BYLINE_CREDIT.match(s))


def take_trailing_byline(cur: Draft) -> None:
    """``…更大贡献。(晓蕊 吴言)``: a byline at the end of a paragraph closes the article."""
    if not cur.paras or cur.paras[-1][0] is not Kind.TEXT:
        return
    text = str(cur.paras[-1][1])
    m = _TRAILING_BYLINE.search(text)
    if m is None or _NOT_NAMES.search(m.group(1)):
        return
    cur.paras[-1][1] = text[: m.start()].rstrip()
    cur.byline.append(m.group(1).strip())
    cur.closed = True
