"""The ipywidgets composite: controls set programmatically drive the view, menus stay
consistent, and what is displayed is the view's numbers."""

from __future__ import annotations

import html

import pandas as pd
import pytest
from test_explorer_fixtures import tiny_schools, tiny_students

from equitykit import metrics
from equitykit.audit import BOOTSTRAP_REPLICATES, PERMUTATIONS
from equitykit.config import AuditConfig, Privacy
from equitykit.widgets import ALL_OTHER, Explorer
from equitykit.widgets import _wording as w


@pytest.fixture(scope="module")
def explorer() -> Explorer:
    two = pd.concat([tiny_students(), tiny_students(district_id="D2", seed=11)],
                    ignore_index=True)
    schools = pd.concat([tiny_schools(), tiny_schools(district_id="D2")], ignore_index=True)
    # Rules 1-6: the tiny districts keep the groups whose numbers are checked here (the
    # default protection rule is attacked in test_explorer_published.py).
    return Explorer.from_frames(two, schools=schools,
                                config=AuditConfig(privacy=Privacy(protection_width=0)))


def test_initial_state_and_menus(explorer):
    assert [v for _, v in explorer.district.options] == ["D1", "D2"]
    assert explorer.school_year.value == 2023  # latest year first
    assert explorer.school.options[0] == ("All schools", "")
    assert ("Lincoln Middle", "S1") in explorer.school.options
    outcomes = [v for _, v in explorer.outcome.options]
    assert {"oss", "iss", "gifted", "chronic_absent", "math_score"} <= set(outcomes)
    # the report's words
    assert ("Race/ethnicity × sex", "race_ethnicity×sex") in explorer.dimension.options
    assert explorer.min_n.value == explorer.min_n.min == 10
    assert explorer.view.min_n == 10


def test_setting_controls_updates_sentence_chart_and_table(explorer):
    explorer.district.value = "D1"
    explorer.outcome.value = "oss"
    explorer.school.value = ""
    explorer.dimension.value = "race_ethnicity"
    explorer.focus.value = "Black"
    chart = bytes(explorer.chart.value)
    view = explorer.view
    rr = view.row("risk_ratio", "Black", ALL_OTHER)
    assert html.escape(view.sentence) in explorer.sentence.value
    assert f"{w.format_ratio(rr['value'])} times as likely" in explorer.sentence.value
    rate = view.row("rate", "Black")
    assert f"<td>{rate['display']}</td>" in explorer.table.value
    assert f"<td>{rate['n']:,.0f}</td>" in explorer.table.value
    assert chart.startswith(b"\x89PNG")
    explorer.outcome.value = "gifted"
    assert bytes(explorer.chart.value) != chart
    assert "identified as gifted" in explorer.sentence.value or "suppressed" in (
        explorer.sentence.value)
    explorer.outcome.value = "math_score"
    assert explorer.view.kind == "score"
    assert "standard deviations" in explorer.sentence.value
    assert "Hedges" in explorer.table.value and "Cohen" not in explorer.table.value


def test_dimension_change_refreshes_groups_and_comparisons(explorer):
    explorer.outcome.value = "oss"
    explorer.dimension.value = "race_ethnicity×sex"
    groups = [v for _, v in explorer.focus.options]
    assert "Black×F" in groups and all("×" in g for g in groups)
    explorer.focus.value = "Black×F"
    assert ("Black girls", "Black×F") in explorer.focus.options
    comparisons = [v for _, v in explorer.comparison.options]
    assert comparisons[0] == ALL_OTHER and "Black×F" not in comparisons
    explorer.comparison.value = "White×F"
    assert explorer.view.selection.comparison == "White×F"
    explorer.focus.value = "White×F"  # comparison cannot stay equal to the focus
    assert explorer.comparison.value == ALL_OTHER


def test_district_switch_keeps_valid_choices(explorer):
    explorer.district.value = "D2"
    assert explorer.view.selection.district_id == "D2"
    assert explorer.outcome.value in [v for _, v in explorer.outcome.options]
    explorer.district.value = "D1"


def test_minimum_n_widget_cannot_go_below_the_report(explorer):
    explorer.outcome.value = "oss"
    explorer.dimension.value = "race_ethnicity"
    explorer.focus.value = "Black"
    explorer.min_n.value = 3
    assert explorer.min_n.value == 10
    explorer.min_n.value = 300
    assert explorer.view.min_n == 300
    assert "suppressed (fewer than 300 students" in explorer.sentence.value
    explorer.min_n.value = 10


def test_second_tab_shows_metrics_numbers(explorer):
    explorer.district.value = "D1"
    explorer.outcome.value = "oss"
    explorer.dimension.value = "race_ethnicity"
    explorer.focus.value = "Black"
    explorer.tabs.selected_index = 1
    students = tiny_students()
    students = students[students["school_year"] == 2023].assign(
        oss=lambda d: d["oss_days"] > 0)
    dims = ["race_ethnicity", "sex", "econ_disadvantaged", "english_learner", "disability"]
    est = metrics.predictive_accuracy(metrics.strata_table(students, "oss", dims),
                                      n_boot=BOOTSTRAP_REPLICATES, n_permutations=PERMUTATIONS)
    assert f"AUC {est.value:.2f}" in explorer.predict_text.value
    assert bytes(explorer.predict_chart.value).startswith(b"\x89PNG")
    assert "between schools" in explorer.split_text.value
    explorer.tabs.selected_index = 0


def test_each_tab_draws_its_charts_when_opened(explorer):
    explorer.district.value = "D1"
    explorer.outcome.value = "oss"
    explorer.dimension.value = "race_ethnicity"
    explorer.focus.value = "Black"
    explorer.tabs.selected_index = 1
    predict = bytes(explorer.predict_chart.value)
    explorer.tabs.selected_index = 0
    first = bytes(explorer.chart.value)
    explorer.outcome.value = "gifted"  # the second tab's charts wait until it is opened
    assert bytes(explorer.predict_chart.value) == predict
    assert bytes(explorer.chart.value) != first
    explorer.tabs.selected_index = 1
    assert bytes(explorer.predict_chart.value) != predict
    explorer.tabs.selected_index = 0


def test_stricter_config_raises_the_floor():
    strict = Explorer.from_frames(tiny_students(), schools=tiny_schools(),
                                  config=AuditConfig(privacy=Privacy(min_n=25)))
    assert strict.min_n.min == strict.min_n.value == 25
    assert strict.view.min_n == 25
