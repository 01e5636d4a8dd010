"""Out-of-sample predictiveness: null outcomes do not look predictive, intervals cover.

Districts are simulated as strata tables (race × sex × economic disadvantage) with a planted
null (no effect) or real effect; the true value is the population AUC of the true risks (0.5
under the null) or the population R² of the true stratum means. The fast runs use few
replicates and permutations with a fixed seed; the slow run uses more.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import expit, logit

from equitykit.metrics import predictive_accuracy, strata_table
from equitykit.metrics._predictiveness import _auc

RACES = ["A", "B", "H", "W", "X"]
RACE_SHARES = np.array([0.1, 0.2, 0.3, 0.35, 0.05])
GRID = pd.MultiIndex.from_product([RACES, ["F", "M"], ["false", "true"]],
                                  names=["race", "sex", "econ"]).to_frame(index=False)
WEIGHTS = np.array([RACE_SHARES[RACES.index(r)] / 4 for r in GRID["race"]])
EFFECT = ((GRID["race"] == "B") * 0.8 + (GRID["sex"] == "M") * 0.5
          + (GRID["econ"] == "true") * 0.4).to_numpy()
SCORE_EFFECT = ((GRID["race"] == "B") * -0.5 + (GRID["sex"] == "M") * 0.1
                + (GRID["econ"] == "true") * -0.3).to_numpy()


def _binary_replicates(effect: float, students: int, replicates: int, permutations: int,
                       seed: int) -> tuple[float, float, float]:
    """Rejection rate at 5%, interval coverage of the true AUC, and the true AUC."""
    rng = np.random.default_rng(seed)
    p = expit(-1.7 + effect * EFFECT)
    true = 0.5 if effect == 0 else _auc(logit(p), WEIGHTS * p, WEIGHTS * (1 - p))
    rejected = covered = 0
    for r in range(replicates):
        n = rng.multinomial(students, WEIGHTS)
        strata = GRID.assign(n=n, successes=rng.binomial(n, p))
        e = predictive_accuracy(strata, n_permutations=permutations, seed=r)
        assert e.ci_low <= e.value <= e.ci_high
        rejected += e.p_value <= 0.05
        covered += e.ci_low <= true <= e.ci_high
    return rejected / replicates, covered / replicates, true


def _score_replicates(effect: float, students: int, replicates: int, seed: int
                      ) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    mu = effect * SCORE_EFFECT
    spread = WEIGHTS @ (mu - WEIGHTS @ mu) ** 2
    true = spread / (spread + 1)  # unit within-stratum variance
    rejected = covered = 0
    for r in range(replicates):
        n = rng.multinomial(students, WEIGHTS)
        strata = GRID.assign(n=n, mean=rng.normal(mu, 1 / np.sqrt(np.maximum(n, 1))),
                             ss_within=rng.chisquare(np.maximum(n - 1, 1)) * (n > 1))
        e = predictive_accuracy(strata, n_boot=100, seed=r)
        assert e.ci_low <= e.value <= e.ci_high
        rejected += e.p_value <= 0.05
        covered += e.ci_low <= true <= e.ci_high
    return rejected / replicates, covered / replicates


def _at_most(rate: float, level: float, replicates: int) -> bool:
    """``rate`` is no more than ``level`` beyond three binomial standard errors."""
    return rate <= level + 3 * math.sqrt(level * (1 - level) / replicates)


def _near(rate: float, level: float, replicates: int) -> bool:
    return abs(rate - level) <= 3 * math.sqrt(level * (1 - level) / replicates) + 0.02


@pytest.mark.parametrize(("replicates", "permutations"), [
    pytest.param(120, 39, id="fast"),
    pytest.param(1000, 199, id="slow", marks=pytest.mark.slow),
])
def test_binary_null_rejects_at_five_percent_and_intervals_cover(replicates, permutations):
    rejected, covered, _ = _binary_replicates(0.0, 800, replicates, permutations, seed=11)
    assert _at_most(rejected, 0.05, replicates), rejected
    assert _near(covered, 0.95, replicates), covered


@pytest.mark.parametrize("replicates", [
    pytest.param(120, id="fast"), pytest.param(1000, id="slow", marks=pytest.mark.slow)])
def test_binary_real_effect_is_detected_and_covered(replicates):
    rejected, covered, true = _binary_replicates(1.0, 3000, replicates, 39, seed=12)
    assert true == pytest.approx(0.624, abs=1e-3)
    assert rejected == 1.0
    assert _near(covered, 0.95, replicates), covered


@pytest.mark.parametrize("replicates", [
    pytest.param(150, id="fast"), pytest.param(1000, id="slow", marks=pytest.mark.slow)])
def test_score_null_and_real_effect(replicates):
    rejected, covered = _score_replicates(0.0, 800, replicates, seed=13)
    assert _at_most(rejected, 0.05, replicates), rejected
    assert covered >= 0.95 - 3 * math.sqrt(0.05 * 0.95 / replicates), covered
    rejected, covered = _score_replicates(1.0, 800, replicates, seed=14)
    assert rejected == 1.0
    assert _near(covered, 0.95, replicates), covered


def test_score_p_value_is_the_overall_f_test_of_student_level_ols():
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(3)
    students = pd.DataFrame({"race": rng.choice(RACES, 400), "sex": rng.choice(["F", "M"], 400)})
    students["math_score"] = rng.normal(0, 1, 400) + 0.3 * (students["race"] == "B")
    fit = smf.ols("math_score ~ C(race) + C(sex)", students).fit()
    e = predictive_accuracy(strata_table(students, "math_score", ["race", "sex"]), n_boot=0)
    assert e.value == pytest.approx(fit.rsquared_adj, abs=1e-10)
    assert e.p_value == pytest.approx(fit.f_pvalue, abs=1e-10)
    assert e.f_statistic == pytest.approx(fit.fvalue, rel=1e-9)


def test_cross_validated_auc_equals_student_level_folds():
    """The strata split is a student split: fitting each training fold at student level
    (statsmodels) and scoring the held-out students gives the same AUCs."""
    import statsmodels.api as sm

    from equitykit.metrics._out_of_sample import _split

    strata = pd.DataFrame({"sex": ["F", "F", "M", "M"], "ell": ["false", "true"] * 2,
                           "n": [120, 80, 100, 90], "successes": [10, 20, 30, 40]})
    cells = np.concatenate([strata["successes"], strata["n"] - strata["successes"]])
    folds = _split(cells, 5, np.random.default_rng(0))
    assert (folds.sum(axis=0) == cells).all()
    assert np.ptp(folds.sum(axis=1)) <= 1
    x = np.column_stack([np.ones(4), strata["sex"] == "M", strata["ell"] == "true"]).astype(float)
    aucs = []
    for fold in folds:
        test_pos, test_neg = fold[:4], fold[4:]
        train_pos = strata["successes"].to_numpy() - test_pos
        train_neg = (strata["n"] - strata["successes"]).to_numpy() - test_neg
        rows = np.repeat(np.arange(4), train_pos + train_neg)
        y = np.concatenate([np.r_[np.ones(a), np.zeros(b)] for a, b in
                            zip(train_pos, train_neg, strict=True)])
        beta = sm.Logit(y, x[rows]).fit(disp=0).params
        score = x @ beta
        pos = np.repeat(score, test_pos)
        neg = np.repeat(score, test_neg)
        aucs.append(stats.mannwhitneyu(pos, neg).statistic / (len(pos) * len(neg)))
    e = predictive_accuracy(strata, folds=5, repeats=1, n_permutations=0, seed=0)
    # Same generator stream: the first draws of the seeded generator are the split above.
    assert e.value == pytest.approx(np.mean(aucs), abs=1e-8)
    assert math.isnan(e.p_value)


def test_permutation_p_value_bounds_and_strong_effect():
    strata = pd.DataFrame({"sex": ["F", "M"], "n": [300, 300], "successes": [30, 90]})
    e = predictive_accuracy(strata, n_permutations=99, seed=1)
    assert e.p_value == pytest.approx(1 / 100)
    same = pd.DataFrame({"sex": ["F", "M"], "n": [300, 300], "successes": [60, 60]})
    assert predictive_accuracy(same, n_permutations=99, seed=1).p_value > 0.5
