"""A toast shows headlines and code names as they are written: ``[/]`` in a headline crashed
the reader (MarkupError) when tagging the article named it, and ``[red]`` was applied
(tester E, E5).  A widget's ``notify`` asks Textual for markup by default; the app says no."""

from __future__ import annotations

from pathlib import Path

from tui.app import make_app

from .test_tui import running, stored
from .test_typeahead import settle, type_fast

HEADLINE = "沿街排查安全隐患 营造安全清新环境"


async def test_a_toast_from_a_screen_is_never_markup(seeds_copy: Path, tmp_path: Path) -> None:
    app = make_app(seeds_copy, tmp_path / "a.json")
    async with running(app) as (pilot, screen):
        screen.notify("沿街排查[/]安全 [red]码[/red] [@click=app.quit]x[/]")
        await pilot.pause(0.2)
        shown = list(app._notifications)
        assert shown and not any(n.markup for n in shown)
        assert "[red]码[/red]" in shown[-1].message
        assert app.is_running


async def test_tagging_an_article_whose_headline_holds_a_closing_tag(
    seeds_copy: Path, tmp_path: Path
) -> None:
    page = seeds_copy / "004_2ef35578912733a8.txt"
    page.write_text(
        page.read_text(encoding="utf-8").replace(HEADLINE, "沿街排查[/]安全隐患 营造安全清新环境"),
        encoding="utf-8",
    )
    db = tmp_path / "a.json"
    app = make_app(seeds_copy, db)
    async with running(app) as (pilot, screen):
        assert screen.pages is not None
        row = next(a for a in screen.pages.article_rows() if "[/]" in a.title)
        art = screen.pages.article(row.id)
        assert art is not None
        screen.select_issue(screen.pages.issue_of(art), keep=art.id)
        screen.open_article(art, focus=True)
        await pilot.pause()
        type_fast(app, "t", *"[/]码", "enter")
        await settle(pilot, lambda: bool(screen.ws.store.notes(art.id).tags), rounds=500)
        await pilot.pause(0.3)
        assert app.is_running
        said = " ".join(n.message for n in app._notifications)
        assert "[/]码" in said and "[/]安全隐患" in said
    with stored(db) as s:
        assert s.notes(art.id).tags == ("[/]码",)
