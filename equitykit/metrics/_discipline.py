"""Discipline at each decision point (docs/methods.md): within-offense comparisons and days of
lost instruction.

Referral risk ratios, the share of referred students referred for a subjective offense, the
share given an exclusionary action or a restorative conference, and the share suspended two or
more times are rates of students and go through :func:`equitykit.metrics.disproportionality`
like every other outcome. This module adds what a rate of students cannot say: whether, *for
the same offense*, a group's incidents end in exclusion (or a restorative conference) more
often than other students' — the Mantel–Haenszel risk ratio over offense categories — and the
days of instruction lost per 100 students, as the Civil Rights Data Collection analyses report
them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._rates import z_value
from ._result import Estimate

__all__ = ["days_lost_per_100", "mantel_haenszel_risk_ratio", "within_offense_risk_ratios"]

NO_STUDENTS = "no students in the group"
NO_STRATUM = "no offense category has incidents of both the group and the other students"
NO_EVENTS = "no incident of the group, or none of the others, had the action"
BAD_STRATA = ("mantel_haenszel_risk_ratio: x_group, n_group, x_other and n_other must be "
              "sequences of the same length of whole counts with 0 <= x <= n")


def mantel_haenszel_risk_ratio(*, x_group: Sequence[float], n_group: Sequence[float],
                               x_other: Sequence[float], n_other: Sequence[float],
                               alpha: float = 0.05) -> Estimate:
    """Risk ratio of a group against all others, pooled over strata (Mantel–Haenszel).

    For strata *i* (offense categories) with the group's *a_i* of *n1_i* incidents having the
    action and the others' *c_i* of *n2_i* (*N_i* = *n1_i* + *n2_i*):

    RR_MH = Σ (a_i·n2_i/N_i) / Σ (c_i·n1_i/N_i),

    the log interval uses the Greenland–Robins (1985) variance
    Σ[(n1_i·n2_i·(a_i + c_i) − a_i·c_i·N_i)/N_i²] / [Σ(a_i·n2_i/N_i) · Σ(c_i·n1_i/N_i)],
    and the p-value is the Cochran–Mantel–Haenszel chi-square test (no continuity
    correction). A stratum holding only one side adds nothing. The point estimate equals
    statsmodels' ``StratifiedTable.riskratio_pooled``.

    Parameters
    ----------
    x_group, n_group : sequence of number
        Per stratum, the group's incidents with the action and all its incidents.
    x_other, n_other : sequence of number
        The same for every other student's incidents.
    alpha : float
        1 − confidence level.

    Returns
    -------
    Estimate
        ``value``, ``ci_low``, ``ci_high``, ``se`` (of ln RR_MH), ``p_value``, ``n`` (the
        group's incidents); NaN with a ``reason`` when undefined.

    Examples
    --------
    >>> rr = mantel_haenszel_risk_ratio(x_group=[8, 3], n_group=[10, 10],
    ...                                 x_other=[20, 5], n_other=[40, 50])
    >>> round(rr.value, 4), round(rr.ci_low, 4), round(rr.ci_high, 4)
    (1.8414, 1.1892, 2.8513)
    """
    a, n1, c, n2 = (np.asarray(v, dtype=float) for v in (x_group, n_group, x_other, n_other))
    if not (a.shape == n1.shape == c.shape == n2.shape and a.ndim == 1) or not all(
            np.all((x >= 0) & (x <= n) & (x % 1 == 0) & (n % 1 == 0))
            for x, n in ((a, n1), (c, n2))):
        raise ValueError(BAD_STRATA)
    both = (n1 > 0) & (n2 > 0)
    if not both.any():
        return Estimate.undefined(NO_STRATUM)
    a, n1, c, n2 = a[both], n1[both], c[both], n2[both]
    total = n1 + n2
    r = float(np.sum(a * n2 / total))
    s = float(np.sum(c * n1 / total))
    events = a + c
    expected = n1 * events / total
    variance = n1 * n2 * events * (total - events) / (total**2 * (total - 1))
    informative = float(np.sum(np.where(total > 1, variance, 0.0)))
    p = (float(stats.chi2.sf(np.sum(a - expected) ** 2 / informative, 1))
         if informative > 0 else math.nan)
    n_incidents = float(np.sum(n1))
    if r == 0 or s == 0:
        value = 0.0 if s > 0 else (math.inf if r > 0 else math.nan)
        return Estimate(value, p_value=p, n=n_incidents, reason=NO_EVENTS)
    rr = float(r / s)
    se = math.sqrt(float(np.sum((n1 * n2 * events - a * c * total) / total**2)) / (r * s))
    z = z_value(alpha)
    return Estimate(rr, ci_low=rr * math.exp(-z * se), ci_high=rr * math.exp(z * se), se=se,
                    p_value=p, n=n_incidents)


def within_offense_risk_ratios(incidents: pd.DataFrame, *, group: str, stratum: str,
                               outcome: str, alpha: float = 0.05) -> pd.DataFrame:
    """Per group of column ``group``: its incidents against every other student's, for the
    same offense (strata: column ``stratum``), by :func:`mantel_haenszel_risk_ratio`.

    Parameters
    ----------
    incidents : DataFrame
        One row per incident; rows with a missing group, stratum or outcome are left out.
    group, stratum, outcome : str
        Column names: the group label, the offense category, and a yes/no column (the action
        of interest, e.g. exclusionary).
    alpha : float
        1 − confidence level.

    Returns
    -------
    DataFrame
        One row per group: ``group``, ``value``, ``ci_low``, ``ci_high``, ``p_value``, ``n``
        (the group's incidents), ``numerator`` (those with the action), ``note`` (why a value
        is undefined).

    Examples
    --------
    >>> frame = pd.DataFrame({"race": ["B", "B", "W", "W"], "offense": ["x", "x", "x", "x"],
    ...                       "oss": [True, True, True, False]})
    >>> within_offense_risk_ratios(frame, group="race", stratum="offense", outcome="oss")[
    ...     ["group", "value"]].to_dict("records")
    [{'group': 'B', 'value': 2.0}, {'group': 'W', 'value': 0.5}]
    """
    used = incidents[[group, stratum, outcome]].dropna()
    labels = used[group].astype(str)
    flag = used[outcome].astype(bool)
    cells = pd.DataFrame({"g": labels, "s": used[stratum].astype(str), "x": flag.astype(float)})
    table = cells.groupby(["g", "s"]).agg(x=("x", "sum"), n=("x", "size"))
    by_stratum = table.groupby(level="s").sum()
    rows = []
    for label in sorted(labels.unique()):
        own = table.loc[label].reindex(by_stratum.index, fill_value=0)
        other = by_stratum - own
        est = mantel_haenszel_risk_ratio(x_group=own["x"], n_group=own["n"],
                                         x_other=other["x"], n_other=other["n"], alpha=alpha)
        rows.append({"group": label, "value": est.value, "ci_low": est.ci_low,
                     "ci_high": est.ci_high, "p_value": est.p_value, "n": float(own["n"].sum()),
                     "numerator": float(own["x"].sum()), "note": est.reason})
    return pd.DataFrame(rows, columns=["group", "value", "ci_low", "ci_high", "p_value", "n",
                                       "numerator", "note"])


def days_lost_per_100(*, days: float, students: float) -> Estimate:
    """Days of instruction lost to out-of-school suspension per 100 enrolled students.

    100 × days ÷ students, as the Civil Rights Data Collection "lost instruction" analyses
    report it (Losen & Whitaker 2017): a district where 50 of 1,000 students lost 3 days each
    lost 15 days per 100 students.

    Examples
    --------
    >>> days_lost_per_100(days=150, students=1000).value
    15.0
    """
    if students < 0 or days < 0:
        raise ValueError(f"days_lost_per_100: days and students must be >= 0; got {days}, "
                         f"{students}")
    if students == 0:
        return Estimate(math.nan, n=0.0, reason=NO_STUDENTS)
    return Estimate(100.0 * days / students, n=float(students))
