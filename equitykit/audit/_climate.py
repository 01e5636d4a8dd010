"""Climate and belonging as a counts table: favorable respondents per construct, role, school
and group, and the share of enrolled students who answered the survey.

A respondent is counted once per construct: they are *favorable* on a construct when at least
half of their answered items of it are favorable (docs/methods.md). The counts then go through
the same disparity engine as every student outcome (rates with Wilson intervals, differences
with Newcombe intervals).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._words import group_codes
from ..schema import DIMENSIONS, RESPONSE_OUTCOME, SENSITIVE_DIMENSIONS, construct_outcome

__all__ = ["climate_counts", "withhold_sensitive"]

#: Favorable on a construct: at least this share of one's answered items are favorable.
FAVORABLE_SHARE = 0.5
_COUNTS = ["district_id", "school_id", "school_year", "measure", "dimension", "group",
           "numerator", "denominator"]


def climate_counts(survey: pd.DataFrame, *, constructs: Mapping[str, str] | None = None,
                   students: pd.DataFrame | None = None, staff: pd.DataFrame | None = None
                   ) -> pd.DataFrame | None:
    """Counts of favorable respondents per construct (and of student respondents per enrolled
    student), district-wide for all respondents and by group, and per school for all.

    Parameters
    ----------
    survey : the survey table (one row per respondent per item; docs/data.md).
    constructs : item → construct; an item not listed belongs to its ``domain``.
    students : the student table; gives the survey's student respondents their demographics
        through ``student_id`` where the survey lacks them, and the enrolled students of the
        response rates.
    staff : the staff table; gives staff respondents their race/ethnicity through
        ``staff_id`` where the survey lacks it.

    Returns
    -------
    DataFrame or None
        A counts table (``district_id``, ``school_id`` — blank for the district —,
        ``school_year``, ``measure`` = the outcome, ``dimension``, ``group``, ``numerator``,
        ``denominator``); None when no answer says whether it is favorable.

    Notes
    -----
    Respondents are told apart by ``respondent_id``, else ``student_id`` (students) or
    ``staff_id`` (staff). A role whose rows do not all have one falls back to answers: its
    numerator is the favorable answers per item and its denominator the answers per item
    (each rounded), the average respondent of the construct.
    """
    if "favorable" not in survey or survey["favorable"].isna().all():
        return None
    answered = survey[survey["favorable"].notna()].copy()
    answered["role"] = (answered["role"].astype("string").fillna("student")
                        if "role" in answered else "student")
    mapping = dict(constructs or {})
    answered["construct"] = [mapping.get(i, d) for i, d in
                             zip(answered["item"].astype(str), answered["domain"].astype(str),
                                 strict=True)]
    answered["respondent"] = _respondents(answered)
    answered = _with_demographics(answered, students, staff)
    district = str(answered["district_id"].iloc[0])
    frames = []
    for role, rows in answered.groupby("role", sort=False):
        dims = _dimensions(rows, str(role))
        if rows["respondent"].notna().all():
            per = _per_respondent(rows, dims)
            frames.append(_count(per, dims, "favorable"))
        else:
            frames.append(_per_answer(rows, dims))
        frames[-1]["measure"] = [construct_outcome(str(role), c)
                                 for c in frames[-1].pop("construct")]
    if students is not None:
        frames.append(_responses(answered[answered["role"] == "student"], students))
    counts = pd.concat([f for f in frames if f is not None and len(f)], ignore_index=True)
    return _fitting(counts).assign(district_id=district)[_COUNTS]


def withhold_sensitive(rows: pd.DataFrame, min_n: int, min_count: int) -> pd.DataFrame:
    """Metric rows with every group of a sensitive dimension (sexual orientation, gender
    identity) that has fewer than ``min_n`` respondents, or fewer than ``min_count`` with or
    without the outcome (e.g. 18 of 21 favorable), marked ``suppressed`` before the privacy
    gate, which then withholds them as primary cells and protects them with complementary
    suppression like any other small group. (The gate's coding of small complements covers the
    standard student dimensions; respondents may skip these questions, so their groups are
    not a partition of all respondents and are checked here.)"""
    cell = ["school_year", "school_id", "outcome", "dimension", "group"]
    x = rows["numerator"] if "numerator" in rows else pd.Series(np.nan, index=rows.index)
    too_few = (rows["n"] < min_n) | (x < min_count) | (rows["n"] - x < min_count)
    rates = rows[(rows["measure"] == "rate") & rows["dimension"].isin(SENSITIVE_DIMENSIONS)
                 & (rows["group"] != "all") & too_few]
    small = pd.MultiIndex.from_frame(rates[cell]).unique()
    hit = pd.MultiIndex.from_frame(rows[cell]).isin(small)
    out = rows.copy()
    done = out["suppressed"].eq(True) if "suppressed" in out else False
    out["suppressed"] = hit | done
    return out


def _respondents(rows: pd.DataFrame) -> pd.Series:
    """Each row's respondent: ``respondent_id``, else the student or staff id of the role."""
    none = pd.Series(pd.NA, index=rows.index, dtype="string")
    ids = rows["respondent_id"].astype("string") if "respondent_id" in rows else none
    for role, column in (("student", "student_id"), ("staff", "staff_id")):
        if column in rows:
            own = (rows["role"] == role) & ids.isna()
            ids = ids.where(~own, rows[column].astype("string"))
    return ids


def _with_demographics(rows: pd.DataFrame, students: pd.DataFrame | None,
                       staff: pd.DataFrame | None) -> pd.DataFrame:
    """Fill missing demographics of student respondents from the student table (by
    ``student_id`` and year) and the race/ethnicity of staff from the staff table."""
    joins = [(students, "student", "student_id", [*DIMENSIONS, "grade"]),
             (staff, "staff", "staff_id", ["race_ethnicity"])]
    for table, role, key, columns in joins:
        columns = [c for c in columns if table is not None and c in table]
        if table is None or key not in rows or not columns:
            continue
        source = table.drop_duplicates(["school_year", key]).set_index(["school_year", key])
        index = pd.MultiIndex.from_arrays([rows["school_year"], rows[key]])
        mine = (rows["role"] == role).to_numpy()
        for column in columns:
            found = source[column].reindex(index)
            found.index = rows.index
            if column not in rows:
                rows[column] = found.where(mine)
            else:
                rows[column] = rows[column].where(rows[column].notna() | ~mine, found)
    return rows


def _dimensions(rows: pd.DataFrame, role: str) -> list[str]:
    """The dimensions a role's answers break down by: staff by race/ethnicity; students and
    families by the student dimensions and, for students, the sensitive ones."""
    wanted = (("race_ethnicity",) if role == "staff" else
              (*DIMENSIONS, *SENSITIVE_DIMENSIONS) if role == "student" else DIMENSIONS)
    return [d for d in wanted if d in rows and rows[d].notna().any()]


def _per_respondent(rows: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """One row per respondent and construct: favorable when at least half of their answered
    items of the construct are favorable; their groups as given on their first row."""
    keys = ["school_year", "school_id", "respondent", "construct"]
    share = rows["favorable"].astype(float).groupby([rows[k] for k in keys]).mean()
    first = rows.drop_duplicates(keys).set_index(keys)[dims]
    return first.assign(favorable=(share >= FAVORABLE_SHARE).astype(float)).reset_index()


def _levels(frame: pd.DataFrame, dims: list[str]):
    """The district (school ``""``) with every dimension, and each school with all only."""
    yield frame.assign(school_id=""), ["all", *dims]
    yield frame.assign(school_id=frame["school_id"].astype(str)), ["all"]


def _count(frame: pd.DataFrame, dims: list[str], value: str, by: str = "construct"
           ) -> pd.DataFrame:
    """The sum of ``value`` (numerator) and the rows (denominator) per year × ``by`` × group,
    district-wide for all and by each dimension (groups whose label is missing count in "all"
    only), and per school for all only.

    Schools are not broken down by group: the report shows each school's share of all its
    respondents, and school × group cells of respondents (and of the students enrolled in the
    surveyed grades, which are the school's enrolled groups) would add hundreds of small cells
    whose protection withholds district figures, the all-students referral count among them.
    """
    out = []
    for level, by_dims in _levels(frame, dims):
        for dim in by_dims:
            group = (pd.Series("all", index=level.index) if dim == "all"
                     else group_codes(level[dim]).astype("string"))
            keys = [level["school_year"], level["school_id"], level[by], group.rename("group")]
            part = level[value].astype(float).groupby(keys, observed=True).agg(["sum", "size"])
            out.append(part.reset_index().rename(
                columns={"sum": "numerator", "size": "denominator"}).assign(dimension=dim))
    table = pd.concat(out, ignore_index=True).dropna(subset=["group"])
    return table.astype({"school_year": int, "numerator": float, "denominator": float})


def _per_answer(rows: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Without respondent ids: favorable answers and answers per item of the construct,
    each rounded (the construct's average respondent)."""
    items = rows.groupby(["school_year", "construct"])["item"].nunique().rename("items")
    rows = rows.join(items, on=["school_year", "construct"])
    weight = 1.0 / rows["items"]
    favorable = _count(rows.assign(x=rows["favorable"].astype(float) * weight), dims, "x")
    answers = _count(rows.assign(x=weight), dims, "x")
    return favorable.assign(numerator=favorable["numerator"].round(),
                            denominator=answers["numerator"].round())


def _responses(rows: pd.DataFrame, students: pd.DataFrame) -> pd.DataFrame | None:
    """Student respondents per enrolled student, by school and student group.

    Respondents are counted once (by id; without ids, as the answers per item of the year,
    rounded). Enrolled students are those of the same year, in the schools with respondents
    and in the grades the survey reached (the grades of its respondents, when the survey or
    the student join gives them; all grades otherwise). A dimension whose respondents do not
    fit its enrolled groups (the survey's groups do not match the student table) is left out
    at that level (:func:`_fitting`).
    """
    if rows.empty:
        return None
    dims = [d for d in DIMENSIONS if d in rows and d in students and rows[d].notna().any()]
    enrolled = students[_pairs(students, "school_id").isin(_pairs(rows, "school_id"))]
    if "grade" in rows and rows["grade"].notna().any():
        enrolled = enrolled[_pairs(enrolled, "grade").isin(_pairs(rows, "grade"))]
    enrolled = enrolled.assign(one=1.0, measure=RESPONSE_OUTCOME,
                               school_id=enrolled["school_id"].astype(str))
    denominators = _count(enrolled, dims, "one", by="measure")
    rows = rows.assign(measure=RESPONSE_OUTCOME)
    if rows["respondent"].notna().all():
        people = rows.drop_duplicates(["school_year", "respondent"])
        answered = _count(people.assign(one=1.0), dims, "one", by="measure")
    else:  # answers per item of the year, rounded
        items = rows.groupby("school_year")["item"].transform("nunique")
        answered = _count(rows.assign(x=1.0 / items), dims, "x", by="measure")
        answered["denominator"] = answered["numerator"] = answered["numerator"].round()
    keys = ["school_year", "school_id", "measure", "dimension", "group"]
    return denominators.drop(columns="numerator").merge(
        answered[[*keys, "numerator"]], on=keys, how="left").fillna({"numerator": 0.0})


def _fitting(counts: pd.DataFrame) -> pd.DataFrame:
    """The counts less each dimension (at a place: year, school, measure) whose groups do not
    fit its ``all`` row: a group, or the rest of the respondents, with a numerator above its
    denominator. Survey groups that do not match the student roster, or answers per item
    rounded apart, do this; the ``all`` rows stay."""
    place = ["school_year", "school_id", "measure"]
    total = counts[counts["dimension"] == "all"].drop_duplicates(place).set_index(place)
    whole = total.reindex(pd.MultiIndex.from_frame(counts[place]))
    x, n = counts["numerator"].to_numpy(), counts["denominator"].to_numpy()
    fits = (x <= n) & (whole["numerator"].to_numpy() - x <= whole["denominator"].to_numpy() - n)
    keep = counts.assign(fits=fits).groupby([*place, "dimension"])["fits"].transform("all")
    return counts[keep.to_numpy()]


def _pairs(frame: pd.DataFrame, column: str) -> pd.MultiIndex:
    """(school year, ``column`` as text) of each row."""
    return pd.MultiIndex.from_arrays([frame["school_year"].astype(int),
                                      frame[column].astype(str)])
