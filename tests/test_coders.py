"""Several coders: every coding knows its coder, blind reads, the schema upgrade, imports kept
apart (or merged), orphans, agreement on the command line, adjudication, exports with coders."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from corpus.load import load_corpus
from corpus.model import Article
from storage import export as ex
from storage.annotations import SCHEMA, Store, default_coder
from storage.annotations.importing import import_jsonl
from storage.errors import AnnotationError
from workspace.coders import Adjudication, UnknownCoder, agree
from workspace.session import Workspace

from .conftest import ROOT, SEEDS

XSD = ROOT.parent / "shared" / "refi-qda" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def arts() -> list[Article]:
    return load_corpus(SEEDS).articles


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "annotations.json"


def two(arts: list[Article]) -> tuple[Article, Article]:
    a = next(x for x in arts if "营商环境" in x.text)
    b = next(x for x in arts if x.id != a.id and len(x.text) > 50)
    return a, b


# ------------------------------------------------------------------ attribution


def test_default_coder_comes_from_the_environment_or_the_login(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PIYUE_CODER", "  王 五 ")
    assert default_coder() == "王 五"
    monkeypatch.delenv("PIYUE_CODER")
    monkeypatch.setattr("getpass.getuser", lambda: (_ for _ in ()).throw(KeyError("uid")))
    assert default_coder() == "coder"  # no login name in a container: a safe fallback


def test_every_coding_knows_its_coder_and_reads_are_blind(db: Path, arts: list[Article]) -> None:
    a, b = two(arts)
    with Store.open(db, coder="甲") as s:
        s.add_tags(a, ["营商环境"])
        s.set_note(a, "甲的笔记")
        s.set_read(b)
        h = s.highlight_quote(a, "营商环境", ["营商环境"])
        assert h.coder == "甲" and s.notes(a.id).coder == "甲"
    with Store.open(db, coder="乙") as s:
        assert s.coder == "乙" and s.coders() == ["乙", "甲"]
        # blind: 甲's codings are not shown to 乙 — notes, passages, counts, selections
        assert s.notes(a.id).tags == () and s.highlights(a.id) == []
        assert s.tag_counts() == {} and s.select("营商环境") == set()
        assert s.highlight_at(a.id, h.start) is None
        assert next(r for r in s.codebook() if r.name == "营商环境").articles == 0
        s.add_tags(a, ["党建"])
        h2 = s.highlight_quote(a, "营商环境", ["党建"])  # same span, a passage of 乙's own
        assert h2.id != h.id and h2.coder == "乙"
        assert s.notes(a.id).tags == ("党建",)
        # explicit scopes and reveal
        assert s.notes(a.id, {"甲"}).tags == ("营商环境",)
        assert set(s.notes(a.id, None).tags) == {"营商环境", "党建"}
        assert {x.coder for x in s.highlights(a.id, None)} == {"甲", "乙"}
        assert set(s.notes_by_coder(a.id)) == {"甲", "乙"}
        s.reveal()
        assert s.tag_counts() == {"营商环境": 2, "党建": 2}
        assert s.select("营商环境 and 党建") == {a.id}
        s.reveal(False)
        assert s.tag_counts() == {"党建": 2}
        # another coder's passage is theirs
        with pytest.raises(AnnotationError, match="甲"):
            s.edit_highlight(h.id, tags=["x"])
        with pytest.raises(AnnotationError):
            s.delete_highlight(h.id)
        # read marks are per coder
        assert s.notes(b.id).read is False and s.notes(b.id, {"甲"}).read is True
        # undo undoes 乙's step only
        assert s.undo() == "highlight"
        assert s.highlights(a.id, None) == [h]


def test_schema_upgrade_keeps_a_copy_and_old_codings_belong_to_the_default_coder(
    db: Path, arts: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _ = two(arts)
    with Store.open(db, coder="x") as s:
        s.add_tags(a, ["营商环境"])
        s.highlight_quote(a, "营商环境", ["营商环境"])
    # make it a schema-1 database: no coder anywhere
    raw = json.loads(db.read_text(encoding="utf-8"))
    for table in ("articles", "highlights"):
        for d in raw[table].values():
            d.pop("coder", None)
    raw["meta"] = {"1": {"schema": 1}}
    old = json.dumps(raw, ensure_ascii=False)
    db.write_text(old, encoding="utf-8")
    monkeypatch.setenv("PIYUE_CODER", "老王")
    with Store.open(db) as s:
        assert s.coder == "老王" and s.legacy_coder == "老王"
        assert s.notes(a.id).tags == ("营商环境",)
        assert [h.coder for h in s.highlights(a.id)] == ["老王"]
    keep = db.with_name(db.name + ".schema1.bak")
    assert json.loads(keep.read_text(encoding="utf-8"))["meta"] == {"1": {"schema": 1}}
    with Store.open(db, coder="新人") as s:
        assert s.notes(a.id).tags == ()
        assert s.notes(a.id, {"老王"}).tags == ("营商环境",)
        meta = s.db.table("meta").all()[0]
        assert meta["schema"] == SCHEMA == 2 and meta["default_coder"] == "老王"


# ------------------------------------------------------------------ import


def export_of(db: Path, arts: list[Article], coder: str, label: str = "") -> str:
    corpus = load_corpus(SEEDS)
    with Store.open(db, readonly=True, coder=coder) as s:
        its = ex.items(corpus, s, ex.select(corpus, s))
        return ex.to_jsonl(its, coder=label).decode("utf-8")


def state(db: Path) -> dict[str, Any]:
    """The tables without timestamps (what an idempotent import must leave alone)."""
    raw = json.loads(db.read_text(encoding="utf-8")) if db.exists() else {}
    with Store.open(db, readonly=True) as s:
        raw = s.storage.read()
        out: dict[str, Any] = {}
        for table in ("articles", "highlights", "tags"):
            docs = [
                {k: v for k, v in d.items() if k not in ("updated", "created", "id")}
                for d in raw.get(table, {}).values()
            ]
            out[table] = sorted(json.dumps(d, sort_keys=True, ensure_ascii=False) for d in docs)
        return out


def test_import_keeps_the_coder_apart_and_is_idempotent(
    tmp_path: Path, arts: list[Article]
) -> None:
    a, b = two(arts)
    db1, db2 = tmp_path / "one.json", tmp_path / "two.json"
    with Store.open(db1, coder="甲") as s:
        s.add_tags(a, ["营商环境"])
        s.set_note(a, "甲的笔记")
        s.highlight_quote(a, "营商环境", ["营商环境"], note="要点")
        s.set_read(a)
        s.set_read(b)  # only read: not an annotated article, not exported by default
    data = export_of(db1, arts, "甲")
    assert json.loads(data.splitlines()[0])["coder"] == "甲"
    corpus = load_corpus(SEEDS)
    with Store.open(db2, coder="乙") as s:
        s.add_tags(a, ["党建"])
        rep = import_jsonl(data, corpus, s)
        assert rep.coders == ["甲"] and not rep.merged and rep.orphans == []
        assert rep.tags_added == 1 and rep.highlights_added == 1
        assert s.notes(a.id).tags == ("党建",)  # 乙's own are untouched
        assert s.notes(a.id, {"甲"}).tags == ("营商环境",)
        assert s.notes(a.id, {"甲"}).note == "甲的笔记"
        assert s.notes(a.id, {"甲"}).read is True  # read marks travel (agreement units)
        (h,) = s.highlights(a.id, {"甲"})
        assert (h.quote, h.tags, h.note) == ("营商环境", ("营商环境",), "要点")
        assert s.undo() == "import"  # one step
        assert s.notes(a.id, {"甲"}).tags == ()
        assert s.redo() == "import"
    before = state(db2)
    with Store.open(db2, coder="乙") as s:
        rep = import_jsonl(data, corpus, s)
        assert (rep.tags_added, rep.notes_set, rep.highlights_added) == (0, 0, 0)
    assert state(db2) == before
    with Store.open(db2, coder="乙") as s:
        rep = import_jsonl(data, corpus, s, coder="丙")  # --as-coder
        assert rep.coders == ["丙"] and s.notes(a.id, {"丙"}).tags == ("营商环境",)
        assert s.coders() == ["丙", "乙", "甲"]


def test_import_brings_the_codebook_the_codings_use(tmp_path: Path, arts: list[Article]) -> None:
    """A JSONL export carries the definitions of the codes it uses (parents first): imported
    into an empty database the tree, colours and descriptions come back; a codebook that
    already has a code keeps its own definition."""
    a, b = two(arts)
    db1, db2, db3 = tmp_path / "one.json", tmp_path / "two.json", tmp_path / "three.json"
    with Store.open(db1, coder="甲") as s:
        s.define_tag("营商环境", "#ff0000", "优化营商环境的报道")
        s.define_tag("党的建设", parent="营商环境")
        s.define_tag("未用", "#00ff00")
        s.highlight_quote(a, "营商环境", ["党的建设"])
        s.add_tags(b, ["防汛"])
    corpus = load_corpus(SEEDS)
    with Store.open(db1, readonly=True, coder="甲") as s:
        its = ex.items(corpus, s, ex.select(corpus, s))
        data = ex.to_jsonl(its, codebook=s.tag_defs()).decode("utf-8")
    rec_a = next(r for r in map(json.loads, data.splitlines()) if r["id"] == a.id)
    assert [c["name"] for c in rec_a["codes"]] == ["营商环境", "党的建设"]  # parent first
    with Store.open(db2, coder="乙") as s:
        rep = import_jsonl(data, corpus, s)
        defs = {d.name: d for d in s.tag_defs()}
        assert defs["党的建设"].parent == "营商环境"
        assert (defs["营商环境"].colour, defs["营商环境"].description) == (
            "#ff0000",
            "优化营商环境的报道",
        )
        assert "未用" not in defs and rep.codes_defined == 3  # 营商环境, 党的建设, 防汛
    with Store.open(db3, coder="乙") as s:
        s.define_tag("营商环境", "#0000ff", "我的定义")
        import_jsonl(data, corpus, s)
        mine = {d.name: d for d in s.tag_defs()}["营商环境"]
        assert (mine.colour, mine.description) == ("#0000ff", "我的定义")


def test_merge_unites_with_your_own_codings(tmp_path: Path, arts: list[Article]) -> None:
    a, _ = two(arts)
    db1, db2 = tmp_path / "one.json", tmp_path / "two.json"
    with Store.open(db1, coder="甲") as s:
        s.add_tags(a, ["营商环境"])
        s.highlight_quote(a, "营商环境", ["营商环境"], note="要点")
        s.set_note(a, "甲的看法")
    data = export_of(db1, arts, "甲")
    corpus = load_corpus(SEEDS)
    with Store.open(db2, coder="乙") as s:
        s.add_tags(a, ["党建"])
        rep = import_jsonl(data, corpus, s, merge=True)
        assert rep.merged and rep.coders == ["乙"]
        assert set(s.notes(a.id).tags) == {"党建", "营商环境"}
        assert s.coders() == ["乙"]
        # a note merged into yours still says whose it was (it was taken as yours)
        assert [h.note for h in s.highlights(a.id)] == ["甲: 要点"]
        assert s.notes(a.id).note == "甲: 甲的看法"
    before = state(db2)
    with Store.open(db2, coder="乙") as s:
        rep = import_jsonl(data, corpus, s, merge=True)
        assert rep.tags_added == rep.highlights_added == 0
    assert state(db2) == before


def test_unknown_articles_and_lost_passages_are_kept_as_orphans(
    db: Path, arts: list[Article]
) -> None:
    a, _ = two(arts)
    foreign = {
        "id": "elsewhere-0001",
        "issue": "elsewhere",
        "title": "别处的文章",
        "text": "这篇文章不在本语料中。",
        "tags": ["外来"],
        "note": "别处",
        "highlights": [{"start": 0, "end": 2, "quote": "这篇", "tags": ["外来"], "note": ""}],
        "fingerprint": {"title": "别处的文章", "text_hash": "0123456789abcdef"},
        "provenance": {"coder": "甲"},
    }
    lost = {
        "id": a.id,
        "title": a.title,
        "tags": [],
        "highlights": [{"start": 0, "end": 3, "quote": "不存在的话", "tags": ["外来"]}],
        "provenance": {"coder": "甲"},
    }
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in (foreign, lost)) + "\nnot json\n"
    corpus = load_corpus(SEEDS)
    with Store.open(db, coder="乙") as s:
        rep = import_jsonl(data, corpus, s)
        assert len(rep.orphans) == 2 and "elsewhere-0001" in rep.orphans[0]
        assert rep.skipped == ["line 3: not a piyue JSON Lines record"]
        orphans = s.orphans()
        kinds = sorted((o["type"], o["article_id"], o["coder"]) for o in orphans)
        assert kinds == [
            ("article", "elsewhere-0001", "甲"),
            ("highlight", a.id, "甲"),
            ("highlight", "elsewhere-0001", "甲"),
        ]
        art = next(o for o in orphans if o["type"] == "article")
        assert art["tags"] == ["外来"] and art["note"] == "别处"
        rep = import_jsonl(data, corpus, s)  # again: nothing kept twice
        assert len(s.orphans()) == 3 and rep.orphans[1:] == []
        with pytest.raises(AnnotationError, match="names no coder"):
            import_jsonl(json.dumps({"id": a.id}), corpus, s)


# ------------------------------------------------------------------ agreement


def coded(db: Path, arts: list[Article]) -> tuple[Article, Article]:
    """甲 and 乙 agree on 营商环境 (a tag on a, a passage in a), disagree on 防汛 (only 甲 tagged
    b); both read b.  With a third article 乙 alone coded (not a unit)."""
    a, b = two(arts)
    c = next(x for x in arts if x.id not in (a.id, b.id))
    for who in ("甲", "乙"):
        with Store.open(db, coder=who) as s:
            s.add_tags(a, ["营商环境"])
            s.highlight_quote(a, "营商环境", ["营商环境"])
            s.set_read(b)
            if who == "甲":
                s.add_tags(b, ["防汛"])
            else:
                s.add_tags(c, ["党建"])
    return a, b


def test_agree_json_shape_and_values(
    db: Path, arts: list[Article], capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    coded(db, arts)
    assert main(["--corpus", str(SEEDS), "--db", str(db), "agree", "甲", "乙", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert set(got) == {"coders", "units", "only_read", "codes", "overall"}
    assert got["coders"] == ["甲", "乙"] and got["units"] == 2
    assert got["only_read"] == {"甲": 0, "乙": 1}  # 乙 read b, no code: said (testerA F15)
    rows = {r["code"]: r for r in got["codes"]}
    assert set(rows) == {"营商环境", "防汛"}
    for r in got["codes"]:
        assert {"code", "units", "agreement", "kappa", "alpha", "char_kappa", "alpha_u"} <= set(r)
    same = rows["营商环境"]
    assert same["agreement"] == same["kappa"] == same["char_kappa"] == same["alpha_u"] == 1.0
    assert same["alpha"] == pytest.approx(1.0)
    flood = rows["防汛"]
    assert flood["agreement"] == 0.5 and flood["kappa"] == 0.0 and flood["alpha"] <= 0
    assert set(got["overall"]) == {"kappa", "alpha", "char_kappa", "alpha_u"}
    # one code only; Markdown and CSV
    args = ["--corpus", str(SEEDS), "--db", str(db), "agree", "甲", "乙"]
    assert main([*args, "--json", "--code", "防汛"]) == 0
    assert [r["code"] for r in json.loads(capsys.readouterr().out)["codes"]] == ["防汛"]
    assert main(args) == 0
    md = capsys.readouterr().out
    assert "| 营商环境 |" in md and "甲 and 乙 over 2 units (1 only read by 乙)\n" in md
    assert main([*args, "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("coder_a,coder_b,code")


def test_identical_coders_agree_perfectly(db: Path, arts: list[Article]) -> None:
    a, b = two(arts)
    for who in ("甲", "乙"):
        with Store.open(db, coder=who) as s:
            s.add_tags(a, ["营商环境"])
            s.set_read(b)
    with Workspace(SEEDS, db, mode="read") as ws:
        report = agree(ws, "甲", "乙")
    assert report["overall"]["kappa"] == 1.0 and report["codes"][0]["alpha"] == pytest.approx(1)


def test_unknown_coder_is_one_line_and_status_2(
    db: Path, arts: list[Article], capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    coded(db, arts)
    with pytest.raises(SystemExit) as exc:
        main(["--corpus", str(SEEDS), "--db", str(db), "agree", "甲", "nobody"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nobody" in err
    with Workspace(SEEDS, db, mode="read") as ws, pytest.raises(UnknownCoder):
        agree(ws, "nobody", "甲")
    # a coder against themself, or a code nobody knows: 100% over nothing is no answer
    for argv, said in (
        (["甲", "甲"], "two different coders"),
        (["甲", "乙", "--code", "无此码"], "无此码"),
    ):
        with pytest.raises(SystemExit) as exc:
            main(["--corpus", str(SEEDS), "--db", str(db), "agree", *argv])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and said in err


def test_coders_lists_every_coder_with_counts(
    db: Path, arts: list[Article], capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    coded(db, arts)
    argv = ["--corpus", str(SEEDS), "--db", str(db), "coders", "--json", "--coder", "乙"]
    assert main(argv) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["coders"]}
    assert rows["甲"] == {
        "name": "甲",
        "articles": 2,
        "tags": 2,
        "passages": 1,
        "notes": 0,
        "read": 1,
        "current": False,
    }
    assert rows["乙"]["current"] is True and rows["乙"]["articles"] == 3


# ------------------------------------------------------------------ adjudication


def test_settle_writes_a_third_coder_one_undo_step_each(db: Path, arts: list[Article]) -> None:
    a, b = coded(db, arts)
    with Store.open(db, coder="乙") as s:  # 乙 codes one more passage of 营商环境 in a
        i = a.text.index("营商环境", a.text.index("营商环境") + 1)
        s.add_highlight(a, i, i + 4, ["营商环境"])
    with Workspace(SEEDS, db, mode="write") as ws:
        adj = Adjudication(ws, "甲", "乙")
        rows = adj.rows()
        assert [(r.unit, r.code) for r in rows] == sorted([(b.id, "防汛"), (a.id, "营商环境")])
        flood = next(r for r in rows if r.code == "防汛")
        assert (flood.a_tag, flood.b_tag, flood.settled) == (True, False, None)
        assert flood.title == b.title
        assert adj.progress() == (0, 2)
        adj.settle(b.id, "防汛", "a")
        assert ws.store.notes(b.id, {"final"}).tags == ("防汛",)
        assert adj.progress() == (1, 2)
        assert next(r for r in adj.rows() if r.code == "防汛").settled == "a"
        adj.settle(a.id, "营商环境", "both")
        spans = sorted((h.start, h.end) for h in ws.store.highlights(a.id, {"final"}))
        assert len(spans) == 2 and adj.progress() == (2, 2)
        adj.settle(a.id, "营商环境", "a")  # changing one's mind replaces the passages
        assert len(ws.store.highlights(a.id, {"final"})) == 1
        assert ws.store.coder != "final"  # still coding as yourself
        step = adj.undo()
        assert step is not None and step.label.startswith("settle")
        assert len(ws.store.highlights(a.id, {"final"})) == 2
        adj.undo()
        adj.undo()
        assert adj.progress() == (0, 2) and ws.store.notes(b.id, {"final"}).tags == ()
        adj.settle(b.id, "防汛", "neither")
        assert ws.store.notes(b.id, {"final"}).tags == () and adj.progress() == (1, 2)
        with pytest.raises(AnnotationError):
            adj.settle(b.id, "防汛", "maybe")
        report = agree(ws, "甲", "final", ["防汛"])
        assert report["units"] == 1  # "neither" still makes b a unit final coded


def test_the_adjudicated_coder_holds_the_agreements_too(db: Path, arts: list[Article]) -> None:
    """``final`` is the reconciled coding: what both coders did alike comes with the first
    decision (the same undo step), so exporting ``final`` loses nothing they agreed on."""
    a, b = coded(db, arts)  # they agree on 营商环境 in a (tag and passage), differ on 防汛 in b
    with Workspace(SEEDS, db, mode="write") as ws:
        adj = Adjudication(ws, "甲", "乙")
        assert [(r.unit, r.code) for r in adj.rows()] == [(b.id, "防汛")]
        assert adj.one_coder_only == 1  # c, only 乙 coded: no unit, said on the screen
        adj.settle(b.id, "防汛", "neither")
        assert ws.store.notes(a.id, {"final"}).tags == ("营商环境",)
        agreed = [(h.start, h.end, h.tags) for h in ws.store.highlights(a.id, {"甲"})]
        assert [(h.start, h.end, h.tags) for h in ws.store.highlights(a.id, {"final"})] == agreed
        assert adj.progress() == (1, 1)  # carrying is not settling
        assert agree(ws, "甲", "final", ["营商环境"])["codes"][0]["agreement"] == 1.0
        adj.undo()  # the first decision goes, and the agreements with it
        assert ws.store.notes(a.id, {"final"}).tags == ()
        assert not ws.store.highlights(a.id, {"final"})
        adj.settle(b.id, "防汛", "a")  # decided again: carried again
        assert ws.store.notes(a.id, {"final"}).tags == ("营商环境",)
        assert ws.store.notes(b.id, {"final"}).tags == ("防汛",)


# ------------------------------------------------------------------ exports


def test_exports_name_their_coders(db: Path, arts: list[Article]) -> None:
    a, b = coded(db, arts)
    corpus = load_corpus(SEEDS)
    with Store.open(db, readonly=True, coder="甲") as s:
        its = ex.items(corpus, s, [a, b], None)
        assert [(it.article.id, it.coder) for it in its] == [  # coders by name: 乙 < 甲
            (a.id, "乙"),
            (a.id, "甲"),
            (b.id, "乙"),
            (b.id, "甲"),
        ]
        recs = [json.loads(x) for x in ex.to_jsonl(its).decode().splitlines()]
        assert [r["coder"] for r in recs] == ["乙", "甲", "乙", "甲"]
        assert [r["provenance"]["coder"] for r in recs] == ["乙", "甲", "乙", "甲"]
        rows = list(csv.DictReader(io.StringIO(ex.to_csv(its).decode("utf-8-sig"))))
        assert [r["coder"] for r in rows] == ["乙", "甲", "乙", "甲"]
        assert [r["tags"] for r in rows] == ["营商环境", "营商环境", "", "防汛"]
        hl = list(csv.DictReader(io.StringIO(ex.to_csv(its, per="highlight").decode("utf-8-sig"))))
        assert [r["coder"] for r in hl] == ["乙", "甲"]
        mine = ex.items(corpus, s, [a, b])  # default: the current coder's
        assert {it.coder for it in mine} == {"甲"} and len(mine) == 2
        blob = ex.to_qdpx(its, s.tag_defs(), "甲")
    xml = zipfile.ZipFile(io.BytesIO(blob)).read("project.qde")
    doc = etree.fromstring(xml)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(doc)
    users = {u.get("name"): u.get("guid") for u in doc.iterfind(".//q:Users/q:User", NS)}
    assert set(users) == {"甲", "乙"}
    assert len(doc.findall(".//q:Sources/q:TextSource", NS)) == 2  # one per article
    by: dict[str, set[str]] = {}
    for c in doc.iterfind(".//q:Coding", NS):
        by.setdefault(c.get("creatingUser") or "", set()).add(
            c.find("q:CodeRef", NS).get("targetGUID")
        )
    assert set(by) == set(users.values())
    assert len(by[users["甲"]]) == 2 and len(by[users["乙"]]) == 1


def test_cli_export_chooses_whose_codings(
    tmp_path: Path, arts: list[Article], capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    db = tmp_path / "a.json"
    a, b = coded(db, arts)
    base = ["--corpus", str(SEEDS), "--db", str(db), "export", "--format", "jsonl"]
    capsys.readouterr()
    assert main([*base, "--coder", "乙"]) == 0
    recs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {(r["coder"], r["provenance"]["coder"]) for r in recs} == {("乙", "乙")}
    assert main([*base, "--coder", "all"]) == 0
    recs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {r["coder"] for r in recs} == {"甲", "乙"}
    # import the file elsewhere: kept as 甲 and 乙, then `agree` there gives the same figures
    out = tmp_path / "all.jsonl"
    assert main([*base, "--coder", "all", "-o", str(out)]) == 0
    said = capsys.readouterr().err  # a record per article and coder: not "N articles"
    assert said.startswith(f"{len(out.read_text('utf-8').splitlines())} records (")
    db2 = str(tmp_path / "b.json")
    assert main(["--corpus", str(SEEDS), "--db", db2, "import", str(out)]) == 0
    assert "imported as 乙, 甲" in capsys.readouterr().out
    table = tmp_path / "all.csv"  # not JSON Lines: refused in one line, nothing imported
    assert main([*base[:-1], "csv", "--coder", "all", "-o", str(table)]) == 0
    before = Path(db2).read_bytes()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(["--corpus", str(SEEDS), "--db", db2, "import", str(table)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "not a piyue JSON Lines export" in err and err.count("\n") == 1
    assert Path(db2).read_bytes() == before
    assert main(["--corpus", str(SEEDS), "--db", db2, "agree", "甲", "乙", "--json"]) == 0
    there = json.loads(capsys.readouterr().out)
    assert main(["--corpus", str(SEEDS), "--db", str(db), "agree", "甲", "乙", "--json"]) == 0
    here = json.loads(capsys.readouterr().out)
    for report in (here, there):  # codes in each codebook's order: the import defined them
        report["codes"].sort(key=lambda r: r["code"])  # in the order the articles came
    assert here == there


def test_reattach_keeps_each_coder_on_their_own_document(tmp_path: Path, seeds_copy: Path) -> None:
    db = tmp_path / "a.json"
    corpus = load_corpus(seeds_copy)
    a = next(x for x in corpus.articles if x.title.startswith("提升站位"))
    for who, code in (("甲", "防汛"), ("乙", "安全")):
        with Store.open(db, coder=who) as s:
            s.add_tags(a, [code])
            s.highlight_quote(a, "尾矿库是夏季防汛的重点", [code])
    page = seeds_copy / "001_f7413848275faa8a.txt"
    text = page.read_text("utf-8").replace("## 提升站位严格落实责任", "## 提升站位 严格落实责任")
    page.write_text(text, "utf-8")
    corpus2 = load_corpus(seeds_copy)
    a2 = next(x for x in corpus2.articles if x.title.startswith("提升站位"))
    assert a2.id != a.id
    with Store.open(db, coder="甲") as s:
        assert s.reattach(corpus2) == 0
        assert s.notes(a2.id, {"甲"}).tags == ("防汛",)
        assert s.notes(a2.id, {"乙"}).tags == ("安全",)
        got = sorted((h.coder, h.tags) for h in s.highlights(a2.id, None))
        assert got == [("乙", ("安全",)), ("甲", ("防汛",))]


def test_workspace_switches_coder_and_reveals(db: Path, arts: list[Article]) -> None:
    from workspace.coders import current_coder, is_blind, reveal, set_coder

    a, _ = two(arts)
    with Workspace(SEEDS, db, mode="write") as ws:
        set_coder(ws, "甲")
        ws.tag(a, ["营商环境"])
        assert current_coder(ws) == "甲" and is_blind(ws)
        set_coder(ws, "乙")
        assert ws.store.notes(a.id).tags == ()
        reveal(ws)
        assert not is_blind(ws) and ws.store.notes(a.id).tags == ("营商环境",)
        reveal(ws, False)
        assert ws.store.notes(a.id).tags == ()


def _cli(argv: list[str]) -> int:
    from cli import main

    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_coder_is_refused_the_same_everywhere(
    blank: str, db: Path, arts: list[Article], capsys: pytest.CaptureFixture[str]
) -> None:
    """``--coder ""`` and ``--coder "  "`` (an unset variable in a script) are one error,
    not a silent default for one and an error for the other; nothing is written."""
    base = ["--corpus", str(SEEDS), "--db", str(db)]
    assert _cli([*base, "tag", arts[0].id, "x"]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    for argv in (
        [*base, "tag", "--coder", blank, arts[0].id, "y"],
        ["--coder", blank, *base, "tag", arts[0].id, "y"],
        [*base, "export", "--coder", blank],
        [*base, "coders", "--coder", blank],
        ["--coder", blank, *base],  # the reader is not opened either
    ):
        assert _cli(argv) == 2, argv
        out, err = capsys.readouterr()
        assert out == "" and err.startswith("piyue: --coder is empty: give a name"), argv
        assert err.count("\n") == 1
    assert db.read_bytes() == before


def test_the_coder_is_the_flag_then_the_environment_then_the_remembered_one(
    db: Path, arts: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One order for the command line and the reader: --coder > $PIYUE_CODER > the coder
    the reader remembered > the login name."""
    from storage import state
    from workspace.session import chosen_coder

    monkeypatch.delenv("PIYUE_CODER")
    monkeypatch.setattr("getpass.getuser", lambda: "login")
    base = ["--corpus", str(SEEDS), "--db", str(db)]

    def coder_of_tag(*flags: str) -> str:
        assert _cli([*base, "tag", *flags, arts[0].id, "t"]) == 0
        with Store.open(db, readonly=True) as s:
            s.reveal()
            (who,) = [c.name for c in s.coder_summaries() if c.tags]
        assert _cli([*base, "untag", *flags, arts[0].id, "t"]) == 0
        return who

    assert chosen_coder() is None and coder_of_tag() == "login"
    assert not Workspace(SEEDS, db, mode="read").coder_chosen  # the reader asks once
    state.remember_coder("小李")
    assert coder_of_tag() == "小李"
    assert Workspace(SEEDS, db, mode="read").coder_chosen
    monkeypatch.setenv("PIYUE_CODER", "老王")
    assert coder_of_tag() == "老王"
    assert coder_of_tag("--coder", "张三") == "张三"
    monkeypatch.setenv("PIYUE_CODER", " ")  # blank: as if unset
    assert coder_of_tag() == "小李"
    state.remember_coder("\x00")  # a hand-edited state file cannot stop a command
    assert coder_of_tag() == "login"
