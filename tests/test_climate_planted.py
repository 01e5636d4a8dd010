"""The belonging and response gaps planted in the sample surveys are found by the audit of
the largest sample district (D03): LGBTQ+ students' belonging about 15 points lower, Black
staff's belonging lower, English learners' families finding communication less favorable,
English learners answering the survey less often; and no gap where none was planted."""

from __future__ import annotations

import pytest


def _gap(audit, outcome, dimension, group):
    p = audit.published
    hit = p[(p["school_id"] == "") & (p["school_year"] == audit.school_year)
            & (p["outcome"] == outcome) & (p["measure"] == "risk_difference")
            & (p["comparison"] == "all_other") & (p["dimension"] == dimension)
            & (p["group"] == group)]
    assert len(hit) == 1 and not hit["suppressed"].iloc[0], (outcome, group)
    return hit.iloc[0]


@pytest.mark.parametrize(("outcome", "dimension", "group", "low", "high"), [
    ("favorable_belonging", "sexual_orientation", "gay_or_lesbian", -0.25, -0.07),
    ("favorable_belonging", "sexual_orientation", "bisexual", -0.25, -0.07),
    ("favorable_belonging", "race_ethnicity", "Black", -0.30, -0.10),
    ("staff_favorable_belonging", "race_ethnicity", "Black", -0.30, -0.08),
    ("family_favorable_communication", "english_learner", "true", -0.35, -0.12),
    ("survey_response", "english_learner", "true", -0.30, -0.10),
])
def test_planted_gap_is_found(sample_audit, outcome, dimension, group, low, high):
    gap = _gap(sample_audit("D03"), outcome, dimension, group)
    assert low <= gap["value"] <= high, gap["value"]
    assert gap["ci_high"] < 0  # the interval excludes no gap


@pytest.mark.parametrize(("outcome", "dimension", "group"), [
    ("favorable_adult_support", "race_ethnicity", "Black"),
    ("staff_favorable_cultural_responsiveness", "race_ethnicity", "Black"),
    ("family_favorable_belonging", "english_learner", "true"),
])
def test_no_gap_where_none_was_planted(sample_audit, outcome, dimension, group):
    gap = _gap(sample_audit("D03"), outcome, dimension, group)
    assert gap["ci_low"] <= 0 <= gap["ci_high"], (gap["ci_low"], gap["ci_high"])
