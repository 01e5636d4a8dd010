"""Discipline at each decision point, through the audit: every published number against a
hand computation on a small district (and statsmodels for the within-offense ratio), and the
privacy gate on the new rows."""

from __future__ import annotations

import numpy as np
import pytest
from _discipline_district import discipline_audit
from statsmodels.stats.contingency_tables import StratifiedTable


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return discipline_audit(tmp_path_factory.mktemp("discipline")).published


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
    published = discipline_audit(tmp_path, asian=5, min_n=10).published
    asian = published[(published["group"] == "Asian") & (published["school_id"] == "")
                      & published["outcome"].isin(["oss", "referred",
                                                   "exclusionary_given_referral"])]
    assert {"days_lost_per_100", "within_offense_risk_ratio", "rate"} <= set(asian["measure"])
    assert asian["suppressed"].all() and asian["value"].isna().all()
    # The Black students' two repeat suspensions are a small count: withheld too.
    repeat = published[(published["outcome"] == "suspended_2plus")
                       & (published["group"] == "Black") & (published["school_id"] == "")]
    assert repeat["suppressed"].all()
