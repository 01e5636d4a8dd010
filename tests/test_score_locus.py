"""Score gaps located between or within schools: the identity, a statsmodels check, and the
planted locus of the sample districts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from equitykit.config import AuditConfig
from equitykit.intake import load_district_data
from equitykit.metrics import locate_score_gaps
from equitykit.samples._planted import PLANTED


@pytest.fixture(scope="module")
def students() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 3000
    school = rng.choice(["s1", "s2", "s3", "s4"], n, p=[0.4, 0.3, 0.2, 0.1])
    poor = rng.random(n) < np.select([school == "s1", school == "s2"], [0.7, 0.5], 0.2)
    effect = np.select([school == "s1", school == "s2", school == "s3"], [-6.0, -2.0, 1.0], 3.0)
    score = 250 + effect - 4 * poor + rng.normal(0, 10, n)
    only_group = np.arange(n) < 40  # a school without a comparison student
    school = np.where(only_group, "s5", school)
    poor = np.where(only_group, True, poor)
    return pd.DataFrame({"school_year": 2023, "school_id": school, "poor": poor,
                         "math": score})


def test_parts_add_up_to_the_mean_gap(students):
    out = locate_score_gaps(students, score="math", dimensions=["poor"]).set_index("group")
    gap = (students.loc[students["poor"], "math"].mean()
           - students.loc[~students["poor"], "math"].mean())
    row = out.loc["true"]
    assert row["gap"] == pytest.approx(gap, abs=1e-9)
    assert row["between"] + row["within"] == pytest.approx(gap, abs=1e-9)
    assert row["between_share"] == pytest.approx(row["between"] / gap, abs=1e-12)


def test_parts_match_a_statsmodels_cell_means_fit(students):
    """School × group means from a saturated statsmodels OLS, weighted by hand."""
    data = students.assign(cell=students["school_id"] + "|" + students["poor"].astype(str))
    fit = smf.ols("math ~ C(cell) - 1", data).fit()
    cells = data.groupby(["school_id", "poor", "cell"]).size().rename("n").reset_index()
    cells["mean"] = fit.predict(cells)
    wide = cells.pivot(index="school_id", columns="poor")
    n_a, n_b = wide[("n", True)].fillna(0), wide[("n", False)].fillna(0)
    m_a, m_b = wide[("mean", True)], wide[("mean", False)]
    m_a, m_b = m_a.fillna(m_b), m_b.fillna(m_a)
    w_a, w_b = n_a / n_a.sum(), n_b / n_b.sum()
    between = ((w_a - w_b) * (m_a + m_b) / 2).sum()
    within = ((w_a + w_b) / 2 * (m_a - m_b)).sum()
    row = locate_score_gaps(students, score="math", dimensions=["poor"]).set_index(
        "group").loc["true"]
    assert row["between"] == pytest.approx(between, abs=1e-9)
    assert row["within"] == pytest.approx(within, abs=1e-9)


PLANTED_SCORES = [p for p in PLANTED if p.outcome == "math_score"]


@pytest.mark.parametrize("planted", PLANTED_SCORES, ids=lambda p: p.district_id)
def test_planted_score_gap_locus_is_recovered(repo_root, planted):
    """Pooled over the sample's years, as the planted effect is stated."""
    data = load_district_data(repo_root / "data_samples", config=AuditConfig(),
                              district_id=planted.district_id)
    pooled = data.students.assign(school_year=0)
    out = locate_score_gaps(pooled, score="math_score", dimensions=[planted.dimension])
    row = out.set_index("group").loc[planted.group]
    assert row["locus"] == planted.locus


def test_audit_gives_score_gap_findings_a_locus(sample_audit):
    gaps = [f for f in sample_audit("D01").findings if f["measure"] == "hedges_g"]
    assert gaps and all(f["locus"] in ("between_schools", "within_schools", "mixed")
                        for f in gaps)
