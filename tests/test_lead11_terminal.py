"""The reader's start takes the terminal's keys at once (testerC F8: ctrl+s typed as the
reader started was the terminal's flow control, and the note typed with it stayed unsaved)."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from cli import terminal

termios = pytest.importorskip("termios")
pty = pytest.importorskip("pty")


def test_a_reader_start_takes_the_keys_and_gives_the_terminal_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at_exit: list[Callable[[], None]] = []
    monkeypatch.setattr(terminal.atexit, "register", at_exit.append)
    leader, follower = pty.openpty()
    try:
        before = termios.tcgetattr(follower)
        assert before[3] & termios.ICANON and before[3] & termios.ECHO
        assert terminal.keys_as_the_reader_reads_them(follower)
        now = termios.tcgetattr(follower)
        assert not now[3] & (termios.ICANON | termios.ECHO)
        assert not now[0] & (termios.IXON | termios.ICRNL)  # ctrl+s, Enter reach the reader
        assert now[3] & termios.ISIG  # ctrl+c still stops a start that hangs
        os.write(leader, b"n\x13")  # n, ctrl+s: both readable at once, no Enter needed
        assert os.read(follower, 10) == b"n\x13"
        (restore,) = at_exit
        restore()
        assert termios.tcgetattr(follower) == before
    finally:
        os.close(leader)
        os.close(follower)


def test_no_terminal_nothing_changed(tmp_path: object) -> None:
    r, w = os.pipe()
    try:
        assert not terminal.keys_as_the_reader_reads_them(r)
    finally:
        os.close(r)
        os.close(w)
