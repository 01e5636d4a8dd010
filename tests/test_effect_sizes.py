"""Cohen's d and Hedges' g from summary statistics (METHODS §4.1, §4.5, §10.7)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from equitykit.metrics import cohens_d, hedges_g

# METHODS §10.7: n1 = 150, mean 512, SD 38 vs n2 = 600, mean 535, SD 35.
WORKED = (512.0, 38.0, 150, 535.0, 35.0, 600)


def test_worked_example_methods_10_7():
    d = cohens_d(*WORKED)
    assert d.sd_basis == "pooled"
    assert d.sd == pytest.approx(35.6178, abs=5e-5)
    assert d.value == pytest.approx(-0.6457, abs=5e-5)
    assert d.se == pytest.approx(0.0928, abs=5e-5)
    assert (d.ci_low, d.ci_high) == pytest.approx((-0.828, -0.464), abs=5e-4)
    assert d.n == 750
    g = hedges_g(*WORKED)
    assert g.value == pytest.approx(-0.6451, abs=5e-5)


def _raw_groups(seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(480, 40, size=37), rng.normal(500, 33, size=81)


def _summary(a: np.ndarray, b: np.ndarray) -> tuple[float, ...]:
    return a.mean(), a.std(ddof=1), a.size, b.mean(), b.std(ddof=1), b.size


def test_pooled_d_and_g_match_raw_data_brute_force():
    a, b = _raw_groups()
    # Second implementation: pool the raw deviations from each group's own mean.
    residuals = np.concatenate([a - a.mean(), b - b.mean()])
    sd_pooled = math.sqrt(np.sum(residuals**2) / (a.size + b.size - 2))
    d_raw = (a.mean() - b.mean()) / sd_pooled
    # Hedges' exact correction Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), m = df; the METHODS
    # approximation 1 - 3/(4N - 9) agrees with it to about 1e-5 at this size.
    m = a.size + b.size - 2
    exact_j = math.exp(math.lgamma(m / 2) - math.lgamma((m - 1) / 2)) / math.sqrt(m / 2)

    d = cohens_d(*_summary(a, b))
    assert d.value == pytest.approx(d_raw, abs=1e-6)
    assert d.sd == pytest.approx(sd_pooled, abs=1e-6)
    n1, n2 = a.size, b.size
    assert d.se == pytest.approx(math.sqrt((n1 + n2) / (n1 * n2) + d_raw**2 / (2 * (n1 + n2))))
    g = hedges_g(*_summary(a, b))
    assert g.value == pytest.approx(d_raw * exact_j, abs=1e-5)
    assert g.value == pytest.approx(d_raw * (1 - 3 / (4 * (n1 + n2) - 9)), abs=1e-12)


def test_pooled_d_matches_two_sample_t_statistic():
    # Independent route: d = t * sqrt(1/n1 + 1/n2) for the equal-variance t test.
    a, b = _raw_groups(11)
    t = stats.ttest_ind(a, b, equal_var=True).statistic
    assert cohens_d(*_summary(a, b)).value == pytest.approx(
        t * math.sqrt(1 / a.size + 1 / b.size), abs=1e-9
    )


def test_reference_sd_basis():
    a, b = _raw_groups(3)
    d = cohens_d(*_summary(a, b), reference_sd=50.0)
    assert d.sd_basis == "reference"
    assert d.sd == 50.0
    assert d.value == pytest.approx((a.mean() - b.mean()) / 50.0, abs=1e-12)
    # The reference SD is a known constant: SE is that of the mean difference, rescaled.
    welch_se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    assert d.se == pytest.approx(welch_se / 50.0, abs=1e-12)
    assert cohens_d(*_summary(a, b), sd_basis="reference", reference_sd=50.0).value == d.value
    # No SD is estimated from the samples, so Hedges' correction does not apply.
    g = hedges_g(*_summary(a, b), reference_sd=50.0)
    assert g.value == d.value
    assert g.correction == 1.0


def test_respective_sd_basis():
    a, b = _raw_groups(5)
    d = cohens_d(*_summary(a, b), sd_basis="respective")
    sd = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    assert d.sd == pytest.approx(sd, abs=1e-9)
    assert d.value == pytest.approx((a.mean() - b.mean()) / sd, abs=1e-9)
    assert d.sd_basis == "respective"


@pytest.mark.parametrize(
    ("sd_basis", "reference_sd", "sd_b"),
    # The pooled (Hedges & Olkin) SE assumes equal variances, so it is checked where they hold.
    [("pooled", None, 45.0), ("respective", None, 38.0), ("reference", 45.0, 38.0)],
)
def test_standard_errors_match_simulation(sd_basis, reference_sd, sd_b):
    """Each basis' analytic SE is within 5% of the spread of d over 4,000 simulated samples.

    Group summaries are drawn from their exact sampling distributions (the mean is normal,
    (n - 1) s^2 / sigma^2 is chi-square), independently of the SE formulas; the Monte Carlo
    error of the simulated SD is about 1.1%, so 5% is a 4-sigma tolerance.
    """
    rng = np.random.default_rng(2024)
    reps, (n1, mu1, s1), (n2, mu2, s2) = 4000, (40, 470.0, 45.0), (90, 500.0, sd_b)
    summaries = zip(
        rng.normal(mu1, s1 / math.sqrt(n1), reps),
        s1 * np.sqrt(rng.chisquare(n1 - 1, reps) / (n1 - 1)),
        rng.normal(mu2, s2 / math.sqrt(n2), reps),
        s2 * np.sqrt(rng.chisquare(n2 - 1, reps) / (n2 - 1)),
        strict=True,
    )
    draws = [
        cohens_d(m1, sd1, n1, m2, sd2, n2, sd_basis=sd_basis, reference_sd=reference_sd).value
        for m1, sd1, m2, sd2 in summaries
    ]
    analytic = cohens_d(mu1, s1, n1, mu2, s2, n2, sd_basis=sd_basis, reference_sd=reference_sd)
    assert np.std(draws, ddof=1) == pytest.approx(analytic.se, rel=0.05)


def test_confidence_interval_and_p_value():
    d = cohens_d(*WORKED, alpha=0.10)
    z = stats.norm.ppf(0.95)
    assert (d.ci_low, d.ci_high) == pytest.approx((d.value - z * d.se, d.value + z * d.se))
    assert d.p_value == pytest.approx(2 * stats.norm.sf(abs(d.value) / d.se))


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ((500, 30, 1, 510, 30, 50), "fewer than 2 students in group a"),
        ((500, 30, 40, 510, 30, 0), "fewer than 2 students in group b"),
        ((500, 0, 40, 510, 0, 50), "standard deviation is zero"),
    ],
)
def test_undefined_inputs_give_reasons(args, reason):
    d = cohens_d(*args)
    assert not d.defined
    assert reason in d.reason


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sd_basis": "state"}, "sd_basis must be one of"),
        ({"sd_basis": "reference"}, "needs reference_sd"),
        ({"sd_basis": "respective", "reference_sd": 40.0}, "use sd_basis='reference'"),
        ({"reference_sd": 0.0}, "positive finite"),
        ({"alpha": 1.5}, "alpha"),
    ],
)
def test_invalid_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cohens_d(*WORKED, **kwargs)


def test_respective_basis_methods_10_7():
    # METHODS §10.7: "V under respective normality = -0.6296" is d on the respective SD.
    assert cohens_d(*WORKED, sd_basis="respective").value == pytest.approx(-0.6296, abs=5e-5)
