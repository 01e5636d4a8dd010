"""Does an intersection add to what its two groups explain? (docs/methods.md)

For the students of group A (e.g. Black) and of group B (e.g. boys), four cells: A and B
(Black boys, ``11``), A not B (``10``), B not A (``01``), neither (``00``). Without
interaction the rates multiply, so the rate of A-and-B is predicted from the three other
cells as r_10 · r_01 / r_00. The **interaction ratio** is the observed rate over that
prediction,

    IR = (r_11 / r_10) / (r_01 / r_00),

the ratio of two risk ratios (the B-vs-not-B ratio inside A over the same ratio outside A;
Altman & Bland 2003). Its 95% interval is Katz's on the log scale,
SE(ln IR) = √Σ (1/x − 1/n) over the four cells, with 0.5 added to every count of a table that
has a cell without the outcome (Haldane). IR = 1 means the two groups explain the intersection;
an interval above 1 means the intersection's rate is higher than its groups predict. The two-
sided p-value is the Wald test of ln IR = 0.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ._result import Estimate

__all__ = ["interaction_ratio", "interaction_ratios"]

EMPTY_CELL = "a cell of the two-by-two table has no students, so there is no interaction ratio"


def interaction_ratio(
    x11: float, n11: float, x10: float, n10: float, x01: float, n01: float, x00: float,
    n00: float, *, confidence: float = 0.95,
) -> Estimate:
    """Interaction ratio of an intersection (rate of A-and-B over the no-interaction
    prediction from the other three cells).

    Parameters
    ----------
    x11, n11 : float
        Students of both groups with the outcome, and students of both groups.
    x10, n10 : float
        The same for group A without B.
    x01, n01 : float
        Group B without A.
    x00, n00 : float
        Neither group.
    confidence : float, default 0.95

    Returns
    -------
    Estimate
        ``value`` IR, ``ci_low``, ``ci_high``, ``se`` (of ln IR), ``p_value``, ``n`` (n11);
        ``extra`` ``predicted_rate`` (r_10 · r_01 / r_00) and ``haldane`` (0.5 added).

    Examples
    --------
    >>> e = interaction_ratio(40, 100, 5, 100, 10, 100, 5, 100)
    >>> round(e.value, 2), round(e.predicted_rate, 3)
    (4.0, 0.1)
    """
    value, low, high, se, p, predicted, haldane = interaction_ratios(
        *(np.atleast_1d(np.asarray(v, dtype=float)) for v in (x11, n11, x10, n10, x01, n01,
                                                               x00, n00)),
        confidence=confidence)
    if not np.isfinite(value[0]):
        return Estimate.undefined(EMPTY_CELL)
    return Estimate(float(value[0]), ci_low=float(low[0]), ci_high=float(high[0]),
                    se=float(se[0]), p_value=float(p[0]), n=float(n11),
                    extra={"predicted_rate": float(predicted[0]), "haldane": bool(haldane[0])})


def interaction_ratios(x11, n11, x10, n10, x01, n01, x00, n00, *, confidence: float = 0.95
                       ) -> tuple[np.ndarray, ...]:
    """:func:`interaction_ratio` for arrays of tables at once: ``(value, ci_low, ci_high, se,
    p_value, predicted_rate, haldane)``, NaN where a cell has no students."""
    x = np.array([x11, x10, x01, x00], dtype=float)
    n = np.array([n11, n10, n01, n00], dtype=float)
    empty = (n <= 0).any(axis=0) | np.isnan(x).any(axis=0) | np.isnan(n).any(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        predicted = (x[1] / n[1]) * (x[2] / n[2]) / (x[3] / n[3])
        haldane = ((x == 0) | (x == n)).any(axis=0)
        x, n = x + 0.5 * haldane, n + 1.0 * haldane
        r = x / n
        value = (r[0] / r[1]) / (r[2] / r[3])
        se = np.sqrt((1 / x - 1 / n).sum(axis=0))
        z = float(stats.norm.ppf(0.5 + confidence / 2))
        log = np.log(value)
        out = [value, np.exp(log - z * se), np.exp(log + z * se), se,
               2 * stats.norm.sf(np.abs(log) / se)]
    out = [np.where(empty, np.nan, v) for v in out]
    return (*out, np.where(empty, np.nan, predicted), haldane & ~empty)
