"""The store's core: the open database, its in-memory indexes, every write (durable, recorded
for undo), batches, and undo/redo.  The feature mixins (passages, codebook) and ``Store`` build
on this; they never write to TinyDB themselves.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corpus.model import Article
from storage.annotations.coders import Coders, VisibleCoders, clean_coder, default_coder
from storage.annotations.history import Change, History, State
from storage.annotations.model import (
    PALETTE,
    TagDef,
    clean_tag,
    copy_doc,
    fingerprint,
    new_tag_name,
)
from storage.durable import DurableStorage, PiyueDB
from storage.errors import AnnotationError, ReadOnlyDatabase, StoreError


class StoreBase:
    """Database, indexes (article id, highlight id, code name → document id), writes, history."""

    def __init__(self, db: PiyueDB, path: Path, coder: str | None = None) -> None:
        self.db = db
        self.path = path
        self.storage: DurableStorage = db.storage  # type: ignore[assignment]
        self.coder = clean_coder(coder) if coder else default_coder()
        """The current coder: every coding written is theirs."""
        meta = self.storage.read().get("meta", {})
        first: dict[str, Any] = next(iter(meta.values()), {}) if meta else {}
        self.legacy_coder: str = first.get("default_coder") or self.coder
        """Whose the codings written before coders were recorded are (schema 1)."""
        self.visible: frozenset[str] | None = frozenset({self.coder})
        """The coders reads show by default: yours (blind), or None for everyone's."""
        self._arts: dict[str, dict[str, int]] = {}
        """article id → coder → document id, every coder."""
        self._art_ids: dict[str, int] = {}
        """article id → document id of the current coder's document."""
        self._hl_ids: dict[str, int] = {}
        self._hl_by_article: dict[str, set[str]] = {}
        self._tag_ids: dict[str, int] = {}
        self._next_ids: dict[str, int] = {}
        self.history = History()
        self.last_backup: Path | None = None
        """The ``before-`` backup the last destructive change wrote (to tell the user)."""
        self._anchored_here: str | None = None
        """The corpus state this session anchored the annotations in (``anchored_stamp``)."""
        # inside a batch: documents written but not yet committed, and their state before it
        self._pending: dict[str, dict[str, Any]] | None = None
        self._saved: dict[tuple[str, str], Any] = {}
        self._reindex()

    @property
    def readonly(self) -> bool:
        return self.storage.readonly

    def take_notices(self) -> list[str]:
        """What opening the database found that the user must be told once (changes
        recovered after an unclean exit, a damaged journal line): given once, then gone."""
        out, self.storage.notices = self.storage.notices, []
        return out

    def close(self) -> None:
        self.db.close()

    def _reindex(self) -> None:
        raw = self.storage.read()

        def by_id(table: str) -> list[tuple[int, dict[str, Any]]]:
            return sorted((int(k), d) for k, d in raw.get(table, {}).items())

        self._arts = {}
        for k, d in by_id("articles"):
            self._arts.setdefault(d["article_id"], {})[self.coder_of(d)] = k
        self._mine()
        self._hl_ids = {}
        self._hl_by_article = {}
        for k, d in by_id("highlights"):
            self._hl_ids[d["id"]] = k
            self._hl_by_article.setdefault(d["article_id"], set()).add(d["id"])
        self._tag_ids = {d["name"]: k for k, d in by_id("tags")}

    # -- coders

    def coder_of(self, doc: dict[str, Any]) -> str:
        """The coder of an article or passage document (old ones: the legacy coder)."""
        return str(doc.get("coder") or self.legacy_coder)

    def _mine(self) -> None:
        self._art_ids = {aid: m[self.coder] for aid, m in self._arts.items() if self.coder in m}

    def set_coder(self, name: str) -> str:
        """Code as ``name`` from now on (what is visible follows: yours, unless revealed)."""
        name = clean_coder(name)
        if self.visible is not None:
            self.visible = frozenset({name})
        self.coder = name
        self._mine()
        return name

    @contextmanager
    def as_coder(self, name: str) -> Iterator[None]:
        """Write as another coder for a while (adjudication writes as ``final``)."""
        old, seen = self.coder, self.visible
        self.set_coder(name)
        try:
            yield
        finally:
            self.coder, self.visible = old, seen
            self._mine()

    def reveal(self, everyone: bool = True) -> None:
        """Show every coder's codings in reads (``True``) or only yours again (blind)."""
        self.visible = None if everyone else frozenset({self.coder})

    def scope(self, coders: Coders) -> frozenset[str] | None:
        """A read's coders as a set, ``None`` for all."""
        if isinstance(coders, VisibleCoders):
            return self.visible
        if coders is None:
            return None
        return frozenset(coders)

    def _shown(self, coders: Coders) -> Callable[[dict[str, Any]], bool]:
        """A predicate on documents: is this document's coder in the read's scope?"""
        scope = self.scope(coders)
        if scope is None:
            return lambda d: True
        legacy = self.legacy_coder
        return lambda d: (d.get("coder") or legacy) in scope

    def coders(self) -> list[str]:
        """Every coder with a document in the database (the current one too), by name."""
        names = {self.coder}
        for aid_coders in self._arts.values():
            names.update(aid_coders)
        for d in self._raw("highlights").values():
            names.add(self.coder_of(d))
        return sorted(names)

    def tables_snapshot(self) -> Mapping[str, Mapping[str, Mapping[str, Any]]]:
        """The tables as they are in memory, read only (table → document id → document),
        articles and passages limited to the visible coders: analysis queries build rows
        only for what they keep, not an object per article and passage first."""
        tables = self.storage.read()
        seen = self.visible
        if seen is None:
            return tables
        out: dict[str, Mapping[str, Mapping[str, Any]]] = dict(tables)
        for name in ("articles", "highlights"):
            out[name] = {k: d for k, d in tables.get(name, {}).items() if self.coder_of(d) in seen}
        return out

    # -- low-level writes (every change of the database goes through ``_write``)

    def _raw(self, table: str) -> dict[str, Any]:
        return self.storage.read().get(table, {})

    def _new_id(self, table: str) -> int:
        n = self._next_ids.get(table) or max((int(k) for k in self._raw(table)), default=0) + 1
        self._next_ids[table] = n + 1
        return n

    def _write(self, table: str, key: str, doc: dict[str, Any] | None) -> None:
        """Set (or, with None, delete) one document: in memory, in the indexes, and durably —
        at once, or at the end of the enclosing batch."""
        if self.readonly:
            raise ReadOnlyDatabase(self._readonly_message())
        raw = self.storage.read().setdefault(table, {})
        before = raw.get(key)
        after = copy_doc(doc)
        if after is None:
            raw.pop(key, None)
        else:
            raw[key] = after
        self._index(table, key, before, after)
        if self._pending is not None:
            self._saved.setdefault((table, key), before)
            self._pending.setdefault(table, {})[key] = after
            return
        try:
            self.storage.commit(table, {key: after})
        except BaseException:
            if before is None:
                raw.pop(key, None)
            else:
                raw[key] = before
            self._index(table, key, after, before)
            raise
        self.db.table(table).clear_cache()

    def _index(self, table: str, key: str, before: Any, after: Any) -> None:
        i = int(key)
        if table == "articles":
            if before is not None:
                aid, who = before["article_id"], self.coder_of(before)
                if self._arts.get(aid, {}).get(who) == i:
                    del self._arts[aid][who]
                    if not self._arts[aid]:
                        del self._arts[aid]
                    if who == self.coder:
                        self._art_ids.pop(aid, None)
            if after is not None:
                aid, who = after["article_id"], self.coder_of(after)
                self._arts.setdefault(aid, {})[who] = i
                if who == self.coder:
                    self._art_ids[aid] = i
        elif table == "highlights":
            if before is not None:
                self._hl_ids.pop(before["id"], None)
                self._hl_by_article.get(before["article_id"], set()).discard(before["id"])
            if after is not None:
                self._hl_ids[after["id"]] = i
                self._hl_by_article.setdefault(after["article_id"], set()).add(after["id"])
        elif table == "tags":
            if before is not None and self._tag_ids.get(before["name"]) == i:
                del self._tag_ids[before["name"]]
            if after is not None:
                self._tag_ids[after["name"]] = i
            # codebook order is creation order (document id), whatever was renamed or restored
            self._tag_ids = dict(sorted(self._tag_ids.items(), key=lambda kv: kv[1]))

    def _put(self, table: str, doc_id: int | None, doc: dict[str, Any]) -> int:
        """Write one document and record it for undo — unless nothing but its ``updated``
        time would change: a tag the article has, a note as it was, are no step to undo."""
        if doc_id is None:
            doc_id = self._new_id(table)
        key = str(doc_id)
        old = self._raw(table).get(key)
        if old is not None and _same_but_time(old, doc):
            return doc_id
        before = copy_doc(old)
        self._write(table, key, doc)
        self.history.record(table, key, before, copy_doc(doc))
        return doc_id

    def _delete(self, table: str, doc_id: int) -> None:
        key = str(doc_id)
        before = copy_doc(self._raw(table).get(key))
        self._write(table, key, None)
        self.history.record(table, key, before, None)

    # -- undo steps and batches

    def _readonly_message(self) -> str:
        why = self.storage.readonly_reason or "another piyue holds it"
        return f"{self.path} is open read-only ({why})"

    def _begin(self, label: str) -> None:
        if self.readonly:
            raise StoreError(self._readonly_message())
        self.history.begin(label)

    def _end(self) -> None:
        self.history.end()

    @contextmanager
    def batch(self, label: str) -> Iterator[None]:
        """Group every change made inside into one undo step, written to disk together when
        the block ends (one journal sync, not one per change).  If the block raises, nothing
        of it is kept.  Batches nest: an inner batch joins the outer one."""
        self._begin(label)
        if self._pending is not None:
            try:
                yield
            finally:
                self._end()
            return
        self._pending, self._saved = {}, {}
        try:
            yield
            self._flush()
        except BaseException:
            self._rollback()
            self.history.abort()
            raise
        finally:
            self._pending, self._saved = None, {}
        self._end()

    def _flush(self) -> None:
        """The whole batch to the journal in one append: all of it durable or none of it
        (then the caller rolls memory back)."""
        pending = self._pending or {}
        self._pending = None
        self.storage.commit_tables(pending)
        for table in pending:
            self.db.table(table).clear_cache()

    def _rollback(self) -> None:
        for (table, key), before in self._saved.items():
            raw = self.storage.read().setdefault(table, {})
            if before is None:
                raw.pop(key, None)
            else:
                raw[key] = before
            self.db.table(table).clear_cache()
        self._reindex()

    def _apply_states(self, states: list[State]) -> None:
        """Set the documents of an undo or redo: in memory and on disk together, or neither."""
        by_table: dict[str, dict[str, Any]] = {}
        for table, doc_id, doc in states:
            by_table.setdefault(table, {})[doc_id] = copy_doc(doc)  # the last state wins
        try:
            self.storage.apply(by_table)
        finally:
            for table in by_table:
                self.db.table(table).clear_cache()
            self._reindex()

    @property
    def _undo(self) -> list[Change]:
        """The undo stack under its pre-package name: ``workspace.analysis.one_step`` falls
        back to it for stores without ``batch``.  Remove once that fallback is gone."""
        return self.history.undo

    def undo(self) -> str | None:
        """Undo the last annotation change; returns its label (None when nothing to undo)."""
        if not self.history.undo or self.readonly or self.history.current is not None:
            return None
        ch = self.history.undo[-1]
        self._apply_states(list(reversed(ch.before)))
        self.history.redo.append(self.history.undo.pop())
        return ch.label

    def redo(self) -> str | None:
        if not self.history.redo or self.readonly or self.history.current is not None:
            return None
        ch = self.history.redo[-1]
        self._apply_states(ch.after)
        self.history.undo.append(self.history.redo.pop())
        return ch.label

    # -- helpers shared by the feature mixins

    def _article_doc(self, article: Article) -> tuple[int | None, dict[str, Any]]:
        doc_id = self._art_ids.get(article.id)
        if doc_id is not None:
            doc = copy_doc(self._raw("articles")[str(doc_id)])
        else:
            now = time.time()
            doc = {
                "article_id": article.id,
                "coder": self.coder,
                "issue_id": article.issue_id,
                "tags": [],
                "note": "",
                "read": False,
                "starred": False,
                "created": now,
                "updated": now,
                "orphan": False,
            }
        doc.update(fingerprint(article))
        doc["issue_id"] = article.issue_id
        return doc_id, doc

    def code_name(self, tag: str) -> str:
        """A code name to write: one this database already has (defined or used) as it is —
        a code named before ``new_tag_name``'s rule still loads, codes and renames — else a
        valid new name (``new_tag_name``)."""
        try:
            return new_tag_name(tag)
        except AnnotationError:
            t = " ".join(str(tag).split())
            if t in self._tag_ids or any(
                t in d.get("tags", ())
                for table in ("articles", "highlights")
                for d in self._raw(table).values()
            ):
                return t
            raise

    def ensure_tag(
        self, name: str, colour: str = "", description: str = "", parent: str = ""
    ) -> TagDef:
        name = clean_tag(name)
        if name in self._tag_ids:
            return self.tag(name)
        colour = colour or self.fresh_colour()
        doc = {"name": name, "colour": colour, "description": description, "parent": parent}
        self._put("tags", None, doc)  # part of the step that first used it: undo removes it
        return self.tag(name)

    def fresh_colour(self) -> str:
        """A new code's colour: the palette's least used (ties: palette order). Counting
        codes took a colour another code had after a delete or a chosen colour."""
        used = Counter(str(d.get("colour", "")).lower() for d in self._raw("tags").values())
        return min(PALETTE, key=lambda c: used[c.lower()])

    def tag(self, name: str) -> TagDef:
        d = self._raw("tags")[str(self._tag_ids[name])]
        return TagDef(d["name"], d.get("colour", ""), d.get("description", ""), d.get("parent", ""))


def _same_but_time(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """The documents differ at most in when they were last updated."""
    return old.keys() == new.keys() and all(old[k] == new[k] for k in old if k != "updated")
