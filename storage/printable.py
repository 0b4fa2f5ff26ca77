"""Text that may hold control characters, made harmless to print: each one shown as its
picture (ESC → ␛, BEL → ␇), the way the reader shows article bodies.

Free text (notes, code descriptions) is stored as written; what piyue writes for people to
read — a Markdown report, a name it had to accept from an import — goes through ``visible``
so no page, note or other coder's file can drive the terminal it is shown in.
"""

from __future__ import annotations

import re

_PICTURES = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}
_PICTURES[0x7F] = 0x2421
_PICTURES.update({c: 0xFFFD for c in range(0x80, 0xA0)})  # C1: no picture exists
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with control characters as their pictures (C1 as U+FFFD); newlines and tabs
    stay, a CRLF is a newline."""
    return text.replace("\r\n", "\n").translate(_PICTURES)


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character ``visible`` would replace (a CR included)."""
    return _CONTROL.search(text) is not None
