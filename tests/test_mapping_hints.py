"""Hints for missing required columns: from names and value patterns, never a dimension from
an unrelated column, and one for every missing column where one exists."""

from __future__ import annotations

import pandas as pd

from equitykit.intake import validate_folder


def _hints(tmp_path, frame: pd.DataFrame) -> dict[str, str | None]:
    frame.to_csv(tmp_path / "students.csv", index=False)
    return {p.column: p.hint for p in validate_folder(tmp_path).errors}


def _export(**columns) -> pd.DataFrame:
    base = {"district_id": ["D1"] * 4, "school_year": [2023] * 4, "school_id": ["a", "b"] * 2,
            "grade": ["3", "4", "5", "6"]}
    return pd.DataFrame(base | columns)


def test_race_flags_suggest_a_combining_derive(tmp_path):
    hints = _hints(tmp_path, _export(black=[1, 0, 0, 0], hispanic=[0, 1, 0, 0]))
    assert hints["race_ethnicity"] == (
        "derive: {students: {race_ethnicity: 'where(hispanic == 1, \"Hispanic/Latino\", "
        "where(black == 1, \"Black\", \"White\"))'}}")


def test_a_column_named_black_that_is_not_a_flag_is_not_combined(tmp_path):
    hints = _hints(tmp_path, _export(black=["x", "y", "z", "w"]))
    assert "where" not in hints["race_ethnicity"]


def test_mobility_is_not_suggested_as_disability(tmp_path):
    hints = _hints(tmp_path, _export(mobility=[0, 1, 0, 0]))
    assert "mobility" not in hints["disability"]
    assert hints["disability"] == "not_collected: [disability] if the district does not collect it"


def test_ses_suggests_a_bottom_quartile_cut(tmp_path):
    hints = _hints(tmp_path, _export(ses=[-1.0, 0.2, 0.5, 1.3]))
    assert hints["econ_disadvantaged"] == (
        "derive: {students: {econ_disadvantaged: 'ses <= quantile(ses, 0.25)'}}")


def test_every_missing_column_gets_a_hint(tmp_path):
    hints = _hints(tmp_path, _export(gender=["F", "M", "F", "M"], lep=[0, 0, 1, 0]))
    assert hints["student_id"] == "derive: {students: {student_id: 'row_number()'}}"
    assert hints["sex"] == 'columns: {students: {"gender": sex}}'
    assert hints["english_learner"] == 'columns: {students: {"lep": english_learner}}'
    assert all(hints.values())


def test_suggested_derive_validates(tmp_path):
    from equitykit.config import AuditConfig

    _export(black=[1, 0, 0, 0], hispanic=[0, 1, 0, 0], sex=["F", "M", "F", "M"],
            frl=[0, 1, 1, 0]).to_csv(tmp_path / "students.csv", index=False)
    config = AuditConfig.model_validate({"data": {
        "columns": {"students": {"frl": "econ_disadvantaged"}},
        "derive": {"students": {
            "student_id": "row_number()",
            "race_ethnicity": 'where(hispanic == 1, "Hispanic/Latino", '
                              'where(black == 1, "Black", "White"))'}},
        "not_collected": ["english_learner", "disability"]}})
    assert validate_folder(tmp_path, config=config).ok
