"""composition, representation_index, e_formula, weighted_risk_ratio (METHODS §3.1)."""

from __future__ import annotations

import math

import pytest
from _dispro_example import ENROLLED, PRINTED, STATE_SHARES, WITH_OUTCOME, N, X

from equitykit import metrics


@pytest.mark.parametrize("group", list(PRINTED))
def test_methods_10_6_composition_index_and_e_formula(group):
    x, n = WITH_OUTCOME[group], ENROLLED[group]
    assert round(100 * metrics.composition(x, n, X, N).value, 2) == PRINTED[group]["comp"]
    ri = metrics.representation_index(x, n, X, N)
    assert ri.value == pytest.approx((x / X) / (n / N), rel=1e-12)
    # RDC% (relative difference in composition) = 100 (RI - 1): +233.3, 0, -33.3, -66.7, -66.7
    assert round(100 * (ri.value - 1), 1) == {"Black": 233.3, "Hispanic/Latino": 0.0,
                                              "White": -33.3}.get(group, -66.7)
    assert round(100 * metrics.e_formula(x, n, X, N).value, 2) == PRINTED[group]["e"]


@pytest.mark.parametrize("group", list(PRINTED))
def test_methods_10_6_weighted_risk_ratios(group):
    wrr = metrics.weighted_risk_ratio(WITH_OUTCOME, ENROLLED, STATE_SHARES, group)
    assert round(wrr.value, 3) == PRINTED[group]["wrr"]


def test_composition_interval_is_the_katz_interval_through_the_identity():
    c = metrics.composition(40, 400, 120, 4000)
    rr = metrics.risk_ratio(40, 400, 80, 3600)
    e = 0.1
    for bound, r in ((c.ci_low, rr.ci_low), (c.ci_high, rr.ci_high)):
        assert (bound / (1 - bound)) / (e / (1 - e)) == pytest.approx(r, rel=1e-12)
    ri = metrics.representation_index(40, 400, 120, 4000)
    assert (ri.ci_low, ri.ci_high) == pytest.approx((c.ci_low / e, c.ci_high / e), rel=1e-12)


def test_e_formula_constant_and_flags():
    one = metrics.e_formula(40, 400, 120, 4000)
    two = metrics.e_formula(40, 400, 120, 4000, constant=2)
    half = math.sqrt(0.1 * 0.9 / 120)
    assert two.value == pytest.approx(0.1 + 2 * half, rel=1e-12)
    assert one.lower == pytest.approx(0.1 - half, rel=1e-12)
    assert one.over_represented and not one.under_represented
    asian = metrics.e_formula(3, 300, 120, 4000)
    assert asian.under_represented  # 2.5% < 7.5% - 2.4%


def test_weighted_risk_ratio_undefined_when_a_weighting_group_is_empty():
    n = {**ENROLLED, "Asian": 0}
    x = {**WITH_OUTCOME, "Asian": 0}
    wrr = metrics.weighted_risk_ratio(x, n, STATE_SHARES, "Black")
    assert math.isnan(wrr.value) and "Asian" in wrr.reason


def test_weighted_risk_ratio_needs_every_share():
    with pytest.raises(ValueError, match="no state share"):
        metrics.weighted_risk_ratio(WITH_OUTCOME, ENROLLED, {"Black": 0.5}, "Black")


def test_shares_need_someone_with_the_outcome():
    assert metrics.composition(0, 10, 0, 100).reason == "no students had the outcome"
