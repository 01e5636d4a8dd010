"""Survey roles and constructs as inputs: the config's item → construct map and sensitive
minimum n are validated with messages naming the key; a role the toolkit does not know is a
data problem naming the file, column and row; a district's own role codes map like any other
category."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from _intake_samples import staff_frame, students_frame, survey_frame, write_folder

from equitykit.cli import main
from equitykit.config import load_config
from equitykit.errors import ConfigError
from equitykit.intake import load_district_data


@pytest.mark.parametrize(("settings", "key", "phrase"), [
    ({"survey": {"constructs": {"belong_fit": "Belonging!"}}}, "survey.constructs",
     "construct 'Belonging!'"),
    ({"survey": {"constructs": ["belonging"]}}, "survey.constructs", "valid dictionary"),
    ({"survey": {"items": {}}}, "survey.items", "xtra"),
    ({"privacy": {"sensitive_min_n": 0}}, "privacy.sensitive_min_n", "greater than or equal"),
    ({"privacy": {"sensitive_min_n": "20"}}, "privacy.sensitive_min_n", "valid integer"),
])
def test_bad_survey_settings_name_the_key(tmp_path: Path, settings, key, phrase):
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert key in str(info.value) and phrase in str(info.value), str(info.value)


def test_item_codes_are_read_as_text(tmp_path: Path):
    path = tmp_path / "config.yml"
    path.write_text("survey: {constructs: {101: belonging, q2: safety}}\n", encoding="utf-8")
    assert load_config(path).survey.constructs == {"101": "belonging", "q2": "safety"}


def _folder(tmp_path: Path, roles: list[str]) -> Path:
    survey = survey_frame().assign(role=roles, favorable=["true", "false"])
    return write_folder(tmp_path / "data", {"students": students_frame(),
                                            "staff": staff_frame(), "survey": survey})


def test_an_unknown_role_names_file_column_and_row(tmp_path: Path, capsys):
    folder = _folder(tmp_path, ["student", "teacher-aide"])
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "survey.csv" in out and "role" in out and "teacher-aide" in out, out
    assert "3" in out  # spreadsheet line of the second row
    assert "Traceback" not in out


def test_roles_are_case_blind_and_map_from_district_codes(tmp_path: Path):
    folder = _folder(tmp_path, ["Student", "P"])
    config = tmp_path / "config.yml"
    config.write_text("data: {codes: {role: {P: family}}}\n", encoding="utf-8")
    data = load_district_data(folder, district_id="d1", config=load_config(config))
    assert data.survey["role"].astype(str).tolist() == ["student", "family"]
