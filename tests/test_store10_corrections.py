"""Merge, then split at the same boundary, gives the two articles back (store10, fault 1):
the headline stays with its own article, ids come back, and every coder's tags, note, read
state and passages return to the article they were made on — in one undo step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corpus.model import Article, Issue
from corpus.parse import parse_text
from tui.app import make_app
from workspace.session import Workspace

from .conftest import SEEDS
from .test_store9_corrections import CODERS, _check_attached, _code, _open
from .test_tui import open_article, running, stored


def _shape(issue: Issue) -> list[tuple[Any, ...]]:
    return [
        (a.id, a.title, a.kicker, a.subtitle, a.byline, a.text, a.spans, a.paragraphs)
        for a in issue.articles
    ]


def _lines(a: Article) -> set[int]:
    return {n for s, e in a.spans for n in range(s, e + 1)}


def _boundaries(merged: Article, second: Article) -> list[int]:
    """Where a user splits the merged article to undo the merge: the second article's
    headline (its first paragraph from there) or its first paragraph of text."""
    own = _lines(second)
    paras = [p for p in merged.paragraphs if p.lines[0] in own]
    text = next(p for p in paras if p.kind.name == "TEXT")
    return sorted({paras[0].lines[0], text.lines[0]})


def test_split_at_a_merged_boundary_parses_as_the_original_page() -> None:
    """Every neighbouring pair of every seed page: headline, kicker, dateline, byline and
    ids as before (a plain split left the headline or dateline on the wrong side)."""
    tried = 0
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        page = parse_text(text, path.stem)
        for first, second in zip(page.articles, page.articles[1:], strict=False):
            merge = [("merge_next", first.spans[0][0])]
            merged = parse_text(text, path.stem, corrections=merge)
            assert len(merged.articles) == len(page.articles) - 1
            joined = next(a for a in merged.articles if a.id == first.id)
            for line in _boundaries(joined, second):
                again = parse_text(text, path.stem, corrections=[*merge, ("split", line)])
                assert _shape(again) == _shape(page), (path.stem, first.title, line)
                tried += 1
    assert tried >= 40


def test_three_merged_split_one_boundary_at_a_time() -> None:
    """A+B+C split between A and B gives A and B+C; then between B and C the three."""
    path = sorted(SEEDS.glob("*.txt"))[1]
    text = path.read_text(encoding="utf-8")
    page = parse_text(text, path.stem)
    a, b, c = page.articles[:3]
    twice = [("merge_next", a.spans[0][0])] * 2
    abc = parse_text(text, path.stem, corrections=twice).articles[0]
    (at_b, *_), (at_c, *_) = _boundaries(abc, b), _boundaries(abc, c)
    for order in ([at_b, at_c], [at_c, at_b]):
        fixes = [*twice, *(("split", n) for n in order)]
        assert _shape(parse_text(text, path.stem, corrections=fixes)) == _shape(page)
    half = parse_text(text, path.stem, corrections=[*twice, ("split", at_b)])
    assert [x.id for x in half.articles[:2]] == [a.id, b.id]
    assert c.text in half.articles[1].text and half.articles[0].text == a.text


def _state(ws: Workspace, ids: list[str]) -> dict[str, Any]:
    """Every coder's tags, note, read state and passages of these articles."""
    out: dict[str, Any] = {}
    for c in CODERS:
        for aid in ids:
            n = ws.store.notes(aid, coders=[c])
            hs = ws.store.highlights(aid, coders=[c])
            out[f"{c} {aid}"] = (
                set(n.tags),
                n.note,
                n.read,
                sorted((h.start, h.end, h.quote, h.tags, h.note) for h in hs),
            )
    return out


@pytest.mark.parametrize("indexed", [False, True])
@pytest.mark.parametrize("at", [0, -1])
def test_merge_then_split_gives_every_coder_their_codings_back(
    seeds_copy: Path, tmp_path: Path, indexed: bool, at: int
) -> None:
    db = tmp_path / "a.json"
    ws = _open(seeds_copy, db, indexed)
    page = ws.corpus().issues[0]
    first, second = page.articles[0], page.articles[1]
    _code(ws, first, second)
    before = _state(ws, [first.id, second.id])
    ws.correct(page.id, "merge_next", first.spans[0][0])
    merged = ws.page_of(first).articles[0]
    ws.close()
    ws = _open(seeds_copy, db, indexed)  # as after a restart
    ws.take_notices()
    ws.correct(page.id, "split", _boundaries(merged, second)[at])
    assert ws.take_notices() == ["编码 codings: 4 codings followed their text"]
    assert [a.id for a in ws.page_of(first).articles[:2]] == [first.id, second.id]
    assert _state(ws, [first.id, second.id]) == before
    _check_attached(ws, {first.id, second.id})
    assert ws.undo() is not None  # one step: the merged article with everything on it
    assert ws.page_of(first).articles[0].id == first.id
    assert second.id not in {a.id for a in ws.page_of(first).articles}
    for c in CODERS:
        assert {f"A-{c}", f"B-{c}", "共同"} <= set(ws.store.notes(first.id, coders=[c]).tags)
    _check_attached(ws, {first.id})
    assert ws.redo() is not None
    assert _state(ws, [first.id, second.id]) == before
    ws.close()
    ws = _open(seeds_copy, db, indexed)  # and so it stays
    ws.corpus()
    assert _state(ws, [first.id, second.id]) == before


def test_what_changed_while_merged_stays_changed(seeds_copy: Path, tmp_path: Path) -> None:
    """A tag removed from the merged article does not come back on either half; one added
    to it stays on the first; a coder who had nothing on the first keeps nothing there."""
    db = tmp_path / "a.json"
    ws = _open(seeds_copy, db, False)
    page = ws.corpus().issues[0]
    first, second = page.articles[0], page.articles[1]
    ws.tag(first, ["甲"])
    ws.tag(second, ["乙", "丙"])
    with ws.store.as_coder("bob"):
        ws.tag(second, ["bob的"])
    ws.correct(page.id, "merge_next", first.spans[0][0])
    merged = ws.page_of(first).articles[0]
    ws.untag(merged, ["丙"])
    ws.tag(merged, ["合并后"])
    ws.correct(page.id, "split", _boundaries(merged, second)[0])
    assert set(ws.store.notes(first.id, coders=["alice"]).tags) == {"甲", "合并后"}
    assert set(ws.store.notes(second.id, coders=["alice"]).tags) == {"乙"}
    assert ws.store.notes(first.id, coders=["bob"]).tags == ()
    assert ws.store.notes(second.id, coders=["bob"]).tags == ("bob的",)
    assert not any(o.get("absorbed") for o in ws.store.orphans())


def test_three_merged_split_back_one_by_one(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    ws = _open(seeds_copy, db, False)
    page = next(p for p in ws.corpus().issues if len(p.articles) >= 3)
    a, b, c = page.articles[:3]
    for art in (a, b, c):
        ws.tag(art, [f"tag-{art.id}"])
    ws.correct(page.id, "merge_next", a.spans[0][0])
    ws.correct(page.id, "merge_next", a.spans[0][0])
    abc = ws.page_of(a).articles[0]
    assert len(ws.store.notes(a.id).tags) == 3
    ws.correct(page.id, "split", _boundaries(abc, b)[0])
    assert ws.store.notes(a.id).tags == (f"tag-{a.id}",)
    assert set(ws.store.notes(b.id).tags) == {f"tag-{b.id}", f"tag-{c.id}"}
    ws.correct(page.id, "split", _boundaries(ws.page_of(b).articles[1], c)[0])
    for art in (a, b, c):
        assert ws.store.notes(art.id).tags == (f"tag-{art.id}",)
    assert ws.store.orphans() == []


async def test_reader_merge_then_split_at_the_headline(seeds_copy: Path, tmp_path: Path) -> None:
    """M, then S on the second article's headline: the two articles as they were, each
    with its own tags."""
    db = tmp_path / "db" / "annotations.json"
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        assert screen.pages is not None and screen.article is not None
        first = screen.article
        issue = screen.pages.issue(first.issue_id)
        second = issue.articles[issue.articles.index(first) + 1]
        app.store.add_tags(first, ["前"])
        app.store.add_tags(second, ["后"])
        await pilot.press("M", "y")  # the reader asks first
        await pilot.pause()
        merged = screen.article
        assert merged is not None and second.title in merged.text
        where = [p.text for p in merged.paragraphs].index(second.title)
        await pilot.press("S", *["down"] * where, "enter")
        await pilot.pause()
        again = screen.pages.issue(first.issue_id)
        assert [a.title for a in again.articles] == [a.title for a in issue.articles]
        assert [a.id for a in again.articles] == [a.id for a in issue.articles]
    with stored(db) as s:
        assert s.notes(first.id).tags == ("前",)
        assert s.notes(second.id).tags == ("后",)


def test_a_code_renamed_while_merged_comes_back_renamed(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    ws = _open(seeds_copy, db, False)
    page = ws.corpus().issues[0]
    first, second = page.articles[0], page.articles[1]
    ws.tag(first, ["甲"])
    ws.tag(second, ["旧名", "去掉"])
    ws.correct(page.id, "merge_next", first.spans[0][0])
    merged = ws.page_of(first).articles[0]
    ws.store.rename_code("旧名", "新名")
    ws.store.delete_code("去掉")
    ws.correct(page.id, "split", _boundaries(merged, second)[0])
    assert ws.store.notes(first.id).tags == ("甲",)
    assert ws.store.notes(second.id).tags == ("新名",)
