"""A full disk (store10, fault 2): reading commands and exports work when only the caches
cannot be written (the sorted jieba dictionary was the one that failed them: ``show`` and the
JSON Lines export said "cannot write: no space left on device" while CSV worked), and a cache
that cannot be written leaves no partial file behind."""

from __future__ import annotations

import errno
import json
import pathlib
from pathlib import Path
from typing import Any

import pytest

from corpus.segment import Segmenter
from corpus.tokenizer import Lexicon
from storage.locations import cache_dir

from .test_cli9_export import A, Cli


def _full_under(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing files or making folders under ``folder`` fails as on a full disk; a file is
    cut off after a few bytes, as when the disk fills up half-way."""
    real_write, real_mkdir = pathlib.Path.write_bytes, pathlib.Path.mkdir

    def inside(p: Path) -> bool:
        return p.absolute().is_relative_to(folder)

    def write_bytes(self: Path, data: Any) -> int:
        if inside(self):
            real_write(self, bytes(data)[:10])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if inside(self) and not self.exists():
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
    monkeypatch.setattr(pathlib.Path, "mkdir", mkdir)


def test_the_dictionary_cache_that_cannot_be_written_is_held_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "jieba"
    folder.mkdir()
    _full_under(folder, monkeypatch)
    lex = Lexicon(folder)
    assert not lex.cached
    assert list(folder.iterdir()) == [] or all(p.suffix == ".lock" for p in folder.iterdir())
    monkeypatch.undo()  # space again: the next start writes the cache
    again = Lexicon(folder)
    assert again.cached and len(again) == len(lex) > 300_000
    for w in ("洛阳", "中华人民", "zzz", "", "揶揄"):
        assert again.entry(w) == lex.entry(w), w
    assert (again.py_total, again.rs_total) == (lex.py_total, lex.rs_total)


def test_show_and_jsonl_export_on_a_full_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(tmp_path / "a.json", capsys)
    assert cli("tag", A, "码")[0] == 0
    cache = cache_dir()
    (cache / "jieba").unlink()  # the tests' shared dictionary cache: this home has none
    _full_under(cache, monkeypatch)
    code, out, err = cli("show", A)
    assert code == 0 and "洛阳市涧西区" in out, err
    assert "Traceback" not in err and err.count("\n") <= 1  # at most: the index is not saved
    code, out, err = cli("show", "--json", A)
    assert code == 0 and json.loads(out)["keywords"], err
    code, out, err = cli("export", "--format", "jsonl")
    assert code == 0 and [json.loads(x)["id"] for x in out.splitlines()] == [A], err
    assert "Traceback" not in err and err.count("\n") <= 1
    left = (cache / "jieba").rglob("*") if (cache / "jieba").exists() else []
    assert not [p for p in left if p.suffix != ".lock"]  # no partial dictionary
    target = tmp_path / "out.jsonl"
    code, out, err = cli("export", "--format", "jsonl", "-o", str(target))
    assert code == 0 and json.loads(target.read_text(encoding="utf-8"))["id"] == A, err


def test_jieba_s_own_cache_failing_prints_no_traceback_and_leaves_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Python jieba tokenizer piyue builds for a split of one of jieba's own words
    dumps its own cache: on a full disk jieba logged a traceback and left a partial file."""
    import marshal

    real = marshal.dump

    def full(value: Any, file: Any, *args: Any) -> None:
        file.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(marshal, "dump", full)
    capfd.readouterr()
    seg = Segmenter(tmp_path / "a")
    seg.split_word("揶揄", ["揶", "揄"])
    assert seg.words("他揶揄地笑了") == ["他", "揶", "揄", "地", "笑", "了"]
    assert seg.jieba_fallbacks >= 1
    monkeypatch.setattr(marshal, "dump", real)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Dump cache file failed" not in err
    assert not [p.name for p in (tmp_path / "a").iterdir() if p.name.startswith("tmp")]
