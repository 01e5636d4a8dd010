"""Category sets of race/ethnicity, the district's own dimensions, and not-collected columns
at intake: what loads, what is refused with a message naming the key."""

from __future__ import annotations

import pandas as pd
import pytest

from equitykit.config import AuditConfig
from equitykit.errors import ConfigError
from equitykit.intake import load_district_data, validate_folder


def _config(**data) -> AuditConfig:
    return AuditConfig.model_validate({"data": data})


def _write(tmp_path, **columns) -> None:
    n = len(next(iter(columns.values())))
    pd.DataFrame({
        "student_id": [f"s{i}" for i in range(n)], "school_year": 2023, "district_id": "D1",
        "school_id": "a", "grade": "5", "sex": "F", "econ_disadvantaged": "0",
        "english_learner": "0", "disability": "0", **columns,
    }).to_csv(tmp_path / "students.csv", index=False)


def test_federal_1997_refuses_middle_eastern(tmp_path):
    _write(tmp_path, race_ethnicity=["Middle Eastern or North African", "White"])
    [error] = validate_folder(tmp_path).errors
    assert error.column == "race_ethnicity" and "Middle Eastern" in error.message


def test_federal_2024_adds_middle_eastern_or_north_african(tmp_path):
    _write(tmp_path, race_ethnicity=["Middle Eastern or North African", "White"])
    config = _config(categories={"race_ethnicity": "federal_2024"})
    students = load_district_data(tmp_path, config=config).students
    assert students["race_ethnicity"].tolist() == ["Middle Eastern or North African", "White"]
    assert "Middle Eastern or North African" in students["race_ethnicity"].cat.categories


def test_local_labels_pass_through(tmp_path):
    _write(tmp_path, race_ethnicity=["Latine", "Pasifika"])
    config = _config(categories={"race_ethnicity": "local"})
    students = load_district_data(tmp_path, config=config).students
    assert students["race_ethnicity"].tolist() == ["Latine", "Pasifika"]


def test_local_labels_roll_up_with_codes(tmp_path):
    _write(tmp_path, race_ethnicity=["Latine", "Pasifika"])
    config = _config(codes={"race_ethnicity": {"Latine": "Hispanic/Latino",
                                               "Pasifika": "Native Hawaiian/Pacific Islander"}})
    students = load_district_data(tmp_path, config=config).students
    assert students["race_ethnicity"].tolist() == ["Hispanic/Latino",
                                                   "Native Hawaiian/Pacific Islander"]


def test_own_dimension_with_values(tmp_path):
    _write(tmp_path, race_ethnicity=["White", "Black"], minority=["no", "yes"])
    config = _config(columns={"students": {"minority": "minority_status"}},
                     codes={"minority_status": {"yes": "Minority", "no": "Not minority"}},
                     dimensions={"minority_status": {"title": "Minority status",
                                                     "values": ["Minority", "Not minority"]}})
    students = load_district_data(tmp_path, config=config).students
    assert students["minority_status"].tolist() == ["Not minority", "Minority"]


def test_own_dimension_value_outside_its_values_is_an_error(tmp_path):
    _write(tmp_path, race_ethnicity=["White", "Black"], minority_status=["Minority", "maybe"])
    config = _config(dimensions={"minority_status": {"title": "Minority status",
                                                     "values": ["Minority", "Not minority"]}})
    [error] = validate_folder(tmp_path, config=config).errors
    assert error.column == "minority_status" and '"maybe"' in error.message


def test_own_dimension_missing_is_an_error(tmp_path):
    _write(tmp_path, race_ethnicity=["White", "Black"])
    config = _config(dimensions={"minority_status": {"title": "Minority status"}})
    [error] = validate_folder(tmp_path, config=config).errors
    assert error.column == "minority_status" and "missing" in error.message


def test_not_collected_column_in_the_file_is_ignored_with_a_warning(tmp_path):
    _write(tmp_path, race_ethnicity=["White", "Black"])
    report = validate_folder(tmp_path, config=_config(not_collected=["english_learner"]))
    assert report.ok and "English learner status: not collected" in report.format()
    assert any("not collected" in w.message for w in report.warnings)
    students = load_district_data(tmp_path, config=_config(not_collected=["english_learner"]))
    assert "english_learner" not in students.students


@pytest.mark.parametrize(("data", "words"), [
    ({"not_collected": ["school_id"]}, "data.not_collected: 'school_id'"),
    ({"not_collected": ["disabilty"]}, "did you mean 'disability'"),
    ({"dimensions": {"sex": {"title": "Sex"}}}, "data.dimensions.sex: already a column"),
])
def test_config_mistakes_name_the_key(tmp_path, data, words):
    _write(tmp_path, race_ethnicity=["White"])
    with pytest.raises(ConfigError, match=words):
        validate_folder(tmp_path, config=_config(**data))


def test_bad_dimension_name_refused():
    with pytest.raises(ValueError, match="lower-case"):
        _config(dimensions={"Bad Name": {"title": "x"}})


def test_local_labels_kept_as_own_dimension_while_race_rolls_up(tmp_path):
    _write(tmp_path, race_ethnicity=["Latine", "Pasifika"])
    config = _config(
        codes={"race_ethnicity": {"Latine": "Hispanic/Latino",
                                  "Pasifika": "Native Hawaiian/Pacific Islander"}},
        derive={"students": {"race_local": "race_ethnicity"}},
        dimensions={"race_local": {"title": "Race/ethnicity (district categories)"}})
    students = load_district_data(tmp_path, config=config).students
    assert students["race_local"].tolist() == ["Latine", "Pasifika"]
    assert students["race_ethnicity"].tolist() == ["Hispanic/Latino",
                                                   "Native Hawaiian/Pacific Islander"]


def test_a_local_label_with_the_intersection_mark_or_all_is_refused(tmp_path, capsys):
    from equitykit.cli import main

    data = tmp_path / "data"
    data.mkdir()
    rows = ["student_id,school_year,district_id,school_id,grade,race_ethnicity,sex,"
            "econ_disadvantaged,english_learner,disability"]
    labels = ["a×b", "all", "Latine", "Black/African"]
    rows += [f"s{i},2023,D1,S1,5,{labels[i % 4]},F,false,false,false" for i in range(40)]
    (data / "students.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = tmp_path / "client.yml"
    config.write_text("data: {categories: {race_ethnicity: local}}\n", encoding="utf-8")
    code = main(["validate", str(data), "--config", str(config)])
    printed = capsys.readouterr().out
    assert code == 1
    assert "reserves for intersections" in printed and '"a×b"' in printed and '"all"' in printed
