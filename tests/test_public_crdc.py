"""CRDC 2017-18 discipline (examples/crdc_montessori.yml) against the study authors' own rates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitykit.config import load_config
from equitykit.public_data import check_published_figures, list_districts, load_aggregate

FILE = "DiscAnalysisDatNBmlm.csv"
#: The authors' rates are doubles written with 15 significant digits.
TOLERANCE = 1e-12


@pytest.fixture(scope="module")
def folder(real_data: Path) -> Path:
    return real_data / "crdc_title1_montessori"


@pytest.fixture(scope="module")
def config(repo_root: Path):
    return load_config(repo_root / "examples" / "crdc_montessori.yml")


@pytest.fixture(scope="module")
def counts(folder: Path, config) -> pd.DataFrame:
    return load_aggregate(folder, config)


@pytest.fixture(scope="module")
def raw(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / FILE)
    frame["district_id"] = frame["State"] + "-" + frame["District"]
    frame["school_id"] = frame["SCHID"].astype("Int64").astype("string").fillna(
        frame["schoolname"])
    return frame


@pytest.mark.parametrize(("race", "group"), [("Black", "Black"), ("White", "White"),
                                             ("Hispanic", "Hispanic/Latino")])
def test_authors_oss_rates_reproduced(counts: pd.DataFrame, raw: pd.DataFrame, race: str,
                                      group: str) -> None:
    # The authors' `<race>_OSS_rate` = (only one + more than one OSS) / `<Race>_num`.
    oss = counts[(counts["measure"] == "oss") & (counts["group"] == group)]
    merged = raw.merge(oss, on=["district_id", "school_id"], validate="one_to_one")
    ours = merged["numerator"] / merged["denominator"]
    theirs = merged[f"{race.lower()}_OSS_rate"]
    compared = theirs.notna()
    assert len(merged) == 250 and compared.sum() == {"Black": 240, "White": 250,
                                                     "Hispanic": 248}[race]
    assert np.abs(ours[compared] - theirs[compared]).max() <= TOLERANCE
    # Where the authors have no rate, the school has no such students (0 / 0).
    assert (merged.loc[~compared, "denominator"] == 0).all()


def test_all_published_rates_agree(folder: Path, config) -> None:
    assert check_published_figures(folder, config).empty


def test_counts_are_the_file_counts(counts: pd.DataFrame, raw: pd.DataFrame) -> None:
    black = counts[counts["group"] == "Black"].set_index(["district_id", "school_id", "measure"])
    first = raw.iloc[0]                          # academy360, Denver: ISS 6 of 70 Black students
    key = (first["district_id"], first["school_id"])
    assert black.loc[(*key, "iss"), ["numerator", "denominator"]].tolist() == [6.0, 70.0]
    assert black.loc[(*key, "oss"), "numerator"] == first["only.one.out.of.school_Black"] + \
        first["more.than.one.out.of.school_Black"]


def test_not_reported_counts_stay_missing(counts: pd.DataFrame, raw: pd.DataFrame) -> None:
    disability = counts[counts["dimension"] == "disability"]
    missing = disability[disability["measure"] == "oss"]["numerator"].isna().sum()
    assert missing == raw["only.one.out.of.school_tot_dis"].isna().sum() == 125
    assert disability[disability["measure"] == "oss"]["source_suppressed"].sum() == 125
    # Students with disabilities: No.students x percIdea / 100, rounded (as the authors did).
    expected = np.floor(raw["No.students"] * raw["percIdea"] / 100 + 0.5)
    assert sorted(disability[disability["measure"] == "iss"]["denominator"]) == sorted(expected)


def test_schools_and_districts(folder: Path, config, counts: pd.DataFrame) -> None:
    schools = counts[["district_id", "school_id"]].drop_duplicates()
    assert len(schools) == 250 and (schools["school_id"] != "").all()
    assert {"canyonviewprepacademy", "urbanmontessoricharter"} <= set(schools["school_id"])
    assert len(list_districts(folder, config)) == 124
    assert set(counts["measure"]) == {"iss", "oss", "expelled", "referred_law_enforcement",
                                      "arrested"}
