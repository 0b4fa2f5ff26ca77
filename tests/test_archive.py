"""Bring your own archive (issue 17): pages in folders, as Markdown or text, with paper/date/page."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from corpus.load import (
    CorpusNotFound,
    EmptyCorpus,
    describe_counts,
    describe_empty,
    load_corpus,
    read_page,
    scan_corpus,
)
from corpus.model import Issue
from corpus.pagemeta import (
    DateJump,
    PageTermError,
    editions_json,
    matches_term,
    meta_from_path,
    nearest_date,
    parse_date_jump,
    parse_term,
)

PAGE = "## 洛阳市涧西区打造高质量首创之区\n\n本报讯(记者 孙小蕊)昨日，涧西区召开会议。\n\n本报记者 李迎博\n"
DATED = "2018年9月13日 星期四 编辑:武力 校对:向东\n\n" + PAGE  # printed date: the 13th


def put(root: Path, rel: str, text: str | bytes = PAGE) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def by_file(corpus):  # type: ignore[no-untyped-def]
    return {i.source: i for i in corpus.issues}


# ----------------------------------------------------------------------------- naming forms


@pytest.mark.parametrize(
    ("rel", "paper", "date", "page", "section"),
    [
        ("洛阳日报/2018/09/12/01.md", "洛阳日报", "2018-09-12", 1, None),
        ("洛阳日报 2018-09-12 第01版.txt", "洛阳日报", "2018-09-12", 1, None),
        ("洛阳日报_20180912_03.txt", "洛阳日报", "2018-09-12", 3, None),
        ("洛阳日报/2018年9月12日 02版.md", "洛阳日报", "2018-09-12", 2, None),
        ("20180912/A01.txt", None, "2018-09-12", 1, "A"),
        ("河南日报/2018-09-12/p7.markdown", "河南日报", "2018-09-12", 7, None),
        ("河南日报/2018-09-12/第05版 要闻.md", "河南日报", "2018-09-12", 5, "要闻"),
        ("河南日报/2018年/9月/12日/4.txt", "河南日报", "2018-09-12", 4, None),
        ("河南日报/2018/09/12.txt", "河南日报", "2018-09-12", None, None),
        (
            "OCR/洛阳日报_20180912_01/auto/洛阳日报_20180912_01.md",
            "洛阳日报",
            "2018-09-12",
            1,
            None,
        ),
        ("2018/09/12/08.md", None, "2018-09-12", 8, None),
        ("000_5307bc753add3444.txt", None, None, None, None),  # a seed: nothing in its name
        ("notes.md", None, None, None, None),
    ],
)
def test_path_and_name_forms(
    rel: str, paper: str | None, date: str | None, page: int | None, section: str | None
) -> None:
    meta = meta_from_path(rel)
    assert (meta.paper, meta.date, meta.page, meta.section) == (paper, date, page, section)
    assert set(meta.source.values()) <= {"path"}
    assert set(meta.source) == {
        k for k, v in (("paper", paper), ("date", date), ("page", page), ("section", section)) if v
    }


def test_invalid_dates_in_names_are_not_dates() -> None:
    assert meta_from_path("洛阳日报 2018-13-45 第01版.txt").date is None
    assert meta_from_path("scan_20181345.txt").date is None
    assert meta_from_path("a1b2c3d420180912e5f6.txt").date is None  # inside a hash


# -------------------------------------------------------------------------------- the tree


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    put(root, "洛阳日报/2018/09/12/01.md", DATED)  # path says the 12th, the page the 13th
    put(root, "洛阳日报/2018/09/12/02.md")
    put(root, "洛阳日报/2018/09/12/10.md")
    put(root, "洛阳日报/2018/09/13/01.md")
    put(root, "河南日报/2018/09/12/01.markdown")
    put(root, "河南日报 2018-09-12 第02版.txt")
    put(root, "loose/undated.txt")
    put(root, "loose/scan.pdf", b"%PDF-1.4\x00\x01")
    put(root, "loose/empty.md", b"")
    put(root, "loose/binary.txt", b"\x00\x01\x02\x03" * 100)
    put(root, ".trash/old.txt")
    put(root, "洛阳日报/.hidden/x.md")
    put(root, "洛阳日报/2018/09/12/.DS_Store", b"\x00\x00")
    put(root, "root.txt", DATED)
    os.symlink("..", root / "loose" / "loop")  # a folder link back up: read once, not forever
    os.symlink("nowhere.txt", root / "loose" / "broken.txt")
    return root


def test_tree_intake(archive: Path) -> None:
    corpus = load_corpus(archive)
    assert [i.source for i in corpus.issues] == [
        "loose/undated.txt",
        "root.txt",
        "河南日报/2018/09/12/01.markdown",
        "河南日报 2018-09-12 第02版.txt",
        "洛阳日报/2018/09/12/01.md",
        "洛阳日报/2018/09/12/02.md",
        "洛阳日报/2018/09/12/10.md",
        "洛阳日报/2018/09/13/01.md",
    ]
    reasons = {s.file: s.reason for s in corpus.skipped}
    assert reasons == {
        "loose/binary.txt": "binary file (not text)",
        "loose/broken.txt": "unreadable: broken symbolic link",
        "loose/empty.md": "empty file",
        "loose/loop": "folder already read (a symbolic link loops back)",
        "loose/scan.pdf": "not a page: a .pdf file (pages are .txt, .md, .markdown)",
    }
    assert corpus.counts() == {"pages": 8, "skipped": 5, "manifest": 0}
    assert describe_counts(corpus) == "8 pages read, 5 files skipped"


def test_ids_nested_and_root(archive: Path) -> None:
    ids = {i.source: i.id for i in load_corpus(archive).issues}
    assert ids["root.txt"] == "root"  # root pages keep today's ids
    assert ids["洛阳日报/2018/09/12/01.md"] == "洛阳日报/2018/09/12/01"
    assert ids["洛阳日报/2018/09/13/01.md"] == "洛阳日报/2018/09/13/01"
    assert len(set(ids.values())) == len(ids)
    corpus = load_corpus(archive)
    assert all(a.id.startswith(f"{a.issue_id}-") for a in corpus.articles)
    assert len({a.id for a in corpus.articles}) == len(corpus.articles)
    again = load_corpus(archive)
    assert [a.id for a in again.articles] == [a.id for a in corpus.articles]


def test_pages_of_one_name_keep_their_suffixes(tmp_path: Path) -> None:
    """Neither takes the plain id: a raw 01.txt saved beside a coded 01.md must not take over
    the ids the codings point at (they follow 01.md's text to its new id)."""
    put(tmp_path, "01.txt")
    put(tmp_path, "01.md", "## 另一篇文章\n\n正文。\n")
    ids = {i.source: i.id for i in load_corpus(tmp_path).issues}
    assert ids == {"01.txt": "01.txt", "01.md": "01.md"}
    issue = read_page(tmp_path, tmp_path / "01.md")
    assert isinstance(issue, Issue) and issue.id == "01.md"


def test_metadata_and_sources(archive: Path) -> None:
    pages = by_file(load_corpus(archive))
    first = pages["洛阳日报/2018/09/12/01.md"]
    assert (first.paper, first.date, first.page) == ("洛阳日报", "2018-09-12", 1)
    assert first.meta_source == {
        "paper": "path",
        "date": "path",
        "page": "path",
        "date_text": "2018-09-13",  # path and text disagree: the path's is kept, and said so
    }
    root = pages["root.txt"]
    assert (root.date, root.meta_source) == ("2018-09-13", {"date": "text"})
    loose = pages["loose/undated.txt"]
    assert (loose.paper, loose.date, loose.page) == ("loose", None, None)
    s = first.summary()
    assert {"id", "file", "title", "date", "articles"} <= s.keys()
    assert (s["paper"], s["page"], s["section"]) == ("洛阳日报", 1, None)
    assert s["file"] == "洛阳日报/2018/09/12/01.md"
    json.dumps(s, ensure_ascii=False)


def test_editions_group_papers_and_days(archive: Path) -> None:
    corpus = load_corpus(archive)
    eds = [(e.paper, e.date, e.pages) for e in corpus.editions()]
    assert eds == [
        ("loose", None, ["loose/undated"]),
        (
            "河南日报",
            "2018-09-12",
            ["河南日报/2018/09/12/01", "河南日报 2018-09-12 第02版"],
        ),
        (
            "洛阳日报",
            "2018-09-12",
            ["洛阳日报/2018/09/12/01", "洛阳日报/2018/09/12/02", "洛阳日报/2018/09/12/10"],
        ),
        ("洛阳日报", "2018-09-13", ["洛阳日报/2018/09/13/01"]),
        (None, "2018-09-13", ["root"]),
    ]
    assert sum(len(e.pages) for e in corpus.editions()) == len(corpus.issues)
    assert editions_json(corpus)[1] == {
        "paper": "河南日报",
        "date": "2018-09-12",
        "pages": ["河南日报/2018/09/12/01", "河南日报 2018-09-12 第02版"],
    }


def test_lettered_sections_order_pages(tmp_path: Path) -> None:
    for name in ("B01", "A02", "A01", "B02"):
        put(tmp_path, f"日报/2020/01/05/{name}.md")
    [ed] = load_corpus(tmp_path).editions()
    assert [p.rsplit("/", 1)[1] for p in ed.pages] == ["A01", "A02", "B01", "B02"]


# ------------------------------------------------------------------------------- manifest


def test_manifest_overrides_path_and_text(archive: Path) -> None:
    put(
        archive,
        "pages.csv",
        "file,paper,date,page,section\n"
        "洛阳日报/2018/09/12/02.md,洛阳晚报,2018-09-11,5,要闻\n"
        "root.txt,洛阳日报,20180914,,\n"
        "loose/undated.txt,,2018年9月1日,A03,\n",
    )
    corpus = load_corpus(archive)
    pages = by_file(corpus)
    p = pages["洛阳日报/2018/09/12/02.md"]
    assert (p.paper, p.date, p.page, p.section) == ("洛阳晚报", "2018-09-11", 5, "要闻")
    assert p.meta_source == {
        "paper": "manifest",
        "date": "manifest",
        "page": "manifest",
        "section": "manifest",
    }
    r = pages["root.txt"]
    assert (r.paper, r.date) == ("洛阳日报", "2018-09-14")
    assert r.meta_source == {"paper": "manifest", "date": "manifest", "date_text": "2018-09-13"}
    u = pages["loose/undated.txt"]
    assert (u.paper, u.date, u.page) == ("loose", "2018-09-01", 3)
    assert u.meta_source == {"paper": "path", "date": "manifest", "page": "manifest"}
    assert "pages.csv" not in {s.file for s in corpus.skipped}  # the manifest is not a page
    assert corpus.counts()["manifest"] == 0


def test_bad_manifest_rows_are_reported_not_fatal(archive: Path) -> None:
    put(
        archive,
        "pages.csv",
        "\ufefffile,date,page\n"  # a BOM, as spreadsheets write it
        "洛阳日报/2018/09/12/02.md,2018-02-30,1\n"  # line 2: bad date, page still used
        "missing.md,2018-09-12,1\n"  # line 3: no such page
        ",2018-09-12,1\n"  # line 4: no file
        "洛阳日报/2018/09/12/10.md,2018-09-12,ten\n"  # line 5: bad page
        "\n"
        "洛阳日报/2018/09/12/10.md,2018-09-15,\n"  # line 7: duplicate
        '"root.txt",2018-09-14,1,extra\n',  # line 8: too many fields, row still used
    )
    corpus = load_corpus(archive)
    rows = [(s.file, s.line, s.reason) for s in corpus.skipped if s.line is not None]
    assert [(f, n) for f, n, _ in rows] == [("pages.csv", n) for n in (2, 3, 4, 5, 7, 8)]
    reasons = [r for _, _, r in rows]
    assert reasons[0] == "line 2: date '2018-02-30' is not a date"
    assert reasons[1] == "line 3: no page file 'missing.md' in the corpus"
    assert reasons[2] == "line 4: no file named"
    assert reasons[3] == "line 5: page 'ten' is not a page number"
    assert reasons[4].startswith("line 7: '洛阳日报/2018/09/12/10.md' already given on line 5")
    assert reasons[5].startswith("line 8: 4 fields")
    pages = by_file(corpus)
    two = pages["洛阳日报/2018/09/12/02.md"]
    assert (two.date, two.meta_source["date"], two.page, two.meta_source["page"]) == (
        "2018-09-12",
        "path",
        1,
        "manifest",
    )
    assert pages["洛阳日报/2018/09/12/10.md"].page == 10  # bad cell: the path's page
    assert pages["root.txt"].date == "2018-09-14"
    assert corpus.counts() == {"pages": 8, "skipped": 5, "manifest": 6}
    assert describe_counts(corpus).endswith("6 manifest rows not used")


def test_manifest_without_file_column(tmp_path: Path) -> None:
    put(tmp_path, "a.txt")
    put(tmp_path, "pages.csv", "name,date\na.txt,2018-09-12\n")
    corpus = load_corpus(tmp_path)
    assert [s.reason for s in corpus.skipped] == ["line 1: no 'file' column; manifest not used"]
    assert corpus.issues[0].date is None


# ---------------------------------------------------------------- single file, missing, empty


def test_single_file_is_a_corpus(archive: Path) -> None:
    put(archive, "洛阳日报/2018/09/12/pages.csv", "file,page\n02.md,7\n01.md,9\n")
    one = archive / "洛阳日报" / "2018" / "09" / "12" / "02.md"
    corpus = load_corpus(one)
    assert Path(corpus.root) == one.parent
    assert [(i.source, i.id, i.page) for i in corpus.issues] == [("02.md", "02", 7)]
    assert corpus.skipped == ()
    assert scan_corpus(one).single


def test_single_non_page_file(tmp_path: Path) -> None:
    f = put(tmp_path, "scan.pdf", b"%PDF")
    corpus = load_corpus(f)
    assert corpus.is_empty and corpus.skipped[0].file == "scan.pdf"
    with pytest.raises(EmptyCorpus):
        load_corpus(f, require_pages=True)


def test_missing_path_says_folder_not_found(tmp_path: Path) -> None:
    with pytest.raises(CorpusNotFound, match="corpus folder not found"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(CorpusNotFound, match="corpus folder not found"):
        scan_corpus(tmp_path / "nope.txt")


def test_empty_folder(tmp_path: Path) -> None:
    corpus = load_corpus(tmp_path)
    assert corpus.is_empty and corpus.editions() == []
    with pytest.raises(EmptyCorpus) as exc:
        load_corpus(tmp_path, require_pages=True)
    msg = str(exc.value)
    assert msg == f"no pages in {tmp_path} (looked for *.txt, *.md, *.markdown)"
    assert "\n" not in msg
    assert isinstance(exc.value, CorpusNotFound)  # the CLI's one-line, status-2 path
    put(tmp_path, "photo.jpg", b"\xff\xd8")
    put(tmp_path, ".hidden.txt")
    with pytest.raises(EmptyCorpus, match=r"1 other file skipped\)$"):
        scan_corpus(tmp_path).require_pages()
    assert describe_empty(tmp_path, 2).endswith("; 2 other files skipped)")


def test_only_hidden_pages_is_empty(tmp_path: Path) -> None:
    put(tmp_path, ".trash/old.txt")
    put(tmp_path, ".old.md")
    corpus = load_corpus(tmp_path)
    assert corpus.is_empty and corpus.skipped == ()


def test_symlinked_folder_outside_is_read_once(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    put(outside, "2018/09/12/01.md")
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "洛阳日报")
    os.symlink(outside, root / "洛阳日报副本")
    corpus = load_corpus(root)
    assert [i.source for i in corpus.issues] == ["洛阳日报/2018/09/12/01.md"]
    assert [s.file for s in corpus.skipped] == ["洛阳日报副本"]


def test_read_page_matches_load(archive: Path) -> None:
    put(archive, "pages.csv", "file,section\n洛阳日报/2018/09/12/02.md,要闻\n")
    corpus = load_corpus(archive)
    for issue in corpus.issues:
        again = read_page(archive, archive / issue.source)
        assert again == issue


# ------------------------------------------------------------------------------- filters


def _issue(**kw: object) -> Issue:
    base: dict[str, object] = {"id": "x", "source": "x.md", "title": "", "date": None}
    base.update(kw)
    return Issue(**base)  # type: ignore[arg-type]


def test_page_terms() -> None:
    p = _issue(paper="洛阳日报", date="2018-09-12", page=1, section="要闻")
    undated = _issue(paper="河南日报")
    assert matches_term("paper:洛阳日报", p) is True
    assert matches_term("paper:河南日报", p) is False
    assert matches_term('paper:"洛阳日报"', p) is True
    assert matches_term("date:2018-09", p) is True
    assert matches_term("date:2018", p) is True
    assert matches_term("date:2018-10", p) is False
    assert matches_term("date:2018-09-12", p) is True
    assert matches_term("date:20180912", p) is True
    assert matches_term("date:2018-09-01..2018-10-31", p) is True
    assert matches_term("date:2018-09-13..2018-10-31", p) is False
    assert matches_term("date:2018-08..2018-09", p) is True
    assert matches_term("date:..2018-09-12", p) is True
    assert matches_term("date:2018-09-13..", p) is False
    assert matches_term("page:1", p) is True
    assert matches_term("page:2", p) is False
    assert matches_term("page:1..4", p) is True
    assert matches_term("section:要闻", p) is True
    assert matches_term("date:2018", undated) is False
    assert matches_term("date:none", undated) is True
    assert matches_term("page:1", undated) is False
    assert matches_term("营商环境", p) is None
    assert matches_term("tag:营商环境", p) is None
    for bad in ("date:2018-13", "date:abc", "page:one", "paper:", "date:0912"):
        with pytest.raises(PageTermError):
            parse_term(bad)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2018-09-12", DateJump(2018, 9, 12)),
        ("20180912", DateJump(2018, 9, 12)),
        ("0912", DateJump(None, 9, 12)),
        ("2018/9/12", DateJump(2018, 9, 12)),
        ("2018年9月12日", DateJump(2018, 9, 12)),
        ("9月12日", DateJump(None, 9, 12)),
        ("09-12", DateJump(None, 9, 12)),
        ("2018-09", DateJump(2018, 9, None)),
        ("201809", DateJump(2018, 9, None)),
        ("2018", DateJump(2018, None, None)),
        (" 2018-09-12 ", DateJump(2018, 9, 12)),
        ("0229", DateJump(None, 2, 29)),
        ("2018-02-30", None),
        ("1332", None),
        ("1231", DateJump(None, 12, 31)),
        ("1900", DateJump(1900, None, None)),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_date_jump(text: str, want: DateJump | None) -> None:
    assert parse_date_jump(text) == want


def test_nearest_date() -> None:
    dates = ["2017-09-12", "2018-09-10", "2018-09-13", "2019-01-01"]
    jump = parse_date_jump
    assert nearest_date(jump("2018-09-12") or DateJump(None, None, None), dates) == "2018-09-13"
    assert nearest_date(DateJump(2018, 9, 10), dates) == "2018-09-10"
    assert nearest_date(DateJump(None, 9, 12), dates, current="2017-01-05") == "2017-09-12"
    assert nearest_date(DateJump(None, 1, 1), dates) == "2019-01-01"  # latest year
    assert nearest_date(DateJump(2030, None, None), dates) == "2019-01-01"
    assert nearest_date(DateJump(2018, None, None), []) is None


def test_metadata_can_be_applied_again(archive: Path) -> None:
    """A changed manifest needs no re-parse (the index can re-apply it to cached pages)."""
    from corpus.load import load_manifest
    from corpus.pagemeta import apply_meta

    corpus = load_corpus(archive)
    first = by_file(corpus)["洛阳日报/2018/09/12/01.md"]
    assert first.printed_date == "2018-09-13"
    assert apply_meta(first) == first
    put(archive, "pages.csv", "file,date\n洛阳日报/2018/09/12/01.md,2018-09-13\n")
    again = apply_meta(first, load_manifest(archive))
    assert (again.date, again.meta_source["date"]) == ("2018-09-13", "manifest")
    assert "date_text" not in again.meta_source  # manifest and print now agree
    assert apply_meta(again) == first  # manifest gone again: back to the path's date


@pytest.mark.parametrize("sep", [",", "\t", ";"])
def test_manifest_in_gbk_with_other_separators(tmp_path: Path, sep: str) -> None:
    put(tmp_path, "a.txt")
    text = f"file{sep}paper{sep}page\r\na.txt{sep}洛阳日报{sep}第3版\r\n"
    put(tmp_path, "pages.csv", text.encode("gbk"))
    [issue] = load_corpus(tmp_path).issues
    assert (issue.paper, issue.page, issue.meta_source["paper"]) == ("洛阳日报", 3, "manifest")


def test_page_label() -> None:
    from corpus.pagemeta import page_label

    assert page_label(_issue(page=1, section="A")) == "A01"
    assert page_label(_issue(page=3, section="要闻")) == "第3版 要闻"
    assert page_label(_issue(page=12)) == "第12版"
    assert page_label(_issue(source="loose/undated.txt")) == "undated.txt"


def test_annotations_of_tilde_ids_find_their_articles_again(tmp_path: Path) -> None:
    """Nested pages were once ``洛阳日报~2018~09~12~01``; now they are paths. A tag and a
    passage made then re-attach to the same article by its text."""
    from dataclasses import replace

    from storage.annotations import Store
    from workspace.session import Workspace

    root = tmp_path / "c"
    put(root, "洛阳日报/2018/09/12/01.md")
    art = load_corpus(root).articles[0]
    assert art.id.startswith("洛阳日报/2018/09/12/01-")
    old = replace(art, id=art.id.replace("/", "~"), issue_id=art.issue_id.replace("/", "~"))
    db = tmp_path / "db.json"
    with Store.open(db) as s:
        s.add_tags(old, ["旧"])
        s.add_highlight(old, 0, 4, ["旧段"])
    with Workspace(root, db, mode="write") as ws:
        ws.corpus()
        assert ws.store.notes(art.id).tags == ("旧",)
        assert [h.tags for h in ws.store.highlights(art.id)] == [("旧段",)]
        assert not ws.store.orphans()
