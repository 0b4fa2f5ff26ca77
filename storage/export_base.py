"""What every export format shares: the exported item, page metadata read with defaults, the
codebook as a tree, stable GUIDs. The writers live in storage.export (JSON Lines, CSV, corpus),
storage.export_md (Markdown) and storage.export_qdpx (REFI-QDA)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from corpus.model import Article
from storage.annotations import Highlight

GUID_NS = uuid.UUID("6f1e4a52-3c0b-4d8e-9a57-8f0c2b1d7e33")
Progress = Callable[[int, int], None]


class CodeDef(Protocol):
    """What an export needs of a codebook entry (storage's TagDef has it)."""

    @property
    def name(self) -> str: ...
    @property
    def colour(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def parent(self) -> str: ...


def version() -> str:
    try:
        from importlib.metadata import version as v

        return v("piyue")
    except Exception:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


@dataclass
class Item:
    """One exported article with its annotations."""

    article: Article
    issue_id: str
    source: str
    date: str | None
    source_sha1: str
    tags: list[str]
    note: str
    highlights: list[Highlight]
    read: bool = False
    starred: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    """`page_meta` of the article's page."""
    coder: str = ""
    """Whose codings these are."""
    updated: float = 0.0
    """When the coder last changed the article's tags, note or marks (0: never)."""


# ------------------------------------------------------------------------ page metadata

_CONTINUED = re.compile(r"(上接|下转|转)\s*(第?\s*[0-9０-９一二三四五六七八九十]+\s*[版页])")


def _text(value: object) -> str | None:
    s = "" if value is None else " ".join(str(value).split())
    return s or None


def page_meta(issue: object, article: object | None = None) -> dict[str, Any]:
    """The page's and the article's placement in the paper, whatever the model has of it yet.

    Read with defaults (the fields arrive from other work in parallel), so every export carries
    them as soon as the model does: ``paper``, ``page`` (int), ``section``, ``furniture`` (raw
    lines), ``credits`` (role → names), ``continued_from`` / ``continued_on`` (e.g. ``01版``).
    """
    page = getattr(issue, "page", None)
    if isinstance(page, str) and page.strip().isdigit():
        page = int(page.strip())
    if not isinstance(page, int) or isinstance(page, bool):
        page = None
    raw_credits = getattr(issue, "credits", None) or {}
    try:
        credits = {str(k): str(v) for k, v in dict(raw_credits).items()}
    except (TypeError, ValueError):
        credits = {}
    furniture = getattr(issue, "furniture", ()) or ()
    if isinstance(furniture, str):
        furniture = (furniture,)
    cont_from = _text(getattr(article, "continued_from", None))
    cont_on = _text(getattr(article, "continued_on", None))
    if article is not None and not hasattr(article, "continued_from"):
        # until the model has the fields: the marker as printed, e.g. (上接01版)
        m = _CONTINUED.search(str(getattr(article, "continuation", "") or ""))
        if m and m.group(1) == "上接":
            cont_from = m.group(2).replace(" ", "")
        elif m:
            cont_on = m.group(2).replace(" ", "")
    return {
        "paper": _text(getattr(issue, "paper", None)),
        "page": page,
        "section": _text(getattr(issue, "section", None)),
        "furniture": [str(x) for x in furniture],
        "credits": credits,
        "continued_from": cont_from,
        "continued_on": cont_on,
    }


def credits_text(meta: dict[str, Any], sep: str = ";") -> str:
    return sep.join(f"{k}:{v}" for k, v in (meta.get("credits") or {}).items())


def page_label(meta: dict[str, Any]) -> str:
    page = meta.get("page")
    return f"第{page}版" if page is not None else ""


def guid(*parts: str) -> str:
    """Stable GUIDs: the same annotations give the same GUIDs in every export."""
    return str(uuid.uuid5(GUID_NS, "\x1f".join(parts)))


def code_tree(
    codebook: Sequence[CodeDef], names: Iterable[str] | None = None
) -> list[tuple[str, int]]:
    """Codes as a tree walk, ``(name, depth)``, each child right after its parent, siblings in
    codebook order (``piyue codes`` and the reader show them so; a researcher arranged them).

    With `names`, only those codes and their ancestors (a child keeps its place under its
    parent); names the codebook does not know are top-level codes, after the known ones, by
    name. A cycle in the parents (which the codebook refuses, but a hand-edited file may have)
    cannot loop: a code of the cycle is put at the top.
    """
    parent = {d.name: d.parent or "" for d in codebook}
    rank = {n: i for i, n in enumerate(parent)}

    def ordered(codes: Iterable[str]) -> list[str]:
        return sorted(codes, key=lambda n: (rank.get(n, len(rank)), n))

    wanted = set(parent) if names is None else set(names)
    keep: set[str] = set()
    for n in wanted:
        seen: set[str] = set()
        while n and n not in seen:
            keep.add(n)
            seen.add(n)
            n = parent.get(n, "")
    children: dict[str, list[str]] = {}
    for n in keep:
        p = parent.get(n, "")
        children.setdefault(p if p in keep and p != n else "", []).append(n)
    out: list[tuple[str, int]] = []
    visited: set[str] = set()

    def walk(p: str, depth: int) -> None:
        for n in ordered(children.get(p, ())):
            if n not in visited:
                visited.add(n)
                out.append((n, depth))
                walk(n, depth + 1)

    walk("", 0)
    for n in ordered(keep - visited):  # only codes on or under a cycle are left
        seen = set()
        while n not in seen:  # climb to a code on the cycle: it goes to the top
            seen.add(n)
            n = parent[n]
        if n not in visited:
            visited.add(n)
            out.append((n, 0))
            walk(n, 1)
    return out


def passage_codes(it: Item) -> list[str]:
    seen: dict[str, None] = {}
    for h in it.highlights:
        for t in h.tags:
            seen.setdefault(t)
    return list(seen)
