"""Trends: every group's rate each year, and the flag on a gap that narrowed because all other
students got worse, on hand-built two-year published tables (report/_trends.py)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from equitykit.report._trends import (
    narrowed_by_worsening,
    narrowing_sentence,
    rate_trend_table,
)


def _rows(outcome, group, year, rate, difference, *, suppressed=False):
    base = {"school_year": year, "school_id": "", "outcome": outcome,
            "dimension": "race_ethnicity", "group": group, "n": 100.0, "ci_low": math.nan,
            "ci_high": math.nan, "suppressed": suppressed, "display": "", "note": "",
            "flagged": False}
    return [{**base, "measure": "rate", "comparison": "", "value": rate},
            {**base, "measure": "risk_difference", "comparison": "all_other",
             "value": difference}]


def _table(outcome, first, last, group="Black"):
    """Two years of ``group``: (rate, rate of all other students) in each."""
    rows = []
    for year, (rate, others) in ((2021, first), (2023, last)):
        rows += _rows(outcome, group, year, rate, rate - others)
    return pd.DataFrame(rows)


def test_gap_narrowed_because_the_others_got_worse_is_flagged():
    # suspension: Black 20% vs others 10% (gap 10 pts) → Black 19% vs others 15% (gap 4):
    # others rose 5 pts (worse), Black improved 1 pt: the narrowing is mostly the others'
    published = _table("oss", (0.20, 0.10), (0.19, 0.15))
    assert narrowed_by_worsening(published, "oss", "race_ethnicity", "Black", 2021, 2023)
    assert narrowing_sentence(published, "oss", "race_ethnicity", "Black", 2021, 2023) == (
        "Black students, suspended out of school: the gap with all other students narrowed "
        "from 2021–22 to 2023–24 mostly because all other students' rate rose (worse for "
        "them) rather than because Black students did better: their rate went from 20.0% to "
        "19.0%.")


@pytest.mark.parametrize(("first", "last"), [
    ((0.20, 0.10), (0.14, 0.11)),   # the group improved 6 pts, the others worsened only 1
    ((0.20, 0.10), (0.15, 0.10)),   # the others did not change
    ((0.20, 0.10), (0.22, 0.10)),   # the gap widened
    ((0.10, 0.20), (0.12, 0.19)),   # the group was on the better side of the gap
])
def test_other_changes_are_not_flagged(first, last):
    published = _table("oss", first, last)
    assert narrowed_by_worsening(published, "oss", "race_ethnicity", "Black", 2021,
                                 2023) is False


def test_for_an_opportunity_worse_means_a_lower_rate():
    # gifted: Black 5% vs others 20% → 6% vs 12%: others fell 8 pts, Black rose 1 pt
    published = _table("gifted", (0.05, 0.20), (0.06, 0.12))
    assert narrowed_by_worsening(published, "gifted", "race_ethnicity", "Black", 2021, 2023)
    assert "all other students' rate fell (worse for them)" in narrowing_sentence(
        published, "gifted", "race_ethnicity", "Black", 2021, 2023)


def test_withheld_numbers_give_no_verdict():
    published = _table("oss", (0.20, 0.10), (0.19, 0.15))
    published.loc[(published["school_year"] == 2023)
                  & (published["measure"] == "risk_difference"), "suppressed"] = True
    assert narrowed_by_worsening(published, "oss", "race_ethnicity", "Black", 2021,
                                 2023) is None


def test_rate_table_has_every_group_each_year_all_students_first():
    rows = (_rows("oss", "White", 2021, 0.05, -0.04) + _rows("oss", "White", 2023, 0.06, -0.03)
            + _rows("oss", "Black", 2023, 0.15, 0.10)
            + _rows("oss", "Asian", 2021, math.nan, math.nan, suppressed=True))
    rows += [{**_rows("oss", "all", year, rate, 0)[0], "dimension": "all"}
             for year, rate in ((2021, 0.07), (2023, 0.08))]
    table = rate_trend_table(pd.DataFrame(rows), "oss", "race_ethnicity", [2021, 2023])
    assert table.to_dict("records") == [
        {"group": "All students", "2021–22": "7.0%", "2023–24": "8.0%"},
        {"group": "White students", "2021–22": "5.0%", "2023–24": "6.0%"},
        {"group": "Black students", "2021–22": "—", "2023–24": "15.0%"},
        {"group": "Asian students", "2021–22": "suppressed", "2023–24": "—"},
    ]
