"""The goals section (config ``goals``): each goal's baseline, latest value with its 95%
interval, target, the straight-line path between them and whether the latest year is on track.

Every value comes from the published table: a withheld value shows as withheld, and a goal
whose baseline or latest value is withheld cannot be tracked publicly that year.

On track (docs/methods.md): the path runs in a straight line from the published baseline
value (``baseline_year``) to the target (``target_year``) and stays at the target after it.
In the latest year, the goal is *on track* when the whole 95% interval of the latest value is
at least as good as the path's value, *off track* when the whole interval is worse, and *not
distinguishable from the path* when the interval straddles it. "Good" is lower for an adverse
outcome's rate (suspension) and higher for an opportunity's (gifted); for a risk ratio it is
the direction from the baseline towards the target. A rate shown as a band (``≤5%``) counts as
the interval the band covers; a value without an interval, as that value alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .._words import capitalize, fmt_pct, group_label, outcome_label, year_label
from ..config import AuditConfig, Goal
from ..schema import OUTCOMES
from . import _figures as fig
from ._figures import ReportFigure
from ._tables import SUPPRESSED_TEXT
from ._views import cell, group_name, interval

__all__ = [
    "OFF_TRACK",
    "ON_TRACK",
    "UNCLEAR",
    "GoalProgress",
    "goal_chart",
    "goal_progress",
    "goal_sentence",
    "goal_status",
    "goals_table",
    "lower_is_better",
    "path_value",
]

ON_TRACK, OFF_TRACK, UNCLEAR = "on track", "off track", "not distinguishable from the path"


@dataclass(frozen=True)
class GoalProgress:
    """Where one goal stands in ``year``: the published baseline and latest rows (None when
    the table has none), the path's value that year, and the status in words."""

    goal: Goal
    year: int
    baseline: pd.Series | None
    latest: pd.Series | None
    path: float
    status: str


def _rows(published: pd.DataFrame, goal: Goal) -> pd.DataFrame:
    """The goal's published district rows, one per school year."""
    p = published
    comparison = "" if goal.measure == "rate" else "all_other"
    rows = p[(p["school_id"] == "") & (p["outcome"] == goal.outcome)
             & (p["dimension"] == goal.dimension) & (p["group"] == goal.group)
             & (p["measure"] == goal.measure) & (p["comparison"] == comparison)]
    return rows.drop_duplicates("school_year").set_index("school_year")


def lower_is_better(goal: Goal, baseline: float) -> bool:
    """Whether a lower value is progress: for a rate, when the outcome is adverse; for a risk
    ratio, when the target is below the baseline (at the baseline: when adverse)."""
    adverse = OUTCOMES[goal.outcome].adverse
    if goal.measure == "rate" or goal.target == baseline:
        return adverse
    return goal.target < baseline


def path_value(goal: Goal, baseline: float, year: int) -> float:
    """The straight-line path's value in ``year``: ``baseline`` in the baseline year, the
    target in the target year and after it.

    Examples
    --------
    >>> g = Goal(outcome="oss", dimension="race_ethnicity", group="Black", baseline_year=2021,
    ...          target_year=2025, target_rate=0.08)
    >>> round(path_value(g, 0.16, 2023), 6), path_value(g, 0.16, 2030)
    (0.12, 0.08)
    """
    share = min(max((year - goal.baseline_year) / (goal.target_year - goal.baseline_year), 0), 1)
    return baseline + (goal.target - baseline) * share


def _bounds(row: pd.Series) -> tuple[float, float]:
    """The range a published value stands for: its 95% interval, the band of a coded rate
    (``≤5%`` is 0 to 5%), else the value alone."""
    value = float(row["value"])
    display = row.get("display")
    if isinstance(display, str) and display.startswith("≤"):
        return 0.0, value
    if isinstance(display, str) and display.startswith("≥"):
        return value, 1.0
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return value, value
    return float(low), float(high)


def goal_status(low: float, high: float, path: float, *, lower_better: bool) -> str:
    """On track, off track or not distinguishable from the path, from the range ``low``–
    ``high`` of the latest value (its 95% interval) and the path's value that year.

    Examples
    --------
    >>> goal_status(0.05, 0.09, 0.10, lower_better=True)
    'on track'
    >>> goal_status(0.11, 0.15, 0.10, lower_better=True)
    'off track'
    >>> goal_status(0.08, 0.12, 0.10, lower_better=True)
    'not distinguishable from the path'
    """
    better, worse = (high <= path, low > path) if lower_better else (low >= path, high < path)
    return ON_TRACK if better else OFF_TRACK if worse else UNCLEAR


def _usable(row: pd.Series | None) -> bool:
    return (row is not None and not bool(row["suppressed"])
            and isinstance(row["value"], float | int) and math.isfinite(row["value"]))


def goal_progress(published: pd.DataFrame, goal: Goal, school_year: int) -> GoalProgress:
    """Where ``goal`` stands in ``school_year`` from the published table."""
    rows = _rows(published, goal)
    baseline = rows.loc[goal.baseline_year] if goal.baseline_year in rows.index else None
    latest = rows.loc[school_year] if school_year in rows.index else None
    when = year_label(school_year)
    if school_year <= goal.baseline_year:
        return GoalProgress(goal, school_year, baseline, latest, math.nan,
                            f"progress shows from the year after the baseline "
                            f"({year_label(goal.baseline_year)})")
    if baseline is None:
        status = (f"cannot be tracked: no published baseline for "
                  f"{year_label(goal.baseline_year)}")
    elif not _usable(baseline):
        status = (f"cannot be tracked publicly: the baseline "
                  f"({year_label(goal.baseline_year)}) is withheld")
    elif latest is None:
        status = f"cannot be tracked in {when}: no published value"
    elif not _usable(latest):
        status = f"cannot be tracked publicly in {when}: the value is withheld"
    else:
        base = float(baseline["value"])
        path = path_value(goal, base, school_year)
        status = goal_status(*_bounds(latest), path, lower_better=lower_is_better(goal, base))
        return GoalProgress(goal, school_year, baseline, latest, path, status)
    return GoalProgress(goal, school_year, baseline, latest, math.nan, status)


def _what(goal: Goal, config: AuditConfig | None) -> str:
    what = "risk ratio vs all other students" if goal.measure == "risk_ratio" else "rate"
    return (f"{group_name(goal.dimension, goal.group, config)}: "
            f"{outcome_label(goal.outcome)} ({what})")


def _shown(row: pd.Series | None, *, with_interval: bool = False) -> str:
    if row is None:
        return "—"
    if row["suppressed"]:
        return SUPPRESSED_TEXT
    ci = interval(row) if with_interval else ""
    return f"{cell(row)} ({ci})" if ci else cell(row)


def goals_table(published: pd.DataFrame, goals: tuple[Goal, ...], *, school_year: int,
                config: AuditConfig | None = None) -> pd.DataFrame:
    """One row per goal: ``goal``, ``baseline year``, ``baseline``, ``latest year``,
    ``latest (95% CI)`` and ``status``. Every number is a published value as the report
    prints it; a withheld one reads "suppressed" (the target and the path are in
    :func:`goal_sentence`)."""
    table = []
    for goal in goals:
        progress = goal_progress(published, goal, school_year)
        table.append({
            "goal": _what(goal, config),
            "baseline year": year_label(goal.baseline_year),
            "baseline": _shown(progress.baseline),
            "latest year": year_label(school_year),
            "latest (95% CI)": _shown(progress.latest, with_interval=True),
            "status": progress.status,
        })
    return pd.DataFrame(table, columns=["goal", "baseline year", "baseline", "latest year",
                                        "latest (95% CI)", "status"])


def _number(goal: Goal, value: float) -> str:
    return fmt_pct(value) if goal.measure == "rate" else f"{value:.2f}"


def goal_sentence(progress: GoalProgress) -> str:
    """The goal, its target and where the path stands in the latest year, in words."""
    goal = progress.goal
    them = capitalize(group_label(goal.dimension, goal.group))
    what = ("rate" if goal.measure == "rate"
            else "risk ratio against all other students")
    start = ("no published value" if progress.baseline is None
             else "a withheld value" if progress.baseline["suppressed"]
             else _shown(progress.baseline))
    text = (f"{them}, {outcome_label(goal.outcome)}: the {what} is to reach "
            f"{_number(goal, goal.target)} by {year_label(goal.target_year)}, from "
            f"{start} in {year_label(goal.baseline_year)}.")
    if not math.isnan(progress.path):
        text += (f" On the straight-line path it would be {_number(goal, progress.path)} in "
                 f"{year_label(progress.year)}; the latest value is "
                 f"{_shown(progress.latest, with_interval=True)}: {progress.status}.")
        text += _direction(progress)
    else:
        text += f" {capitalize(progress.status)}."
    return text


def _direction(progress: GoalProgress) -> str:
    """Which way the published value moved from the baseline (described, not tested)."""
    base, latest = float(progress.baseline["value"]), float(progress.latest["value"])
    if progress.latest.get("display", "")[:1] in ("≤", "≥") or math.isclose(base, latest):
        return ""
    better = (latest < base) == lower_is_better(progress.goal, base)
    return (f" Since the baseline it has moved {'toward' if better else 'away from'} the "
            f"target ({_shown(progress.baseline)} → {_shown(progress.latest)}).")


def goal_chart(published: pd.DataFrame, goal: Goal, *, school_year: int) -> ReportFigure | None:
    """The group's published value each year with the path from the baseline to the target;
    None when the baseline is not published (there is no path to draw)."""
    rows = _rows(published, goal)
    baseline = rows.loc[goal.baseline_year] if goal.baseline_year in rows.index else None
    if not _usable(baseline):
        return None
    shown = rows[~rows["suppressed"].astype(bool) & rows["value"].notna()
                 & (rows.index <= school_year)]
    frame = pd.DataFrame({"year": shown.index.astype(int), "value": shown["value"].astype(float),
                          "ci_low": shown["ci_low"].astype(float),
                          "ci_high": shown["ci_high"].astype(float)})
    frame = frame.fillna({"ci_low": frame["value"], "ci_high": frame["value"]})
    rate = goal.measure == "rate"
    title = capitalize(f"{group_label(goal.dimension, goal.group)}: "
                       f"{outcome_label(goal.outcome)}, "
                       f"{'rate' if rate else 'risk ratio'} each year and the path to the goal")
    return fig.goal_plot(frame, path=((goal.baseline_year, float(baseline["value"])),
                                      (goal.target_year, goal.target)),
                         title=title, ylabel="rate" if rate else "risk ratio vs all others",
                         percent=rate)
