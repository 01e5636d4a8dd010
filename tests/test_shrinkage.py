"""shrink_rates: empirical-Bayes beta-binomial shrinkage (METHODS §8 "Small cells")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, stats

from equitykit import metrics


@pytest.fixture(scope="module")
def schools():
    rng = np.random.default_rng(5)
    n = rng.integers(3, 250, 60)
    return rng.binomial(n, rng.beta(3, 27, 60)), n


def _betabinom_loglik(a, b, x, n):
    return stats.betabinom.logpmf(x, n, a, b).sum()


def test_prior_is_the_maximum_likelihood_beta_binomial_fit(schools):
    x, n = schools
    prior = metrics.shrink_rates(x, n).attrs["prior"]
    # independent reference: Nelder-Mead on scipy's beta-binomial log-likelihood in (log a, log b)
    ref = optimize.minimize(lambda t: -_betabinom_loglik(*np.exp(t), x, n), [0.0, 1.0],
                            method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000})
    a_ref, b_ref = np.exp(ref.x)
    assert (prior["a"], prior["b"]) == pytest.approx((a_ref, b_ref), rel=1e-4)
    assert _betabinom_loglik(prior["a"], prior["b"], x, n) >= -ref.fun - 1e-8
    # and no point on a grid around it is better
    for fa in (0.9, 0.99, 1.01, 1.1):
        for fb in (0.9, 0.99, 1.01, 1.1):
            assert _betabinom_loglik(prior["a"] * fa, prior["b"] * fb, x, n) <= (
                _betabinom_loglik(prior["a"], prior["b"], x, n) + 1e-9)


def test_posterior_mean_and_interval_against_numerical_integration(schools):
    x, n = schools
    out = metrics.shrink_rates(x, n, alpha=0.1)
    a, b = out.attrs["prior"]["a"], out.attrs["prior"]["b"]
    for i in (0, 7, 33):
        s1, s2 = x[i] + a - 1, n[i] - x[i] + b - 1
        mode = s1 / (s1 + s2)
        peak = s1 * np.log(mode) + s2 * np.log1p(-mode)

        def density(t, s1=s1, s2=s2, peak=peak):  # unnormalised, scaled to 1 at the mode
            return np.exp(s1 * np.log(t) + s2 * np.log1p(-t) - peak)

        def area(f, lo, hi, mode=mode):
            inner = [mode] if lo < mode < hi else None
            return integrate.quad(f, lo, hi, points=inner, limit=500, epsabs=0,
                                  epsrel=1e-11)[0]

        mass = area(density, 0, 1)
        mean = area(lambda t, f=density: t * f(t), 0, 1) / mass
        assert out.shrunken_rate[i] == pytest.approx(mean, rel=1e-7)
        for q, bound in ((0.05, out.ci_low[i]), (0.95, out.ci_high[i])):
            assert area(density, 0, bound) / mass == pytest.approx(q, abs=1e-7)
        assert out.reliability[i] == pytest.approx(n[i] / (n[i] + a + b))


def test_shrinkage_pulls_small_units_further(schools):
    x, n = schools
    out = metrics.shrink_rates(x, n)
    mean = out.attrs["prior"]["mean"]
    moved = (out.shrunken_rate - out.rate).abs() / (mean - out.rate).abs()
    small, large = n < np.percentile(n, 25), n > np.percentile(n, 75)
    assert moved[small].mean() > moved[large].mean()
    # posterior mean = reliability-weighted average of the unit's rate and the prior mean
    np.testing.assert_allclose(out.shrunken_rate,
                               out.reliability * out.rate + (1 - out.reliability) * mean)


def test_no_real_variation_shrinks_everything_to_the_overall_rate():
    n = np.full(30, 400)
    x = np.full(30, 40)  # identical schools: less spread than chance
    out = metrics.shrink_rates(x, n)
    np.testing.assert_allclose(out.shrunken_rate, 0.1, rtol=1e-5)


def test_given_prior_closed_form():
    out = metrics.shrink_rates([1, 30, 2, 0], [2, 300, 10, 0], prior=(2.0, 18.0))
    np.testing.assert_allclose(out.shrunken_rate[:3], [3 / 22, 32 / 320, 4 / 30])
    assert np.isnan(out.shrunken_rate[3]) and np.isnan(out.rate[3])
    assert out.attrs["prior"]["method"] == "given"


def test_series_index_is_kept():
    x = pd.Series([3, 5, 9], index=["S1", "S2", "S3"])
    out = metrics.shrink_rates(x, [30, 40, 50])
    assert list(out.index) == ["S1", "S2", "S3"]


@pytest.mark.parametrize("kwargs, message", [
    ({"x": [5], "n": [4]}, "0 <= x <= n"),
    ({"x": [1, 2], "n": [4, 5], "prior": "state"}, "prior must be"),
    ({"x": [1], "n": [4]}, "at least two units"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        metrics.shrink_rates(**kwargs)
