"""Demographic predictiveness from strata (METHODS §5.1), checked on the expanded students."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import mannwhitneyu

from equitykit.errors import DataError
from equitykit.metrics import predictiveness, strata_table
from equitykit.schema import DIMENSIONS, RACE_ETHNICITY, SEXES

RACES = ["Black", "Hispanic/Latino", "White", "Asian"]


@pytest.fixture(scope="module")
def students() -> pd.DataFrame:
    rng = np.random.default_rng(2024)
    n = 4000
    df = pd.DataFrame({
        "race_ethnicity": pd.Categorical(rng.choice(RACES, n, p=[.3, .3, .3, .1])),
        "sex": rng.choice(["F", "M"], n),
        "econ_disadvantaged": pd.array(rng.random(n) < 0.5, dtype="boolean"),
        "english_learner": pd.array(rng.random(n) < 0.15, dtype="boolean"),
        "disability": pd.array(rng.random(n) < 0.12, dtype="boolean"),
    })
    eta = (-2.2 + 0.9 * (df["race_ethnicity"] == "Black") + 0.5 * (df["sex"] == "M")
           + 0.6 * df["econ_disadvantaged"].astype(float) + 0.8 * df["disability"].astype(float))
    df["oss"] = pd.array(rng.random(n) < 1 / (1 + np.exp(-eta)), dtype="boolean")
    df["math_score"] = (500 - 20 * (df["race_ethnicity"] == "Black")
                        - 15 * df["econ_disadvantaged"].astype(float) + rng.normal(0, 30, n))
    df.loc[rng.random(n) < 0.05, "oss"] = pd.NA  # outside the outcome's population
    return df


def _student_design(df: pd.DataFrame) -> pd.DataFrame:
    """Dummies per dimension, first level (sorted, as text) left out: the strata coding."""
    labels = {d: df[d].astype(str) for d in DIMENSIONS}
    labels.update({d: labels[d].str.lower() for d in DIMENSIONS[2:]})  # True -> "true"
    parts = [pd.get_dummies(labels[d], prefix=d, prefix_sep="=", drop_first=True, dtype=float)
             for d in DIMENSIONS]
    return sm.add_constant(pd.concat(parts, axis=1))


def test_strata_table_counts(students):
    strata = strata_table(students, "oss")
    known = students["oss"].notna()
    assert strata["n"].sum() == known.sum()
    assert strata["successes"].sum() == students["oss"].sum()
    black_f = strata.query("race_ethnicity == 'Black' and sex == 'F'")
    direct = students.loc[known & (students["race_ethnicity"] == "Black")
                          & (students["sex"] == "F")]
    assert (black_f["n"].sum(), black_f["successes"].sum()) == (len(direct), direct["oss"].sum())
    assert set(strata["econ_disadvantaged"]) == {"true", "false"}
    assert "student_id" not in strata.columns and len(strata) <= 4 * 2 * 2 * 2 * 2


def test_binary_matches_student_level_logit(students):
    e = predictiveness(strata_table(students, "oss"), n_boot=0)
    rows = students.loc[students["oss"].notna()]
    y = rows["oss"].astype(float).to_numpy()
    X = _student_design(rows)
    logit = sm.Logit(y, X).fit(disp=0, tol=1e-12, maxiter=100)
    for name, value in logit.params.items():
        assert e.coefficients[name] == pytest.approx(value, abs=1e-6), name
    assert e.mcfadden_r2 == pytest.approx(logit.prsquared, abs=1e-6)
    p = logit.predict(X).to_numpy()
    u = mannwhitneyu(p[y == 1], p[y == 0]).statistic
    assert e.value == pytest.approx(u / ((y == 1).sum() * (y == 0).sum()), abs=1e-6)
    assert e.tjur_d == pytest.approx(p[y == 1].mean() - p[y == 0].mean(), abs=1e-6)
    assert e.n == len(rows)
    assert e.kind == "binary"


def test_score_matches_student_level_ols(students):
    e = predictiveness(strata_table(students, "math_score"), n_boot=0)
    X = _student_design(students)
    ols = sm.OLS(students["math_score"].to_numpy(), X).fit()
    assert e.value == pytest.approx(ols.rsquared, abs=1e-9)
    assert e.adjusted_r2 == pytest.approx(ols.rsquared_adj, abs=1e-9)
    for name, value in ols.params.items():
        assert e.coefficients[name] == pytest.approx(value, abs=1e-6), name
    assert e.kind == "score"


def test_auc_ties_count_half():
    # F: p = .1 (10 of 100), M: p = .3 (30 of 100): AUC = (30·90 + ½(10·90 + 30·70)) / (40·160)
    strata = pd.DataFrame({"sex": ["F", "M"], "n": [100, 100], "successes": [10, 30]})
    assert predictiveness(strata, n_boot=0).value == pytest.approx(4200 / 6400, abs=1e-12)


def test_a_group_without_events_is_handled():
    # One dimension: the fitted probabilities are the group rates, including 0 for X.
    strata = pd.DataFrame({"sex": ["F", "M", "X"], "n": [200, 200, 20],
                           "successes": [20, 60, 0]})
    e = predictiveness(strata, n_boot=0)
    k, n = np.array([20, 60, 0.0]), np.array([200, 200, 20.0])
    p = k / n
    with np.errstate(divide="ignore", invalid="ignore"):
        full = np.nansum(k * np.log(p) + (n - k) * np.log1p(-p))
    share = k.sum() / n.sum()
    null = k.sum() * np.log(share) + (n - k).sum() * np.log1p(-share)
    assert e.mcfadden_r2 == pytest.approx(1 - full / null, abs=1e-8)
    # AUC by hand: ranks X (0) < F (.1) < M (.3)
    auc = (60 * (20 + 180) + 20 * 20 + 0.5 * (60 * 140 + 20 * 180)) / (80 * 340)
    assert e.value == pytest.approx(auc, abs=1e-8)


def test_bootstrap_interval_is_seeded_and_sane(students):
    strata = strata_table(students, "oss")
    e = predictiveness(strata, n_boot=200, seed=5)
    assert e.ci_low < e.value < e.ci_high
    assert e.mcfadden_r2_ci[0] < e.mcfadden_r2 < e.mcfadden_r2_ci[1]
    again = predictiveness(strata, n_boot=200, seed=5)
    assert (again.ci_low, again.ci_high) == (e.ci_low, e.ci_high)


@pytest.mark.parametrize("outcome", ["oss", "math_score"])
def test_bootstrap_se_agrees_with_student_resampling(students, outcome):
    # The strata bootstrap stands in for resampling students; compare the two SDs.
    dims = ["race_ethnicity", "econ_disadvantaged"]
    e = predictiveness(strata_table(students, outcome, dims), n_boot=300, seed=1)
    rng = np.random.default_rng(9)
    draws = [predictiveness(strata_table(students.iloc[rng.integers(0, len(students),
                                                                    len(students))],
                                         outcome, dims), n_boot=0).value
             for _ in range(120)]
    assert e.se == pytest.approx(np.std(draws, ddof=1), rel=0.2)


def test_undefined_and_bad_input(students):
    flat = pd.DataFrame({"sex": ["F", "M"], "n": [10, 10], "successes": [0, 0]})
    assert "same outcome" in predictiveness(flat).reason
    with pytest.raises(DataError, match="no column"):
        strata_table(students, "gifted")
    with pytest.raises(DataError, match="boolean"):
        strata_table(students.assign(note="x"), "note")


def test_one_million_students_fit_in_under_two_seconds():
    rng = np.random.default_rng(0)
    grid = pd.MultiIndex.from_product([RACE_ETHNICITY, SEXES, ["false", "true"],
                                       ["false", "true"], ["false", "true"]],
                                      names=list(DIMENSIONS)).to_frame(index=False)
    grid["n"] = rng.multinomial(1_000_000, rng.dirichlet(np.ones(len(grid))))
    grid["successes"] = rng.binomial(grid["n"], rng.uniform(0.02, 0.3, len(grid)))
    start = time.perf_counter()
    e = predictiveness(grid, n_boot=200)
    elapsed = time.perf_counter() - start
    assert e.n == 1_000_000 and len(e.dominance) == 5
    assert elapsed < 2.0, f"{elapsed:.2f} s"
