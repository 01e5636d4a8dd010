"""The sample districts' planted decision-point disparities (data_samples/README.md) are
recovered by the audit: Black students are referred more, more often for subjective offenses,
and, for the same offense, excluded more and offered a restorative conference less."""

from __future__ import annotations

import pytest

FAST = ("D01", "D02")
DISTRICTS = [pytest.param(d, marks=() if d in FAST else pytest.mark.slow)
             for d in ("D01", "D02", "D03")]


def _black(audit, outcome, measure):
    p = audit.published
    rows = p[(p["school_year"] == audit.school_year) & (p["school_id"] == "")
             & (p["dimension"] == "race_ethnicity") & (p["group"] == "Black")
             & (p["outcome"] == outcome) & (p["measure"] == measure)
             & (p["comparison"] == "all_other")]
    assert len(rows) == 1 and not rows["suppressed"].iloc[0]
    return rows.iloc[0]


@pytest.mark.parametrize("district_id", DISTRICTS)
@pytest.mark.parametrize(("outcome", "measure", "above_one"), [
    ("referred", "risk_ratio", True),
    ("subjective_referral", "risk_ratio", True),
    ("exclusionary_given_referral", "within_offense_risk_ratio", True),
    ("restorative_given_referral", "within_offense_risk_ratio", False),
])
def test_planted_decision_point_disparity_is_recovered(sample_audit, district_id, outcome,
                                                       measure, above_one):
    row = _black(sample_audit(district_id), outcome, measure)
    if above_one:
        assert row["ci_low"] > 1.0, (district_id, outcome, row["value"])
    else:
        assert row["ci_high"] < 1.0, (district_id, outcome, row["value"])


@pytest.mark.parametrize("district_id", DISTRICTS)
def test_black_students_lose_more_days_per_100(sample_audit, district_id):
    audit = sample_audit(district_id)
    p = audit.published
    days = p[(p["school_year"] == audit.school_year) & (p["school_id"] == "")
             & (p["measure"] == "days_lost_per_100")].set_index("group")["value"]
    assert days["Black"] > 1.5 * days["all"]  # planted: 1.9× (D03) to 2.8× (D01)
