"""The codebook (rename, merge, move, recolour, describe, delete, counts), quick-tag digits,
passages as first-class objects, batches, and the orphan rule — exact counts on a hand-made
fixture; every edit one undo step that restores the stored tables byte for byte."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.model import Article, Corpus, Issue, Kind, Paragraph
from storage.annotations import (
    AnnotationError,
    CodeCycle,
    CodeExists,
    Store,
    StoreError,
    UnknownCode,
)
from storage.durable import dump_json

TEXTS = [
    "优化营商环境是一项系统工程，党建引领发展。",
    "营商环境持续改善，放管服改革深入推进。",
    "基层党建工作扎实，营商环境得到企业认可。",
    "本文只被读过，没有任何标注。",
]
CODINGS = ("articles", "highlights", "tags", "quick")


def art(i: int, text: str | None = None) -> Article:
    return Article(
        id=f"p1-{i:04x}",
        issue_id="p1",
        title=f"标题{i}",
        paragraphs=(Paragraph(Kind.TEXT, TEXTS[i] if text is None else text, (i + 1, i + 1)),),
    )


ARTS = [art(i) for i in range(len(TEXTS))]
ARTS_BY_ID = {a.id: i for i, a in enumerate(ARTS)}


def tables(s: Store) -> bytes:
    """The stored coding tables, as the database file serialises them."""
    raw = s.storage.read()
    return dump_json({t: raw.get(t, {}) for t in CODINGS})


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "a.json"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    """经济 ⊃ 营商环境 ⊃ 放管服, 党建 at the top; four articles, four passages:

    A0 tags 经济 营商环境; passages p1 [营商环境], p2 [营商环境 党建] with a note
    A1 tags 营商环境;      passage  p3 [放管服]
    A2 tags 党建;          passage  p4 [营商环境]
    A3 only read
    """
    with Store.open(db) as s:
        s.define_tag("经济", "#111111", "经济议题")
        s.define_tag("营商环境", "#222222", "政府与企业", parent="经济")
        s.define_tag("放管服", parent="营商环境")
        s.define_tag("党建")
        a0, a1, a2, a3 = ARTS
        s.add_tags(a0, ["经济", "营商环境"])
        s.highlight_quote(a0, "优化营商环境", ["营商环境"])
        s.highlight_quote(a0, "党建引领", ["营商环境", "党建"], note="引领")
        s.add_tags(a1, ["营商环境"])
        s.highlight_quote(a1, "放管服改革", ["放管服"])
        s.add_tags(a2, ["党建"])
        s.highlight_quote(a2, "营商环境得到", ["营商环境"])
        s.set_read(a3, undoable=False)
        yield s


def rows(s: Store) -> list[tuple[str, str, int, int]]:
    return [(r.name, r.parent, r.articles, r.passages) for r in s.codebook()]


def codes_of(s: Store) -> tuple[dict[str, list[str]], list[list[str]]]:
    arts = {n.article_id: list(n.tags) for n in s.all_notes()}
    return arts, [list(h.tags) for h in s.highlights()]


def test_codebook_rows_in_tree_order_with_counts(store: Store) -> None:
    assert rows(store) == [
        ("经济", "", 1, 0),
        ("营商环境", "经济", 2, 3),
        ("放管服", "营商环境", 0, 1),
        ("党建", "", 1, 1),
    ]
    by = {r.name: r for r in store.codebook()}
    assert [by[n].depth for n in ("经济", "营商环境", "放管服", "党建")] == [0, 1, 2, 0]
    assert (by["经济"].articles_with_children, by["经济"].passages_with_children) == (2, 4)
    assert (by["营商环境"].articles_with_children, by["营商环境"].passages_with_children) == (2, 4)
    assert by["经济"].as_json() == {
        "name": "经济",
        "parent": "",
        "colour": "#111111",
        "description": "经济议题",
        "articles": 1,
        "passages": 0,
    }
    u = store.code_usage("营商环境")
    assert sorted(u.articles) == [ARTS[0].id, ARTS[1].id] and len(u.passages) == 3
    assert u.descendants == ("放管服",) and len(u.passages_with_children) == 4
    assert store.code_usage("经济").articles_with_children == u.articles_with_children


def test_used_but_undefined_codes_are_listed(db: Path) -> None:
    with Store.open(db) as s:
        s.add_tags(ARTS[0], ["已定义"])
        s.define_tag("子码", parent="只作父级")
    raw = json.loads(db.read_text("utf-8"))
    raw["articles"]["1"]["tags"].append("隐含")  # as an import or an old database leaves it
    db.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    with Store.open(db) as s:
        got = [(r.name, r.parent, r.articles, r.defined) for r in s.codebook()]
        assert got == [
            ("已定义", "", 1, True),
            ("只作父级", "", 0, False),
            ("子码", "只作父级", 0, True),
            ("隐含", "", 1, False),
        ]
        s.rename_code("隐含", "显式")
        assert s.notes(ARTS[0].id).tags == ("已定义", "显式")
        assert s.tag("显式").name == "显式"


def test_merge_moves_every_coding_and_undo_restores_bytes(store: Store, db: Path) -> None:
    before = tables(store)
    store.merge_codes("营商环境", "党建")
    arts, hls = codes_of(store)
    assert arts == {
        ARTS[0].id: ["经济", "党建"],
        ARTS[1].id: ["党建"],
        ARTS[2].id: ["党建"],
        ARTS[3].id: [],
    }
    assert hls == [["党建"], ["党建"], ["放管服"], ["党建"]]
    assert rows(store) == [("经济", "", 1, 0), ("党建", "", 3, 3), ("放管服", "党建", 0, 1)]
    assert store.tag("党建").description == "政府与企业"  # the empty description took src's
    after = tables(store)
    assert store.undo() == "merge 营商环境 → 党建"
    assert tables(store) == before
    store.redo()
    assert tables(store) == after
    store.undo()
    store.close()
    with Store.open(db) as s:  # the undo is on disk too
        assert tables(s) == before


def test_merge_into_own_descendant_takes_its_place(store: Store) -> None:
    store.merge_codes("经济", "放管服")
    assert rows(store) == [("放管服", "", 1, 1), ("营商环境", "放管服", 2, 3), ("党建", "", 1, 1)]
    assert store.tag("放管服").description == "经济议题"
    with pytest.raises(AnnotationError, match="itself"):
        store.merge_codes("党建", "党建")


def test_rename(store: Store) -> None:
    before = tables(store)
    with pytest.raises(CodeExists, match="党建"):
        store.rename_code("营商环境", "党建")
    for bad in ["", "   ", "\t\n", "营商 氛围", "营商，氛围"]:
        with pytest.raises(AnnotationError):
            store.rename_code("营商环境", bad)
    assert tables(store) == before
    store.rename_code("营商环境", " 营商氛围 ")
    arts, hls = codes_of(store)
    assert arts[ARTS[0].id] == ["经济", "营商氛围"]
    assert hls == [["营商氛围"], ["营商氛围", "党建"], ["放管服"], ["营商氛围"]]
    assert rows(store)[1:3] == [("营商氛围", "经济", 2, 3), ("放管服", "营商氛围", 0, 1)]
    assert store.tag("营商氛围").colour == "#222222"
    store.undo()
    assert tables(store) == before


def test_move_and_cycles_refused(store: Store) -> None:
    before = tables(store)
    with pytest.raises(CodeCycle, match="below"):
        store.move_code("经济", "放管服")
    with pytest.raises(CodeCycle, match="own parent"):
        store.move_code("党建", "党建")
    assert isinstance(CodeCycle("x"), StoreError)
    assert tables(store) == before
    store.move_code("放管服", "")
    store.move_code("党建", "经济")
    assert [(n, p) for n, p, _a, _b in rows(store)] == [
        ("经济", ""),
        ("营商环境", "经济"),
        ("党建", "经济"),
        ("放管服", ""),
    ]
    store.undo()
    store.undo()
    assert tables(store) == before


def test_recolour_describe_and_unknown_codes(store: Store) -> None:
    store.recolour_code("党建", "#AbCdEf")
    store.describe_code("党建", "  党的建设  ")
    assert store.tag("党建").colour == "#AbCdEf" and store.tag("党建").description == "党的建设"
    for bad in ["red", "#12345", "#1234567", "#ggg000"]:
        with pytest.raises(AnnotationError, match="RRGGBB"):
            store.recolour_code("党建", bad)
    for op in (
        lambda: store.rename_code("没有", "x"),
        lambda: store.merge_codes("没有", "党建"),
        lambda: store.merge_codes("党建", "没有"),
        lambda: store.move_code("没有", ""),
        lambda: store.move_code("党建", "没有"),
        lambda: store.recolour_code("没有", "#000000"),
        lambda: store.describe_code("没有", "x"),
        lambda: store.delete_code("没有"),
        lambda: store.code_usage("没有"),
        lambda: store.pin_quick_tag("没有", 1),
    ):
        with pytest.raises(UnknownCode) as exc:
            op()
        assert "\n" not in str(exc.value) and "没有" in str(exc.value)
    assert store.undo() == "code 党建"
    assert store.tag("党建").description == ""


def test_delete_code_removes_empty_passages_and_undo_restores(store: Store) -> None:
    before = tables(store)
    usage = store.delete_code("营商环境")
    assert len(usage.articles) == 2 and len(usage.passages) == 3
    arts, hls = codes_of(store)
    assert arts == {ARTS[0].id: ["经济"], ARTS[1].id: [], ARTS[2].id: ["党建"], ARTS[3].id: []}
    assert hls == [["党建"], ["放管服"]]  # p1 and p4 coded nothing else: gone; p2 keeps its note
    assert store.highlights(ARTS[0].id)[0].note == "引领"
    assert rows(store) == [("经济", "", 1, 0), ("放管服", "经济", 0, 1), ("党建", "", 1, 1)]
    store.undo()
    assert tables(store) == before
    # a half-typed code with no codings left can go too
    store.add_tags(ARTS[0], ["营"])
    store.remove_tags(ARTS[0], ["营"])
    store.delete_code("营")
    assert "营" not in [r.name for r in store.codebook()]


def test_deleting_a_code_counts_every_coders_codings(store: Store) -> None:
    """The delete takes every coder's codings of the code, so what it says it removes counts
    them all (it counted yours only, and removed another coder's without a word)."""
    with store.as_coder("乙"):
        store.add_tags(ARTS[3], ["营商环境"])
    assert len(store.code_usage("营商环境").articles) == 2  # yours (乙's are hidden)
    usage = store.delete_code("营商环境")
    assert sorted(usage.articles) == sorted([ARTS[0].id, ARTS[1].id, ARTS[3].id])


def test_codebook_edits_are_durable_when_they_return(store: Store, db: Path) -> None:
    store.merge_codes("放管服", "营商环境")
    assert db.with_name(db.name + ".journal").exists()
    with Store.open(db, readonly=True) as ro:  # what a crash now would leave
        assert [r.name for r in ro.codebook()] == ["经济", "营商环境", "党建"]
        assert ro.code_usage("营商环境").passages == store.code_usage("营商环境").passages


def test_quick_tags_are_stable_and_pinnable(store: Store, db: Path) -> None:
    first = store.quick_tags()
    assert first == ["经济", "营商环境", "放管服", "党建", "", "", "", "", ""]
    for _ in range(3):  # using a code never re-sorts the digits
        store.add_tags(ARTS[3], ["党建"])
        store.highlight_quote(ARTS[1], "持续改善", ["党建"])
        assert store.quick_tags() == first
    store.add_tags(ARTS[3], ["新码"])
    assert store.quick_tags()[:5] == [*first[:4], "新码"]
    store.pin_quick_tag("新码", 1)
    assert store.quick_tags()[:5] == ["新码", "经济", "营商环境", "放管服", "党建"]
    store.pin_quick_tag("党建", 9)
    store.pin_quick_tag("党建", 7)  # a pinned code moves
    assert store.quick_tags() == ["新码", "经济", "营商环境", "放管服", "", "", "党建", "", ""]
    assert {r.name: r.slot for r in store.codebook()}["党建"] == 7
    with pytest.raises(AnnotationError, match="1-9"):
        store.pin_quick_tag("党建", 10)
    assert store.undo() == "quick tag 7"
    assert store.quick_tags()[8] == "党建"
    store.redo()
    store.close()
    with Store.open(db) as s:  # persisted
        assert s.quick_tags()[6] == "党建" and s.quick_tags()[0] == "新码"
        s.rename_code("党建", "党的建设")  # a pin follows its code
        assert s.quick_tags()[6] == "党的建设"
        s.undo()
        s.pin_quick_tag("", 7)  # frees the digit
        assert s.quick_tags()[4] == "党建" and s.quick_tags()[6] == ""


def test_digits_keep_their_codes_when_a_code_goes(store: Store) -> None:
    """Deleting or merging away a code does not move the codes after it up a digit: 3 means
    what it meant a moment ago (#15), and an undo puts everything back."""
    first = store.quick_tags()
    assert first[:4] == ["经济", "营商环境", "放管服", "党建"]
    store.merge_codes("营商环境", "经济")  # digit 2's code goes
    after = store.quick_tags()
    assert after[0] == "经济" and after[2:4] == ["放管服", "党建"]
    assert "营商环境" not in after
    store.undo()
    assert store.quick_tags() == first
    store.delete_code("经济")  # digit 1's code goes
    assert store.quick_tags()[1:4] == ["营商环境", "放管服", "党建"]
    store.undo()
    assert store.quick_tags() == first


def test_batch_is_one_undo_step_and_all_or_nothing(store: Store, db: Path) -> None:
    before = tables(store)
    with store.batch("autocode"):
        for a in ARTS[:3]:
            store.add_highlight(a, 0, 2, ["自动"])
            with store.batch("inner"):
                store.add_tags(a, ["自动"])
    assert store.code_usage("自动").passages and len(store.code_usage("自动").articles) == 3
    assert store.undo() == "autocode"
    assert tables(store) == before  # the code it introduced goes with it
    steps = len(store.history.undo)
    with pytest.raises(RuntimeError), store.batch("broken"):
        store.add_tags(ARTS[3], ["半途"])
        raise RuntimeError("stop")
    assert store.notes(ARTS[3].id).tags == ()
    assert len(store.history.undo) == steps  # the broken batch left no step
    store.close()
    with Store.open(db) as s:
        assert s.notes(ARTS[3].id).tags == ()


def test_identical_span_adds_to_the_existing_passage(store: Store) -> None:
    a = ARTS[0]
    h = store.highlights(a.id)[0]
    same = store.add_highlight(a, h.start, h.end, ["党建"], note="第一")
    assert same.id == h.id and same.tags == ("营商环境", "党建") and same.note == "第一"
    again = store.add_highlight(a, h.start, h.end, note="第二")
    assert again.id == h.id and again.note == "第一\n\n第二"
    assert len(store.highlights(a.id)) == 2
    store.undo()
    store.undo()
    assert store.highlights(a.id)[0] == h


def test_highlight_at_edit_resize(store: Store) -> None:
    a = ARTS[0]
    outer = store.add_highlight(a, 0, 10, ["经济"])
    p1 = next(h for h in store.highlights(a.id) if h.quote == "优化营商环境")
    assert store.highlight_at(a.id, 3) == p1  # the innermost passage under the caret
    assert store.highlight_at(a.id, 8) == outer
    assert store.highlight_at(a.id, len(a.text) - 1) is None
    assert store.highlight_at("no-such-article", 0) is None
    coded = store.add_highlight_tags(outer.id, [" 党建 ", "经济"])
    assert coded.tags == ("经济", "党建") and store.add_highlight_tags(outer.id, ["党建"]) == coded
    store.undo()
    with pytest.raises(AnnotationError):
        store.add_highlight_tags(outer.id, [])
    got = store.remove_highlight_tags(outer.id, ["经济"])
    assert got is None and store.highlight_at(a.id, 8) is None  # nothing left: removed
    store.undo()
    assert store.highlight_at(a.id, 8) == outer
    with pytest.raises(AnnotationError):
        store.remove_highlight_tags(outer.id, ["党建"])
    noted = store.set_highlight_note(outer.id, "外层")
    assert noted is not None and noted.note == "外层"
    bigger = store.resize_highlight(outer.id, 0, 12, a)
    assert bigger.quote == a.text[:12] and bigger.suffix == a.text[12:44]
    assert bigger.tags == ("经济",) and bigger.note == "外层"
    merged = store.resize_highlight(outer.id, p1.start, p1.end, a)  # onto p1: one passage
    assert merged.id == p1.id and merged.tags == ("营商环境", "经济") and merged.note == "外层"
    assert len(store.highlights(a.id)) == 2
    with pytest.raises(AnnotationError):
        store.resize_highlight(p1.id, 5, 500, a)
    with pytest.raises(AnnotationError, match="belongs"):
        store.resize_highlight(p1.id, 0, 2, ARTS[1])
    store.undo()
    store.undo()
    back = store.highlight_at(a.id, 8)
    assert back is not None and (back.start, back.end, back.note) == (0, 10, "外层")


def test_only_read_articles_are_not_orphans(store: Store) -> None:
    store.set_starred(ARTS[3])
    gone = Corpus("x", (Issue("p1", "p1.txt", "p1", None, articles=(ARTS[0],)),))
    assert store.reattach(gone) == 4  # A1, A2 and their passages; not the read, starred A3
    kinds = sorted((o["type"], o["article_id"]) for o in store.orphans())
    assert kinds == [
        ("article", ARTS[1].id),
        ("article", ARTS[2].id),
        ("highlight", ARTS[1].id),
        ("highlight", ARTS[2].id),
    ]
    assert store.notes(ARTS[3].id).orphan  # flagged, but nothing to lose


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "rename",
                "merge",
                "move",
                "colour",
                "describe",
                "delete",
                "pin",
                "tag",
                "code",
                "uncode",
                "note",
                "resize",
            ]
        ),
        st.integers(0, 50),
        st.integers(0, 50),
    ),
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS)
def test_any_edits_then_undo_all_restore_the_tables(ops: list[tuple[str, int, int]]) -> None:
    """Whatever sequence of codebook and passage edits is made (refused ones included),
    the codebook stays a forest with every used code listed, and undoing every step gives
    back the stored tables byte for byte."""
    with tempfile.TemporaryDirectory() as tmp:
        gen = iter(range(10_000))
        with Store.open(Path(tmp) / "a.json") as s:
            for name, parent in [("甲", ""), ("乙", "甲"), ("丙", "乙"), ("丁", "")]:
                s.define_tag(name, parent=parent)
            for i, a in enumerate(ARTS[:3]):
                s.add_tags(a, [["甲", "乙", "丁"][i]])
                s.add_highlight(a, 0, 4, [["乙", "丙", "丁"][i]])
                s.add_highlight(a, 2, 8, ["甲", "丁"], note="注" if i else "")
            s.history.undo.clear()
            start = tables(s)
            for op, x, y in ops:
                codes = [r.name for r in s.codebook()] or ["甲"]
                hls = s.highlights()
                c1, c2 = codes[x % len(codes)], codes[y % len(codes)]
                a = ARTS[x % 3]
                try:
                    if op == "rename":
                        s.rename_code(c1, f"新{next(gen)}" if y % 3 else c2)
                    elif op == "merge":
                        s.merge_codes(c1, c2)
                    elif op == "move":
                        s.move_code(c1, c2 if y % 4 else "")
                    elif op == "colour":
                        s.recolour_code(c1, f"#{x:02x}{y:02x}00")
                    elif op == "describe":
                        s.describe_code(c1, f"说明{y}")
                    elif op == "delete":
                        s.delete_code(c1)
                    elif op == "pin":
                        s.pin_quick_tag(c1 if y % 5 else "", 1 + y % 9)
                    elif op == "tag":
                        s.add_tags(a, [c1])
                    elif op == "code":
                        s.add_highlight(a, x % 5, x % 5 + 1 + y % 4, [c1])
                    elif hls and op == "uncode":
                        h = hls[x % len(hls)]
                        s.remove_highlight_tags(h.id, h.tags[:1] or ["甲"])
                    elif hls and op == "note":
                        s.set_highlight_note(hls[x % len(hls)].id, "" if y % 2 else f"注{y}")
                    elif hls and op == "resize":
                        h = hls[x % len(hls)]
                        s.resize_highlight(
                            h.id, y % 6, y % 6 + 1 + x % 5, ARTS[ARTS_BY_ID[h.article_id]]
                        )
                except AnnotationError:
                    pass
                rows_ = s.codebook()
                names = [r.name for r in rows_]
                assert len(names) == len(set(names))
                used = {t for h in s.highlights() for t in h.tags}
                used |= {t for n in s.all_notes() for t in n.tags}
                assert used <= set(names)
                parent = {r.name: r.parent for r in rows_}
                for n in names:  # no cycles: every chain of parents ends
                    seen, p = set(), n
                    while p:
                        assert p not in seen
                        seen.add(p)
                        p = parent.get(p, "")
            while s.undo() is not None:
                pass
            assert tables(s) == start


def test_text_returning_to_an_article_brings_its_annotations(store: Store) -> None:
    """Undoing a split (or a re-parse joining two parts): the vanished part's tags, note and
    passages move into the article its text now sits in — not orphaned."""
    a0, a1 = ARTS[0], ARTS[1]
    store.set_note(a1, "第二篇的笔记")
    store.set_note(a0, "第一篇")
    joined = art(0, TEXTS[0] + "\n" + TEXTS[1])
    page = Corpus("x", (Issue("p1", "p1.txt", "p1", None, articles=(joined, ARTS[2], ARTS[3])),))
    assert store.reattach(page) == 0
    n = store.notes(joined.id)
    assert n.tags == ("经济", "营商环境") and n.note == "第一篇\n\n第二篇的笔记"
    assert store.notes(a1.id).tags == () and a1.id not in {x.article_id for x in store.all_notes()}
    moved = [h for h in store.highlights(joined.id) if h.tags == ("放管服",)]
    assert [joined.text[h.start : h.end] for h in moved] == ["放管服改革"]
    assert moved[0].start == len(TEXTS[0]) + 1 + TEXTS[1].index("放管服改革")


def test_a_batch_or_undo_the_disk_refuses_changes_nothing(
    store: Store, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, steps = tables(store), len(store.history.undo)

    def full(*a: object, **k: object) -> None:
        raise StoreError("cannot write the journal: no space left on device")

    monkeypatch.setattr(store.storage, "commit_tables", full)
    with pytest.raises(StoreError, match="no space"):
        store.merge_codes("营商环境", "党建")
    assert tables(store) == before and len(store.history.undo) == steps
    assert [r.name for r in store.codebook()][1] == "营商环境"  # indexes rolled back too
    monkeypatch.undo()
    store.merge_codes("营商环境", "党建")
    merged = tables(store)
    monkeypatch.setattr(store.storage, "apply", full)
    with pytest.raises(StoreError):
        store.undo()
    assert tables(store) == merged
    monkeypatch.undo()
    assert store.undo() == "merge 营商环境 → 党建"  # the step was kept for a later try
    assert tables(store) == before
