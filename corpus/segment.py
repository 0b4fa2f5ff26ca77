"""Word segmentation: jieba's algorithm and dictionary, run by rjieba (Rust), behind one small
interface.

* ``Segmenter`` gives exactly the tokens Python jieba's ``Tokenizer.cut`` would give with the
  same words added and deleted (``tests/test_segment_rjieba.py`` proves it against
  ``JiebaSegmenter``, the same layers on Python jieba), ~20x faster, its dictionary loaded in
  0.06 s and ~40 MB (jieba: 0.5-1 s, ~90 MB).  Python jieba's dictionary is never loaded; its
  bookkeeping (word frequencies that differ from dict.txt, the total, tags, words it force-splits)
  is mirrored here, so every route rjieba scores is the one jieba would score:
  - the total: jieba adds a re-added word's frequency without taking the old one off (and counts
    dict.txt's one duplicate twice), rjieba replaces it; a pad word outside every block of text
    (a private-use character) carries the difference;
  - frequencies piyue needs (a name is no common word, a term's suggested frequency, what a word
    was before a page's names) come from ``Lexicon``: dict.txt sorted once into the cache dir and
    bisected through mmap, never held as Python objects;
  - rjieba cannot delete a word: a deleted or forgotten word stays in its trie at frequency 0
    ("dead"), which scores like no word, but jieba would run its HMM over a run of single
    characters that spells it (and force-splits words the user split).  Only a text that
    contains such a word can differ, and only in the blocks that contain it: those blocks are cut
    again, jieba's buffer rule applied in Python over rjieba's route and rjieba's HMM.  Where
    even that cannot be sure (a dead word whose first character is no word, or a lone ASCII word
    beside a one-letter word the user added), the segmenter rebuilds its rjieba instance without
    the dead words (0.06 s); a dead word of jieba's own dictionary cannot be dropped that way, and
    only then does it cut with a Python jieba tokenizer set to the same state.
  - rjieba treats CJK extension characters as word characters, jieba as single symbols: they are
    cut off before rjieba sees the text.
* The dictionary load is lazy and thread-safe: the TUI triggers it from a worker.
* Four word sources on top of jieba's own dictionary, applied in this order (see README):
  the domain dictionary shipped with piyue, names learned from the corpus (bylines,
  ``记者 X``, ``X强调/指出/表示``, officials' titles before a name), terms discovered in the
  corpus (``corpus.terms``), and the user's own dictionary file, which wins: a learned term
  never undoes a word the user split or joined.
* One dictionary in memory: part-of-speech tags come from the same rjieba instance (dictionary
  tags, piyue's own tags in front), so names and places follow the user's words.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import logging
import mmap
import os
import re
import sys
import tempfile
import threading
from array import array
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import filterfalse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.terms import SURNAMES, Term

if TYPE_CHECKING:
    import rjieba

DOMAIN_DICT = Path(__file__).with_name("data") / "domain_dict.txt"

_CJK_NAME = r"[\u4e00-\u9fff]"
_TITLE_BEFORE_NAME = re.compile(
    r"(?:书记|市长|县长|区长|省长|主任|局长|部长|主席|院长|组长|秘书长|董事长|总经理|厅长|处长|校长)"
    rf"({_CJK_NAME}{{2,3}}?)"
    r"(?=带领|带队|深入|主持|指出|强调|表示|代表|先后|还|参加|出席|调研|要求|在|到|说|，|,|、|。|）|\))"
)
_SAYS = re.compile(
    rf"(?:^|[，,。、；\s“\"])({_CJK_NAME}{{2,3}}?)(?:在[^，,。]{{1,12}}时)?(?:强调|指出|表示|说|要求|介绍)"
)
_REPORTER = re.compile(rf"(?:记者|通讯员|实习生)\s*((?:{_CJK_NAME}{{2,4}}\s*)+)")
_NOT_A_NAME = set(
    "会议 他们 我们 市委 区委 县委 省委 大家 专家 负责人 有关 相关 该局 该区 该县 "
    "企业 部门 同时 并且 他 她 记者".split()
)
_SURNAMES = SURNAMES


@dataclass(frozen=True, slots=True)
class Token:
    word: str
    start: int
    end: int


def _looks_like_name(word: str) -> bool:
    return 2 <= len(word) <= 3 and word[0] in _SURNAMES and word not in _NOT_A_NAME


def learn_names(texts: Iterable[str]) -> set[str]:
    """Person names a reader would recognise, from patterns newspapers always use."""
    names: set[str] = set()
    for text in texts:
        for m in _REPORTER.finditer(text):
            for part in m.group(1).split():
                if _looks_like_name(part):
                    names.add(part)
        for rx in (_TITLE_BEFORE_NAME, _SAYS):
            for m in rx.finditer(text):
                if _looks_like_name(m.group(1)):
                    names.add(m.group(1))
    return names


def read_dict_words(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Parse a jieba-format dictionary file, ignoring blank lines and ``#`` comments."""
    out: list[tuple[str, int | None, str | None]] = []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = (
            parts[2]
            if len(parts) > 2
            else (parts[1] if len(parts) > 1 and not parts[1].isdigit() else None)
        )
        out.append((parts[0], freq, tag))
    return out


def _nothing() -> None:
    return None


# -- jieba's own dictionary, exactly, without holding it in memory

_LEXICON_VERSION = 1


def jieba_dir() -> Path:
    """Where the jieba package keeps dict.txt and idf.txt (found without importing jieba)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the jieba package is needed for its dictionary file")
    return Path(next(iter(spec.submodule_search_locations)))


class Lexicon:
    """jieba's dict.txt sorted into the cache dir once and bisected through mmap: the exact
    frequency, tag and prefix answers of jieba's FREQ and tag tables for the few words piyue
    asks about, without 349,000 words as Python objects (≈50 MB)."""

    def __init__(self, cache_dir: Path | None) -> None:
        src = jieba_dir() / "dict.txt"
        st = src.stat()
        folder = cache_dir or Path(tempfile.gettempdir()) / "piyue-lexicon"
        stem = folder / f"lexicon-{_LEXICON_VERSION}-{st.st_size}-{st.st_mtime_ns}"
        data, index, meta = (stem.with_suffix(s) for s in (".txt", ".idx", ".json"))
        if not meta.exists():
            from filelock import FileLock

            folder.mkdir(parents=True, exist_ok=True)
            with FileLock(str(stem.with_suffix(".lock"))):  # pool workers start together
                if not meta.exists():
                    self._build(src, data, index, meta)
        info = json.loads(meta.read_text("utf-8"))
        self.py_total: int = info["py_total"]
        """jieba's total: every line's frequency (dict.txt has one word twice)."""
        self.rs_total: int = info["rs_total"]
        """rjieba's total: each word once, at its last line's frequency."""
        with data.open("rb") as f:
            self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        with index.open("rb") as f:
            self._index_map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self._index = memoryview(self._index_map).cast("I")
        self._n = len(self._index)
        self._cache: dict[str, tuple[int | None, str | None]] = {}

    @staticmethod
    def _build(src: Path, data: Path, index: Path, meta: Path) -> None:
        # bytes lines, not split ones: a quarter of the memory for the one sort
        lines = [line.strip() for line in src.read_bytes().splitlines()]
        lines = [line for line in lines if line]
        py_total = sum(int(line.split(b" ", 2)[1]) for line in lines)
        lines.sort(key=lambda line: line[: line.find(b" ")])  # stable: repeats keep file order
        offsets = array("I")
        chunks: list[bytes] = []
        pos = 0
        rs_total = 0
        for i, line in enumerate(lines):
            word = line[: line.find(b" ")]
            if i + 1 < len(lines) and lines[i + 1].startswith(word + b" "):
                continue  # a repeated word: the last line wins, in jieba's FREQ and tag tables
            parts = line.split()
            rs_total += int(parts[1])
            row = b"%s\t%s\t%s\n" % (word, parts[1], parts[2] if len(parts) > 2 else b"")
            offsets.append(pos)
            chunks.append(row)
            pos += len(row)
        del lines
        data.parent.mkdir(parents=True, exist_ok=True)
        # pool workers may build at once: each writes its own files, the same bytes, replaced whole
        suffix = f".{os.getpid()}.{threading.get_ident()}.tmp"
        for path, blob in (
            (data, b"".join(chunks)),
            (index, offsets.tobytes()),
            (meta, json.dumps({"py_total": py_total, "rs_total": rs_total}).encode()),
        ):
            tmp = path.with_name(path.name + suffix)
            tmp.write_bytes(blob)
            os.replace(tmp, path)

    def _row(self, i: int) -> bytes:
        off = self._index[i]
        return self._data[off : self._data.find(b"\n", off)]

    def entry(self, word: str) -> tuple[int | None, str | None]:
        """(frequency, tag) of a word of jieba's dictionary; (0, None) for a prefix of one (what
        jieba's FREQ holds for it); (None, None) for anything else."""
        got = self._cache.get(word)
        if got is not None:
            return got
        key = word.encode("utf-8")
        data, index = self._data, self._index
        lo, hi = 0, self._n
        while lo < hi:
            mid = (lo + hi) >> 1
            off = index[mid]
            if data[off : data.find(b"\t", off)] < key:
                lo = mid + 1
            else:
                hi = mid
        res: tuple[int | None, str | None] = (None, None)
        if lo < self._n and key:
            w, f, t = self._row(lo).split(b"\t")
            if w == key:
                res = (int(f), t.decode("utf-8"))
            elif w.startswith(key):
                res = (0, None)
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[word] = res
        return res

    def words(self) -> Iterator[tuple[str, str]]:
        """Every (word, tag), in byte order."""
        for i in range(self._n):
            w, _f, t = self._row(i).split(b"\t")
            yield w.decode("utf-8"), t.decode("utf-8")

    def __len__(self) -> int:
        return self._n


# -- rjieba, following jieba exactly

_PAD = "\ue000"
"""Carries the difference between jieba's total and rjieba's: a private-use character, never
inside a block of word characters, so no text ever matches it."""
_EXT_HAN = re.compile("[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
"""Characters rjieba cuts as word characters and jieba as single symbols."""
_SPACES = frozenset(
    [*"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000", "\r\n"]
    + [chr(c) for c in range(0x2000, 0x200B)]
)
"""The whitespace tokens jieba gives: one character each, and ``\r\n``."""
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#&._%-")
_DEAD_REBUILD = 300
"""Dead words (added, then forgotten) rjieba may keep before a rebuild drops them: each is one
substring test per text."""


def _in_block(c: str) -> bool:
    """jieba's word-block characters (``re_han_default``)."""
    return "\u4e00" <= c <= "\u9fd5" or c in _ASCII_WORD


def _rjieba() -> Any:
    """rjieba's extension module, loaded without its package ``__init__``, which builds a default
    instance at import: a second dictionary in memory (≈25 MB) that piyue never uses."""
    name = "rjieba.rjieba"
    mod = sys.modules.get(name)
    if mod is not None:
        return mod
    spec = importlib.util.find_spec("rjieba")
    if spec is not None and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations)))
        for path in folder.iterdir():
            if path.name.startswith("rjieba.") and path.suffix in (".so", ".pyd"):
                loader = importlib.machinery.ExtensionFileLoader(name, str(path))
                ext = importlib.util.spec_from_file_location(name, path, loader=loader)
                if ext is None:
                    break
                mod = importlib.util.module_from_spec(ext)
                loader.exec_module(mod)
                sys.modules[name] = mod
                return mod
    import rjieba  # an unusual install: take the package as it is

    return rjieba


class _Unsure(Exception):
    """rjieba's route cannot tell jieba's here (see the module docstring)."""


class _TagTable(Mapping[str, str]):
    """Dictionary part of speech: piyue's own tags, the user's, then dict.txt's (read on demand)."""

    def __init__(self, seg: Segmenter) -> None:
        self._seg = seg

    def __getitem__(self, word: str) -> str:
        tag = self._seg._dict_tag(word)
        if tag is None:
            raise KeyError(word)
        return tag

    def _own(self) -> dict[str, str]:
        own = dict(self._seg._utags)
        own.update(self._seg._own_tags)
        return own

    def __iter__(self) -> Iterator[str]:
        own = self._own()
        yield from own
        lex = self._seg._lex
        if lex is not None:
            for word, _tag in lex.words():
                if word not in own:
                    yield word

    def __bool__(self) -> bool:
        return True  # never empty (``tags or {}`` must not count 349,000 words)

    def __len__(self) -> int:
        lex = self._seg._lex
        own = self._own()
        return len(own) + (sum(1 for w, _ in lex.words() if w not in own) if lex else 0)


class Segmenter:
    """Thread-safe lazy segmenter with piyue's dictionaries (rjieba, exactly as jieba)."""

    def __init__(self, cache_dir: Path | None = None, user_dict: Path | None = None) -> None:
        self.cache_dir = cache_dir
        self.user_dict = user_dict
        self._lock = threading.RLock()
        self._ready = False
        self._j: rjieba.Jieba | None = None
        self._hmm_only: rjieba.Jieba | None = None
        self._lex: Lexicon | None = None
        self._pending_names: set[str] = set()
        self.names: set[str] = set()
        self.user_words: set[str] = set()
        self.user_splits: set[str] = set()
        self.terms: dict[str, str] = {}
        """Learned terms now in the dictionary: text → kind (term/person/place/organisation)."""
        self._pending_terms: list[Term] = []
        self._own_tags: dict[str, str] = {}
        self._undo: dict[str, tuple[int | None, list[str], str | None]] = {}
        # jieba's state where it differs from dict.txt
        self._freq: dict[str, int] = {}
        self._total = 0
        self._utags: dict[str, str] = {}
        self._split: set[str] = set()
        self._added: set[str] = set()
        """Every word given to add_word (and not taken back): their prefixes stay."""
        self._prefix_of_added: dict[str, int] = {}
        # the rjieba instance's state
        self._rs: dict[str, int] = {}
        self._rs_total = 0
        self._pad = 0
        self._dead_base: set[str] = set()
        self._dead_new: set[str] = set()
        self._watch: tuple[str, ...] | None = ()
        self._mirror: Any = None
        self.rebuilds = 0
        """rjieba instances rebuilt to drop dead words (each ≈0.06 s)."""
        self.jieba_fallbacks = 0
        """Texts cut by Python jieba (a dead word of jieba's dictionary rjieba cannot follow)."""

    @property
    def loaded(self) -> bool:
        return self._ready

    def load(self) -> None:
        """Load the dictionary now (≈0.1 s; once per cache dir ≈0.5 s more to sort dict.txt)."""
        self._engine()

    def _engine(self) -> rjieba.Jieba:
        if self._ready:
            assert self._j is not None
            return self._j
        with self._lock:
            if self._ready:
                assert self._j is not None
                return self._j
            self._lex = Lexicon(self.cache_dir)
            self._total = self._lex.py_total
            self._rs_total = self._lex.rs_total
            self._j = _rjieba().Jieba()
            self._update_pad()
            for word, freq, tag in read_dict_words(DOMAIN_DICT):
                self._add_word(word, freq, tag)
            for name in sorted(self._pending_names):
                if self._add_name(name):
                    self.names.add(name)
            user = read_dict_words(self.user_dict) if self.user_dict is not None else []
            for word, freq, _tag in user:
                (self.user_splits if freq == 0 else self.user_words).add(word)
            for term in self._pending_terms:
                self._add_term(term)
            self._pending_terms = []
            for word, freq, tag in user:
                self._add_word(word, freq, tag)
            self._ready = True
            return self._j

    # -- jieba's bookkeeping, mirrored

    def _fget(self, word: str) -> int | None:
        """``jieba FREQ.get(word)``."""
        got = self._freq.get(word)
        if got is not None:
            return got
        assert self._lex is not None
        return self._lex.entry(word)[0]

    def _has(self, word: str) -> bool:
        """``word in jieba FREQ``."""
        return self._fget(word) is not None

    def _add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> int:
        """``jieba.Tokenizer.add_word``, exactly (``freq`` 0 is its ``del_word``)."""
        f = int(freq) if freq is not None else self._suggest(word)
        self._freq[word] = f
        if word not in self._added:
            self._added.add(word)
            for k in range(1, len(word)):
                self._prefix_of_added[word[:k]] = self._prefix_of_added.get(word[:k], 0) + 1
        self._total += f
        if tag:
            self._utags[word] = tag
        for k in range(1, len(word)):
            if not self._has(word[:k]):
                self._freq[word[:k]] = 0
        if f == 0:
            self._split.add(word)  # finalseg's force-split words
            self._update_watch()
        self._sync(word, tag)
        self._update_pad()
        return f

    def _suggest(self, segment: str | tuple[str, ...], tune: bool = False) -> int:
        """``jieba.Tokenizer.suggest_freq``, exactly (float for float)."""
        ftotal = float(self._total)
        freq: float = 1
        if isinstance(segment, str):
            word = segment
            for seg in self._pieces(word, hmm=False):
                got = self._fget(seg)
                freq *= (1 if got is None else got) / ftotal
            whole = self._fget(word)
            f = max(int(freq * self._total) + 1, 1 if whole is None else whole)
        else:
            word = "".join(segment)
            for seg in segment:
                got = self._fget(seg)
                freq *= (1 if got is None else got) / ftotal
            whole = self._fget(word)
            f = min(int(freq * self._total), 0 if whole is None else whole)
        if tune:
            self._add_word(word, f)
        return f

    def _sync(self, word: str, tag: str | None = None) -> None:
        """Give rjieba jieba's frequency of ``word`` (0, kept in its trie, when jieba has none)."""
        target = self._fget(word) or 0
        cur = self._rs.get(word)
        if cur is None:
            assert self._lex is not None
            base_freq, base_tag = self._lex.entry(word)
            if base_tag is None:
                if target == 0:
                    return  # neither has it: nothing to do
                cur = 0
            else:
                cur = base_freq or 0
                if cur == target:
                    return
        elif cur == target:
            return
        assert self._j is not None
        self._j.add_word(word, target, tag)
        self._rs[word] = target
        self._rs_total += target - cur
        self._mirror = None
        dead = self._dead_new if word not in self._dead_base and self._is_new(word) else None
        if target == 0:
            (self._dead_new if dead is not None else self._dead_base).add(word)
        else:
            self._dead_new.discard(word)
            self._dead_base.discard(word)
        self._update_watch()

    def _is_new(self, word: str) -> bool:
        assert self._lex is not None
        return self._lex.entry(word)[1] is None

    def _update_pad(self) -> None:
        pad = self._total - self._rs_total
        if pad < 0:  # cannot happen: jieba's total never falls below rjieba's
            raise RuntimeError(f"segmenter totals diverged ({self._total} < {self._rs_total})")
        if pad != self._pad:
            assert self._j is not None
            self._j.add_word(_PAD, pad, None)
            self._pad = pad
        self._mirror = None

    def _update_watch(self) -> None:
        self._watch = None

    def _watched(self) -> tuple[str, ...]:
        """Words whose presence sends a text the careful way (dead or force-split)."""
        if self._watch is None:
            self._watch = tuple(self._dead_new | self._dead_base | self._split)
        return self._watch

    def _rebuild(self) -> None:
        """A fresh rjieba instance without the dead words piyue added (≈0.06 s)."""
        assert self._lex is not None
        j: rjieba.Jieba = _rjieba().Jieba()
        total = self._lex.rs_total
        keep: dict[str, int] = {}
        for word, f in self._rs.items():
            if word in self._dead_new:
                continue
            base_freq, base_tag = self._lex.entry(word)
            j.add_word(word, f, self._own_tags.get(word) or self._utags.get(word))
            keep[word] = f
            total += f - ((base_freq or 0) if base_tag is not None else 0)
        self._j, self._rs, self._rs_total, self._pad = j, keep, total, 0
        self._dead_new = set()
        self._update_pad()
        self._update_watch()
        self.rebuilds += 1

    # -- cutting

    def _pieces(self, text: str, hmm: bool = True) -> list[str]:
        """``jieba.Tokenizer.cut(text, HMM=hmm)``, exactly."""
        if _EXT_HAN.search(text) is None:
            return self._cut(text, hmm)
        out: list[str] = []
        last = 0
        for m in _EXT_HAN.finditer(text):
            if m.start() > last:
                out += self._cut(text[last : m.start()], hmm)
            out.append(m.group())
            last = m.end()
        if last < len(text):
            out += self._cut(text[last:], hmm)
        return out

    def _cut(self, text: str, hmm: bool) -> list[str]:
        with self._lock:
            # while loading (this thread holds the lock) the instance is there, not yet ready
            j = self._j if self._j is not None else self._engine()
            hits = [w for w in self._watched() if w in text]
            if not hits:
                return j.cut(text, hmm)
            try:
                return self._careful(text, hmm, hits)
            except _Unsure:
                pass
            if self._dead_new:
                self._rebuild()
                hits = [w for w in self._watched() if w in text]
                try:
                    return self._careful(text, hmm, hits) if hits else self._j_cut(text, hmm)
                except _Unsure:
                    pass
            self.jieba_fallbacks += 1
            return list(self._jieba_mirror().cut(text, HMM=hmm))

    def _j_cut(self, text: str, hmm: bool) -> list[str]:
        assert self._j is not None
        return self._j.cut(text, hmm)

    def _careful(self, text: str, hmm: bool, hits: list[str]) -> list[str]:
        """rjieba's cut, with the blocks that hold a dead or force-split word cut again by
        jieba's own rule over rjieba's route."""
        assert self._j is not None
        for w in hits:
            if (w in self._dead_new or w in self._dead_base) and not self._fget(w[0]):
                raise _Unsure  # its zero-frequency edge may be the only one at its start
        if not hmm:
            return self._j.cut(text, False)  # dead words score -inf: the route is jieba's
        spans: list[tuple[int, int]] = []
        n = len(text)
        for w in hits:
            i = text.find(w)
            while i >= 0:
                s, e = i, i + len(w)
                while s > 0 and _in_block(text[s - 1]):
                    s -= 1
                while e < n and _in_block(text[e]):
                    e += 1
                spans.append((s, e))
                i = text.find(w, i + 1)
        spans.sort()
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        out: list[str] = []
        pos = 0
        for s, e in merged:
            if s > pos:
                out += self._j.cut(text[pos:s], True)
            out += self._emulate(text[s:e])
            pos = e
        if pos < n:
            out += self._j.cut(text[pos:], True)
        return out

    def _emulate(self, text: str) -> list[str]:
        """jieba's ``__cut_DAG`` over rjieba's route (its no-HMM cut, where one-character
        pieces are kept apart but single ASCII letters and digits are glued)."""
        assert self._j is not None
        out: list[str] = []
        buf: list[str] = []
        for p in self._j.cut(text, False):
            if len(p) == 1:
                if _in_block(p):
                    buf.append(p)
                    continue
            elif p.isascii() and p.isalnum():
                if not self._fget(p):
                    buf.extend(p)  # no word: letters the no-HMM cut glued
                    continue
                if self._fget(p[0]):
                    raise _Unsure  # a word, or its letters glued: the route cannot tell
            self._flush(buf, out)
            out.append(p)
        self._flush(buf, out)
        return out

    def _flush(self, buf: list[str], out: list[str]) -> None:
        if not buf:
            return
        s = "".join(buf)
        buf.clear()
        if len(s) == 1:
            out.append(s)
        elif self._fget(s):
            out.extend(s)
        else:
            if self._hmm_only is None:
                # no words at all: every block is one run of single characters, cut by the HMM
                self._hmm_only = _rjieba().Jieba.empty()
            for w in self._hmm_only.cut(s, True):
                if w in self._split:
                    out.extend(w)
                else:
                    out.append(w)

    def _jieba_mirror(self) -> Any:
        """A Python jieba tokenizer in this segmenter's state (loads jieba's dictionary: only
        for a dead word of jieba's own dictionary that rjieba cannot follow)."""
        if self._mirror is None:
            import jieba
            import jieba.finalseg

            logging.getLogger("jieba").setLevel(logging.WARNING)
            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            if self.cache_dir is not None:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                tk.tmp_dir = str(self.cache_dir)
            tk.initialize()
            tk.FREQ.update(self._freq)
            tk.total = self._total
            for w in self._split:
                jieba.finalseg.add_force_split(w)
            self._mirror = tk
        return self._mirror

    # -- the layers

    def add_names(self, names: Iterable[str]) -> set[str]:
        """Teach the segmenter person names learned from the corpus (kept whole, tagged nr).

        Returns the names that were new to it (a common word that matched a name pattern,
        like 严格 in 严格执行, is not added).
        """
        new = set(names) - self.names
        if not new:
            return set()
        with self._lock:
            if not self._ready:
                self._pending_names |= new
                return new
            added: set[str] = set()
            for name in sorted(new):
                if self._add_name(name):
                    self.names.add(name)
                    added.add(name)
            return added

    def forget_names(self, names: Iterable[str]) -> None:
        """Exactly undo ``add_names`` (the indexer keeps each page's names to that page, so a
        page segments the same whichever pool worker, and whatever page before, it gets)."""
        names = list(names)
        with self._lock:
            self._undo_words(names)
            for name in names:
                self.names.discard(name)
            if len(self._dead_new) > _DEAD_REBUILD:
                self._rebuild()

    def _undo_words(self, words: Iterable[str]) -> None:
        self._engine()
        for name in words:
            undo = self._undo.pop(name, None)
            if undo is None:
                continue
            old_freq, new_prefixes, old_tag = undo
            # jieba added the whole frequency to its total (not the change): take it back
            self._total -= self._fget(name) or 0
            # jieba's DAG walks a word's prefixes: those another added word still has must stay
            if old_freq is None:
                self._added.discard(name)
                for k in range(1, len(name)):
                    self._prefix_of_added[name[:k]] -= 1
                if self._prefix_of_added.get(name):
                    self._freq[name] = 0
                else:
                    self._freq.pop(name, None)
            else:
                self._freq[name] = old_freq
            self._sync(name)
            for p in new_prefixes:
                if p not in self._added and not self._prefix_of_added.get(p):
                    self._freq.pop(p, None)
                    self._sync(p)
            if old_tag is None:
                self._utags.pop(name, None)
            else:
                self._utags[name] = old_tag
            self._own_tags.pop(name, None)
        self._update_pad()

    def _add_name(self, name: str) -> bool:
        # A common dictionary word that matched a name pattern (严格执行 → 严格) is no name.
        if (self._fget(name) or 0) > 300:
            return False
        prefixes = [name[: i + 1] for i in range(len(name) - 1) if not self._has(name[: i + 1])]
        self._undo[name] = (self._fget(name), prefixes, self._utags.get(name))
        self._add_word(name, 2000, "nr")
        self._own_tags[name] = "nr"
        return True

    def add_terms(self, terms: Iterable[Term]) -> set[str]:
        """The learned dictionary layer: terms discovered in the corpus (``select_terms``),
        kept whole from now on, below the user dictionary (a term the user split, or one that
        would swallow a word the user split, is not added).  Returns the texts added."""
        terms = list(terms)
        with self._lock:
            if not self._ready:
                self._pending_terms.extend(terms)
                return {t.text for t in terms if self._term_allowed(t.text)}
            return {t.text for t in terms if self._add_term(t)}

    def forget_terms(self, texts: Iterable[str] | None = None) -> None:
        """Undo ``add_terms`` (all learned terms when ``texts`` is None): the index re-runs
        the selection as pages change, and a rejected term must go at once."""
        with self._lock:
            gone = list(self.terms) if texts is None else [t for t in texts if t in self.terms]
            if not self._ready:
                drop = set(gone)
                self._pending_terms = [t for t in self._pending_terms if t.text not in drop]
                for t in gone:
                    self.terms.pop(t, None)
                return
            for text in gone:
                self.terms.pop(text, None)
                self._own_tags.pop(text, None)
            self._undo_words(gone)

    def set_terms(self, terms: Iterable[Term]) -> None:
        """Replace the learned layer by ``terms`` (what the index calls after a refresh)."""
        terms = list(terms)
        keep = {t.text for t in terms}
        with self._lock:
            self.forget_terms([t for t in self.terms if t not in keep])
            self.add_terms([t for t in terms if t.text not in self.terms])

    def _term_allowed(self, text: str) -> bool:
        """The user wins: no learned term over a word the user split, nor one that would cut
        a word the user joined (洛阳信息科技 against the user's 信息科技港)."""
        if text in self.user_words or text in self.names or len(text) < 2:
            return False
        if any(w in text for w in self.user_splits):
            return False
        for w in self.user_words:
            if w in text or text in w:
                continue
            for k in range(1, len(w)):
                if text.endswith(w[:k]) or text.startswith(w[k:]):
                    return False
        return True

    def _add_term(self, term: Term) -> bool:
        if not self._term_allowed(term.text) or term.text in self.terms:
            return False
        if term.kind != "person" and len(term.parts) <= 1 and self._has(term.text):
            self.terms[term.text] = term.kind  # already one word: known, nothing to learn
            return True
        if term.kind == "person" or len(term.parts) <= 1:
            if (self._fget(term.text) or 0) > 300:
                return False  # a common word that matched a pattern
            freq = 2000
        else:
            # just enough to beat the split jieba would make: below every user word (2000)
            freq = min(1500, max(10, self._suggest(term.text) + 1))
        tag = {"person": "nr", "place": "ns", "organisation": "nt"}.get(term.kind, "nz")
        prefixes = [
            term.text[: i + 1]
            for i in range(len(term.text) - 1)
            if not self._has(term.text[: i + 1])
        ]
        self._undo[term.text] = (self._fget(term.text), prefixes, self._utags.get(term.text))
        self._add_word(term.text, freq, tag)
        self.terms[term.text] = term.kind
        self._own_tags[term.text] = tag
        return True

    def add_word(self, word: str, freq: int | None = None) -> None:
        """A word the user fixed in the reader: applies at once (the caller persists it)."""
        self._engine()
        with self._lock:
            self.user_words.add(word)
            self.user_splits.discard(word)
            # learned terms it cuts go; one that is this very word becomes the user's
            self.forget_terms([t for t in self.terms if t != word and not self._term_allowed(t)])
            if word in self.terms:
                del self.terms[word]
                self._undo.pop(word, None)
            self._add_word(word, freq)

    def split_word(self, word: str, parts: list[str]) -> None:
        """Make jieba split ``word`` into ``parts`` from now on (learned terms that would
        keep it whole go too: the user wins)."""
        self._engine()
        with self._lock:
            self.user_splits.add(word)
            self.user_words.discard(word)
            self.forget_terms([t for t in self.terms if word in t])
            self._suggest(tuple(parts), tune=True)
            self._add_word(word, 0)  # jieba's del_word

    # -- what callers use

    def tokens(self, text: str) -> list[Token]:
        """Words with character offsets into ``text``; whitespace runs are not tokens."""
        out: list[Token] = []
        pos = 0
        for word in self._pieces(text):
            end = pos + len(word)
            if not word.isspace():
                out.append(Token(word, pos, end))
            pos = end
        return out

    def words(self, text: str) -> list[str]:
        """Words without offsets (the indexer's hot path: no Token objects)."""
        return list(filterfalse(_SPACES.__contains__, self._pieces(text)))

    def _dict_tag(self, word: str) -> str | None:
        """jieba's POS table: piyue's own tags, the user's, then dict.txt's."""
        tag = self._own_tags.get(word) or self._utags.get(word)
        if tag:
            return tag
        self._engine()
        assert self._lex is not None
        return self._lex.entry(word)[1]

    def iter_pos(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        """(word, part-of-speech, start, end) over the very tokens ``tokens`` gives: dictionary
        tags (piyue's own in front), rjieba's HMM guess for a word no dictionary has."""
        with self._lock:
            pieces = self._pieces(text)
            j = self._engine()
            tagged = j.tag(text, True)
            hmm_only = self._hmm_only
        guess = (
            dict(tagged)
            if len(tagged) == len(pieces)
            and all(a == b[0] for a, b in zip(pieces, tagged, strict=True))
            else {}
        )
        pos = 0
        for word in pieces:
            start = pos
            pos += len(word)
            if word.isspace():
                continue
            tag = self._dict_tag(word)
            if tag is None:
                tag = guess.get(word) or ""
                if not tag and hmm_only is not None:
                    got = hmm_only.tag(word, True)
                    tag = got[0][1] if len(got) == 1 else ""
            yield word, tag or "x", start, pos

    def tags(self) -> Mapping[str, str]:
        """Dictionary part of speech of a word (no tagging run): what ``select_terms`` uses to
        keep adverbs and prepositions off a term's edges."""
        self._engine()
        return _TagTable(self)

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        """Spans of people (nr), places (ns) and organisations (nt) in ``text``."""
        out: list[tuple[int, int, str]] = []
        for word, flag, start, end in self.iter_pos(text):
            if len(word) < 2:
                continue
            if flag.startswith("nr") or word in self.names:
                out.append((start, end, "person"))
            elif flag.startswith("ns"):
                out.append((start, end, "place"))
            elif flag.startswith("nt"):
                out.append((start, end, "org"))
        return out


class JiebaSegmenter:
    """The same segmenter on Python jieba (the reference ``Segmenter`` is tested against, and
    what it falls back to in the one case rjieba cannot follow exactly)."""

    def __init__(self, cache_dir: Path | None = None, user_dict: Path | None = None) -> None:
        self.cache_dir = cache_dir
        self.user_dict = user_dict
        self._lock = threading.Lock()
        self._tk: object | None = None
        self._pos: object | None = None
        self._pending_names: set[str] = set()
        self.names: set[str] = set()
        self.user_words: set[str] = set()
        self.user_splits: set[str] = set()
        self.terms: dict[str, str] = {}
        """Learned terms now in the dictionary: text → kind (term/person/place/organisation)."""
        self._pending_terms: list[Term] = []
        self._own_tags: dict[str, str] = {}
        self._undo: dict[str, tuple[int | None, list[str], str | None]] = {}
        self._added: set[str] = set()
        """Every word given to jieba's add_word (and not taken back): their prefixes stay."""

    @property
    def loaded(self) -> bool:
        return self._tk is not None

    def load(self) -> None:
        """Load the dictionary now (≈1 s the first time, faster from the cache file)."""
        self._tokenizer()

    def _tokenizer(self) -> object:
        tk = self._tk
        if tk is not None:
            return tk
        with self._lock:
            if self._tk is not None:
                return self._tk
            import jieba

            logging.getLogger("jieba").setLevel(logging.WARNING)
            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            if self.cache_dir is not None:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                tk.tmp_dir = str(self.cache_dir)
            tk.initialize()
            for word, freq, tag in read_dict_words(DOMAIN_DICT):
                tk.add_word(word, freq, tag)
                self._added.add(word)
            for name in sorted(self._pending_names):
                if self._add_name(tk, name):
                    self.names.add(name)
            user = read_dict_words(self.user_dict) if self.user_dict is not None else []
            for word, freq, _tag in user:
                (self.user_splits if freq == 0 else self.user_words).add(word)
            for term in self._pending_terms:
                self._add_term(tk, term)
            self._pending_terms = []
            for word, freq, tag in user:
                tk.add_word(word, freq, tag)
                self._added.add(word)
            self._tk = tk
            return tk

    def add_names(self, names: Iterable[str]) -> set[str]:
        """Teach the segmenter person names learned from the corpus (kept whole, tagged nr).

        Returns the names that were new to it (a common word that matched a name pattern,
        like 严格 in 严格执行, is not added).
        """
        new = set(names) - self.names
        if not new:
            return set()
        with self._lock:
            if self._tk is None:
                self._pending_names |= new
                return new
        tk = self._tk
        added: set[str] = set()
        for name in sorted(new):
            if self._add_name(tk, name):
                self.names.add(name)
                added.add(name)
        self._pos = None
        return added

    def forget_names(self, names: Iterable[str]) -> None:
        """Exactly undo ``add_names`` (the indexer keeps each page's names to that page, so a
        page segments the same whichever pool worker, and whatever page before, it gets)."""
        names = list(names)
        self._undo_words(names)
        for name in names:
            self.names.discard(name)

    def _undo_words(self, words: Iterable[str]) -> None:
        tk = self._tokenizer()
        for name in words:
            undo = self._undo.pop(name, None)
            if undo is None:
                continue
            old_freq, new_prefixes, old_tag = undo
            freq_tab = tk.FREQ  # type: ignore[attr-defined]
            # jieba added the whole frequency to its total (not the change): take it back
            tk.total -= freq_tab.get(name, 0)  # type: ignore[attr-defined]
            # jieba's DAG walks a word's prefixes: those another added word still has must stay
            # (forgetting 全国先进 must not take 全国先进制造业基地 out of reach)
            if old_freq is None:
                self._added.discard(name)
            needed = {w[:i] for w in self._added for i in range(1, len(w))} | self._added
            if old_freq is None:
                if name in needed:
                    freq_tab[name] = 0
                else:
                    freq_tab.pop(name, None)
            else:
                freq_tab[name] = old_freq
            for p in new_prefixes:
                if p not in needed:
                    freq_tab.pop(p, None)
            tags = tk.user_word_tag_tab  # type: ignore[attr-defined]
            if old_tag is None:
                tags.pop(name, None)
            else:
                tags[name] = old_tag
            self._own_tags.pop(name, None)
        self._pos = None

    def _add_name(self, tk: object, name: str) -> bool:
        freq_tab = tk.FREQ  # type: ignore[attr-defined]
        # A common dictionary word that matched a name pattern (严格执行 → 严格) is no name.
        if freq_tab.get(name, 0) > 300:
            return False
        prefixes = [name[: i + 1] for i in range(len(name) - 1) if name[: i + 1] not in freq_tab]
        self._undo[name] = (
            freq_tab.get(name),
            prefixes,
            tk.user_word_tag_tab.get(name),  # type: ignore[attr-defined]
        )
        tk.add_word(name, 2000, "nr")  # type: ignore[attr-defined]
        self._added.add(name)
        self._own_tags[name] = "nr"
        return True

    def add_terms(self, terms: Iterable[Term]) -> set[str]:
        """The learned dictionary layer: terms discovered in the corpus (``select_terms``),
        kept whole from now on, below the user dictionary (a term the user split, or one that
        would swallow a word the user split, is not added).  Returns the texts added."""
        terms = list(terms)
        with self._lock:
            if self._tk is None:
                self._pending_terms.extend(terms)
                return {t.text for t in terms if self._term_allowed(t.text)}
        tk = self._tk
        added = {t.text for t in terms if self._add_term(tk, t)}
        self._pos = None
        return added

    def forget_terms(self, texts: Iterable[str] | None = None) -> None:
        """Undo ``add_terms`` (all learned terms when ``texts`` is None): the index re-runs
        the selection as pages change, and a rejected term must go at once."""
        gone = list(self.terms) if texts is None else [t for t in texts if t in self.terms]
        if self._tk is None:
            drop = set(gone)
            self._pending_terms = [t for t in self._pending_terms if t.text not in drop]
            for t in gone:
                self.terms.pop(t, None)
            return
        for text in gone:
            self.terms.pop(text, None)
            self._own_tags.pop(text, None)
        self._undo_words(gone)

    def set_terms(self, terms: Iterable[Term]) -> None:
        """Replace the learned layer by ``terms`` (what the index calls after a refresh)."""
        terms = list(terms)
        keep = {t.text for t in terms}
        self.forget_terms([t for t in self.terms if t not in keep])
        self.add_terms([t for t in terms if t.text not in self.terms])

    def _term_allowed(self, text: str) -> bool:
        """The user wins: no learned term over a word the user split, nor one that would cut
        a word the user joined (洛阳信息科技 against the user's 信息科技港)."""
        if text in self.user_words or text in self.names or len(text) < 2:
            return False
        if any(w in text for w in self.user_splits):
            return False
        for w in self.user_words:
            if w in text or text in w:
                continue
            for k in range(1, len(w)):
                if text.endswith(w[:k]) or text.startswith(w[k:]):
                    return False
        return True

    def _add_term(self, tk: object, term: Term) -> bool:
        if not self._term_allowed(term.text) or term.text in self.terms:
            return False
        freq_tab = tk.FREQ  # type: ignore[attr-defined]
        if term.kind != "person" and len(term.parts) <= 1 and term.text in freq_tab:
            self.terms[term.text] = term.kind  # already one word: known, nothing to learn
            return True
        if term.kind == "person" or len(term.parts) <= 1:
            if freq_tab.get(term.text, 0) > 300:
                return False  # a common word that matched a pattern
            freq = 2000
        else:
            # just enough to beat the split jieba would make: below every user word (2000)
            freq = min(1500, max(10, tk.suggest_freq(term.text, False) + 1))  # type: ignore[attr-defined]
        tag = {"person": "nr", "place": "ns", "organisation": "nt"}.get(term.kind, "nz")
        prefixes = [
            term.text[: i + 1]
            for i in range(len(term.text) - 1)
            if term.text[: i + 1] not in freq_tab
        ]
        self._undo[term.text] = (
            freq_tab.get(term.text),
            prefixes,
            tk.user_word_tag_tab.get(term.text),  # type: ignore[attr-defined]
        )
        tk.add_word(term.text, freq, tag)  # type: ignore[attr-defined]
        self._added.add(term.text)
        self.terms[term.text] = term.kind
        self._own_tags[term.text] = tag
        return True

    def add_word(self, word: str, freq: int | None = None) -> None:
        """A word the user fixed in the reader: applies at once (the caller persists it)."""
        tk = self._tokenizer()
        self.user_words.add(word)
        self.user_splits.discard(word)
        # learned terms it cuts go; one that is this very word becomes the user's
        self.forget_terms([t for t in self.terms if t != word and not self._term_allowed(t)])
        if word in self.terms:
            del self.terms[word]
            self._undo.pop(word, None)
        tk.add_word(word, freq)  # type: ignore[attr-defined]
        self._added.add(word)

    def split_word(self, word: str, parts: list[str]) -> None:
        """Make jieba split ``word`` into ``parts`` from now on (learned terms that would
        keep it whole go too: the user wins)."""
        tk = self._tokenizer()
        self.user_splits.add(word)
        self.user_words.discard(word)
        self.forget_terms([t for t in self.terms if word in t])
        tk.suggest_freq(tuple(parts), True)  # type: ignore[attr-defined]
        tk.del_word(word)  # type: ignore[attr-defined]
        self._added.add(word)

    def tokens(self, text: str) -> list[Token]:
        """Words with character offsets into ``text``; whitespace runs are not tokens."""
        tk = self._tokenizer()
        out: list[Token] = []
        for word, start, end in tk.tokenize(text):  # type: ignore[attr-defined]
            if word.isspace():
                continue
            out.append(Token(word, start, end))
        return out

    def words(self, text: str) -> list[str]:
        """Words without offsets (the indexer's hot path: no Token objects)."""
        tk = self._tokenizer()
        return [w for w in tk.lcut(text) if not w.isspace()]  # type: ignore[attr-defined]

    def iter_pos(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        """(word, part-of-speech, start, end): ~6x slower, for the article on screen only."""
        pos_tk = self._pos_tokenizer()
        pos = 0
        for pair in pos_tk.cut(text):  # type: ignore[attr-defined]
            word, flag = pair.word, pair.flag
            start = text.find(word, pos)
            if start < 0:
                continue
            pos = start + len(word)
            yield word, flag, start, pos

    def _pos_tokenizer(self) -> object:
        """jieba's POS tagger over *this* tokenizer, sharing the word/tag table that importing
        ``jieba.posseg`` loads anyway (``POSTokenizer(tk)`` would read dict.txt a second time);
        piyue's own words and tags sit in front of it, so the shared table is never changed."""
        tk = self._tokenizer()
        if self._pos is None:
            import jieba.posseg

            pos = object.__new__(jieba.posseg.POSTokenizer)
            pos.tokenizer = tk
            own: dict[str, str] = dict(tk.user_word_tag_tab)  # type: ignore[attr-defined]
            own.update(self._own_tags)
            pos.word_tag_tab = ChainMap(own, jieba.posseg.dt.word_tag_tab)
            # jieba would move (and clear) the tokenizer's user tags: ``own`` has them already
            pos.makesure_userdict_loaded = _nothing
            self._pos = pos
        return self._pos

    def tags(self) -> Mapping[str, str]:
        """Dictionary part of speech of a word (no tagging run): what ``select_terms`` uses to
        keep adverbs and prepositions off a term's edges."""
        pos = self._pos_tokenizer()
        table: Mapping[str, str] = pos.word_tag_tab  # type: ignore[attr-defined]
        return table

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        """Spans of people (nr), places (ns) and organisations (nt) in ``text``."""
        out: list[tuple[int, int, str]] = []
        for word, flag, start, end in self.iter_pos(text):
            if len(word) < 2:
                continue
            if flag.startswith("nr") or word in self.names:
                out.append((start, end, "person"))
            elif flag.startswith("ns"):
                out.append((start, end, "place"))
            elif flag.startswith("nt"):
                out.append((start, end, "org"))
        return out
