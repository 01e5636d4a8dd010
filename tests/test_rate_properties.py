"""Identities the rate comparisons must satisfy for any counts (hypothesis; METHODS §3.1)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitykit import metrics


@st.composite
def two_groups(draw, min_x=0):
    n1 = draw(st.integers(1, 5000))
    n2 = draw(st.integers(1, 5000))
    a = draw(st.integers(min_x, n1))
    c = draw(st.integers(min_x, n2))
    return a, n1, c, n2


@given(two_groups(min_x=1))
def test_composition_to_risk_ratio_identity(t):
    a, n1, c, n2 = t
    comp = metrics.composition(a, n1, a + c, n1 + n2).value
    share = n1 / (n1 + n2)
    rr = metrics.risk_ratio(a, n1, c, n2)
    if comp < 1:
        assert rr.value == pytest.approx((comp / (1 - comp)) / (share / (1 - share)), rel=1e-9)
    assert rr.ci_low <= rr.value <= rr.ci_high


@given(two_groups())
def test_risk_difference_is_the_difference_of_rates(t):
    a, n1, c, n2 = t
    rd = metrics.risk_difference(a, n1, c, n2)
    assert rd.value == pytest.approx(metrics.rate(a, n1).value - metrics.rate(c, n2).value,
                                     abs=1e-12)
    assert rd.ci_low - 1e-12 <= rd.value <= rd.ci_high + 1e-12
    assert rd.ci_low >= -1 and rd.ci_high <= 1


@given(two_groups())
def test_excess_students_add_up(t):
    a, n1, c, n2 = t
    ex_a = metrics.excess_students(a, n1, c, n2).value
    ex_c = metrics.excess_students(c, n2, a, n1).value
    assert ex_a == pytest.approx(n1 * metrics.risk_difference(a, n1, c, n2).value, abs=1e-9)
    # the two groups' excesses mirror each other: n2·excess_1 = −n1·excess_2
    assert n2 * ex_a == pytest.approx(-n1 * ex_c, abs=1e-6)
    # parity in counts: removing the excess leaves the group at the other group's rate
    assert (a - ex_a) / n1 == pytest.approx(c / n2, abs=1e-12)


@given(two_groups())
def test_wilson_interval_contains_the_rate(t):
    a, n1, _, _ = t
    r = metrics.rate(a, n1)
    assert 0 <= r.ci_low <= r.value <= r.ci_high <= 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), min_size=2, max_size=7))
def test_table_and_scalars_agree_for_any_groups(groups):
    cells = [(min(x, n), n) for x, n in groups]
    X, N = sum(x for x, _ in cells), sum(n for _, n in cells)
    names = [f"g{i}" for i in range(len(cells))]
    df = pd.DataFrame({
        "district_id": "D", "school_id": "", "school_year": 2024, "measure": "gifted",
        "dimension": ["all"] + ["sex"] * len(cells), "group": ["all", *names],
        "numerator": [X] + [x for x, _ in cells], "denominator": [N] + [n for _, n in cells]})
    table = metrics.disproportionality(df).set_index(["group", "measure"])
    for name, (x, n) in zip(names, cells, strict=True):
        expected = {
            "rate": metrics.rate(x, n),
            "risk_ratio": metrics.risk_ratio(x, n, X - x, N - n),
            "risk_difference": metrics.risk_difference(x, n, X - x, N - n),
            "excess_students": metrics.excess_students(x, n, X - x, N - n),
            "composition": metrics.composition(x, n, X, N),
            "representation_index": metrics.representation_index(x, n, X, N),
        }
        for measure, est in expected.items():
            row = table.loc[(name, measure)]
            for col in ("value", "ci_low", "ci_high", "p_value"):
                assert row[col] == pytest.approx(getattr(est, col), rel=1e-9, abs=1e-12,
                                                 nan_ok=True), (name, measure, col)
