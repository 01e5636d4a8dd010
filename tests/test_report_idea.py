"""IDEA significant disproportionality by category has a table (group, category, risk ratio,
threshold, flag, years) and a headline sentence when a group is above the threshold."""

from __future__ import annotations

import html

import pandas as pd
import pytest
from _report_tables import table

from equitykit.report._idea import IDEA_COLUMNS, idea_sentences, idea_table

CAPTION = "IDEA significant disproportionality: groups above the state's risk-ratio threshold"


def _row(year, outcome, group, value, note, *, flagged=True, dimension="race_ethnicity",
         comparison="all_other"):
    return {"school_year": year, "school_id": "", "section": "programmatic",
            "measure": "risk_ratio", "outcome": outcome, "dimension": dimension, "group": group,
            "comparison": comparison, "value": value, "suppressed": False, "flagged": flagged,
            "note": note}


ABOVE, SIGNIFICANT = "IDEA: above the risk-ratio threshold", "IDEA: significant disproportionality"
PUBLISHED = pd.DataFrame([
    _row(2021, "disability_EMN", "Black", 4.35, ABOVE),
    _row(2022, "disability_EMN", "Black", 4.12, ABOVE),
    _row(2023, "disability_EMN", "Black", 4.03, SIGNIFICANT),
    _row(2023, "disability_SLD", "Black", 0.92, "IDEA: at or below the risk-ratio threshold",
         flagged=False),
    _row(2022, "oss", "Black×true", 3.05, ABOVE, dimension="race_ethnicity×disability",
         comparison="swd_other"),
    _row(2023, "oss", "Black×true", 3.11, ABOVE, dimension="race_ethnicity×disability",
         comparison="swd_other"),
    _row(2023, "oss", "White", 3.50, "", flagged=True),  # flagged, but not an IDEA row
])


def test_table_lists_each_group_above_the_threshold():
    got = idea_table(PUBLISHED, school_year=2023, threshold=3.0)
    assert tuple(got.columns) == IDEA_COLUMNS
    assert got.to_dict("records") == [
        {"group": "Black students",
         "category": "identified for special education (emotional disturbance)",
         "compared with": "all other students", "risk ratio": "4.03", "threshold": "3",
         "flag": "significant disproportionality",
         "years above the threshold": "2021–22, 2022–23, 2023–24"},
        {"group": "Black students with disabilities", "category": "suspended out of school",
         "compared with": "other students with disabilities", "risk ratio": "3.11",
         "threshold": "3", "flag": "above the threshold",
         "years above the threshold": "2022–23, 2023–24"},
    ]
    assert idea_table(PUBLISHED, school_year=2020, threshold=3.0).empty


def test_headline_sentences():
    first, second = idea_sentences(PUBLISHED, school_year=2023, threshold=3.0)
    assert first == (
        "Black students were 4.03 times as likely as all other students to be identified for "
        "special education (emotional disturbance), above the IDEA risk-ratio "
        "threshold of 3 in 2021–22, 2022–23 and 2023–24, which makes it significant "
        "disproportionality under IDEA (34 CFR 300.647).")
    assert second.startswith("Black students with disabilities were 3.11 times as likely as "
                             "other students with disabilities to be suspended out of school")
    assert second.endswith("in 2022–23 and 2023–24. Not (yet) significant disproportionality: "
                           "IDEA requires 3 consecutive years above the threshold, and 2023–24 "
                           "is the second year in a row above it.")


def test_years_above_that_are_not_consecutive_say_so():
    gap_year = PUBLISHED[~((PUBLISHED["school_year"] == 2022)
                           & (PUBLISHED["group"] == "Black×true"))]
    ((sentence),) = [s for s in idea_sentences(gap_year, school_year=2023, threshold=3.0,
                                               consecutive_years=2)
                     if "with disabilities" in s]
    assert sentence.endswith("in 2023–24. Not (yet) significant disproportionality: IDEA "
                             "requires 2 consecutive years above the threshold, and 2023–24 is "
                             "the first year in a row above it.")


@pytest.mark.slow
def test_sample_district_d03_shows_the_planted_categories(sample_audit):
    from equitykit.report._sections import outcomes, summary

    audit = sample_audit("D03")
    rows = table(outcomes(audit, "programmatic").data, CAPTION)  # as the notebook shows it
    flagged = {(r["group"], r["category"]): r for r in rows}
    for category in ("emotional disturbance", "intellectual disability"):
        row = flagged[("Black students", f"identified for special education ({category})")]
        assert row["flag"] == "significant disproportionality"
        assert row["years above the threshold"] == "2021–22, 2022–23, 2023–24"
    text = html.unescape(summary(audit))
    assert "IDEA significant disproportionality" in text
    assert "to be identified for special education (emotional disturbance), above" in text


@pytest.mark.slow
def test_the_notebook_report_shows_the_idea_block(audit_dir):
    """The shipped notebook's programmatic cell (``report.outcomes(audit, "programmatic")``)
    puts the IDEA table (or the line saying no group is above) in ``equitykit audit``'s HTML."""
    page = html.unescape((audit_dir / "audit.html").read_text(encoding="utf-8"))
    programmatic = page[page.index('id="Programmatic-equity"'):
                        page.index('id="Teacher-quality-equity"')]
    assert "IDEA significant disproportionality (34 CFR 300.647): no group is above" in (
        programmatic)


def test_no_group_above_the_threshold_says_whom_the_federal_test_covers(sample_audit):
    from equitykit.report._sections import _idea_block

    audit = sample_audit("D01")
    text = html.unescape(_idea_block(audit))
    assert "no group is above" in text  # D01 has none in 2023–24
    assert ("covers the identification, placement and discipline of students with "
            "disabilities only") in text
