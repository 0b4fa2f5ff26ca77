"""The command-line contract of DESIGN.md: list, show, index, search; errors as one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main

from .conftest import ROOT, SEEDS


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"issues", "skipped", "editions"}  # editions: issue #17
    assert len(data["issues"]) == 5
    issue = data["issues"][2]
    assert set(issue) >= {"id", "file", "title", "date", "articles"}
    assert set(issue) >= {"paper", "page", "section", "meta_source", "furniture", "credits"}
    assert sum(len(e["pages"]) for e in data["editions"]) == 5
    assert issue["date"] == "2018-09-12"
    art = issue["articles"][0]
    assert set(art) >= {"id", "title", "kicker", "subtitle", "byline", "lines"}
    assert art["lines"] == [[7, 50]]
    assert "\\u" not in out  # ensure_ascii off: the user sees 政治, not escapes


def test_list_plain_is_readable_and_scrubbed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p.txt").write_text("## 标题\x1b[2J\x07\n\n正文。\n", encoding="utf-8")
    code, out, _ = run(capsys, "--corpus", str(tmp_path), "list")
    assert code == 0
    assert "标题" in out and "\x1b" not in out and "\x07" not in out
    assert "标题␛[2J␇" in out  # shown, as the reader shows them, not dropped (tester E, E9)


def test_show_json_has_paragraphs_text_keywords(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "list", "--json")
    aid = json.loads(out)["issues"][1]["articles"][1]["id"]
    code, out, _ = run(capsys, "show", aid, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == aid
    assert data["title"] == "提升站位严格落实责任 全力以赴确保安全度汛"
    assert data["paragraphs"] and data["text"].startswith("昨日")
    words = [k["word"] for k in data["keywords"]]
    assert len(words) >= 10
    assert "赵会生" in words and "防汛" in words
    weights = [k["weight"] for k in data["keywords"]]
    assert weights == sorted(weights, reverse=True)


def test_show_plain(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "list", "--json")
    aid = json.loads(out)["issues"][0]["articles"][0]["id"]
    code, out, _ = run(capsys, "show", aid)
    assert code == 0
    assert "# 洛阳市涧西区： 打造高质量首创之区 添彩副中心城市建设" in out
    assert "关键词" in out


def test_unknown_id_and_missing_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "no-such-id")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no-such-id" in err
    code, _, err = run(capsys, "--corpus", "/nonexistent/x", "list")
    assert code == 2 and "corpus folder not found" in err and "Traceback" not in err
    code, _, err = run(capsys, "list", "--corpus", "/nonexistent/x")
    assert code == 2


def test_env_forms_of_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "only.txt").write_text("## 唯一标题\n\n正文。\n", encoding="utf-8")
    monkeypatch.setenv("PIYUE_CORPUS", str(tmp_path))
    _, out, _ = run(capsys, "list", "--json")
    assert [i["file"] for i in json.loads(out)["issues"]] == ["only.txt"]


def test_index_and_search(capsys: pytest.CaptureFixture[str], seeds_copy: Path) -> None:
    code, out, _ = run(capsys, "--corpus", str(seeds_copy), "index")
    assert code == 0 and "5 pages" in out
    code, out, _ = run(capsys, "--corpus", str(seeds_copy), "search", "营商环境", "--json")
    hits = json.loads(out)["hits"]
    assert hits and all("营商环境" in h["snippet"] for h in hits)
    assert "«营商环境»" in hits[0]["snippet"]
    assert {"id", "title", "issue", "date", "snippet"} <= set(hits[0])


def test_python_dash_m_tui_works_from_anywhere(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "tui", "list", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["issues"]) == len(list(SEEDS.glob("*.txt")))


def test_opening_the_reader_parses_only_corpus_and_db() -> None:
    from cli import just_the_reader as _just_the_reader

    assert _just_the_reader([])
    assert _just_the_reader(["--corpus", "x", "--db=y.json"])
    assert not _just_the_reader(["list"])
    assert not _just_the_reader(["--corpus", "x", "search", "a"])
    assert not _just_the_reader(["--help"])
    assert not _just_the_reader(["--bogus"])  # the full parser reports it


def test_one_file_is_a_corpus_and_an_empty_folder_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "洛阳日报 2018-09-12 第01版.md"
    page.write_text("## 标题一\n\n本报讯 正文。\n", encoding="utf-8")
    db = str(tmp_path / "db.json")
    code, out, _ = run(capsys, "--corpus", str(page), "--db", db, "list", "--json")
    assert code == 0
    (issue,) = json.loads(out)["issues"]
    assert (issue["paper"], issue["date"], issue["page"]) == ("洛阳日报", "2018-09-12", 1)
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(capsys, "--corpus", str(empty), "--db", db, "list")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no pages in" in err and "*.md" in err
    code, _, err = run(capsys, "--corpus", str(tmp_path / "nowhere"), "list")
    assert code == 2 and "not found" in err


def test_an_unexpected_error_is_one_line_and_logged(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import cli.reading

    def boom(_args: object) -> int:
        raise RuntimeError("something piyue did not expect")

    monkeypatch.setattr(cli.reading, "cmd_list", boom)
    code, out, err = run(capsys, "list")
    assert code == 2 and err.count("\n") == 1 and "bug in piyue" in err and "Traceback" not in err


def test_each_subcommand_imports_only_its_own_module() -> None:
    """``cli.MODULES`` says which module registers which subcommand; a command builds only
    its module's parser, and anything else (help, a typo) builds them all."""
    import argparse
    import importlib

    import cli

    for name, commands in cli.MODULES.items():
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="cmd")
        handlers = importlib.import_module(f"cli.{name}").register(sub)
        assert sorted(handlers) == sorted(commands) == sorted(sub.choices)
    assert cli.command_in(["--corpus", "x", "search", "营商"]) == "search"
    assert cli.command_in(["--db=x", "list"]) == "list"
    assert cli.command_in(["--help"]) is None
    _, handlers = cli.build_parser(only="search")
    assert sorted(handlers) == ["index", "list", "search", "show"]
    _, handlers = cli.build_parser(only="nonsense")
    assert len(handlers) == sum(len(c) for c in cli.MODULES.values())


def test_counts_below_one_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """search --limit -1 listed one hit of three (a slice from the end); index --workers 0 was
    taken silently: both are one line and status 2, as kwic and terms already were."""
    base = ["--corpus", str(SEEDS), "--db", str(tmp_path / "a.json")]
    for argv, said in (
        (["search", "营商环境", "--limit", "-1"], "--limit"),
        (["search", "营商环境", "--limit", "0"], "--limit"),
        (["index", "--workers", "0"], "--workers"),
    ):
        with pytest.raises(SystemExit) as exc:
            main([*base, *argv])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and said in err


@pytest.mark.parametrize("fmt", ["csv", "corpus"])
def test_export_into_a_missing_folder_is_refused(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped folder is not made: one line naming it, status 2, nothing created."""
    db = str(tmp_path / "db.json")
    target = tmp_path / "no" / "such" / "out"
    code, out, err = run(capsys, "--db", db, "export", "--all", "--format", fmt, "-o", str(target))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"piyue: cannot write {target}: ") and "does not exist" in err
    assert not (tmp_path / "no").exists()
    (tmp_path / "file").write_text("x")
    code, _, err = run(
        capsys, "--db", db, "export", "--format", fmt, "-o", str(tmp_path / "file" / "x")
    )
    assert code == 2 and "is not a folder" in err


def test_note_from_stdin_drops_the_last_newline_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``echo … | piyue note ID -``: the newline that ends the piped text is not the note's;
    blank lines the user wrote are."""
    import io

    from storage.annotations import Store

    db = tmp_path / "db.json"
    _, out, _ = run(capsys, "list", "--json")
    aid = json.loads(out)["issues"][0]["articles"][0]["id"]
    monkeypatch.setattr("sys.stdin", io.StringIO("第一行\n第二行\n\n"))
    code, out, _ = run(capsys, "--db", str(db), "note", aid, "-")
    assert code == 0 and out == f"{aid}: note saved (8 characters)\n"
    with Store.open(db, readonly=True) as s:
        assert s.notes(aid).note == "第一行\n第二行\n"


def test_export_per_highlight_counts_passages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One row per coded passage: the summary counts those rows (and the articles they come
    from), not the articles selected; --per is refused where it means nothing."""
    import csv

    db = str(tmp_path / "db.json")
    _, out, _ = run(capsys, "list", "--json")
    first, second = json.loads(out)["issues"][0]["articles"][:2]
    run(capsys, "--db", db, "tag", second["id"], "只标文章")
    for quote in ("涧西", "制造业", "发展"):
        assert run(capsys, "--db", db, "highlight", first["id"], quote, "--tag", "码")[0] == 0
    target = tmp_path / "h.csv"
    argv = ["--db", db, "export", "--format", "csv", "--per", "highlight", "-o", str(target)]
    code, _, err = run(capsys, *argv)
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert code == 0 and len(rows) == 3
    assert err == f"3 passages from 1 article → {target}\n"
    code, _, err = run(capsys, "--db", db, "export", "--per", "highlight")
    assert code == 2 and "--per highlight is for --format csv" in err


def test_tags_on_an_empty_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line instead of nothing (stdout, as `codes` and `orphans` say "none"); --json
    stays data."""
    db = str(tmp_path / "db.json")
    code, out, err = run(capsys, "--db", db, "tags")
    assert code == 0 and out == "no tags yet (tag an article: piyue tag ID TAG)\n" and err == ""
    code, out, _ = run(capsys, "--db", db, "tags", "--json")
    assert code == 0 and json.loads(out) == {"tags": []}


@pytest.mark.parametrize(
    "command", ["tag", "untag", "note", "highlight", "tags", "orphans", "coders", "list", "show"]
)
def test_help_describes_the_command_and_every_argument(command: str) -> None:
    """`piyue CMD --help` says what the command does and what each argument is."""
    import argparse

    from cli import build_parser

    parser, _ = build_parser(only=command)
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub = subs.choices[command]
    assert sub.description and len(sub.description) > 40, command
    for action in sub._actions:
        assert action.help, (command, action.dest)
