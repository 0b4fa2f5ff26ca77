"""Searching the index: ranked hits (FTS5's BM25, then a substring scan for what segmentation
split differently) and the texts holding a term (the concordance's)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from corpus.search import (
    QueryRefused,
    QueryTooLong,
    match_spans,
    parse_query,
    snippet,
    too_many_words,
    wildcard_problem,
)
from storage.index_read import IndexReader, chunks
from storage.pagestore import FTS_SKIP, full_id, unpack_texts


@dataclass(frozen=True, slots=True)
class HeadlineGroup:
    """A page's banner and its articles' (id, column, kicker, title, subtitle), page order."""

    key: str
    """The page's place in the corpus order (``pages.key``)."""
    page_id: str
    banner: str
    articles: list[tuple[str, str, str, str, str]]


@dataclass(frozen=True, slots=True)
class Hit:
    article_id: str
    title: str
    issue_id: str
    date: str | None
    score: float
    snippet: str
    """Context around the first match; the match is wrapped in ``«»``."""
    spans: tuple[tuple[int, int], ...] = ()
    """Offsets of every match in the article text."""


class Searcher(IndexReader):
    """The search side of ``storage.index.Index``."""

    def texts_containing(self, term: str) -> Iterator[tuple[str, str]]:
        """(article id, text) of every article whose text contains ``term``, in corpus
        order (the concordance's hook)."""
        return ((aid, text) for _key, aid, text in self.keyed_texts_containing(term))

    def keyed_texts_containing(self, term: str) -> Iterator[tuple[str, str, str]]:
        """:meth:`texts_containing` with each article's page key first (the corpus order):
        what other pages' articles are merged in by."""
        found = self._candidates([term])
        if found is None:
            for no, key, pid, blob in self.db.execute(
                "SELECT p.no, p.key, p.id, t.texts FROM pages p JOIN pagetext t ON t.no = p.no "
                "WHERE p.skipped IS NULL ORDER BY p.key"
            ):
                texts = unpack_texts(blob)
                hits = [o for o, text in enumerate(texts) if term in text]
                if not hits:
                    continue
                ids: dict[int, str] = dict(
                    self.db.execute("SELECT ord, aid FROM articles WHERE page=?", (no,))
                )
                for o in hits:
                    if o in ids:
                        yield key, full_id(ids[o], pid), texts[o]
            return
        rows: list[tuple[str, int, str, str, int]] = []
        for chunk in chunks(sorted(found), 500):
            marks = ",".join("?" * len(chunk))
            rows.extend(
                self.db.execute(
                    f"SELECT p.key, a.ord, a.aid, p.id, a.page FROM articles a JOIN pages p "
                    f"ON p.no = a.page WHERE a.n IN ({marks})",
                    chunk,
                )
            )
        rows.sort()
        cache = _PageTexts(self)
        for key, o, aid, pid, no in rows:
            text = cache.get(no, o)
            if term in text:
                yield key, full_id(aid, pid), text

    def headline_groups(self, page_ids: Iterable[str]) -> list[HeadlineGroup]:
        """The headline groups of some pages, in corpus order, without building a page: a
        concordance reads them on the pages a term is in a headline of (600 pages built
        whole cost 0.6 s for their titles)."""
        out: list[HeadlineGroup] = []
        for chunk in chunks(sorted(set(page_ids)), 500):
            marks = ",".join("?" * len(chunk))
            pages = self.db.execute(
                f"SELECT p.no, p.key, p.id, p.meta FROM pages p WHERE p.id IN ({marks}) "
                "AND p.skipped IS NULL",
                chunk,
            ).fetchall()
            for no, key, pid, meta in pages:
                banner = json.loads(meta).get("banner", "") if meta else ""
                arts = [
                    (full_id(aid, pid), col or "", kicker or "", title or "", sub or "")
                    for aid, col, kicker, title, sub in self.db.execute(
                        "SELECT aid, col, kicker, title, subtitle FROM articles WHERE page=? "
                        "ORDER BY ord",
                        (no,),
                    )
                ]
                out.append(HeadlineGroup(key, pid, banner or "", arts))
        out.sort(key=lambda g: g.key)
        return out

    def _candidates(self, terms: list[str]) -> set[int] | None:
        """Rowids of the articles that may contain every one of ``terms`` as a substring
        (a superset), or None when no character narrows them (read every text).

        An article containing ``term`` has, over each of its characters, a token that agrees
        with ``term`` wherever they overlap.  For a few of the term's rarest positions (by
        the articles of such tokens, from ``vocab``), FTS5 finds the articles holding one of
        them; every position must be covered, so the sets intersect.

        Any subset of those conditions still gives a superset, so the cost is bounded: the
        ``_NARROWING_TERMS`` longest terms (the rest are checked on the texts read) and at
        most ``_POSITIONS`` positions of each (a pasted paragraph is one long term)."""
        groups: list[str] = []
        longest = sorted(dict.fromkeys(terms), key=len, reverse=True)
        for term in longest[:_NARROWING_TERMS]:
            phrases = self._phrases(term)
            if phrases is not None:
                if not phrases:
                    return set()  # no run of tokens could spell it: no article has it
                groups.append(" OR ".join(phrases))
                continue
            solid = [p for p, c in enumerate(term) if _solid(c)]
            if len(solid) > _POSITIONS:  # evenly spread: a long term's every position costs
                step = len(solid) / _POSITIONS
                solid = [solid[int(k * step)] for k in range(_POSITIONS)]
            chars = sorted({term[p] for p in solid})
            if not chars:
                continue
            where = " OR ".join("instr(word, ?) > 0" for _ in chars)
            vocab = self.db.execute(f"SELECT word, n FROM vocab WHERE {where}", chars).fetchall()
            holding: dict[str, list[tuple[str, int]]] = {c: [] for c in chars}
            for w, n in vocab:
                for c in chars:
                    if c in w:
                        holding[c].append((w, n))
            options: list[tuple[int, list[str]]] = []
            for p in solid:
                got = [(w, n) for w, n in holding[term[p]] if _covers(w, term, p)]
                options.append((sum(n for _, n in got), [w for w, _ in got]))
            options.sort(key=lambda o: o[0])
            if options and not options[0][1]:
                return set()  # no token could cover that character: no article has it
            chosen = [
                words
                for _, words in options
                if len(words) <= _MAX_OR and not any(w in FTS_SKIP for w in words)
            ][:3]
            groups.extend(" OR ".join(_quoted(w) for w in ws) for ws in chosen)
        if not groups:
            return None
        expr = " AND ".join(f"({g})" for g in groups)
        try:
            rows = self.db.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (expr,))
            return {n for (n,) in rows}
        except sqlite3.OperationalError:
            return None

    def _phrases(self, s: str) -> list[str] | None:
        """FTS5 phrases, one of which every article containing ``s`` matches, or None.

        Where ``s`` occurs, its characters are covered by tokens without gaps (it holds no
        whitespace): either one token holds all of it, or a token starts inside it, at 0 or
        after a token that ends with the part before; from there it is whole tokens and a
        last one that begins with the rest (a prefix query).  The vocabulary says which
        cuts are possible; too many of them and the caller narrows by characters instead."""
        n = len(s)
        if not s or n > 24 or any(c.isspace() for c in s):
            return None
        holders = [w for (w,) in self._vocab_with(s)]
        if any(w in FTS_SKIP for w in holders):
            return None  # a token FTS5 does not index holds it
        out = [_quoted(w) for w in holders]
        starts = {0}
        for (w,) in self._vocab_with(s[0]):
            starts.update(i for i in range(1, n) if w.endswith(s[:i]))
        pieces = sorted({s[a:b] for a in range(n) for b in range(a + 1, n)})
        marks = ",".join("?" * len(pieces))
        exact = {
            w for (w,) in self.db.execute(f"SELECT word FROM vocab WHERE word IN ({marks})", pieces)
        }
        prefix = {
            a
            for a in range(n)
            if self.db.execute(
                "SELECT 1 FROM vocab WHERE word >= ? AND word < ? LIMIT 1",
                (s[a:], s[a:] + "\U0010ffff"),
            ).fetchone()
        }
        cuts: dict[int, list[list[str]]] = {}
        for a in range(n - 1, -1, -1):
            ways = [[s[a:]]] if a in prefix else []
            for b in range(a + 1, n):
                if s[a:b] in exact:
                    ways.extend([s[a:b], *rest] for rest in cuts[b])
                if len(ways) > _MAX_OR:
                    return None
            cuts[a] = ways
        for i in sorted(starts):
            if cuts[i] and not any(_solid(c) for c in s[i:]):
                return None  # a phrase FTS5 would read as empty
            for ws in cuts[i]:
                phrase = _fts_phrase(ws)
                if phrase is None:
                    return None  # nothing FTS5 indexes is left of it: it narrows nothing
                out.append(phrase)
        return None if len(out) > _MAX_OR else out

    def _vocab_with(self, part: str) -> list[tuple[str]]:
        q = "SELECT word FROM vocab WHERE instr(word, ?) > 0"
        return self.db.execute(q, (part,)).fetchall()

    def _substring_hits(
        self, terms: list[str], excluded: list[str], cap: int
    ) -> list[tuple[int, str]]:
        """(rowid, text) of the first ``cap`` articles, in rowid order, whose text contains
        every term and none of ``excluded``."""
        found = self._candidates(terms)
        if found is None:
            rows: Iterator[tuple[int, int, int]] = iter(
                self.db.execute("SELECT n, page, ord FROM articles ORDER BY n")
            )
        else:
            rows = self._locate(sorted(found))
        texts = _PageTexts(self)
        out: list[tuple[int, str]] = []
        for n, no, o in rows:
            body = texts.get(no, o)
            if all(t in body for t in terms) and not any(x in body for x in excluded):
                out.append((n, body))
                if len(out) >= cap:
                    break
        return out

    def _locate(self, ns: list[int]) -> Iterator[tuple[int, int, int]]:
        for chunk in chunks(ns, 500):
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(
                f"SELECT n, page, ord FROM articles WHERE n IN ({marks}) ORDER BY n", chunk
            )

    def search(self, text: str, limit: int = 50) -> list[Hit]:
        """Ranked hits for a query (words, "phrases", -excluded); ``QueryTooLong`` past
        ``MAX_WORDS`` words, ``QueryRefused`` for a ``*`` that is not at a word's end."""
        q = parse_query(text)
        problem = too_many_words(q)
        if problem:
            raise QueryTooLong(problem)
        if "*" in text:  # searched as a character it found nothing, and said nothing
            problem = wildcard_problem(text)
            if problem:
                raise QueryRefused(problem)
        if not q.positives:
            return []
        scores: dict[int, float] = {}
        # a word FTS5 does not index (FTS_SKIP) is left to the checks on the text below
        musts = [(t, _fts_term(t)) for t in q.positives]
        unchecked = [t.replace(" ", "") for t, expr in musts if expr is None]
        fts_expr = " AND ".join(expr for _, expr in musts if expr is not None)
        nots = [expr for expr in map(_fts_term, q.excluded) if expr is not None]
        if fts_expr and nots:
            fts_expr += "".join(f" NOT {expr}" for expr in nots)
        try:
            for n, rank in (
                self.db.execute(
                    "SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?",
                    (fts_expr, limit * 4),
                )
                if fts_expr
                else ()
            ):
                scores[n] = -float(rank) + 10.0
        except sqlite3.OperationalError:
            pass
        # Substring fallback: a word that segmentation split differently (洛阳制造 as 洛阳/制造),
        # or a phrase typed without spaces that spans several tokens (打造高质量首创之区).
        # Its hits rank below every FTS hit, so it is not needed when those fill the page.
        terms = [t.replace(" ", "") for t in q.positives]
        if all(terms) and len(scores) < limit:
            for n, body in self._substring_hits(terms, list(q.excluded), limit * 4):
                if n not in scores:
                    c = sum(body.count(t) for t in q.positives)
                    scores[n] = c / (1 + len(body) / 1000)
        if not scores:
            return []
        ordered = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
        texts = _PageTexts(self)
        hits: list[Hit] = []
        for n, score in ordered:
            row = self.db.execute(
                "SELECT a.aid, a.title, p.id, p.date, a.page, a.ord FROM articles a "
                "JOIN pages p ON p.no = a.page WHERE a.n=?",
                (n,),
            ).fetchone()
            if row is None:
                continue
            own, title, issue_id, date, no, o = row
            aid = full_id(own, issue_id)
            body = texts.get(no, o)
            if any(x in body for x in q.excluded):
                continue
            if any(t not in body and t not in title for t in unchecked):
                continue
            spans = match_spans(body, q.positives)
            if not spans and title and not any(t in title for t in q.positives):
                continue
            hits.append(
                Hit(aid, title, issue_id, date, round(score, 4), snippet(body, spans), tuple(spans))
            )
        return hits


_NARROWING_TERMS = 4
"""Terms whose tokens narrow the texts a substring search reads (the longest: the rarest)."""
_POSITIONS = 16
"""Positions of one term asked about (of which the three rarest narrow)."""
_MAX_OR = 400
"""Tokens one position may ask FTS5 for; a position covered by more narrows too little."""


def _solid(c: str) -> bool:
    """A character FTS5's unicode61 tokenizer (Unicode 6.1 tables) surely keeps in a token:
    ASCII letters and digits, CJK ideographs of the basic block and extension A."""
    return (c.isascii() and c.isalnum()) or "\u4e00" <= c <= "\u9fcb" or "\u3400" <= c <= "\u4db5"


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _covers(word: str, term: str, p: int) -> bool:
    """Could ``word``, as a token of a text containing ``term``, cover ``term[p]``?"""
    c = term[p]
    k = word.find(c)
    while k >= 0:
        start = p - k  # where word[0] falls in term
        lo, hi = max(0, start), min(len(term), start + len(word))
        if term[lo:hi] == word[lo - start : hi - start]:
            return True
        k = word.find(c, k + 1)
    return False


class _PageTexts:
    """The texts of the pages read last (articles come page by page)."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self.cache: dict[int, list[str]] = {}

    def get(self, no: int, o: int) -> str:
        texts = self.cache.get(no)
        if texts is None:
            if len(self.cache) > 64:
                self.cache.clear()
            texts = self.cache[no] = self.reader._texts(no)
        return texts[o] if o < len(texts) else ""


def _fts_term(term: str) -> str | None:
    """A query's word or phrase for FTS5 (one word: any token it begins); None when all
    of it is what FTS5 does not index."""
    words = [w for w in re.split(r"\s+", term) if w]
    if len(words) == 1:
        return None if words[0] in FTS_SKIP else f"({_quoted(words[0])}*)"
    kept = [w for w in words if w not in FTS_SKIP]
    return f"({' '.join(map(_quoted, kept))})" if kept else None


def _fts_phrase(words: list[str]) -> str | None:
    """Whole tokens and a last one's beginning as an FTS5 phrase of what it indexes (the
    tokens of FTS_SKIP left out: their neighbours are neighbours there), or None when none
    of it is left."""
    *whole, last = words
    kept = [w for w in whole if w not in FTS_SKIP]
    if last in FTS_SKIP:  # the beginning of a token FTS5 does not index: leave it out too
        if not any(_solid(c) for w in kept for c in w):
            return None
        return _quoted(" ".join(kept))
    return _quoted(" ".join([*kept, last])) + " *"
