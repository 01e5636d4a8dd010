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
from ..metrics._idea import STUDENTS_WITH_DISABILITIES, SWD_DIMENSION, SWD_SUFFIX
from ..schema import DIMENSIONS, OUTCOMES

__all__ = ["BOOTSTRAP_REPLICATES", "METRIC_COLUMNS", "SCORES", "compute_metrics",
           "model_outcomes"]

METRIC_COLUMNS: tuple[str, ...] = (
    "district_id", "school_year", "school_id", "section", "measure", "outcome", "dimension",
    "group", "comparison", "n", "numerator", "value", "ci_low", "ci_high", "p_value", "q_value",
    "suppressed", "flagged", "note",
)
SCORES: tuple[str, ...] = ("math_score", "ela_score")
#: The counts measure of every enrolled student (also the public files' name for it).
ENROLLMENT = "enrollment"
LEVELS: dict[str, str] = {"math_score": "math_level", "ela_score": "ela_level"}
#: Bootstrap replicates for predictiveness intervals (the explorer uses the same, so a room
#: sees the report's numbers).
BOOTSTRAP_REPLICATES = 100
INTERSECTIONS = (
    ("race_ethnicity", "sex"),
    ("race_ethnicity", "econ_disadvantaged"),
    ("race_ethnicity", "disability"),
)


def compute_metrics(data, config: AuditConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All metric rows of one district (every year) and the counts table they came from.

    ``data`` is an :class:`equitykit.intake.DistrictData` holding one district, or an
    aggregate-only district (a ``counts`` attribute and no students, from public data):
    then the rate-based analyses, the locus of each gap and segregation run from the counts,
    and the analyses that need student records are left out (their sections say so).
    """
    students = getattr(data, "students", None)
    if students is not None:
        students = derive_outcomes(students, config)
        # Every student counts in "enrollment", so a district whose outcomes are all unknown
        # (or absent) still has its students counted.
        outcomes = [ENROLLMENT, *(o for o in OUTCOMES if o in students)]
        counts = to_counts(students.assign(**{ENROLLMENT: True}), outcomes=outcomes,
                           intersections=INTERSECTIONS, by_school=True)
    else:
        counts = _complete_totals(data.counts)
    latest = int(counts["school_year"].max())
    staff = getattr(data, "staff", None)
    parts = [
        _enrollment_rows(counts, staff),
        _rate_rows(counts, config, latest),
        _locus_rows(counts, latest),
        _segregation_rows(counts),
    ]
    if students is not None:
        parts += [_score_rows(students, config),
                  _predictiveness_rows(students, latest, config.privacy.min_n)]
        if staff is not None and len(staff):
            parts.append(_teacher_rows(staff, students, counts, config))
        schools = getattr(data, "schools", None)
        if schools is not None and "per_pupil_expenditure" in schools:
            parts.append(_resource_rows(schools, students))
    survey = getattr(data, "survey", None)
    if survey is not None and len(survey):
        parts.append(_climate_rows(survey))
    parts = [p.dropna(axis=1, how="all") for p in parts if p is not None and len(p)]
    rows = pd.concat(parts, ignore_index=True)
    return _conform(rows, str(counts["district_id"].iloc[0])), counts


#: Note on rows of public files that report only some groups and no total.
PARTIAL_TOTAL = "total of the groups the file reports"
_PLACE = ["district_id", "school_id", "school_year", "measure"]


def _complete_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """Published counts made whole enough to audit: district rows summed from the schools
    when the file has none, and, where a file reports some groups but no all-student total
    (CRDC discipline by race: White, Black, Hispanic), a total of the reported groups, so
    "all other students" means the other groups the file reports (a ``note`` says so).
    Other dimensions are then left out at that place: a total of some races cannot serve as
    their "all students". A sum touching a cell suppressed at source stays missing."""
    counts = counts.copy()
    if "source_suppressed" not in counts:
        counts["source_suppressed"] = False
    if not (counts["school_id"] == "").any():
        district = (counts.groupby(["district_id", "school_year", "measure", "dimension",
                                    "group"], as_index=False)
                    .agg(numerator=("numerator", lambda v: v.sum(min_count=len(v))),
                         denominator=("denominator", lambda v: v.sum(min_count=len(v))),
                         source_suppressed=("source_suppressed", "any"))
                    .assign(school_id=""))
        counts = pd.concat([counts, district], ignore_index=True)
    has_total = counts[counts["dimension"] == "all"].groupby(_PLACE).size()
    groups = counts[(counts["dimension"] == "race_ethnicity")]
    totals = (groups.groupby(_PLACE, as_index=False)
              .agg(numerator=("numerator", lambda v: v.sum(min_count=len(v))),
                   denominator=("denominator", lambda v: v.sum(min_count=len(v))),
                   source_suppressed=("source_suppressed", "any")))
    missing = ~totals.set_index(_PLACE).index.isin(has_total.index)
    if missing.any():
        added = totals[missing].assign(dimension="all", group="all", note=PARTIAL_TOTAL)
        # Other dimensions (e.g. disability, which counts every race) cannot be compared with
        # a total of some races: they are left out where the total is partial.
        partial = counts.set_index(_PLACE).index.isin(added.set_index(_PLACE).index)
        counts = pd.concat([counts[~partial | (counts["dimension"] == "race_ethnicity")], added],
                           ignore_index=True)
    return counts


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
    for col in ("school_id", "comparison", "note", "section"):
        rows[col] = rows[col].fillna("").astype(str)
    rows["flagged"] = rows["flagged"].eq(True)  # missing = not flagged
    rows["suppressed"] = rows["suppressed"].eq(True)
    return rows[list(METRIC_COLUMNS)].reset_index(drop=True)


# --- enrollment -----------------------------------------------------------------------------------

def _enrollment_rows(counts: pd.DataFrame, staff: pd.DataFrame | None) -> pd.DataFrame | None:
    """District composition by group, of students and (when given) of teachers."""
    if _enrolled_measure(counts) is None:
        return None
    enrolled = counts[(counts["measure"] == _enrolled_measure(counts))
                      & (counts["school_id"] == "")
                      & counts["dimension"].isin(("all", *DIMENSIONS))]
    parts = [_composition(enrolled, "denominator").assign(outcome="enrollment")]
    latest = counts["school_year"].max()
    per_school = counts[(counts["measure"] == _enrolled_measure(counts))
                        & (counts["school_id"] != "") & (counts["school_year"] == latest)
                        & counts["dimension"].isin(("all", "econ_disadvantaged"))]
    for school_id, school in per_school.groupby("school_id"):
        parts.append(_composition(school, "denominator").assign(
            outcome="enrollment", school_id=school_id))
    if staff is not None and "race_ethnicity" in staff:
        teachers = staff[staff["role"].astype("string").str.lower() == "teacher"]
        per_group = (
            teachers.dropna(subset=["race_ethnicity"])
            .groupby(["school_year", "race_ethnicity"], observed=True).size()
            .rename("denominator").reset_index()
            .rename(columns={"race_ethnicity": "group"})
            .assign(dimension="race_ethnicity", group=lambda f: f["group"].astype(str))
        )
        totals = per_group.groupby("school_year", as_index=False)["denominator"].sum()
        totals = totals.assign(dimension="all", group="all")
        staff_counts = pd.concat([totals, per_group], ignore_index=True)
        parts.append(_composition(staff_counts, "denominator").assign(outcome="teachers"))
    out = pd.concat(parts, ignore_index=True)
    out["school_id"] = out.get("school_id", pd.Series(dtype=str)).fillna("")
    return out.assign(section="enrollment", measure="composition", comparison="")


def _composition(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    total = frame[frame["dimension"] == "all"].set_index("school_year")[column]
    return pd.DataFrame({
        "school_year": frame["school_year"].astype(int), "dimension": frame["dimension"],
        "group": frame["group"], "n": frame[column],
        "value": frame[column] / frame["school_year"].map(total),
    })


# --- rates, disproportionality, IDEA -------------------------------------------------------------

def _rate_rows(counts: pd.DataFrame, config: AuditConfig, latest: int) -> pd.DataFrame | None:
    """District rows for every year; per school, the all-students rates of the latest year.

    School × group rates are not published: the locus of each gap (between or within schools)
    is computed from them and reported instead, which keeps small school cells private without
    a cascade of complementary suppression into the district figures.
    """
    keep = ((counts["school_id"] == "") | (
        (counts["school_year"] == latest) & (counts["dimension"] == "all")
    )) & (counts["measure"] != ENROLLMENT)
    if not keep.any():  # enrollment counts only (e.g. a segregation audit from public data)
        return None
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
    """Add the IDEA significant-disproportionality verdicts (METHODS §2) to the rate rows.

    Where the IDEA ratio is the published risk ratio (identification over all students,
    placement over students with disabilities), that row is flagged and noted. Discipline is
    judged among students with disabilities (``Black×true`` vs other students with
    disabilities, comparison ``swd_other``), and an alternate risk ratio is compared with the
    state (``state_other``); those verdicts are rows of their own.
    """
    if idea is None or idea.empty:
        return table
    idea = idea[idea["kind"] != "not_calculated"]
    note = np.where(idea["significant"], "IDEA: significant disproportionality",
                    np.where(idea["flagged"], "IDEA: above the risk-ratio threshold",
                             "IDEA: at or below the risk-ratio threshold"))
    swd = (idea["population"] == STUDENTS_WITH_DISABILITIES) & (idea["area"] == "discipline")
    rows = pd.DataFrame({
        "school_year": idea["school_year"], "school_id": "", "section": "programmatic",
        "outcome": idea["category"],
        "dimension": np.where(swd, SWD_DIMENSION, "race_ethnicity"),
        "group": np.where(swd, idea["group"] + SWD_SUFFIX, idea["group"]),
        "measure": idea["kind"],
        "comparison": np.where(idea["kind"] == "alternate_risk_ratio", "state_other",
                               np.where(swd, "swd_other", "all_other")),
        "n": idea["denominator"], "numerator": idea["numerator"], "value": idea["ratio"],
        "flagged": idea["flagged"].astype(bool), "idea_note": note,
    })
    key = ["school_year", "school_id", "outcome", "dimension", "group", "measure", "comparison"]
    out = table.drop(columns=["flagged"], errors="ignore").merge(
        rows[[*key, "flagged", "idea_note"]], on=key, how="left"
    )
    out["flagged"] = out["flagged"].eq(True)
    out["note"] = out["idea_note"].fillna(out.get("note", "")).fillna("")
    matched = rows.merge(table[key], on=key, how="inner")[key]
    extra = rows.merge(matched, on=key, how="left", indicator=True)
    extra = extra[extra["_merge"] == "left_only"].drop(columns="_merge")
    extra = extra.rename(columns={"idea_note": "note"})
    return pd.concat([out.drop(columns=["idea_note"]), extra], ignore_index=True)


# --- achievement gaps -----------------------------------------------------------------------------

def _score_rows(students: pd.DataFrame, config: AuditConfig) -> pd.DataFrame | None:
    rows = []
    for score in SCORES:
        if score not in students or students[score].notna().sum() == 0:
            continue
        tested = students[students[score].notna()]
        for dimension in DIMENSIONS:
            rows += _gaps_for(tested, score, dimension, config)
    if not rows:
        return None
    return _gap_q_values(pd.DataFrame(rows))


def _gap_q_values(rows: pd.DataFrame) -> pd.DataFrame:
    """Benjamini–Hochberg q within each year's achievement family (METHODS §8), from the
    Hedges' g tests, copied to every gap measure of the same group."""
    key = ["school_year", "outcome", "dimension", "group"]
    tests = rows[rows["measure"] == "hedges_g"]
    if tests.empty:  # no group (and its complement) had the two students a gap needs
        return rows
    q = metrics.benjamini_hochberg(tests["p_value"], families=tests["school_year"])
    q = tests[key].assign(q_value=np.asarray(q)).drop_duplicates(key)
    gap = rows["measure"].isin(("hedges_g", "cohens_d"))
    out = rows.merge(q, on=key, how="left")
    out.loc[~gap.to_numpy(), "q_value"] = np.nan
    return out


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
    levels = _level_counts(tested, LEVELS[score], labels)
    if dimension == DIMENSIONS[0]:
        for year, total in year_totals.iterrows():
            rows.append({"school_year": int(year), "section": "achievement", "outcome": score,
                         "dimension": "all", "group": "all", "comparison": "",
                         "measure": "mean", "n": float(total["count"]),
                         "value": total["sum"] / total["count"]})
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
        if levels is not None and (year, group) in levels.index:
            focal = levels.loc[(year, group)].to_numpy()
            reference = levels.loc[year].sum().to_numpy() - focal
            est = metrics.v_statistic(focal, reference)
            rows.append({**base, "measure": "v_statistic", "value": est.value,
                         "ci_low": est.ci_low, "ci_high": est.ci_high, "p_value": est.p_value,
                         "note": est.reason})
    return rows


def _level_counts(tested: pd.DataFrame, level: str, labels: pd.Series) -> pd.DataFrame | None:
    """Students per (year, group) × performance level, lowest level first, for the latest
    year (the report shows V for the audited year; trends use Hedges' g)."""
    if level not in tested or tested[level].notna().sum() == 0:
        return None
    known = tested[level].notna() & (tested["school_year"] == tested["school_year"].max())
    return pd.crosstab(
        [tested.loc[known, "school_year"], labels[known]],
        tested.loc[known, level].astype(int),
    ).sort_index(axis=1)


def _norm_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


def _group_labels(column: pd.Series) -> pd.Series:
    if column.dtype.name == "boolean" or column.dtype == bool:
        return column.map({True: "true", False: "false"}).astype("string")
    return column.astype("string")


# --- where gaps sit -------------------------------------------------------------------------------

def _locus_rows(counts: pd.DataFrame, latest: int) -> pd.DataFrame | None:
    year = counts["school_year"] == latest
    main = counts[year & counts["dimension"].isin(("all", *DIMENSIONS))
                  & (counts["measure"] != ENROLLMENT)]
    schools = main[(main["school_id"] != "") & (main["dimension"] == "all")]
    if schools["school_id"].nunique() < 2:  # needs all-student totals of two schools or more
        return None
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
    if _enrolled_measure(counts) is None:
        return None
    enrolled = counts[
        (counts["measure"] == _enrolled_measure(counts)) & (counts["school_id"] != "")
        & (counts["dimension"].isin(("race_ethnicity", "econ_disadvantaged")))
    ]
    rows = []
    for year, frame in enrolled.groupby("school_year"):
        race = frame[frame["dimension"] == "race_ethnicity"].pivot_table(
            index="school_id", columns="group", values="denominator", aggfunc="sum", fill_value=0
        )
        race = race.loc[:, race.sum() > 0]
        if len(race) < 2 or race.shape[1] < 2:  # segregation needs two schools and two groups
            continue
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

def _enough_of_each(values: pd.Series, kind: str, min_n: int) -> bool:
    """A model of a yes/no outcome that fewer than ``min_n`` students have (or lack) describes
    those few students; like any small cell, it is not published (nor fitted)."""
    if kind == "score":
        return values.notna().sum() >= min_n
    events = int(values.astype(bool).sum())
    return min(events, len(values) - events) >= min_n


def model_outcomes(students: pd.DataFrame) -> list[str]:
    """The outcomes and scores of ``students`` (outcomes derived) that predictiveness models.

    IDEA's single-category identification outcomes are left to the disproportionality rows.
    """
    return [o for o in OUTCOMES if o in students and o not in DIMENSIONS
            and not o.startswith("disability_")] + [s for s in SCORES if s in students]


def _predictiveness_rows(students: pd.DataFrame, latest: int, min_n: int
                         ) -> pd.DataFrame | None:
    """Per outcome: how well demographics alone predict it, and each dimension's share."""
    year = students[students["school_year"] == latest]
    rows = []
    for outcome in model_outcomes(year):
        kind = "score" if outcome in SCORES else "binary"
        population = year[year[outcome].notna()]
        dims = [d for d in DIMENSIONS if population[d].nunique(dropna=True) > 1]
        if not dims or not _enough_of_each(population[outcome], kind, min_n):
            continue
        strata = metrics.strata_table(population, outcome=outcome, dimensions=dims)
        est = metrics.predictiveness(strata, outcome_kind=kind, dimensions=dims,
                                     n_boot=BOOTSTRAP_REPLICATES)
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
    # No value: no school in a quartile (one school, or schools alike), or no other group.
    return pd.concat(rows, ignore_index=True).dropna(subset=["value"])


def _enrolled_measure(counts: pd.DataFrame) -> str | None:
    """A measure whose denominators count every enrolled student (for enrollment counts)."""
    present = set(counts["measure"])
    if ENROLLMENT in present:
        return ENROLLMENT
    for name, outcome in OUTCOMES.items():
        if outcome.population == "enrolled" and name in present:
            return name
    raise ValueError("no outcome with every enrolled student in its denominator")


# --- resources ------------------------------------------------------------------------------------

def _resource_rows(schools: pd.DataFrame, students: pd.DataFrame) -> pd.DataFrame | None:
    spending = metrics.spending_by_poverty(schools, metrics.school_composition(students))
    if spending.empty:
        return None
    base = pd.DataFrame({"school_year": spending["school_year"], "section": "resources",
                         "outcome": "per_pupil_expenditure", "dimension": "school_poverty"})
    return pd.concat([
        base.assign(measure="mean", group="high_quartile", value=spending["spending_high"]),
        base.assign(measure="mean", group="low_quartile", value=spending["spending_low"]),
        base.assign(measure="ratio", group="high_quartile", comparison="low_quartile",
                    value=spending["ratio"]),
        base.assign(measure="progressivity_slope", group="all", value=spending["slope"],
                    n=spending["students"]),
    ], ignore_index=True).dropna(subset=["value"])  # no quartiles: one school, or alike


# --- climate --------------------------------------------------------------------------------------

def _climate_rows(survey: pd.DataFrame) -> pd.DataFrame | None:
    """Favorable-response rates by group and domain, through the same disparity engine.

    A survey has one row per response and usually no student id, so a domain's rate is the
    share of favorable responses and its ``n`` the average number of respondents per item of
    the domain (responses / items), rounded: what suppression and intervals then use.
    """
    if "favorable" not in survey or survey["favorable"].isna().all():
        return None
    answered = survey[survey["favorable"].notna()]
    frames = []
    for dimension in ("all", *[d for d in DIMENSIONS if d in answered]):
        labels = (pd.Series("all", index=answered.index) if dimension == "all"
                  else _group_labels(answered[dimension]))
        keys = [answered["school_year"], answered["domain"].astype(str), labels]
        grouped = answered["favorable"].astype(float).groupby(keys, observed=True)
        items = answered["item"].groupby(keys[:2], observed=True).nunique()
        sums = grouped.agg(["sum", "count"]).reset_index()
        sums.columns = ["school_year", "domain", "group", "favorable", "responses"]
        per_item = sums.join(items.rename("items"), on=["school_year", "domain"])
        frames.append(pd.DataFrame({
            "district_id": str(answered["district_id"].iloc[0]), "school_id": "",
            "school_year": per_item["school_year"].astype(int),
            "measure": "favorable_" + per_item["domain"],
            "dimension": dimension, "group": per_item["group"],
            "numerator": (per_item["favorable"] / per_item["items"]).round(),
            "denominator": (per_item["responses"] / per_item["items"]).round(),
        }))
    counts = pd.concat(frames, ignore_index=True).dropna(subset=["group"])
    table = metrics.disproportionality(counts)
    return table.assign(section="climate")
