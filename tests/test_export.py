"""Exports read back the way their consumers read them; selection; injection; round trip."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from corpus.load import load_corpus
from corpus.model import Article
from storage import export as ex
from storage.annotations import Store
from storage.library import Library

from .conftest import ROOT, SEEDS

XSD = ROOT.parent / "shared" / "refi-qda" / "Project.xsd"  # the workplace's copy of the schema
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture
def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    lib = Library(SEEDS, cache_dir=tmp_path / "cache")
    corpus = lib.load()
    store = Store.open(tmp_path / "db.json")
    lib.use_store(store)
    a = next(x for x in corpus.articles if x.title.startswith("对损害营商环境"))
    b = next(x for x in corpus.articles if x.title.startswith("提升站位"))
    c = next(x for x in corpus.articles if x.title.startswith("市委办公室"))
    store.define_tag("营商环境", "#e06c75", "政府与企业关系")
    store.add_tags(a, ["营商环境", "党建"])
    store.set_note(a, '=HYPERLINK("http://evil")\n第二行')
    store.highlight_quote(a, "优化营商环境", ["营商环境"], "关键")
    store.highlight_quote(a, "零容忍", ["党建"])
    store.add_tags(b, ["防汛"])
    store.set_note(c, "只有笔记 -1+1 [x](y)")
    yield lib, store, corpus, (a, b, c)
    store.close()


def test_selection(setup) -> None:  # type: ignore[no-untyped-def]
    lib, store, corpus, (a, b, c) = setup
    assert {x.id for x in ex.select(corpus, store)} == {a.id, b.id, c.id}  # every annotated
    assert [x.id for x in ex.select(corpus, store, ["营商环境", "党建"])] == [a.id]
    assert {x.id for x in ex.select(corpus, store, where="防汛 or 党建")} == {a.id, b.id}
    assert [x.id for x in ex.select(corpus, store, where="not 营商环境 and 防汛")] == [b.id]
    assert len(ex.select(corpus, store, every=True)) == len(corpus.articles)


def test_jsonl(setup) -> None:  # type: ignore[no-untyped-def]
    lib, store, corpus, (a, b, c) = setup
    data = ex.to_jsonl(
        ex.items(corpus, store, [a, b]), lambda x: [("w", 1.0)], lambda x: "t o k", "张三"
    )
    lines = data.decode("utf-8").splitlines()
    recs = [json.loads(x) for x in lines]
    assert "\\u" not in lines[0]
    r = recs[0]
    assert r["id"] == a.id and r["text"] == a.text and r["tags"] == ["营商环境", "党建"]
    h = r["highlights"][0]
    assert r["text"][h["start"] : h["end"]] == h["quote"] == "优化营商环境"
    assert r["provenance"]["coder"] == "张三" and r["provenance"]["source_sha1"]
    assert r["tokens"] == "t o k" and r["keywords"] == [{"word": "w", "weight": 1.0}]


def test_csv_read_back_with_bom_and_injection_neutralised(setup) -> None:  # type: ignore[no-untyped-def]
    lib, store, corpus, (a, b, c) = setup
    raw = ex.to_csv(ex.items(corpus, store, [a, b, c]))
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == [a.id, b.id, c.id]
    assert rows[0]["note"].startswith("'=HYPERLINK")
    assert rows[0]["营商环境"] == "1" and rows[1]["营商环境"] == "0" and rows[1]["防汛"] == "1"
    assert rows[0]["text"] == a.text  # newlines and quotes survive RFC 4180 quoting
    assert rows[0]["highlights"] == "2"
    per = list(
        csv.DictReader(
            io.StringIO(
                ex.to_csv(ex.items(corpus, store, [a]), per="highlight").decode("utf-8-sig")
            )
        )
    )
    assert [(r["tag"], r["quote"]) for r in per] == [
        ("营商环境", "优化营商环境"),
        ("党建", "零容忍"),
    ]
    assert (
        ex.cell("-1+1") == "'-1+1"
        and ex.cell("@SUM(A1)") == "'@SUM(A1)"
        and ex.cell("正常") == "正常"
    )


def test_markdown_grouped_and_escaped(setup) -> None:  # type: ignore[no-untyped-def]
    lib, store, corpus, (a, b, c) = setup
    md = ex.to_markdown(ex.items(corpus, store, [a, b, c]), full=True).decode("utf-8")
    assert "## 营商环境" in md and "## 防汛" in md and "## (未标注 untagged)" in md
    assert "> 优化营商环境" in md and "— 营商环境 — 关键" in md
    assert "\\[x\\](y)" in md  # article/user text cannot inject markdown links
    assert a.body[0].text[:10] in md


def test_qdpx_validates_and_positions_cut_the_quote(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib, store, corpus, (a, b, c) = setup
    its = ex.items(corpus, store, [a, b, c])
    blob = ex.to_qdpx(its, store.tag_defs(), "张三")
    z = zipfile.ZipFile(io.BytesIO(blob))
    xml = z.read("project.qde")
    if not XSD.exists():
        pytest.skip(f"REFI-QDA schema not found at {XSD}")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.fromstring(xml)
    schema.assertValid(doc)
    codes = {c.get("name"): c for c in doc.iterfind(".//q:CodeBook/q:Codes/q:Code", NS)}
    assert set(codes) == {"营商环境", "党建", "防汛"}
    assert codes["营商环境"].get("color") == "#E06C75"
    sources = doc.findall(".//q:Sources/q:TextSource", NS)
    assert len(sources) == 3
    for src in sources:
        path = src.get("plainTextPath")
        assert path.startswith("internal://")
        text = z.read("sources/" + path[len("internal://") :]).decode("utf-8")
        for sel in src.findall("q:PlainTextSelection", NS):
            s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
            name = sel.get("name")
            if name != "全文 whole article":
                assert text[s:e] == name  # positions count code points and cut out the quote
            else:
                assert (s, e) == (0, len(text))
    notes = doc.findall(".//q:Notes/q:Note", NS)
    assert {n.find("q:PlainTextContent", NS).text for n in notes} >= {
        "关键",
        "只有笔记 -1+1 [x](y)",
    }
    again = ex.to_qdpx(its, store.tag_defs(), "张三")

    def guids(b):
        return sorted(
            etree.fromstring(zipfile.ZipFile(io.BytesIO(b)).read("project.qde")).xpath("//@guid")
        )

    assert guids(blob) == guids(again)  # stable GUIDs


def test_segmented_corpus_export(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib, store, corpus, (a, b, c) = setup
    out = tmp_path / "seg"
    n = ex.write_corpus(
        ex.items(corpus, store, [a, b]), out, lambda x: " ".join(lib.article_words(x))
    )
    assert n == 2
    f = out / f"{ex.safe_name(a.id)}.txt"
    text = f.read_text("utf-8")
    assert text.startswith(f"# id: {a.id}\n# title: {a.title}")
    assert "营商环境" in text.split("\n\n", 1)[1].split()
    with pytest.raises(ex.ExportError):
        ex.write_corpus(ex.items(corpus, store, [a]), out, lambda x: "")
    assert ex.safe_name("../../etc/passwd") == "etc_passwd"


def test_corpus_export_names_never_collide(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two papers' same page and headline differ only in the paper's (Chinese) name, and ids
    can agree up to a character file names cannot hold: one file each, none overwritten, and
    a clash with files already there is found before anything is written."""
    import dataclasses

    lib, store, corpus, (a, b, c) = setup
    ids = ["洛阳日报/2018/09/12/01-0eed87d9", "大河报/2018/09/12/01-0eed87d9", "x/y-1", "x_y-1"]
    base = ex.items(corpus, store, [a])[0]
    its = [
        dataclasses.replace(base, article=dataclasses.replace(a, id=i, title=f"{i} 的文本"))
        for i in ids
    ]
    out = tmp_path / "seg"
    assert ex.write_corpus(its, out, lambda x: x.title) == 4
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(
        [
            "洛阳日报_2018_09_12_01-0eed87d9.txt",
            "大河报_2018_09_12_01-0eed87d9.txt",
            "x_y-1.txt",
            "x_y-1-2.txt",
        ]
    )
    assert {p.read_text("utf-8").split("\n\n", 1)[1].strip() for p in out.iterdir()} == {
        f"{i} 的文本" for i in ids
    }
    (out / "x_y-1-2.txt").unlink()
    before = sorted(out.iterdir())
    with pytest.raises(ex.ExportError, match="and 2 more files exist"):
        ex.write_corpus(its, out, lambda x: "changed")
    assert sorted(out.iterdir()) == before  # nothing written, not even the missing one
    long = "报" * 200
    assert len(ex.safe_name(long).encode("utf-8")) <= ex.NAME_BYTES
    assert ex.unique_names([long + "甲", long + "乙"]) == [
        ex.safe_name(long),
        ex.safe_name(long) + "-2",
    ]


def test_cli_export_never_overwrites_and_round_trips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    db1, db2 = str(tmp_path / "one.json"), str(tmp_path / "two.json")
    arts = load_corpus(SEEDS).articles
    a = next(x for x in arts if "营商环境" in x.text)
    assert main(["--db", db1, "tag", a.id, "营商环境"]) == 0
    assert main(["--db", db1, "note", a.id, "甲的笔记"]) == 0
    assert main(["--db", db1, "highlight", a.id, "营商环境", "--tag", "营商环境"]) == 0
    out = tmp_path / "x.jsonl"
    assert main(["--db", db1, "export", "--format", "jsonl", "-o", str(out)]) == 0
    with pytest.raises(SystemExit) as exc:
        main(["--db", db1, "export", "-o", str(out)])
    assert exc.value.code == 2
    assert main(["--db", db2, "tag", a.id, "党建"]) == 0
    assert main(["--db", db2, "note", a.id, "乙的笔记"]) == 0
    capsys.readouterr()
    assert main(["--db", db2, "import", str(out), "--merge"]) == 0
    report = capsys.readouterr().out
    assert (
        "+1 tag," in report
        and "1 kept both" in report
        and "+1 passage, +1 code defined\n" in report
    )
    with Store.open(Path(db2), readonly=True) as s:
        n = s.notes(a.id)
        assert set(n.tags) == {"营商环境", "党建"}
        assert "乙的笔记" in n.note and "甲的笔记" in n.note
        (h,) = s.highlights(a.id)
        assert a.text[h.start : h.end] == "营商环境"
    assert main(["--db", db2, "import", str(out), "--merge"]) == 0  # importing twice adds nothing
    assert "+0 tags" in capsys.readouterr().out
    for fmt in ("csv", "md"):
        assert main(["--db", db1, "export", "--format", fmt, "--tag", "营商环境"]) == 0
    qd = tmp_path / "p.qdpx"
    assert main(["--db", db1, "export", "--format", "qdpx", "-o", str(qd)]) == 0
    assert zipfile.is_zipfile(qd)


def test_export_of_many_articles_is_fast(tmp_path: Path) -> None:
    import time

    from corpus.model import Kind, Paragraph

    arts = [
        Article(
            id=f"i{i // 5}-{i:06d}",
            issue_id=f"i{i // 5}",
            title=f"标题{i}",
            paragraphs=(Paragraph(Kind.TEXT, "营商环境与高质量发展。" * 40, (1, 1)),),
        )
        for i in range(10_000)
    ]
    its = [ex.Item(a, a.issue_id, "x.txt", None, "0", ["营商环境"], "", []) for a in arts]
    # CPU time, not wall time: other processes on a loaded machine do not make it fail
    # (≈5 s here; quadratic work would take minutes)
    t = time.process_time()
    ex.to_jsonl(its)
    ex.to_csv(its)
    ex.to_qdpx(its, [])
    assert time.process_time() - t < 20


def _section(md: str, heading: str) -> str:
    """The Markdown between `heading` and the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    body = md.split(heading + "\n", 1)[1]
    out = []
    for line in body.splitlines():
        mark = line.split(" ", 1)[0]
        if line.startswith("#") and set(mark) == {"#"} and len(mark) <= len(level):
            break
        out.append(line)
    return "\n".join(out)


def test_markdown_per_code_only_its_passages_frequencies_and_hierarchy(setup) -> None:  # type: ignore[no-untyped-def]
    lib, store, corpus, (a, b, c) = setup
    store.define_tag("治理", "#61afef")
    store.define_tag("营商环境", parent="治理")
    d = next(x for x in corpus.articles if x.title.startswith("提升站位"))
    store.highlight_quote(d, d.text[:6], [], "未编码的笔记")  # a passage with a note, no code
    its = ex.items(corpus, store, [a, b, c])
    md = ex.to_markdown(its, codebook=store.tag_defs()).decode("utf-8")
    dangjian = _section(md, "## 党建")
    assert "> 零容忍" in dangjian and "优化营商环境" not in dangjian and "关键" not in dangjian
    assert "### 营商环境" in _section(md, "## 治理")  # the child code under its parent
    yingshang = _section(md, "### 营商环境")
    assert "> 优化营商环境" in yingshang and "> 零容忍" not in yingshang
    assert "#### 对损害营商环境" in yingshang  # the article one level below its code
    freq = _section(md, "## 代码频率 Code frequencies")
    assert "| 党建 | 1 | 1 |" in freq and "| 防汛 | 1 | 0 |" in freq
    assert "| 治理 | 0 | 0 |" in freq and "└ 营商环境 | 1 | 1 |" in freq
    assert md.index("## 代码频率") < md.index("## 党建")
    # a note never stands where the codes belong: uncoded passages say so first
    assert "— (未编码 uncoded) — 未编码的笔记" in md
    assert not any(line.startswith("> — 未编码的笔记") for line in md.splitlines())


def test_markdown_and_exports_carry_page_metadata(setup) -> None:  # type: ignore[no-untyped-def]
    lib, store, corpus, (a, b, c) = setup
    (it,) = ex.items(corpus, store, [c])
    it.meta.update(paper="洛阳日报", page=2, section="要闻", credits={"编辑": "武力"})
    it.meta.update(continued_from="01版")
    md = ex.to_markdown([it]).decode("utf-8")
    assert f"### {c.title} (洛阳日报 · 2018-09-12 · 第2版)" in md
    assert "要闻" in md and "上接 01版" in md and "编辑:武力" in md
    rec = json.loads(ex.to_jsonl([it]))
    assert (rec["paper"], rec["page"], rec["section"]) == ("洛阳日报", 2, "要闻")
    assert rec["credits"] == {"编辑": "武力"} and rec["continued_from"] == "01版"
    assert rec["continued_on"] is None and isinstance(rec["furniture"], list)
    (row,) = csv.DictReader(io.StringIO(ex.to_csv([it]).decode("utf-8-sig")))
    assert (row["paper"], row["page"], row["section"]) == ("洛阳日报", "2", "要闻")
    assert row["credits"] == "编辑:武力" and row["continued_from"] == "01版"
    (seeded,) = ex.items(corpus, store, [c])
    assert json.loads(ex.to_jsonl([seeded]))["furniture"]  # page 002's credits line, from seeds


def test_csv_separates_article_tags_from_passage_codes_and_has_read_starred(setup) -> None:  # type: ignore[no-untyped-def]
    lib, store, corpus, (a, b, c) = setup
    store.highlight_quote(b, b.text[:4], ["新码"])
    store.set_read(b)
    store.set_starred(a)
    raw = ex.to_csv(ex.items(corpus, store, [a, b, c])).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(raw)))
    assert header[: len(ex.CSV_COLUMNS)] == list(ex.CSV_COLUMNS)
    assert {"tag:营商环境", "passage:营商环境", "tag:新码", "passage:新码"} <= set(header)
    assert len(header) == len(set(header))
    ra, rb, rc = csv.DictReader(io.StringIO(raw))
    assert ra["tag:党建"] == "1" and ra["passage:党建"] == "1"
    assert rb["tag:新码"] == "0" and rb["passage:新码"] == "1" and rb["新码"] == "1"
    assert rb["tag:防汛"] == "1" and rb["passage:防汛"] == "0"
    assert rc["tag:营商环境"] == rc["passage:营商环境"] == "0"
    assert (ra["read"], ra["starred"], rb["read"], rb["starred"]) == ("0", "1", "1", "0")
    assert ra["passage_codes"] == "营商环境;党建" and rb["tags"] == "防汛"
    recs = [json.loads(x) for x in ex.to_jsonl(ex.items(corpus, store, [a, b])).splitlines()]
    assert [(r["read"], r["starred"]) for r in recs] == [(False, True), (True, False)]


def test_csv_code_named_like_a_column_does_not_shadow_it(setup) -> None:  # type: ignore[no-untyped-def]
    lib, store, corpus, (a, b, c) = setup
    store.add_tags(c, ["note", "tag:防汛"])
    raw = ex.to_csv(ex.items(corpus, store, [b, c])).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(raw)))
    assert len(header) == len(set(header)) and header.count("note") == 1
    rb, rc = csv.DictReader(io.StringIO(raw))
    assert rc["note"].startswith("只有笔记") and rc["tag:note"] == "1"
    assert rb["tag:防汛"] == "1" and rc["tag:tag:防汛"] == "1"


def test_csv_code_columns_follow_the_codebook_and_include_unused_codes(setup) -> None:  # type: ignore[no-untyped-def]
    """Two exports of different articles have the same columns, in the order the
    researcher gave the codebook (not by name); the fixed columns are README's."""
    lib, store, corpus, (a, b, c) = setup
    store.define_tag("治理")  # defined after 营商环境, 党建, 防汛
    store.define_tag("营商环境", parent="治理")
    store.define_tag("未用")  # in the codebook, on no article
    only_b = next(
        csv.reader(
            io.StringIO(
                ex.to_csv(ex.items(corpus, store, [b]), codebook=store.tag_defs()).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    only_c = next(
        csv.reader(
            io.StringIO(
                ex.to_csv(ex.items(corpus, store, [c]), codebook=store.tag_defs()).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert only_b == only_c
    codes = [h.removeprefix("tag:") for h in only_b if h.startswith("tag:")]
    assert codes == ["党建", "防汛", "治理", "营商环境", "未用"]  # 营商环境 under its parent
    assert [h for h in only_b[len(ex.CSV_COLUMNS) :] if ":" not in h] == codes
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = readme.split("one row per article: `", 1)[1].split("`", 1)[0]
    assert [x.strip() for x in documented.split(",")] == list(ex.CSV_COLUMNS)
