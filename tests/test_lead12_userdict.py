"""A word joined or split in the user's dictionary reaches the index: the pages holding it are
cut again on the next refresh (testerD F7: after ``+`` on 光武大道 the segmented export kept
光/武大/道 until the index was deleted)."""

from __future__ import annotations

from pathlib import Path

from storage.library import Library
from storage.userwords import changed, entries


def _tokens(lib: Library, word_in: str) -> list[str]:
    art = next(a for a in lib.load().articles if word_in in a.text)
    assert lib.index is not None
    got = lib.index.tokens_of(art.id)
    assert got is not None
    return got


def test_a_word_added_or_removed_recuts_the_pages_that_hold_it(
    tmp_path: Path, seeds_copy: Path
) -> None:
    udict = tmp_path / "userdict.txt"
    udict.write_text("# my words\n", "utf-8")
    lib = Library(seeds_copy, cache_dir=tmp_path / "cache", user_dict=udict)
    lib.refresh_index(workers=1)
    assert "光武大道" not in _tokens(lib, "光武大道")
    udict.write_text("# my words\n光武大道 2000\n", "utf-8")
    stats = lib.refresh_index(workers=1)
    assert stats is not None and stats.parsed == 1  # the one page with it, not all five
    assert "光武大道" in _tokens(lib, "光武大道")
    again = lib.refresh_index(workers=1)
    assert again is not None and again.parsed == 0  # remembered
    udict.write_text("# my words\n", "utf-8")
    stats = lib.refresh_index(workers=1)
    assert stats is not None and stats.parsed == 1
    assert "光武大道" not in _tokens(lib, "光武大道")
    # the same as a cold build with the same dictionary
    cold = Library(seeds_copy, cache_dir=tmp_path / "cold", user_dict=udict)
    cold.refresh_index(workers=1)
    assert _tokens(cold, "光武大道") == _tokens(lib, "光武大道")


def test_a_word_in_a_headline_only_recuts_its_page(tmp_path: Path, seeds_copy: Path) -> None:
    udict = tmp_path / "userdict.txt"
    lib = Library(seeds_copy, cache_dir=tmp_path / "cache", user_dict=udict)
    lib.refresh_index(workers=1)
    title = next(a.title for a in lib.load().articles if "：" in a.title)
    word = title.split("：")[0][-3:]
    udict.write_text(f"{word} 5 nz\n", "utf-8")
    stats = lib.refresh_index(workers=1)
    assert stats is not None and stats.parsed >= 1


def test_what_counts_as_a_change() -> None:
    assert changed({"甲": "5 "}, {"甲": "5 "}) == set()
    assert changed({"甲": "5 "}, {"甲": "0 "}) == {"甲"}  # now split
    assert changed({"甲": "5 "}, {"乙": "5 "}) == {"甲", "乙"}
    assert entries(None) == {} and entries(Path("/nonexistent/userdict.txt")) == {}
