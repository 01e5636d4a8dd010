"""Identification by disability category has its own tables (the findings rank categories,
so the report shows them), and every cell is the published metrics row."""

from __future__ import annotations

import pandas as pd
from _report_tables import table

from equitykit._words import capitalize, group_label
from equitykit.report._idea import category_table
from equitykit.report._sections import outcomes
from equitykit.report._views import cell


def _row(group, outcome, measure, value, *, dimension="race_ethnicity", suppressed=False):
    return {"school_id": "", "school_year": 2023, "outcome": outcome, "dimension": dimension,
            "group": group, "measure": measure,
            "comparison": "" if measure == "rate" else "all_other", "value": value,
            "suppressed": suppressed, "display": "", "n": 100.0}


def test_rows_are_groups_and_columns_categories():
    published = pd.DataFrame([
        _row("Black", "disability_SLD", "rate", 0.084),
        _row("White", "disability_SLD", "rate", 0.042),
        _row("all", "disability_SLD", "rate", 0.05, dimension="all"),
        _row("White", "disability_AUT", "rate", float("nan"), suppressed=True),
        _row("Black", "disability_SLD", "risk_ratio", 2.0),
    ])
    got = category_table(published, school_year=2023)
    assert got.to_dict("records") == [
        {"group": "All students", "specific learning disability": "5.0%", "autism": "—"},
        {"group": "Black students", "specific learning disability": "8.4%", "autism": "—"},
        {"group": "White students", "specific learning disability": "4.2%",
         "autism": "suppressed"},
    ]
    ratios = category_table(published, school_year=2023, measure="risk_ratio")
    assert ratios.to_dict("records") == [
        {"group": "Black students", "specific learning disability": "2.00"}]
    assert category_table(published, school_year=2022).empty


def test_sample_district_tables_are_the_published_rows(sample_audit):
    audit = sample_audit("D02")
    body = outcomes(audit, "programmatic").data
    shown = table(body, "Identified for special education, by disability category: share of "
                        "each group")
    assert shown
    p = audit.published
    rates = p[(p["school_id"] == "") & (p["school_year"] == audit.school_year)
              & p["outcome"].str.startswith("disability_") & (p["measure"] == "rate")
              & p["dimension"].isin(("all", "race_ethnicity"))]
    checked = 0
    for _, r in rates.iterrows():
        name = capitalize(group_label(r["dimension"], r["group"]))
        (row,) = [s for s in shown if s["group"] == name]
        column = r["outcome"]  # the column is the category's name in words
        words = {"disability_ID": "intellectual disability",
                 "disability_SLD": "specific learning disability",
                 "disability_EMN": "emotional disturbance",
                 "disability_SLI": "speech or language impairment",
                 "disability_OHI": "other health impairment", "disability_AUT": "autism"}
        assert row[words[column]] == cell(r), (name, column)
        checked += 1
    assert checked >= 30
