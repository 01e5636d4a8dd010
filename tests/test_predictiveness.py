"""Demographic predictiveness from strata (METHODS §5.1), checked on the expanded students.

Any warning fails these tests: separated, rare or degenerate outcomes must be handled, not
produce NaN arithmetic.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import mannwhitneyu

from equitykit import intake
from equitykit.errors import DataError
from equitykit.metrics import predictiveness, strata_table
from equitykit.schema import DIMENSIONS, OUTCOMES, RACE_ETHNICITY, SEXES

pytestmark = pytest.mark.filterwarnings("error")

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


def _expand(strata: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """One row per student (``y`` 0/1) from a strata table."""
    rows = strata.loc[strata.index.repeat(strata["n"]), dims].reset_index(drop=True)
    y = np.concatenate([np.r_[np.ones(k), np.zeros(n - k)]
                        for n, k in zip(strata["n"], strata["successes"], strict=True)])
    return rows.assign(y=y)


def _mann_whitney_auc(score: np.ndarray, y: np.ndarray) -> float:
    u = mannwhitneyu(score[y == 1], score[y == 0]).statistic
    return u / ((y == 1).sum() * (y == 0).sum())


def test_quasi_separation_converges_to_the_limiting_fit():
    # Race A: no student has the outcome, race B: all do, race C: mixed with a sex effect.
    # The likelihood's supremum is at infinity: A's fitted rate -> 0, B's -> 1 (log-likelihood
    # 0), and C is fitted as if alone. Reference: statsmodels on C's students only.
    strata = pd.DataFrame({"race": ["A", "A", "B", "B", "C", "C"],
                           "sex": ["F", "M"] * 3,
                           "n": [40, 35, 12, 9, 300, 280],
                           "successes": [0, 0, 12, 9, 30, 70]})
    e = predictiveness(strata, n_boot=50)
    students = _expand(strata, ["race", "sex"])
    mixed = students[students["race"] == "C"]
    logit = sm.Logit(mixed["y"], sm.add_constant((mixed["sex"] == "M").astype(float)
                                                 .rename("sex=M"))).fit(disp=0, tol=1e-12)
    share = students["y"].mean()
    null = len(students) * (share * np.log(share) + (1 - share) * np.log1p(-share))
    assert e.mcfadden_r2 == pytest.approx(1 - logit.llf / null, abs=1e-9)
    eta = np.select([students["race"] == "A", students["race"] == "B"], [-np.inf, np.inf],
                    default=logit.params["const"]
                    + logit.params["sex=M"] * (students["sex"] == "M"))
    assert e.value == pytest.approx(_mann_whitney_auc(eta, students["y"].to_numpy()),
                                    abs=1e-12)
    # Only sex=M is identified by the strata off the limit; the others are infinite.
    assert e.coefficients["sex=M"] == pytest.approx(logit.params["sex=M"], abs=1e-6)
    assert all(np.isnan(e.coefficients[c]) for c in ("const", "race=B", "race=C"))
    assert e.separated_strata == 4
    assert sum(e.dominance.values()) == pytest.approx(e.mcfadden_r2, abs=1e-12)
    assert e.ci_low <= e.value <= e.ci_high


def test_complete_separation_is_perfect_prediction():
    # Every M has the outcome and no F does: AUC = 1 and McFadden R² = 1 (ℓ(model) -> 0).
    strata = pd.DataFrame({"sex": ["F", "F", "M", "M"], "ell": ["false", "true"] * 2,
                           "n": [50, 20, 45, 15], "successes": [0, 0, 45, 15]})
    e = predictiveness(strata, n_boot=20)
    assert e.value == 1.0
    assert e.mcfadden_r2 == pytest.approx(1.0, abs=1e-9)
    assert e.tjur_d == pytest.approx(1.0, abs=1e-9)
    # Shapley by hand: ell alone fits its group rates 45/95 and 15/35 (60 of 130 overall);
    # added to sex it adds nothing. So ell gets half its own R², sex the rest.
    def loglik(k, n):
        return sum(a * np.log(a / b) + (b - a) * np.log1p(-a / b)
                   for a, b in zip(k, n, strict=True))
    ell_alone = 1 - loglik([45, 15], [95, 35]) / loglik([60], [130])
    assert e.dominance["ell"] == pytest.approx(ell_alone / 2, abs=1e-9)
    assert e.dominance["sex"] == pytest.approx(1 - ell_alone / 2, abs=1e-9)
    assert np.isnan(list(e.coefficients.values())).all()  # no finite MLE at all
    assert (e.ci_low, e.ci_high) == (1.0, 1.0)


def test_rare_outcome_bootstrap_skips_replicates_without_events():
    # 3 events in 2000 students: about e^-3 = 5 % of replicates have no event at all.
    strata = pd.DataFrame({"sex": ["F", "M"], "n": [1000, 1000], "successes": [1, 2]})
    e = predictiveness(strata, n_boot=400, seed=3)
    rng = np.random.default_rng(3)  # the same multinomial draw, counted independently
    cells = np.array([1, 2, 999, 998]) / 2000
    events = rng.multinomial(2000, cells, size=400)[:, :2].sum(axis=1)
    assert e.undefined_replicates == (events == 0).sum() > 0
    assert e.ci_low <= e.value <= e.ci_high
    assert e.value == pytest.approx((2 * 999 + 0.5 * (2 * 998 + 1 * 999)) / (3 * 1997))


def test_constant_dimension_is_dropped(students):
    # A dimension with one level has no dummy: same fit as without it, zero weight.
    dims = ["race_ethnicity", "sex", "econ_disadvantaged"]
    without = predictiveness(strata_table(students, "oss", dims), n_boot=0)
    e = predictiveness(strata_table(students.assign(english_learner=False), "oss",
                                    [*dims, "english_learner"]), n_boot=0)
    assert e.dominance["english_learner"] == 0.0
    assert (e.value, e.mcfadden_r2) == pytest.approx((without.value, without.mcfadden_r2),
                                                     abs=1e-12)
    assert e.coefficients == pytest.approx(without.coefficients, abs=1e-9)


def test_nested_dimension_is_aliased(students):
    # econ is a function of race: its dummy is aliased (NaN, as R's glm reports NA) and the
    # fit is the race-only model; a dimension listed first keeps its columns.
    nested = students.assign(econ_disadvantaged=students["race_ethnicity"] == "Black")
    e = predictiveness(strata_table(nested, "oss", ["race_ethnicity", "econ_disadvantaged"]),
                       n_boot=10)
    rows = nested.loc[nested["oss"].notna()]
    X = sm.add_constant(pd.get_dummies(rows["race_ethnicity"].astype(str), drop_first=True,
                                       dtype=float))
    logit = sm.Logit(rows["oss"].astype(float), X).fit(disp=0, tol=1e-12)
    assert e.mcfadden_r2 == pytest.approx(logit.prsquared, abs=1e-9)
    assert np.isnan(e.coefficients["econ_disadvantaged=true"])
    assert e.coefficients["race_ethnicity=Black"] == pytest.approx(logit.params["Black"],
                                                                   abs=1e-6)
    assert sum(e.dominance.values()) == pytest.approx(e.mcfadden_r2, abs=1e-12)


@pytest.mark.parametrize(("successes", "reason"), [
    ([0, 0], "same outcome"), ([10, 7], "same outcome")])
def test_no_events_or_all_events_are_undefined(successes, reason):
    e = predictiveness(pd.DataFrame({"sex": ["F", "M"], "n": [10, 7], "successes": successes}))
    assert not e.defined and reason in e.reason and e.kind == "binary"


def test_one_stratum_is_undefined():
    one = pd.DataFrame({"sex": ["F", "M"], "n": [25, 0], "successes": [5, 0]})
    assert "same demographic stratum" in predictiveness(one).reason
    assert "same demographic stratum" in predictiveness(one, dimensions=[]).reason
    assert "no students" in predictiveness(one.assign(n=0, successes=0)).reason


def test_undefined_and_bad_input(students):
    with pytest.raises(DataError, match="no column"):
        strata_table(students, "gifted")
    with pytest.raises(DataError, match="boolean"):
        strata_table(students.assign(note="x"), "note")


@pytest.mark.parametrize("rate", [(0.02, 0.3), (0.0, 3e-5)])
def test_one_million_students_common_and_rare_outcomes(rate):
    # Common and very rare (most strata without events) outcomes, 200 replicates, dominance.
    # Its time is measured by benchmarks/kernels.py, never asserted here.
    rng = np.random.default_rng(0)
    grid = pd.MultiIndex.from_product([RACE_ETHNICITY, SEXES, ["false", "true"],
                                       ["false", "true"], ["false", "true"]],
                                      names=list(DIMENSIONS)).to_frame(index=False)
    grid["n"] = rng.multinomial(1_000_000, rng.dirichlet(np.ones(len(grid))))
    grid["successes"] = rng.binomial(grid["n"], rng.uniform(*rate, len(grid)))
    e = predictiveness(grid, n_boot=200)
    assert e.n == 1_000_000 and len(e.dominance) == 5 and e.defined


@pytest.fixture(scope="module")
def sample_district(repo_root) -> pd.DataFrame:
    data = intake.load_district_data(repo_root / "data_samples", district_id="D01")
    return intake.derive_outcomes(data.students)


def _reference_fit(strata: pd.DataFrame, dims: list[str]) -> tuple[float, float]:
    """AUC and McFadden R² from statsmodels' grouped binomial GLM, iterated until the
    separated strata reach their limit, and scipy's Mann–Whitney U on the students."""
    X = pd.concat([pd.get_dummies(strata[d], prefix=d, drop_first=True, dtype=float)
                   for d in dims], axis=1)
    k, n = strata["successes"].to_numpy(float), strata["n"].to_numpy(float)
    with warnings.catch_warnings():  # statsmodels warns about perfect separation
        warnings.simplefilter("ignore")
        glm = sm.GLM(np.column_stack([k, n - k]), sm.add_constant(X, has_constant="add"),
                     family=sm.families.Binomial()).fit(maxiter=1000, tol=1e-14)
    eta = glm.predict(which="linear")
    llf = -(k * np.logaddexp(0, -eta) + (n - k) * np.logaddexp(0, eta)).sum()
    share = k.sum() / n.sum()
    null = k.sum() * np.log(share) + (n - k).sum() * np.log1p(-share)
    score = np.repeat(np.round(eta, 6), n.astype(int))
    y = np.concatenate([np.r_[np.ones(int(a)), np.zeros(int(b - a))]
                        for a, b in zip(k, n, strict=True)])
    return _mann_whitney_auc(score, y), 1 - llf / null


@pytest.mark.parametrize("year", ["all", "latest"])
def test_every_binary_outcome_of_the_sample_district(sample_district, year):
    # Rare outcomes (expelled, arrested), strata without events and separated fits: no
    # warning, and every figure equals an independent statsmodels fit.
    students = sample_district
    if year == "latest":
        students = students[students["school_year"] == students["school_year"].max()]
    checked = 0
    for outcome in OUTCOMES:
        if outcome not in students or not pd.api.types.is_bool_dtype(students[outcome]):
            continue
        pop = students[students[outcome].notna()]
        dims = [d for d in DIMENSIONS if pop[d].nunique(dropna=True) > 1]
        strata = strata_table(pop, outcome=outcome, dimensions=dims)
        e = predictiveness(strata, outcome_kind="binary", dimensions=dims, n_boot=100)
        auc, mcfadden = _reference_fit(strata, dims)
        assert e.value == pytest.approx(auc, abs=1e-6), outcome
        assert e.mcfadden_r2 == pytest.approx(mcfadden, abs=1e-6), outcome
        assert np.isfinite([e.ci_low, e.ci_high]).all(), outcome
        assert sum(e.dominance.values()) == pytest.approx(e.mcfadden_r2, abs=1e-9), outcome
        checked += 1
    assert checked >= 15
