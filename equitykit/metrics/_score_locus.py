"""Where a score gap sits: between schools or within them (docs/methods.md).

The Kitagawa split of :func:`kitagawa` holds for any mean, not only for rates. For a mean
score gap between group A and all other students B, with school shares w_g,s = n_g,s / n_g and
school mean scores m_g,s::

    m_A − m_B = Σ_s (w_A,s − w_B,s)(m_A,s + m_B,s)/2      # between schools
              + Σ_s (w_A,s + w_B,s)/2 · (m_A,s − m_B,s)    # within schools

The between part is the gap that comes from the groups attending schools with different
average scores; the within part is the average gap between students of the same school. A
school without students of one group adds only to the between part. The split says where a gap
sits, not why. A standardised gap (Cohen's d, Hedges' g) divides both parts by the same SD, so
its between-school share is the share of the mean gap: ``between_share = between / gap``, and
the locus follows the rule used for rates (``between_schools`` at a share ≥ 0.6,
``within_schools`` at ≤ 0.4, else ``mixed``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..errors import DataError
from ._decompose import LOCUS_CUT, _kitagawa_table

__all__ = ["locate_score_gaps"]

MISSING = "students: no column(s) {columns} to locate score gaps"


def _labels(column: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(column):
        return column.map({True: "true", False: "false"}).astype("string")
    return column.astype("string")


def locate_score_gaps(
    students: pd.DataFrame, *, score: str, dimensions: Sequence[str],
    school_year: int | None = None, locus_cut: float = LOCUS_CUT,
) -> pd.DataFrame:
    """Split each group's mean score gap (vs all other students) into between- and
    within-school parts.

    Parameters
    ----------
    students : DataFrame
        One row per student with ``school_year``, ``school_id``, ``score`` and the
        ``dimensions`` columns; students without a score, school or group are left out.
    score : str
        A numeric score column, e.g. ``"math_score"``.
    dimensions : sequence of str
        Demographic columns; every group of each is compared with all other students.
    school_year : int, optional
        Only this year (default: every year).
    locus_cut : float, default 0.6

    Returns
    -------
    DataFrame
        One row per school year × dimension × group: ``n`` (students of the group),
        ``n_comparison``, ``gap`` (mean_A − mean_B), ``between``, ``within``
        (``between + within == gap``), ``between_share``, ``locus`` and ``reason`` (why a
        share is undefined: one group empty, or a zero gap).

    Examples
    --------
    Group A sits in the low-scoring school; inside each school both groups score alike:

    >>> students = pd.DataFrame({"school_year": 2023, "school_id": ["s1"] * 4 + ["s2"] * 4,
    ...     "econ": [True, True, True, False, True, False, False, False],
    ...     "math": [10.0, 10, 10, 10, 20, 20, 20, 20]})
    >>> out = locate_score_gaps(students, score="math", dimensions=["econ"])
    >>> out.loc[out.group == "true", ["gap", "between", "within", "locus"]].values.tolist()
    [[-5.0, -5.0, 0.0, 'between_schools']]
    """
    missing = [c for c in ("school_year", "school_id", score, *dimensions)
               if c not in students.columns]
    if missing:
        raise DataError(MISSING.format(columns=missing))
    tested = students[students[score].notna() & students["school_id"].notna()]
    if school_year is not None:
        tested = tested[tested["school_year"] == school_year]
    frames = []
    for dimension in dimensions:
        rows = tested[tested[dimension].notna()]
        keys = [rows["school_year"], rows["school_id"].astype(str), _labels(rows[dimension])]
        cells = rows[score].astype(float).groupby(keys, observed=True).agg(["sum", "count"])
        cells.index.names = ["school_year", "school_id", "group"]
        cells = cells.reset_index()
        school = cells.groupby(["school_year", "school_id"])[["sum", "count"]].transform("sum")
        groups = cells[["school_year", "group"]].drop_duplicates()
        grid = groups.merge(cells[["school_year", "school_id"]].drop_duplicates(),
                            on="school_year")
        grid = grid.merge(cells, on=["school_year", "school_id", "group"], how="left").fillna(
            {"sum": 0.0, "count": 0.0})
        totals = cells.assign(t_sum=school["sum"], t_n=school["count"]).drop_duplicates(
            ["school_year", "school_id"])[["school_year", "school_id", "t_sum", "t_n"]]
        grid = grid.merge(totals, on=["school_year", "school_id"])
        frames.append(pd.DataFrame({
            "school_year": grid["school_year"].astype(int), "dimension": dimension,
            "group": grid["group"].astype(str),
            "x_a": grid["sum"], "n_a": grid["count"],
            "x_b": grid["t_sum"] - grid["sum"], "n_b": grid["t_n"] - grid["count"],
        }))
    if not frames:
        return pd.DataFrame()
    table = _kitagawa_table(pd.concat(frames, ignore_index=True),
                            ["school_year", "dimension", "group"], locus_cut)
    return table.assign(outcome=score)[[
        "school_year", "outcome", "dimension", "group", "n", "n_comparison", "gap", "between",
        "within", "between_share", "locus", "reason"]]
