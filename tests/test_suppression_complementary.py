"""Complementary suppression of two-way tables: nothing withheld can be recovered from totals.

The checks rebuild every margin equation of the published table independently of the module and
test recoverability two ways: by single equations (a total with exactly one withheld term gives
that term by subtraction) and by the whole linear system (a withheld cell is recoverable when its
unit vector lies in the row space of the equations restricted to withheld cells; computed here
with ``numpy.linalg.matrix_rank``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from equitykit.metrics import suppress
from equitykit.privacy._suppression import _protect, _table_equations


def equations(n_rows, n_cols, row_totals, column_totals):
    """Every 'total = sum of parts' of the published table, as {(row, col): coefficient}."""
    rows = list(range(n_rows)) + (["T"] if column_totals else [])
    cols = list(range(n_cols)) + (["T"] if row_totals else [])
    found = []
    if row_totals:
        for r in rows:
            found.append({(r, "T"): 1.0, **{(r, c): -1.0 for c in range(n_cols)}})
    if column_totals:
        for c in cols:
            found.append({("T", c): 1.0, **{(r, c): -1.0 for r in range(n_rows)}})
    return found, rows, cols


def recoverable_cells(withheld: pd.DataFrame, n_rows, n_cols, row_totals, column_totals):
    """Withheld cells that single equations or the whole system give away."""
    eqs, rows, cols = equations(n_rows, n_cols, row_totals, column_totals)
    mask = pd.DataFrame(withheld.to_numpy(), index=rows, columns=cols)
    hidden = [(r, c) for r in rows for c in cols if mask.loc[r, c]]
    by_subtraction = set()
    for eq in eqs:
        terms = [t for t in eq if mask.loc[t]]
        if len(terms) == 1:
            by_subtraction.add(terms[0])
    a = np.array([[eq.get(t, 0.0) for t in hidden] for eq in eqs]).reshape(len(eqs), len(hidden))
    rank = np.linalg.matrix_rank(a) if a.size else 0
    by_system = {
        t for j, t in enumerate(hidden)
        if np.linalg.matrix_rank(np.vstack([a, np.eye(len(hidden))[j]])) == rank
    }
    return by_subtraction, by_system


def test_worked_example():
    counts = pd.DataFrame({"Black": [4, 30], "White": [50, 40]}, index=["A", "B"])
    published, withheld = suppress(counts)
    # Row A needs a second cell: White (50) is smaller than the row total (54); column Black
    # needs one: B (30) is smaller than the column total (34); then row B and column White
    # both take B-White, closing a 2×2 block that the totals cannot split.
    expected = pd.DataFrame(
        [[True, True, False], [True, True, False], [False, False, False]],
        index=["A", "B", "Total"], columns=["Black", "White", "Total"],
    )
    pd.testing.assert_frame_equal(withheld, expected)
    assert published.loc["Total"].tolist() == [34, 90, 124]
    assert published["Total"].tolist() == [54, 70, 124]


def test_smallest_cell_is_the_complement_and_ties_go_to_the_first():
    counts = pd.DataFrame([[3, 12, 50, 11, 11]], columns=list("abcde"))
    withheld = suppress(counts, column_totals=False).withheld
    assert withheld.iloc[0].tolist() == [True, False, False, True, False, False]


def test_zero_cells_are_a_last_resort():
    counts = pd.DataFrame([[3, 0, 0, 40]], columns=list("abcd"))
    withheld = suppress(counts, column_totals=False).withheld
    assert withheld.iloc[0].tolist() == [True, False, False, True, False]
    only_zeros = pd.DataFrame([[3, 0]], columns=list("ab"))
    withheld = suppress(only_zeros, column_totals=False).withheld
    # The total (3) is a cell too; it is withheld before the zero, so the zero stays published.
    assert withheld.iloc[0].tolist() == [True, False, True]


def test_two_per_line_is_not_enough_and_the_exact_check_closes_the_bridge():
    # Two 2×2 blocks of small cells joined by one small cell (row 0, column 2): every row and
    # column has 0 or >= 2 small cells, yet rows 0+1 minus columns 0+1 give the joining cell.
    big = 100
    counts = np.full((5, 5), big)
    for r, c in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]:
        counts[r, c] = 5
    table = pd.DataFrame(counts)
    primary_only = suppress(table, row_totals=False, column_totals=False).withheld.to_numpy()
    with_totals = np.zeros((6, 6), dtype=bool)
    with_totals[:5, :5] = primary_only
    _, by_system = recoverable_cells(pd.DataFrame(with_totals), 5, 5, True, True)
    assert (0, 2) in by_system  # the premise: the single-line rule alone would leak it
    withheld = suppress(table).withheld
    assert withheld.to_numpy().sum() > primary_only.sum()
    assert recoverable_cells(withheld, 5, 5, True, True) == (set(), set())


def test_rate_tables_publish_pooled_total_rates():
    den = pd.DataFrame({"a": [100.0, 200.0], "b": [300.0, 400.0]})
    rates = pd.DataFrame({"a": [0.5, 0.25], "b": [0.1, 0.2]})
    published, withheld = suppress(rates, denominators=den)
    assert not withheld.to_numpy().any()
    assert published.loc["Total", "a"] == pytest.approx(100 / 300)
    assert published.loc[1, "Total"] == pytest.approx(130 / 600)
    assert published.loc["Total", "Total"] == pytest.approx(210 / 1000)


counts_tables = st.integers(1, 6).flatmap(
    lambda r: st.integers(1, 6).flatmap(
        lambda c: arrays(
            np.int64, (r, c),
            elements=st.one_of(st.integers(0, 12), st.integers(10, 400)),
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(counts=counts_tables, row_totals=st.booleans(), column_totals=st.booleans())
def test_no_withheld_count_can_be_recovered(counts, row_totals, column_totals):
    n_rows, n_cols = counts.shape
    table = pd.DataFrame(counts)
    published, withheld = suppress(table, row_totals=row_totals, column_totals=column_totals)
    inner = withheld.iloc[:n_rows, :n_cols].to_numpy()

    # Primary cells are withheld; everything published is the true number.
    assert inner[(counts > 0) & (counts < 10)].all()
    truth = table.copy()
    if row_totals:
        truth["Total"] = truth.sum(axis=1)
    if column_totals:
        truth.loc["Total"] = truth.sum(axis=0)
    shown = ~withheld.to_numpy()
    np.testing.assert_array_equal(published.to_numpy()[shown], truth.to_numpy()[shown])
    assert published.isna().to_numpy()[~shown].all()

    # Nothing withheld follows from one equation or from all of them together.
    assert recoverable_cells(withheld, n_rows, n_cols, row_totals, column_totals) == (set(), set())

    # Fixed point: running the complementary step on the result adds nothing.
    eq, cell, coef = _table_equations(n_rows, n_cols, row_totals, column_totals)
    mask = withheld.to_numpy().ravel()
    margins = np.add.outer(withheld.index == "Total", withheld.columns == "Total").astype(int)
    again = _protect(eq, cell, coef, mask, truth.to_numpy(dtype=float).ravel(), margins.ravel())
    np.testing.assert_array_equal(again, mask)
