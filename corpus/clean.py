"""OCR repairs and the small text predicates the parser is built from.

Kept apart from the parser so each rule can be tested on its own and reused by the search
snippets and exporters (e.g. the control-character scrubbing for plain output).
"""

from __future__ import annotations

import re

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""Han characters (CJK unified ideographs, extension A, compatibility)."""

SENTENCE_END = "。！？!?…”’」』》）)】\"'：:—；;"
"""A paragraph that ends with one of these is complete; anything else may be an OCR break.

Colons and dashes introduce the next paragraph and semicolons end list items: they are
final too.  Closing quotes and brackets usually close a sentence.
"""

BODY_PUNCT = re.compile(r"[，,、；;。！？!?]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
_WS_RUN = re.compile(r"[ \t\u3000\u00a0]+")
_ASCII_WORD = re.compile(r"[!-~]")
"""A printable ASCII character: a space between two of them is a real separator."""
_HEADING = re.compile(r"^\s*(#{1,6})[ \t\u3000]*(.*)$")


def heading(line: str) -> tuple[int, str]:
    """Markdown heading level and text of a line; level 0 for a plain line."""
    m = _HEADING.match(line)
    if m is None:
        return 0, line.strip()
    return len(m.group(1)), m.group(2).strip()


def ends_sentence(text: str) -> bool:
    """Whether a paragraph ends where a sentence ends (so a following paragraph is new)."""
    s = text.rstrip()
    # an HTML table (MinerU writes tables so) is a block of its own, whatever follows it
    return bool(s) and (s[-1] in SENTENCE_END or s.endswith("</table>"))


def remove_wrap_spaces(text: str) -> str:
    """Drop spaces that column wrapping put inside words (``综 保区`` → ``综保区``).

    In body text a space is only a real separator between two runs of ASCII (``Windows 10``,
    ``rm -rf /tmp``, ``a / b``); everywhere else in Chinese prose it is OCR debris.
    """

    def repl(m: re.Match[str]) -> str:
        start, end = m.start(), m.end()
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if before and after and _ASCII_WORD.match(before) and _ASCII_WORD.match(after):
            return " "
        return ""

    return _WS_RUN.sub(repl, text).strip()


def squash_spaces(text: str) -> str:
    """Headline and byline spaces are real separators: keep one, drop the rest."""
    return _WS_RUN.sub(" ", text).strip()


def scrub(text: str) -> str:
    """Control characters (ESC, BEL, NUL, C1) shown as their pictures (␛, ␇, ␀; C1 as �), so
    plain output cannot drive a terminal and the user still sees the text holds them, as
    the reader and the exports show them (tester E, E9: they were dropped without a sign)."""
    return CONTROL.sub(_picture, text)


def _picture(m: re.Match[str]) -> str:
    c = ord(m.group())
    return chr(0x2400 + c) if c < 0x20 else "\u2421" if c == 0x7F else "\ufffd"


def is_body_fragment(text: str) -> bool:
    """A short line that is really the first half of a broken paragraph, not a headline.

    Headlines have no commas or enumeration marks inside and are short; a line with body
    punctuation, or a long unbroken run of characters, was cut from running text.
    """
    s = text.strip()
    if not s:
        return False
    if BODY_PUNCT.search(s):
        return True
    return len(s) >= 24 and " " not in s and "\u3000" not in s
