"""Page text → an Issue with its Articles.

OCR'd newspaper pages give many weak signals and no reliable one (see DESIGN.md, "The
corpus").  The parser works in two passes:

1. *classify* every non-blank line on its own: heading (with its ``#`` level), page furniture,
   byline, lead (``本报讯…``), continuation (``(上接01版)``), section marker (``●解读``), image
   caption, body text, or a short line that may be a headline;
2. *assemble* articles by walking the lines with a little state: a run of headline lines
   becomes a headline group, which either opens a new article or is a section head of the
   current one, depending on what closed the previous article (a byline), what follows (a
   lead, a continuation), heading levels, numbering and section markers.

Every character of the page ends up in exactly one field of an article or of the issue
(``accounted_text`` lists them; ``tests/test_parse.py`` and ``tests/test_page_content.py``
prove it with hypothesis); only the ``#`` marks of headings and whitespace are dropped.  Page
furniture stays on the issue (raw lines, parsed credits, printed page number and section);
``(上接01版)``/``(下转02版)`` markers stay on their article.  Text under no headline group is a
*fragment*: an Article with ``fragment=True`` in reading order, never glued to a neighbour
(a paragraph cut at a blank line is rejoined only where the join reads as one text, see
``reads_as_one``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum, auto

from corpus import clean
from corpus.model import Article, Issue, Kind, Paragraph, Span

PARSER_VERSION = 2
"""Bump when parse output or the model's fields change: the index caches pickled Issues."""

HEADLINE_MAX = 40
"""Longer lines are body text, whatever they end with."""

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
_LEAD = re.compile(
    r"^\s*(?:本报讯|本报[\d一二三四五六七八九十]+月[\d一二三四五六七八九十]+日讯|"
    r"新华社[\u4e00-\u9fff]{0,8}\d{0,2}月?\d{0,2}日?电|[\u4e00-\u9fff]{2,8}\d{1,2}月\d{1,2}日电)"
    r"\s*(?:[（(][^（()）\n]{0,80}[)）])?"
)
_CONTINUATION = re.compile(r"^\s*[（(]\s*(?:上接|接上)[^)）]{0,12}[)）]")
_JUMP = re.compile(r"[（(]\s*(?:下转|转下|转第)[^)）]{0,12}[)）]\s*$")
_JUMP_LINE = re.compile(r"^\s*[（(]\s*(?:下转|转下|转第)[^)）]{0,12}[)）]\s*$")
_ROLE = r"责任编辑|责任校对|美术编辑|图片编辑|编辑|校对|组版|美编|版式|责编|审读|值班主任|排版|设计"
_CREDIT = re.compile(rf"({_ROLE})\s*[:：]\s*(.*?)(?=\s*(?:{_ROLE})\s*[:：]|$)")
_PAGE_NO = re.compile(
    r"(?:^|\s)(?:第\s*([\d一二三四五六七八九十]+)\s*版|([A-Z]?\d{1,2})\s*版)"
    rf"(?:[\s:：]*(?!(?:{_ROLE})\s*[:：])([\u4e00-\u9fff·]{{2,8}})(?=\s|$))?"
)
_MARKER = re.compile(r"^[●○◎■□▲△◆◇★☆]\s*\S{1,10}$")
_NUMBERED = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:\s+|[、.．]\s*)\S")
_FURNITURE = re.compile(
    r"(?:编辑|校对|组版|美编|版式|责编|审读|值班主任)\s*[:：]|"
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:星期|周)[一二三四五六日天]|"
    r"^\s*(?:第\s*[\d一二三四五六七八九十]+\s*版|[A-Z]?\d{1,2}\s*版)(?:\s|$)"
)
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_SUBTITLE = re.compile(r"^(?:——|—|－|-|--|─)+\s*\S|^[-—－]*访\S")
_CAPTION_HINT = re.compile(r"资料图片|资料照片|配图|供图|图为|（图|\(图|摄$")
_COLUMN = re.compile(r"^\S{2,6}$")


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


def _is_byline(text: str) -> bool:
    s = text.strip()
    if not s or len(s) > HEADLINE_MAX or "。" in s or _NOT_NAMES.search(s):
        return False
    return bool(_BYLINE_REPORTER.match(s) or _BYLINE_PAREN.match(s) or _BYLINE_CREDIT.match(s))


def _is_body(text: str) -> bool:
    s = text.strip()
    if len(s) > HEADLINE_MAX:
        return True
    if s[-1] in "。！？!?…；;":
        return True
    if len(s) >= 12 and any(ch in s[:-1] for ch in "。！？"):
        return True  # sentences inside: running text (…。(记者 张三)), never a headline
    return s[-1] in '”"’）)' and len(s) > 1 and s[-2] in "。！？!?…"


def classify(lines: Sequence[str]) -> list[Line]:
    """First pass: what each non-blank line looks like on its own."""
    out: list[Line] = []
    gap = 0
    for no, raw in enumerate(lines, start=1):
        if not raw.strip():
            gap += 1
            continue
        level, text = clean.heading(raw)
        line = Line(no=no, raw=raw, text=text, level=level, gap=gap)
        gap = 0
        if _FURNITURE.search(text) and len(text) <= 60:
            line.kind = LineKind.FURNITURE
        elif level and text:
            line.kind = LineKind.HEADING
        elif level:
            line.kind = LineKind.SHORT  # a bare "###": keep it as a (blank) heading line
        elif _LEAD.match(text) and len(text) > len(_LEAD.match(text).group(0)):  # type: ignore[union-attr]
            line.kind = LineKind.LEAD
        elif _CONTINUATION.match(text):
            line.kind = LineKind.CONTINUATION
        elif _JUMP_LINE.match(text):
            line.kind = LineKind.JUMP
        elif _is_byline(text):
            line.kind = LineKind.BYLINE
        elif _MARKER.match(text):
            line.kind = LineKind.MARKER
        elif _CAPTION_HINT.search(text) and len(text) <= HEADLINE_MAX + 20:
            line.kind = LineKind.CAPTION
        elif _is_body(text):
            line.kind = LineKind.BODY
        else:
            line.kind = LineKind.SHORT
        out.append(line)
    _second_look(out)
    return out


def _second_look(items: list[Line]) -> None:
    """Refine short lines using their neighbours: captions and broken paragraphs."""
    for i, it in enumerate(items):
        if it.kind is not LineKind.SHORT or it.level:
            continue
        nxt = items[i + 1] if i + 1 < len(items) else None
        prev = items[i - 1] if i > 0 else None
        if nxt is not None and nxt.kind is LineKind.BODY and clean.is_body_fragment(it.text):
            it.kind = LineKind.BODY
        elif (
            it.gap >= 2
            and prev is not None
            and (nxt is None or nxt.kind not in (LineKind.LEAD, LineKind.CONTINUATION))
        ):
            it.kind = LineKind.CAPTION


# --------------------------------------------------------------------------- assembly


@dataclass(slots=True)
class _Draft:
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
    interrupted: _Draft | None = None
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
class _Page:
    text: str = ""
    furniture: list[tuple[int, str]] = field(default_factory=list)
    banner: list[tuple[int, str]] = field(default_factory=list)
    drafts: list[_Draft] = field(default_factory=list)


def _split_headline_group(group: list[Line], first_of_page: bool) -> tuple[list[Line], _Draft]:
    """Assign the lines of a headline group to banner/column/kicker/title/subtitle."""
    draft = _Draft()
    banner: list[Line] = []
    roles: list[tuple[str, Line]] = []
    for ln in group:
        if _SUBTITLE.match(ln.text) and roles:
            roles.append(("subtitle", ln))
        else:
            roles.append(("head", ln))
    heads = [ln for role, ln in roles if role == "head"]
    # A short banner line followed by the real headline is a column (一把手访谈, 时政·深一度).
    columns = [
        ln for ln in heads[:-1] if _COLUMN.match(ln.text) and not ln.text.endswith((":", "："))
    ]
    if first_of_page:
        if columns:
            cut = heads.index(columns[0])
            banner = heads[:cut]
        elif len(heads) >= 3:
            banner = heads[:1]
    title_line = heads[-1] if heads else group[-1]
    for role, ln in roles:
        if ln in banner:
            continue
        if role == "subtitle":
            draft.subtitle.append(ln.text)
        elif ln is title_line:
            draft.title = clean.squash_spaces(ln.text)
            draft.title_level = ln.level
        elif ln in columns:
            draft.column.append(clean.squash_spaces(ln.text))
        else:
            draft.kicker.append(clean.squash_spaces(ln.text))
        draft.lines.append(ln.no)
        draft.heading_lines.append(ln.no)
    draft.colon_title = draft.title.endswith((":", "："))
    return banner, draft


def _opens_article(
    group: list[Line],
    nxt: Line | None,
    cur: _Draft | None,
    marked_page: bool,
    drafts: list[_Draft],
) -> bool:
    if cur is None:
        return True
    if nxt is not None and nxt.kind in (LineKind.LEAD, LineKind.CONTINUATION):
        return True
    if (
        nxt is not None
        and nxt.kind is LineKind.MARKER
        and any(nxt.text in d.markers for d in drafts)
    ):
        return False  # the next section of a feature (●解读), maybe after unrelated news
    if cur.closed:
        return True
    if len(group) > 1 and any(ln.text.endswith((":", "：")) for ln in group[:-1]):
        return True  # a kicker label such as "南关街道:" belongs to an article, not a section
    if nxt is not None and nxt.kind is LineKind.MARKER:
        return False
    if any(_NUMBERED.match(ln.text) for ln in group):
        return False
    levels = [ln.level for ln in group if ln.level]
    if levels:
        if not cur.title_level:
            return True
        if min(levels) < cur.title_level:
            return True
        # The same mark as the current title starts a new article when that title sits at
        # the page's article level (## 标题 … ## 标题); under an article whose own title is
        # deeper than that (its real headline lost), same-level marks are its sections.
        page_level = min((d.title_level for d in drafts if d.title_level), default=0)
        return min(levels) == cur.title_level and cur.title_level <= page_level
    # An unmarked short line: on a page with heading marks it is a sub-head, on a page
    # without any it is how headlines look.
    return not marked_page


def _is_para_start_parallel(prev: str, new: str) -> bool:
    """Parallel paragraphs (聚焦…。聚焦…) start alike: a cut-off one is not to be joined."""
    return len(prev) >= 2 and len(new) >= 2 and prev[:2] == new[:2]


_OPEN_END = set("，,、(（“\"‘'《〈【[-－—·的和与及在把对为被将从向于以让使给跟同并或而且其之")
"""A paragraph cut after a comma, an opening bracket or a function word must go on."""
_GOES_ON = set("，,、。．.；;：:）)”’」』》〉】]！？!?…%％")
"""A paragraph that starts with these is the rest of the one before."""
FRAGMENT_MIN = 60
"""A continuation shorter than this carries too little to judge: it is joined as before."""
OVERLAP_MIN = 0.05
JUDGE_CHARS = 240
"""Only the start of a long continuation is compared (parse speed: the rest adds little)."""
"""Share of the continuation's character bigrams that must occur in the article so far."""
_NOT_HAN = re.compile(rf"[^{clean.CJK}]+")
_INDENT = re.compile(r"^(?:\u3000|[ \t]{2,})")
"""A line indented like a paragraph start (full-width or two spaces) starts a new paragraph."""


def _bigrams(text: str) -> set[str]:
    out: set[str] = set()
    for run in _NOT_HAN.split(text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _draft_text(d: _Draft) -> str:
    return "".join((d.title, *d.kicker, *d.subtitle, *(str(p[1]) for p in d.paras)))


def reads_as_one(context: str, left: str, right: str, page_text: str) -> bool:
    """Whether ``right`` (after a blank line) is the rest of the cut paragraph ``left``.

    OCR breaks a paragraph across a blank line (全市60家重 ⏎⏎ 点企业), but a column break can
    also put a piece of another story there (…也是城市 ⏎⏎ 全赞同、坚决拥护…).  Cues, cheapest
    first: the cut is after a comma or function word; the rest starts with punctuation; the rest
    is too short to judge; the two characters around the break occur together elsewhere on the
    page (a word broken in two, 重|点); the rest shares vocabulary (character bigrams) with the
    article so far.  Only when every cue fails is the rest a different text.  (jieba's word
    boundaries were considered, but the parser must not load a dictionary: page lists appear
    before jieba is loaded, and one dictionary is shared by the whole app.)
    """
    lt, rt = left.rstrip(), right.lstrip()
    if not lt or not rt or lt[-1] in _OPEN_END or rt[0] in _GOES_ON:
        return True
    if len(rt) < FRAGMENT_MIN:
        return True
    if lt[-1] + rt[0] in page_text:
        return True
    mine = _bigrams(rt[:JUDGE_CHARS])
    need = OVERLAP_MIN * len(mine)
    shared = 0
    for bigram in mine:
        if bigram in context:
            shared += 1
            if shared >= need:
                return True
    return not mine


def _add_body(page: _Page, cur: _Draft, line: Line, text: str) -> _Draft:
    """Add a body line to ``cur``; returns the draft it went to (a new fragment, maybe)."""
    last = cur.paras[-1] if cur.paras else None
    if (
        last is not None
        and last[0] is Kind.TEXT
        and not clean.ends_sentence(str(last[1]))
        and not _is_para_start_parallel(str(last[1]), text)
        and not _INDENT.match(line.raw)
    ):
        if reads_as_one(_draft_text(cur), str(last[1]), text, page.text):
            # A paragraph broken across a blank line (全市60家重 ⏎⏎ 点企业): join it back.
            last[1] = f"{last[1]}\n{text}"
            last[3] = line.no
            cur.lines.append(line.no)
            return cur
        # A piece of another story after a cut paragraph: kept apart as a fragment.
        frag = _Draft(title="", interrupted=cur)
        page.drafts.append(frag)
        frag.add_para(Kind.TEXT, text, line)
        return frag
    back = cur.interrupted
    if back is not None and not back.closed:
        # After a fragment, the interrupted article may resume: when the new paragraph shares
        # more vocabulary with it than with the fragment.
        mine = _bigrams(text[:JUDGE_CHARS])
        back_text, frag_text = _draft_text(back), _draft_text(cur)
        if sum(b in back_text for b in mine) > sum(b in frag_text for b in mine):
            back.add_para(Kind.TEXT, text, line)
            return back
    cur.add_para(Kind.TEXT, text, line)
    return cur


def _take_jump(cur: _Draft) -> None:
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


def _take_trailing_byline(cur: _Draft) -> None:
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


def assemble(items: list[Line], text: str = "") -> _Page:
    """Second pass: walk the classified lines and build article drafts."""
    page = _Page(text=text)
    marked_page = any(it.kind is LineKind.HEADING for it in items)
    cur: _Draft | None = None
    pending_captions: list[Line] = []
    i = 0
    n = len(items)
    while i < n:
        it = items[i]
        k = it.kind
        if k is LineKind.FURNITURE:
            page.furniture.append((it.no, it.text))
            i += 1
            continue
        if k is LineKind.BYLINE:
            parts = [it]
            while i + len(parts) < n:
                nx = items[i + len(parts)]
                if nx.kind is LineKind.BYLINE and nx.gap == 0:
                    parts.append(nx)
                else:
                    break
            if cur is None:
                cur = _Draft(title="")
                page.drafts.append(cur)
            cur.byline.append(" ".join(clean.squash_spaces(p.text) for p in parts))
            cur.lines.extend(p.no for p in parts)
            cur.closed = True
            i += len(parts)
            continue
        if k is LineKind.JUMP:
            if cur is None:
                cur = _Draft(title="")
                page.drafts.append(cur)
            if cur.jump:
                cur.add_para(Kind.TEXT, it.text, it)
            else:
                cur.jump = it.text.strip()
                cur.lines.append(it.no)
            cur.closed = True
            i += 1
            continue
        if k is LineKind.CAPTION:
            if cur is None or cur.closed:
                # After a byline a picture belongs to what comes next.
                pending_captions.append(it)
            else:
                cur.add_para(Kind.CAPTION, it.text, it)
            i += 1
            continue
        if k in (LineKind.HEADING, LineKind.SHORT):
            j = i + 1
            group = [it]
            while j < n:
                nx = items[j]
                if nx.kind is LineKind.FURNITURE and cur is None:
                    # Page top: the date/editor line sits between banner and headlines.
                    page.furniture.append((nx.no, nx.text))
                    j += 1
                    continue
                if nx.kind not in (LineKind.HEADING, LineKind.SHORT) or nx.gap >= 2:
                    break
                group.append(nx)
                j += 1
            nxt = items[j] if j < n else None
            i = j
            if (
                nxt is not None
                and nxt.kind in (LineKind.HEADING, LineKind.SHORT)
                and cur is not None
            ):
                # Headline lines with nothing under them before an image gap: the cut-off
                # end of the current article (a line OCR mistook for a heading).
                for ln in group:
                    cur.add_para(Kind.TEXT, ln.text, ln)
                continue
            if nxt is not None and nxt.kind in (LineKind.HEADING, LineKind.SHORT) and cur is None:
                # Page top: a banner above an image gap stays with the headlines below it.
                while i < n and items[i].kind in (LineKind.HEADING, LineKind.SHORT):
                    group.append(items[i])
                    i += 1
                nxt = items[i] if i < n else None
            if (
                cur is not None
                and cur.colon_title
                and len(cur.paras) <= 1
                and len(group) == 1
                and not group[0].level
            ):
                # 均和云谷…科技港: ⏎ first paragraph ⏎ 二期项目封顶 — the title goes on.
                cur.title = f"{cur.title}{clean.squash_spaces(group[0].text)}"
                cur.colon_title = False
                cur.lines.append(group[0].no)
                cur.heading_lines.append(group[0].no)
                continue
            if _opens_article(group, nxt, cur, marked_page, page.drafts):
                banner, draft = _split_headline_group(group, first_of_page=not page.drafts)
                page.banner.extend((b.no, b.text) for b in banner)
                for cap in pending_captions:
                    draft.add_para(Kind.CAPTION, cap.text, cap)
                pending_captions.clear()
                page.drafts.append(draft)
                cur = draft
                continue
            assert cur is not None
            if nxt is not None and nxt.kind is LineKind.MARKER:
                cur = _rejoin_feature(page, cur, nxt.text)
            for ln in group:
                cur.add_para(Kind.SECTION, clean.squash_spaces(ln.text), ln)
            continue
        # body-like lines
        starts_new = (
            cur is None
            or cur.closed
            or (k in (LineKind.LEAD, LineKind.CONTINUATION) and cur.has_text)
        )
        if starts_new:
            # Text with no headline of its own (the headline was lost, or the page starts
            # mid-article): an untitled article, so nothing is glued to the wrong one.
            cur = _Draft(title="")
            page.drafts.append(cur)
        assert cur is not None
        for cap in pending_captions:
            cur.add_para(Kind.CAPTION, cap.text, cap)
        pending_captions.clear()
        text = it.text
        if k is LineKind.MARKER:
            cur.markers.add(text)
            cur.add_para(Kind.SECTION, text, it)
        elif k is LineKind.LEAD and not cur.dateline and not cur.has_text:
            m = _LEAD.match(text)
            assert m is not None
            cur.dateline = clean.squash_spaces(m.group(0))
            cur.add_para(Kind.TEXT, text[m.end() :].strip(), it)
        elif k is LineKind.CONTINUATION and not cur.continuation and not cur.has_text:
            m = _CONTINUATION.match(text)
            assert m is not None
            cur.continuation = m.group(0).strip()
            rest = text[m.end() :].strip()
            if rest:
                cur.add_para(Kind.TEXT, rest, it)
            else:
                cur.lines.append(it.no)
        else:
            cur = _add_body(page, cur, it, text)
        _take_jump(cur)
        _take_trailing_byline(cur)
        i += 1
    if pending_captions:
        cur = cur or _Draft(title="")
        if cur not in page.drafts:
            page.drafts.append(cur)
        for cap in pending_captions:
            cur.add_para(Kind.CAPTION, cap.text, cap)
    return page


def _rejoin_feature(page: _Page, cur: _Draft, marker: str) -> _Draft:
    """A section with the feature's pattern (●解读) after unrelated short news: go back to it."""
    if marker in cur.markers:
        return cur
    for draft in reversed(page.drafts):
        if marker in draft.markers:
            draft.closed = False
            return draft
    return cur


# --------------------------------------------------------------------------- freezing


def _spans(lines: Iterable[int], owners: dict[int, int], me: int) -> tuple[Span, ...]:
    """Contiguous runs of this article's lines; blank lines between its own lines don't break."""
    ordered = sorted(set(lines))
    if not ordered:
        return ()
    spans: list[list[int]] = [[ordered[0], ordered[0]]]
    for no in ordered[1:]:
        interlopers = any(owners.get(x, me) != me for x in range(spans[-1][1] + 1, no))
        if interlopers:
            spans.append([no, no])
        else:
            spans[-1][1] = no
    return tuple((a, b) for a, b in spans)


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def apply_corrections(page: _Page, corrections: Iterable[tuple[str, int]]) -> None:
    """The user's boundary fixes, by source line: merge_next, split, caption, furniture."""
    for kind, line in corrections:
        owner = next((d for d in page.drafts if line in d.lines), None)
        if owner is None:
            continue
        idx = page.drafts.index(owner)
        if kind == "merge_next" and idx + 1 < len(page.drafts):
            nxt = page.drafts.pop(idx + 1)
            for head in (*nxt.column, *nxt.kicker, nxt.title, *nxt.subtitle):
                if head:
                    no = nxt.heading_lines[0] if nxt.heading_lines else line
                    owner.paras.append([Kind.SECTION, head, no, no])
            if nxt.dateline:
                owner.paras.append([Kind.TEXT, nxt.dateline, line, line])
            if nxt.continuation:
                owner.paras.append([Kind.TEXT, nxt.continuation, line, line])
            if owner.jump and nxt.jump:
                owner.paras.append([Kind.TEXT, owner.jump, line, line])
            owner.jump = nxt.jump or owner.jump
            owner.paras.extend(nxt.paras)
            owner.lines.extend(nxt.lines)
            owner.byline.extend(nxt.byline)
        elif kind == "split":
            at = next((k for k, p in enumerate(owner.paras) if int(str(p[2])) == line), None)
            if at is None or (at == 0 and not owner.title):
                continue
            moved: list[list[object]] = owner.paras[at:]
            del owner.paras[at:]
            new = _Draft()
            if moved and moved[0][0] is Kind.SECTION:
                first = moved.pop(0)
                new.title = str(first[1])
                new.heading_lines.append(int(str(first[2])))
                new.lines.append(int(str(first[2])))
            new.paras = moved
            moved_lines = {n for p in moved for n in range(int(str(p[2])), int(str(p[3])) + 1)}
            new.lines.extend(n for n in owner.lines if n in moved_lines)
            owner.lines = [n for n in owner.lines if n not in moved_lines and n not in new.lines]
            if owner.byline and max(owner.lines, default=0) < max(new.lines, default=0):
                new.byline, owner.byline = owner.byline, []
            page.drafts.insert(idx + 1, new)
        elif kind in ("caption", "furniture"):
            for k, p in enumerate(owner.paras):
                if int(str(p[2])) <= line <= int(str(p[3])):
                    if kind == "caption":
                        p[0] = Kind.CAPTION
                    else:
                        page.furniture.append((line, str(p[1])))
                        del owner.paras[k]
                        owner.lines = [n for n in owner.lines if n != line]
                    break


def parse_text(
    text: str, issue_id: str, source: str = "", corrections: Iterable[tuple[str, int]] = ()
) -> Issue:
    """Parse one page's text into an Issue.  Never raises on any input string.

    ``corrections`` are the user's boundary fixes for this page, ``(kind, line)`` pairs.
    """
    lines = text.split("\n")
    items = classify(lines)
    page = assemble(items, text)
    apply_corrections(page, corrections)
    owners: dict[int, int] = {}
    for no, _ in page.furniture + page.banner:
        owners[no] = -1
    for idx, d in enumerate(page.drafts):
        for no in d.lines:
            owners[no] = idx
    articles: list[Article] = []
    used: dict[str, int] = {}
    for idx, d in enumerate(page.drafts):
        paragraphs = []
        for kind, raw, first, last in d.paras:
            assert isinstance(kind, Kind)
            raw_s = str(raw)
            if kind is Kind.TEXT:
                shown = clean.remove_wrap_spaces(raw_s.replace("\n", ""))
            else:
                shown = clean.squash_spaces(raw_s)
            paragraphs.append(
                Paragraph(kind=kind, text=shown, lines=(int(str(first)), int(str(last))), raw=raw_s)
            )
        title = d.title
        key = title or next((p.text for p in paragraphs if p.kind is not Kind.CAPTION), "")[:40]
        base = f"{issue_id}-{_short_hash(key)}"
        used[base] = used.get(base, 0) + 1
        aid = base if used[base] == 1 else f"{base}-{used[base]}"
        articles.append(
            Article(
                id=aid,
                issue_id=issue_id,
                title=title,
                kicker=" ".join(d.kicker),
                subtitle=" ".join(clean.squash_spaces(s) for s in d.subtitle),
                column=" ".join(d.column),
                byline=" ".join(d.byline),
                dateline=d.dateline,
                continuation=d.continuation,
                paragraphs=tuple(paragraphs),
                spans=_spans(d.lines, owners, idx),
                heading_lines=tuple(d.heading_lines),
                jump=d.jump,
                fragment=not (d.title or d.kicker or d.subtitle or d.column or d.heading_lines),
            )
        )
    furniture = tuple(clean.squash_spaces(t) for _, t in page.furniture)
    date = None
    for f in furniture:
        m = _DATE.search(f)
        if m:
            y, mo, dd = (int(x) for x in m.groups())
            if 1 <= mo <= 12 and 1 <= dd <= 31:
                date = f"{y:04d}-{mo:02d}-{dd:02d}"
                break
    banner = " ".join(clean.squash_spaces(t) for _, t in page.banner)
    title = banner or next((a.title for a in articles if a.title), "")
    credits, page_no, section = read_furniture(furniture)
    return Issue(
        id=issue_id,
        source=source,
        title=title,
        date=date,
        banner=banner,
        furniture=furniture,
        articles=tuple(articles),
        sha1=hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest(),
        credits=credits,
        furniture_page=page_no,
        furniture_section=section,
    )


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


def accounted_text(issue: Issue) -> Iterator[tuple[str, str]]:
    """Every piece of page text the model keeps, as ``(where, text)`` pairs.

    Together these hold each non-space character of the page exactly once (the ``#`` marks of
    Markdown headings are markup, not text): page furniture and banner, then for each article
    (fragments included) its headline group, dateline, continuation and jump markers, byline,
    and paragraphs (body, section heads, captions) as shown.
    """
    yield from (("banner", issue.banner),) if issue.banner else ()
    for line in issue.furniture:
        yield "furniture", line
    for a in issue.articles:
        for where, value in (
            ("column", a.column),
            ("kicker", a.kicker),
            ("title", a.title),
            ("subtitle", a.subtitle),
            ("dateline", a.dateline),
            ("continuation", a.continuation),
            ("jump", a.jump),
            ("byline", a.byline),
        ):
            if value:
                yield f"{a.id}:{where}", value
        for p in a.paragraphs:
            yield f"{a.id}:{p.kind.value}:{p.lines[0]}", p.text
