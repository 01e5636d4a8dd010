"""Staff, one row per person per school year, with novices concentrated in poor schools.

Each school needs one teacher per ``STUDENTS_PER_TEACHER`` students, counselors and a principal.
Staff stay from year to year and gain a year of experience; high-poverty schools lose more of
them and replace them more often with novices, which is how the planted teacher-quality gap
arises (between schools; assignment inside a school is not modelled).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..schema import RACE_ETHNICITY, TABLES
from . import _model as m
from ._layout import Layout, school_ids
from ._students import StudentYears, draw_by_row
from ._text import labelled, pseudonymous_ids

__all__: list[str] = []

ROLES = ("teacher", "counselor", "principal")
_MAX_EXPERIENCE = 40


def _targets(enrollment: np.ndarray) -> np.ndarray:
    """Positions per (school, role), flattened as ``school * len(ROLES) + role``."""
    return np.stack([
        np.maximum(1, np.round(enrollment / m.STUDENTS_PER_TEACHER)),
        np.maximum(1, np.round(enrollment / m.STUDENTS_PER_COUNSELOR)),
        np.ones_like(enrollment),
    ], axis=1).astype(np.int64).ravel()


def _race_cdf(race_counts: np.ndarray) -> np.ndarray:
    """Per school, the cumulative race/ethnicity mix of its staff."""
    base = np.array([m.TEACHER_RACE_MIX[r] for r in RACE_ETHNICITY])
    students = race_counts / np.maximum(race_counts.sum(axis=1, keepdims=True), 1)
    mix = (1 - m.TEACHER_MATCH) * base + m.TEACHER_MATCH * students
    return np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)


def _hire(rng: np.random.Generator, group: np.ndarray, poverty: np.ndarray,
          race_cdf: np.ndarray, *, first_person: int, first_year: bool) -> dict[str, np.ndarray]:
    """New staff for the positions ``group``, numbered from ``first_person``.

    ``first_year`` draws the starting workforce rather than one year's hires.
    """
    n = len(group)
    school = group // len(ROLES)
    pov = poverty[school]
    low, extra = m.NOVICE_SHARE_START if first_year else m.NOVICE_HIRE
    novice = rng.random(n) < low + extra * pov
    veteran_years = m.NOVICE_YEARS + np.round(rng.gamma(2.0, 5.0 if first_year else 3.0, n))
    novice_years = rng.integers(0, m.NOVICE_YEARS, n) if first_year else np.zeros(n)
    base, per_poverty, if_novice = m.CERTIFIED
    race = draw_by_row(rng, race_cdf, school)
    return {
        "person": first_person + np.arange(n),
        "group": group,
        "years_experience": np.minimum(np.where(novice, novice_years, veteran_years),
                                       _MAX_EXPERIENCE),
        "certified": rng.random(n) < base + per_poverty * pov + if_novice * novice,
        "in_field": rng.random(n) < m.IN_FIELD[0] + m.IN_FIELD[1] * pov,
        "race": np.minimum(race, len(RACE_ETHNICITY) - 1),
        "fte": np.where(rng.random(n) < m.PART_TIME_RATE, 0.5, 1.0),
    }


def _keep_up_to(rng: np.random.Generator, group: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Mask keeping at most ``target[g]`` randomly chosen members of each group ``g``."""
    order = np.lexsort((rng.random(len(group)), group))
    sorted_group = group[order]
    rank = np.arange(len(group)) - np.searchsorted(sorted_group, sorted_group, side="left")
    keep = np.empty(len(group), dtype=bool)
    keep[order] = rank < target[sorted_group]
    return keep


def generate_staff(rng: np.random.Generator, district_id: str, *, years: Sequence[int],
                   layout: Layout, students: StudentYears) -> pd.DataFrame:
    """Staff rows for every school and year of a generated district."""
    staff: dict[str, np.ndarray] = {}
    rows: list[pd.DataFrame] = []
    n_people = 0  # staff ever employed; numbers are never reused
    for t, year in enumerate(years):
        target = _targets(students.enrollment[t])
        poverty = students.poverty[t]
        race_cdf = _race_cdf(students.race_counts[t])
        if t == 0:
            group = np.repeat(np.arange(len(target)), target)
            staff = _hire(rng, group, poverty, race_cdf, first_person=0, first_year=True)
        else:
            turnover = m.TURNOVER[0] + m.TURNOVER[1] * students.poverty[t - 1]
            stay = rng.random(len(staff["group"])) >= turnover[staff["group"] // len(ROLES)]
            stay &= _keep_up_to(rng, staff["group"], target)  # schools that shrank
            staff = {k: v[stay] for k, v in staff.items()}
            staff["years_experience"] = np.minimum(staff["years_experience"] + 1,
                                                   _MAX_EXPERIENCE)
            needed = np.maximum(target - np.bincount(staff["group"], minlength=len(target)), 0)
            hires = _hire(rng, np.repeat(np.arange(len(target)), needed), poverty, race_cdf,
                          first_person=n_people, first_year=False)
            staff = {k: np.concatenate([v, hires[k]]) for k, v in staff.items()}
        n_people = max(n_people, int(staff["person"].max(initial=-1)) + 1)
        rows.append(pd.DataFrame({**staff, "school_year": year}))
    table = pd.concat(rows, ignore_index=True)
    group = table["group"].to_numpy()
    out = pd.DataFrame({
        "staff_id": labelled(pseudonymous_ids(rng, "T", n_people), table["person"].to_numpy()),
        "school_year": table["school_year"].astype(np.int64),
        "district_id": labelled([district_id], np.zeros(len(table), dtype=np.int64)),
        "school_id": labelled(school_ids(district_id, layout.n_schools), group // len(ROLES)),
        "role": labelled(ROLES, group % len(ROLES)),
        "years_experience": table["years_experience"].astype(float),
        "certified": table["certified"].astype("boolean"),
        "in_field": table["in_field"].astype("boolean"),
        "race_ethnicity": pd.Categorical.from_codes(table["race"].to_numpy(),
                                                    categories=list(RACE_ETHNICITY)),
        "fte": table["fte"].astype(float),
        **_hire_and_exit(table, years),
    })
    return out[list(TABLES["staff"])]


def _hire_and_exit(table: pd.DataFrame, years: Sequence[int]) -> dict[str, pd.arrays.IntegerArray]:
    """Each person's hire year (the year they first appear; for the starting workforce, the
    first year less their experience) and exit year (the last year they appear, empty when
    they are on staff in the last year)."""
    first = table.sort_values("school_year", kind="stable").drop_duplicates("person")
    first = first.set_index("person")
    hired = first["school_year"].where(
        first["school_year"] > years[0],
        first["school_year"] - first["years_experience"].round().astype(np.int64))
    last = table.groupby("person")["school_year"].max()
    return {"hire_year": pd.array(table["person"].map(hired), dtype="Int64"),
            "exit_year": pd.array(table["person"].map(last.where(last < years[-1])),
                                  dtype="Int64")}
