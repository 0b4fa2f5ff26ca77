"""Reading page files: which files are pages, encodings, line endings, and files that are not.

Chinese text files come as UTF-8, UTF-8 with a BOM, GB18030/GBK or UTF-16; some have CRLF
line ends; some "pages" are empty or binary.  None of that is an error: decodable text is
decoded (invalid bytes replaced, never fatal) and the rest is skipped with a reason.

A corpus is a folder walked recursively (``.txt``, ``.md``, ``.markdown``; hidden files and
folders ignored; a folder reached twice through symbolic links read once) or a single page
file.  Each page gets its paper/date/page/section from ``corpus.pagemeta``.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus import pagemeta
from corpus.model import Corpus, CorpusNotFound, EmptyCorpus, Issue, Skipped
from corpus.model import corpus_target as corpus_target  # where it always was, for callers
from corpus.pagemeta import Manifest

__all__ = [
    "PAGE_SUFFIXES",
    "CorpusNotFound",
    "EmptyCorpus",
    "PageFile",
    "Scan",
    "corpus_target",
    "decode",
    "describe_counts",
    "describe_empty",
    "describe_numbers",
    "issue_id_for",
    "load_corpus",
    "load_manifest",
    "page_files",
    "page_id",
    "parse_page",
    "read_page",
    "scan_corpus",
]

PAGE_SUFFIX = ".txt"
PAGE_SUFFIXES = (".txt", ".md", ".markdown")
"""What a page file is called; pages of one name in one folder keep their suffixes in their ids."""
SNIFF = 8192
BINARY_RATIO = 0.10
"""Above this share of control bytes in the first SNIFF bytes a file is not a page."""
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_CONTROL_CHARS = frozenset(_CONTROL_BYTES.decode("ascii"))
NOT_TEXT = "binary file (not text)"
OTHER_ENCODING = "text in an encoding piyue does not read (it reads UTF-8, UTF-16 and GB18030)"


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
    utf16 = _utf16_without_bom(head)  # its NULs are not control bytes: try it first
    if utf16 is not None:
        try:
            got = data.decode(utf16)
            if _reads_as_text(got[: SNIFF // 2]):
                return _lines(got), utf16
        except UnicodeDecodeError:
            pass
    if _control_ratio(head) > BINARY_RATIO:
        return None, NOT_TEXT
    text: str | None = None
    how = ""
    for codec in ("utf-8", "gb18030"):
        try:
            text, how = data.decode(codec), codec
            break
        except UnicodeDecodeError:
            continue
    if how == "gb18030" and (big5 := _big5_instead(data)) is not None:
        text, how = big5
    if text is None:
        text, how = data.decode("utf-8", errors="replace"), "utf-8 (invalid bytes replaced)"
        sample = head.decode("utf-8", errors="replace")
        bad = sample.count("\ufffd") + sum(1 for c in sample if c in _CONTROL_CHARS)
        if bad > BINARY_RATIO * len(sample):
            # mostly printable ASCII with some high bytes (Latin-1, Big5…) is text, not data
            ascii_text = sum(32 <= b < 127 or b in (9, 10, 13) for b in head)
            if head and ascii_text >= 0.6 * len(head):
                return None, OTHER_ENCODING
            return None, NOT_TEXT  # neither control bytes nor a text encoding: binary data
    if text.startswith("# ") and (own := _own_export(text[:400])) is not None:
        return None, own
    return _lines(text), how


_OWN_REPORT = re.compile(r"^# [^\n]*\n\n\d+ 篇 articles? · \d{4}-\d{2}-\d{2}")
_OWN_TOKENS = re.compile(r"^# id: [^\n]*\n# title: ")


def _own_export(head: str) -> str | None:
    """Why a file piyue wrote is no page (a Markdown report, a segmented-corpus file saved
    into the corpus folder), or None: read as pages, they would be indexed, searched and
    counted as articles."""
    if _OWN_REPORT.match(head):
        what = "a Markdown report"
    elif _OWN_TOKENS.match(head):
        what = "a segmented-corpus file"
    else:
        return None
    return f"{what} piyue exported, not a newspaper page (keep exports outside the corpus)"


def _big5_instead(data: bytes) -> tuple[str, str] | None:
    """(text, codec) when the page is Big5 (traditional Chinese from Hong Kong or Taiwan)
    rather than GB 18030: GB 18030 decodes almost any bytes, Big5's too, into rare characters
    (臺灣經濟 → 籓芖竒); the reading with more common characters is the page's."""
    head = data[:SNIFF]
    as_gb = head.decode("gb18030", errors="ignore")
    gb = _common_share(as_gb)
    if gb is None or gb >= 0.9:
        return None
    for codec in ("big5", "cp950", "big5hkscs"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        b5 = _common_share(head.decode(codec, errors="ignore"))
        if b5 is not None and b5 > gb + 0.2:
            return text, codec
        return None
    return None


def _common_share(text: str) -> float | None:
    """The share of Han characters that are common in either script (GB 2312, or Big5's
    first level), or None with fewer than 20 to judge by."""
    han = [c for c in text if "\u3400" <= c <= "\u9fff"]
    if len(han) < 20:
        return None
    common = 0
    for c in han:
        try:
            c.encode("gb2312")
            common += 1
            continue
        except UnicodeEncodeError:
            pass
        try:
            common += 0xA440 <= int.from_bytes(c.encode("big5"), "big") <= 0xC67E
        except UnicodeEncodeError:
            pass
    return common / len(han)


def _reads_as_text(sample: str) -> bool:
    """Mostly letters, digits, punctuation and spaces — not control, combining, private-use
    or unassigned code points (what binary data decodes to under a wrong guess)."""
    if not sample:
        return False
    odd = sum(1 for c in sample if unicodedata.category(c) in ("Cc", "Mn", "Co", "Cn", "Cs"))
    odd -= sum(1 for c in sample if c in "\t\n\r\x0c")
    return odd <= BINARY_RATIO * len(sample)


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
    """A page's id: its path inside the corpus without the suffix (stable across runs).

    A page at the root keeps its file name (ids of existing pages, and the annotations
    pointing at them, never change); a page in a folder has its relative path
    (``洛阳日报/2018/09/12/01``).  Annotations made when folders were joined with ``~`` find
    their articles again by their text (``Store.reattach``)."""
    return rel.with_suffix("").as_posix()


def page_id(root: Path, rel: Path) -> str:
    """``issue_id_for``, unless another page in the same folder has the same name (``01.txt``
    beside ``01.md``): then each keeps its suffix in its id (``01.txt``, ``01.md``), so a page
    added beside a coded one never takes over the coded page's ids — the coded page's id goes,
    and its codings follow its text to ``01.md`` as they follow a rename."""
    suffix = rel.suffix.lower()
    if suffix in PAGE_SUFFIXES:
        stem = root / rel.with_suffix("")
        for other in PAGE_SUFFIXES:
            if other == suffix:
                continue
            for variant in (other, other.upper()):
                if os.path.isfile(f"{stem}{variant}"):
                    return rel.as_posix()
    return issue_id_for(rel)


def _is_page(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in PAGE_SUFFIXES


def _not_a_page(name: str) -> str:
    ext = os.path.splitext(name)[1]
    what = f"a {ext} file" if ext else "a file without extension"
    return f"not a page: {what} (pages are {', '.join(PAGE_SUFFIXES)})"


@dataclass(frozen=True, slots=True)
class PageFile:
    path: Path
    """``root / rel`` as walked (not resolved), so ``path.relative_to(root)`` works."""
    rel: str
    """Path relative to the corpus root, ``/``-separated: the page's ``file``."""
    id: str


@dataclass(slots=True)
class Scan:
    """What a corpus location holds, before any page is read."""

    root: Path
    pages: list[PageFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    """Files that are not pages (extension, special file, broken link, unreadable folder)
    and manifest rows that were not used."""
    manifest: Manifest = field(default_factory=Manifest)
    single: bool = False
    """The corpus was given as one page file."""

    def require_pages(self) -> None:
        """Raise EmptyCorpus (one line: the folder and the extensions) when there is none."""
        if not self.pages:
            raise EmptyCorpus(describe_empty(self.root, len(self.skipped)))


_NOT_UTF8 = (
    "{what} name is not UTF-8 (shown as GB 18030; an archive unpacked from Windows?): "
    "not read — rename it, e.g. convmv -f gbk -t utf-8 -r --notest NAME"
)


_CONTROL_NAME = (
    "{what} name holds a line break or another control character (shown as ␊, ␉…): not read, "
    "its ids would break every line-by-line listing — rename it"
)
odd_name = re.compile(r"[\x00-\x1f\x7f-\x9f\udc80-\udcff]").search
"""A name ``_walk`` skips (control characters, bytes that are not UTF-8): one test for the
index's quick walk, which must skip what the scan skips."""
_NAME_PICTURES = {c: 0x2400 + c for c in range(0x20)} | {0x7F: 0x2421}


def foreign_name(name: str) -> str | None:
    """How to show a file name whose bytes are not UTF-8 (Python hands them over as lone
    surrogates, which no UTF-8 file, database or terminal takes), or None for a UTF-8 name.
    Chinese archives unpacked from Windows carry GBK names: GB 18030 reads them; other bytes
    are shown as \\xNN."""
    try:
        name.encode("utf-8")
        return None
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def _walk(root: Path, skipped: list[Skipped]) -> Iterator[tuple[Path, str]]:
    """(path, rel) of every non-hidden regular file below ``root``, in the order of
    ``sorted(root.rglob("*"))``; a folder already visited (symlink loop) is not entered."""
    seen: set[tuple[int, int]] = set()
    try:
        st = root.stat()
        seen.add((st.st_dev, st.st_ino))
    except OSError:
        pass

    def entries(folder: str, rel: str) -> Iterator[os.DirEntry[str]]:
        try:
            with os.scandir(folder) as it:
                found = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(rel or ".", f"unreadable folder: {exc.strerror or exc}"))
            return iter(())
        return iter(found)

    stack: list[tuple[str, Iterator[os.DirEntry[str]]]] = [("", entries(str(root), ""))]
    while stack:
        prefix, it = stack[-1]
        entry = next(it, None)
        if entry is None:
            stack.pop()
            continue
        rel = f"{prefix}{entry.name}"
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if odd_name(entry.name):  # one test for both kinds: most names pass it at once
            what = "folder" if is_dir else "file"
            shown = foreign_name(entry.name)
            if shown is None:  # a line break or another control character in the name
                shown = entry.name.translate(_NAME_PICTURES)
                why = _CONTROL_NAME.format(what=what)
            else:
                why = _NOT_UTF8.format(what=what)
            skipped.append(Skipped(f"{prefix}{shown}", why))
            continue
        if is_dir:
            try:
                st = entry.stat()
            except OSError as exc:
                skipped.append(Skipped(rel, f"unreadable folder: {exc.strerror or exc}"))
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen:
                skipped.append(Skipped(rel, "folder already read (a symbolic link loops back)"))
                continue
            seen.add(key)
            stack.append((rel + "/", entries(entry.path, rel)))
            continue
        try:
            is_file = entry.is_file()
        except OSError:
            is_file = False
        if not is_file:
            link = entry.is_symlink()
            broken = link and not os.path.exists(entry.path)
            why = (
                "unreadable: broken symbolic link"
                if broken
                else "not a regular file (a link to a device, pipe or socket)"
                if link
                else "not a regular file"
            )
            if broken or _is_page(entry.name):
                skipped.append(Skipped(rel, why))
            else:
                skipped.append(Skipped(rel, _not_a_page(entry.name)))
            continue
        yield Path(entry.path), rel


def load_manifest(root: Path) -> Manifest:
    """``pages.csv`` in ``root`` (an empty Manifest when there is none)."""
    path = root / pagemeta.MANIFEST
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Manifest()
    except OSError as exc:
        out = Manifest()
        out.problems.append(Skipped(pagemeta.MANIFEST, f"unreadable: {exc.strerror or exc}"))
        return out
    text, _ = decode(data)
    return pagemeta.read_manifest(text or "")


def scan_corpus(location: Path | str) -> Scan:
    """Every page file of a corpus folder (or the one file given), the files that are not
    pages, and the manifest.  Cheap: nothing is parsed.  Raises CorpusNotFound."""
    root, single = corpus_target(location)
    scan = Scan(root=root, single=single is not None)
    if single is not None:
        rel = single.name
        if _is_page(rel):
            scan.pages.append(PageFile(single, rel, page_id(root, Path(rel))))
        else:
            scan.skipped.append(Skipped(rel, _not_a_page(rel)))
        # The folder's manifest may describe this page; its other rows are none of our business.
        manifest = load_manifest(root)
        line = manifest.lines.get(rel)
        manifest.rows = {rel: manifest.rows[rel]} if line is not None else {}
        manifest.problems = [p for p in manifest.problems if line is not None and p.line == line]
        scan.manifest = manifest
        scan.skipped.extend(manifest.problems)
        return scan
    found: list[tuple[Path, str]] = []
    for path, rel in _walk(root, scan.skipped):
        if _is_page(rel):
            found.append((path, rel))
        elif rel != pagemeta.MANIFEST:
            scan.skipped.append(Skipped(rel, _not_a_page(rel)))
    present = {rel.lower() for _, rel in found}
    taken: dict[str, int] = {}
    for path, rel in found:
        base, suffix = os.path.splitext(rel)
        others = [b for b in PAGE_SUFFIXES if b != suffix.lower()]
        if any(f"{base}{b}".lower() in present for b in others):
            pid = rel  # same rule as page_id, without a stat per page
        else:
            pid = issue_id_for(Path(rel))
        taken[pid] = taken.get(pid, 0) + 1
        if taken[pid] > 1:  # cannot happen with paths as ids; kept unique whatever comes
            pid = f"{pid}~{taken[pid]}"
        scan.pages.append(PageFile(path, rel, pid))
    scan.manifest = load_manifest(root)
    scan.manifest.check_files(p.rel for p in scan.pages)
    scan.skipped.extend(scan.manifest.problems)
    return scan


def page_files(root: Path) -> Iterator[Path]:
    """Every page file below ``root`` in a stable order (see ``scan_corpus``)."""
    for page in scan_corpus(root).pages:
        yield page.path


def parse_page(
    text: str,
    rel: str,
    issue_id: str,
    corrections: Iterable[tuple[str, int]] = (),
    manifest: Manifest | None = None,
) -> Issue:
    """Decoded page text → the Issue with its metadata (what the index's workers call)."""
    from corpus.parse import parse_text  # not for a command that reads a fresh index only

    return pagemeta.apply_meta(parse_text(text, issue_id, rel, corrections), manifest)


def read_page(
    root: Path,
    path: Path,
    corrections: Iterable[tuple[str, int]] = (),
    *,
    manifest: Manifest | None = None,
    issue_id: str | None = None,
) -> Issue | Skipped:
    """Read and parse one page.  Without ``manifest`` the root's ``pages.csv`` is read."""
    rel = path.relative_to(root)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(rel.as_posix(), f"unreadable: {exc.strerror or exc}")
    text, how = decode(data)
    if text is None:
        return Skipped(rel.as_posix(), how)
    if manifest is None:
        manifest = load_manifest(root)
    pid = issue_id if issue_id is not None else page_id(root, rel)
    return parse_page(text, rel.as_posix(), pid, corrections, manifest)


def load_corpus(
    root: Path | str,
    corrections: Mapping[str, list[tuple[str, int]]] | None = None,
    *,
    require_pages: bool = False,
) -> Corpus:
    """Parse every page of a corpus folder, or the one page file given.

    Raises CorpusNotFound when nothing exists at ``root``, and with ``require_pages``
    EmptyCorpus when no page was read.  ``corrections`` maps issue ids to the user's
    boundary fixes for that page."""
    scan = scan_corpus(root)
    issues: list[Issue] = []
    skipped: list[Skipped] = []
    for page in scan.pages:
        fixes = (corrections or {}).get(page.id, [])
        got = read_page(scan.root, page.path, fixes, manifest=scan.manifest, issue_id=page.id)
        if isinstance(got, Skipped):
            skipped.append(got)
        else:
            issues.append(got)
    # Files in walk order, then the manifest's rows by line.
    files = sorted(
        (s for s in [*scan.skipped, *skipped] if s.line is None), key=lambda s: s.file.split("/")
    )
    rows = [s for s in scan.skipped if s.line is not None]
    corpus = Corpus(root=str(scan.root), issues=tuple(issues), skipped=(*files, *rows))
    if require_pages and corpus.is_empty:
        raise EmptyCorpus(describe_empty(scan.root, corpus.counts()["skipped"]))
    return corpus


def describe_empty(root: Path | str, skipped: int = 0) -> str:
    """One line for a corpus without pages: the folder and the extensions looked for."""
    others = f"; {skipped} other file{'s' if skipped != 1 else ''} skipped" if skipped else ""
    looked = ", ".join(f"*{s}" for s in PAGE_SUFFIXES)
    return f"no pages in {root} (looked for {looked}{others})"


def describe_counts(corpus: Corpus) -> str:
    """``5 pages read, 2 files skipped, 1 manifest row not used`` for ``list``/``index``."""
    return describe_numbers(len(corpus.issues), corpus.skipped)


def describe_numbers(pages: int, skipped: Sequence[Skipped]) -> str:
    """``describe_counts`` from a page count and the skipped files (no corpus built)."""
    n = Corpus("", (), tuple(skipped)).counts()
    n["pages"] = pages
    parts = [f"{n['pages']} page{'s' if n['pages'] != 1 else ''} read"]
    parts.append(f"{n['skipped']} file{'s' if n['skipped'] != 1 else ''} skipped")
    if n["manifest"]:
        parts.append(f"{n['manifest']} manifest row{'s' if n['manifest'] != 1 else ''} not used")
    return ", ".join(parts)
