"""Between/within decomposition of M and H (METHODS §6.1).

``M = M_between + sum_k p_k M_k`` exactly; ``H`` divides every term by the group entropy E.
Published reference: the R package ``segregation`` (Elbers), README and vignette, data set
``schools00``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from equitykit.metrics import mutual_information, theil_h


def test_published_small_example_within_supergroups():
    """elbersb/segregation tests/testthat/test_mutual_total.R, "between + within = total" and
    "within estimations is correct": units a, b; groups 1-4 nested in supergroups 12 and 34.

    M is symmetric, so the R nesting of *groups* in supergroups is our nesting of table *rows*
    in higher units after transposing (rows = groups 1-4, columns = units a, b).
    """
    table = pd.DataFrame({"a": [40, 20, 5, 1], "b": [20, 40, 60, 80]}, index=[1, 2, 3, 4])
    supergroup = pd.Series({1: 12, 2: 12, 3: 34, 4: 34})
    m = mutual_information(table, within=supergroup)
    between = mutual_information(table.groupby(supergroup).sum())
    within_12 = mutual_information(table.loc[[1, 2]]).value
    within_34 = mutual_information(table.loc[[3, 4]]).value
    p_12 = table.loc[[1, 2]].to_numpy().sum() / table.to_numpy().sum()
    assert m.between == pytest.approx(between.value, abs=1e-12)
    assert m.within == pytest.approx(p_12 * within_12 + (1 - p_12) * within_34, abs=1e-12)
    assert m.between + m.within == pytest.approx(m.value, abs=1e-12)
    assert m.units.loc[12, "p"] == pytest.approx(p_12)
    assert m.units.loc[34, "mutual_information"] == pytest.approx(within_34, abs=1e-12)


def test_h_decomposition_by_hand():
    # Two feeder patterns of two schools each.
    table = pd.DataFrame({"Black": [40, 20, 5, 1], "White": [20, 40, 60, 80]},
                         index=["n1", "n2", "s1", "s2"])
    feeder = pd.Series({"n1": "N", "n2": "N", "s1": "S", "s2": "S"}, name="feeder")
    h, m = theil_h(table, within=feeder), mutual_information(table, within=feeder)
    e = h.entropy
    black, white = 66 / 266, 200 / 266  # district shares
    assert e == pytest.approx(-black * math.log(black) - white * math.log(white), abs=1e-12)
    assert h.value == pytest.approx(m.value / e, abs=1e-12)
    assert h.between == pytest.approx(m.between / e, abs=1e-12)
    # Elbers' form of the within term: sum_k p_k (E_k / E) H_k.
    units = h.units
    assert h.within == pytest.approx(
        (units["p"] * units["entropy_ratio"] * units["theil_h"]).sum(), abs=1e-12
    )
    assert units.index.name == "feeder"


# -------------------------------------------------------------------------- property tests

schools = st.lists(
    st.tuples(st.integers(0, 3), st.lists(st.integers(0, 90), min_size=3, max_size=3)),
    min_size=1, max_size=12,
)


@settings(max_examples=120, deadline=None)
@given(rows=schools)
def test_between_plus_within_equals_total(rows):
    table = pd.DataFrame([counts for _, counts in rows], columns=["a", "b", "c"],
                         index=[f"s{i}" for i in range(len(rows))])
    within = pd.Series([f"k{unit}" for unit, _ in rows], index=table.index)
    assume((table.sum() > 0).sum() >= 2)
    for index in (mutual_information, theil_h):
        result = index(table, within=within)
        assert result.between + result.within == pytest.approx(result.value, abs=1e-9)
        assert result.between >= -1e-12 and result.within >= -1e-12
        # The decomposition ignores the order of schools and of the mapping's entries.
        shuffled = index(table.iloc[::-1], within=within.iloc[::-1].sample(frac=1, random_state=0))
        assert shuffled.between == pytest.approx(result.between, abs=1e-12)
        assert shuffled.within == pytest.approx(result.within, abs=1e-12)


def test_one_higher_unit_puts_everything_within_and_one_school_per_unit_everything_between():
    table = pd.DataFrame({"a": [10, 40, 5], "b": [30, 5, 50]}, index=["x", "y", "z"])
    m = mutual_information(table, within=pd.Series("all", index=table.index))
    assert (m.between, m.within) == pytest.approx((0.0, m.value), abs=1e-12)
    m = mutual_information(table, within=pd.Series(["x", "y", "z"], index=table.index))
    assert (m.between, m.within) == pytest.approx((m.value, 0.0), abs=1e-12)


def test_within_without_decomposition_has_no_parts_and_missing_mapping_raises():
    table = pd.DataFrame({"a": [10, 40], "b": [30, 5]}, index=["x", "y"])
    with pytest.raises(AttributeError):
        _ = mutual_information(table).between
    with pytest.raises(ValueError, match=r"1 school.*'y'"):
        mutual_information(table, within=pd.Series({"x": "north"}))


# ------------------------------------------------------------------------- published values


@pytest.fixture(scope="module")
def schools00(real_data):
    long = pd.read_csv(real_data / "segregation_schools00" / "schools00.csv")
    table = long.pivot_table(index="school", columns="race", values="n", aggfunc="sum",
                             fill_value=0)
    state = long.drop_duplicates("school").set_index("school")["state"]
    return table, state


def test_schools00_published_values(schools00):
    """elbersb/segregation README (mutual_total, mutual_difference) and vignette
    ("0.426 = 0.0992 + 0.326 and 0.419 = 0.0977 + 0.321"; state A is 27.7% of the students and
    contributes 26.6% of total segregation)."""
    table, state = schools00
    m, h = mutual_information(table, within=state), theil_h(table, within=state)
    assert m.value == pytest.approx(0.42554, abs=5e-6)  # mutual_difference M1 = 0.42554
    assert h.value == pytest.approx(0.419, abs=5e-4)
    assert m.between == pytest.approx(0.0992, abs=5e-5)
    assert m.within == pytest.approx(0.326, abs=5e-4)
    assert h.between == pytest.approx(0.0977, abs=5e-5)
    assert h.within == pytest.approx(0.321, abs=5e-4)
    assert m.n == 877_739
    share_a = m.units.loc["A", "p"]
    assert share_a == pytest.approx(0.277, abs=5e-4)
    contribution_a = 100 * share_a * m.units.loc["A", "mutual_information"] / m.value
    assert contribution_a == pytest.approx(26.6, abs=0.05)
    # And exactly additive on real data.
    assert m.between + m.within == pytest.approx(m.value, abs=1e-12)
    assert h.between + h.within == pytest.approx(h.value, abs=1e-12)
    assert np.isclose(m.units["p"].sum(), 1.0)


def test_within_mapping_a_school_twice_raises():
    table = pd.DataFrame({"a": [10, 40], "b": [30, 5]}, index=["x", "y"])
    mapping = pd.Series(["north", "south", "north"], index=["x", "y", "x"])
    with pytest.raises(ValueError, match=r"more than once.*'x'"):
        theil_h(table, within=mapping)
