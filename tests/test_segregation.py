"""Segregation indices D, exposure, isolation, M and H (METHODS §6.1)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from equitykit.metrics import (
    dissimilarity,
    exposure,
    isolation,
    mutual_information,
    segregation_by_unit,
    theil_h,
)

# --------------------------------------------------------------------- brute-force references


def brute_dissimilarity(a, b):
    total_a, total_b = sum(a), sum(b)
    return 0.5 * sum(abs(x / total_a - y / total_b) for x, y in zip(a, b, strict=True))


def brute_exposure(x, y, t):
    total_x = sum(x)
    return sum((xs / total_x) * (ys / ts) for xs, ys, ts in zip(x, y, t, strict=True) if ts > 0)


def brute_mutual_information(rows):
    total = sum(sum(r) for r in rows)
    col = [sum(r[g] for r in rows) / total for g in range(len(rows[0]))]
    m = 0.0
    for r in rows:
        p_u = sum(r) / total
        for g, count in enumerate(r):
            if count:
                p = count / total
                m += p * math.log(p / (p_u * col[g]))
    return m


def brute_theil_h(rows):
    """Theil's H in its original form, sum_u (t_u / (t E)) (E - E_u) (METHODS §6.1)."""

    def entropy(counts):
        n = sum(counts)
        return -sum(c / n * math.log(c / n) for c in counts if c)

    total = sum(sum(r) for r in rows)
    e = entropy([sum(r[g] for r in rows) for g in range(len(rows[0]))])
    return sum(sum(r) / (total * e) * (e - entropy(r)) for r in rows if sum(r))


# ----------------------------------------------------------------------- hand-worked examples


def test_dissimilarity_published_examples():
    # elbersb/segregation tests/testthat/test_dissimilarity.R (matrix columns = groups).
    assert dissimilarity([100, 100, 100], [100, 100, 100]).value == 0
    assert dissimilarity([100, 60, 40, 0], [0, 40, 60, 100]).value == pytest.approx(0.6)
    assert dissimilarity([80, 80, 20, 20], [20, 20, 80, 80]).value == pytest.approx(0.6)
    assert dissimilarity([100, 100, 0, 0], [0, 0, 100, 100]).value == 1
    assert dissimilarity([100, 60, 40, 0], [0, 40, 60, 100]).n == 400


def test_exposure_and_isolation_by_hand():
    # School 1: 10 Black, 30 White; school 2: 30 Black, 10 White; 40 students each.
    black, white, totals = [10, 30], [30, 10], [40, 40]
    # Black students: a quarter attend school 1 (75% White), three quarters school 2 (25%).
    assert exposure(black, white).value == pytest.approx(0.25 * 0.75 + 0.75 * 0.25)
    assert isolation(black, totals).value == pytest.approx(0.25 * 0.25 + 0.75 * 0.75)
    # Two groups: exposure to the other group and isolation add up to 1.
    assert exposure(black, white).value + isolation(black, totals).value == pytest.approx(1)
    # Other students in the school (totals > x + y) lower both.
    assert exposure(black, white, [80, 40]).value == pytest.approx(0.25 * 30 / 80 + 0.75 * 0.25)


def test_mutual_information_and_theil_h_by_hand():
    table = pd.DataFrame({"Black": [10, 30], "White": [30, 10]}, index=["s1", "s2"])
    m = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)  # p_ug = .125/.375, p_u = p_g = .5
    assert mutual_information(table).value == pytest.approx(m, abs=1e-12)
    assert theil_h(table).value == pytest.approx(m / math.log(2), abs=1e-12)
    assert theil_h(table).entropy == pytest.approx(math.log(2))
    # Complete separation of two equal groups: M = ln 2 = its maximum, H = 1
    # (elbersb/segregation test_mutual_total.R, "max bound correct").
    separated = pd.DataFrame({"a": [40, 0], "b": [0, 40]})
    assert mutual_information(separated).value == pytest.approx(math.log(2), abs=1e-12)
    assert theil_h(separated).value == pytest.approx(1.0, abs=1e-12)
    # Every school mirrors the district: no segregation.
    even = pd.DataFrame({"a": [10, 20, 5], "b": [30, 60, 15], "c": [2, 4, 1]})
    assert mutual_information(even).value == pytest.approx(0, abs=1e-12)
    assert theil_h(even).value == pytest.approx(0, abs=1e-12)


def test_mutual_information_is_symmetric_in_schools_and_groups():
    # "mutual works both ways around" (elbersb/segregation test_mutual_total.R).
    table = pd.DataFrame({"g1": [40, 20], "g2": [20, 40], "g3": [5, 60], "g4": [1, 80]})
    assert mutual_information(table).value == pytest.approx(
        mutual_information(table.T).value, abs=1e-12
    )


# ------------------------------------------------------------- against the brute force, random

tables = st.integers(min_value=1, max_value=8).flatmap(
    lambda n_schools: st.integers(min_value=2, max_value=4).flatmap(
        lambda n_groups: st.lists(
            st.lists(st.integers(0, 60), min_size=n_groups, max_size=n_groups),
            min_size=n_schools, max_size=n_schools,
        )
    )
)


@settings(max_examples=80, deadline=None)
@given(rows=tables)
def test_m_and_h_match_brute_force(rows):
    column_totals = np.sum(rows, axis=0)
    assume((column_totals > 0).sum() >= 2)
    table = pd.DataFrame(rows, columns=[f"g{i}" for i in range(len(rows[0]))])
    assert mutual_information(table).value == pytest.approx(brute_mutual_information(rows),
                                                            abs=1e-12)
    assert theil_h(table).value == pytest.approx(brute_theil_h(rows), abs=1e-12)
    assert 0 - 1e-12 <= theil_h(table).value <= 1 + 1e-12


@settings(max_examples=80, deadline=None)
@given(rows=tables, seed=st.integers(0, 2**32 - 1))
def test_two_group_indices_properties(rows, seed):
    counts = np.array(rows, dtype=float)
    a, b, totals = counts[:, 0], counts[:, 1], counts.sum(axis=1)
    assume(a.sum() > 0 and b.sum() > 0)
    d = dissimilarity(a, b).value
    assert d == pytest.approx(brute_dissimilarity(a, b), abs=1e-12)
    assert -1e-12 <= d <= 1 + 1e-12
    assert dissimilarity(b, a).value == pytest.approx(d, abs=1e-12)
    assert exposure(a, b, totals).value == pytest.approx(brute_exposure(a, b, totals), abs=1e-12)
    assert isolation(a, totals).value == pytest.approx(exposure(a, a, totals).value, abs=1e-15)
    # xPy = yPx * Y / X (elbersb/segregation test_exposure_isolation.R).
    assert exposure(a, b, totals).value == pytest.approx(
        exposure(b, a, totals).value * b.sum() / a.sum(), abs=1e-12
    )
    # Invariant to the order of schools.
    order = np.random.default_rng(seed).permutation(len(rows))
    assert dissimilarity(a[order], b[order]).value == pytest.approx(d, abs=1e-12)
    assert isolation(a[order], totals[order]).value == pytest.approx(
        isolation(a, totals).value, abs=1e-12
    )
    table = pd.DataFrame(counts)
    assert theil_h(table.iloc[order]).value == pytest.approx(theil_h(table).value, abs=1e-12)
    assert mutual_information(table.iloc[order]).value == pytest.approx(
        mutual_information(table).value, abs=1e-12
    )


# ---------------------------------------------------------------------------- undefined, errors


def test_undefined_cases_give_reasons():
    assert "group b" in dissimilarity([3, 4], [0, 0]).reason
    assert "group x" in exposure([0, 0], [3, 4]).reason
    assert not mutual_information(pd.DataFrame({"a": [0, 0], "b": [0, 0]})).defined
    one_group = pd.DataFrame({"a": [5, 7], "b": [0, 0]})
    assert mutual_information(one_group).value == 0
    assert "only one group" in theil_h(one_group).reason


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: dissimilarity([1, 2, 3], [1, 2]), "one count per school"),
        (lambda: dissimilarity([1, -2], [1, 2]), "non-negative"),
        (lambda: dissimilarity(pd.Series([1, 2], index=["a", "b"]),
                               pd.Series([1, 2], index=["b", "a"])), "align them"),
        (lambda: isolation([5, 6], [4, 10]), "at least each group's count"),
        (lambda: theil_h([[1, 2], [3, 4]]), "DataFrame"),
        (lambda: theil_h(pd.DataFrame({"a": [1.0, np.nan], "b": [2, 3]})), "column 'a'"),
    ],
)
def test_bad_input_raises_clear_errors(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


# ------------------------------------------------------------------------ many units at once


def _long_table(seed=0, n_units=6):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_units):
        for s in range(rng.integers(1, 6)):
            for group in ("Black", "White", "Hispanic/Latino"):
                rows.append((f"d{u}", f"d{u}-s{s}", group, int(rng.integers(0, 80))))
    return pd.DataFrame(rows, columns=["district_id", "school_id", "race_ethnicity", "n"])


def test_segregation_by_unit_matches_the_single_unit_functions():
    long = _long_table()
    out = segregation_by_unit(long, unit="district_id", school="school_id",
                              group="race_ethnicity", count="n")
    assert list(out.index) == sorted(long["district_id"].unique())
    for district, rows in long.groupby("district_id"):
        wide = rows.pivot_table(index="school_id", columns="race_ethnicity", values="n",
                                aggfunc="sum", fill_value=0)
        totals = wide.sum(axis=1)
        got = out.loc[district]
        assert got["schools"] == len(wide)
        assert got["students"] == rows["n"].sum()
        expected = {
            "dissimilarity": dissimilarity(wide["Black"], wide["White"]).value,
            "exposure": exposure(wide["Black"], wide["White"], totals).value,
            "isolation": isolation(wide["Black"], totals).value,
            "mutual_information": mutual_information(wide).value,
            "theil_h": theil_h(wide).value,
        }
        for column, value in expected.items():
            assert got[column] == pytest.approx(value, abs=1e-12, nan_ok=True), column


def test_segregation_by_unit_missing_pair_group_and_bad_input():
    long = _long_table(1).query("race_ethnicity != 'White' or district_id != 'd0'")
    out = segregation_by_unit(long, unit="district_id", school="school_id",
                              group="race_ethnicity", count="n")
    assert math.isnan(out.loc["d0", "dissimilarity"])
    assert not math.isnan(out.loc["d1", "dissimilarity"])
    with pytest.raises(ValueError, match="no column"):
        segregation_by_unit(long, unit="district", school="school_id",
                            group="race_ethnicity", count="n")
    broken = long.assign(n=long["n"].astype(float).where(long.index != long.index[0]))
    with pytest.raises(ValueError, match="1 row"):
        segregation_by_unit(broken, unit="district_id", school="school_id",
                            group="race_ethnicity", count="n")


def test_segregation_by_unit_on_reference_data(real_data):
    schools = pd.read_csv(real_data / "segregation_schools00" / "schools00.csv")
    out = segregation_by_unit(schools, unit="district", school="school", group="race",
                              count="n", pair=("black", "white"))
    assert len(out) == 429
    assert out["students"].sum() == schools["n"].sum()
    biggest = out["students"].idxmax()
    wide = schools[schools["district"] == biggest].pivot_table(
        index="school", columns="race", values="n", aggfunc="sum", fill_value=0)
    assert out.loc[biggest, "theil_h"] == pytest.approx(brute_theil_h(wide.to_numpy().tolist()),
                                                        abs=1e-12)
    assert out.loc[biggest, "dissimilarity"] == pytest.approx(
        brute_dissimilarity(wide["black"], wide["white"]), abs=1e-12)
