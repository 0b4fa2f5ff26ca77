"""The terminal from the first moment of a reader start.

Until Textual takes the terminal (a few tenths of a second: Python, imports, the database),
the terminal is in its line mode: what is typed is echoed over the screen, held until Enter,
and ctrl+s is flow control — swallowed, never given to the program.  ``n 笔记 ctrl+s`` typed
as the reader starts lost the ctrl+s and left the note unsaved (testerC F8).  So the reader's
start puts the terminal at once in the mode Textual will use for keys (no echo, no line
buffering, no flow control; signals stay until Textual takes them), and the settings as they
were come back when the program ends.
"""

from __future__ import annotations

import atexit
import os
import sys


def keys_as_the_reader_reads_them(fd: int | None = None) -> bool:
    """Switch the terminal on ``fd`` (stdin) to the reader's input mode now, restored at
    exit; False when it is no terminal (a pipe, a test) and nothing was changed."""
    try:
        import termios
    except ImportError:  # not a POSIX system: Textual's own driver does it there
        return False
    if fd is None:
        try:
            fd = sys.stdin.fileno()
        except (AttributeError, ValueError, OSError):
            return False
    if not os.isatty(fd):
        return False
    try:
        before = termios.tcgetattr(fd)
    except termios.error:
        return False
    now = termios.tcgetattr(fd)
    now[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN)  # lflag
    now[0] &= ~(termios.IXON | termios.IXOFF | termios.ICRNL | termios.INLCR | termios.IGNCR)
    now[6][termios.VMIN] = 1
    now[6][termios.VTIME] = 0
    try:
        termios.tcsetattr(fd, termios.TCSANOW, now)
    except termios.error:
        return False

    def restore() -> None:
        try:
            termios.tcsetattr(fd, termios.TCSANOW, before)
        except termios.error:
            pass

    atexit.register(restore)
    return True
