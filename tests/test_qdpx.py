"""The .qdpx read the way QualCoder's REFI-QDA importer (refi.py, 4.0 beta) reads it.

The reader below follows that importer's rules (see DESIGN.md, "Exchange with other QDA tools"):
a coding's memo is its PlainTextSelection's Description; a source's memo is its TextSource's
Description; a Note is kept only when a source-level NoteRef points at it and it has its own
PlainTextSelection (an annotation), or a plainTextPath (a journal); variables are matched by GUID.
A note, code or variable this reader cannot find would be lost in that tool; a second
annotation on one span of a source makes that importer abort (a UNIQUE constraint), so the
reader raises there too.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from storage import export as ex
from storage.annotations import Store
from storage.library import Library

from .conftest import ROOT, SEEDS

XSD = ROOT.parent / "shared" / "refi-qda" / "Project.xsd"  # the workplace's copy of the schema
Q = "{urn:QDA-XML:project:1.0}"


def annotate(source: dict[str, Any], a: int, b: int, memo: str) -> None:
    """QualCoder's annotation table is UNIQUE on (source, pos0, pos1, owner)."""
    if any((a, b) == (x, y) for x, y, _ in source["annotations"]):
        raise AssertionError(f"second annotation at {a}-{b}: QualCoder's import would abort")
    source["annotations"].append((a, b, memo))


def read_like_qualcoder(blob: bytes) -> dict[str, Any]:
    z = zipfile.ZipFile(io.BytesIO(blob))
    root = etree.fromstring(z.read("project.qde"))
    codes: dict[str, dict[str, Any]] = {}

    def sub_codes(el: Any, parent: str | None) -> None:
        desc = next((c.text for c in el if c.tag == f"{Q}Description"), "") or ""
        codes[el.get("guid")] = {
            "name": el.get("name"),
            "parent": parent,
            "color": el.get("color"),
            "memo": desc,
            "codable": el.get("isCodable") != "false",
        }
        for c in el:
            if c.tag == f"{Q}Code":
                sub_codes(c, el.get("name"))

    variables: dict[str, str] = {}
    for child in root:
        if child.tag == f"{Q}CodeBook":
            for code in next(iter(child)):
                sub_codes(code, None)
        if child.tag == f"{Q}Variables":
            variables = {v.get("guid"): v.get("name") for v in child}
    sources: dict[str, dict[str, Any]] = {}
    by_guid: dict[str, dict[str, Any]] = {}
    noterefs: list[tuple[str, str]] = []  # (note guid, source guid), source-level only
    for src in root.iterfind(f"{Q}Sources/{Q}TextSource"):
        path = src.get("plainTextPath").split("internal:/")[1]
        text = z.read("sources" + path).decode("utf-8")
        memo = next((c.text for c in src if c.tag == f"{Q}Description"), "") or ""
        s: dict[str, Any] = {"text": text, "memo": memo, "codings": [], "annotations": []}
        s["attributes"] = {}
        for sel in src:
            if sel.tag == f"{Q}PlainTextSelection":
                a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
                smemo = next((c.text for c in sel if c.tag == f"{Q}Description"), "") or ""
                coded = [c for c in sel if c.tag == f"{Q}Coding"]
                for c in coded:
                    cid = next(iter(c)).get("targetGUID")
                    s["codings"].append((codes[cid]["name"], text[a:b], a, b, smemo))
                if not coded:
                    annotate(s, a, b, smemo)
            elif sel.tag == f"{Q}NoteRef":
                noterefs.append((sel.get("targetGUID"), src.get("guid")))
            elif sel.tag == f"{Q}VariableValue":
                ref = next(c.get("targetGUID") for c in sel if c.tag == f"{Q}VariableRef")
                val = next((c.text for c in sel if c.tag != f"{Q}VariableRef"), "") or ""
                s["attributes"][variables[ref]] = val.strip()
        sources[src.get("name")] = by_guid[src.get("guid")] = s
    dropped = []
    journals = []
    for note in root.iterfind(f"{Q}Notes/{Q}Note"):
        target = next((sg for ng, sg in noterefs if ng == note.get("guid")), None)
        content = next((c.text for c in note if c.tag == f"{Q}PlainTextContent"), None)
        sel = next((c for c in note if c.tag == f"{Q}PlainTextSelection"), None)
        if target is not None:
            if sel is not None and content is not None:
                a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
                annotate(by_guid[target], a, b, content)
            continue
        if note.get("plainTextPath") and note.get("name"):
            journals.append(note.get("name"))
            continue
        annotated = {m for src in sources.values() for _, _, m in src["annotations"]}
        if content not in annotated:  # an ignored Note is lost unless its text arrived otherwise
            dropped.append(content)
    return {
        "codes": {c["name"]: c for c in codes.values()},
        "variables": sorted(variables.values()),
        "sources": sources,
        "journals": journals,
        "dropped": dropped,
        "root": root,
    }


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    lib = Library(SEEDS, cache_dir=tmp_path / "cache")
    corpus = lib.load()
    store = Store.open(tmp_path / "db.json")
    lib.use_store(store)
    a = next(x for x in corpus.articles if x.title.startswith("对损害营商环境"))
    b = next(x for x in corpus.articles if x.title.startswith("提升站位"))
    c = next(x for x in corpus.articles if x.title.startswith("市委办公室"))
    d = next(x for x in corpus.articles if x.continuation)
    store.define_tag("政府治理", "#61afef", "上位代码")
    store.define_tag("营商环境", "#e06c75", "政府与企业关系", parent="政府治理")
    store.define_tag("放管服", "#98c379", parent="营商环境")
    store.add_tags(a, ["营商环境", "党建"])
    store.set_note(a, "文章笔记")
    store.highlight_quote(a, "优化营商环境", ["营商环境", "放管服"], "段落笔记")
    store.highlight_quote(a, "零容忍", ["党建"])
    store.add_tags(b, ["防汛"])
    store.set_note(c, "只有笔记 <&> ]]>")
    store.highlight_quote(d, d.text[5:15], ["政府治理"], "续版段落笔记\n第二行")
    its = ex.items(corpus, store, ex.select(corpus, store))
    yield store, its, (a, b, c, d)
    store.close()


def test_every_note_code_and_variable_survives_the_importers_rules(project) -> None:  # type: ignore[no-untyped-def]
    store, its, (a, b, c, d) = project
    got = read_like_qualcoder(ex.to_qdpx(its, store.tag_defs(), "张三"))
    assert got["dropped"] == [] and got["journals"] == []
    src = {name.rsplit(" (", 1)[1].rstrip(")"): s for name, s in got["sources"].items()}
    assert set(src) == {a.id, b.id, c.id, d.id}
    # article notes: the source memo, and an annotation over the article
    assert src[a.id]["memo"] == "文章笔记" and src[c.id]["memo"] == "只有笔记 <&> ]]>"
    assert src[b.id]["memo"] == "" and src[d.id]["memo"] == ""
    assert (0, len(c.text), "只有笔记 <&> ]]>") in src[c.id]["annotations"]
    assert (0, len(a.text), "文章笔记") in src[a.id]["annotations"]
    # passage notes: the memo of every coding of the passage, and an annotation at its span
    codings = {(code, q, memo) for code, q, _, _, memo in src[a.id]["codings"]}
    assert ("营商环境", "优化营商环境", "段落笔记") in codings
    assert ("放管服", "优化营商环境", "段落笔记") in codings
    assert ("党建", "零容忍", "") in codings
    assert ("营商环境", a.text, "") in codings and ("党建", a.text, "") in codings  # article tags
    s = a.text.index("优化营商环境")
    assert (s, s + 6, "段落笔记") in src[a.id]["annotations"]
    assert ("政府治理", d.text[5:15], "续版段落笔记\n第二行") in {
        (code, q, memo) for code, q, _, _, memo in src[d.id]["codings"]
    }
    # codes nested as in the codebook, with their colours and descriptions
    codes = got["codes"]
    assert set(codes) == {"政府治理", "营商环境", "放管服", "党建", "防汛"}
    assert codes["营商环境"]["parent"] == "政府治理" and codes["放管服"]["parent"] == "营商环境"
    assert codes["政府治理"]["parent"] is None and codes["党建"]["parent"] is None
    assert codes["营商环境"]["color"] == "#E06C75" and codes["营商环境"]["memo"] == "政府与企业关系"
    assert all(c["codable"] and c["color"] for c in codes.values())
    # variables by GUID: the page and the article's placement on every source
    for art in (a, b, c, d):
        attrs = src[art.id]["attributes"]
        assert attrs["issue"] == art.issue_id and attrs["file"].endswith(".txt")
        assert attrs["byline"] == art.reporters and attrs["kicker"] == art.kicker
    assert src[c.id]["attributes"]["date"] == "2018-09-12"
    assert "date" not in src[a.id]["attributes"]  # no date is no value, not an empty one
    assert src[d.id]["attributes"]["continued_from"] == "01版"
    assert {"date", "issue", "file", "byline", "kicker", "continued_from"} <= set(got["variables"])


def test_page_metadata_becomes_typed_variables_and_stays_schema_valid(project) -> None:  # type: ignore[no-untyped-def]
    store, its, arts = project
    for i, it in enumerate(its):
        it.meta.update(
            paper="洛阳日报", page=i + 1, section="要闻", credits={"编辑": "武力", "校对": "向东"}
        )
    blob = ex.to_qdpx(its, store.tag_defs(), "张三")
    got = read_like_qualcoder(blob)
    first = got["sources"][next(iter(got["sources"]))]["attributes"]
    assert first["paper"] == "洛阳日报" and first["page"] == "1" and first["section"] == "要闻"
    assert first["credits"] == "编辑:武力 校对:向东"
    types = {v.get("name"): v.get("typeOfVariable") for v in got["root"].iter(f"{Q}Variable")}
    assert types["page"] == "Integer" and types["date"] == "Date" and types["paper"] == "Text"
    if not XSD.exists():
        pytest.skip(f"REFI-QDA schema not found at {XSD}")
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(got["root"])


def test_hierarchy_cycle_and_unknown_codes_cannot_break_the_codebook() -> None:
    from storage.annotations import TagDef

    book = [TagDef("甲", parent="乙"), TagDef("乙", parent="甲"), TagDef("丙", parent="甲")]
    tree = ex.code_tree(book, ["丙", "外来"])
    assert sorted(n for n, _ in tree) == ["丙", "乙", "外来", "甲"]  # ancestors kept, no loop
    depth = dict(tree)
    assert depth["外来"] == 0 and depth["丙"] == depth["甲"] + 1
    assert ex.code_tree([TagDef("子", parent="父"), TagDef("父")]) == [("父", 0), ("子", 1)]


def test_page_meta_reads_new_model_fields_with_defaults() -> None:
    from corpus.model import Article, Issue

    art = Article("i-1", "i", "标题", continuation="(上接01版)")
    issue = Issue("i", "i.txt", "t", None, furniture=("校对:王岚 组版:晓南",))
    m = ex.page_meta(issue, art)
    assert m == {
        "paper": None,
        "page": None,
        "section": None,
        "furniture": ["校对:王岚 组版:晓南"],
        "credits": {},
        "continued_from": "01版",
        "continued_on": None,
    }

    class NewIssue:  # the fields others are adding to the model
        paper, page, section = "洛阳日报", 3, "要闻"
        furniture = ("2018年9月12日 星期三 编辑:武力",)
        credits = {"编辑": "武力"}

    class NewArticle:
        continued_from, continued_on, continuation = "", "04版", "(上接01版)"

    m = ex.page_meta(NewIssue(), NewArticle())
    assert m["paper"] == "洛阳日报" and m["page"] == 3 and m["credits"] == {"编辑": "武力"}
    assert m["continued_from"] is None and m["continued_on"] == "04版"  # the field wins


def test_control_bytes_from_ocr_do_not_break_the_xml(project) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    store, its, (a, b, c, d) = project
    it = next(x for x in its if x.article.id == a.id)
    it = dataclasses.replace(it, note="坏\x00字节\x0b笔记")
    got = read_like_qualcoder(ex.to_qdpx([it], store.tag_defs()))
    (src,) = got["sources"].values()
    assert src["memo"] == "坏\ufffd字节\ufffd笔记"


def test_notes_on_one_span_make_one_annotation(project) -> None:  # type: ignore[no-untyped-def]
    from corpus.load import load_corpus

    store, its, (a, b, c, d) = project
    store.highlight_quote(b, b.text[:6], [], "未编码的笔记")  # uncoded: itself an annotation
    store.add_highlight(b, 0, 6, [], "同一处的第二条")  # the same uncoded span again
    store.add_highlight(b, 0, 6, ["防汛"], "同一处已编码")  # coded, with a note on that span
    store.add_highlight(c, 0, len(c.text), ["党建"], "全文段落笔记")  # the article note's span
    store.add_highlight(d, 5, 15, ["党建"], "同段第二个笔记")  # a second note on one span
    its = ex.items(load_corpus(SEEDS), store, [a, b, c, d])
    got = read_like_qualcoder(ex.to_qdpx(its, store.tag_defs(), "张三"))  # raises on a clash
    src = {name.rsplit(" (", 1)[1].rstrip(")"): s for name, s in got["sources"].items()}

    def memo_at(art_id: str, span: tuple[int, int]) -> str:
        (memo,) = [m for x, y, m in src[art_id]["annotations"] if (x, y) == span]
        return str(memo)

    assert {"未编码的笔记", "同一处的第二条", "同一处已编码"} <= set(
        memo_at(b.id, (0, 6)).split("\n\n")
    )
    # coding an identical span adds to the one passage there (#15): its memo holds every note
    codings = [(k, q, str(m)) for k, q, _, _, m in src[b.id]["codings"]]
    assert any(k == "防汛" and q == b.text[:6] and "同一处已编码" in m for k, q, m in codings)
    assert {"只有笔记 <&> ]]>", "全文段落笔记"} <= set(
        memo_at(c.id, (0, len(c.text))).split("\n\n")
    )
    assert {"续版段落笔记\n第二行", "同段第二个笔记"} <= set(memo_at(d.id, (5, 15)).split("\n\n"))
    assert got["dropped"] == []
    if XSD.exists():
        etree.XMLSchema(etree.parse(str(XSD))).assertValid(got["root"])
