"""One meaning of a code in a tag expression everywhere: the code or any of its descendants
(``retrieve`` and the codebook's with-children totals always counted them; the reader's
filter and ``export --where`` did not)."""

from __future__ import annotations

from pathlib import Path

from corpus.load import load_corpus
from storage.annotations import Store, parse_expression
from storage.annotations.expressions import codebook_parents, page_matcher, with_ancestors
from tui.app import make_app

from .test_tui import db, running

__all__ = ["db"]


def test_matcher_widens_tags_with_their_ancestors() -> None:
    parents = {"监管执法": "营商环境", "表述": "监管执法"}
    match = page_matcher(parse_expression("营商环境 and not 党建"), parents)
    assert match({"表述"}, None) and match({"监管执法"}, None) and match({"营商环境"}, None)
    assert not match({"表述", "党建"}, None) and not match({"其他"}, None)
    assert not page_matcher(parse_expression("营商环境"))({"监管执法"}, None)  # no codebook
    assert with_ancestors(["表述"], parents) == {"表述", "监管执法", "营商环境"}
    assert with_ancestors(["a"], {"a": "b", "b": "a"}) == {"a", "b"}  # a cycle ends the walk


async def test_reader_filter_counts_child_codes(seeds_copy: Path, db: Path) -> None:
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["营商环境"])
        s.add_tags(arts[3], ["监管执法"])
        s.highlight_quote(arts[9], arts[9].text[:4], ["表述"])
        s.add_tags(arts[12], ["监管执法", "党建"])
        s.define_tag("营商环境")
        s.define_tag("监管执法", parent="营商环境")
        s.define_tag("表述", parent="监管执法")
        assert codebook_parents(s.tag_defs()) == {"监管执法": "营商环境", "表述": "监管执法"}
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await pilot.press("f", *"营商环境 and not 党建", "enter")
        await pilot.pause()
        assert [a.id for a in screen.visible_articles] == [arts[i].id for i in (0, 3, 9)]
