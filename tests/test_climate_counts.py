"""Climate counts: a respondent counted once per construct (favorable when at least half of
their answers to it are), per role, school and group; the item → construct map; the fallback
without respondent ids; response rates of enrolled students. Hand-computed values."""

from __future__ import annotations

import pandas as pd
import pytest

from equitykit.audit._climate import climate_counts
from equitykit.schema import RESPONSE_OUTCOME, construct_outcome


def _survey(rows):
    """rows: (school, role, respondent, race, item, domain, favorable)."""
    frame = pd.DataFrame(rows, columns=["school_id", "role", "respondent_id", "race_ethnicity",
                                        "item", "domain", "favorable"])
    return frame.assign(district_id="X", school_year=2023, response=3)


# Two students at school A (Black r1: 2 of 3 belonging favorable → favorable; White r2:
# 1 of 3 → not), one at school B (Black r3: 1 of 2 answered → favorable, share 0.5).
STUDENTS = [
    ("A", "student", "r1", "Black", "b1", "belonging", True),
    ("A", "student", "r1", "Black", "b2", "belonging", True),
    ("A", "student", "r1", "Black", "b3", "belonging", False),
    ("A", "student", "r2", "White", "b1", "belonging", False),
    ("A", "student", "r2", "White", "b2", "belonging", True),
    ("A", "student", "r2", "White", "b3", "belonging", False),
    ("B", "student", "r3", "Black", "b1", "belonging", True),
    ("B", "student", "r3", "Black", "b2", "belonging", False),
]


def _pick(counts, measure, dimension="all", group="all", school=""):
    hit = counts[(counts["measure"] == measure) & (counts["dimension"] == dimension)
                 & (counts["group"] == group) & (counts["school_id"] == school)]
    assert len(hit) == 1, (measure, dimension, group, school)
    return float(hit["numerator"].iloc[0]), float(hit["denominator"].iloc[0])


def test_a_respondent_counts_once_per_construct():
    counts = climate_counts(_survey(STUDENTS))
    assert _pick(counts, "favorable_belonging") == (2.0, 3.0)
    assert _pick(counts, "favorable_belonging", "race_ethnicity", "Black") == (2.0, 2.0)
    assert _pick(counts, "favorable_belonging", "race_ethnicity", "White") == (0.0, 1.0)
    assert _pick(counts, "favorable_belonging", school="A") == (1.0, 2.0)
    # Schools are counted for all respondents only: no school × group cells.
    school_groups = counts[(counts["school_id"] != "") & (counts["dimension"] != "all")]
    assert school_groups.empty


def test_item_map_makes_constructs_and_roles_get_their_own_outcomes():
    staff = [("A", "staff", "s1", "Black", "v1", "misc", False),
             ("A", "staff", "s1", "Black", "v2", "misc", True),
             ("A", "staff", "s2", "White", "v1", "misc", True),
             ("A", "family", "f1", "Asian", "c1", "comm", True)]
    counts = climate_counts(_survey(STUDENTS + staff),
                            constructs={"b3": "safety", "v1": "belonging", "v2": "belonging"})
    # b3 moves to safety: r1 has b1, b2 favorable → 1; r2 b1 no, b2 yes → share .5 → 1.
    assert _pick(counts, "favorable_belonging") == (3.0, 3.0)
    assert _pick(counts, "favorable_safety") == (0.0, 2.0)
    assert _pick(counts, "staff_favorable_belonging") == (2.0, 2.0)
    assert _pick(counts, "staff_favorable_belonging", "race_ethnicity", "White") == (1.0, 1.0)
    assert _pick(counts, "family_favorable_comm") == (1.0, 1.0)
    assert construct_outcome("family", "comm") == "family_favorable_comm"


def test_staff_race_comes_from_the_staff_table_by_staff_id():
    survey = pd.DataFrame({"district_id": "X", "school_year": 2023, "school_id": "A",
                           "role": "staff", "staff_id": ["t1", "t1", "t2", "t2"],
                           "item": ["v1", "v2", "v1", "v2"], "domain": "belonging",
                           "response": 3, "favorable": [True, False, False, False]})
    staff = pd.DataFrame({"staff_id": ["t1", "t2"], "school_year": 2023,
                          "race_ethnicity": ["Black", "White"]})
    counts = climate_counts(survey, staff=staff)
    assert _pick(counts, "staff_favorable_belonging", "race_ethnicity", "Black") == (1.0, 1.0)
    assert _pick(counts, "staff_favorable_belonging", "race_ethnicity", "White") == (0.0, 1.0)


def test_without_respondent_ids_the_counts_are_answers_per_item():
    survey = _survey(STUDENTS).drop(columns="respondent_id")
    counts = climate_counts(survey)
    # 8 answers over 3 items → 2.67 → 3 answers per item; 4 favorable / 3 → 1.33 → 1.
    assert _pick(counts, "favorable_belonging") == (1.0, 3.0)


def test_response_rates_are_respondents_over_enrolled_students_of_the_grades_reached():
    survey = _survey(STUDENTS).assign(grade="8")
    students = pd.DataFrame({
        "student_id": [f"s{i}" for i in range(7)], "school_year": 2023,
        "school_id": ["A", "A", "A", "A", "B", "B", "C"],
        "grade": ["8", "8", "8", "5", "8", "8", "8"],
        "race_ethnicity": ["Black", "White", "White", "Black", "Black", "White", "Black"],
    })
    counts = climate_counts(survey, students=students)
    # Grade 8 at schools A and B (C had no respondents; grade 5 was not surveyed): 5 enrolled.
    assert _pick(counts, RESPONSE_OUTCOME) == (3.0, 5.0)
    assert _pick(counts, RESPONSE_OUTCOME, "race_ethnicity", "Black") == (2.0, 2.0)
    assert _pick(counts, RESPONSE_OUTCOME, "race_ethnicity", "White") == (1.0, 3.0)
    assert _pick(counts, RESPONSE_OUTCOME, school="B") == (1.0, 2.0)


def test_student_demographics_join_by_student_id():
    survey = _survey(STUDENTS).drop(columns=["race_ethnicity", "respondent_id"])
    survey["student_id"] = [s[2] for s in STUDENTS]
    students = pd.DataFrame({"student_id": ["r1", "r2", "r3"], "school_year": 2023,
                             "school_id": ["A", "A", "B"], "grade": "8",
                             "race_ethnicity": ["Black", "White", "Black"]})
    counts = climate_counts(survey, students=students)
    assert _pick(counts, "favorable_belonging", "race_ethnicity", "Black") == (2.0, 2.0)
    assert _pick(counts, RESPONSE_OUTCOME) == (3.0, 3.0)


def test_no_favorable_column_gives_nothing():
    assert climate_counts(_survey(STUDENTS).drop(columns="favorable")) is None


@pytest.mark.parametrize("level", ["", "A"])
def test_every_count_is_whole_and_at_most_its_denominator(level):
    counts = climate_counts(_survey(STUDENTS))
    part = counts[counts["school_id"] == level]
    assert (part["numerator"] % 1 == 0).all() and (part["numerator"] <= part["denominator"]).all()


def test_groups_that_do_not_fit_the_roster_leave_their_dimension_out():
    # The survey says r1 and r3 are Black; the student table has only White students.
    students = pd.DataFrame({"student_id": [f"s{i}" for i in range(4)], "school_year": 2023,
                             "school_id": ["A", "A", "B", "B"], "grade": "8",
                             "race_ethnicity": "White"})
    counts = climate_counts(_survey(STUDENTS).assign(grade="8"), students=students)
    responses = counts[counts["measure"] == RESPONSE_OUTCOME]
    assert set(responses["dimension"]) == {"all"}
    assert _pick(counts, RESPONSE_OUTCOME) == (3.0, 4.0)


def test_answers_per_item_rounded_apart_never_break_the_comparison_group():
    # Without ids: all 1.5 → 2 favorable of 2.5 → 2 answers per item; Black 0.5 → 0 of
    # 1.5 → 2: the other respondents would have 2 favorable of 0. Race is left out.
    rows = [("A", "student", None, "Black", "b1", "belonging", False),
            ("A", "student", None, "White", "b1", "belonging", True),
            ("A", "student", None, "Black", "b2", "belonging", True),
            ("A", "student", None, "White", "b2", "belonging", True),
            ("A", "student", None, "Black", "b2", "belonging", False)]
    counts = climate_counts(_survey(rows).drop(columns="respondent_id"))
    for _, r in counts.iterrows():
        assert r["numerator"] <= r["denominator"]
    whole = counts[counts["dimension"] == "all"].set_index(["school_id"])
    for _, r in counts[counts["dimension"] != "all"].iterrows():
        total = whole.loc[r["school_id"]]
        assert total["numerator"] - r["numerator"] <= total["denominator"] - r["denominator"]
