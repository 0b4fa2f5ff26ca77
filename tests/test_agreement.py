"""Agreement figures against reference values: the ``krippendorff`` package, hand-worked
examples, Krippendorff's (1995) unitizing example, and brute-force character counts."""

from __future__ import annotations

import csv
import io
import json
import math
import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workspace.agreement import (
    Coding,
    Passage,
    _alpha_u_parts,
    _partition,
    agreement_report,
    alpha_u,
    coded_units,
    cohen_kappa,
    disagreements,
    krippendorff_alpha,
    strength,
    to_csv,
    to_markdown,
)


def textbook_kappa(a: Sequence[object], b: Sequence[object]) -> float:
    """Cohen (1960) written out the long way, as an independent reference."""
    n = len(a)
    values = set(a) | set(b)
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pe = sum((list(a).count(v) / n) * (list(b).count(v) / n) for v in values)
    return (po - pe) / (1 - pe)


def package_alpha(a: Sequence[int], b: Sequence[int]) -> float:
    krippendorff = pytest.importorskip("krippendorff")
    return float(
        krippendorff.alpha(reliability_data=[list(a), list(b)], level_of_measurement="nominal")
    )


def tags_only(coder: str, vectors: dict[str, list[int]], units: list[str]) -> Coding:
    return Coding(
        coder,
        tags={u: {code for code, v in vectors.items() if v[i]} for i, u in enumerate(units)},
        read=set(units),
    )


# --- article tags: κ and α ---------------------------------------------------------------------


def test_hand_worked_kappa_and_alpha() -> None:
    # Ten articles, code "党建" as an article tag:
    #   A: 1 1 1 1 1 0 0 0 0 0
    #   B: 1 1 1 0 0 0 0 0 0 1
    # 2×2 table: both 3, A only 2, B only 1, neither 4 → observed agreement 7/10 = 0.7.
    # κ: A says yes 5/10, B 4/10; p_e = .5·.4 + .5·.6 = .5; κ = (.7 − .5)/(1 − .5) = 0.4.
    # α: 20 values, n1 = 5 + 4 = 9 ones, n0 = 11 zeros, d = 3 units disagree;
    #    D_o = 2d/20 = 0.3, D_e = 2·n1·n0/(20·19) = 198/380;
    #    α = 1 − D_o/D_e = 1 − 19·3/(9·11) = 1 − 57/99 = 42/99 = 0.4242…
    units = [f"a{i}" for i in range(10)]
    a = tags_only("A", {"党建": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]}, units)
    b = tags_only("B", {"党建": [1, 1, 1, 0, 0, 0, 0, 0, 0, 1]}, units)
    report = agreement_report(a, b, dict.fromkeys(units, 10))
    (row,) = report["codes"]
    assert row["agreement"] == pytest.approx(0.7)
    assert row["kappa"] == pytest.approx(0.4)
    assert row["alpha"] == pytest.approx(42 / 99)
    assert row["alpha"] == pytest.approx(
        package_alpha([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0, 0, 1])
    )
    assert row["units"] == 6  # articles where either coder used it
    # one code: the pooled figures are that code's
    assert report["overall"]["kappa"] == pytest.approx(0.4)
    assert report["overall"]["alpha"] == pytest.approx(42 / 99)


def test_krippendorff_1995_digitized_example() -> None:
    # Krippendorff (1995) example A cut into 24 one-character items (Bertha vs Bill); the
    # published coefficients, as DKPro Agreement's test reproduces them.
    bertha = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
    bill = [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    kappa, alpha = cohen_kappa(bertha, bill), krippendorff_alpha(bertha, bill)
    assert kappa == pytest.approx(0.385, abs=0.001)
    assert alpha == pytest.approx(0.329, abs=0.001)
    # and the same as character κ over passages
    a = Coding("A", passages={"x": [Passage(2, 10, "c"), Passage(14, 20, "c")]})
    b = Coding("B", passages={"x": [Passage(4, 8, "c"), Passage(15, 17, "c")]})
    report = agreement_report(a, b, {"x": 24})
    assert report["codes"][0]["char_kappa"] == pytest.approx(kappa)


def test_random_tags_match_krippendorff_package() -> None:
    rng = random.Random(20261127)
    compared = 0
    for _ in range(60):
        n = rng.randint(2, 80)
        units = [f"u{i:03d}" for i in range(n)]
        codes = [f"c{k}" for k in range(rng.randint(1, 5))]
        va: dict[str, list[int]] = {}
        vb: dict[str, list[int]] = {}
        for c in codes:
            p, agree = rng.random(), rng.random()
            va[c] = [int(rng.random() < p) for _ in units]
            vb[c] = [x if rng.random() < agree else int(rng.random() < p) for x in va[c]]
        report = agreement_report(
            tags_only("A", va, units),
            tags_only("B", vb, units),
            dict.fromkeys(units, 5),
            codes=codes,
        )
        for row in report["codes"]:
            a, b = va[row["code"]], vb[row["code"]]
            if not any(a) and not any(b):  # neither used it as a tag: not applicable
                assert row["agreement"] is None
            else:
                assert row["agreement"] == pytest.approx(
                    sum(x == y for x, y in zip(a, b, strict=True)) / n
                )
            if len(set(a) | set(b)) == 1:
                assert row["kappa"] is None and row["alpha"] is None
                assert "no variation" in row.get("note", "")
                continue
            assert row["alpha"] == pytest.approx(package_alpha(a, b), abs=1e-9)
            assert row["kappa"] == pytest.approx(textbook_kappa(a, b), abs=1e-9)
            compared += 1
    assert compared > 100


def test_nominal_helpers_match_package_on_many_values() -> None:
    rng = random.Random(7)
    for _ in range(40):
        n = rng.randint(2, 50)
        k = rng.randint(2, 6)
        a = [rng.randrange(k) for _ in range(n)]
        b = [x if rng.random() < 0.6 else rng.randrange(k) for x in a]
        if len(set(a) | set(b)) == 1:
            assert krippendorff_alpha(a, b) is None
            continue
        assert krippendorff_alpha(a, b) == pytest.approx(package_alpha(a, b), abs=1e-9)
        if len(set(a)) == 1 and set(a) == set(b):
            continue
        assert cohen_kappa(a, b) == pytest.approx(textbook_kappa(a, b), abs=1e-9)


def test_identical_codings_give_one() -> None:
    units = ["a", "b", "c", "d"]
    c = Coding(
        "A",
        tags={"a": {"x"}, "b": {"x", "y"}, "c": {"y"}, "d": set()},
        passages={"a": [Passage(0, 5, "x"), Passage(8, 9, "y")], "c": [Passage(3, 20, "x")]},
        read={"d"},
    )
    report = agreement_report(c, Coding("B", c.tags, c.passages, c.read), dict.fromkeys(units, 30))
    for row in report["codes"]:
        for key in ("agreement", "kappa", "alpha", "char_kappa", "alpha_u"):
            assert row[key] == 1.0, (row["code"], key)
    assert all(v == 1.0 for v in report["overall"].values())


def test_systematic_disagreement_is_at_most_zero() -> None:
    units = [f"u{i}" for i in range(20)]
    half = [i % 2 for i in range(20)]
    a = Coding(
        "A",
        tags={u: ({"x"} if h else set()) for u, h in zip(units, half, strict=True)},
        passages={u: [Passage(0, 50, "x")] for u in units},
    )
    b = Coding(
        "B",
        tags={u: (set() if h else {"x"}) for u, h in zip(units, half, strict=True)},
        passages={u: [Passage(50, 100, "x")] for u in units},
    )
    (row,) = agreement_report(a, b, dict.fromkeys(units, 100))["codes"]
    assert row["agreement"] == 0.0
    for key in ("kappa", "alpha", "char_kappa", "alpha_u"):
        value = row[key]
        assert value is not None and value <= 0, key
    assert row["kappa"] == pytest.approx(-1.0)
    # one coder always, the other never: no chance agreement to beat, κ = 0, α < 0
    a2 = tags_only("A", {"x": [1] * 10}, units[:10])
    b2 = tags_only("B", {"x": [0] * 10}, units[:10])
    (row2,) = agreement_report(a2, b2, dict.fromkeys(units, 1))["codes"]
    assert row2["kappa"] == 0.0
    assert row2["alpha"] is not None and row2["alpha"] < 0


# --- passages: character κ ---------------------------------------------------------------------


def random_passages(rng: random.Random, length: int, codes: list[str]) -> list[Passage]:
    out = []
    for _ in range(rng.randint(0, 4)):
        s = rng.randrange(length)
        e = rng.randint(s + 1, min(length, s + 1 + length // 2))
        out.append(Passage(s, e, rng.choice(codes)))
    return out


def test_char_kappa_matches_per_character_count() -> None:
    rng = random.Random(3)
    for _ in range(40):
        units = [f"u{i}" for i in range(rng.randint(1, 6))]
        lengths = {u: rng.randint(1, 40) for u in units}
        codes = ["x", "y"]
        a = Coding("A", passages={u: random_passages(rng, lengths[u], codes) for u in units})
        b = Coding("B", passages={u: random_passages(rng, lengths[u], codes) for u in units})
        report = agreement_report(a, b, lengths, units=units, codes=codes)
        for row in report["codes"]:
            ca: list[int] = []
            cb: list[int] = []
            for u in units:
                for i in range(lengths[u]):
                    ca.append(
                        any(p.code == row["code"] and p.start <= i < p.end for p in a.passages[u])
                    )
                    cb.append(
                        any(p.code == row["code"] and p.start <= i < p.end for p in b.passages[u])
                    )
            if len(set(ca) | set(cb)) == 1:
                assert row["char_kappa"] is None
                assert "passages: no variation" in row.get("note", "")
            else:
                assert row["char_kappa"] == pytest.approx(textbook_kappa(ca, cb), abs=1e-9)


# --- passages: unitizing α ---------------------------------------------------------------------


def test_alpha_u_hand_worked() -> None:
    # Continuum of L = 10 characters (DKPro's UnitizingAgreementTest example):
    #   A: -11111111-    one unit [1, 9), length 8
    #   B: --1-1-1---    units [2, 3), [4, 5), [6, 7), length 1 each
    # Observed: overlapping unit pairs, δ² = (b1 − b2)² + (e1 − e2)²:
    #   [1,9)×[2,3): 1 + 36 = 37;  [1,9)×[4,5): 9 + 16 = 25;  [1,9)×[6,7): 25 + 4 = 29
    #   no unit lies wholly inside the other coder's gap → Σ = 91
    #   D_o = 2·91 / (R(R−1)·L²) = 91/100 = 0.91
    # Expected: N = 4 units (8, 1, 1, 1); gaps A: 1, 1; B: 2, 1, 1, 3 (Σ = 9)
    #   l = 8: (N−1)·l(l−1)(2l−1)/3 = 3·8·7·15/3 = 840; no gap ≥ 8 → + 0
    #   l = 1: 3·0 = 0;  l²·Σ_{g≥1}(g − l + 1) = 9; three such units → 27
    #   numerator = 2/L · (840 + 27) = 173.4
    #   denominator = R·L·(R·L − 1) − Σ l(l−1) = 20·19 − 56 = 324
    #   D_e = 173.4 / 324 = 0.535185…
    # uα = 1 − 0.91 / 0.535185 = −0.70035
    parts = _alpha_u_parts([(1, 9)], [(2, 3), (4, 5), (6, 7)], 10)
    assert parts.observed == pytest.approx(0.91)
    assert parts.expected == pytest.approx(173.4 / 324)
    assert parts.value == pytest.approx(1 - 0.91 * 324 / 173.4)
    assert parts.value == pytest.approx(-0.7003, abs=1e-4)


def krippendorff_1995(stretch: float) -> dict[str, tuple[list[tuple[int, int]], ...]]:
    """Krippendorff (1995: p. 57), four pairs of coders on a 24-unit continuum."""
    table = {
        "A": ([(2, 8), (14, 6)], [(4, 4), (15, 2)]),
        "B": ([(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)]),
        "C": ([(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]),
        "D": (
            [(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)],
            [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)],
        ),
    }
    return {
        k: tuple(
            [(int(o * stretch), int(o * stretch) + int(n * stretch)) for o, n in coder]
            for coder in pair
        )
        for k, pair in table.items()
    }


def test_alpha_u_krippendorff_1995_example() -> None:
    # D_o at stretch 1 and D_e, uα for a long continuum, as published and as DKPro gets them
    observed = {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}
    for k, (a, b) in krippendorff_1995(1).items():
        assert _alpha_u_parts(a, b, 24).observed == pytest.approx(observed[k], abs=1e-5)
    expected = {"A": 0.06990, "B": 1.17731, "C": 0.08642, "D": 0.41445}
    agreement = {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}
    stretch = 1_200_000 / 24
    for k, (a, b) in krippendorff_1995(stretch).items():
        parts = _alpha_u_parts(a, b, int(24 * stretch))
        assert parts.expected == pytest.approx(expected[k], abs=0.005)
        assert parts.value == pytest.approx(agreement[k], abs=0.02)
    # the short continuum, where DKPro pins D_e exactly
    a, b = krippendorff_1995(0.5)["C"]
    assert _alpha_u_parts(a, b, 12).expected == pytest.approx(0.05494, abs=1e-5)


def brute_observed(a: list[tuple[int, int]], b: list[tuple[int, int]], length: int) -> int:
    """Σ δ² over every pair of overlapping segments, by checking all pairs."""
    total = 0
    for s1, e1, u1 in _partition(a, length):
        for s2, e2, u2 in _partition(b, length):
            if min(e1, e2) <= max(s1, s2):
                continue
            if u1 and u2:
                total += (s1 - s2) ** 2 + (e1 - e2) ** 2
            elif u1 and not u2 and s2 <= s1 and e1 <= e2:
                total += (e1 - s1) ** 2
            elif u2 and not u1 and s1 <= s2 and e2 <= e1:
                total += (e2 - s2) ** 2
    return total


def random_units(rng: random.Random, length: int) -> list[tuple[int, int]]:
    cuts = sorted(rng.sample(range(length + 1), k=2 * rng.randint(0, min(4, length // 2))))
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2) if cuts[i] < cuts[i + 1]]


def test_alpha_u_observed_walk_matches_all_pairs() -> None:
    rng = random.Random(11)
    for _ in range(300):
        length = rng.randint(1, 60)
        a, b = random_units(rng, length), random_units(rng, length)
        parts = _alpha_u_parts(a, b, length)
        assert parts.observed * length * length == pytest.approx(brute_observed(a, b, length))


def test_alpha_u_overlapping_passages_of_one_coder_merge() -> None:
    assert alpha_u([(0, 5), (3, 8)], [(0, 8)], 20) == 1.0
    assert alpha_u([(0, 5), (3, 8)], [(1, 8)], 20) == alpha_u([(0, 8)], [(1, 8)], 20)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 49), st.integers(1, 20), st.sampled_from(["x", "y", "z"])),
        max_size=8,
    )
)
def test_identical_passages_give_one_or_none(raw: list[tuple[int, int, str]]) -> None:
    passages = [Passage(s, min(50, s + n), c) for s, n, c in raw]
    a = Coding("A", passages={"u": passages}, read={"u"})
    b = Coding("B", passages={"u": list(reversed(passages))}, read={"u"})
    report = agreement_report(a, b, {"u": 50})
    for row in report["codes"]:
        assert row["alpha_u"] == 1.0
        assert row["char_kappa"] in (1.0, None)


# --- units, report shape, undefined figures ----------------------------------------------------


def test_coded_units_needs_both_coders() -> None:
    a = Coding("A", tags={"t": {"x"}, "e": set()}, passages={"p": [Passage(0, 1, "x")]}, read={"r"})
    b = Coding("B", tags={"p": {"y"}, "e": set()}, read={"t", "q"})
    assert coded_units(a, b) == ["p", "t"]


def test_build_from_flat_rows() -> None:
    c = Coding.build(
        "A",
        tags=[("u1", "x"), ("u1", "y"), ("u2", "x")],
        passages=[("u1", 0, 4, "z"), ("u1", 0, 4, "x"), ("u3", 2, 5, "z")],
        read=["u4"],
    )
    assert c.tags == {"u1": {"x", "y"}, "u2": {"x"}}
    assert c.passages["u1"] == [Passage(0, 4, "z"), Passage(0, 4, "x")]
    assert c.read == {"u4"}
    assert coded_units(c, c) == ["u1", "u2", "u3", "u4"]


def test_report_shape_and_no_nan() -> None:
    a = Coding("甲", tags={"u1": {"x"}, "u2": {"x"}}, passages={"u1": [Passage(0, 3, "y")]})
    b = Coding("乙", tags={"u1": {"x"}, "u2": {"x"}}, read={"u1", "u2"})
    report = agreement_report(a, b, {"u1": 10, "u2": 10}, codes=["x", "y", "never"])
    assert set(report) == {"coders", "units", "only_read", "codes", "overall"}
    assert report["coders"] == ["甲", "乙"] and report["units"] == 2
    assert report["only_read"] == {"甲": 0, "乙": 0}  # 乙 read both and tagged both
    rows = {r["code"]: r for r in report["codes"]}
    assert list(rows) == ["x", "y", "never"]
    keys = {"code", "units", "agreement", "kappa", "alpha", "char_kappa", "alpha_u"}
    for r in report["codes"]:
        assert set(r) - {"note"} == keys
    x = rows["x"]
    assert x["agreement"] == 1.0 and x["kappa"] is None and x["alpha"] is None
    assert "both coders applied it as a tag to every unit" in x.get("note", "")
    assert "passages: no variation: neither coder marked a passage" in x.get("note", "")
    y = rows["y"]
    assert y["char_kappa"] == 0.0 and y["alpha_u"] is not None and y["alpha_u"] < 0
    assert y.get("note") == "tags: no variation: neither coder applied it as an article tag"
    # both coders mark everything: character κ undefined, uα still defined (boundaries agree)
    full = Coding("A", passages={"u1": [Passage(0, 10, "w")]}, read={"u1"})
    (w,) = agreement_report(full, Coding("B", full.tags, full.passages, full.read), {"u1": 10})[
        "codes"
    ]
    assert w["char_kappa"] is None and w["alpha_u"] == 1.0
    assert w.get("note", "").endswith(
        "; char κ: no variation: both coders marked all the text with it"
    )
    assert rows["never"]["units"] == 0 and rows["never"]["kappa"] is None
    assert set(report["overall"]) == {"kappa", "alpha", "char_kappa", "alpha_u"}
    # the tag figures are undefined for every code, so is their pooled figure
    assert report["overall"]["kappa"] is None
    json.dumps(report, allow_nan=False)


def test_no_units() -> None:
    report = agreement_report(Coding("A"), Coding("B"), {})
    assert report["units"] == 0 and report["codes"] == []
    assert report["overall"] == {"kappa": None, "alpha": None, "char_kappa": None, "alpha_u": None}
    (row,) = agreement_report(Coding("A"), Coding("B"), {}, codes=["x"])["codes"]
    assert row["agreement"] is None and "no units" in row.get("note", "")


def test_pooled_overall_is_mean_observed_over_mean_expected() -> None:
    units = [f"u{i}" for i in range(8)]
    va = {"x": [1, 1, 1, 0, 0, 0, 0, 0], "y": [1, 0, 1, 0, 1, 0, 1, 1]}
    vb = {"x": [1, 1, 0, 0, 0, 0, 0, 1], "y": [1, 0, 1, 1, 1, 0, 0, 1]}
    report = agreement_report(
        tags_only("A", va, units), tags_only("B", vb, units), dict.fromkeys(units, 1)
    )
    # De Vries et al. (2008): κ_pooled = (mean p_o − mean p_e) / (1 − mean p_e)
    po, pe = [], []
    for c in ("x", "y"):
        a, b = va[c], vb[c]
        po.append(sum(p == q for p, q in zip(a, b, strict=True)) / 8)
        pe.append((sum(a) / 8) * (sum(b) / 8) + (1 - sum(a) / 8) * (1 - sum(b) / 8))
    mpo, mpe = sum(po) / 2, sum(pe) / 2
    assert report["overall"]["kappa"] == pytest.approx((mpo - mpe) / (1 - mpe))


def test_bad_input_is_refused() -> None:
    a = Coding("A", passages={"u": [Passage(5, 20, "x")]}, read={"u"})
    with pytest.raises(ValueError, match="outside article u"):
        agreement_report(a, Coding("B", read={"u"}), {"u": 10})
    with pytest.raises(ValueError, match="no text length for unit u"):
        agreement_report(a, Coding("B", read={"u"}), {})


# --- adjudication and formats ------------------------------------------------------------------


def test_disagreements_lists_what_each_coder_did() -> None:
    a = Coding(
        "A",
        tags={"u1": {"x", "y"}, "u2": {"x"}},
        passages={"u1": [Passage(5, 9, "z"), Passage(0, 3, "z")], "u2": [Passage(0, 4, "x")]},
    )
    b = Coding(
        "B",
        tags={"u1": {"x"}, "u2": {"x"}},
        passages={"u1": [Passage(0, 3, "z")], "u2": [Passage(0, 2, "x"), Passage(2, 4, "x")]},
    )
    rows = disagreements(a, b, ["u2", "u1"])
    assert [(r.unit, r.code) for r in rows] == [("u1", "y"), ("u1", "z"), ("u2", "x")]
    y, z, x = rows
    assert y.a_tag and not y.b_tag and y.tag_differs and not y.passages_differ
    assert z.a_passages == ((0, 3), (5, 9)) and z.b_passages == ((0, 3),)
    assert z.passages_differ and not z.tag_differs
    # touching passages are two units for uα, so the split at 2 is a disagreement
    assert x.passages_differ and x.b_passages == ((0, 2), (2, 4))
    assert [r.code for r in disagreements(a, b, ["u1", "u2"], codes=["y"])] == ["y"]


def test_markdown_and_csv() -> None:
    units = [f"u{i}" for i in range(4)]
    a = tags_only("A", {"x|y": [1, 1, 0, 0], "z": [1, 1, 1, 1]}, units)
    b = tags_only("B", {"x|y": [1, 0, 0, 0], "z": [1, 1, 1, 1]}, units)
    report = agreement_report(a, b, dict.fromkeys(units, 3))
    md = to_markdown(report)
    assert md.startswith("Agreement between A and B over 4 units")
    assert "| x\\|y | 2 | 0.750 |" in md
    assert "| z | 4 | 1.000 | — | — |" in md
    assert "**overall**" in md
    # 2 is where either coder used x|y, 0.750 is over all 4 units: the table says which is which
    assert "| code | used | agreement |" in md
    assert "used: the units in which either coder used the code" in md and "all 4 units" in md
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert [r["code"] for r in rows] == ["x|y", "z", "(overall)"]
    assert rows[0]["coder_a"] == "A" and rows[0]["agreement"] == "0.7500"
    assert rows[1]["kappa"] == "" and "no variation" in rows[1]["note"]
    assert float(rows[2]["kappa"]) == pytest.approx(report["overall"]["kappa"] or math.nan)


def test_strength_labels() -> None:
    assert [strength(v) for v in (None, 0.9, 0.7, 0.1)] == [
        "undefined",
        "reliable",
        "tentative",
        "unreliable",
    ]
