"""A new code one character away from an existing one is named as like it, on the command
line and in the reader's tag prompt (testerC F10: 营商坏境 became a new code silently)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main
from corpus.load import load_corpus
from storage.annotations import Store
from tests.test_tui import open_article, running
from tui.app import make_app
from tui.dialogs import ConfirmDialog
from workspace.codebook import codes_like, one_slip

AID = "003_cbd287e44765a48a-64ebaed8"


def test_one_slip() -> None:
    assert one_slip("营商坏境", "营商环境") and one_slip("营商环", "营商环境")
    assert one_slip("乡村振兴战", "乡村振兴战略") and one_slip("营商x环境", "营商环境")
    assert not one_slip("党风", "党建")  # two characters: usually two real codes
    assert not one_slip("营商环境", "营商环境") and not one_slip("营商坏坏", "营商环境")
    assert codes_like("营商坏境", ["营商环境", "党建", "营商环境优化"]) == ["营商环境"]
    assert codes_like("营商", ["营商环境", "党建"]) == ["营商环境"]


def test_cli_names_the_code_a_slip_is_like(
    seeds_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--corpus", str(seeds_copy)]
    assert main([*args, "tag", AID, "营商环境"]) == 0
    capsys.readouterr()
    assert main([*args, "tag", AID, "营商坏境"]) == 0
    assert "piyue: new code 营商坏境 (codes like it: 营商环境)\n" in capsys.readouterr().err


async def test_reader_asks_before_a_slip_becomes_a_code(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    arts = load_corpus(seeds_copy).articles
    with Store.open(db) as s:
        s.add_tags(arts[0], ["营商环境"])
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        await open_article(pilot, screen, "提升站位")
        aid = screen.article.id  # type: ignore[union-attr]
        await pilot.press("t", *"营商坏境", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "营商环境" in app.screen.question
        await pilot.press("n")  # use 营商环境
        await pilot.pause()
        assert app.screen is screen
    with Store.open(db, readonly=True) as s:
        assert s.notes(aid).tags == ("营商环境",)
        assert "营商坏境" not in {t.name for t in s.tag_defs()}
