"""load_district_data: typed tables for one district or all, hashes, errors raised together."""

from __future__ import annotations

import hashlib

import pytest
from _intake_samples import (
    schools_frame,
    staff_frame,
    students_frame,
    survey_frame,
    write_folder,
)

from equitykit.errors import DataError
from equitykit.intake import load_district_data, validate_folder


def test_one_district_of_many(tmp_path):
    frame = students_frame()
    write_folder(tmp_path, {"students": frame, "staff": staff_frame(), "schools": schools_frame()})
    data = load_district_data(tmp_path, district_id="d2")
    expected = frame[frame["district_id"] == "d2"]["student_id"].tolist()
    assert data.students["student_id"].tolist() == expected
    assert data.staff is None  # the sample staff all work in d1
    assert set(data.schools["district_id"]) == {"d2"} and len(data.schools) == 3
    assert data.survey is None


def test_unknown_district_lists_those_present(tmp_path):
    write_folder(tmp_path, {"students": students_frame()})
    with pytest.raises(DataError, match="district 'd9' is not in the data; districts present: "
                                        "d1, d2"):
        load_district_data(tmp_path, district_id="d9")


def test_problems_in_another_district_do_not_block(tmp_path):
    frame = students_frame()
    frame.loc[10, "race_ethnicity"] = "Q"  # a d2 row
    write_folder(tmp_path, {"students": frame})
    assert len(load_district_data(tmp_path, district_id="d1").students) == 6
    with pytest.raises(DataError):
        load_district_data(tmp_path, district_id="d2")


def test_data_error_lists_every_error(tmp_path):
    frame = students_frame()
    frame.loc[0, "race_ethnicity"] = "Q"
    frame.loc[1, "days_absent"] = "lots"
    write_folder(tmp_path, {"students": frame})
    with pytest.raises(DataError) as info:
        load_district_data(tmp_path)
    assert [(p.column, tuple(p.rows)) for p in info.value.problems] == [
        ("race_ethnicity", (2,)), ("days_absent", (3,))]
    assert "students.csv, column 'race_ethnicity', row 2" in str(info.value)


def test_input_sha256_combines_every_file(tmp_path):
    write_folder(tmp_path, {"students": students_frame(), "survey": survey_frame()})
    data = load_district_data(tmp_path)
    files = {name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
             for name in ("students.csv", "survey.csv")}
    assert data.files == files
    combined = "".join(f"{name}\t{sha}\n" for name, sha in sorted(files.items()))
    assert data.input_sha256 == hashlib.sha256(combined.encode()).hexdigest()
    write_folder(tmp_path, {"survey": survey_frame().assign(response="5")})
    assert load_district_data(tmp_path).input_sha256 != data.input_sha256


def test_report_counts(tmp_path):
    frame = students_frame()
    frame.loc[3, ["student_id", "school_year"]] = [frame.loc[2, "student_id"], "2022"]
    write_folder(tmp_path, {"students": frame, "staff": staff_frame()})
    report = validate_folder(tmp_path)
    assert report.ok
    assert report.rows == {"students": 12, "staff": 4}
    assert report.districts == ("d1", "d2") and report.years == (2022, 2023)
    assert report.students == 11


def test_students_at_unlisted_school_warned(tmp_path):
    frame = students_frame()
    frame.loc[4, "school_id"] = "s9"
    write_folder(tmp_path, {"students": frame, "schools": schools_frame()})
    report = validate_folder(tmp_path)
    assert report.ok
    [warning] = report.warnings
    assert (warning.column, tuple(warning.rows)) == ("school_id", (6,))
    assert "not found in the schools table schools.csv" in warning.message


def test_warnings_travel_with_the_data(tmp_path):
    frame = students_frame()
    frame.loc[0, "sex"] = ""
    write_folder(tmp_path, {"students": frame})
    [warning] = load_district_data(tmp_path).warnings
    assert warning.column == "sex" and warning.severity == "warning"
