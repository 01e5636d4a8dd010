"""Rates and comparisons of two rates (docs/methods.md).

The public functions take counts and return an :class:`Estimate`. Each is a thin wrapper over
an array routine in this module, and :func:`equitykit.metrics.disproportionality` calls the same
routines on whole tables, so a scalar result and the matching table row are the same number.

Conventions: ``x`` is a count of students with the outcome, ``n`` the students it is counted
among; *group* is the group being examined, *other* is every other student of the same unit
(the comparison group), *total* is group plus other. Shares (composition, enrollment share) are
proportions between 0 and 1, not percentages. A statistic that the data cannot define is NaN
(or ``inf`` for a ratio over a zero comparison rate) with the reason in words; nothing is filled in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
from scipy import stats
from scipy.special import gammaln

from ._result import Estimate

__all__ = [
    "alternate_risk_ratio",
    "composition",
    "e_formula",
    "excess_students",
    "odds_ratio",
    "rate",
    "representation_index",
    "risk_difference",
    "risk_ratio",
    "weighted_risk_ratio",
]

PTest = Literal["auto", "fisher", "chi2"]

BAD_COUNTS = "{name}: counts must be whole numbers with 0 <= x <= n; got x={x}, n={n}"
BAD_ALPHA = "alpha must be between 0 and 1 (e.g. 0.05 for a 95% interval); got {alpha}"
BAD_TEST = "test must be 'auto', 'fisher' or 'chi2'; got {test!r}"
MISSING_SHARE = "weighted_risk_ratio: no state share given for group(s) {groups}"
UNKNOWN_GROUP = "weighted_risk_ratio: group {group!r} is not among the groups given"

NO_GROUP = "no students in the group"
NO_OTHER = "no students in the comparison group"
NO_OUTCOME = "no students had the outcome"
NO_OTHER_OUTCOME = "no comparison-group students had the outcome"
NO_GROUP_OUTCOME_CI = "no students in the group had the outcome, so the log interval is undefined"
ZERO_CELL_OR = "a zero cell: the odds ratio or its logit interval is undefined"
NO_WEIGHT_GROUP = "undefined: no {groups} students in the unit to weight by"

#: Two-sided tests: Fisher's exact test when any expected count is below this (``test="auto"``).
FISHER_BELOW_EXPECTED = 5.0
#: Relative tolerance when collecting tables "as or less likely" than the observed one (as R).
_FISHER_RTOL = 1e-7
#: Maximum hypergeometric support points evaluated at once in the vectorised Fisher test.
_FISHER_CHUNK = 4_000_000


# --------------------------------------------------------------------------------------------
# Array routines (shared with the table functions; not public API)
# --------------------------------------------------------------------------------------------

def z_value(alpha: float) -> float:
    """Two-sided normal quantile for a ``1 - alpha`` interval."""
    if not 0 < alpha < 1:
        raise ValueError(BAD_ALPHA.format(alpha=alpha))
    return float(stats.norm.ppf(1 - alpha / 2))


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with NaN (0/0) or ±inf (x/0) and no warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(num, den)


def wilson_interval(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for x/n (docs/methods.md); NaN where n == 0."""
    p = _div(x, n)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # exact ends for 0/n and n/n, which rounding would otherwise leave a hair inside
    lo = np.where((x == 0) & (n > 0), 0.0, np.clip(centre - half, 0, 1))
    return lo, np.where((x == n) & (n > 0), 1.0, np.clip(centre + half, 0, 1))


def exact_ratio(a, n1, c, n2):
    """(a/n1)/(c/n2) computed as (a·n2)/(n1·c), one rounding for whole counts, so a ratio that
    is exactly 3 compares equal to a threshold of 3; NaN when n1 or n2 is 0."""
    return np.where((n1 > 0) & (n2 > 0), _div(a * n2, n1 * c), np.nan)


def katz_interval(a, n1, c, n2, z: float):
    """Risk ratio (a/n1)/(c/n2), SE of its log and the Katz log interval (docs/methods.md).

    The ratio is NaN when either group is empty or nobody had the outcome, ``inf`` when only
    the comparison group has no one with the outcome, 0 when only the group has no one; the
    interval (and SE) needs a > 0 and c > 0 and is NaN otherwise.
    """
    rr = exact_ratio(a, n1, c, n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
        ok = (a > 0) & (c > 0)
        se = np.where(ok, se, np.nan)
        log_rr = np.log(np.where(ok, rr, np.nan))
    return rr, np.exp(log_rr - z * se), np.exp(log_rr + z * se), se


def newcombe_interval(a, n1, c, n2, z: float):
    """Risk difference a/n1 - c/n2 with Newcombe's hybrid score interval (docs/methods.md)."""
    p1, p2 = _div(a, n1), _div(c, n2)
    lo1, hi1 = wilson_interval(a, n1, z)
    lo2, hi2 = wilson_interval(c, n2, z)
    rd = p1 - p2
    return (rd, np.maximum(rd - np.sqrt((p1 - lo1) ** 2 + (hi2 - p2) ** 2), -1.0),
            np.minimum(rd + np.sqrt((hi1 - p1) ** 2 + (p2 - lo2) ** 2), 1.0))


def ratio_reasons(a, n1, c, n2) -> np.ndarray:
    """Why a risk ratio or its interval is undefined ('' where it is fine)."""
    return np.select(
        [n1 == 0, n2 == 0, (a == 0) & (c == 0), c == 0, a == 0],
        [NO_GROUP, NO_OTHER, NO_OUTCOME, NO_OTHER_OUTCOME, NO_GROUP_OUTCOME_CI],
        "",
    ).astype(object)


def fisher_exact_p(a, n1, c, n2) -> np.ndarray:
    """Two-sided Fisher exact p for each 2×2 table [[a, n1-a], [c, n2-c]], vectorised.

    Sums the hypergeometric probabilities of every table with the observed margins that is no
    more likely than the observed one (relative tolerance 1e-7, as R's ``fisher.test``).
    Identical tables are computed once.
    """
    tables = np.column_stack([a, n1, c, n2]).astype(np.int64)
    uniq, back = np.unique(tables, axis=0, return_inverse=True)
    a_u, n1_u, c_u, n2_u = uniq.T
    total, events = n1_u + n2_u, a_u + c_u
    lo = np.maximum(0, n1_u - (total - events))
    hi = np.minimum(n1_u, events)
    size = hi - lo + 1
    p = np.empty(len(uniq))
    start = 0
    while start < len(uniq):  # chunks bound memory when many tables have wide supports
        stop = start + max(1, int(np.searchsorted(np.cumsum(size[start:]), _FISHER_CHUNK)))
        sl = slice(start, stop)
        reps = size[sl]
        k = np.repeat(lo[sl] - np.cumsum(reps) + reps, reps) + np.arange(reps.sum())
        owner = np.repeat(np.arange(stop - start), reps)
        N, K, m = total[sl][owner], events[sl][owner], n1_u[sl][owner]
        logpmf = _log_hypergeom(k, N, K, m)
        observed = _log_hypergeom(a_u[sl], total[sl], events[sl], n1_u[sl])
        keep = logpmf <= observed[owner] + np.log1p(_FISHER_RTOL)
        p[sl] = np.bincount(owner, weights=np.where(keep, np.exp(logpmf), 0.0),
                            minlength=stop - start)
        start = stop
    return np.minimum(p, 1.0)[back.ravel()]


def _log_hypergeom(k, N, K, m):
    """log P(k) for k successes in m draws from N items of which K are successes."""
    return (gammaln(K + 1) - gammaln(k + 1) - gammaln(K - k + 1)
            + gammaln(N - K + 1) - gammaln(m - k + 1) - gammaln(N - K - m + k + 1)
            - gammaln(N + 1) + gammaln(m + 1) + gammaln(N - m + 1))


def two_by_two_p(a, n1, c, n2, test: PTest = "auto") -> tuple[np.ndarray, np.ndarray]:
    """Two-sided p-value for group vs comparison and the test used ("fisher" or "chi2").

    ``test="auto"`` uses Fisher's exact test where any expected count is below 5 and the
    Pearson chi-square test (1 df, no continuity correction) elsewhere (docs/methods.md). Tables in
    which nobody (or everybody) had the outcome have p = 1; an empty group gives NaN.
    """
    if test not in ("auto", "fisher", "chi2"):
        raise ValueError(BAD_TEST.format(test=test))
    a, n1, c, n2 = (np.asarray(v, dtype=float) for v in (a, n1, c, n2))
    total, events = n1 + n2, a + c
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.minimum.reduce(
            [n1 * events, n1 * (total - events), n2 * events, n2 * (total - events)]) / total
        chi2 = total * (a * (n2 - c) - c * (n1 - a)) ** 2 / (
            n1 * n2 * events * (total - events))
    valid = (n1 > 0) & (n2 > 0) & np.isfinite(a + n1 + c + n2)
    degenerate = valid & ((events == 0) | (events == total))
    wanted = (expected < FISHER_BELOW_EXPECTED) if test == "auto" else np.full(
        a.shape, test == "fisher")
    use_fisher = valid & ~degenerate & wanted
    p = np.where(valid, stats.chi2.sf(np.where(valid & ~degenerate, chi2, 0.0), 1), np.nan)
    p = np.where(degenerate, 1.0, p)
    if use_fisher.any():
        p[use_fisher] = fisher_exact_p(a[use_fisher], n1[use_fisher], c[use_fisher],
                                       n2[use_fisher])
    # A table with no events (or only events) has Fisher p = 1 exactly.
    used = np.where(use_fisher | degenerate, "fisher", np.where(valid, "chi2", ""))
    return p, used.astype(object)


# --------------------------------------------------------------------------------------------
# Public scalar functions
# --------------------------------------------------------------------------------------------

def _counts(name: str, *pairs: tuple[float, float]) -> list[float]:
    out: list[float] = []
    for x, n in pairs:
        x, n = float(x), float(n)
        if not (0 <= x <= n) or x != round(x) or n != round(n):
            raise ValueError(BAD_COUNTS.format(name=name, x=x, n=n))
        out += [x, n]
    return out


def _arr(*values: float) -> list[np.ndarray]:
    return [np.array([v], dtype=float) for v in values]


def _first(*arrays: np.ndarray) -> list[float]:
    return [float(v[0]) for v in arrays]


def rate(x: float, n: float, *, alpha: float = 0.05) -> Estimate:
    """Share of a group with the outcome, with the Wilson score interval.

    docs/methods.md (risk; Wilson, Brown, Cai & DasGupta 2001).

    Parameters
    ----------
    x, n : number
        Students with the outcome and students in the group.
    alpha : float
        1 - confidence level.

    Returns
    -------
    Estimate
        ``value`` = x/n with ``ci_low``/``ci_high``; NaN with a reason when n is 0.

    Examples
    --------
    >>> r = rate(40, 400)
    >>> round(r.value, 4), round(r.ci_low, 4), round(r.ci_high, 4)
    (0.1, 0.0743, 0.1333)
    """
    x, n = _counts("rate", (x, n))
    if n == 0:
        return Estimate(math.nan, n=0.0, reason=NO_GROUP)
    lo, hi = _first(*wilson_interval(*_arr(x, n), z_value(alpha)))
    return Estimate(x / n, ci_low=lo, ci_high=hi, n=n)


def _compare(x_group, n_group, x_other, n_other, alpha, test, comparison, name) -> Estimate:
    a, n1, c, n2 = _counts(name, (x_group, n_group), (x_other, n_other))
    arrays = _arr(a, n1, c, n2)
    rr, lo, hi, se = _first(*katz_interval(*arrays, z_value(alpha)))
    p, used = two_by_two_p(*arrays, test=test)
    reason = str(ratio_reasons(*arrays)[0])
    return Estimate(rr, ci_low=lo, ci_high=hi, se=se, p_value=float(p[0]), n=n1, reason=reason,
                    extra={"test": str(used[0]), "comparison": comparison,
                           "risk_group": a / n1 if n1 else math.nan,
                           "risk_comparison": c / n2 if n2 else math.nan})


def risk_ratio(x_group: float, n_group: float, x_other: float, n_other: float, *,
               alpha: float = 0.05, test: PTest = "auto") -> Estimate:
    """Risk ratio of a group against all other students, Katz log interval and a p-value.

    RR = (x_group/n_group) / (x_other/n_other) (docs/methods.md); interval
    exp(ln RR ± z·sqrt(1/a − 1/n1 + 1/c − 1/n2)). The two-sided p-value is Fisher's exact
    test when any expected count is below 5, else the Pearson chi-square test; ``extra["test"]``
    says which (``test="fisher"`` or ``"chi2"`` forces one).

    Zero cells are never patched: with no comparison-group students having the outcome the
    ratio is ``inf``; with no group students having it the ratio is 0; in both cases the
    interval is NaN and ``reason`` says why.

    Parameters
    ----------
    x_group, n_group : number
        Group students with the outcome, and in the group.
    x_other, n_other : number
        The same for all other students (the comparison group).
    alpha : float
        1 - confidence level.
    test : {"auto", "fisher", "chi2"}
        Which test gives ``p_value``.

    Returns
    -------
    Estimate
        ``value``, ``ci_low``, ``ci_high``, ``se`` (of ln RR), ``p_value``, ``n`` (= n_group),
        ``reason``; ``extra``: ``test``, ``risk_group``, ``risk_comparison``.

    Examples
    --------
    >>> rr = risk_ratio(40, 400, 80, 3600)
    >>> round(rr.value, 3), round(rr.ci_low, 3), round(rr.ci_high, 3)
    (4.5, 3.123, 6.484)
    >>> risk_ratio(5, 50, 0, 200).reason
    'no comparison-group students had the outcome'
    """
    return _compare(x_group, n_group, x_other, n_other, alpha, test, "all_other", "risk_ratio")


def alternate_risk_ratio(x_group: float, n_group: float, x_state_other: float,
                         n_state_other: float, *, alpha: float = 0.05,
                         test: PTest = "auto") -> Estimate:
    """IDEA alternate risk ratio: the group's district risk over the state's all-other risk.

    ARR = (x_group/n_group) / (x_state_other/n_state_other) (34 CFR 300.647(a); docs/methods.md),
    used when the district's own comparison group is too small. Interval, p-value and
    zero-cell handling as :func:`risk_ratio`.

    Examples
    --------
    >>> arr = alternate_risk_ratio(18, 120, 5000, 100000)
    >>> round(arr.value, 6)
    3.0
    """
    return _compare(x_group, n_group, x_state_other, n_state_other, alpha, test,
                    "state_other", "alternate_risk_ratio")


def risk_difference(x_group: float, n_group: float, x_other: float, n_other: float, *,
                    alpha: float = 0.05, test: PTest = "auto") -> Estimate:
    """Risk difference, group minus all other students, with Newcombe's hybrid score interval.

    RD = x_group/n_group − x_other/n_other (docs/methods.md); interval from the two Wilson
    intervals (Newcombe 1998, method 10; docs/methods.md). ``p_value`` as :func:`risk_ratio`.

    Examples
    --------
    >>> rd = risk_difference(40, 400, 80, 3600)
    >>> round(rd.value, 4)
    0.0778
    """
    a, n1, c, n2 = _counts("risk_difference", (x_group, n_group), (x_other, n_other))
    if n1 == 0 or n2 == 0:
        return Estimate(math.nan, n=n1, reason=NO_GROUP if n1 == 0 else NO_OTHER)
    arrays = _arr(a, n1, c, n2)
    rd, lo, hi = _first(*newcombe_interval(*arrays, z_value(alpha)))
    p, used = two_by_two_p(*arrays, test=test)
    return Estimate(rd, ci_low=lo, ci_high=hi, p_value=float(p[0]), n=n1,
                    extra={"test": str(used[0]), "comparison": "all_other"})


def odds_ratio(x_group: float, n_group: float, x_other: float, n_other: float, *,
               alpha: float = 0.05) -> Estimate:
    """Odds ratio of a group against all other students with the Woolf (logit) interval.

    OR = [a/(n1−a)] / [c/(n2−c)] (docs/methods.md); interval exp(ln OR ± z·sqrt(Σ 1/cell)).
    Undefined (NaN with a reason) when any of the four cells is zero.

    Examples
    --------
    >>> round(odds_ratio(40, 400, 80, 3600).value, 4)
    4.8889
    """
    a, n1, c, n2 = _counts("odds_ratio", (x_group, n_group), (x_other, n_other))
    cells = (a, n1 - a, c, n2 - c)
    if min(cells) == 0:
        return Estimate(math.nan, n=n1, reason=ZERO_CELL_OR)
    log_or = math.log(a * (n2 - c) / ((n1 - a) * c))
    se = math.sqrt(sum(1 / v for v in cells))
    z = z_value(alpha)
    return Estimate(math.exp(log_or), ci_low=math.exp(log_or - z * se),
                    ci_high=math.exp(log_or + z * se), se=se, n=n1)


def share_from_risk_ratio(rr, enrollment_share):
    """Composition C implied by a risk ratio and the enrollment share E (docs/methods.md.

    C/(1−C) = RR·E/(1−E), i.e. C = E·RR / (E·RR + 1 − E); increasing in RR for 0 < E < 1.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return enrollment_share * rr / (enrollment_share * rr + 1 - enrollment_share)


def _share_estimate(x_group, n_group, x_total, n_total, alpha, test, name,
                    index: bool) -> Estimate:
    a, n1, xt, nt = _counts(name, (x_group, n_group), (x_total, n_total))
    _counts(name, (a, xt), (n1, nt))  # group within total
    arrays = _arr(a, n1, xt - a, nt - n1)
    p, used = two_by_two_p(*arrays, test=test)
    common = {"p_value": float(p[0]), "n": n1}
    if n1 == 0 or xt == 0:
        return Estimate(math.nan, reason=NO_GROUP if n1 == 0 else NO_OUTCOME, **common)
    share = n1 / nt
    _, lo, hi, _ = katz_interval(*arrays, z_value(alpha))
    lo, hi = _first(share_from_risk_ratio(lo, share), share_from_risk_ratio(hi, share))
    value = a / xt
    if index:
        value, lo, hi = value / share, lo / share, hi / share
    reason = str(ratio_reasons(*arrays)[0]) if math.isnan(lo) else ""
    return Estimate(value, ci_low=lo, ci_high=hi, reason=reason, **common,
                    extra={"enrollment_share": share, "test": str(used[0])})


def composition(x_group: float, n_group: float, x_total: float, n_total: float, *,
                alpha: float = 0.05, test: PTest = "auto") -> Estimate:
    """The group's share of the students with the outcome, C = x_group / x_total.

    docs/methods.md (composition, as a proportion). The interval holds the enrollment share
    E = n_group/n_total fixed and maps the Katz risk-ratio interval through the exact identity
    C = E·RR / (E·RR + 1 − E); ``extra["enrollment_share"]`` is E. ``p_value`` is the
    group-vs-other test of :func:`risk_ratio` (C ≠ E exactly when the two risks differ).

    Parameters
    ----------
    x_group, n_group : number
        Group students with the outcome, and in the group.
    x_total, n_total : number
        All students (group included) with the outcome, and in all.

    Examples
    --------
    >>> round(composition(40, 400, 120, 4000).value, 4)
    0.3333
    """
    return _share_estimate(x_group, n_group, x_total, n_total, alpha, test, "composition",
                           False)


def representation_index(x_group: float, n_group: float, x_total: float, n_total: float, *,
                         alpha: float = 0.05, test: PTest = "auto") -> Estimate:
    """Representation index RI = composition / enrollment share (docs/methods.md).

    RI = (x_group/x_total) / (n_group/n_total); 1 is parity, below 0.8 fails the gifted
    "equity allowance". Equivalent to the group's rate over the overall rate. Interval as
    :func:`composition` (divided by E).

    Examples
    --------
    >>> round(representation_index(40, 400, 120, 4000).value, 4)
    3.3333
    """
    return _share_estimate(x_group, n_group, x_total, n_total, alpha, test,
                           "representation_index", True)


def e_formula(x_group: float, n_group: float, x_total: float, n_total: float, *,
              constant: float = 1.0) -> Estimate:
    """E-formula bound for over-representation (Chinn & Hughes 1987; docs/methods.md).

    With A = n_group/n_total (enrollment share) and N = x_total (students with the outcome),
    E = A + constant·sqrt(A(1−A)/N), as a proportion (the percent form divided by 100). The
    group is over-represented when its composition x_group/x_total exceeds E and
    under-represented below A − constant·sqrt(A(1−A)/N). States differ on ``constant`` (1 or 2):
    check the state manual (docs/methods.md).

    Returns
    -------
    Estimate
        ``value`` = E; ``extra``: ``lower`` bound, ``composition``, ``over_represented``,
        ``under_represented``.

    Examples
    --------
    >>> e = e_formula(40, 400, 120, 4000)
    >>> round(e.value, 4), e.over_represented
    (0.1274, True)
    """
    a, n1, xt, nt = _counts("e_formula", (x_group, n_group), (x_total, n_total))
    if nt == 0 or xt == 0:
        return Estimate(math.nan, n=n1, reason=NO_GROUP if nt == 0 else NO_OUTCOME)
    share = n1 / nt
    half = constant * math.sqrt(share * (1 - share) / xt)
    comp = a / xt
    return Estimate(share + half, n=n1, extra={
        "lower": share - half, "composition": comp,
        "over_represented": comp > share + half, "under_represented": comp < share - half})


def excess_students(x_group: float, n_group: float, x_other: float, n_other: float, *,
                    alpha: float = 0.05) -> Estimate:
    """Students affected beyond parity: x_group − n_group · (x_other/n_other) (docs/methods.md).

    Positive for a disadvantaged group on an adverse outcome ("suspensions above parity"),
    negative for an under-represented group on an opportunity ("seats to parity"). Equal to
    n_group × the risk difference; the interval is n_group × the Newcombe interval.

    Examples
    --------
    >>> round(excess_students(40, 400, 80, 3600).value, 1)
    31.1
    """
    rd = risk_difference(x_group, n_group, x_other, n_other, alpha=alpha)
    n1 = float(n_group)
    return Estimate(n1 * rd.value, ci_low=n1 * rd.ci_low, ci_high=n1 * rd.ci_high,
                    p_value=rd.p_value, n=n1, reason=rd.reason, extra=rd.extra)


def weighted_risk_ratio(x_by_group: Mapping[str, float], n_by_group: Mapping[str, float],
                        state_shares: Mapping[str, float], group: str) -> Estimate:
    """Weighted risk ratio: the comparison risk standardised to the state's group mix.

    WRR_g = R_g / [Σ_{j≠g} p_j R_j / Σ_{j≠g} p_j], with R_j the district risk of group j and
    p_j its state enrollment share (IDC guide, Bollmer et al. 2014; docs/methods.md). Undefined
    (NaN with a reason) when a weighting group has no students in the district. No
    interval is given.

    Parameters
    ----------
    x_by_group, n_by_group : mapping
        Students with the outcome, and students, per group label.
    state_shares : mapping
        State enrollment share per group label (need not sum to 1).
    group : str
        The group examined.

    Examples
    --------
    >>> x = {"Black": 40, "Hispanic/Latino": 36, "White": 40, "Asian": 3, "Two or more races": 1}
    >>> n = {"Black": 400, "Hispanic/Latino": 1200, "White": 2000, "Asian": 300,
    ...      "Two or more races": 100}
    >>> s = {"Black": .15, "Hispanic/Latino": .25, "White": .50, "Asian": .07,
    ...      "Two or more races": .03}
    >>> round(weighted_risk_ratio(x, n, s, "Black").value, 3)
    4.595
    """
    if group not in n_by_group:
        raise ValueError(UNKNOWN_GROUP.format(group=group))
    missing = sorted(set(n_by_group) - set(state_shares))
    if missing:
        raise ValueError(MISSING_SHARE.format(groups=", ".join(missing)))
    for g in n_by_group:
        _counts("weighted_risk_ratio", (x_by_group[g], n_by_group[g]))
    others = [g for g in state_shares if g != group]
    empty = [g for g in [group, *others] if float(n_by_group.get(g, 0)) == 0]
    if empty:
        return Estimate(math.nan, n=float(n_by_group[group]),
                        reason=NO_WEIGHT_GROUP.format(groups=", ".join(empty)))
    risk = {g: float(x_by_group[g]) / float(n_by_group[g]) for g in [group, *others]}
    weight = sum(state_shares[g] for g in others)
    comparison = sum(state_shares[g] * risk[g] for g in others) / weight
    value = risk[group] / comparison if comparison else math.inf
    return Estimate(value, n=float(n_by_group[group]),
                    reason="" if comparison else NO_OTHER_OUTCOME,
                    extra={"risk_comparison": comparison})
