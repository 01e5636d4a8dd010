"""A tiny synthetic district for the explorer tests (imported by the other test_explorer_* files).

Two schools, two years, about 260 students a year, with deliberately small groups (4 Native
Hawaiian/Pacific Islander students, 7 American Indian/Alaska Native students a year) so every
suppression path is exercised. Deterministic: a fixed seed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from equitykit.schema import RACE_ETHNICITY

#: Students per race/ethnicity and school year; the last two are below the default minimum n.
GROUP_SIZES = {
    "Hispanic/Latino": 280, "Asian": 90, "Black": 240, "White": 320, "Two or more races": 30,
    "American Indian/Alaska Native": 7, "Native Hawaiian/Pacific Islander": 4,
}
SCHOOLS = {"S1": "Lincoln Middle", "S2": "Roosevelt High"}


def tiny_students(*, district_id: str = "D1", years: tuple[int, ...] = (2022, 2023),
                  seed: int = 7) -> pd.DataFrame:
    """Canonical student rows (CONTRACT §1) for one small district."""
    rng = np.random.default_rng(seed)
    frames = []
    for year in years:
        race = np.repeat(list(GROUP_SIZES), list(GROUP_SIZES.values()))
        n = len(race)
        black = race == "Black"
        sex = rng.choice(["F", "M"], n)
        sex[rng.random(n) < 0.02] = "X"
        econ = rng.random(n) < np.where(black | (race == "Hispanic/Latino"), 0.6, 0.3)
        school = np.where(rng.random(n) < np.where(black, 0.7, 0.4), "S1", "S2")
        oss_p = np.where(black, 0.22, 0.07) * np.where(sex == "M", 1.3, 0.8)
        scores = rng.normal(np.where(black, 480, 510) + 8 * ~econ, 35)
        frames.append(pd.DataFrame({
            "student_id": [f"{year}-{i:04d}" for i in range(n)],
            "school_year": year,
            "district_id": district_id,
            "school_id": school,
            "grade": rng.choice(["6", "7", "8"], n),
            "race_ethnicity": race,
            "sex": sex,
            "econ_disadvantaged": econ,
            "english_learner": rng.random(n) < 0.12,
            "disability": rng.random(n) < 0.14,
            "days_enrolled": 170,
            "days_absent": rng.poisson(np.where(econ, 14, 8)),
            "iss_days": rng.poisson(0.2, n).astype(float),
            "oss_days": np.where(rng.random(n) < oss_p, rng.integers(1, 5, n), 0).astype(float),
            "gifted": rng.random(n) < np.where(black, 0.05, 0.14),
            "math_score": scores.round(),
            "math_level": np.clip(((scores - 420) // 40).astype(int), 1, 4),
        }))
    students = pd.concat(frames, ignore_index=True)
    for col in ("econ_disadvantaged", "english_learner", "disability", "gifted"):
        students[col] = students[col].astype("boolean")
    for col in ("student_id", "district_id", "school_id", "grade", "race_ethnicity", "sex"):
        students[col] = students[col].astype("string")
    students["days_enrolled"] = students["days_enrolled"].astype("Int64")
    students["days_absent"] = students["days_absent"].astype("Int64")
    students["math_level"] = students["math_level"].astype("Int64")
    assert set(students["race_ethnicity"]) <= set(RACE_ETHNICITY)
    return students


def tiny_schools(*, district_id: str = "D1", years: tuple[int, ...] = (2022, 2023)
                 ) -> pd.DataFrame:
    """The schools table naming the two schools."""
    return pd.DataFrame([{"school_id": s, "district_id": district_id, "school_year": y,
                          "school_name": name} for y in years for s, name in SCHOOLS.items()])


def write_tiny_data_dir(folder: Path) -> Path:
    """The tiny district as a data folder (students.csv, schools.csv); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    tiny_students().to_csv(folder / "students.csv", index=False)
    tiny_schools().to_csv(folder / "schools.csv", index=False)
    return folder
