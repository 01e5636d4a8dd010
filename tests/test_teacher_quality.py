"""Teacher quality equity (METHODS §6.2): quartile gaps and student-weighted exposure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from equitykit.errors import DataError
from equitykit.metrics import (
    school_composition,
    teacher_experience_exposure,
    teacher_quality_gaps,
)

# Eight schools: s1, s2 are the high-poverty quartile (>= 75th pct), s7, s8 the low one.
SCHOOLS = pd.DataFrame({
    "school_id": [f"s{i}" for i in range(1, 9)],
    "poverty_share": [0.95, 0.90, 0.7, 0.6, 0.5, 0.4, 0.2, 0.1],
    "minority_share": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.95, 0.9],
})


def _staff(rows):
    return pd.DataFrame(rows, columns=["school_id", "role", "years_experience", "certified",
                                       "in_field", "fte"])


STAFF = _staff([
    ("s1", "teacher", 0, True, True, 1.0), ("s1", "teacher", 1, False, True, 1.0),
    ("s1", "teacher", 8, True, False, 0.5), ("s2", "Teacher ", 1, True, True, 1.0),
    ("s2", "teacher", 12, pd.NA, True, 1.0), ("s2", "principal", 0, False, False, 1.0),
    ("s4", "teacher", 0, False, False, 1.0),
    ("s7", "teacher", 3, True, True, 1.0), ("s7", "teacher", 20, True, True, 1.0),
    ("s8", "teacher", 1, True, False, 0.5), ("s8", "teacher", 6, True, True, 1.0),
])


def _wilson(x, n, z=1.959963984540054):
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _newcombe(x1, n1, x2, n2):
    (l1, u1), (l2, u2) = _wilson(x1, n1), _wilson(x2, n2)
    d = x1 / n1 - x2 / n2
    return (d - math.sqrt((x1 / n1 - l1) ** 2 + (u2 - x2 / n2) ** 2),
            d + math.sqrt((u1 - x1 / n1) ** 2 + (x2 / n2 - l2) ** 2))


def test_poverty_quartile_gaps_by_hand():
    gaps = teacher_quality_gaps(STAFF, SCHOOLS).set_index("indicator")
    # High (s1, s2) teacher FTE: 1 + 1 + .5 + 1 + 1 = 4.5 (the principal is not a teacher).
    # Novice (< 2 years): s1 0y, 1y; s2 1y -> 3 FTE / 4.5.  Low (s7, s8): 1y (.5) / 3.5.
    novice = gaps.loc["novice"]
    assert novice["rate_high"] == pytest.approx(3 / 4.5, abs=1e-12)
    assert novice["rate_low"] == pytest.approx(0.5 / 3.5, abs=1e-12)
    assert novice["gap"] == pytest.approx(3 / 4.5 - 0.5 / 3.5, abs=1e-12)
    assert (novice["n_high"], novice["n_low"]) == (4.5, 3.5)
    assert (novice["schools_high"], novice["schools_low"]) == (2, 2)
    assert (novice["ci_low"], novice["ci_high"]) == pytest.approx(
        _newcombe(3, 4.5, 0.5, 3.5), abs=1e-9)
    # Uncertified: unknown certification (s2, 12y) is left out: 1 / 3.5 vs 0 / 3.5.
    uncertified = gaps.loc["uncertified"]
    assert uncertified["n_high"] == 3.5
    assert uncertified["gap"] == pytest.approx(1 / 3.5, abs=1e-12)
    # Out of field: .5 / 4.5 vs .5 / 3.5.
    assert gaps.loc["out_of_field", "gap"] == pytest.approx(0.5 / 4.5 - 0.5 / 3.5, abs=1e-12)
    assert set(gaps["by"]) == {"poverty"} and set(gaps["reason"]) == {""}


def test_minority_quartiles_and_novice_definition():
    gaps = teacher_quality_gaps(STAFF, SCHOOLS, by="minority", novice_years=1)
    novice = gaps.set_index("indicator").loc["novice"]
    # High-minority: s7, s8 -> no teacher under 1 year; low-minority: s1, s2 -> 0y (1 FTE).
    assert novice["rate_high"] == 0.0
    assert novice["rate_low"] == pytest.approx(1 / 4.5, abs=1e-12)
    with pytest.raises(ValueError, match="by must be"):
        teacher_quality_gaps(STAFF, SCHOOLS, by="income")


def test_quartiles_are_within_each_district():
    schools = pd.concat([SCHOOLS.assign(district_id="d1"),
                         SCHOOLS.assign(district_id="d2", poverty_share=0.5)])
    staff = pd.concat([STAFF.assign(district_id="d1"), STAFF.assign(district_id="d2")])
    gaps = teacher_quality_gaps(staff, schools)
    d1 = gaps.loc[gaps["district_id"] == "d1"].set_index("indicator")
    d2 = gaps.loc[gaps["district_id"] == "d2"]
    assert d1.loc["novice", "gap"] == pytest.approx(3 / 4.5 - 0.5 / 3.5, abs=1e-12)
    assert len(d2) == 3 and d2["gap"].isna().all()  # all shares equal: no quartiles
    assert d2["reason"].str.contains("do not differ").all()


def test_without_fte_every_teacher_counts_one():
    gaps = teacher_quality_gaps(STAFF.drop(columns="fte"), SCHOOLS).set_index("indicator")
    assert gaps.loc["novice", "rate_high"] == pytest.approx(3 / 5, abs=1e-12)
    assert gaps.loc["novice", "rate_low"] == pytest.approx(1 / 4, abs=1e-12)


def test_missing_columns_are_named():
    with pytest.raises(DataError, match="in_field"):
        teacher_quality_gaps(STAFF.drop(columns="in_field"), SCHOOLS)


def test_school_composition():
    students = pd.DataFrame({
        "district_id": "d", "school_year": 2023, "school_id": ["a", "a", "a", "b"],
        "econ_disadvantaged": pd.array([True, False, pd.NA, True], dtype="boolean"),
        "race_ethnicity": pd.Series(["White", "Black", "Asian", pd.NA], dtype="category"),
    })
    out = school_composition(students).set_index("school_id")
    assert out.loc["a", "students"] == 3
    assert out.loc["a", "poverty_share"] == 0.5
    assert out.loc["a", "minority_share"] == pytest.approx(2 / 3)
    assert math.isnan(out.loc["b", "minority_share"])


def test_experience_exposure_by_hand():
    enrollment = pd.DataFrame({
        "school_id": ["a", "a", "b", "b", "c", "c"], "dimension": "race_ethnicity",
        "group": ["Black", "White"] * 3, "students": [30, 10, 10, 50, 5, 5],
    })
    staff = pd.DataFrame({"school_id": ["a", "a", "b", "b"], "years_experience": [2, 6, 10, 14],
                          "fte": [1.0, 0.5, 1.0, 1.0]})
    out = teacher_experience_exposure(enrollment, staff).set_index("group")
    exp_a, exp_b = (2 + 0.5 * 6) / 1.5, 12.0  # school c has no teacher data
    black = (30 * exp_a + 10 * exp_b) / 40
    white = (10 * exp_a + 50 * exp_b) / 60
    assert out.loc["Black", "mean_teacher_experience"] == pytest.approx(black, abs=1e-12)
    assert out.loc["Black", "comparison_experience"] == pytest.approx(white, abs=1e-12)
    assert out.loc["Black", "gap"] == pytest.approx(black - white, abs=1e-12)
    assert out.loc["White", "gap"] == pytest.approx(white - black, abs=1e-12)
    assert out.loc["Black", "share_covered"] == pytest.approx(40 / 45)
    named = teacher_experience_exposure(enrollment, staff, comparison="White")
    assert list(named["group"]) == ["Black"]
    assert named["gap"].iloc[0] == pytest.approx(black - white, abs=1e-12)


def test_exposure_is_a_student_weighted_mean():
    # Every student in their own unit: exposure is the plain mean over the group's students.
    rng = np.random.default_rng(4)
    years = rng.integers(0, 30, 200).astype(float)
    group = rng.choice(["F", "M"], 200)
    ids = [f"u{i}" for i in range(200)]
    enrollment = pd.DataFrame({"school_id": ids, "group": group, "students": 1})
    staff = pd.DataFrame({"school_id": ids, "years_experience": years})
    out = teacher_experience_exposure(enrollment, staff).set_index("group")
    assert out.loc["F", "mean_teacher_experience"] == pytest.approx(years[group == "F"].mean())
    assert out.loc["F", "gap"] == pytest.approx(years[group == "F"].mean()
                                                - years[group == "M"].mean())
