"""The audit recovers the disparities planted in the sample districts (data_samples/README.md).

Each planted disparity must be a finding, near the top, with the planted locus; the control
outcome (``retained``) must yield none; the published risk ratios must equal a direct pandas
computation on the raw sample data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitykit.samples import PLANTED, sample_data_dir
from equitykit.schema import OUTCOMES

#: "Among the top findings": the first pages a board would read. 20 since the decisions after
#: a referral are ranked too (D02's planted special-education disparity for Black students
#: went from 14th to 16th behind them).
TOP = 20
FAST = ("D01", "D02")


def _districts(district_ids):
    return [
        pytest.param(d, marks=() if d in FAST else pytest.mark.slow) for d in district_ids
    ]


def _planted_rates(district_id):
    return [
        p for p in PLANTED
        if p.district_id == district_id and p.measure == "risk_ratio" and p.outcome in OUTCOMES
        and p.locus in ("within_schools", "between_schools")
    ]


@pytest.mark.parametrize("district_id", _districts(("D02", "D03")))
def test_planted_rate_disparities_are_top_findings_with_their_locus(sample_audit, district_id):
    audit = sample_audit(district_id)
    top = {(f["outcome"], f["dimension"], f["group"]): f for f in audit.findings[:TOP]}
    planted = _planted_rates(district_id)
    assert planted
    for p in planted:
        key = (p.outcome, p.dimension, p.group)
        assert key in top, f"{district_id}: planted {key} not among the top {TOP} findings"
        assert top[key]["locus"] == p.locus, (key, top[key]["locus"])
        assert abs(top[key]["value"] - p.effect) <= p.tolerance


@pytest.mark.parametrize("district_id", _districts(("D01", "D02", "D03")))
def test_control_outcome_yields_no_finding(sample_audit, district_id):
    audit = sample_audit(district_id)
    assert audit.findings, "the planted disparities should give findings"
    assert not [f for f in audit.findings if f["outcome"] == "retained"]


@pytest.mark.parametrize("district_id", _districts(("D02", "D03")))
def test_planted_score_gap_is_a_finding(sample_audit, district_id):
    audit = sample_audit(district_id)
    gaps = [f for f in audit.findings if f["outcome"] == "math_score"
            and f["dimension"] == "econ_disadvantaged" and f["group"] == "true"]
    assert len(gaps) == 1
    # The finding is the latest year's Hedges' g (PLANTED pools three years): recompute it
    # from the raw sample file with numpy, pooled SD and the small-sample correction.
    students = pd.read_parquet(sample_data_dir() / "students.parquet")
    year = students[(students["district_id"] == district_id)
                    & (students["school_year"] == 2023) & students["math_score"].notna()]
    a = year.loc[year["econ_disadvantaged"].astype(bool), "math_score"].to_numpy(float)
    b = year.loc[~year["econ_disadvantaged"].astype(bool), "math_score"].to_numpy(float)
    pooled = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1))
                     / (len(a) + len(b) - 2))
    g = (a.mean() - b.mean()) / pooled * (1 - 3 / (4 * (len(a) + len(b)) - 9))
    assert gaps[0]["value"] == pytest.approx(g, abs=1e-6)
    assert gaps[0]["value"] < -0.2


@pytest.mark.slow
def test_idea_significant_disproportionality_in_d03(sample_audit):
    published = sample_audit("D03").published
    for category in ("disability_ID", "disability_EMN"):
        row = published[(published["outcome"] == category) & (published["group"] == "Black")
                        & (published["measure"] == "risk_ratio")
                        & (published["comparison"] == "all_other")
                        & (published["school_id"] == "") & (published["school_year"] == 2023)]
        assert len(row) == 1
        assert bool(row["flagged"].iloc[0])
        assert row["note"].iloc[0] == "IDEA: significant disproportionality"


def test_published_risk_ratio_equals_direct_computation(sample_audit):
    """Black students' OSS risk ratio in D02, 2023, from the raw file with pandas."""
    students = pd.read_parquet(sample_data_dir() / "students.parquet")
    d = students[(students["district_id"] == "D02") & (students["school_year"] == 2023)]
    oss = (d["oss_days"].fillna(0) > 0) | (d["oss_count"].fillna(0) > 0)
    black = d["race_ethnicity"] == "Black"
    expected = oss[black].mean() / oss[~black].mean()
    published = sample_audit("D02").published
    row = published[(published["outcome"] == "oss") & (published["group"] == "Black")
                    & (published["dimension"] == "race_ethnicity")
                    & (published["measure"] == "risk_ratio") & (published["school_id"] == "")
                    & (published["school_year"] == 2023)]
    assert not row["suppressed"].iloc[0]
    assert row["value"].iloc[0] == pytest.approx(expected, rel=1e-9)
    assert np.isfinite(row["ci_low"].iloc[0]) and row["ci_low"].iloc[0] > 1


def test_published_v_statistic_equals_direct_fit(sample_audit):
    """Hispanic students' math V in D02, 2023, from performance-level counts of the raw file."""
    from equitykit import metrics

    students = pd.read_parquet(sample_data_dir() / "students.parquet")
    d = students[(students["district_id"] == "D02") & (students["school_year"] == 2023)
                 & students["math_level"].notna()]
    focal = d["race_ethnicity"] == "Hispanic/Latino"
    levels = sorted(d["math_level"].astype(int).unique())
    count = lambda rows: rows.astype(int).value_counts().reindex(levels, fill_value=0)  # noqa: E731
    expected = metrics.v_statistic(count(d.loc[focal, "math_level"]).to_numpy(),
                                   count(d.loc[~focal, "math_level"]).to_numpy())
    published = sample_audit("D02").published
    row = published[(published["outcome"] == "math_score") & (published["measure"] == "v_statistic")
                    & (published["group"] == "Hispanic/Latino") & (published["school_year"] == 2023)
                    & (published["school_id"] == "")]
    assert row["value"].iloc[0] == pytest.approx(expected.value, abs=1e-9)
    assert row["ci_low"].iloc[0] == pytest.approx(expected.ci_low, abs=1e-9)
