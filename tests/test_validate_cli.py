"""`equitykit validate DATA`: exit 1 with a readable problem for each kind of bad input."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from _intake_samples import (
    listing,
    schools_frame,
    staff_frame,
    students_frame,
    survey_frame,
    write_folder,
)

from equitykit.cli import main


def _students(edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    """A case whose students.csv is the clean sample changed by ``edit``."""
    return lambda folder: write_folder(folder, {"students": edit(students_frame())})


def _set(column: str, row: int, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Put ``value`` in ``column`` on spreadsheet line ``row``."""
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row - 2, column] = value
        return frame
    return edit


def _raw(name: str, data: bytes) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return write


def _with(extra: str, frame: pd.DataFrame) -> Callable[[Path], None]:
    return lambda folder: write_folder(folder, {"students": students_frame(), extra: frame})


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("students.csv", "student_id\n1\n")
    return buffer.getvalue()


def _ragged(folder: Path) -> None:
    write_folder(folder, {"students": students_frame()})
    path = folder / "students.csv"
    lines = path.read_text().splitlines()
    lines[5] += ",extra"
    path.write_text("\n".join(lines) + "\n")


def _duplicate(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[5, ["student_id", "district_id"]] = frame.loc[2, ["student_id", "district_id"]]
    return frame


def _two_files(folder: Path) -> None:
    write_folder(folder, {"students": students_frame()})
    write_folder(folder, {"students": students_frame()}, suffix=".parquet")


def _absent_over_enrolled(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[1, ["days_enrolled", "days_absent"]] = ["100", "120"]
    return frame


def _staff_bad(column: str, value: str) -> pd.DataFrame:
    staff = staff_frame()
    staff.loc[2, column] = value
    return staff


# (case id, how to write the folder, text that must appear in the output)
MALFORMED = [
    ("missing_column", _students(lambda f: f.rename(columns={"race_ethnicity": "Race"})),
     ["'race_ethnicity'", "required column", 'columns: {students: {"Race": race_ethnicity}}']),
    ("unknown_code", _students(_set("race_ethnicity", 3, "BL7")),
     ["'race_ethnicity'", "row 3", '"BL7" (1 row)', '{race_ethnicity: {"BL7": "Black"}}']),
    ("not_a_number", _students(_set("days_absent", 4, "ten")),
     ["'days_absent'", "row 4", 'not a number: "ten"']),
    ("not_a_bool", _students(_set("english_learner", 2, "maybe")),
     ["'english_learner'", "row 2", 'not true/false: "maybe"']),
    ("not_whole", _students(_set("math_level", 6, "2.5")),
     ["'math_level'", "row 6", 'not a whole number: "2.5"']),
    ("duplicate_student_year", _students(_duplicate),
     ["'student_id'", "rows 4, 7", "duplicate rows"]),
    ("empty_table", _raw("students.csv", b"student_id,school_year,district_id\n"),
     ["students.csv", "no data rows"]),
    ("png_as_csv", _raw("students.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
     ["students.csv", "PNG image"]),
    ("zip_as_csv", _raw("students.csv", _zip_bytes()), ["students.csv", "ZIP archive"]),
    ("no_students", lambda folder: write_folder(folder, {"staff": staff_frame()}),
     ["no students table", "students.csv, students.parquet or students.xlsx"]),
    ("grade_outside", _students(_set("grade", 6, "13")),
     ["'grade'", "row 6", "outside PK–12", '"13"']),
    ("absent_over_enrolled", _students(_absent_over_enrolled),
     ["'days_absent'", "row 3", "greater than days_enrolled"]),
    ("negative_iss", _students(_set("iss_days", 7, "-2")),
     ["'iss_days'", "row 7", "negative"]),
    ("level_zero", _students(_set("math_level", 2, "0")),
     ["'math_level'", "row 2", "below 1"]),
    ("implausible_year", _students(_set("school_year", 4, "23")),
     ["'school_year'", "row 4", 'plausible school year: "23"']),
    ("missing_student_id", _students(_set("student_id", 5, "")),
     ["'student_id'", "row 5", "missing value"]),
    ("ragged_csv", _ragged, ["students.csv", "not a well-formed CSV", "line 6"]),
    ("undecodable", _raw("students.csv", b"student_id\n\x81\x8d\xc3\n"),
     ["students.csv", "UTF-8 or Windows-1252"]),
    ("two_students_files", _two_files, ["two files for the 'students' table"]),
    ("corrupt_parquet", _raw("students.parquet", b"not parquet at all"),
     ["students.parquet", "not a readable Parquet file"]),
    ("corrupt_xlsx", _raw("students.xlsx", b"not a workbook"),
     ["students.xlsx", "not a readable Excel workbook"]),
    ("staff_bad_bool", _with("staff", _staff_bad("certified", "perhaps")),
     ["staff.csv", "'certified'", "row 4", '"perhaps"']),
    ("staff_negative_experience", _with("staff", _staff_bad("years_experience", "-3")),
     ["staff.csv", "'years_experience'", "row 4", "negative"]),
    ("schools_duplicate", _with("schools", pd.concat([schools_frame()] * 2)),
     ["schools.csv", "'school_id'", "rows 2, 3, 4, 5, 6 and 7 more", "duplicate rows"]),
    ("survey_response_text", _with("survey", survey_frame().replace({"response": {"2": "agree"}})),
     ["survey.csv", "'response'", "row 3", 'not a number: "agree"']),
    ("grade_no_guess", _students(_set("grade", 3, "UG")), ["'grade'", "row 3", '"UG"']),
]


@pytest.mark.parametrize(("write", "expected"), [c[1:] for c in MALFORMED],
                         ids=[c[0] for c in MALFORMED])
def test_malformed_input_exits_1_naming_column_and_rows(tmp_path, capsys, write, expected):
    folder = tmp_path / "data"
    write(folder)
    before = listing(folder)
    status = main(["validate", str(folder)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert status == 1, text
    for piece in expected:
        assert piece in text, f"{piece!r} not in:\n{text}"
    assert "Traceback" not in text
    assert "error" in text and "NOT usable" in text
    assert listing(folder) == before


def test_at_least_fifteen_distinct_malformed_cases():
    assert len({c[0] for c in MALFORMED}) >= 15


def test_clean_folder_exits_0_with_summary(tmp_path, capsys):
    folder = write_folder(tmp_path / "data", {
        "students": students_frame(), "staff": staff_frame(), "schools": schools_frame(),
        "survey": survey_frame()})
    before = listing(folder)
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Summary: 2 districts (d1, d2); school year 2023; 12 students in 12 student-year rows" \
        in out
    assert "0 errors, 0 warnings: usable." in out
    assert listing(folder) == before


def test_student_ids_never_printed(tmp_path, capsys):
    frame = students_frame()
    frame.loc[3, "race_ethnicity"] = "Q"
    frame.loc[4, "student_id"] = frame.loc[3, "student_id"]
    write_folder(tmp_path, {"students": frame})
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert not any(sid in out for sid in frame["student_id"])


@pytest.mark.parametrize(("edit", "expected"), [
    (_set("placement", 2, "separate"), "placement given for a student without a disability"),
    (_set("race_ethnicity", 2, ""), "1 row(s) have no value"),
])
def test_warnings_alone_exit_0(tmp_path, capsys, edit, expected):
    frame = edit(students_frame())
    frame.loc[0, "disability"] = "0"
    write_folder(tmp_path, {"students": frame})
    assert main(["validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert expected in out and "row 2" in out and "usable; read the warnings" in out


def test_invalid_config_is_reported_without_traceback(tmp_path, capsys):
    write_folder(tmp_path / "data", {"students": students_frame()})
    config = tmp_path / "client.yml"
    config.write_text('data:\n  codes:\n    race_ethnicity: {"B": Blak}\n')
    assert main(["validate", str(tmp_path / "data"), "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "data.codes.race_ethnicity.B: 'Blak' is not a valid value" in err
    assert "Traceback" not in err


def test_missing_folder_exits_1(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 1
    assert "data folder not found" in capsys.readouterr().out
