"""Pages in the index without pickles: an Issue's own fields as JSON, each article as its
summary (what a list shows) and a body (JSON); a page's article texts are compressed together
(GB 18030, or UTF-16: both pack Chinese smaller than UTF-8 before DEFLATE; GB 18030 with a preset
dictionary of common words), and so are its bodies.

Everything here rebuilds exactly what the parser made (the tests compare whole Corpora), and
keeps what is stored small: token streams as lengths cut from the text again, raw paragraph
text as the cleaner's edits, term counts compressed.
"""

from __future__ import annotations

import functools
import json
import marshal
import struct
import zlib
from collections import Counter
from dataclasses import fields
from pathlib import Path
from typing import Any

from corpus.model import Article, Issue, Kind, Paragraph
from corpus.terms import Counts
from storage.pagerow import PageRow as PageRow

FTS_SKIP = frozenset("的了和与及等在是为将以对并也都把被由从于之其这到中要")
"""Function words FTS5 does not index: in nearly every article, they are 8% of its inverted
index and narrow no search.  Left out alike when an article goes in or out and from every
query: a phrase across one still matches (the words around it are neighbours in what is
indexed), a query of one alone is answered by the substring search; ``vocab`` still counts
them.  Changing the set changes the index: bump the schema."""


def fts_text(words: list[str]) -> str:
    """What FTS5 indexes of an article's tokens."""
    return " ".join(w for w in words if w not in FTS_SKIP)


def sort_key(rel: str) -> str:
    """Orders rows as the folder walk does (a folder's pages before ``name.txt`` beside it)."""
    return rel.replace("/", "\x01")


def _is_tuple(f: Any) -> bool:
    return str(f.type).startswith("tuple")


_ISSUE_SKIP = {"id", "source", "articles", "title", "date", "paper", "page", "section", "sha1"}
"""Issue fields that are columns of ``pages`` (or its key), not in its ``meta`` JSON."""
_ART_COLS = {"id", "issue_id", "title", "paragraphs", "kicker", "subtitle", "column", "spans"}
"""Article fields that are columns of ``articles`` (``fragment`` and ``byline`` too, below)."""
_KINDS = list(Kind)
_KIND_NO = {k: n for n, k in enumerate(_KINDS)}
_REPORTERS = "\x01"
"""Stands in a stored dateline for the reporters (the ``byline`` column) it names."""

PageHead = tuple[str | None, str | None, str | None, int | None, str | None, str | None]
"""(title, date, paper, page, section, sha1): the columns of ``pages`` an Issue takes."""

ArticleCols = tuple[str, str, str, str, str, str | None, str | None, int, str | None]
"""(kicker, subtitle, column, byline, lines, continued_from, continued_on, fragment, label):
an article's summary as columns of ``articles``; ``lines`` is JSON, ``label`` None when it
is the title.  ``list --json`` builds the summary's JSON from them in SQL."""

ARTICLE_ID_SQL = "CASE WHEN unicode(a.aid) = 1 THEN substr(a.aid, 2) ELSE p.id || '-' || a.aid END"
"""An article's id (``full_id``) from ``articles a`` and its page, ``pages p``."""

SUMMARY_SQL = (
    f"json_object('id', {ARTICLE_ID_SQL}, 'title', a.title, "
    "'kicker', a.kicker, 'subtitle', a.subtitle, "
    "'column', a.col, 'byline', a.byline, 'lines', json(a.lines), 'continued_from', a.cfrom, "
    "'continued_on', a.con, 'fragment', json(CASE WHEN a.fragment THEN 'true' ELSE 'false' END), "
    "'label', coalesce(a.label, a.title))"
)
"""``Article.summary()`` as JSON, from the columns of ``articles a`` and ``pages p``."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def _tupled(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    return value


_ISSUE_DEFAULTS = {
    f.name: (f.default_factory() if callable(f.default_factory) else f.default)
    for f in fields(Issue)
    if f.name not in _ISSUE_SKIP
}


def encode_issue(issue: Issue, digest: str = "") -> str:
    """An Issue's own fields that are neither columns nor defaults, as JSON (``sha1`` only
    when it is not the file's ``digest``, the column beside it)."""
    out: dict[str, Any] = {}
    for name, default in _ISSUE_DEFAULTS.items():
        value = getattr(issue, name)
        if value != default:
            out[name] = _jsonable(value)
    if issue.sha1 != digest:
        out["sha1"] = issue.sha1
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")) if out else ""


def issue_head(pid: str, rel: str, head: PageHead, meta: str | None) -> dict[str, Any]:
    """A page's fields as stored (columns and ``meta``), by field name."""
    title, date, paper, page, section, sha1 = head
    data: dict[str, Any] = json.loads(meta) if meta else {}
    data.setdefault("sha1", sha1 or "")
    return {
        "id": pid,
        "file": rel,
        "title": title or "",
        "date": date,
        "paper": paper,
        "page": page,
        "section": section,
        **data,
    }


def decode_issue(
    pid: str, rel: str, head: PageHead, meta: str | None, articles: tuple[Article, ...] = ()
) -> Issue:
    data = issue_head(pid, rel, head, meta)
    kw: dict[str, Any] = {}
    for f in fields(Issue):
        if f.name in data and f.name not in ("id", "articles"):
            kw[f.name] = _tupled(data[f.name]) if _is_tuple(f) else data[f.name]
    return Issue(id=pid, source=rel, articles=articles, **kw)


def encode_article(a: Article) -> tuple[ArticleCols, bytes]:
    """(summary columns, body JSON) — with its id, title and text, all an Article holds.
    The body leaves out what the columns hold: a ``byline`` only when it is not the
    summary's (a dateline's reporters)."""
    body: dict[str, Any] = {}
    for f in fields(Article):
        if f.name in _ART_COLS or f.name in ("fragment", "byline"):
            continue
        value = getattr(a, f.name)
        if value != f.default:
            body[f.name] = _jsonable(value)
    reporters = a.reporters
    if a.byline != reporters:
        body["byline"] = a.byline
    dateline = body.get("dateline", "")
    if reporters and dateline.count(reporters) == 1 and _REPORTERS not in dateline:
        body["dateline"] = dateline.replace(reporters, _REPORTERS)
    texts = a.text.split("\n")
    main = [p for p in a.paragraphs if p.kind is not Kind.CAPTION]
    derivable = len(texts) == len(main) and all(
        p.text == t for p, t in zip(main, texts, strict=True)
    )
    paras = []
    line = 0
    for p in a.paragraphs:
        own = p.text if (p.kind is Kind.CAPTION or not derivable) else None
        raw: Any = None
        if p.raw != p.text:
            ops = _raw_ops(p.raw, p.text)
            short = ops is not None and len(json.dumps(ops, ensure_ascii=False)) < len(p.raw)
            raw = _gaps(ops) if short and ops is not None else p.raw
        first, last = p.lines
        paras.append([_KIND_NO[p.kind], first - line, last - first, raw, own])
        line = last
    body["p"] = paras
    label = a.label
    cols: ArticleCols = (
        a.kicker,
        a.subtitle,
        a.column,
        reporters,
        json.dumps([list(s) for s in a.spans], separators=(",", ":")),
        a.continued_from,
        a.continued_on,
        int(a.fragment),
        None if label == a.title else label,
    )
    packed = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return cols, packed


def own_id(aid: str, issue_id: str) -> str:
    """What ``articles.aid`` stores of an article's id: the part after its page's id (the
    parser's ids are ``PAGE-HASH``), or the whole id after ``\\x01`` (``full_id`` undoes
    it).  An article refers to its page by number: its id is never stored whole."""
    head = f"{issue_id}-"
    rest = aid[len(head) :]
    return rest if aid.startswith(head) and rest[:1] not in ("", "\x01") else f"\x01{aid}"


def full_id(aid: str, issue_id: str) -> str:
    """An article's id from ``articles.aid`` and its page's id."""
    return aid[1:] if aid[:1] == "\x01" else f"{issue_id}-{aid}"


def id_cuts(article_id: str) -> list[tuple[str, str]]:
    """(page id, ``articles.aid``) pairs that could make ``article_id`` by ``full_id``: a
    cut at each ``-`` (page ids may hold one).  The whole id stored as itself is the other
    way (``\\x01`` and the id)."""
    s = article_id
    return [
        (s[:i], s[i + 1 :])
        for i, c in enumerate(s)
        if c == "-" and i < len(s) - 1 and s[i + 1] != "\x01"
    ]


ARTICLE_SQL = "a.aid, a.title, a.kicker, a.subtitle, a.col, a.byline, a.lines, a.fragment"
"""What ``decode_article`` takes of an ``articles`` row (its ``heads``)."""

ArticleHead = tuple[str, str, str, str, str, str, str, int]


def decode_article(issue_id: str, head: ArticleHead, text: str, body: bytes) -> Article:
    aid, title, kicker, subtitle, column, byline, lines, fragment = head
    data = json.loads(body)
    aid = full_id(aid, issue_id)
    texts = iter(text.split("\n"))
    paras = []
    line = 0
    for kind, first, span, raw, own in data.pop("p"):
        t = own if own is not None else next(texts, "")
        if raw is None:
            raw = t
        elif isinstance(raw, list):
            raw = _apply_ops(t, _ungaps(raw))
        first += line
        line = first + span
        paras.append(Paragraph(_KINDS[kind], t, (first, line), raw))
    if _REPORTERS in data.get("dateline", ""):
        data["dateline"] = data["dateline"].replace(_REPORTERS, byline)
    kw: dict[str, Any] = {"byline": byline}
    for f in fields(Article):
        if f.name in data:
            kw[f.name] = _tupled(data[f.name]) if _is_tuple(f) else data[f.name]
    return Article(
        id=aid,
        issue_id=issue_id,
        title=title,
        kicker=kicker,
        subtitle=subtitle,
        column=column,
        spans=_tupled(json.loads(lines)),
        fragment=bool(fragment),
        paragraphs=tuple(paras),
        **kw,
    )


def deflate(data: bytes) -> bytes:
    """Raw DEFLATE: zlib's stream without its header and checksum (6 bytes a blob)."""
    z = zlib.compressobj(6, zlib.DEFLATED, -15)
    return z.compress(data) + z.flush()


def inflate(blob: bytes) -> bytes:
    return zlib.decompress(blob, -15)


@functools.cache
def zdict() -> bytes:
    """DEFLATE's preset dictionary for a page's texts in GB 18030: common words of Chinese
    text (``zdict.txt``, from jieba's dictionary, not from any corpus), the most frequent
    last, where matches cost least.  A page's texts are ~10 KB: without it their first
    words find nothing to refer to; with it they pack 9% smaller, read as fast."""
    lines = (Path(__file__).parent / "zdict.txt").read_text(encoding="utf-8").splitlines()
    words = [w for w in lines if w and not w.startswith("#")]
    return "".join(reversed(words)).encode("gb18030")[-32768:]


def pack_texts(texts: list[str]) -> bytes:
    """A page's article texts, in order, as one compressed blob: their lengths, then the
    texts in GB 18030 (two bytes a Chinese character, one for ASCII: a tenth smaller than
    UTF-16 once compressed) with the preset dictionary, or UTF-16 for what GB 18030 does
    not give back exactly."""
    whole = "".join(texts)
    head = struct.pack(f"<I{len(texts)}I", len(texts), *map(len, texts))
    try:
        data = whole.encode("gb18030")
        ok = data.decode("gb18030") == whole
    except UnicodeError:
        ok = False
    if ok:
        z = zlib.compressobj(6, zlib.DEFLATED, -15, zdict=zdict())
        return b"z" + z.compress(head + data) + z.flush()
    return b"u" + deflate(head + whole.encode("utf-16-le", "surrogatepass"))


def unpack_texts(blob: bytes | None) -> list[str]:
    if not blob:
        return []
    if blob[:1] == b"z":
        d = zlib.decompressobj(-15, zdict=zdict())
        raw = d.decompress(blob[1:])
    else:
        raw = inflate(blob[1:])
    (n,) = struct.unpack_from("<I", raw)
    lengths = struct.unpack_from(f"<{n}I", raw, 4)
    body = raw[4 + 4 * n :]
    if blob[:1] in (b"z", b"g"):
        whole = body.decode("gb18030")
    else:
        whole = body.decode("utf-16-le", "surrogatepass")
    out: list[str] = []
    i = 0
    for k in lengths:
        out.append(whole[i : i + k])
        i += k
    return out


def pack_bodies(bodies: list[bytes]) -> bytes:
    """A page's article bodies (``encode_article``'s JSON; JSON never holds a NUL byte)."""
    return deflate(b"\x00".join(bodies))


def unpack_bodies(blob: bytes | None) -> list[bytes]:
    return inflate(blob).split(b"\x00") if blob else []


_COUNTS = b"M"
"""Marks counts packed with marshal (``pack_counts``); JSON ones, before, start with zlib's
0x78 and are still read."""


def pack_counts(counts: Counts) -> bytes:
    """Term counts as marshal, zlib level 1: a page's go from a worker to the main process and
    the totals into the index (JSON and zlib level 6 cost four times as much to write)."""
    c = counts
    data = (dict(c.grams), dict(c.people), c.tokens, c.docs, dict(c.quoted))
    return _COUNTS + zlib.compress(marshal.dumps(data), 1)


_CODE = bytes([3, 0, 1, 2] + [3] * 252)
"""A token's length as two bits: 1, 2 and 3 characters are most tokens; 3 says "the next
of the lengths written out after the codes"."""
_QUAD = [tuple((1, 2, 3, 0)[(b >> s) & 3] for s in (0, 2, 4, 6)) for b in range(256)]
_OUT = [q.count(0) for q in _QUAD]


def pack_lengths(lengths: bytes) -> bytes:
    """``b"#"``, how many codes pad the last byte, four two-bit codes a byte (``_CODE``),
    then the lengths the codes do not hold: a sixth of the bytes once compressed, against
    a fifth for the lengths as bytes."""
    pad = -len(lengths) % 4
    c = lengths.translate(_CODE) + bytes(pad)
    # four codes a byte, as integers: no byte carries into the next (3 + 12 + 48 + 192)
    a, b, x, y = (int.from_bytes(c[k::4], "little") for k in range(4))
    quads = (a | b << 2 | x << 4 | y << 6).to_bytes(len(c) // 4, "little")
    return b"#" + bytes([pad]) + quads + lengths.translate(None, b"\x01\x02\x03")


def unpack_lengths(packed: bytes) -> list[int]:
    """``pack_lengths`` undone.  The codes end where the bytes left are as many as the codes
    read so far that said "written out" (before that, more bytes are left than that)."""
    size = len(packed)
    lengths: list[int] = []
    out = 0
    q = 2
    while size - q != out:
        b = packed[q]
        lengths.extend(_QUAD[b])
        out += _OUT[b]
        q += 1
    if packed[1]:
        del lengths[-packed[1] :]
    if not out:
        return lengths
    rest = iter(packed[q:])
    return [k or next(rest) for k in lengths]


def pack_tokens(source: str, tokens: str) -> bytes:
    """Tokens as their lengths, cut from ``source`` (what was segmented) again when read:
    segmentation only drops whitespace, so lengths are enough.  ``b"="`` + the tokens
    themselves when that does not hold (a token longer than 255 characters)."""
    words = tokens.split(" ") if tokens else []
    if words and max(map(len, words)) < 256:
        lengths = pack_lengths(bytes(map(len, words)))
        if unpack_tokens(source, lengths) == words:
            return deflate(lengths)
    return deflate(b"=" + tokens.encode())


def unpack_tokens(source: str, packed: bytes) -> list[str]:
    """``pack_tokens`` undone (``packed`` already decompressed)."""
    if packed[:1] == b"=":
        text = packed[1:].decode()
        return text.split(" ") if text else []
    lengths = unpack_lengths(packed)
    out: list[str] = []
    i, n = 0, len(source)
    for k in lengths:
        while i < n and source[i].isspace():
            i += 1
        out.append(source[i : i + k])
        i += k
    return out


def _raw_ops(raw: str, text: str) -> list[Any] | None:
    """How ``raw`` differs from ``text``: [offset in raw, raw characters, text characters
    they replace] for the spaces and line breaks the cleaner took out and the punctuation it
    normalised; None when ``text`` is not ``raw`` so cleaned."""
    ops: list[list[Any]] = []
    j = 0
    m = len(text)
    for i, ch in enumerate(raw):
        if j < m and text[j] == ch:
            j += 1
            continue
        used = 0 if (ch.isspace() or j >= m) else 1
        j += used
        last = ops[-1] if ops else None
        if last is not None and last[0] + len(last[1]) == i:
            last[1] += ch
            last[2] += used
        else:
            ops.append([i, ch, used])
    if j != m or _apply_ops(text, ops) != raw:
        return None
    return ops


def _gaps(ops: list[Any]) -> list[Any]:
    """``_raw_ops`` as stored: each op's offset from the one before, and a space the
    cleaner took out (most ops: the column-wrap spaces, every line or so) as that alone."""
    out: list[Any] = []
    at = 0
    for pos, chars, used in ops:
        out.append(pos - at if chars == " " and used == 0 else [pos - at, chars, used])
        at = pos
    return out


def _ungaps(stored: list[Any]) -> list[Any]:
    ops: list[Any] = []
    at = 0
    for op in stored:
        if isinstance(op, int):
            at += op
            ops.append([at, " ", 0])
        else:
            at += op[0]
            ops.append([at, op[1], op[2]])
    return ops


def _apply_ops(text: str, ops: list[Any]) -> str:
    parts: list[str] = []
    j = 0
    pos = 0  # length of the raw string built so far
    for at, chars, used in ops:
        take = at - pos
        parts.append(text[j : j + take])
        parts.append(chars)
        j += take + used
        pos = at + len(chars)
    parts.append(text[j:])
    return "".join(parts)


def unpack_counts(blob: bytes | None) -> Counts:
    if not blob:
        return Counts()
    if blob[:1] == _COUNTS:
        grams, people, tokens, docs, quoted = marshal.loads(zlib.decompress(blob[1:]))
        return Counts(Counter(grams), Counter(people), tokens, docs, Counter(quoted))
    return Counts.from_json(json.loads(zlib.decompress(blob)))


def summary_shape(head: dict[str, Any], arts: list[dict[str, Any]]) -> dict[str, Any]:
    """The keys and order of ``Issue.summary()``."""
    return {
        "id": head["id"],
        "file": head["file"],
        "title": head.get("title", ""),
        "date": head.get("date"),
        "paper": head.get("paper"),
        "page": head.get("page"),
        "section": head.get("section"),
        "meta_source": head.get("meta_source", {}),
        "articles": arts,
        "furniture": head.get("furniture", []),
        "credits": head.get("credits", {}),
        "furniture_page": head.get("furniture_page"),
        "furniture_section": head.get("furniture_section"),
        "fragments": [a["id"] for a in arts if a.get("fragment")],
    }
