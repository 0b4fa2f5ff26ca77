"""Reading page files: encodings, line endings, and files that are not pages at all.

Chinese text files come as UTF-8, UTF-8 with a BOM, GB18030/GBK or UTF-16; some have CRLF
line ends; some "pages" are empty or binary.  None of that is an error: decodable text is
decoded (invalid bytes replaced, never fatal) and the rest is skipped with a reason.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from corpus.model import Corpus, CorpusNotFound, Issue, Skipped
from corpus.parse import parse_text

__all__ = ["CorpusNotFound", "decode", "issue_id_for", "load_corpus", "page_files", "read_page"]

PAGE_SUFFIX = ".txt"
SNIFF = 8192


def decode(data: bytes) -> tuple[str | None, str]:
    """Bytes of a page → (text, how) or (None, why it is not a page)."""
    if not data.strip():
        return None, "empty file"
    if data.startswith(codecs.BOM_UTF8):
        return _lines(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _lines(data.decode("utf-16", errors="replace")), "utf-16"
    head = data[:SNIFF]
    if b"\x00" in head or _control_ratio(head) > 0.10:
        return None, "binary file (not text)"
    try:
        return _lines(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return _lines(data.decode("gb18030")), "gb18030"
    except UnicodeDecodeError:
        pass
    return _lines(data.decode("utf-8", errors="replace")), "utf-8 (invalid bytes replaced)"


def _control_ratio(head: bytes) -> float:
    if not head:
        return 0.0
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(head)


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def issue_id_for(rel: Path) -> str:
    """A page's id: its path inside the corpus without the suffix (stable across runs)."""
    return rel.with_suffix("").as_posix().replace("/", "~")


def page_files(root: Path) -> Iterator[Path]:
    """Every ``.txt`` file below ``root`` in a stable order; other files are ignored."""
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() == PAGE_SUFFIX and path.is_file():
            yield path


def read_page(
    root: Path, path: Path, corrections: Iterable[tuple[str, int]] = ()
) -> Issue | Skipped:
    rel = path.relative_to(root)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(rel.as_posix(), f"unreadable: {exc.strerror or exc}")
    text, how = decode(data)
    if text is None:
        return Skipped(rel.as_posix(), how)
    return parse_text(text, issue_id_for(rel), rel.as_posix(), corrections)


def load_corpus(
    root: Path | str, corrections: Mapping[str, list[tuple[str, int]]] | None = None
) -> Corpus:
    """Parse every page below ``root``.  Raises CorpusNotFound for a missing folder.

    ``corrections`` maps issue ids to the user's boundary fixes for that page.
    """
    root = Path(root)
    if not root.is_dir():
        raise CorpusNotFound(f"corpus folder not found: {root}")
    issues: list[Issue] = []
    skipped: list[Skipped] = []
    for path in page_files(root):
        fixes = (corrections or {}).get(issue_id_for(path.relative_to(root)), [])
        got = read_page(root, path, fixes)
        if isinstance(got, Skipped):
            skipped.append(got)
        else:
            issues.append(got)
    return Corpus(root=str(root), issues=tuple(issues), skipped=tuple(skipped))
