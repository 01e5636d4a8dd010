"""Every number of one district's audit, as unsuppressed ``metrics.csv`` rows.

This module only computes; :mod:`._audit` suppresses the rows before anything is shown or
written. The rows stay inside the process that computed them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import metrics
from .._words import INTERSECTIONS, group_codes
from ..config import DETAILED, AuditConfig
from ..errors import DataError
from ..intake import derive_outcomes, incident_outcomes, to_counts
from ..metrics._idea import STUDENTS_WITH_DISABILITIES, SWD_DIMENSION, SWD_SUFFIX
from ..schema import DIMENSIONS, INTERSECTION_SEP, OUTCOMES
from ._climate import climate_counts
from ._lenses import decision_point_rows, focus_rows, retention_rows, turnover_rows

__all__ = [
    "BOOTSTRAP_REPLICATES", "METRIC_COLUMNS", "PERMUTATIONS", "SCORES", "audited_dimensions",
    "compute_metrics", "fold_small_details", "model_outcomes", "school_group_outcomes",
    "shrunk_school_rates", "withhold_orphan_interactions",
]

METRIC_COLUMNS: tuple[str, ...] = (
    "district_id", "school_year", "school_id", "section", "measure", "outcome", "dimension",
    "group", "comparison", "n", "numerator", "value", "ci_low", "ci_high", "p_value", "q_value",
    "suppressed", "flagged", "note",
)
SCORES: tuple[str, ...] = ("math_score", "ela_score")
#: The counts measure of every enrolled student (also the public files' name for it).
ENROLLMENT = "enrollment"
LEVELS: dict[str, str] = {"math_score": "math_level", "ela_score": "ela_level"}
#: Bootstrap replicates and permutations for predictiveness (the explorer uses the same, so a
#: room sees the report's numbers).
BOOTSTRAP_REPLICATES = 100
#: Permutations of the outcome for the predictiveness p-value.
PERMUTATIONS = 199
PREDICTIVENESS_NOTE = {
    "binary": ("5-fold cross-validated AUC, averaged over 4 random splits into folds; "
               "p: permutation test, 199 permutations"),
    "score": "adjusted R²; p: overall F test",
}


def compute_metrics(data, config: AuditConfig, school_year: int | None = None, *,
                    by_school: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All metric rows of one district (every year) and the counts table they came from.

    ``by_school`` adds, for the audited year, every school's rates and comparisons by group
    (school reports, ``--by-school``); they go through the privacy gate with the district rows.

    ``school_year`` is the audited year (default: the latest in the data): the analyses that
    are computed for one year only (per-school rows, where gaps sit, V, predictiveness) use
    it. A year not in the data is a :class:`~equitykit.errors.DataError` naming the years
    available.

    ``data`` is an :class:`equitykit.intake.DistrictData` holding one district, or an
    aggregate-only district (a ``counts`` attribute and no students, from public data):
    then the rate-based analyses, the locus of each gap and segregation run from the counts,
    and the analyses that need student records are left out (their sections say so).
    """
    students = getattr(data, "students", None)
    if students is not None:
        incidents = getattr(data, "incidents", None)
        students = derive_outcomes(incident_outcomes(
            _with_school_dimensions(students, data, config), incidents), config)
        students = fold_small_details(students, config)
        dims = audited_dimensions(students, config)
        # Every student counts in "enrollment", so a district whose outcomes are all unknown,
        # absent or of some students only (scores only) still has every student counted; it
        # feeds composition and segregation, and is never reported as an outcome.
        counts = to_counts(_with_enrollment(students), dimensions=dims, by_school=True,
                           intersections=[i for i in INTERSECTIONS if set(i) <= set(dims)],
                           measures=[ENROLLMENT, *(o for o in OUTCOMES if o in students)])
    else:
        counts = _complete_totals(data.counts)
    latest = audited_year(counts["school_year"], school_year)
    counts, pooled = pool_rare_outcomes(counts, config.pool_years, latest,
                                        rare_below=RARE_FACTOR * config.privacy.min_n)
    staff = getattr(data, "staff", None)
    parts = [
        _enrollment_rows(counts, staff, latest),
        _rate_rows(counts, config, latest, pooled, by_school),
        _interaction_rows(counts),
        _locus_rows(counts, latest, _student_dimensions(config)),
        _segregation_rows(counts),
        _income_segregation_rows(counts),
        _school_poverty_rows(counts, getattr(data, "schools", None), config),
    ]
    if config.focus is not None:
        parts.append(focus_rows(counts, dimension=config.focus.dimension,
                                group=config.focus.group, reference=config.focus.reference))
    if students is not None:
        parts += [_score_rows(students, config, latest),
                  _score_locus_rows(students, latest, config),
                  _attribute_locus_rows(students, counts, latest, config),
                  _predictiveness_rows(students, latest, config),
                  decision_point_rows(students, incidents, counts, dims)]
        if staff is not None and len(staff):
            parts += [_teacher_rows(staff, students, counts, config), retention_rows(staff),
                      turnover_rows(staff)]
        schools = getattr(data, "schools", None)
        if schools is not None and "per_pupil_expenditure" in schools:
            parts.append(_resource_rows(schools, students))
    survey = getattr(data, "survey", None)
    if survey is not None and len(survey):
        parts.append(_climate_rows(survey, config, students, staff))
    parts = [p.dropna(axis=1, how="all") for p in parts if p is not None and len(p)]
    rows = pd.concat(parts, ignore_index=True)
    if pooled:
        label = POOLED_NOTE.format(first=latest - config.pool_years + 1, last=latest)
        mark = rows["outcome"].isin(pooled) & (rows["school_year"] == latest)
        note = rows.get("note", pd.Series("", index=rows.index)).fillna("").astype(str)
        rows["note"] = note.where(~mark, np.where(note == "", label, note + "; " + label))
    return _conform(rows, str(counts["district_id"].iloc[0])), counts


NO_SUCH_YEAR = "school year {year} is not in the data; the years available are {years}"


def audited_year(years: pd.Series, school_year: int | None) -> int:
    """The audited school year: ``school_year`` when the data has it, else the latest."""
    available = sorted(int(y) for y in pd.unique(years.dropna()))
    if school_year is None:
        return available[-1]
    if int(school_year) not in available:
        raise DataError(NO_SUCH_YEAR.format(year=school_year,
                                            years=", ".join(map(str, available))))
    return int(school_year)


#: Pooling (config ``pool_years``): an outcome is rare when fewer than this many times the
#: privacy minimum n of students had it in the district in the audited year.
RARE_FACTOR = 5
POOLED_NOTE = "pooled {first}–{last}"


def pool_rare_outcomes(counts: pd.DataFrame, pool_years: int, year: int, *, rare_below: float
                       ) -> tuple[pd.DataFrame, list[str]]:
    """Counts with each rare outcome's rows of the last ``pool_years`` years (ending with
    ``year``) summed into one row per school × group, labelled ``year``; the yearly rows of
    those years go, so no published number links a pooled cell to a yearly one. Returns the
    counts and the pooled outcomes. Enrollment is never pooled; a sum touching a count
    suppressed at source stays missing."""
    first = year - pool_years + 1
    window = counts["school_year"].between(first, year)
    if pool_years < 2 or counts.loc[window, "school_year"].nunique() < 2:
        return counts, []
    total = counts[(counts["school_year"] == year) & (counts["school_id"] == "")
                   & (counts["dimension"] == "all") & (counts["measure"] != "enrollment")]
    rare = sorted(set(total.loc[total["numerator"].fillna(0) < rare_below, "measure"]))
    chosen = window & counts["measure"].isin(rare)
    if not chosen.any():
        return counts, []
    keys = ["district_id", "school_id", "measure", "dimension", "group"]
    summed = {c: (c, lambda v: v.sum(min_count=len(v))) for c in ("numerator", "denominator")}
    if "source_suppressed" in counts:
        summed["source_suppressed"] = ("source_suppressed", "any")
    pooled = counts[chosen].groupby(keys, as_index=False, dropna=False).agg(**summed)
    pooled["school_year"] = year
    return pd.concat([counts[~chosen], pooled], ignore_index=True), rare


#: Note on rows of public files that report only some groups and no total.
PARTIAL_TOTAL = "total of the groups the file reports"
_PLACE = ["district_id", "school_id", "school_year", "measure"]


def audited_dimensions(students: pd.DataFrame, config: AuditConfig) -> tuple[str, ...]:
    """The dimensions the data has: the standard ones not declared not collected, then the
    config's own (``data.dimensions``)."""
    return tuple(d for d in (*DIMENSIONS, *config.data.dimensions) if d in students)


def _student_dimensions(config: AuditConfig) -> tuple[str, ...]:
    own = [n for n, d in config.data.dimensions.items() if d.level == "student"]
    return (*DIMENSIONS, *own)


def _with_school_dimensions(students: pd.DataFrame, data, config: AuditConfig) -> pd.DataFrame:
    """Each student given the school dimensions (``level: school``) of their school and year;
    a school the schools table does not list leaves them missing."""
    names = [n for n, d in config.data.dimensions.items() if d.level == "school"]
    schools = getattr(data, "schools", None)
    if not names or schools is None:
        return students
    key = ["district_id", "school_id", "school_year"]
    attributes = schools[[*key, *names]].drop_duplicates(key)
    return students.merge(attributes, on=key, how="left", validate="many_to_one")


#: Where a detailed label too small to show is counted (``data.roll_up``).
OTHER_DETAIL = " (other)"


def fold_small_details(students: pd.DataFrame, config: AuditConfig) -> pd.DataFrame:
    """Detailed race/ethnicity labels (``data.roll_up``) kept where a school year has at
    least ``privacy.min_n`` students with them; the others are counted, that year, in
    ``<standard label> (other)`` (e.g. ``Black (other)``). When that remainder would itself be
    smaller than ``privacy.min_n``, the next smallest label of the same standard group joins
    it, so that no detailed group of fewer students is shown beside its standard group."""
    if not config.data.roll_up or DETAILED not in students or "race_ethnicity" not in students:
        return students
    detail = students[DETAILED].astype("string")
    race = students["race_ethnicity"].astype("string")
    folded = detail.copy()
    known = detail.notna() & race.notna()
    for _, rows in detail[known].groupby([students["school_year"][known], race[known]]):
        sizes = rows.value_counts().sort_values(kind="stable")
        small = list(sizes.index[sizes < config.privacy.min_n])
        rest = [label for label in sizes.index if label not in small]
        while small and rest and sizes[small].sum() < config.privacy.min_n:
            small.append(rest.pop(0))
        fold = rows.index[rows.isin(small)]
        folded[fold] = race[fold] + OTHER_DETAIL
    return students.assign(**{DETAILED: folded})


def _with_enrollment(students: pd.DataFrame) -> pd.DataFrame:
    return students.assign(**{ENROLLMENT: pd.array([True] * len(students), dtype="boolean")})


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

def _enrollment_rows(counts: pd.DataFrame, staff: pd.DataFrame | None, latest: int
                     ) -> pd.DataFrame | None:
    """District composition by group, of students and (when given) of teachers."""
    if _enrolled_measure(counts) is None:
        return None
    enrolled = counts[(counts["measure"] == _enrolled_measure(counts))
                      & (counts["school_id"] == "")
                      & ~counts["dimension"].str.contains(INTERSECTION_SEP, regex=False)]
    parts = [_composition(enrolled, "denominator").assign(outcome="enrollment")]
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

def _rate_rows(counts: pd.DataFrame, config: AuditConfig, latest: int,
               pooled: list[str], by_school: bool = False) -> pd.DataFrame | None:
    """District rows for every year; per school, the all-students rates of the audited year.

    By default school × group rates are not published: the locus of each gap (between or
    within schools) is computed from them and reported instead, which keeps small school cells
    private without a cascade of complementary suppression into the district figures. With
    ``by_school`` (school reports) each school's groups of one dimension are added for the
    audited year, compared with the other students of the school; their tests are left out of
    the district's multiple-testing families (no q-value). Rare outcomes stay at all students
    (:func:`school_group_outcomes`).
    """
    school_year = (counts["school_id"] != "") & (counts["school_year"] == latest)
    at_school = counts["dimension"] == "all"
    if by_school:
        common = school_group_outcomes(counts, latest, RARE_FACTOR * config.privacy.min_n)
        at_school |= (~counts["dimension"].str.contains(INTERSECTION_SEP, regex=False)
                      & counts["measure"].isin(common))
    keep = ((counts["school_id"] == "") | (school_year & at_school)) & (
        counts["measure"] != ENROLLMENT)
    if not keep.any():  # enrollment counts only (e.g. a segregation audit from public data)
        return None
    table = metrics.disproportionality(counts[keep])
    # IDEA judges each year on its own (and over consecutive years): pooled outcomes are left
    # out of it.
    idea = metrics.idea_disproportionality(
        counts[(counts["school_id"] == "") & ~counts["measure"].isin(pooled)],
        cell_size=config.idea.cell_size,
        n_size=config.idea.n_size,
        threshold=config.idea.risk_ratio_threshold,
        consecutive_years=config.idea.consecutive_years,
    )
    return _family_q_values(_mark_idea(_drop_tautologies(table), idea))


def school_group_outcomes(counts: pd.DataFrame, year: int, rare_below: float) -> list[str]:
    """The outcomes whose school rates are broken down by group (``by_school``): those that
    at least ``rare_below`` students of the district had, and at least as many did not have,
    in ``year``. A rare outcome's school × group cells would be nearly all withheld, and
    their zeros (a school where nobody had it, a group a school does not have) let a reader
    pin a withheld district count to 0, which the gate can then not widen."""
    total = counts[(counts["school_year"] == year) & (counts["school_id"] == "")
                   & (counts["dimension"] == "all") & (counts["measure"] != ENROLLMENT)]
    x, n = total["numerator"].fillna(0), total["denominator"].fillna(0)
    return sorted(set(total.loc[(x >= rare_below) & (n - x >= rare_below), "measure"]))


def _drop_tautologies(table: pd.DataFrame) -> pd.DataFrame:
    """Rows comparing the groups of the dimension that defines the outcome (identification
    for special education by disability status, …) are not computed results worth a line."""
    pairs = table[["outcome", "dimension"]].drop_duplicates()
    bad = pairs[[metrics.defined_by(o, d) for o, d in zip(pairs["outcome"], pairs["dimension"],
                                                          strict=True)]]
    hit = table.set_index(["outcome", "dimension"]).index.isin(
        bad.set_index(["outcome", "dimension"]).index)
    return table[~hit].reset_index(drop=True)


_TEST_KEY = ["school_id", "school_year", "outcome", "dimension", "group"]


def _family_q_values(table: pd.DataFrame) -> pd.DataFrame:
    """Benjamini–Hochberg q-values over the documented families (``metrics.bh_families``),
    one test per group (its risk ratio's p-value), copied to the group's comparison rows;
    tests left out of every family get no q-value."""
    comparison = table["comparison"] == "all_other"
    tests = table[comparison & (table["measure"] == "risk_ratio")]
    if tests.empty:  # no group compared (e.g. every dimension not collected)
        return table.assign(q_value=np.nan)
    totals = table[(table["measure"] == "rate") & (table["dimension"] == "all")]
    totals = totals.drop_duplicates(["school_id", "school_year", "outcome"]).set_index(
        ["school_id", "school_year", "outcome"])[["n", "numerator"]]
    totals.columns = ["total_n", "total_numerator"]
    tests = tests.join(totals, on=["school_id", "school_year", "outcome"])
    families = metrics.bh_families(tests.assign(district_id=table.get("district_id", "")))
    q = metrics.benjamini_hochberg(tests["p_value"].where(families.notna()),
                                   families=families.fillna(""))
    q = tests[_TEST_KEY].assign(_q=np.asarray(q)).drop_duplicates(_TEST_KEY)
    out = table.merge(q, on=_TEST_KEY, how="left")
    out["q_value"] = out["_q"].where(comparison.to_numpy())
    return out.drop(columns="_q")


def _interaction_rows(counts: pd.DataFrame) -> pd.DataFrame | None:
    """Per district intersection cell (e.g. Black boys): the interaction ratio, its rate over
    the rate its two groups predict without interaction (``metrics.interaction_ratio``), from
    the cell, its two parent groups and the total. Same ``n`` and ``numerator`` as the cell,
    so privacy treats it alike."""
    district = counts[(counts["school_id"] == "") & (counts["measure"] != "enrollment")]
    place = ["school_year", "measure"]
    cells = district[district["dimension"].str.contains(INTERSECTION_SEP, regex=False)]
    cells = cells[[not metrics.defined_by(o, d) for o, d in
                   zip(cells["measure"], cells["dimension"], strict=True)]]
    if cells.empty:
        return None
    dims, groups = (cells[c].str.split(INTERSECTION_SEP) for c in ("dimension", "group"))
    cells = cells.assign(dim_a=dims.str[0], dim_b=dims.str[1], group_a=groups.str[0],
                         group_b=groups.str[1])
    single = district[["school_year", "measure", "dimension", "group", "numerator",
                       "denominator"]]
    for side in ("a", "b"):
        cells = cells.merge(single.rename(columns={
            "dimension": f"dim_{side}", "group": f"group_{side}", "numerator": f"x_{side}",
            "denominator": f"n_{side}"}), on=[*place, f"dim_{side}", f"group_{side}"],
            how="inner")
    total = single[single["dimension"] == "all"].drop(columns=["dimension", "group"])
    cells = cells.merge(total.rename(columns={"numerator": "x_t", "denominator": "n_t"}),
                        on=place, how="inner")
    x, n = cells["numerator"].to_numpy(float), cells["denominator"].to_numpy(float)
    x_a, n_a, x_b, n_b, x_t, n_t = (cells[c].to_numpy(float) for c in
                                    ("x_a", "n_a", "x_b", "n_b", "x_t", "n_t"))
    value, low, high, _, p, _, _ = metrics.interaction_ratios(
        x, n, x_a - x, n_a - n, x_b - x, n_b - n, x_t - x_a - x_b + x, n_t - n_a - n_b + n)
    out = pd.DataFrame({
        "school_year": cells["school_year"].astype(int), "school_id": "",
        "section": cells["measure"].map(_section), "outcome": cells["measure"],
        "dimension": cells["dimension"], "group": cells["group"],
        "measure": "interaction_ratio", "comparison": "no_interaction", "n": n,
        "numerator": x, "value": value, "ci_low": low, "ci_high": high, "p_value": p,
    })
    # Benjamini–Hochberg over the focal intersections of each year × domain (the family of
    # their risk ratios, degenerate tables left out): "adds to its groups" is a test too.
    tested = ~out["group"].str.split(INTERSECTION_SEP).map(lambda parts: "false" in parts) & (
        (x_t > 0) & (x_t < n_t))
    families = out["school_year"].astype(str) + "|" + out["outcome"].map(metrics.outcome_domain)
    out["q_value"] = metrics.benjamini_hochberg(out["p_value"].where(tested),
                                                families=families)
    return out


def withhold_orphan_interactions(published: pd.DataFrame) -> pd.DataFrame:
    """Withhold an ``interaction_ratio`` row when one of the cells it is computed from (its two
    parent groups or the all-students total) is withheld: the ratio would let a reader work
    out the hidden counts. Its own cell is handled by the suppression itself."""
    rows = published["measure"] == "interaction_ratio"
    if not rows.any():
        return published
    place = ["school_year", "school_id", "outcome", "dimension", "group"]
    hidden = published[published["suppressed"] & (published["measure"] == "rate")]
    hidden = set(map(tuple, hidden[place].astype(str).to_numpy()))
    inter = published.loc[rows, place].astype(str)
    dims, groups = (inter[c].str.split(INTERSECTION_SEP) for c in ("dimension", "group"))
    orphan = np.array([
        any((y, s, o, d, g) in hidden for d, g in ((a, b), (c, e), ("all", "all")))
        for y, s, o, a, b, c, e in zip(inter["school_year"], inter["school_id"],
                                       inter["outcome"], dims.str[0], groups.str[0],
                                       dims.str[1], groups.str[1], strict=True)])
    index = inter.index[orphan]
    out = published.copy()
    numbers = [c for c in ("value", "n", "numerator", "ci_low", "ci_high", "p_value", "q_value")
               if c in out]
    out.loc[index, numbers] = np.nan
    out.loc[index, "suppressed"] = True
    if "display" in out:
        out.loc[index, "display"] = metrics.SUPPRESSED_DISPLAY
    if "note" in out:
        out.loc[index, "note"] = ""
    return out


def _section(outcome: str) -> str:
    return OUTCOMES[outcome].section if outcome in OUTCOMES else metrics.outcome_section(outcome)


def _mark_idea(table: pd.DataFrame, idea: pd.DataFrame) -> pd.DataFrame:
    """Add the IDEA significant-disproportionality verdicts (docs/methods.md) to the rate rows.

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

def _score_rows(students: pd.DataFrame, config: AuditConfig, audited: int
                ) -> pd.DataFrame | None:
    rows = []
    for score in SCORES:
        if score not in students or students[score].notna().sum() == 0:
            continue
        tested = students[students[score].notna()]
        dims = audited_dimensions(students, config)
        for dimension in dims:
            rows += _gaps_for(tested, score, dimension, config, audited,
                              first=dimension == dims[0])
    if not rows:
        return None
    return _gap_q_values(pd.DataFrame(rows))


def _gap_q_values(rows: pd.DataFrame) -> pd.DataFrame:
    """Benjamini–Hochberg q within each year's family of score-gap tests (docs/methods.md): one
    family per school year holding the Hedges' g test of every focal group (the "true" group
    of yes/no dimensions) with a gap estimated (at least ``gaps.min_n`` students on each
    side), copied to the group's Cohen's d."""
    key = ["school_year", "outcome", "dimension", "group"]
    if "p_value" not in rows:  # no gap was estimated (too few students in every group)
        return rows
    tests = rows[(rows["measure"] == "hedges_g") & (rows["group"] != "false")
                 & rows["p_value"].notna()]
    q = metrics.benjamini_hochberg(tests["p_value"], families=tests["school_year"])
    q = tests[key].assign(q_value=np.asarray(q)).drop_duplicates(key)
    gap = rows["measure"].isin(("hedges_g", "cohens_d"))
    out = rows.merge(q, on=key, how="left")
    out.loc[~gap.to_numpy(), "q_value"] = np.nan
    return out


#: Note on gap rows of groups below ``gaps.min_n``.
TOO_FEW_FOR_GAP = "not estimated: fewer than {min_n} students in the group or the comparison"


def _gaps_for(tested: pd.DataFrame, score: str, dimension: str, config: AuditConfig,
              audited: int, first: bool) -> list:
    rows = []
    values = tested[score].astype(float)
    labels = group_codes(tested[dimension]).astype("string")
    stats = values.groupby([tested["school_year"], labels], observed=True).agg(
        ["count", "mean", "std", "sum"]
    )
    squares = (values**2).groupby([tested["school_year"], labels], observed=True).sum()
    year_totals = values.groupby(tested["school_year"]).agg(["count", "sum"])
    year_sq = (values**2).groupby(tested["school_year"]).sum()
    levels = _level_counts(tested, LEVELS[score], labels, audited)
    if first:  # the all-students means, once
        for year, total in year_totals.iterrows():
            rows.append({"school_year": int(year), "section": "achievement", "outcome": score,
                         "dimension": "all", "group": "all", "comparison": "",
                         "measure": "mean", "n": float(total["count"]),
                         "value": total["sum"] / total["count"]})
    for (year, group), s in stats.iterrows():
        base = {
            "school_year": int(year), "section": "achievement", "outcome": score,
            "dimension": dimension, "group": group, "comparison": "all_other",
            "n": float(s["count"]),
        }
        # Every group's mean is a row, even of one student: the gate withholds it, and a
        # group left out would be worked out from the total and the others.
        rows.append({**base, "measure": "mean", "comparison": "", "value": s["mean"]})
        n_o = year_totals.loc[year, "count"] - s["count"]
        if s["count"] < 2 or n_o < 2:
            continue
        sum_o = year_totals.loc[year, "sum"] - s["sum"]
        mean_o = sum_o / n_o
        var_o = (year_sq.loc[year] - squares.loc[(year, group)] - n_o * mean_o**2) / (n_o - 1)
        args = (s["mean"], s["std"], s["count"], mean_o, math.sqrt(max(var_o, 0.0)), n_o)
        if min(s["count"], n_o) < config.gaps.min_n:  # gaps.min_n: not estimated, say why
            rows += [{**base, "measure": name, "note": TOO_FEW_FOR_GAP.format(
                min_n=config.gaps.min_n)} for name in ("cohens_d", "hedges_g", "v_statistic")]
            continue
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


def _level_counts(tested: pd.DataFrame, level: str, labels: pd.Series, audited: int
                  ) -> pd.DataFrame | None:
    """Students per (year, group) × performance level, lowest level first, for the audited
    year (the report shows V for the audited year; trends use Hedges' g)."""
    if level not in tested or tested[level].notna().sum() == 0:
        return None
    known = tested[level].notna() & (tested["school_year"] == audited)
    return pd.crosstab(
        [tested.loc[known, "school_year"], labels[known]],
        tested.loc[known, level].astype(int),
    ).sort_index(axis=1)


def _norm_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


# --- where gaps sit -------------------------------------------------------------------------------

def _locus_rows(counts: pd.DataFrame, latest: int, dimensions: tuple[str, ...],
                unit: str = "school") -> pd.DataFrame | None:
    """Between- or within-school share of each gap by a student dimension (a school
    dimension such as sector lies between schools by definition, so it has none).

    ``unit`` names what ``school_id`` holds: ``school``, or a school dimension whose groups
    of schools stand in for the schools (:func:`_attribute_locus_rows`)."""
    year = (counts["school_year"] == latest) & (counts["measure"] != ENROLLMENT)
    main = counts[year & counts["dimension"].isin(("all", *dimensions))]
    schools = main[(main["school_id"] != "") & (main["dimension"] == "all")]
    if schools["school_id"].nunique() < 2:  # needs all-student totals of two schools or more
        return None
    located = metrics.locate_gaps(main)
    if located is None or located.empty:
        return None
    located = _drop_tautologies(located)
    return located.assign(
        section=located["outcome"].map(lambda o: OUTCOMES[o].section if o in OUTCOMES else ""),
        measure=f"between_{unit}_share", comparison="all_other", school_id="",
        value=located["between_share"], note=_unit_locus(located["locus"], unit),
    )


def _unit_locus(locus: pd.Series, unit: str) -> pd.Series:
    """The locus labels of a split by ``unit`` (``between_sector`` …; schools unchanged)."""
    return locus if unit == "school" else locus.str.replace("schools", unit, regex=False)


def _attribute_locus_rows(students: pd.DataFrame, counts: pd.DataFrame, latest: int,
                          config: AuditConfig) -> pd.DataFrame | None:
    """Where each gap sits with the schools grouped by a school dimension (e.g. sector), in
    the audited year: ``between_<name>_share`` is the share of the gap between the groups of
    schools (charter vs public), the rest lies within them (between their schools, or
    within schools). Same split as between schools, with each group of schools as one unit."""
    names = [n for n, d in config.data.dimensions.items() if d.level == "school" and n in students]
    keys = ["district_id", "school_year", "measure", "dimension", "group", "school_id"]
    parts = []
    for name in names:
        year = students[students["school_year"] == latest].dropna(subset=[name])
        unit_of = dict(zip(year["school_id"].astype(str), year[name].astype(str), strict=True))
        schools = counts[(counts["school_id"] != "") & (counts["school_year"] == latest)]
        grouped = (schools.assign(school_id=schools["school_id"].map(unit_of))
                   .dropna(subset=["school_id"])
                   .groupby(keys, as_index=False)[["numerator", "denominator"]]
                   .sum(min_count=1))
        parts += [_locus_rows(grouped, latest, _student_dimensions(config), unit=name),
                  _score_locus_rows(students.assign(school_id=students[name]), latest, config,
                                    unit=name)]
    parts = [p for p in parts if p is not None and len(p)]
    return pd.concat(parts, ignore_index=True) if parts else None


def _score_locus_rows(students: pd.DataFrame, year: int, config: AuditConfig,
                      unit: str = "school") -> pd.DataFrame | None:
    """Where each group's score gap sits in the audited year (between or within schools;
    ``unit`` as for :func:`_locus_rows`)."""
    if "school_id" not in students or students.loc[
            students["school_year"] == year, "school_id"].nunique() < 2:
        return None
    dims = [d for d in _student_dimensions(config) if d in students]
    parts = [metrics.locate_score_gaps(students, score=score, dimensions=dims,
                                       school_year=year)
             for score in SCORES if score in students and students[score].notna().any()]
    located = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else None
    if located is None:
        return None
    return located.assign(section="achievement", measure=f"between_{unit}_share",
                          comparison="all_other", school_id="",
                          value=located["between_share"],
                          note=_unit_locus(located["locus"], unit))[
        ["school_year", "section", "outcome", "dimension", "group", "measure", "comparison",
         "school_id", "n", "value", "note"]]


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


def _income_segregation_rows(counts: pd.DataFrame) -> pd.DataFrame | None:
    """Segregation of economically disadvantaged students between schools: D (with the
    other students), their isolation, and the other students' exposure to them."""
    if _enrolled_measure(counts) is None:
        return None
    enrolled = counts[(counts["measure"] == _enrolled_measure(counts))
                      & (counts["school_id"] != "")
                      & (counts["dimension"] == "econ_disadvantaged")]
    rows = []
    for year, frame in enrolled.groupby("school_year"):
        table = frame.pivot_table(index="school_id", columns="group", values="denominator",
                                  aggfunc="sum", fill_value=0).reindex(
            columns=["true", "false"], fill_value=0)
        poor, other = table["true"], table["false"]
        if len(table) < 2 or not poor.sum() or not other.sum():
            continue
        base = {"school_year": int(year), "section": "segregation", "outcome": "enrollment",
                "dimension": "econ_disadvantaged"}
        totals = table.sum(axis=1)
        rows += [
            {**base, "measure": "dissimilarity", "group": "true", "comparison": "false",
             "value": metrics.dissimilarity(poor, other).value, "n": poor.sum()},
            {**base, "measure": "isolation", "group": "true",
             "value": metrics.isolation(poor, totals).value, "n": poor.sum()},
            {**base, "measure": "exposure", "group": "false", "comparison": "true",
             "value": metrics.exposure(other, poor, totals).value, "n": other.sum()},
        ]
    return pd.DataFrame(rows) if rows else None


#: Outcome label of the rows on exposure to school poverty (their own cells for privacy).
SCHOOL_POVERTY = "school_poverty"
POVERTY_SOURCE = {None: "school poverty: share of economically disadvantaged students",
                  "higher": "school poverty: {column} (higher is poorer)",
                  "lower": "school poverty: {column} (lower is poorer)"}


def _school_poverty(counts: pd.DataFrame, schools: pd.DataFrame | None, config: AuditConfig
                    ) -> tuple[pd.Series, str] | None:
    """Each school's poverty measure per year (index school_year, school_id) and its note:
    the config's schools column, else the school's share of economically disadvantaged
    students. None when there is neither."""
    measure = config.data.school_poverty
    if measure is not None:
        if schools is None or measure.column not in schools:
            return None
        values = schools.assign(school_id=schools["school_id"].astype(str)).drop_duplicates(
            ["school_year", "school_id"]).set_index(["school_year", "school_id"])[measure.column]
        note = POVERTY_SOURCE[measure.poorer].format(column=measure.column)
        return pd.to_numeric(values, errors="coerce").astype(float), note
    econ = counts[(counts["measure"] == _enrolled_measure(counts)) & (counts["school_id"] != "")
                  & (counts["dimension"] == "econ_disadvantaged")]
    if econ.empty:
        return None
    table = econ.pivot_table(index=["school_year", "school_id"], columns="group",
                             values="denominator", aggfunc="sum", fill_value=0).reindex(
        columns=["true", "false"], fill_value=0)
    known = table.sum(axis=1)
    return (table["true"] / known).where(known > 0).astype(float), POVERTY_SOURCE[None]


def _school_poverty_rows(counts: pd.DataFrame, schools: pd.DataFrame | None,
                         config: AuditConfig) -> pd.DataFrame | None:
    """Every group's exposure to school poverty (all students, and each group of a student
    dimension): the poverty of the average member's school and the share of the group in the
    poorest quartile of schools."""
    poverty = _school_poverty(counts, schools, config) if _enrolled_measure(counts) else None
    if poverty is None:
        return None
    values, note = poverty
    dims = ("all", *_student_dimensions(config))
    enrolled = counts[(counts["measure"] == _enrolled_measure(counts))
                      & (counts["school_id"] != "") & counts["dimension"].isin(dims)]
    frames = []
    for (year, dimension), frame in enrolled.groupby(["school_year", "dimension"]):
        table = frame.pivot_table(index="school_id", columns="group", values="denominator",
                                  aggfunc="sum", fill_value=0)
        p = values.reindex(pd.MultiIndex.from_product([[year], table.index.astype(str)]))
        if len(table) < 2 or p.notna().sum() < 2:
            continue
        out = metrics.school_poverty_exposure(table, p.set_axis(table.index), poorer=(
            config.data.school_poverty.poorer if config.data.school_poverty else "higher"))
        out = out[out["students"] > 0].reset_index()
        base = pd.DataFrame({"school_year": int(year), "dimension": dimension,
                             "group": out["group"].astype(str), "n": out["students"]})
        frames += [base.assign(measure="school_poverty_exposure",
                               value=out["mean_school_poverty"]),
                   base.assign(measure="high_poverty_school_share",
                               numerator=out["high_poverty_students"],
                               value=out["high_poverty_share"])]
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True).assign(
        section="segregation", outcome=SCHOOL_POVERTY, comparison="", note=note)


# --- predictiveness -------------------------------------------------------------------------------

def _enough_of_each(values: pd.Series, kind: str, min_n: int) -> bool:
    """A model of a yes/no outcome that fewer than ``min_n`` students have (or lack) describes
    those few students; like any small cell, it is not published (nor fitted)."""
    if kind == "score":
        return values.notna().sum() >= min_n
    events = int(values.astype(bool).sum())
    return min(events, len(values) - events) >= min_n


#: Discipline outcomes of referred students, and repeat suspension: left to their rates and
#: ratios (a model of them would describe the few students referred).
_REFERRED_ONLY = ("subjective_referral", "exclusionary_given_referral",
                  "restorative_given_referral", "suspended_2plus")


def model_outcomes(students: pd.DataFrame) -> list[str]:
    """The outcomes and scores of ``students`` (outcomes derived) that predictiveness models.

    IDEA's single-category identification outcomes are left to the disproportionality rows,
    and the discipline outcomes of referred students to theirs.
    """
    return [o for o in OUTCOMES if o in students and o not in DIMENSIONS
            and not o.startswith("disability_") and o not in _REFERRED_ONLY
            ] + [s for s in SCORES if s in students]


def _predictiveness_rows(students: pd.DataFrame, year_audited: int, config: AuditConfig
                         ) -> pd.DataFrame | None:
    """Per outcome: how well demographics alone predict it out of sample (cross-validated
    AUC, or adjusted R² for scores), the permutation (or F) test that they predict nothing,
    and each dimension's share of the in-sample fit."""
    year = students[students["school_year"] == year_audited]
    rows = []
    for outcome in model_outcomes(year):
        kind = "score" if outcome in SCORES else "binary"
        population = year[year[outcome].notna()]
        dims = [d for d in audited_dimensions(population, config)
                if population[d].nunique(dropna=True) > 1]
        if not dims or not _enough_of_each(population[outcome], kind, config.privacy.min_n):
            continue
        strata = metrics.strata_table(population, outcome=outcome, dimensions=dims)
        est = metrics.predictive_accuracy(strata, outcome_kind=kind, dimensions=dims,
                                          n_permutations=PERMUTATIONS,
                                          n_boot=BOOTSTRAP_REPLICATES)
        if not est.defined:
            continue
        fit = metrics.predictiveness(strata, outcome_kind=kind, dimensions=dims, n_boot=0)
        base = {"school_year": year_audited, "section": "predictiveness", "outcome": outcome,
                "dimension": "demographics", "n": est.n}
        measure = "predictiveness_auc" if kind == "binary" else "predictiveness_r2"
        rows.append({**base, "measure": measure, "group": "all", "value": est.value,
                     "ci_low": est.ci_low, "ci_high": est.ci_high, "p_value": est.p_value,
                     "note": PREDICTIVENESS_NOTE[kind]})
        for dim, weight in fit.extra.get("dominance", {}).items():
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
    return None  # published counts with no enrolment count: no composition or segregation


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

def _climate_rows(survey: pd.DataFrame, config: AuditConfig, students: pd.DataFrame | None,
                  staff: pd.DataFrame | None) -> pd.DataFrame | None:
    """Favorable respondents per construct, role, school and group, and response rates
    (:func:`._climate.climate_counts`), through the same disparity engine."""
    counts = climate_counts(survey, constructs=config.survey.constructs, students=students,
                            staff=staff)
    if counts is None or counts.empty:
        return None
    return _family_q_values(metrics.disproportionality(counts)).assign(section="climate")


# --- school reports: shrunken school rates --------------------------------------------------------

#: The measure of a school's empirical-Bayes rate (school reports, ``--by-school``).
SHRUNK_RATE = "shrunk_rate"
SHRUNK_NOTE = ("empirical Bayes: shrunk toward the schools' average by a beta-binomial prior "
               "fitted to the schools whose rates are published")


def shrunk_school_rates(published: pd.DataFrame, school_year: int) -> pd.DataFrame:
    """Each school's all-students rate of each outcome in ``school_year``, shrunk toward the
    schools' average (:func:`equitykit.metrics.shrink_rates`), as ``shrunk_rate`` rows to add
    to the published table.

    Computed from published numbers only: the prior is fitted to the schools whose rate,
    students and count with the outcome are all published (not withheld, not coded), and only
    those schools get a value. A school whose rate is withheld or coded gets a withheld
    ``shrunk_rate`` row (labels only): its shrunken rate and the prior would give back the
    hidden rate. So the rows reveal nothing that ``metrics.csv`` does not already show, and
    anyone can recompute the prior from it. An outcome with fewer than two such schools has
    no shrunken rates.
    """
    p = published
    rates = p[(p["school_id"] != "") & (p["school_year"] == school_year)
              & (p["dimension"] == "all") & (p["measure"] == "rate")]
    parts = []
    for _, rows in rates.groupby("outcome", sort=True):
        usable = ~rows["suppressed"] & rows["numerator"].notna() & (rows["n"] > 0)
        if usable.sum() < 2:
            continue
        shrunk = metrics.shrink_rates(rows.loc[usable, "numerator"], rows.loc[usable, "n"])
        out = rows.assign(measure=SHRUNK_RATE, comparison="", note="", flagged=False,
                          p_value=np.nan, q_value=np.nan, numerator=np.nan)
        out["suppressed"] = ~usable
        for col in ("value", "n", "ci_low", "ci_high"):
            out[col] = np.nan
        out.loc[usable, "value"] = shrunk["shrunken_rate"]
        out.loc[usable, ["ci_low", "ci_high"]] = shrunk[["ci_low", "ci_high"]]
        out.loc[usable, "n"] = rows.loc[usable, "n"]
        out.loc[usable, "note"] = SHRUNK_NOTE
        if "display" in out:
            out["display"] = np.where(usable, "", metrics.SUPPRESSED_DISPLAY)
        parts.append(out)
    if not parts:
        return p.iloc[0:0]
    return pd.concat(parts, ignore_index=True)
