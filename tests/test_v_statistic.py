"""V gaps (METHODS §4.2, §4.3, §10.7): binormal ML fit on level counts, empirical V, PAC gap."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from equitykit.metrics import empirical_v, transformed_gap, v_statistic


def _expected_counts(mean, sd, cuts, n):
    """Exact expected students per level for N(mean, sd^2) cut at ``cuts``."""
    return n * np.diff(np.concatenate([[0.0], stats.norm.cdf(cuts, mean, sd), [1.0]]))


def _closed_form_v(mean_a, sd_a, mean_b, sd_b):
    return (mean_a - mean_b) / math.sqrt((sd_a**2 + sd_b**2) / 2)


# ------------------------------------------------------------------------- the binormal ML fit


@pytest.mark.parametrize(
    ("focal", "reference", "cuts", "sizes"),
    [
        ((512, 38), (535, 35), (480, 520, 560), (150, 600)),  # METHODS §10.7: V = -0.6296
        ((0.3, 1.4), (0.0, 1.0), (-1.0, 0.0, 0.8), (5000, 20000)),
        ((-1.2, 0.7), (0.5, 1.1), (-1.5, -0.5, 0.2, 0.9, 1.6), (300, 300)),
        ((10.0, 2.0), (12.0, 2.0), (9.0, 13.0), (1000, 4000)),  # K = 3, saturated
    ],
)
def test_exact_expected_counts_recover_the_closed_form(focal, reference, cuts, sizes):
    counts_f = _expected_counts(*focal, cuts, sizes[0])
    counts_r = _expected_counts(*reference, cuts, sizes[1])
    v = v_statistic(counts_f, counts_r)
    assert v.value == pytest.approx(_closed_form_v(*focal, *reference), abs=1e-6)
    # The fitted parameters are those of the generating model on the reference's N(0,1) scale.
    assert v.sigma == pytest.approx(focal[1] / reference[1], abs=1e-6)
    assert v.thresholds == pytest.approx(
        (np.array(cuts) - reference[0]) / reference[1], abs=1e-6
    )


def test_methods_10_7_value():
    counts_f = _expected_counts(512, 38, (480, 520, 560), 150)
    counts_r = _expected_counts(535, 35, (480, 520, 560), 600)
    assert v_statistic(counts_f, counts_r).value == pytest.approx(-0.6296, abs=5e-5)


def test_recovers_truth_from_coarsened_samples():
    rng = np.random.default_rng(42)
    cuts = np.array([-0.8, 0.1, 1.0])
    focal = rng.normal(-0.45, 1.25, 20_000)
    reference = rng.normal(0.05, 0.9, 30_000)
    v = v_statistic(np.bincount(np.searchsorted(cuts, focal), minlength=4),
                    np.bincount(np.searchsorted(cuts, reference), minlength=4))
    truth = _closed_form_v(-0.45, 1.25, 0.05, 0.9)
    assert abs(v.value - truth) < 4 * v.se
    assert 0.005 < v.se < 0.02
    assert v.ci_low < truth < v.ci_high
    assert v.n == 50_000


def _brute_force_fit(focal, reference):
    """A differently written ML fit: the *focal* group is N(0,1), the reference N(m, s^2), the
    thresholds are free (ordered by sorting), and Nelder-Mead maximises the likelihood written
    with explicit loops over levels. Returns V (focal minus reference) and the log-likelihood."""
    k = len(focal)

    def loglik(params):
        m, log_s, cuts = params[0], params[1], np.sort(params[2:])
        total = 0.0
        for group, (mean, sd) in ((focal, (0.0, 1.0)), (reference, (m, math.exp(log_s)))):
            upper_prev = 0.0
            for level in range(k):
                upper = stats.norm.cdf(cuts[level], mean, sd) if level < k - 1 else 1.0
                total += group[level] * math.log(max(upper - upper_prev, 1e-300))
                upper_prev = upper
        return total

    start = np.concatenate([[0.0, 0.0], np.linspace(-1, 1, k - 1)])
    result = optimize.minimize(lambda p: -loglik(p), start, method="Nelder-Mead",
                               options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 40_000,
                                        "maxfev": 40_000})
    m, s = result.x[0], math.exp(result.x[1])
    return _closed_form_v(0.0, 1.0, m, s), -result.fun, result


@pytest.mark.parametrize(
    ("focal", "reference"),
    [([120, 300, 400, 180], [60, 200, 500, 240]), ([30, 25, 10, 3, 2], [8, 20, 30, 25, 17])],
)
def test_matches_an_independent_likelihood_maximisation(focal, reference):
    v = v_statistic(focal, reference)
    brute_v, brute_loglik, _ = _brute_force_fit(focal, reference)
    assert v.value == pytest.approx(brute_v, abs=1e-5)
    # Multinomial log-likelihood as the brute force writes it (no multinomial constant).
    assert v.log_likelihood == pytest.approx(brute_loglik, abs=1e-7)
    assert v.log_likelihood >= brute_loglik - 1e-9


def test_standard_error_matches_numerical_hessian_and_bootstrap():
    focal, reference = [120, 300, 400, 180], [60, 200, 500, 240]
    v = v_statistic(focal, reference)

    # (1) Delta method on a finite-difference Hessian of an independently written
    # log-likelihood in (V, log sigma, thresholds): the SE of V is sqrt of the (V, V) element
    # of its inverse. Observed and expected information agree to a few percent at this n.
    def loglik(params):
        value, sigma, cuts = params[0], math.exp(params[1]), params[2:]
        mu = value * math.sqrt((1 + sigma**2) / 2)
        probs_f = np.diff(np.concatenate([[0], stats.norm.cdf((cuts - mu) / sigma), [1]]))
        probs_r = np.diff(np.concatenate([[0], stats.norm.cdf(cuts), [1]]))
        return np.dot(focal, np.log(probs_f)) + np.dot(reference, np.log(probs_r))

    at = np.concatenate([[v.value, math.log(v.sigma)], v.thresholds])
    h, size = 1e-4, at.size
    hessian = np.empty((size, size))
    for i in range(size):
        for j in range(size):
            ei, ej = np.eye(size)[i] * h, np.eye(size)[j] * h
            hessian[i, j] = (loglik(at + ei + ej) - loglik(at + ei - ej)
                             - loglik(at - ei + ej) + loglik(at - ei - ej)) / (4 * h * h)
    numeric_se = math.sqrt(np.linalg.inv(-hessian)[0, 0])
    assert v.se == pytest.approx(numeric_se, rel=0.03)

    # (2) Parametric bootstrap from the fitted cell probabilities: 300 refits; the Monte Carlo
    # error of the bootstrap SD is about 4%, so the tolerance is 15%.
    rng = np.random.default_rng(1)
    cuts = np.asarray(v.thresholds)
    mu = v.mu
    p_f = np.diff(np.concatenate([[0], stats.norm.cdf((cuts - mu) / v.sigma), [1]]))
    p_r = np.diff(np.concatenate([[0], stats.norm.cdf(cuts), [1]]))
    draws = [
        v_statistic(rng.multinomial(sum(focal), p_f), rng.multinomial(sum(reference), p_r)).value
        for _ in range(300)
    ]
    assert np.std(draws, ddof=1) == pytest.approx(v.se, rel=0.15)


def test_sign_negative_when_focal_scores_lower():
    lower, higher = [40, 30, 20, 10], [10, 20, 30, 40]
    assert v_statistic(lower, higher).value < 0
    assert v_statistic(higher, lower).value == pytest.approx(-v_statistic(lower, higher).value,
                                                             abs=1e-6)
    # A level nobody is in carries no information and is dropped.
    assert v_statistic([40, 0, 30, 20, 10], [10, 0, 20, 30, 40]).value == pytest.approx(
        v_statistic(lower, higher).value, abs=1e-9
    )


def test_two_levels_fix_equal_variances_and_equal_the_transformed_gap():
    v = v_statistic([70, 30], [40, 60])  # 30% vs 60% in the upper level
    assert v.equal_variance
    assert v.value == pytest.approx(transformed_gap(0.30, 0.60).value, abs=1e-6)
    # SE by the delta method on each binomial probit, the same model.
    assert v.se == pytest.approx(
        transformed_gap(0.30, 0.60, n_focal=100, n_reference=100).se, rel=1e-4
    )


@pytest.mark.parametrize(
    ("focal", "reference", "reason"),
    [
        ([0, 0, 0], [5, 10, 5], "no students in the focal group"),
        ([5, 10, 5], [0, 0, 0], "no students in the reference group"),
        ([0, 12, 0], [0, 30, 0], "fewer than 2 performance levels"),
        ([12, 0, 0, 0], [5, 10, 5, 2], "every student of the focal group is in one"),
        ([3, 4, 5, 6], [0, 0, 9, 0], "every student of the reference group is in one"),
        ([8, 4, 0, 0], [0, 0, 9, 3], "do not overlap"),
        # Three levels are saturated: an empty cell sits at an infinite threshold.
        ([5, 10, 0], [6, 13, 12], "no finite maximum"),
        # The reference group has neither end level: its thresholds run off to infinity.
        ([4, 1, 7, 14], [0, 8, 6, 0], "no finite maximum"),
    ],
)
def test_degenerate_counts_are_undefined_with_a_reason(focal, reference, reason):
    v = v_statistic(focal, reference)
    assert not v.defined
    assert reason in v.reason


level_counts = st.integers(2, 6).flatmap(
    lambda k: st.tuples(*[st.lists(st.integers(0, 15), min_size=k, max_size=k)] * 2)
)


@settings(max_examples=60, deadline=None)
@given(pair=level_counts)
def test_small_tables_give_a_finite_estimate_or_a_reason(pair):
    """Sparse tables never crash or warn: V is finite with a positive SE, or undefined with a
    reason in words."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = v_statistic(*pair)
    if v.defined:
        assert math.isfinite(v.se) and v.se > 0
        assert v.ci_low < v.value < v.ci_high
    else:
        assert v.reason


@pytest.mark.parametrize(
    ("focal", "reference", "message"),
    [([1, 2, 3], [1, 2], "one count per performance level"),
     ([1, -2, 3], [1, 2, 3], "non-negative"),
     ([1, np.nan, 3], [1, 2, 3], "finite")],
)
def test_bad_counts_raise(focal, reference, message):
    with pytest.raises(ValueError, match=message):
        v_statistic(focal, reference)


# ------------------------------------------------------------------------------- empirical V


def test_empirical_v_probability_matches_mann_whitney_and_brute_force():
    rng = np.random.default_rng(8)
    focal = rng.integers(0, 12, 150).astype(float)  # many ties
    reference = rng.integers(2, 14, 210).astype(float)
    v = empirical_v(focal, reference)
    u = stats.mannwhitneyu(focal, reference).statistic
    assert v.prob_superiority == pytest.approx(u / (focal.size * reference.size), abs=1e-12)
    pairs = (focal[:, None] > reference[None, :]) + 0.5 * (focal[:, None] == reference[None, :])
    assert v.prob_superiority == pytest.approx(pairs.mean(), abs=1e-12)
    assert v.value == pytest.approx(math.sqrt(2) * stats.norm.ppf(pairs.mean()), abs=1e-12)

    # DeLong's SE written with the pairwise matrix (placements = row and column means).
    var_auc = pairs.mean(axis=1).var(ddof=1) / focal.size + pairs.mean(axis=0).var(
        ddof=1) / reference.size
    phi = stats.norm.pdf(stats.norm.ppf(pairs.mean()))
    assert v.se == pytest.approx(math.sqrt(2 * var_auc) / phi, abs=1e-12)


def test_empirical_v_recovers_binormal_truth_and_is_scale_free():
    rng = np.random.default_rng(3)
    focal, reference = rng.normal(-0.5, 1.2, 4000), rng.normal(0.0, 0.8, 5000)
    v = empirical_v(focal, reference)
    assert abs(v.value - _closed_form_v(-0.5, 1.2, 0.0, 0.8)) < 4 * v.se
    assert empirical_v(np.exp(focal), np.exp(reference)).value == pytest.approx(v.value,
                                                                                abs=1e-12)
    # NaN scores are dropped rather than ranked.
    with_missing = np.concatenate([focal, [np.nan, np.nan]])
    assert empirical_v(with_missing, reference).value == v.value


@pytest.mark.parametrize(
    ("focal", "reference", "reason"),
    [([], [1.0, 2.0], "no students in the focal group"),
     ([5.0, 6.0], [1.0, 2.0], "every focal score is above"),
     ([1.0, 2.0], [5.0, 6.0], "every reference score is above")],
)
def test_empirical_v_undefined(focal, reference, reason):
    v = empirical_v(focal, reference)
    assert not v.defined
    assert reason in v.reason


# ---------------------------------------------------------------------- transformed PAC gap


def test_transformed_gap_methods_10_7_and_sign():
    # 55% vs 30% proficient: Phi^-1(.55) - Phi^-1(.30) = 0.650 (focal minus reference).
    assert transformed_gap(0.55, 0.30).value == pytest.approx(0.650, abs=5e-4)
    assert transformed_gap(0.30, 0.55).value == pytest.approx(-0.650, abs=5e-4)
    # Equals d when both groups are normal with equal variances (cut at 0, SD 1).
    assert transformed_gap(stats.norm.sf(-0.2), stats.norm.sf(0.4)).value == pytest.approx(0.6)


def test_transformed_gap_se_matches_binomial_simulation():
    rng = np.random.default_rng(5)
    p_f, p_r, n_f, n_r = 0.35, 0.6, 200, 500
    draws = stats.norm.ppf(rng.binomial(n_f, p_f, 20_000) / n_f) - stats.norm.ppf(
        rng.binomial(n_r, p_r, 20_000) / n_r)
    gap = transformed_gap(p_f, p_r, n_focal=n_f, n_reference=n_r)
    assert np.std(draws) == pytest.approx(gap.se, rel=0.03)
    assert gap.n == 700


def test_transformed_gap_extremes():
    assert not transformed_gap(1.0, 0.4).defined
    with pytest.raises(ValueError, match="proportion"):
        transformed_gap(55, 30)
