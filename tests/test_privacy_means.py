"""Averages are sums: a table of score means never withholds exactly one group's mean beside a
published total, whose mean would be (N·mean_all − Σ n·mean) / n, and every group with a
tested student has a row (a group left out would be worked out the same way). The small tables
check the outcome whichever rule withholds the second mean; one test checks the rule itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitykit.privacy import suppress_metrics
from equitykit.privacy._suppression import _lone_means


def _means(sizes: dict[str, int], means: dict[str, float]) -> pd.DataFrame:
    total = sum(sizes.values())
    overall = sum(sizes[g] * means[g] for g in sizes) / total
    groups = {"all": (total, overall), **{g: (sizes[g], means[g]) for g in sizes}}
    return pd.DataFrame([{
        "district_id": "D1", "school_year": 2023, "school_id": "", "outcome": "math_score",
        "measure": "mean", "comparison": "", "dimension": "all" if g == "all" else "race",
        "group": g, "n": float(n), "numerator": float("nan"), "value": m,
        "ci_low": float("nan"), "ci_high": float("nan")} for g, (n, m) in groups.items()])


def test_a_withheld_mean_is_never_alone_the_smallest_published_goes_with_it():
    rows = _means({"A": 22, "B": 40, "C": 150, "D": 300},
                  {"A": 470.0, "B": 520.0, "C": 495.0, "D": 510.0})
    rows["suppressed"] = rows["group"] == "A"  # withheld before the gate (as SOGI groups are)
    out = suppress_metrics(rows, protection_width=0).set_index("group")["suppressed"]
    assert out.to_dict() == {"all": False, "A": True, "B": True, "C": False, "D": False}


def test_two_withheld_means_stay_as_they_are():
    rows = _means({"A": 6, "B": 7, "C": 150, "D": 300},
                  {"A": 470.0, "B": 520.0, "C": 495.0, "D": 510.0})
    out = suppress_metrics(rows, protection_width=0).set_index("group")["suppressed"]
    assert out.to_dict() == {"all": False, "A": True, "B": True, "C": False, "D": False}


@pytest.mark.parametrize("district", ["D01", "D02", "D03"])
def test_no_sample_table_of_means_withholds_a_single_group(sample_audit, district):
    p = sample_audit(district).published
    means = p[(p["measure"] == "mean") & (p["comparison"] == "")]
    total = means[means["dimension"] == "all"].set_index(
        ["school_year", "school_id", "outcome"])["suppressed"]
    for (year, school, outcome, dimension), table in means[means["dimension"] != "all"].groupby(
            ["school_year", "school_id", "outcome", "dimension"]):
        if not total.get((year, school, outcome), True):
            assert table["suppressed"].sum() != 1, (year, school, outcome, dimension)


def test_survey_averages_are_means_too():
    """A survey without respondent ids publishes each group's share of favorable answers
    averaged over items: not whole counts, so rule 7 does not see them; rule 3 for averages
    does."""
    rows = _means({"A": 6, "B": 40, "C": 150, "D": 300},
                  {"A": 0.41, "B": 0.62, "C": 0.55, "D": 0.58})
    rows = rows.assign(outcome="favorable_belonging", measure="rate", section="climate",
                       numerator=rows["n"] * rows["value"] + 0.25)  # averages: not whole
    out = suppress_metrics(rows, top_bottom_coding=False).set_index("group")["suppressed"]
    assert out.to_dict() == {"all": False, "A": True, "B": True, "C": False, "D": False}


def test_the_rule_itself_picks_the_smallest_published_mean_of_a_lone_table():
    cells = pd.DataFrame({
        "district_id": "D1", "school_year": 2023, "school_id": "", "outcome": "math_score",
        "dimension": ["all", "race", "race", "race", "sex", "sex"],
        "group": ["all", "A", "B", "C", "F", "M"]})
    withheld = np.array([False, True, False, False, True, True])
    size = np.array([500.0, 22, 40, 438, 250, 250])
    lone = _lone_means(cells, withheld, np.ones(6, dtype=bool), size)
    assert lone.tolist() == [False, False, True, False, False, False]  # B: the smallest shown
    withheld[0] = True  # a withheld total: nothing to subtract from
    assert not _lone_means(cells, withheld, np.ones(6, dtype=bool), size).any()


def test_a_group_of_one_tested_student_has_a_withheld_mean_row(sample_audit):
    """D01 has one tested Native Hawaiian/Pacific Islander student in 2022–23 and 2023–24:
    the row is there, withheld, so the group is never silently left out of the sum."""
    p = sample_audit("D01").published
    rows = p[(p["outcome"] == "math_score") & (p["measure"] == "mean")
             & (p["group"] == "Native Hawaiian/Pacific Islander")]
    assert len(rows) and rows["suppressed"].all() and rows["value"].isna().all()
