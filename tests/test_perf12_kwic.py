"""The concordance of a term in headlines, from the index: the headlines scanned once, no page
built for them, and the same lines as over the whole corpus (headline lines marked)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corpus.load import load_corpus
from storage.index_read import IndexReader
from storage.library import Library
from tests.test_tui import running
from tests.test_tui_analysis import until
from workspace.kwic import concordance_head, headline_pages, kwic, kwic_library, texts_with_heads

TERMS = ["发展", "营商环境", "加快推动高质量发展", "制造业高质量发展", "洛阳", "不在语料里的词"]


def indexed(seeds: Path) -> Library:
    Library(seeds).refresh_index(workers=1)
    return Library(seeds)


def no_page_built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every page built from the index from now on (none should be)."""
    built: list[str] = []
    real = IndexReader.issue

    def issue(self: IndexReader, page_id: str) -> Any:
        built.append(page_id)
        return real(self, page_id)

    monkeypatch.setattr(IndexReader, "issue", issue)
    return built


@pytest.mark.parametrize("term", TERMS)
def test_kwic_from_the_index_builds_no_page_for_its_headlines(
    seeds_copy: Path, monkeypatch: pytest.MonkeyPatch, term: str
) -> None:
    """Every line the whole corpus gives, in its order, sorted and cut the same, with no page
    built: the headline pages were built whole for their titles (0.6 s at 3,000 pages)."""
    lib = indexed(seeds_copy)
    built = no_page_built(monkeypatch)
    corpus = load_corpus(seeds_copy)
    for sort in (None, "left", "right"):
        for limit in (None, 3):
            got = kwic_library(lib, term, sort=sort, limit=limit)
            want = kwic(corpus, term, sort=sort, limit=limit)
            assert [ln.as_dict() for ln in got] == [ln.as_dict() for ln in want]
    assert lib.corpus is None and built == []


def test_texts_with_heads_counts_as_the_corpus_does(
    seeds_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the reader's concordance reads: the first lines, how many lines and in how many
    articles, as over the pages built; the banner with its page's first article only."""
    lib = indexed(seeds_copy)
    idx = lib.reading_index()
    assert idx is not None
    built = no_page_built(monkeypatch)
    corpus = load_corpus(seeds_copy)
    for term in TERMS:
        pages = headline_pages(idx, term)
        head, total, arts = concordance_head(
            texts_with_heads(idx, term, pages), term, width=8, sort="left", limit=5
        )
        every = kwic(corpus, term, width=8, sort="left")
        assert [ln.as_dict() for ln in head] == [ln.as_dict() for ln in every[:5]]
        assert (total, arts) == (len(every), len({ln.article_id for ln in every}))
    banner = [ln for ln in kwic_library(lib, "加快推动高质量发展") if ln.part == "banner"]
    (line,) = banner
    page = next(i for i in corpus.issues if "加快推动高质量发展" in i.banner)
    assert line.article_id == page.articles[0].id
    assert built == []


async def test_the_readers_concordance_scans_the_headlines_once(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``K 发展`` on an indexed corpus: one scan of the headlines (two before), no page built
    for them, and the lines, their count and the headline marks of the whole corpus."""
    from tui.app import make_app
    from tui.screens.concordance import LIMIT, ConcordanceScreen, place

    Library(seeds_copy).refresh_index(workers=1)
    app = make_app(seeds_copy, tmp_path / "db.json")
    async with running(app) as (pilot, main):
        assert app.workspace.library.lazy  # the index answers (the corpus is not in memory)
        built = no_page_built(monkeypatch)
        idx = app.workspace.library.reading_index()
        assert idx is not None
        scans: list[str] = []  # the statements that read the headlines
        idx.db.set_trace_callback(lambda sql: scans.append(sql) if "instr(a.title" in sql else None)
        await pilot.press("K", *"发展", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "concordance")
        ks = app.screen
        assert isinstance(ks, ConcordanceScreen)
        await until(pilot, lambda: bool(ks.lines), "lines")
        every = kwic(load_corpus(seeds_copy), "发展", width=len(ks.lines[0].right) or 20)
        assert len(scans) == 1, scans
        assert ks.total == len(every) and ks.article_total == len({ln.article_id for ln in every})
        assert [(ln.article_id, ln.part, ln.start) for ln in ks.lines] == [
            (ln.article_id, ln.part, ln.start) for ln in every[:LIMIT]
        ]
        assert {"title", "kicker", "banner"} <= {ln.part for ln in ks.lines}
        corpus = load_corpus(seeds_copy)
        for ln in ks.lines:  # where each line is: its page's date and its article's title
            art = corpus.article(ln.article_id)
            assert art is not None
            assert ks.places.get(ln.article_id, "") == place(corpus.issue_of(art).date, art.title)
        assert built == []
