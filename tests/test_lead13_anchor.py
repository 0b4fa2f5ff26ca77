"""A passage whose own words were corrected on the page does not jump to another
occurrence of its old quote with other neighbours: it becomes an orphan, shown as such
(tester E, E2: the first 军民融合 corrected to 军民结合, its code and note moved to the
军民融合 of the next sentence, reported as "moved with their text")."""

from __future__ import annotations

from pathlib import Path

from workspace.session import Workspace

PAGE = "002_b9b8827272cb3fea.txt"
AID = "002_b9b8827272cb3fea-de6073ee"


def _code(root: Path, db: Path, at_nth: int) -> tuple[int, int]:
    ws = Workspace(root, db, mode="write", coder="甲")
    art = ws.corpus().article(AID)
    assert art is not None and art.text.count("军民融合") >= 2
    s = -1
    for _ in range(at_nth + 1):
        s = art.text.index("军民融合", s + 1)
    ws.code_passage(art, s, s + 4, ["军民"], note="P4")
    ws.close()
    return s, s + 4


def _correct(root: Path, new: str) -> None:
    """The page edited where the first 军民融合 stands (大数据、军民融合、轨道交通)."""
    page = root / PAGE
    text = page.read_text(encoding="utf-8")
    assert "大数据、军民融合、轨道交通" in text
    page.write_text(text.replace("大数据、军民融合、轨道交通", new), "utf-8")


def _passages(root: Path, db: Path) -> list[dict[str, object]]:
    ws = Workspace(root, db, mode="write", coder="甲")
    ws.corpus()
    ws.anchor()
    docs = list(ws.store.storage.read()["highlights"].values())
    ws.close()
    return docs


def test_coded_words_corrected_make_an_orphan_not_a_jump(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    _code(seeds_copy, db, 0)
    _correct(seeds_copy, "大数据、军民结合、轨道交通")
    (d,) = _passages(seeds_copy, db)
    assert d["orphan"] is True
    assert d["quote"] == "军民融合" and d["note"] == "P4"


def test_a_quote_whose_neighbour_changed_on_one_side_still_follows(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """An edit right before the passage (大数据 → 大 数据据) leaves what follows it: the same
    passage, found again."""
    db = tmp_path / "a.json"
    _code(seeds_copy, db, 0)
    _correct(seeds_copy, "大数据库；军民融合、轨道交通")
    (d,) = _passages(seeds_copy, db)
    assert not d.get("orphan")
    ws = Workspace(seeds_copy, db, mode="read", coder="甲")
    art = ws.corpus().article(str(d["article_id"]))
    assert art is not None
    s, e = int(str(d["start"])), int(str(d["end"]))
    assert art.text[s:e] == "军民融合" and art.text[e : e + 5] == "、轨道交通"
    ws.close()


def test_the_user_can_still_attach_it_where_the_quote_stands(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """Attached by hand (``piyue orphans attach``, ``O``), the quote anywhere in the chosen
    article will do: the user says where it belongs."""
    db = tmp_path / "a.json"
    _code(seeds_copy, db, 0)
    _correct(seeds_copy, "大数据、军民结合、轨道交通")
    (d,) = _passages(seeds_copy, db)
    ws = Workspace(seeds_copy, db, mode="write", coder="甲")
    art = ws.corpus().article(AID)
    assert art is not None
    done = ws.store.attach_orphan(str(d["id"]), art)
    assert done.passages == 1
    (d,) = list(ws.store.storage.read()["highlights"].values())
    assert not d.get("orphan") and art.text[int(str(d["start"])) : int(str(d["end"]))] == "军民融合"
    ws.close()


def test_the_codebook_counts_what_retrieval_finds_not_orphans(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """执纪: 2 段 in the codebook and the quick-tag bar, 1 retrieved, one of them an orphan
    (tester E, E3): the counts are what Enter on the code lists."""
    db = tmp_path / "a.json"
    _code(seeds_copy, db, 0)
    _code(seeds_copy, db, 1)
    _correct(seeds_copy, "大数据、军民结合、轨道交通")
    docs = _passages(seeds_copy, db)
    assert sorted(bool(d.get("orphan")) for d in docs) == [False, True]
    ws = Workspace(seeds_copy, db, mode="read", coder="甲")
    ws.corpus()
    (row,) = [r for r in ws.store.codebook() if r.name == "军民"]
    assert ws.store.tag_counts()["军民"] == 1
    assert (row.passages, row.articles) == (1, 0)
    ws.close()


def test_two_copies_of_a_page_renamed_each_in_its_folder_keep_their_codings(
    tmp_path: Path,
) -> None:
    """The same page in two date folders (scanned twice, a reprint), both files renamed:
    every coding went to the orphans, the text being on two new pages (tester E, E8).  The
    copy in the folder its page was in is its page."""
    seed = Path(__file__).resolve().parent.parent / "seeds" / "001_f7413848275faa8a.txt"
    root = tmp_path / "corpus"
    for day in ("01", "02"):
        (root / "报" / "2020" / "01" / day).mkdir(parents=True)
        (root / "报" / "2020" / "01" / day / "01.txt").write_bytes(seed.read_bytes())
    db = tmp_path / "a.json"
    ws = Workspace(root, db, mode="write", coder="乙")
    corpus = ws.corpus()
    for day, code in (("01", "一日"), ("02", "二日")):
        art = corpus.article(f"报/2020/01/{day}/01-4657f528")
        assert art is not None
        ws.tag(art, [code])
    ws.close()
    for day in ("01", "02"):
        folder = root / "报" / "2020" / "01" / day
        (folder / "01.txt").rename(folder / "第01版.txt")
    ws = Workspace(root, db, mode="write", coder="乙")
    ws.corpus()
    ws.anchor()
    assert ws.store.orphans() == []
    for day, code in (("01", "一日"), ("02", "二日")):
        assert ws.store.notes(f"报/2020/01/{day}/第01版-4657f528").tags == (code,)
    ws.close()
