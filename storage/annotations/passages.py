"""Coded passages (highlights) as first-class objects: one passage per span (coding the same
span again adds to it), found by offset, edited, resized, removed — each change one undo step.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from corpus.model import Article
from storage.annotations.base import StoreBase
from storage.annotations.coders import VISIBLE, Coders
from storage.annotations.model import (
    CONTEXT,
    Highlight,
    clean_note,
    copy_doc,
    highlight_from_doc,
    passage_is_empty,
)
from storage.errors import AnnotationError


def passage_span(text: str, start: int, end: int) -> dict[str, Any]:
    """Quote and context of ``text[start:end]`` (what re-attachment looks for)."""
    if not (0 <= start < end <= len(text)):
        raise AnnotationError(f"passage {start}-{end} is outside the article (0-{len(text)})")
    return {
        "start": start,
        "end": end,
        "quote": text[start:end],
        "prefix": text[max(0, start - CONTEXT) : start],
        "suffix": text[end : end + CONTEXT],
    }


def _joined_note(old: str, new: str) -> str:
    """A second note on the same passage is kept after the first (a blank line between, as
    exports join notes), never over it."""
    if not new or new == old:
        return old
    return f"{old}\n\n{new}" if old else new


class PassagesMixin(StoreBase):
    def _hl_doc(self, hid: str) -> tuple[int, dict[str, Any]]:
        """A passage to change: only the current coder's own (another coder's opinion is
        theirs; adjudication writes a third coder's)."""
        doc_id = self._hl_ids.get(hid)
        if doc_id is None:
            raise AnnotationError(f"no highlight {hid!r}")
        doc = copy_doc(self._raw("highlights")[str(doc_id)])
        who = self.coder_of(doc)
        if who != self.coder:
            raise AnnotationError(f"passage {hid} is {who}'s; {self.coder} cannot change it")
        return doc_id, doc

    def _hl_docs(self, article_id: str) -> list[tuple[int, dict[str, Any]]]:
        raw = self._raw("highlights")
        ids = sorted(self._hl_ids[h] for h in self._hl_by_article.get(article_id, ()))
        return [(i, raw[str(i)]) for i in ids]

    def _same_span(self, article_id: str, start: int, end: int, but: str = "") -> int | None:
        """The current coder's passage on exactly this span."""
        for i, d in self._hl_docs(article_id):
            if (
                d["start"] == start
                and d["end"] == end
                and not d.get("orphan")
                and d["id"] != but
                and self.coder_of(d) == self.coder
            ):
                return i
        return None

    def _passage_changed(self, article_id: str) -> None:
        """The coder's article record says its codings changed now — passages are codings:
        an export carries the time, and an import tells a newer export by it.  Part of the
        step being recorded (undone with it)."""
        doc_id = self._art_ids.get(article_id)
        if doc_id is None:
            return
        key = str(doc_id)
        before = copy_doc(self._raw("articles")[key])
        after = {**before, "updated": max(time.time(), float(before.get("updated", 0)))}
        self._write("articles", key, after)
        self.history.record("articles", key, before, copy_doc(after))

    def _save_passage(self, doc_id: int, doc: dict[str, Any], label: str) -> Highlight | None:
        """Write an edited passage (or remove it when it no longer codes anything)."""
        self._begin(label)
        try:
            self._passage_changed(str(doc["article_id"]))
            if passage_is_empty(doc):
                self._delete("highlights", doc_id)
                return None
            self._put("highlights", doc_id, doc)
            for t in doc["tags"]:
                self.ensure_tag(t)
        finally:
            self._end()
        return highlight_from_doc(doc, self.legacy_coder)

    def add_highlight(
        self, article: Article, start: int, end: int, tags: Sequence[str] = (), note: str = ""
    ) -> Highlight:
        """Code a span.  If the article already has a passage on exactly this span, the codes
        and note are added to it (and it is returned) instead of a duplicate being made."""
        span = passage_span(article.text, start, end)
        clean_note(note)
        clean = list(dict.fromkeys(self.code_name(t) for t in tags))
        same = self._same_span(article.id, start, end)
        if same is not None:
            doc = copy_doc(self._raw("highlights")[str(same)])
            old = (list(doc["tags"]), doc.get("note", ""))
            doc["tags"] = list(dict.fromkeys([*doc["tags"], *clean]))
            doc["note"] = _joined_note(doc.get("note", ""), note)
            if (doc["tags"], doc["note"]) == old:
                return highlight_from_doc(doc, self.legacy_coder)
            saved = self._save_passage(same, doc, "highlight")
            assert saved is not None
            return saved
        doc = {
            "id": uuid.uuid4().hex[:12],
            "article_id": article.id,
            "coder": self.coder,
            **span,
            "tags": clean,
            "note": note,
            "created": time.time(),
            "orphan": False,
        }
        self._begin("highlight")
        try:
            self._put("highlights", None, doc)
            # the article gets a fingerprint too, so the passage can be re-attached
            a_id, a_doc = self._article_doc(article)
            if a_id is None:
                self._put("articles", None, a_doc)
            else:
                self._passage_changed(article.id)
            for t in clean:
                self.ensure_tag(t)
        finally:
            self._end()
        return highlight_from_doc(doc, self.legacy_coder)

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
        doc_id, doc = self._hl_doc(hid)
        if tags is not None:
            doc["tags"] = [self.code_name(t) for t in tags]
        if note is not None:
            doc["note"] = clean_note(note)
        self._begin("edit highlight")
        try:
            self._passage_changed(str(doc["article_id"]))
            self._put("highlights", doc_id, doc)
            for t in doc["tags"]:
                self.ensure_tag(t)
        finally:
            self._end()
        return highlight_from_doc(doc, self.legacy_coder)

    def add_highlight_tags(self, hid: str, tags: Iterable[str]) -> Highlight:
        """Add codes to a passage (``t`` with the caret inside it)."""
        doc_id, doc = self._hl_doc(hid)
        clean = [self.code_name(t) for t in tags]
        if not clean:
            raise AnnotationError("no code given")
        new = list(dict.fromkeys([*doc["tags"], *clean]))
        if new == doc["tags"]:
            return highlight_from_doc(doc, self.legacy_coder)
        doc["tags"] = new
        saved = self._save_passage(doc_id, doc, f"code {', '.join(clean)}")
        assert saved is not None
        return saved

    def remove_highlight_tags(self, hid: str, tags: Iterable[str]) -> Highlight | None:
        """Take codes off a passage; a passage left with no code and no note is removed
        (then None is returned)."""
        doc_id, doc = self._hl_doc(hid)
        clean = [self.code_name(t) for t in tags]
        if not clean:
            raise AnnotationError("no code given")
        missing = [t for t in clean if t not in doc["tags"]]
        if missing:
            raise AnnotationError(f"passage {hid} has no code {', '.join(missing)}")
        doc["tags"] = [t for t in doc["tags"] if t not in clean]
        return self._save_passage(doc_id, doc, f"uncode {', '.join(clean)}")

    def set_highlight_note(self, hid: str, text: str) -> Highlight | None:
        """Replace a passage's note; an empty note on a passage with no code removes it."""
        doc_id, doc = self._hl_doc(hid)
        doc["note"] = clean_note(text)
        return self._save_passage(doc_id, doc, "passage note")

    def resize_highlight(self, hid: str, start: int, end: int, article: Article) -> Highlight:
        """Move a passage's boundaries (quote and context follow).  Onto the span of another
        passage of the article, the two become one."""
        doc_id, doc = self._hl_doc(hid)
        if doc["article_id"] != article.id:
            raise AnnotationError(f"passage {hid} belongs to article {doc['article_id']}")
        doc.update(passage_span(article.text, start, end), orphan=False)
        same = self._same_span(article.id, start, end, but=hid)
        self._begin("resize passage")
        try:
            self._passage_changed(article.id)
            if same is None:
                self._put("highlights", doc_id, doc)
            else:
                other = copy_doc(self._raw("highlights")[str(same)])
                other["tags"] = list(dict.fromkeys([*other["tags"], *doc["tags"]]))
                other["note"] = _joined_note(other.get("note", ""), doc.get("note", ""))
                self._put("highlights", same, other)
                self._delete("highlights", doc_id)
                doc = other
        finally:
            self._end()
        return highlight_from_doc(doc, self.legacy_coder)

    def delete_highlight(self, hid: str) -> None:
        doc_id, doc = self._hl_doc(hid)
        self._begin("delete highlight")
        try:
            self._passage_changed(str(doc["article_id"]))
            self._delete("highlights", doc_id)
        finally:
            self._end()

    def highlights(
        self, article_id: str | None = None, coders: Coders = VISIBLE
    ) -> list[Highlight]:
        """Passages (of one article, or all) of the coders in the scope (``.coder`` says
        whose); the visible coders by default — yours while coding blind."""
        if article_id is None:
            docs = list(self._raw("highlights").values())
        else:
            docs = [d for _i, d in self._hl_docs(article_id)]
        shown = self._shown(coders)
        out = [highlight_from_doc(d, self.legacy_coder) for d in docs if shown(d)]
        return sorted(out, key=lambda h: (h.article_id, h.start, h.end, h.coder))

    def highlight_at(
        self, article_id: str, offset: int, coders: Coders = VISIBLE
    ) -> Highlight | None:
        """The passage under an offset of the article's text: the innermost (shortest) one
        when passages nest or overlap; orphaned passages are not placed."""
        best: tuple[int, int, int] | None = None
        found: dict[str, Any] | None = None
        shown = self._shown(coders)
        for i, d in self._hl_docs(article_id):
            s, e = int(d["start"]), int(d["end"])
            if d.get("orphan") or not s <= offset < e or not shown(d):
                continue
            key = (e - s, -s, i)
            if best is None or key < best:
                best, found = key, d
        return highlight_from_doc(found, self.legacy_coder) if found is not None else None
