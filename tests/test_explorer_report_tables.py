"""The explorer shows the report's outcome table: for the same district, year, outcome and
dimension, its rate table has the report's columns, group names and cells, withheld ones
included (the explorer reads the audit's published table)."""

from __future__ import annotations

import pytest
from _report_tables import tables

from equitykit import report
from equitykit._words import capitalize, dimension_label, outcome_label
from equitykit.samples import sample_data_dir
from equitykit.widgets import Explorer

pytestmark = pytest.mark.slow  # a sample district audited in process (~20 s)

DISTRICT = "D01"


@pytest.fixture(scope="module")
def explorer() -> Explorer:
    explorer = Explorer.from_data_dir(sample_data_dir())
    explorer.district.value = DISTRICT
    return explorer


@pytest.mark.parametrize(("outcome", "by"), [("oss", "race_ethnicity"), ("gifted", "sex"),
                                             ("chronic_absent", "econ_disadvantaged")])
def test_explorer_table_is_the_reports(explorer, sample_audit, outcome, by):
    audit = sample_audit(DISTRICT)
    explorer.outcome.value = outcome
    explorer.dimension.value = by
    assert explorer.school_year.value == audit.school_year
    [(caption, shown)] = tables(explorer.table.value)
    assert caption == f"{capitalize(outcome_label(outcome))} by {dimension_label(by)}"
    expected = report.outcome_table(audit.published, outcome, by=by,
                                    school_year=audit.school_year)
    expected = expected.drop(columns="IDEA flag", errors="ignore")  # the explorer flags none
    def by_group(rows):  # the explorer lists groups in its menus' order
        return sorted(rows, key=lambda row: row["group"])

    shown, expected = by_group(shown), by_group(expected.to_dict("records"))
    assert [row["group"] for row in shown] == [row["group"] for row in expected]
    assert {tuple(row) for row in shown} == {tuple(row) for row in expected}  # columns
    assert shown == expected


def test_the_explorer_publishes_the_reports_district_table(explorer, sample_audit):
    audit = sample_audit(DISTRICT)
    explorer.outcome.value = "gifted"
    explorer.dimension.value = "sex"
    [(_, shown)] = tables(explorer.table.value)
    expected = report.outcome_table(audit.published, "gifted", by="sex",
                                    school_year=audit.school_year)
    assert [row["students"] for row in shown] == list(expected["students"])
