"""benjamini_hochberg: q-values, NaN handling and families (METHODS §8)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from equitykit import metrics

p_lists = st.lists(st.floats(0, 1), min_size=1, max_size=60)


@given(p_lists)
def test_matches_statsmodels_fdr_bh(p):
    q = metrics.benjamini_hochberg(p)
    np.testing.assert_allclose(q, multipletests(p, method="fdr_bh")[1], rtol=1e-10, atol=1e-15)


@given(p_lists)
def test_q_values_are_monotone_in_p_and_at_least_p(p):
    q = metrics.benjamini_hochberg(p)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(q[order]) >= -1e-15)
    assert np.all(q >= np.asarray(p) - 1e-15) and np.all(q <= 1)


def test_methods_10_6_fisher_p_values_give_the_printed_q_values():
    p = [1.0395211498626202e-12, 1.0, 2.679337441384216e-4, 0.03295833921961604,
         0.37081698189090984]
    q = metrics.benjamini_hochberg(p)
    assert q[0] < 0.001
    assert [float(f"{v:.2g}") for v in q[1:]] == [1.0, 6.7e-4, 0.055, 0.46]


def test_nan_stays_nan_and_does_not_count():
    q = metrics.benjamini_hochberg([0.01, np.nan, 0.04])
    assert np.isnan(q[1])
    np.testing.assert_allclose(q[[0, 2]], multipletests([0.01, 0.04], method="fdr_bh")[1])


def test_families_are_adjusted_separately():
    rng = np.random.default_rng(3)
    p = rng.uniform(size=30) ** 2
    fam = np.repeat(["a", "b", "c"], 10)
    q = metrics.benjamini_hochberg(p, families=fam)
    for f in "abc":
        np.testing.assert_allclose(q[fam == f], multipletests(p[fam == f], method="fdr_bh")[1])


def test_series_in_series_out():
    s = pd.Series([0.2, 0.01], index=["x", "y"])
    q = metrics.benjamini_hochberg(s)
    assert list(q.index) == ["x", "y"] and q["y"] == pytest.approx(0.02)


def test_out_of_range_p_is_a_clear_error():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.benjamini_hochberg([0.5, 1.5])
