"""Achievement gaps: standardised mean differences and ordinal (V) gaps (docs/methods.md).

Every gap is *focal (or a) minus reference (or b)*, in standard-deviation units: a negative value
means the focal group scores lower.

* :func:`cohens_d` / :func:`hedges_g`: from each group's mean, SD and n, with a stated SD basis
  (docs/methods.md).
* :func:`v_statistic`: Ho & Reardon's V from counts per ordered performance level, by a
  maximum-likelihood binormal fit (docs/methods.md).
* :func:`empirical_v`: V from the scores themselves, ``sqrt(2) * Phi^-1(P(a > b))``.
* :func:`transformed_gap`: the transformed percent-proficient gap ``Phi^-1(p_f) - Phi^-1(p_r)``
  (docs/methods.md), which equals d only when both groups are normal with equal variances.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, stats

from ._result import Estimate

__all__ = ["cohens_d", "empirical_v", "hedges_g", "transformed_gap", "v_statistic"]

SdBasis = Literal["pooled", "respective", "reference"]
SD_BASES: tuple[str, ...] = ("pooled", "respective", "reference")

ERR_SD_BASIS = "sd_basis must be one of {bases}, got {got!r}"
ERR_REFERENCE_SD_MISSING = "sd_basis='reference' needs reference_sd (e.g. the statewide SD)"
ERR_REFERENCE_SD_CONFLICT = "reference_sd was given but sd_basis={got!r}; use sd_basis='reference'"
ERR_REFERENCE_SD_VALUE = "reference_sd must be a positive finite number, got {got!r}"
ERR_ALPHA = "alpha must be strictly between 0 and 1, got {got!r}"
ERR_NEGATIVE = "{what} must be non-negative, got {got!r}"
ERR_LEVEL_SHAPES = (
    "focal_counts and reference_counts must be 1-D and have one count per performance level "
    "each (got {nf} and {nr} levels)"
)
ERR_COUNTS = "counts per performance level must be finite and non-negative"
ERR_PROPORTION = "{what} must be a proportion between 0 and 1, got {got!r}"

REASON_SMALL_GROUP = "fewer than 2 students in group {which}"
REASON_NO_SPREAD = "the {basis} standard deviation is zero or missing"
REASON_EMPTY = "no students in the {which} group"
REASON_FEW_LEVELS = "fewer than 2 performance levels have any students"
REASON_ONE_LEVEL = (
    "every student of the {which} group is in one performance level, so the binormal fit has no "
    "finite maximum"
)
REASON_NO_OVERLAP = "the two groups do not overlap in performance levels, so V is infinite"
REASON_DIVERGED = (
    "the binormal fit has no finite maximum (its thresholds or variance run off to infinity, "
    "typically because an end level is empty in one group); combine sparse levels"
)
# A fit beyond these (on the reference group's N(0, 1) scale) is running off to infinity.
MAX_ABS_THRESHOLD, SIGMA_RANGE = 20.0, (1e-3, 1e3)
REASON_SEPARATED = "every {which} score is above every score of the other group, so V is infinite"
REASON_EXTREME_PROPORTION = "a proportion of 0 or 1 has no finite probit (Phi^-1)"


def _z(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise ValueError(ERR_ALPHA.format(got=alpha))
    return float(stats.norm.ppf(1 - alpha / 2))


def _wald(value: float, se: float, alpha: float, **fields: object) -> Estimate:
    """Estimate with a normal-theory interval and two-sided p-value for H0: value = 0."""
    z, value = _z(alpha), float(value)
    p_value = float(2 * stats.norm.sf(abs(value) / se)) if se > 0 else math.nan
    return Estimate(
        value, ci_low=value - z * se, ci_high=value + z * se, se=se, p_value=p_value, **fields
    )


# --------------------------------------------------------------------------- standardised mean diff


def _standardised_difference(
    mean_a: float, sd_a: float, n_a: float, mean_b: float, sd_b: float, n_b: float,
    sd_basis: str, reference_sd: float | None, alpha: float, hedges: bool,
) -> Estimate:
    if reference_sd is not None:
        if sd_basis == "respective":
            raise ValueError(ERR_REFERENCE_SD_CONFLICT.format(got=sd_basis))
        sd_basis = "reference"
    if sd_basis not in SD_BASES:
        raise ValueError(ERR_SD_BASIS.format(bases=SD_BASES, got=sd_basis))
    if sd_basis == "reference":
        if reference_sd is None:
            raise ValueError(ERR_REFERENCE_SD_MISSING)
        if not (math.isfinite(reference_sd) and reference_sd > 0):
            raise ValueError(ERR_REFERENCE_SD_VALUE.format(got=reference_sd))
    for what, got in (("sd_a", sd_a), ("sd_b", sd_b), ("n_a", n_a), ("n_b", n_b)):
        if got < 0:
            raise ValueError(ERR_NEGATIVE.format(what=what, got=got))
    _z(alpha)

    extra: dict[str, object] = {"sd_basis": sd_basis}
    for which, n in (("a", n_a), ("b", n_b)):
        if not n >= 2:
            return Estimate.undefined(REASON_SMALL_GROUP.format(which=which), **extra)
    n_total = n_a + n_b
    var_a, var_b = sd_a**2, sd_b**2
    diff = float(mean_a - mean_b)
    if sd_basis == "pooled":
        sd = math.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / (n_total - 2))
    elif sd_basis == "respective":
        sd = math.sqrt((var_a + var_b) / 2)
    else:
        sd = float(reference_sd)  # type: ignore[arg-type]
    if not (math.isfinite(sd) and sd > 0):
        return Estimate.undefined(REASON_NO_SPREAD.format(basis=sd_basis), **extra)
    d = diff / sd

    if sd_basis == "pooled":
        # Hedges & Olkin large-sample variance (docs/methods.md).
        var_d = n_total / (n_a * n_b) + d**2 / (2 * n_total)
    elif sd_basis == "respective":
        # Delta method for d = diff / sqrt((s_a^2 + s_b^2)/2) with unequal variances (Bonett 2008):
        # Var(diff)/s^2 + d^2 Var(s^2)/(4 s^4), Var(s_j^2) = 2 s_j^4/(n_j - 1).
        var_d = (var_a / n_a + var_b / n_b) / sd**2 + d**2 * (
            var_a**2 / (n_a - 1) + var_b**2 / (n_b - 1)
        ) / (8 * sd**4)
    else:
        # A reference SD (state, all-student) is a fixed constant: only the means vary.
        var_d = (var_a / n_a + var_b / n_b) / sd**2

    # Hedges' correction removes the bias from estimating the SD from the two samples; a fixed
    # reference SD is not estimated here, so there is nothing to correct.
    correction = 1 - 3 / (4 * n_total - 9) if hedges and sd_basis != "reference" else 1.0
    extra.update(sd=sd, mean_difference=diff, correction=correction)
    return _wald(d * correction, math.sqrt(var_d) * correction, alpha, n=n_total, extra=extra)


def cohens_d(
    mean_a: float,
    sd_a: float,
    n_a: float,
    mean_b: float,
    sd_b: float,
    n_b: float,
    *,
    sd_basis: SdBasis = "pooled",
    reference_sd: float | None = None,
    alpha: float = 0.05,
) -> Estimate:
    """Standardised mean difference ``(mean_a - mean_b) / SD`` (docs/methods.md).

    Parameters
    ----------
    mean_a, sd_a, n_a
        Mean, standard deviation (n - 1 denominator) and number of students of group a (the
        focal group).
    mean_b, sd_b, n_b
        The same for group b (the reference group).
    sd_basis
        Which SD scales the difference:

        * ``"pooled"`` (Cohen): ``sqrt(((n_a-1) s_a^2 + (n_b-1) s_b^2) / (n_a+n_b-2))``;
          SE by Hedges & Olkin, ``sqrt((n_a+n_b)/(n_a n_b) + d^2/(2(n_a+n_b)))``, which
          assumes the two groups' variances are equal.
        * ``"reference"``: a given all-student (district or state) SD, the preferred basis
          for comparing across groups and years; selected automatically when ``reference_sd`` is
          given. It is treated as a known constant, so
          ``SE = sqrt(s_a^2/n_a + s_b^2/n_b) / reference_sd``.
        * ``"respective"``: ``sqrt((s_a^2 + s_b^2)/2)``, the scale on which V is expressed under
          normality; SE by the delta method with unequal variances (Bonett 2008).
    reference_sd
        The reference SD (e.g. the statewide SD of the grade and subject).
    alpha
        1 - confidence level of the interval ``d +/- z SE``.

    Returns
    -------
    Estimate
        ``value`` = d, ``se``, ``ci_low``, ``ci_high``, ``p_value`` (Wald test of d = 0),
        ``n`` = n_a + n_b; ``extra``: ``sd_basis``, ``sd`` (the SD used), ``mean_difference``,
        ``correction`` (1 for d). Undefined when a group has fewer than 2 students or the SD is 0.

    Examples
    --------
    >>> d = cohens_d(512, 38, 150, 535, 35, 600)
    >>> round(d.value, 4), round(d.se, 4), round(d.sd, 4), d.sd_basis
    (-0.6457, 0.0928, 35.6178, 'pooled')
    >>> round(cohens_d(512, 38, 150, 535, 35, 600, reference_sd=40).value, 3)
    -0.575
    """
    return _standardised_difference(
        mean_a, sd_a, n_a, mean_b, sd_b, n_b, sd_basis, reference_sd, alpha, hedges=False
    )


def hedges_g(
    mean_a: float,
    sd_a: float,
    n_a: float,
    mean_b: float,
    sd_b: float,
    n_b: float,
    *,
    sd_basis: SdBasis = "pooled",
    reference_sd: float | None = None,
    alpha: float = 0.05,
) -> Estimate:
    """Hedges' g: Cohen's d times ``J = 1 - 3/(4(n_a+n_b) - 9)`` (docs/methods.md).

    Arguments and result as :func:`cohens_d`; the SE and interval are scaled by the same ``J``
    (``extra["correction"]``). With a fixed ``reference_sd`` the SD is not estimated from the two
    samples, so there is no small-sample bias to remove and g equals d (``correction`` = 1).

    Examples
    --------
    >>> g = hedges_g(512, 38, 150, 535, 35, 600)
    >>> round(g.value, 4)
    -0.6451
    """
    return _standardised_difference(
        mean_a, sd_a, n_a, mean_b, sd_b, n_b, sd_basis, reference_sd, alpha, hedges=True
    )


# --------------------------------------------------------------------------------- V statistic


def _cell_probabilities(
    mu: float, sigma: float, thresholds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Binormal level probabilities and their Jacobian.

    The reference group is N(0, 1), the focal group N(mu, sigma^2); level k lies between
    thresholds k-1 and k (with -inf and +inf at the ends). Returns the (2, K) probabilities
    (row 0 focal, row 1 reference) and the (2, K, 2 + K - 1) Jacobian with respect to
    ``(mu, log sigma, c_1 .. c_{K-1})``.
    """
    n_cut = thresholds.size
    z_focal = (thresholds - mu) / sigma
    cdf = np.stack([stats.norm.cdf(z_focal), stats.norm.cdf(thresholds)])
    pdf = np.stack([stats.norm.pdf(z_focal) / sigma, stats.norm.pdf(thresholds)])
    zeros, ones = np.zeros((2, 1)), np.ones((2, 1))
    probs = np.diff(np.hstack([zeros, cdf, ones]), axis=1)

    # Derivatives of each cumulative probability F(c_j), then differenced like the cells.
    d_cdf = np.zeros((2, n_cut, 2 + n_cut))
    d_cdf[0, :, 0] = -pdf[0]                     # d/d mu of Phi((c - mu)/sigma)
    d_cdf[0, :, 1] = -pdf[0] * (thresholds - mu)  # d/d log sigma
    for row in range(2):
        d_cdf[row, np.arange(n_cut), 2 + np.arange(n_cut)] = pdf[row]
    edge = np.zeros((2, 1, 2 + n_cut))
    jacobian = np.diff(np.concatenate([edge, d_cdf, edge], axis=1), axis=1)
    return probs, jacobian


def _unpack(theta: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Optimiser parameters ``(mu, log sigma, c_1, log gaps...)`` to (mu, sigma, thresholds)."""
    thresholds = theta[2] + np.concatenate([[0.0], np.cumsum(np.exp(theta[3:]))])
    return float(theta[0]), float(np.exp(theta[1])), thresholds


def _to_natural(theta: np.ndarray) -> np.ndarray:
    """d(mu, log sigma, c_1..c_{K-1}) / d(optimiser parameters)."""
    size = theta.size
    jac = np.zeros((size, size))
    jac[0, 0] = jac[1, 1] = 1.0
    jac[2:, 2] = 1.0
    gaps = np.exp(theta[3:])
    for j in range(3, size):
        jac[j:, j] = gaps[j - 3]
    return jac


def _start(counts: np.ndarray, equal_variance: bool) -> np.ndarray:
    """Starting values from the probits of each group's cumulative proportions."""
    cumulative = (np.cumsum(counts, axis=1)[:, :-1] + 0.5) / (counts.sum(axis=1, keepdims=True) + 1)
    probit_focal, probit_ref = stats.norm.ppf(cumulative)
    if equal_variance:
        log_sigma, mu = 0.0, float(np.mean(probit_ref - probit_focal))
    else:
        # c = mu + sigma * probit_focal, with c estimated by the reference probits.
        spread = np.var(probit_focal)
        slope = np.cov(probit_focal, probit_ref, bias=True)[0, 1] / spread if spread > 0 else 1.0
        slope = float(np.clip(slope, 0.2, 5.0))
        log_sigma, mu = math.log(slope), float(np.mean(probit_ref - slope * probit_focal))
    gaps = np.log(np.maximum(np.diff(probit_ref), 1e-3))
    return np.concatenate([[mu, log_sigma, probit_ref[0]], gaps])


def _fit_binormal(counts: np.ndarray) -> tuple[np.ndarray, optimize.OptimizeResult, bool]:
    """Maximum-likelihood binormal fit; returns natural parameters, the optimiser result and
    whether sigma was fixed at 1 (with two levels the two variances are not identified)."""
    equal_variance = counts.shape[1] == 2
    total = counts.sum()
    free = np.ones(counts.shape[1] + 1, dtype=bool)
    free[1] = not equal_variance
    start = _start(counts, equal_variance)

    def full(x: np.ndarray) -> np.ndarray:
        theta = start.copy()
        theta[free] = x
        return theta

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        theta = full(x)
        probs, jacobian = _cell_probabilities(*_unpack(theta))
        probs = np.maximum(probs, 1e-300)
        nll = -float(np.sum(counts * np.log(probs))) / total
        grad_natural = -np.einsum("gk,gkp->p", counts / probs, jacobian) / total
        return nll, (grad_natural @ _to_natural(theta))[free]

    result = optimize.minimize(
        objective, start[free], jac=True, method="BFGS", options={"gtol": 1e-10, "maxiter": 500}
    )
    mu, sigma, thresholds = _unpack(full(result.x))
    return np.concatenate([[mu, np.log(sigma)], thresholds]), result, equal_variance


def v_statistic(
    focal_counts: Sequence[float] | ArrayLike,
    reference_counts: Sequence[float] | ArrayLike,
    *,
    alpha: float = 0.05,
) -> Estimate:
    """Ho & Reardon's V gap from counts per ordered performance level (docs/methods.md).

    The reference group's latent scores are modelled as N(0, 1) and the focal group's as
    N(mu, sigma^2), with K - 1 thresholds shared by both groups (any common monotone transform
    of the scale gives the same fit). The multinomial likelihood of both groups' counts is
    maximised over ``(mu, log sigma, thresholds)``, and

        ``V = mu / sqrt((1 + sigma^2) / 2)``,

    the gap in units of the average of the two variances. The standard error is from the delta
    method on the inverse of the information matrix (the expected Hessian of the negative
    log-likelihood) at the estimate: a *standard error*, not the variance the R ``gapr`` package
    labels ``v_se`` (docs/methods.md).

    Levels that are empty in both groups are dropped. With two levels the variances are not
    identified and sigma is fixed at 1 (``extra["equal_variance"]``), which makes V the
    transformed proficiency gap (docs/methods.md).

    Parameters
    ----------
    focal_counts, reference_counts
        Students per performance level, lowest level first, same length.
    alpha
        1 - confidence level of the interval ``V +/- z SE``.

    Returns
    -------
    Estimate
        ``value`` = V (negative when the focal group scores lower), ``se``, ``ci_low``,
        ``ci_high``, ``p_value`` (Wald test of V = 0), ``n`` (students in both groups);
        ``extra``: ``mu``, ``sigma``, ``thresholds``, ``equal_variance``, ``log_likelihood``.
        Undefined, with the reason, for an empty group, a group entirely in one level, or two
        groups with no level in common: the likelihood then has no finite maximum.

    Examples
    --------
    >>> v = v_statistic([40, 30, 20, 10], [10, 20, 30, 40])
    >>> round(v.value, 2), round(v.sigma, 2)
    (-1.04, 1.0)
    """
    focal = np.asarray(focal_counts, dtype=float)
    reference = np.asarray(reference_counts, dtype=float)
    if focal.ndim != 1 or focal.shape != reference.shape:
        raise ValueError(ERR_LEVEL_SHAPES.format(nf=focal.shape, nr=reference.shape))
    counts = np.stack([focal, reference])
    if not (np.isfinite(counts).all() and (counts >= 0).all()):
        raise ValueError(ERR_COUNTS)
    _z(alpha)

    for row, which in enumerate(("focal", "reference")):
        if counts[row].sum() == 0:
            return Estimate.undefined(REASON_EMPTY.format(which=which))
    counts = counts[:, counts.sum(axis=0) > 0]
    if counts.shape[1] < 2:
        return Estimate.undefined(REASON_FEW_LEVELS)
    for row, which in enumerate(("focal", "reference")):
        if (counts[row] > 0).sum() == 1:
            return Estimate.undefined(REASON_ONE_LEVEL.format(which=which))
    occupied = counts > 0
    first = occupied.argmax(axis=1)
    last = counts.shape[1] - 1 - occupied[:, ::-1].argmax(axis=1)
    if last[0] < first[1] or last[1] < first[0]:
        return Estimate.undefined(REASON_NO_OVERLAP)

    if counts.shape[1] == 3 and (counts == 0).any():
        # Three levels make the model saturated: it reproduces the observed shares exactly, so an
        # empty cell is fitted only with a threshold at infinity.
        return Estimate.undefined(REASON_DIVERGED)

    natural, result, equal_variance = _fit_binormal(counts)
    # BFGS may stop on "precision loss" (status 2) at the optimum: then judge by the gradient.
    # Running out of iterations means the likelihood keeps rising towards infinity.
    converged = result.success or (result.status == 2 and np.max(np.abs(result.jac)) < 1e-6)
    mu, log_sigma, thresholds = float(natural[0]), float(natural[1]), natural[2:]
    sigma = math.exp(log_sigma)
    probs, jacobian = _cell_probabilities(mu, sigma, thresholds)
    bounded = SIGMA_RANGE[0] < sigma < SIGMA_RANGE[1] and np.all(
        np.abs(thresholds) < MAX_ABS_THRESHOLD
    )
    if not (converged and bounded and np.all(probs > 0)):
        return Estimate.undefined(REASON_DIVERGED)
    information = np.einsum("g,gkp,gkq,gk->pq", counts.sum(axis=1), jacobian, jacobian, 1 / probs)
    scale = math.sqrt((1 + sigma**2) / 2)
    value = mu / scale
    gradient = np.zeros(natural.size)
    gradient[0] = 1 / scale
    gradient[1] = -mu * sigma**2 / (2 * scale**3)
    if equal_variance:  # sigma is fixed, not estimated
        keep = np.arange(natural.size) != 1
        information, gradient = information[np.ix_(keep, keep)], gradient[keep]
    variance = float(gradient @ np.linalg.lstsq(information, gradient, rcond=None)[0])
    if not (math.isfinite(variance) and variance > 0):
        return Estimate.undefined(REASON_DIVERGED)
    se = math.sqrt(variance)
    extra = {
        "mu": mu,
        "sigma": sigma,
        "thresholds": tuple(float(c) for c in thresholds),
        "equal_variance": equal_variance,
        "log_likelihood": float(np.sum(counts * np.log(probs))),
    }
    return _wald(value, se, alpha, n=float(counts.sum()), extra=extra)


def empirical_v(
    focal_scores: Sequence[float] | ArrayLike,
    reference_scores: Sequence[float] | ArrayLike,
    *,
    alpha: float = 0.05,
) -> Estimate:
    """V from the scores themselves: ``sqrt(2) * Phi^-1(P(a > b))`` (docs/methods.md).

    ``P(a > b)`` is the probability that a random focal student outscores a random reference
    student, ties counted as one half (the Mann-Whitney U statistic divided by n_a n_b). It does
    not depend on the score scale (any monotone transform gives the same V). The SE is DeLong's
    for ``P(a > b)``, carried to V by the delta method. Missing (NaN) scores are dropped.

    Returns
    -------
    Estimate
        ``value`` = V, ``se``, ``ci_low``, ``ci_high``, ``p_value``, ``n``; ``extra``:
        ``prob_superiority`` = P(a > b). Undefined for an empty group or complete separation.

    Examples
    --------
    >>> round(empirical_v([1, 2, 3, 4], [2, 3, 4, 5]).extra["prob_superiority"], 4)
    0.2812
    """
    focal = np.asarray(focal_scores, dtype=float).ravel()
    reference = np.asarray(reference_scores, dtype=float).ravel()
    focal, reference = focal[~np.isnan(focal)], reference[~np.isnan(reference)]
    _z(alpha)
    for which, scores in (("focal", focal), ("reference", reference)):
        if scores.size == 0:
            return Estimate.undefined(REASON_EMPTY.format(which=which))
    # Placement of each score among the other group's: share below plus half the ties.
    ref_sorted, focal_sorted = np.sort(reference), np.sort(focal)
    focal_place = (
        np.searchsorted(ref_sorted, focal, "left") + np.searchsorted(ref_sorted, focal, "right")
    ) / (2 * reference.size)
    ref_place = (
        np.searchsorted(focal_sorted, reference, "left")
        + np.searchsorted(focal_sorted, reference, "right")
    ) / (2 * focal.size)
    auc = float(focal_place.mean())
    extra = {"prob_superiority": auc}
    n = float(focal.size + reference.size)
    if auc in (0.0, 1.0):
        which = "reference" if auc == 0.0 else "focal"
        return Estimate(math.nan, n=n, reason=REASON_SEPARATED.format(which=which), extra=extra)
    var_auc = (
        np.var(focal_place, ddof=1) / focal.size if focal.size > 1 else 0.0
    ) + (np.var(ref_place, ddof=1) / reference.size if reference.size > 1 else 0.0)
    value = math.sqrt(2) * float(stats.norm.ppf(auc))
    se = math.sqrt(2 * var_auc) / float(stats.norm.pdf(stats.norm.ppf(auc)))
    return _wald(value, se, alpha, n=n, extra=extra)


def transformed_gap(
    p_focal: float,
    p_reference: float,
    *,
    n_focal: float | None = None,
    n_reference: float | None = None,
    alpha: float = 0.05,
) -> Estimate:
    """Transformed percent-proficient gap ``Phi^-1(p_focal) - Phi^-1(p_reference)``.

    ``p`` is each group's share at or above the proficiency cut, so the sign follows the other
    gaps: focal minus reference, negative when fewer focal students are proficient. It equals
    Cohen's d only if both groups' scores are normal with equal variances; report it only beside
    a distribution-wide gap (Ho 2008). Given both group sizes, the SE is from the delta method,
    ``Var(Phi^-1(p)) = p(1-p) / (n phi(Phi^-1(p))^2)``.

    Examples
    --------
    >>> round(transformed_gap(0.55, 0.30).value, 3)
    0.65
    """
    for what, p in (("p_focal", p_focal), ("p_reference", p_reference)):
        if not 0 <= p <= 1:
            raise ValueError(ERR_PROPORTION.format(what=what, got=p))
    _z(alpha)
    if min(p_focal, p_reference) == 0 or max(p_focal, p_reference) == 1:
        return Estimate.undefined(REASON_EXTREME_PROPORTION)
    probits = stats.norm.ppf([p_focal, p_reference])
    value = float(probits[0] - probits[1])
    if n_focal is None or n_reference is None:
        return Estimate(value)
    shares = np.array([p_focal, p_reference])
    sizes = np.array([n_focal, n_reference], dtype=float)
    variances = shares * (1 - shares) / (sizes * stats.norm.pdf(probits) ** 2)
    return _wald(value, math.sqrt(float(variances.sum())), alpha, n=float(n_focal + n_reference))
