"""NYC DOE demographic snapshot (examples/nyc.yml): enrollment and segregation by district."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitykit import metrics
from equitykit.config import load_config
from equitykit.public_data import list_districts, load_aggregate

FILE = "school-demographics.csv"
RACES = {"asian_n": "Asian", "black_n": "Black", "hispanic_n": "Hispanic/Latino",
         "multi_racial_n": "Two or more races",
         "native_american_n": "American Indian/Alaska Native", "white_n": "White"}


@pytest.fixture(scope="module")
def folder(real_data: Path) -> Path:
    return real_data / "nyc_school_demographics"


@pytest.fixture(scope="module")
def config(repo_root: Path):
    return load_config(repo_root / "examples" / "nyc.yml")


@pytest.fixture(scope="module")
def counts(folder: Path, config) -> pd.DataFrame:
    return load_aggregate(folder, config)


@pytest.fixture(scope="module")
def raw(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / FILE).drop_duplicates()   # 832 rows repeat another verbatim


def _direct_dissimilarity(raw: pd.DataFrame) -> pd.Series:
    """D = 1/2 sum_s |b_s/B - w_s/W| per district and year, straight from the file."""
    share = raw[["black_n", "white_n"]] / raw.groupby(["district", "ay"])[
        ["black_n", "white_n"]].transform("sum")
    gap = (share["black_n"] - share["white_n"]).abs()
    return 0.5 * gap.groupby([raw["district"].astype(str), raw["ay"]]).sum()


def test_black_white_dissimilarity_per_district_and_year(counts: pd.DataFrame,
                                                         raw: pd.DataFrame) -> None:
    race = counts[(counts["measure"] == "enrollment") & (counts["school_id"] != "")
                  & (counts["dimension"] == "race_ethnicity")]
    ours = {}
    for (district, year), frame in race.groupby(["district_id", "school_year"]):
        table = frame.pivot(index="school_id", columns="group", values="denominator")
        ours[(district, year)] = metrics.dissimilarity(table["Black"], table["White"]).value
    direct = _direct_dissimilarity(raw)
    assert len(ours) == len(direct) == 35 * 5          # 35 districts x 5 school years
    got = pd.Series(ours).reindex(direct.index)
    assert np.allclose(got, direct, rtol=0, atol=1e-12)
    assert direct.between(0.05, 1).all()               # real segregation, not a degenerate 0


def test_every_school_year_once_with_its_race_counts(counts: pd.DataFrame,
                                                     raw: pd.DataFrame) -> None:
    schools = counts[counts["school_id"] != ""]
    assert len(schools[["school_id", "school_year"]].drop_duplicates()) == len(raw) == 9169
    race = schools[schools["dimension"] == "race_ethnicity"].pivot_table(
        index=["school_id", "school_year"], columns="group", values="numerator")
    expected = raw.set_index(["dbn", "ay"])[list(RACES)].rename(columns=RACES)
    expected.index.names = ["school_id", "school_year"]
    assert race.sort_index().equals(expected.sort_index()[race.columns].astype(float))


def test_district_rows_are_the_sum_of_their_schools(counts: pd.DataFrame,
                                                    raw: pd.DataFrame) -> None:
    district = counts[(counts["school_id"] == "") & (counts["dimension"] == "all")]
    expected = raw.groupby([raw["district"].astype(str), "ay"])["total_enrollment"].sum()
    got = district.set_index(["district_id", "school_year"])["numerator"]
    assert got.sort_index().equals(expected.sort_index().astype(float).rename("numerator")
                                   .rename_axis(["district_id", "school_year"]))


def test_top_coded_poverty_counts_are_suppressed(counts: pd.DataFrame, raw: pd.DataFrame) -> None:
    poverty = counts[(counts["school_id"] != "") & (counts["dimension"] == "econ_disadvantaged")]
    top_coded = int((raw["poverty_pct"] > 0.95).sum())
    assert top_coded > 0
    assert poverty["source_suppressed"].sum() == 2 * top_coded        # "true" and "false"
    swd = counts[(counts["school_id"] != "") & (counts["dimension"] == "disability")]
    assert swd.groupby(["school_id", "school_year"])["numerator"].sum().sum() == \
        raw["total_enrollment"].sum()


def test_districts(folder: Path, config) -> None:
    assert list_districts(folder, config) == [*(str(d) for d in range(1, 33)), "75", "79", "84"]
