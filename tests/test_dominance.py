"""General dominance / Shapley attribution of predictiveness (METHODS §5.2).

The reference is a brute-force Shapley value over every ordering of the dimensions, with each
subset model fitted by statsmodels on the expanded student rows.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from equitykit.metrics import predictiveness, strata_table

pytestmark = pytest.mark.filterwarnings("error")

DIMS = ["race_ethnicity", "sex", "econ_disadvantaged", "disability"]


@pytest.fixture(scope="module")
def students() -> pd.DataFrame:
    rng = np.random.default_rng(31)
    n = 3000
    race = rng.choice(["Black", "Hispanic/Latino", "White"], n)
    econ = rng.random(n) < np.where(race == "White", 0.3, 0.6)  # correlated dimensions
    df = pd.DataFrame({"race_ethnicity": race, "sex": rng.choice(["F", "M", "X"], n,
                                                                 p=[.48, .48, .04]),
                       "econ_disadvantaged": econ, "disability": rng.random(n) < 0.13})
    eta = -1.5 + 0.7 * (race == "Black") + 0.5 * econ + 0.9 * df["disability"]
    df["gifted"] = rng.random(n) < 1 / (1 + np.exp(eta))
    df["ela_score"] = 250 - 12 * (race != "White") - 8 * econ + rng.normal(0, 25, n)
    return df


def _dummies(df: pd.DataFrame, dims) -> pd.DataFrame:
    parts = [pd.get_dummies(df[d], prefix=d, drop_first=True, dtype=float) for d in dims]
    return sm.add_constant(pd.concat(parts, axis=1) if parts else pd.DataFrame(index=df.index),
                           has_constant="add")


def _fit(df: pd.DataFrame, outcome: str, dims) -> float:
    if not dims:
        return 0.0
    X = _dummies(df, dims)
    if outcome == "gifted":
        return sm.Logit(df[outcome].astype(float), X).fit(disp=0, tol=1e-12).prsquared
    return sm.OLS(df[outcome], X).fit().rsquared


def _brute_force_shapley(df: pd.DataFrame, outcome: str) -> dict[str, float]:
    cache: dict[frozenset, float] = {}

    def fit(dims: frozenset) -> float:
        if dims not in cache:
            cache[dims] = _fit(df, outcome, sorted(dims, key=DIMS.index))
        return cache[dims]

    totals = dict.fromkeys(DIMS, 0.0)
    orders = list(permutations(DIMS))
    for order in orders:
        before: frozenset = frozenset()
        for dim in order:
            totals[dim] += fit(before | {dim}) - fit(before)
            before = before | {dim}
    return {d: v / len(orders) for d, v in totals.items()}


@pytest.mark.parametrize("outcome", ["gifted", "ela_score"])
def test_weights_equal_brute_force_shapley(students, outcome):
    e = predictiveness(strata_table(students, outcome, DIMS), n_boot=0)
    expected = _brute_force_shapley(students, outcome)
    for dim in DIMS:
        assert e.dominance[dim] == pytest.approx(expected[dim], abs=1e-6), dim
    full = e.mcfadden_r2 if outcome == "gifted" else e.value
    assert sum(e.dominance.values()) == pytest.approx(full, abs=1e-12)
    assert full == pytest.approx(_fit(students, outcome, DIMS), abs=1e-6)


def test_a_constant_dimension_gets_zero_weight(students):
    strata = strata_table(students.assign(english_learner=False), "ela_score",
                          [*DIMS, "english_learner"])
    e = predictiveness(strata, n_boot=0)
    assert e.dominance["english_learner"] == 0.0
    assert sum(e.dominance.values()) == pytest.approx(e.value, abs=1e-12)
