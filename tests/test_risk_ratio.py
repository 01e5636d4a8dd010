"""risk_ratio / alternate_risk_ratio / odds_ratio: Katz interval, p-values, zero cells."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _dispro_example import ENROLLED, PRINTED, WITH_OUTCOME, N, X
from scipy.stats import chi2_contingency, fisher_exact
from statsmodels.stats.proportion import confint_proportions_2indep

from equitykit import metrics
from equitykit.metrics._rates import fisher_exact_p


@pytest.mark.parametrize("group", list(PRINTED))
def test_methods_10_6_risk_ratios(group):
    x, n = WITH_OUTCOME[group], ENROLLED[group]
    rr = metrics.risk_ratio(x, n, X - x, N - n, test="fisher")
    assert round(rr.value, 3) == PRINTED[group]["rr"]
    p = PRINTED[group]["p"]
    assert float(f"{rr.p_value:.2g}") == pytest.approx(p, rel=1e-9)


def test_methods_10_6_black_katz_interval():
    rr = metrics.risk_ratio(40, 400, 80, 3600)
    assert (round(rr.ci_low, 3), round(rr.ci_high, 3)) == (3.123, 6.484)
    assert rr.se == pytest.approx(math.sqrt(1 / 40 - 1 / 400 + 1 / 80 - 1 / 3600), rel=1e-12)


@pytest.mark.parametrize("a, n1, c, n2", [(40, 400, 80, 3600), (3, 300, 117, 3700),
                                          (1, 2, 5, 9), (12, 12, 3, 50)])
def test_katz_interval_matches_statsmodels_log_method(a, n1, c, n2):
    rr = metrics.risk_ratio(a, n1, c, n2, alpha=0.1)
    lo, hi = confint_proportions_2indep(a, n1, c, n2, compare="ratio", method="log", alpha=0.1)
    assert rr.value == pytest.approx((a / n1) / (c / n2), rel=1e-12)
    assert (rr.ci_low, rr.ci_high) == pytest.approx((lo, hi), rel=1e-9)


def test_p_value_is_fisher_when_an_expected_count_is_below_5():
    rr = metrics.risk_ratio(3, 20, 10, 200)  # expected 20 * 13 / 220 = 1.18
    assert rr.test == "fisher"
    assert rr.p_value == pytest.approx(fisher_exact([[3, 17], [10, 190]])[1], rel=1e-9)


def test_p_value_is_uncorrected_chi_square_otherwise():
    rr = metrics.risk_ratio(40, 400, 80, 3600)
    assert rr.test == "chi2"
    ref = chi2_contingency([[40, 360], [80, 3520]], correction=False)[1]
    assert rr.p_value == pytest.approx(ref, rel=1e-9)
    forced = metrics.risk_ratio(40, 400, 80, 3600, test="fisher")
    assert forced.test == "fisher"
    assert forced.p_value == pytest.approx(fisher_exact([[40, 360], [80, 3520]])[1], rel=1e-9)


def test_vectorised_fisher_matches_scipy_on_random_tables():
    rng = np.random.default_rng(7)
    n1, n2 = rng.integers(0, 60, 400), rng.integers(0, 90, 400)
    a, c = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
    ours = fisher_exact_p(a, n1, c, n2)
    ref = [fisher_exact([[i, m - i], [j, k - j]])[1] for i, m, j, k in
           zip(a, n1, c, n2, strict=True)]
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-15)


def test_no_comparison_student_with_the_outcome_is_infinite_and_explained():
    rr = metrics.risk_ratio(5, 50, 0, 200)
    assert rr.value == math.inf
    assert math.isnan(rr.ci_low) and math.isnan(rr.ci_high)
    assert rr.reason == "no comparison-group students had the outcome"
    assert rr.p_value == pytest.approx(fisher_exact([[5, 45], [0, 200]])[1], rel=1e-9)


def test_zero_in_the_group_gives_zero_ratio_without_interval():
    rr = metrics.risk_ratio(0, 50, 10, 200)
    assert rr.value == 0.0 and math.isnan(rr.ci_high)
    assert "no students in the group had the outcome" in rr.reason


@pytest.mark.parametrize("args, reason", [((0, 0, 1, 10), "no students in the group"),
                                          ((1, 10, 0, 0), "no students in the comparison group"),
                                          ((0, 10, 0, 10), "no students had the outcome")])
def test_undefined_ratios_say_why(args, reason):
    rr = metrics.risk_ratio(*args)
    assert math.isnan(rr.value) and rr.reason == reason


def test_methods_10_5_alternate_risk_ratio_is_exactly_three():
    arr = metrics.alternate_risk_ratio(18, 120, 5000, 100000)
    assert arr.value == 3.0  # exact, so the strict "> 3.0" rule is not tripped by rounding
    assert arr.comparison == "state_other"


def test_odds_ratio_matches_statsmodels_logit_interval():
    o = metrics.odds_ratio(40, 400, 80, 3600)
    lo, hi = confint_proportions_2indep(40, 400, 80, 3600, compare="odds-ratio",
                                        method="logit")
    assert o.value == pytest.approx((40 / 360) / (80 / 3520), rel=1e-12)
    assert (o.ci_low, o.ci_high) == pytest.approx((lo, hi), rel=1e-9)
    assert math.isnan(metrics.odds_ratio(0, 10, 3, 10).value)
