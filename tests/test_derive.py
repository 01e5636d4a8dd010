"""derive_outcomes: each outcome's rule and population, worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from equitykit import schema
from equitykit.config import AuditConfig, ChronicAbsence
from equitykit.intake import derive_outcomes

NA = pd.NA


def _ints(values):
    return pd.array(values, dtype="Int64")


def _bools(values):
    return pd.array(values, dtype="boolean")


def test_chronic_absence_threshold_is_inclusive_and_needs_enough_days():
    # 10% exactly (3/30, 17/170, 18/180) is chronic, also where 0.1 * days is not exact in floats.
    s = pd.DataFrame({
        "days_enrolled": _ints([30, 170, 180, 180, 9, 10, None, 0, 180]),
        "days_absent": _ints([3, 17, 18, 17, 9, 1, 5, 0, None]),
    })
    assert derive_outcomes(s)["chronic_absent"].tolist() == [
        True, True, True, False, NA, True, NA, NA, NA]


def test_chronic_absence_follows_the_config():
    s = pd.DataFrame({"days_enrolled": _ints([100, 100, 15]),
                      "days_absent": _ints([15, 14, 15])})
    config = AuditConfig(chronic_absence=ChronicAbsence(threshold=0.15, min_days_enrolled=20))
    assert derive_outcomes(s, config)["chronic_absent"].tolist() == [True, False, NA]


def test_suspensions():
    s = pd.DataFrame({
        "iss_days": [0.0, 1.0, None, 0.5],
        "oss_days": [0.0, None, 2.0, None],
        "oss_count": [0.0, 1.0, None, 0.0],
    })
    out = derive_outcomes(s)
    assert out["iss"].tolist() == [False, True, NA, True]
    # oss: either measure above zero; unknown only when nothing says yes and one is unknown
    assert out["oss"].tolist() == [False, True, True, NA]
    only_count = derive_outcomes(s.drop(columns="oss_days"))
    assert only_count["oss"].tolist() == [False, True, NA, False]


def test_placements_only_for_students_with_disabilities():
    s = pd.DataFrame({
        "disability": _bools([True, True, True, False, True, NA]),
        "placement": pd.Categorical(["regular_lt_40", "separate", "regular_80_plus",
                                     "separate", None, "separate"],
                                    categories=schema.PLACEMENTS),
    })
    out = derive_outcomes(s)
    assert out["placement_lt40"].tolist() == [True, False, False, NA, NA, NA]
    assert out["placement_separate"].tolist() == [False, True, False, NA, NA, NA]


def test_grade_limited_outcomes():
    grades = pd.Categorical(["8", "9", "12", "7", "K", "8"], categories=schema.GRADES,
                            ordered=True)
    s = pd.DataFrame({
        "grade": grades,
        "advanced_course": _bools([True, True, False, True, False, NA]),
        "algebra1_grade8": _bools([True, True, False, True, False, NA]),
    })
    out = derive_outcomes(s)
    assert out["advanced_course"].tolist() == [NA, True, False, NA, NA, NA]
    assert out["algebra1_grade8"].tolist() == [True, NA, NA, NA, NA, NA]


def test_proficiency_uses_the_configured_level():
    s = pd.DataFrame({"math_level": _ints([1, 2, 3, 4, None]),
                      "ela_level": _ints([3, 3, 2, None, 4])})
    out = derive_outcomes(s)
    assert out["math_proficient"].tolist() == [False, False, True, True, NA]
    assert out["ela_proficient"].tolist() == [True, True, False, NA, True]
    level2 = derive_outcomes(s, AuditConfig(proficiency_level=2))
    assert level2["math_proficient"].tolist() == [False, True, True, True, NA]


def test_flags_pass_through_and_outcomes_follow_their_sources():
    s = pd.DataFrame({
        "disability": _bools([True, False]),
        "expelled": _bools([False, NA]),
        "retained": _bools([NA, NA]),
        "grade": pd.Categorical(["3", "4"], categories=schema.GRADES),
        "algebra1_grade8": _bools([True, False]),  # nobody in grade 8: no population
    })
    out = derive_outcomes(s)
    added = [c for c in out.columns if c in schema.OUTCOMES]
    assert added == ["disability", "expelled", "retained", "algebra1_grade8"]
    assert out["expelled"].tolist() == [False, NA]
    assert out["algebra1_grade8"].isna().all()  # the all-students flag is not an outcome rate
    assert all(str(out[c].dtype) == "boolean" for c in added)
    assert s["algebra1_grade8"].tolist() == [True, False]  # the input is not changed


@pytest.mark.parametrize("name", sorted(schema.OUTCOMES))
def test_every_outcome_has_a_rule(name):
    """Every outcome in the schema can be derived from a full students table."""
    full = pd.DataFrame({
        "days_enrolled": _ints([180]), "days_absent": _ints([20]), "iss_days": [1.0],
        "oss_days": [0.0], "oss_count": [0.0],
        "disability": _bools([True]),
        "placement": pd.Categorical(["separate"], categories=schema.PLACEMENTS),
        "disability_category": pd.Categorical(["AUT"], categories=schema.DISABILITY_CATEGORIES),
        "grade": pd.Categorical(["8"], categories=schema.GRADES),
        "advanced_course": _bools([False]), "algebra1_grade8": _bools([True]),
        "math_level": _ints([3]), "ela_level": _ints([2]),
        **{c: _bools([False]) for c in ("expelled", "referred_law_enforcement", "arrested",
                                        "gifted", "graduated_4yr", "dropped_out", "retained",
                                        "referred", "subjective_referral",
                                        "exclusionary_given_referral",
                                        "restorative_given_referral")},
    })
    if name == "advanced_course":
        full["grade"] = pd.Categorical(["10"], categories=schema.GRADES)
    assert pd.notna(derive_outcomes(full)[name].iloc[0])


def test_idea_category_identification():
    """One category's identification: True for that category, False for other students,
    unknown for a student with a disability but no category."""
    students = pd.DataFrame({
        "disability": _bools([True, True, False, True, None]),
        "disability_category": pd.Categorical(
            ["ID", "SLD", None, None, None], categories=schema.DISABILITY_CATEGORIES
        ),
    })
    out = derive_outcomes(students)
    expected_id = pd.Series([True, False, False, None, None], dtype="boolean", name="disability_ID")
    expected_sld = pd.Series([False, True, False, None, None], dtype="boolean",
                             name="disability_SLD")
    pd.testing.assert_series_equal(out["disability_ID"], expected_id)
    pd.testing.assert_series_equal(out["disability_SLD"], expected_sld)
