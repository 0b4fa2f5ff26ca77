"""Paragraphs cut at a blank line: rejoined where the join reads as one text, otherwise the
rest is kept apart as a fragment (and the interrupted article may resume after it).

OCR breaks paragraphs at blank lines, and column breaks put pieces of other stories there;
telling the two apart is a judgement of its own, with its own tuning constants.
"""

from __future__ import annotations

import re

from corpus import clean
from corpus.drafts import Draft, Line, Page
from corpus.model import Kind


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
"""Share of the continuation's character bigrams that must occur in the article so far."""
JUDGE_CHARS = 240
"""Only the start of a long continuation is compared (parse speed: the rest adds little)."""
_NOT_HAN = re.compile(rf"[^{clean.CJK}]+")
_INDENT = re.compile(r"^(?:\u3000|[ \t]{2,})")
"""A line indented like a paragraph start (full-width or two spaces) starts a new paragraph."""


def _bigrams(text: str) -> set[str]:
    out: set[str] = set()
    for run in _NOT_HAN.split(text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _draft_text(d: Draft) -> str:
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


def add_body(page: Page, cur: Draft, line: Line, text: str) -> Draft:
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
        frag = Draft(title="", interrupted=cur)
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
