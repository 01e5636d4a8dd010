"""examples/opensdp_texas.yml on the real OpenSDP synthetic Texas file, checked against pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from equitykit.cli import main
from equitykit.config import load_config
from equitykit.intake import derive_outcomes, load_district_data, to_counts

pytestmark = pytest.mark.real_data

RACE = {"W": "White", "H": "Hispanic/Latino", "B": "Black", "A": "Asian",
        "D": "Two or more races", "N": "Native Hawaiian/Pacific Islander"}


@pytest.fixture(scope="module")
def folder(real_data):
    return real_data / "opensdp_synth_texas"


@pytest.fixture(scope="module")
def config(repo_root):
    return load_config(repo_root / "examples" / "opensdp_texas.yml")


@pytest.fixture(scope="module")
def raw(folder) -> pd.DataFrame:
    """An independent read of the file with plain pandas."""
    return pd.read_csv(folder / "synth_texas.csv", dtype={"sid": str, "school_code": str})


def test_validate_exits_0(folder, repo_root, capsys):
    status = main(["validate", str(folder), "--config",
                   str(repo_root / "examples" / "opensdp_texas.yml")])
    out = capsys.readouterr().out
    assert status == 0, out
    assert ("1 district (opensdp_tx); school years 2002–2014; 5,000 students in 30,134 "
            "student-year rows. 0 errors") in out


def test_rows_and_groups_match_an_independent_read(folder, config, raw):
    students = load_district_data(folder, config=config).students
    assert len(students) == len(raw) == 30134
    assert students["student_id"].tolist() == raw["sid"].tolist()
    race = students["race_ethnicity"].value_counts()
    assert race[race > 0].to_dict() == raw["race_ethnicity"].map(RACE).value_counts().to_dict()
    assert race["American Indian/Alaska Native"] == 0  # merged into "A" by the generator
    sex = students["sex"].value_counts()
    assert sex[sex > 0].to_dict() == raw["male"].value_counts().to_dict()
    assert int(students["econ_disadvantaged"].sum()) == int((raw["eco_dis"] != 0).sum())
    assert int(students["english_learner"].sum()) == int(raw["lep"].sum())
    assert int(students["disability"].sum()) == int(raw["iep"].sum())
    assert students["grade"].astype(str).tolist() == raw["grade_level"].astype(str).tolist()
    pd.testing.assert_series_equal(students["math_score"], raw["math_ss"], check_names=False)


def test_counts_match_an_independent_read(folder, config, raw):
    counts = to_counts(derive_outcomes(load_district_data(folder, config=config).students,
                                       config))
    special_ed = counts[(counts.measure == "disability") & (counts.school_id != "")
                        & (counts.dimension == "race_ethnicity")]
    got = special_ed.set_index(["school_year", "school_id", "group"])[
        ["numerator", "denominator"]].sort_index()
    expected = (raw.assign(group=raw["race_ethnicity"].map(RACE))
                .groupby(["year", "school_code", "group"])["iep"].agg(["sum", "count"])
                .sort_index())
    assert got.index.tolist() == expected.index.tolist()
    assert got["numerator"].tolist() == expected["sum"].astype(float).tolist()
    assert got["denominator"].tolist() == expected["count"].astype(float).tolist()
