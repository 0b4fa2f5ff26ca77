"""Word segmentation: jieba's algorithm and dictionary, run by rjieba, behind one small interface.

* ``corpus.tokenizer.Tokenizer`` gives exactly the tokens Python jieba's ``Tokenizer`` would
  give with the same words added and deleted (``tests/test_segment_rjieba.py`` proves it against
  ``tests/jieba_reference.py``, these layers on Python jieba), ~20x faster, loaded in
  0.06 s and ~35 MB; Python jieba's dictionary (0.5-1 s, ~90 MB) is never loaded.
* The dictionary load is lazy and thread-safe: the TUI triggers it from a worker.
* Four word sources on top of jieba's own dictionary, applied in this order (see README):
  the domain dictionary shipped with piyue, names learned from the corpus (bylines,
  ``记者 X``, ``X强调/指出/表示``, officials' titles before a name), terms discovered in the
  corpus (``corpus.terms``), and the user's own dictionary file, which wins: a learned term
  never undoes a word the user split or joined.
* One dictionary in memory: parts of speech (names, places, organisations) come from the same
  tokens and the same words: piyue's own tags, the user's, dict.txt's, rjieba's HMM guess.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, filterfalse, pairwise
from pathlib import Path

from corpus.termnames import SURNAMES, looks_like_name
from corpus.terms import Counts, Term, count_page
from corpus.tokenizer import SPACES, Lexicon, Tokenizer

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


def byline_names(byline: str) -> list[str]:
    """The reporters and correspondents a byline names (记者 李三旺 通讯员 陈聚涛), once each:
    people of the corpus's terms too (who wrote matters to a media researcher)."""
    found = (p for m in _REPORTER.finditer(byline) for p in m.group(1).split())
    return list(dict.fromkeys(p for p in found if _looks_like_name(p)))


def page_counts(
    tokens_per_article: Iterable[Sequence[str]],
    bylines: Iterable[str],
    expand: Mapping[str, Sequence[str]] | None = None,
) -> Counts:
    """A page's term counts: its articles' tokens (``count_page``) and the reporters its
    bylines name, as people.  One definition for the index adding a page, the index taking
    it away, and the count without an index: they must agree."""
    counts = count_page(tokens_per_article, expand)
    counts.people.update(name for byline in bylines for name in byline_names(byline))
    return counts


def learn_names(texts: Iterable[str]) -> set[str]:
    """Person names a reader would recognise, from patterns newspapers always use."""
    names: set[str] = set()
    for text in texts:
        names.update(byline_names(text))
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
        tk = self._seg._engine()
        own = dict(tk.user_tags)
        own.update(self._seg._own_tags)
        return own

    def __iter__(self) -> Iterator[str]:
        own = self._own()
        yield from own
        for word, _tag in self._seg._engine().lexicon.words():
            if word not in own:
                yield word

    def __bool__(self) -> bool:
        return True  # never empty (``tags or {}`` must not count 349,000 words)

    def __len__(self) -> int:
        own = self._own()
        return len(own) + sum(1 for w, _ in self._seg._engine().lexicon.words() if w not in own)


def force_split(
    word: str,
    parts: list[str],
    cut: Callable[[str], Iterable[str]],
    suggest: Callable[[str | tuple[str, ...]], int],
    add_word: Callable[[str, int], object],
) -> list[tuple[str, int]]:
    """Frequencies that make jieba cut ``word`` as ``parts``: the word itself goes (frequency
    0), a dictionary word across a boundary the user drew is tuned down as its pieces there
    (领导班子 → 领导 班子), a part jieba would cut is tuned up; until the cut is the user's
    (jieba's own ``suggest_freq`` idiom, repeated: one word tuned can bring out the next).
    Returns the entries set, in order (the user dictionary replays them)."""
    done: dict[str, int] = {}

    def tune(w: str, f: int) -> None:
        add_word(w, f)
        done[w] = f

    tune(word, 0)
    bounds = list(accumulate(len(p) for p in parts[:-1]))
    for _ in range(2 * len(word)):
        got = list(cut(word))
        if got == parts:
            break
        pos = 0
        for tok in got:
            end = pos + len(tok)
            inner = [b - pos for b in bounds if pos < b < end]
            if inner:
                edges = [0, *inner, len(tok)]
                tune(tok, suggest(tuple(tok[i:j] for i, j in pairwise(edges))))
            pos = end
        for p in parts:
            if len(p) > 1 and list(cut(p)) != [p]:
                tune(p, suggest(p))
    return list(done.items())


class Segmenter:
    """Thread-safe lazy segmenter with piyue's dictionaries (rjieba, exactly as jieba)."""

    def __init__(self, cache_dir: Path | None = None, user_dict: Path | None = None) -> None:
        self.cache_dir = cache_dir
        self.user_dict = user_dict
        self._lock = threading.RLock()
        self._tk: Tokenizer | None = None
        self._loading: Tokenizer | None = None
        self._pending_names: set[str] = set()
        self.names: set[str] = set()
        self.user_words: set[str] = set()
        self.user_splits: set[str] = set()
        self.terms: dict[str, str] = {}
        """Learned terms now in the dictionary: text → kind (term/person/place/organisation)."""
        self._pending_terms: list[Term] = []
        self._own_tags: dict[str, str] = {}
        self._undo: dict[str, tuple[int | None, list[str], str | None]] = {}
        self._user_undo: dict[str, tuple[int | None, list[str], str | None]] = {}
        """How to take back each word the user joined in this session (``withdraw_word``)."""
        self._files: tuple[Lexicon, dict[str, str]] | None = None

    @property
    def loaded(self) -> bool:
        return self._tk is not None

    @property
    def rebuilds(self) -> int:
        """rjieba instances rebuilt to drop dead words (see ``corpus.tokenizer``)."""
        return self._tk.rebuilds if self._tk is not None else 0

    @property
    def jieba_fallbacks(self) -> int:
        """Texts Python jieba had to cut (see ``corpus.tokenizer``)."""
        return self._tk.jieba_fallbacks if self._tk is not None else 0

    def load(self) -> None:
        """Load the dictionary now (≈0.1 s; once per cache dir ≈0.5 s more to sort dict.txt)."""
        self._engine()

    @property
    def _t(self) -> Tokenizer:
        return self._engine()

    def _engine(self) -> Tokenizer:
        tk = self._tk
        if tk is not None:
            return tk
        with self._lock:
            if self._tk is not None:
                return self._tk
            if self._loading is not None:  # this thread, loading: the layers go in now
                return self._loading
            tk = self._loading = Tokenizer(self.cache_dir, self._lock)
            try:
                for word, freq, tag in read_dict_words(DOMAIN_DICT):
                    tk.add_word(word, freq, tag)
                for name in sorted(self._pending_names):
                    if self._add_name(name):
                        self.names.add(name)
                user = read_dict_words(self.user_dict) if self.user_dict is not None else []
                for word, freq, _tag in user:
                    base = tk.freq(word)  # the later line wins, as in the session
                    self.user_splits.discard(word)
                    self.user_words.discard(word)
                    if freq == 0:
                        self.user_splits.add(word)
                    elif freq is None or base is None or freq >= base:
                        self.user_words.add(word)
                    # else: a word tuned down so that a split the user drew holds (领导班子
                    # in 市委办公室/领导/班子): neither kept whole by the user nor split
                for term in self._pending_terms:
                    self._add_term(term)
                self._pending_terms = []
                for word, freq, tag in user:
                    tk.add_word(word, freq, tag)
            finally:
                self._loading = None
            self._tk = tk
            return tk

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
            if self._tk is None:
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
            self._t.maybe_rebuild()

    def _undo_words(self, words: Iterable[str]) -> None:
        tk = self._engine()
        for name in words:
            undo = self._undo.pop(name, None)
            if undo is not None:
                self._take_back(tk, name, undo)

    def _take_back(
        self, tk: Tokenizer, name: str, undo: tuple[int | None, list[str], str | None]
    ) -> None:
        """A word added to the engine taken back: its frequency, prefixes and tag as before."""
        old_freq, new_prefixes, old_tag = undo
        tk.undo_add(name, old_freq, new_prefixes)
        if old_tag is None:
            tk.user_tags.pop(name, None)
        else:
            tk.user_tags[name] = old_tag
        self._own_tags.pop(name, None)

    def _add_name(self, name: str) -> bool:
        # A common dictionary word that matched a name pattern (严格执行 → 严格) is no name.
        if (self._t.freq(name) or 0) > 300:
            return False
        prefixes = [name[: i + 1] for i in range(len(name) - 1) if not self._t.has(name[: i + 1])]
        self._undo[name] = (self._t.freq(name), prefixes, self._t.user_tags.get(name))
        self._t.add_word(name, 2000, "nr")
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
            return {t.text for t in terms if self._add_term(t)}

    def forget_terms(self, texts: Iterable[str] | None = None) -> None:
        """Undo ``add_terms`` (all learned terms when ``texts`` is None): the index re-runs
        the selection as pages change, and a rejected term must go at once."""
        with self._lock:
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
        if term.kind != "person" and len(term.parts) <= 1 and self._t.has(term.text):
            self.terms[term.text] = term.kind  # already one word: known, nothing to learn
            return True
        if term.kind == "person" or len(term.parts) <= 1:
            if (self._t.freq(term.text) or 0) > 300:
                return False  # a common word that matched a pattern
            freq = 2000
        else:
            # just enough to beat the split jieba would make: below every user word (2000)
            freq = min(1500, max(10, self._t.suggest_freq(term.text) + 1))
        tag = {"person": "nr", "place": "ns", "organisation": "nt"}.get(term.kind, "nz")
        prefixes = [
            term.text[: i + 1]
            for i in range(len(term.text) - 1)
            if not self._t.has(term.text[: i + 1])
        ]
        self._undo[term.text] = (
            self._t.freq(term.text),
            prefixes,
            self._t.user_tags.get(term.text),
        )
        self._t.add_word(term.text, freq, tag)
        self.terms[term.text] = term.kind
        self._own_tags[term.text] = tag
        return True

    def add_word(self, word: str, freq: int | None = None) -> None:
        """A word the user fixed in the reader: applies at once (the caller persists it)."""
        self._engine()
        with self._lock:
            if word not in self.user_words and word not in self._user_undo:
                t = self._t
                prefixes = [word[: i + 1] for i in range(len(word) - 1) if not t.has(word[: i + 1])]
                self._user_undo[word] = (t.freq(word), prefixes, t.user_tags.get(word))
            self.user_words.add(word)
            self.user_splits.discard(word)
            # learned terms it cuts go; one that is this very word becomes the user's
            self.forget_terms([t for t in self.terms if t != word and not self._term_allowed(t)])
            if word in self.terms:
                del self.terms[word]
                self._undo.pop(word, None)
            self._t.add_word(word, freq)

    def withdraw_word(self, word: str) -> bool:
        """Take back a word ``add_word`` added in this session (a join the user went on to
        extend: 光武大, then 光武大道); False when it was not added here."""
        self._engine()
        with self._lock:
            undo = self._user_undo.pop(word, None)
            if undo is None:
                return False
            self._take_back(self._t, word, undo)
            self.user_words.discard(word)
            return True

    def split_word(self, word: str, parts: list[str]) -> list[tuple[str, int]]:
        """Make jieba split ``word`` into ``parts`` from now on (learned terms that would
        keep it whole go too: the user wins); returns the (word, frequency) entries set, for
        the user dictionary."""
        self._engine()
        with self._lock:
            self.user_splits.add(word)
            self.user_words.discard(word)
            self.forget_terms([t for t in self.terms if word in t])
            t = self._t
            tuned = force_split(word, parts, t.cut, t.suggest_freq, t.add_word)
            self.user_words.update(w for w, f in tuned if f and w in parts)
            self.user_splits.update(w for w, f in tuned if not f)  # as a restart reads them
            return tuned

    # -- what callers use

    def tokens(self, text: str) -> list[Token]:
        """Words with character offsets into ``text``; whitespace runs are not tokens."""
        out: list[Token] = []
        pos = 0
        for word in self._t.cut(text):
            end = pos + len(word)
            if not word.isspace():
                out.append(Token(word, pos, end))
            pos = end
        return out

    def words(self, text: str) -> list[str]:
        """Words without offsets (the indexer's hot path: no Token objects)."""
        return list(filterfalse(SPACES.__contains__, self._engine().cut(text)))

    def _dict_tag(self, word: str) -> str | None:
        """jieba's POS table: piyue's own tags, the user's, then dict.txt's."""
        tag = self._own_tags.get(word)
        if tag:
            return tag
        if self._tk is None and self._loading is None:
            if not self._pending_names and not self._pending_terms:
                return self._file_tag(word)
        tk = self._engine()
        return tk.user_tags.get(word) or tk.dict_tag(word)

    def _file_tag(self, word: str) -> str | None:
        """A tag before the engine is loaded, from the files it would load them from: the
        index only needs tags to choose terms, and loading rjieba's dictionary for them cost
        the indexing process 0.1 s of CPU (the pool's workers have their own)."""
        files = self._files
        if files is None:
            files = self._files = (Lexicon(self.cache_dir), {})
            user = read_dict_words(self.user_dict) if self.user_dict is not None else []
            for w, _freq, tag in [*read_dict_words(DOMAIN_DICT), *user]:
                if tag:  # as the engine's add_word keeps them: the later line wins
                    files[1][w] = tag
        return files[1].get(word) or files[0].entry(word)[1]

    def iter_pos(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        """(word, part-of-speech, start, end) over the very tokens ``tokens`` gives: dictionary
        tags (piyue's own in front), rjieba's HMM guess for a word no dictionary has."""
        tk = self._engine()
        pieces = tk.cut(text)
        tagged = tk.rjieba_tags(text)
        same = len(tagged) == len(pieces) and all(
            a == b[0] for a, b in zip(pieces, tagged, strict=True)
        )
        guess = dict(tagged) if same else {}
        pos = 0
        for word in pieces:
            start = pos
            pos += len(word)
            if word.isspace():
                continue
            tag = self._dict_tag(word) or guess.get(word) or tk.guess_tag(word)
            yield word, tag or "x", start, pos

    def tags(self) -> Mapping[str, str]:
        """Dictionary part of speech of a word (no tagging run): what ``select_terms`` uses to
        keep adverbs and prepositions off a term's edges; read from the files until the engine
        is loaded, from the engine after (the same answers)."""
        return _TagTable(self)

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        """Spans of people, places (ns) and organisations (nt) in ``text``.  A person is a
        learned name, or a word jieba tags nr that is shaped as a name (a surname and one or
        two characters): its dictionary tags 公共安全, 承诺书, 宣传栏 and 多渠道 nr too, and
        the names layer painted them as people (tester E, E1)."""
        out: list[tuple[int, int, str]] = []
        for word, flag, start, end in self.iter_pos(text):
            if len(word) < 2:
                continue
            if word in self.names or (flag.startswith("nr") and looks_like_name(word)):
                out.append((start, end, "person"))
            elif flag.startswith("ns"):
                out.append((start, end, "place"))
            elif flag.startswith("nt"):
                out.append((start, end, "org"))
        return out
