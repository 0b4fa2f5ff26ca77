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
BINARY_RATIO = 0.30
"""Above this share of control bytes in the first SNIFF bytes a file is not a page."""
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_CONTROL_CHARS = frozenset(_CONTROL_BYTES.decode("ascii"))
NOT_TEXT = "binary file (not text)"


def decode(data: bytes) -> tuple[str | None, str]:
    """Bytes of a page → (text, how) or (None, why it is not a page).

    Stray control bytes (a NUL, a BEL among OCR'd text) stay in the text; the reader shows them
    visibly.  Only a file that is mostly non-text is skipped.
    """
    if not data.strip():
        return None, "empty file"
    if data.startswith(codecs.BOM_UTF8):
        return _lines(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _lines(data.decode("utf-16", errors="replace")), "utf-16"
    head = data[:SNIFF]
    if _control_ratio(head) > BINARY_RATIO:
        return None, NOT_TEXT
    text: str | None = None
    for codec in ("utf-8", _utf16_without_bom(head), "gb18030"):
        if codec is None:
            continue
        try:
            text, how = data.decode(codec), codec
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        text, how = data.decode("utf-8", errors="replace"), "utf-8 (invalid bytes replaced)"
        sample = head.decode("utf-8", errors="replace")
        bad = sample.count("\ufffd") + sum(1 for c in sample if c in _CONTROL_CHARS)
        if bad > BINARY_RATIO * len(sample):
            return None, NOT_TEXT  # neither control bytes nor a text encoding: binary data
    return _lines(text), how


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text without a BOM puts its NULs on one byte parity (``A`` is ``41 00`` in LE).

    Stray NULs in UTF-8 text fall anywhere; once NULs no longer make a file binary, this keeps
    BOM-less UTF-16 from being decoded as GB18030 mojibake.
    """
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    if max(even, odd) < 4 or min(even, odd) > max(even, odd) // 10:
        return None
    return "utf-16-le" if odd > even else "utf-16-be"


def _control_ratio(head: bytes) -> float:
    """Share of control bytes (NUL included; not tab, line ends, form feed or ESC) in ``head``.

    OCR output contains stray control bytes among its text: a few of them do not make a page
    binary; only a file that is mostly control bytes is.
    """
    if not head:
        return 0.0
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
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
