"""Config ``goals:``: each goal is checked when the config is read (the message names the goal's
index and key), and ``equitykit validate`` refuses a goal whose outcome, group or baseline year
is not in the data (exit 1)."""

from __future__ import annotations

import pytest
from _execute_data import write_students

from equitykit.cli import main
from equitykit.config import AuditConfig, load_config
from equitykit.errors import ConfigError

GOAL = {"outcome": "oss", "dimension": "race_ethnicity", "group": "Black",
        "baseline_year": 2021, "target_year": 2025, "target_rate": 0.08}


def _load(tmp_path, goals, **more):
    import yaml

    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump({"goals": goals, **more}, allow_unicode=True),
                    encoding="utf-8")
    return load_config(path)


def test_a_goal_is_read_with_its_measure_and_target(tmp_path):
    config = _load(tmp_path, [GOAL, {**GOAL, "target_rate": None, "target_risk_ratio": 1.5,
                                     "dimension": "race_ethnicity×sex", "group": "Black×M"}])
    rate, ratio = config.goals
    assert (rate.measure, rate.target) == ("rate", 0.08)
    assert (ratio.measure, ratio.target) == ("risk_ratio", 1.5)
    assert "goals" in config.shown_sections
    assert "goals" not in AuditConfig().shown_sections


@pytest.mark.parametrize(("change", "message"), [
    ({"outcome": "suspensions"}, "goals.0.outcome: Value error, unknown outcome 'suspensions'"),
    ({"target_risk_ratio": 2.0}, "give exactly one of target_rate or target_risk_ratio"),
    ({"target_rate": None}, "give exactly one of target_rate or target_risk_ratio"),
    ({"target_year": 2021}, "target_year 2021 must come after baseline_year 2021"),
    ({"target_rate": 1.5}, "goals.0.target_rate: Input should be less than or equal to 1"),
    ({"target_rate": "8%"}, "goals.0.target_rate: Value error, must be a number"),
    ({"baseline_year": "2021"}, "goals.0.baseline_year"),
    ({"dimension": "ethnicity"}, "goals.0.dimension: unknown dimension 'ethnicity'"),
    ({"group": "Black×M"}, "goals.0.group: 'Black×M' is not a group of race_ethnicity"),
    ({"colour": "red"}, "goals.0.colour: Extra inputs are not permitted"),
])
def test_a_bad_goal_is_named_by_index_and_key(tmp_path, change, message):
    goal = {k: v for k, v in {**GOAL, **change}.items() if v is not None}
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, [goal])
    assert message in str(err.value)


def test_validate_refuses_a_goal_the_data_cannot_follow(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    write_students(data)
    config = tmp_path / "config.yml"
    config.write_text(
        "goals:\n"
        "  - {outcome: chronic_absent, dimension: race_ethnicity, group: Black,\n"
        "     baseline_year: 2019,\n"
        "     target_year: 2025, target_rate: 0.1}\n"
        "  - {outcome: oss, dimension: sex, group: Q, baseline_year: 2023,\n"
        "     target_year: 2025, target_risk_ratio: 1}\n", encoding="utf-8")
    assert main(["validate", str(data), "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "goals.0.baseline_year: the data has no school year 2019" in out
    assert "column 'sex': goals.1.group: no student of the data is in group 'Q' of sex" in out
    assert "goals.1.outcome: oss cannot be computed from the data" in out
    assert "goals.0.outcome" not in out and "Traceback" not in out
