"""Inter-coder agreement between two coders: the figures a content analysis has to report.

Pure: no store, no Textual, no jieba — the caller gathers each coder's codings into a
:class:`Coding` and the units' text lengths, this module does the arithmetic.

Units are articles. Per code:

* ``agreement``, ``kappa``, ``alpha`` — presence of the code as an *article tag*, one binary
  decision per unit: observed agreement, Cohen's κ, Krippendorff's α (nominal, two coders,
  no missing values). Observed agreement is ``None`` (not applicable) when neither coder
  used the code as a tag: the CLI and the reader print "—" from this one figure.
* ``char_kappa`` — passages at the character level: every character of every unit's text is an
  item, coded 1 when it lies inside a passage of that code; Cohen's κ over those items.
* ``alpha_u`` — Krippendorff's unitizing α (Krippendorff 1995, "On the reliability of unitizing
  continuous data"; as DKPro Agreement computes it) on the passages. The units' texts are laid
  end to end, in sorted unit order, as one continuum, as DKPro expects a single continuum
  (so a gap at the end of one article runs on into the next one's). A coder's overlapping
  passages of one code are joined first (uα needs non-overlapping units); touching ones stay
  two units.

Per code, ``units`` counts the units in which at least one coder used the code (tag or
passage) — the evidence behind the figures; the top-level ``units`` is the number of units.

Overall figures take every reported code: ``1 - ΣD_o / ΣD_e`` over the codes, i.e. mean observed
over mean expected disagreement. For κ that is De Vries et al.'s (2008) pooled κ, for uα it is
DKPro's combination of categories, and α is pooled the same way. A code without variation adds
nothing to either sum.

A figure that is undefined (no variation: D_e = 0) is ``None`` with a reason in the code's
``note`` — never NaN. Character figures use interval arithmetic, never a per-character loop.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any, NamedTuple, NotRequired, TypedDict

__all__ = [
    "AgreementReport",
    "CodeFigures",
    "Coding",
    "DisagreementRow",
    "OverallFigures",
    "Passage",
    "agreement_report",
    "alpha_u",
    "coded_units",
    "cohen_kappa",
    "disagreements",
    "krippendorff_alpha",
    "strength",
    "to_csv",
    "to_markdown",
]


class Passage(NamedTuple):
    """A coded passage: ``[start, end)`` offsets into its article's text, and one code."""

    start: int
    end: int
    code: str


@dataclass(frozen=True)
class Coding:
    """One coder's codings, keyed by article id (the unit)."""

    coder: str
    tags: Mapping[str, Set[str]] = field(default_factory=dict)
    """Codes applied to the article as a whole (article tags)."""
    passages: Mapping[str, Sequence[Passage]] = field(default_factory=dict)
    """Coded passages; a passage with several codes appears once per code."""
    read: Set[str] = frozenset()
    """Articles marked read: coded, even when nothing applied (an explicit "none")."""

    @classmethod
    def build(
        cls,
        coder: str,
        tags: Iterable[tuple[str, str]] = (),
        passages: Iterable[tuple[str, int, int, str]] = (),
        read: Iterable[str] = (),
    ) -> Coding:
        """From flat rows as a store yields them: ``(article, code)`` for article tags,
        ``(article, start, end, code)`` for passages (one row per code of a passage)."""
        by_tag: dict[str, set[str]] = {}
        for unit, code in tags:
            by_tag.setdefault(unit, set()).add(code)
        by_passage: dict[str, list[Passage]] = {}
        for unit, start, end, code in passages:
            by_passage.setdefault(unit, []).append(Passage(start, end, code))
        return cls(coder, by_tag, by_passage, frozenset(read))


class CodeFigures(TypedDict):
    code: str
    units: int  # units in which at least one coder used the code (tag or passage)
    agreement: float | None
    kappa: float | None
    alpha: float | None
    char_kappa: float | None
    alpha_u: float | None
    note: NotRequired[str]


class OverallFigures(TypedDict):
    kappa: float | None
    alpha: float | None
    char_kappa: float | None
    alpha_u: float | None


class AgreementReport(TypedDict):
    coders: list[str]
    units: int
    only_read: NotRequired[dict[str, int]]
    """Per coder, units they only marked read (opening an article marks it): no code."""
    codes: list[CodeFigures]
    overall: OverallFigures


@dataclass(frozen=True)
class DisagreementRow:
    """One unit × code on which the coders differ, for adjudication (offsets are per unit)."""

    unit: str
    code: str
    a_tag: bool
    b_tag: bool
    a_passages: tuple[tuple[int, int], ...]
    b_passages: tuple[tuple[int, int], ...]

    @property
    def tag_differs(self) -> bool:
        return self.a_tag != self.b_tag

    @property
    def passages_differ(self) -> bool:
        return _merge(self.a_passages) != _merge(self.b_passages)


# --- disagreement parts: every coefficient here is 1 - D_o / D_e -------------------------------


@dataclass(frozen=True)
class _Parts:
    observed: float
    expected: float

    @property
    def value(self) -> float | None:
        return None if self.expected <= 0 else 1.0 - self.observed / self.expected


def _pooled(parts: Iterable[_Parts]) -> float | None:
    ps = list(parts)
    return _Parts(sum(p.observed for p in ps), sum(p.expected for p in ps)).value


def _kappa_binary(n: int, n11: int, a1: int, b1: int) -> _Parts:
    """Cohen's κ from a 2×2 table: D_o = share of mismatches, D_e = 1 - p_e."""
    if n == 0:
        return _Parts(0.0, 0.0)
    n10, n01 = a1 - n11, b1 - n11
    a0, b0 = n - a1, n - b1
    return _Parts((n10 + n01) / n, (a1 * b0 + a0 * b1) / (n * n))


def _alpha_binary(n: int, n11: int, a1: int, b1: int) -> _Parts:
    """Krippendorff's α (nominal) for two coders and no missing values, from a 2×2 table."""
    if n == 0:
        return _Parts(0.0, 0.0)
    mismatches = a1 + b1 - 2 * n11
    ones = a1 + b1
    zeros = 2 * n - ones
    # D_o = Σ_{c≠k} o_ck / n.. = 2d / 2N; D_e = Σ_{c≠k} n_c n_k / (n..(n..-1)), n.. = 2N
    return _Parts(mismatches / n, 2 * ones * zeros / (2 * n * (2 * n - 1)))


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's κ for two coders' nominal values on the same items; None without variation."""
    if len(a) != len(b):
        raise ValueError("both coders must code the same items")
    n = len(a)
    if n == 0:
        return None
    ca, cb = Counter(a), Counter(b)
    mismatches = sum(1 for x, y in zip(a, b, strict=True) if x != y)
    chance = sum(ca[v] * cb[v] for v in ca)
    return _Parts(mismatches / n, (n * n - chance) / (n * n)).value


def krippendorff_alpha(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Krippendorff's α (nominal), two coders, no missing values; None without variation."""
    if len(a) != len(b):
        raise ValueError("both coders must code the same items")
    n = 2 * len(a)
    if n == 0:
        return None
    values = Counter(a) + Counter(b)
    mismatches = sum(1 for x, y in zip(a, b, strict=True) if x != y)
    expected = (n * n - sum(c * c for c in values.values())) / (n * (n - 1))
    return _Parts(2 * mismatches / n, expected).value


# --- intervals ---------------------------------------------------------------------------------

Span = tuple[int, int]


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted spans with overlaps joined (touching spans stay apart: they are two units)."""
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _covered(spans: Sequence[Span]) -> int:
    """Characters inside merged spans (touching spans count once anyway)."""
    return sum(e - s for s, e in spans)


def _intersection(xs: Sequence[Span], ys: Sequence[Span]) -> int:
    """Characters inside both sets of merged spans, by a two-pointer walk."""
    i = j = total = 0
    while i < len(xs) and j < len(ys):
        (s1, e1), (s2, e2) = xs[i], ys[j]
        lo, hi = max(s1, s2), min(e1, e2)
        if hi > lo:
            total += hi - lo
        if e1 <= e2:
            i += 1
        else:
            j += 1
    return total


def _partition(units: Sequence[Span], length: int) -> list[tuple[int, int, bool]]:
    """The continuum cut into a coder's units (True) and the gaps between them (False)."""
    segs: list[tuple[int, int, bool]] = []
    pos = 0
    for s, e in units:
        if s > pos:
            segs.append((pos, s, False))
        segs.append((s, e, True))
        pos = e
    if pos < length:
        segs.append((pos, length, False))
    return segs


def _alpha_u_parts(a: Sequence[Span], b: Sequence[Span], length: int) -> _Parts:
    """Krippendorff's (1995) uα for one category, two coders, one continuum [0, length).

    ``a`` and ``b`` are each coder's units: sorted, not overlapping (touching is fine).

    Observed: over every pair of overlapping segments (one per coder), δ² is
    (b1-b2)² + (e1-e2)² for two units, l² for a unit lying wholly inside the other coder's
    gap, 0 otherwise; D_o = 2 Σ δ² / (R(R-1) L²) with R = 2 coders.

    Expected, with N units of lengths l, and the gaps g of both coders:
    D_e = (2/L) Σ_l [ (N-1) l(l-1)(2l-1)/3 + l² Σ_{g ≥ l} (g - l + 1) ]
          / (R L (R L - 1) - Σ_l l(l-1)).
    Integers throughout; one division at the end.
    """
    if length <= 0:
        return _Parts(0.0, 0.0)
    sa, sb = _partition(a, length), _partition(b, length)
    observed = 0
    i = j = 0
    while i < len(sa) and j < len(sb):
        s1, e1, u1 = sa[i]
        s2, e2, u2 = sb[j]
        if u1 and u2:
            observed += (s1 - s2) ** 2 + (e1 - e2) ** 2
        elif u1 and not u2:
            if s2 <= s1 and e1 <= e2:
                observed += (e1 - s1) ** 2
        elif u2 and not u1 and s1 <= s2 and e2 <= e1:
            observed += (e2 - s2) ** 2
        if e1 <= e2:
            i += 1
        if e2 <= e1:
            j += 1

    lengths = [e - s for s, e in a] + [e - s for s, e in b]
    gaps = sorted(e - s for s, e, unit in sa + sb if not unit)
    tail = [0] * (len(gaps) + 1)  # tail[k] = sum(gaps[k:])
    for k in range(len(gaps) - 1, -1, -1):
        tail[k] = tail[k + 1] + gaps[k]
    n_units = len(lengths)
    numerator = 0
    for ln in lengths:
        k = bisect_left(gaps, ln)
        fits = len(gaps) - k
        numerator += (n_units - 1) * ln * (ln - 1) * (2 * ln - 1) // 3
        numerator += ln * ln * (tail[k] - fits * (ln - 1))
    raters = 2
    denominator = length * (
        raters * length * (raters * length - 1) - sum(x * (x - 1) for x in lengths)
    )
    return _Parts(observed / (length * length), 2 * numerator / denominator)


def alpha_u(a: Iterable[Span], b: Iterable[Span], length: int) -> float | None:
    """uα for one category on one continuum of ``length``; overlapping spans of a coder merge."""
    return _alpha_u_parts(_merge(a), _merge(b), length).value


# --- the report --------------------------------------------------------------------------------


def _touched(c: Coding) -> set[str]:
    return (
        {u for u, t in c.tags.items() if t} | {u for u, p in c.passages.items() if p} | set(c.read)
    )


def _coded(c: Coding) -> set[str]:
    """Units with a code of the coder's (a tag or a passage), not only read."""
    return {u for u, t in c.tags.items() if t} | {u for u, p in c.passages.items() if p}


def units_text(report: AgreementReport) -> str:
    """ "10 units (1 only read by alice)" (see ``only_read_text``)."""
    n = report["units"]
    return f"{n} unit{'' if n == 1 else 's'}{only_read_text(report)}"


def only_read_text(report: Mapping[str, Any]) -> str:
    """ " (1 only read by alice)", or nothing: a read mark counts as a unit coded "nothing
    applies", and merely opening an article makes one — said, so browsing is not mistaken
    for a judgement."""
    read = [f"{k} only read by {c}" for c, k in report.get("only_read", {}).items() if k]
    return f" ({', '.join(read)})" if read else ""


def coded_units(a: Coding, b: Coding) -> list[str]:
    """Articles both coders have coded (a tag, a passage, or marked read), sorted."""
    return sorted(_touched(a) & _touched(b))


def one_coder_only(a: Coding, b: Coding) -> list[str]:
    """Articles just one of the two coded: no units of agreement (nothing to compare)."""
    return sorted(_touched(a) ^ _touched(b))


class _Prepared(NamedTuple):
    tagged: dict[str, set[str]]  # code → units tagged with it
    spans: dict[str, list[Span]]  # code → merged spans on the continuum
    used: dict[str, set[str]]  # code → units where the code appears at all


def _prepare(
    c: Coding, units: Sequence[str], offsets: Mapping[str, int], lengths: Mapping[str, int]
) -> _Prepared:
    tagged: dict[str, set[str]] = {}
    raw: dict[str, list[Span]] = {}
    used: dict[str, set[str]] = {}
    for u in units:
        for code in c.tags.get(u, ()):
            tagged.setdefault(code, set()).add(u)
            used.setdefault(code, set()).add(u)
        base, size = offsets[u], lengths[u]
        for p in c.passages.get(u, ()):
            if not 0 <= p.start < p.end <= size:
                raise ValueError(
                    f"{c.coder}: passage {p.start}-{p.end} ({p.code}) is outside"
                    f" article {u} (0-{size})"
                )
            raw.setdefault(p.code, []).append((base + p.start, base + p.end))
            used.setdefault(p.code, set()).add(u)
    return _Prepared(tagged, {k: _merge(v) for k, v in raw.items()}, used)


def _tag_note(n: int, a1: int, b1: int) -> str | None:
    if n == 0:
        return "no units"
    if a1 == b1 == 0:
        return "no variation: neither coder applied it as an article tag"
    if a1 == b1 == n:
        return "no variation: both coders applied it as a tag to every unit"
    return None


def _passage_note(total: int, a: Sequence[Span], b: Sequence[Span]) -> str | None:
    if total == 0:
        return "no text"
    if not a and not b:
        return "no variation: neither coder marked a passage with it"
    if _covered(a) == _covered(b) == total:
        return "no variation: both coders marked all the text with it"
    return None


def _units_and_offsets(
    units: Iterable[str], lengths: Mapping[str, int]
) -> tuple[list[str], dict[str, int], int]:
    ordered = sorted(set(units))
    offsets: dict[str, int] = {}
    total = 0
    for u in ordered:
        if u not in lengths:
            raise ValueError(f"no text length for unit {u}")
        offsets[u] = total
        total += lengths[u]
    return ordered, offsets, total


def agreement_report(
    a: Coding,
    b: Coding,
    lengths: Mapping[str, int],
    units: Iterable[str] | None = None,
    codes: Iterable[str] | None = None,
    order: Sequence[str] = (),
) -> AgreementReport:
    """κ, α, character κ and uα per code and overall, over ``units`` (default: coded_units).

    ``lengths`` gives each unit's text length (the offsets of passages are into that text).
    ``codes`` chooses and orders the codes reported (default: every code either coder used in
    the units, in ``order`` — the codebook's tree order — then any other by name); the
    overall figures pool exactly the reported codes.
    """
    ordered, offsets, total = _units_and_offsets(
        coded_units(a, b) if units is None else units, lengths
    )
    pa = _prepare(a, ordered, offsets, lengths)
    pb = _prepare(b, ordered, offsets, lengths)
    if codes is None:
        rank = {c: i for i, c in enumerate(order)}
        chosen = sorted(set(pa.used) | set(pb.used), key=lambda c: (rank.get(c, len(rank)), c))
    else:
        chosen = list(dict.fromkeys(codes))
    n = len(ordered)
    rows: list[CodeFigures] = []
    kappas: list[_Parts] = []
    alphas: list[_Parts] = []
    char_kappas: list[_Parts] = []
    alpha_us: list[_Parts] = []
    for code in chosen:
        ta, tb = pa.tagged.get(code, set()), pb.tagged.get(code, set())
        a1, b1, n11 = len(ta), len(tb), len(ta & tb)
        kappa, alpha = _kappa_binary(n, n11, a1, b1), _alpha_binary(n, n11, a1, b1)
        sa, sb = pa.spans.get(code, []), pb.spans.get(code, [])
        ca, cb = _covered(sa), _covered(sb)
        char_kappa = _kappa_binary(total, _intersection(sa, sb), ca, cb)
        alpha_u_ = _alpha_u_parts(sa, sb, total)
        kappas.append(kappa)
        alphas.append(alpha)
        char_kappas.append(char_kappa)
        alpha_us.append(alpha_u_)
        row: CodeFigures = {
            "code": code,
            "units": len(pa.used.get(code, set()) | pb.used.get(code, set())),
            # neither coder used it as a tag: "agreeing" on its absence is no figure to
            # report (1.000 beside "tags: no variation" misled — testerC F4)
            "agreement": None if n == 0 or a1 == b1 == 0 else (n - a1 - b1 + 2 * n11) / n,
            "kappa": kappa.value,
            "alpha": alpha.value,
            "char_kappa": char_kappa.value,
            "alpha_u": alpha_u_.value,
        }
        notes = []
        if row["kappa"] is None or row["alpha"] is None:
            notes.append(f"tags: {_tag_note(n, a1, b1) or 'undefined'}")
        if row["char_kappa"] is not None or row["alpha_u"] is not None:
            label = "char κ" if row["char_kappa"] is None else "uα"
        else:
            label = "passages"
        if row["char_kappa"] is None or row["alpha_u"] is None:
            notes.append(f"{label}: {_passage_note(total, sa, sb) or 'no variation'}")
        if notes:
            row["note"] = "; ".join(notes)
        rows.append(row)
    return {
        "coders": [a.coder, b.coder],
        "units": n,
        "only_read": {c.coder: len(set(ordered) - _coded(c)) for c in (a, b)},
        "codes": rows,
        "overall": {
            "kappa": _pooled(kappas),
            "alpha": _pooled(alphas),
            "char_kappa": _pooled(char_kappas),
            "alpha_u": _pooled(alpha_us),
        },
    }


def disagreements(
    a: Coding,
    b: Coding,
    units: Iterable[str],
    codes: Iterable[str] | None = None,
) -> list[DisagreementRow]:
    """Every unit × code where the coders differ (tag presence, or passages once overlaps are
    merged), sorted by unit then code — the adjudication queue. Passages are as each coder
    made them, sorted, in the unit's own offsets."""
    return [r for r in _unit_codes(a, b, units, codes) if r.tag_differs or r.passages_differ]


def agreements(a: Coding, b: Coding, units: Iterable[str]) -> list[DisagreementRow]:
    """Every unit × code both coders applied alike (the same tag, the same text coded): what
    the adjudicated coder holds besides the settled disagreements."""
    return [
        r
        for r in _unit_codes(a, b, units, None)
        if not (r.tag_differs or r.passages_differ) and (r.a_tag or r.a_passages)
    ]


def _unit_codes(
    a: Coding, b: Coding, units: Iterable[str], codes: Iterable[str] | None
) -> list[DisagreementRow]:
    """What each coder did with each code either used on each unit."""
    wanted = None if codes is None else set(codes)
    out: list[DisagreementRow] = []
    for u in sorted(set(units)):
        tags_a, tags_b = a.tags.get(u, set()), b.tags.get(u, set())
        pas_a: dict[str, list[Span]] = {}
        pas_b: dict[str, list[Span]] = {}
        for p in a.passages.get(u, ()):
            pas_a.setdefault(p.code, []).append((p.start, p.end))
        for p in b.passages.get(u, ()):
            pas_b.setdefault(p.code, []).append((p.start, p.end))
        for code in sorted(set(tags_a) | set(tags_b) | set(pas_a) | set(pas_b)):
            if wanted is not None and code not in wanted:
                continue
            row = DisagreementRow(
                unit=u,
                code=code,
                a_tag=code in tags_a,
                b_tag=code in tags_b,
                a_passages=tuple(sorted(pas_a.get(code, []))),
                b_passages=tuple(sorted(pas_b.get(code, []))),
            )
            out.append(row)
    return out


# --- formatting --------------------------------------------------------------------------------

_COLUMNS = ("agreement", "kappa", "alpha", "char_kappa", "alpha_u")


def _row_figures(row: CodeFigures) -> list[float | None]:
    return [row["agreement"], row["kappa"], row["alpha"], row["char_kappa"], row["alpha_u"]]


def _overall_figures(o: OverallFigures) -> list[float | None]:
    return [o["kappa"], o["alpha"], o["char_kappa"], o["alpha_u"]]


def strength(value: float | None) -> str:
    """Krippendorff's (2004) reading: ≥ .800 reliable, ≥ .667 tentative, else unreliable."""
    if value is None:
        return "undefined"
    if value >= 0.8:
        return "reliable"
    if value >= 0.667:
        return "tentative"
    return "unreliable"


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def to_markdown(report: AgreementReport) -> str:
    """The report as a Markdown table, three decimals, "—" where a figure is undefined."""
    a, b = report["coders"]
    lines = [
        f"Agreement between {a} and {b} over {units_text(report)}",
        "",
        "| code | used | agreement | κ | α | char κ | uα | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    for row in report["codes"]:
        figures = " | ".join(_fmt(x) for x in _row_figures(row))
        lines.append(
            f"| {cell(row['code'])} | {row['units']} | {figures} | {cell(row.get('note', ''))} |"
        )
    o = report["overall"]
    overall = " | ".join(_fmt(x) for x in _overall_figures(o))
    lines.append(f"| **overall** | {report['units']} |  | {overall} |  |")
    lines += [
        "",
        f"used: the units in which either coder used the code; a code's agreement, κ and α are"
        f" over all {report['units']} units.",
    ]
    return "\n".join(lines) + "\n"


def to_csv(report: AgreementReport) -> str:
    """The report as CSV, one row per code and a last row ``(overall)``; empty = undefined.
    Names and notes are cells a spreadsheet shows, not evaluates (as in every CSV export)."""
    from storage.export import cell

    def num(value: float | None) -> str:
        return "" if value is None else f"{value:.4f}"

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    a, b = cell(report["coders"][0]), cell(report["coders"][1])
    w.writerow(["coder_a", "coder_b", "code", "units", *_COLUMNS, "note"])
    for row in report["codes"]:
        w.writerow(
            [a, b, cell(row["code"]), row["units"]]
            + [num(x) for x in _row_figures(row)]
            + [cell(row.get("note", ""))]
        )
    o = report["overall"]
    w.writerow(
        [a, b, "(overall)", report["units"], ""] + [num(x) for x in _overall_figures(o)] + [""]
    )
    return buf.getvalue()
