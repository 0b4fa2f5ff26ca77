"""What the reader's lists need, without holding the corpus in memory.

The issues tree needs one row per page (id, paper, date, page, title, article count); the
articles pane needs the articles of the page the user is on; the reader needs one article.
From a fresh index all three are read on demand (a decade of a daily, 30,000 pages, opens
with a few MB of rows); without one, the parsed corpus answers the same calls. Either way
boundary corrections apply (``Library.issue``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from corpus.model import Article, Issue, Skipped

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
        return self.library.article_on_demand(article_id)

    def issue_of(self, article: Article) -> Issue:
        """The page an article is on (as corrected); the article must exist."""
        got = self.library.issue(article.issue_id)
        if got is None:
            raise KeyError(article.issue_id)
        return got

    def first_page(self) -> Issue | None:
        return self.issue(self.rows[0].id) if self.rows else None

    def article_rows(self) -> list[Article]:
        """Every article in page order, for a filter over the whole corpus: from the index
        these carry id, page and title only (open one with ``article``)."""
        return self.library.article_rows()
