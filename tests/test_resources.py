"""Spending by school poverty: weighted quartile means and the progressivity slope."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from equitykit import metrics


def _district(seed: int = 0, n: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"s{i}" for i in range(n)]
    poverty = rng.uniform(0.05, 0.95, n)
    students = rng.integers(100, 900, n).astype(float)
    spending = 11000 + 1500 * poverty + rng.normal(0, 400, n)
    schools = pd.DataFrame({"school_id": ids, "per_pupil_expenditure": spending})
    composition = pd.DataFrame(
        {"school_id": ids, "students": students, "poverty_share": poverty}
    )
    return schools, composition


def test_slope_matches_statsmodels_wls():
    schools, composition = _district()
    out = metrics.spending_by_poverty(schools, composition)
    fit = sm.WLS(
        schools["per_pupil_expenditure"], sm.add_constant(composition["poverty_share"]),
        weights=composition["students"],
    ).fit()
    assert out["slope"].iloc[0] == pytest.approx(fit.params["poverty_share"], abs=1e-6)


def test_quartile_means_are_enrollment_weighted():
    schools, composition = _district(seed=3)
    out = metrics.spending_by_poverty(schools, composition).iloc[0]
    share = composition["poverty_share"]
    high = share >= share.quantile(0.75)
    low = share <= share.quantile(0.25)
    spend, w = schools["per_pupil_expenditure"], composition["students"]
    expected_high = (spend[high] * w[high]).sum() / w[high].sum()
    expected_low = (spend[low] * w[low]).sum() / w[low].sum()
    assert out["spending_high"] == pytest.approx(expected_high, abs=1e-6)
    assert out["spending_low"] == pytest.approx(expected_low, abs=1e-6)
    assert out["ratio"] == pytest.approx(expected_high / expected_low, abs=1e-12)


def test_one_row_per_district_and_year():
    schools, composition = _district()
    both = [
        frame.assign(district_id=d, school_year=2023)
        for frame in (schools, composition)
        for d in ("A", "B")
    ]
    out = metrics.spending_by_poverty(
        pd.concat(both[:2], ignore_index=True), pd.concat(both[2:], ignore_index=True)
    )
    assert sorted(out["district_id"]) == ["A", "B"]
    assert out["slope"].nunique() == 1


def test_missing_column_is_a_clear_error():
    schools, composition = _district()
    with pytest.raises(ValueError, match="per_pupil_expenditure"):
        metrics.spending_by_poverty(schools.drop(columns="per_pupil_expenditure"), composition)
