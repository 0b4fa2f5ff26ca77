"""The index's write side for one page: store it (row, texts, tokens, FTS, document
frequencies, vocabulary) or drop it, keeping every total exact (a dropped page's term counts
are counted again from its stored tokens)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from corpus.keywords import is_candidate
from corpus.segment import page_counts
from corpus.terms import Counts
from storage.index_read import IndexReader
from storage.pagestore import fts_text, inflate, own_id, sort_key, unpack_texts, unpack_tokens

if TYPE_CHECKING:
    from storage.indexer import PageRows, Rows


class PageWriter(IndexReader):
    """Pages in and out of the index (``Index.refresh`` calls these in one transaction)."""

    discover_terms: bool
    _counted: str | None
    _vocab_delta: Counter[str]

    def _remember_expand(self, expand: Mapping[str, tuple[str, ...]]) -> None:
        """The learned terms this refresh's pages are counted with (``count_page``'s
        ``expand``), stored once under their digest: a page that goes is counted again with
        them, so its counts need not be stored."""
        if not self.discover_terms:
            self._counted = None
            return
        text = json.dumps(sorted((k, list(v)) for k, v in expand.items()), ensure_ascii=False)
        key = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
        self.db.execute(
            "INSERT OR IGNORE INTO blobs VALUES(?, ?)", (f"expand:{key}", text.encode("utf-8"))
        )
        self._counted = key

    def _page_tokens(self, no: int) -> list[tuple[int, list[str]]]:
        """(article rowid, tokens) of a page's articles, in page order."""
        texts = unpack_texts(self._pagetext(no)[0])
        out: list[tuple[int, list[str]]] = []
        for n, o, title, blob in self.db.execute(
            "SELECT n, ord, title, tokens FROM articles WHERE page=? ORDER BY ord", (no,)
        ):
            text = texts[o] if o < len(texts) else ""
            words = unpack_tokens(f"{title}\n{text}", inflate(blob)) if blob else []
            out.append((n, words))
        return out

    def page_counts(self, rel: str) -> Counts | None:
        """A page's term counts, counted again from its stored tokens with the learned terms
        it was counted with (None: it was not counted)."""
        row = self.db.execute(
            "SELECT no, counted FROM pages WHERE key=? AND rel=?", (sort_key(rel), rel)
        ).fetchone()
        return None if row is None else self._page_counts(row[0], row[1])

    def _page_counts(self, no: int, counted: str | None) -> Counts | None:
        if counted is None:
            return None
        blob = self._blob(f"expand:{counted}")
        expand = {k: tuple(v) for k, v in json.loads(blob or b"[]")}
        tokens = [words for _, words in self._page_tokens(no)]
        bylines = self.db.execute("SELECT byline FROM articles WHERE page=? ORDER BY ord", (no,))
        return page_counts(tokens, [b or "" for (b,) in bylines], expand or None)

    def _drop_page(self, rel: str, df_delta: dict[str, int], counts: Counts) -> tuple[int, int]:
        """Remove a page; returns (articles, tokens) it had, its term counts into ``counts``."""
        page = self.db.execute(
            "SELECT no, counted FROM pages WHERE key=? AND rel=?", (sort_key(rel), rel)
        ).fetchone()
        if page is None:
            return 0, 0
        no, counted = page
        rows = self._page_tokens(no)
        ntok = 0
        vocab = self._vocab_delta
        for n, words in rows:
            tokens = fts_text(words)
            ntok += len(words)
            distinct = set(words)
            vocab.subtract(distinct)
            for w in distinct:
                if is_candidate(w):
                    df_delta[w] = df_delta.get(w, 0) - 1
            self.db.execute(
                "INSERT INTO fts(fts, rowid, tokens) VALUES('delete', ?, ?)", (n, tokens)
            )
        if self.discover_terms:
            got = self._page_counts(no, counted)
            if got is not None:
                counts.merge(got)
        self.db.execute("DELETE FROM articles WHERE page=?", (no,))
        self.db.execute("DELETE FROM pagetext WHERE no=?", (no,))
        self.db.execute("DELETE FROM pages WHERE no=?", (no,))
        return len(rows), ntok

    def _store_page(
        self,
        rel: str,
        size: int,
        mtime: int,
        digest: str,
        page: PageRows,
        toks: Rows,
        df_delta: dict[str, int],
    ) -> int:
        # a new row, a new number (the page's old row, if any, went with ``_drop_page``)
        no = self.db.execute(
            "INSERT INTO pages(rel, key, id, size, mtime, sha1, skipped, paper, date, page, "
            "section, title, articles, meta, counted) VALUES(?,?,?,?,?,?,NULL,?,?,?,?,?,?,?,?)",
            (
                rel,
                sort_key(rel),
                page.issue_id,
                size,
                mtime,
                digest,
                page.paper,
                page.date,
                page.page,
                page.section,
                page.title,
                len(page.articles),
                page.meta,
                self._counted,
            ),
        ).lastrowid
        self.db.execute("INSERT INTO pagetext VALUES(?,?,?)", (no, page.texts, page.bodies))
        tok_of = {row[0]: row[1:] for row in toks}
        ntok = 0
        vocab = self._vocab_delta
        for ordinal, (aid, title, cols) in enumerate(page.articles):
            fts, count, distinct, cands, packed = tok_of.get(aid, ("", 0, [], [], b""))
            ntok += count
            cur = self.db.execute(
                "INSERT INTO articles(page, ord, aid, title, tokens, kicker, subtitle, col, "
                "byline, lines, cfrom, con, fragment, label) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (no, ordinal, own_id(aid, page.issue_id), title, packed or None, *cols),
            )
            self.db.execute("INSERT INTO fts(rowid, tokens) VALUES(?,?)", (cur.lastrowid, fts))
            for w in cands:
                df_delta[w] = df_delta.get(w, 0) + 1
            vocab.update(distinct)
        return ntok

    def _apply_vocab(self, delta: Counter[str]) -> None:
        changed = [(w, d) for w, d in delta.items() if d]
        self.db.executemany(
            "INSERT INTO vocab(word, n) VALUES(?, ?) "
            "ON CONFLICT(word) DO UPDATE SET n = n + excluded.n",
            changed,
        )
        if any(d < 0 for _, d in changed):
            self.db.execute("DELETE FROM vocab WHERE n <= 0")

    def _apply_df(self, delta: dict[str, int], docs_delta: int) -> None:
        changed = [(w, d) for w, d in delta.items() if d]
        self.db.executemany(
            "INSERT INTO df(word, n) VALUES(?, ?) "
            "ON CONFLICT(word) DO UPDATE SET n = n + excluded.n",
            changed,
        )
        self.db.execute("DELETE FROM df WHERE n <= 0")
        self.db.execute(
            "UPDATE meta SET value = CAST(CAST(value AS INT) + ? AS TEXT) WHERE key='docs'",
            (docs_delta,),
        )
