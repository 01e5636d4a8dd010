"""Staff retention by group: who is still in the district the next school year."""

from __future__ import annotations

import pandas as pd

__all__ = ["retention_counts"]

#: Name of the retention measure in the counts table (and outcome in metrics.csv).
RETAINED = "teacher_retained"


def retention_counts(staff: pd.DataFrame, *, role: str = "teacher",
                     dimension: str = "race_ethnicity") -> pd.DataFrame:
    """Counts of staff in ``role`` each school year and of those still on the district's staff
    (any school, any role) the next school year, for all of them and by ``dimension``.

    Only years whose next year is in the data are counted (the last year's leavers are not yet
    known). Retention is ``numerator / denominator``; turnover is one minus it.

    Parameters
    ----------
    staff : DataFrame
        The staff table: ``staff_id``, ``school_year``, ``district_id``, ``role`` and
        ``dimension`` (rows missing it count in "all" only).
    role : str
        Whose retention (compared case-insensitively).
    dimension : str
        The staff column to break retention down by.

    Returns
    -------
    DataFrame
        A counts table (``district_id``, ``school_id`` blank, ``school_year``, ``measure`` =
        ``"teacher_retained"``, ``dimension``, ``group``, ``numerator``, ``denominator``).

    Examples
    --------
    >>> staff = pd.DataFrame({"staff_id": ["a", "b", "a"], "school_year": [2022, 2022, 2023],
    ...                       "district_id": "d", "role": "teacher",
    ...                       "race_ethnicity": ["Black", "White", "Black"]})
    >>> retention_counts(staff)[["group", "numerator", "denominator"]].values.tolist()
    [['all', 1, 2], ['Black', 1, 1], ['White', 0, 1]]
    """
    columns = ["district_id", "school_id", "school_year", "measure", "dimension", "group",
               "numerator", "denominator"]
    key = ["district_id", "staff_id", "school_year"]
    present = staff[key].dropna().astype({"district_id": str, "staff_id": str})
    present = present.assign(school_year=present["school_year"].astype(int))
    years = set(present["school_year"])
    chosen = staff[staff["role"].astype("string").str.lower() == role.lower()]
    chosen = chosen.dropna(subset=key).astype({"district_id": str, "staff_id": str})
    chosen = chosen.assign(school_year=chosen["school_year"].astype(int))
    chosen = chosen[chosen["school_year"].map(lambda y: y + 1 in years)].drop_duplicates(key)
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    later = pd.MultiIndex.from_frame(present.assign(school_year=present["school_year"] - 1))
    stayed = pd.MultiIndex.from_frame(chosen[key]).isin(later)
    chosen = chosen.assign(_stayed=stayed.astype(int))
    parts = []
    for dim in ("all", dimension):
        if dim != "all" and dim not in chosen:
            continue
        labels = (pd.Series("all", index=chosen.index) if dim == "all"
                  else chosen[dim].astype("string"))
        grouped = chosen.groupby(["district_id", "school_year", labels.rename("group")],
                                 observed=True)["_stayed"].agg(["sum", "size"]).reset_index()
        parts.append(grouped.rename(columns={"sum": "numerator", "size": "denominator"})
                     .assign(dimension=dim))
    out = pd.concat(parts, ignore_index=True).assign(school_id="", measure=RETAINED)
    return out[columns].astype({"numerator": int, "denominator": int})
