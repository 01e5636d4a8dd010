"""Reading a data folder: formats, encodings, file names, unknown files (CONTRACT §1)."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from _intake_samples import listing, students_frame, write_folder

from equitykit.config import AuditConfig, DataMapping
from equitykit.intake import load_district_data, validate_folder


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_every_format_gives_the_same_canonical_table(tmp_path, suffix):
    frame = students_frame()
    reference = load_district_data(write_folder(tmp_path / "csv", {"students": frame})).students
    folder = write_folder(tmp_path / "other", {"students": frame}, suffix=suffix)
    loaded = load_district_data(folder)
    pd.testing.assert_frame_equal(loaded.students, reference)
    assert loaded.students["student_id"].tolist() == frame["student_id"].tolist()  # zeros kept
    assert loaded.files == {
        f"students{suffix}": hashlib.sha256((folder / f"students{suffix}").read_bytes()).hexdigest()
    }


def test_typed_parquet_columns_are_accepted(tmp_path):
    frame = students_frame()
    typed = frame.assign(
        school_year=2023, days_enrolled=frame["days_enrolled"].astype(int),
        iss_days=frame["iss_days"].astype(float), disability=frame["disability"] == "1",
        math_level=frame["math_level"].astype("int32"),
    )
    write_folder(tmp_path / "a", {"students": frame})
    write_folder(tmp_path / "b", {"students": typed}, suffix=".parquet")
    pd.testing.assert_frame_equal(load_district_data(tmp_path / "b").students,
                                  load_district_data(tmp_path / "a").students)


@pytest.mark.parametrize(("encoding", "warned"), [
    ("utf-8", False), ("utf-8-sig", False), ("cp1252", True)])
def test_text_encodings(tmp_path, encoding, warned):
    frame = students_frame()
    frame["school_id"] = "Peña Elementary"
    (tmp_path / "students.csv").write_bytes(frame.to_csv(index=False).encode(encoding))
    report = validate_folder(tmp_path)
    assert report.ok
    assert report.encodings == {"students.csv": encoding}
    assert any("cp1252" in p.message for p in report.warnings) is warned
    students = load_district_data(tmp_path).students
    assert set(students["school_id"]) == {"Peña Elementary"}
    assert "student_id" in students.columns  # no BOM left on the first header


def test_semicolon_separated_csv(tmp_path):
    (tmp_path / "students.csv").write_text(students_frame().to_csv(index=False, sep=";"))
    assert len(load_district_data(tmp_path).students) == 12


def test_blank_lines_keep_spreadsheet_line_numbers(tmp_path):
    lines = students_frame().to_csv(index=False).splitlines()
    lines[4] = lines[4].replace(",d1,", ",,")  # line 5 loses its district
    lines.insert(3, "")  # a blank line 4 pushes it to line 6
    (tmp_path / "students.csv").write_text("\n".join(lines) + "\n")
    [problem] = validate_folder(tmp_path).errors
    assert (problem.column, tuple(problem.rows)) == ("district_id", (6,))


def test_na_markers_and_spaces(tmp_path):
    frame = students_frame()
    frame.loc[0, "days_absent"] = "NA"
    frame.loc[1, "days_absent"] = "  "
    frame.loc[2, "race_ethnicity"] = "  White "
    write_folder(tmp_path, {"students": frame})
    students = load_district_data(tmp_path).students
    assert students["days_absent"].isna().tolist()[:3] == [True, True, False]
    assert students.loc[2, "race_ethnicity"] == "White"


def test_unknown_files_are_ignored_with_a_warning(tmp_path):
    write_folder(tmp_path, {"students": students_frame()})
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "budget.csv").write_text("a,b\n1,2\n")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / ".DS_Store").write_bytes(b"\x00")
    (tmp_path / "~$students.xlsx").write_bytes(b"lock")
    (tmp_path / "README.md").write_text("# about this export")
    report = validate_folder(tmp_path)
    assert report.ok
    assert sorted(p.file for p in report.warnings) == ["budget.csv", "notes.txt", "old.xls"]


def test_config_maps_a_file_name(tmp_path):
    write_folder(tmp_path, {"Export 2024": students_frame()}, suffix=".xlsx")
    config = AuditConfig(data=DataMapping(files={"students": "Export 2024.xlsx"}))
    report = validate_folder(tmp_path, config=config)
    assert report.ok and report.files == {"students": "Export 2024.xlsx"}
    assert report.rows == {"students": 12}


def test_mapped_file_supersedes_default_name(tmp_path):
    write_folder(tmp_path, {"students": students_frame(4), "export": students_frame(6)})
    config = AuditConfig(data=DataMapping(files={"students": "export.csv"}))
    report = validate_folder(tmp_path, config=config)
    assert report.rows == {"students": 6}
    assert [p.file for p in report.warnings] == ["students.csv"]


def test_mapped_file_absent_is_an_error(tmp_path):
    write_folder(tmp_path, {"students": students_frame()})
    config = AuditConfig(data=DataMapping(files={"staff": "Staff roster.csv"}))
    [problem] = validate_folder(tmp_path, config=config).errors
    assert problem.file == "Staff roster.csv" and "not in the folder" in problem.message


def test_extra_sheets_warned(tmp_path):
    with pd.ExcelWriter(tmp_path / "students.xlsx") as writer:
        students_frame().to_excel(writer, sheet_name="data", index=False)
        pd.DataFrame({"note": ["x"]}).to_excel(writer, sheet_name="readme", index=False)
    report = validate_folder(tmp_path)
    assert report.ok and report.rows == {"students": 12}
    assert "only the first ('data') is read" in report.warnings[0].message


def test_validation_writes_nothing(tmp_path):
    write_folder(tmp_path, {"students": students_frame()}, suffix=".xlsx")
    before = listing(tmp_path)
    validate_folder(tmp_path)
    load_district_data(tmp_path)
    assert listing(tmp_path) == before
