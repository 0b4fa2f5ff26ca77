"""Search and filter faults from test user B (session 10): a paper named after a folder
with spaces could not be selected (F14); the full-width minus an input method types did not
exclude (F23); ``paper:未知报纸`` worked in the reader only; ``*`` silently found nothing;
``M`` on a page's last article stored a merge that changed nothing (F15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main
from corpus.search import QueryRefused, parse_query, query_problem
from storage.annotations import Store
from storage.annotations.expressions import page_terms, parse_expression
from storage.errors import AnnotationError
from storage.library import Library
from tui.app import make_app
from tui.dialogs import SearchScreen

from .test_tui import open_article, running

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SPACED = "洛阳日报 副刊 (扫描)"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Three pages: one of a paper whose folder name has spaces and brackets, one of
    洛阳日报, one loose page with no paper at all."""
    root = tmp_path / "archive"
    for rel, seed in (
        (f"{SPACED}/2015-03-10/01.md", SEEDS[0]),
        ("洛阳日报/2015/03/10/01.md", SEEDS[1]),
        ("loose.txt", SEEDS[2]),
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(seed.read_bytes())
    return root


def run(capsys: pytest.CaptureFixture[str], archive: Path, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    db = archive.parent / "db.json"
    try:
        code = main(["--corpus", str(archive), "--db", str(db), *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def exported(capsys: pytest.CaptureFixture[str], archive: Path, where: str) -> set[str]:
    code, out, err = run(capsys, archive, "export", "--all", "--where", where)
    assert code == 0, (where, err)
    return {json.loads(line)["id"] for line in out.splitlines()}


# ------------------------------------------------------------------ F14, one grammar


def test_a_field_value_may_be_quoted_with_any_quote_and_colon() -> None:
    want = ("tag", f"paper:{SPACED}")
    for expr in (
        f'paper:"{SPACED}"',
        f"paper:“{SPACED}”",
        f"paper:＂{SPACED}＂",
        f"paper:'{SPACED}'",
        f'paper："{SPACED}"',
        f"paper：“{SPACED}”",
    ):
        tree = parse_expression(expr)
        assert tree == want, expr
        assert page_terms(tree)[want[1]].matches(_Page(SPACED)), expr
    # every field that takes a name reads it the same way
    assert parse_expression('section:"理论 评论"') == ("tag", "section:理论 评论")
    assert parse_expression("paper：洛阳日报 and not 党建") == (
        "and",
        ("tag", "paper:洛阳日报"),
        ("not", ("tag", "党建")),
    )
    # a code may hold a full-width colon or Chinese quotes: it stays one name
    assert parse_expression("主题：经济 or “放管服”改革") == (
        "or",
        ("tag", "主题：经济"),
        ("tag", "“放管服”改革"),
    )
    # grouping still works around a quoted value
    tree = parse_expression(f'（paper:"{SPACED}" or 党建）and not 安全')
    assert tree == ("and", ("or", want, ("tag", "党建")), ("not", ("tag", "安全")))


class _Page:
    def __init__(self, paper: str | None) -> None:
        self.paper, self.date, self.page, self.section = paper, "2015-03-10", 1, None


def test_an_unclosed_quote_is_an_error_that_says_so() -> None:
    for expr in ('paper:"洛阳日报 副刊', '营商环境 and "党建', "paper:“洛阳日报"):
        with pytest.raises(AnnotationError, match="unclosed quote"):
            parse_expression(expr)


def test_the_tree_labels_are_terms_in_the_one_parser() -> None:
    assert parse_expression("paper:未知报纸") == ("tag", "paper:none")
    assert parse_expression("date：无日期 or paper:“未知报纸”") == (
        "or",
        ("tag", "date:none"),
        ("tag", "paper:none"),
    )


def test_where_selects_a_paper_named_with_spaces(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spaced = {a.id for a in Library(archive).load().articles if a.id.startswith(SPACED)}
    assert len(spaced) == 2
    for where in (f'paper:"{SPACED}"', f"paper：“{SPACED}”", f"paper:＂{SPACED}＂"):
        assert exported(capsys, archive, where) == spaced, where
    # the prefix 洛阳日报 is its own paper, not this one
    assert not exported(capsys, archive, "paper:洛阳日报") & spaced
    code, out, err = run(capsys, archive, "kwic", "涧西区", "--where", f'paper:"{SPACED}"')
    assert code == 0 and "涧西区" in out, err


def test_where_takes_the_tree_label_for_no_paper(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loose = {a.id for a in Library(archive).load().articles if a.id.startswith("loose-")}
    assert loose
    assert exported(capsys, archive, "paper:未知报纸") == loose
    assert exported(capsys, archive, "paper:none") == loose


def test_where_refuses_an_unclosed_quote(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, archive, "export", "--all", "--where", 'paper:"洛阳日报 副刊')
    assert code == 2 and "unclosed quote" in err and "Traceback" not in err
    assert out == ""


async def test_the_reader_filter_reads_the_same_grammar(archive: Path, tmp_path: Path) -> None:
    app = make_app(archive, tmp_path / "reader.json")
    async with running(app) as (pilot, screen):

        async def filtered(expr: str) -> set[str]:
            await pilot.press("f")
            app.screen.query_one("Input").value = expr  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.pause()
            return {a.id for a in screen.visible_articles}

        spaced = await filtered(f'paper:"{SPACED}"')
        assert len(spaced) == 2 and all(x.startswith(SPACED) for x in spaced)
        assert await filtered(f"paper：“{SPACED}”") == spaced
        loose = await filtered("paper:未知报纸")
        assert loose and all(x.startswith("loose-") for x in loose)
        # an unclosed quote: said, the filter in force stays, and what was typed is
        # offered again to be corrected
        await filtered('paper:"洛阳日报 副刊')
        assert screen.art_filter.expr == "paper:未知报纸"
        said = [n.message for n in app._notifications]
        assert any("unclosed quote" in m for m in said), said
        again = app.screen.query_one("Input")
        assert again.value == 'paper:"洛阳日报 副刊'  # type: ignore[attr-defined]
        again.value += '"'  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert screen.art_filter.expr == 'paper:"洛阳日报 副刊"'


# ------------------------------------------------------------------ F23, full-width forms


def test_full_width_minus_and_quotes_mean_what_the_ascii_ones_do() -> None:
    assert parse_query("营商环境 －党建") == parse_query("营商环境 -党建")
    assert parse_query("营商环境　－党建") == parse_query("营商环境 -党建")  # ideographic space
    assert parse_query("营商环境 ﹣党建") == parse_query("营商环境 -党建")
    assert parse_query("＂优化 营商＂") == parse_query('"优化 营商"')
    assert parse_query("－“党建 工作”").excluded == ["党建 工作"]


def test_search_excludes_with_the_full_width_minus(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def ids(*query: str) -> list[str]:
        code, out, err = run(capsys, archive, "search", "--json", "--", *query)
        assert code == 0, err
        return [h["id"] for h in json.loads(out)["hits"]]

    everything = ids("营商")
    ascii_minus = ids("营商 -纪检")
    assert ascii_minus and len(ascii_minus) < len(everything)
    assert ids("营商 －纪检") == ascii_minus
    assert ids("营商　－纪检") == ascii_minus
    code, _out, err = run(capsys, archive, "search", "－党建")
    assert code == 2 and "only excludes" in err


# ------------------------------------------------------------------ * wildcard


def test_a_trailing_star_finds_what_the_word_finds(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def ids(query: str) -> list[str]:
        code, out, err = run(capsys, archive, "search", "--json", query)
        assert code == 0, err
        return [h["id"] for h in json.loads(out)["hits"]]

    assert ids("营商") and ids("营商*") == ids("营商")
    assert ids('"优化 营商*"') == ids('"优化 营商"')


def test_a_star_elsewhere_is_refused_with_a_message(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for query in ("营*环境", "*", "营商 *环境"):
        problem = query_problem(query)
        assert problem and "* is not supported" in problem, query
        code, out, err = run(capsys, archive, "search", query)
        assert code == 2 and "* is not supported" in err and out == "", query
    lib = Library(archive)
    lib.refresh_index()
    with pytest.raises(QueryRefused, match=r"\* is not supported"):
        lib.search("营*环境")


def test_a_page_term_in_a_search_says_where_it_belongs(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, archive, "search", "营商", f'paper:"{SPACED}"')
    assert code == 2 and "--where" in err and "filter" in err


async def test_the_search_dialog_says_the_star_is_not_supported(
    archive: Path, tmp_path: Path
) -> None:
    app = make_app(archive, tmp_path / "reader.json")
    async with running(app) as (pilot, screen):
        while not screen.index_ready:
            await pilot.pause(0.05)
        await pilot.press("slash", *"营*环境", "enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SearchScreen)
        shown = str(dialog.query_one("#search-status").render())
        assert "* is not supported" in shown


# ------------------------------------------------------------------ F15


async def test_merge_on_the_last_article_of_a_page_is_refused(
    archive: Path, tmp_path: Path
) -> None:
    db = tmp_path / "reader.json"
    app = make_app(archive, db)
    async with running(app) as (pilot, screen):
        assert screen.pages is not None
        page = screen.pages.issue("loose")
        assert page is not None
        last = page.articles[-1]
        await open_article(pilot, screen, last.title)
        assert screen.article is not None and screen.article.id == last.id
        await pilot.press("M")
        await pilot.pause()
        said = str(screen.query_one("StatusLine").render())
        assert "nothing to merge" in said and "correction" not in said
        after = screen.pages.issue("loose")
        assert after is not None and [a.id for a in after.articles] == [a.id for a in page.articles]
    with Store.open(db, readonly=True) as s:
        assert s.corrections() == []


def test_kwic_and_autocode_say_a_star_is_not_theirs(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, archive, "kwic", "营商*")
    assert code == 0 and "no occurrence" in out and "wildcard" in out
    code, out, _ = run(capsys, archive, "kwic", "营商")
    assert code == 0 and "营商" in out and "wildcard" not in out
    code, _out, err = run(
        capsys, archive, "autocode", "营商*", "码", "--unit", "match", "--dry-run"
    )
    assert code == 2 and "literal" in err
