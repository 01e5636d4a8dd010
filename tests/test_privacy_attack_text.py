"""The privacy attacker reads the running text: a number in the prose of audit.html or in a
finding's sentence that no published row explains is reported (kind "text")."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import privacy_attack


def _folder(tmp_path: Path, prose: str, statement: str) -> Path:
    pd.DataFrame({
        "district_id": "D9", "school_year": 2023, "school_id": "", "section": "programmatic",
        "measure": "rate", "outcome": "oss", "dimension": ["all", "sex"], "group": ["all", "M"],
        "comparison": "", "n": [200, 120], "numerator": [30, 22], "value": [0.15, 22 / 120],
        "ci_low": "", "ci_high": "", "p_value": "", "q_value": "", "suppressed": False,
        "flagged": False, "note": "", "display": ["15%", "18.3%"],
    }).to_csv(tmp_path / "metrics.csv", index=False)
    (tmp_path / "findings.json").write_text(json.dumps(
        [{"rank": 1, "statement": statement, "value": 0.183333, "excess_students": 4.2}]))
    (tmp_path / "audit.html").write_text(
        f"<html><body><h2>Discipline</h2><p>{prose}</p>"
        "<table><caption>x</caption><tr><td>99</td></tr></table></body></html>")
    return tmp_path


def _text(folder: Path) -> list[str]:
    found: list = []
    privacy_attack._running_text(folder, found, "D9", 10)
    assert all(f.kind == "text" for f in found)
    return [f.what for f in found]


def test_published_numbers_years_and_a_findings_own_numbers_pass(tmp_path):
    folder = _folder(tmp_path, "In 2023, 18.3% of the 120 boys (30 of 200 students; 15%) "
                               "were suspended.",
                     "Boys: 18.3%; 4 more boys than at the rate of all others.")
    assert _text(folder) == []


def test_a_number_no_row_publishes_is_reported_in_the_prose_and_in_a_finding(tmp_path):
    folder = _folder(tmp_path, "Of the 7 girls, 2 were suspended.", "Girls: 17 of 80.")
    what = _text(folder)
    assert any("audit.html: '7'" in w for w in what)
    assert any("audit.html: '2'" in w for w in what)
    assert any("findings.json statement: '17'" in w for w in what)
    assert any("findings.json statement: '80'" in w for w in what)
    assert not any("'99'" in w for w in what)  # tables are checked against the rows instead
