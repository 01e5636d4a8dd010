"""Top/bottom coding of rates by group size (METHODS §7 Utah tiers, §10.8)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from equitykit.metrics import UTAH_TIERS, top_bottom_code


@pytest.mark.parametrize(
    ("n", "rate", "value", "text"),
    [
        # METHODS §10.8, row by row.
        (8, 0.37, math.nan, "N<10"),
        (350, 0.994, 0.99, "≥99%"),
        (150, 0.015, 0.02, "≤2%"),
        (45, 0.96, 0.95, "≥95%"),
        (45, 0.50, 0.50, "50%"),
    ],
)
def test_methods_10_8_table(n, rate, value, text):
    got_value, got_text = top_bottom_code(rate, n)
    assert got_text == text
    assert got_value == pytest.approx(value, nan_ok=True, abs=1e-12)


@pytest.mark.parametrize(
    ("n", "rate", "text"),
    [
        (300, 0.99, "≥99%"),  # the bound itself is coded ("99–100%")
        (300, 0.9899, "99%"),
        (299, 0.99, "≥98%"),  # 100–299
        (100, 0.021, "2.1%"),
        (99, 0.05, "≤5%"),  # 40–99
        (40, 0.951, "≥95%"),
        (39, 0.10, "≤10%"),  # 20–39 [K]
        (20, 0.899, "89.9%"),
        (19, 0.80, "≥80%"),  # 10–19 [K]
        (10, 0.0, "≤20%"),
        (10, 0.5, "50%"),
        (9, 0.5, "N<10"),
        (1000, 0.0, "≤1%"),
        (1000, 1.0, "≥99%"),
        (1000, 0.452, "45.2%"),
    ],
)
def test_band_edges(n, rate, text):
    assert top_bottom_code(rate, n)[1] == text


def test_min_n_sets_the_small_group_label_and_smaller_groups_use_the_widest_band():
    assert top_bottom_code(0.5, 12, min_n=15) == (pytest.approx(math.nan, nan_ok=True), "N<15")
    assert top_bottom_code(0.9, 7, min_n=5) == (pytest.approx(0.8), "≥80%")


def test_tiers_are_a_parameter():
    # A Delaware-like single band: 5% margins from 16 students up.
    delaware = ((16, 0.05),)
    assert top_bottom_code(0.97, 500, min_n=16, tiers=delaware) == (pytest.approx(0.95), "≥95%")
    assert top_bottom_code(0.9, 500, min_n=16, tiers=delaware) == (pytest.approx(0.9), "90%")
    assert top_bottom_code(0.9, 15, min_n=16, tiers=delaware)[1] == "N<16"
    assert dict(UTAH_TIERS) == {300: 0.01, 100: 0.02, 40: 0.05, 20: 0.10, 10: 0.20}


def test_arrays_match_scalars_and_missing_rates_stay_empty():
    rates = np.array([0.994, 0.015, 0.96, 0.5, np.nan, 0.3])
    ns = np.array([350, 150, 45, 45, 200, 8])
    values, texts = top_bottom_code(rates, ns)
    for r, n, v, t in zip(rates, ns, values, texts, strict=True):
        assert top_bottom_code(r, n) == (pytest.approx(v, nan_ok=True), t)
    assert texts[4] == "" and np.isnan(values[4])


@pytest.mark.parametrize(
    "tiers",
    [(), ((10, 0.6),), ((10, 0.05), (100, 0.2)), ((0, 0.1),), ((10, "x"),), ((10, 0.1), (10, 0.2))],
)
def test_bad_tiers_are_rejected(tiers):
    with pytest.raises(ValueError, match="tiers must be"):
        top_bottom_code(0.5, 50, tiers=tiers)


def test_bad_min_n_is_rejected():
    with pytest.raises(ValueError, match="min_n must be"):
        top_bottom_code(0.5, 50, min_n=0)
