"""Students, one row per student per school year, with the planted disparities.

Students are created once (race/ethnicity, sex, zone, poverty, disability, ability, ...) and
followed across years: each year most move up a grade in the school that serves their zone,
retained students repeat it, seniors and movers leave, and new students arrive to keep every
grade at its size. Every yearly draw is vectorised over all students at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import DISABILITY_CATEGORIES, GRADES, PLACEMENTS, RACE_ETHNICITY, SEXES, TABLES
from . import _model as m
from ._layout import Layout, school_ids
from ._text import labelled, pseudonymous_ids

__all__: list[str] = []

_BLACK = RACE_ETHNICITY.index("Black")
_LEVEL = np.array(m.LEVEL_OF_GRADE)
_HIGH_SCHOOL = 2
_GRADE_8, _GRADE_12 = GRADES.index("8"), GRADES.index("12")
_FIRST_ADVANCED = GRADES.index("9")
_FIRST_GIFTED = GRADES.index(m.GIFTED_FIRST_GRADE)
_TESTED = [GRADES.index(g) for g in m.TESTED_GRADES]

UNKNOWN_CATEGORIES = "category_risk_ratios: unknown IDEA categories {categories}"


@dataclass(frozen=True)
class DistrictModel:
    """The per-district parameters, as arrays indexed by race/ethnicity code."""

    race_p: np.ndarray
    zone_cdf: np.ndarray  # (race, zone) cumulative probability of living in each zone
    poverty_intercept: float
    category_cdf: np.ndarray  # (race, category) cumulative identification probability


@dataclass(frozen=True)
class StudentYears:
    """The generated student table plus the school-year summaries staff and surveys need."""

    table: pd.DataFrame
    school_index: np.ndarray  # per row, the school's index in the layout
    enrollment: np.ndarray  # (year, school)
    poverty: np.ndarray  # (year, school) share economically disadvantaged
    race_counts: np.ndarray  # (year, school, race)


def district_model(
    layout: Layout,
    race_mix: dict[str, float],
    poverty_rate: float,
    disability_risk_ratios: dict[str, float],
    category_risk_ratios: dict[tuple[str, str], float],
) -> DistrictModel:
    """Turn a district's description into sampling tables."""
    m.check_groups("race_mix", race_mix)
    m.check_groups("disability_risk_ratios", disability_risk_ratios)
    m.check_groups("category_risk_ratios", (race for race, _ in category_risk_ratios))
    unknown = sorted({c for _, c in category_risk_ratios} - set(DISABILITY_CATEGORIES))
    if unknown:
        raise ValueError(UNKNOWN_CATEGORIES.format(categories=unknown))
    race_p = np.array([race_mix.get(r, 0.0) for r in RACE_ETHNICITY])
    race_p = race_p / race_p.sum()
    slope = np.array([m.SEGREGATION_SLOPE[r] for r in RACE_ETHNICITY])
    zone_w = layout.zone_share * np.exp(slope[:, None] * layout.zone_z[None, :])
    zone_p = zone_w / zone_w.sum(axis=1, keepdims=True)
    shift = np.array([m.POVERTY_RACE_SHIFT[r] for r in RACE_ETHNICITY])
    logit_rest = shift[:, None] + m.POVERTY_ZONE_SLOPE * layout.zone_z[None, :]
    weight = race_p[:, None] * zone_p
    lo, hi = -10.0, 10.0
    for _ in range(60):  # bisection: the intercept giving the district's poverty rate
        mid = (lo + hi) / 2
        rate = float((weight / (1 + np.exp(-(mid + logit_rest)))).sum())
        lo, hi = (mid, hi) if rate < poverty_rate else (lo, mid)
    shares = np.array([m.CATEGORY_SHARES[c] for c in DISABILITY_CATEGORIES])
    risk = np.tile(m.DISABILITY_RATE * shares, (len(RACE_ETHNICITY), 1))
    for race, rr in disability_risk_ratios.items():
        risk[RACE_ETHNICITY.index(race)] *= rr
    for (race, category), rr in category_risk_ratios.items():
        risk[RACE_ETHNICITY.index(race), DISABILITY_CATEGORIES.index(category)] *= rr
    return DistrictModel(
        race_p, np.cumsum(zone_p, axis=1), (lo + hi) / 2, np.cumsum(risk, axis=1)
    )


def draw_by_row(rng: np.random.Generator, cdf: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each element, an index drawn from the cumulative distribution ``cdf[rows[i]]``.

    Values past the last cumulative probability give ``cdf.shape[1]`` ("none of these").
    """
    u = rng.random(len(rows))
    out = np.empty(len(rows), dtype=np.int64)
    for row in np.unique(rows):
        sel = rows == row
        out[sel] = np.searchsorted(cdf[row], u[sel], side="right")
    return out


def _new_students(rng: np.random.Generator, n: int, model: DistrictModel,
                  layout: Layout) -> dict[str, np.ndarray]:
    """Attributes fixed for a student's whole stay in the district."""
    race = rng.choice(len(RACE_ETHNICITY), size=n, p=model.race_p)
    zone = draw_by_row(rng, model.zone_cdf, race)
    zone = np.minimum(zone, len(layout.zone_z) - 1)  # guards u == 1.0 rounding
    shift = np.array([m.POVERTY_RACE_SHIFT[r] for r in RACE_ETHNICITY])
    logit = model.poverty_intercept + shift[race] + m.POVERTY_ZONE_SLOPE * layout.zone_z[zone]
    econ = rng.random(n) < 1 / (1 + np.exp(-logit))
    el_rate = np.array([m.EL_EVER_RATE[r] for r in RACE_ETHNICITY])
    category = draw_by_row(rng, model.category_cdf, race)  # past the last: no IEP
    disabled = category < len(DISABILITY_CATEGORIES)
    placement_cdf = np.cumsum(
        [m.PLACEMENT_BY_CATEGORY.get(c, m.PLACEMENT_DEFAULT) for c in DISABILITY_CATEGORIES],
        axis=1,
    )
    placement = np.full(n, -1)
    placement[disabled] = np.minimum(
        draw_by_row(rng, placement_cdf, category[disabled]), len(PLACEMENTS) - 1
    )
    ability = rng.standard_normal((2, n))
    rho = m.MATH_ELA_CORRELATION
    return {
        "race": race,
        "sex": rng.choice(len(SEXES), size=n, p=list(m.SEX_SHARES.values())),
        "zone": zone,
        "econ": econ,
        # an English learner until reclassified at grade code el_exit
        "el_exit": np.where(rng.random(n) < el_rate[race],
                            1 + rng.geometric(m.EL_EXIT_PER_YEAR, size=n), 0),
        "category": np.where(disabled, category, -1),
        "placement": placement,
        "section_504": ~disabled & (rng.random(n) < np.array(m.SECTION_504_RATE)[econ.astype(int)]),
        "math_ability": m.ABILITY_SD * ability[0],
        "ela_ability": m.ABILITY_SD * (rho * ability[0] + np.sqrt(1 - rho**2) * ability[1]),
        "gifted_rank": rng.random(n),  # fixed: identification stays with the student
        "absence_frailty": rng.gamma(m.ABSENCE_HETEROGENEITY, 1 / m.ABSENCE_HETEROGENEITY, n),
    }


def _grade_targets(n_students: int) -> np.ndarray:
    weights = np.array(m.GRADE_WEIGHTS)
    exact = n_students * weights / weights.sum()
    targets = np.floor(exact).astype(np.int64)
    targets[np.argsort(targets - exact)[: n_students - targets.sum()]] += 1
    return targets


def _seats(bounds: tuple[float, float], poverty: np.ndarray) -> np.ndarray:
    """Share of students a school places in a programme: falls with school poverty only."""
    low, extra = bounds
    return low + extra * (1 - poverty) ** 2


def _nullable_bool(values: np.ndarray, defined: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(values & defined, ~defined)


def _year_columns(
    rng: np.random.Generator, s: dict[str, np.ndarray], grade: np.ndarray, school: np.ndarray,
    poverty: np.ndarray,
) -> pd.DataFrame:
    """The outcomes of one school year; ``s`` holds each row's student attributes."""
    n = len(grade)
    level = _LEVEL[grade]
    black = s["race"] == _BLACK
    sex_factor = np.array(list(m.DISCIPLINE_SEX_FACTOR.values()))[s["sex"]]
    oss_p = np.array(m.OSS_BASE_RATE)[level] * sex_factor * np.where(
        black, m.OSS_RISK_RATIO_BLACK, 1.0)
    oss = rng.random(n) < oss_p
    oss_count = np.where(oss, 1 + rng.poisson(m.INCIDENTS_EXTRA_MEAN, n), 0)
    iss = rng.random(n) < np.array(m.ISS_BASE_RATE)[level] * sex_factor
    iss_count = np.where(iss, 1 + rng.poisson(m.INCIDENTS_EXTRA_MEAN, n), 0)
    low, high = m.SUSPENSION_DAYS
    referred = rng.random(n) < m.REFERRED_BASE + m.REFERRED_GIVEN_OSS * oss

    part_year = rng.random(n) < m.PART_YEAR_RATE
    days = np.where(part_year, rng.integers(5, m.FULL_YEAR_DAYS[0], n),
                    rng.integers(m.FULL_YEAR_DAYS[0], m.FULL_YEAR_DAYS[1] + 1, n))
    absence_rate = m.ABSENCE_RATE * s["absence_frailty"] * np.exp(
        m.ABSENCE_ECON_LOG * s["econ"] + m.ABSENCE_POVERTY_LOG * (poverty - 0.5)
        + m.ABSENCE_HIGH_LOG * (level == _HIGH_SCHOOL))
    absent = np.minimum(rng.poisson(absence_rate * days), days)

    disabled = s["category"] >= 0
    english_learner = grade < s["el_exit"]
    tested = np.isin(grade, _TESTED) & (rng.random(n) >= m.SCORE_MISSING_RATE)
    grade_mean = m.SCORE_MEAN_GRADE3 + m.SCORE_GROWTH * (grade - GRADES.index("3"))
    common = (m.ECON_SCORE_EFFECT * s["econ"] + m.SCHOOL_POVERTY_SCORE_SLOPE * (poverty - 0.5)
              + m.EL_SCORE_EFFECT * english_learner + m.DISABILITY_SCORE_EFFECT * disabled)
    scores = {}
    for subject in ("math", "ela"):
        z = s[f"{subject}_ability"] + common + m.YEAR_NOISE_SD * rng.standard_normal(n)
        score = np.clip(np.round(grade_mean + m.SCORE_SD * z), 200, 800)
        level_no = 1 + ((score[:, None] - grade_mean[:, None]) / m.SCORE_SD
                        >= np.array(m.LEVEL_CUTS_Z)).sum(axis=1)
        scores[f"{subject}_score"] = np.where(tested, score, np.nan)
        scores[f"{subject}_level"] = pd.arrays.IntegerArray(level_no, ~tested)

    senior = grade == _GRADE_12
    graduated = rng.random(n) < (m.GRADUATION_RATE + m.GRADUATION_ECON * s["econ"]
                                 + m.GRADUATION_DISABILITY * disabled)
    dropped = ~graduated & (rng.random(n) < m.DROPOUT_GIVEN_NO_DIPLOMA)
    can_repeat = (grade >= GRADES.index("K")) & ~senior
    always = np.ones(n, dtype=bool)
    return pd.DataFrame({
        "english_learner": _nullable_bool(english_learner, always),
        "days_enrolled": pd.arrays.IntegerArray(days, ~always),
        "days_absent": pd.arrays.IntegerArray(absent, ~always),
        "iss_days": (iss_count * rng.integers(low, high + 1, n)).astype(float),
        "oss_days": (oss_count * rng.integers(low, high + 1, n)).astype(float),
        "oss_count": oss_count.astype(float),
        "expelled": _nullable_bool(oss & (rng.random(n) < m.EXPELLED_GIVEN_OSS), always),
        "referred_law_enforcement": _nullable_bool(referred, always),
        "arrested": _nullable_bool(
            referred & (rng.random(n) < m.ARRESTED_GIVEN_REFERRED), always),
        "gifted": _nullable_bool(
            (grade >= _FIRST_GIFTED) & (s["gifted_rank"] < _seats(m.GIFTED_SEATS, poverty)),
            always),
        "advanced_course": _nullable_bool(
            rng.random(n) < _seats(m.ADVANCED_SEATS, poverty), grade >= _FIRST_ADVANCED),
        "algebra1_grade8": _nullable_bool(
            rng.random(n) < _seats(m.ALGEBRA1_SEATS, poverty), grade == _GRADE_8),
        **scores,
        "graduated_4yr": _nullable_bool(graduated, senior),
        "dropped_out": _nullable_bool(dropped, senior),
        "retained": _nullable_bool(rng.random(n) < m.RETAINED_RATE, can_repeat),
    })


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(categories))


def generate_students(
    rng: np.random.Generator, district_id: str, *, n_students: int, years: Sequence[int],
    layout: Layout, model: DistrictModel,
) -> StudentYears:
    """Follow a district's students through ``years``; see the module docstring."""
    targets = _grade_targets(n_students)
    students = _new_students(rng, n_students, model, layout)
    person = np.arange(n_students)
    grade = np.repeat(np.arange(len(GRADES)), targets)
    keys: list[np.ndarray] = []  # per year: person, grade, school, year
    outcomes: list[pd.DataFrame] = []
    n_schools, n_races = layout.n_schools, len(RACE_ETHNICITY)
    enrollment = np.zeros((len(years), n_schools), dtype=np.int64)
    poverty = np.zeros((len(years), n_schools))
    race_counts = np.zeros((len(years), n_schools, n_races), dtype=np.int64)
    repeats = np.zeros(len(grade), dtype=bool)
    for t, year in enumerate(years):
        if t:
            stay = (grade < _GRADE_12) & (rng.random(len(grade)) >= m.MOBILITY_RATE)
            grade = (grade + ~repeats)[stay]
            person = person[stay]
            needed = np.maximum(targets - np.bincount(grade, minlength=len(GRADES)), 0)
            first_new = len(students["race"])
            arrivals = _new_students(rng, int(needed.sum()), model, layout)
            students = {k: np.concatenate([v, arrivals[k]]) for k, v in students.items()}
            person = np.concatenate([person, first_new + np.arange(needed.sum())])
            grade = np.concatenate([grade, np.repeat(np.arange(len(GRADES)), needed)])
        school = layout.zone_school[students["zone"][person], _LEVEL[grade]]
        order = np.lexsort((grade, school))  # rows by school, then grade
        person, grade, school = person[order], grade[order], school[order]
        rows = {k: v[person] for k, v in students.items()}
        enrollment[t] = np.bincount(school, minlength=n_schools)
        poverty[t] = np.bincount(school, rows["econ"], minlength=n_schools) / np.maximum(
            enrollment[t], 1)
        race_counts[t] = np.bincount(school * n_races + rows["race"],
                                     minlength=n_schools * n_races).reshape(n_schools, n_races)
        cols = _year_columns(rng, rows, grade, school, poverty[t][school])
        repeats = cols["retained"].to_numpy(dtype=bool, na_value=False)
        keys.append(np.stack([person, grade, school, np.full(len(grade), year)]))
        outcomes.append(cols)

    who, grade, school, year = np.concatenate(keys, axis=1)
    category = students["category"][who]
    identity = pd.DataFrame({
        "student_id": labelled(pseudonymous_ids(rng, "S", len(students["race"])), who),
        "school_year": year,
        "district_id": labelled([district_id], np.zeros(len(who), dtype=np.int64)),
        "school_id": labelled(school_ids(district_id, n_schools), school),
        "grade": _categorical(grade, GRADES),
        "race_ethnicity": _categorical(students["race"][who], RACE_ETHNICITY),
        "sex": _categorical(students["sex"][who], SEXES),
        "econ_disadvantaged": pd.array(students["econ"][who], dtype="boolean"),
        "disability": pd.array(category >= 0, dtype="boolean"),
        "disability_category": _categorical(category, DISABILITY_CATEGORIES),
        "section_504": pd.array(students["section_504"][who], dtype="boolean"),
        "placement": _categorical(students["placement"][who], PLACEMENTS),
    })
    yearly = pd.concat(outcomes, ignore_index=True)
    table = pd.concat([identity, yearly], axis=1)[list(TABLES["students"])]
    return StudentYears(table, school, enrollment, poverty, race_counts)
