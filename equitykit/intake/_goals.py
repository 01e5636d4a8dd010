"""The config's goals checked against a data folder (``equitykit validate``): each goal's
outcome, group and baseline year must be in the data."""

from __future__ import annotations

import pandas as pd

from .._words import group_codes
from ..config import AuditConfig
from ..errors import DataProblem
from ..schema import INTERSECTION_SEP
from ._derive import derivable_outcomes

__all__ = ["goal_problems"]

NO_OUTCOME = ("goals.{i}.outcome: {outcome} cannot be computed from the data (its columns are "
              "missing)")
NO_GROUP = ("goals.{i}.group: no student of the data is in group {group!r} of {dimension}; "
            "the groups present: {present}")
NO_YEAR = ("goals.{i}.baseline_year: the data has no school year {year}; the years present: "
           "{present}")


def goal_problems(tables: dict[str, pd.DataFrame], files: dict[str, str],
                  config: AuditConfig) -> list[DataProblem]:
    """One problem per goal whose outcome, group or baseline year the students table lacks.

    A group of the district's own school-level dimension is left to the audit (it is read
    from the schools table); an outcome is taken as present whenever an incidents table is.
    """
    students = tables.get("students")
    if students is None or not config.goals:
        return []
    file = files["students"]
    problems = []
    outcomes = derivable_outcomes(students.columns)
    years = sorted(int(y) for y in students["school_year"].dropna().unique()) \
        if "school_year" in students else []
    for i, goal in enumerate(config.goals):
        if goal.outcome not in outcomes and "incidents" not in tables:
            problems.append(DataProblem(file=file, message=NO_OUTCOME.format(
                i=i, outcome=goal.outcome)))
        if years and goal.baseline_year not in years:
            problems.append(DataProblem(file=file, column="school_year", message=NO_YEAR.format(
                i=i, year=goal.baseline_year, present=", ".join(map(str, years)))))
        parts = zip(goal.dimension.split(INTERSECTION_SEP), goal.group.split(INTERSECTION_SEP),
                    strict=True)
        for dimension, group in parts:
            own = config.data.dimensions.get(dimension)
            if dimension not in students or (own is not None and own.level == "school"):
                continue
            present = sorted(str(g) for g in group_codes(students[dimension]).dropna().unique())
            if group not in present:
                problems.append(DataProblem(file=file, column=dimension, message=NO_GROUP.format(
                    i=i, group=group, dimension=dimension, present=", ".join(present))))
    return problems
