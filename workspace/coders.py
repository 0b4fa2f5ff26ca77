"""Two coders and a third: who coded what, the agreement between two of them, and the
adjudication of their disagreements into a third coder (``final``) — the use cases behind
``piyue coders``, ``piyue agree`` and the reader's agreement screen.

The figures come from ``workspace.agreement`` (pure); this module gathers each coder's
codings from the store (one pass over its tables) and the units' text lengths from the corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.errors import AnnotationError, StoreError
from workspace.agreement import (
    AgreementReport,
    Coding,
    agreement_report,
    agreements,
    coded_units,
    disagreements,
    one_coder_only,
)

if TYPE_CHECKING:
    from storage.annotations import CoderSummary, Store
    from workspace.session import Step, Workspace

FINAL = "final"
"""The adjudicator's coder name unless another is given."""


class UnknownCoder(StoreError):
    """A coder with no codings in this database (one line, status 2 on the command line)."""


def current_coder(ws: Workspace) -> str:
    """Who codes now (``--coder``, ``PIYUE_CODER`` or the login name)."""
    return ws.store.coder


def set_coder(ws: Workspace, name: str) -> str:
    """Code as ``name`` from now on (the reader asks once, the command line has ``--coder``);
    what is shown follows: the new coder's codings only, unless revealed."""
    return ws.store.set_coder(name)


def reveal(ws: Workspace, everyone: bool = True) -> None:
    """Blind mode off (every coder's codings in reads, lists and counts) or back on."""
    ws.store.reveal(everyone)


def is_blind(ws: Workspace) -> bool:
    """Whether reads show only the current coder's codings."""
    return ws.store.visible is not None


def coder_list(ws: Workspace) -> list[CoderSummary]:
    """Every coder with their counts, by name; the current coder is among them.  ``notes``
    counts every note a coder wrote: on articles and on passages.  ``read`` counts the
    articles marked read; an adjudicator (``final``) never reads, but each article they
    settled is marked read by the settlement — it is a unit they coded (see
    ``Store.settle_code``), so for them ``read`` is the articles adjudicated."""
    from dataclasses import replace

    store = ws.codings()
    on_passages: dict[str, int] = {}
    for h in store.highlights(None, None):
        if h.note.strip():
            on_passages[h.coder] = on_passages.get(h.coder, 0) + 1
    return [replace(r, notes=r.notes + on_passages.get(r.name, 0)) for r in store.coder_summaries()]


def coders_with_codings(store: Store) -> list[str]:
    """The coders who coded something here (a tag, a note, a passage, an article read), by
    name: the names a read of someone's codings accepts."""
    return sorted(s.name for s in store.coder_summaries() if s.articles or s.passages)


def others_only(store: Store) -> str | None:
    """One line for a read of "your" codings when you (the current coder) coded nothing here
    but others did — the reader's PIYUE_CODER and the command line's login name differ, and
    an empty codebook read as lost work (testerC F3); None otherwise."""
    me = store.coder
    coded = [s.name for s in store.coder_summaries() if s.tags or s.passages or s.notes]
    if not coded or me in coded:
        return None
    names = sorted(coded)
    first = names[0] if len(names) == 1 else "NAME"
    return (
        f"you ({me}) have coded nothing here; coders: {', '.join(names)} — "
        f"use --coder {first} or --coder all"
    )


def require_codings(store: Store, name: str) -> str:
    """``name`` (spaces squeezed) when that coder coded something here; else ``UnknownCoder``
    naming the coders there are.  Every command that reads a named coder's codings (export,
    retrieve, stats, cooccur, show, agree) says the same: an empty result under a typo, with
    status 0, reads as "nothing coded"."""
    name = " ".join(name.split())
    known = coders_with_codings(store)
    if name not in known:
        raise UnknownCoder(
            f"no codings by {name!r} in this database "
            + (f"(coders: {', '.join(known)})" if known else "(nobody has coded anything yet)")
        )
    return name


def coding(store: Store, coder: str) -> Coding:
    """One coder's codings as ``workspace.agreement`` takes them (orphans left out)."""
    rows = store.coder_rows(coder)
    return Coding.build(coder, rows.tags, rows.passages, rows.read)


@dataclass(frozen=True)
class Pair:
    """Two coders' codings and the units both coded that this corpus has (with lengths)."""

    a: Coding
    b: Coding
    units: list[str]
    lengths: dict[str, int]


def pair(ws: Workspace, coder_a: str, coder_b: str) -> Pair:
    corpus = ws.coded_corpus()  # the units are coded articles: their pages suffice
    store = ws.codings()  # anchored first: a unit whose page changed is found again
    a = coding(store, require_codings(store, coder_a))
    b = coding(store, require_codings(store, coder_b))
    lengths: dict[str, int] = {}
    units = []
    for u in coded_units(a, b):
        art = corpus.article(u)
        if art is not None:  # a unit the corpus lost cannot be measured (orphans list it)
            lengths[u] = len(art.text)
            units.append(u)
    return Pair(a, b, units, lengths)


def agree(ws: Workspace, coder_a: str, coder_b: str, codes: Sequence[str] = ()) -> AgreementReport:
    """κ, α, character κ and uα per code and overall (``piyue agree``'s JSON)."""
    if coder_a == coder_b:
        raise StoreError(f"agreement needs two different coders (both are {coder_a})")
    p = pair(ws, coder_a, coder_b)
    if not p.units:  # a table of "—" over 0 units said nothing of why (testerC F4 addendum)

        def coded(c: Coding) -> str:
            n = len(set(c.tags) | set(c.passages) | set(c.read))
            return f"{c.coder}: {n} article{'' if n == 1 else 's'}"

        raise StoreError(
            f"{p.a.coder} and {p.b.coder} coded no article in common ({coded(p.a)}, "
            f"{coded(p.b)}): agreement is measured over the articles both coded"
        )
    if codes:
        known = {t.name for t in ws.store.tag_defs()}
        for c in (p.a, p.b):
            known.update(*c.tags.values())
            known.update(x.code for ps in c.passages.values() for x in ps)
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise StoreError(
                f"unknown code {unknown[0]}: not in the codebook, used by neither coder"
            )
    from workspace.cooccur import code_names  # the codebook's tree order, as `codes` shows

    order = code_names(ws.store)
    return agreement_report(p.a, p.b, p.lengths, p.units, list(codes) or None, order)


# ------------------------------------------------------------------ adjudication


@dataclass(frozen=True)
class Disagreement:
    """One article × code the two coders differ on, and how it was settled (None: not yet).
    Passages are ``(start, end)`` offsets into the article's text."""

    unit: str
    title: str
    code: str
    a_tag: bool
    b_tag: bool
    a_passages: tuple[tuple[int, int], ...]
    b_passages: tuple[tuple[int, int], ...]
    settled: str | None = None
    changed: bool = False
    """A and B changed their codings of it since it was settled: to be decided again (not
    counted as settled)."""

    def basis(self) -> str:
        """A short fingerprint of what A and B did (stored with a decision)."""
        return fingerprint(self.a_tag, self.b_tag, self.a_passages, self.b_passages)


def fingerprint(
    a_tag: bool,
    b_tag: bool,
    a_spans: Iterable[tuple[int, int]],
    b_spans: Iterable[tuple[int, int]],
) -> str:
    import hashlib

    seen = repr((a_tag, b_tag, sorted(set(a_spans)), sorted(set(b_spans))))
    return hashlib.sha1(seen.encode()).hexdigest()[:12]


class Adjudication:
    """The disagreements between coders ``a`` and ``b``, settled into coder ``final``.

    ``rows()`` is the queue (article, code, what A and B did); ``settle`` writes a decision
    as ``final`` — one undo step each (``undo``) — and ``progress()`` says how many are done.
    The queue is fixed when it is made: settling does not change what A and B did.
    """

    def __init__(
        self,
        ws: Workspace,
        coder_a: str,
        coder_b: str,
        final: str = FINAL,
        codes: Iterable[str] | None = None,
    ) -> None:
        from storage.annotations import clean_coder

        self.ws = ws
        self.final = clean_coder(final)
        p = pair(ws, coder_a, coder_b)
        self.a, self.b = p.a, p.b
        if self.final in (self.a.coder, self.b.coder):
            raise StoreError(f"the adjudicator cannot be one of the coders ({self.final})")
        corpus = ws.coded_corpus()
        codes = list(codes) if codes is not None else None
        self._rows = [
            Disagreement(
                r.unit,
                (art.title if (art := corpus.article(r.unit)) is not None else ""),
                r.code,
                r.a_tag,
                r.b_tag,
                r.a_passages,
                r.b_passages,
            )
            for r in disagreements(self.a, self.b, p.units, codes)
        ]
        # a decision whose row the coders' changes turned into an agreement stays in the
        # queue (marked changed, see rows()): else it vanished and final kept the old answer
        queued = {(r.unit, r.code) for r in self._rows}
        units = set(p.units)
        for unit, code in sorted(ws.store.settled(self.final)):
            if (
                (unit, code) in queued
                or unit not in units
                or (codes is not None and code not in codes)
            ):
                continue
            art = corpus.article(unit)
            self._rows.append(
                Disagreement(
                    unit,
                    art.title if art is not None else "",
                    code,
                    code in self.a.tags.get(unit, set()),
                    code in self.b.tags.get(unit, set()),
                    tuple(
                        sorted(
                            (x.start, x.end)
                            for x in self.a.passages.get(unit, ())
                            if x.code == code
                        )
                    ),
                    tuple(
                        sorted(
                            (x.start, x.end)
                            for x in self.b.passages.get(unit, ())
                            if x.code == code
                        )
                    ),
                )
            )
        self._agreed = agreements(self.a, self.b, p.units)
        self.one_coder_only = len(one_coder_only(self.a, self.b))
        """Articles only one of the two coded: no units of agreement, so not in ``final``."""
        self._carried = False
        """The agreements are in ``final`` (written with the first settlement)."""

    def rows(self) -> list[Disagreement]:
        """The queue, each row with its current settlement (``a``/``b``/``both``/``neither``)."""
        done = self.ws.store.settled(self.final)
        bases = self.ws.store.settled_basis(self.final)
        return [
            Disagreement(
                r.unit,
                r.title,
                r.code,
                r.a_tag,
                r.b_tag,
                r.a_passages,
                r.b_passages,
                done.get((r.unit, r.code)),
                bases.get((r.unit, r.code), r.basis()) != r.basis(),
            )
            for r in self._rows
        ]

    def progress(self) -> tuple[int, int]:
        """(settled, all) rows of the queue; a decision the coders' changes reopened is not
        settled."""
        return sum(r.settled is not None and not r.changed for r in self.rows()), len(self._rows)

    def settle(self, unit: str, code: str, choice: str, final: str | None = None) -> None:
        """Write the decision on ``unit`` × ``code`` as the final coder: ``a`` or ``b`` takes
        that coder's tag and passages of the code, ``both`` the union, ``neither`` none.
        One undo step."""
        from storage.annotations import CHOICES, clean_coder

        if choice not in CHOICES:
            raise AnnotationError(f"choose one of {', '.join(CHOICES)}, not {choice!r}")
        who = clean_coder(final) if final else self.final
        a_tag = code in self.a.tags.get(unit, set())
        b_tag = code in self.b.tags.get(unit, set())
        a_sp = {(p.start, p.end) for p in self.a.passages.get(unit, ()) if p.code == code}
        b_sp = {(p.start, p.end) for p in self.b.passages.get(unit, ()) if p.code == code}
        tag, spans = {
            "a": (a_tag, a_sp),
            "b": (b_tag, b_sp),
            "both": (a_tag or b_tag, a_sp | b_sp),
            "neither": (False, set()),
        }[choice]
        store = self.ws.store
        article = self.ws.article(unit)
        with store.as_coder(who), store.batch(f"settle {code} ({choice})"):
            if not self._carried:
                # the adjudicated coder is the whole reconciled coding: what A and B agree
                # on goes in with the first decision (the same undo step)
                for r in self._agreed:
                    spans_of = set(r.a_passages)
                    store.settle_code(self.ws.article(r.unit), r.code, None, r.a_tag, spans_of)
                    self._carry_notes(r.unit, r.code, spans_of, who)
            store.settle_code(
                article, code, choice, tag, spans, fingerprint(a_tag, b_tag, a_sp, b_sp)
            )
            self._carry_notes(unit, code, spans, who)
        self._carried = True

    def _carry_notes(
        self, unit: str, code: str, spans: Iterable[tuple[int, int]], who: str
    ) -> None:
        """The coders' memos go with what final took from them (the export of ``final`` is
        the deliverable): an accepted passage gets the notes of the coders' passages of
        ``code`` on its span, the article the coders' article notes — each line marked whose
        (``甲: …``), a line already there not added again."""
        store = self.ws.store
        duo = (self.a.coder, self.b.coder)
        wanted = set(spans)
        lines: dict[tuple[int, int], list[str]] = {}
        for h in sorted(store.highlights(unit, duo), key=lambda h: duo.index(h.coder)):
            if (h.start, h.end) in wanted and code in h.tags and h.note.strip():
                lines.setdefault((h.start, h.end), []).append(f"{h.coder}: {h.note.strip()}")
        for h in store.highlights(unit, {who}):
            extra = [x for x in lines.get((h.start, h.end), []) if x not in h.note]
            if extra:
                store.set_highlight_note(h.id, "\n".join([*filter(None, [h.note]), *extra]))
        by = store.notes_by_coder(unit, duo)
        own = store.notes(unit, {who}).note
        extra = [
            f"{c}: {by[c].note.strip()}"
            for c in duo
            if c in by and by[c].note.strip() and f"{c}: {by[c].note.strip()}" not in own
        ]
        if extra:
            store.set_note(self.ws.article(unit), "\n".join([*filter(None, [own]), *extra]))

    def undo(self) -> Step | None:
        """Undo the last step (a settlement is one; the first carries the agreements too)."""
        step = self.ws.undo()
        if not self.ws.store.settled(self.final):
            self._carried = False  # the first settlement went, and the agreements with it
        return step
