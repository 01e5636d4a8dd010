"""Teacher quality equity (docs/methods.md; Skrla et al. 2004 "teacher quality equity").

Two views: the ED Educator Equity Profile comparison of high- vs low-poverty (or high- vs
low-minority) quartile schools on inexperienced, uncertified and out-of-field teachers (ESEA
§1111(g)(1)(B), §1112(b)(2)), and the student-weighted teacher quality gap (Goldhaber,
Theobald et al.): the mean teacher experience the average student of each group has.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep

from ..errors import DataError

__all__ = ["school_composition", "teacher_experience_exposure", "teacher_quality_gaps"]

#: ``by`` → the school composition column that splits schools into quartiles.
QUARTILE_BY: dict[str, str] = {"poverty": "poverty_share", "minority": "minority_share"}
#: Teacher indicators: name → how it is computed from the staff table.
INDICATORS: tuple[str, ...] = ("novice", "uncertified", "out_of_field")

MISSING_COLUMNS = "{table}: no column(s) {columns}"
BAD_BY = "by must be one of {choices}, got {by!r}"
NO_TEACHERS = (
    "no teachers with this information in the high or the low quartile (or the schools do not "
    "differ in {column}, so there are no quartiles)"
)
NO_TEACHER_DATA = "no teacher experience for the schools these students attend"

_PLACE = ("district_id", "school_year")


def _require(table: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(MISSING_COLUMNS.format(table=name, columns=missing))


def _keys(*tables: pd.DataFrame) -> list[str]:
    """District and year columns present in every table (joins happen within them)."""
    return [c for c in _PLACE if all(c in t.columns for t in tables)]


def _teachers(staff: pd.DataFrame) -> pd.DataFrame:
    """Teacher rows (``role == "teacher"`` when a role column exists) with a ``weight``: FTE
    when the staff table has it (missing FTE counts as 1), else 1 per teacher."""
    rows = staff
    if "role" in staff.columns:
        rows = staff.loc[staff["role"].astype("str").str.strip().str.lower() == "teacher"]
    weight = rows["fte"].astype(float).fillna(1.0) if "fte" in rows.columns else 1.0
    return rows.assign(weight=weight)


def school_composition(students: pd.DataFrame) -> pd.DataFrame:
    """Per school: students, share economically disadvantaged, share students of colour.

    Students of colour are every race/ethnicity other than White. Shares leave out students
    whose value is missing; a column the data lacks (not collected) gives NaN shares.

    Parameters
    ----------
    students : DataFrame
        Canonical student table (``school_id``, ``econ_disadvantaged``, ``race_ethnicity``;
        ``district_id`` and ``school_year`` when present).

    Returns
    -------
    DataFrame
        One row per school (and district/year): ``students``, ``poverty_share``,
        ``minority_share``.

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"school_id": ["a", "a", "b"],
    ...                          "econ_disadvantaged": [True, False, True],
    ...                          "race_ethnicity": ["White", "Black", "Asian"]})
    >>> school_composition(students).to_dict("records")[0]
    {'school_id': 'a', 'students': 2, 'poverty_share': 0.5, 'minority_share': 0.5}
    """
    _require(students, ["school_id"], "students")
    # A column the district does not collect reads as unknown for every student (share NaN).
    students = students.assign(**{c: pd.NA for c in ("econ_disadvantaged", "race_ethnicity")
                                  if c not in students})
    race = students["race_ethnicity"].astype("str").where(students["race_ethnicity"].notna())
    frame = pd.DataFrame({
        **{c: students[c] for c in [*_keys(students), "school_id"]},
        "poverty": students["econ_disadvantaged"].astype("Float64"),
        "minority": (race != "White").astype("Float64").where(race.notna()),
    })
    out = frame.groupby([*_keys(students), "school_id"], sort=True).agg(
        students=("poverty", "size"), poverty_share=("poverty", "mean"),
        minority_share=("minority", "mean"),
    ).reset_index()
    return out.astype({"poverty_share": float, "minority_share": float})


def _quartiles(schools: pd.DataFrame, column: str, keys: list[str]) -> pd.DataFrame:
    """Label schools ``high``/``low`` when at or beyond the 75th/25th percentile of
    ``column`` among the schools of their district and year (ties stay together)."""
    rows = schools.loc[schools[column].notna(), [*keys, "school_id", column]]
    share = rows[column]
    grouped = share.groupby([rows[k] for k in keys] or np.zeros(len(rows)))
    q25, q75 = grouped.transform("quantile", 0.25), grouped.transform("quantile", 0.75)
    spread = grouped.transform("max") > grouped.transform("min")
    quartile = np.select([spread & (share >= q75), spread & (share <= q25)], ["high", "low"], "")
    return rows.assign(quartile=quartile).loc[lambda r: r["quartile"] != ""]


def _flags(teachers: pd.DataFrame, novice_years: float) -> pd.DataFrame:
    years = teachers["years_experience"].astype("Float64")
    return pd.DataFrame({
        "novice": years < novice_years,
        "uncertified": ~teachers["certified"].astype("boolean"),
        "out_of_field": ~teachers["in_field"].astype("boolean"),
    }, index=teachers.index)


def teacher_quality_gaps(
    staff: pd.DataFrame, schools: pd.DataFrame, *, novice_years: float = 2,
    by: str = "poverty", confidence: float = 0.95,
) -> pd.DataFrame:
    """Novice, uncertified and out-of-field teachers in high- vs low-quartile schools.

    As in the ED Educator Equity Profiles (docs/methods.md), schools are split into quartiles by
    % economically disadvantaged students (``by="poverty"``: HPQ vs LPQ) or % students of
    colour (``by="minority"``: HMQ vs LMQ) within each district and year; a school is in the
    high quartile when its share is at or above the 75th percentile and in the low quartile
    when at or below the 25th (ties kept together). The equity gap is rate(high) − rate(low).

    Rates count teachers (``role == "teacher"``), weighted by FTE when ``fte`` is present.
    A teacher with the indicator missing (e.g. unknown certification) is left out of that
    indicator only. The gap's interval is Newcombe's hybrid score interval (from the two
    Wilson intervals, docs/methods.md); with FTE weights it treats FTE totals as counts.

    Parameters
    ----------
    staff : DataFrame
        Canonical staff table: ``school_id``, ``years_experience``, ``certified``,
        ``in_field``; optional ``role``, ``fte``, ``district_id``, ``school_year``.
    schools : DataFrame
        One row per school with ``school_id`` and ``poverty_share`` / ``minority_share``,
        e.g. from :func:`school_composition`.
    novice_years : float, default 2
        Inexperienced = fewer than this many years (state-defined; ``config.teachers``).
    by : {"poverty", "minority"}
    confidence : float, default 0.95

    Returns
    -------
    DataFrame
        One row per (district_id, school_year, indicator): ``by``, ``rate_high``,
        ``rate_low``, ``gap``, ``ci_low``, ``ci_high``, ``n_high``, ``n_low`` (teachers or
        FTE), ``schools_high``, ``schools_low``, ``reason`` ("" when defined).

    Examples
    --------
    >>> import pandas as pd
    >>> schools = pd.DataFrame({"school_id": list("abcd"),
    ...                         "poverty_share": [0.9, 0.6, 0.4, 0.1]})
    >>> staff = pd.DataFrame({"school_id": list("aadd"), "years_experience": [0, 1, 5, 9],
    ...                       "certified": [True, False, True, True],
    ...                       "in_field": [True, True, True, True]})
    >>> gaps = teacher_quality_gaps(staff, schools)
    >>> gaps.set_index("indicator")["gap"].to_dict()
    {'novice': 1.0, 'uncertified': 0.5, 'out_of_field': 0.0}
    """
    if by not in QUARTILE_BY:
        raise ValueError(BAD_BY.format(choices=list(QUARTILE_BY), by=by))
    column = QUARTILE_BY[by]
    _require(staff, ["school_id", "years_experience", "certified", "in_field"], "staff")
    _require(schools, ["school_id", column], "schools")
    keys = _keys(staff, schools)
    teachers = _teachers(staff)
    quartiles = _quartiles(schools, column, keys)
    flags = _flags(teachers, novice_years).assign(
        **{c: teachers[c] for c in [*keys, "school_id", "weight"]})
    long = flags.merge(quartiles, on=[*keys, "school_id"]).melt(
        id_vars=[*keys, "school_id", "weight", "quartile"], value_vars=list(INDICATORS),
        var_name="indicator", value_name="flag").dropna(subset=["flag"])
    long["count"] = long["weight"] * long["flag"].astype(float)
    sums = long.groupby([*keys, "indicator", "quartile"]).agg(
        count=("count", "sum"), n=("weight", "sum"), schools=("school_id", "nunique"))
    # Every (statistic, quartile) column, even when no school fell in a quartile (one school).
    wide = sums.unstack("quartile").reindex(
        columns=pd.MultiIndex.from_product([sums.columns, ["high", "low"]]))
    wide.columns = [f"{stat}_{q}" for stat, q in wide.columns]
    places = schools[keys].drop_duplicates() if keys else pd.DataFrame(index=[0])
    every = places.merge(pd.DataFrame({"indicator": INDICATORS}), how="cross")
    wide = every.merge(wide.reset_index(), on=[*keys, "indicator"], how="left")
    return _compare(wide, by, column, confidence)


def _compare(wide: pd.DataFrame, by: str, column: str, confidence: float) -> pd.DataFrame:
    wide = wide.fillna({c: 0 for c in wide.columns if c.startswith(("n_", "count_", "schools_"))})
    with np.errstate(invalid="ignore", divide="ignore"):
        wide["rate_high"] = wide["count_high"] / wide["n_high"]
        wide["rate_low"] = wide["count_low"] / wide["n_low"]
    wide["gap"] = wide["rate_high"] - wide["rate_low"]
    ok = (wide["n_high"] > 0) & (wide["n_low"] > 0)
    wide["ci_low"], wide["ci_high"] = np.nan, np.nan
    if ok.any():
        low, high = confint_proportions_2indep(
            wide.loc[ok, "count_high"].to_numpy(), wide.loc[ok, "n_high"].to_numpy(),
            wide.loc[ok, "count_low"].to_numpy(), wide.loc[ok, "n_low"].to_numpy(),
            method="newcomb", compare="diff", alpha=1 - confidence)
        wide.loc[ok, "ci_low"], wide.loc[ok, "ci_high"] = low, high
    wide["reason"] = np.where(ok, "", NO_TEACHERS.format(column=column))
    wide.insert(wide.columns.get_loc("indicator") + 1, "by", by)
    return wide.drop(columns=["count_high", "count_low"])


def teacher_experience_exposure(
    enrollment: pd.DataFrame, staff: pd.DataFrame, *, comparison: str = "all_other",
) -> pd.DataFrame:
    """Mean teacher experience the average student of each group has (student-weighted TQG).

    For group g: Σ_s (n_g,s / n_g) × (mean experience of the teachers of unit s), over units
    with teacher data (docs/methods.md, Goldhaber & Theobald's teacher quality gap). Units can
    be schools or, better, classrooms: with classroom links this captures within-school
    assignment that quartile comparisons miss. Teacher means are FTE-weighted when ``fte``
    is present.

    Parameters
    ----------
    enrollment : DataFrame
        Students per unit and group: ``school_id`` (the unit), ``group``, ``students``;
        optional ``dimension``, ``district_id``, ``school_year``. From a counts table:
        school rows of one enrolled-population outcome with ``denominator`` renamed
        ``students``.
    staff : DataFrame
        ``school_id`` (the same units), ``years_experience``; optional ``role``, ``fte``.
    comparison : str, default "all_other"
        ``"all_other"``: students of the other groups of the same dimension in ``enrollment``;
        or a group label (e.g. ``"White"``).

    Returns
    -------
    DataFrame
        One row per group (and dimension/district/year): ``students``,
        ``mean_teacher_experience``, ``comparison``, ``comparison_experience``, ``gap``
        (group − comparison, in years), ``share_covered`` (share of the group's students in
        units with teacher data).

    Examples
    --------
    >>> import pandas as pd
    >>> enrollment = pd.DataFrame({"school_id": ["a", "a", "b", "b"],
    ...                            "group": ["Black", "White"] * 2,
    ...                            "students": [30, 10, 10, 50]})
    >>> staff = pd.DataFrame({"school_id": ["a", "b", "b"], "years_experience": [2, 10, 14]})
    >>> out = teacher_experience_exposure(enrollment, staff).set_index("group")
    >>> out[["mean_teacher_experience", "gap"]].round(2).to_dict("index")["Black"]
    {'mean_teacher_experience': 4.5, 'gap': -5.83}
    """
    _require(enrollment, ["school_id", "group", "students"], "enrollment")
    _require(staff, ["school_id", "years_experience"], "staff")
    keys = _keys(enrollment, staff)
    teachers = _teachers(staff).dropna(subset=["years_experience"])
    teachers = teachers.assign(weighted=teachers["weight"] * teachers["years_experience"])
    units = teachers.groupby([*keys, "school_id"]).agg(w=("weight", "sum"),
                                                      wx=("weighted", "sum"))
    experience = (units["wx"] / units["w"]).rename("experience").reset_index()
    block = ["_all", *_keys(enrollment), *(["dimension"] if "dimension" in enrollment.columns
                                           else [])]
    rows = enrollment.assign(_all=0).merge(experience, on=[*keys, "school_id"], how="left")
    rows["covered"] = rows["students"].where(rows["experience"].notna(), 0.0)
    rows["years"] = rows["covered"] * rows["experience"].fillna(0.0)
    out = rows.groupby([*block, "group"], sort=True)[["students", "covered", "years"]].sum()
    out = out.reset_index()
    if comparison == "all_other":  # everyone in the block minus the group
        other = out[["covered", "years"]].rsub(out.groupby(block)[["covered", "years"]]
                                               .transform("sum"))
    else:
        named = out.loc[out["group"] == comparison, [*block, "covered", "years"]]
        other = out[block].merge(named, on=block, how="left")[["covered", "years"]].fillna(0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_teacher_experience"] = out.pop("years") / out["covered"]
        out["comparison"] = comparison
        out["comparison_experience"] = (other["years"] / other["covered"]).to_numpy()
        out["share_covered"] = out.pop("covered") / out["students"]
    out["gap"] = out["mean_teacher_experience"] - out["comparison_experience"]
    out["reason"] = np.where(out["mean_teacher_experience"].isna(), NO_TEACHER_DATA, "")
    if comparison != "all_other":
        out = out.loc[out["group"] != comparison]
    return out.drop(columns="_all").reset_index(drop=True)
