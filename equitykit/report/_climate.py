"""Climate and belonging: favorable respondents by construct and group for each role
(students, staff, families), by school, and the students who answered the survey, from the
published metrics only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .._words import DIMENSION_TITLES, capitalize, construct_label, difference_label, group_label
from ..schema import RESPONSE_OUTCOME, construct_outcome
from ._tables import SUPPRESSED_TEXT
from ._views import cell, interval

__all__ = ["CLIMATE_COLUMNS", "RESPONSE_COLUMNS", "climate_dimensions", "climate_roles",
           "climate_table", "response_table", "school_climate_table"]

#: The columns of :func:`climate_table`, in order.
CLIMATE_COLUMNS = ("construct", "group", "% favorable", "95% CI",
                   "gap vs all other respondents", "respondents")
#: The columns of :func:`response_table`, in order.
RESPONSE_COLUMNS = ("group", "students", "% who answered", "95% CI",
                    "gap vs all other students")
_ROLES = ("student", "staff", "family")


def _district(published: pd.DataFrame, school_year: int, *, schools: bool = False
              ) -> pd.DataFrame:
    rows = published[(published["section"] == "climate")
                      & (published["school_year"] == school_year)]
    return rows[(rows["school_id"] != "") if schools else (rows["school_id"] == "")]


def _of_role(rows: pd.DataFrame, role: str) -> pd.DataFrame:
    return rows[rows["outcome"].str.startswith(construct_outcome(role, ""))]


def climate_roles(published: pd.DataFrame, school_year: int) -> list[str]:
    """The roles (``student``, ``staff``, ``family``) with climate rows in the year."""
    rows = _district(published, school_year)
    return [r for r in _ROLES if len(_of_role(rows, r))]


def climate_dimensions(published: pd.DataFrame, school_year: int, role: str = "student"
                       ) -> list[str]:
    """The dimensions the year's climate rows of ``role`` break down by, ``"all"`` first."""
    present = set(_of_role(_district(published, school_year), role)["dimension"])
    return [d for d in ("all", *DIMENSION_TITLES) if d in present]


def climate_table(published: pd.DataFrame, *, school_year: int, dimension: str,
                  constructs: Sequence[str] | None = None, role: str = "student"
                  ) -> pd.DataFrame:
    """The favorable share of each construct for the groups of one dimension.

    Parameters
    ----------
    published : the audit's published (suppressed) metrics.
    school_year : the audited year.
    dimension : ``"all"`` (every respondent) or a dimension; of a yes/no dimension only the
        group that has the characteristic is shown (the rest is its comparison).
    constructs : the metrics' construct outcomes (``favorable_<construct>``) to show, in
        order; default: every construct of the role in the year.
    role : ``"student"``, ``"staff"`` or ``"family"``.

    Returns
    -------
    DataFrame
        :data:`CLIMATE_COLUMNS`, formatted as the report prints them: the construct in plain
        words, the group's name, the share of favorable respondents with its 95% interval,
        the gap to all other respondents in percentage points and the respondents (withheld
        cells say "suppressed").
    """
    rows = _of_role(_district(published, school_year), role)
    rows = rows[(rows["dimension"] == dimension) & (rows["group"] != "false")]
    rates = rows[rows["measure"] == "rate"]
    gaps = rows[(rows["measure"] == "risk_difference")
                & (rows["comparison"] == "all_other")].set_index(["outcome", "group"])
    order = list(constructs) if constructs is not None else list(dict.fromkeys(rates["outcome"]))
    table = []
    for construct in order:
        for _, r in rates[rates["outcome"] == construct].iterrows():
            gap = gaps.loc[(construct, r["group"])] if (construct, r["group"]) in gaps.index \
                else None
            table.append({
                "construct": construct_label(construct),
                "group": _group(dimension, r["group"], role),
                "% favorable": cell(r),
                "95% CI": interval(r),
                "gap vs all other respondents": _gap_text(gap),
                "respondents": cell(r, "n"),
            })
    return pd.DataFrame(table, columns=list(CLIMATE_COLUMNS))


def response_table(published: pd.DataFrame, *, school_year: int) -> pd.DataFrame:
    """Students who answered the survey, of the enrolled students of each group (all students
    first, then each dimension's groups; of a yes/no dimension the group that has it).

    Returns
    -------
    DataFrame
        :data:`RESPONSE_COLUMNS`: the group, its enrolled students (in the schools and grades
        the survey reached), the share who answered with its 95% interval and the gap to all
        other students in percentage points.
    """
    rows = _district(published, school_year)
    rows = rows[(rows["outcome"] == RESPONSE_OUTCOME) & (rows["group"] != "false")]
    rates = rows[rows["measure"] == "rate"]
    gaps = rows[(rows["measure"] == "risk_difference")
                & (rows["comparison"] == "all_other")].set_index(["dimension", "group"])
    table = []
    for dimension in ("all", *DIMENSION_TITLES):
        for _, r in rates[rates["dimension"] == dimension].iterrows():
            key = (dimension, r["group"])
            table.append({
                "group": capitalize(group_label(dimension, r["group"])),
                "students": cell(r, "n"),
                "% who answered": cell(r),
                "95% CI": interval(r),
                "gap vs all other students": _gap_text(gaps.loc[key] if key in gaps.index
                                                       else None),
            })
    return pd.DataFrame(table, columns=list(RESPONSE_COLUMNS))


def school_climate_table(published: pd.DataFrame, *, school_year: int, role: str = "student",
                         names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Each school's share of favorable respondents per construct (all respondents of the
    role), with its 95% interval: one row per school, one column per construct."""
    rows = _of_role(_district(published, school_year, schools=True), role)
    rates = rows[(rows["measure"] == "rate") & (rows["dimension"] == "all")]
    names = dict(names or {})
    table = []
    for school, part in rates.groupby("school_id", sort=True):
        entry = {"school": names.get(str(school), str(school))}
        for _, r in part.iterrows():
            shown = cell(r)
            ci = interval(r)
            entry[construct_label(r["outcome"])] = f"{shown} ({ci})" if ci else shown
        table.append(entry)
    return pd.DataFrame(table)


def _group(dimension: str, group: str, role: str) -> str:
    """A group's name; staff groups are named as staff ("Black staff")."""
    name = group_label(dimension, group)
    if role == "staff":
        return capitalize(name.replace("students", "staff"))
    if role == "family":
        return "All families" if dimension == "all" else f"Families of {name}"
    return capitalize(name)


def _gap_text(row: pd.Series | None) -> str:
    """A difference of shares in percentage points in words ("17.3 pts lower")."""
    if row is None:
        return "—"
    if row["suppressed"]:
        return SUPPRESSED_TEXT
    return difference_label(100 * row["value"]) if pd.notna(row["value"]) else "—"
