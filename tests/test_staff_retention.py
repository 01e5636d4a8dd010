"""Teacher retention by race/ethnicity (issue: adults), counted by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from equitykit import metrics


def _staff():
    # 2021: teachers a, b (Black), c, d, e (White), f (no race recorded); principal p.
    # 2022: a stays (moves school), c becomes a counselor (still on staff), d and b leave,
    # e stays; g (Black) is hired. 2023: a, g stay; e leaves.
    rows = [
        ("a", 2021, "teacher", "Black"), ("b", 2021, "teacher", "Black"),
        ("c", 2021, "teacher", "White"), ("d", 2021, "teacher", "White"),
        ("e", 2021, "teacher", "White"), ("f", 2021, "teacher", None),
        ("p", 2021, "principal", "White"),
        ("a", 2022, "teacher", "Black"), ("c", 2022, "counselor", "White"),
        ("e", 2022, "teacher", "White"), ("g", 2022, "teacher", "Black"),
        ("f", 2022, "teacher", None), ("p", 2022, "principal", "White"),
        ("a", 2023, "Teacher", "Black"), ("g", 2023, "teacher", "Black"),
    ]
    frame = pd.DataFrame(rows, columns=["staff_id", "school_year", "role", "race_ethnicity"])
    return frame.assign(district_id="d1")


def test_retention_counts_by_hand():
    counts = metrics.retention_counts(_staff()).set_index(["school_year", "group"])
    expected = {
        (2021, "all"): (4, 6), (2021, "Black"): (1, 2), (2021, "White"): (2, 3),
        (2022, "all"): (2, 4), (2022, "Black"): (2, 2), (2022, "White"): (0, 1),
    }
    assert {k: (int(v["numerator"]), int(v["denominator"]))
            for k, v in counts.iterrows()} == expected
    assert 2023 not in counts.index.get_level_values("school_year")  # leavers not yet known


def test_retention_rates_and_ratio_through_the_engine():
    table = metrics.disproportionality(metrics.retention_counts(_staff()))
    black = table[(table["school_year"] == 2021) & (table["group"] == "Black")]
    rate = black[black["measure"] == "rate"]["value"].iloc[0]
    ratio = black[black["measure"] == "risk_ratio"]["value"].iloc[0]
    assert rate == pytest.approx(1 / 2, abs=1e-12)
    # vs all other 2021 teachers: c, d, e, f of whom c, e, f stayed
    assert ratio == pytest.approx((1 / 2) / (3 / 4), abs=1e-12)


def test_no_next_year_no_rows():
    staff = _staff()
    assert metrics.retention_counts(staff[staff["school_year"] == 2023]).empty


def test_sample_audit_publishes_retention_computed_directly(sample_audit, repo_root):
    audit = sample_audit("D01")
    staff = pd.read_csv(repo_root / "data_samples" / "staff.csv", dtype=str)
    staff = staff[staff["district_id"] == "D01"]
    teachers = staff[(staff["role"] == "teacher") & (staff["school_year"] == "2022")]
    next_year = set(staff.loc[staff["school_year"] == "2023", "staff_id"])
    expected = teachers["staff_id"].isin(next_year).mean()
    p = audit.published
    row = p[(p["outcome"] == "teacher_retained") & (p["measure"] == "rate")
            & (p["group"] == "all") & (p["school_year"] == 2022) & (p["school_id"] == "")]
    assert row["value"].iloc[0] == pytest.approx(expected, abs=1e-12)
    assert "Teacher retention from 2022–23 to 2023–24" in audit.section("teacher_quality").data
