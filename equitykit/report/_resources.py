"""Resources: per-pupil spending in the highest- and lowest-poverty schools, in dollars, from
the published metrics only."""

from __future__ import annotations

import math

import pandas as pd

from ._tables import SUPPRESSED_TEXT

__all__ = ["RESOURCE_COLUMNS", "resources_table"]

#: The columns of :func:`resources_table`, in order.
RESOURCE_COLUMNS = ("measure", "value")

#: (metrics measure, group) → what the number means, and how it is written.
_MEASURES = {
    ("mean", "high_quartile"): "Spending per student, highest-poverty quarter of schools",
    ("mean", "low_quartile"): "Spending per student, lowest-poverty quarter of schools",
    ("ratio", "high_quartile"): "Highest- vs lowest-poverty quarter (dollars per $1)",
    ("progressivity_slope", "all"): ("Change in spending per student for every 10 more "
                                     "percentage points of economically disadvantaged students"),
}


def _dollars(value: float, *, signed: bool = False) -> str:
    text = f"${abs(value):,.0f}"
    if not signed or round(value) == 0:
        return text
    return f"{text} more" if value > 0 else f"{text} less"


def _text(measure: str, row: pd.Series) -> str:
    value = row["value"]
    if row["suppressed"]:
        return SUPPRESSED_TEXT
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    if measure == "mean":
        return _dollars(value)
    if measure == "ratio":
        return f"${value:.2f}"
    # The slope is dollars per student for a school entirely disadvantaged vs one with none:
    # a tenth of it is the change per 10 percentage points.
    return _dollars(value / 10, signed=True)


def resources_table(published: pd.DataFrame, *, school_year: int) -> pd.DataFrame:
    """Spending per student by school poverty quarter, in words and dollars.

    Parameters
    ----------
    published : the audit's published (suppressed) metrics.
    school_year : the audited year.

    Returns
    -------
    DataFrame
        :data:`RESOURCE_COLUMNS`: the enrollment-weighted spending per student in the
        highest- and lowest-poverty quarters of schools, what the highest-poverty schools
        spend for each dollar of the lowest, and the progressivity slope per 10 percentage
        points of economically disadvantaged students ("$162 less": regressive).
    """
    rows = published[(published["section"] == "resources") & (published["school_id"] == "")
                     & (published["school_year"] == school_year)]
    table = [{"measure": _MEASURES[(r["measure"], r["group"])], "value": _text(r["measure"], r)}
             for _, r in rows.iterrows() if (r["measure"], r["group"]) in _MEASURES]
    return pd.DataFrame(table, columns=list(RESOURCE_COLUMNS))
