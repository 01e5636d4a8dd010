"""A sample district audited with the example config's goals (examples/sample_goals.yml): the
goals section's table prints the published metrics.csv values of each goal, and the trends
section shows every group's rate each year; the privacy attacker finds no number in the
report's tables that is not published; in the Word document every number is a published
value, a goal's target, target year or its path's value (the only numbers a goal adds that
metrics.csv lacks)."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pandas as pd
import pytest
from _report_numbers import docx_text, non_statistics, published_numbers, unexplained_numbers
from privacy_attack import _html_tables, read_metrics

from equitykit.cli import main
from equitykit.config import load_config
from equitykit.report._goals import goal_progress
from equitykit.samples import sample_data_dir

pytestmark = pytest.mark.slow
CONFIG = Path(__file__).parents[1] / "examples" / "sample_goals.yml"


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("goals") / "out"
    assert main(["audit", str(sample_data_dir()), "--district", "D01", "--out", str(out),
                 "--config", str(CONFIG), "--format", "html,docx"]) == 0
    return out / "D01"


def _table(page, caption: str) -> list[list[str]]:
    table = page.xpath(f"//table[caption[normalize-space()='{caption}']]")
    assert table, caption
    return [[c.text_content().strip() for c in tr.xpath("td")]
            for tr in table[0].xpath("tbody/tr")]


def _printed(row: pd.Series, *, with_interval: bool) -> str:
    """A metrics.csv row as the report writes it, computed here from the CSV's own text."""
    if row["suppressed"] == "True":
        return "suppressed"
    if row["display"].startswith(("≤", "≥")):
        return row["display"]
    rate = row["measure"] == "rate"
    shown = (lambda v: f"{100 * float(v):.1f}%") if rate else (lambda v: f"{float(v):.2f}")
    if with_interval and row["ci_low"]:
        return f"{shown(row['value'])} ({shown(row['ci_low'])}–{shown(row['ci_high'])})"
    return shown(row["value"])


def test_goal_cells_are_the_published_values(district):
    metrics = pd.read_csv(district / "metrics.csv", dtype=str, keep_default_na=False)
    page = lxml.html.parse(str(district / "audit.html")).getroot()
    rows = _table(page, "Goals and progress")
    goals = load_config(CONFIG).goals
    assert len(rows) == len(goals)
    for goal, cells in zip(goals, rows, strict=True):
        mine = metrics[(metrics["school_id"] == "") & (metrics["outcome"] == goal.outcome)
                       & (metrics["dimension"] == goal.dimension)
                       & (metrics["group"] == goal.group) & (metrics["measure"] == goal.measure)
                       & (metrics["comparison"] == ("" if goal.measure == "rate"
                                                    else "all_other"))]
        by_year = mine.set_index("school_year")
        assert cells[1] == "2021–22" and cells[3] == "2023–24"
        assert cells[2] == _printed(by_year.loc["2021"], with_interval=False)
        assert cells[4] == _printed(by_year.loc["2023"], with_interval=True)
        assert cells[5] in ("on track", "off track", "not distinguishable from the path") \
            or cells[5].startswith("cannot be tracked")
    heading = page.xpath("//h2[starts-with(normalize-space(), 'Goals and progress')]")
    assert heading and page.xpath("//figure/figcaption[contains(., 'path to the goal')]")


def test_trends_show_every_groups_rate_each_year(district):
    page = lxml.html.parse(str(district / "audit.html")).getroot()
    captions = [c.text_content() for c in page.xpath("//table/caption")]
    trend = [c for c in captions if re.search(r": rate by .* and school year$", c)]
    assert trend
    rows = _table(page, trend[0])
    assert rows[0][0] == "All students" and len(rows[0]) == 4  # group + three school years


def test_the_attacker_finds_every_table_number_published(district):
    metrics = read_metrics(district)
    found: list = []
    _html_tables(district, metrics[~metrics["suppressed"]], found, "D01")
    assert found == []


def test_every_number_of_the_word_document_is_published_or_a_goal(district):
    metrics = pd.read_csv(district / "metrics.csv", dtype=str, keep_default_na=False)
    allowed = published_numbers(metrics) | non_statistics(
        metrics, thresholds=(10, 20, 30), privacy=district / "privacy.json",
        findings=district / "findings.json")
    published = read_metrics(district)
    goals = set()
    for goal in load_config(CONFIG).goals:
        path = goal_progress(published, goal, 2023).path
        for value in (goal.target, path):
            goals |= {f"{100 * value:.1f}%", f"{value:.2f}"}
        goals |= {str(goal.target_year), f"{(goal.target_year + 1) % 100:02d}"}
    text = docx_text(district / "audit.docx")
    assert "Goals and progress" in text
    assert unexplained_numbers(text, allowed | goals) == []
    assert unexplained_numbers(text, allowed) != []  # the goals' targets are not published
