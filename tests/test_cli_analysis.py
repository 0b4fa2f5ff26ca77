"""The analysis commands of the command line (issue #11, #14): JSON shapes on a hand-made
corpus and database, KWIC offsets, autocode's preview and undo step, one-line errors."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import cli.analysis
from cli import main
from corpus.load import load_corpus
from storage.annotations import Store
from workspace.kwic import cell_width
from workspace.session import Workspace

from .test_analysis import PAGE1, PAGE2, TEXT_A, TEXT_C


@dataclass
class Fx:
    root: Path
    db: Path
    ids: dict[str, str]
    """Title's first two characters → article id."""

    def run(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        try:
            code = main(["--corpus", str(self.root), "--db", str(self.db), *argv])
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    def json(self, capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
        code, out, err = self.run(capsys, *argv, "--json")
        assert code == 0, err
        assert out.endswith("\n") and out.count("\n") == 1
        return json.loads(out)

    def files(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.db.parent.iterdir())}


@pytest.fixture
def fx(tmp_path: Path) -> Fx:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "p01.txt").write_text(PAGE1, "utf-8")
    (root / "p02.txt").write_text(PAGE2, "utf-8")
    corpus = load_corpus(root)
    by = {a.title[:2]: a for a in corpus.articles}
    (tmp_path / "db").mkdir()
    db = tmp_path / "db" / "db.json"
    with Store.open(db) as store:
        store.define_tag("营商环境", "#e06c75")
        store.define_tag("放管服", parent="营商环境")
        store.add_tags(by["优化"], ["营商环境"])
        store.add_tags(by["防汛"], ["防汛"])
        store.highlight_quote(by["优化"], "优化营商环境十条措施", ["营商环境"], "h1")
        store.highlight_quote(by["优化"], "营商环境十条", ["党建"])
        store.highlight_quote(by["优化"], "放管服改革", ["放管服"])
        store.highlight_quote(by["党建"], "营商环境与党建", ["营商环境", "党建"])
    return Fx(root, db, {k: a.id for k, a in by.items()})


ITEM_KEYS = [
    *("kind", "article_id", "start", "end", "quote", "tags", "note", "date", "file", "title"),
    "coder",
]


def test_retrieve_json_shape_and_options(fx: Fx, capsys: pytest.CaptureFixture[str]) -> None:
    data = fx.json(capsys, "retrieve", "营商环境")
    assert list(data) == ["items"]
    items = data["items"]
    assert all(list(it) == ITEM_KEYS for it in items)
    assert [(it["kind"], it["quote"]) for it in items] == [
        ("article", ""),
        ("passage", "优化营商环境十条措施"),
        ("passage", "放管服改革"),  # a child code's passage
        ("passage", "营商环境与党建"),
    ]
    art, first = items[0], items[1]
    assert art["start"] is None and art["end"] is None and art["tags"] == ["营商环境"]
    assert first == {
        "kind": "passage",
        "article_id": fx.ids["优化"],
        "start": 4,
        "end": 14,
        "quote": "优化营商环境十条措施",
        "tags": ["营商环境"],
        "note": "h1",
        "date": "2018-09-12",
        "file": "p01.txt",
        "title": "优化营商环境十条措施",
        "coder": "测试员",
    }
    assert TEXT_A[first["start"] : first["end"]] == first["quote"]
    own = fx.json(capsys, "retrieve", "营商环境", "--no-children")
    assert [it["quote"] for it in own["items"]] == ["", "优化营商环境十条措施", "营商环境与党建"]
    expr = fx.json(capsys, "retrieve", "营商环境 and not 党建", "--sort", "page")
    assert len(expr["items"]) == 3
    by_code = fx.json(capsys, "retrieve", "营商环境 or 党建", "--sort", "code")
    assert by_code["items"][0]["tags"] == ["党建"]


def test_retrieve_csv_md_and_text(fx: Fx, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = fx.run(capsys, "retrieve", "营商环境", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert [r["quote"] for r in rows][1:] == [
        "优化营商环境十条措施",
        "放管服改革",
        "营商环境与党建",
    ]
    code, out, _ = fx.run(capsys, "retrieve", "营商环境", "--format", "md")
    assert code == 0 and "> 优化营商环境十条措施" in out and "3 段 passages · 1 篇 article\n" in out
    code, out, _ = fx.run(capsys, "retrieve", "营商环境", "--width", "4")
    assert (
        code == 0
        and "【优化营商环境十条措施" in out
        and out.endswith("3 passages, 1 tagged article\n")
    )


def test_cooccur_json_csv_text(fx: Fx, capsys: pytest.CaptureFixture[str]) -> None:
    data = fx.json(capsys, "cooccur")
    assert list(data) == ["codes", "articles", "passages"]
    codes = data["codes"]
    assert sorted(codes) == sorted(["营商环境", "放管服", "党建", "防汛"])
    # the codebook's tree order, as `piyue codes` and the reader's screen: a child after its parent
    assert codes == [c["name"] for c in fx.json(capsys, "codes")["codes"]]
    assert codes.index("放管服") == codes.index("营商环境") + 1
    ix = {c: i for i, c in enumerate(codes)}
    for which in ("articles", "passages"):
        m = data[which]
        assert len(m) == len(codes) and all(len(r) == len(codes) for r in m)
        assert all(m[i][j] == m[j][i] for i in range(len(codes)) for j in range(len(codes)))
    assert data["articles"][ix["营商环境"]][ix["营商环境"]] == 2
    assert data["articles"][ix["营商环境"]][ix["党建"]] == 2
    assert data["passages"][ix["营商环境"]][ix["党建"]] == 2  # h1×h2 overlap; one carries both
    assert data["passages"][ix["防汛"]][ix["防汛"]] == 0
    code, out, _ = fx.run(capsys, "cooccur", "--format", "csv", "--passages")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0] == ["passages", *codes]
    assert rows[1 + ix["营商环境"]][1 + ix["党建"]] == "2"
    code, out, _ = fx.run(capsys, "cooccur")
    assert code == 0 and out.splitlines()[0].split() == ["articles", *codes]


def test_stats_json_csv(fx: Fx, capsys: pytest.CaptureFixture[str]) -> None:
    data = fx.json(capsys, "stats", "--by", "date")
    assert data["by"] == "date"
    assert all(list(r) == ["code", "key", "articles", "passages"] for r in data["rows"])
    got = {(r["code"], r["key"]): (r["articles"], r["passages"]) for r in data["rows"]}
    assert got[("营商环境", "2018-09-12")] == (1, 1)
    assert got[("防汛", "2018-09-12")] == (1, 0)
    assert got[("营商环境", None)] == (1, 1)  # undated: key null
    pages = fx.json(capsys, "stats", "--by", "page")
    assert pages["by"] == "page" and "2018-09-12" not in {r["key"] for r in pages["rows"]}
    code, out, _ = fx.run(capsys, "stats", "--format", "csv")
    assert code == 0 and out.lstrip("\ufeff").startswith("code,date,articles,passages")


def _kwic_checks(fx: Fx, data: Any, term: str, width: int) -> None:
    texts = {fx.ids["优化"]: TEXT_A, fx.ids["党建"]: TEXT_C}
    titles = {fx.ids["优化"]: "优化营商环境十条措施", fx.ids["党建"]: "党建引领基层治理"}
    for ln in data["lines"]:
        assert list(ln) == ["article_id", "start", "end", "left", "match", "right", "part"]
        assert ln["part"] in ("body", "title")
        t = (texts if ln["part"] == "body" else titles)[ln["article_id"]]
        assert t[ln["start"] : ln["end"]] == ln["match"] == term
        assert ln["left"] == t[max(0, ln["start"] - width) : ln["start"]]
        assert ln["right"] == t[ln["end"] : ln["end"] + width]


def test_kwic_json_offsets_cut_out_the_match(fx: Fx, capsys: pytest.CaptureFixture[str]) -> None:
    data = fx.json(capsys, "kwic", "营商", "--width", "3")
    assert len(data["lines"]) == 5  # inside 营商环境 too, and the headline 优化营商环境十条措施
    assert [ln["part"] for ln in data["lines"]] == ["title", "body", "body", "body", "body"]
    _kwic_checks(fx, data, "营商", 3)
    assert fx.run(capsys, "index")[0] == 0  # now answered from the index: the same lines
    assert fx.json(capsys, "kwic", "营商", "--width", "3") == data
    left = fx.json(capsys, "kwic", "营商环境", "--sort", "left")["lines"]
    assert [x["left"][::-1] for x in left] == sorted(x["left"][::-1] for x in left)
    right = fx.json(capsys, "kwic", "营商环境", "--sort", "right")["lines"]
    assert [x["right"] for x in right] == sorted(x["right"] for x in right)
    two = fx.json(capsys, "kwic", "营商环境", "--limit", "2")
    assert len(two["lines"]) == 2 and two["total"] == 5 and two["articles"] == 2
    _code, _out, err = fx.run(capsys, "kwic", "营商环境", "--limit", "2")
    assert "2 of 5 occurrences in 2 articles — --limit N for more" in err  # testerD F3
    only = fx.json(capsys, "kwic", "营商环境", "--where", "防汛 or 党建 and not 营商环境")
    assert only == {"lines": [], "total": 0, "articles": 0}
    where = fx.json(capsys, "kwic", "营商环境", "--where", "党建")
    assert len(where["lines"]) == 5  # both articles carry 党建 (on a passage)
    _kwic_checks(fx, where, "营商环境", 20)


def test_kwic_text_is_aligned_by_cells(fx: Fx, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = fx.run(capsys, "kwic", "营商环境", "--width", "6")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 5
    assert lines[0].split()[1] == "标题"  # the headline's line says so; the others leave room
    idw = max(len(aid) for aid in fx.ids.values() if aid in out)
    # id, two spaces, the part (two wide characters) and a space, 6 wide characters of left
    # context, a space
    column = idw + 2 + 5 + 12 + 1
    for line in lines:
        i = next(i for i in range(len(line)) if cell_width(line[:i]) == column)
        assert line[i : i + 4] == "营商环境", line


def test_autocode_dry_run_writes_nothing(fx: Fx, capsys: pytest.CaptureFixture[str]) -> None:
    before = fx.files()
    code, out, err = fx.run(
        capsys, "autocode", "营商环境", "自动", "--unit", "sentence", "--dry-run"
    )
    assert code == 0 and err == ""
    assert out == (
        "would code 4 passages in 2 articles with 自动; not coded: 1 occurrence in the "
        "headlines of 1 article (a passage lies in the text: tag those articles)\n"
    )
    assert fx.files() == before
    code, out, _ = fx.run(
        capsys, "autocode", "营商环境", "自动", "--unit", "paragraph", "--dry-run"
    )
    assert out.startswith("would code 2 passages in 2 articles")
    assert fx.files() == before


def test_autocode_applies(fx: Fx, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = fx.run(capsys, "autocode", "营商环境", "自动", "--unit", "match")
    assert code == 0 and out.startswith("coded 4 passages with 自动")
    with Store.open(fx.db, readonly=True) as store:
        coded = [h for h in store.highlights() if "自动" in h.tags]
    assert sorted((h.article_id, h.quote) for h in coded) == sorted(
        [(fx.ids["优化"], "营商环境")] * 3 + [(fx.ids["党建"], "营商环境")]
    )
    code, out, _ = fx.run(capsys, "autocode", "营商环境", "自动", "--unit", "match")
    assert out == (  # already coded: nothing new, and no undo step to speak of
        "nothing coded: the 4 passages in 2 articles matched already have 自动\n"
    )
    items = fx.json(capsys, "retrieve", "自动")["items"]
    assert len(items) == 4


def test_autocode_is_one_undo_step(
    fx: Fx, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(fx.root, fx.db, mode="write")

    @contextmanager
    def same_workspace(args: Any, mode: str = "read") -> Iterator[Workspace]:
        yield ws  # kept open: its undo history is what the test inspects

    monkeypatch.setattr(cli.analysis, "workspace", same_workspace)
    try:
        before = ws.store.highlights()
        code, _, _ = fx.run(capsys, "autocode", "营商环境", "自动", "--unit", "sentence")
        assert code == 0 and len(ws.store.highlights()) == len(before) + 4
        step = ws.undo()
        assert step is not None and "自动" in step.label
        assert ws.store.highlights() == before
    finally:
        ws.close()


def test_terms_json_and_reject(
    fx: Fx, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.library import Library

    @dataclass
    class T:
        text: str
        freq: int
        kind: str

    rejected: list[str] = []

    def terms(self: Library, limit: int = 100) -> list[T]:
        return [T("营商环境", 5, "term"), T("放管服", 2, "term")][:limit]

    monkeypatch.setattr(Library, "terms", terms, raising=False)
    monkeypatch.setattr(Library, "reject_term", lambda self, t: rejected.append(t), raising=False)
    assert fx.json(capsys, "terms", "--limit", "1") == {
        "terms": [{"text": "营商环境", "freq": 5, "kind": "term"}]
    }
    code, out, _ = fx.run(capsys, "terms")
    assert code == 0 and out.split() == ["5", "term", "营商环境", "2", "term", "放管服"]
    code, out, _ = fx.run(capsys, "terms", "reject", "放管服")
    assert code == 0 and rejected == ["放管服"] and out.startswith("rejected 放管服")
    code, out, _ = fx.run(capsys, "terms", "reject", "不存在的词")  # not a term: said so
    assert code == 0 and "not a discovered term" in out and rejected[-1] == "不存在的词"


def test_terms_not_available_is_one_line(
    fx: Fx, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.library import Library

    monkeypatch.delattr(Library, "terms", raising=False)
    code, out, err = fx.run(capsys, "terms")
    assert code == 2 and out == "" and err == "piyue: terms are not available yet\n"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["retrieve", "营商环竟"], "unknown code: 营商环竟"),
        (["retrieve", "营商环境 and ("], "incomplete tag expression"),
        (["retrieve", "  "], "empty"),
        (["retrieve", "营商环境", "--format", "xml"], "unknown format 'xml'"),
        (["retrieve", "营商环境", "--sort", "size"], "unknown sort 'size'"),
        (["retrieve", "营商环境", "--json", "--format", "csv"], "--json or --format"),
        (["cooccur", "--format", "md"], "unknown format 'md'"),
        (["stats", "--by", "week"], "unknown grouping 'week'"),
        (["kwic", ""], "the term is empty"),
        (["kwic", "营商", "--sort", "middle"], "unknown sort 'middle'"),
        (["kwic", "营商", "--where", "没有这个"], "unknown code: 没有这个"),
        (["kwic", "营商", "--limit", "-1"], "must be at least 1"),
        (["autocode", "营商", "自动", "--unit", "word"], "unknown unit 'word'"),
        (["autocode", "营商", "and", "--unit", "match"], "cannot be a tag"),
        (["autocode", "", "自动", "--unit", "match"], "the query is empty"),
        (["terms", "reject", " "], "the term is empty"),
    ],
)
def test_user_errors_are_one_line_status_2(
    fx: Fx, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    before = fx.files()
    code, out, err = fx.run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("piyue: ") and err.count("\n") == 1 and says in err, err
    assert "Traceback" not in err
    assert fx.files() == before


@pytest.mark.parametrize("cmd", ["retrieve", "cooccur", "stats", "kwic", "autocode", "terms"])
def test_every_command_has_help(cmd: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([cmd, "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0 and f"piyue {cmd}" in out and "--corpus" in out
    if cmd != "autocode":
        assert "--json" in out


def test_autocode_without_a_match_says_nothing_was_coded(
    fx: Fx, capsys: pytest.CaptureFixture[str]
) -> None:
    """No occurrence: no undo step was made, so none is announced, and nothing is written."""
    code, out, err = fx.run(capsys, "autocode", "不存在的词", "自动", "--unit", "match")
    assert code == 0 and err == ""
    assert out == "nothing coded: no occurrence of 不存在的词\n"
    with Store.open(fx.db, readonly=True) as store:
        assert not [h for h in store.highlights() if "自动" in h.tags]


def test_counts_of_one_are_singular(fx: Fx, capsys: pytest.CaptureFixture[str]) -> None:
    """No "1 articles": autocode's preview, codes, retrieve, note, delete."""
    code, out, _ = fx.run(
        capsys, "autocode", "优化营商环境十条措施", "自动", "--unit", "match", "--dry-run"
    )
    assert out.startswith("would code 1 passage in 1 article with 自动; not coded: 1 occ")
    fx.run(capsys, "autocode", "优化营商环境十条措施", "自动", "--unit", "match")
    code, out, _ = fx.run(capsys, "codes")
    assert "  1 tagged article, 2 passages\n" in out and "  0 tagged articles, 1 passage\n" in out
    assert "1 articles" not in out and "1 passages" not in out
    code, out, _ = fx.run(capsys, "retrieve", "自动", "--format", "md")
    assert "1 段 passage · 0 篇 articles" in out
    code, out, _ = fx.run(capsys, "note", fx.ids["优化"], "笔")
    assert out.endswith("(1 character)\n")
    code, out, _ = fx.run(capsys, "codes", "delete", "自动", "--yes")
    assert out == "deleted 自动 (0 articles, 1 passage)\n"


def test_where_refuses_an_unknown_field_and_accepts_page_terms(
    fx: Fx, capsys: pytest.CaptureFixture[str]
) -> None:
    """``bogus:1`` is neither a page term nor a code: one line, status 2 — in export as in
    kwic — instead of an empty export that looks like success; page terms pass the check."""
    for argv in (("export", "--where", "bogus:1"), ("kwic", "营商环境", "--where", "bogus:1")):
        code, out, err = fx.run(capsys, *argv)
        assert code == 2 and out == "" and err.count("\n") == 1, argv
        assert "bogus:1: unknown field 'bogus'" in err and "paper:" in err
    code, out, err = fx.run(capsys, "export", "--where", "营商环境 or nosuch")
    assert code == 2 and "unknown code: nosuch" in err
    code, out, err = fx.run(capsys, "kwic", "营商环境", "--where", "page:1..9 or 营商环境")
    assert code == 0 and "营商环境" in out
    code, out, err = fx.run(capsys, "export", "--where", "page:1..9 or 营商环境")
    assert code == 0 and out
