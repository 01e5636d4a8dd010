"""Staff turnover and new hires by staff race/ethnicity, from exit and hire years: counts by
hand, and turnover equal to one minus retention where both can be computed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from equitykit import metrics

STAFF = pd.DataFrame({
    "staff_id": ["a", "b", "c", "d", "a", "c", "e"],
    "school_year": [2022, 2022, 2022, 2022, 2023, 2023, 2023],
    "district_id": "X", "school_id": "s", "role": "teacher",
    "race_ethnicity": ["Black", "Black", "White", "White", "Black", "White", "Black"],
    "hire_year": [2015, 2022, 2010, 2022, 2015, 2010, 2023],
    "exit_year": [None, 2022, None, 2022, None, None, None],
})


def _get(counts, measure, year, group):
    hit = counts[(counts["measure"] == measure) & (counts["school_year"] == year)
                 & (counts["group"] == group)]
    return tuple(hit[["numerator", "denominator"]].iloc[0])


def test_counts_by_hand():
    counts = metrics.turnover_counts(STAFF)
    assert _get(counts, "staff_turnover", 2022, "all") == (2, 4)
    assert _get(counts, "staff_turnover", 2022, "Black") == (1, 2)
    assert _get(counts, "staff_turnover", 2022, "White") == (1, 2)
    assert _get(counts, "staff_new_hire", 2022, "all") == (2, 4)
    assert _get(counts, "staff_new_hire", 2023, "Black") == (1, 2)
    # 2023: nobody has an exit year yet, so its turnover is not known.
    assert not ((counts["measure"] == "staff_turnover") & (counts["school_year"] == 2023)).any()


def test_turnover_is_one_minus_retention():
    counts = metrics.turnover_counts(STAFF)
    retained = metrics.retention_counts(STAFF)
    for group in ("all", "Black", "White"):
        left = _get(counts, "staff_turnover", 2022, group)
        kept = _get(retained, "teacher_retained", 2022, group)
        assert left[1] == kept[1] and left[0] == kept[1] - kept[0]


def test_without_the_columns_there_is_nothing():
    assert metrics.turnover_counts(STAFF.drop(columns=["hire_year", "exit_year"])).empty


def test_sample_audit_publishes_turnover_with_wilson_intervals(sample_audit):
    from statsmodels.stats.proportion import proportion_confint
    p = sample_audit("D03").published
    rows = p[(p["outcome"] == "staff_turnover") & (p["measure"] == "rate")
             & ~p["suppressed"].astype(bool)]
    assert {"all", "Black", "White"} <= set(rows["group"])
    for _, r in rows.iterrows():
        low, high = proportion_confint(r["numerator"], r["n"], method="wilson")
        assert np.allclose([r["value"], r["ci_low"], r["ci_high"]],
                           [r["numerator"] / r["n"], low, high], rtol=0, atol=1e-9)
