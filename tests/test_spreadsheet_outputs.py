"""CSV outputs open in a spreadsheet as data: hostile ids and names never become formulas.

The files are read back cell by cell with the ``csv`` module, as a spreadsheet imports them: no
cell may begin with ``=``, ``+``, ``@``, a tab or a carriage return, or with ``-`` unless it is
a number. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _intake_samples import students_frame

from equitykit._spreadsheet import escape_cell, escape_frame, to_safe_csv
from equitykit._words import difference_label
from equitykit.audit._audit import DistrictAudit

HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3",
           "\t=1+1", "\r=1", "=1,2\n3"]
NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?"  # "-6.2%" is a number too


def unsafe_cells(text: str) -> list[str]:
    """Cells a spreadsheet would read as a formula."""
    cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
    return [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
            or (c.startswith("-") and not pd.Series([c]).str.fullmatch(NUMBER).item())]


@pytest.mark.parametrize("cell", HOSTILE)
def test_formula_like_text_gets_a_leading_quote(cell: str) -> None:
    assert escape_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-0.05", "-6.2%", "+3", "1e-5", "D01", "", "N<10", "≥99%", "a=b",
                                  -0.05, 3, np.nan, None])
def test_numbers_and_plain_text_are_untouched(cell: object) -> None:
    assert escape_cell(cell) is cell or escape_cell(cell) == cell


def test_a_frame_keeps_its_number_columns_and_escapes_text_and_headers() -> None:
    frame = pd.DataFrame({"id": HOSTILE, "value": np.linspace(-1, 1, len(HOSTILE)),
                          "=bad header": "x"})
    text = to_safe_csv(frame, float_format="%.10g")
    assert unsafe_cells(text) == []
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert back["value"].dtype == float and back["value"].iloc[0] == -1.0
    assert back["id"].tolist() == ["'" + h.replace("\r", "\n") for h in HOSTILE]
    assert escape_frame(frame)["value"].equals(frame["value"])


@pytest.mark.parametrize("points", [12.34, 0.0, -0.04, 0.04, -7.5, 100.0])
def test_difference_words_never_start_with_a_sign(points: float) -> None:
    label = difference_label(points)
    assert label[0].isdigit()
    assert label.endswith(("pts", "pts higher", "pts lower"))
    assert ("higher" in label) == (round(points, 1) > 0)


@pytest.fixture(scope="module")
def hostile_audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[DistrictAudit, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    students = students_frame(400)
    students["district_id"] = HOSTILE[0]
    students["school_id"] = [HOSTILE[i % 4] for i in range(len(students))]
    students.to_csv(folder / "students.csv", index=False)
    out = folder / "out"
    return DistrictAudit.run(data_dir=folder, district_id=HOSTILE[0], output_dir=out), out


def test_metrics_csv_of_hostile_ids_opens_as_data(hostile_audit) -> None:
    audit, out = hostile_audit
    text = (out / "metrics.csv").read_text(encoding="utf-8")
    assert text == audit.metrics_csv()
    assert unsafe_cells(text) == []
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {r["district_id"] for r in rows} == {"'" + HOSTILE[0]}
    assert {"'" + h for h in HOSTILE[1:4]} <= {r["school_id"] for r in rows}


def test_numbers_stay_numbers_and_display_has_no_sign(hostile_audit) -> None:
    _, out = hostile_audit
    metrics = pd.read_csv(out / "metrics.csv", keep_default_na=False, na_values=[""])
    for column in ("value", "n", "ci_low", "ci_high"):
        assert pd.api.types.is_float_dtype(metrics[column]), column
    assert (metrics["value"] < 0).any()  # real negative numbers are kept as numbers
    display = metrics["display"].fillna("").astype(str)
    assert not display.str.startswith(("+", "=", "@")).any()
    assert display[display.str.startswith("-")].str.fullmatch(NUMBER).all()
    assert display[metrics["measure"] == "risk_difference"].str.contains(" pts").any()
