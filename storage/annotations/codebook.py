"""The codebook: code definitions (colour, description, parent), counts, quick-tag digits, and
the edits a researcher makes to it (rename, merge, move, recolour, describe, delete) — each one
undo step, written to disk before it returns, moving every coding so that nothing is lost.

A *code* is any name that is defined in the ``tags`` table, used on an article or a passage,
or named as a parent: old databases and imports carry codes that were never defined.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from storage.annotations import absorbed
from storage.annotations.base import StoreBase
from storage.annotations.coders import VISIBLE, Coders
from storage.annotations.expressions import evaluate, parse_expression
from storage.annotations.model import (
    MAX_NOTE,
    QUICK_SLOTS,
    REMOVED,
    CodeCycle,
    CodeExists,
    CodeRow,
    CodeUsage,
    TagDef,
    UnknownCode,
    clean_colour,
    copy_doc,
    new_tag_name,
    passage_is_empty,
)
from storage.errors import AnnotationError


def _swap(src: str, dst: str) -> Callable[[list[str]], list[str]]:
    """Tag-list rewrite: ``src`` becomes ``dst`` in place (once, if both were there)."""

    def f(tags: list[str]) -> list[str]:
        if src not in tags:
            return tags
        return list(dict.fromkeys(dst if t == src else t for t in tags))

    return f


class CodebookMixin(StoreBase):
    # -- definitions (existing API)

    def define_tag(
        self, name: str, colour: str = "", description: str = "", parent: str = ""
    ) -> TagDef:
        """Create or update a definition as given (no cycle check: ``move_code`` is the
        validated way to change a parent; readers of the tree tolerate old cyclic data)."""
        name = self.code_name(name)
        if colour:
            clean_colour(colour)
        doc_id = self._tag_ids.get(name)
        old = self._raw("tags").get(str(doc_id), {}) if doc_id is not None else {}
        doc = {
            "name": name,
            "colour": colour or old.get("colour") or self.fresh_colour(),
            "description": description or old.get("description", ""),
            "parent": parent or old.get("parent", ""),
        }
        self._begin("define tag")
        try:
            self._put("tags", doc_id, doc)
        finally:
            self._end()
        return self.tag(name)

    def tag_defs(self) -> list[TagDef]:
        return [self.tag(n) for n in self._tag_ids]

    def tag_counts(self, coders: Coders = VISIBLE) -> Counter[str]:
        """How many articles and passages carry each tag (the visible coders' codings; not
        orphans, which no retrieval finds: the counts are what Enter on a code lists)."""
        shown = self._shown(coders)
        c: Counter[str] = Counter()
        for table in ("articles", "highlights"):
            for d in self._raw(table).values():
                if shown(d) and not d.get("orphan"):
                    c.update(d.get("tags", ()))
        return c

    def recent_tags(self, n: int = 9) -> list[str]:
        """Most used first, then most recently defined (quick tags are ``quick_tags``)."""
        counts = self.tag_counts()
        names = sorted(self._tag_ids, key=lambda t: (-counts.get(t, 0), -self._tag_ids[t]))
        return names[:n]

    def select(self, expr: str, coders: Coders = VISIBLE) -> set[str]:
        """Article ids whose tags (own or on their passages) satisfy a tag expression."""
        tree = parse_expression(expr)
        return {aid for aid, tags in self.tags_by_article(coders).items() if evaluate(tree, tags)}

    def tags_by_article(self, coders: Coders = VISIBLE) -> dict[str, set[str]]:
        """Every annotated article's tags, its own and its passages', in one pass over the
        tables (filters and exports over 20,000 articles must not scan per article)."""
        shown = self._shown(coders)
        tags_of: dict[str, set[str]] = {}
        for d in self._raw("articles").values():
            if shown(d):
                tags_of.setdefault(d["article_id"], set()).update(d.get("tags", ()))
        for d in self._raw("highlights").values():
            if shown(d):
                tags_of.setdefault(d["article_id"], set()).update(d.get("tags", ()))
        return tags_of

    # -- quick tags: digits 1-9 keep their code until the user pins another

    def _pins(self) -> dict[int, tuple[int, str]]:
        """slot → (document id, code)."""
        return {int(d["slot"]): (int(k), d["code"]) for k, d in self._raw("quick").items()}

    def quick_tags(self) -> list[str]:
        """The codes on digits 1-9 (index 0 is digit 1; "" for an empty digit): pinned codes
        on their digits, the other defined codes in creation order on the free ones.  Using a
        code never moves it."""
        slots = [""] * QUICK_SLOTS
        pinned: set[str] = set()
        for slot, (_k, code) in self._pins().items():
            if 1 <= slot <= QUICK_SLOTS and code:
                slots[slot - 1] = code
                pinned.add(code)
        rest = iter(n for n in self._tag_ids if n not in pinned)
        for i, code in enumerate(slots):
            if not code:
                slots[i] = next(rest, "")
        return slots

    def pin_quick_tag(self, code: str, slot: int) -> list[str]:
        """Put a code on digit ``slot`` (1-9) for good; ``code`` "" frees the digit.  A code
        pinned elsewhere moves.  Returns ``quick_tags()``."""
        if not 1 <= slot <= QUICK_SLOTS:
            raise AnnotationError(f"a quick-tag digit is 1-{QUICK_SLOTS}, not {slot}")
        name = self._require(code) if code.strip() else ""
        if (slot, name) in {(s, c) for s, (_k, c) in self._pins().items()}:
            return self.quick_tags()
        with self.batch(f"quick tag {slot}"):
            if name:
                self._ensure_row(name)
            for s, (k, c) in self._pins().items():
                if s == slot or (name and c == name):
                    self._delete("quick", k)
            if name:
                self._put("quick", None, {"slot": slot, "code": name})
        return self.quick_tags()

    # -- what the codebook holds

    def _code_names(self) -> list[str]:
        """Every code: defined ones in creation order, then used-only ones by name."""
        extra: set[str] = set()
        for table in ("articles", "highlights"):
            for d in self._raw(table).values():
                extra.update(d.get("tags", ()))
        for d in self._raw("tags").values():
            extra.add(d.get("parent", ""))
        extra.difference_update(self._tag_ids)
        extra.discard("")
        return [*self._tag_ids, *sorted(extra)]

    def _require(self, code: str) -> str:
        name = " ".join(str(code).split())
        if not name:
            raise AnnotationError("a code name cannot be empty")
        if name not in self._tag_ids and name not in self._code_names():
            raise UnknownCode(f"no code {name!r} in the codebook")
        return name

    def _parents(self) -> dict[str, str]:
        return {d["name"]: d.get("parent", "") for d in self._raw("tags").values()}

    def _descendants(self, code: str) -> list[str]:
        """Children, grandchildren… of a code (breadth first; safe on cyclic old data)."""
        kids: dict[str, list[str]] = {}
        for name, parent in self._parents().items():
            kids.setdefault(parent, []).append(name)
        out: dict[str, None] = {}
        todo = list(kids.get(code, ()))
        while todo:
            c = todo.pop(0)
            if c != code and c not in out:
                out[c] = None
                todo.extend(kids.get(c, ()))
        return list(out)

    def _ensure_row(self, name: str, like: dict[str, Any] | None = None) -> tuple[int, Any]:
        """The definition row of a code, created (as part of the current step) if missing."""
        doc_id = self._tag_ids.get(name)
        if doc_id is not None:
            return doc_id, copy_doc(self._raw("tags")[str(doc_id)])
        base = like or {}
        doc = {
            "name": name,
            "colour": base.get("colour") or self.fresh_colour(),
            "description": base.get("description", ""),
            "parent": base.get("parent", ""),
        }
        return self._put("tags", None, doc), doc

    def _update_row(self, name: str, **fields: str) -> TagDef:
        """Change fields of a code's definition, as one step (none when nothing changes)."""
        doc_id = self._tag_ids.get(name)
        if doc_id is not None:
            doc = self._raw("tags")[str(doc_id)]
            if all(doc.get(k, "") == v for k, v in fields.items()):
                return self.tag(name)
        with self.batch(f"code {name}"):
            doc_id, doc = self._ensure_row(name)
            doc.update(fields)
            self._put("tags", doc_id, doc)
        return self.tag(name)

    def _retag(self, rewrite: Callable[[list[str]], list[str]]) -> None:
        """Rewrite the codes of every article and passage (inside a batch); a passage left
        with no code and no note is removed."""
        for k, d in list(self._raw("articles").items()):
            tags = list(d.get("tags", ()))
            new = rewrite(tags)
            kept = absorbed.retag(d, rewrite)  # what a merge took in: renamed alike
            if new != tags or kept is not None:
                doc = {**copy_doc(d), "tags": new}
                if gone := [t for t in tags if t not in new]:  # an older import leaves them out
                    doc[REMOVED] = {**doc.get(REMOVED, {}), **dict.fromkeys(gone, time.time())}
                if kept is not None:
                    doc[absorbed.KEY] = kept
                self._put("articles", int(k), doc)
        for k, d in list(self._raw("highlights").items()):
            tags = list(d.get("tags", ()))
            new = rewrite(tags)
            if new != tags:
                doc = {**copy_doc(d), "tags": new}
                if passage_is_empty(doc):
                    self._delete("highlights", int(k))
                else:
                    self._put("highlights", int(k), doc)

    def _reparent(self, old: str, new: str, skip: str = "") -> None:
        for k, d in list(self._raw("tags").items()):
            if d.get("parent", "") == old and d["name"] not in (old, skip):
                self._put("tags", int(k), {**copy_doc(d), "parent": new})

    def _repin(self, old: str, new: str) -> None:
        pins = self._pins()
        taken = any(c == new for _k, c in pins.values())
        for slot, (k, c) in pins.items():
            if c == old:
                if new and not taken:
                    self._put("quick", k, {"slot": slot, "code": new})
                else:
                    self._delete("quick", k)

    def _hold_digits(self, before: list[str]) -> None:
        """After a code went (deleted, merged away): the codes that were on digits keep them
        (pinned where they would have moved up), so 3 still means what it meant a moment ago."""
        after = self.quick_tags()
        taken = {c for _k, c in self._pins().values()}
        for i, code in enumerate(before):
            if code and code != after[i] and code in self._tag_ids and code not in taken:
                self._put("quick", None, {"slot": i + 1, "code": code})
                taken.add(code)

    # -- codebook edits

    def rename_code(self, old: str, new: str) -> TagDef:
        """Rename a code everywhere (articles, passages, children, quick digit).  Onto a name
        that exists: ``CodeExists`` (merge instead)."""
        old = self._require(old)
        new = new_tag_name(new)
        if new == old:
            return self._ensure_def(old)
        if new in self._tag_ids or new in self._code_names():
            raise CodeExists(f"a code {new!r} already exists (merge {old!r} into it instead)")
        with self.batch(f"rename {old} → {new}"):
            doc_id, doc = self._ensure_row(old)
            self._put("tags", doc_id, {**doc, "name": new})
            self._reparent(old, new)
            self._retag(_swap(old, new))
            self._repin(old, new)
        return self.tag(new)

    def merge_codes(self, src: str, dst: str) -> TagDef:
        """Every coding of ``src`` moves to ``dst``; ``src``'s definition goes, its children
        move under ``dst`` (and ``dst`` takes ``src``'s place if it was below it)."""
        src, dst = self._require(src), self._require(dst)
        if src == dst:
            raise AnnotationError(f"cannot merge {src!r} into itself")
        src_id = self._tag_ids.get(src)
        src_doc = copy_doc(self._raw("tags")[str(src_id)]) if src_id is not None else {}
        below = dst in self._descendants(src)
        digits = self.quick_tags()
        self.last_backup = self.storage.backup_before(f"merge {src}")
        with self.batch(f"merge {src} → {dst}"):
            dst_id, dst_doc = self._ensure_row(dst, like=src_doc)
            if not dst_doc.get("description") and src_doc.get("description"):
                dst_doc["description"] = src_doc["description"]
            if below:
                dst_doc["parent"] = src_doc.get("parent", "")
            self._put("tags", dst_id, dst_doc)
            self._reparent(src, dst, skip=dst)
            if src_id is not None:
                self._delete("tags", src_id)
            self._retag(_swap(src, dst))
            self._repin(src, dst)
            self._hold_digits(digits)
        return self.tag(dst)

    def move_code(self, code: str, parent: str) -> TagDef:
        """Put a code under ``parent`` ("" = top level); a move that would make a cycle is
        refused (``CodeCycle``)."""
        code = self._require(code)
        parent = self._require(parent) if parent.strip() else ""
        if parent == code:
            raise CodeCycle(f"{code!r} cannot be its own parent")
        if parent and parent in self._descendants(code):
            raise CodeCycle(
                f"cannot move {code!r} under {parent!r}: {parent!r} is already below {code!r}"
            )
        if parent:
            with self.batch(f"move {code}"):
                self._ensure_row(parent)
                self._update_row(code, parent=parent)
            return self.tag(code)
        return self._update_row(code, parent=parent)

    def recolour_code(self, code: str, colour: str) -> TagDef:
        code = self._require(code)
        return self._update_row(code, colour=clean_colour(colour))

    def describe_code(self, code: str, text: str) -> TagDef:
        code = self._require(code)
        text = text.strip()
        if len(text) > MAX_NOTE:
            raise AnnotationError(f"a description is at most {MAX_NOTE:,} characters")
        return self._update_row(code, description=text)

    def delete_code(self, code: str) -> CodeUsage:
        """Remove a code from the codebook, every article and every passage (a passage that
        codes nothing else and has no note goes too); its children move up to its parent.
        Returns what it coded."""
        code = self._require(code)
        usage = self.code_usage(code, None)  # every coder's: the delete takes them all
        doc_id = self._tag_ids.get(code)
        parent = self._parents().get(code, "")
        digits = self.quick_tags()
        self.last_backup = self.storage.backup_before(f"delete {code}")
        with self.batch(f"delete code {code}"):
            self._reparent(code, parent)
            if doc_id is not None:
                self._delete("tags", doc_id)
            self._retag(lambda tags: [t for t in tags if t != code])
            self._repin(code, "")
            self._hold_digits(digits)
        return usage

    def _ensure_def(self, name: str) -> TagDef:
        return self.tag(name) if name in self._tag_ids else TagDef(name)

    # -- reading the codebook

    def code_usage(self, code: str, coders: Coders = VISIBLE) -> CodeUsage:
        """What a code codes: article ids and passage ids, its own and with its descendants."""
        code = self._require(code)
        shown = self._shown(coders)
        family = self._descendants(code)
        want = {code, *family}
        own_a: list[str] = []
        all_a: list[str] = []
        for d in self._raw("articles").values():
            if not shown(d):
                continue
            tags = set(d.get("tags", ()))
            if code in tags:
                own_a.append(d["article_id"])
            if tags & want:
                all_a.append(d["article_id"])
        own_p: list[str] = []
        all_p: list[str] = []
        for d in self._raw("highlights").values():
            if not shown(d):
                continue
            tags = set(d.get("tags", ()))
            if code in tags:
                own_p.append(d["id"])
            if tags & want:
                all_p.append(d["id"])
        return CodeUsage(
            code, tuple(own_a), tuple(own_p), tuple(family), tuple(all_a), tuple(all_p)
        )

    def codebook(self, coders: Coders = VISIBLE) -> list[CodeRow]:
        """Every code in tree order (children right after their parent, siblings in creation
        order), with counts of the coders' codings — the ``piyue codes`` table and the
        codebook screen."""
        shown = self._shown(coders)
        names = self._code_names()
        rows = {d["name"]: d for d in self._raw("tags").values()}
        parent_of = {n: rows.get(n, {}).get("parent", "") for n in names}
        arts: dict[str, set[str]] = {n: set() for n in names}
        hls: dict[str, set[str]] = {n: set() for n in names}
        for d in self._raw("articles").values():
            if shown(d) and not d.get("orphan"):  # as retrieval counts (tester E, E3)
                for t in set(d.get("tags", ())):
                    arts[t].add(d["article_id"])
        for d in self._raw("highlights").values():
            if shown(d) and not d.get("orphan"):
                for t in set(d.get("tags", ())):
                    hls[t].add(d["id"])
        kids: dict[str, list[str]] = {}
        for n in names:
            p = parent_of[n]
            kids.setdefault(p if p in parent_of and p != n else "", []).append(n)
        slot_of = {c: i + 1 for i, c in enumerate(self.quick_tags()) if c}
        order: list[tuple[str, int]] = []
        seen: set[str] = set()

        def walk(n: str, depth: int) -> tuple[set[str], set[str]]:
            seen.add(n)
            order.append((n, depth))
            a, h = set(arts[n]), set(hls[n])
            for k in kids.get(n, ()):
                if k not in seen:
                    ka, kh = walk(k, depth + 1)
                    a |= ka
                    h |= kh
            totals[n] = (len(a), len(h))
            return a, h

        totals: dict[str, tuple[int, int]] = {}
        for n in kids.get("", []):
            if n not in seen:
                walk(n, 0)
        for n in names:  # codes caught in a parent cycle (old data): shown at the top level
            if n not in seen:
                walk(n, 0)
        out = []
        for n, depth in order:
            d = rows.get(n, {})
            out.append(
                CodeRow(
                    name=n,
                    parent=parent_of[n],
                    colour=d.get("colour", ""),
                    description=d.get("description", ""),
                    articles=len(arts[n]),
                    passages=len(hls[n]),
                    depth=depth,
                    articles_with_children=totals[n][0],
                    passages_with_children=totals[n][1],
                    slot=slot_of.get(n, 0),
                    defined=n in rows,
                )
            )
        return out
