"""Albemarle County (VDOE exports) read with examples/albemarle.yml, checked against VDOE."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitykit.config import load_config
from equitykit.public_data import (
    check_published_figures,
    list_districts,
    load_aggregate,
    published_comparison,
)

RACE_FILE = "ACPS_Graduation_Rates_race_0824.csv"


@pytest.fixture(scope="module")
def folder(real_data: Path) -> Path:
    return real_data / "virginia_albemarle"


@pytest.fixture(scope="module")
def config(repo_root: Path):
    return load_config(repo_root / "examples" / "albemarle.yml")


@pytest.fixture(scope="module")
def counts(folder: Path, config) -> pd.DataFrame:
    return load_aggregate(folder, config)


@pytest.fixture(scope="module")
def comparison(folder: Path, config) -> pd.DataFrame:
    return published_comparison(folder, config)


def _plain_number(column: pd.Series) -> pd.Series:
    """Independent parse of VDOE's padded numbers: strip, drop ',' and '%', '<' → NaN."""
    text = column.str.strip().str.replace(",", "").str.rstrip("%")
    return pd.to_numeric(text.where(text != "<"))


def test_division_graduation_rates_by_race_reproduce_vdoe(folder: Path,
                                                          comparison: pd.DataFrame) -> None:
    raw = pd.read_csv(folder / RACE_FILE, dtype=str, keep_default_na=False)
    division = raw[(raw["Level"] == "Division") & (raw["Graduation Rate"].str.strip() != "<")]
    checked = comparison[(comparison["file"] == RACE_FILE) & (comparison["school_id"] == "")]
    # Every unsuppressed division row, every cohort (2008-2024 → fall years 2007-2023).
    assert len(checked) == len(division) > 0
    assert sorted(checked["school_year"].unique()) == list(range(2007, 2024))
    ours = 100 * checked["numerator"] / checked["denominator"]
    theirs = _plain_number(raw.loc[checked["line"] - 2, "Graduation Rate"]).to_numpy()
    assert np.abs(ours.to_numpy() - theirs).max() <= 0.06
    # Numerator and denominator are the file's own counts (independent parse).
    assert checked["numerator"].tolist() == _plain_number(division["Total Graduates"]).tolist()
    assert checked["denominator"].tolist() == \
        _plain_number(division["Students in Cohort"]).tolist()


def test_every_published_rate_reproduced_within_its_rounding(folder: Path, config,
                                                              comparison: pd.DataFrame) -> None:
    # Graduation rates print 2 decimals, AP and dual-enrollment percentages too: |diff| <= 0.005.
    assert len(comparison) == 1102 and comparison["agrees"].all()
    assert comparison["difference"].abs().max() <= 0.005 + 1e-9
    assert check_published_figures(folder, config).empty


def test_suppressed_cells_stay_missing(folder: Path, counts: pd.DataFrame) -> None:
    # Monticello High (1052), Asian, cohort 2008: every cell is "<".
    row = counts[(counts["measure"] == "graduated_4yr") & (counts["school_id"] == "1052")
                 & (counts["school_year"] == 2007) & (counts["group"] == "Asian")]
    assert len(row) == 1 and row["source_suppressed"].item()
    assert row[["numerator", "denominator"]].isna().all(axis=None)
    raw = pd.read_csv(folder / RACE_FILE, dtype=str, keep_default_na=False)
    kept = raw[raw["Level"] != "State"]
    race = counts[(counts["measure"] == "graduated_4yr")
                  & (counts["dimension"] == "race_ethnicity")]
    assert race["numerator"].isna().sum() == (kept["Total Graduates"].str.strip() == "<").sum()
    assert race["source_suppressed"].sum() == 104


def test_groups_add_up_to_the_division_total(counts: pd.DataFrame) -> None:
    grad = counts[(counts["measure"] == "graduated_4yr") & (counts["school_id"] == "")]
    total = grad[grad["dimension"] == "all"].set_index("school_year")["denominator"]
    for dimension in ("disability", "econ_disadvantaged"):
        parts = grad[grad["dimension"] == dimension].groupby("school_year")["denominator"].sum()
        assert parts.equals(total.loc[parts.index]), dimension


def test_special_education_and_advanced_coursework_counts(counts: pd.DataFrame) -> None:
    def one(measure: str, year: int, group: str) -> tuple[float, float]:
        row = counts[(counts["measure"] == measure) & (counts["school_id"] == "")
                     & (counts["school_year"] == year) & (counts["group"] == group)]
        return tuple(row[["numerator", "denominator"]].iloc[0])

    # sped_services_by_race.csv, 2019-2020, "Black, not of Hispanic origin": 374 of "1,586".
    assert one("disability", 2019, "Black") == (374.0, 1586.0)
    # AP and dual enrollment 2019-20, Black: 67 and 67 of 338 grade 10-12 students.
    assert one("advanced_course", 2019, "Black") == (67.0, 338.0)
    assert one("dual_enrollment", 2019, "Black") == (67.0, 338.0)
    # NHPI is split over two spellings in 2021-22: enrollment 2 in one row, 0 AP in the other.
    assert one("advanced_course", 2021, "Native Hawaiian/Pacific Islander") == (0.0, 2.0)


def test_chronic_absence_denominators_match_the_published_percent(folder: Path,
                                                                  counts: pd.DataFrame) -> None:
    raw = pd.read_csv(folder / "total_absenteeism.csv")
    chronic = counts[counts["measure"] == "chronic_absent"]
    assert len(chronic) == len(raw) == 81
    rates = 100 * chronic["numerator"] / chronic["denominator"]
    # Rebuilt from a percentage printed to 1 decimal: it rounds back to the printed value.
    assert sorted(np.round(rates, 1)) == sorted(raw["percent"])
    assert chronic["numerator"].sum() == raw["count"].sum()


def test_one_district(folder: Path, config) -> None:
    assert list_districts(folder, config) == ["2"]
