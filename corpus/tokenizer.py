"""jieba's ``Tokenizer`` — ``add_word``, ``del_word``, ``suggest_freq``, ``cut`` — exactly, run
by rjieba (jieba's algorithm and dictionary in Rust): ~20x faster, its dictionary loaded in
0.06 s and ~35 MB, Python jieba's never loaded.

What it mirrors so every route rjieba scores is the one jieba would score:

* the total: jieba adds a re-added word's frequency without taking the old one off (and counts
  dict.txt's one repeated word twice), rjieba replaces it; a pad word outside every block of text
  (a private-use character) carries the difference;
* jieba's FREQ table where it differs from dict.txt (words, their prefixes, deleted words), and
  dict.txt itself through ``Lexicon``: sorted once into the cache dir and bisected through mmap;
* rjieba cannot delete a word: a deleted or forgotten word stays in its trie at frequency 0
  ("dead"), which scores like no word, but jieba runs its HMM over a run of single characters that
  spells one (and force-splits a deleted word the HMM finds).  Only a text containing such a word
  can differ, and only in the blocks that contain it: those are cut again by jieba's buffer rule
  in Python over rjieba's route and rjieba's HMM.  Where the route itself cannot be trusted (a dead
  word whose first character is no word: its edge may be the only one) or cannot tell a word from
  glued letters, the instance is rebuilt without the dead words piyue added (≈0.06 s); a dead word
  of jieba's own dictionary cannot be dropped so, and only then is the text cut by a Python jieba
  tokenizer set to the same state (``jieba_fallbacks`` counts them);
* rjieba cuts CJK extension characters as word characters, jieba as single symbols: they are cut
  off before rjieba sees the text.
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
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import rjieba

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

    py_total: int
    """jieba's total: every line's frequency (dict.txt has one word twice)."""
    rs_total: int
    """rjieba's total: each word once, at its last line's frequency."""

    def __init__(self, cache_dir: Path | None) -> None:
        src = jieba_dir() / "dict.txt"
        st = src.stat()
        folder = cache_dir or Path(tempfile.gettempdir()) / "piyue-lexicon"
        stem = folder / f"lexicon-{_LEXICON_VERSION}-{st.st_size}-{st.st_mtime_ns}"
        self._cache: dict[str, tuple[int | None, str | None]] = {}
        self.cached = True
        """False when the cache could not be written or read (a full disk, a read-only home):
        the sorted dictionary is then held in memory (≈10 MB) for this process."""
        try:
            self._open(src, stem)
        except (OSError, ValueError, KeyError):
            self.cached = False
            built = self._sorted(src)
            self._data: bytes | mmap.mmap = built[0]
            self._index = memoryview(built[1])
            self.py_total, self.rs_total = built[2], built[3]
        self._n = len(self._index)

    def _open(self, src: Path, stem: Path) -> None:
        """The sorted dictionary from the cache, written first if it is not there."""
        data, index, meta = (stem.with_suffix(s) for s in (".txt", ".idx", ".json"))
        if not meta.exists():
            from filelock import FileLock

            stem.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(str(stem.with_suffix(".lock"))):  # pool workers start together
                if not meta.exists():
                    self._save(self._sorted(src), data, index, meta)
        info = json.loads(meta.read_text("utf-8"))
        self.py_total, self.rs_total = int(info["py_total"]), int(info["rs_total"])
        with data.open("rb") as f:
            self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        with index.open("rb") as f:
            self._index_map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self._index = memoryview(self._index_map).cast("I")

    @staticmethod
    def _sorted(src: Path) -> tuple[bytes, array[int], int, int]:
        """dict.txt sorted by word (a repeated word once, its last line), the rows' offsets,
        jieba's total and rjieba's."""
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
        return b"".join(chunks), offsets, py_total, rs_total

    @staticmethod
    def _save(
        built: tuple[bytes, array[int], int, int], data: Path, index: Path, meta: Path
    ) -> None:
        """Write the cache; a file that cannot be written whole (a full disk) leaves nothing
        behind, and the meta file, which says the cache is there, comes last."""
        blob, offsets, py_total, rs_total = built
        # pool workers may build at once: each writes its own files, the same bytes, replaced whole
        suffix = f".{os.getpid()}.{threading.get_ident()}.tmp"
        for path, content in (
            (data, blob),
            (index, offsets.tobytes()),
            (meta, json.dumps({"py_total": py_total, "rs_total": rs_total}).encode()),
        ):
            tmp = path.with_name(path.name + suffix)
            try:
                tmp.write_bytes(content)
                os.replace(tmp, path)
            except OSError:
                tmp.unlink(missing_ok=True)
                raise

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


def _initialize_quietly(tk: Any) -> None:
    """``tk.initialize()`` without the traceback jieba prints when its cache cannot be written
    (a full disk: the cache is only a faster start) and without the partial file it leaves
    behind then in piyue's own cache folder."""

    class Dump(logging.Filter):
        failed = False

        def filter(self, record: logging.LogRecord) -> bool:
            if record.getMessage().startswith("Dump cache file failed"):
                self.failed = True
                return False
            return True

    log = logging.getLogger("jieba")
    ours = Path(tk.tmp_dir) if tk.tmp_dir else None
    before = set(os.listdir(ours)) if ours is not None else set()
    dump = Dump()
    log.addFilter(dump)
    try:
        tk.initialize()
    finally:
        log.removeFilter(dump)
    if dump.failed and ours is not None:
        for name in set(os.listdir(ours)) - before:
            if name.startswith("tmp"):  # jieba's mkstemp, in a folder only piyue writes
                (ours / name).unlink(missing_ok=True)


# -- rjieba, following jieba exactly

_PAD = "\ue000"
"""Carries the difference between jieba's total and rjieba's: a private-use character, never
inside a block of word characters, so no text ever matches it."""
_EXT_HAN = re.compile("[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
"""Characters rjieba cuts as word characters and jieba as single symbols."""
SPACES = frozenset(
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


class Tokenizer:
    """jieba's tokenizer state and cut on rjieba (callers serialise through ``lock``: rjieba's
    instance may not be changed while another thread cuts with it)."""

    def __init__(self, cache_dir: Path | None, lock: threading.RLock) -> None:
        self.cache_dir = cache_dir
        self._lock = lock
        self.lexicon = Lexicon(cache_dir)
        # jieba's state where it differs from dict.txt
        self._freq: dict[str, int] = {}
        self.total = self.lexicon.py_total
        self.user_tags: dict[str, str] = {}
        """jieba's ``user_word_tag_tab``."""
        self._split: set[str] = set()
        self._added: set[str] = set()
        """Every word given to add_word (and not taken back): their prefixes stay."""
        self._prefix_of_added: dict[str, int] = {}
        # the rjieba instance's state
        self._j: rjieba.Jieba = _rjieba().Jieba()
        self._hmm_only: rjieba.Jieba | None = None
        self._rs: dict[str, int] = {}
        self._rs_total = self.lexicon.rs_total
        self._pad = 0
        self._dead_base: set[str] = set()
        self._dead_new: set[str] = set()
        self._watch: tuple[str, ...] | None = ()
        self._mirror: Any = None
        self.rebuilds = 0
        """rjieba instances rebuilt to drop dead words (each ≈0.06 s)."""
        self.jieba_fallbacks = 0
        """Texts cut by Python jieba (a dead word of jieba's dictionary rjieba cannot follow)."""
        self._update_pad()

    def freq(self, word: str) -> int | None:
        """``jieba FREQ.get(word)``."""
        got = self._freq.get(word)
        if got is not None:
            return got
        return self.lexicon.entry(word)[0]

    def has(self, word: str) -> bool:
        """``word in jieba FREQ``."""
        return self.freq(word) is not None

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> int:
        """``jieba.Tokenizer.add_word``, exactly (``freq`` 0 is its ``del_word``)."""
        f = int(freq) if freq is not None else self.suggest_freq(word)
        self._freq[word] = f
        if word not in self._added:
            self._added.add(word)
            for k in range(1, len(word)):
                self._prefix_of_added[word[:k]] = self._prefix_of_added.get(word[:k], 0) + 1
        self.total += f
        if tag:
            self.user_tags[word] = tag
        for k in range(1, len(word)):
            if not self.has(word[:k]):
                self._freq[word[:k]] = 0
        if f == 0:
            self._split.add(word)  # finalseg's force-split words
            self._update_watch()
        self._sync(word, tag)
        self._update_pad()
        return f

    def suggest_freq(self, segment: str | tuple[str, ...], tune: bool = False) -> int:
        """``jieba.Tokenizer.suggest_freq``, exactly (float for float)."""
        ftotal = float(self.total)
        freq: float = 1
        if isinstance(segment, str):
            word = segment
            for seg in self.cut(word, hmm=False):
                got = self.freq(seg)
                freq *= (1 if got is None else got) / ftotal
            whole = self.freq(word)
            f = max(int(freq * self.total) + 1, 1 if whole is None else whole)
        else:
            word = "".join(segment)
            for seg in segment:
                got = self.freq(seg)
                freq *= (1 if got is None else got) / ftotal
            whole = self.freq(word)
            f = min(int(freq * self.total), 0 if whole is None else whole)
        if tune:
            self.add_word(word, f)
        return f

    def _sync(self, word: str, tag: str | None = None) -> None:
        """Give rjieba jieba's frequency of ``word`` (0, kept in its trie, when jieba has none)."""
        target = self.freq(word) or 0
        cur = self._rs.get(word)
        if cur is None:
            base_freq, base_tag = self.lexicon.entry(word)
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
        return self.lexicon.entry(word)[1] is None

    def _update_pad(self) -> None:
        pad = self.total - self._rs_total
        if pad < 0:  # cannot happen: jieba's total never falls below rjieba's
            raise RuntimeError(f"segmenter totals diverged ({self.total} < {self._rs_total})")
        if pad != self._pad:
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
        j: rjieba.Jieba = _rjieba().Jieba()
        total = self.lexicon.rs_total
        keep: dict[str, int] = {}
        for word, f in self._rs.items():
            if word in self._dead_new:
                continue
            base_freq, base_tag = self.lexicon.entry(word)
            j.add_word(word, f, self.user_tags.get(word))
            keep[word] = f
            total += f - ((base_freq or 0) if base_tag is not None else 0)
        self._j, self._rs, self._rs_total, self._pad = j, keep, total, 0
        self._dead_new = set()
        self._update_pad()
        self._update_watch()
        self.rebuilds += 1

    def cut(self, text: str, hmm: bool = True) -> list[str]:
        """``jieba.Tokenizer.cut(text, HMM=hmm)``, exactly."""
        if _EXT_HAN.search(text) is None:
            return self._cut_plain(text, hmm)
        out: list[str] = []
        last = 0
        for m in _EXT_HAN.finditer(text):
            if m.start() > last:
                out += self._cut_plain(text[last : m.start()], hmm)
            out.append(m.group())
            last = m.end()
        if last < len(text):
            out += self._cut_plain(text[last:], hmm)
        return out

    def _cut_plain(self, text: str, hmm: bool) -> list[str]:
        with self._lock:
            j = self._j
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
        return self._j.cut(text, hmm)

    def _careful(self, text: str, hmm: bool, hits: list[str]) -> list[str]:
        """rjieba's cut, with the blocks that hold a dead or force-split word cut again by
        jieba's own rule over rjieba's route."""
        for w in hits:
            if (w in self._dead_new or w in self._dead_base) and not self.freq(w[0]):
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
        out: list[str] = []
        buf: list[str] = []
        for p in self._j.cut(text, False):
            if len(p) == 1:
                if _in_block(p):
                    buf.append(p)
                    continue
            elif p.isascii() and p.isalnum():
                if not self.freq(p):
                    buf.extend(p)  # no word: letters the no-HMM cut glued
                    continue
                if self.freq(p[0]):
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
        elif self.freq(s):
            out.extend(s)
        else:
            for w in self._hmm().cut(s, True):
                if w in self._split:
                    out.extend(w)
                else:
                    out.append(w)

    def _hmm(self) -> rjieba.Jieba:
        """An instance without words: every block is one run of single characters, so its cut
        is the HMM alone (jieba's ``finalseg.cut``) and its tag the HMM's guess."""
        if self._hmm_only is None:
            self._hmm_only = _rjieba().Jieba.empty()
        return self._hmm_only

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
                try:
                    self.cache_dir.mkdir(parents=True, exist_ok=True)
                    tk.tmp_dir = str(self.cache_dir)
                except OSError:
                    pass  # jieba's cache then goes to the system's temporary folder, if it can
            _initialize_quietly(tk)
            tk.FREQ.update(self._freq)
            tk.total = self.total
            for w in self._split:
                jieba.finalseg.add_force_split(w)
            self._mirror = tk
        return self._mirror

    def undo_add(self, word: str, old_freq: int | None, new_prefixes: list[str]) -> None:
        """Take back an ``add_word``: ``word``'s frequency as it was (``old_freq``; None: none),
        the prefixes it brought (but those another added word still has: jieba's DAG walks a
        word's prefixes, and forgetting 全国先进 must not put 全国先进制造业基地 out of reach)."""
        # jieba added the whole frequency to its total (not the change): take it back
        self.total -= self.freq(word) or 0
        if old_freq is None:
            self._added.discard(word)
            for k in range(1, len(word)):
                self._prefix_of_added[word[:k]] -= 1
            if self._prefix_of_added.get(word):
                self._freq[word] = 0
            else:
                self._freq.pop(word, None)
        else:
            self._freq[word] = old_freq
        self._sync(word)
        for p in new_prefixes:
            if p not in self._added and not self._prefix_of_added.get(p):
                self._freq.pop(p, None)
                self._sync(p)
        self._update_pad()

    def maybe_rebuild(self) -> None:
        """Drop the dead words piyue added once there are many (each costs a test per text)."""
        if len(self._dead_new) > _DEAD_REBUILD:
            self._rebuild()

    def dict_tag(self, word: str) -> str | None:
        """dict.txt's part of speech of ``word``."""
        return self.lexicon.entry(word)[1]

    def rjieba_tags(self, text: str) -> list[tuple[str, str]]:
        """rjieba's own tagging of ``text`` (its dictionary tags, the HMM's guess elsewhere)."""
        with self._lock:
            return self._j.tag(text, True)

    def guess_tag(self, word: str) -> str:
        """The HMM's part of speech for a word no dictionary has ("" when it splits it)."""
        got = self._hmm().tag(word, True)
        return got[0][1] if len(got) == 1 else ""
