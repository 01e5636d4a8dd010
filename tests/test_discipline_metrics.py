"""Discipline decision-point statistics against hand-computed values and statsmodels."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable

from equitykit import metrics

# Two offense categories; by hand (Greenland–Robins 1985, Cochran–Mantel–Haenszel):
# R = 8·40/50 + 3·50/60 = 8.9, S = 20·10/50 + 5·10/60 = 4.8333…, RR = 1.841379…
# var ln RR = [(10·40·28 − 8·20·50)/50² + (10·50·8 − 3·5·60)/60²] / (R·S) = 2.141111/43.016667
# CMH χ² = (2.4 + 1.6667)² / (2.011429 + 0.979284) = 5.52983…
STRATA = dict(x_group=[8, 3], n_group=[10, 10], x_other=[20, 5], n_other=[40, 50])


def test_mantel_haenszel_matches_hand_computation():
    est = metrics.mantel_haenszel_risk_ratio(**STRATA)
    rr = 8.9 / (4 + 5 / 6)
    se = math.sqrt((1.28 + 3100 / 3600) / (8.9 * (4 + 5 / 6)))
    assert est.value == pytest.approx(rr, abs=1e-9)
    assert est.se == pytest.approx(se, abs=1e-9)
    assert est.ci_low == pytest.approx(rr * math.exp(-1.959963984540054 * se), abs=1e-6)
    assert est.ci_high == pytest.approx(rr * math.exp(1.959963984540054 * se), abs=1e-6)
    chi2 = (2.4 + 5 / 3) ** 2 / (246400 / 122500 + 208000 / 212400)
    assert est.p_value == pytest.approx(stats.chi2.sf(chi2, 1), abs=1e-9)
    assert est.n == 20


@pytest.mark.parametrize("seed", range(5))
def test_mantel_haenszel_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    n1 = rng.integers(5, 60, k)
    n2 = rng.integers(5, 200, k)
    a = rng.binomial(n1, 0.5)
    c = rng.binomial(n2, 0.3)
    est = metrics.mantel_haenszel_risk_ratio(x_group=a, n_group=n1, x_other=c, n_other=n2)
    table = StratifiedTable(np.stack([np.array([[a[i], n1[i] - a[i]], [c[i], n2[i] - c[i]]])
                                      for i in range(k)], axis=2).astype(float))
    assert est.value == pytest.approx(table.riskratio_pooled, rel=1e-9)
    assert est.p_value == pytest.approx(table.test_null_odds(correction=False).pvalue,
                                        rel=1e-6)


def test_one_stratum_is_the_plain_risk_ratio():
    est = metrics.mantel_haenszel_risk_ratio(x_group=[40], n_group=[400], x_other=[80],
                                             n_other=[3600])
    plain = metrics.risk_ratio(40, 400, 80, 3600)
    assert est.value == pytest.approx(plain.value, abs=1e-9)
    assert est.ci_low == pytest.approx(plain.ci_low, abs=1e-6)
    assert est.ci_high == pytest.approx(plain.ci_high, abs=1e-6)


def test_strata_with_one_side_add_nothing():
    with_empty = metrics.mantel_haenszel_risk_ratio(
        x_group=[8, 3, 2], n_group=[10, 10, 4], x_other=[20, 5, 0], n_other=[40, 50, 0])
    assert with_empty.value == pytest.approx(metrics.mantel_haenszel_risk_ratio(**STRATA).value)
    none = metrics.mantel_haenszel_risk_ratio(x_group=[1], n_group=[2], x_other=[0],
                                              n_other=[0])
    assert math.isnan(none.value) and none.reason


def test_no_event_in_the_others_is_infinite_with_a_reason():
    est = metrics.mantel_haenszel_risk_ratio(x_group=[3], n_group=[10], x_other=[0],
                                             n_other=[10])
    assert est.value == math.inf and est.reason and math.isnan(est.ci_low)


def test_bad_counts_are_refused():
    with pytest.raises(ValueError):
        metrics.mantel_haenszel_risk_ratio(x_group=[11], n_group=[10], x_other=[0],
                                           n_other=[10])


def test_within_offense_table_by_hand():
    # Black students: 8 of 10 fights and 3 of 10 defiance incidents end in exclusion; White
    # students 20 of 40 and 5 of 50: the STRATA above, so the same ratio.
    rows = []
    for race, offense, x, n in (("Black", "fighting", 8, 10), ("Black", "defiance", 3, 10),
                                ("White", "fighting", 20, 40), ("White", "defiance", 5, 50)):
        rows += [{"race": race, "offense": offense, "excl": i < x} for i in range(n)]
    table = metrics.within_offense_risk_ratios(pd.DataFrame(rows), group="race",
                                               stratum="offense", outcome="excl")
    black = table.set_index("group").loc["Black"]
    assert black["value"] == pytest.approx(8.9 / (4 + 5 / 6), abs=1e-9)
    assert (black["n"], black["numerator"]) == (20, 11)
    white = table.set_index("group").loc["White"]
    assert white["value"] == pytest.approx((4 + 5 / 6) / 8.9, abs=1e-9)


def test_days_lost_per_100():
    assert metrics.days_lost_per_100(days=150, students=1000).value == 15.0
    assert metrics.days_lost_per_100(days=7, students=3).value == pytest.approx(700 / 3)
    assert math.isnan(metrics.days_lost_per_100(days=0, students=0).value)
