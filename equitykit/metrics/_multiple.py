"""Multiple-comparison control: Benjamini–Hochberg q-values (docs/methods.md)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["benjamini_hochberg", "bh_families", "defined_by"]

BAD_P = "benjamini_hochberg: p-values must lie in [0, 1] (NaN allowed); got {bad}"
BAD_FAMILIES = "benjamini_hochberg: families has {got} labels for {n} p-values"


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray | pd.Series,
                       families: Sequence[object] | np.ndarray | pd.Series | None = None,
                       ) -> np.ndarray | pd.Series:
    """Benjamini–Hochberg adjusted p-values (q-values), optionally within families.

    For the m non-missing p-values of a family sorted ascending, q_(k) = min_{j≥k} m·p_(j)/j,
    capped at 1 (docs/methods.md: NAEP practice; the tool default is one family per district, year
    and outcome domain). A hypothesis is rejected at FDR level q when its q-value is ≤ q. NaN
    p-values (tests not performed) stay NaN and do not count in m.

    Parameters
    ----------
    p_values : array-like
        Two-sided p-values.
    families : array-like, optional
        One label per p-value; the adjustment is done separately within each label. Labels may
        be tuples (e.g. ``(district, year, domain)``).

    Returns
    -------
    numpy.ndarray or pandas.Series
        q-values in the input order (a Series with the same index when given a Series).

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    >>> benjamini_hochberg([0.01, 0.04, 0.01, 0.04], families=["a", "a", "b", "b"]).tolist()
    [0.02, 0.04, 0.02, 0.04]
    """
    p = np.asarray(p_values, dtype=float).ravel()
    finite = ~np.isnan(p)
    if ((p[finite] < 0) | (p[finite] > 1)).any():
        raise ValueError(BAD_P.format(bad=p[finite][(p[finite] < 0) | (p[finite] > 1)][:3]))
    if families is None:
        family = np.zeros(len(p), dtype=np.int64)
    else:
        labels = pd.Series(list(families) if not isinstance(families, pd.Series) else families)
        if len(labels) != len(p):
            raise ValueError(BAD_FAMILIES.format(got=len(labels), n=len(p)))
        family = pd.factorize(labels)[0]
    q = np.full(len(p), np.nan)
    idx = np.flatnonzero(finite)
    if len(idx):
        fam, pv = family[idx], p[idx]
        order = np.lexsort((pv, fam))  # by family, then p ascending
        fam_sorted, p_sorted = fam[order], pv[order]
        starts = np.r_[0, np.flatnonzero(np.diff(fam_sorted)) + 1]
        sizes = np.diff(np.r_[starts, len(order)])
        rank = np.arange(len(order)) - np.repeat(starts, sizes) + 1
        m = np.repeat(sizes, sizes)
        raw = p_sorted * m / rank
        # running minimum from the largest p down, within each family
        rev = raw[::-1]
        fam_rev = fam_sorted[::-1]
        adjusted = pd.Series(rev).groupby(fam_rev).cummin().to_numpy()[::-1]
        q[idx[order]] = np.minimum(adjusted, 1.0)
    if isinstance(p_values, pd.Series):
        return pd.Series(q, index=p_values.index, name="q_value")
    return q


def defined_by(outcome: str, dimension: str) -> bool:
    """True when ``outcome`` is defined by ``dimension`` (or by a part of an intersection such
    as ``race_ethnicity×disability``), so comparing its groups is a tautology: identification
    for special education (``disability``, ``disability_SLD``) by disability status, or an
    outcome whose population is one group of the dimension (IDEA placement, counted among
    students with disabilities only, by disability status).

    Examples
    --------
    >>> defined_by("disability_SLD", "race_ethnicity×disability"), defined_by("oss", "sex")
    (True, False)
    >>> defined_by("placement_lt40", "disability")
    True
    """
    from ..schema import OUTCOMES

    if not isinstance(dimension, str):
        return False
    parts = dimension.split("×")
    known = OUTCOMES.get(outcome) or OUTCOMES.get(outcome.rsplit("_", 1)[0])
    population = known.population if known else ""
    return any(outcome == d or outcome.startswith(d + "_") or population == d for d in parts)


def _focal_group(group: str) -> bool:
    """Yes/no dimensions are tested once, for their "true" group ("false" is its mirror);
    intersections need every part focal."""
    return isinstance(group, str) and "false" not in group.split("×")


def bh_families(tests: pd.DataFrame) -> pd.Series:
    """The Benjamini–Hochberg family of each group-vs-all-other test, or NaN when the test
    belongs to none.

    **Families.** Two families per district × school year × outcome domain (docs/methods.md:
    discipline, access, achievement, attainment, attendance, identification, placement, …),
    holding the district-level (not school-level) tests of focal groups: the *main* family
    has each group of race/ethnicity and sex and the "true" group of yes/no dimensions
    (economically disadvantaged, English learners, students with disabilities); the
    *intersections* family has the intersections (e.g. Black × male) whose parts are all
    focal. Intersections are exploratory next to the main groups (Schochet 2008: correct
    within each set of analyses), so their number does not dilute the main groups' q-values,
    and they get the same false-discovery-rate control among themselves. One test per group:
    the risk ratio, risk difference, excess students, representation index and composition of
    a group share its p-value and q-value.

    **Left out** (their q-value is NaN): tests that are degenerate, because nobody or everybody
    in the district had the outcome, or the group or its comparison group has no students
    (p = 1 or undefined by construction: they would only inflate every other q-value);
    tests of an outcome defined by the dimension (:func:`defined_by`); tests without a
    p-value.

    Parameters
    ----------
    tests : DataFrame
        One row per test: ``district_id``, ``school_id``, ``school_year``, ``outcome``,
        ``dimension``, ``group``, ``n`` (group size), ``total_n`` and ``total_numerator`` (all
        students of the unit, and those with the outcome), ``p_value``.

    Returns
    -------
    Series
        A family label ``"district|year|domain|main"`` (or ``|intersections``) per row (same
        index), NaN when left out.
    """
    from ._disproportionality import outcome_domain

    n, total_n, events = (tests[c].astype(float) for c in ("n", "total_n", "total_numerator"))
    kept = (
        (tests["school_id"].fillna("") == "")
        & tests["group"].astype(str).map(_focal_group)
        & ~pd.Series([defined_by(o, d) for o, d in zip(tests["outcome"], tests["dimension"],
                                                        strict=True)], index=tests.index)
        & (events > 0) & (events < total_n) & (n > 0) & (total_n - n > 0)
        & tests["p_value"].notna()
    )
    kind = np.where(tests["dimension"].astype(str).str.contains("×"), "intersections", "main")
    label = (tests["district_id"].astype(str) + "|" + tests["school_year"].astype(str) + "|"
             + tests["outcome"].map(outcome_domain) + "|" + kind)
    return label.where(kept)
