"""Intersections become findings when they add to what their two groups explain."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from equitykit import metrics
from equitykit.audit import rank_findings
from equitykit.audit._compute import compute_metrics, withhold_orphan_interactions
from equitykit.config import AuditConfig
from equitykit.intake import load_district_data


def _audit(data, config):
    raw, _ = compute_metrics(data, config)
    # Rules 1-6 (protection_width 0): the findings logic is what is tested here. Under the
    # default protection rule D01's Black-boys ratio is itself withheld.
    published = withhold_orphan_interactions(metrics.suppress_metrics(
        raw, min_n=config.privacy.min_n, top_bottom_coding=config.privacy.top_bottom_coding,
        protection_width=0))
    return published, rank_findings(published, school_year=int(raw["school_year"].max()))


@pytest.fixture(scope="module")
def d01(repo_root):
    config = AuditConfig()
    return load_district_data(repo_root / "data_samples", config=config,
                              district_id="D01"), config


def _black_boys(findings):
    return [f for f in findings if f["dimension"] == "race_ethnicity×sex"
            and f["group"] == "Black×M" and f["outcome"] == "oss"]


def _row(published, measure):
    return published[(published["school_year"] == 2023) & (published["school_id"] == "")
                     & (published["outcome"] == "oss") & (published["group"] == "Black×M")
                     & (published["measure"] == measure)].iloc[0]


def test_d01_black_boys_are_what_black_and_boys_predict(d01):
    """The sample's discipline model multiplies a race and a sex factor (no interaction):
    Black boys' OSS ratio 4.87 (3.16–7.51) is certain, but its interaction ratio's interval
    holds 1, so the findings stay with Black students and boys."""
    published, findings = _audit(*d01)
    row, interaction = _row(published, "risk_ratio"), _row(published, "interaction_ratio")
    assert row["value"] == pytest.approx(4.87, abs=0.01) and row["q_value"] < 0.05
    assert interaction["ci_low"] < 1 < interaction["ci_high"]
    assert not _black_boys(findings)
    assert {(f["dimension"], f["group"]) for f in findings if f["outcome"] == "oss"} >= {
        ("race_ethnicity", "Black"), ("sex", "M")}


# A saturated log-binomial fit: statsmodels warns about the log link and zero residual df.
@pytest.mark.filterwarnings("ignore")
def test_interaction_ratio_is_the_log_binomial_interaction_term():
    import statsmodels.api as sm

    a, b = np.array([1, 1, 0, 0.0]), np.array([1, 0, 1, 0.0])
    x, n = np.array([23, 10, 50, 12.0]), np.array([123, 101, 905, 871.0])
    design = np.column_stack([np.ones(4), a, b, a * b])
    fit = sm.GLM(np.column_stack([x, n - x]), design,
                 family=sm.families.Binomial(sm.families.links.Log())).fit()
    e = metrics.interaction_ratio(23, 123, 10, 101, 50, 905, 12, 871)
    assert np.log(e.value) == pytest.approx(fit.params[3], abs=1e-8)
    assert e.se == pytest.approx(fit.bse[3], rel=1e-5)  # IRLS stops within 1e-6
    assert e.p_value == pytest.approx(fit.pvalues[3], rel=1e-5)
    assert e.predicted_rate == pytest.approx((10 / 101) * (50 / 905) / (12 / 871))


def test_planted_interaction_makes_black_boys_a_finding(repo_root):
    """D02: a race gap in suspensions planted among boys only: two in three suspensions of
    Black girls and non-binary students are taken back (the sample's Black risk factor is 3)
    and one in ten unsuspended Black boys is suspended."""
    config = AuditConfig()
    data = load_district_data(repo_root / "data_samples", config=config, district_id="D02")
    students = data.students.copy()
    rng = np.random.default_rng(0)
    suspended = (students["oss_days"].fillna(0) > 0) | (students["oss_count"].fillna(0) > 0)
    black_girls = (students["race_ethnicity"] == "Black") & (students["sex"] != "M")
    taken_back = black_girls & suspended & (rng.random(len(students)) < 2 / 3)
    students.loc[taken_back, ["oss_days", "oss_count"]] = 0
    black_boys = (students["race_ethnicity"] == "Black") & (students["sex"] == "M")
    added = black_boys & ~suspended & (rng.random(len(students)) < 0.1)
    students.loc[added, ["oss_days", "oss_count"]] = 1
    published, findings = _audit(dataclasses.replace(data, students=students), config)
    [finding] = _black_boys(findings)
    assert finding["title"].startswith("Black boys")
    assert "the rate their two groups alone would predict" in finding["statement"]
    assert finding["q_value"] < 0.05
    interaction = published[(published["school_year"] == 2023)
                            & (published["measure"] == "interaction_ratio")
                            & (published["outcome"] == "oss")
                            & (published["group"] == "Black×M")].iloc[0]
    assert interaction["ci_low"] > 1 and interaction["q_value"] < 0.05


def test_interaction_ratio_is_withheld_with_a_parent():
    import pandas as pd

    def row(dimension, group, measure, suppressed):
        return {"school_year": 2023, "school_id": "", "outcome": "oss", "dimension": dimension,
                "group": group, "measure": measure, "n": 50.0, "numerator": 5.0,
                "value": 1.5, "ci_low": 1.1, "ci_high": 2.0, "p_value": 0.01, "q_value": 0.02,
                "suppressed": suppressed, "display": "", "note": ""}

    published = pd.DataFrame([
        row("all", "all", "rate", False), row("race_ethnicity", "Asian", "rate", True),
        row("race_ethnicity", "Black", "rate", False), row("sex", "M", "rate", False),
        row("race_ethnicity×sex", "Asian×M", "interaction_ratio", False),
        row("race_ethnicity×sex", "Black×M", "interaction_ratio", False)])
    out = withhold_orphan_interactions(published).set_index("group")
    assert out.loc["Asian×M", "suppressed"] and pd.isna(out.loc["Asian×M", "value"])
    assert not out.loc["Black×M", "suppressed"] and out.loc["Black×M", "value"] == 1.5
