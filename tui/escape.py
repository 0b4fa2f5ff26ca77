"""Esc followed at once by Enter or a ctrl key is both keys.

A terminal sends what was typed within one read together; Textual's input parser takes ESC
and the next character as one alt+key, and for a control character (Enter is ``\\r``,
ctrl+p is ``\\x10``) it then drops the alt and with it the Esc.  ``Esc Enter`` typed fast in
the tag prompt (cancel, then open) saved the tag being cancelled.  Printable keys after an
Esc are split later, by ``tui.app.escape_then_key`` (they arrive as alt+key); control keys
must be split here, before the Esc is lost.  Alt+Enter and alt+ctrl+key (bound to nothing
in piyue, and read by Textual as the plain key anyway) become Esc and the key.

So do the printable keys Textual's table reads with a preceding Esc as some other key: Esc f
and Esc b are ctrl+right and ctrl+left to it (iTerm's word jumps), Esc 1 is ¡ (macOS's
option+1): closing a dialog and pressing ``f`` at once widened the lists instead of opening
the filter.  And so do the punctuation keys it reads after an Esc as the bare key, the Esc
gone (Esc / typed fast in the tag prompt left it open and added the slash to the code) —
except Esc [, how an arrow key begins (what follows it cannot be told from a sequence).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

ESC = "\x1b"
KEPT = {ESC, "\t"}  # ESC ESC is Esc twice already; ESC Tab is Textual's shift+tab


def _read_as_other_keys() -> frozenset[str]:
    """Printable characters that Textual's table turns, after an Esc, into another key."""
    try:
        from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
    except ImportError:
        return frozenset()
    return frozenset(
        seq[1]
        for seq in ANSI_SEQUENCES_KEYS
        if len(seq) == 2 and seq[0] == ESC and seq[1].isprintable()
    )


REREAD = _read_as_other_keys()
SEQUENCE_STARTS = frozenset("[")
"""After an Esc this opens a control sequence (CSI: arrows, mouse reports): never split.  (Esc
] would open an OSC, but Textual reads none: it takes the bracket alone, dropping the Esc.)"""


@lru_cache(maxsize=128)
def swallows_escape(ch: str) -> bool:
    """Textual's own parser reads Esc and ``ch`` as ``ch`` alone (asked, not listed: what it
    does is what it does in this Textual)."""
    if not ch.isprintable() or ch.isalnum() or ch in SEQUENCE_STARTS:
        return False
    try:
        from textual import events
        from textual._xterm_parser import XTermParser

        parser = XTermParser()
        keys = [e for e in (*parser.feed(ESC + ch), *parser.feed("")) if isinstance(e, events.Key)]
    except Exception:
        return False
    return len(keys) == 1 and not keys[0].key.startswith(("alt+", "escape"))


def splits_after_escape(ch: str) -> bool:
    """A key that Textual would swallow the preceding Esc into."""
    if len(ch) != 1:
        return False
    return (ord(ch) < 0x20 and ch not in KEPT) or ch in REREAD or swallows_escape(ch)


def install() -> bool:
    """Make the Linux/macOS driver's input parser keep such an Esc (False: this Textual's
    parser is not the one this was written for, and is left alone)."""
    try:
        from textual._xterm_parser import XTermParser
        from textual.drivers import linux_driver
    except ImportError:
        return False
    current = getattr(linux_driver, "XTermParser", None)
    if current is not XTermParser:
        return getattr(current, "splits_escape", False)  # installed already (or unknown)
    if not hasattr(XTermParser(), "_timeout_time"):
        return False

    class EscapeFirst(XTermParser):
        """Textual's parser; an Esc still pending when a control character arrives is
        delivered first (its wait for the rest of an escape sequence taken as over)."""

        splits_escape = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._after_escape = False

        def feed(self, data: str) -> Iterable[Any]:
            at = 0
            for i, ch in enumerate(data):
                before = data[i - 1] if i else (ESC if self._after_escape else "")
                if before == ESC and splits_after_escape(ch):
                    yield from super().feed(data[at:i]) if i > at else ()
                    if self._timeout_time is not None:
                        self._timeout_time = 0.0
                        yield from self.tick()  # the Esc, on its own
                    at = i
            self._after_escape = bool(data) and data[-1] == ESC
            yield from super().feed(data[at:]) if at < len(data) or not data else ()

    linux_driver.XTermParser = EscapeFirst  # type: ignore[attr-defined]
    return True
