"""q-values are Benjamini–Hochberg over the documented families, checked against statsmodels;
degenerate and tautological tests are in no family; tautological rows are not computed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from equitykit.audit._compute import compute_metrics
from equitykit.config import AuditConfig
from equitykit.intake import load_district_data
from equitykit.metrics import bh_families, defined_by, outcome_domain


@pytest.fixture(scope="module")
def raw(repo_root) -> pd.DataFrame:
    config = AuditConfig()
    data = load_district_data(repo_root / "data_samples", config=config, district_id="D01")
    return compute_metrics(data, config)[0]


def _tautological(outcome: str, dimension: str) -> bool:
    """Written out independently of ``defined_by``."""
    identification = outcome == "disability" or outcome.startswith("disability_")
    placement = outcome.startswith("placement_")
    return (identification or placement) and "disability" in dimension


def _expected_rate_tests(raw: pd.DataFrame) -> pd.DataFrame:
    district = raw[raw["school_id"] == ""]
    totals = district[(district["measure"] == "rate") & (district["dimension"] == "all")]
    totals = totals.set_index(["school_year", "outcome"])[["n", "numerator"]]
    tests = district[(district["measure"] == "risk_ratio")
                     & (district["comparison"] == "all_other")
                     & ~district["group"].str.contains("false")
                     & district["p_value"].notna()].join(
        totals.rename(columns={"n": "N", "numerator": "X"}), on=["school_year", "outcome"])
    keep = ((tests["X"] > 0) & (tests["X"] < tests["N"]) & (tests["n"] > 0)
            & (tests["N"] > tests["n"]))
    keep &= ~np.array([_tautological(o, d) for o, d in zip(tests["outcome"], tests["dimension"],
                                                            strict=True)])
    return tests[keep].assign(domain=tests["outcome"].map(outcome_domain),
                              intersection=tests["dimension"].str.contains("×"))


def test_rate_q_values_equal_statsmodels_on_the_documented_families(raw):
    tests = _expected_rate_tests(raw)
    checked = 0
    for _, family in tests.groupby(["school_year", "domain", "intersection"]):
        expected = multipletests(family["p_value"], method="fdr_bh")[1]
        np.testing.assert_allclose(family["q_value"], expected, rtol=0, atol=1e-12)
        checked += len(family)
    assert checked > 100
    tested = raw.index.isin(tests.index)
    rr = (raw["measure"] == "risk_ratio") & (raw["comparison"] == "all_other")
    assert raw.loc[rr & ~tested, "q_value"].isna().all()  # everything else is in no family


def test_degenerate_tests_are_left_out(raw):
    district = raw[(raw["school_id"] == "") & (raw["measure"] == "risk_ratio")
                   & (raw["comparison"] == "all_other")]
    totals = raw[(raw["school_id"] == "") & (raw["measure"] == "rate")
                 & (raw["dimension"] == "all")].set_index(["school_year", "outcome"])
    nobody = district[district.set_index(["school_year", "outcome"]).index.map(
        lambda k: totals.loc[k, "numerator"] == 0).to_numpy(bool)]
    assert len(nobody)  # the sample has a year with an outcome nobody had
    assert nobody["q_value"].isna().all()
    assert (nobody["p_value"].dropna() == 1).all()


def test_families_label_and_exclusions():
    tests = pd.DataFrame({
        "district_id": "D1", "school_id": ["", "", "", "S1", "", ""],
        "school_year": 2023, "outcome": ["oss", "oss", "expelled", "oss", "disability", "oss"],
        "dimension": ["race_ethnicity", "english_learner", "sex", "sex", "disability",
                      "race_ethnicity×econ_disadvantaged"],
        "group": ["Black", "false", "M", "M", "true", "Black×true"],
        "n": 50.0, "total_n": 500.0, "total_numerator": [40, 40, 0, 40, 40, 40],
        "p_value": 0.01,
    })
    label = bh_families(tests)
    assert label.tolist()[0] == "D1|2023|discipline|main"
    assert label.tolist()[5] == "D1|2023|discipline|intersections"
    assert label.isna().tolist() == [False, True, True, True, True, False]


def test_tautological_rows_are_not_computed(raw):
    pairs = raw[["outcome", "dimension"]].drop_duplicates()
    assert not any(_tautological(o, d) for o, d in zip(pairs["outcome"], pairs["dimension"],
                                                        strict=True))
    assert (raw["outcome"] == "disability").any()  # identification by race stays
    assert defined_by("disability", "disability") and not defined_by("oss", "disability")


def test_gap_q_values_equal_statsmodels(raw):
    g = raw[(raw["measure"] == "hedges_g") & (raw["group"] != "false")
            & raw["p_value"].notna()]
    for _, family in g.groupby("school_year"):
        expected = multipletests(family["p_value"], method="fdr_bh")[1]
        np.testing.assert_allclose(family["q_value"], expected, rtol=0, atol=1e-12)
    assert raw.loc[(raw["measure"] == "hedges_g") & (raw["group"] == "false"),
                   "q_value"].isna().all()
