"""to_counts: checked against a brute-force count and the identities of the counts table."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from equitykit import schema
from equitykit.intake import derive_outcomes, to_counts

SEP = schema.INTERSECTION_SEP
KEYS = ["district_id", "school_year", "school_id", "measure", "dimension", "group"]


def _students(n: int, seed: int = 1) -> pd.DataFrame:
    """Canonical, typed students with some missing dimension and outcome values."""
    rng = np.random.default_rng(seed)

    def flags(p, missing=0.0):
        values = pd.array(rng.random(n) < p, dtype="boolean")
        values[rng.random(n) < missing] = pd.NA
        return values

    race = pd.Categorical(rng.choice(list(schema.RACE_ETHNICITY)[:4], n),
                          categories=schema.RACE_ETHNICITY)
    race[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({
        "district_id": pd.array(rng.choice(["d1", "d2"], n), dtype="string"),
        "school_year": pd.array(rng.choice([2022, 2023], n), dtype="Int64"),
        "school_id": pd.array(rng.choice(["a", "b", "c"], n), dtype="string"),
        "grade": pd.Categorical(rng.choice(["7", "8", "9"], n), categories=schema.GRADES),
        "race_ethnicity": race,
        "sex": pd.Categorical(rng.choice(["F", "M", "X"], n, p=[.48, .48, .04]),
                              categories=schema.SEXES),
        "econ_disadvantaged": flags(0.4, missing=0.05),
        "english_learner": flags(0.1),
        "disability": flags(0.15),
        "oss": flags(0.1, missing=0.1),
        "gifted": flags(0.1),
        "algebra1_grade8": flags(0.3),
    })


def _label(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return str(value)


def _brute_force(students: pd.DataFrame, dimensions, intersections) -> dict:
    """Counts by looping over every row, place, outcome and group: no groupby."""
    specs = [(), *((d,) for d in dimensions), *(tuple(i) for i in intersections)]
    outcomes = [o for o in schema.OUTCOMES if o in students.columns]
    counts: dict[tuple, list[float]] = {}
    for row in students.to_dict("records"):
        for school, outcome, spec in itertools.product(
                ("", row["school_id"]), outcomes, specs):
            if pd.isna(row[outcome]) or any(pd.isna(row[d]) for d in spec):
                continue
            dimension = SEP.join(spec) if spec else "all"
            group = SEP.join(_label(row[d]) for d in spec) if spec else "all"
            key = (row["district_id"], int(row["school_year"]), school, outcome, dimension,
                   group)
            cell = counts.setdefault(key, [0.0, 0.0])
            cell[0] += bool(row[outcome])
            cell[1] += 1
    return counts


def test_matches_a_brute_force_count():
    students = derive_outcomes(_students(300))
    dims, inter = schema.DIMENSIONS, [("race_ethnicity", "sex"), ("sex", "disability")]
    counts = to_counts(students, dimensions=dims, intersections=inter)
    got = {tuple(k): [n, d] for *k, n, d in counts[[*KEYS, "numerator", "denominator"]]
           .itertuples(index=False, name=None)}
    assert got == _brute_force(students, dims, inter)
    assert list(counts.columns) == list(schema.COUNTS_COLUMNS)


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return to_counts(derive_outcomes(_students(3000, seed=7)))


def test_groups_sum_to_all(counts):
    total = counts[counts.dimension == "all"].set_index(["district_id", "school_year",
                                                         "school_id", "measure"])
    for dimension in schema.DIMENSIONS:
        sums = (counts[counts.dimension == dimension]
                .groupby(["district_id", "school_year", "school_id", "measure"])
                [["numerator", "denominator"]].sum())
        if dimension in ("race_ethnicity", "econ_disadvantaged"):  # some values missing
            assert (sums["denominator"] <= total.loc[sums.index, "denominator"]).all()
        else:
            pd.testing.assert_frame_equal(sums, total.loc[sums.index, sums.columns],
                                          check_names=False)


def test_schools_sum_to_district(counts):
    schools = counts[counts.school_id != ""]
    district = counts[counts.school_id == ""].set_index(
        ["district_id", "school_year", "measure", "dimension", "group"])
    sums = schools.groupby(["district_id", "school_year", "measure", "dimension", "group"])[
        ["numerator", "denominator"]].sum()
    assert len(sums) == len(district)
    pd.testing.assert_frame_equal(sums, district.loc[sums.index, sums.columns])


@pytest.mark.parametrize(("dims", "other"), [
    (("race_ethnicity", "sex"), "sex"),
    (("race_ethnicity", "econ_disadvantaged"), "econ_disadvantaged"),
    (("race_ethnicity", "disability"), "disability"),
])
def test_intersections_sum_to_parents(counts, dims, other):
    crossed = counts[counts.dimension == SEP.join(dims)].copy()
    crossed["parent"] = crossed["group"].str.split(SEP).str[0]
    sums = crossed.groupby(["district_id", "school_year", "school_id", "measure", "parent"])[
        ["numerator", "denominator"]].sum()
    parents = counts[counts.dimension == "race_ethnicity"].set_index(
        ["district_id", "school_year", "school_id", "measure", "group"])
    parents = parents.loc[sums.index, sums.columns]
    if other == "econ_disadvantaged":  # some students have no econ value
        assert (sums <= parents.to_numpy()).all().all()
    else:
        np.testing.assert_array_equal(sums.to_numpy(), parents.to_numpy())


def test_na_outcome_is_outside_the_denominator():
    s = _students(8)
    s["oss"] = pd.array([True, False, None, None, True, True, False, None], dtype="boolean")
    s["school_id"] = "a"
    s["district_id"] = "d1"
    s["school_year"] = pd.array([2023] * 8, dtype="Int64")
    c = to_counts(s[["district_id", "school_year", "school_id", "sex", "oss"]],
                  dimensions=[], intersections=[], by_school=False)
    assert c[["measure", "numerator", "denominator"]].values.tolist() == [["oss", 3.0, 5.0]]
    assert c[["school_id", "dimension", "group"]].values.tolist() == [["", "all", "all"]]


def test_labels_and_zero_denominators():
    counts = to_counts(derive_outcomes(_students(400)), by_school=False)
    labels = set(counts[counts.dimension == "disability"]["group"])
    assert labels == {"true", "false"}
    assert f"Black{SEP}F" in set(counts[counts.dimension == f"race_ethnicity{SEP}sex"]["group"])
    # algebra1_grade8 only has grade-8 students in its denominator
    alg = counts[(counts.measure == "algebra1_grade8") & (counts.dimension == "all")]
    assert (alg["denominator"] > 0).all() and alg["denominator"].sum() < 400
    assert counts["school_year"].dtype == np.int64
    assert (counts["denominator"] > 0).all()


def test_missing_dimension_is_a_clear_error():
    with pytest.raises(ValueError, match="needs the column"):
        to_counts(_students(5).drop(columns="sex"))


@pytest.mark.slow
def test_a_million_students():
    # Its time is measured by benchmarks/kernels.py, never asserted here.
    students = derive_outcomes(_students(1_000_000, seed=3))
    counts = to_counts(students)
    total = counts[(counts.school_id == "") & (counts.dimension == "all")
                   & (counts.measure == "gifted")]["denominator"].sum()
    assert total == 1_000_000
