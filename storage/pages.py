"""What the reader's lists need, without holding the corpus in memory.

The issues tree needs one row per page (id, paper, date, page, title, article count); the
articles pane needs the articles of the page the user is on; the reader needs one article.
From a fresh index all three are read on demand (a decade of a daily, 30,000 pages, opens
with a few MB of rows); without one, the parsed corpus answers the same calls. Either way
boundary corrections apply (``Library.issue``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
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
        """The page an article is on (as corrected). Never raises: when the page has gone
        (its folder renamed or its file deleted since the reader opened it), a stand-in page
        holding just this article, so that a list or a dialog still shows something; actions
        that would code it ask ``gone`` first and say why they refuse."""
        got = self.library.issue(article.issue_id)
        if got is None:
            return Issue(article.issue_id, "", article.title, None, articles=(article,))
        return got

    def gone(self, article: Article) -> bool:
        """The article's page is no longer in the archive: unknown to the library, or its
        file is not on disk any more (renamed or deleted since the index was built)."""
        page = self.library.issue(article.issue_id)
        if page is None or not page.source:
            return True
        return not (Path(self.library.root) / page.source).is_file()

    def first_page(self) -> Issue | None:
        """The first page still on disk (a stale index may list one renamed or deleted)."""
        for row in self.rows:
            page = self.issue(row.id)
            if page is not None and (Path(self.library.root) / page.source).is_file():
                return page
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
        every = [r.id for r in self.rows]
        for aid, pid, title, label in _stubs(lib, every, len(every)):
            if pid in fixed:
                if pid not in done:
                    done.add(pid)
                    page = lib.issue(pid)
                    out.extend(page.articles if page else ())
                continue
            out.append(_stub(aid, pid, title, label))
        return out

    def matching(
        self,
        match: Callable[[set[str], PageRow], bool],
        facts_of: Callable[[str], set[str] | None],
        annotated: Iterable[str],
        limit: int,
    ) -> tuple[list[Article], int]:
        """Articles an expression selects, in page order: the first ``limit`` and how many
        in all.  ``facts_of(id)``: an annotated article's tags and states (``is:read``…);
        every other article is ``{"is:unread"}``, so for those the expression is judged
        once per page, from its row (paper, date, page), and only annotated articles one
        by one: a filter over 180,000 articles reads only the rows it shows."""
        lib = self.library
        if lib.reading_index() is None:
            chosen = [
                a
                for a in lib.load().articles
                if match(facts_of(a.id) or {"is:unread"}, self.by_id[a.issue_id])
            ]
            return chosen[:limit], len(chosen)
        marked = list(annotated)
        page_of = issue_ids_of(lib, marked)
        fixed = set(lib.corrections())
        on_page: dict[str, int] = {}
        for aid in marked:
            if aid in page_of:
                on_page[page_of[aid]] = on_page.get(page_of[aid], 0) + 1
        plain_ok: set[str] = set()
        total = 0
        for row in self.rows:
            if row.id in fixed:
                continue
            if match({"is:unread"}, row):
                plain_ok.add(row.id)
                total += row.articles - on_page.get(row.id, 0)
        marked_set = set(marked)
        keep: set[str] = set()
        for aid in marked:
            pid = page_of.get(aid)
            if pid is not None and pid not in fixed:
                if match(facts_of(aid) or {"is:unread"}, self.by_id[pid]):
                    keep.add(aid)
        total += len(keep)
        out: list[Article] = []
        for row in self.rows:
            if row.id in fixed:  # built as corrected, judged one by one
                page = lib.issue(row.id)
                for a in page.articles if page else ():
                    if match(facts_of(a.id) or {"is:unread"}, row):
                        total += 1
                        if len(out) < limit:
                            out.append(a)
        if len(out) >= limit:
            return out, total
        wanted = plain_ok | {page_of[a] for a in keep}
        in_order = [r.id for r in self.rows if r.id in wanted]
        for aid, pid, title, label in _stubs(lib, in_order, len(self.rows)):
            if aid in keep or (pid in plain_ok and aid not in marked_set):
                out.append(_stub(aid, pid, title, label))
                if len(out) >= limit:
                    break
        order = {r.id: n for n, r in enumerate(self.rows)}
        out.sort(key=lambda a: order.get(a.issue_id, -1))  # corrected pages in their place
        return out, total


def _stub(aid: str, pid: str, title: str, label: str | None) -> Article:
    """An article as a list shows it (id, page, title; a fragment's title is its label)."""
    frag = not title and (label or "").startswith(FRAGMENT_LABEL)
    return Article(aid, pid, title or label or "", fragment=frag)


def _stubs(
    library: Library, pages: list[str], all_pages: int
) -> Iterable[tuple[str, str, str, str | None]]:
    """(id, page id, title, fragment label) of the articles of some pages (given in page
    order), in page order."""
    idx = library.reading_index()
    if idx is None or not pages:
        return
    from storage.pagestore import ARTICLE_ID_SQL  # the index's module is loaded by now

    # pages first (CROSS JOIN), in their order: each page's articles come sorted by its own
    # index, so the rows stream (a caller stops at its limit) instead of all sorted first
    head = (
        f"SELECT {ARTICLE_ID_SQL}, p.id, a.title, CASE WHEN a.title = '' THEN "
        "a.label END FROM pages p CROSS JOIN articles a ON a.page = p.no "
        "WHERE p.skipped IS NULL"
    )
    if len(pages) * 4 > all_pages:  # most pages: one pass over all, skipping the others
        wanted = set(pages)
        for row in idx.db.execute(f"{head} ORDER BY p.key, a.ord"):
            if row[1] in wanted:
                yield row
        return
    for i in range(0, len(pages), 500):
        chunk = pages[i : i + 500]
        marks = ",".join("?" * len(chunk))
        yield from idx.db.execute(f"{head} AND p.id IN ({marks}) ORDER BY p.key, a.ord", chunk)


def issue_ids_of(library: Library, article_ids: Iterable[str]) -> dict[str, str]:
    """Article id → page id, for the ids the corpus knows (from the index: pages as
    indexed, without building any)."""
    return {a: pid for a, (pid, _) in article_heads(library, article_ids).items()}


def article_heads(library: Library, article_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Article id → (page id, title), for the ids the corpus knows; from the index without
    building a page (a fragment's title is empty, as on the Article)."""
    idx = library.reading_index()
    wanted = list(dict.fromkeys(article_ids))
    if idx is None:
        corpus = library.load()
        return {
            a: (art.issue_id, art.title) for a in wanted if (art := corpus.article(a)) is not None
        }
    rows = idx.article_rows(wanted)
    return {a: (row.page_id, row.title) for a in wanted if (row := rows.get(a)) is not None}
