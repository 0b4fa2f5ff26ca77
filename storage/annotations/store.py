"""``Store``: the annotation database as the user interfaces see it — opening (schema check,
single writer), article tags, notes, read and starred state, the watch list, boundary
corrections, re-attachment and orphans.  Passages and the codebook come from the mixins.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from corpus.model import Article, Corpus
from storage.annotations.codebook import CodebookMixin
from storage.annotations.model import (
    CORRECTION_KINDS,
    PALETTE,
    ArticleNotes,
    Correction,
    clean_note,
    clean_tag,
    notes_from_doc,
)
from storage.annotations.passages import PassagesMixin
from storage.annotations.reattach import plan_reattach
from storage.durable import DurableStorage, open_db
from storage.errors import AnnotationError, NewerSchema

SCHEMA = 1


class Store(PassagesMixin, CodebookMixin):
    """The annotation database.  ``Store.open(path)``; ``readonly`` when another writer holds it."""

    @classmethod
    def open(cls, path: Path, readonly: bool = False, lock_timeout: float = 0.0) -> Store:
        db = open_db(path, readonly=readonly, lock_timeout=lock_timeout)
        try:
            meta = db.table("meta").all()
            version = int(meta[0].get("schema", SCHEMA)) if meta else None
            if version is not None and version > SCHEMA:
                raise NewerSchema(
                    f"{path} was written by a newer piyue (schema {version}, this one reads "
                    f"{SCHEMA}); it was left untouched — upgrade piyue"
                )
            storage: DurableStorage = db.storage  # type: ignore[assignment]
            if not readonly:
                storage.start_session()
                if version is None:
                    db.table("meta").insert({"schema": SCHEMA})
                elif version < SCHEMA:  # pragma: no cover - no older schema exists yet
                    db.table("meta").update({"schema": SCHEMA})
        except BaseException:
            db.close()
            raise
        return cls(db, path)

    @classmethod
    def open_for_ui(cls, path: Path) -> Store:
        """Writer if free, else read-only (the TUI's policy)."""
        from storage.errors import DatabaseLocked

        try:
            return cls.open(path)
        except DatabaseLocked:
            return cls.open(path, readonly=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles

    def _save_article(self, doc_id: int | None, doc: dict[str, Any], label: str) -> None:
        self._begin(label)
        try:
            doc["updated"] = time.time()
            self._put("articles", doc_id, doc)
        finally:
            self._end()

    def add_tags(self, article: Article, tags: Iterable[str]) -> ArticleNotes:
        clean = [clean_tag(t) for t in tags]
        if not clean:
            raise AnnotationError("no tag given")
        doc_id, doc = self._article_doc(article)
        for t in clean:
            if t not in doc["tags"]:
                doc["tags"].append(t)
        label = f"tag {', '.join(clean)}"
        self._begin(label)
        try:
            self._save_article(doc_id, doc, label)
            for t in clean:
                self.ensure_tag(t)
        finally:
            self._end()
        return self.notes(article.id)

    def remove_tags(self, article: Article, tags: Iterable[str]) -> ArticleNotes:
        clean = [clean_tag(t) for t in tags]
        doc_id, doc = self._article_doc(article)
        missing = [t for t in clean if t not in doc["tags"]]
        if missing:
            raise AnnotationError(f"article {article.id} has no tag {', '.join(missing)}")
        doc["tags"] = [t for t in doc["tags"] if t not in clean]
        self._save_article(doc_id, doc, f"untag {', '.join(clean)}")
        return self.notes(article.id)

    def set_note(self, article: Article, note: str) -> ArticleNotes:
        clean_note(note)
        doc_id, doc = self._article_doc(article)
        doc["note"] = note
        self._save_article(doc_id, doc, "note")
        return self.notes(article.id)

    def set_read(self, article: Article, read: bool = True, undoable: bool = True) -> None:
        """Read state; opening an article marks it read without an undo step."""
        doc_id, doc = self._article_doc(article)
        if doc.get("read") == read and doc_id is not None:
            return
        doc["read"] = read
        if undoable:
            self._save_article(doc_id, doc, "read" if read else "unread")
            return
        if self.readonly:
            return
        doc["updated"] = time.time()
        self._put("articles", doc_id, doc)

    def set_starred(self, article: Article, starred: bool = True) -> None:
        doc_id, doc = self._article_doc(article)
        doc["starred"] = starred
        self._save_article(doc_id, doc, "star" if starred else "unstar")

    def notes(self, article_id: str) -> ArticleNotes:
        doc_id = self._art_ids.get(article_id)
        if doc_id is None:
            return ArticleNotes(article_id)
        return notes_from_doc(article_id, self._raw("articles")[str(doc_id)])

    def all_notes(self) -> list[ArticleNotes]:
        return [self.notes(aid) for aid in self._art_ids]

    def annotated_ids(self) -> set[str]:
        """Articles with any tag, note or highlight."""
        ids = {n.article_id for n in self.all_notes() if n.tags or n.note}
        ids |= {h["article_id"] for h in self._raw("highlights").values()}
        return ids

    # -- watch list

    def add_watch(self, term: str, colour: str = "") -> None:
        term = term.strip()
        if not term:
            raise AnnotationError("a watch-list term cannot be empty")
        for _k, d in self._raw("watch").items():
            if d["term"] == term:
                return
        self._begin("watch")
        try:
            self._put(
                "watch",
                None,
                {"term": term, "colour": colour or PALETTE[len(self._raw("watch")) % len(PALETTE)]},
            )
        finally:
            self._end()

    def remove_watch(self, term: str) -> None:
        for k, d in list(self._raw("watch").items()):
            if d["term"] == term:
                self._begin("unwatch")
                try:
                    self._delete("watch", int(k))
                finally:
                    self._end()
                return
        raise AnnotationError(f"{term!r} is not on the watch list")

    def watch_terms(self) -> list[tuple[str, str]]:
        return [(d["term"], d.get("colour", "")) for d in self._raw("watch").values()]

    # -- corrections

    def add_correction(self, issue_id: str, kind: str, line: int) -> None:
        if kind not in CORRECTION_KINDS:
            raise AnnotationError(f"unknown correction {kind!r}")
        self._begin(f"correction {kind}")
        try:
            self._put(
                "corrections",
                None,
                {"issue_id": issue_id, "kind": kind, "line": int(line), "created": time.time()},
            )
        finally:
            self._end()

    def corrections(self, issue_id: str | None = None) -> list[Correction]:
        return [
            Correction(d["issue_id"], d["kind"], int(d["line"]))
            for d in self._raw("corrections").values()
            if issue_id is None or d["issue_id"] == issue_id
        ]

    # -- re-attaching after a re-parse

    def reattach(self, corpus: Corpus) -> int:
        """Move annotations of vanished article ids to their new articles; returns orphans."""
        if self.readonly:
            return len(self.orphans())
        for table, key, doc in plan_reattach(
            self._raw("articles"), self._raw("highlights"), corpus
        ):
            self._write(table, key, doc)  # not an undo step: the corpus changed, not the user
        self._reindex()
        return len(self.orphans())

    def orphans(self) -> list[dict[str, Any]]:
        """Annotations whose article or passage could not be found again.  An article that
        was only read or starred (no tag, note or passage) is nothing to lose: not listed."""
        out = []
        for d in self._raw("articles").values():
            if d.get("orphan") and (
                d.get("tags") or d.get("note") or self._hl_by_article.get(d["article_id"])
            ):
                out.append({"type": "article", **d})
        for d in self._raw("highlights").values():
            if d.get("orphan"):
                out.append({"type": "highlight", **d})
        return out
