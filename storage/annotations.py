"""The annotation store: tags, notes, read state, passage highlights, codebook, watch list,
boundary corrections — one TinyDB file behind a small API with domain dataclasses.

Tables (documented in the README):

``articles``     one document per annotated article: ``article_id``, ``issue_id``,
                 fingerprint (``title``, ``head``, ``text_hash``), ``tags``, ``note``, ``read``,
                 ``starred``, ``created``, ``updated``, ``orphan``
``highlights``   coded passages: ``id``, ``article_id``, ``start``/``end`` (offsets into the
                 article text), ``quote`` with ``prefix``/``suffix`` context, ``tags``, ``note``
``tags``         the codebook: ``name``, ``colour``, ``description``, ``parent``
``watch``        watch-list terms: ``term``, ``colour``
``corrections``  boundary fixes the parser applies on load: ``issue_id``, ``kind``, ``line``
``meta``         ``schema`` version

Every mutation is durable when the method returns (see ``durable.py``) and is recorded for
undo/redo.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.model import Article, Corpus
from storage.durable import DurableStorage, PiyueDB, open_db
from storage.errors import AnnotationError, NewerSchema, StoreError

SCHEMA = 1
MAX_NOTE = 1_000_000
MAX_TAG = 80
CONTEXT = 32
PALETTE = ["#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#d19a66", "#be5046"]
CORRECTION_KINDS = ("merge_next", "split", "caption", "furniture")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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


def fingerprint(article: Article) -> dict[str, str]:
    text = article.text
    return {
        "title": article.title,
        "head": text[:40],
        "text_hash": hashlib.sha1(text.encode("utf-8")).hexdigest()[:16],
    }


# ----------------------------------------------------------------- tag expressions


_EXPR_TOKEN = re.compile(r'\s*(\(|\)|"[^"]*"|[^\s()"]+)')


def parse_expression(expr: str) -> Any:
    """``A and not B``, ``A or (B and C)``; bare juxtaposition means ``and``."""
    tokens = [m.group(1) for m in _EXPR_TOKEN.finditer(expr) if m.group(1).strip()]
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise AnnotationError(f"incomplete tag expression: {expr!r}")
        pos += 1
        return tokens[pos - 1]

    def p_or() -> Any:
        node = p_and()
        while (peek() or "").lower() == "or":
            take()
            node = ("or", node, p_and())
        return node

    def p_and() -> Any:
        node = p_not()
        while peek() is not None and peek() != ")" and (peek() or "").lower() != "or":
            if (peek() or "").lower() == "and":
                take()
            node = ("and", node, p_not())
        return node

    def p_not() -> Any:
        if (peek() or "").lower() == "not":
            take()
            return ("not", p_not())
        tok = take()
        if tok == "(":
            node = p_or()
            if take() != ")":
                raise AnnotationError(f"missing ')' in {expr!r}")
            return node
        if tok == ")" or tok.lower() in ("and", "or"):
            raise AnnotationError(f"unexpected {tok!r} in {expr!r}")
        return ("tag", " ".join(tok.strip('"').split()))

    if not tokens:
        raise AnnotationError("empty tag expression")
    tree = p_or()
    if pos != len(tokens):
        raise AnnotationError(f"unexpected {tokens[pos]!r} in {expr!r}")
    return tree


def evaluate(tree: Any, tags: set[str]) -> bool:
    op = tree[0]
    if op == "tag":
        return tree[1] in tags
    if op == "not":
        return not evaluate(tree[1], tags)
    if op == "and":
        return evaluate(tree[1], tags) and evaluate(tree[2], tags)
    return evaluate(tree[1], tags) or evaluate(tree[2], tags)


# ----------------------------------------------------------------- the store


@dataclass
class _Change:
    """One undoable step: the before/after of the documents it touched."""

    label: str
    before: list[tuple[str, str, dict[str, Any] | None]] = field(default_factory=list)
    after: list[tuple[str, str, dict[str, Any] | None]] = field(default_factory=list)


class Store:
    """The annotation database.  ``Store.open(path)``; ``readonly`` when another writer holds it."""

    def __init__(self, db: PiyueDB, path: Path) -> None:
        self.db = db
        self.path = path
        self.storage: DurableStorage = db.storage  # type: ignore[assignment]
        self._art_ids: dict[str, int] = {}
        self._hl_ids: dict[str, int] = {}
        self._tag_ids: dict[str, int] = {}
        self._undo: list[_Change] = []
        self._redo: list[_Change] = []
        self._current: _Change | None = None
        self._reindex()

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

    @property
    def readonly(self) -> bool:
        return self.storage.readonly

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _reindex(self) -> None:
        raw = self.storage.read()
        self._art_ids = {d["article_id"]: int(k) for k, d in raw.get("articles", {}).items()}
        self._hl_ids = {d["id"]: int(k) for k, d in raw.get("highlights", {}).items()}
        self._tag_ids = {d["name"]: int(k) for k, d in raw.get("tags", {}).items()}

    # -- low-level, undo-recorded writes

    def _raw(self, table: str) -> dict[str, Any]:
        return self.storage.read().get(table, {})

    def _put(self, table: str, doc_id: int | None, doc: dict[str, Any]) -> int:
        before = _copy(self._raw(table).get(str(doc_id))) if doc_id is not None else None
        t = self.db.table(table)
        if doc_id is None:
            doc_id = t.insert(doc)
        else:
            t.upsert(_doc(doc, doc_id))
        self._record(table, str(doc_id), before, _copy(doc))
        return doc_id

    def _delete(self, table: str, doc_id: int) -> None:
        before = _copy(self._raw(table).get(str(doc_id)))
        self.db.table(table).remove(doc_ids=[doc_id])
        self._record(table, str(doc_id), before, None)

    def _record(self, table: str, doc_id: str, before: Any, after: Any) -> None:
        if self._current is not None:
            self._current.before.append((table, doc_id, before))
            self._current.after.append((table, doc_id, after))

    def _begin(self, label: str) -> None:
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only (another piyue holds it)")
        self._current = _Change(label)

    def _end(self) -> None:
        if self._current and self._current.after:
            self._undo.append(self._current)
            self._undo[:] = self._undo[-200:]
            self._redo.clear()
        self._current = None

    def _apply_states(self, states: list[tuple[str, str, dict[str, Any] | None]]) -> None:
        by_table: dict[str, dict[str, Any]] = {}
        for table, doc_id, doc in states:
            raw = self.storage.read().setdefault(table, {})
            if doc is None:
                raw.pop(doc_id, None)
            else:
                raw[doc_id] = _copy(doc)
            by_table.setdefault(table, {})[doc_id] = _copy(doc)
        for table, changed in by_table.items():
            self.storage.commit(table, changed)
            self.db.table(table).clear_cache()
        self._reindex()

    def undo(self) -> str | None:
        """Undo the last annotation change; returns its label (None when nothing to undo)."""
        if not self._undo or self.readonly:
            return None
        ch = self._undo.pop()
        self._apply_states(list(reversed(ch.before)))
        self._redo.append(ch)
        return ch.label

    def redo(self) -> str | None:
        if not self._redo or self.readonly:
            return None
        ch = self._redo.pop()
        self._apply_states(ch.after)
        self._undo.append(ch)
        return ch.label

    # -- articles

    def _article_doc(self, article: Article) -> tuple[int | None, dict[str, Any]]:
        doc_id = self._art_ids.get(article.id)
        if doc_id is not None:
            doc = _copy(self._raw("articles")[str(doc_id)])
        else:
            now = time.time()
            doc = {
                "article_id": article.id,
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

    def _save_article(self, doc_id: int | None, doc: dict[str, Any], label: str) -> None:
        self._begin(label)
        try:
            doc["updated"] = time.time()
            new_id = self._put("articles", doc_id, doc)
            self._art_ids[doc["article_id"]] = new_id
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
        self._save_article(doc_id, doc, f"tag {', '.join(clean)}")
        for t in clean:
            self.ensure_tag(t)
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
        if len(note) > MAX_NOTE:
            raise AnnotationError(f"a note is at most {MAX_NOTE:,} characters")
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
        self._art_ids[article.id] = self._put("articles", doc_id, doc)

    def set_starred(self, article: Article, starred: bool = True) -> None:
        doc_id, doc = self._article_doc(article)
        doc["starred"] = starred
        self._save_article(doc_id, doc, "star" if starred else "unstar")

    def notes(self, article_id: str) -> ArticleNotes:
        doc_id = self._art_ids.get(article_id)
        if doc_id is None:
            return ArticleNotes(article_id)
        d = self._raw("articles")[str(doc_id)]
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
        )

    def all_notes(self) -> list[ArticleNotes]:
        return [self.notes(aid) for aid in self._art_ids]

    def annotated_ids(self) -> set[str]:
        """Articles with any tag, note or highlight."""
        ids = {n.article_id for n in self.all_notes() if n.tags or n.note}
        ids |= {h["article_id"] for h in self._raw("highlights").values()}
        return ids

    # -- highlights

    def add_highlight(
        self, article: Article, start: int, end: int, tags: Sequence[str] = (), note: str = ""
    ) -> Highlight:
        text = article.text
        if not (0 <= start < end <= len(text)):
            raise AnnotationError(f"passage {start}-{end} is outside the article (0-{len(text)})")
        if len(note) > MAX_NOTE:
            raise AnnotationError(f"a note is at most {MAX_NOTE:,} characters")
        clean = [clean_tag(t) for t in tags]
        doc = {
            "id": uuid.uuid4().hex[:12],
            "article_id": article.id,
            "start": start,
            "end": end,
            "quote": text[start:end],
            "prefix": text[max(0, start - CONTEXT) : start],
            "suffix": text[end : end + CONTEXT],
            "tags": clean,
            "note": note,
            "created": time.time(),
            "orphan": False,
        }
        self._begin("highlight")
        try:
            new_id = self._put("highlights", None, doc)
            self._hl_ids[str(doc["id"])] = new_id
            # the article gets a fingerprint too, so the passage can be re-attached
            a_id, a_doc = self._article_doc(article)
            if a_id is None:
                self._art_ids[article.id] = self._put("articles", None, a_doc)
        finally:
            self._end()
        for t in clean:
            self.ensure_tag(t)
        return _highlight(doc)

    def highlight_quote(
        self, article: Article, quote: str, tags: Sequence[str] = (), note: str = ""
    ) -> Highlight:
        """Code the first occurrence of ``quote`` in the article."""
        if not quote.strip():
            raise AnnotationError("the quote is empty")
        start = article.text.find(quote)
        if start < 0:
            raise AnnotationError(f"{quote!r} does not occur in article {article.id}")
        return self.add_highlight(article, start, start + len(quote), tags, note)

    def edit_highlight(
        self, hid: str, tags: Sequence[str] | None = None, note: str | None = None
    ) -> Highlight:
        doc_id = self._hl_ids.get(hid)
        if doc_id is None:
            raise AnnotationError(f"no highlight {hid!r}")
        doc = _copy(self._raw("highlights")[str(doc_id)])
        if tags is not None:
            doc["tags"] = [clean_tag(t) for t in tags]
        if note is not None:
            if len(note) > MAX_NOTE:
                raise AnnotationError(f"a note is at most {MAX_NOTE:,} characters")
            doc["note"] = note
        self._begin("edit highlight")
        try:
            self._put("highlights", doc_id, doc)
        finally:
            self._end()
        for t in doc["tags"]:
            self.ensure_tag(t)
        return _highlight(doc)

    def delete_highlight(self, hid: str) -> None:
        doc_id = self._hl_ids.get(hid)
        if doc_id is None:
            raise AnnotationError(f"no highlight {hid!r}")
        self._begin("delete highlight")
        try:
            self._delete("highlights", doc_id)
            del self._hl_ids[hid]
        finally:
            self._end()

    def highlights(self, article_id: str | None = None) -> list[Highlight]:
        docs = self._raw("highlights").values()
        out = [_highlight(d) for d in docs if article_id is None or d["article_id"] == article_id]
        return sorted(out, key=lambda h: (h.article_id, h.start, h.end))

    # -- codebook

    def ensure_tag(
        self, name: str, colour: str = "", description: str = "", parent: str = ""
    ) -> TagDef:
        name = clean_tag(name)
        if name in self._tag_ids:
            return self.tag(name)
        colour = colour or PALETTE[len(self._tag_ids) % len(PALETTE)]
        doc = {"name": name, "colour": colour, "description": description, "parent": parent}
        prev, self._current = self._current, None  # codebook entries are not undo steps
        try:
            self._tag_ids[name] = self._put("tags", None, doc)
        finally:
            self._current = prev
        return self.tag(name)

    def define_tag(
        self, name: str, colour: str = "", description: str = "", parent: str = ""
    ) -> TagDef:
        name = clean_tag(name)
        if colour and not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
            raise AnnotationError(f"colour must look like #RRGGBB, not {colour!r}")
        doc_id = self._tag_ids.get(name)
        old = self._raw("tags").get(str(doc_id), {}) if doc_id is not None else {}
        doc = {
            "name": name,
            "colour": colour or old.get("colour") or PALETTE[len(self._tag_ids) % len(PALETTE)],
            "description": description or old.get("description", ""),
            "parent": parent or old.get("parent", ""),
        }
        self._begin("define tag")
        try:
            self._tag_ids[name] = self._put("tags", doc_id, doc)
        finally:
            self._end()
        return self.tag(name)

    def tag(self, name: str) -> TagDef:
        d = self._raw("tags")[str(self._tag_ids[name])]
        return TagDef(d["name"], d.get("colour", ""), d.get("description", ""), d.get("parent", ""))

    def tag_defs(self) -> list[TagDef]:
        return [self.tag(n) for n in self._tag_ids]

    def tag_counts(self) -> Counter[str]:
        """How many articles and passages carry each tag."""
        c: Counter[str] = Counter()
        for d in self._raw("articles").values():
            c.update(d.get("tags", ()))
        for d in self._raw("highlights").values():
            c.update(d.get("tags", ()))
        return c

    def recent_tags(self, n: int = 9) -> list[str]:
        """Quick tags: most used first, then most recently defined."""
        counts = self.tag_counts()
        names = sorted(self._tag_ids, key=lambda t: (-counts.get(t, 0), -self._tag_ids[t]))
        return names[:n]

    def select(self, expr: str) -> set[str]:
        """Article ids whose tags (own or on their passages) satisfy a tag expression."""
        tree = parse_expression(expr)
        return {aid for aid, tags in self.tags_by_article().items() if evaluate(tree, tags)}

    def tags_by_article(self) -> dict[str, set[str]]:
        """Every annotated article's tags, its own and its passages', in one pass over the
        tables (filters and exports over 20,000 articles must not scan per article)."""
        tags_of: dict[str, set[str]] = {}
        for d in self._raw("articles").values():
            tags_of.setdefault(d["article_id"], set()).update(d.get("tags", ()))
        for d in self._raw("highlights").values():
            tags_of.setdefault(d["article_id"], set()).update(d.get("tags", ()))
        return tags_of

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
        by_issue: dict[str, list[Article]] = {}
        for issue in corpus.issues:
            by_issue[issue.id] = list(issue.articles)
        known = {a.id for a in corpus.articles}
        moved: dict[str, str] = {}
        for k, d in list(self._raw("articles").items()):
            aid = d["article_id"]
            if aid in known:
                if d.get("orphan"):
                    self._direct("articles", k, {**d, "orphan": False})
                continue
            target = _find_article(by_issue.get(d.get("issue_id", ""), []), d) or _find_article(
                corpus.articles, d, same_text_only=True
            )
            if target is None or target.id in self._art_ids:
                if not d.get("orphan"):
                    self._direct("articles", k, {**d, "orphan": True})
                continue
            moved[aid] = target.id
            self._direct(
                "articles",
                k,
                {**d, "article_id": target.id, "issue_id": target.issue_id, "orphan": False},
            )
        for k, d in list(self._raw("highlights").items()):
            aid = moved.get(d["article_id"], d["article_id"])
            art = corpus.article(aid)
            new = _reanchor(art, d) if art is not None else None
            if new is None:
                if not d.get("orphan"):
                    self._direct("highlights", k, {**d, "orphan": True})
            elif new != (d["start"], d["end"]) or aid != d["article_id"] or d.get("orphan"):
                self._direct(
                    "highlights",
                    k,
                    {**d, "article_id": aid, "start": new[0], "end": new[1], "orphan": False},
                )
        self._reindex()
        return len(self.orphans())

    def _direct(self, table: str, doc_id: str, doc: dict[str, Any]) -> None:
        self.storage.read().setdefault(table, {})[doc_id] = doc
        self.storage.commit(table, {doc_id: doc})
        self.db.table(table).clear_cache()

    def orphans(self) -> list[dict[str, Any]]:
        out = []
        for d in self._raw("articles").values():
            if d.get("orphan"):
                out.append({"type": "article", **d})
        for d in self._raw("highlights").values():
            if d.get("orphan"):
                out.append({"type": "highlight", **d})
        return out


def _find_article(
    candidates: Iterable[Article], d: dict[str, Any], same_text_only: bool = False
) -> Article | None:
    cands = list(candidates)
    for a in cands:
        if fingerprint(a)["text_hash"] == d.get("text_hash"):
            return a
    if same_text_only:
        return None
    title = "".join(str(d.get("title", "")).split())
    for a in cands:
        if title and "".join(a.title.split()) == title:
            return a
    for a in cands:
        if d.get("head") and a.text.startswith(d["head"]):
            return a
    # OCR re-runs change a character here and there: a close title still identifies it.
    best, score = None, 0.0
    for a in cands:
        other = "".join(a.title.split())
        if title and other:
            j = len(set(title) & set(other)) / len(set(title) | set(other))
            if j > score:
                best, score = a, j
    return best if score >= 0.75 else None


def _reanchor(article: Article, d: dict[str, Any]) -> tuple[int, int] | None:
    """Find a passage again: same offsets, else quote with context, else the quote alone."""
    text = article.text
    quote = d["quote"]
    s, e = int(d["start"]), int(d["end"])
    if text[s:e] == quote:
        return s, e
    ctx = d.get("prefix", "") + quote + d.get("suffix", "")
    i = text.find(ctx)
    if i >= 0:
        s = i + len(d.get("prefix", ""))
        return s, s + len(quote)
    if text.count(quote) >= 1:
        # nearest occurrence to the old place
        best = min(
            (m.start() for m in re.finditer(re.escape(quote), text)),
            key=lambda x: abs(x - int(d["start"])),
        )
        return best, best + len(quote)
    return None


def _copy(doc: Any) -> Any:
    if doc is None:
        return None
    import copy

    return copy.deepcopy(dict(doc))


def _doc(doc: dict[str, Any], doc_id: int) -> Any:
    from tinydb.table import Document

    return Document(doc, doc_id=doc_id)


def _highlight(d: dict[str, Any]) -> Highlight:
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
    )
