"""Ranking systemic contributors: which disparities become findings, and their scores."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from equitykit.audit import FindingRules, rank_findings


def _rr(outcome, dimension, group, value, low, high, q, year=2023, flagged=False):
    return {"school_year": year, "school_id": "", "section": "programmatic",
            "measure": "risk_ratio", "outcome": outcome, "dimension": dimension,
            "group": group, "comparison": "all_other", "n": 200.0, "numerator": 40.0,
            "value": value, "ci_low": low, "ci_high": high, "p_value": q / 2, "q_value": q,
            "suppressed": False, "flagged": flagged, "note": ""}


def _extra(outcome, dimension, group, measure, value, note="", year=2023):
    return {"school_year": year, "school_id": "", "section": "programmatic",
            "measure": measure, "outcome": outcome, "dimension": dimension, "group": group,
            "comparison": "all_other" if measure != "rate" else "", "n": 200.0,
            "numerator": 40.0, "value": value, "ci_low": math.nan, "ci_high": math.nan,
            "p_value": math.nan, "q_value": math.nan, "suppressed": False, "flagged": False,
            "note": note}


def _table(rows):
    return pd.DataFrame(rows)


def test_certain_material_adverse_disparity_is_a_finding_with_its_score():
    rows = [
        _rr("oss", "race_ethnicity", "Black", 3.0, 2.0, 4.5, 0.001),
        _rr("oss", "race_ethnicity", "Black", 2.8, 1.9, 4.1, 0.001, year=2022),
        _rr("oss", "race_ethnicity", "Black", 1.1, 0.8, 1.5, 0.6, year=2021),
        _extra("oss", "race_ethnicity", "Black", "rate", 0.2),
        _extra("oss", "race_ethnicity", "Black", "excess_students", 26.7),
        _extra("oss", "race_ethnicity", "Black", "between_school_share", 0.1, "within_schools"),
    ]
    [finding] = rank_findings(_table(rows), school_year=2023)
    # magnitude |ln 3| × persistence (2 of 3 years: 1 + 0.5) × reach (1 + log10(1 + 26.7))
    expected = math.log(3.0) * 1.5 * (1 + math.log10(27.7))
    assert finding["score"] == pytest.approx(expected, abs=1e-4)
    assert finding["locus"] == "within_schools"
    assert finding["years_persistent"] == 2
    assert finding["excess_students"] == pytest.approx(26.7)
    assert "3.0 times as likely" in finding["statement"]
    assert "20.0% vs 6.7%" in finding["statement"]  # 0.2 / 3.0 for all other students
    assert "within schools: the gap is there among students of the same schools" in finding[
        "statement"]


@pytest.mark.parametrize(
    ("value", "low", "high", "q", "why"),
    [
        (1.6, 0.9, 2.8, 0.01, "interval includes parity"),
        (1.6, 1.2, 2.1, 0.20, "not significant after Benjamini-Hochberg"),
        (1.2, 1.1, 1.3, 0.001, "smaller than the 1.25 materiality rule"),
        (0.5, 0.4, 0.6, 0.001, "an adverse outcome that is less likely is not a disparity"),
    ],
)
def test_rules_keep_out(value, low, high, q, why):
    rows = [_rr("oss", "race_ethnicity", "Black", value, low, high, q)]
    assert rank_findings(_table(rows), school_year=2023) == [], why


def test_opportunity_gap_and_mirror_group():
    rows = [
        _rr("gifted", "race_ethnicity", "Hispanic/Latino", 0.4, 0.3, 0.55, 0.001),
        _rr("gifted", "econ_disadvantaged", "false", 2.4, 1.9, 3.0, 0.001),
        _rr("gifted", "econ_disadvantaged", "true", 0.42, 0.33, 0.52, 0.001),
    ]
    found = rank_findings(_table(rows), school_year=2023)
    assert {(f["dimension"], f["group"]) for f in found} == {
        ("econ_disadvantaged", "true"), ("race_ethnicity", "Hispanic/Latino")
    }  # the "false" group is the mirror image, not a finding of its own
    assert all(f["locus"] is None for f in found)  # no school-level split published


def test_idea_flag_weighs_half_again():
    plain = _rr("disability_ID", "race_ethnicity", "Black", 4.0, 3.0, 5.3, 0.001)
    flagged = _rr("disability_EMN", "race_ethnicity", "Black", 4.0, 3.0, 5.3, 0.001,
                  flagged=True)
    found = {f["outcome"]: f for f in rank_findings(_table([plain, flagged]), school_year=2023)}
    assert found["disability_EMN"]["score"] == pytest.approx(
        1.5 * found["disability_ID"]["score"], abs=1e-4  # scores are rounded to 4 decimals
    )
    assert found["disability_EMN"]["rank"] == 1


def test_suppressed_rows_never_become_findings():
    row = _rr("oss", "race_ethnicity", "Black", 3.0, 2.0, 4.5, 0.001)
    row["suppressed"] = True
    assert rank_findings(_table([row]), school_year=2023) == []


def test_stricter_q_threshold():
    rows = [_rr("oss", "race_ethnicity", "Black", 3.0, 2.0, 4.5, 0.03)]
    assert rank_findings(_table(rows), school_year=2023)
    assert not rank_findings(_table(rows), school_year=2023,
                             rules=FindingRules(q_threshold=0.01))


@pytest.mark.parametrize(
    ("share", "locus", "words"),
    [
        (-0.03, "within_schools",
         "More than the whole gap (103%) lies within schools: the gap is there among students "
         "of the same schools; where students are enrolled runs the other way"),
        (0.14, "within_schools",
         "Most of the gap (86%) lies within schools: the gap is there among students of the "
         "same schools"),
        (0.74, "between_schools",
         "Most of the gap (74%) lies between schools: it comes from where students are "
         "enrolled"),
        (1.08, "between_schools", "More than the whole gap (108%) lies between schools: it "
         "comes from where students are enrolled; within the same schools it runs the other "
         "way"),
        (0.45, "mixed", "The gap is split: 45% between schools, 55% within schools"),
        # Over 100% only as printed: 100.4% is practically all of it, not more than all.
        (-0.004, "within_schools", "Practically all of the gap (100%) lies within schools: the "
         "gap is there among students of the same schools"),
        (0.998, "between_schools", "Practically all of the gap (100%) lies between schools: it "
         "comes from where students are enrolled"),
    ],
)
def test_locus_sentence(share, locus, words):
    rows = [
        _rr("oss", "race_ethnicity", "Black", 3.0, 2.0, 4.5, 0.001),
        _extra("oss", "race_ethnicity", "Black", "between_school_share", share, locus),
    ]
    [finding] = rank_findings(_table(rows), school_year=2023)
    assert words in finding["statement"]
    assert finding["locus"] == locus
