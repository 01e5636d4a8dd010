"""Resources: spending in dollars with what each number means, never the raw measure codes."""

from __future__ import annotations

import pandas as pd
from _report_tables import tables

from equitykit.report._resources import resources_table
from equitykit.report._sections import resources


def _rows(slope: float, *, suppressed: bool = False) -> pd.DataFrame:
    base = {"school_year": 2023, "school_id": "", "section": "resources",
            "outcome": "per_pupil_expenditure", "dimension": "school_poverty",
            "suppressed": False}
    return pd.DataFrame([
        {**base, "measure": "mean", "group": "high_quartile", "value": 12028.69521},
        {**base, "measure": "mean", "group": "low_quartile", "value": 13174.14295},
        {**base, "measure": "ratio", "group": "high_quartile", "value": 0.9130533385},
        {**base, "measure": "progressivity_slope", "group": "all", "value": slope,
         "suppressed": suppressed},
    ])


def test_dollars_and_slope_per_ten_points():
    got = resources_table(_rows(-1616.291746), school_year=2023)
    assert got.to_dict("records") == [
        {"measure": "Spending per student, highest-poverty quarter of schools",
         "value": "$12,029"},
        {"measure": "Spending per student, lowest-poverty quarter of schools",
         "value": "$13,174"},
        {"measure": "Highest- vs lowest-poverty quarter (dollars per $1)", "value": "$0.91"},
        {"measure": "Change in spending per student for every 10 more percentage points of "
                    "economically disadvantaged students", "value": "$162 less"},
    ]
    assert resources_table(_rows(2500.0), school_year=2023)["value"].iloc[-1] == "$250 more"
    assert resources_table(_rows(3.0), school_year=2023)["value"].iloc[-1] == "$0"
    hidden = resources_table(_rows(1.0, suppressed=True), school_year=2023)
    assert hidden["value"].iloc[-1] == "suppressed"


def test_sample_section_prints_no_codes(sample_audit):
    page = resources(sample_audit("D01"))
    for code in ("high_quartile", "low_quartile", "progressivity_slope", ">mean<", ">ratio<"):
        assert code not in page
    (caption, rows), = tables(page)
    assert caption == "Spending per student by school poverty"
    assert all(r["value"].startswith(("$", "suppressed")) for r in rows)


def test_the_section_says_whether_spending_is_progressive():
    from equitykit.report._resources import resources_verdict

    def verdict(ratio, suppressed=False):
        row = {"school_id": "", "school_year": 2023, "section": "resources", "measure": "ratio",
               "group": "high_quartile", "value": ratio, "suppressed": suppressed}
        return resources_verdict(pd.DataFrame([row]), school_year=2023)

    assert verdict(0.91) == ("Regressive: the highest-poverty quarter of schools gets $0.91 per "
                             "student for every $1 the lowest-poverty quarter gets.")
    assert verdict(1.25).startswith("Progressive: the highest-poverty quarter of schools gets "
                                    "$1.25 per student")
    assert verdict(1.01).startswith("About even: ")
    assert verdict(float("nan"), suppressed=True) == ""
