"""Sexual orientation and gender identity: their own minimum n (privacy.sensitive_min_n,
default 20), withheld before the gate as primary cells so complementary suppression
protects them, never crossed with another dimension."""

from __future__ import annotations

import numpy as np
import pandas as pd

from equitykit import metrics, privacy
from equitykit.audit._climate import climate_counts, withhold_sensitive
from equitykit.config import AuditConfig
from equitykit.schema import SENSITIVE_DIMENSIONS


def _survey() -> pd.DataFrame:
    # 100 students: 60 heterosexual, 25 bisexual, 15 gay or lesbian (over min_n 10, under 20).
    orientation = ["heterosexual"] * 60 + ["bisexual"] * 25 + ["gay_or_lesbian"] * 15
    race = (["Black"] * 15 + ["White"] * 85)
    favorable = np.arange(100) % 3 != 0
    return pd.DataFrame({
        "district_id": "X", "school_year": 2023, "school_id": "A", "role": "student",
        "respondent_id": [f"r{i}" for i in range(100)], "race_ethnicity": race,
        "sexual_orientation": orientation, "item": "b1", "domain": "belonging",
        "response": 3, "favorable": favorable})


def _published(min_n_sensitive: int) -> pd.DataFrame:
    rows = metrics.disproportionality(climate_counts(_survey())).assign(section="climate")
    rows = rows[rows["school_id"] == ""]
    # Rules 1-6 only (no protection interval): this file is about the sensitive minimum n;
    # tests/test_privacy_attack.py holds the protection rule on survey counts.
    return privacy.publish(withhold_sensitive(rows, min_n_sensitive, 10), min_n=10,
                           protection_width=0).table


def _rate(table, dimension, group):
    hit = table[(table["measure"] == "rate") & (table["dimension"] == dimension)
                & (table["group"] == group)]
    return hit.iloc[0]


def test_default_is_twenty():
    assert AuditConfig().privacy.sensitive_min_n == 20


def test_a_group_under_the_sensitive_n_is_withheld_with_a_complement():
    table = _published(20)
    assert _rate(table, "sexual_orientation", "gay_or_lesbian")["suppressed"]
    others = [_rate(table, "sexual_orientation", g)["suppressed"]
              for g in ("heterosexual", "bisexual")]
    assert any(others)  # the total minus the others would give it away
    # The same size is published for an ordinary dimension (min n 10).
    black = _rate(table, "race_ethnicity", "Black")
    assert not black["suppressed"] and black["n"] == 15
    withheld = table[(table["dimension"] == "sexual_orientation")
                     & (table["group"] == "gay_or_lesbian")]
    assert withheld["value"].isna().all() and withheld["n"].isna().all()


def test_the_sensitive_n_is_a_setting():
    assert not _rate(_published(20), "sexual_orientation", "heterosexual")["suppressed"]
    assert _rate(_published(70), "sexual_orientation", "heterosexual")["suppressed"]


def test_a_small_count_without_the_outcome_is_withheld_too():
    # 15 gay or lesbian students, 10 favorable, 5 not: over a sensitive n of 15, but the 5
    # would be published exactly, so the group is withheld (the gate codes such a rate for
    # the standard dimensions; these groups are checked before it).
    table = _published(15)
    row = _rate(table, "sexual_orientation", "gay_or_lesbian")
    assert row["suppressed"]


def test_sensitive_dimensions_are_never_crossed_and_follow_the_n_by_school(sample_audit):
    audit = sample_audit("D03")
    p = audit.published
    crossed = p["dimension"].str.contains("×") & p["dimension"].str.contains(
        "|".join(SENSITIVE_DIMENSIONS))
    assert not crossed.any()
    shown = p[p["dimension"].isin(SENSITIVE_DIMENSIONS) & (p["measure"] == "rate")
              & ~p["suppressed"].astype(bool) & (p["group"] != "all")]
    assert len(shown[shown["school_id"] == ""]) >= 5  # the large groups are shown
    assert (shown["n"] >= audit.config.privacy.sensitive_min_n).all()
