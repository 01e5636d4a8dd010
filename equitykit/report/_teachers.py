"""Teacher quality equity as views of the published metrics: novice, uncertified and
out-of-field teachers in the schools with the most and the fewest poor students or students of
color, the teacher experience each group's average student has, and teacher retention."""

from __future__ import annotations

import pandas as pd

from ..config import AuditConfig
from . import _figures as fig
from ._adults import latest_year
from ._figures import ReportFigure
from ._views import cell, group_name, interval

__all__ = ["TEACHER_QUARTILES", "retention_year", "teacher_experience_table",
           "teacher_quality_chart", "teacher_quality_table", "teacher_retention_table"]

#: School quartile comparisons: dimension → (the two quartile columns, the table's caption).
TEACHER_QUARTILES = {
    "school_poverty": ("highest-poverty schools", "lowest-poverty schools",
                       "Teachers in the highest- and lowest-poverty quarters of schools"),
    "school_minority": ("schools with the most students of color",
                        "schools with the fewest students of color",
                        "Teachers in the quarters of schools with the most and the fewest "
                        "students of color"),
}
_GAP = "gap (percentage points)"


def _district(published: pd.DataFrame, school_year: int) -> pd.DataFrame:
    p = published
    return p[(p["section"] == "teacher_quality") & (p["school_id"] == "")
             & (p["school_year"] == school_year)]


def _pick(rows: pd.DataFrame, measure: str, group: str) -> pd.Series | None:
    hit = rows[(rows["measure"] == measure) & (rows["group"] == group)]
    return hit.iloc[0] if len(hit) else None


def _indicator(outcome: str) -> str:
    """``novice_teacher`` → "novice"; ``out_of_field_teacher`` → "out-of-field"."""
    return outcome.replace("_teacher", "").replace("_", "-")


def teacher_quality_table(published: pd.DataFrame, *, school_year: int,
                          by: str = "school_poverty") -> pd.DataFrame:
    """Novice, uncertified and out-of-field teachers in the quarters of schools with the most
    and the fewest economically disadvantaged students (or students of color).

    Parameters
    ----------
    published : the published metrics table of one district.
    school_year : the year shown.
    by : ``"school_poverty"`` or ``"school_minority"`` (:data:`TEACHER_QUARTILES`).

    Returns
    -------
    DataFrame
        One row per indicator: ``teachers who are``, the share in each quarter of schools, the
        gap in percentage points and its 95% CI; a withheld number reads "suppressed". Empty
        when the district has no such comparison.

    Examples
    --------
    >>> report.teacher_quality_table(audit.published, school_year=2024)  # doctest: +SKIP
    """
    most, fewest, _ = TEACHER_QUARTILES[by]
    rows = _district(published, school_year)
    rows = rows[rows["dimension"] == by]
    table = []
    for outcome, indicator in rows.groupby("outcome", sort=False):
        high, low = _pick(indicator, "rate", "high_quartile"), _pick(indicator, "rate",
                                                                     "low_quartile")
        gap = _pick(indicator, "risk_difference", "high_quartile")
        table.append({
            "teachers who are": _indicator(outcome),
            most: cell(high) if high is not None else "—",
            fewest: cell(low) if low is not None else "—",
            _GAP: cell(gap) if gap is not None else "—",
            "95% CI": interval(gap) if gap is not None else "",
        })
    return pd.DataFrame(table, columns=["teachers who are", most, fewest, _GAP, "95% CI"])


def teacher_quality_chart(published: pd.DataFrame, *, school_year: int) -> ReportFigure | None:
    """Bars of each teacher indicator in the highest- and lowest-poverty quarters of schools;
    None when no share is published.

    Examples
    --------
    >>> report.teacher_quality_chart(audit.published, school_year=2024)  # doctest: +SKIP
    """
    rows = _district(published, school_year)
    rows = rows[(rows["dimension"] == "school_poverty") & (rows["measure"] == "rate")
                & ~rows["suppressed"].astype(bool) & rows["value"].notna()]
    quarters = {"high_quartile": "highest-poverty quarter",
                "low_quartile": "lowest-poverty quarter"}
    rows = rows[rows["group"].isin(quarters)]
    order = {outcome: i for i, outcome in enumerate(rows["outcome"].unique())}
    rows = rows.sort_values(["outcome", "group"],  # each indicator: highest poverty first
                            key=lambda c: c.map(order) if c.name == "outcome" else c)
    if rows.empty:
        return None
    display = rows["display"].astype(str) if "display" in rows else pd.Series("", rows.index)
    plot = pd.DataFrame({"indicator": rows["outcome"].map(_indicator),
                         "quartile": rows["group"].map(quarters), "value": rows["value"],
                         "band": display.where(display.str.match("^[≤≥]"), "")})
    return fig.quartile_plot(plot, title="Novice, uncertified and out-of-field teachers by "
                             "school poverty", xlabel="schools")


def teacher_experience_table(published: pd.DataFrame, *, school_year: int,
                             config: AuditConfig | None = None) -> pd.DataFrame:
    """The mean years of experience of the teachers of each race/ethnicity's average student
    (student-weighted), and its gap to all other students.

    Returns
    -------
    DataFrame
        Columns ``group``, ``mean years of teacher experience``,
        ``gap vs all other students (years)``; empty when not published.

    Examples
    --------
    >>> report.teacher_experience_table(audit.published, school_year=2024)  # doctest: +SKIP
    """
    rows = _district(published, school_year)
    exposure = rows[(rows["measure"] == "mean_teacher_experience")
                    & (rows["dimension"] == "race_ethnicity")]
    gaps = rows[rows["measure"] == "experience_gap"].set_index(["dimension", "group"])
    table = [{
        "group": group_name(r["dimension"], r["group"], config),
        "mean years of teacher experience": cell(r),
        "gap vs all other students (years)": cell(gaps.loc[(r["dimension"], r["group"])])
        if (r["dimension"], r["group"]) in gaps.index else "—",
    } for _, r in exposure.iterrows()]
    return pd.DataFrame(table, columns=["group", "mean years of teacher experience",
                                        "gap vs all other students (years)"])


def retention_year(published: pd.DataFrame, *, before: int) -> int | None:
    """The latest year before ``before`` whose teacher retention (to the next year) is
    published; None when none is."""
    return latest_year(published, "teacher_retained", up_to=before - 1)


def teacher_retention_table(published: pd.DataFrame, *, school_year: int,
                            config: AuditConfig | None = None) -> pd.DataFrame:
    """Teachers of ``school_year`` still on the district's staff the next year, by their
    race/ethnicity, with the ratio to other teachers.

    Returns
    -------
    DataFrame
        Columns ``teachers``, ``number``, ``still on staff next year``,
        ``ratio vs other teachers``, ``95% CI``; empty when not published.

    Examples
    --------
    >>> year = report.retention_year(audit.published, before=audit.school_year)  # doctest: +SKIP
    >>> report.teacher_retention_table(audit.published, school_year=year)  # doctest: +SKIP
    """
    p = published
    rows = p[(p["outcome"] == "teacher_retained") & (p["school_id"] == "")
             & (p["school_year"] == school_year)]
    rate = rows[rows["measure"] == "rate"]
    ratio = rows[(rows["measure"] == "risk_ratio")
                 & (rows["comparison"] == "all_other")].set_index("group")
    table = [{
        "teachers": group_name(r["dimension"], r["group"], config).replace("students",
                                                                           "teachers"),
        "number": cell(r, "n"),
        "still on staff next year": cell(r),
        "ratio vs other teachers": cell(ratio.loc[r["group"]]) if r["group"] in ratio.index
        else "—",
        "95% CI": interval(ratio.loc[r["group"]]) if r["group"] in ratio.index else "",
    } for _, r in rate.iterrows()]
    return pd.DataFrame(table, columns=["teachers", "number", "still on staff next year",
                                        "ratio vs other teachers", "95% CI"])
