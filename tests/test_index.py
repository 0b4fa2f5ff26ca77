"""The index gives the same pages as the page files: metadata, nested folders, skipped files,
single-file corpora; terms stored and incremental; page rows and summaries without articles."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from corpus.load import load_corpus
from corpus.model import Corpus
from corpus.terms import SELECTION, Counts, count_page, select_terms
from storage.index import Index
from storage.library import Library
from storage.pagestore import unpack_counts

from .conftest import SEEDS


def _seed_texts() -> list[bytes]:
    return [p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Two papers, nested dated folders, .md and .txt, a manifest, hidden and junk files."""
    root = tmp_path / "archive"
    texts = _seed_texts()
    layout = [
        "洛阳日报/2018/09/12/01.md",
        "洛阳日报/2018/09/12/02.md",
        "洛阳日报/2018/09/13/01.md",
        "河南日报/2018-09-12/第03版.txt",
        "loose 2018-09-14 A01.markdown",
    ]
    for rel, data in zip(layout, texts, strict=True):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / ".trash").mkdir()
    (root / ".trash" / "old.txt").write_text("旧的", encoding="utf-8")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4")
    (root / "empty.md").write_bytes(b"")
    (root / "pages.csv").write_text(
        "file,paper,date,page,section\n"
        "洛阳日报/2018/09/13/01.md,洛阳晚报,,5,要闻\n"
        "missing.md,洛阳日报,2018-09-01,1,\n",
        encoding="utf-8",
    )
    return root


def _same(a: Corpus, b: Corpus) -> None:
    assert [i.id for i in a.issues] == [i.id for i in b.issues]
    for x, y in zip(a.issues, b.issues, strict=True):
        assert (x.paper, x.date, x.page, x.section, x.meta_source) == (
            y.paper,
            y.date,
            y.page,
            y.section,
            y.meta_source,
        )
        assert x == y
    assert a.skipped == b.skipped
    assert a.editions() == b.editions()


def test_index_gives_the_corpus_load_corpus_gives(tmp_path: Path, archive: Path) -> None:
    expected = load_corpus(archive)
    assert any(i.paper == "洛阳晚报" and i.page == 5 for i in expected.issues)
    assert any(s.line is not None for s in expected.skipped)  # the manifest's missing row
    idx = Index(archive, tmp_path / "cache")
    stats = idx.refresh(workers=1)
    assert stats.parsed == 5 and stats.skipped == 1  # empty.md
    assert idx.is_fresh()
    _same(idx.corpus(), expected)
    # one page on demand, the rows a tree shows, summaries as list --json gives them
    first = expected.issues[0]
    assert idx.issue(first.id) == first
    rows = idx.page_rows()
    assert [(r.id, r.paper, r.date, r.page, r.section, r.title, r.articles) for r in rows] == [
        (i.id, i.paper, i.date, i.page, i.section, i.title, len(i.articles))
        for i in expected.issues
    ]
    assert list(idx.iter_summaries()) == [i.summary() for i in expected.issues]
    assert [json.loads(t) for _, t in idx.iter_summary_json()] == [
        i.summary() for i in expected.issues
    ]
    assert idx.editions() == expected.editions()
    idx.close()


def test_pool_workers_apply_metadata_too(tmp_path: Path, archive: Path) -> None:
    for n in range(3):  # enough pages for the pool
        for p in list(archive.glob("洛阳日报/2018/09/12/*.md")):
            copy = archive / "洛阳日报" / "2019" / f"0{n + 1}" / "01" / p.name
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(p.read_bytes())
    idx = Index(archive, tmp_path / "cache")
    idx.refresh(workers=2)
    _same(idx.corpus(), load_corpus(archive))
    idx.close()


def test_manifest_change_reapplies_metadata_without_parsing(tmp_path: Path, archive: Path) -> None:
    idx = Index(archive, tmp_path / "cache")
    idx.refresh(workers=1)
    manifest = archive / "pages.csv"
    manifest.write_text(
        "file,paper,date,page,section\n洛阳日报/2018/09/12/02.md,洛阳商报,2018-10-01,7,经济\n",
        encoding="utf-8",
    )
    assert not idx.is_fresh()
    stats = idx.refresh(workers=1)
    assert stats.parsed == 0
    _same(idx.corpus(), load_corpus(archive))
    page = idx.issue("洛阳日报/2018/09/12/02")
    assert page is not None and (page.paper, page.date, page.page) == ("洛阳商报", "2018-10-01", 7)
    assert page.meta_source["date"] == "manifest"
    hits = [h for h in idx.search("营商环境") if h.issue_id == page.id]
    assert all(h.date == "2018-10-01" for h in hits)
    assert idx.is_fresh()
    idx.close()


def test_single_file_corpus(tmp_path: Path, archive: Path) -> None:
    one = archive / "洛阳日报/2018/09/12/01.md"
    lib = Library(one, cache_dir=tmp_path / "cache")
    assert lib.root == one.parent and lib.location == one
    stats = lib.refresh_index(workers=1)
    assert stats is not None and stats.pages == 1
    corpus = lib.load()
    assert [i.source for i in corpus.issues] == ["01.md"]
    _same(corpus, load_corpus(one))
    assert lib.index is not None
    _same(lib.index.corpus(), load_corpus(one))


def test_library_reads_rows_and_pages_from_the_index(tmp_path: Path, archive: Path) -> None:
    lib = Library(archive, cache_dir=tmp_path / "cache")
    lib.refresh_index(workers=1)
    expected = load_corpus(archive)
    fresh = Library(archive, cache_dir=tmp_path / "cache")
    assert [r.id for r in fresh.page_rows()] == [i.id for i in expected.issues]
    assert fresh.corpus is None  # nothing parsed, no article built
    assert list(fresh.iter_summaries()) == [i.summary() for i in expected.issues]
    got = json.loads("[" + ",".join(fresh.iter_summary_json()) + "]")
    assert got == [i.summary() for i in expected.issues]
    assert fresh.skipped() == list(expected.skipped)
    listing = fresh.listing()
    assert listing.editions == expected.editions()
    assert listing.skipped == list(expected.skipped)
    assert [json.loads(t) for t in listing.pages] == [i.summary() for i in expected.issues]
    assert fresh.editions() == expected.editions()
    pid = expected.issues[2].id
    assert fresh.issue(pid) == expected.issues[2]
    assert fresh.corpus is None
    _same(fresh.load(), expected)


def test_reparse_issue_keeps_the_page_id(tmp_path: Path, archive: Path) -> None:
    lib = Library(archive, cache_dir=tmp_path / "cache")
    corpus = lib.load()
    nested = next(i for i in corpus.issues if "/" in i.source)
    again = lib.reparse_issue(nested.id)
    assert again.issues == corpus.issues


# ------------------------------------------------------------------------------ terms


def test_terms_are_stored_and_follow_the_pages(tmp_path: Path, seeds_copy: Path) -> None:
    lib = Library(seeds_copy, cache_dir=tmp_path / "cache")
    stats = lib.refresh_index(workers=1)
    assert stats is not None and stats.terms > 0
    terms = lib.terms()
    assert terms and terms == sorted(terms, key=lambda t: (-t.freq, t.text))
    assert {t.kind for t in terms} <= {"term", "person", "place", "organisation"}
    idx = lib.index
    assert idx is not None
    # the stored sum is the sum of the pages' counts
    total = Counts()
    for (rel,) in idx.db.execute("SELECT rel FROM pages").fetchall():
        got = idx.page_counts(rel)
        assert got is not None
        total.merge(got)
    assert total.to_json() == unpack_counts(idx._blob("totals")).to_json()
    # removing a page takes its counts away: the same as counting the rest from scratch
    gone = sorted(seeds_copy.glob("*.txt"))[0]
    gone.unlink()
    lib.refresh_index(workers=1)
    seg = lib.prepare_words()
    rest = Counts()
    expand = {t.text: t.parts for t in terms if len(t.parts) > 1}
    for issue in load_corpus(seeds_copy).issues:
        rest.merge(count_page([seg.words(f"{a.title}\n{a.text}") for a in issue.articles], expand))
    stored = unpack_counts(idx._blob("totals"))
    assert stored.docs == rest.docs
    fresh_terms = {t.text for t in select_terms(stored, tags=seg.tags())}
    assert {t.text for t in lib.terms()} == fresh_terms
    # a fresh index writes nothing, terms included
    assert lib.refresh_index(workers=1) is not None


def test_terms_chosen_by_older_rules_are_chosen_again_without_reading_pages(
    tmp_path: Path, seeds_copy: Path
) -> None:
    """An index from a piyue whose term rules differ (涧西 was no term) chooses its terms again
    from its stored counts on the next refresh, though no page changed; then it is fresh."""
    lib = Library(seeds_copy, cache_dir=tmp_path / "cache")
    lib.refresh_index(workers=1)
    idx = lib.index
    assert idx is not None and "涧西" in {t.text for t in idx.terms()}
    idx.db.execute("DELETE FROM terms WHERE text='涧西'")
    idx.db.execute("UPDATE meta SET value='1' WHERE key='selection'")
    idx.db.commit()
    stats = idx.refresh(workers=1)
    assert stats.parsed == 0 and "涧西" in {t.text for t in idx.terms()}
    assert idx._meta("selection") == str(SELECTION)
    assert idx.refresh(workers=1).unchanged == stats.pages  # fresh again


def test_rejected_term_never_comes_back(tmp_path: Path, seeds_copy: Path) -> None:
    lib = Library(seeds_copy, cache_dir=tmp_path / "cache")
    lib.refresh_index(workers=1)
    lib.prepare_words()
    victim = next(t for t in lib.terms() if len(t.parts) > 1)
    assert victim.text in lib.segmenter.terms
    lib.reject_term(victim.text)
    assert victim.text not in {t.text for t in lib.terms()}
    assert victim.text not in lib.segmenter.terms
    page = sorted(seeds_copy.glob("*.txt"))[1]
    page.write_bytes(page.read_bytes() + "\n\n新增一段文字。\n".encode())
    os.utime(page, (time.time() + 5, time.time() + 5))
    lib.refresh_index(workers=1)
    again = Library(seeds_copy, cache_dir=tmp_path / "cache")
    assert victim.text not in {t.text for t in again.terms()}
    assert lib.index is not None
    assert victim.text not in {t.text for t in lib.index.terms()}
    # a judgement, not a cache: kept beside the user dictionary, so clearing the cache keeps it
    assert victim.text in lib.rejected_file.read_text("utf-8").split()
    assert tmp_path / "cache" not in lib.rejected_file.parents
    fresh = Library(seeds_copy, cache_dir=tmp_path / "cache2")
    assert victim.text in fresh.rejected_terms()
    # one an older piyue kept in the cache dir is still read
    old = Library(seeds_copy, cache_dir=tmp_path / "old", rejected_file=tmp_path / "none.txt")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "rejected-terms.txt").write_text("旧的词\n", "utf-8")
    assert old.rejected_terms() == {"旧的词"}


def test_keywords_carry_kinds_and_see_terms(tmp_path: Path, seeds_copy: Path) -> None:
    lib = Library(seeds_copy, cache_dir=tmp_path / "cache")
    lib.refresh_index(workers=1)
    corpus = lib.load()
    kinds = set()
    for art in corpus.articles:
        ks = lib.keywords(art, 10)
        kinds |= {k.kind for k in ks}
        assert all(k.kind in ("word", "term", "person", "place", "organisation") for k in ks)
    assert kinds - {"word"}  # some learned term, name, place or organisation ranks
    # the stored tokens are joined into the learned terms
    multi = {t.text for t in lib.terms() if len(t.parts) > 1}
    assert any(w in multi for a in corpus.articles for w in lib.article_words(a))


# ------------------------------------------------------------------------ compact forms


def test_tokens_packed_as_lengths_come_back() -> None:
    from storage.pagestore import inflate, pack_tokens, unpack_tokens

    source = "标题 Windows 10\n正文，有\u3000空格。\n\n第二段"
    words = ["标题", "Windows", "10", "正文", "，", "有", "空格", "。", "第二段"]
    packed = inflate(pack_tokens(source, " ".join(words)))
    assert packed[:1] == b"#"
    assert unpack_tokens(source, packed) == words
    long = "长" * 300
    got = inflate(pack_tokens(long, long))
    assert got[:1] == b"=" and unpack_tokens(long, got) == [long]
    assert unpack_tokens("", inflate(pack_tokens("", ""))) == []


def test_token_lengths_as_two_bit_codes_come_back() -> None:
    import random

    from storage.pagestore import pack_lengths, unpack_lengths

    rng = random.Random(3)
    for n in [*range(1, 13), 100, 4001]:
        for _ in range(20):
            lengths = bytes(rng.choice((1, 2, 2, 3, 4, 9, 255)) for _ in range(n))
            assert unpack_lengths(pack_lengths(lengths)) == list(lengths)


def test_page_texts_come_back_in_either_encoding() -> None:
    from storage.pagestore import pack_texts, unpack_texts

    for texts in (
        ["标题\n正文 ABC 123。", "", "第二篇"],
        ["\ud800 lone", "ok"],
        ["\U0002a6a5 ext-b"],
    ):
        assert unpack_texts(pack_texts(texts)) == texts
    assert pack_texts(["汉字"])[:1] == b"z" and pack_texts(["\ud800"])[:1] == b"u"


def test_raw_paragraph_text_as_insertions() -> None:
    from storage.pagestore import _apply_ops, _raw_ops

    for raw, text in [
        ("全市60家重\n点企业", "全市60家重点企业"),
        ("综 保区  建设", "综保区 建设"),
        ("a", "a"),
        ("\n开头", "开头"),
        ("结尾\n", "结尾"),
        ('他说:"好, 很好"。', "他说：“好，很好”。"),
    ]:
        ops = _raw_ops(raw, text)
        assert ops is not None and _apply_ops(text, ops) == raw
    assert _raw_ops("甲 乙", "甲乙丙") is None  # not the cleaner's work: the raw text is kept whole


def test_freshness_sees_pages_and_other_files(tmp_path: Path, archive: Path) -> None:
    idx = Index(archive, tmp_path / "cache")
    idx.refresh(workers=1)
    assert idx.is_fresh()
    (archive / "洛阳日报" / "scan.pdf").write_bytes(b"%PDF")
    assert not idx.is_fresh()
    stats = idx.refresh(workers=1)
    assert stats.parsed == 0 and idx.is_fresh()
    assert any(s.file == "洛阳日报/scan.pdf" for s in idx.skipped())
    assert idx.skipped() == list(load_corpus(archive).skipped)
    page = archive / "洛阳日报/2018/09/13/01.md"
    os.utime(page, (time.time() + 9, time.time() + 9))
    assert not idx.is_fresh()
    assert idx.refresh(workers=1).parsed == 0 and idx.is_fresh()
    (archive / "河南日报" / "2018-09-12" / "第04版.md").write_bytes(page.read_bytes())
    assert not idx.is_fresh()
    assert idx.refresh(workers=1).parsed == 1
    _same(idx.corpus(), load_corpus(archive))
    idx.close()


def test_freshness_stamp_stands_for_the_rows(tmp_path: Path, archive: Path) -> None:
    idx = Index(archive, tmp_path / "cache")
    idx.refresh(workers=1)
    stamp = idx._meta("walk")
    assert stamp is not None and stamp == idx._stamp(idx._quick_walk())
    assert idx.refresh(workers=1).unchanged == len(idx._known())
    page = archive / "洛阳日报/2018/09/13/01.md"
    page.write_bytes(page.read_bytes().replace(b"\n", b"\r", 1))  # same size, new mtime
    os.utime(page, (time.time() + 9, time.time() + 9))
    assert idx._stamp(idx._quick_walk()) != stamp and not idx.is_fresh()
    assert idx.refresh(workers=1).parsed == 1 and idx._meta("walk") != stamp
    idx.db.execute("DELETE FROM meta WHERE key='walk'")  # no stamp: row by row, same answer
    assert idx.is_fresh() and idx.refresh(workers=1).parsed == 0
    (archive / "pages.csv").write_text("file,page\n", encoding="utf-8")
    assert not idx.is_fresh()
    idx.close()


def test_opening_and_reading_a_fresh_index_writes_nothing(tmp_path: Path, archive: Path) -> None:
    from storage.pagerow import index_stamp

    idx = Index(archive, tmp_path / "cache")
    idx.refresh(workers=1)
    idx.close()
    before = index_stamp(idx.path)
    again = Index(archive, tmp_path / "cache")
    assert again.refresh(workers=1).parsed == 0 and again.search("洛阳") is not None
    again.close()
    assert index_stamp(idx.path) == before
