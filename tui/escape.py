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
gone (Esc / typed fast in the tag prompt left it open and added the slash to the code).

Esc [ is how an arrow key begins, so it waits for the next character: where no key the
terminal sends goes on so (ESC [ t, ESC [ 营, ESC [ Enter), it was typed — Esc, then [ (the
previous article), then the rest; Textual took it all for one unknown sequence and dropped the
Esc.  A parameter (digits, ``<`` of a mouse report, ``?``), M, I and O still open a sequence.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from textual import constants

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
"""After an Esc this opens a control sequence (CSI: arrows, mouse reports): decided by what
follows (``typed_after_bracket``).  (Esc ] would open an OSC, but Textual reads none: it takes
the bracket alone, dropping the Esc.)"""
CSI = ESC + "["
_OPENS_SEQUENCE = frozenset("0123456789;:<=>?MIO")
"""After ESC [: a parameter (ESC [ 1 ; 5 C, mouse ESC [ < …, a report ESC [ ? …), an X10 mouse
report (M) or focus (I, O) — what a terminal sends, never judged typed."""


@lru_cache(maxsize=1)
def _key_sequences() -> tuple[str, ...]:
    """The ESC [ sequences Textual reads as keys (arrows, F-keys, rxvt's ESC [ a…)."""
    try:
        from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
    except ImportError:
        return ()
    return tuple(k for k in ANSI_SEQUENCES_KEYS if k.startswith(CSI))


def typed_after_bracket(seq: str) -> bool | None:
    """For ``seq`` = ESC [ and what came after it: True when it was typed (Esc, [, …), False
    when it is, or may still become, a sequence the terminal sends, None when one more
    character must tell (ESC [ [ begins the Linux console's F-keys, ESC [ [ A)."""
    body = seq[len(CSI) :]
    if not body:
        return None
    if body[0] in _OPENS_SEQUENCE:
        return False
    if body[0] == "[" and len(body) == 1:
        return None
    head = seq[: len(CSI) + (2 if body[0] == "[" else 1)]
    return not any(k.startswith(head) for k in _key_sequences())


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
        delivered first (its wait for the rest of an escape sequence taken as over), and an
        Esc is held back here until what follows it tells a typed Esc [ from a sequence."""

        splits_escape = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held = ""
            self._held_since = 0.0

        def _pending_now(self) -> Iterable[Any]:
            """An Esc Textual holds, waiting for the rest of a sequence: delivered now, its
            wait taken as over."""
            if self._timeout_time is not None:
                self._timeout_time = 0.0
                yield from super().tick()

        def _escape_alone(self) -> Iterable[Any]:
            """The Esc, delivered now as a key of its own."""
            yield from super().feed(ESC)
            yield from self._pending_now()

        def _release(self) -> Iterable[Any]:
            """Held Esc [… that nothing came to complete: typed keys."""
            held, self._held = self._held, ""
            if held:
                yield from self._escape_alone()
                yield from self.feed(held[1:]) if len(held) > 1 else ()

        def tick(self) -> Iterable[Any]:
            if self._held and time.monotonic() - self._held_since >= constants.ESCAPE_DELAY:
                yield from self._release()
            yield from super().tick()

        def feed(self, data: str) -> Iterable[Any]:
            if not data:
                yield from self._release()
                yield from super().feed(data)
                return
            data, self._held = self._held + data, ""
            at = i = 0
            while i < len(data):
                ch = data[i]
                if ch == ESC and data[i + 1 : i + 2] in ("", "["):
                    verdict = typed_after_bracket(data[i:]) if i + 1 < len(data) else None
                    if verdict is None:  # wait for the character that tells
                        yield from super().feed(data[at:i]) if i > at else ()
                        self._held, self._held_since = data[i:], time.monotonic()
                        return
                    if verdict:  # Esc, then [ and the rest as typed
                        yield from super().feed(data[at:i]) if i > at else ()
                        yield from self._escape_alone()
                        at = i = i + 1
                        continue
                if i and data[i - 1] == ESC and splits_after_escape(ch):
                    yield from super().feed(data[at:i]) if i > at else ()
                    yield from self._pending_now()  # the Esc, on its own
                    at = i
                i += 1
            yield from super().feed(data[at:]) if at < len(data) else ()

    linux_driver.XTermParser = EscapeFirst  # type: ignore[attr-defined]
    return True
