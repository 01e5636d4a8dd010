"""Resources: per-pupil spending in the highest- and lowest-poverty schools, in dollars, from
the published metrics only."""

from __future__ import annotations

import math

import pandas as pd

from ._tables import SUPPRESSED_TEXT

__all__ = ["RESOURCE_COLUMNS", "resources_table", "resources_verdict"]

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


def resources_verdict(published: pd.DataFrame, *, school_year: int) -> str:
    """One sentence: is spending progressive (more in the highest-poverty schools), regressive
    or about even (within 2 cents per dollar)? Empty when the ratio is not published.

    Examples
    --------
    >>> row = {"school_id": "", "school_year": 2023, "section": "resources",
    ...        "measure": "ratio", "group": "high_quartile", "value": 0.9, "suppressed": False}
    >>> resources_verdict(pd.DataFrame([row]), school_year=2023)[:40]
    'Regressive: the highest-poverty quarter '
    """
    p = published
    hit = p[(p["school_id"] == "") & (p["school_year"] == school_year)
            & (p["section"] == "resources") & (p["measure"] == "ratio")
            & (p["group"] == "high_quartile") & ~p["suppressed"].astype(bool)]
    if hit.empty or not math.isfinite(hit["value"].iloc[0]):
        return ""
    ratio = float(hit["value"].iloc[0])
    money = f"${ratio:.2f}"
    if abs(ratio - 1) < 0.02:
        return (f"About even: the highest-poverty quarter of schools gets {money} per student "
                "for every $1 the lowest-poverty quarter gets.")
    word = "Progressive" if ratio > 1 else "Regressive"
    return (f"{word}: the highest-poverty quarter of schools gets {money} per student for "
            "every $1 the lowest-poverty quarter gets.")
