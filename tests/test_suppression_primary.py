"""Primary suppression: which cells are withheld on their own (METHODS §7 tool defaults)."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from equitykit.errors import DataError
from equitykit.metrics import suppress, suppress_metrics
from equitykit.privacy import _suppression


def inner_mask(table, **kwargs):
    """Primary rules only: without published totals there is nothing to protect against."""
    return suppress(table, row_totals=False, column_totals=False, **kwargs).withheld


def test_module_examples_run():
    result = doctest.testmod(_suppression, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 10


def test_counts_below_min_n_are_withheld_but_zero_and_min_n_are_not():
    counts = pd.DataFrame({"a": [0, 1, 9, 10, 11]}, index=list("vwxyz"))
    assert inner_mask(counts)["a"].tolist() == [False, True, True, False, False]
    assert inner_mask(counts, min_n=12)["a"].tolist() == [False, True, True, True, True]


def rate_table(numerators, denominators):
    den = pd.DataFrame({"g": denominators}, dtype=float)
    return pd.DataFrame({"g": np.array(numerators) / np.array(denominators)}), den


def test_rate_table_checks_denominator_numerator_and_all_or_none():
    # n:        5     50    50    50    15    15    25    0
    # numer.:   2      3    10     0     0    15     0    0
    rates, den = rate_table([2, 3, 10, 0, 0, 15, 0, 0], [5, 50, 50, 50, 15, 15, 25, 1])
    den.iloc[-1, 0] = 0
    rates.iloc[-1, 0] = np.nan
    withheld = inner_mask(rates, denominators=den)["g"].tolist()
    #            small n, small x, ok,   0 of 50, 0 of 15, 15/15, 0 of 25, empty group
    assert withheld == [True, True, False, False, True, True, False, False]


def test_numerator_and_all_or_none_rules_can_be_switched_off_or_moved():
    rates, den = rate_table([3, 0, 15, 0], [50, 15, 15, 25])
    off = inner_mask(rates, denominators=den, min_numerator=0, all_or_none_n=0)
    assert off["g"].tolist() == [False, False, False, False]
    wider = inner_mask(rates, denominators=den, min_numerator=2, all_or_none_n=30)
    assert wider["g"].tolist() == [False, True, True, True]


def test_published_totals_are_cells_too():
    counts = pd.DataFrame({"a": [3, 40], "b": [4, 50]}, index=["small school", "big"])
    published, withheld = suppress(counts, column_totals=False)
    assert withheld.loc["small school"].tolist() == [True, True, True]  # total 7 < 10
    assert published.loc["big"].tolist() == [40, 50, 90]


@pytest.mark.parametrize(
    ("table", "kwargs", "message"),
    [
        (pd.DataFrame({"a": [1, -1]}), {}, "non-negative"),
        (pd.DataFrame({"a": [1, np.nan]}), {}, "row 1, column 'a'"),
        (pd.DataFrame({"a": ["x", "y"]}), {}, "non-negative numbers"),
        (pd.DataFrame({"Total": [1, 2]}), {}, "already has a row or column called 'Total'"),
        (pd.DataFrame({"a": [0.5, 1.5]}), {"denominators": pd.DataFrame({"a": [10, 10]})},
         "between 0 and 1"),
        (pd.DataFrame({"a": [0.5, 0.5]}), {"denominators": pd.DataFrame({"b": [10, 10]})},
         "same rows and columns"),
        (pd.DataFrame({"a": [1, 2]}), {"min_n": 0}, "min_n must be"),
        (pd.DataFrame({"a": [1, 2]}), {"min_numerator": -1}, "min_numerator must be"),
    ],
)
def test_bad_tables_get_clear_errors(table, kwargs, message):
    with pytest.raises(ValueError, match=message):
        suppress(table, **kwargs)


def _ratio(numerator, n):
    numerator, n = np.asarray(numerator, dtype=float), np.asarray(n, dtype=float)
    return np.divide(numerator, n, out=np.full(n.shape, np.nan), where=n > 0)


def metrics_rows(n, numerator, value=None, measure="rate", comparison=""):
    k = len(n)
    return pd.DataFrame({
        "district_id": "D1", "school_year": 2023, "school_id": "", "outcome": "oss",
        "dimension": "disability", "group": [f"g{i}" for i in range(k)],
        "measure": measure, "comparison": comparison,
        "n": np.asarray(n, dtype=float), "numerator": np.asarray(numerator, dtype=float),
        "value": value if value is not None else _ratio(numerator, n),
        "ci_low": np.nan, "ci_high": np.nan,
    })


def test_metrics_primary_rules_match_the_table_rules():
    # No total row and groups in different dimensions: no margin links, primary rules only.
    rows = metrics_rows([5, 50, 50, 50, 15, 15, 25, 0], [2, 3, 10, 0, 0, 15, 0, 0])
    rows["dimension"] = [f"d{i}" for i in range(len(rows))]
    got = suppress_metrics(rows, top_bottom_coding=False)["suppressed"].tolist()
    assert got == [True, True, False, False, True, True, False, False]


def test_metrics_rate_without_numerator_uses_n_and_all_or_none():
    rows = metrics_rows([5, 15, 15, 50], [np.nan] * 4, value=[0.4, 1.0, 0.4, 0.0])
    rows["dimension"] = [f"d{i}" for i in range(len(rows))]
    got = suppress_metrics(rows, top_bottom_coding=False)["suppressed"].tolist()
    assert got == [True, True, False, False]


def test_metrics_named_comparison_rows_do_not_decide_the_cell():
    # An effect size row may carry the comparison group's n; the cell's own rows decide.
    rows = metrics_rows([100, 5], [40, 2], measure=["rate", "cohens_d"],
                        comparison=["", "White"])
    rows["group"] = "Black"
    rows["outcome"] = "math_score"
    assert suppress_metrics(rows)["suppressed"].tolist() == [False, False]


def test_metrics_missing_columns_are_a_data_error():
    with pytest.raises(DataError, match="missing column"):
        suppress_metrics(metrics_rows([5], [1]).drop(columns=["comparison"]))
