"""Discipline at each decision point, through the audit: every published number against a
hand computation on a small district (and statsmodels for the within-offense ratio), and the
privacy gate on the new rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable

from equitykit.audit import DistrictAudit

# Black 100, White 200, Hispanic 100 students (one school, 2023). Incidents, one per student
# unless said: Black: 30 defiance (20 OSS of 2 days, 10 restorative), 10 fighting (6 OSS of 3
# days, 4 restorative), and students B0 and B1 a second defiance OSS of 1 day. White: 20
# defiance (5 OSS of 2 days, 15 restorative), 20 fighting (10 OSS of 3 days, 10 restorative),
# W0 and W1 a second defiance OSS of 1 day. Hispanic students: none.
_PLAN = {  # race -> [(offense, action, days, students)]
    "Black": [("DEF", "oss", 2, 20), ("DEF", "restorative_conference", None, 10),
              ("FIG", "oss", 3, 6), ("FIG", "restorative_conference", None, 4)],
    "White": [("DEF", "oss", 2, 5), ("DEF", "restorative_conference", None, 15),
              ("FIG", "oss", 3, 10), ("FIG", "restorative_conference", None, 10)],
}
_SIZES = {"Black": 100, "White": 200, "Hispanic/Latino": 100, "Asian": 0}
CONFIG = """
discipline:
  offenses:
    DEF: {category: defiance, subjective: true}
    FIG: {category: fighting, subjective: false}
focus: {dimension: race_ethnicity, group: Black, reference: White}
"""


def _folder(tmp_path, *, asian: int = 0, min_n: int = 1):
    sizes = {**_SIZES, "Asian": asian}
    ids = {race: [f"{race[0]}{i}" for i in range(n)] for race, n in sizes.items()}
    students = pd.DataFrame([
        {"student_id": sid, "school_year": 2023, "district_id": "d1", "school_id": "s1",
         "grade": "7", "race_ethnicity": race, "sex": "F", "econ_disadvantaged": "false",
         "english_learner": "false", "disability": "false"}
        for race, names in ids.items() for sid in names])
    rows = []
    for race, plan in _PLAN.items():
        start = 0
        for offense, action, days, count in plan:
            rows += [{"student_id": sid, "offense_code": offense, "action": action,
                      "days": days} for sid in ids[race][start:start + count]]
            start += count
        rows += [{"student_id": sid, "offense_code": "DEF", "action": "oss", "days": 1}
                 for sid in ids[race][:2]]
    if asian:
        rows.append({"student_id": ids["Asian"][0], "offense_code": "DEF", "action": "oss",
                     "days": 2})
    incidents = pd.DataFrame(rows).assign(school_year=2023, district_id="d1",
                                          school_id="s1")
    data = tmp_path / "data"
    data.mkdir()
    students.to_csv(data / "students.csv", index=False)
    incidents.to_csv(data / "incidents.csv", index=False)
    config = tmp_path / "config.yml"
    config.write_text(CONFIG + f"privacy: {{min_n: {min_n}, top_bottom_coding: false}}\n")
    return DistrictAudit.run(data_dir=data, district_id="d1", config_path=config)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return _folder(tmp_path_factory.mktemp("discipline")).published


def _value(published, outcome, measure, group="Black", comparison=None, dimension=None):
    rows = published[(published["outcome"] == outcome) & (published["measure"] == measure)
                     & (published["group"] == group) & (published["school_id"] == "")
                     & (published["dimension"] == (dimension or (
                         "all" if group == "all" else "race_ethnicity")))]
    if comparison is not None:
        rows = rows[rows["comparison"] == comparison]
    assert len(rows) == 1, (outcome, measure, group, len(rows))
    return rows.iloc[0]


@pytest.mark.parametrize(("outcome", "group", "rate"), [
    ("referred", "Black", 40 / 100), ("referred", "White", 40 / 200),
    ("referred", "Hispanic/Latino", 0.0),
    ("subjective_referral", "Black", 30 / 40), ("subjective_referral", "White", 20 / 40),
    ("exclusionary_given_referral", "Black", 26 / 40),
    ("exclusionary_given_referral", "White", 15 / 40),
    ("restorative_given_referral", "Black", 14 / 40),
    ("restorative_given_referral", "White", 25 / 40),
    ("suspended_2plus", "Black", 2 / 100), ("suspended_2plus", "White", 2 / 200),
    ("oss", "Black", 26 / 100), ("oss", "White", 15 / 200),
])
def test_rates_by_hand(published, outcome, group, rate):
    assert _value(published, outcome, "rate", group)["value"] == pytest.approx(rate, abs=1e-9)


@pytest.mark.parametrize(("outcome", "ratio"), [
    ("referred", (40 / 100) / (40 / 300)),  # referral risk ratio vs all other students
    ("subjective_referral", (30 / 40) / (20 / 40)),
    ("exclusionary_given_referral", (26 / 40) / (15 / 40)),
    ("restorative_given_referral", (14 / 40) / (25 / 40)),
])
def test_risk_ratios_against_all_others_by_hand(published, outcome, ratio):
    row = _value(published, outcome, "risk_ratio", comparison="all_other")
    assert row["value"] == pytest.approx(ratio, abs=1e-9)


def test_focus_reference_ratio_by_hand(published):
    row = _value(published, "referred", "relative_rate_index", comparison="White")
    assert row["value"] == pytest.approx((40 / 100) / (40 / 200), abs=1e-9)
    gap = _value(published, "referred", "rate_difference", comparison="White")
    assert gap["value"] == pytest.approx(0.4 - 0.2, abs=1e-9)


@pytest.mark.parametrize(("race", "days", "students"), [
    ("Black", 20 * 2 + 6 * 3 + 2 * 1, 100), ("White", 5 * 2 + 10 * 3 + 2 * 1, 200),
    ("Hispanic/Latino", 0, 100), ("all", 102, 400),
])
def test_days_lost_per_100_students_by_hand(published, race, days, students):
    row = _value(published, "oss", "days_lost_per_100", race)
    assert row["value"] == pytest.approx(100 * days / students, abs=1e-9)


@pytest.mark.parametrize(("outcome", "black", "white"), [
    # incidents (with the action, all) per offense: defiance, fighting
    ("exclusionary_given_referral", [(22, 32), (6, 10)], [(7, 22), (10, 20)]),
    ("restorative_given_referral", [(10, 32), (4, 10)], [(15, 22), (10, 20)]),
])
def test_within_offense_ratio_matches_statsmodels(published, outcome, black, white):
    table = StratifiedTable(np.stack([
        np.array([[b[0], b[1] - b[0]], [w[0], w[1] - w[0]]])
        for b, w in zip(black, white, strict=True)], axis=2).astype(float))
    row = _value(published, outcome, "within_offense_risk_ratio", comparison="all_other")
    assert row["value"] == pytest.approx(table.riskratio_pooled, abs=1e-9)
    assert row["p_value"] == pytest.approx(table.test_null_odds(correction=False).pvalue,
                                           abs=1e-9)
    # published with its cell's students, so the gate treats it like the rate
    rate = _value(published, outcome, "rate")
    assert (row["n"], row["numerator"]) == (rate["n"], rate["numerator"])


def test_small_groups_are_withheld_in_every_new_row(tmp_path):
    published = _folder(tmp_path, asian=5, min_n=10).published
    asian = published[(published["group"] == "Asian") & (published["school_id"] == "")
                      & published["outcome"].isin(["oss", "referred",
                                                   "exclusionary_given_referral"])]
    assert {"days_lost_per_100", "within_offense_risk_ratio", "rate"} <= set(asian["measure"])
    assert asian["suppressed"].all() and asian["value"].isna().all()
    # The Black students' two repeat suspensions are a small count: withheld too.
    repeat = published[(published["outcome"] == "suspended_2plus")
                       & (published["group"] == "Black") & (published["school_id"] == "")]
    assert repeat["suppressed"].all()
