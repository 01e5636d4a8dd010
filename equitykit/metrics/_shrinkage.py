"""Empirical-Bayes shrinkage of small-unit rates (docs/methods.md).

School × group rates from a handful of students swing wildly; ranking them puts the smallest
schools at both extremes. A beta-binomial model shrinks each rate toward the rate of all the
units together, by an amount that depends on its size and on how much the units really differ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import betaln, digamma

__all__ = ["shrink_rates"]

BAD_INPUT = "shrink_rates: x and n must be equal-length counts with 0 <= x <= n"
BAD_PRIOR = ("shrink_rates: prior must be 'district' (estimated from the units given) or a "
             "pair (a, b) of positive beta parameters; got {prior!r}")
TOO_FEW = "shrink_rates: at least two units with students are needed to estimate the prior"

#: Bounds of log(a + b), the prior strength in "students' worth" of evidence. The upper bound
#: stands for "no variation between units beyond chance" (complete pooling).
_LOG_STRENGTH = (math.log(1e-3), math.log(1e8))


def _neg_log_likelihood(theta: np.ndarray, x: np.ndarray, n: np.ndarray):
    """Beta-binomial marginal −log L (without the binomial coefficients) and its gradient,
    in theta = (logit of the prior mean, log of the prior strength a + b)."""
    mu = 1 / (1 + math.exp(-theta[0]))
    m = math.exp(theta[1])
    a, b = mu * m, (1 - mu) * m
    ll = np.sum(betaln(x + a, n - x + b)) - len(x) * betaln(a, b)
    da = np.sum(digamma(x + a) - digamma(n + a + b)) - len(x) * (digamma(a) - digamma(a + b))
    db = np.sum(digamma(n - x + b) - digamma(n + a + b)) - len(x) * (digamma(b) - digamma(a + b))
    grad = np.array([(da - db) * m * mu * (1 - mu), (da * mu + db * (1 - mu)) * m])
    return -ll, -grad


def _fit_prior(x: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood beta prior (a, b) from units' counts (the beta-binomial marginal)."""
    pooled = x.sum() / n.sum()
    if pooled in (0.0, 1.0):  # nobody (or everybody) has the outcome: nothing to shrink
        return (1e-12, 1e8) if pooled == 0 else (1e8, 1e-12)
    start = np.array([math.log(pooled / (1 - pooled)), math.log(10.0)])
    fit = optimize.minimize(_neg_log_likelihood, start, args=(x, n), jac=True,
                            method="L-BFGS-B", bounds=[(-30, 30), _LOG_STRENGTH],
                            options={"ftol": 1e-15, "gtol": 1e-10})
    mu, m = 1 / (1 + math.exp(-fit.x[0])), math.exp(fit.x[1])
    return mu * m, (1 - mu) * m


def shrink_rates(x: Sequence[float] | np.ndarray | pd.Series,
                 n: Sequence[float] | np.ndarray | pd.Series, *,
                 prior: str | tuple[float, float] = "district",
                 alpha: float = 0.05) -> pd.DataFrame:
    """Empirical-Bayes (beta-binomial) shrinkage of rates toward the overall rate.

    Model (docs/methods.md): each unit's true rate θ_i ~ Beta(a, b), and x_i | θ_i ~ Binomial(n_i,
    θ_i). With ``prior="district"`` (a, b) are estimated by **maximum likelihood** of the
    beta-binomial marginal over the units given (typically one district's schools for one
    group and outcome), which is better behaved than the method of moments when between-unit
    variance is small. Each unit's shrunken rate is its posterior mean
    (x_i + a) / (n_i + a + b), a weighted average of its own rate (weight
    ``reliability`` = n_i/(n_i + a + b)) and the prior mean a/(a + b); the interval is the
    equal-tailed Beta(x_i + a, n_i − x_i + b) posterior interval. When the units differ no
    more than chance, a + b is at its upper bound (1e8) and every rate shrinks to the
    overall rate. Units with n = 0 give NaN.

    Parameters
    ----------
    x, n : array-like
        Students with the outcome, and students, per unit.
    prior : "district" or (a, b)
        Estimate the prior from these units, or use a given Beta(a, b).
    alpha : float
        1 − posterior interval probability.

    Returns
    -------
    DataFrame
        One row per unit (the index of ``x`` when it is a Series): ``rate``, ``shrunken_rate``,
        ``ci_low``, ``ci_high``, ``reliability``; ``attrs["prior"]`` holds ``a``, ``b``,
        ``mean`` and ``method``.

    Examples
    --------
    >>> out = shrink_rates([1, 30, 2], [2, 300, 10], prior=(2.0, 18.0))
    >>> out["shrunken_rate"].round(4).tolist()
    [0.1364, 0.1, 0.1333]
    """
    index = x.index if isinstance(x, pd.Series) else None
    xs, ns = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    if xs.shape != ns.shape or xs.ndim != 1 or not np.all((xs >= 0) & (xs <= ns)):
        raise ValueError(BAD_INPUT)
    has = ns > 0
    if isinstance(prior, str):
        if prior != "district":
            raise ValueError(BAD_PRIOR.format(prior=prior))
        if has.sum() < 2:
            raise ValueError(TOO_FEW)
        a, b = _fit_prior(xs[has], ns[has])
        method = "maximum likelihood (beta-binomial marginal)"
    else:
        a, b = (float(v) for v in prior)
        if not (a > 0 and b > 0):
            raise ValueError(BAD_PRIOR.format(prior=prior))
        method = "given"
    post_a, post_b = xs + a, ns - xs + b
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame({
            "rate": np.where(has, xs / ns, np.nan),
            "shrunken_rate": np.where(has, post_a / (post_a + post_b), np.nan),
            "ci_low": np.where(has, stats.beta.ppf(alpha / 2, post_a, post_b), np.nan),
            "ci_high": np.where(has, stats.beta.ppf(1 - alpha / 2, post_a, post_b), np.nan),
            "reliability": np.where(has, ns / (ns + a + b), np.nan),
        }, index=index)
    out.attrs["prior"] = {"a": a, "b": b, "mean": a / (a + b), "method": method}
    return out
