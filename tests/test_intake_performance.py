"""A 1,000,000-row students Parquet file validates and loads correctly (vectorised intake).

Its time is measured by benchmarks/metrics_scale.py (intake stage), never asserted here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitykit import schema
from equitykit.intake import load_district_data, validate_folder

N = 1_000_000


@pytest.mark.slow
def test_a_million_rows_validate_and_load(tmp_path):
    rng = np.random.default_rng(0)
    disability = rng.random(N) < 0.15
    frame = pd.DataFrame({
        "student_id": [f"{i:08d}" for i in range(N)],
        "school_year": 2023,
        "district_id": rng.choice(["d1", "d2", "d3"], N),
        "school_id": rng.choice([f"s{i:02d}" for i in range(60)], N),
        "grade": rng.choice(list(schema.GRADES), N),
        "race_ethnicity": rng.choice(list(schema.RACE_ETHNICITY), N),
        "sex": rng.choice(list(schema.SEXES), N),
        "econ_disadvantaged": rng.random(N) < 0.4,
        "english_learner": rng.choice(["Y", "N"], N),
        "disability": disability,
        "placement": pd.Series(rng.choice(list(schema.PLACEMENTS), N)).where(disability),
        "days_enrolled": rng.integers(150, 181, N),
        "days_absent": rng.integers(0, 30, N),
        "oss_days": rng.poisson(0.2, N).astype(float),
        "math_score": rng.normal(500, 50, N),
        "math_level": rng.integers(1, 5, N),
    })
    frame.to_parquet(tmp_path / "students.parquet")
    report = validate_folder(tmp_path)
    data = load_district_data(tmp_path)
    assert report.ok and report.students == N and len(data.students) == N
    assert int(data.students["english_learner"].sum()) == int((frame.english_learner == "Y").sum())
    assert data.students["placement"].notna().sum() == disability.sum()
