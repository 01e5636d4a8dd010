"""Every number of one district's audit, as unsuppressed ``metrics.csv`` rows.

This module only computes; :mod:`._audit` suppresses the rows before anything is shown or
written. The rows stay inside the process that computed them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import metrics
from ..config import AuditConfig
from ..intake import derive_outcomes, to_counts
from ..schema import DIMENSIONS, INTERSECTION_SEP, OUTCOMES

__all__ = ["METRIC_COLUMNS", "compute_metrics"]

METRIC_COLUMNS: tuple[str, ...] = (
    "district_id", "school_year", "school_id", "section", "measure", "outcome", "dimension",
    "group", "comparison", "n", "numerator", "value", "ci_low", "ci_high", "p_value", "q_value",
    "suppressed", "flagged", "note",
)
SCORES: tuple[str, ...] = ("math_score", "ela_score")
LEVELS: dict[str, str] = {"math_score": "math_level", "ela_score": "ela_level"}
INTERSECTIONS = (
    ("race_ethnicity", "sex"),
    ("race_ethnicity", "econ_disadvantaged"),
    ("race_ethnicity", "disability"),
)


def compute_metrics(data, config: AuditConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All metric rows of one district (every year) and the student counts table.

    ``data`` is an :class:`equitykit.intake.DistrictData` holding one district.
    """
    students = derive_outcomes(data.students, config)
    counts = to_counts(students, intersections=INTERSECTIONS, by_school=True)
    latest = int(counts["school_year"].max())
    parts = [
        _rate_rows(counts, config, latest),
        _score_rows(students, config),
        _locus_rows(counts, latest),
        _segregation_rows(counts),
        _predictiveness_rows(students, latest),
    ]
    if data.staff is not None and len(data.staff):
        parts.append(_teacher_rows(data.staff, students, counts, config))
    rows = pd.concat([p for p in parts if p is not None and len(p)], ignore_index=True)
    return _conform(rows, str(students["district_id"].iloc[0])), counts


def _conform(rows: pd.DataFrame, district_id: str) -> pd.DataFrame:
    rows = rows.copy()
    rows["district_id"] = district_id
    for col in METRIC_COLUMNS:
        if col not in rows:
            rows[col] = (
                "" if col in ("school_id", "comparison", "note", "section")
                else False if col in ("suppressed", "flagged")
                else np.nan
            )
    rows["flagged"] = rows["flagged"].fillna(False).astype(bool)
    rows["suppressed"] = rows["suppressed"].fillna(False).astype(bool)
    return rows[list(METRIC_COLUMNS)].reset_index(drop=True)


# --- rates, disproportionality, IDEA -------------------------------------------------------------

def _rate_rows(counts: pd.DataFrame, config: AuditConfig, latest: int) -> pd.DataFrame:
    """District rows for every year; school rows for the latest year, main dimensions only."""
    keep = (counts["school_id"] == "") | (
        (counts["school_year"] == latest) & counts["dimension"].isin(("all", *DIMENSIONS))
    )
    table = metrics.disproportionality(counts[keep])
    idea = metrics.idea_disproportionality(
        counts[counts["school_id"] == ""],
        cell_size=config.idea.cell_size,
        n_size=config.idea.n_size,
        threshold=config.idea.risk_ratio_threshold,
        consecutive_years=config.idea.consecutive_years,
    )
    return _mark_idea(table, idea)


def _mark_idea(table: pd.DataFrame, idea: pd.DataFrame) -> pd.DataFrame:
    """Flag the district risk-ratio rows the IDEA rule flags, and note its verdict."""
    if idea is None or idea.empty:
        return table
    verdict = idea.assign(
        school_id="", dimension="race_ethnicity", comparison="all_other", measure="risk_ratio",
        idea_note=np.where(
            idea["significant"], "IDEA: significant disproportionality",
            np.where(idea["flagged"], "IDEA: above the risk-ratio threshold", "IDEA: below"),
        ),
    )
    key = ["school_year", "school_id", "measure", "outcome", "dimension", "group", "comparison"]
    verdict = verdict.rename(columns={"category": "outcome"})[
        [*key, "flagged", "idea_note"]
    ].drop_duplicates(key)
    out = table.drop(columns=["flagged"], errors="ignore").merge(verdict, on=key, how="left")
    out["flagged"] = out["flagged"].fillna(False).astype(bool)
    note = out.get("note", pd.Series("", index=out.index)).fillna("")
    out["note"] = np.where(out["idea_note"].notna(), out["idea_note"], note)
    return out.drop(columns=["idea_note"])


# --- achievement gaps -----------------------------------------------------------------------------

def _score_rows(students: pd.DataFrame, config: AuditConfig) -> pd.DataFrame | None:
    rows = []
    for score in SCORES:
        if score not in students or students[score].notna().sum() == 0:
            continue
        tested = students[students[score].notna()]
        for dimension in DIMENSIONS:
            rows += _gaps_for(tested, score, dimension, config)
    return pd.DataFrame(rows) if rows else None


def _gaps_for(tested: pd.DataFrame, score: str, dimension: str, config: AuditConfig) -> list:
    rows = []
    values = tested[score].astype(float)
    labels = _group_labels(tested[dimension])
    stats = values.groupby([tested["school_year"], labels], observed=True).agg(
        ["count", "mean", "std", "sum"]
    )
    squares = (values**2).groupby([tested["school_year"], labels], observed=True).sum()
    year_totals = values.groupby(tested["school_year"]).agg(["count", "sum"])
    year_sq = (values**2).groupby(tested["school_year"]).sum()
    level = LEVELS[score]
    for (year, group), s in stats.iterrows():
        n_o = year_totals.loc[year, "count"] - s["count"]
        if s["count"] < 2 or n_o < 2:
            continue
        sum_o = year_totals.loc[year, "sum"] - s["sum"]
        mean_o = sum_o / n_o
        var_o = (year_sq.loc[year] - squares.loc[(year, group)] - n_o * mean_o**2) / (n_o - 1)
        args = (s["mean"], s["std"], s["count"], mean_o, math.sqrt(max(var_o, 0.0)), n_o)
        base = {
            "school_year": int(year), "section": "achievement", "outcome": score,
            "dimension": dimension, "group": group, "comparison": "all_other",
            "n": float(s["count"]),
        }
        rows.append({**base, "measure": "mean", "comparison": "", "value": s["mean"]})
        for name in ("cohens_d", "hedges_g"):
            est = getattr(metrics, name)(*args)
            z = est.value / est.se if est.se and math.isfinite(est.se) else math.nan
            p = 2 * _norm_sf(abs(z)) if math.isfinite(z) else math.nan
            rows.append({**base, "measure": name, "value": est.value, "ci_low": est.ci_low,
                         "ci_high": est.ci_high, "p_value": p})
        if level in tested:
            rows.append({**base, "measure": "v_statistic",
                         **_v_row(tested, level, dimension, year, group)})
    return rows


def _v_row(tested, level, dimension, year, group) -> dict:
    year_rows = tested[(tested["school_year"] == year) & tested[level].notna()]
    in_group = _group_labels(year_rows[dimension]) == group
    levels = sorted(year_rows[level].astype(int).unique())
    focal = year_rows.loc[in_group, level].astype(int).value_counts().reindex(levels, fill_value=0)
    reference = (
        year_rows.loc[~in_group, level].astype(int).value_counts().reindex(levels, fill_value=0)
    )
    est = metrics.v_statistic(focal.to_numpy(), reference.to_numpy())
    return {"value": est.value, "ci_low": est.ci_low, "ci_high": est.ci_high,
            "p_value": est.p_value, "note": est.reason}


def _norm_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


def _group_labels(column: pd.Series) -> pd.Series:
    if column.dtype.name == "boolean" or column.dtype == bool:
        return column.map({True: "true", False: "false"}).astype("string")
    return column.astype("string")


# --- where gaps sit -------------------------------------------------------------------------------

def _locus_rows(counts: pd.DataFrame, latest: int) -> pd.DataFrame | None:
    main = counts[(counts["school_year"] == latest) & counts["dimension"].isin(("all", *DIMENSIONS))]
    located = metrics.locate_gaps(main)
    if located is None or located.empty:
        return None
    return located.assign(
        section=located["outcome"].map(lambda o: OUTCOMES[o].section if o in OUTCOMES else ""),
        measure="between_school_share", comparison="all_other", school_id="",
        value=located["between_share"], note=located["locus"],
    )


# --- segregation ----------------------------------------------------------------------------------

def _segregation_rows(counts: pd.DataFrame) -> pd.DataFrame | None:
    enrolled = counts[
        (counts["measure"] == _enrolled_measure(counts)) & (counts["school_id"] != "")
        & (counts["dimension"].isin(("race_ethnicity", "econ_disadvantaged")))
    ]
    rows = []
    for year, frame in enrolled.groupby("school_year"):
        race = frame[frame["dimension"] == "race_ethnicity"].pivot_table(
            index="school_id", columns="group", values="denominator", aggfunc="sum", fill_value=0
        )
        base = {"school_year": int(year), "section": "segregation", "dimension": "race_ethnicity",
                "outcome": "enrollment"}
        theil = metrics.theil_h(race)
        rows.append({**base, "measure": "theil_h", "group": "all", "value": theil.value,
                     "n": race.to_numpy().sum()})
        for group in ("Black", "Hispanic/Latino", "Asian"):
            if group in race and "White" in race and race[group].sum() and race["White"].sum():
                d = metrics.dissimilarity(race[group], race["White"])
                rows.append({**base, "measure": "dissimilarity", "group": group,
                             "comparison": "White", "value": d.value,
                             "n": race[group].sum()})
        for group in race.columns:
            if race[group].sum() > 0:
                iso = metrics.isolation(race[group], race.sum(axis=1))
                rows.append({**base, "measure": "isolation", "group": group,
                             "value": iso.value, "n": race[group].sum()})
    return pd.DataFrame(rows) if rows else None


# --- predictiveness -------------------------------------------------------------------------------

def _predictiveness_rows(students: pd.DataFrame, latest: int) -> pd.DataFrame | None:
    """Per outcome: how well demographics alone predict it, and each dimension's share."""
    year = students[students["school_year"] == latest]
    rows = []
    outcomes = [o for o in OUTCOMES if o in year and o not in DIMENSIONS] + [
        s for s in SCORES if s in year
    ]
    for outcome in outcomes:
        kind = "score" if outcome in SCORES else "binary"
        population = year[year[outcome].notna()]
        dims = [d for d in DIMENSIONS if population[d].nunique(dropna=True) > 1]
        if len(population) < 2 or not dims or population[outcome].nunique() < 2:
            continue
        strata = metrics.strata_table(population, outcome=outcome, dimensions=dims)
        est = metrics.predictiveness(strata, outcome_kind=kind, dimensions=dims, n_boot=100)
        if not est.defined:
            continue
        base = {"school_year": latest, "section": "predictiveness", "outcome": outcome,
                "dimension": "demographics", "n": est.n}
        measure = "predictiveness_auc" if kind == "binary" else "predictiveness_r2"
        rows.append({**base, "measure": measure, "group": "all", "value": est.value,
                     "ci_low": est.ci_low, "ci_high": est.ci_high})
        for dim, weight in est.extra.get("dominance", {}).items():
            rows.append({**base, "measure": "predictiveness_share", "group": dim,
                         "value": weight})
    return pd.DataFrame(rows) if rows else None


# --- teacher quality ------------------------------------------------------------------------------

_INDICATORS = {"novice": "novice_teacher", "uncertified": "uncertified_teacher",
               "out_of_field": "out_of_field_teacher"}


def _teacher_rows(staff: pd.DataFrame, students: pd.DataFrame, counts: pd.DataFrame,
                  config: AuditConfig) -> pd.DataFrame | None:
    """Teacher indicators in high- vs low-quartile schools, and student-weighted experience."""
    teachers = staff[staff["role"].astype("string").str.lower() == "teacher"]
    if teachers.empty:
        return None
    schools = metrics.school_composition(students)
    rows = []
    for by in ("poverty", "minority"):
        gaps = metrics.teacher_quality_gaps(
            teachers, schools, novice_years=config.teachers.novice_years, by=by
        )
        base = pd.DataFrame({
            "school_year": gaps["school_year"], "section": "teacher_quality",
            "outcome": gaps["indicator"].map(_INDICATORS), "dimension": f"school_{by}",
        })
        for quartile in ("high", "low"):
            rows.append(base.assign(measure="rate", group=f"{quartile}_quartile", comparison="",
                                    n=gaps[f"n_{quartile}"], value=gaps[f"rate_{quartile}"]))
        rows.append(base.assign(measure="risk_difference", group="high_quartile",
                                comparison="low_quartile", n=gaps["n_high"], value=gaps["gap"],
                                ci_low=gaps["ci_low"], ci_high=gaps["ci_high"]))
    enrolled = counts[(counts["measure"] == _enrolled_measure(counts))
                      & (counts["school_id"] != "") & counts["dimension"].isin(DIMENSIONS)]
    exposure = metrics.teacher_experience_exposure(
        enrolled.rename(columns={"denominator": "students"}), teachers
    )
    rows.append(pd.DataFrame({
        "school_year": exposure["school_year"], "section": "teacher_quality",
        "outcome": "teacher_experience", "dimension": exposure["dimension"],
        "group": exposure["group"], "measure": "mean_teacher_experience", "comparison": "",
        "n": exposure["students"], "value": exposure["mean_teacher_experience"],
    }))
    rows.append(pd.DataFrame({
        "school_year": exposure["school_year"], "section": "teacher_quality",
        "outcome": "teacher_experience", "dimension": exposure["dimension"],
        "group": exposure["group"], "measure": "experience_gap", "comparison": "all_other",
        "n": exposure["students"], "value": exposure["gap"],
    }))
    return pd.concat(rows, ignore_index=True)


def _enrolled_measure(counts: pd.DataFrame) -> str:
    """An outcome whose denominator is every enrolled student (for enrollment counts)."""
    present = set(counts["measure"])
    for name, outcome in OUTCOMES.items():
        if outcome.population == "enrolled" and name in present:
            return name
    raise ValueError("no outcome with every enrolled student in its denominator")
