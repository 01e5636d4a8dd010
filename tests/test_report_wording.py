"""One wording across the report: school years as "2023–24", one label per group in tables and
charts, gaps in points (not "%"), whole sentences, quartile captions that read."""

from __future__ import annotations

import html
import re

from _report_tables import tables

from equitykit.report._tables import format_value


def _sections(audit) -> str:
    return "".join(audit.section(name).data for name in audit.sections)


def test_years_read_as_school_years_everywhere(sample_audit):
    audit = sample_audit("D01")
    page = _sections(audit)
    years = 0
    for caption, rows in tables(page):
        for row in rows:
            for header, cell in row.items():
                for text in (header, cell):
                    assert not re.fullmatch(r"(19|20)\d\d", text), (caption, text)
                    years += bool(re.fullmatch(r"(19|20)\d\d–\d\d", text))
    assert years >= 3  # data profile and trends show school years


def test_one_label_per_group_in_tables_and_charts(sample_audit):
    page = html.unescape(_sections(sample_audit("D01")))
    assert "Two or more races" not in page  # the charts' "Multiracial students" everywhere
    assert "Multiracial students" in page
    assert ">Black<" not in page


def test_gaps_in_points_and_quartile_captions(sample_audit):
    page = html.unescape(_sections(sample_audit("D01")))
    assert "highest-students" not in page and "lowest-students" not in page
    assert "quarters of schools with the most and the fewest students of color" in page
    gaps = [row["gap (percentage points)"] for _, rows in tables(page) for row in rows
            if "gap (percentage points)" in row]
    assert gaps and not [g for g in gaps if "%" in g]
    assert format_value("risk_difference", 0.168) == "16.8"
    assert format_value("excess_students", -0.4) == "0"
    assert format_value("hedges_g", -0.001) == "0.00"
    assert format_value("excess_students", -1234.0) == "-1,234"


def test_findings_are_whole_sentences(sample_audit):
    audit = sample_audit("D01")
    for f in audit.findings:
        assert "more students than at the rate" not in f["statement"]
        assert f["statement"].endswith(".")
    excess = [f["statement"] for f in audit.findings if "at the rate of all other students, "
              in f["statement"]]
    assert excess
    assert all(re.search(r"at the rate of all other students, [\d,]+ fewer .+ would ", s)
               for s in excess)
