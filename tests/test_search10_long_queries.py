"""Long queries: a word given twice is one condition, the index's work is bounded, and a
query past ``MAX_WORDS`` words is refused, with the limit named, by the command line and the
reader's search dialog alike (a 4,000-word query ran for minutes)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, Static

from cli import main
from corpus.search import MAX_WORDS, QueryTooLong, match_spans, parse_query, query_problem
from storage.index import Index
from tui.app import make_app
from tui.dialogs import SearchScreen


def test_a_word_given_twice_is_one_condition() -> None:
    q = parse_query(" ".join(["营商环境", "发展"] * 2000) + ' "营商环境" -党建 -党建')
    assert q.terms == ["营商环境", "发展"] and q.phrases == [] and q.excluded == ["党建"]
    assert query_problem(" ".join(["营商环境", "发展"] * 2000)) is None
    assert match_spans("营商环境好", ["营商环境"] * 50) == [(0, 4)]


def test_too_many_words_are_refused_with_the_limit_named() -> None:
    words = " ".join(f"词{i}" for i in range(MAX_WORDS + 1))
    said = query_problem(words)
    assert said is not None and f"{MAX_WORDS + 1} words" in said and f"at most {MAX_WORDS}" in said
    assert query_problem(" ".join(f"词{i}" for i in range(MAX_WORDS))) is None
    # a phrase's words count one by one: FTS5 matches a long phrase in quadratic time
    assert query_problem('"' + " ".join(["发展"] * (MAX_WORDS + 1)) + '"') is not None


def test_or_and_not_are_no_operators_and_say_so() -> None:
    said = query_problem("营商 OR 发展")
    assert said is not None and "OR is not an operator" in said and '"OR"' in said
    assert query_problem('营商 "OR"') is None  # quoted, it is a word
    assert query_problem("营商 or 发展") is None


def test_long_queries_cost_what_short_ones_do(tmp_path: Path, seeds_copy: Path) -> None:
    """Same hits as the two words alone; a 100,000-character word takes about as long as a
    short one (it took 13 s: every position was matched against the vocabulary)."""
    idx = Index(seeds_copy, tmp_path / "c")
    idx.refresh(workers=1)
    want = [h.article_id for h in idx.search("营商环境 发展")]
    assert want
    assert [h.article_id for h in idx.search(" ".join(["营商环境", "发展"] * 2000))] == want
    text = max((a.text for a in idx.corpus().articles), key=len)
    t = time.perf_counter()
    idx.search("营商环境")
    short = time.perf_counter() - t
    t = time.perf_counter()
    assert idx.search((text * 100)[:100_000]) == []  # longer than any article
    assert time.perf_counter() - t < 1.0 + 20 * short
    passage = max(text.split(), key=len)[:300]  # a pasted passage of the corpus: found
    assert len(passage) > 100
    (hit,) = idx.search(passage)
    s, e = hit.spans[0]
    assert e - s == len(passage)
    # the snippet shows the long match by its ends, not the whole paragraph
    assert f"«{passage[:30]}…{passage[-30:]}»" in hit.snippet and len(hit.snippet) < 200
    with pytest.raises(QueryTooLong):
        idx.search(" ".join(f"词{i}" for i in range(MAX_WORDS + 1)))
    idx.close()


def test_the_command_line_refuses_and_merges(
    seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--corpus", str(seeds_copy), "--db", str(tmp_path / "db.json"), "search", "--json"]
    main([*base, "营商环境", "发展"])
    want = json.loads(capsys.readouterr().out)["hits"]
    assert want
    main([*base, *(["营商环境", "发展"] * 2000)])
    assert json.loads(capsys.readouterr().out)["hits"] == want
    with pytest.raises(SystemExit) as exc:
        main([*base, *(f"词{i}" for i in range(MAX_WORDS + 1))])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"at most {MAX_WORDS}" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        main([*base, "营商", "OR", "发展"])
    assert "OR is not an operator" in capsys.readouterr().err


async def _paste_and_search(seeds_copy: Path, db: Path, query: str) -> SearchScreen:
    app = make_app(seeds_copy, db)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.main_screen
        for _ in range(400):
            if screen.index_ready:
                break
            await pilot.pause(0.05)
        await pilot.press("slash")
        for _ in range(100):
            if isinstance(app.screen, SearchScreen):
                break
            await pilot.pause(0.02)
        dialog = app.screen
        assert isinstance(dialog, SearchScreen)
        box = dialog.query_one("#search-input", Input)
        box.post_message(events.Paste(query))
        for _ in range(200):
            await pilot.pause(0.02)
            if box.value == query:
                break
        assert box.value == query
        await pilot.press("enter")
        status = dialog.query_one("#search-status", Static)
        for _ in range(500):
            await pilot.pause(0.02)
            said = str(status.render())
            if said.strip() and "搜索中" not in said:
                break
        dialog.said = str(status.render())  # type: ignore[attr-defined]
        return dialog


async def test_the_dialog_gives_the_same_hits_for_a_pasted_long_query(
    seeds_copy: Path, tmp_path: Path
) -> None:
    dialog = await _paste_and_search(
        seeds_copy, tmp_path / "db.json", " ".join(["营商环境", "发展"] * 2000)
    )
    idx = Index(seeds_copy, tmp_path / "c")
    idx.refresh(workers=1)
    want = [h.article_id for h in idx.search("营商环境 发展", 201)]
    idx.close()
    assert dialog.hit_ids == want


async def test_the_dialog_refuses_what_the_command_line_refuses(
    seeds_copy: Path, tmp_path: Path
) -> None:
    query = " ".join(f"词{i}" for i in range(MAX_WORDS + 1))
    dialog = await _paste_and_search(seeds_copy, tmp_path / "db.json", query)
    said = dialog.said  # type: ignore[attr-defined]
    assert dialog.hit_ids == [] and f"at most {MAX_WORDS}" in said and "refused" in said
