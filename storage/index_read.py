"""Reading the index: freshness, pages and rows, summaries, terms, articles by id (no writes;
searching is ``storage.index_search``)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from corpus.keywords import DocFreq
from corpus.load import PAGE_SUFFIXES, odd_name
from corpus.model import Article, Corpus, Edition, Issue, Skipped
from corpus.pagemeta import MANIFEST
from corpus.terms import Term
from storage.pagerow import ROWS_SQL
from storage.pagestore import (
    ARTICLE_ID_SQL,
    ARTICLE_SQL,
    SUMMARY_SQL,
    ArticleHead,
    PageRow,
    decode_article,
    decode_issue,
    id_cuts,
    inflate,
    issue_head,
    summary_shape,
    unpack_bodies,
    unpack_texts,
    unpack_tokens,
)


@dataclass(slots=True)
class Walk:
    """Page files as the quick walk found them, in walk order."""

    names: list[str] = field(default_factory=list)
    sizes: array[int] = field(default_factory=lambda: array("q"))
    mtimes: array[int] = field(default_factory=lambda: array("q"))
    others: list[str] = field(default_factory=list)
    """Files and folders that are not pages (a digest of them is ``digest``)."""
    digest: str = ""

    def pages(self) -> dict[str, tuple[int, int]]:
        return dict(zip(self.names, zip(self.sizes, self.mtimes, strict=True), strict=True))


class ArticleRow(NamedTuple):
    """An article's row as ``IndexReader.article_rows`` finds it by id."""

    n: int
    page: int
    """Its page's number (``pages.no``)."""
    ord: int
    title: str
    tokens: bytes | None
    page_id: str


class IndexReader:
    """The read side of ``storage.index.Index``."""

    db: sqlite3.Connection
    root: Path
    location: Path
    single: bool

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _manifest_stamp(self) -> str:
        try:
            st = (self.root / MANIFEST).stat()
        except OSError:
            return ""
        return f"{st.st_size}:{st.st_mtime_ns}"

    def _blob(self, key: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM blobs WHERE key=?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def _quick_walk(self) -> Walk:
        """The files ``scan_corpus`` would find, without building its Paths: (size, mtime) of
        every page file and a digest of the other files' names (a decade of a daily is
        30,000 pages: every search and every start asks whether the index is fresh)."""
        walk = Walk()
        names, sizes, mtimes, others = walk.names, walk.sizes, walk.mtimes, walk.others
        if self.single:
            name = self.location.name
            try:
                st = os.stat(self.location)
                names.append(name)
                sizes.append(st.st_size)
                mtimes.append(st.st_mtime_ns)
            except OSError:
                others.append(name)
            walk.digest = ""
            return walk
        seen: set[tuple[int, int]] = set()
        with contextlib.suppress(OSError):
            st = os.stat(self.root)
            seen.add((st.st_dev, st.st_ino))
        suffixes = PAGE_SUFFIXES

        def entries(folder: str, prefix: str) -> Iterator[os.DirEntry[str]]:
            try:
                with os.scandir(folder) as it:
                    found = sorted((e for e in it if e.name[0] != "."), key=_name)
            except OSError:
                others.append(f"{prefix}/!")
                return iter(())
            return iter(found)

        # depth first in name order, as ``scan_corpus`` walks: of two names for one folder (a
        # symbolic link beside its target) the same one is read, or the index is never fresh
        stack = [("", entries(str(self.root), ""))]
        while stack:
            prefix, found = stack[-1]
            e = next(found, None)
            if e is None:
                stack.pop()
                continue
            name = e.name
            if odd_name(name):  # skipped by the scan (not UTF-8, a line break)
                others.append(prefix + name)
                continue
            dot = name.rfind(".")  # os.path.splitext, for a name not starting with "."
            try:
                if e.is_dir():
                    st = e.stat()
                    key = (st.st_dev, st.st_ino)
                    if key not in seen:
                        seen.add(key)
                        stack.append((f"{prefix}{name}/", entries(e.path, prefix + name)))
                    else:
                        others.append(prefix + name)
                    continue
                if dot > 0 and name[dot:].lower() in suffixes and e.is_file():
                    st = e.stat()
                    names.append(prefix + name)
                    sizes.append(st.st_size)
                    mtimes.append(st.st_mtime_ns)
                    continue
            except OSError:
                pass
            rel = prefix + name
            if rel != MANIFEST:
                others.append(rel)
        text = "\n".join(sorted(others))
        walk.digest = hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()
        return walk

    def _stamp(self, walk: Walk) -> str:
        """A digest of everything freshness looks at: each page file's path, size and mtime
        in walk order, the other files' names and the manifest's stat.  The index stores
        the one it was brought up to date with (``meta.walk``): the same stamp again means
        nothing changed, without reading a row."""
        h = hashlib.sha1("\x00".join(walk.names).encode("utf-8", "surrogatepass"))
        h.update(walk.sizes.tobytes())
        h.update(walk.mtimes.tobytes())
        h.update(f"\x00{walk.digest}\x00{self._manifest_stamp()}".encode())
        return h.hexdigest()

    def _known(self) -> dict[str, tuple[int, int, str, str | None]]:
        """(size, mtime, sha1, id) of every page the index holds, by path."""
        return {
            rel: (size, mtime, sha1, pid)
            for rel, size, mtime, sha1, pid in self.db.execute(
                "SELECT rel, size, mtime, sha1, id FROM pages"
            )
        }

    def _unchanged(
        self,
        walk: Walk,
        known: Mapping[str, tuple[int, int, str, str | None]],
    ) -> bool:
        walked = walk.pages()
        if not known or len(walked) != len(known):
            return False
        if (self._meta("manifest") or "") != self._manifest_stamp():
            return False
        if self._meta("others") != walk.digest:
            return False
        return all(known.get(rel, (-1, -1))[:2] == st for rel, st in walked.items())

    def _fresh(self, walk: Walk) -> bool:
        """Nothing changed since the index was brought up to date (its stamp, else row by
        row: an index whose last refresh could not match every file has no stamp)."""
        stamp = self._meta("walk")
        if stamp is not None and stamp == self._stamp(walk):
            return True
        return self._unchanged(walk, self._known())

    def is_fresh(self) -> bool:
        """True when every page file has the size and mtime the index recorded, no file came
        or went, and the manifest is the one it applied (stat only)."""
        return self._fresh(self._quick_walk())

    def skipped(self) -> list[Skipped]:
        """Files that are not pages and pages that could not be read, as ``load_corpus``
        orders them (files in walk order, then the manifest's rows by line)."""
        got = [Skipped(f, r, line) for f, r, line in json.loads(self._meta("scan_skipped") or "[]")]
        for rel, reason in self.db.execute(
            "SELECT rel, skipped FROM pages WHERE skipped IS NOT NULL"
        ):
            got.append(Skipped(rel, reason or "skipped"))
        files = sorted((s for s in got if s.line is None), key=lambda s: s.file.split("/"))
        rows = [s for s in got if s.line is not None]
        return [*files, *rows]

    def _pagetext(self, no: int) -> tuple[bytes | None, bytes | None]:
        row = self.db.execute("SELECT texts, bodies FROM pagetext WHERE no=?", (no,)).fetchone()
        return (None, None) if row is None else (row[0], row[1])

    def _texts(self, no: int) -> list[str]:
        return unpack_texts(self._pagetext(no)[0])

    def _articles_of(self, no: int, issue_id: str) -> tuple[Article, ...]:
        texts_blob, bodies_blob = self._pagetext(no)
        return _decode_page(
            issue_id,
            self.db.execute(
                f"SELECT {ARTICLE_SQL} FROM articles a WHERE a.page=? ORDER BY a.ord", (no,)
            ),
            texts_blob,
            bodies_blob,
        )

    def corpus(self) -> Corpus:
        """The parsed corpus from the cache (call ``refresh`` first)."""
        issues: list[Issue] = []
        heads: dict[int, list[ArticleHead]] = {}
        for no, *head in self.db.execute(
            f"SELECT a.page, {ARTICLE_SQL} FROM articles a ORDER BY a.page, a.ord"
        ):
            heads.setdefault(no, []).append(tuple(head))
        for no, rel, pid, *cols, meta, texts_blob, bodies_blob in self.db.execute(
            f"SELECT p.no, p.rel, {_PAGE_SQL}, t.texts, t.bodies FROM pages p LEFT JOIN "
            "pagetext t ON t.no = p.no WHERE p.skipped IS NULL ORDER BY p.key"
        ):
            arts = _decode_page(pid, heads.get(no, ()), texts_blob, bodies_blob)
            issues.append(decode_issue(pid, rel, tuple(cols), meta, arts))
        return Corpus(root=str(self.root), issues=tuple(issues), skipped=tuple(self.skipped()))

    def issue(self, page_id: str) -> Issue | None:
        """One page, rebuilt from the index (no parsing)."""
        row = self.db.execute(
            f"SELECT p.no, p.rel, {_PAGE_SQL} FROM pages p WHERE p.id=? AND p.skipped IS NULL",
            (page_id,),
        ).fetchone()
        if row is None:
            return None
        no, rel, pid, *cols, meta = row
        return decode_issue(pid, rel, tuple(cols), meta, self._articles_of(no, page_id))

    def page_rows(self) -> list[PageRow]:
        """Every page's row in walk order, without building an article."""
        return list(map(PageRow._make, self.db.execute(ROWS_SQL)))

    def editions(self) -> list[Edition]:
        """Pages grouped into editions (``Corpus.editions``) from the page rows alone."""
        bare = tuple(
            Issue(r.id, r.file, r.title, r.date, paper=r.paper, page=r.page, section=r.section)
            for r in self.page_rows()
        )
        return Corpus(str(self.root), bare).editions()

    def _summary_rows(self) -> Iterator[tuple[str, str, dict[str, Any], str, str]]:
        """(rel, page id, page head, articles' summaries as a JSON array, fragments' ids as a
        JSON array) of every page in walk order, the JSON built by SQLite from columns."""
        cur = self.db.execute(
            f"SELECT p.rel, {_PAGE_SQL}, "
            "'[' || coalesce((SELECT group_concat(s, ',') FROM "
            f"(SELECT {SUMMARY_SQL} AS s FROM articles a "
            "WHERE a.page = p.no ORDER BY a.ord)), '') || ']', "
            f"(SELECT json_group_array(id) FROM (SELECT {ARTICLE_ID_SQL} AS id FROM articles a "
            "WHERE a.page = p.no AND a.fragment ORDER BY a.ord)) "
            "FROM pages p WHERE p.skipped IS NULL ORDER BY p.key"
        )
        for rel, pid, *cols, meta, arts, frags in cur:
            head = issue_head(pid, rel, tuple(cols), meta)
            yield rel, pid, head, arts, frags

    def iter_summaries(self) -> Iterator[dict[str, Any]]:
        """``Issue.summary()`` of every page in walk order, one page at a time, from the
        columns (no Article is built): what ``list --json`` streams."""
        for _rel, _pid, head, arts, _frags in self._summary_rows():
            yield summary_shape(head, json.loads(arts))

    def iter_summary_json(self) -> Iterator[tuple[str, str]]:
        """(page id, ``Issue.summary()`` as JSON text) of every page in walk order: the
        articles' JSON is built by SQLite and spliced in as it is, never decoded (``list
        --json`` at scale; the same value as ``iter_summaries``, compact separators inside
        articles)."""
        hole = "\x00articles\x00"
        quoted = json.dumps(hole)
        for _rel, pid, head, arts, frags in self._summary_rows():
            summary = summary_shape(head, [])
            summary["articles"] = hole
            summary["fragments"] = json.loads(frags)
            text = json.dumps(summary, ensure_ascii=False)
            yield pid, text.replace(quoted, arts, 1)

    def doc_freq(self) -> DocFreq:
        docs = int(self._meta("docs") or 0)
        return DocFreq(dict(self.db.execute("SELECT word, n FROM df")), docs)

    def terms(self) -> list[Term]:
        """The corpus's discovered terms, most frequent first."""
        return [
            Term(text, freq, kind, tuple(parts.split(" ")))
            for text, freq, kind, parts in self.db.execute(
                "SELECT text, freq, kind, parts FROM terms ORDER BY freq DESC, text"
            )
        ]

    def article_rows(self, article_ids: Iterable[str]) -> dict[str, ArticleRow]:
        """The rows of the articles with these ids that the index holds, by id.  Only
        an id's parts are stored (its page's number and the rest, ``own_id``): each page
        an id may begin with is looked up (``pages_id``), then its articles."""
        wanted = set(article_ids)
        cuts: dict[str, list[tuple[str, str]]] = {}
        for aid in wanted:
            for pid, rest in id_cuts(aid):
                cuts.setdefault(pid, []).append((rest, aid))
        out: dict[str, ArticleRow] = {}
        cols = "a.n, a.page, a.ord, a.title, a.tokens, p.id, a.aid"
        for chunk in chunks(list(cuts), 500):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT {cols} FROM pages p JOIN articles a ON a.page = p.no "
                f"WHERE p.id IN ({marks}) AND p.skipped IS NULL",
                chunk,
            ):
                for rest, aid in cuts[row[5]]:
                    if rest == row[6]:
                        out[aid] = ArticleRow(*row[:6])
        whole = [f"\x01{a}" for a in wanted if a not in out]
        for chunk in chunks(whole, 500):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT {cols} FROM articles a JOIN pages p ON p.no = a.page "
                f"WHERE unicode(a.aid) = 1 AND a.aid IN ({marks})",
                chunk,
            ):
                out[row[6][1:]] = ArticleRow(*row[:6])
        return out

    def tokens_of(self, article_id: str) -> list[str] | None:
        row = self.article_rows([article_id]).get(article_id)
        if row is None or not row.tokens:
            return None
        texts = self._texts(row.page)
        o, title, blob = row.ord, row.title, row.tokens
        text = texts[o] if o < len(texts) else ""
        return unpack_tokens(f"{title}\n{text}", inflate(blob)) or None


_T = TypeVar("_T")


def chunks(items: list[_T], size: int) -> Iterator[list[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


_PAGE_SQL = "p.id, p.title, p.date, p.paper, p.page, p.section, p.sha1, p.meta"
"""A page's id, ``PageHead`` and ``meta``, from ``pages p``."""


def _decode_page(
    issue_id: str,
    heads: Iterable[ArticleHead],
    texts_blob: bytes | None,
    bodies_blob: bytes | None,
) -> tuple[Article, ...]:
    """A page's articles from their (id, title) rows and the page's texts and bodies."""
    texts = unpack_texts(texts_blob)
    bodies = unpack_bodies(bodies_blob)
    return tuple(
        decode_article(issue_id, head, texts[o], bodies[o]) for o, head in enumerate(heads)
    )


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name
