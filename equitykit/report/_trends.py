"""Trends across school years: every group's rate each year, and gaps that narrowed because
the comparison group got worse (Ed Trust, "Gauging the Gaps": a gap should close because the
lower group rose, not because the higher one fell).

A gap *narrowed because the comparison got worse* (docs/methods.md) between a first and a
last school year when, with ``g`` the group's published rate, ``d`` its published risk
difference with all other students (``g`` minus their rate) and ``c = g − d`` the rate of all
other students those two published numbers imply:

1. the group was on the worse side of the gap in the first year (``d_first > 0`` for an
   adverse outcome, ``< 0`` for an opportunity) and the gap moved toward zero:
   ``|d_last| < |d_first|``;
2. all other students' rate moved in the adverse direction (up for an adverse outcome such as
   suspension, down for an opportunity such as gifted identification);
3. that move is larger than the group's own improvement (its change in the favorable
   direction, which is negative when the group got worse too): more than half of the
   narrowing came from the comparison getting worse.

Point values are compared (no intervals); a withheld or missing number in either year gives no
verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from .._words import capitalize, group_label, outcome_label, year_label
from ..config import AuditConfig
from ..schema import OUTCOMES
from ._views import cell, group_name

__all__ = ["narrowed_by_worsening", "narrowing_sentence", "rate_trend_table"]


def _district(published: pd.DataFrame, outcome: str, dimension: str) -> pd.DataFrame:
    p = published
    return p[(p["school_id"] == "") & (p["outcome"] == outcome)
             & p["dimension"].isin([dimension, "all"])]


def rate_trend_table(published: pd.DataFrame, outcome: str, dimension: str,
                     years: Sequence[int], config: AuditConfig | None = None) -> pd.DataFrame:
    """Every group's published rate of ``outcome`` each school year: one row per group of
    ``dimension`` (all students first), one column per year; "suppressed" for a withheld
    rate, "—" where the year has none."""
    rates = _district(published, outcome, dimension)
    rates = rates[(rates["measure"] == "rate") & (rates["comparison"] == "")]
    table = []
    for (dim, group), rows in rates.groupby(["dimension", "group"], sort=False):
        by_year = rows.drop_duplicates("school_year").set_index("school_year")
        entry = {"group": "All students" if dim == "all" else group_name(dim, group, config)}
        for year in years:
            entry[year_label(int(year))] = cell(by_year.loc[year]) if year in by_year.index \
                else "—"
        table.append((dim != "all", entry))
    return pd.DataFrame([entry for _, entry in sorted(table, key=lambda t: t[0])],
                        columns=["group", *(year_label(int(y)) for y in years)])


def _value(rows: pd.DataFrame, measure: str, comparison: str, year: int) -> float:
    hit = rows[(rows["measure"] == measure) & (rows["comparison"] == comparison)
               & (rows["school_year"] == year)]
    if hit.empty or bool(hit["suppressed"].iloc[0]):
        return math.nan
    display = hit["display"].iloc[0] if "display" in hit else None
    if isinstance(display, str) and display.startswith(("≤", "≥")):
        return math.nan  # a band, not a value
    return float(hit["value"].iloc[0])


def narrowed_by_worsening(published: pd.DataFrame, outcome: str, dimension: str, group: str,
                          first: int, last: int) -> bool | None:
    """Whether the gap of ``group`` with all other students in ``outcome`` narrowed from
    ``first`` to ``last`` mostly because all other students got worse (the module's
    definition); None when a number it needs is withheld or missing."""
    rows = _district(published, outcome, dimension)
    rows = rows[rows["group"] == group]
    g0, g1 = (_value(rows, "rate", "", y) for y in (first, last))
    d0, d1 = (_value(rows, "risk_difference", "all_other", y) for y in (first, last))
    if any(math.isnan(v) for v in (g0, g1, d0, d1)):
        return None
    worse = 1.0 if OUTCOMES[outcome].adverse else -1.0  # the adverse direction
    comparison_worsened = worse * ((g1 - d1) - (g0 - d0))
    group_improved = -worse * (g1 - g0)
    return (worse * d0 > 0 and abs(d1) < abs(d0) and comparison_worsened > 0
            and comparison_worsened > group_improved)


def narrowing_sentence(published: pd.DataFrame, outcome: str, dimension: str, group: str,
                       first: int, last: int) -> str:
    """The flag in words, with the group's published rates in both years."""
    rows = _district(published, outcome, dimension)
    rates = rows[(rows["group"] == group) & (rows["measure"] == "rate")
                 & (rows["comparison"] == "")].set_index("school_year")
    them = group_label(dimension, group)
    moved = "rose" if OUTCOMES[outcome].adverse else "fell"
    return (f"{capitalize(them)}, {outcome_label(outcome)}: the gap with all other students "
            f"narrowed from {year_label(first)} to {year_label(last)} mostly because all other "
            f"students' rate {moved} (worse for them) rather than because {them} did better: "
            f"their rate went from {cell(rates.loc[first])} to {cell(rates.loc[last])}.")
