"""Time three table kernels at the sizes the tests check them for correctness.

- ``predictiveness`` on the strata of 1,000,000 students, 200 bootstrap replicates, for a
  common and a very rare outcome (target: under 1 s each on a 2-core machine);
- ``disproportionality`` on 100,000 count rows (target: under 5 s);
- ``to_counts`` on 1,000,000 students (target: under 6 s).

The tests (tests/test_predictiveness.py, tests/test_disproportionality_table.py,
tests/test_counts.py) check the results and never the time, so a loaded machine cannot fail them.

    python benchmarks/kernels.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from equitykit import metrics, schema
from equitykit.intake import derive_outcomes, to_counts


def _strata(rate: tuple[float, float]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    grid = pd.MultiIndex.from_product(
        [schema.RACE_ETHNICITY, schema.SEXES, ["false", "true"], ["false", "true"],
         ["false", "true"]], names=list(schema.DIMENSIONS)).to_frame(index=False)
    grid["n"] = rng.multinomial(1_000_000, rng.dirichlet(np.ones(len(grid))))
    grid["successes"] = rng.binomial(grid["n"], rng.uniform(*rate, len(grid)))
    return grid


def _count_rows(rows: int = 100_000) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    units = rows // 8
    n = rng.integers(0, 400, (units, 7))
    x = rng.binomial(n, rng.uniform(0.001, 0.2, (units, 7)))
    ids = np.arange(units)
    base = pd.DataFrame({"district_id": "D" + pd.Series(ids // 600).astype(str),
                         "school_id": "S" + pd.Series(ids % 200).astype(str),
                         "school_year": 2020 + (ids // 200) % 3,
                         "measure": np.array(list(schema.OUTCOMES))[ids % 17 // 6 * 6],
                         "dimension": "all", "group": "all",
                         "numerator": x.sum(1), "denominator": n.sum(1)})
    frames = [base] + [base.assign(dimension="race_ethnicity", group=g, numerator=x[:, j],
                                   denominator=n[:, j])
                       for j, g in enumerate(schema.RACE_ETHNICITY)]
    return pd.concat(frames, ignore_index=True).drop_duplicates(
        ["district_id", "school_id", "school_year", "measure", "dimension", "group"])


def _students(n: int = 1_000_000) -> pd.DataFrame:
    rng = np.random.default_rng(3)

    def flags(p: float) -> pd.arrays.BooleanArray:
        return pd.array(rng.random(n) < p, dtype="boolean")

    return derive_outcomes(pd.DataFrame({
        "district_id": pd.array(rng.choice(["d1", "d2"], n), dtype="string"),
        "school_year": pd.array(rng.choice([2022, 2023], n), dtype="Int64"),
        "school_id": pd.array(rng.choice(["a", "b", "c"], n), dtype="string"),
        "grade": pd.Categorical(rng.choice(["7", "8", "9"], n), categories=schema.GRADES),
        "race_ethnicity": pd.Categorical(rng.choice(list(schema.RACE_ETHNICITY)[:4], n),
                                         categories=schema.RACE_ETHNICITY),
        "sex": pd.Categorical(rng.choice(["F", "M"], n), categories=schema.SEXES),
        "econ_disadvantaged": flags(0.4), "english_learner": flags(0.1),
        "disability": flags(0.15), "oss": flags(0.1), "gifted": flags(0.1),
    }))


def _time(label: str, target: float, run) -> None:
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    print(f"{label:<52} {seconds:>7.2f} s   (target < {target:g} s)")


def main() -> None:
    for name, rate in (("common", (0.02, 0.3)), ("very rare", (0.0, 3e-5))):
        strata = _strata(rate)
        _time(f"predictiveness, 1,000,000 students, {name} outcome", 1.0,
              lambda s=strata: metrics.predictiveness(s, n_boot=200))
    rows = _count_rows()
    _time(f"disproportionality, {len(rows):,} count rows", 5.0,
          lambda: metrics.disproportionality(rows))
    students = _students()
    _time("to_counts, 1,000,000 students", 6.0, lambda: to_counts(students))


if __name__ == "__main__":
    main()
