"""An outcome too rare for most groups to be published says so before its table."""

from __future__ import annotations

import pandas as pd

from equitykit.report._sections import _rare_note


def _total(display: str, suppressed: bool = False) -> pd.DataFrame:
    return pd.DataFrame([{"dimension": "all", "group": "all", "measure": "rate",
                          "comparison": "", "display": display, "suppressed": suppressed}])


def test_a_banded_district_rate_explains_the_empty_table():
    text = _rare_note(_total("≤1%"), "expelled")
    assert text == ("<p class='ek-note'>District-wide, ≤1% of students were expelled: too few "
                    "for most groups&#x27; numbers to be published without identifying "
                    "students.</p>")


def test_an_ordinary_or_withheld_rate_adds_nothing():
    assert _rare_note(_total("12.5%"), "expelled") == ""
    assert _rare_note(_total("suppressed", suppressed=True), "expelled") == ""
    assert _rare_note(_total("≥99%"), "graduated") == ""
    assert _rare_note(_total("≤1%").iloc[:0], "expelled") == ""
