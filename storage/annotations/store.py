"""``Store``: the annotation database as the user interfaces see it — opening (schema check,
single writer), article tags, notes, read and starred state, the watch list, boundary
corrections, re-attachment and orphans.  Passages and the codebook come from the mixins.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from operator import attrgetter
from pathlib import Path
from typing import Any

from corpus.model import Article, Corpus
from storage.annotations import absorbed
from storage.annotations.attribution import AttributionMixin
from storage.annotations.codebook import CodebookMixin
from storage.annotations.coders import VISIBLE, Coders, clean_coder, default_coder
from storage.annotations.history import State
from storage.annotations.model import (
    CORRECTION_KINDS,
    PALETTE,
    REMOVED,
    ArticleNotes,
    Correction,
    clean_note,
    clean_tag,
    copy_doc,
    fingerprint,
    notes_from_doc,
)
from storage.annotations.passages import PassagesMixin
from storage.annotations.reattach import Reanchored, holds_its_text, page_of_id, plan_reattach
from storage.durable import DurableStorage, PiyueDB, open_db
from storage.errors import AnnotationError, NewerSchema, StoreError

SCHEMA = 2
"""1: one coder, documents without ``coder``; 2: every article and passage document names its
coder (old ones belong to ``meta.default_coder``)."""


class Store(AttributionMixin, PassagesMixin, CodebookMixin):
    """The annotation database.  ``Store.open(path)``; ``readonly`` when another writer holds it."""

    @classmethod
    def open(
        cls,
        path: Path,
        readonly: bool = False,
        lock_timeout: float = 0.0,
        coder: str | None = None,
    ) -> Store:
        """``coder``: who codes in this session (default ``PIYUE_CODER`` or the login name)."""
        coder = clean_coder(coder) if coder else default_coder()
        db = open_db(path, readonly=readonly, lock_timeout=lock_timeout)
        try:
            meta = db.table("meta").all()
            version = int(meta[0].get("schema", SCHEMA)) if meta else None
            if version is not None and version > SCHEMA:
                raise NewerSchema(
                    f"{path} was written by a newer piyue (schema {version}, this one reads "
                    f"{SCHEMA}); it was left untouched — upgrade piyue"
                )
            if not readonly:
                cls._start_writing(db, path, coder, version)
        except BaseException:
            db.close()
            raise
        return cls(db, path, coder)

    @classmethod
    def _start_writing(cls, db: PiyueDB, path: Path, coder: str, version: int | None) -> None:
        """The writer's session starts: backups, the journal folded, the schema brought up
        to date (after the caller checked it is not newer)."""
        storage: DurableStorage = db.storage  # type: ignore[assignment]
        storage.start_session()
        if version is None:
            db.table("meta").insert({"schema": SCHEMA, "default_coder": coder})
        elif version < SCHEMA:
            cls._upgrade(storage, path, version)
            # the codings made so far are the default coder's (said once, in meta)
            db.table("meta").update({"schema": SCHEMA, "default_coder": coder})

    def try_write_access(self) -> bool:
        """A store opened read-only because another process was writing becomes the writer
        when that process has ended (the reader retries; see ``DurableStorage``): its data
        read again, what it shows rebuilt.  False while the database is still held, or
        when it cannot be written or is of a newer schema."""
        storage = self.storage
        if not storage.readonly:
            return True
        if not storage.try_write_access():
            return False
        try:
            meta = self.db.table("meta").all()
            version = int(meta[0].get("schema", SCHEMA)) if meta else None
            if version is not None and version > SCHEMA:
                raise NewerSchema(f"{self.path} was written by a newer piyue")
            self._start_writing(self.db, self.path, self.coder, version)
        except (StoreError, OSError):
            storage.readonly = True
            storage._release()
            return False
        for name in self.db.tables():
            self.db.table(name).clear_cache()
        raw_meta = self._raw("meta")
        first: dict[str, Any] = next(iter(raw_meta.values()), {}) if raw_meta else {}
        self.legacy_coder = first.get("default_coder") or self.coder
        self._next_ids.clear()
        self._anchored_here = None
        self._reindex()
        return True

    @staticmethod
    def _upgrade(storage: DurableStorage, path: Path, version: int) -> None:
        """Before a schema upgrade: a copy of the database as it was, kept for good
        (``FILE.schemaN.bak``; the rotating ``.bak.1..3`` would lose it after three
        sessions).  Nothing is changed if the copy cannot be made."""
        from storage.files import durable_copy

        keep = path.with_name(f"{path.name}.schema{version}.bak")
        if path.exists() and not keep.exists():  # start_session folded the journal into it
            durable_copy(path, keep, 0o600, after="the database was not upgraded")

    @classmethod
    def open_for_ui(cls, path: Path, coder: str | None = None, wait: float = 0.0) -> Store:
        """Writer if free (within ``wait`` seconds: a short command may be writing), else
        read-only (the TUI's policy; ``try_write_access`` retries later)."""
        from storage.errors import DatabaseLocked

        try:
            return cls.open(path, coder=coder, lock_timeout=wait)
        except DatabaseLocked:
            return cls.open(path, readonly=True, coder=coder)

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
        clean = [self.code_name(t) for t in tags]
        if not clean:
            raise AnnotationError("no tag given")
        doc_id, doc = self._article_doc(article)
        for t in clean:
            if t not in doc["tags"]:
                doc["tags"].append(t)
        gone = {t: w for t, w in doc.get(REMOVED, {}).items() if t not in clean}
        if gone:
            doc[REMOVED] = gone
        else:
            doc.pop(REMOVED, None)
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
        doc[REMOVED] = {**doc.get(REMOVED, {}), **dict.fromkeys(clean, time.time())}
        self._save_article(doc_id, doc, f"untag {', '.join(clean)}")
        return self.notes(article.id)

    def removed_since(self, article_id: str, when: float, coder: str | None = None) -> set[str]:
        """Tags the coder (the current one by default) removed from the article after
        ``when`` (a Unix time): what an import of codings as they were then must not bring
        back."""
        doc_id = self._arts.get(article_id, {}).get(coder or self.coder)
        if doc_id is None:
            return set()
        gone = self._raw("articles")[str(doc_id)].get(REMOVED, {})
        return {t for t, at in gone.items() if float(at) > when}

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

    def notes(self, article_id: str, coders: Coders = VISIBLE) -> ArticleNotes:
        """The article's tags, note, read state — of the visible coders by default (yours
        while coding blind); several coders' are combined (tags of all, notes joined)."""
        scope = self.scope(coders)
        if scope is not None and scope == {self.coder}:
            doc_id = self._art_ids.get(article_id)
            if doc_id is None:
                return ArticleNotes(article_id, coder=self.coder)
            return notes_from_doc(article_id, self._raw("articles")[str(doc_id)], self.coder)
        return _combined(article_id, list(self.notes_by_coder(article_id, coders).values()))

    def combined_notes(self, coders: Coders = VISIBLE) -> dict[str, ArticleNotes]:
        """Every article's notes as ``notes`` gives them, by article id: one entry per article
        with the visible coders' states combined (``all_notes`` has one per coder)."""
        per: dict[str, list[ArticleNotes]] = {}
        for n in self.all_notes(coders):
            per.setdefault(n.article_id, []).append(n)
        coder = attrgetter("coder")  # in the order ``notes_by_coder`` gives
        return {aid: _combined(aid, sorted(ns, key=coder)) for aid, ns in per.items()}

    def notes_by_coder(self, article_id: str, coders: Coders = None) -> dict[str, ArticleNotes]:
        """Each coder's own state of the article (every coder by default), by coder name."""
        scope = self.scope(coders)
        raw = self._raw("articles")
        return {
            who: notes_from_doc(article_id, raw[str(k)], self.legacy_coder)
            for who, k in sorted(self._arts.get(article_id, {}).items())
            if scope is None or who in scope
        }

    def all_notes(self, coders: Coders = VISIBLE) -> list[ArticleNotes]:
        """One entry per article and coder (``.coder`` says whose) in the scope."""
        scope = self.scope(coders)
        if scope is not None and scope == {self.coder}:
            return [self.notes(aid, coders) for aid in self._art_ids]
        raw, legacy = self._raw("articles"), self.legacy_coder
        return [
            notes_from_doc(aid, raw[str(k)], legacy)
            for aid, m in self._arts.items()
            for who, k in m.items()
            if scope is None or who in scope
        ]

    def annotated_ids(self, coders: Coders = VISIBLE) -> set[str]:
        """Articles with any tag, note or highlight (of the coders in the scope)."""
        shown = self._shown(coders)
        ids = {n.article_id for n in self.all_notes(coders) if n.tags or n.note}
        ids |= {h["article_id"] for h in self._raw("highlights").values() if shown(h)}
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

    def add_correction(self, issue_id: str, kind: str, line: int, page_sha1: str = "") -> None:
        """Record a boundary fix; ``page_sha1`` (of the page file's bytes) lets it follow
        the page when its folder is renamed (``workspace.anchoring``)."""
        if kind not in CORRECTION_KINDS:
            raise AnnotationError(f"unknown correction {kind!r}")
        self._begin(f"correction {kind}")
        doc = {"issue_id": issue_id, "kind": kind, "line": int(line), "created": time.time()}
        try:
            self._put("corrections", None, doc | ({"page_sha1": page_sha1} if page_sha1 else {}))
        finally:
            self._end()

    def correction_docs(self) -> dict[str, dict[str, Any]]:
        """The stored corrections by key (what following their pages works on)."""
        return dict(self._raw("corrections"))

    def update_corrections(self, docs: dict[str, dict[str, Any]]) -> None:
        """Corrections moved to their page's new id, flagged orphans, or given their page's
        fingerprint: the corpus changed, not the user (no undo step); read-only, in memory."""
        for key, doc in docs.items():
            if self.readonly:
                self.storage.read().setdefault("corrections", {})[key] = doc
            else:
                self._write("corrections", key, doc)
        if docs and self.readonly:
            self.db.table("corrections").clear_cache()

    def corrections(self, issue_id: str | None = None) -> list[Correction]:
        return [
            Correction(d["issue_id"], d["kind"], int(d["line"]))
            for d in self._raw("corrections").values()
            if issue_id is None or d["issue_id"] == issue_id
        ]

    # -- re-attaching after a re-parse

    def reattach(
        self, corpus: Corpus, within: set[str] | None = None, undoable: bool = False
    ) -> int:
        """Move annotations of vanished article ids to their new articles; returns orphans
        (``anchor`` says what moved)."""
        self.anchor(corpus, within, undoable)
        return len(self.orphans())

    def anchor(
        self,
        corpus: Corpus,
        within: set[str] | None = None,
        undoable: bool = False,
        new_pages: Collection[str] = (),
        refresh: str = "",
    ) -> Reanchored:
        """Find every annotation again in ``corpus``: passages at their text's offsets,
        articles whose id went at their new id, orphans whose article is back re-attached.

        ``within``: ``corpus`` holds only some pages (one re-parsed page, when the rest is
        not in memory); only annotations of these article and page ids are considered (an
        article id names its page: ``PAGE-hash``).  ``new_pages``: pages a vanished article
        may be found on by its text (``plan_reattach``).  ``undoable``: the moves join the undo
        step being recorded (a boundary correction: undone, both articles come back as
        they were); otherwise the corpus changed, not the user, and nothing is recorded.
        ``refresh``: a page the user corrected — its codings take their articles' new text
        as theirs (a merged article's tags follow the merged text to a renamed folder).
        Read-only, the moves are made in memory only: what this session reads and exports
        agrees with the pages, and the file is left alone."""

        def inside(aid: str) -> bool:
            return within is None or aid in within or page_of_id(aid) in within

        def considered(table: str) -> dict[str, Any]:
            docs = self._raw(table)
            if within is None:
                return docs
            return {
                k: d
                for k, d in docs.items()
                if inside(d["article_id"]) or (table == "articles" and d.get("issue_id") in within)
            }

        articles = considered("articles")
        plan = plan_reattach(
            articles, considered("highlights"), corpus, self.legacy_coder, new_pages
        )
        report = Reanchored()
        self._apply_plan(absorbed.remember(plan, articles, corpus), report, undoable)
        # a merge split again at its boundary: each article's own tags and note back
        back = absorbed.restore(
            considered("articles"), corpus, self.legacy_coder, lambda: str(self._new_id("articles"))
        )
        self._apply_plan(back, report, undoable)
        again = self._refreshed(corpus, refresh) if refresh else []
        self._apply_plan(again, Reanchored(), undoable)
        if plan or back or again:
            self._reindex()
        return report

    def _refreshed(self, corpus: Corpus, page: str) -> list[State]:
        """The article documents of ``page`` whose article's text is no longer the one they
        were fingerprinted with, fingerprinted again — when its opening is still theirs (a
        document left on another item's text is not made to fit it)."""
        out: list[State] = []
        for k, d in self._raw("articles").items():
            art = corpus.article(d["article_id"]) if d.get("issue_id") == page else None
            if art is not None and not d.get("orphan") and holds_its_text(art, d):
                now = fingerprint(art)
                if now["text_hash"] != d.get("text_hash"):
                    out.append(("articles", k, {**d, **now}))
        return out

    def _apply_plan(self, plan: list[State], report: Reanchored, undoable: bool) -> None:
        """Write the updates finding the annotations again planned (see ``anchor``)."""
        for table, key, doc in plan:
            report.count(table, self._raw(table).get(key), doc)
            if self.readonly:
                raw = self.storage.read().setdefault(table, {})
                if doc is None:
                    raw.pop(key, None)
                else:
                    raw[key] = doc
                self.db.table(table).clear_cache()
            elif undoable:
                before = copy_doc(self._raw(table).get(key))
                self._write(table, key, doc)
                self.history.record(table, key, before, copy_doc(doc))
            else:
                self._write(table, key, doc)

    def anchored_stamp(self) -> str:
        """The corpus state (``workspace.anchoring.corpus_stamp``) every annotation was last
        found again in; "" when never (or changed in memory only, read-only)."""
        if self._anchored_here is not None:
            return self._anchored_here
        meta = self._raw("meta")
        first: dict[str, Any] = next(iter(meta.values()), {}) if meta else {}
        return str(first.get("anchored", ""))

    def set_anchored(self, stamp: str) -> None:
        """Remember that the annotations are anchored in the corpus state ``stamp`` (not an
        undo step; read-only: for this session only)."""
        self._anchored_here = stamp
        if self.readonly:
            return
        meta = self._raw("meta")
        if not meta or str(next(iter(meta.values())).get("anchored", "")) == stamp:
            return
        key = next(iter(meta))
        self._write("meta", key, {**meta[key], "anchored": stamp})

    def attached_ids(self) -> set[str]:
        """Article ids that every coder's attached (not orphaned) annotations name: what a
        corpus must still contain for nothing to need re-attaching.  An article that was only
        read or starred is left out (nothing to lose, as ``orphans`` says): its id going
        must not make a reader of 30,000 pages read them all."""
        out = {
            str(d["article_id"]) for d in self._raw("highlights").values() if not d.get("orphan")
        }
        for d in self._raw("articles").values():
            if not d.get("orphan") and (d.get("tags") or d.get("note")):
                out.add(str(d["article_id"]))
        return out

    def coded_ids(self) -> set[str]:
        """Article ids that any coder's tags, notes or passages name, orphans included: what
        finding the annotations again must look for."""
        out = {str(d["article_id"]) for d in self._raw("highlights").values()}
        for d in self._raw("articles").values():
            if d.get("tags") or d.get("note"):
                out.add(str(d["article_id"]))
        return out

    def orphans(self, coders: Coders = None, corrections: bool = False) -> list[dict[str, Any]]:
        """Annotations whose article or passage could not be found again (every coder's by
        default; each names its ``coder``).  An article that was only read or starred (no
        tag, note or passage) is nothing to lose: not listed.  ``corrections``: boundary
        fixes whose page is gone too (``type`` correction; they apply again when it is back,
        nothing to attach by hand)."""
        out = []
        shown = self._shown(coders)
        for d in self._raw("articles").values():
            if not shown(d):
                continue
            d = {k: v for k, v in d.items() if k != absorbed.KEY} | {"coder": self.coder_of(d)}
            if d.get("orphan") and (
                d.get("tags") or d.get("note") or self._hl_by_article.get(d["article_id"])
            ):
                out.append({"type": "article", **d})
        for d in self._raw("highlights").values():
            if d.get("orphan") and shown(d):
                out.append({"type": "highlight", **d, "coder": self.coder_of(d)})
        for d in self._raw("corrections").values() if corrections else ():  # page gone
            if d.get("orphan"):
                title = f"{d['kind']} @ {d['line']}"
                out.append({"type": "correction", **d, "article_id": d["issue_id"], "title": title})
        return out

    def anchor_again(self, updates: Iterable[tuple[str, str, dict[str, Any] | None]]) -> None:
        """Read-only: make in memory the document updates an earlier read-only session's
        ``anchor`` made for exactly these documents and pages (``workspace.anchoring``
        keeps them), instead of finding every coding again."""
        if not self.readonly:
            raise StoreError("anchor_again is for a read-only session (a writer anchors)")
        tables: set[str] = set()
        for table, key, doc in updates:
            raw = self.storage.read().setdefault(table, {})
            if doc is None:
                raw.pop(key, None)
            else:
                raw[key] = doc
            tables.add(table)
        for table in tables:
            self.db.table(table).clear_cache()
        if tables:
            self._reindex()


def _combined(article_id: str, ns: list[ArticleNotes]) -> ArticleNotes:
    """Several coders' states of one article as one: tags of all, notes joined."""
    if len(ns) == 1:
        return ns[0]
    if not ns:
        return ArticleNotes(article_id)
    return ArticleNotes(
        article_id,
        ns[0].issue_id,
        ns[0].title,
        tuple(dict.fromkeys(t for n in ns for t in n.tags)),
        "\n\n".join(dict.fromkeys(n.note for n in ns if n.note)),
        any(n.read for n in ns),
        any(n.starred for n in ns),
        all(n.orphan for n in ns),
        max(n.updated for n in ns),
    )
