"""The config's data mapping: column names, codes, constants; and the suggested mapping lines."""

from __future__ import annotations

import pandas as pd
import pytest
from _intake_samples import students_frame, write_folder

from equitykit.config import AuditConfig, DataMapping
from equitykit.errors import ConfigError
from equitykit.intake import load_district_data, validate_folder

DISTRICT_EXPORT = {
    "SID": "student_id", "Year": "school_year", "Campus": "school_id", "Gr": "grade",
    "Ethnicity": "race_ethnicity", "Gender": "sex", "FRL": "econ_disadvantaged",
}


def _config(**data) -> AuditConfig:
    return AuditConfig(data=DataMapping(**data))


def _export() -> pd.DataFrame:
    """A district export: its own column names and codes, no district_id column."""
    frame = students_frame(8).drop(columns="district_id")
    frame = frame.rename(columns={v: k for k, v in DISTRICT_EXPORT.items()})
    frame["Ethnicity"] = ["B", "BL7", "Black, not of Hispanic origin", "W", "w", "Hispanic/Latino",
                          "Asian", "Two or more races"]
    frame["FRL"] = ["2", "9", "1", "9", "2", "true", "N", "9"]
    frame["Gender"] = ["F", "m", "X", "F", "M", "F", "M", "F"]
    return frame


EXPORT_CONFIG = {
    "columns": {"students": DISTRICT_EXPORT},
    "codes": {
        "race_ethnicity": {"B": "Black", "BL7": "Black", "Black, not of Hispanic origin": "Black",
                           "W": "White"},
        "econ_disadvantaged": {"2": True, "9": False},
    },
    "constants": {"students": {"district_id": "d7"}},
}


def test_district_export_maps_onto_canonical_tables(tmp_path):
    write_folder(tmp_path, {"students": _export()})
    students = load_district_data(tmp_path, config=_config(**EXPORT_CONFIG)).students
    assert students["race_ethnicity"].tolist() == [
        "Black", "Black", "Black", "White", "White", "Hispanic/Latino", "Asian",
        "Two or more races"]
    # "1" and "true" are canonical true, "N" canonical false; the config recodes "2" and "9".
    assert students["econ_disadvantaged"].tolist() == [True, False, True, False, True, True,
                                                       False, False]
    assert students["sex"].tolist() == ["F", "M", "X", "F", "M", "F", "M", "F"]
    assert set(students["district_id"]) == {"d7"}


def test_canonical_dtypes(tmp_path):
    write_folder(tmp_path, {"students": students_frame()})
    students = load_district_data(tmp_path).students
    dtypes = {c: str(t) for c, t in students.dtypes.items()}
    assert dtypes["student_id"] == dtypes["school_id"] == "string"
    assert dtypes["race_ethnicity"] == dtypes["sex"] == dtypes["grade"] == "category"
    assert dtypes["econ_disadvantaged"] == dtypes["disability"] == "boolean"
    assert dtypes["school_year"] == dtypes["days_enrolled"] == dtypes["math_level"] == "Int64"
    assert dtypes["iss_days"] == "float64"
    assert list(students["grade"].cat.categories) == ["PK", "K", *map(str, range(1, 13))]
    assert students["grade"].cat.ordered


def test_code_lookup_falls_back_to_case_insensitive_when_unambiguous(tmp_path):
    frame = students_frame(4)
    frame["race_ethnicity"] = ["afam", "AFAM", "x", "X"]
    write_folder(tmp_path, {"students": frame})
    codes = {"race_ethnicity": {"AfAm": "Black", "x": "White", "X": "Asian"}}
    report = validate_folder(tmp_path, config=_config(codes=codes))
    students = load_district_data(tmp_path, config=_config(codes=codes)).students
    assert report.ok
    assert students["race_ethnicity"].tolist() == ["Black", "Black", "White", "Asian"]


def test_ambiguous_case_insensitive_code_is_not_guessed(tmp_path):
    frame = students_frame(3)
    frame["race_ethnicity"] = ["Wh", "wH", "WH "]
    write_folder(tmp_path, {"students": frame})
    codes = {"race_ethnicity": {"Wh": "White", "wH": "Asian"}}
    [error] = validate_folder(tmp_path, config=_config(codes=codes)).errors
    assert (error.message, tuple(error.rows)) == ('unknown code(s): "WH" (1 row)', (4,))


def test_code_mapped_to_null_is_missing_not_an_error(tmp_path):
    frame = students_frame(3)
    frame["race_ethnicity"] = ["U", "White", "U"]
    write_folder(tmp_path, {"students": frame})
    report = validate_folder(tmp_path, config=_config(codes={"race_ethnicity": {"U": None}}))
    assert report.ok
    [warning] = report.warnings
    assert (warning.column, tuple(warning.rows)) == ("race_ethnicity", (2, 4))


@pytest.mark.parametrize(("raw", "grade"), [
    ("01", "1"), ("1.0", "1"), ("12", "12"), ("k", "K"), ("pk", "PK"), ("009", "9")])
def test_grade_spellings_normalised(tmp_path, raw, grade):
    frame = students_frame(1).assign(grade=raw)
    write_folder(tmp_path, {"students": frame})
    assert load_district_data(tmp_path).students["grade"].tolist() == [grade]


def test_kindergarten_code_needs_the_config(tmp_path):
    write_folder(tmp_path, {"students": students_frame(2).assign(grade="KG")})
    [error] = validate_folder(tmp_path).errors
    assert error.hint == 'codes: {grade: {"KG": "K"}}'
    config = _config(codes={"grade": {"KG": "K"}})
    assert load_district_data(tmp_path, config=config).students["grade"].tolist() == ["K", "K"]


def test_school_year_ranges_read_as_fall_year(tmp_path):
    frame = students_frame(3).assign(school_year=["2023-24", "2023/2024", "2023"])
    write_folder(tmp_path, {"students": frame.assign(student_id=["a", "b", "c"])})
    assert load_district_data(tmp_path).students["school_year"].tolist() == [2023] * 3


@pytest.mark.parametrize(("code", "label"), [
    ("African American", "Black"), ("Hispanic", "Hispanic/Latino"),
    ("Multiracial", "Two or more races"), ("Pacific Islander", "Native Hawaiian/Pacific Islander"),
    ("American Indian", "American Indian/Alaska Native"), ("Caucasian", "White"),
    ("BL7", "Black"), ("B", "Black"), ("Whte", "White"), ("Two or More", "Two or more races"),
])
def test_unknown_code_suggests_the_closest_label(tmp_path, code, label):
    write_folder(tmp_path, {"students": students_frame(3).assign(race_ethnicity=code)})
    [error] = validate_folder(tmp_path).errors
    assert error.column == "race_ethnicity" and error.count == 3
    assert tuple(error.rows) == (2, 3, 4)
    assert error.hint == f'codes: {{race_ethnicity: {{"{code}": "{label}"}}}}'


def test_unknown_codes_listed_with_counts_most_frequent_first(tmp_path):
    frame = students_frame(6).assign(race_ethnicity=["A", "Q", "Q", "Q", "White", "A"])
    write_folder(tmp_path, {"students": frame})
    [error] = validate_folder(tmp_path).errors
    assert error.message == 'unknown code(s): "Q" (3 rows), "A" (2 rows)'
    assert tuple(error.rows) == (2, 3, 4, 5, 7) and error.count == 5
    assert error.hint is None  # "A" is Asian or American Indian; "Q" is nothing: no guess


def test_missing_district_id_suggests_a_constant(tmp_path):
    write_folder(tmp_path, {"students": students_frame().drop(columns="district_id")})
    [error] = validate_folder(tmp_path).errors
    assert error.hint == 'constants: {students: {district_id: "your-district"}}'


def test_headers_matched_case_insensitively(tmp_path):
    frame = students_frame().rename(columns=str.upper)
    write_folder(tmp_path, {"students": frame})
    assert validate_folder(tmp_path).ok


def test_mapped_column_absent_and_unused_columns_warned(tmp_path):
    write_folder(tmp_path, {"students": students_frame().assign(notes="x")})
    config = _config(columns={"students": {"LEP": "english_learner"}})
    report = validate_folder(tmp_path, config=config)
    assert report.ok
    assert sorted(p.message for p in report.warnings) == [
        "columns not used by equitykit: notes",
        "the config maps column 'LEP' to 'english_learner', but the file has no such column",
    ]


@pytest.mark.parametrize(("data", "message"), [
    ({"codes": {"race_ethnicity": {"B": "Blak"}}},
     "data.codes.race_ethnicity.B: 'Blak' is not a valid value"),
    ({"codes": {"race": {"B": "Black"}}}, "data.codes.race: not a canonical column"),
    ({"codes": {"econ_disadvantaged": {"2": "maybe"}}},
     "data.codes.econ_disadvantaged.2: 'maybe' is not a valid value (true or false)"),
    ({"columns": {"students": {"SID": "student_idd"}}},
     "'student_idd' is not a column of students; did you mean 'student_id'?"),
    ({"columns": {"pupils": {"SID": "student_id"}}}, "data.columns.pupils: unknown table"),
    ({"files": {"teachers": "t.csv"}}, "data.files.teachers: unknown table"),
    ({"constants": {"students": {"school_year": "last year"}}},
     "data.constants.students.school_year: 'last year' is not a valid value (a whole number)"),
    ({"columns": {"students": {"SID": "student_id", "ID": "student_id"}}},
     "['SID', 'ID'] all map to 'student_id'"),
])
def test_invalid_mapping_is_a_config_error(tmp_path, data, message):
    write_folder(tmp_path, {"students": students_frame()})
    with pytest.raises(ConfigError, match=None) as info:
        validate_folder(tmp_path, config=_config(**data))
    assert message in str(info.value)
