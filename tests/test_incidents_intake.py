"""The incidents table: offense codes mapped by the config, dates, actions, students joined;
every problem names file, column and spreadsheet rows."""

from __future__ import annotations

import pandas as pd
import pytest
from _intake_samples import students_frame, write_folder

from equitykit.config import AuditConfig
from equitykit.errors import DataError
from equitykit.intake import incident_outcomes, load_district_data, validate_folder

OFFENSES = {"discipline": {"offenses": {
    "DEF": {"category": "defiance", "subjective": True},
    "101": {"category": "fighting", "subjective": False},
}}}


def _incidents(**changes) -> pd.DataFrame:
    frame = pd.DataFrame({
        "student_id": ["000000", "000000", "000001"],
        "school_year": "2023",
        "district_id": "d1",
        "school_id": "s1",
        "incident_date": ["2023-10-02", "10/5/2023", "2024-03-01"],
        "offense_code": ["DEF", "101", "DEF"],
        "location": "classroom",
        "action": ["oss", "restorative_conference", "OSS"],
        "days": ["3", "", "2"],
    })
    for column, (row, value) in changes.items():
        frame.loc[row, column] = value
    return frame


def _problems(folder, config=None):
    report = validate_folder(folder, config=AuditConfig.model_validate(config or OFFENSES))
    return {(p.file, p.column, p.rows): p for p in report.errors}


def test_codes_mapped_by_the_config(tmp_path):
    write_folder(tmp_path, {"students": students_frame(), "incidents": _incidents()})
    data = load_district_data(tmp_path, config=AuditConfig.model_validate(OFFENSES),
                              district_id="d1")
    incidents = data.incidents
    assert incidents["offense_category"].tolist() == ["defiance", "fighting", "defiance"]
    assert incidents["subjective"].tolist() == [True, False, True]
    assert incidents["action"].tolist() == ["oss", "restorative_conference", "oss"]
    assert incidents["incident_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-10-02", "2023-10-05", "2024-03-01"]


def test_the_files_own_category_columns_win(tmp_path):
    own = _incidents().assign(offense_category=["disruption", "", ""],
                              subjective=["false", "", ""])
    write_folder(tmp_path, {"students": students_frame(), "incidents": own})
    data = load_district_data(tmp_path, config=AuditConfig.model_validate(OFFENSES))
    assert data.incidents["offense_category"].tolist() == ["disruption", "fighting", "defiance"]
    assert data.incidents["subjective"].tolist() == [False, False, True]


def test_unmapped_code_names_file_column_rows_and_suggests_the_config(tmp_path):
    write_folder(tmp_path, {"students": students_frame(),
                            "incidents": _incidents(offense_code=(2, "ZZ9"))})
    problem = _problems(tmp_path)[("incidents.csv", "offense_code", (4,))]
    assert '"ZZ9" (1 row)' in problem.message
    assert problem.hint == 'discipline: {offenses: {"ZZ9": {category: ?, subjective: ?}}}'


def test_without_a_config_every_code_is_unmapped(tmp_path):
    write_folder(tmp_path, {"students": students_frame(), "incidents": _incidents()})
    report = validate_folder(tmp_path)
    assert not report.ok
    assert [(p.column, p.rows) for p in report.errors] == [("offense_code", (2, 3, 4))]


@pytest.mark.parametrize(("column", "value", "words"), [
    ("action", "detention", 'unknown code(s): "detention"'),
    ("incident_date", "2023-13-02", 'not a date: "2023-13-02"'),
    ("days", "-1", "negative value"),
    ("student_id", "999999", "no student with this student_id in the students table "
                             "students.csv in the incident's school year"),
    ("student_id", "", "missing value in a required column"),
])
def test_bad_values_name_file_column_and_row(tmp_path, column, value, words):
    write_folder(tmp_path, {"students": students_frame(),
                            "incidents": _incidents(**{column: (1, value)})})
    problem = _problems(tmp_path)[("incidents.csv", column, (3,))]
    assert words in problem.message


def test_action_codes_map_like_any_column(tmp_path):
    config = {**OFFENSES, "data": {"codes": {"action": {"RJ": "restorative_conference"}}}}
    write_folder(tmp_path, {"students": students_frame(),
                            "incidents": _incidents(action=(0, "RJ"))})
    data = load_district_data(tmp_path, config=AuditConfig.model_validate(config))
    assert data.incidents["action"].iloc[0] == "restorative_conference"


def test_load_refuses_bad_incidents(tmp_path):
    write_folder(tmp_path, {"students": students_frame(),
                            "incidents": _incidents(action=(0, "detention"))})
    with pytest.raises(DataError, match=r"incidents\.csv, column 'action', row 2"):
        load_district_data(tmp_path, config=AuditConfig.model_validate(OFFENSES))


def test_incident_outcomes_by_hand():
    students = pd.DataFrame({"district_id": "d", "student_id": ["a", "b", "c", "d"],
                             "school_year": 2023})
    incidents = pd.DataFrame({
        "district_id": "d", "school_year": 2023,
        "student_id": ["a", "a", "a", "b", "c"],
        "action": ["oss", "oss", "restorative_conference", "iss", "other"],
        "subjective": [True, False, False, False, False],
        "days": [3.0, 2.0, None, 1.0, None],
    })
    out = incident_outcomes(students, incidents)

    def col(name):
        return out[name].astype(object).where(out[name].notna(), None).tolist()

    assert col("referred") == [True, True, True, False]
    assert col("subjective_referral") == [True, False, False, None]
    assert col("exclusionary_given_referral") == [True, True, False, None]
    assert col("restorative_given_referral") == [True, False, False, None]
    assert col("oss_count") == [2.0, 0.0, 0.0, 0.0]
    assert col("oss_days") == [5.0, 0.0, 0.0, 0.0]
    assert col("expelled") == [False, False, False, False]


def test_the_students_table_wins_over_incidents():
    students = pd.DataFrame({"district_id": "d", "student_id": ["a"], "school_year": 2023,
                             "oss_days": [7.0]})
    incidents = pd.DataFrame({"district_id": "d", "school_year": 2023, "student_id": ["a"],
                              "action": ["oss"], "subjective": [True], "days": [3.0]})
    assert incident_outcomes(students, incidents)["oss_days"].tolist() == [7.0]
