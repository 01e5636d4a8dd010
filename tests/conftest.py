"""Shared fixtures: where the real public data lives, and skipping cleanly without it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = REPO.parent / "shared" / "real_data"


@pytest.fixture(scope="session")
def real_data() -> Path:
    """``../shared/real_data``; the test is skipped when the folder is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data not available at {REAL_DATA}")
    return REAL_DATA


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def sample_audit():
    """``sample_audit("D02")``: the computed audit of a sample district, once per session."""
    from equitykit.audit import DistrictAudit

    cache: dict = {}

    def get(district_id: str):
        if district_id not in cache:
            cache[district_id] = DistrictAudit.run(
                data_dir=REPO / "data_samples", district_id=district_id
            )
        return cache[district_id]

    return get


#: A school name from the data that must arrive escaped in every output.
HOSTILE_SCHOOL_NAME = '<script>alert("x")</script> Elementary'


@pytest.fixture(scope="session")
def audit_dir(tmp_path_factory) -> Path:
    """``equitykit audit`` run end to end on sample district D01, one school renamed to
    ``HOSTILE_SCHOOL_NAME``; the district's output folder."""
    from equitykit.cli import main
    from equitykit.samples import sample_data_dir

    source, district = sample_data_dir(), "D01"
    data = tmp_path_factory.mktemp("data")
    students = pd.read_parquet(source / "students.parquet")
    students[students["district_id"] == district].to_parquet(data / "students.parquet")
    schools = pd.read_csv(source / "schools.csv", dtype=str)
    target = schools.loc[schools["district_id"] == district, "school_id"].iloc[0]
    schools.loc[schools["school_id"] == target, "school_name"] = HOSTILE_SCHOOL_NAME
    schools.to_csv(data / "schools.csv", index=False)
    shutil.copy(source / "staff.csv", data / "staff.csv")
    shutil.copy(source / "survey.parquet", data / "survey.parquet")
    out = tmp_path_factory.mktemp("out")
    assert main(["audit", str(data), "--district", district, "--out", str(out)]) == 0
    return out / district
