"""What the reader's lists need, without holding the corpus in memory.

The issues tree needs one row per page (id, paper, date, page, title, article count); the
articles pane needs the articles of the page the user is on; the reader needs one article.
From a fresh index all three are read on demand (a decade of a daily, 30,000 pages, opens
with a few MB of rows); without one, the parsed corpus answers the same calls. Either way
boundary corrections apply (``Library.issue``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from corpus.model import FRAGMENT_LABEL, Article, Issue, Skipped

if TYPE_CHECKING:
    from storage.library import Library
    from storage.pagestore import PageRow


@dataclass
class PageView:
    library: Library
    rows: list[PageRow] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    by_id: dict[str, PageRow] = field(default_factory=dict)

    @classmethod
    def open(cls, library: Library) -> PageView:
        """The rows of every page (from the index when it is fresh, else parsed now)."""
        view = cls(library)
        view.reload()
        return view

    def reload(self) -> None:
        """Rows again (after a correction changed a page's articles, or a refresh)."""
        self.replace(self.library.page_rows(), self.library.skipped())

    def replace(self, rows: list[PageRow], skipped: list[Skipped]) -> None:
        """Rows read elsewhere (by a worker, after a refresh)."""
        self.rows, self.skipped = rows, skipped
        self.by_id = {r.id: r for r in rows}

    @property
    def lazy(self) -> bool:
        """Pages come from the index one at a time (the corpus is not in memory)."""
        return self.library.lazy

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def article_count(self) -> int:
        return sum(r.articles for r in self.rows)

    def issue(self, page_id: str) -> Issue | None:
        return self.library.issue(page_id)

    def article(self, article_id: str) -> Article | None:
        """One article, building only its page when the corpus is not in memory."""
        lib = self.library
        if lib.reading_index() is None:
            return lib.load().article(article_id)
        pid = issue_ids_of(lib, [article_id]).get(article_id)
        candidates = [pid] if pid is not None else sorted(lib.corrections())
        for page_id in candidates:  # an id a correction made is not in the index
            page = lib.issue(page_id)
            found = next((a for a in page.articles if a.id == article_id), None) if page else None
            if found is not None:
                return found
        return None

    def issue_of(self, article: Article) -> Issue:
        """The page an article is on (as corrected); the article must exist."""
        got = self.library.issue(article.issue_id)
        if got is None:
            raise KeyError(article.issue_id)
        return got

    def first_page(self) -> Issue | None:
        return self.issue(self.rows[0].id) if self.rows else None

    def article_rows(self) -> list[Article]:
        """Every article in page order, for a filter over the whole corpus. From the index
        they carry id, page and title only (a fragment's title is its label): enough for a
        list; ``article`` opens one. Pages with corrections come as corrected."""
        lib = self.library
        idx = lib.reading_index()
        if idx is None:
            return lib.load().articles
        fixed = lib.corrections()
        out: list[Article] = []
        done: set[str] = set()
        for aid, pid, title, label in idx.db.execute(
            "SELECT a.id, a.issue_id, a.title, CASE WHEN a.title = '' THEN "
            "json_extract(a.summary, '$.label') END FROM articles a JOIN pages p "
            "ON p.rel = a.rel WHERE p.skipped IS NULL ORDER BY p.key, a.ord"
        ):
            if pid in fixed:
                if pid not in done:
                    done.add(pid)
                    page = lib.issue(pid)
                    out.extend(page.articles if page else ())
                continue
            frag = not title and (label or "").startswith(FRAGMENT_LABEL)
            out.append(Article(aid, pid, title or label or "", fragment=frag))
        return out


def issue_ids_of(library: Library, article_ids: Iterable[str]) -> dict[str, str]:
    """Article id → page id, for the ids the corpus knows (from the index: pages as
    indexed, without building any)."""
    idx = library.reading_index()
    wanted = list(dict.fromkeys(article_ids))
    if idx is None:
        corpus = library.load()
        return {a: art.issue_id for a in wanted if (art := corpus.article(a)) is not None}
    out: dict[str, str] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        marks = ",".join("?" * len(chunk))
        out.update(
            idx.db.execute(
                f"SELECT id, issue_id FROM articles WHERE id IN ({marks})", chunk
            ).fetchall()
        )
    return out
