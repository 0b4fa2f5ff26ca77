"""The reader over a built index: the tree comes from page rows and pages are built one at a
time (the corpus is never read whole), yet every flow behaves as over a parsed corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.load import load_corpus
from storage.annotations import Store
from storage.library import Library
from tui.app import PiyueApp, make_app
from tui.screens.main import MainScreen
from tui.widgets import ArticleList, IssueList

from .test_tui import open_article, running, stored


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


@pytest.fixture
def indexed(seeds_copy: Path) -> Path:
    """The seeds with their index built, as after a first run."""
    lib = Library(seeds_copy)
    assert lib.refresh_index() is not None
    return seeds_copy


def never_whole(screen: MainScreen) -> None:
    assert screen.pages is not None and screen.pages.lazy
    assert screen.ws.library.corpus is None, "the corpus was read whole"


async def test_tree_and_lists_from_rows(indexed: Path, db: Path) -> None:
    corpus = load_corpus(indexed)
    app = make_app(indexed, db)
    async with running(app) as (pilot, screen):
        never_whole(screen)
        assert screen.pages is not None
        assert [r.id for r in screen.pages.rows] == [i.id for i in corpus.issues]
        assert screen.pages.article_count == len(corpus.articles)
        assert screen.query_one(IssueList).page_count == len(corpus.issues)
        assert screen.article is not None and screen.article.text  # a whole article
        want = corpus.article(screen.article.id)
        assert want is not None and screen.article.text == want.text
        # moving down the tree builds the page under the cursor
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert screen.issue is not None
        page = corpus._issues[screen.issue.id]
        assert [a.id for a in screen.visible_articles] == [a.id for a in page.articles]
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert screen.article is not None and screen.article.text == page.articles[0].text
        never_whole(screen)


async def test_tag_progress_and_filter_over_rows(indexed: Path, db: Path) -> None:
    arts = load_corpus(indexed).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[9], ["营商环境", "党建"])
        s.set_read(arts[9], True)
    app = make_app(indexed, db)
    async with running(app) as (pilot, screen):
        never_whole(screen)
        il = screen.query_one(IssueList)
        page9 = arts[9].issue_id
        n9 = sum(1 for a in arts if a.issue_id == page9)
        assert il.progress[page9][0] >= 1 and il.progress[page9][1] == n9 - 1
        await pilot.press("f", *"营商环境 and not 党建", "enter")
        await pilot.pause()
        assert [a.id for a in screen.visible_articles] == [arts[0].id]
        await pilot.press("f")
        app.screen.query_one("Input").value = "is:unread"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert len(screen.visible_articles) == len(arts) - 1
        # a filtered row opens as the whole article, and ] steps to the next one, whole
        screen.set_pane("articles")
        await pilot.press("enter")
        await pilot.pause()
        first = screen.article
        assert first is not None and first.text == arts[0].text
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.article is not None and screen.article.text == arts[1].text
        await open_article(pilot, screen, arts[3].title[:6])
        await pilot.press("t", *"目标", "enter")
        await pilot.pause()
        never_whole(screen)
    with stored(db) as s:
        assert "目标" in s.notes(arts[3].id).tags


async def test_correction_reattaches_only_its_page(indexed: Path, db: Path) -> None:
    corpus = load_corpus(indexed)
    target = next(a for a in corpus.articles if "市政协党组" in a.title)
    page = corpus._issues[target.issue_id]
    i = page.articles.index(target)
    nxt = page.articles[i + 1]
    other = next(a for a in corpus.articles if a.issue_id != target.issue_id)
    with Store.open(db) as s:
        s.add_tags(nxt, ["被合并"])
        s.add_tags(other, ["别处"])
        s.add_highlight(other, 0, 4, ["别处段落"])
    app = make_app(indexed, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "市政协党组")
        await pilot.press("M", "y")  # asked first (what moves)
        await pilot.pause()
        assert screen.pages is not None and screen.article is not None
        assert len(screen.pages.issue(target.issue_id).articles) == len(page.articles) - 1  # type: ignore[union-attr]
        assert screen.query_one(ArticleList).option_count == len(page.articles) - 1
        never_whole(screen)
        with stored(db) as s:
            merged = s.notes(screen.article.id)
            assert "被合并" in merged.tags  # the merged-in article's tag moved along
            assert s.notes(other.id).tags == ("别处",)  # other pages untouched
            assert not s.orphans()
        await pilot.press("u")
        await pilot.pause()
        assert len(screen.pages.issue(target.issue_id).articles) == len(page.articles)  # type: ignore[union-attr]
        never_whole(screen)
    with stored(db) as s:
        assert not s.orphans()
        assert s.notes(other.id).tags == ("别处",)


async def test_date_jump_and_search_over_rows(indexed: Path, db: Path) -> None:
    corpus = load_corpus(indexed)
    dated = next(i for i in corpus.issues if i.date)
    app = make_app(indexed, db)
    async with running(app) as (pilot, screen):
        await pilot.press("d", *dated.date.replace("-", ""), "enter")  # type: ignore[union-attr]
        await pilot.pause()
        assert screen.issue is not None and screen.issue.date == dated.date
        assert screen.issue.articles
        await pilot.press("slash", *"尾矿库", "enter")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert screen.article is not None and "尾矿库" in screen.article.text
        never_whole(screen)


async def test_tree_follows_page_files_changed_since_the_index(indexed: Path, db: Path) -> None:
    """The tree is drawn from the index before the page files are walked; the refresh that
    follows finds a page added and one removed, and the tree follows."""
    pages = sorted(indexed.glob("*.txt"))
    gone = pages[-1]
    added = indexed / "zz_new.txt"
    added.write_text("## 新增的版面标题\n\n这是一篇新文章的正文，讲述尾矿库的治理。\n", "utf-8")
    gone_id = gone.stem
    gone.unlink()
    app = make_app(indexed, db)
    async with running(app) as (pilot, screen):
        for _ in range(100):
            await pilot.pause(0.05)
            ids = [r.id for r in screen.pages.rows] if screen.pages else []
            if "zz_new" in ids:
                break
        assert "zz_new" in ids and not any(i.startswith(gone_id) for i in ids)
        il = screen.query_one(IssueList)
        assert il.page_count == len(ids)
        assert "zz_new" in il.by_id
        never_whole(screen)


async def test_analysis_screens_build_what_they_read_first(indexed: Path, db: Path) -> None:
    """The codebook's Enter retrieves over the pages of coded articles only (the corpus is
    not read whole); K and a term typed without a pause: the corpus is read whole in a
    worker while the keys wait, then the concordance takes them."""
    from tests.test_tui_analysis import seed, until
    from tui.screens.codebook import CodebookScreen
    from tui.screens.concordance import ConcordanceScreen
    from tui.screens.retrieval import RetrievalScreen

    seed(indexed, db)
    app = make_app(indexed, db)
    async with running(app) as (pilot, screen):
        never_whole(screen)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CodebookScreen), "codebook")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RetrievalScreen), "retrieval")
        assert app.screen.items  # type: ignore[attr-defined]
        never_whole(screen)
        await pilot.press("escape", "escape")
        await until(pilot, lambda: app.screen is screen, "back")
        await pilot.press("K", *"营商环境", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        await until(pilot, lambda: len(ks.lines) == 12, "every occurrence")
        assert ks.term == "营商环境"


async def test_a_broad_filter_lists_the_first_rows_and_says_how_many(
    indexed: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    import tui.screens.base as base

    monkeypatch.setattr(base, "FILTER_ROWS", 5)
    arts = load_corpus(indexed).articles
    with Store.open(db) as s:
        s.set_read(arts[0], True)
        s.add_tags(arts[2], ["x"])
    app = make_app(indexed, db)
    async with running(app) as (pilot, screen):
        await pilot.press("f", *"is:unread", "enter")
        await pilot.pause()
        assert [a.id for a in screen.visible_articles] == [a.id for a in arts[1:6]]
        title = str(screen.query_one("#articles").border_title)
        assert f"({len(arts) - 1}, 前 5 条 first 5 shown)" in title
        never_whole(screen)


async def test_search_typed_at_start_up_runs_over_a_built_index(indexed: Path, db: Path) -> None:
    """With pages from the index the lists, the index and the search dialog are all ready
    within moments of each other: the query typed at start-up still runs (it was lost when
    the index became ready while the search worker was deciding to wait for it)."""
    from textual.widgets import Input, OptionList

    from tests.test_typeahead import settle, type_fast
    from tui.dialogs import SearchScreen

    for _ in range(3):
        app = make_app(indexed, db)
        async with app.run_test(size=(160, 50)) as pilot:
            type_fast(app, "/", *"尾矿库", "enter")

            def searched(app: PiyueApp = app) -> bool:
                screen = app.screen
                return isinstance(screen, SearchScreen) and bool(screen.hit_ids)

            await settle(pilot, searched)
            assert app.screen.query_one("#search-input", Input).value == "尾矿库"
            assert app.screen.query_one("#search-hits", OptionList).option_count >= 1


async def test_filter_over_rows_follows_a_corrected_page(indexed: Path, db: Path) -> None:
    """A page with a boundary correction is built as corrected: a filter lists its articles
    as they are now (the index knows them as parsed), in page order among the others."""
    from workspace.session import Workspace

    corpus = load_corpus(indexed)
    target = next(a for a in corpus.articles if "市政协党组" in a.title)
    page = corpus._issues[target.issue_id]
    with Workspace(indexed, db, mode="write") as ws:
        ws.corpus()
        after = ws.correct(target.issue_id, "merge_next", target.spans[0][0])
        merged = next(a for a in after._issues[target.issue_id].articles if a.id == target.id)
        ws.tag(merged, ["合并后"])
    app = make_app(indexed, db)
    async with running(app) as (pilot, screen):
        never_whole(screen)
        await pilot.press("f", *"合并后", "enter")
        await pilot.pause()
        assert [a.id for a in screen.visible_articles] == [target.id]
        await pilot.press("f")
        app.screen.query_one("Input").value = "is:unread"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        ids = [a.id for a in screen.visible_articles]
        assert len(ids) == len(corpus.articles) - 1  # one merged into the other
        assert target.id in ids  # tagged, still unread
        assert page.articles[page.articles.index(target) + 1].id not in ids
        firsts = [a.issue_id for a in screen.visible_articles]
        assert firsts == sorted(firsts, key=[r.id for r in screen.pages.rows].index)  # type: ignore[union-attr]


def test_coded_corpus_gives_what_the_whole_corpus_gives(indexed: Path, db: Path) -> None:
    """Retrieval, co-occurrence and their statistics over the pages of coded articles equal
    the same over every page (and only those pages are built)."""
    from tests.test_tui_analysis import seed
    from workspace import analysis as an
    from workspace.session import Workspace

    seed(indexed, db)
    with Workspace(indexed, db, mode="read") as ws:
        assert ws.library.lazy
        coded = ws.coded_corpus()
        assert 0 < len(coded.issues) < len(ws.library.page_rows())
        assert ws.library.corpus is None
        got = (
            an.retrieve_dict(an.retrieve(coded, ws.store, "营商环境", sort="date", width=20)),
            an.cooccur(coded, ws.store),
            an.stats(coded, ws.store, "date"),
            an.stats(coded, ws.store, "page"),
        )
        whole = ws.corpus()
        want = (
            an.retrieve_dict(an.retrieve(whole, ws.store, "营商环境", sort="date", width=20)),
            an.cooccur(whole, ws.store),
            an.stats(whole, ws.store, "date"),
            an.stats(whole, ws.store, "page"),
        )
        assert got == want
        assert got[0]  # something was retrieved


def test_quick_rows_are_the_index_rows(indexed: Path, tmp_path: Path) -> None:
    """What the first frame draws: the index's rows, read without the index module; none
    from a missing index, an index of another schema, or one over the size limit."""
    import sqlite3

    from storage import locations
    from storage.pagerow import index_path, quick_rows

    lib = Library(indexed)
    cache = locations.cache_dir()
    rows = quick_rows(cache, indexed)
    assert rows is not None and rows == lib.page_rows()
    assert quick_rows(cache, indexed, most=len(rows) - 1) is None
    assert quick_rows(cache, tmp_path / "nowhere") is None
    other = tmp_path / "other-cache"
    other.mkdir()
    copy = index_path(other, indexed)
    with sqlite3.connect(index_path(cache, indexed)) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)  # the index is in WAL mode: copying the file alone misses pages
    with sqlite3.connect(copy) as db:
        db.execute("UPDATE meta SET value='1' WHERE key='schema'")
    assert quick_rows(other, indexed) is None


async def test_first_frame_has_the_titles(indexed: Path, db: Path) -> None:
    app = make_app(indexed, db)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        il = app.main_screen.query_one(IssueList)
        assert il.page_count == 5  # drawn from the index's rows in on_mount
        rows_before = il.shown_rows
        from tests.test_typeahead import settle

        await settle(pilot, lambda: app.main_screen.pages is not None)
        await pilot.pause(0.2)
        assert il.shown_rows == rows_before  # the full reading found the same pages


def test_rows_kept_beside_the_index_until_it_is_written(indexed: Path) -> None:
    """The full reading keeps its rows for the next start (marshal, ~2x faster than sqlite
    at 30,000 pages); they are used only while the index is unwritten since, and a broken
    file only sends the reader back to sqlite."""
    import sqlite3

    from storage import locations
    from storage.pagerow import index_path, quick_rows, rows_file

    cache = locations.cache_dir()
    index = index_path(cache, indexed)
    lib = Library(indexed)
    rows = lib.page_rows()
    kept = rows_file(index)
    assert kept.is_file()
    assert quick_rows(cache, indexed) == rows
    assert quick_rows(cache, indexed, most=len(rows) - 1) is None
    before = kept.stat().st_mtime_ns
    Library(indexed).page_rows()  # unchanged: the file is not written again
    assert kept.stat().st_mtime_ns == before
    # The index is written (another page's title): the kept rows no longer count.
    with sqlite3.connect(index) as db:
        db.execute("UPDATE pages SET title = 'changed' WHERE rowid = 1")
    fresh = quick_rows(cache, indexed)
    assert fresh is not None and "changed" in {r.title for r in fresh}
    kept.write_bytes(b"\x00\x00\x00\xffnot marshal")
    assert quick_rows(cache, indexed) == fresh


async def test_concordance_reads_the_term_not_the_corpus(indexed: Path, db: Path) -> None:
    """With pages from the index, the concordance takes the texts holding its term from the
    index (no page built, the corpus never read whole): the same lines as over every page,
    with their places; keys typed while it looks wait for the lines."""
    from tui.screens.concordance import ConcordanceScreen
    from workspace.kwic import kwic

    corpus = load_corpus(indexed)
    app = make_app(indexed, db)
    async with running(app) as (pilot, screen):
        await pilot.press("K", *"营商环境", "enter", "r")  # "r" sorts what arrives
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        for _ in range(200):
            if ks.lines and ks.sort == "right":
                break
            await pilot.pause(0.02)
        want = kwic(corpus, "营商环境", width=len(ks.lines[0].left), sort="right")
        assert [(ln.article_id, ln.start) for ln in ks.lines] == [
            (ln.article_id, ln.start) for ln in want
        ]
        one = corpus.article(ks.lines[0].article_id)
        assert one is not None and one.title[:6] in ks.places[one.id]
        never_whole(screen)


def test_term_pages_are_the_pages_it_is_on_as_corrected(indexed: Path, db: Path) -> None:
    """Autocoding (and a concordance while a boundary correction exists) reads the pages the
    term is on, as corrected: the same lines as over every page."""
    from workspace.kwic import kwic
    from workspace.session import Workspace

    corpus = load_corpus(indexed)
    target = next(a for a in corpus.articles if "市政协党组" in a.title)
    with Workspace(indexed, db, mode="write") as ws:
        ws.corpus()
        ws.correct(target.issue_id, "merge_next", target.spans[0][0])
    with Workspace(indexed, db, mode="read") as ws:
        assert ws.library.lazy
        assert ws.indexed_texts("营商环境") is None  # the index has the articles as parsed
        some = ws.term_corpus("营商环境")
        assert ws.library.corpus is None
        assert 0 < len(some.issues) < len(corpus.issues)
        assert target.issue_id in {i.id for i in some.issues}  # corrected pages come along
        whole = ws.corpus()
        for term in ("营商环境", "防汛"):
            assert kwic(ws.term_corpus(term), term) == kwic(whole, term)


async def test_an_empty_folder_says_so_in_its_empty_lists(tmp_path: Path) -> None:
    """No pages: the folder and the extensions looked for, on the status line and in the
    lists, and still there once the (empty) index is ready."""
    empty = tmp_path / "nothing here"
    empty.mkdir()
    (empty / "notes.docx").write_bytes(b"PK\x03\x04")
    app = make_app(empty, tmp_path / "db.json")
    async with running(app) as (pilot, screen):
        for _ in range(100):  # the index is ready a moment after the pages are read
            if screen.index_ready:
                break
            await pilot.pause(0.05)
        await pilot.pause()
        status = str(screen.query_one("#status").render())
        assert f"no pages in {empty}" in status and "*.md" in status  # cut at the edge
        shown = str(screen.query_one(ArticleList).get_option_at_index(0).prompt)
        assert f"no pages in {empty}" in shown and "*.txt" in shown and "1 other file" in shown
        assert "no pages" in str(screen.query_one(IssueList).get_option_at_index(0).prompt)
