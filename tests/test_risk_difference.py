"""risk_difference (Newcombe interval) and excess_students (METHODS §3.1, §8)."""

from __future__ import annotations

import math

import pytest
from _dispro_example import ENROLLED, PRINTED, WITH_OUTCOME, N, X
from statsmodels.stats.proportion import confint_proportions_2indep

from equitykit import metrics


@pytest.mark.parametrize("group", list(PRINTED))
def test_methods_10_6_risk_differences_and_excess_students(group):
    x, n = WITH_OUTCOME[group], ENROLLED[group]
    assert round(metrics.risk_difference(x, n, X - x, N - n).value, 4) == PRINTED[group]["rd"]
    assert round(metrics.excess_students(x, n, X - x, N - n).value, 1) == pytest.approx(
        PRINTED[group]["excess"])


@pytest.mark.parametrize("a, n1, c, n2", [(40, 400, 80, 3600), (0, 25, 7, 90),
                                          (5, 5, 0, 12), (1, 300, 119, 3700)])
def test_newcombe_interval_matches_statsmodels(a, n1, c, n2):
    rd = metrics.risk_difference(a, n1, c, n2)
    lo, hi = confint_proportions_2indep(a, n1, c, n2, compare="diff", method="newcomb")
    assert rd.value == pytest.approx(a / n1 - c / n2, abs=1e-12)
    assert (rd.ci_low, rd.ci_high) == pytest.approx((lo, hi), abs=1e-9)


def test_excess_students_is_group_size_times_risk_difference():
    ex = metrics.excess_students(40, 400, 80, 3600)
    rd = metrics.risk_difference(40, 400, 80, 3600)
    assert ex.value == pytest.approx(40 - 400 * 80 / 3600, rel=1e-12)
    assert (ex.ci_low, ex.ci_high) == pytest.approx((400 * rd.ci_low, 400 * rd.ci_high))


def test_empty_comparison_group_is_undefined():
    assert math.isnan(metrics.risk_difference(1, 10, 0, 0).value)
    assert metrics.excess_students(1, 10, 0, 0).reason == "no students in the comparison group"
