"""Scans of the files an audit produces: privacy, escaping, self-containment.

They read back the files of the ``audit_dir`` fixture (conftest): the real notebook run end to
end (``equitykit audit``) on sample district D01, with one school renamed to carry a script tag.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from equitykit.samples import sample_data_dir

pytestmark = pytest.mark.slow

TINY_GROUP = "Native Hawaiian/Pacific Islander"  # 3-4 students a year in D01 (data_samples)
MIN_N = 10


def _texts(audit_dir: Path) -> dict[str, str]:
    notebook = nbformat.read(audit_dir / "audit.ipynb", as_version=4)
    outputs = json.dumps([c.get("outputs", []) for c in notebook.cells])
    return {
        "audit.html": (audit_dir / "audit.html").read_text(encoding="utf-8"),
        "audit.ipynb": outputs,
        "metrics.csv": (audit_dir / "metrics.csv").read_text(encoding="utf-8"),
        "findings.json": (audit_dir / "findings.json").read_text(encoding="utf-8"),
    }


def test_no_student_id_in_any_output(audit_dir):
    students = pd.read_parquet(sample_data_dir() / "students.parquet", columns=["student_id"])
    ids = set(students["student_id"].astype(str))
    for name, text in _texts(audit_dir).items():
        tokens = set(re.findall(r"[A-Za-z0-9_]+", text))
        assert not tokens & ids, f"student ids in {name}"


def _withheld(frame: pd.DataFrame) -> pd.Series:
    return frame["suppressed"].astype(str).str.lower() == "true"


def test_no_published_number_for_a_group_under_min_n(audit_dir):
    metrics = pd.read_csv(audit_dir / "metrics.csv", keep_default_na=False, na_values=[""])
    published = metrics[~_withheld(metrics)]
    small = published[published["n"].notna() & (published["n"] > 0) & (published["n"] < MIN_N)]
    assert small.empty, small[["measure", "outcome", "dimension", "group", "n"]]
    tiny = metrics[metrics["group"].astype(str).str.split("×").apply(lambda g: TINY_GROUP in g)]
    assert len(tiny) > 0
    assert _withheld(tiny).all()
    assert tiny[["value", "n", "numerator", "ci_low", "ci_high"]].isna().all().all()
    findings = json.loads((audit_dir / "findings.json").read_text())
    assert not [f for f in findings if TINY_GROUP in f["group"]]


class _Rows(HTMLParser):
    """Collect the text of every table row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None


def test_tiny_group_rows_show_no_number_in_html_and_notebook(audit_dir):
    for name, text in _texts(audit_dir).items():
        if name not in ("audit.html", "audit.ipynb"):
            continue
        parser = _Rows()
        parser.feed(text if name == "audit.html" else json.loads(text).__repr__())
        rows = [r for r in parser.rows if r and r[0] in (TINY_GROUP, f"{TINY_GROUP} students")]
        if name == "audit.html":
            assert rows, "the report should list the group, as suppressed"
        for row in rows:
            assert all(cell in ("suppressed", "—", "") for cell in row[1:]), row


def test_school_name_from_data_is_escaped(audit_dir):
    html = (audit_dir / "audit.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html  # the name is shown, as text
    notebook = nbformat.read(audit_dir / "audit.ipynb", as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert "<script>alert" not in output.get("data", {}).get("text/html", "")


def test_report_is_self_contained_and_shows_no_code(audit_dir):
    html = (audit_dir / "audit.html").read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.search(r"<link[^>]+href=", html)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "@import" not in html
    assert "DistrictAudit.run" not in html  # code cells are excluded
    assert "Traceback" not in html and "Warning:" not in html


def test_html_outcome_tables_are_rows_of_metrics_csv(audit_dir):
    """Every number in the "<outcome> by race/ethnicity" tables is a metrics.csv row."""
    from equitykit._words import counted_label, group_label, outcome_label
    from equitykit.report._tables import format_value
    from equitykit.schema import OUTCOMES

    metrics = pd.read_csv(audit_dir / "metrics.csv", keep_default_na=False, na_values=[""])
    # The tables name groups as the charts do ("Multiracial students" for "Two or more races").
    groups = {group_label("race_ethnicity", g)[:1].upper() + group_label("race_ethnicity", g)[1:]: g
              for g in metrics.loc[metrics["dimension"] == "race_ethnicity", "group"].unique()}
    metrics = metrics[metrics["school_id"].isna() & ~_withheld(metrics)]
    metrics = metrics[metrics["school_year"] == metrics["school_year"].max()]
    captions = {f"{outcome_label(o)[:1].upper()}{outcome_label(o)[1:]} by race/ethnicity": o
                for o in OUTCOMES}
    html = (audit_dir / "audit.html").read_text(encoding="utf-8")
    checked = 0
    for caption, body in re.findall(r"<caption>(.*?)</caption>(.*?)</table>", html, re.S):
        outcome = captions.get(caption)
        if outcome is None:
            continue
        parser = _Rows()
        parser.feed(body)
        header, *rows = parser.rows
        for row in rows:
            cells = dict(zip(header, row, strict=True))
            mine = metrics[(metrics["outcome"] == outcome)
                           & (metrics["group"] == groups[cells["group"]])
                           & (metrics["dimension"] == "race_ethnicity")]
            rate = mine[mine["measure"] == "rate"]
            ratio = mine[(mine["measure"] == "risk_ratio") & (mine["comparison"] == "all_other")]
            if cells["rate"] not in ("suppressed", "—"):
                shown = rate["display"].iloc[0] if rate["display"].notna().iloc[0] else None
                coded = shown if shown and shown[0] in "≥≤" else None
                assert cells["rate"] == format_value("rate", rate["value"].iloc[0],
                                                     display=coded), (caption, cells)
                counted = counted_label(outcome)  # "students tested", "students enrolled"
                assert cells[counted] == format_value("n", rate["n"].iloc[0])
                checked += 1
            if cells["risk ratio"] not in ("suppressed", "—"):
                assert cells["risk ratio"] == format_value("risk_ratio", ratio["value"].iloc[0])
                checked += 1
    assert checked > 20
