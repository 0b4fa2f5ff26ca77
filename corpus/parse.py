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

The rules live beside this driver, one seam each: ``corpus.drafts`` (the lines and drafts the
passes share), ``corpus.headlines`` (headline groups), ``corpus.bylines`` (leads and
bylines), ``corpus.furniture`` (page furniture, credits, jump markers) and ``corpus.joins``
(cut paragraphs and fragments).  The public names stay importable from here.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from corpus import clean
from corpus.bylines import LEAD, is_byline, take_trailing_byline
from corpus.corrections import apply_corrections
from corpus.drafts import HEADLINE_MAX, Draft, Line, LineKind, Page
from corpus.furniture import (
    CONTINUATION,
    FURNITURE,
    JUMP_LINE,
    printed_date,
    read_furniture,
    take_jump,
)
from corpus.headlines import MARKER, opens_article, rejoin_feature, split_headline_group
from corpus.joins import FRAGMENT_MIN, JUDGE_CHARS, OVERLAP_MIN, add_body, reads_as_one
from corpus.model import Article, Issue, Kind, Paragraph, Span

__all__ = [
    "FRAGMENT_MIN",
    "HEADLINE_MAX",
    "JUDGE_CHARS",
    "OVERLAP_MIN",
    "PARSER_VERSION",
    "Line",
    "LineKind",
    "accounted_text",
    "apply_corrections",
    "assemble",
    "classify",
    "parse_text",
    "read_furniture",
    "reads_as_one",
]


from corpus.version import PARSER_VERSION as PARSER_VERSION

_CAPTION_HINT = re.compile(r"资料图片|资料照片|配图|供图|图为|（图|\(图|摄$")


def _is_body(text: str) -> bool:
    s = text.strip()
    if len(s) > HEADLINE_MAX:
        return True
    if s[-1] in "。！？!?…；;":
        return True
    if len(s) >= 12 and any(ch in s[:-1] for ch in "。！？"):
        return True  # sentences inside: running text (…。(记者 张三)), never a headline
    return s[-1] in '”"’）)' and len(s) > 1 and s[-2] in "。！？!?…"


_MARKUP = re.compile(r"^(?:!\[[^\]\n]*\]\([^)\n]*\)\s*)+$|^\$\$.*\$\$$")
"""A line that is only image links (``![](images/3f2a.jpg)``) or a one-line ``$$…$$``."""


def classify(lines: Sequence[str]) -> list[Line]:
    """First pass: what each non-blank line looks like on its own."""
    out: list[Line] = []
    gap = 0
    formula = False
    for no, raw in enumerate(lines, start=1):
        if not raw.strip():
            gap += 1
            continue
        level, text = clean.heading(raw)
        line = Line(no=no, raw=raw, text=text, level=level, gap=gap)
        gap = 0
        fence = not level and text.strip() == "$$"
        if formula or fence or (not level and _MARKUP.match(text.strip())):
            # an image link or a formula block of a converter's Markdown (MinerU, Marker):
            # kept with the page, never a headline nor glued into a story's text
            line.kind = LineKind.FURNITURE
            formula = formula != fence
        elif FURNITURE.search(text) and len(text) <= 60:
            line.kind = LineKind.FURNITURE
        elif level and text:
            line.kind = LineKind.HEADING
        elif level:
            line.kind = LineKind.SHORT  # a bare "###": keep it as a (blank) heading line
        elif LEAD.match(text) and len(text) > len(LEAD.match(text).group(0)):  # type: ignore[union-attr]
            line.kind = LineKind.LEAD
        elif CONTINUATION.match(text):
            line.kind = LineKind.CONTINUATION
        elif JUMP_LINE.match(text):
            line.kind = LineKind.JUMP
        elif is_byline(text):
            line.kind = LineKind.BYLINE
        elif MARKER.match(text):
            line.kind = LineKind.MARKER
        elif _CAPTION_HINT.search(text) and len(text) <= HEADLINE_MAX + 20:
            line.kind = LineKind.CAPTION
        elif _is_body(text) or text.rstrip()[-1] in "，、,":
            line.kind = LineKind.BODY  # a clause cut at a comma is never a headline
        else:
            line.kind = LineKind.SHORT
        out.append(line)
    _second_look(out)
    _unwrap(out)
    return out


WRAP_MIN_LINES = 8
"""A page has a wrap width when this many lines (and 30% of its text lines) share it."""


def _cells(text: str) -> int:
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def _unwrap(items: list[Line]) -> None:
    """Hard-wrapped OCR (one printed line per text line, no blank lines, as line-level OCR
    writes it): most lines share one width.  A line of that width was cut there, so it and
    the line after it are running text, never a headline or a caption."""
    texts = [it.text for it in items if not it.level and len(it.text) >= 8]
    # the width in cells (a printed column) or in characters (a converter's fixed count)
    found = [Counter(map(_cells, texts)).most_common(1), Counter(map(len, texts)).most_common(1)]
    if not texts or max(c for ((_, c),) in found) < max(WRAP_MIN_LINES, 0.3 * len(texts)):
        return
    (cell_width, _), (char_width, _) = found[0][0], found[1][0]
    short = (LineKind.SHORT, LineKind.CAPTION)
    cut = False  # the line before was cut at the width
    for it in items:
        full = not it.level and (
            _cells(it.text) >= cell_width - 2 or len(it.text) >= char_width - 1
        )
        if it.kind in short and (full or (cut and it.gap == 0)):
            it.kind = LineKind.BODY
        cut = full and it.kind is LineKind.BODY and not clean.ends_sentence(it.text)


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


def assemble(items: list[Line], text: str = "") -> Page:
    """Second pass: walk the classified lines and build article drafts."""
    page = Page(text=text)
    marked_page = any(it.kind is LineKind.HEADING for it in items)
    cur: Draft | None = None
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
                cur = Draft(title="")
                page.drafts.append(cur)
            cur.byline.append(" ".join(clean.squash_spaces(p.text) for p in parts))
            cur.lines.extend(p.no for p in parts)
            cur.closed = True
            i += len(parts)
            continue
        if k is LineKind.JUMP:
            if cur is None:
                cur = Draft(title="")
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
            if opens_article(group, nxt, cur, marked_page, page.drafts):
                banner, draft = split_headline_group(group, first_of_page=not page.drafts)
                page.banner.extend((b.no, b.text) for b in banner)
                for cap in pending_captions:
                    draft.add_para(Kind.CAPTION, cap.text, cap)
                pending_captions.clear()
                page.drafts.append(draft)
                cur = draft
                continue
            assert cur is not None
            if nxt is not None and nxt.kind is LineKind.MARKER:
                cur = rejoin_feature(page, cur, nxt.text)
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
            cur = Draft(title="")
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
            m = LEAD.match(text)
            assert m is not None
            cur.dateline = clean.squash_spaces(m.group(0))
            cur.add_para(Kind.TEXT, text[m.end() :].strip(), it)
        elif k is LineKind.CONTINUATION and not cur.continuation and not cur.has_text:
            m = CONTINUATION.match(text)
            assert m is not None
            cur.continuation = m.group(0).strip()
            rest = text[m.end() :].strip()
            if rest:
                cur.add_para(Kind.TEXT, rest, it)
            else:
                cur.lines.append(it.no)
        else:
            cur = add_body(page, cur, it, text)
        take_jump(cur)
        take_trailing_byline(cur)
        i += 1
    if pending_captions:
        cur = cur or Draft(title="")
        if cur not in page.drafts:
            page.drafts.append(cur)
        for cap in pending_captions:
            cur.add_para(Kind.CAPTION, cap.text, cap)
    return page


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
    date = printed_date(furniture)
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
