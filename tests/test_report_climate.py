"""Climate and belonging: per role (students, staff, families) one table per dimension,
constructs in plain words, % favorable with its interval, the gap in points and the
respondents; a table by school; the students who answered; each cell equal to metrics rows."""

from __future__ import annotations

import html

from _report_tables import table, tables

from equitykit._words import construct_label, difference_label
from equitykit.report._climate import (
    CLIMATE_COLUMNS,
    RESPONSE_COLUMNS,
    _group,
    climate_table,
)
from equitykit.report._sections import climate
from equitykit.report._views import cell, interval


def test_construct_names_read_as_words():
    assert construct_label("favorable_adult_support") == "Adult support"
    assert construct_label("favorable_belonging") == "Belonging"
    assert construct_label("family_favorable_communication") == "Communication"


def _year(audit):
    pub = audit.published
    return pub[(pub["section"] == "climate") & (pub["school_year"] == audit.school_year)
               & (pub["school_id"] == "")]


def test_each_table_is_one_role_and_dimension_and_its_cells_are_metrics_rows(sample_audit):
    audit = sample_audit("D03")
    page = climate(audit)
    assert "favorable_" not in page and ">true<" not in page and ">false<" not in page
    found = tables(page)
    captions = [c for c, _ in found]
    assert captions[0] == "Students: favorable answers, all respondents"
    for caption in ("Students: favorable answers, by race/ethnicity",
                    "Students: favorable answers, by sexual orientation",
                    "Staff: favorable answers, by race/ethnicity",
                    "Families: favorable answers, by English learner status"):
        assert caption in captions
    assert all(len(rows) <= 40 for _, rows in found)
    year = _year(audit)
    checked = 0
    for caption, rows in found:
        if ": favorable answers, by " not in caption:
            continue
        role = {"Students": "student", "Staff": "staff", "Families": "family"}[
            caption.split(":")[0]]
        assert list(rows[0]) == list(CLIMATE_COLUMNS)
        for row in rows:
            rate = year[(year["measure"] == "rate")
                        & (year["outcome"].map(construct_label) == row["construct"])
                        & year["outcome"].str.startswith(
                            "favorable_" if role == "student" else f"{role}_favorable_")]
            match = [r for _, r in rate.iterrows()
                     if _group(r["dimension"], r["group"], role) == row["group"]]
            assert len(match) == 1, row
            r = match[0]
            assert row["% favorable"] == cell(r)
            assert row["95% CI"] == interval(r)
            assert row["respondents"] == cell(r, "n")
            gap = year[(year["measure"] == "risk_difference") & (year["outcome"] == r["outcome"])
                       & (year["dimension"] == r["dimension"]) & (year["group"] == r["group"])]
            if row["gap vs all other respondents"] not in ("suppressed", "—"):
                assert row["gap vs all other respondents"] == difference_label(
                    100 * gap["value"].iloc[0])
                checked += 1
    assert checked >= 30


def test_response_rates_table_cells_are_metrics_rows(sample_audit):
    audit = sample_audit("D03")
    rows = table(climate(audit), "Students who answered the survey, of the enrolled "
                                 "students of each group")
    assert list(rows[0]) == list(RESPONSE_COLUMNS)
    year = _year(audit)
    rates = year[(year["outcome"] == "survey_response") & (year["measure"] == "rate")]
    all_row = rates[rates["dimension"] == "all"].iloc[0]
    assert rows[0]["group"] == "All students"
    assert rows[0]["% who answered"] == cell(all_row)
    assert rows[0]["students"] == cell(all_row, "n")
    learners = [r for r in rows if r["group"] == "English learners"]
    assert len(learners) == 1 and "pts lower" in learners[0]["gap vs all other students"]


def test_school_table_names_schools_and_shows_published_shares(sample_audit):
    audit = sample_audit("D03")
    rows = table(climate(audit), "Students: favorable answers by school (% with 95% CI)")
    assert len(rows) >= 5 and set(rows[0]) >= {"school", "Belonging", "Safety"}
    pub = audit.published
    shown = pub[(pub["section"] == "climate") & (pub["school_id"] != "")
                & (pub["school_year"] == audit.school_year) & (pub["measure"] == "rate")
                & (pub["dimension"] == "all") & (pub["outcome"] == "favorable_safety")]
    texts = {f"{cell(r)} ({interval(r)})" if interval(r) else cell(r)
             for _, r in shown.iterrows()}
    assert {r["Safety"] for r in rows} <= texts


def test_table_function_is_reusable_for_one_construct(sample_audit):
    audit = sample_audit("D01")
    construct = "favorable_belonging"
    frame = climate_table(audit.published, school_year=audit.school_year,
                          dimension="race_ethnicity", constructs=[construct])
    assert set(frame["construct"]) == {construct_label(construct)}
    assert html.escape("Two or more races") not in frame.to_string()
