"""Staff retention and turnover by group: who is still in the district the next school year,
who left at the end of a year and who was hired in it."""

from __future__ import annotations

import pandas as pd

__all__ = ["retention_counts", "turnover_counts"]

#: Name of the retention measure in the counts table (and outcome in metrics.csv).
RETAINED = "teacher_retained"
#: Turnover measures (outcomes in metrics.csv): staff whose ``exit_year`` / ``hire_year`` is
#: the school year, of the staff of that year.
LEFT, HIRED = "staff_turnover", "staff_new_hire"


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


def turnover_counts(staff: pd.DataFrame, *, dimension: str = "race_ethnicity") -> pd.DataFrame:
    """Counts of staff (every role) each school year and of those who left at its end
    (``exit_year`` equal to the year) and who were hired in it (``hire_year`` equal to the
    year), for all of them and by ``dimension``.

    A staff member is counted once per year (their first row). A measure is computed only
    when its column exists and is filled for some staff of the year; an empty ``exit_year``
    means still employed.

    Parameters
    ----------
    staff : DataFrame
        The staff table: ``staff_id``, ``school_year``, ``district_id``, optional
        ``hire_year``, ``exit_year`` and ``dimension``.
    dimension : str
        The staff column to break turnover down by.

    Returns
    -------
    DataFrame
        A counts table (``district_id``, ``school_id`` blank, ``school_year``, ``measure`` =
        ``"staff_turnover"`` or ``"staff_new_hire"``, ``dimension``, ``group``,
        ``numerator``, ``denominator``).

    Examples
    --------
    >>> staff = pd.DataFrame({"staff_id": ["a", "b", "c"], "school_year": 2022,
    ...                       "district_id": "d", "exit_year": [2022, None, None],
    ...                       "race_ethnicity": ["Black", "White", "Black"]})
    >>> turnover_counts(staff)[["group", "numerator", "denominator"]].values.tolist()
    [['all', 1, 3], ['Black', 1, 2], ['White', 0, 1]]
    """
    columns = ["district_id", "school_id", "school_year", "measure", "dimension", "group",
               "numerator", "denominator"]
    key = ["district_id", "staff_id", "school_year"]
    people = staff.dropna(subset=key).drop_duplicates(key)
    people = people.assign(district_id=people["district_id"].astype(str),
                           school_year=people["school_year"].astype(int))
    parts = []
    for measure, column in ((LEFT, "exit_year"), (HIRED, "hire_year")):
        if column not in people:
            continue
        filled = people[column].notna().groupby(people["school_year"]).transform("any")
        year = people[filled]
        hit = (pd.to_numeric(year[column]) == year["school_year"]).fillna(False).astype(int)
        for dim in ("all", dimension):
            if dim != "all" and dim not in year:
                continue
            labels = (pd.Series("all", index=year.index) if dim == "all"
                      else year[dim].astype("string"))
            grouped = hit.groupby([year["district_id"], year["school_year"],
                                   labels.rename("group")], observed=True).agg(["sum", "size"])
            parts.append(grouped.reset_index().rename(
                columns={"sum": "numerator", "size": "denominator"}).assign(
                dimension=dim, measure=measure))
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True).assign(school_id="")
    return out[columns].astype({"numerator": int, "denominator": int})
