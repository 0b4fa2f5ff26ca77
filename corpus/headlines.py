"""Headline groups: banner, column, kicker, title and subtitle, and whether a group opens an
article or is a section head of the current one.

This is the decision the parser gets wrong most often (see DESIGN.md, "The corpus"), so its
rules sit together where they can be read and tuned without the page walk around them.
"""

from __future__ import annotations

import re

from corpus import clean
from corpus.drafts import Draft, Line, LineKind, Page

MARKER = re.compile(r"^[●○◎■□▲△◆◇★☆]\s*\S{1,10}$")
"""A section marker of a feature (``●解读``)."""
_NUMBERED = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:\s+|[、.．]\s*)\S")
_SUBTITLE = re.compile(r"^(?:——|—|－|-|--|─)+\s*\S|^[-—－]*访\S")
_COLUMN = re.compile(r"^\S{2,6}$")


def split_headline_group(group: list[Line], first_of_page: bool) -> tuple[list[Line], Draft]:
    """Assign the lines of a headline group to banner/column/kicker/title/subtitle."""
    draft = Draft()
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


def opens_article(
    group: list[Line],
    nxt: Line | None,
    cur: Draft | None,
    marked_page: bool,
    drafts: list[Draft],
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


def rejoin_feature(page: Page, cur: Draft, marker: str) -> Draft:
    """A section with the feature's pattern (●解读) after unrelated short news: go back to it."""
    if marker in cur.markers:
        return cur
    for draft in reversed(page.drafts):
        if marker in draft.markers:
            draft.closed = False
            return draft
    return cur
