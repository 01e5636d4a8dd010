"""IDEA significant disproportionality, 34 CFR 300.647 (METHODS §2.5–2.6, §10.5–10.6)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _dispro_example import ENROLLED, GROUPS, WITH_OUTCOME, N, X, counts

from equitykit import metrics


def by_group(table):
    return table.set_index("group")


def test_methods_10_6_idea_logic():
    out = by_group(metrics.idea_disproportionality(counts("disability")))
    assert out.loc["Black", "kind"] == "risk_ratio"
    assert round(out.loc["Black", "ratio"], 3) == 4.5 and out.loc["Black", "flagged"]
    for g in ("Asian", "Two or more races"):
        assert out.loc[g, "kind"] == "not_calculated" and not out.loc[g, "flagged"]
        assert "fewer than 10 students in the group had the outcome" in out.loc[g, "reason"]
        assert math.isnan(out.loc[g, "ratio"])
    for g, rr in (("Hispanic/Latino", 1.0), ("White", 0.5)):
        assert out.loc[g, "kind"] == "risk_ratio" and not out.loc[g, "flagged"]
        assert out.loc[g, "ratio"] == pytest.approx(rr)
    assert set(out.area) == {"identification"} and set(out.population) == {"all students"}


def test_comparison_is_all_other_race_groups_of_the_district():
    out = by_group(metrics.idea_disproportionality(counts("disability")))
    black = out.loc["Black"]
    assert (black.comparison_numerator, black.comparison_denominator) == (X - 40, N - 400)
    want = metrics.risk_ratio(40, 400, X - 40, N - 400).value
    assert black.ratio == pytest.approx(want, rel=1e-12)


def test_methods_10_5_alternate_risk_ratio_equal_to_threshold_is_not_flagged():
    flag = metrics.idea_flag(18, 120, 1, 8, x_state_other=5000, n_state_other=100000)
    assert flag.kind == "alternate_risk_ratio" and flag.value == 3.0 and not flag.flagged
    assert metrics.idea_flag(18, 120, 1, 8, x_state_other=4999,
                             n_state_other=100000).flagged  # 3.0006 > 3


def test_methods_10_5_in_the_table_with_a_state_file():
    district = pd.DataFrame({
        "district_id": "D9", "school_id": "", "school_year": 2023, "measure": "oss",
        "dimension": "race_ethnicity", "group": ["Black", "White"],
        "numerator": [18, 1], "denominator": [120, 8]})
    state = pd.DataFrame({
        "district_id": ["D9", "D9", "D8", "D8"], "school_id": "", "school_year": 2023,
        "measure": "oss", "dimension": "race_ethnicity",
        "group": ["Black", "White", "Black", "White"],
        "numerator": [18, 1, 982, 4999], "denominator": [120, 8, 9880, 99992]})
    out = by_group(metrics.idea_disproportionality(district, state_counts=state))
    black = out.loc["Black"]
    assert black.kind == "alternate_risk_ratio" and black.ratio == 3.0 and not black.flagged
    assert (black.comparison_numerator, black.comparison_denominator) == (5000, 100000)
    assert "state" in black.reason
    without = by_group(metrics.idea_disproportionality(district)).loc["Black"]
    assert without.kind == "not_calculated" and "no state comparison" in without.reason


@pytest.mark.parametrize("cell, n_size, kind", [(10, 30, "risk_ratio"),
                                                (41, 30, "not_calculated"),
                                                (10, 401, "not_calculated")])
def test_cell_and_n_size_are_parameters(cell, n_size, kind):
    out = by_group(metrics.idea_disproportionality(counts("disability"), cell_size=cell,
                                                   n_size=n_size))
    assert out.loc["Black", "kind"] == kind


def test_threshold_is_strict_and_a_parameter():
    out = by_group(metrics.idea_disproportionality(counts("disability"), threshold=4.5))
    assert not out.loc["Black", "flagged"]
    out = by_group(metrics.idea_disproportionality(counts("disability"), threshold=4.49))
    assert out.loc["Black", "flagged"]


def _years(flags_black):
    """One table per year; Black's outcome count set so RR > 3 exactly when flagged."""
    frames = []
    for year, flagged in flags_black.items():
        df = counts("disability", year)
        x_black = 40 if flagged else 20
        df.loc[df.group == "Black", "numerator"] = x_black
        df.loc[df.dimension == "all", "numerator"] = X - 40 + x_black
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("flags, years_flagged, significant", [
    ({2020: True, 2021: True, 2022: True}, [1, 2, 3], [False, False, True]),
    ({2020: True, 2021: False, 2022: True}, [1, 0, 1], [False, False, False]),
    ({2019: False, 2020: True, 2021: True, 2022: True, 2023: True}, [0, 1, 2, 3, 4],
     [False, False, False, True, True]),
])
def test_multi_year_rule(flags, years_flagged, significant):
    out = metrics.idea_disproportionality(_years(flags))
    black = out[out.group == "Black"].sort_values("school_year")
    assert black.flagged.tolist() == list(flags.values())
    assert black.years_flagged.tolist() == years_flagged
    assert black.significant.tolist() == significant


def test_consecutive_years_counts_available_years_and_is_a_parameter():
    out = metrics.idea_disproportionality(_years({2018: True, 2022: True, 2023: True}),
                                          consecutive_years=2)
    black = out[out.group == "Black"].sort_values("school_year")
    # 2019-2021 are not in the data: the available years are consecutive
    assert black.years_flagged.tolist() == [1, 2, 3]
    assert black.significant.tolist() == [False, True, True]


def test_categories_areas_and_populations():
    swd = counts("oss").assign(dimension="race_ethnicity×disability",
                               group=lambda d: d.group + "×true")
    swd = swd[swd.group != "all×true"]
    tables = pd.concat([
        counts("disability"), counts("disability_SLD"), counts("placement_lt40"),
        swd, counts("oss"), counts("iss"), counts("gifted"),
        counts("oss").assign(school_id="S1"),
    ], ignore_index=True)
    out = metrics.idea_disproportionality(tables)
    areas = out.groupby("category")[["area", "population"]].first()
    assert areas.to_dict("index") == {
        "disability": {"area": "identification", "population": "all students"},
        "disability_SLD": {"area": "identification", "population": "all students"},
        "placement_lt40": {"area": "placement", "population": "students with disabilities"},
        "oss": {"area": "discipline", "population": "students with disabilities"},
        "iss": {"area": "discipline", "population": "all students"},
    }
    assert len(out) == 5 * len(GROUPS)  # gifted and school rows are not IDEA categories
    assert set(out.group) == set(GROUPS)


def test_suppressed_group_is_not_calculated_and_hides_comparisons():
    df = counts("disability")
    df["source_suppressed"] = df.group == "Asian"
    out = by_group(metrics.idea_disproportionality(df))
    assert out.loc["Asian", "reason"] == "suppressed at source"
    assert out.loc["Black", "kind"] == "not_calculated"  # its comparison includes Asian


def test_scalar_and_table_agree():
    out = by_group(metrics.idea_disproportionality(counts("disability")))
    for g in GROUPS:
        x, n = WITH_OUTCOME[g], ENROLLED[g]
        e = metrics.idea_flag(x, n, X - x, N - n)
        assert e.kind == out.loc[g, "kind"] and e.flagged == out.loc[g, "flagged"]
        assert e.value == pytest.approx(out.loc[g, "ratio"], nan_ok=True)
        assert e.reason == out.loc[g, "reason"]
    assert np.isnan(metrics.idea_flag(5, 100, 50, 1000).value)


def test_table_without_idea_categories_gives_an_empty_result():
    counts = pd.DataFrame({
        "district_id": "D1", "school_id": "", "school_year": 2023, "measure": "enrollment",
        "dimension": "race_ethnicity", "group": ["Black", "White"],
        "numerator": [400, 3600], "denominator": [400, 3600]})
    out = metrics.idea_disproportionality(counts)
    assert out.empty
    assert "significant" in out.columns
