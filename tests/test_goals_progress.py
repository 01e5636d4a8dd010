"""The goals section's view (report/_goals.py) on a hand-built published table: the straight-line
path, on track / off track / not distinguishable from the path from the latest 95% interval,
the direction of progress, bands, withheld values, and the chart."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from equitykit.config import Goal
from equitykit.report import ReportFigure
from equitykit.report._goals import (
    OFF_TRACK,
    ON_TRACK,
    UNCLEAR,
    goal_chart,
    goal_progress,
    goal_sentence,
    goal_status,
    goals_table,
    lower_is_better,
    path_value,
)

OSS = Goal(outcome="oss", dimension="race_ethnicity", group="Black", baseline_year=2021,
           target_year=2025, target_rate=0.08)
GIFTED = Goal(outcome="gifted", dimension="race_ethnicity", group="Black", baseline_year=2021,
              target_year=2023, target_rate=0.10)
RATIO = Goal(outcome="oss", dimension="race_ethnicity", group="Black", baseline_year=2021,
             target_year=2025, target_risk_ratio=1.5)


def _row(year, outcome, value, low=math.nan, high=math.nan, *, measure="rate",
         suppressed=False, display=""):
    return {"district_id": "D1", "school_year": year, "school_id": "", "section": "programmatic",
            "measure": measure, "outcome": outcome, "dimension": "race_ethnicity",
            "group": "Black", "comparison": "all_other" if measure == "risk_ratio" else "",
            "n": math.nan if suppressed else 200.0, "numerator": math.nan,
            "value": math.nan if suppressed else value,
            "ci_low": math.nan if suppressed else low, "ci_high": math.nan if suppressed else high,
            "suppressed": suppressed, "flagged": False, "note": "", "display": display}


def _published(*rows):
    return pd.DataFrame(list(rows))


def test_path_runs_straight_from_baseline_to_target_and_stays_there():
    assert path_value(OSS, 0.16, 2021) == 0.16
    assert path_value(OSS, 0.16, 2023) == pytest.approx(0.12, abs=1e-12)
    assert path_value(OSS, 0.16, 2025) == pytest.approx(0.08, abs=1e-12)
    assert path_value(OSS, 0.16, 2028) == pytest.approx(0.08, abs=1e-12)


@pytest.mark.parametrize(("low", "high", "lower_better", "status"), [
    (0.05, 0.12, True, ON_TRACK),      # touching the path counts: at least as good
    (0.121, 0.20, True, OFF_TRACK),
    (0.10, 0.14, True, UNCLEAR),
    (0.12, 0.20, False, ON_TRACK),
    (0.05, 0.119, False, OFF_TRACK),
    (0.10, 0.14, False, UNCLEAR),
])
def test_status_from_the_interval_and_the_path(low, high, lower_better, status):
    assert goal_status(low, high, 0.12, lower_better=lower_better) == status


def test_direction_of_progress():
    assert lower_is_better(OSS, 0.16)          # suspension: adverse, lower is better
    assert not lower_is_better(GIFTED, 0.05)   # gifted: an opportunity
    assert lower_is_better(RATIO, 3.0)         # ratio: towards the target from the baseline
    assert not lower_is_better(RATIO.model_copy(update={"target_risk_ratio": 4.0}), 3.0)


def test_off_track_goal_with_its_published_values():
    published = _published(_row(2021, "oss", 0.16, 0.12, 0.21),
                           _row(2023, "oss", 0.147, 0.125, 0.18))
    progress = goal_progress(published, OSS, 2023)
    assert progress.path == pytest.approx(0.12, abs=1e-12)
    assert progress.status == OFF_TRACK
    table = goals_table(published, (OSS,), school_year=2023)
    assert table.iloc[0].to_dict() == {
        "goal": "Black students: suspended out of school (rate)", "baseline year": "2021–22",
        "baseline": "16.0%", "latest year": "2023–24", "latest (95% CI)": "14.7% (12.5%–18.0%)",
        "status": "off track"}
    assert goal_sentence(progress) == (
        "Black students, suspended out of school: the rate is to reach 8.0% by 2025–26, from "
        "16.0% in 2021–22. On the straight-line path it would be 12.0% in 2023–24; the latest "
        "value is 14.7% (12.5%–18.0%): off track. Since the baseline it has moved toward "
        "the target (16.0% → 14.7%).")


def test_a_goal_moving_away_from_its_target_says_so():
    published = _published(_row(2021, "oss", 0.129, 0.09, 0.18),
                           _row(2023, "oss", 0.147, 0.10, 0.19))
    progress = goal_progress(published, OSS, 2023)
    assert progress.status == UNCLEAR  # the interval straddles the path (10.45%)
    assert goal_sentence(progress).endswith(
        "Since the baseline it has moved away from the target (12.9% → 14.7%).")
    ratio = goal_progress(_published(_row(2021, "oss", 3.0, 2.0, 4.5, measure="risk_ratio"),
                                     _row(2023, "oss", 2.0, 1.4, 2.9, measure="risk_ratio")),
                          RATIO, 2023)
    assert "moved toward the target (3.00 → 2.00)" in goal_sentence(ratio)


def test_gifted_goal_reached_is_on_track_and_a_ratio_goal_unclear():
    published = _published(_row(2021, "gifted", 0.05, 0.03, 0.08),
                           _row(2023, "gifted", 0.13, 0.10, 0.16),
                           _row(2021, "oss", 3.0, 2.0, 4.5, measure="risk_ratio"),
                           _row(2023, "oss", 2.0, 1.4, 2.9, measure="risk_ratio"))
    assert goal_progress(published, GIFTED, 2023).status == ON_TRACK
    ratio = goal_progress(published, RATIO, 2023)
    assert ratio.path == pytest.approx(2.25, abs=1e-12)
    assert ratio.status == UNCLEAR
    assert goals_table(published, (RATIO,), school_year=2023).iloc[0]["latest (95% CI)"] == \
        "2.00 (1.40–2.90)"


def test_a_band_counts_as_the_range_it_covers():
    published = _published(_row(2021, "oss", 0.16, 0.12, 0.21),
                           _row(2023, "oss", 0.05, display="≤5%"))
    assert goal_progress(published, OSS, 2023).status == ON_TRACK  # 0–5% is below 12%
    shown = goals_table(published, (OSS,), school_year=2023).iloc[0]["latest (95% CI)"]
    assert shown == "≤5%"


def test_withheld_values_cannot_be_tracked_publicly():
    latest_hidden = _published(_row(2021, "oss", 0.16, 0.12, 0.21),
                               _row(2023, "oss", 0, suppressed=True))
    row = goals_table(latest_hidden, (OSS,), school_year=2023).iloc[0]
    assert row["latest (95% CI)"] == "suppressed"
    assert row["status"] == "cannot be tracked publicly in 2023–24: the value is withheld"
    base_hidden = _published(_row(2021, "oss", 0, suppressed=True),
                             _row(2023, "oss", 0.147, 0.125, 0.18))
    progress = goal_progress(base_hidden, OSS, 2023)
    assert progress.status == "cannot be tracked publicly: the baseline (2021–22) is withheld"
    assert "from a withheld value in 2021–22" in goal_sentence(progress)
    assert goal_chart(base_hidden, OSS, school_year=2023) is None
    assert goal_progress(base_hidden.iloc[1:], OSS, 2023).status == (
        "cannot be tracked: no published baseline for 2021–22")


def test_chart_shows_the_published_years_with_the_path():
    published = _published(_row(2021, "oss", 0.16, 0.12, 0.21),
                           _row(2022, "oss", 0, suppressed=True),
                           _row(2023, "oss", 0.147, 0.125, 0.18))
    chart = goal_chart(published, OSS, school_year=2023)
    assert isinstance(chart, ReportFigure)
    assert chart.alt == (
        "Black students: suspended out of school, rate each year and the path to the goal. "
        "2021–22: 16.0%; 2023–24: 14.7%. Path from 16.0% in 2021–22 to the target 8.0% in "
        "2025–26.")


def test_a_distant_target_year_keeps_the_chart_readable():
    far = OSS.model_copy(update={"target_year": 2040})
    published = _published(_row(2021, "oss", 0.16, 0.12, 0.21))
    chart = goal_chart(published, far, school_year=2023)
    labels = [t.get_text() for t in chart.axes[0].get_xticklabels()]
    assert 2 <= len(labels) <= 8 and labels[0] == "2021–22"
