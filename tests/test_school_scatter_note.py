"""The schools chart says how many schools it leaves out, and why."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from equitykit.report._sections import _school_scatter


def _rows(school: str, *, rate_withheld: bool) -> list[dict]:
    base = {"school_id": school, "school_year": 2023, "comparison": "", "note": "",
            "display": "", "ci_low": float("nan"), "ci_high": float("nan")}
    return [
        {**base, "outcome": "enrollment", "measure": "composition", "dimension": "all",
         "group": "all", "value": 1.0, "n": 400.0, "suppressed": False},
        {**base, "outcome": "enrollment", "measure": "composition",
         "dimension": "econ_disadvantaged", "group": "true", "value": 0.2 + 0.1 * int(school),
         "n": 100.0, "suppressed": False},
        {**base, "outcome": "oss", "measure": "rate", "dimension": "all", "group": "all",
         "value": float("nan") if rate_withheld else 0.05 * int(school),
         "n": float("nan") if rate_withheld else 400.0, "suppressed": rate_withheld},
    ]


def _audit(withheld: int) -> SimpleNamespace:
    rows = [r for s in range(1, 6) for r in _rows(str(s), rate_withheld=s <= withheld)]
    return SimpleNamespace(published=pd.DataFrame(rows), school_year=2023)


def test_withheld_schools_are_counted_under_the_chart():
    assert "2 schools are not shown: their rate is withheld to protect small groups." \
        in _school_scatter(_audit(2), "oss")
    assert "One school is not shown: its rate is withheld" in _school_scatter(_audit(1), "oss")


def test_every_school_shown_needs_no_excuse():
    text = _school_scatter(_audit(0), "oss")
    assert "<img" in text and "Each dot is a school, sized by its students.</p>" in text
    assert "not shown" not in text
