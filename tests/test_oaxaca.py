"""Oaxaca–Blinder split of a score gap (METHODS §5.3), checked against numpy least squares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitykit.errors import DataError
from equitykit.metrics import oaxaca_blinder


@pytest.fixture(scope="module")
def students() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 800
    focal = rng.random(n) < 0.4
    # Focal students more often in school C and with lower attendance; school and
    # attendance change scores, plus a direct (unexplained) focal penalty.
    school = np.where(rng.random(n) < np.where(focal, 0.6, 0.2), "C",
                      rng.choice(["A", "B"], n))
    attendance = rng.normal(np.where(focal, 0.88, 0.93), 0.04)
    score = (300 + 150 * attendance - 12 * (school == "C") + 4 * (school == "B")
             - 5 * focal + rng.normal(0, 8, n) + 3 * focal * attendance)
    return pd.DataFrame({"focal": pd.array(focal, dtype="boolean"), "school_id": school,
                         "attendance": attendance, "math_score": score})


def _fit(y, X):
    return np.linalg.lstsq(X, y, rcond=None)[0]


def _by_hand(df):
    X = np.column_stack([np.ones(len(df)), df["attendance"],
                         df["school_id"] == "B", df["school_id"] == "C"]).astype(float)
    y = df["math_score"].to_numpy()
    a = df["focal"].to_numpy(bool)
    beta_a, beta_b = _fit(y[a], X[a]), _fit(y[~a], X[~a])
    pooled = _fit(y, np.column_stack([X, a.astype(float)]))[:-1]  # with group indicator
    xa, xb = X[a].mean(axis=0), X[~a].mean(axis=0)
    return {
        "gap": y[a].mean() - y[~a].mean(),
        "explained": (xa - xb) @ pooled,
        "unexplained": xa @ (beta_a - pooled) + xb @ (pooled - beta_b),
        "endowments": (xa - xb) @ beta_b,
        "coefficients": xb @ (beta_a - beta_b),
        "interaction": (xa - xb) @ (beta_a - beta_b),
    }


def test_matches_hand_least_squares(students):
    e = oaxaca_blinder(students, outcome="math_score", group="focal",
                       factors=["attendance", "school_id"])
    hand = _by_hand(students)
    assert e.value == pytest.approx(hand["gap"], abs=1e-6)
    for part in ("explained", "unexplained", "endowments", "coefficients", "interaction"):
        assert getattr(e, part) == pytest.approx(hand[part], abs=1e-6), part
    assert e.explained + e.unexplained == pytest.approx(e.value, abs=1e-9)
    assert e.value < 0  # focal students score lower: gap is focal minus comparison
    assert (e.n_focal, e.n_comparison) == (students["focal"].sum(), (~students["focal"]).sum())
    assert np.isnan(e.explained_se)


def test_focal_can_be_chosen(students):
    flipped = oaxaca_blinder(students, outcome="math_score", group="focal", focal=False,
                             factors=["attendance", "school_id"])
    hand = _by_hand(students)
    assert flipped.value == pytest.approx(-hand["gap"], abs=1e-6)
    # The pooled reference does not depend on which group is focal.
    assert flipped.explained == pytest.approx(-hand["explained"], abs=1e-6)


def test_bootstrap_standard_errors(students):
    kwargs = dict(outcome="math_score", group="focal", factors=["attendance", "school_id"])
    e = oaxaca_blinder(students, n_boot=200, seed=3, **kwargs)
    assert e.explained_se == oaxaca_blinder(students, n_boot=200, seed=3, **kwargs).explained_se
    # An independent bootstrap (numpy, untrimmed SD) agrees to bootstrap precision.
    rng = np.random.default_rng(11)
    draws = [_by_hand(students.iloc[rng.integers(0, len(students), len(students))])["explained"]
             for _ in range(200)]
    assert e.explained_se == pytest.approx(np.std(draws), rel=0.3)


def test_bad_group_column(students):
    three = students.assign(focal=np.resize(["a", "b", "c"], len(students)))
    with pytest.raises(DataError, match="exactly two groups"):
        oaxaca_blinder(three, outcome="math_score", group="focal", factors=["attendance"])
    with pytest.raises(DataError, match="no column"):
        oaxaca_blinder(students, outcome="math_score", group="focal", factors=["teacher_exp"])
