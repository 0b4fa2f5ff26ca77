"""The store's domain values: frozen dataclasses the UIs receive, input validation, and the
article fingerprint used to find an article again after a re-parse.  Pure values (no
database access), so every other module of the package can depend on this one.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from corpus.model import Article
from storage.errors import AnnotationError

MAX_NOTE = 1_000_000
MAX_TAG = 80
CONTEXT = 32
QUICK_SLOTS = 9
PALETTE = ["#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#d19a66", "#be5046"]
CORRECTION_KINDS = ("merge_next", "split", "caption", "furniture")

REMOVED = "removed"
"""An article document's tags removed by its coder, with when (tag → Unix time)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class CodeExists(AnnotationError):
    """A rename onto a code that already exists (the UI offers a merge instead)."""


class UnknownCode(AnnotationError):
    """A codebook operation named a code that is neither defined nor used."""


class CodeCycle(AnnotationError):
    """A move would make a code its own ancestor."""


@dataclass(frozen=True, slots=True)
class Highlight:
    id: str
    article_id: str
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""
    tags: tuple[str, ...] = ()
    note: str = ""
    orphan: bool = False
    coder: str = ""
    """Who coded the passage."""


@dataclass(frozen=True, slots=True)
class ArticleNotes:
    article_id: str
    issue_id: str = ""
    title: str = ""
    tags: tuple[str, ...] = ()
    note: str = ""
    read: bool = False
    starred: bool = False
    orphan: bool = False
    updated: float = 0.0
    coder: str = ""
    """Whose tags, note and read state these are ("" when several coders' are combined)."""


@dataclass(frozen=True, slots=True)
class TagDef:
    name: str
    colour: str = ""
    description: str = ""
    parent: str = ""


@dataclass(frozen=True, slots=True)
class Correction:
    issue_id: str
    kind: str
    line: int


@dataclass(frozen=True, slots=True)
class CodeUsage:
    """What a code codes: its own articles and passages, and with its descendants'."""

    code: str
    articles: tuple[str, ...]
    """Ids of articles tagged with the code itself."""
    passages: tuple[str, ...]
    """Ids of passages (highlights) coded with the code itself."""
    descendants: tuple[str, ...] = ()
    articles_with_children: tuple[str, ...] = ()
    passages_with_children: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeRow:
    """One line of the codebook, in tree order (children right after their parent)."""

    name: str
    parent: str
    colour: str
    description: str
    articles: int
    """Articles tagged with this code itself."""
    passages: int
    """Passages coded with this code itself."""
    depth: int = 0
    articles_with_children: int = 0
    passages_with_children: int = 0
    slot: int = 0
    """Quick-tag digit (1-9) the code sits on, 0 for none."""
    defined: bool = True
    """False for a code that is used (or named as a parent) but has no definition row."""

    def as_json(self) -> dict[str, Any]:
        """The ``piyue codes --json`` shape."""
        return {
            "name": self.name,
            "parent": self.parent,
            "colour": self.colour,
            "description": self.description,
            "articles": self.articles,
            "passages": self.passages,
        }


def clean_tag(tag: str) -> str:
    t = " ".join(str(tag).split())
    if not t:
        raise AnnotationError("a tag cannot be empty")
    if len(t) > MAX_TAG:
        raise AnnotationError(f"a tag is at most {MAX_TAG} characters")
    if _CONTROL.search(t):
        raise AnnotationError("a tag cannot contain control characters")
    if t.lower() in ("and", "or", "not") or any(c in t for c in '()"'):
        raise AnnotationError(f"{t!r} cannot be a tag (it is tag-expression syntax)")
    return t


TAG_SEPARATORS = ",，、;；"
"""What separates codes where several are typed in one field (the reader's tag dialog)."""


def new_tag_name(tag: str) -> str:
    """A name for a new code: ``clean_tag``, and no space nor separator in it — the reader
    reads ``安全 生产`` as two codes and an expression as ``安全 and 生产``, so such a name
    would mean three different things (codes named so before stay usable: ``code_name``)."""
    t = clean_tag(tag)
    bad = sorted({c for c in t if c.isspace() or c in TAG_SEPARATORS}, key=t.index)
    if bad:
        shown = " ".join("space" if c.isspace() else c for c in bad)
        raise AnnotationError(
            f"{t!r} cannot be a code name: it has {shown}, which separate codes (to give "
            "two codes, name them apart: tag ID A B)"
        )
    return t


def clean_colour(colour: str) -> str:
    if not _COLOUR.fullmatch(colour):
        raise AnnotationError(f"colour must look like #RRGGBB, not {colour!r}")
    return colour


def clean_note(note: str) -> str:
    if len(note) > MAX_NOTE:
        raise AnnotationError(f"a note is at most {MAX_NOTE:,} characters")
    return note


def fingerprint(article: Article) -> dict[str, str]:
    text = article.text
    return {
        "title": article.title,
        "head": text[:40],
        "text_hash": hashlib.sha1(text.encode("utf-8")).hexdigest()[:16],
    }


def copy_doc(doc: Any) -> Any:
    """A private copy of a stored document (undo states must not alias live ones)."""
    if doc is None:
        return None
    return copy.deepcopy(dict(doc))


def highlight_from_doc(d: dict[str, Any], legacy: str = "") -> Highlight:
    return Highlight(
        d["id"],
        d["article_id"],
        int(d["start"]),
        int(d["end"]),
        d["quote"],
        d.get("prefix", ""),
        d.get("suffix", ""),
        tuple(d.get("tags", ())),
        d.get("note", ""),
        bool(d.get("orphan")),
        d.get("coder") or legacy,
    )


def notes_from_doc(article_id: str, d: dict[str, Any], legacy: str = "") -> ArticleNotes:
    return ArticleNotes(
        article_id,
        d.get("issue_id", ""),
        d.get("title", ""),
        tuple(d.get("tags", ())),
        d.get("note", ""),
        bool(d.get("read")),
        bool(d.get("starred")),
        bool(d.get("orphan")),
        float(d.get("updated", 0.0)),
        d.get("coder") or legacy,
    )


def passage_is_empty(d: dict[str, Any]) -> bool:
    """A passage with no code and no note codes nothing: it is removed rather than kept."""
    return not d.get("tags") and not str(d.get("note", "")).strip()
