"""An article coded only by passages counts as coded in the tree's ✓ and shows its codes in
its row (testerC F11: a passage-coding project saw ✓0 everywhere and bare rows)."""

from __future__ import annotations

from pathlib import Path

from corpus.load import load_corpus
from storage.annotations import Store
from tests.test_tui import open_article, running
from tui.app import make_app
from tui.widgets import ArticleList, IssueList


async def test_passage_only_articles_count_as_coded(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    corpus = load_corpus(seeds_copy)
    art = next(a for a in corpus.articles if "零容忍" in a.title)
    page = corpus.issue_of(art)
    with Store.open(db) as s:
        s.highlight_quote(art, "营商环境", ["营商环境"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        il = screen.query_one(IssueList)
        assert il.progress[page.id][0] == 1  # ✓1, from the passage
        await open_article(pilot, screen, "零容忍")
        al = screen.query_one(ArticleList)
        row = al.get_option(art.id).prompt
        assert "段" in str(row) and "营商环境" in str(row)
        # a passage coded in the reader: the page's row counts it at once
        other = next(a for a in page.articles if a.id != art.id and "发展" in a.text)
        screen.ws.code_passage(other, 0, 2, ["试编"])
        screen.after_change()
        await pilot.pause()
        assert il.progress[page.id][0] == 2
        assert "coded" in str(il.border_subtitle)
