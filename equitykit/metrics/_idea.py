"""IDEA significant disproportionality, 34 CFR 300.646–300.647 (docs/methods.md).

The state's own rule-based calculation, replicated so a district can see a state finding coming:
risk ratios by race/ethnicity for identification, placement and discipline, with minimum cell
and n-sizes, the alternate risk ratio against the state when the district's comparison group is
too small, a threshold that must be *exceeded*, and a multi-year rule. The flags are rules, not
statistical tests (docs/methods.md).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import schema
from ._disproportionality import _validated, outcome_domain
from ._rates import _counts, exact_ratio
from ._result import Estimate

__all__ = ["idea_disproportionality", "idea_flag"]

GROUP_SUPPRESSED = "suppressed at source"
GROUP_CELL = "fewer than {cell} students in the group had the outcome (minimum cell size)"
GROUP_N = "fewer than {n} students in the group (minimum n-size)"
NO_STATE = ("the district comparison group is below the minimum cell or n-size and no state "
            "comparison was given")
STATE_TOO_SMALL = "the district and state comparison groups are below the minimum cell or n-size"
USED_STATE = ("the district comparison group is below the minimum cell or n-size: compared with "
              "all other groups in the state (alternate risk ratio)")

KINDS = ("risk_ratio", "alternate_risk_ratio", "not_calculated")
#: The two IDEA placement categories (300.647(b)(4)); their counts are over students with
#: disabilities.
PLACEMENTS = ("placement_lt40", "placement_separate")
SWD_DIMENSION = "race_ethnicity" + schema.INTERSECTION_SEP + "disability"
SWD_SUFFIX = schema.INTERSECTION_SEP + "true"
ALL_STUDENTS = "all students"
STUDENTS_WITH_DISABILITIES = "students with disabilities"


def _decide(x, n, xo, no, xs, ns, cell_size: int, n_size: int, threshold: float) -> dict:
    """The 300.647 decision for arrays of group, district-comparison and state-comparison counts.

    A comparison group is usable when it meets both minimums and someone in it had the outcome
    (a ratio over a zero risk does not exist). NaN counts (suppressed or absent) never qualify.
    """
    with np.errstate(invalid="ignore"):
        group_cell, group_n = x >= cell_size, n >= n_size
        lea_ok = (xo >= cell_size) & (no >= n_size) & (xo > 0)
        state_ok = (xs >= cell_size) & (ns >= n_size) & (xs > 0)
    known = np.isfinite(x + n)
    group_ok = known & group_cell & group_n
    kind = np.select([group_ok & lea_ok, group_ok & state_ok],
                     ["risk_ratio", "alternate_risk_ratio"], "not_calculated").astype(object)
    use_state = kind == "alternate_risk_ratio"
    cx, cn = np.where(use_state, xs, xo), np.where(use_state, ns, no)
    calculated = kind != "not_calculated"
    ratio = np.where(calculated, exact_ratio(x, n, cx, cn), np.nan)
    reason = np.select(
        [~known, ~group_cell, ~group_n, use_state, ~calculated & ~np.isfinite(xs + ns),
         ~calculated],
        [GROUP_SUPPRESSED, GROUP_CELL.format(cell=cell_size), GROUP_N.format(n=n_size),
         USED_STATE, NO_STATE, STATE_TOO_SMALL], "").astype(object)
    with np.errstate(divide="ignore", invalid="ignore"):
        risk, comparison_risk = x / n, np.where(calculated, cx / cn, np.nan)
    return {"risk": risk, "comparison_numerator": np.where(calculated, cx, np.nan),
            "comparison_denominator": np.where(calculated, cn, np.nan),
            "comparison_risk": comparison_risk, "ratio": ratio, "kind": kind, "reason": reason,
            "flagged": calculated & (ratio > threshold)}


def idea_flag(x_group: float, n_group: float, x_other: float, n_other: float, *,
              x_state_other: float | None = None, n_state_other: float | None = None,
              cell_size: int = 10, n_size: int = 30, threshold: float = 3.0) -> Estimate:
    """One IDEA risk-ratio decision for one group, category and year (docs/methods.md).

    The risk ratio against all other groups in the district when the group and that comparison
    group both meet the minimum cell size (numerator) and n-size (denominator); otherwise the
    alternate risk ratio against all other groups in the state, when given and large enough;
    otherwise not calculated. Flagged when the ratio is strictly greater than ``threshold``.

    Returns
    -------
    Estimate
        ``value`` = the ratio (NaN when not calculated) and ``reason``; ``extra``: ``kind``
        (``risk_ratio``, ``alternate_risk_ratio`` or ``not_calculated``), ``flagged``,
        ``risk``, ``comparison_risk``.

    Examples
    --------
    docs/methods.md: a tiny district comparison group (1 of 8) fails the cell size; against the
    state (5,000 of 100,000) the ratio is exactly 3.0, which does not *exceed* 3.0.

    >>> e = idea_flag(18, 120, 1, 8, x_state_other=5000, n_state_other=100000)
    >>> e.kind, e.value, e.flagged
    ('alternate_risk_ratio', 3.0, False)
    """
    _counts("idea_flag", (x_group, n_group), (x_other, n_other))
    state = (math.nan, math.nan)
    if x_state_other is not None and n_state_other is not None:
        state = tuple(_counts("idea_flag", (x_state_other, n_state_other)))
    arrays = [np.array([float(v)]) for v in (x_group, n_group, x_other, n_other, *state)]
    d = _decide(*arrays, cell_size, n_size, threshold)
    return Estimate(float(d["ratio"][0]), n=float(n_group), reason=str(d["reason"][0]),
                    extra={"kind": str(d["kind"][0]), "flagged": bool(d["flagged"][0]),
                           "risk": float(d["risk"][0]),
                           "comparison_risk": float(d["comparison_risk"][0])})


def _area(measure: str) -> str:
    if measure == "disability" or measure.startswith("disability_"):
        return "identification"
    if measure in PLACEMENTS:
        return "placement"
    return "discipline" if outcome_domain(measure) == "discipline" else ""


def _race_rows(counts: pd.DataFrame) -> pd.DataFrame:
    """District-level race/ethnicity rows of the IDEA categories present, one row per group.

    Discipline uses the students-with-disabilities rows (``race_ethnicity×disability``,
    groups ``<race>×true``) when the table has them for that outcome, else all students.
    """
    c = _validated(counts)
    c = c[c["school_id"] == ""]
    c = c.assign(area=c["measure"].map({m: _area(m) for m in c["measure"].unique()}))
    c = c[c["area"] != ""]
    swd_measures = set(c.loc[c["dimension"] == SWD_DIMENSION, "measure"])
    use_swd = c["measure"].isin(swd_measures) & (c["area"] == "discipline")
    keep = np.where(use_swd, (c["dimension"] == SWD_DIMENSION)
                    & c["group"].str.endswith(SWD_SUFFIX), c["dimension"] == "race_ethnicity")
    c = c[keep].assign(
        group=lambda d: d["group"].str.removesuffix(SWD_SUFFIX),
        population=np.where(use_swd[keep] | (c.loc[keep, "area"] == "placement"),
                            STUDENTS_WITH_DISABILITIES, ALL_STUDENTS))
    c = c[c["group"].isin(schema.RACE_ETHNICITY)]
    hidden = c["source_suppressed"]
    return c.assign(numerator=c["numerator"].where(~hidden),
                    denominator=c["denominator"].where(~hidden))


def _complete_sums(rows: pd.DataFrame, keys: list[str], how: str) -> pd.DataFrame:
    """Group sums of numerator and denominator, NaN where any summed value is NaN."""
    grouped = rows.groupby(keys, sort=False)[["numerator", "denominator"]]
    if how == "transform":
        sums, known, size = (grouped.transform(f) for f in ("sum", "count", "size"))
    else:
        sums, known, size = (grouped.agg(f) for f in ("sum", "count", "size"))
    return sums.where(known.to_numpy() == size.to_numpy().reshape(len(size), -1))


def _others(rows: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All other race/ethnicity groups' counts (NaN when any of them is suppressed)."""
    sums = _complete_sums(rows, keys, "transform")
    return ((sums["numerator"] - rows["numerator"]).to_numpy(float),
            (sums["denominator"] - rows["denominator"]).to_numpy(float))


#: Columns of :func:`idea_disproportionality`'s result.
IDEA_COLUMNS = (
    "district_id", "school_year", "area", "category", "population", "group", "numerator",
    "denominator", "risk", "comparison_numerator", "comparison_denominator", "comparison_risk",
    "ratio", "kind", "reason", "flagged", "years_flagged", "significant",
)


def idea_disproportionality(counts: pd.DataFrame, *, state_counts: pd.DataFrame | None = None,
                            cell_size: int = 10, n_size: int = 30, threshold: float = 3.0,
                            consecutive_years: int = 3) -> pd.DataFrame:
    """IDEA significant disproportionality for every district × year × category × group.

    Replicates 34 CFR 300.647 (docs/methods.md) on the district rows (``school_id == ""``) of a
    counts table, for the seven race/ethnicity groups present and the categories present:

    - identification: outcome ``disability`` and any ``disability_<CATEGORY>`` (e.g.
      ``disability_SLD``), over all enrolled students;
    - placement: ``placement_lt40``, ``placement_separate``, over students with disabilities;
    - discipline: every outcome in the discipline domain (``oss``, ``iss``, ``expelled``, …),
      over students with disabilities when the table has ``race_ethnicity×disability`` rows for
      it (groups ``<race>×true``), else over all students (column ``population`` says which).

    Each row uses the risk ratio against all other groups of the district when the group and
    that comparison meet the minimum cell size (numerator) and n-size (denominator); else the
    alternate risk ratio against all other groups in ``state_counts``; else it is not
    calculated, with the reason. ``flagged`` is ratio > ``threshold`` (strictly).
    ``years_flagged`` counts the consecutive available years of the district, ending with this
    one, in which the group and category were flagged; ``significant`` is
    ``years_flagged >= consecutive_years`` (300.647(d)(1); the state's "reasonable progress"
    test is not applied).

    Parameters
    ----------
    counts : DataFrame
        Counts table (docs/data.md, "Counts instead of student records"); only district rows
        (``school_id == ""``) are used.
    state_counts : DataFrame, optional
        The state's counts table in the same layout (rows of several districts are summed per
        year, category and group), for the alternate risk ratio.
    cell_size, n_size : int
        Minimum numerator and denominator, for the group and for its comparison group.
    threshold : float
        Risk-ratio threshold that must be exceeded.
    consecutive_years : int
        Consecutive flagged years that make disproportionality significant.

    Returns
    -------
    DataFrame
        ``district_id, school_year, area, category, population, group, numerator,
        denominator, risk, comparison_numerator, comparison_denominator, comparison_risk,
        ratio, kind, reason, flagged, years_flagged, significant``.

    Examples
    --------
    >>> counts = pd.DataFrame({
    ...     "district_id": "D1", "school_id": "", "school_year": 2023, "measure": "disability",
    ...     "dimension": "race_ethnicity", "group": ["Black", "White", "Asian"],
    ...     "numerator": [40, 76, 3], "denominator": [400, 3300, 300]})
    >>> out = idea_disproportionality(counts)
    >>> out[["group", "kind", "flagged"]].to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'group': ['Black', 'White', 'Asian'],
     'kind': ['risk_ratio', 'risk_ratio', 'not_calculated'], 'flagged': [True, False, False]}
    """
    rows = _race_rows(counts).reset_index(drop=True)
    if rows.empty:  # no IDEA category in the table (e.g. enrollment counts only)
        return pd.DataFrame(columns=IDEA_COLUMNS)
    xo, no = _others(rows, ["district_id", "school_year", "measure"])
    xs = ns = np.full(len(rows), np.nan)
    if state_counts is not None:
        state = _race_rows(state_counts)
        state = _complete_sums(state, ["school_year", "measure", "group"], "agg").reset_index()
        sxo, sno = _others(state, ["school_year", "measure"])
        state = state.assign(xs=sxo, ns=sno)[["school_year", "measure", "group", "xs", "ns"]]
        matched = rows[["school_year", "measure", "group"]].merge(state, how="left")
        xs, ns = matched["xs"].to_numpy(float), matched["ns"].to_numpy(float)
    x, n = rows["numerator"].to_numpy(float), rows["denominator"].to_numpy(float)
    decided = _decide(x, n, xo, no, xs, ns, cell_size, n_size, threshold)
    out = pd.DataFrame({
        "district_id": rows["district_id"], "school_year": rows["school_year"],
        "area": rows["area"], "category": rows["measure"], "population": rows["population"],
        "group": rows["group"], "numerator": x, "denominator": n, **decided})
    out["years_flagged"] = _consecutive_flagged_years(out)
    out["significant"] = out["years_flagged"] >= consecutive_years
    return out


def _consecutive_flagged_years(out: pd.DataFrame) -> np.ndarray:
    """Run length of flagged years ending at each row, over the district's available years."""
    year_rank = out.groupby("district_id")["school_year"].rank(method="dense").to_numpy()
    keys = ["district_id", "category", "group"]
    order = np.lexsort((year_rank, *(out[k].to_numpy(object) for k in reversed(keys))))
    s = out.iloc[order]
    rank = year_rank[order]
    flagged = s["flagged"].to_numpy(bool)
    same_series = (s[keys].shift() == s[keys]).all(axis=1).to_numpy()
    continues = same_series & (rank - np.r_[np.nan, rank[:-1]] == 1) & np.r_[False, flagged[:-1]]
    run_id = np.cumsum(~continues)
    run = pd.Series(flagged).groupby(run_id).cumsum().to_numpy()
    result = np.empty(len(out), dtype=int)
    result[order] = np.where(flagged, run, 0)
    return result
