"""The indexer's worker side: read, parse (with page metadata) and segment one page, count
its terms; runs in pool processes, so everything it returns is cheap to send back."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from corpus.keywords import is_candidate
from corpus.load import decode, parse_page
from corpus.model import Issue, Skipped
from corpus.pagemeta import Manifest
from corpus.segment import Segmenter, learn_names, page_counts
from corpus.terms import Counts, Term
from storage.pagestore import (
    ArticleCols,
    deflate,
    encode_article,
    encode_issue,
    fts_text,
    pack_bodies,
    pack_counts,
    pack_lengths,
    pack_texts,
    pack_tokens,
)

_WORKER_SEG: Segmenter | None = None
_WORKER_MANIFEST: Manifest | None = None
_WORKER_EXPAND: dict[str, tuple[str, ...]] = {}
_WORKER_COUNT = True


def worker_init(
    cache_dir: str | None,
    user_dict: str | None,
    manifest: Manifest | None = None,
    terms: Iterable[Term] = (),
    count: bool = True,
) -> None:
    """One segmenter per worker, with the learned terms the index knows (below the user's
    dictionary); tokens are counted as the base tokens those terms join."""
    global _WORKER_SEG, _WORKER_MANIFEST, _WORKER_EXPAND, _WORKER_COUNT
    seg = Segmenter(Path(cache_dir) if cache_dir else None, Path(user_dict) if user_dict else None)
    terms = list(terms)
    seg.add_terms(terms)
    seg.load()
    _WORKER_SEG = seg
    _WORKER_MANIFEST = manifest
    _WORKER_COUNT = count
    _WORKER_EXPAND = {t.text: t.parts for t in terms if len(t.parts) > 1 and t.text in seg.terms}


def pool_init(parent: int, *init: object) -> None:
    """A pool worker's start: ``worker_init``, after making sure it never outlives the
    process that started it. Ctrl-C reaches the whole terminal's process group, but only the
    parent acts on it (it stops the pool); and when the parent dies (``kill -9``, a closed
    terminal) the worker goes too instead of waiting forever re-parented to PID 1."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with(parent)
    worker_init(*init)  # type: ignore[arg-type]


def die_with(parent: int) -> None:
    """End this process when ``parent`` does: Linux's parent-death signal, else (and for
    the moment before it is set) a watch on the parent pid."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # died before the signal was asked for
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="piyue-parent-watch", daemon=True).start()


_CANDIDATE: dict[str, bool] = {}
"""``is_candidate`` of the words this worker has seen (a page repeats most of its words)."""


def pack_words(words: list[str]) -> bytes | None:
    """What ``pack_tokens`` stores, without cutting the source again to check: the segmenter's
    words are the source's pieces in order, whitespace the only thing left out (None: a word
    too long for a length byte, ``pack_tokens`` decides)."""
    if not words:
        return deflate(b"=")
    if max(map(len, words)) >= 256:
        return None
    return deflate(pack_lengths(bytes(map(len, words))))


Rows = list[tuple[str, str, int, list[str], list[str], bytes]]
"""(article id, what FTS5 indexes of its tokens (``fts_text``), how many tokens, its distinct
tokens, its keyword-candidate words, the tokens packed by ``pack_tokens``) per article; the
tokens are of title + text."""


def _segment_issue(seg: Segmenter, issue: Issue) -> tuple[Rows, Counts]:
    texts = [f"{a.reporters}\n{a.title}\n{a.text}" for a in issue.articles]
    added = seg.add_names(learn_names(texts))
    out: Rows = []
    per_article: list[list[str]] = []
    known = _CANDIDATE
    for a in issue.articles:
        source = f"{a.title}\n{a.text}"
        words = seg.words(source)
        per_article.append(words)
        distinct = set(words)
        cands = []
        for w in distinct:
            ok = known.get(w)
            if ok is None:
                ok = known[w] = is_candidate(w)
            if ok:
                cands.append(w)
        packed = pack_words(words) or pack_tokens(source, " ".join(words))
        out.append((a.id, fts_text(words), len(words), list(distinct), cands, packed))
    seg.forget_names(added)
    if not _WORKER_COUNT:
        return out, Counts()
    bylines = [a.reporters for a in issue.articles]
    return out, page_counts(per_article, bylines, _WORKER_EXPAND or None)


@dataclass(frozen=True, slots=True)
class PageRows:
    """What the main process stores of a parsed page (cheap to send between processes)."""

    issue_id: str
    meta: str
    paper: str | None
    date: str | None
    page: int | None
    section: str | None
    title: str
    articles: list[tuple[str, str, ArticleCols]]
    """(id, title, summary columns) per article."""
    texts: bytes
    """The articles' texts (``pack_texts``)."""
    bodies: bytes
    """The rest of the articles (``pack_bodies``)."""
    counts: bytes
    """Term counts (``pack_counts``): the page's, or a chunk's sum on its last page and
    nothing (b"") on the others (``process_chunk``)."""


Result = tuple[str, PageRows | Skipped, Rows, str]


def _page_rows(issue: Issue, counts: Counts | None, digest: str) -> PageRows:
    arts = []
    bodies = []
    for a in issue.articles:
        cols, body = encode_article(a)
        arts.append((a.id, a.title, cols))
        bodies.append(body)
    return PageRows(
        issue.id,
        encode_issue(issue, digest),
        issue.paper,
        issue.date,
        issue.page,
        issue.section,
        issue.title,
        arts,
        pack_texts([a.text for a in issue.articles]),
        pack_bodies(bodies),
        pack_counts(counts) if counts is not None else b"",
    )


def _process(root: str, rel: str, pid: str | None, into: Counts | None) -> Result:
    """Read, parse and segment one page; its term counts packed into its rows, or added to
    ``into`` (then its rows carry none)."""
    seg = _WORKER_SEG
    assert seg is not None
    path = Path(root) / rel
    try:
        data = path.read_bytes()
    except OSError as exc:
        return rel, Skipped(rel, f"unreadable: {exc.strerror or exc}"), [], ""
    digest = hashlib.sha1(data).hexdigest()
    text, how = decode(data)
    if text is None:
        return rel, Skipped(rel, how), [], digest
    issue = parse_page(
        text, rel, pid or Path(rel).with_suffix("").as_posix(), manifest=_WORKER_MANIFEST
    )
    rows, counts = _segment_issue(seg, issue)
    if into is not None:
        into.merge(counts)
        return rel, _page_rows(issue, None, digest), rows, digest
    return rel, _page_rows(issue, counts, digest), rows, digest


def process_page(root: str, rel: str, pid: str | None = None) -> Result:
    """Read, parse and segment one page (runs in a pool worker)."""
    return _process(root, rel, pid, None)


def process_chunk(root: str, items: list[tuple[str, str]]) -> list[Result]:
    """Pages of a chunk, their term counts added up here and carried by the chunk's last page
    (the main process only ever needs their sum): one pack and one unpack per chunk, not per
    page, and the sum is smaller than its parts (a chunk's pages share most of their grams)."""
    total = Counts()
    out = [_process(root, rel, pid, total) for rel, pid in items]
    for i in range(len(out) - 1, -1, -1):
        rel, got, rows, digest = out[i]
        if isinstance(got, PageRows):
            if _WORKER_COUNT:
                out[i] = rel, dataclasses.replace(got, counts=pack_counts(total)), rows, digest
            break
    return out


def process_chunk_of(args: tuple[str, list[tuple[str, str]]]) -> list[Result]:
    """``process_chunk`` for ``Pool.imap`` (one argument)."""
    return process_chunk(*args)
