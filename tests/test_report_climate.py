"""Climate and belonging: one table per dimension, constructs in plain words, % favourable
with its interval, the gap in points and the respondents, each cell equal to metrics rows."""

from __future__ import annotations

import html

from _report_tables import tables

from equitykit._words import capitalize, construct_label, difference_label, group_label
from equitykit.report._climate import CLIMATE_COLUMNS, climate_table
from equitykit.report._sections import climate
from equitykit.report._views import cell, interval


def test_construct_names_read_as_words():
    assert construct_label("favorable_adult_support") == "Adult support"
    assert construct_label("favorable_belonging") == "Belonging"


def test_each_table_is_one_dimension_and_its_cells_are_metrics_rows(sample_audit):
    audit = sample_audit("D01")
    page = climate(audit)
    assert "favorable_" not in page and ">true<" not in page and ">false<" not in page
    found = tables(page)
    captions = [c for c, _ in found]
    assert captions[0] == "Favourable survey answers, all respondents"
    assert "Favourable survey answers, by race/ethnicity" in captions
    assert all(len(rows) <= 30 for _, rows in found)  # not one 290-row table
    pub = audit.published
    year = pub[(pub["section"] == "climate") & (pub["school_year"] == audit.school_year)
               & (pub["school_id"] == "")]
    checked = 0
    for _, rows in found[1:]:
        assert list(rows[0]) == list(CLIMATE_COLUMNS)
        for row in rows:
            rate = year[(year["measure"] == "rate")
                        & (year["outcome"].map(construct_label) == row["construct"])]
            match = [r for _, r in rate.iterrows()
                     if _group_name(r) == row["group"]]
            assert len(match) == 1, row
            r = match[0]
            assert row["% favourable"] == cell(r)
            assert row["95% CI"] == interval(r)
            assert row["respondents"] == cell(r, "n")
            gap = year[(year["measure"] == "risk_difference") & (year["outcome"] == r["outcome"])
                       & (year["dimension"] == r["dimension"]) & (year["group"] == r["group"])]
            if row["gap vs all other students"] not in ("suppressed", "—"):
                assert row["gap vs all other students"] == difference_label(
                    100 * gap["value"].iloc[0])
                checked += 1
    assert checked >= 10


def _group_name(row) -> str:
    return capitalize(group_label(row["dimension"], row["group"]))


def test_table_function_is_reusable_for_one_construct(sample_audit):
    audit = sample_audit("D01")
    construct = audit.published.loc[audit.published["section"] == "climate", "outcome"].iloc[0]
    frame = climate_table(audit.published, school_year=audit.school_year,
                          dimension="race_ethnicity", constructs=[construct])
    assert set(frame["construct"]) == {construct_label(construct)}
    assert html.escape("Two or more races") not in frame.to_string()
