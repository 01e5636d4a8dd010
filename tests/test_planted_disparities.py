"""The shipped sample data carry the disparities ``PLANTED`` documents, at the documented size.

Everything is computed directly with pandas from the committed files (no equitykit metrics), so
these tests pin the ground truth that the audit's own tests are later checked against.

Tolerances. The generating model fixes some effects exactly (the Black OSS risk ratio 3, the
disability risk ratios, the 2% retention rate); others follow from residential sorting. Either
way the shipped files are one random draw. ``PlantedDisparity.tolerance`` is three standard
deviations of each statistic across 20 other seeds of the same districts (measured when the
model was calibrated), so a correct generator fails a check by chance with probability < 0.3%
per check; the data are fixed, so the checks are deterministic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from equitykit.samples import PLANTED, PlantedDisparity

YEARS = (2021, 2022, 2023)
DIMENSIONS = ("race_ethnicity", "sex", "econ_disadvantaged", "english_learner", "disability")


@pytest.fixture(scope="module")
def students(repo_root: Path) -> pd.DataFrame:
    s = pd.read_parquet(repo_root / "data_samples" / "students.parquet")
    return s.assign(
        race_ethnicity=s["race_ethnicity"].astype(str),
        sex=s["sex"].astype(str),
        oss=s["oss_count"] > 0,
        chronic_absent=(s["days_absent"] / s["days_enrolled"] >= 0.10).where(
            s["days_enrolled"] >= 10),
        stratum=s["school_id"].astype(str) + "|" + s["school_year"].astype(str),
    )


@pytest.fixture(scope="module")
def staff(repo_root: Path) -> pd.DataFrame:
    return pd.read_csv(repo_root / "data_samples" / "staff.csv")


@pytest.fixture(scope="module")
def survey(repo_root: Path) -> pd.DataFrame:
    return pd.read_parquet(repo_root / "data_samples" / "survey.parquet")


def _district(frame: pd.DataFrame, district_id: str) -> pd.DataFrame:
    return frame[frame["district_id"] == district_id]


def risk_ratio(outcome: pd.Series, in_group: pd.Series) -> float:
    """Risk of the group / risk of everyone else, over rows where the outcome is known."""
    known = outcome.notna()
    y, g = outcome[known].astype(bool), in_group[known].astype(bool)
    return y[g].mean() / y[~g].mean()


def mantel_haenszel_rr(outcome: pd.Series, in_group: pd.Series, stratum: pd.Series) -> float:
    """Common risk ratio inside strata (schools × years): sum(a n0 / n) / sum(c n1 / n)."""
    d = pd.DataFrame({"y": outcome.astype(float), "g": in_group.astype(bool), "s": stratum})
    d = d.dropna()
    t = d.assign(a=d["y"] * d["g"], c=d["y"] * ~d["g"]).groupby("s").agg(
        a=("a", "sum"), c=("c", "sum"), n1=("g", "sum"), n=("y", "size"))
    n0 = t["n"] - t["n1"]
    return float((t["a"] * n0 / t["n"]).sum() / (t["c"] * t["n1"] / t["n"]).sum())


def kitagawa_between_share(outcome: pd.Series, in_group: pd.Series,
                           stratum: pd.Series) -> float:
    """Between-school part of the rate gap / whole gap (METHODS §5.4), schools × years."""
    d = pd.DataFrame({"y": outcome.astype(float), "g": in_group.astype(bool), "s": stratum})
    t = d.groupby(["s", "g"])["y"].agg(["sum", "size"]).unstack("g", fill_value=0)
    n_a, n_b = t[("size", True)], t[("size", False)]
    r_a, r_b = t[("sum", True)] / n_a, t[("sum", False)] / n_b
    both = (n_a > 0) & (n_b > 0)
    w_a, w_b = n_a / n_a.sum(), n_b / n_b.sum()
    between = ((w_a - w_b) * (r_a + r_b) / 2)[both].sum()
    within = ((w_a + w_b) / 2 * (r_a - r_b))[both].sum()
    return float(between / (between + within))


def cohens_d_within_grade(s: pd.DataFrame, column: str, in_group: pd.Series) -> float:
    """Gap in scores standardised within grade and year, over the pooled SD."""
    tested = s[column].notna()
    scores = s.loc[tested, column]
    z = scores.groupby([s.loc[tested, "school_year"], s.loc[tested, "grade"]],
                       observed=True).transform(lambda v: (v - v.mean()) / v.std())
    g = in_group[tested].astype(bool)
    a, b = z[g], z[~g]
    pooled = np.sqrt(((len(a) - 1) * a.var() + (len(b) - 1) * b.var()) / (len(a) + len(b) - 2))
    return float((a.mean() - b.mean()) / pooled)


def novice_gap(s: pd.DataFrame, staff: pd.DataFrame) -> float:
    """Novice share of teachers in the highest- minus the lowest-poverty quarter of schools."""
    keys = ["school_year", "school_id"]
    poverty = s.groupby(keys)["econ_disadvantaged"].mean().rename("poverty").reset_index()
    poverty["quarter"] = poverty.groupby("school_year")["poverty"].transform(
        lambda v: pd.qcut(v.rank(method="first"), 4, labels=False))
    teachers = staff[staff["role"] == "teacher"].merge(poverty, on=keys)
    novice = teachers["years_experience"] < 2
    return float(novice[teachers["quarter"] == 3].mean() - novice[teachers["quarter"] == 0].mean())


def measured(p: PlantedDisparity, s: pd.DataFrame, staff: pd.DataFrame,
             survey: pd.DataFrame) -> float:
    """The statistic ``p`` describes, computed on the shipped data of its district."""
    if p.outcome == "novice_teacher":
        return novice_gap(s, staff)
    if p.outcome == "belonging":
        b = survey[(survey["domain"] == "belonging") & (survey["role"] == "student")]
        return risk_ratio(b["favorable"], b["race_ethnicity"].astype(str) == p.group)
    if p.outcome == "enrollment":
        return float(s.groupby("school_year")[p.dimension].apply(lambda v: (v == p.group).sum())
                     .max())
    if p.outcome == "retained":
        # the largest deviation from 1 among the three largest race/ethnicity groups
        largest = s["race_ethnicity"].value_counts().index[:3]
        ratios = [risk_ratio(s["retained"], s["race_ethnicity"] == g) for g in largest]
        return max(ratios, key=lambda r: abs(r - 1))
    group = s[p.dimension].astype(str).str.lower() == p.group.lower()
    if p.measure == "cohens_d":
        return cohens_d_within_grade(s, p.outcome, group)
    if p.outcome.startswith("disability_"):
        return risk_ratio(s["disability_category"].astype(str) == p.outcome.split("_")[1], group)
    return risk_ratio(s[p.outcome], group)


@pytest.mark.parametrize("planted", PLANTED,
                         ids=[f"{p.district_id}-{p.outcome}-{p.group}" for p in PLANTED])
def test_planted_size_is_in_the_shipped_data(planted: PlantedDisparity, students: pd.DataFrame,
                                              staff: pd.DataFrame,
                                              survey: pd.DataFrame) -> None:
    value = measured(planted, _district(students, planted.district_id),
                     _district(staff, planted.district_id),
                     _district(survey, planted.district_id))
    assert abs(value - planted.effect) <= planted.tolerance, value


def test_every_district_has_the_core_planted_findings() -> None:
    core = {("oss", "Black"), ("gifted", "Hispanic/Latino"), ("math_score", "true"),
            ("novice_teacher", "highest"), ("retained", "any")}
    for district in ("D01", "D02", "D03"):
        found = {(p.outcome, p.group) for p in PLANTED if p.district_id == district}
        assert core <= found, district


# --- loci: within vs between schools ---------------------------------------------------------


@pytest.mark.parametrize("district", ["D01", "D02", "D03"])
def test_black_oss_risk_ratio_is_three_inside_every_school(students: pd.DataFrame,
                                                          district: str) -> None:
    s = _district(students, district)
    black = s["race_ethnicity"] == "Black"
    # Pooled within-school ratio: 20-seed SD is 0.45 (D01, 6 schools), 0.16, 0.09, so the
    # brief's [2.4, 3.6] is > 3.7 SD wide for D02/D03; D01 gets its PLANTED tolerance.
    low, high = (1.6, 4.4) if district == "D01" else (2.4, 3.6)
    assert low <= mantel_haenszel_rr(s["oss"], black, s["stratum"]) <= high
    # Every school (three years pooled) is consistent with 3: Katz log-RR z-tests with 0.5
    # added to empty cells, Bonferroni over the district's schools at family-wise 1%.
    t = s.assign(black=black).groupby(["school_id", "black"])["oss"].agg(["sum", "size"])
    t = t.unstack("black")
    a, n1 = t[("sum", True)], t[("size", True)]
    c, n0 = t[("sum", False)], t[("size", False)]
    empty = (a == 0) | (c == 0)
    a, c = a + 0.5 * empty, c + 0.5 * empty
    z = (np.log((a / n1) / (c / n0)) - np.log(3)) / np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    assert np.abs(z).max() < stats.norm.ppf(1 - 0.01 / (2 * len(z)))
    # And the gap sits inside schools: Kitagawa's between-school part is small.
    assert kitagawa_between_share(s["oss"], black, s["stratum"]) < 0.25


@pytest.mark.parametrize("district", ["D01", "D02", "D03"])
def test_hispanic_gifted_gap_lies_between_schools(students: pd.DataFrame, district: str) -> None:
    s = _district(students, district)
    hispanic = s["race_ethnicity"] == "Hispanic/Latino"
    # District ratio well below 1 (D02/D03 < 0.6 by > 5 SD of the 20-seed spread; D01's
    # 3 elementary zones sort less sharply: 20-seed mean 0.53, SD 0.13)
    assert risk_ratio(s["gifted"], hispanic) < (0.75 if district == "D01" else 0.6)
    # Inside schools the chances are equal: 20-seed SD of the Mantel-Haenszel ratio is 0.24
    # (D01), 0.13 (D02), 0.05 (D03); the bounds are 3 SD around 1.
    sd = {"D01": 0.24, "D02": 0.13, "D03": 0.05}[district]
    assert abs(mantel_haenszel_rr(s["gifted"], hispanic, s["stratum"]) - 1) <= 3 * sd
    assert kitagawa_between_share(s["gifted"].astype(bool), hispanic, s["stratum"]) > 0.6


def test_advanced_courses_follow_gifted_in_multi_high_school_districts(
        students: pd.DataFrame) -> None:
    for district in ("D02", "D03"):
        s = _district(students, district)
        s = s[s["advanced_course"].notna()]
        hispanic = s["race_ethnicity"] == "Hispanic/Latino"
        # 20-seed SD of the within-school ratio: 0.06 (D02), 0.04 (D03)
        assert abs(mantel_haenszel_rr(s["advanced_course"], hispanic, s["stratum"]) - 1) < 0.2
    one_high_school = _district(students, "D01")
    # D01 has one high school: no between-school channel, so no gap (20-seed SD 0.11)
    assert risk_ratio(one_high_school["advanced_course"],
                      one_high_school["race_ethnicity"] == "Hispanic/Latino") == pytest.approx(
        1.0, abs=0.35)


# --- special education -----------------------------------------------------------------------


def test_metro_id_and_emn_are_significantly_disproportionate_three_years(
        students: pd.DataFrame) -> None:
    s = _district(students, "D03")
    for year in YEARS:
        y = s[s["school_year"] == year]
        black = y["race_ethnicity"] == "Black"
        for category in ("ID", "EMN"):
            identified = y["disability_category"].astype(str) == category
            # IDEA rule: risk ratio strictly above 3 with cell >= 10 and n >= 30 on both sides
            assert identified[black].sum() >= 10 and identified[~black].sum() >= 10
            assert black.sum() >= 30 and (~black).sum() >= 30
            assert risk_ratio(identified, black) > 3, (year, category)


def test_lakeside_over_identifies_black_students_every_year(students: pd.DataFrame) -> None:
    s = _district(students, "D02")
    for year in YEARS:
        y = s[s["school_year"] == year]
        # 20-seed SD of a single year's ratio is 0.11: 2 ± 0.33 is 3 SD
        assert risk_ratio(y["disability"], y["race_ethnicity"] == "Black") == pytest.approx(
            2.0, abs=0.33)


def test_riverbend_has_no_identification_gap(students: pd.DataFrame) -> None:
    s = _district(students, "D01")
    black = s["race_ethnicity"] == "Black"
    x, n = s.loc[black, "disability"].sum(), black.sum()
    rate_other = s.loc[~black, "disability"].mean()
    # exact binomial test of the Black identification count against the others' rate
    assert stats.binomtest(int(x), int(n), rate_other).pvalue > 0.01


# --- the control outcome and the tiny group ---------------------------------------------------


@pytest.mark.parametrize("district", ["D01", "D02", "D03"])
def test_retention_has_no_disparity_anywhere(students: pd.DataFrame, district: str) -> None:
    s = _district(students, district)
    s = s[s["retained"].notna()]
    retained = s["retained"].astype(bool)
    z_scores = []
    for dimension in DIMENSIONS:
        for group in s[dimension].dropna().astype(str).unique():
            g = s[dimension].astype(str) == group
            a, n1, c, n0 = retained[g].sum(), g.sum(), retained[~g].sum(), (~g).sum()
            if a == 0 or c == 0:  # Katz interval undefined; tiny groups (NHPI in D01, sex X)
                continue
            se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
            z_scores.append(np.log((a / n1) / (c / n0)) / se)
    # ~16 groups per district: at 95% each, one interval would miss 1 by chance more often
    # than not (1 - 0.95**16 = 56%), so the family-wise check is Bonferroni at 5%.
    critical = stats.norm.ppf(1 - 0.05 / (2 * len(z_scores)))
    assert np.abs(z_scores).max() < critical
    # Schools too: one rate everywhere (chi-square homogeneity across schools).
    assert stats.chi2_contingency(pd.crosstab(s["school_id"], retained))[1] > 0.01


def test_pacific_islanders_are_too_few_to_publish_in_riverbend(students: pd.DataFrame) -> None:
    group = "Native Hawaiian/Pacific Islander"
    riverbend = _district(students, "D01")
    per_year = riverbend.groupby("school_year")["race_ethnicity"].apply(
        lambda v: (v == group).sum())
    assert ((per_year > 0) & (per_year < 10)).all()
    # elsewhere the group exists but is below 10 in some schools
    for district in ("D02", "D03"):
        s = _district(students, district)
        per_school = s[s["race_ethnicity"] == group].groupby(["school_year", "school_id"]).size()
        assert (per_school < 10).any() and per_school.sum() >= 10


def test_novice_teachers_concentrate_in_high_poverty_schools(students: pd.DataFrame,
                                                             staff: pd.DataFrame) -> None:
    keys = ["district_id", "school_year", "school_id"]
    poverty = students.groupby(keys)["econ_disadvantaged"].mean()
    teachers = staff[staff["role"] == "teacher"]
    novice = (teachers["years_experience"] < 2).groupby(
        [teachers[k] for k in keys]).mean()
    both = pd.concat([poverty.rename("poverty"), novice.rename("novice")], axis=1).dropna()
    for district in ("D02", "D03"):
        d = both.xs(district, level="district_id")
        rho = stats.spearmanr(d["poverty"], d["novice"]).statistic
        assert rho > 0.4, (district, rho)
