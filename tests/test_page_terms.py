"""Page terms work everywhere tag expressions do (issue #17): export --where and the filter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main
from corpus.load import load_corpus
from storage.annotations import Store
from tui.app import make_app

from .test_tui import running


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_export_where_takes_page_terms(
    seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "db.json")
    corpus = load_corpus(seeds_copy)
    dated = next(i for i in corpus.issues if i.date == "2018-09-12")
    base = ["--corpus", str(seeds_copy), "--db", db]
    code, out, _ = run(capsys, *base, "export", "--all", "--where", "date:2018-09")
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert code == 0 and ids == [a.id for a in dated.articles]
    code, out, _ = run(
        capsys, *base, "export", "--all", "--where", "not date:2018-09-01..2018-09-30"
    )
    assert len(out.splitlines()) == len(corpus.articles) - len(dated.articles)
    code, out, err = run(capsys, *base, "export", "--all", "--where", "date:2018-13")
    assert code == 2 and out == "" and err.count("\n") == 1


async def test_the_filter_takes_page_terms(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    corpus = load_corpus(seeds_copy)
    dated = next(i for i in corpus.issues if i.date == "2018-09-12")
    with Store.open(db) as s:
        s.add_tags(dated.articles[0], ["营商环境"])
        s.add_tags(corpus.issues[0].articles[0], ["营商环境"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await pilot.press("f", *"营商环境 date:2018-09-12", "enter")
        await pilot.pause()
        assert [a.id for a in screen.visible_articles] == [dated.articles[0].id]
