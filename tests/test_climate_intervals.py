"""Published climate figures of a sample audit against statsmodels: each share of favorable
respondents (and of students who answered) with its Wilson interval, and each gap to all
other respondents with its Newcombe interval, from the published counts (rates shown as a
band keep no count and are left out)."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint


def _rows(audit):
    p = audit.published
    return p[(p["section"] == "climate") & (p["school_year"] == audit.school_year)
             & ~p["suppressed"].astype(bool)]


def test_shares_and_gaps_match_statsmodels(sample_audit):
    rows = _rows(sample_audit("D02"))
    rates = rows[(rows["measure"] == "rate") & rows["numerator"].notna()].set_index(
        ["school_id", "outcome", "dimension", "group"])
    totals = rows[(rows["measure"] == "rate") & (rows["dimension"] == "all")
                  & rows["numerator"].notna()].set_index(
        ["school_id", "outcome"])
    gaps = rows[(rows["measure"] == "risk_difference") & (rows["comparison"] == "all_other")
                & rows["value"].notna()]  # no value: nobody else to compare with
    checked = {"staff": 0, "family": 0, "favorable": 0, "survey_response": 0}
    for _, r in rates.iterrows():
        low, high = proportion_confint(r["numerator"], r["n"], method="wilson")
        assert np.isclose(r["value"], r["numerator"] / r["n"], rtol=0, atol=1e-9)
        assert np.allclose([r["ci_low"], r["ci_high"]], [low, high], rtol=0, atol=1e-9)
    for _, g in gaps.iterrows():
        key = (g["school_id"], g["outcome"], g["dimension"], g["group"])
        if key not in rates.index or (g["school_id"], g["outcome"]) not in totals.index:
            continue
        mine, total = rates.loc[key], totals.loc[(g["school_id"], g["outcome"])]
        x2, n2 = total["numerator"] - mine["numerator"], total["n"] - mine["n"]
        low, high = confint_proportions_2indep(mine["numerator"], mine["n"], x2, n2,
                                               method="newcomb", compare="diff")
        assert np.isclose(g["value"], mine["numerator"] / mine["n"] - x2 / n2, atol=1e-9)
        assert np.allclose([g["ci_low"], g["ci_high"]], [low, high], rtol=0, atol=1e-9)
        for prefix in checked:
            checked[prefix] += g["outcome"].startswith(prefix)
    assert all(v >= 3 for v in checked.values()), checked
