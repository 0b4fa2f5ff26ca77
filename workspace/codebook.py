"""Codebook use cases, shared by ``piyue codes`` and the codebook screen: every edit is one
undo step and durable when it returns (the store's journal)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.annotations import CodeRow, CodeUsage, TagDef
    from workspace.session import Workspace

EDITS = ("rename", "merge", "move", "colour", "describe", "delete")


def rows(ws: Workspace) -> list[CodeRow]:
    """The codebook in tree order with counts (own, and with children)."""
    return ws.codings().codebook()


def usage(ws: Workspace, code: str) -> CodeUsage:
    """What deleting ``code`` removes: every coder's codings of it, not only the visible."""
    return ws.store.code_usage(code, None)


def edit(ws: Workspace, what: str, code: str, value: str = "") -> TagDef | CodeUsage:
    """One codebook edit by name: rename (value = new name), merge (value = into), move
    (value = parent, "" = top level), colour (#RRGGBB), describe (text), delete."""
    store = ws.store
    if what == "rename":
        return store.rename_code(code, value)
    if what == "merge":
        return store.merge_codes(code, value)
    if what == "move":
        return store.move_code(code, value)
    if what == "colour":
        return store.recolour_code(code, value)
    if what == "describe":
        return store.describe_code(code, value)
    if what == "delete":
        return store.delete_code(code)
    raise ValueError(f"unknown codebook edit {what!r}")


def one_slip(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one character (changed, added or left out): the
    commonest OCR or input-method slip (营商坏境 for 营商环境, 乡村振兴战 for 乡村振兴战略)."""
    if a == b or abs(len(a) - len(b)) > 1 or (min(len(a), len(b)) < 3 and len(a) == len(b)):
        return False  # two-character codes one apart are usually two real codes (党建, 党风)
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def codes_like(name: str, known: Iterable[str]) -> list[str]:
    """Existing codes a new ``name`` may have meant: one holds the other (营商 / 营商环境),
    or one character apart (营商坏境 / 营商环境)."""
    return sorted(k for k in known if k != name and (name in k or k in name or one_slip(name, k)))
