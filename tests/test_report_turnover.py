"""The adults part of the teacher-quality section: staff turnover and new hires by staff
race/ethnicity, each cell a published metrics value."""

from __future__ import annotations

from _report_tables import table

from equitykit._words import year_label
from equitykit.report._adults import TURNOVER_COLUMNS, turnover_year
from equitykit.report._sections import teacher_quality
from equitykit.report._views import cell, interval


def test_turnover_table_cells_are_metrics_rows(sample_audit):
    audit = sample_audit("D03")
    year = turnover_year(audit.published, audit.school_year)
    assert year == audit.school_year - 1  # the last year's leavers are not known yet
    rows = table(teacher_quality(audit), f"Staff turnover and new hires in {year_label(year)} "
                                         "by race/ethnicity (all roles)")
    assert list(rows[0]) == list(TURNOVER_COLUMNS)
    p = audit.published
    p = p[(p["school_id"] == "") & (p["school_year"] == year) & (p["measure"] == "rate")]
    for group, name in (("all", "All staff"), ("Black", "Black staff")):
        left = p[(p["outcome"] == "staff_turnover") & (p["group"] == group)].iloc[0]
        hired = p[(p["outcome"] == "staff_new_hire") & (p["group"] == group)].iloc[0]
        row = next(r for r in rows if r["staff"] == name)
        assert row["number"] == cell(left, "n")
        assert row["left at the end of the year"] == cell(left)
        assert row["95% CI (left)"] == interval(left)
        assert row["hired that year"] == cell(hired)
        assert row["95% CI (hired)"] == interval(hired)
