"""Student rows reduced to the counts table every rate analysis works from (docs/data.md)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import schema
from .._words import INTERSECTIONS, group_codes

__all__ = ["DEFAULT_INTERSECTIONS", "to_counts"]

#: Intersections counted by default; labels joined with ``schema.INTERSECTION_SEP``.
DEFAULT_INTERSECTIONS: tuple[tuple[str, str], ...] = INTERSECTIONS
ALL = "all"
DISTRICT = ""
MISSING_COLUMNS = "to_counts needs the column(s) {columns} in the students table"
_PLACE = ["district_id", "school_year", "school_id"]


def to_counts(
    students: pd.DataFrame,
    *,
    dimensions: Sequence[str] = schema.DIMENSIONS,
    intersections: Sequence[Sequence[str]] = DEFAULT_INTERSECTIONS,
    by_school: bool = True,
    measures: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Numerator and denominator of every outcome for every group, school and year.

    One row per district (``school_id`` ``""``) or school, school year, outcome (``measure``),
    ``dimension`` and ``group``; totals have dimension and group ``"all"``. An outcome is any
    column named in ``schema.OUTCOMES`` (run :func:`derive_outcomes` first); a student with NA in
    an outcome is not in its denominator, and a student with a missing dimension value is left
    out of that dimension's groups only. Groups without anyone in an outcome's population are
    omitted (no zero denominators).

    Parameters
    ----------
    students : DataFrame
        Canonical students table with derived outcome columns.
    dimensions : sequence of str
        Student columns to disaggregate by; booleans become groups ``"true"``/``"false"``.
    intersections : sequence of pairs (or longer tuples) of str
        Crossed dimensions, e.g. ``("race_ethnicity", "sex")`` → dimension
        ``race_ethnicity×sex``, group ``Black×F``.
    by_school : bool
        Also return one block per school, which sums to the district rows.
    measures : sequence of str, optional
        The true/false columns counted; default every ``schema.OUTCOMES`` column present.

    Returns
    -------
    DataFrame
        Columns ``schema.COUNTS_COLUMNS``; numerator and denominator as float.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"district_id": ["d1"] * 3, "school_year": [2023] * 3,
    ...                   "school_id": ["a", "a", "b"], "sex": ["F", "M", "F"],
    ...                   "oss": pd.array([True, False, None], dtype="boolean")})
    >>> c = to_counts(s, dimensions=["sex"], intersections=[])
    >>> c[c.school_id.eq("") & c.dimension.eq("sex")][["group", "numerator", "denominator"]]
      group  numerator  denominator
    1     F        1.0          1.0
    2     M        0.0          1.0
    """
    outcomes = (list(measures) if measures is not None
                else [name for name in schema.OUTCOMES if name in students.columns])
    specs = [(), *((d,) for d in dimensions), *(tuple(i) for i in intersections)]
    needed = dict.fromkeys([*_PLACE, *(d for spec in specs for d in spec)])
    missing = [c for c in needed if c not in students.columns]
    if missing:
        raise ValueError(MISSING_COLUMNS.format(columns=", ".join(missing)))
    if not outcomes or students.empty:
        return pd.DataFrame({c: [] for c in schema.COUNTS_COLUMNS})
    frame = pd.DataFrame({c: group_codes(students[c]) for c in needed if c != "school_year"})
    frame["school_year"] = students["school_year"].astype("Int64")
    flags = students[outcomes].astype("boolean")
    for name in outcomes:
        frame["n:" + name] = flags[name].fillna(False).to_numpy(dtype=np.int8)
        frame["d:" + name] = flags[name].notna().to_numpy(dtype=np.int8)
    values = [prefix + name for name in outcomes for prefix in ("n:", "d:")]
    place = _PLACE if by_school else _PLACE[:2]
    blocks = []
    for rank, spec in enumerate(specs):
        sums = frame.groupby([*place, *spec], observed=True)[values].sum()
        if by_school:
            blocks.append(_long(sums, spec, outcomes, rank))
            sums = sums.groupby(level=[*_PLACE[:2], *spec], observed=True).sum()
        blocks.append(_long(sums, spec, outcomes, rank))
    counts = pd.concat(blocks, ignore_index=True)
    counts["_measure"] = counts["measure"].map({o: i for i, o in enumerate(outcomes)})
    counts = counts.sort_values(["district_id", "school_year", "school_id", "_measure", "_spec"],
                                kind="stable")
    return counts[list(schema.COUNTS_COLUMNS)].reset_index(drop=True)


def _long(sums: pd.DataFrame, spec: tuple[str, ...], outcomes: list[str], rank: int
          ) -> pd.DataFrame:
    """Wide group sums (one column per outcome and count) as long counts rows."""
    keys = sums.index.to_frame(index=False)
    k = len(outcomes)
    take = np.repeat(np.arange(len(keys)), k)
    if spec:
        group = keys[spec[0]].astype(str)
        for dim in spec[1:]:
            group = group + schema.INTERSECTION_SEP + keys[dim].astype(str)
    else:
        group = pd.Series(ALL, index=keys.index)
    school = keys["school_id"].astype(str) if "school_id" in keys else pd.Series(
        DISTRICT, index=keys.index)
    wide = sums.to_numpy(dtype=float).reshape(len(keys), k, 2)
    long = pd.DataFrame({
        "district_id": keys["district_id"].astype(str).to_numpy()[take],
        "school_id": school.to_numpy()[take],
        "school_year": keys["school_year"].astype("int64").to_numpy()[take],
        "measure": np.tile(np.asarray(outcomes, dtype=object), len(keys)),
        "dimension": schema.INTERSECTION_SEP.join(spec) if spec else ALL,
        "group": group.to_numpy()[take],
        "numerator": wide[:, :, 0].ravel(),
        "denominator": wide[:, :, 1].ravel(),
        "_spec": rank,
    })
    return long[long["denominator"] > 0]
