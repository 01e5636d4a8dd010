"""Small degenerate-but-valid district folders: one school, one race, blank race, a handful of
students, outcomes nobody (or everybody) has, ... (not a test module).

A :class:`Shape` describes one district along independent dimensions; :func:`write_district`
writes it as a data folder (``students.csv`` and, when asked, ``staff.csv``, ``schools.csv``,
``survey.csv``) for district ``D1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DISTRICT = "D1"
#: Student columns beyond the required ones, written when ``outcomes != "none"``.
_PROGRAM = ("expelled", "gifted", "graduated_4yr", "retained")
_FLAGS = ("econ_disadvantaged", "english_learner", "disability")
_RACES = ("Black", "White", "Hispanic/Latino", "Asian")


@dataclass(frozen=True)
class Shape:
    """One district, dimension by dimension (defaults: an ordinary small district).

    ``race``, ``sex`` and the flags: ``"mixed"``, one value (``"one"`` / ``"true"`` /
    ``"false"``) or ``"blank"`` (every cell empty). ``outcome``: how the ``expelled`` column
    looks (``"mixed"``, ``"none_had"``, ``"all_had"``, ``"blank"``). ``outcomes``: ``"all"``
    (attendance, discipline, access, attainment and test columns), ``"attendance"`` (days
    enrolled and absent only) or ``"none"`` (only the required columns). ``tests``:
    ``"levels"`` (scores and levels), ``"scores"`` (scores only), ``"levels_only"``,
    ``"constant"`` (everyone the same score and level) or ``"none"``. ``staff``: ``"none"``,
    ``"mixed"``, ``"one"`` (one teacher), ``"novice"`` (every teacher in their first year),
    ``"no_teachers"`` (principals only) or ``"no_experience"`` (the required column left
    out). ``schools_table``: ``"none"``, ``"spending"`` (per-pupil expenditure given),
    ``"no_spending"`` (the column blank). ``survey``: respondents (0: no survey);
    ``survey_favorable``: whether it has the ``favorable`` column. ``empty_school``: a
    school of the schools table (and staff) has no students in the last year (nor in any,
    with one year). ``single_intersection``: exactly one student is Asian×F.
    """

    schools: int = 2
    students: int = 30
    years: int = 1
    race: str = "mixed"
    sex: str = "mixed"
    econ: str = "mixed"
    disability: str = "mixed"
    outcome: str = "mixed"
    outcomes: str = "all"
    tests: str = "levels"
    grades: str = "mixed"
    staff: str = "none"
    schools_table: str = "none"
    survey: int = 0
    survey_favorable: bool = True
    empty_school: bool = False
    single_intersection: bool = False


def district_tables(shape: Shape, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The tables of ``shape`` as a district would export them (text cells)."""
    rng = np.random.default_rng(seed)
    years = [2023 - shape.years + 1 + i for i in range(shape.years)]
    schools = [f"S{i + 1}" for i in range(shape.schools)]
    listed = schools + (["S9"] if shape.empty_school else [])
    frames = [_students(shape, year, listed if year < years[-1] else schools, rng)
              for year in years]
    tables = {"students": pd.concat(frames, ignore_index=True)}
    if shape.schools_table != "none" or shape.empty_school:
        tables["schools"] = pd.DataFrame([
            {"school_id": s, "district_id": DISTRICT, "school_year": str(y),
             "school_name": f"School {s}",
             "per_pupil_expenditure": "" if shape.schools_table == "no_spending"
             else str(9000 + 500 * i)}
            for y in years for i, s in enumerate(listed)
        ])
    if shape.staff != "none":
        tables["staff"] = _staff(shape, years, listed, rng)
    if shape.survey:
        tables["survey"] = pd.DataFrame({
            "school_year": str(years[-1]), "district_id": DISTRICT,
            "school_id": [schools[i % len(schools)] for i in range(shape.survey)],
            "student_id": [f"{i:04d}" for i in range(shape.survey)],
            "race_ethnicity": [_RACES[i % 2] for i in range(shape.survey)],
            "domain": "belonging", "item": "I feel I belong",
            "response": [str(1 + i % 4) for i in range(shape.survey)],
            "favorable": [str(i % 4 == 3).lower() for i in range(shape.survey)],
        })
        if not shape.survey_favorable:
            tables["survey"] = tables["survey"].drop(columns="favorable")
    return tables


def write_district(folder: Path, shape: Shape, seed: int = 0) -> Path:
    """Write the tables of ``shape`` as CSV files into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in district_tables(shape, seed).items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def _choice(rng, values, n: int, mode: str, one: str) -> np.ndarray:
    if mode == "blank":
        return np.full(n, "", dtype=object)
    if mode in ("one", "true", "false"):
        return np.full(n, one if mode == "one" else mode, dtype=object)
    return rng.choice(np.asarray(values, dtype=object), n)


def _students(shape: Shape, year: int, schools: list[str], rng) -> pd.DataFrame:
    n = shape.students
    grades = (np.full(n, "8", dtype=object) if shape.grades == "one"
              else rng.choice(np.asarray(["3", "5", "8", "9", "11"], dtype=object), n))
    race = _choice(rng, _RACES, n, shape.race, "Black")
    sex = _choice(rng, ("F", "M"), n, shape.sex, "F")
    if shape.single_intersection:
        race, sex = np.where(race == "Asian", "White", race), sex.copy()
        race[0], sex[0] = "Asian", "F"
    disabled = _choice(rng, ("true", "false"), n, shape.disability, "true")
    frame = pd.DataFrame({
        "student_id": [f"{i:04d}" for i in range(n)],
        "school_year": str(year),
        "district_id": DISTRICT,
        "school_id": [schools[i % len(schools)] for i in range(n)],
        "grade": grades,
        "race_ethnicity": race,
        "sex": sex,
        "econ_disadvantaged": _choice(rng, ("true", "false"), n, shape.econ, "true"),
        "english_learner": rng.choice(np.asarray(["true", "false"], dtype=object), n),
        "disability": disabled,
    })
    if shape.outcomes == "none":
        return frame
    frame["days_enrolled"] = "170"
    frame["days_absent"] = rng.integers(0, 40, n).astype(str)
    if shape.outcomes == "attendance":
        return frame
    with_disability = disabled == "true"
    frame["disability_category"] = np.where(with_disability, rng.choice(["SLD", "AUT"], n), "")
    frame["placement"] = np.where(
        with_disability, rng.choice(["regular_80_plus", "regular_lt_40"], n), "")
    frame["iss_days"] = rng.poisson(0.4, n).astype(str)
    frame["oss_days"] = rng.poisson(0.3, n).astype(str)
    frame["advanced_course"] = rng.choice(["true", "false"], n)
    frame["algebra1_grade8"] = rng.choice(["true", "false"], n)
    for name in _PROGRAM:
        frame[name] = rng.choice(["true", "false"], n)
    frame["expelled"] = {"mixed": frame["expelled"], "none_had": "false", "all_had": "true",
                         "blank": ""}[shape.outcome]
    constant = shape.tests == "constant"
    for subject in ("math", "ela") if shape.tests != "none" else ():
        if shape.tests != "levels_only":
            frame[f"{subject}_score"] = ("500" if constant
                                         else rng.normal(500, 50, n).round(1).astype(str))
        if shape.tests != "scores":
            frame[f"{subject}_level"] = "2" if constant else rng.integers(1, 5, n).astype(str)
    return frame


def _staff(shape: Shape, years: list[int], schools: list[str], rng) -> pd.DataFrame:
    rows = []
    per_school = 1 if shape.staff == "one" else 3
    taught = schools[:1] if shape.staff == "one" else schools
    for year in years:
        for s in taught:
            for k in range(per_school):
                rows.append({
                    "staff_id": f"T{s}{k}", "school_year": str(year), "district_id": DISTRICT,
                    "school_id": s,
                    "role": "principal" if shape.staff == "no_teachers" else "teacher",
                    "years_experience": "0" if shape.staff == "novice"
                    else str(int(rng.integers(0, 20))),
                    "certified": str(bool(rng.random() < 0.8)).lower(),
                    "in_field": str(bool(rng.random() < 0.8)).lower(),
                    "race_ethnicity": _RACES[k % len(_RACES)],
                })
    staff = pd.DataFrame(rows)
    if shape.staff == "no_experience":
        staff = staff.drop(columns="years_experience")
    return staff


#: The named shapes the issue lists, one per degenerate case.
CASES: dict[str, Shape] = {
    "one_school": Shape(schools=1, staff="mixed", schools_table="spending"),
    "one_student": Shape(students=1),
    "two_students": Shape(students=2),
    "five_students": Shape(students=5),
    "one_race": Shape(race="one", staff="mixed"),
    "race_blank": Shape(race="blank", staff="mixed"),
    "sex_one": Shape(sex="one"),
    "econ_all_true": Shape(econ="true"),
    "econ_all_false": Shape(econ="false"),
    "outcome_none_had": Shape(outcome="none_had"),
    "outcome_all_had": Shape(outcome="all_had"),
    "outcome_blank": Shape(outcome="blank"),
    "only_required_columns": Shape(outcomes="none"),
    "scores_without_levels": Shape(tests="scores"),
    "one_grade": Shape(grades="one"),
    "one_year": Shape(years=1),
    "six_years": Shape(years=6),
    "staff_one_teacher": Shape(staff="one"),
    "staff_all_novice": Shape(staff="novice"),
    "staff_no_experience": Shape(staff="no_experience"),
    "schools_table_one_school": Shape(schools=1, schools_table="spending"),
    "spending_blank": Shape(schools=3, schools_table="no_spending"),
    "survey_without_favorable": Shape(survey=12, survey_favorable=False),
    "staff_no_teachers": Shape(staff="no_teachers"),
    "levels_without_scores": Shape(tests="levels_only"),
    "everyone_same_score": Shape(tests="constant"),
    "school_empty_in_last_year": Shape(years=2, empty_school=True, staff="mixed"),
    "survey_one_respondent": Shape(survey=1),
    "school_without_students": Shape(empty_school=True, schools_table="spending",
                                     staff="mixed"),
    "all_disabled": Shape(disability="true"),
    "none_disabled": Shape(disability="false"),
    "single_intersection": Shape(single_intersection=True),
    "disability_blank": Shape(disability="blank"),
    "no_outcome_known": Shape(outcomes="none", disability="blank"),
    "attendance_only_disability_blank": Shape(outcomes="attendance", disability="blank"),
    "one_school_one_race_staff": Shape(schools=1, race="one", staff="mixed",
                                       schools_table="spending", survey=3),
    "one_student_everything": Shape(students=1, staff="mixed", schools_table="spending",
                                    survey=1),
    "race_blank_two_years_staff": Shape(race="blank", years=2, staff="mixed"),
}
