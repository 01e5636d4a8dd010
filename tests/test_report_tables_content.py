"""Every table of the report is made of published metrics.csv rows, cell by cell.

The tables are read back two ways: the views' DataFrames row by row against the metrics.csv rows
they name (outcome tables of every outcome and dimension, other groups, score gaps), and every
table of every section's HTML, whose every number must be a published number of metrics.csv
(formatted as the report formats it).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from _report_tables import metrics_as_written

from equitykit import report
from equitykit._words import capitalize, group_label
from equitykit.config import SECTIONS
from equitykit.report._tables import format_q, format_value
from equitykit.schema import DIMENSIONS

pytestmark = pytest.mark.slow  # a sample district computed in process (~20 s)

DISTRICT = "D02"  # every section has data: survey, staff, schools, two years and more
_NUMBER = re.compile(r"^(?:[≥≤]\s?)?-?[\d,]+(?:\.\d+)?%?$")
#: Tables without published numbers to compare, or checked by their own test (the IDEA table:
#: tests/test_report_idea.py; its threshold is the config's and its years are labels).
_SKIPPED_TABLES = {"Tables supplied", "Software versions", "How this audit was run",
                   "Students audited by school year",
                   "IDEA significant disproportionality: groups above the state's risk-ratio "
                   "threshold"}


@pytest.fixture(scope="module")
def audit(sample_audit):
    return sample_audit(DISTRICT)


@pytest.fixture(scope="module")
def metrics(audit) -> pd.DataFrame:
    return metrics_as_written(audit)


def _published(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics[metrics["suppressed"] == "false"]


def _shown(row: pd.Series, column: str = "value") -> str:
    """A metrics.csv cell (text) as the report prints it."""
    if row["suppressed"] == "true":
        return "suppressed"
    text = row[column]
    if column == "value" and row["display"][:1] in ("≥", "≤"):
        return row["display"]
    if text == "":
        return "—"
    return format_value("n" if column == "n" else row["measure"], float(text))


def _interval(row: pd.Series) -> str:
    if row["suppressed"] == "true" or row["ci_low"] == "":
        return ""
    low, high = (format_value(row["measure"], float(row[c])) for c in ("ci_low", "ci_high"))
    return f"{low} to {high}" if float(row["ci_low"]) < 0 else f"{low}–{high}"


def _one(rows: pd.DataFrame) -> pd.Series | None:
    assert len(rows) <= 1, rows
    return rows.iloc[0] if len(rows) else None


# ---------------------------------------------------------------- the views, row by row


def _district_rows(metrics: pd.DataFrame, outcome: str) -> pd.DataFrame:
    rows = metrics[(metrics["outcome"] == outcome) & (metrics["school_id"] == "")]
    return rows[rows["school_year"] == max(rows["school_year"], key=int)]


def _outcome_dimensions(metrics: pd.DataFrame) -> list[tuple[str, str]]:
    rates = metrics[(metrics["measure"] == "rate") & (metrics["school_id"] == "")
                    & (metrics["comparison"] == "") & (metrics["dimension"] != "all")
                    & (metrics["section"].isin(("achievement", "programmatic")))]
    return sorted(set(zip(rates["outcome"], rates["dimension"], strict=True)))


def test_outcome_tables_of_every_outcome_and_dimension(audit, metrics):
    pairs = _outcome_dimensions(metrics)
    assert len(pairs) > 40
    checked = 0
    for outcome, dimension in pairs:
        rows = _district_rows(metrics, outcome)
        rows = rows[rows["dimension"] == dimension]
        table = report.outcome_table(audit.published, outcome, by=dimension)
        rates = rows[(rows["measure"] == "rate") & (rows["comparison"] == "")]
        assert len(table) == len(rates), (outcome, dimension)
        flags = 0
        for (_, shown), (_, rate) in zip(table.iterrows(), rates.iterrows(), strict=True):
            group = rate["group"]
            name = capitalize(group_label(dimension, group))  # one label set everywhere
            ratio = _one(rows[(rows["measure"] == "risk_ratio")
                              & (rows["comparison"] == "all_other") & (rows["group"] == group)])
            excess = _one(rows[(rows["measure"] == "excess_students")
                               & (rows["group"] == group)])
            flag = (ratio["note"].removeprefix("IDEA: ")
                    if ratio is not None and ratio["flagged"] == "true" else "")
            flags += bool(flag)
            expected = {
                "group": name,
                "students": _shown(rate, "n"),
                "rate": _shown(rate),
                "risk ratio": _shown(ratio) if ratio is not None else "—",
                "95% CI": _interval(ratio) if ratio is not None else "",
                "excess students": _shown(excess) if excess is not None else "—",
            }
            if "IDEA flag" in table:  # the column shows only when some group is flagged
                expected["IDEA flag"] = flag
            assert shown.to_dict() == expected, (outcome, dimension, group)
            checked += 1
        assert ("IDEA flag" in table) == (flags > 0), (outcome, dimension)
    assert checked > 200


def test_other_groups_tables(audit, metrics):
    checked = 0
    for outcome in {o for o, _ in _outcome_dimensions(metrics)}:
        rows = _district_rows(metrics, outcome)
        ratios = rows[(rows["measure"] == "risk_ratio") & (rows["comparison"] == "all_other")
                      & rows["dimension"].isin(DIMENSIONS[1:])
                      & (rows["group"] != "false")]
        table = report.other_groups_table(audit.published, outcome, config=audit.config)
        rates = rows[(rows["measure"] == "rate") & (rows["comparison"] == "")]

        def rate_of(r, rates=rates):
            return _one(rates[(rates["dimension"] == r["dimension"])
                              & (rates["group"] == r["group"])])

        expected = [{
            "group": capitalize(group_label(r["dimension"], r["group"])),
            "students": _shown(rate_of(r), "n") if rate_of(r) is not None else "—",
            "rate": _shown(rate_of(r)) if rate_of(r) is not None else "—",
            "risk ratio": _shown(r),
            "95% CI": _interval(r),
            "q": "" if r["suppressed"] == "true" else format_q(float(r["q_value"] or "nan")),
        } for _, r in ratios.iterrows()]
        assert table.to_dict("records") == expected, outcome
        checked += len(expected)
    assert checked > 50


@pytest.mark.parametrize("score", ["math_score", "ela_score"])
def test_gap_tables(audit, metrics, score):
    year = str(audit.school_year)
    rows = metrics[(metrics["outcome"] == score) & (metrics["school_id"] == "")
                   & (metrics["school_year"] == year)]
    gaps = _published(rows[(rows["measure"] == "hedges_g") & (rows["group"] != "false")])
    gaps = gaps[gaps["value"] != ""]
    v = rows[rows["measure"] == "v_statistic"]
    table = report.gap_table(audit.published, score, school_year=audit.school_year)
    expected = []
    for _, g in gaps.iterrows():
        level = _one(v[(v["dimension"] == g["dimension"]) & (v["group"] == g["group"])])
        expected.append({
            "group": capitalize(group_label(g["dimension"], g["group"])),
            "students": _shown(g, "n"), "Hedges' g": _shown(g), "95% CI": _interval(g),
            "V (from levels)": _shown(level) if level is not None else "—",
        })
    assert len(expected) > 5
    assert table.to_dict("records") == expected


# ---------------------------------------------------------------- every table of every section


class _Tables(HTMLParser):
    """Captions and the text of each cell of every HTML table."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "tr":
            self.tables[-1][1].append([])
        elif tag in ("td", "th", "caption"):
            self._text = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._text is not None:
            self.tables[-1][1][-1].append("".join(self._text).strip())
            self._text = None
        elif tag == "caption" and self._text is not None:
            self.tables[-1] = ("".join(self._text).strip(), self.tables[-1][1])
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def _printed_numbers(metrics: pd.DataFrame) -> set[str]:
    """Every number of the published metrics.csv rows as the report could print it."""
    out = set()
    for _, r in _published(metrics).iterrows():
        out |= {r["display"]} - {""}
        for column in ("value", "ci_low", "ci_high"):
            if r[column] != "":
                out.add(format_value(r["measure"], float(r[column])))
        for column in ("n", "numerator"):
            if r[column] != "":
                out.add(format_value("n", float(r[column])))
        for column in ("q_value", "p_value"):
            if r[column] != "":
                out.add(format_q(float(r[column])))
                out.add("≤" + format_q(float(r[column])))  # a permutation p at its floor
    return out


def test_every_number_in_every_section_table_is_a_published_number(audit, metrics):
    published = _printed_numbers(metrics)
    tables = 0
    for name in SECTIONS:
        parser = _Tables()
        parser.feed(report.section(audit, name).data)
        for caption, rows in parser.tables:
            if caption in _SKIPPED_TABLES:
                continue
            tables += 1
            for row in rows[1:]:
                for text in row[1:]:  # the first column names the row
                    for part in re.split(r"–| to ", text):
                        if _NUMBER.match(part.strip()):
                            assert part.strip() in published, (name, caption, row, part)
    assert tables > 40
