"""``data.derive``: canonical columns computed from a district's own columns by safe expressions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _intake_samples import students_frame, write_folder

from equitykit.config import AuditConfig, DataMapping, load_config
from equitykit.errors import ConfigError
from equitykit.intake import load_district_data, validate_folder


def _config(**derive: str) -> AuditConfig:
    return AuditConfig(data=DataMapping(derive={"students": derive}))


def _export(n: int = 6) -> pd.DataFrame:
    """An export with race as yes/no flags, a graduation year and no student ids."""
    frame = students_frame(n).drop(columns=["race_ethnicity", "school_year", "student_id"])
    frame["hisp"] = ["Y", "N", "N", "Y", "N", "N"][:n]
    frame["black"] = ["N", "Y", "N", "N", "N", "Y"][:n]
    frame["grad_year"] = ["2024"] * n
    frame["score"] = ["10", "20", "30", "40", "50", ""][:n]
    return frame


def test_flags_years_ids_and_cut_offs_become_canonical_columns(tmp_path: Path) -> None:
    write_folder(tmp_path, {"students": _export()})
    config = _config(
        race_ethnicity='where(hisp == "Y", "Hispanic/Latino", where(black == "Y", "Black", '
                       '"White"))',
        school_year="grad_year - 1",
        student_id="row_number()",
        gifted="score >= quantile(score, 0.5)",
    )
    report = validate_folder(tmp_path, config=config)
    assert report.ok, report.format()
    students = load_district_data(tmp_path, config=config).students
    assert students["race_ethnicity"].tolist() == [
        "Hispanic/Latino", "Black", "White", "Hispanic/Latino", "White", "Black"]
    assert students["school_year"].tolist() == [2023] * 6
    assert students["student_id"].tolist() == ["1", "2", "3", "4", "5", "6"]
    # median of 10..50 is 30; a blank score stays missing
    gifted = students["gifted"]
    assert gifted[:5].tolist() == [False, False, True, True, True] and pd.isna(gifted[5])
    assert not any("hisp" in str(p) for p in report.warnings)  # read by derive: not "unused"


def test_derived_values_go_through_codes(tmp_path: Path) -> None:
    write_folder(tmp_path, {"students": _export().assign(student_id=[f"s{i}" for i in range(6)],
                                                         school_year="2023")})
    config = AuditConfig(data=DataMapping(
        derive={"students": {"race_ethnicity": 'where(hisp == "Y", "H", "W")'}},
        codes={"race_ethnicity": {"H": "Hispanic/Latino", "W": "White"}}))
    students = load_district_data(tmp_path, config=config).students
    assert students["race_ethnicity"].tolist()[:2] == ["Hispanic/Latino", "White"]


@pytest.mark.parametrize(("derive", "phrase"), [
    ({"race_ethnicity": "hispanic == 'Y'"},
     "reads column 'hispanic', which the file does not have"),
    ({"school_year": "hisp - 1"}, "hisp is text, not a number"),
    ({"school_year": "grad_year == 'Y'"}, "compares grad_year (a number) with 'Y' (text)"),
])
def test_mistakes_name_the_key_and_column(tmp_path: Path, derive: dict, phrase: str) -> None:
    write_folder(tmp_path, {"students": _export()})
    with pytest.raises(ConfigError, match=r"data\.derive\.students") as info:
        validate_folder(tmp_path, config=_config(**derive))
    assert phrase in str(info.value)


@pytest.mark.parametrize(("text", "phrase"), [
    ("students:\n    race_ethnicity: hisp.__class__", "attribute access"),
    ("students:\n    race_ethnicity: open('x')", "calls 'open'"),
    ("students:\n    race: hisp", "data.derive.students.race: 'race' is not a column"),
    ("pupils:\n    race_ethnicity: hisp", "data.derive.pupils: unknown table"),
])
def test_unsafe_or_unknown_derive_is_a_config_error(tmp_path: Path, text: str,
                                                     phrase: str) -> None:
    write_folder(tmp_path, {"students": _export()})
    path = tmp_path / "config.yml"
    path.write_text("data:\n  derive:\n    " + text.replace("\n", "\n    ") + "\n")
    with pytest.raises(ConfigError, match="derive") as info:
        validate_folder(tmp_path, config=load_config(path))
    assert phrase in str(info.value)
