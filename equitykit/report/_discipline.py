"""Discipline at each decision point: who is referred, for what, and what happens next.

A view over the published metrics only (withheld cells read "suppressed"): one row per group,
from referral to exclusion or a restorative conference, with the days of instruction lost.
"""

from __future__ import annotations

import math

import pandas as pd

from .._words import capitalize, group_label
from ._tables import SUPPRESSED_TEXT
from ._views import cell

__all__ = ["DECISION_COLUMNS", "decision_table"]

#: (outcome, measure, comparison) → column title, in the order of the decision points.
DECISION_COLUMNS: dict[tuple[str, str, str], str] = {
    ("referred", "rate", ""): "Referred",
    ("referred", "risk_ratio", "all_other"): "Referral risk ratio",
    ("subjective_referral", "rate", ""): "Subjective offense, of referred",
    ("exclusionary_given_referral", "rate", ""): "Removed from class or school, of referred",
    ("exclusionary_given_referral", "within_offense_risk_ratio", "all_other"):
        "Exclusion ratio, same offense",
    ("restorative_given_referral", "rate", ""): "Restorative conference, of referred",
    ("restorative_given_referral", "within_offense_risk_ratio", "all_other"):
        "Restorative ratio, same offense",
    ("suspended_2plus", "rate", ""): "Suspended 2+ times",
    ("oss", "days_lost_per_100", ""): "Days lost per 100 students",
}


def _text(row: pd.Series) -> str:
    if bool(row["suppressed"]):
        return SUPPRESSED_TEXT
    value = row["value"]
    if not isinstance(value, float | int) or not math.isfinite(value):
        return "—"
    if row["measure"] in ("rate", "days_lost_per_100"):
        return cell(row)
    low, high = row.get("ci_low", math.nan), row.get("ci_high", math.nan)
    interval = f" ({low:.2f}–{high:.2f})" if math.isfinite(low) and math.isfinite(high) else ""
    return f"{value:.2f}{interval}"


def decision_table(published: pd.DataFrame, *, school_year: int,
                   dimension: str = "race_ethnicity") -> pd.DataFrame:
    """One row per group of ``dimension`` (and all students) in ``school_year``, one column
    per decision point of :data:`DECISION_COLUMNS` the audit publishes.

    The two "same offense" ratios compare a group's incidents with other students' incidents
    of the same offense category (Mantel–Haenszel), so a group referred for different
    offenses is not mistaken for a group treated differently.

    Examples
    --------
    >>> decision_table(pd.DataFrame(columns=["school_id", "school_year", "dimension", "group",
    ...                                      "outcome", "measure", "comparison", "value",
    ...                                      "suppressed"]), school_year=2023).empty
    True
    """
    rows = published[(published["school_id"] == "") & (published["school_year"] == school_year)
                      & published["dimension"].isin([dimension, "all"])]
    key = list(zip(rows["outcome"], rows["measure"], rows["comparison"].fillna(""),
                   strict=True))
    rows = rows[[k in DECISION_COLUMNS for k in key]]
    if rows.empty:
        return pd.DataFrame()
    groups = list(dict.fromkeys(rows.loc[rows["dimension"] == dimension, "group"]))
    table = []
    for dim, group in [("all", "all"), *((dimension, g) for g in groups)]:
        mine = rows[(rows["dimension"] == dim) & (rows["group"] == group)]
        record = {"Group": capitalize(group_label(dim, group))}
        for (outcome, measure, comparison), title in DECISION_COLUMNS.items():
            found = mine[(mine["outcome"] == outcome) & (mine["measure"] == measure)
                         & (mine["comparison"].fillna("") == comparison)]
            if (rows["outcome"] == outcome).any() and (rows["measure"] == measure).any():
                record[title] = _text(found.iloc[0]) if len(found) else "—"
        table.append(record)
    return pd.DataFrame(table)
