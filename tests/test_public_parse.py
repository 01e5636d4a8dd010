"""Published cells → numbers: every number format and every suppression marker (no real data)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from equitykit.public_data import SUPPRESSION_MARKERS, parse_cell, parse_cells


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("374", 374.0),
        ("             374", 374.0),          # VDOE pads numbers with spaces
        ("374   ", 374.0),
        ("1,234", 1234.0),
        ("           1,012", 1012.0),
        ("1,234,567", 1234567.0),
        ("  94.74%", 94.74),                   # a percentage keeps its printed scale
        ("100.00%", 100.0),
        ("0%", 0.0),
        ("0", 0.0),                            # a real zero stays zero
        ("0.00", 0.0),
        ("5.00", 5.0),
        ("0.0142857142857143", 0.0142857142857143),
        ("4.7e-16", 4.7e-16),
        ("-3", -3.0),
        (".5", 0.5),
        (7, 7.0),
        (2.5, 2.5),
    ],
)
def test_numbers(text: object, expected: float) -> None:
    assert parse_cell(text) == pytest.approx(expected, rel=0, abs=1e-15)


@pytest.mark.parametrize(
    "marker",
    ["<", "*", "**", "-", "--", "N<10", "n<10", "N < 10", "n/a", "N/A", "NA", "na", "", "   ",
     "<10", "< 10", "<5", "<=5", "≤10", ">95%", "> 95%", ">95", "<1%", "<1,000", ".", "#N/A",
     "nan", "NULL", None, float("nan")],
)
def test_suppression_markers_are_missing_not_zero(marker: object) -> None:
    parsed = parse_cells(pd.Series([marker, "12"], dtype="object"))
    assert math.isnan(parsed.loc[0, "value"])
    assert bool(parsed.loc[0, "suppressed"]) is True
    assert parsed.loc[1, "value"] == 12.0 and not parsed.loc[1, "suppressed"]


def test_every_listed_marker_is_suppressed() -> None:
    parsed = parse_cells(pd.Series(sorted(SUPPRESSION_MARKERS)))
    assert parsed["suppressed"].all() and parsed["value"].isna().all()


@pytest.mark.parametrize("junk", ["abc", "1,23", "12 34", "1.2.3", "94.74%%", "$5", "ten"])
def test_text_that_is_neither_number_nor_marker_is_an_error(junk: str) -> None:
    with pytest.raises(ValueError, match="neither a number nor a suppression marker"):
        parse_cells(pd.Series(["1", junk]))


def test_column_keeps_index_and_order() -> None:
    cells = pd.Series(["  1,012", "<", "94.74%", "0"], index=[10, 11, 12, 13])
    parsed = parse_cells(cells)
    assert parsed.index.tolist() == [10, 11, 12, 13]
    assert parsed["value"].tolist()[0] == 1012.0 and parsed["value"].tolist()[2:] == [94.74, 0.0]
    assert parsed["suppressed"].tolist() == [False, True, False, False]
