"""Names pages bring, taught to the segmenter by one background thread in batches.

Building a page from the index learns its person names; teaching them waits while the
segmenter's dictionary loads, and a page opened meanwhile must not wait.  One thread per
page did that, but a command that builds every coded page (``retrieve``, ``stats``) then
started one thread per page — 1,650 for 1,650 pages.  Now names wait in one set and a single
worker drains it, started only when none is running.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol


class Learns(Protocol):
    names: set[str]

    def add_names(self, names: Iterable[str]) -> set[str]: ...


LINGER = 1.0
"""Seconds the worker waits for more names before it ends (pages come in bursts)."""


class NameLearner:
    """Collects names and teaches them on one worker thread (at most one at a time)."""

    def __init__(self, segmenter: Learns) -> None:
        self._segmenter = segmenter
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._taught: set[str] = set()
        """Names handed over already (the segmenter may keep them pending, not in
        ``names``, until its dictionary is loaded)."""
        self._worker: threading.Thread | None = None
        self._busy = False

    def add(self, names: set[str]) -> None:
        """Queue the names not taught yet; start the worker if none runs."""
        with self._cond:
            new = names - self._taught - self._pending - self._segmenter.names
            if not new:
                return
            self._pending |= new
            self._cond.notify()
            if self._worker is None:
                self._worker = threading.Thread(target=self._drain, name="piyue-names", daemon=True)
                self._worker.start()

    def _drain(self) -> None:
        while True:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
                if not self._pending and not self._cond.wait_for(
                    lambda: bool(self._pending), LINGER
                ):
                    self._worker = None
                    self._cond.notify_all()
                    return
                batch, self._pending = self._pending, set()
                self._taught |= batch
                self._busy = True
            self._segmenter.add_names(batch)

    def wait(self, timeout: float | None = None) -> bool:
        """Until every name queued so far is taught (False: not within ``timeout``)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)
