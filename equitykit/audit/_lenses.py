"""Rows of the lenses clients work in: discipline at each decision point, and one focus group
followed through every outcome. Unsuppressed ``metrics.csv`` rows, like :mod:`._compute`'s.

Every row here sits in the cell (outcome, dimension, group) of a rate row with the same ``n``
and ``numerator``, so the publishing gate withholds it with that cell (and, being a comparison
with all other students or with a named group, with the cells it is computed from).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import metrics
from ..metrics._rates import (
    katz_interval,
    newcombe_interval,
    ratio_reasons,
    two_by_two_p,
    z_value,
)
from ..schema import EXCLUSIONARY_ACTIONS, INTERSECTION_SEP

__all__ = ["DECISION_OUTCOMES", "decision_point_rows", "focus_rows", "retention_rows",
           "turnover_rows"]

#: Outcomes of referred students compared within offense category.
DECISION_OUTCOMES: tuple[str, ...] = ("exclusionary_given_referral", "restorative_given_referral")
_CELL = ["school_year", "outcome", "dimension", "group"]


def _labels(column: pd.Series) -> pd.Series:
    if column.dtype.name == "boolean" or column.dtype == bool:
        return column.map({True: "true", False: "false"}).astype("string")
    return column.astype("string")


def _district_cells(counts: pd.DataFrame, outcomes) -> pd.DataFrame:
    """The district counts of ``outcomes`` as (year, outcome, dimension, group) → n, numerator."""
    rows = counts[(counts["school_id"] == "") & counts["measure"].isin(list(outcomes))]
    return rows.rename(columns={"measure": "outcome", "denominator": "n"})[
        [*_CELL, "n", "numerator"]].astype({"school_year": int})


def decision_point_rows(students: pd.DataFrame, incidents: pd.DataFrame | None,
                        counts: pd.DataFrame, dimensions: tuple[str, ...]
                        ) -> pd.DataFrame | None:
    """Days of lost instruction per 100 students (cell ``oss``), and, per group, the
    Mantel–Haenszel risk ratio over offense categories that a referred group's incident ends
    in an exclusionary action or a restorative conference (cells of
    ``exclusionary_given_referral`` and ``restorative_given_referral``), district level, every
    year."""
    parts = []
    if "oss_days" in students and "oss" in set(counts["measure"]):
        parts.append(_days_lost(students, counts, dimensions))
    if incidents is not None and len(incidents) and "offense_category" in incidents:
        parts.append(_within_offense(students, incidents, counts, dimensions))
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return None
    return pd.concat(parts, ignore_index=True).assign(school_id="", section="programmatic")


def _days_lost(students: pd.DataFrame, counts: pd.DataFrame, dimensions: tuple[str, ...]
               ) -> pd.DataFrame:
    known = students[students["oss"].notna()]
    days = known["oss_days"].astype("Float64").fillna(0).astype(float)
    frames = []
    for dimension in ("all", *dimensions):
        labels = (pd.Series("all", index=known.index) if dimension == "all"
                  else _labels(known[dimension]))
        summed = days.groupby([known["school_year"].astype(int), labels]).sum()
        frames.append(summed.rename("days").rename_axis(["school_year", "group"]).reset_index()
                      .assign(dimension=dimension))
    rows = pd.concat(frames, ignore_index=True).assign(outcome="oss").merge(
        _district_cells(counts, ["oss"]), on=_CELL, how="inner")
    rows["value"] = [metrics.days_lost_per_100(days=d, students=n).value
                     for d, n in zip(rows["days"], rows["n"], strict=True)]
    return rows.drop(columns="days").assign(measure="days_lost_per_100", comparison="")


def _within_offense(students: pd.DataFrame, incidents: pd.DataFrame, counts: pd.DataFrame,
                    dimensions: tuple[str, ...]) -> pd.DataFrame:
    key = ["district_id", "student_id", "school_year"]
    single = [d for d in dimensions if INTERSECTION_SEP not in d]
    people = students[[*key, *single]].astype({"student_id": str, "district_id": str})
    joined = incidents.astype({"student_id": str, "district_id": str}).merge(
        people, on=key, how="inner")
    action = joined["action"].astype("string")
    joined = joined.assign(
        exclusionary_given_referral=action.isin(EXCLUSIONARY_ACTIONS),
        restorative_given_referral=action == "restorative_conference")
    frames = []
    for year, incidents_of_year in joined.groupby(joined["school_year"].astype(int)):
        for dimension in single:
            labelled = incidents_of_year.assign(_group=_labels(incidents_of_year[dimension]))
            for outcome in DECISION_OUTCOMES:
                table = metrics.within_offense_risk_ratios(
                    labelled, group="_group", stratum="offense_category", outcome=outcome)
                frames.append(table.drop(columns=["n", "numerator"]).assign(
                    school_year=year, dimension=dimension, outcome=outcome))
    if not frames:
        return pd.DataFrame()
    rows = pd.concat(frames, ignore_index=True).merge(
        _district_cells(counts, DECISION_OUTCOMES), on=_CELL, how="inner")
    return rows.assign(measure="within_offense_risk_ratio", comparison="all_other")


def focus_rows(counts: pd.DataFrame, *, dimension: str, group: str, reference: str | None
               ) -> pd.DataFrame | None:
    """The focus group against the reference group for every rate outcome, district level,
    every year: ``relative_rate_index`` (the group's rate over the reference's, Katz
    interval) and ``rate_difference`` (Newcombe interval), with ``comparison`` = the
    reference's label and one Fisher or chi-square p. Rows sit in the focus group's cell, with
    its ``n`` and ``numerator``; the gate withholds them when either group's cell is withheld."""
    if reference is None or reference == group:
        return None
    district = counts[(counts["school_id"] == "") & (counts["dimension"] == dimension)
                      & (counts["measure"] != "enrollment")]
    key = ["school_year", "measure"]
    focal = district[district["group"] == group].set_index(key)
    ref = district[district["group"] == reference].set_index(key)
    both = focal.join(ref[["numerator", "denominator"]].add_suffix("_ref"), how="inner").dropna(
        subset=["numerator", "denominator", "numerator_ref", "denominator_ref"])
    if both.empty:
        return None
    a, n1, c, n2 = (both[col].to_numpy(float) for col in
                    ("numerator", "denominator", "numerator_ref", "denominator_ref"))
    z = z_value(0.05)
    rr, rr_lo, rr_hi, _ = katz_interval(a, n1, c, n2, z)
    rd, rd_lo, rd_hi = newcombe_interval(a, n1, c, n2, z)
    p, _ = two_by_two_p(a, n1, c, n2)
    notes = ratio_reasons(a, n1, c, n2)
    base = pd.DataFrame({
        "school_year": both.index.get_level_values("school_year").astype(int),
        "outcome": both.index.get_level_values("measure"), "school_id": "",
        "dimension": dimension, "group": group, "comparison": reference, "n": n1,
        "numerator": a, "p_value": p,
    })
    base["section"] = base["outcome"].map(metrics.outcome_section)
    return pd.concat([
        base.assign(measure="relative_rate_index", value=rr, ci_low=rr_lo, ci_high=rr_hi,
                    note=np.where(np.isfinite(rr_lo), "", notes)),
        base.assign(measure="rate_difference", value=rd, ci_low=rd_lo, ci_high=rd_hi),
    ], ignore_index=True)


def retention_rows(staff: pd.DataFrame) -> pd.DataFrame | None:
    """Teachers still on the district's staff the next school year, by race/ethnicity:
    rates and comparisons with all other teachers (``metrics.retention_counts``), section
    ``teacher_quality``, district level."""
    counts = metrics.retention_counts(staff)
    if counts.empty:
        return None
    return metrics.disproportionality(counts).assign(section="teacher_quality")


def turnover_rows(staff: pd.DataFrame) -> pd.DataFrame | None:
    """Staff who left at the end of each year and staff hired in it, by race/ethnicity, where
    the staff table has ``exit_year`` / ``hire_year`` (``metrics.turnover_counts``), section
    ``teacher_quality``, district level."""
    counts = metrics.turnover_counts(staff)
    if counts.empty:
        return None
    return metrics.disproportionality(counts).assign(section="teacher_quality")
