"""Kitagawa between/within-school split of rate gaps (METHODS §5.4)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitykit.errors import DataError
from equitykit.metrics import kitagawa, locate_gap, locate_gaps

COLUMNS = ["district_id", "school_id", "school_year", "measure", "dimension", "group",
           "numerator", "denominator"]


def test_hand_worked_two_schools():
    # A: s1 10/50, s2 20/50 -> 0.30.  B: s1 15/150, s2 10/50 -> 0.125.  Gap 0.175.
    # wA = (.5, .5), wB = (.75, .25); rA = (.2, .4), rB = (.1, .2)
    # between = (.5-.75)(.2+.1)/2 + (.5-.25)(.4+.2)/2 = -.0375 + .075 = .0375
    # within  = (.5+.75)/2 (.1) + (.5+.25)/2 (.2)     =  .0625 + .075 = .1375
    e = kitagawa([10, 20], [50, 50], [15, 10], [150, 50])
    assert e.value == pytest.approx(0.175, abs=1e-12)
    assert e.between == pytest.approx(0.0375, abs=1e-12)
    assert e.within == pytest.approx(0.1375, abs=1e-12)
    assert e.between_share == pytest.approx(0.0375 / 0.175, abs=1e-12)
    assert e.locus == "within_schools"
    assert (e.rate_group, e.rate_comparison, e.n, e.n_schools) == (0.3, 0.125, 100, 2)


def test_school_without_the_group_counts_as_sorting():
    # A only in s1 (30/100); B in s1 (30/100) and s2 (10/100). Gap 0.30 - 0.20 = 0.10.
    # s1: (1 - .5)(.3 + .3)/2 = .15; s2 has no A: its contribution -wB rB = -.5 * .1 = -.05.
    e = kitagawa([30, 0], [100, 0], [30, 10], [100, 100])
    assert e.value == pytest.approx(0.10, abs=1e-12)
    assert e.between == pytest.approx(0.10, abs=1e-12)
    assert e.within == pytest.approx(0.0, abs=1e-12)
    assert e.locus == "between_schools"
    assert e.n_schools == 1


def test_locus_cut_is_a_parameter():
    # between share 0.214: within schools at the default cut (<= 0.4), mixed at cut 0.8.
    assert kitagawa([10, 20], [50, 50], [15, 10], [150, 50], locus_cut=0.8).locus == "mixed"
    with pytest.raises(ValueError, match="locus_cut"):
        kitagawa([1], [2], [1], [2], locus_cut=0.3)


def test_zero_gap_has_no_share():
    e = kitagawa([10, 10], [50, 50], [10, 10], [50, 50])
    assert e.value == 0.0
    assert math.isnan(e.between_share)
    assert e.locus == ""
    assert "zero" in e.reason


def test_empty_comparison_is_undefined():
    e = kitagawa([3, 4], [10, 10], [0, 0], [0, 0])
    assert not e.defined
    assert "comparison" in e.reason


def test_bad_counts_are_a_data_error():
    with pytest.raises(DataError, match="more students with the outcome"):
        kitagawa([30], [10], [1], [10])
    with pytest.raises(DataError, match="negative"):
        kitagawa([-1], [10], [1], [10])


school_cells = st.tuples(
    st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40)
).map(lambda c: (min(c[0], c[1]), c[1], min(c[2], c[3]), c[3]))


@settings(max_examples=200, deadline=None)
@given(st.lists(school_cells, min_size=1, max_size=12))
def test_parts_add_up_to_the_district_gap(cells):
    x_a, n_a, x_b, n_b = (np.array(c, dtype=float) for c in zip(*cells, strict=True))
    e = kitagawa(x_a, n_a, x_b, n_b)
    if n_a.sum() == 0 or n_b.sum() == 0:
        assert not e.defined
        return
    direct = x_a.sum() / n_a.sum() - x_b.sum() / n_b.sum()
    assert e.value == pytest.approx(direct, abs=1e-12)
    assert e.between + e.within == pytest.approx(direct, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 50), st.integers(1, 50), st.floats(0, 1)),
                min_size=1, max_size=8))
def test_equal_school_rates_are_pure_sorting(cells):
    # Same rate for both groups inside every school: the whole gap is between schools.
    n_a, n_b, rate = (np.array(c, dtype=float) for c in zip(*cells, strict=True))
    e = kitagawa(rate * n_a, n_a, rate * n_b, n_b)
    assert e.within == pytest.approx(0.0, abs=1e-12)
    assert e.between == pytest.approx(e.value, abs=1e-12)


def _counts(rows, district="d1", year=2023, measure="oss"):
    return pd.DataFrame([(district, s, year, measure, dim, g, x, n) for s, dim, g, x, n in rows],
                        columns=COLUMNS)


SCHOOLS = [
    ("s1", "all", "all", 40, 200), ("s1", "race_ethnicity", "Black", 10, 50),
    ("s1", "race_ethnicity", "White", 20, 130), ("s1", "race_ethnicity", "Asian", 10, 20),
    ("s2", "all", "all", 30, 100), ("s2", "race_ethnicity", "Black", 20, 50),
    ("s2", "race_ethnicity", "White", 10, 50),  # no Asian row: no Asian students there
    ("", "all", "all", 70, 300), ("", "race_ethnicity", "Black", 30, 100),
]


def test_table_matches_the_scalar_form_for_each_group():
    table = locate_gaps(_counts(SCHOOLS))
    assert list(table.columns[:6]) == ["district_id", "school_year", "outcome", "dimension",
                                       "group", "comparison"]
    gaps = table.set_index("group")
    black = kitagawa([10, 20], [50, 50], [30, 10], [150, 50])
    asian = kitagawa([10, 0], [20, 0], [30, 30], [180, 100])
    for group, expected in (("Black", black), ("Asian", asian)):
        row = gaps.loc[group]
        assert row["gap"] == pytest.approx(expected.value, abs=1e-12)
        assert row["between"] == pytest.approx(expected.between, abs=1e-12)
        assert row["within"] == pytest.approx(expected.within, abs=1e-12)
        assert row["locus"] == expected.locus
    assert gaps.loc["Black", "n"] == 100  # from schools, not the district row
    assert gaps.loc["Asian", "n_schools"] == 1
    assert set(gaps["comparison"]) == {"all_other"}


def test_named_comparison_group():
    gaps = locate_gaps(_counts(SCHOOLS), comparison="White").set_index("group")
    expected = kitagawa([10, 20], [50, 50], [20, 10], [130, 50])
    assert gaps.loc["Black", "gap"] == pytest.approx(expected.value, abs=1e-12)
    assert gaps.loc["Black", "between"] == pytest.approx(expected.between, abs=1e-12)
    assert "White" not in gaps.index


def test_every_district_year_outcome_at_once():
    counts = pd.concat([_counts(SCHOOLS), _counts(SCHOOLS, district="d2"),
                        _counts(SCHOOLS, year=2022, measure="iss")])
    gaps = locate_gaps(counts)
    assert len(gaps) == 3 * 3  # 3 blocks × (Black, White, Asian)
    one = locate_gap(counts, outcome="iss", dimension="race_ethnicity", group="Black",
                     district_id="d1", school_year=2022)
    assert one.value == pytest.approx(kitagawa([10, 20], [50, 50], [30, 10], [150, 50]).value)
    with pytest.raises(DataError, match="exactly one gap"):
        locate_gap(counts, outcome="oss", dimension="race_ethnicity", group="Black")


def test_source_suppressed_cells_are_never_zero():
    rows = [*SCHOOLS[:4], ("s2", "all", "all", 30, 100),
            ("s2", "race_ethnicity", "Black", math.nan, 50), ("s2", "race_ethnicity", "White",
                                                              10, 50)]
    gaps = locate_gaps(_counts(rows)).set_index("group")
    assert math.isnan(gaps.loc["Black", "gap"])
    assert "suppressed" in gaps.loc["Black", "reason"]
    assert gaps.loc["White", "reason"] == ""


def test_needs_school_rows():
    with pytest.raises(DataError, match="school rows"):
        locate_gaps(_counts([("", "all", "all", 1, 10), ("", "sex", "F", 1, 5)]))


def test_group_rows_need_their_school_total():
    rows = [("s1", "all", "all", 1, 10), ("s1", "sex", "F", 1, 5), ("s2", "sex", "F", 0, 5)]
    with pytest.raises(DataError, match=r"'s2'.*no dimension 'all'"):
        locate_gaps(_counts(rows))
