"""Reading page files: encodings, line ends, binary/empty files, huge lines, hostile text."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest

from corpus.load import CorpusNotFound, decode, load_corpus

PAGE = "## 洛阳市涧西区打造高质量首创之区\n\n本报讯(记者 孙小蕊)昨日，涧西区召开会议。\n\n本报记者 李迎博\n"


def write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.write_bytes(data)
    return p


def only_article(folder: Path):  # type: ignore[no-untyped-def]
    corpus = load_corpus(folder)
    assert len(corpus.issues) == 1, corpus.skipped
    return corpus.issues[0].articles[0]


@pytest.mark.parametrize(
    "data",
    [
        PAGE.encode("utf-8"),
        codecs.BOM_UTF8 + PAGE.encode("utf-8"),
        PAGE.encode("gb18030"),
        PAGE.encode("gbk"),
        PAGE.replace("\n", "\r\n").encode("utf-8"),
        PAGE.encode("utf-16"),
    ],
    ids=["utf8", "bom", "gb18030", "gbk", "crlf", "utf16"],
)
def test_encodings_and_line_ends(tmp_path: Path, data: bytes) -> None:
    write(tmp_path, "p.txt", data)
    a = only_article(tmp_path)
    assert a.title == "洛阳市涧西区打造高质量首创之区"
    assert a.text == "昨日，涧西区召开会议。"
    assert a.byline == "本报记者 李迎博"
    assert "\r" not in a.text and "\ufeff" not in a.title


def test_invalid_bytes_are_replaced_not_fatal(tmp_path: Path) -> None:
    data = PAGE.encode("utf-8")
    # a lone continuation byte breaks UTF-8 and GB18030 alike
    write(tmp_path, "p.txt", data[:30] + b"\x80\xff" + data[30:])
    corpus = load_corpus(tmp_path)
    assert len(corpus.issues) == 1 and not corpus.skipped


def test_skip_reasons_name_what_the_file_is(tmp_path: Path) -> None:
    """A Latin-1 page is text in another encoding, not binary; a link to a device is not a
    broken link (a tester was told both wrongly)."""
    import os

    write(tmp_path, "a.txt", PAGE.encode("utf-8"))
    write(
        tmp_path, "latin1.txt", ("Élection à Paris: café, résumé, naïve.\n" * 40).encode("latin-1")
    )
    os.symlink("/dev/zero", tmp_path / "zero.txt")
    os.symlink("nowhere.txt", tmp_path / "gone.txt")
    reasons = {s.file: s.reason for s in load_corpus(tmp_path).skipped}
    assert reasons == {
        "latin1.txt": "text in an encoding piyue does not read (it reads UTF-8, UTF-16 and GB18030)",
        "zero.txt": "not a regular file (a link to a device, pipe or socket)",
        "gone.txt": "unreadable: broken symbolic link",
    }


def test_binary_empty_and_other_files(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", PAGE.encode("utf-8"))
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.txt", b"\n \r\n\t\n")
    write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(tmp_path, "notes.doc", b"# not a page")  # (.md is a page since issue 17)
    write(tmp_path, "photo.jpg", b"\xff\xd8\xff")
    corpus = load_corpus(tmp_path)
    assert [i.source for i in corpus.issues] == ["a.txt"]
    reasons = {s.file: s.reason for s in corpus.skipped}
    assert reasons == {
        "blank.txt": "empty file",
        "empty.txt": "empty file",
        "image.txt": "binary file (not text)",
        "notes.doc": "not a page: a .doc file (pages are .txt, .md, .markdown)",
        "photo.jpg": "not a page: a .jpg file (pages are .txt, .md, .markdown)",
    }


def test_subfolders_give_distinct_issue_ids(tmp_path: Path) -> None:
    (tmp_path / "2018").mkdir()
    (tmp_path / "2019").mkdir()
    write(tmp_path / "2018", "01.txt", PAGE.encode())
    write(tmp_path / "2019", "01.txt", PAGE.encode())
    corpus = load_corpus(tmp_path)
    assert sorted(i.id for i in corpus.issues) == ["2018/01", "2019/01"]
    assert len({a.id for a in corpus.articles}) == 2


def test_two_megabyte_single_line_parses_fast(tmp_path: Path) -> None:
    line = ("综 保区内麦斯克年产硅外延片，" * 150_000)[:2_000_000]
    write(tmp_path, "big.txt", line.encode("utf-8"))
    t = time.perf_counter()
    corpus = load_corpus(tmp_path)
    elapsed = time.perf_counter() - t
    assert elapsed < 1.0
    text = corpus.articles[0].text
    assert len(text) == len(line.replace(" ", ""))


def test_markup_and_escapes_are_text(tmp_path: Path) -> None:
    page = "## [bold]标题[/bold]\n\n正文\x1b[31m红色\x07，[link=http://x]点我[/link]。\n"
    write(tmp_path, "p.txt", page.encode())
    a = only_article(tmp_path)
    assert a.title == "[bold]标题[/bold]"
    assert "[link=http://x]点我[/link]" in a.text
    assert "\x1b[31m" in a.text  # kept in the model; scrubbed only on output


def test_missing_folder() -> None:
    with pytest.raises(CorpusNotFound):
        load_corpus("/nonexistent/piyue")


def test_decode_reports_reasons() -> None:
    assert decode(b"") == (None, "empty file")
    assert decode(b"\x00\x01\x02abc")[0] is None
    assert decode("中文".encode("gb18030"))[1] == "gb18030"


TRADITIONAL = (
    "# 臺灣經濟穩健成長 產業轉型見成效\n\n本報訊（記者 陳志明）行政院主計總處昨日公布最新經濟數據，"
    "第二季經濟成長率優於預期，出口與民間投資同步回溫，政府將持續推動產業轉型與人才培育。\n"
)


@pytest.mark.parametrize(
    ("codec", "read_as"),
    [("big5", "big5"), ("cp950", "big5"), ("gb18030", "gb18030"), ("utf-8", "utf-8")],
)
def test_traditional_chinese_in_big5_is_read_as_big5_not_gb18030(codec: str, read_as: str) -> None:
    """GB 18030 decodes Big5 bytes without an error, into rare characters (臺灣 → 籓芖): a
    page from a Hong Kong or Taiwan archive must not be indexed as that."""
    text, how = decode(TRADITIONAL.encode(codec))
    assert text == TRADITIONAL
    assert how == read_as


def test_simplified_gbk_stays_gb18030() -> None:
    text, how = decode((PAGE * 3).encode("gbk"))
    assert (text, how) == (PAGE * 3, "gb18030")
