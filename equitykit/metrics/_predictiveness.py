"""Are outcomes predicted by demographics? (docs/methods.md)

A demographics-only model is fitted to the *strata table*: one row per combination of the
demographic dimensions (race × sex × economic disadvantage × EL × disability, at most a few
hundred rows), holding the sufficient statistics of the outcome. Every figure is exactly what the
same model fitted to one row per student gives, but the cost does not grow with enrolment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import factorial

import numpy as np
import pandas as pd
from scipy.special import expit, logit, xlogy

from ..errors import DataError
from ..schema import DIMENSIONS
from ._result import Estimate

__all__ = ["predictiveness", "strata_table"]

#: Sufficient statistics per stratum, by kind of outcome.
STATS: dict[str, tuple[str, ...]] = {
    "binary": ("n", "successes"),
    "score": ("n", "mean", "ss_within"),
}

MISSING_COLUMNS = "students: no column(s) {columns} for the predictiveness strata"
BAD_OUTCOME = (
    "students: column {outcome!r} must be boolean (a rate outcome) or numeric (a score); "
    "got dtype {dtype}"
)
BAD_STRATA = "strata: expected columns {expected} for a {kind} outcome (see strata_table)"
BAD_KIND = "outcome_kind must be 'binary' or 'score', got {kind!r}"
NO_STUDENTS = "the strata hold no students"
SAME_OUTCOME = "every student has the same outcome, so nothing can predict it"
NO_VARIATION = "every student has the same score, so nothing can predict it"
ONE_STRATUM = (
    "every student is in the same demographic stratum, so demographics cannot predict the "
    "outcome"
)

_MAX_ITER = 100  # Newton iterations
_MAX_HALVINGS = 40  # step halvings per iteration
_MAX_DOUBLINGS = 10  # step doublings per iteration
_TOL = 1e-12  # convergence: log-likelihood gain relative to max(1, |log-likelihood|)
_AT_LIMIT = 1e-6  # a stratum is separated below this fitted count of the other kind
_TIE = 1e-8  # linear predictors closer than this tie in the AUC


# ------------------------------------------------------------------------- the strata table
def _label(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "true", False: "false"}).astype("str")
    return values.astype("str")


def strata_table(
    students: pd.DataFrame, outcome: str, dimensions: Sequence[str] = DIMENSIONS,
) -> pd.DataFrame:
    """Aggregate students into demographic strata with the outcome's sufficient statistics.

    Students with the outcome missing (not in its population) or any dimension missing are
    left out. No student-level row survives: the result has one row per stratum.

    Parameters
    ----------
    students : DataFrame
        One row per student, with the ``dimensions`` columns and ``outcome``.
    outcome : str
        A boolean column (rate outcome, e.g. ``"oss"``) or a numeric one (score, e.g.
        ``"math_score"``).
    dimensions : sequence of str, default ``schema.DIMENSIONS``
        The demographic dimensions; booleans are labelled ``"true"``/``"false"``.

    Returns
    -------
    DataFrame
        The ``dimensions`` columns (as text) plus ``n`` and ``successes`` for a boolean
        outcome, or ``n``, ``mean`` and ``ss_within`` (sum of squared deviations from the
        stratum mean) for a score.

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"sex": ["F", "F", "M", "M", "M"],
    ...                          "oss": [True, False, True, True, False]})
    >>> strata_table(students, "oss", ["sex"]).to_dict("records")
    [{'sex': 'F', 'n': 2, 'successes': 1}, {'sex': 'M', 'n': 3, 'successes': 2}]
    """
    dims = list(dimensions)
    missing = [c for c in (*dims, outcome) if c not in students.columns]
    if missing:
        raise DataError(MISSING_COLUMNS.format(columns=missing))
    y = students[outcome]
    if pd.api.types.is_bool_dtype(y):
        kind = "binary"
    elif pd.api.types.is_numeric_dtype(y):
        kind = "score"
    else:
        raise DataError(BAD_OUTCOME.format(outcome=outcome, dtype=y.dtype))
    keep = y.notna() & students[dims].notna().all(axis=1)
    frame = students.loc[keep, dims].assign(_y=y[keep].astype(float))
    grouped = frame.groupby(dims, observed=True, sort=True)["_y"]
    if kind == "binary":
        out = grouped.agg(n="size", successes="sum").astype({"successes": int})
    else:
        out = grouped.agg(n="size", mean="mean", var="var")
        out["ss_within"] = (out.pop("var") * (out["n"] - 1)).fillna(0.0)
    out = out.reset_index()
    for dim in dims:
        out[dim] = _label(out[dim])
    return out


# ------------------------------------------------------------------------------ the models
def _blocks(strata: pd.DataFrame, dims: list[str]) -> tuple[list[np.ndarray], list[list[str]]]:
    """One block of 0/1 columns per dimension (first level in sorted order left out)."""
    blocks, names = [], []
    for dim in dims:
        codes, levels = pd.factorize(strata[dim].astype("str"), sort=True)
        blocks.append((codes[:, None] == np.arange(1, len(levels))).astype(float))
        names.append([f"{dim}={level}" for level in levels[1:]])
    return blocks, names


def _design(blocks: list[np.ndarray], subset: int) -> np.ndarray:
    """Intercept plus the blocks whose bit is set in ``subset``; a dimension without columns
    (constant) leaves the design, and so its fit, bit-for-bit unchanged."""
    chosen = [b for j, b in enumerate(blocks) if subset >> j & 1 and b.shape[1]]
    return np.column_stack([np.ones(len(blocks[0])), *chosen])


def _independent_columns(X: np.ndarray) -> np.ndarray:
    """Indices of the columns kept when aliased ones are dropped, as R's ``glm`` does: a column
    goes when it is a linear combination of the columns kept before it (a dimension constant in
    the population has no column at all; a dimension nested in another loses its columns)."""
    kept: list[int] = []
    for j in range(X.shape[1]):
        if np.linalg.matrix_rank(X[:, [*kept, j]]) > len(kept):
            kept.append(j)
    return np.array(kept)


def _solve(X: np.ndarray, weights: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Batched weighted normal equations ``(X' W X) b = rhs`` (pseudo-inverse: safe when
    a dummy has no weight in a bootstrap draw or a group is perfectly separated)."""
    hessian = np.einsum("sp,bs,sq->bpq", X, weights, X)
    return np.einsum("bpq,bq->bp", np.linalg.pinv(hessian, hermitian=True), rhs)


def _loglik(eta: np.ndarray, k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Bernoulli log-likelihood summed over students (the student-level ``Logit`` value);
    finite for every finite ``eta``."""
    return -(k * np.logaddexp(0, -eta) + (n - k) * np.logaddexp(0, eta)).sum(axis=-1)


def _line_search(X: np.ndarray, k: np.ndarray, n: np.ndarray, beta: np.ndarray,
                 step: np.ndarray, llf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale each data set's Newton step so the log-likelihood never decreases: halve it
    until it does not (no fraction helps: stay put); when the full step helps, double it while
    that helps more, so a separated fit runs off to its limit in a few iterations instead of
    about one logit unit per iteration."""
    scale = np.ones(len(beta))
    new = _loglik((beta + step) @ X.T, k, n)
    worse = new < llf
    for _ in range(_MAX_HALVINGS):
        if not worse.any():
            break
        scale[worse] /= 2
        new[worse] = _loglik((beta[worse] + scale[worse, None] * step[worse]) @ X.T,
                             k[worse], n[worse])
        worse = new < llf
    scale[worse], new[worse] = 0.0, llf[worse]
    grow = scale == 1
    for _ in range(_MAX_DOUBLINGS):
        if not grow.any():
            break
        rows = np.flatnonzero(grow)
        trial = _loglik((beta[rows] + 2 * scale[rows, None] * step[rows]) @ X.T,
                        k[rows], n[rows])
        better = trial > new[rows]
        scale[rows[better]] *= 2
        new[rows[better]] = trial[better]
        grow[rows[~better]] = False
    return beta + scale[:, None] * step, new


def _logit(X: np.ndarray, k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Binomial GLM (logit link) fitted to strata by Newton–Raphson with a line search; rows
    of ``k``/``n`` are independent data sets (bootstrap replicates), each with at least one
    student with and one without the outcome. Returns the linear predictor and coefficients.

    Each data set stops when an iteration raises its log-likelihood by less than ``_TOL``
    (relative). Under (quasi-)complete separation the maximum is only reached at infinity:
    the (expanding) steps then carry on until the perfectly predicted strata are within
    ``_TOL`` of their limit, so the log-likelihood, McFadden R² and the ordering of fitted
    probabilities (AUC) are those of the limiting fit.
    """
    beta = np.zeros((k.shape[0], X.shape[1]))
    beta[:, 0] = logit(k.sum(axis=1) / n.sum(axis=1))  # the null model
    llf = _loglik(beta @ X.T, k, n)
    active = np.ones(len(k), dtype=bool)
    for _ in range(_MAX_ITER):
        kk, nn, bb = k[active], n[active], beta[active]
        p = expit(bb @ X.T)
        step = _solve(X, nn * p * (1 - p), (kk - nn * p) @ X)
        bb, new = _line_search(X, kk, nn, bb, step, llf[active])
        gain = new - llf[active]
        beta[active], llf[active] = bb, new
        active[active] = gain > _TOL * np.maximum(1, np.abs(new))
        if not active.any():
            break
    return beta @ X.T, beta


def _at_limit(eta: np.ndarray, k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Strata the fit predicts perfectly (separation): all or none of the students have the
    outcome and the fitted count of the other kind is below ``_AT_LIMIT`` students."""
    return ((k == 0) & (n * expit(eta) < _AT_LIMIT)) | ((k == n) & (n * expit(-eta) < _AT_LIMIT))


def _identified(X: np.ndarray) -> np.ndarray:
    """Which coefficients the rows of ``X`` determine: column j is identified when the unit
    vector e_j lies in the row space, i.e. the projector onto it has a 1 on the diagonal."""
    projector = np.linalg.pinv(X) @ X
    return np.isclose(np.diag(projector), 1.0, rtol=0, atol=1e-8)


def _mcfadden(eta: np.ndarray, k: np.ndarray, n: np.ndarray) -> np.ndarray:
    total, events = n.sum(axis=1), k.sum(axis=1)
    share = events / total
    null = xlogy(events, share) + xlogy(total - events, 1 - share)
    return 1 - _loglik(eta, k, n) / null


def _auc(eta: np.ndarray, positives: np.ndarray, negatives: np.ndarray) -> float:
    """Mann–Whitney AUC from counts of positives and negatives at each linear predictor;
    pairs at equal predicted probability (within ``_TIE`` on the logit scale) count one half."""
    order = np.argsort(eta, kind="stable")
    level = np.concatenate([[0], np.cumsum(np.diff(eta[order]) > _TIE)])
    pos = np.bincount(level, positives[order])
    neg = np.bincount(level, negatives[order])
    below = np.cumsum(neg) - neg
    return float((pos @ below + 0.5 * pos @ neg) / (pos.sum() * neg.sum()))


def _wls(X: np.ndarray, mean: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fitted stratum means of the student-level OLS (= WLS of means on weights n)."""
    beta = _solve(X, n, (n * mean) @ X)
    return beta @ X.T, beta


def _r2(X: np.ndarray, n: np.ndarray, mean: np.ndarray, ss_within: np.ndarray
        ) -> tuple[np.ndarray, np.ndarray]:
    fitted, beta = _wls(X, mean, n)
    grand = (n * mean).sum(axis=1, keepdims=True) / n.sum(axis=1, keepdims=True)
    within = ss_within.sum(axis=1)
    residual = (n * (mean - fitted) ** 2).sum(axis=1) + within
    total = (n * (mean - grand) ** 2).sum(axis=1) + within
    return 1 - residual / total, beta


# ------------------------------------------------------------------- attribution, intervals
def _dominance(fit_of: Callable[[int], float], k: int) -> np.ndarray:
    """General dominance weights = Shapley values of the fit over all 2^k subsets (the empty
    one is fitted too, so a dimension that changes no model gets exactly zero)."""
    value = np.array([fit_of(subset) for subset in range(2**k)])
    weights = np.zeros(k)
    for subset in range(2**k):
        size = subset.bit_count()
        for j in range(k):
            if not subset >> j & 1:
                share = factorial(size) * factorial(k - size - 1) / factorial(k)
                weights[j] += share * (value[subset | 1 << j] - value[subset])
    return weights


def _interval(draws: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Percentile interval and SD of the defined (finite) replicates."""
    draws = draws[np.isfinite(draws)]
    if draws.size < 2:
        return np.nan, np.nan, np.nan
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return float(low), float(high), float(np.std(draws, ddof=1))


def _binary(strata, X, n_boot, rng, confidence) -> Estimate:
    n = strata["n"].to_numpy(float)[None]
    k = strata["successes"].to_numpy(float)[None]
    eta, beta = _logit(X, k, n)
    p = expit(eta[0])
    separated = _at_limit(eta[0], k[0], n[0])
    if separated.any():  # coefficients along the separating direction are infinite
        beta = np.where(_identified(X[~separated]), beta, np.nan)
    extra = {
        "mcfadden_r2": float(_mcfadden(eta, k, n)[0]),
        "tjur_d": float(p @ k[0] / k.sum() - p @ (n[0] - k[0]) / (n - k).sum()),
        "separated_strata": int(separated.sum()),
        "beta": beta[0],
    }
    cells = np.concatenate([k[0], n[0] - k[0]])
    draws = rng.multinomial(int(n.sum()), cells / cells.sum(), size=n_boot).astype(float)
    k_star, n_star = draws[:, : len(p)], draws[:, : len(p)] + draws[:, len(p):]
    events = k_star.sum(axis=1)
    defined = (events > 0) & (events < n_star.sum(axis=1))  # else nothing to predict
    aucs, r2s = np.full(n_boot, np.nan), np.full(n_boot, np.nan)
    if defined.any():
        k_star, n_star = k_star[defined], n_star[defined]
        eta_star, _ = _logit(X, k_star, n_star)
        aucs[defined] = [_auc(e, ks, ns - ks)
                         for e, ks, ns in zip(eta_star, k_star, n_star, strict=True)]
        r2s[defined] = _mcfadden(eta_star, k_star, n_star)
    extra["mcfadden_r2_ci"] = _interval(r2s, confidence)[:2]
    extra["undefined_replicates"] = int(n_boot - defined.sum())
    return _estimate(_auc(eta[0], k[0], n[0] - k[0]), aucs, confidence, n.sum(), extra)


def _score(strata, X, n_boot, rng, confidence) -> Estimate:
    n, mean, ss = (strata[c].to_numpy(float)[None] for c in STATS["score"])
    r2, beta = _r2(X, n, mean, ss)
    dof = n.sum() - X.shape[1]  # residual degrees of freedom
    extra = {
        "adjusted_r2": float(1 - (1 - r2[0]) * (n.sum() - 1) / dof) if dof > 0 else np.nan,
        "beta": beta[0],
    }
    # Normal-theory bootstrap of the sufficient statistics: stratum sizes multinomial,
    # stratum means normal, within-stratum sums of squares sigma² chi-square.
    n_star = rng.multinomial(int(n.sum()), n[0] / n.sum(), size=n_boot).astype(float)
    variance = np.divide(ss, n - 1, out=np.zeros_like(ss), where=n > 1)
    sd_mean = np.sqrt(variance / np.maximum(n_star, 1))
    mean_star = rng.normal(mean, sd_mean)
    ss_star = variance * rng.chisquare(np.maximum(n_star - 1, 1)) * (n_star > 1)
    r2_star, _ = _r2(X, n_star, mean_star, ss_star)
    return _estimate(float(r2[0]), r2_star, confidence, n.sum(), extra)


def _estimate(value, draws, confidence, n, extra) -> Estimate:
    low, high, se = _interval(draws, confidence)
    return Estimate(value, ci_low=low, ci_high=high, se=se, n=float(n), extra=extra)


def _checked_strata(strata: pd.DataFrame, outcome_kind: str | None,
                    dimensions: Sequence[str] | None
                    ) -> tuple[str, pd.DataFrame, list[str], Estimate | None]:
    """The outcome kind, the non-empty strata and the dimensions of a strata table, with the
    undefined estimate (and its reason) when no model can be fitted to it."""
    kind = outcome_kind or ("binary" if "successes" in strata.columns else "score")
    if kind not in STATS:
        raise ValueError(BAD_KIND.format(kind=kind))
    if not set(STATS[kind]) <= set(strata.columns):
        raise DataError(BAD_STRATA.format(expected=list(STATS[kind]), kind=kind))
    dims = list(dimensions) if dimensions is not None else [
        c for c in strata.columns if c not in (*STATS["binary"], *STATS["score"])]
    strata = strata.loc[strata["n"] > 0]
    reason = None
    if strata.empty:
        reason = NO_STUDENTS
    elif kind == "binary" and strata["successes"].sum() in (0, strata["n"].sum()):
        reason = SAME_OUTCOME
    elif kind == "score" and _constant_score(strata):
        reason = NO_VARIATION
    elif not dims or len(strata[dims].drop_duplicates()) < 2:
        reason = ONE_STRATUM
    return kind, strata, dims, (Estimate.undefined(reason, kind=kind) if reason else None)


def predictiveness(
    strata: pd.DataFrame, *, outcome_kind: str | None = None,
    dimensions: Sequence[str] | None = None, n_boot: int = 200, seed: int = 0,
    confidence: float = 0.95,
) -> Estimate:
    """How well demographics alone predict an outcome (the Demographic Predictiveness Index).

    Fits the demographics-only model with main effects of each dimension (docs/methods.md) to the
    strata table of :func:`strata_table`:

    - **binary** outcome: logistic regression (binomial GLM on stratum successes/failures,
      identical to a student-level logit). ``value`` = AUC (c-statistic), computed exactly
      from the strata as the Mann–Whitney statistic with ties counted one half; 0.5 means
      demographics carry no information. Also McFadden R² = 1 − ℓ(model)/ℓ(null) and Tjur's
      D = mean p̂ among students with the outcome − mean p̂ among the others.
      Under (quasi-)complete separation (e.g. a group in which no student, or every student,
      has the outcome) the maximum likelihood lies at infinity; the fit then converges to
      that limit (those strata's fitted probabilities 0 or 1), and AUC, McFadden R² and
      Tjur's D are the limits' values, which are well defined. Coefficients that are infinite
      in the limit are reported as NaN.
    - **score**: OLS of the score on the dummies; ``value`` = R², exact from the stratum
      sizes, means and within-stratum sums of squares; also adjusted R².

    ``dominance`` splits the fit (McFadden R² for binary, R² for scores) across the
    dimensions by general dominance analysis (docs/methods.md): each dimension's average
    incremental fit over all 2^k subset models, which equals its Shapley value; the weights
    add up exactly to the full model's fit. A dimension with one level in the data gets no
    column and weight 0; a column that is a linear combination of earlier ones (a dimension
    nested in another) is dropped from the full model and its coefficient is NaN, as R's
    ``glm`` reports NA.

    Intervals are bootstrap percentiles over ``n_boot`` replicates, resampled from the strata
    counts: for binary outcomes a multinomial draw of all students over the stratum × outcome
    cells (exactly the student-level nonparametric bootstrap); for scores a normal-theory
    parametric bootstrap of stratum sizes, means and sums of squares. ``se`` is the SD of the
    replicates. A binary replicate in which no student (or every student) has the outcome has
    nothing to predict; it is left out of the interval (the interval is conditional on the
    outcome occurring) and counted in ``undefined_replicates``. Fits are in-sample (no
    cross-validation): the values describe the fitted students and are optimistic, and the
    percentile interval of an optimistic statistic can even miss its own estimate. The audit
    publishes :func:`predictive_accuracy` (cross-validated AUC, adjusted R², a test of "no
    prediction") and uses this function for the dominance split only.

    Parameters
    ----------
    strata : DataFrame
        Output of :func:`strata_table`.
    outcome_kind : {"binary", "score"}, optional
        Inferred from the columns when omitted.
    dimensions : sequence of str, optional
        Dimension columns to use; default every column that is not a statistic.
    n_boot : int, default 200
        Bootstrap replicates (0: no interval).
    seed : int, default 0
        Seed of the bootstrap.
    confidence : float, default 0.95

    Returns
    -------
    Estimate
        ``value`` (AUC or R²), ``ci_low``, ``ci_high``, ``se``, ``n`` (students); ``extra``:
        ``kind``, ``dominance`` (dimension → weight), ``coefficients`` (name → value, log-odds
        or score points, first level of each dimension as reference), ``n_strata``, and
        ``mcfadden_r2``, ``mcfadden_r2_ci``, ``tjur_d``, ``separated_strata`` (strata
        predicted perfectly), ``undefined_replicates`` (binary) or ``adjusted_r2`` (score).
        Undefined, with ``reason``, when the strata hold no students, every student has the
        same outcome (or score), or all students are in one stratum.

    Examples
    --------
    >>> import pandas as pd
    >>> strata = pd.DataFrame({"sex": ["F", "M"], "n": [100, 100], "successes": [10, 30]})
    >>> e = predictiveness(strata, n_boot=0)
    >>> round(e.value, 3), round(e.tjur_d, 3), e.dominance["sex"] == e.mcfadden_r2
    (0.656, 0.062, True)
    """
    kind, strata, dims, undefined = _checked_strata(strata, outcome_kind, dimensions)
    if undefined is not None:
        return undefined
    blocks, names = _blocks(strata, dims)
    X = _design(blocks, 2 ** len(dims) - 1)
    kept = _independent_columns(X)
    method = _binary if kind == "binary" else _score
    result = method(strata, X[:, kept], n_boot, np.random.default_rng(seed), confidence)
    beta = np.full(X.shape[1], np.nan)  # aliased columns stay NaN, like R's NA
    beta[kept] = result.extra.pop("beta")
    weights = _dominance(_subset_fit(strata, blocks, kind), len(dims))
    result.extra.update(
        kind=kind,
        dominance={d: float(w) for d, w in zip(dims, weights, strict=True)},
        coefficients=dict(zip(["const", *(c for block in names for c in block)],
                              map(float, beta), strict=True)),
        n_strata=len(strata),
    )
    return result


def _constant_score(strata: pd.DataFrame) -> bool:
    spread = strata["mean"].max() - strata["mean"].min()
    return bool(spread == 0 and strata["ss_within"].sum() == 0)


def _subset_fit(strata: pd.DataFrame, blocks: list[np.ndarray], kind: str
                ) -> Callable[[int], float]:
    """The fit measure of the model with the dimensions in ``subset`` (a bit mask)."""
    n = strata["n"].to_numpy(float)[None]
    if kind == "binary":
        k = strata["successes"].to_numpy(float)[None]
        return lambda subset: float(_mcfadden(_logit(_design(blocks, subset), k, n)[0], k, n)[0])
    mean, ss = (strata[c].to_numpy(float)[None] for c in ("mean", "ss_within"))
    return lambda subset: float(_r2(_design(blocks, subset), n, mean, ss)[0][0])
