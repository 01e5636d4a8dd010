"""The second tab: the gap split and the predictiveness panel show the metrics functions'
numbers, recomputed here independently (Kitagawa by hand from the student rows; the
predictiveness model from metrics.strata_table)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_explorer_fixtures import tiny_schools, tiny_students

from equitykit import metrics
from equitykit.audit import BOOTSTRAP_REPLICATES, PERMUTATIONS
from equitykit.config import AuditConfig
from equitykit.widgets import DistrictSource, Selection, predictiveness_view, split_view

#: Rules 1-6: the tiny district keeps the groups whose numbers are checked here (the default
#: protection rule is attacked in test_explorer_published.py).
CONFIG = AuditConfig(privacy={"protection_width": 0})
DIMS = ["race_ethnicity", "sex", "econ_disadvantaged", "english_learner", "disability"]


@pytest.fixture(scope="module")
def students() -> pd.DataFrame:
    s = tiny_students()
    return s[s["school_year"] == 2023].assign(oss=lambda d: d["oss_days"] > 0)


@pytest.fixture(scope="module")
def cache():
    return DistrictSource.from_frames(tiny_students(), schools=tiny_schools(), config=CONFIG)["D1"]


def _value(panel, measure: str) -> float:
    return float(panel.table.loc[panel.table["measure"] == measure, "value"].iloc[0])


def test_rate_gap_split_is_kitagawa_by_hand(students, cache):
    panel = split_view(cache, Selection("D1", 2023, "oss", "race_ethnicity", "Black"),
                       config=CONFIG)
    assert not panel.table["suppressed"].any()
    black = students["race_ethnicity"] == "Black"
    per_school = students.assign(black=black).groupby(["school_id", "black"])["oss"].agg(
        ["sum", "size"]).unstack()
    x_a, n_a = per_school[("sum", True)], per_school[("size", True)]
    x_b, n_b = per_school[("sum", False)], per_school[("size", False)]
    w_a, w_b = n_a / n_a.sum(), n_b / n_b.sum()
    r_a, r_b = x_a / n_a, x_b / n_b
    between = float(((w_a - w_b) * (r_a + r_b) / 2).sum())
    within = float(((w_a + w_b) / 2 * (r_a - r_b)).sum())
    assert math.isclose(_value(panel, "between_school_gap"), between, abs_tol=1e-9)
    assert math.isclose(_value(panel, "within_school_gap"), within, abs_tol=1e-9)
    assert math.isclose(_value(panel, "gap"), x_a.sum() / n_a.sum() - x_b.sum() / n_b.sum(),
                        abs_tol=1e-9)
    assert f"{100 * (between + within):.1f} percentage points higher" in panel.text
    assert panel.chart.startswith(b"\x89PNG")


def test_score_gap_split_is_oaxaca_with_the_school(students, cache):
    panel = split_view(cache, Selection("D1", 2023, "math_score", "race_ethnicity", "Black"),
                       config=CONFIG)
    data = students.assign(is_focus=students["race_ethnicity"] == "Black")
    est = metrics.oaxaca_blinder(data, outcome="math_score", group="is_focus",
                                 factors=["school_id"], focal=True)
    assert math.isclose(_value(panel, "between_school_gap"), est.explained, abs_tol=1e-9)
    assert math.isclose(_value(panel, "within_school_gap"), est.unexplained, abs_tol=1e-9)
    black = data.loc[data["is_focus"], "math_score"].mean()
    assert math.isclose(_value(panel, "gap"), black - data.loc[~data["is_focus"],
                                                                "math_score"].mean(),
                        abs_tol=1e-9)


def test_split_of_a_withheld_group_is_withheld(cache):
    panel = split_view(cache, Selection("D1", 2023, "oss", "race_ethnicity",
                                        "Native Hawaiian/Pacific Islander"), config=CONFIG)
    assert panel.table["suppressed"].all() and panel.table["value"].isna().all()
    assert "suppressed (fewer than 10 students" in panel.text and panel.chart == b""


def test_predictiveness_panel_is_the_reports_predictiveness(students, cache):
    panel = predictiveness_view(cache, Selection("D1", 2023, "oss", "race_ethnicity", "Black"),
                                config=CONFIG)
    strata = metrics.strata_table(students, "oss", DIMS)
    accuracy = metrics.predictive_accuracy(strata, n_boot=BOOTSTRAP_REPLICATES,
                                           n_permutations=PERMUTATIONS)
    est = metrics.predictiveness(strata, n_boot=0)
    assert math.isclose(_value(panel, "predictiveness_auc"), accuracy.value, abs_tol=1e-9)
    assert math.isclose(_value(panel, "mcfadden_r2"), est.mcfadden_r2, abs_tol=1e-9)
    for dim, weight in est.dominance.items():
        assert math.isclose(_value(panel, f"dominance_{dim}"), weight, abs_tol=1e-9)
    top = max(est.dominance, key=est.dominance.get)
    share = est.dominance[top] / sum(est.dominance.values())
    assert (f"AUC {accuracy.value:.2f} (95% CI {accuracy.ci_low:.2f}–{accuracy.ci_high:.2f})"
            in panel.text)
    assert f"({100 * share:.0f}%)" in panel.text


def test_predictiveness_of_scores_is_r_squared(students, cache):
    panel = predictiveness_view(
        cache, Selection("D1", 2023, "math_score", "race_ethnicity", "Black"), config=CONFIG)
    # R² of the demographics-only OLS, by least squares on dummies (independent of metrics).
    design = pd.get_dummies(students[DIMS].astype(str), drop_first=True, dtype=float)
    x = np.column_stack([np.ones(len(design)), design.to_numpy()])
    y = students["math_score"].to_numpy(float)
    fitted = x @ np.linalg.lstsq(x, y, rcond=None)[0]
    r2 = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    r2 = 1 - (1 - r2) * (len(y) - 1) / (len(y) - x.shape[1])  # adjusted, as the report
    assert math.isclose(_value(panel, "predictiveness_r2"), r2, abs_tol=1e-9)
    assert f"explain {100 * r2:.1f}% of the differences in math scores" in panel.text


def test_named_comparison_split(cache):
    panel = split_view(cache, Selection("D1", 2023, "gifted", "econ_disadvantaged", "true",
                                        comparison="false"), config=CONFIG)
    counts = cache.counts_for(school_year=2023, outcome="gifted",
                              dimension="econ_disadvantaged")
    est = metrics.locate_gap(counts, outcome="gifted", dimension="econ_disadvantaged",
                             group="true", comparison="false")
    assert panel.table["comparison"].eq("false").all()
    assert not panel.table["suppressed"].any()
    assert math.isclose(_value(panel, "between_school_gap"), est.between, abs_tol=1e-12)
    assert math.isclose(_value(panel, "within_school_gap"), est.within, abs_tol=1e-12)
    assert "than that of students not economically disadvantaged" in panel.text
