"""disproportionality(): the whole counts table at once (METHODS §3.1, §8, §9.2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _dispro_example import ENROLLED, GROUPS, PRINTED, STATE_SHARES, WITH_OUTCOME, counts

from equitykit import metrics, schema
from equitykit.errors import DataError

CONTRACT_COLUMNS = ["district_id", "school_year", "school_id", "section", "measure", "outcome",
                    "dimension", "group", "comparison", "n", "numerator", "value", "ci_low",
                    "ci_high", "p_value", "q_value", "suppressed", "flagged"]


def pick(table, measure, group):
    rows = table[(table.measure == measure) & (table.group == group)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.fixture(scope="module")
def example():
    return metrics.disproportionality(counts(), test="fisher", state_shares=STATE_SHARES)


def test_columns_follow_metrics_csv(example):
    assert list(example.columns[: len(CONTRACT_COLUMNS)]) == CONTRACT_COLUMNS
    assert {"domain", "note", "p_test"} <= set(example.columns)
    assert set(example.section) == {"programmatic"} and set(example.domain) == {"discipline"}
    assert set(example.outcome) == {"oss"}
    assert example.flagged.isna().all()
    base = example[example.dimension == "all"]  # the all-students base rate, rate row only
    assert base[["measure", "group", "comparison"]].values.tolist() == [["rate", "all", ""]]
    assert base.value.item() == pytest.approx(120 / 4000)


@pytest.mark.parametrize("group", GROUPS)
def test_methods_10_6_printed_table(example, group):
    printed = PRINTED[group]
    assert round(pick(example, "risk_ratio", group).value, 3) == printed["rr"]
    assert round(pick(example, "risk_difference", group).value, 4) == printed["rd"]
    assert round(pick(example, "weighted_risk_ratio", group).value, 3) == printed["wrr"]
    assert round(100 * pick(example, "composition", group).value, 2) == printed["comp"]
    assert round(pick(example, "excess_students", group).value, 1) == pytest.approx(
        printed["excess"])
    rr = pick(example, "risk_ratio", group)
    assert float(f"{rr.p_value:.2g}") == pytest.approx(printed["p"])
    if printed["q"] is None:
        assert rr.q_value < 0.001
    else:
        assert float(f"{rr.q_value:.2g}") == pytest.approx(printed["q"])
    rate = pick(example, "rate", group)
    assert rate.comparison == "" and math.isnan(rate.p_value)
    assert rate.n == ENROLLED[group] and rate.numerator == WITH_OUTCOME[group]


def test_black_row_interval(example):
    rr = pick(example, "risk_ratio", "Black")
    assert (round(rr.ci_low, 3), round(rr.ci_high, 3)) == (3.123, 6.484)
    rate = pick(example, "rate", "Black")
    assert (round(rate.ci_low, 4), round(rate.ci_high, 4)) == (0.0743, 0.1333)


def test_q_value_is_shared_by_the_group_comparison_rows(example):
    black = example[(example.group == "Black") & (example.comparison == "all_other")
                    & (example.measure != "weighted_risk_ratio")]
    assert black.q_value.nunique() == 1 and black.p_value.nunique() == 1


def _school_table():
    """Two schools and their district, two outcomes of different domains, two years."""
    rng = np.random.default_rng(11)
    rows = []
    for year in (2022, 2023):
        for measure in ("oss", "gifted", "iss"):
            district = {}
            for school in ("S1", "S2"):
                n = rng.integers(5, 400, len(GROUPS))
                x = rng.binomial(n, rng.uniform(0.0, 0.25, len(GROUPS)))
                for gname, xx, nn in zip(GROUPS, x, n, strict=True):
                    rows.append((school, year, measure, "race_ethnicity", gname, xx, nn))
                    dx, dn = district.get(gname, (0, 0))
                    district[gname] = (dx + xx, dn + nn)
                rows.append((school, year, measure, "all", "all", x.sum(), n.sum()))
            for gname, (dx, dn) in district.items():
                rows.append(("", year, measure, "race_ethnicity", gname, dx, dn))
            rows.append(("", year, measure, "all", "all", sum(v[0] for v in district.values()),
                         sum(v[1] for v in district.values())))
    df = pd.DataFrame(rows, columns=["school_id", "school_year", "measure", "dimension",
                                     "group", "numerator", "denominator"])
    return df.assign(district_id="D7")


def test_table_agrees_with_the_scalar_functions():
    df = _school_table()
    table = metrics.disproportionality(df, alpha=0.1)
    totals = df[df.dimension == "all"].set_index(["school_id", "school_year", "measure"])[
        ["numerator", "denominator"]]
    scalar = {"rate": lambda x, n, X, N: metrics.rate(x, n, alpha=0.1),
              "risk_ratio": lambda x, n, X, N: metrics.risk_ratio(x, n, X - x, N - n, alpha=0.1),
              "risk_difference": lambda x, n, X, N: metrics.risk_difference(
                  x, n, X - x, N - n, alpha=0.1),
              "excess_students": lambda x, n, X, N: metrics.excess_students(
                  x, n, X - x, N - n, alpha=0.1),
              "composition": lambda x, n, X, N: metrics.composition(x, n, X, N, alpha=0.1),
              "representation_index": lambda x, n, X, N: metrics.representation_index(
                  x, n, X, N, alpha=0.1)}
    checked = 0
    for row in table.itertuples():
        X, N = totals.loc[(row.school_id, row.school_year, row.outcome)]
        est = scalar[row.measure](row.numerator, row.n, X, N)
        for got, want in ((row.value, est.value), (row.ci_low, est.ci_low),
                          (row.ci_high, est.ci_high)):
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12, nan_ok=True)
        if row.comparison:
            assert row.p_value == pytest.approx(est.p_value, rel=1e-9, nan_ok=True)
            assert row.note == est.reason
        checked += 1
    assert checked == len(df[df.dimension != "all"]) * 6 + len(totals)


def test_q_values_are_bh_within_district_year_domain():
    table = metrics.disproportionality(_school_table())
    rr = table[table.measure == "risk_ratio"]
    for _, fam in rr.groupby(["school_year", "domain"]):
        assert fam.school_id.nunique() == 3  # schools and district share a family
        np.testing.assert_allclose(fam.q_value, metrics.benjamini_hochberg(fam.p_value))
    assert set(rr.domain) == {"discipline", "access"}
    assert rr.groupby(["school_year", "domain"]).ngroups == 4


def test_weighted_risk_ratio_matches_scalar_per_unit():
    df = _school_table()
    table = metrics.disproportionality(df, state_shares=STATE_SHARES)
    wrr = table[table.measure == "weighted_risk_ratio"]
    assert len(wrr) == len(df[df.dimension != "all"])
    for (school, year, measure), unit in df[df.dimension != "all"].groupby(
            ["school_id", "school_year", "measure"]):
        x = dict(zip(unit.group, unit.numerator, strict=True))
        n = dict(zip(unit.group, unit.denominator, strict=True))
        for g in GROUPS:
            want = metrics.weighted_risk_ratio(x, n, STATE_SHARES, g)
            got = wrr[(wrr.school_id == school) & (wrr.school_year == year)
                      & (wrr.outcome == measure) & (wrr.group == g)].value.item()
            assert got == pytest.approx(want.value, rel=1e-9, nan_ok=True)


def test_source_suppressed_rows_are_empty_and_never_zero():
    df = counts()
    df["source_suppressed"] = df.group == "Asian"
    df.loc[df.group == "Asian", ["numerator", "denominator"]] = np.nan
    table = metrics.disproportionality(df)
    asian = table[table.group == "Asian"]
    assert asian.suppressed.all() and (asian.note == "suppressed at source").all()
    assert asian[["value", "n", "numerator", "ci_low", "ci_high", "p_value"]].isna().all().all()
    black = pick(table, "risk_ratio", "Black")  # comparison = all - Black, Asian not needed
    assert black.value == pytest.approx(4.5)


def test_suppressed_total_hides_the_comparisons_but_not_the_rate():
    df = counts()
    df["source_suppressed"] = df.dimension == "all"
    table = metrics.disproportionality(df)
    assert pick(table, "rate", "Black").value == pytest.approx(0.1)
    rr = pick(table, "risk_ratio", "Black")
    assert math.isnan(rr.value) and rr.note == "comparison group suppressed at source"


def test_missing_total_row_uses_the_other_groups():
    table = metrics.disproportionality(counts().query("dimension != 'all'"))
    rr = pick(table, "risk_ratio", "Black")
    assert rr.value == pytest.approx(4.5)
    assert rr.note.startswith("no 'all' row")


def test_intersections_compare_with_everyone_else():
    df = counts()
    extra = pd.DataFrame({"district_id": "D1", "school_id": "", "school_year": 2023,
                          "measure": "oss", "dimension": "race_ethnicity×sex",
                          "group": ["Black×M", "Black×F"], "numerator": [30, 10],
                          "denominator": [200, 200]})
    table = metrics.disproportionality(pd.concat([df, extra]))
    rr = pick(table, "risk_ratio", "Black×M")
    assert rr.value == pytest.approx(metrics.risk_ratio(30, 200, 90, 3800).value, rel=1e-12)


def test_zero_cells_are_explained_not_filled():
    df = counts()
    df.loc[df.group == "Two or more races", "numerator"] = 0
    df.loc[df.dimension == "all", "numerator"] = 119
    table = metrics.disproportionality(df)
    rr = pick(table, "risk_ratio", "Two or more races")
    assert rr.value == 0 and math.isnan(rr.ci_low) and "no students in the group" in rr.note


@pytest.mark.parametrize("change, message", [
    (lambda d: d.drop(columns="group"), "missing column"),
    (lambda d: d.assign(numerator=[120, 401, 36, 40, 3, 1]), "whole number"),
    (lambda d: d.assign(numerator=[120, 40.5, 36, 40, 3, 1]), "whole number"),
    (lambda d: pd.concat([d, d.tail(1)]), "more than once"),
    (lambda d: d.assign(denominator=[300, 400, 1200, 2000, 300, 100]), "exceeds"),
])
def test_bad_tables_are_clear_data_errors(change, message):
    with pytest.raises(DataError, match=message):
        metrics.disproportionality(change(counts()))


def test_hundred_thousand_count_rows():
    # Its time is measured by benchmarks/kernels.py, never asserted here.
    rng = np.random.default_rng(0)
    units = 100_000 // 8
    n = rng.integers(0, 400, (units, 7))
    x = rng.binomial(n, rng.uniform(0.001, 0.2, (units, 7)))
    ids = np.arange(units)
    frames = [pd.DataFrame({"district_id": "D" + pd.Series(ids // 600).astype(str),
                            "school_id": "S" + pd.Series(ids % 200).astype(str),
                            "school_year": 2020 + (ids // 200) % 3,
                            "measure": np.array(list(schema.OUTCOMES))[ids % 17 // 6 * 6],
                            "dimension": "all", "group": "all",
                            "numerator": x.sum(1), "denominator": n.sum(1)})]
    for j, g in enumerate(schema.RACE_ETHNICITY):
        frames.append(frames[0].assign(dimension="race_ethnicity", group=g,
                                       numerator=x[:, j], denominator=n[:, j]))
    df = pd.concat(frames, ignore_index=True)
    df = df.drop_duplicates(["district_id", "school_id", "school_year", "measure", "dimension",
                             "group"])
    table = metrics.disproportionality(df)
    assert len(table) == 6 * (df.dimension != "all").sum() + (df.dimension == "all").sum()
