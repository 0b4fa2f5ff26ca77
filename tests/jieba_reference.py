"""The segmenter on Python jieba: the former implementation, kept as the reference
``corpus.segment.Segmenter`` (rjieba) is tested against, token for token.

A dedicated ``jieba.Tokenizer`` (never the global one), its cache file in piyue's cache dir;
part-of-speech tagging shares jieba.posseg's word/tag table.  Loads jieba's dictionary (≈90 MB):
the reader never uses it.
"""

from __future__ import annotations

import logging
import threading
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from corpus.segment import DOMAIN_DICT, Token, force_split, read_dict_words
from corpus.termnames import looks_like_name
from corpus.terms import Term


def _nothing() -> None:
    return None


class JiebaSegmenter:
    """The same layers on a Python jieba tokenizer (``Segmenter``'s reference in the tests)."""

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
        set_words = force_split(
            word,
            parts,
            tk.cut,  # type: ignore[attr-defined]
            tk.suggest_freq,  # type: ignore[attr-defined]
            tk.add_word,  # type: ignore[attr-defined]
        )
        self._added.update(w for w, _ in set_words)

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
            if word in self.names or (flag.startswith("nr") and looks_like_name(word)):
                out.append((start, end, "person"))  # the same rule as corpus.segment
            elif flag.startswith("ns"):
                out.append((start, end, "place"))
            elif flag.startswith("nt"):
                out.append((start, end, "org"))
        return out
