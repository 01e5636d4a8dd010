"""rate(): the share of a group with an outcome and its Wilson interval (METHODS §8)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from equitykit import metrics


def test_methods_10_6_black_risk_and_wilson_interval():
    r = metrics.rate(40, 400)
    assert r.value == pytest.approx(0.1000, abs=5e-5)
    assert (round(r.ci_low, 4), round(r.ci_high, 4)) == (0.0743, 0.1333)
    assert r.n == 400


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.01])
def test_wilson_matches_statsmodels_over_a_grid(alpha):
    for n in (1, 2, 7, 30, 250, 10_000):
        for x in sorted({0, 1, n // 3, n - 1, n}):
            r = metrics.rate(x, n, alpha=alpha)
            lo, hi = proportion_confint(x, n, alpha=alpha, method="wilson")
            assert r.value == pytest.approx(x / n, abs=1e-12)
            assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), abs=1e-9)


def test_positional_signature_and_float():
    assert float(metrics.rate(3, 12)) == 0.25


def test_empty_group_is_undefined_with_a_reason():
    r = metrics.rate(0, 0)
    assert math.isnan(r.value) and not r.defined
    assert r.reason == "no students in the group"


@pytest.mark.parametrize("x, n", [(5, 4), (-1, 10), (1.5, 10), (np.nan, 10)])
def test_impossible_counts_are_a_clear_error(x, n):
    with pytest.raises(ValueError, match="0 <= x <= n"):
        metrics.rate(x, n)


def test_bad_alpha_is_a_clear_error():
    with pytest.raises(ValueError, match="alpha"):
        metrics.rate(1, 10, alpha=1.5)
