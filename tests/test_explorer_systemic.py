"""The second tab: the gap split and the predictiveness panel show the audit's published
numbers, recomputed here independently (Kitagawa by hand from the student rows; the
predictiveness model from metrics.strata_table), and only for the year the audit publishes."""

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


def _kitagawa_share(students: pd.DataFrame, column: str) -> float:
    """Between-school share of Black students' gap with all other students, by hand."""
    data = students.dropna(subset=[column]).assign(
        black=lambda d: d["race_ethnicity"] == "Black", y=lambda d: d[column].astype(float))
    per_school = data.groupby(["school_id", "black"])["y"].agg(["mean", "size"]).unstack()
    m_a, n_a = per_school[("mean", True)], per_school[("size", True)]
    m_b, n_b = per_school[("mean", False)], per_school[("size", False)]
    w_a, w_b = n_a / n_a.sum(), n_b / n_b.sum()
    between = float(((w_a - w_b) * (m_a + m_b) / 2).sum())
    within = float(((w_a + w_b) / 2 * (m_a - m_b)).sum())
    return between / (between + within)


def test_rate_gap_split_is_kitagawa_by_hand(students, cache):
    panel = split_view(cache, Selection("D1", 2023, "oss", "race_ethnicity", "Black"),
                       config=CONFIG)
    assert not panel.table["suppressed"].any()
    share = _kitagawa_share(students, "oss")
    assert math.isclose(_value(panel, "between_school_share"), share, abs_tol=1e-9)
    assert (f"{100 * share:.0f}% of the gap in the rate of being suspended out of school "
            "between Black students and all other students comes from which schools") in panel.text
    assert f"and {100 * (1 - share):.0f}% from differences inside the same schools" in panel.text
    assert panel.chart.startswith(b"\x89PNG")


def test_score_gap_split_is_kitagawa_on_the_averages(students, cache):
    panel = split_view(cache, Selection("D1", 2023, "math_score", "race_ethnicity", "Black"),
                       config=CONFIG)
    assert math.isclose(_value(panel, "between_school_share"),
                        _kitagawa_share(students, "math_score"), abs_tol=1e-9)


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
    shares = panel.table[panel.table["measure"] == "predictiveness_share"].set_index("group")
    for dim, weight in est.dominance.items():
        assert math.isclose(shares.loc[dim, "value"], weight, abs_tol=1e-9), dim
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


def test_named_comparison_split_says_what_the_audit_splits(cache):
    panel = split_view(cache, Selection("D1", 2023, "gifted", "econ_disadvantaged", "true",
                                        comparison="false"), config=CONFIG)
    assert panel.table["comparison"].eq("all_other").all()
    assert ("The audit splits each group's gap with all other students, not with students "
            "not economically disadvantaged.") in panel.text


def test_other_years_say_where_the_audit_publishes_them(cache):
    sel = Selection("D1", 2022, "oss", "race_ethnicity", "Black")
    for panel in (split_view(cache, sel, config=CONFIG),
                  predictiveness_view(cache, sel, config=CONFIG)):
        assert panel.table.empty and panel.chart == b""
        assert "for the whole district in 2023–24; choose that year to see it" in panel.text


def test_a_raised_minimum_n_hides_the_second_tab_too(cache):
    sel = Selection("D1", 2023, "oss", "race_ethnicity", "Black", min_n=300)  # 240 Black
    assert "suppressed (fewer than 300 students" in split_view(cache, sel, config=CONFIG).text
    sel = Selection("D1", 2023, "oss", "race_ethnicity", "Black", min_n=5000)  # the district
    assert "suppressed (fewer than 5000 students" in predictiveness_view(
        cache, sel, config=CONFIG).text


@pytest.mark.parametrize(("share", "words"), [
    (1.3, ["which schools students attend accounts for more than all of the gap",
           "(130%, between schools)", "inside the same schools the gap runs the other way "
           "(-30%, within schools)"]),
    (-0.24, ["differences inside the same schools account for more than all of the gap",
             "(124%, within schools)", "which schools students attend narrows it (-24%, "
             "between schools)"]),
])
def test_a_share_outside_0_100_is_said_in_words(cache, monkeypatch, share, words):
    """A between-school share above 100% or below 0% (the two parts pull opposite ways) is
    explained, not printed as if it were a split of the gap."""
    rows = cache.rows
    monkeypatch.setattr(cache, "rows", lambda **kw: rows(**kw).assign(
        value=lambda d: d["value"].mask(d["measure"] == "between_school_share", share)))
    panel = split_view(cache, Selection("D1", 2023, "oss", "race_ethnicity", "Black"),
                       config=CONFIG)
    for phrase in words:
        assert phrase in panel.text
    assert "% of the gap in the rate of being suspended out of school between" not in panel.text


@pytest.mark.parametrize("share", [1.004, -0.004])
def test_a_share_outside_0_100_only_unprinted_is_a_split(cache, monkeypatch, share):
    """100.4% prints as 100%: all of the gap, with no "-0%" other part."""
    rows = cache.rows
    monkeypatch.setattr(cache, "rows", lambda **kw: rows(**kw).assign(
        value=lambda d: d["value"].mask(d["measure"] == "between_school_share", share)))
    text = split_view(cache, Selection("D1", 2023, "oss", "race_ethnicity", "Black"),
                      config=CONFIG).text
    assert "more than all" not in text and "-0%" not in text
    assert ("100% of the gap" in text) == (share > 0) and ("0% of the gap" in text)
