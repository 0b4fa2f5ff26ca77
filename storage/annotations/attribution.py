"""What several coders need of the store beyond the current coder's own codings: every
coder's codings as flat rows (for agreement), counts per coder, codings kept as orphans when
their article is not in this corpus (imports), and settled disagreements (adjudication).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus.model import Article
from storage.annotations.model import CONTEXT, clean_note, clean_tag, copy_doc
from storage.annotations.passages import PassagesMixin, passage_span
from storage.annotations.reattach import merge_article_docs, reanchor
from storage.errors import AnnotationError

CHOICES = ("a", "b", "both", "neither")


@dataclass(frozen=True, slots=True)
class CoderRows:
    """One coder's codings as rows: ``(article, code)`` tags, ``(article, start, end, code)``
    passages (one row per code), articles marked read.  Orphans are left out."""

    coder: str
    tags: list[tuple[str, str]]
    passages: list[tuple[str, int, int, str]]
    read: set[str]


@dataclass(frozen=True, slots=True)
class CoderSummary:
    """A line of ``piyue coders``."""

    name: str
    articles: int
    """Articles with any coding of theirs (tag, note, passage or read mark)."""
    tags: int
    passages: int
    notes: int
    read: int
    current: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "articles": self.articles,
            "tags": self.tags,
            "passages": self.passages,
            "notes": self.notes,
            "read": self.read,
            "current": self.current,
        }


@dataclass(slots=True)
class Attached:
    """What ``attach_orphan`` moved onto ``article_id``: the article's tags and note (or
    marks), passages, and the quotes of passages left orphans (not in its text)."""

    article_id: str
    article: bool = False
    passages: int = 0
    left: list[str] = field(default_factory=list)


def _not_an_orphan(ref: str, doc: dict[str, Any] | None, coder: str, theirs: list[str]) -> str:
    """Why ``ref`` names nothing the current coder can attach."""
    if theirs:
        return f"the orphan {ref} is {', '.join(sorted(set(theirs)))}'s: attach it as that coder"
    if doc is None:
        return f"no orphan {ref!r} of yours ({coder}): `piyue orphans` lists them with their ids"
    if not doc.get("orphan"):
        return f"passage {ref} is not an orphan (it is on {doc['article_id']})"
    return f"passage {ref} is {doc.get('coder') or 'another coder'}'s: attach it as that coder"


class AttributionMixin(PassagesMixin):
    # -- reading every coder

    def coder_rows(self, coder: str) -> CoderRows:
        """One pass over the tables: the coder's article tags, passages and read marks."""
        tags: list[tuple[str, str]] = []
        read: set[str] = set()
        raw = self._raw("articles")
        for aid, m in self._arts.items():
            k = m.get(coder)
            if k is None:
                continue
            d = raw[str(k)]
            if d.get("orphan"):
                continue
            tags.extend((aid, t) for t in d.get("tags", ()))
            if d.get("read"):
                read.add(aid)
        passages: list[tuple[str, int, int, str]] = []
        legacy = self.legacy_coder
        for d in self._raw("highlights").values():
            if (d.get("coder") or legacy) != coder or d.get("orphan"):
                continue
            s, e = int(d["start"]), int(d["end"])
            passages.extend((d["article_id"], s, e, t) for t in d.get("tags", ()))
        return CoderRows(coder, tags, passages, read)

    def coder_summaries(self) -> list[CoderSummary]:
        """Every coder with what they coded, by name (the current coder even with nothing)."""
        arts: dict[str, set[str]] = {}
        tags: dict[str, int] = {}
        notes: dict[str, int] = {}
        read: dict[str, int] = {}
        passages: dict[str, int] = {}
        for d in self._raw("articles").values():
            who = self.coder_of(d)
            arts.setdefault(who, set())
            if d.get("tags") or d.get("note") or d.get("read"):
                arts[who].add(d["article_id"])
            tags[who] = tags.get(who, 0) + len(d.get("tags", ()))
            notes[who] = notes.get(who, 0) + bool(d.get("note"))
            read[who] = read.get(who, 0) + bool(d.get("read"))
        for d in self._raw("highlights").values():
            who = self.coder_of(d)
            arts.setdefault(who, set()).add(d["article_id"])
            passages[who] = passages.get(who, 0) + 1
        names = sorted({self.coder, *arts, *passages})
        return [
            CoderSummary(
                n,
                len(arts.get(n, ())),
                tags.get(n, 0),
                passages.get(n, 0),
                notes.get(n, 0),
                read.get(n, 0),
                n == self.coder,
            )
            for n in names
        ]

    # -- codings whose article is not here (imports)

    def keep_orphan(
        self,
        article_id: str,
        issue_id: str = "",
        title: str = "",
        head: str = "",
        text_hash: str = "",
        tags: Sequence[str] = (),
        note: str = "",
        read: bool = False,
        starred: bool = False,
    ) -> bool:
        """Keep the current coder's codings of an article this corpus does not have, as an
        orphan (listed by ``orphans``, re-attached if the article appears): tags are added
        to what is kept, the note kept if new.  Returns whether anything changed."""
        clean = [clean_tag(t) for t in tags]
        clean_note(note)
        doc_id = self._art_ids.get(article_id)
        if doc_id is not None:
            doc = copy_doc(self._raw("articles")[str(doc_id)])
        else:
            now = time.time()
            doc = {
                "article_id": article_id,
                "coder": self.coder,
                "issue_id": issue_id,
                "title": title,
                "head": head,
                "text_hash": text_hash,
                "tags": [],
                "note": "",
                "read": False,
                "starred": False,
                "created": now,
                "updated": now,
                "orphan": True,
            }
        before = copy_doc(doc)
        doc["tags"] = list(dict.fromkeys([*doc.get("tags", ()), *clean]))
        if note and note not in doc.get("note", ""):
            doc["note"] = f"{doc['note']}\n\n{note}" if doc.get("note") else note
        doc["read"] = bool(doc.get("read") or read)
        doc["starred"] = bool(doc.get("starred") or starred)
        if doc_id is not None and doc == before:
            return False
        self._begin("keep orphan")
        try:
            doc["updated"] = time.time()
            self._put("articles", doc_id, doc)
            for t in clean:
                self.ensure_tag(t)
        finally:
            self._end()
        return True

    def keep_orphan_passage(
        self,
        article_id: str,
        start: int,
        end: int,
        quote: str,
        prefix: str = "",
        suffix: str = "",
        tags: Sequence[str] = (),
        note: str = "",
    ) -> bool:
        """Keep a passage that cannot be placed (its article or its quote is not here) as
        the current coder's orphan; the same one again is not kept twice."""
        clean = [clean_tag(t) for t in tags]
        clean_note(note)
        for _i, d in self._hl_docs(article_id):
            if self.coder_of(d) == self.coder and (int(d["start"]), int(d["end"]), d["quote"]) == (
                start,
                end,
                quote,
            ):
                return False
        doc = {
            "id": uuid.uuid4().hex[:12],
            "article_id": article_id,
            "coder": self.coder,
            "start": int(start),
            "end": int(end),
            "quote": quote,
            "prefix": prefix[-CONTEXT:],
            "suffix": suffix[:CONTEXT],
            "tags": clean,
            "note": note,
            "created": time.time(),
            "orphan": True,
        }
        self._begin("keep orphan passage")
        try:
            self._put("highlights", None, doc)
            for t in clean:
                self.ensure_tag(t)
        finally:
            self._end()
        return True

    # -- attaching an orphan by hand (``piyue orphans attach``)

    def attach_orphan(self, ref: str, article: Article) -> Attached:
        """Move one of the current coder's orphans onto ``article`` as one undo step: a
        passage (``ref`` its id), re-found by its quote in the article's text, refused when
        the quote is not there; or an orphaned article (``ref`` its old id): its tags, note
        and marks (added to what the article has) and its orphaned passages — those whose
        quote is not in the article stay orphans, and are named."""
        mine = self.coder
        arts = [
            (int(k), d)
            for k, d in self._raw("articles").items()
            if d["article_id"] == ref and d.get("orphan") and self.coder_of(d) == mine
        ]
        passages = [
            (i, d) for i, d in self._hl_docs(ref) if d.get("orphan") and self.coder_of(d) == mine
        ]
        if not arts and not passages:
            one = self._hl_ids.get(ref)
            d = self._raw("highlights").get(str(one)) if one is not None else None
            if d is None or not d.get("orphan") or self.coder_of(d) != mine:
                theirs = [
                    self.coder_of(a)
                    for a in self._raw("articles").values()
                    if a["article_id"] == ref and a.get("orphan")
                ]
                raise AnnotationError(_not_an_orphan(ref, d, mine, theirs))
            passages = [(int(str(one)), d)]
            if (hit := reanchor(article, d, told=True)) is None:
                raise AnnotationError(
                    f"«{d['quote']}» is not in the text of {article.id}: passage {ref} "
                    "stays an orphan (attach it to the article that has the quote)"
                )
        done = Attached(article.id)
        with self.batch(f"attach orphan {ref}"):
            for k, d in arts:
                into_id, into = self._article_doc(article)
                self._put(
                    "articles", into_id, {**merge_article_docs(into, d), "updated": time.time()}
                )
                self._delete("articles", k)
                done.article = True
            for i, d in passages:
                hit = reanchor(article, d, told=True)
                if hit is None:
                    done.left.append(str(d["quote"]))
                    continue
                span = passage_span(article.text, *hit)
                self._put("highlights", i, {**d, **span, "article_id": article.id, "orphan": False})
                done.passages += 1
            if done.passages and not arts and self._art_ids.get(article.id) is None:
                self._put("articles", None, self._article_doc(article)[1])  # its fingerprint
        return done

    # -- adjudication: the settled result is a coder of its own

    def settled(self, coder: str) -> dict[tuple[str, str], str]:
        """(article, code) → choice the coder settled (``a``, ``b``, ``both``, ``neither``)."""
        return self._per_code(coder, "settled")

    def settled_basis(self, coder: str) -> dict[tuple[str, str], str]:
        """(article, code) → the fingerprint of what the two coders had done when the
        decision was made (``settle_code``'s ``basis``; absent for older decisions)."""
        return self._per_code(coder, "settled_basis")

    def _per_code(self, coder: str, key: str) -> dict[tuple[str, str], str]:
        """(article, code) → value of the coder's article documents' ``key`` map."""
        out: dict[tuple[str, str], str] = {}
        raw = self._raw("articles")
        for aid, m in self._arts.items():
            k = m.get(coder)
            if k is not None:
                for code, value in raw[str(k)].get(key, {}).items():
                    out[(aid, code)] = str(value)
        return out

    def settle_code(
        self,
        article: Article,
        code: str,
        choice: str | None,
        tag: bool,
        spans: Iterable[tuple[int, int]],
        basis: str = "",
    ) -> None:
        """Write the current coder's (the adjudicator's) decision on one article × code as one
        undo step: the article tagged ``code`` or not, exactly ``spans`` coded ``code`` (their
        earlier passages of it replaced), the article marked read (a unit they coded, even
        when the answer is "neither"), and the choice remembered (None: what both coders
        agreed on, carried over — nothing was settled) with ``basis``, a fingerprint of what
        the two coders had done (a later change of theirs reopens the decision)."""
        if choice is not None and choice not in CHOICES:
            raise AnnotationError(f"choose one of {', '.join(CHOICES)}, not {choice!r}")
        code = clean_tag(code)
        wanted = sorted(set(spans))
        for s, e in wanted:
            if not 0 <= s < e <= len(article.text):
                raise AnnotationError(f"passage {s}-{e} is outside article {article.id}")
        with self.batch(f"settle {code} ({choice})"):
            for _i, d in list(self._hl_docs(article.id)):
                if self.coder_of(d) != self.coder or code not in d.get("tags", ()):
                    continue
                if (int(d["start"]), int(d["end"])) in wanted and not d.get("orphan"):
                    wanted.remove((int(d["start"]), int(d["end"])))
                    continue
                doc_id, doc = self._hl_doc(d["id"])
                doc["tags"] = [t for t in doc["tags"] if t != code]
                if not doc["tags"] and not str(doc.get("note", "")).strip():
                    self._delete("highlights", doc_id)
                else:
                    self._put("highlights", doc_id, doc)
            for s, e in wanted:
                self.add_highlight(article, s, e, [code])
            art_id, doc = self._article_doc(article)
            has = code in doc["tags"]
            if tag and not has:
                doc["tags"].append(code)
            elif has and not tag:
                doc["tags"].remove(code)
            doc["read"] = True
            if choice is not None:
                doc["settled"] = {**doc.get("settled", {}), code: choice}
                if basis:
                    doc["settled_basis"] = {**doc.get("settled_basis", {}), code: basis}
            doc["updated"] = time.time()
            self._put("articles", art_id, doc)
            self.ensure_tag(code)
