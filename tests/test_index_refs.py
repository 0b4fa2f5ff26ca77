"""Articles refer to their page by its number (``pages.no``) and store only the part of their
id after the page's: after pages change, go, come and are skipped, every article still finds
its page, its texts and its id, and every id finds its article."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from corpus.load import load_corpus
from storage.index import Index
from storage.pagestore import ARTICLE_ID_SQL, full_id, id_cuts, own_id

from .conftest import SEEDS


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Pages in dated folders and at the root, ids with ``-`` in them, an empty page."""
    root = tmp_path / "tree"
    texts = [p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))]
    layout = [
        "洛阳日报/2018/09/12/01.md",
        "洛阳日报/2018/09/12/02.md",
        "河南日报/2018-09-12/03.txt",
        "2018-09-14.txt",
        "2018-09.txt",
    ]
    for rel, data in zip(layout, texts, strict=True):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "later.md").write_bytes(b"")
    return root


def _check(idx: Index, root: Path) -> None:
    """The index holds the corpus the files give, and every reference in it is right."""
    want = load_corpus(root)
    db = idx.db
    pages = dict(db.execute("SELECT no, id FROM pages WHERE skipped IS NULL").fetchall())
    # no article, text or row is left without its page, nor refers to another
    assert {n for (n,) in db.execute("SELECT DISTINCT page FROM articles")} <= set(pages)
    assert {n for (n,) in db.execute("SELECT no FROM pagetext")} == set(pages)
    for no, count in db.execute("SELECT no, articles FROM pages WHERE skipped IS NULL"):
        ords = [
            o for (o,) in db.execute("SELECT ord FROM articles WHERE page=? ORDER BY ord", (no,))
        ]
        assert ords == list(range(count))
    got = idx.corpus()
    assert [i.id for i in got.issues] == [i.id for i in want.issues]
    for mine, theirs in zip(got.issues, want.issues, strict=True):
        assert mine.articles == theirs.articles
    ids = [a.id for a in want.articles]
    rows = idx.article_rows([*ids, "no-such-article", "洛阳日报/2018/09/12/01-nothing"])
    assert set(rows) == set(ids)
    for a in want.articles:
        row = rows[a.id]
        assert row.page_id == a.issue_id and pages[row.page] == a.issue_id
        assert row.title == a.title
        assert idx.tokens_of(a.id)
    in_sql = dict(
        db.execute(f"SELECT a.n, {ARTICLE_ID_SQL} FROM articles a JOIN pages p ON p.no = a.page")
    )
    assert sorted(in_sql.values()) == sorted(ids)
    assert {rows[a].n: a for a in ids} == in_sql
    db.execute("INSERT INTO fts(fts, rank) VALUES('integrity-check', 0)")
    # what ``list --json`` splices in as SQLite built it: each key once, as the page has it
    texts = [t for _, t in idx.iter_summary_json()]
    assert [json.loads(t, object_pairs_hook=_once) for t in texts] == [
        i.summary() for i in want.issues
    ]


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)


def test_pages_changed_deleted_added_keep_every_reference(tmp_path: Path, tree: Path) -> None:
    idx = Index(tree, tmp_path / "cache")
    idx.refresh(workers=1)
    _check(idx, tree)
    # one page changed, one deleted, one added, the empty one filled, one emptied
    changed = tree / "洛阳日报/2018/09/12/01.md"
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n新增一段关于龙门石窟的文字。\n", "utf-8"
    )
    (tree / "2018-09-14.txt").unlink()
    added = tree / "洛阳日报/2018/09/13/01.md"
    added.parent.mkdir(parents=True)
    added.write_bytes(
        (tree / "河南日报/2018-09-12/03.txt").read_bytes() + "\n外加一句。\n".encode()
    )
    (tree / "later.md").write_bytes((tree / "2018-09.txt").read_bytes())
    (tree / "洛阳日报/2018/09/12/02.md").write_bytes(b"")
    stats = idx.refresh(workers=1)
    assert (stats.removed, stats.skipped) == (1, 1)
    _check(idx, tree)
    hits = idx.search("龙门石窟")
    assert hits and all(h.issue_id == "洛阳日报/2018/09/12/01" for h in hits)
    assert idx.issue("2018-09-14") is None
    # numbers of pages and articles survive a VACUUM (both are INTEGER PRIMARY KEYs)
    idx.db.commit()  # the integrity check began one
    idx.db.execute("VACUUM")
    _check(idx, tree)
    idx.close()
    again = Index(tree, tmp_path / "cache")
    assert again.is_fresh()
    _check(again, tree)
    again.close()


def test_an_id_stored_whole_is_found(tmp_path: Path, tree: Path) -> None:
    """An id that does not begin with its page's id is stored whole, after ``\\x01``."""
    idx = Index(tree, tmp_path / "cache")
    idx.refresh(workers=1)
    n, page = idx.db.execute("SELECT n, page FROM articles ORDER BY n LIMIT 1").fetchone()
    idx.db.execute("UPDATE articles SET aid=? WHERE n=?", (own_id("其他-1", "2018-09"), n))
    row = idx.article_rows(["其他-1"])["其他-1"]
    assert (row.n, row.page) == (n, page)
    plan = " ".join(
        str(r)
        for r in idx.db.execute(
            "EXPLAIN QUERY PLAN SELECT n FROM articles WHERE unicode(aid) = 1 AND aid IN (?)",
            ("\x01其他-1",),
        )
    )
    assert "articles_whole" in plan
    idx.close()


@pytest.mark.parametrize(
    ("aid", "page"),
    [
        ("2018-09-14-ab12cd34", "2018-09-14"),
        ("2018-09-14-ab12cd34-2", "2018-09-14"),
        ("洛阳日报/2018/09/12/01-ab12cd34", "洛阳日报/2018/09/12/01"),
        ("other-x", "2018-09"),
        ("2018-09-", "2018-09"),
        ("2018-09-\x01x", "2018-09"),
        ("-x", ""),
    ],
)
def test_an_id_comes_back_from_its_parts(aid: str, page: str) -> None:
    own = own_id(aid, page)
    assert full_id(own, page) == aid
    if not own.startswith("\x01"):
        assert (page, own) in id_cuts(aid)
