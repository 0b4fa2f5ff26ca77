"""The terms a user rejected: a plain text file, one term a line, beside the user dictionary.

Several processes may change it (a reader open, ``piyue terms reject`` in another shell):
each change is made under a file lock on the file as it is then, and a reader's copy is read
again when the file changed, so no process writes its old copy over another's rejection.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from storage.errors import DiskError
from storage.files import atomic_write


class RejectedTerms:
    def __init__(self, path: Path, fallback: Path | None = None) -> None:
        self.path = path
        self.fallback = fallback
        """An older place of the file, read while ``path`` does not exist."""
        self._terms: set[str] | None = None
        self._stamp: tuple[int, int] | None = None

    def current(self) -> set[str]:
        """The rejected terms as the file says now (read again only when it changed)."""
        stamp = _stamp(self.path)
        if self._terms is None or stamp != self._stamp:
            text = ""
            for path in (self.path, self.fallback):
                if path is None:
                    continue
                try:
                    text = path.read_text(encoding="utf-8")
                    break
                except OSError:
                    continue
            self._terms = {line.strip() for line in text.splitlines() if line.strip()}
            self._stamp = stamp
        return self._terms

    def change(self, text: str, rejecting: bool) -> set[str]:
        """Reject ``text`` (or take its rejection back) and return the new set.  Raises
        ``DiskError`` when the file cannot be written or another process holds it too long."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(f"{self.path}.lock", timeout=10, thread_local=False)
        try:
            with lock:
                self._terms = None  # the file as it is now, whatever this process read before
                before = self.current()
                after = before | {text} if rejecting else before - {text}
                data = "".join(f"{t}\n" for t in sorted(after)).encode("utf-8")
                atomic_write(self.path, data, mode=0o644)
                self._terms, self._stamp = after, _stamp(self.path)
        except Timeout as exc:
            raise DiskError(
                f"{self.path} is being changed by another piyue; try again", self.path
            ) from exc
        return after


def _stamp(path: Path) -> tuple[int, int] | None:
    """A file's size and change time, or None when it is not there."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
