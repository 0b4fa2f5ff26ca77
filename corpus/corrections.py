"""The user's boundary fixes applied to a page's drafts: merge with the next article, split
at a paragraph, mark a caption or page furniture (by source line, in the order made).

A merge is remembered for the rest of the page's corrections: a later split at the same
boundary (the merged-in article's headline or its first paragraph) gives the two drafts back
as they were — headline, dateline, byline, jump marker and ids — instead of cutting the
merged text as a plain split would (which left the headline on the wrong side).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from corpus.drafts import Draft, Page
from corpus.model import Kind


@dataclass
class _Join:
    """One merge: the draft taken in and what the merge changed in the one it went into."""

    nxt: Draft
    added: list[list[object]]
    """Every paragraph the merge appended (headings, dateline… then the draft's own)."""
    synthetic: list[list[object]]
    """The paragraphs the merge made from the draft's headline, dateline and markers."""
    boundary: set[int]
    """Source lines where a split means "undo this merge"."""
    lines: set[int]
    byline_at: int
    jump: str
    took_byline: bool = True
    """Whether the draft's byline was added (not when the owner already names its writer)."""


def _line(p: list[object]) -> int:
    return int(str(p[2]))


def apply_corrections(page: Page, corrections: Iterable[tuple[str, int]]) -> None:
    """The user's boundary fixes, by source line: merge_next, split, caption, furniture."""
    joins: dict[int, list[_Join]] = {}  # by id() of the draft the merges went into
    for kind, line in corrections:
        owner = next((d for d in page.drafts if line in d.lines), None)
        if owner is None:
            continue
        idx = page.drafts.index(owner)
        if kind == "merge_next" and idx + 1 < len(page.drafts):
            joins.setdefault(id(owner), []).append(_merge(page, idx, line))
        elif kind == "split":
            join = next((j for j in joins.get(id(owner), []) if line in j.boundary), None)
            if join is None or not _unmerge(page, idx, join, joins):
                _split(page, idx, line, joins)
        elif kind in ("caption", "furniture"):
            _mark(page, owner, kind, line)


def _merge(page: Page, idx: int, line: int) -> _Join:
    owner = page.drafts[idx]
    nxt = page.drafts.pop(idx + 1)
    own_lines = set(owner.lines)
    join = _Join(nxt, [], [], set(), set(nxt.lines), len(owner.byline), owner.jump)
    join.took_byline = not _signed(owner)

    def made(kind: Kind, text: str, no: int) -> None:
        para: list[object] = [kind, text, no, no]
        join.synthetic.append(para)
        owner.paras.append(para)

    for head in (*nxt.column, *nxt.kicker, nxt.title, *nxt.subtitle):
        if head:
            made(Kind.SECTION, head, nxt.heading_lines[0] if nxt.heading_lines else line)
    if nxt.dateline:
        made(Kind.TEXT, nxt.dateline, line)
    if nxt.continuation:
        made(Kind.TEXT, nxt.continuation, line)
    if owner.jump and nxt.jump:
        made(Kind.TEXT, owner.jump, line)
    owner.jump = nxt.jump or owner.jump
    owner.paras.extend(nxt.paras)
    owner.lines.extend(nxt.lines)
    if join.took_byline:  # the merged article is the first one's: so is its writer
        owner.byline.extend(nxt.byline)
    join.added = [*join.synthetic, *nxt.paras]
    first_text = next((p for p in nxt.paras if p[0] is not Kind.CAPTION), None)
    join.boundary = {
        *nxt.heading_lines,
        *(_line(p) for p in join.synthetic),
        *(_line(p) for p in nxt.paras[:1]),
        *((_line(first_text),) if first_text is not None else ()),
    } - own_lines
    return join


def _signed(draft: Draft) -> bool:
    """The draft names its writer: a byline, or names in its dateline (``本报讯（记者 …）``)."""
    return bool(draft.byline) or "(" in draft.dateline or "（" in draft.dateline


def _unmerge(page: Page, idx: int, join: _Join, joins: dict[int, list[_Join]]) -> bool:
    """The merge ``join`` undone: the draft it took in back after its owner, with whatever
    was merged or marked since (a later merge stays with the draft it now follows)."""
    owner, nxt = page.drafts[idx], join.nxt
    start = next((k for k, p in enumerate(owner.paras) if any(p is q for q in join.added)), None)
    if start is None:
        return False
    tail = owner.paras[start:]
    del owner.paras[start:]
    nxt.paras = [p for p in tail if not any(p is s for s in join.synthetic)]
    at = next((k for k, n in enumerate(owner.lines) if n in join.lines), len(owner.lines))
    nxt.lines = owner.lines[at:]
    del owner.lines[at:]
    mine = joins[id(owner)]
    later = mine[mine.index(join) + 1 :]
    del mine[mine.index(join) :]
    if later:  # what was merged after this one follows the draft it now belongs to
        if join.took_byline:
            nxt.byline = owner.byline[join.byline_at :]
        later[0].jump, nxt.jump = nxt.jump, owner.jump
        for j in later:
            j.byline_at = max(0, j.byline_at - join.byline_at)
        joins.setdefault(id(nxt), []).extend(later)
    if join.took_byline:
        del owner.byline[join.byline_at :]
    owner.jump = join.jump
    page.drafts.insert(idx + 1, nxt)
    return True


def _split(page: Page, idx: int, line: int, joins: dict[int, list[_Join]]) -> None:
    owner = page.drafts[idx]
    at = next((k for k, p in enumerate(owner.paras) if _line(p) == line), None)
    if at is None or (at == 0 and not owner.title):
        return
    moved: list[list[object]] = owner.paras[at:]
    del owner.paras[at:]
    new = Draft()
    if moved and moved[0][0] is Kind.SECTION:
        first = moved.pop(0)
        new.title = str(first[1])
        new.heading_lines.append(_line(first))
        new.lines.append(_line(first))
    new.paras = moved
    moved_lines = {n for p in moved for n in range(_line(p), int(str(p[3])) + 1)}
    new.lines.extend(n for n in owner.lines if n in moved_lines)
    owner.lines = [n for n in owner.lines if n not in moved_lines and n not in new.lines]
    # What closes the story below the part split off (its byline, a jump marker) closes that
    # part: it goes with it, lines and all; a dateline's writer stays at the top.
    last = max(moved_lines, default=line)
    closing = [n for n in owner.lines if n > last]
    if closing and (owner.byline or owner.jump):
        new.lines.extend(closing)
        owner.lines = [n for n in owner.lines if n <= last]
        new.byline, owner.byline = owner.byline, []
        new.jump, owner.jump = owner.jump, ""
    page.drafts.insert(idx + 1, new)
    mine = joins.get(id(owner), [])
    gone = [j for j in mine if any(p is q for p in moved for q in j.added)]
    if gone:  # merges cut off with the second part are undone from there
        joins[id(new)] = gone
        mine[:] = [j for j in mine if j not in gone]


def _mark(page: Page, owner: Draft, kind: str, line: int) -> None:
    for k, p in enumerate(owner.paras):
        if _line(p) <= line <= int(str(p[3])):
            if kind == "caption":
                p[0] = Kind.CAPTION
            else:
                page.furniture.append((line, str(p[1])))
                del owner.paras[k]
                owner.lines = [n for n in owner.lines if n != line]
            break
