"""IDEA's verdict on students with disabilities reaches the discipline finding of their group."""

from __future__ import annotations

import math

import pytest
from test_findings_rules import _rr, _table

from equitykit.audit import rank_findings


def _idea_row(outcome, group, flagged, comparison="swd_other", year=2023, suppressed=False):
    return {"school_year": year, "school_id": "", "section": "programmatic",
            "measure": "risk_ratio", "outcome": outcome,
            "dimension": "race_ethnicity×disability", "group": f"{group}×true",
            "comparison": comparison, "n": 60.0, "numerator": 20.0, "value": 3.4,
            "ci_low": math.nan, "ci_high": math.nan, "p_value": math.nan,
            "q_value": math.nan, "suppressed": suppressed, "flagged": flagged,
            "note": "IDEA: above the risk-ratio threshold" if flagged else ""}


BASE = [_rr("oss", "race_ethnicity", "Black", 3.0, 2.0, 4.5, 0.001),
        _rr("oss", "race_ethnicity", "Hispanic/Latino", 2.0, 1.5, 2.6, 0.001),
        _rr("iss", "race_ethnicity", "Black", 2.0, 1.5, 2.6, 0.001)]


def _by_title(findings):
    return {(f["outcome"], f["group"]): f for f in findings}


@pytest.mark.parametrize("comparison", ["swd_other", "state_other"])
def test_flagged_students_with_disabilities_flag_the_group_finding(comparison):
    plain = _by_title(rank_findings(_table(BASE), school_year=2023))
    rows = [*BASE, _idea_row("oss", "Black", True, comparison),
            _idea_row("oss", "Hispanic/Latino", False, comparison)]
    weighted = _by_title(rank_findings(_table(rows), school_year=2023))
    black = weighted[("oss", "Black")]
    assert black["idea_flagged"] is True
    assert black["score"] == pytest.approx(1.5 * plain[("oss", "Black")]["score"], abs=1e-3)
    assert weighted[("oss", "Hispanic/Latino")]["idea_flagged"] is False
    assert weighted[("iss", "Black")]["idea_flagged"] is False  # another outcome


def test_other_years_and_suppressed_rows_do_not_flag():
    rows = [*BASE, _idea_row("oss", "Black", True, year=2022),
            _idea_row("oss", "Black", False, suppressed=True)]
    assert _by_title(rank_findings(_table(rows), school_year=2023))[
        ("oss", "Black")]["idea_flagged"] is False
