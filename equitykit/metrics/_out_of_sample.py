"""Honest predictiveness: out-of-sample accuracy of a demographics-only model, with a
permutation test of "demographics predict nothing" (docs/methods.md).

:func:`predictiveness` describes the fit on the students it was fitted to; with dozens of
parameters that in-sample AUC or R² is above what demographics explain in the district, and a
percentile bootstrap of it can even exclude its own estimate. :func:`predictive_accuracy`
reports instead:

- **binary** outcome: the cross-validated AUC. Students are split at random into ``folds``
  folds (``repeats`` times); for each fold the logit is fitted to the other folds and the AUC
  is computed on the held-out fold; ``value`` is the mean over folds and repeats. On the strata
  table the split is a multivariate hypergeometric draw of each stratum × outcome cell, which is
  exactly a random split of the students. The 95% interval is ``value ± z·se`` with ``se`` from
  the influence curve of the cross-validated AUC (LeDell, Petersen & van der Laan 2015, the R
  package ``cvAUC``; ties count one half); it always holds the estimate. Its upper limit is at
  least 0.5: no model does worse than chance in the population, so an estimate below 0.5 is
  chance plus noise.
- **score**: adjusted R² (Ezekiel), the estimate of the share of score variance demographics
  explain in the population (the in-sample R² minus its expected optimism; unbiased when
  demographics explain nothing, so a null outcome is centred on 0, not above it). The interval
  is ``value ± z·se`` with ``se`` the SD of the adjusted R² over a parametric bootstrap from the
  fitted model (normal scores around the fitted stratum means).

``p_value`` tests "demographics predict nothing":

- binary: a permutation test. The outcome is permuted across students ``n_permutations``
  times (on strata: the total number of students with the outcome is reallocated to strata by
  a multivariate hypergeometric draw, which is exactly the distribution of a permutation), the
  logit refitted, and p = (1 + #{permuted log-likelihood ≥ observed}) / (1 + B);
- score: the overall F test of the linear model (its exact null distribution under normal
  scores; the strata table has no individual scores to permute).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._predictiveness import (
    ONE_STRATUM,
    STATS,
    _blocks,
    _checked_strata,
    _design,
    _independent_columns,
    _logit,
    _loglik,
    _r2,
)
from ._result import Estimate

__all__ = ["predictive_accuracy"]

_TIE = 1e-8  # linear predictors closer than this tie (as in the in-sample AUC)
_LL_TOL = 1e-9  # a permuted log-likelihood this close (relative) to the observed one ties
NO_TRAINING_EVENTS = "too few students with (or without) the outcome to cross-validate"


def _split(cells: np.ndarray, folds: int, rng: np.random.Generator) -> np.ndarray:
    """Random split of the students in ``cells`` (counts) into ``folds`` folds of equal size
    (within one): an array folds × cells of counts, each column summing to its cell."""
    left = cells.astype(np.int64).copy()
    sizes = np.full(folds, left.sum() // folds)
    sizes[: left.sum() % folds] += 1
    out = np.zeros((folds, len(cells)), dtype=np.int64)
    for f, size in enumerate(sizes[:-1]):
        out[f] = rng.multivariate_hypergeometric(left, int(size))
        left -= out[f]
    out[-1] = left
    return out


def _ranks(eta: np.ndarray) -> np.ndarray:
    """Tie levels of ``eta`` (equal within ``_TIE``), 0 for the lowest."""
    order = np.argsort(eta, kind="stable")
    level = np.empty(len(eta), dtype=np.int64)
    level[order] = np.concatenate([[0], np.cumsum(np.diff(eta[order]) > _TIE)])
    return level


def _fold_auc(eta: np.ndarray, pos: np.ndarray, neg: np.ndarray, w1: float, w0: float
              ) -> tuple[float, float]:
    """AUC of one held-out fold and the sum over its students of the squared influence curve
    (positives: w1·(share of negatives ranked below − AUC); negatives: w0·(share of positives
    ranked above − AUC); ties count one half)."""
    level = _ranks(eta)
    pos_at = np.bincount(level, pos)
    neg_at = np.bincount(level, neg)
    n1, n0 = pos.sum(), neg.sum()
    neg_below = (np.cumsum(neg_at) - neg_at + 0.5 * neg_at) / n0  # per level
    pos_above = (pos_at[::-1].cumsum()[::-1] - pos_at + 0.5 * pos_at) / n1
    auc = float(pos_at @ neg_below / n1)
    ic_pos = w1 * (neg_below[level] - auc)
    ic_neg = w0 * (pos_above[level] - auc)
    return auc, float(pos @ ic_pos**2 + neg @ ic_neg**2)


def _binary(strata: pd.DataFrame, X: np.ndarray, folds: int, repeats: int,
            n_permutations: int, rng: np.random.Generator, z: float) -> Estimate:
    n = strata["n"].to_numpy(np.int64)
    k = strata["successes"].to_numpy(np.int64)
    s = len(n)
    total, events = int(n.sum()), int(k.sum())
    splits = np.concatenate([_split(np.concatenate([k, n - k]), folds, rng)
                             for _ in range(repeats)])  # (repeats·folds) × 2s
    test_pos, test_neg = splits[:, :s], splits[:, s:]
    train_k, train_n = k - test_pos, n - test_pos - test_neg
    fit_events = train_k.sum(axis=1)
    usable = (fit_events > 0) & (fit_events < train_n.sum(axis=1)) \
        & (test_pos.sum(axis=1) > 0) & (test_neg.sum(axis=1) > 0)
    if not usable.all():
        return Estimate.undefined(NO_TRAINING_EVENTS, kind="binary")
    eta, _ = _logit(X, train_k.astype(float), train_n.astype(float))
    w1, w0 = total / events, total / (total - events)
    fold = [_fold_auc(e, p.astype(float), q.astype(float), w1, w0)
            for e, p, q in zip(eta, test_pos, test_neg, strict=True)]
    aucs = np.array([a for a, _ in fold])
    # cvAUC: sigma² = mean over folds of the mean squared influence curve; se = sigma/√N.
    per_fold = np.array([ss for _, ss in fold]) / splits.sum(axis=1)
    se = float(np.sqrt(per_fold.mean() / total))
    value = float(aucs.mean())
    p_value = _permutation_p(X, k, n, n_permutations, rng)
    # Chance is the floor of what demographics can do in the population (AUC 0.5): an upper
    # limit below it would exclude every possible value, so it is raised to 0.5.
    return Estimate(value, ci_low=max(0.0, value - z * se),
                    ci_high=min(1.0, max(0.5, value + z * se)),
                    se=se, p_value=p_value, n=float(total),
                    extra={"kind": "binary", "folds": folds, "repeats": repeats,
                           "permutations": n_permutations})


def _permutation_p(X: np.ndarray, k: np.ndarray, n: np.ndarray, n_permutations: int,
                   rng: np.random.Generator) -> float:
    """Permutation p-value of the logit's log-likelihood (the null model's is the same for
    every permutation, so this is the likelihood-ratio statistic)."""
    if n_permutations < 1:
        return np.nan
    _, beta = _logit(X, k[None].astype(float), n[None].astype(float))
    observed = float(_loglik(beta @ X.T, k[None], n[None])[0])
    permuted = rng.multivariate_hypergeometric(n, int(k.sum()), size=n_permutations)
    _, beta_null = _logit(X, permuted.astype(float), np.broadcast_to(n, permuted.shape)
                          .astype(float))
    null = _loglik(beta_null @ X.T, permuted, n[None])
    hits = int((null >= observed - _LL_TOL * max(1.0, abs(observed))).sum())
    return (1 + hits) / (1 + n_permutations)


def _score(strata: pd.DataFrame, X: np.ndarray, n_boot: int, rng: np.random.Generator,
           z: float) -> Estimate:
    n, mean, ss = (strata[c].to_numpy(float)[None] for c in STATS["score"])
    total, p = n.sum(), X.shape[1] - 1
    dof = total - p - 1
    if dof < 1 or p < 1:
        return Estimate.undefined(ONE_STRATUM, kind="score")
    r2, beta = _r2(X, n, mean, ss)
    adjusted = 1 - (1 - r2) * (total - 1) / dof
    fitted = (beta @ X.T)[0]
    sigma2 = float(((n * (mean - fitted) ** 2).sum() + ss.sum()) / dof)
    f_stat = float(r2[0] / p / ((1 - r2[0]) / dof)) if r2[0] < 1 else np.inf
    p_value = float(stats.f.sf(f_stat, p, dof))
    se = np.nan
    if n_boot > 1:  # parametric bootstrap from the fitted model, stratum sizes held fixed
        mean_star = rng.normal(fitted, np.sqrt(sigma2 / n[0]), size=(n_boot, n.shape[1]))
        ss_star = sigma2 * rng.chisquare(np.maximum(n[0] - 1, 1), size=mean_star.shape) \
            * (n[0] > 1)
        r2_star, _ = _r2(X, np.broadcast_to(n, mean_star.shape), mean_star, ss_star)
        se = float(np.std(1 - (1 - r2_star) * (total - 1) / dof, ddof=1))
    value = float(adjusted[0])
    return Estimate(value, ci_low=value - z * se, ci_high=value + z * se, se=se,
                    p_value=p_value, n=float(total),
                    extra={"kind": "score", "r2": float(r2[0]), "f_statistic": f_stat,
                           "df": (p, int(dof))})


def predictive_accuracy(
    strata: pd.DataFrame, *, outcome_kind: str | None = None,
    dimensions: Sequence[str] | None = None, folds: int = 5, repeats: int = 4,
    n_permutations: int = 199, n_boot: int = 200, seed: int = 0, confidence: float = 0.95,
) -> Estimate:
    """Out-of-sample accuracy of the demographics-only model, and whether it beats chance.

    The model is :func:`predictiveness`'s (main effects of each dimension, aliased columns
    dropped); the measures are out of sample (see the module docstring for the definitions).

    Parameters
    ----------
    strata : DataFrame
        Output of :func:`strata_table`.
    outcome_kind : {"binary", "score"}, optional
        Inferred from the columns when omitted.
    dimensions : sequence of str, optional
        Dimension columns to use; default every column that is not a statistic.
    folds, repeats : int
        Cross-validation folds, and how many random splits are averaged (binary).
    n_permutations : int, default 199
        Permutations of the outcome for the p-value (binary; 0: no p-value).
    n_boot : int, default 200
        Parametric bootstrap replicates for the standard error (score).
    seed : int, default 0
    confidence : float, default 0.95

    Returns
    -------
    Estimate
        ``value`` (cross-validated AUC, or adjusted R²), ``ci_low``, ``ci_high``, ``se``,
        ``p_value``, ``n``; ``extra`` ``kind`` and the settings (binary) or ``r2`` (in-sample),
        ``f_statistic``, ``df`` (score). Undefined, with ``reason``, like
        :func:`predictiveness`, or when a training fold has no student with (or without) the
        outcome.

    Examples
    --------
    >>> import pandas as pd
    >>> strata = pd.DataFrame({"sex": ["F", "M"], "n": [300, 300], "successes": [30, 90]})
    >>> e = predictive_accuracy(strata, n_permutations=99)
    >>> round(e.value, 2), e.ci_low < e.value < e.ci_high, e.p_value
    (0.66, True, 0.01)
    """
    kind, strata, dims, undefined = _checked_strata(strata, outcome_kind, dimensions)
    if undefined is not None:
        return undefined
    blocks, _ = _blocks(strata, dims)
    X = _design(blocks, 2 ** len(dims) - 1)
    X = X[:, _independent_columns(X)]
    rng = np.random.default_rng(seed)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    if kind == "binary":
        return _binary(strata, X, folds, repeats, n_permutations, rng, z)
    return _score(strata, X, n_boot, rng, z)
