"""School reports: the school views read published rows only, and the shrunken rates are
derived from published numbers only (withheld with their cell)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from equitykit.audit._compute import SHRUNK_RATE, shrunk_school_rates
from equitykit.config import AuditConfig
from equitykit.report._school import (
    school_groups_table,
    school_outcomes,
    school_page,
    school_place_table,
)

YEAR = 2023


def _row(school, dimension, group, measure, value, n=np.nan, x=np.nan, *, lo=np.nan,
         hi=np.nan, suppressed=False, display="", comparison=""):
    return {"district_id": "D9", "school_year": YEAR, "school_id": school, "section": "discipline",
            "measure": measure, "outcome": "oss", "dimension": dimension, "group": group,
            "comparison": comparison, "n": n, "numerator": x, "value": value, "ci_low": lo,
            "ci_high": hi, "p_value": np.nan, "q_value": np.nan, "suppressed": suppressed,
            "flagged": False, "note": "", "display": display}


def _hidden(school, dimension, group, measure, comparison=""):
    return _row(school, dimension, group, measure, np.nan, suppressed=True,
                display="suppressed", comparison=comparison)


@pytest.fixture
def published() -> pd.DataFrame:
    """Five schools: S4 withheld, S5 coded ("≤5%"); S1 has groups by race."""
    rows = [
        _row("", "all", "all", "rate", 60 / 1000, 1000, 60),
        _row("S1", "all", "all", "rate", 30 / 200, 200, 30),
        _row("S2", "all", "all", "rate", 12 / 300, 300, 12),
        _row("S3", "all", "all", "rate", 14 / 250, 250, 14),
        _hidden("S4", "all", "all", "rate"),
        _row("S5", "all", "all", "rate", 0.05, 50, display="≤5%"),
        _row("S1", "race_ethnicity", "Black", "rate", 18 / 60, 60, 18),
        _row("S1", "race_ethnicity", "Black", "risk_ratio", 2.8, 60, 18, lo=1.6, hi=4.9,
             comparison="all_other"),
        _row("S1", "race_ethnicity", "White", "rate", 12 / 140, 140, 12),
        _row("S1", "race_ethnicity", "White", "risk_ratio", 0.36, 140, 12, lo=0.2, hi=0.63,
             comparison="all_other"),
        _hidden("S1", "race_ethnicity", "Asian", "rate"),
        _hidden("S1", "race_ethnicity", "Asian", "risk_ratio", "all_other"),
    ]
    return pd.DataFrame(rows)


def test_shrunk_rates_use_published_schools_only(published):
    out = shrunk_school_rates(published, YEAR).set_index("school_id")
    assert set(out.index) == {"S1", "S2", "S3", "S4", "S5"}
    assert (out["measure"] == SHRUNK_RATE).all()
    # S4 (withheld) and S5 (coded: no numerator) are withheld, with nothing but labels
    for school in ("S4", "S5"):
        assert out.loc[school, "suppressed"]
        assert out.loc[school, ["value", "n", "ci_low", "ci_high"]].isna().all()
        assert out.loc[school, "note"] == ""
    # independent reference: the beta-binomial maximum-likelihood prior of S1-S3 alone
    x, n = np.array([30.0, 12, 14]), np.array([200.0, 300, 250])
    ref = optimize.minimize(lambda t: -stats.betabinom.logpmf(x, n, *np.exp(t)).sum(),
                            [0.0, 3.0], method="Nelder-Mead",
                            options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 40_000})
    a, b = np.exp(ref.x)
    for school, xi, ni in zip(("S1", "S2", "S3"), x, n, strict=True):
        row = out.loc[school]
        assert not row["suppressed"]
        assert row["n"] == ni
        assert row["value"] == pytest.approx((xi + a) / (ni + a + b), rel=1e-4)
        assert row["ci_low"] == pytest.approx(stats.beta.ppf(0.025, xi + a, ni - xi + b),
                                              rel=1e-3)


def test_no_shrunk_rates_with_fewer_than_two_published_schools(published):
    few = published[~published["school_id"].isin(["S2", "S3"])]
    assert shrunk_school_rates(few, YEAR).empty


def test_groups_table_prints_published_rows(published):
    table = school_groups_table(published, "S1", "oss", YEAR)
    assert table["group"].tolist() == ["All students", "Asian students", "Black students",
                                       "White students"]
    black = table.iloc[2]
    assert (black["students"], black["rate"]) == ("60", "30.0%")
    assert black["risk ratio vs other students of the school"] == "2.80"
    assert black["95% interval"] == "1.60–4.90"
    asian = table.iloc[1]
    assert asian["rate"] == asian["risk ratio vs other students of the school"] == "suppressed"
    assert school_groups_table(published, "S9", "oss", YEAR).empty


def test_place_table_orders_by_shrunk_rate_and_withholds_with_the_cell(published):
    full = pd.concat([published, shrunk_school_rates(published, YEAR)], ignore_index=True)
    place = school_place_table(full, "oss", YEAR, names={"S1": "Adams"})
    assert place["school_id"].tolist()[:3] == ["S1", "S3", "S2"]  # highest shrunk rate first
    assert place.loc[0, "school"] == "Adams"
    withheld = place.set_index("school_id").loc[["S4", "S5"]]
    assert (withheld["shrunken rate"] == "suppressed").all()
    assert withheld.loc["S5", "rate"] == "≤5%"  # the coded rate as published, nothing more
    assert withheld["95% interval"].eq("").all()


def test_page_names_the_school_and_its_place(published):
    full = pd.concat([published, shrunk_school_rates(published, YEAR)], ignore_index=True)
    config = AuditConfig(client="Client & Co", title="Equity <audit>")
    page = school_page(full, "S1", config=config, district_id="D9", school_year=YEAR,
                       school_name="Adams <Middle>")
    assert "Adams &lt;Middle&gt;" in page and "Client &amp; Co" in page
    assert "Equity &lt;audit&gt;" in page and "<audit>" not in page
    assert "highest third" in page
    assert "Black students: 2.80 times the rate of the other students" in page
    assert school_outcomes(full, "S4", YEAR) == []
    assert school_outcomes(full, "S4", YEAR, withheld=True) == ["oss"]
    assert "Not shown" in school_page(full, "S4", config=config, district_id="D9",
                                      school_year=YEAR)
