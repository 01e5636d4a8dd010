"""Config values are taken as YAML typed them: no bool as a number, no text as a number."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from equitykit.config import load_config
from equitykit.errors import ConfigError

SOURCE = {"file": "f.csv", "district_id": "1", "school_year": {"column": "Year"},
          "measure": "enrollment", "numerator": "n"}


@pytest.mark.parametrize(("settings", "key", "phrase"), [
    ({"privacy": {"min_n": True}}, "privacy.min_n", "valid integer"),
    ({"privacy": {"min_n": "10"}}, "privacy.min_n", "valid integer"),
    ({"privacy": {"min_n": 10.0}}, "privacy.min_n", "valid integer"),
    ({"privacy": {"top_bottom_coding": 1}}, "privacy.top_bottom_coding", "valid boolean"),
    ({"privacy": {"top_bottom_coding": "yes"}}, "privacy.top_bottom_coding", "valid boolean"),
    ({"idea": {"cell_size": False}}, "idea.cell_size", "valid integer"),
    ({"idea": {"n_size": "30"}}, "idea.n_size", "valid integer"),
    ({"idea": {"risk_ratio_threshold": True}}, "idea.risk_ratio_threshold", "valid number"),
    ({"idea": {"risk_ratio_threshold": float("inf")}}, "idea.risk_ratio_threshold",
     "finite number"),
    ({"idea": {"consecutive_years": 2.5}}, "idea.consecutive_years", "valid integer"),
    ({"gaps": {"min_n": True}}, "gaps.min_n", "valid integer"),
    ({"chronic_absence": {"threshold": "0.1"}}, "chronic_absence.threshold", "valid number"),
    ({"chronic_absence": {"min_days_enrolled": True}}, "chronic_absence.min_days_enrolled",
     "valid integer"),
    ({"teachers": {"novice_years": True}}, "teachers.novice_years", "valid number"),
    ({"proficiency_level": "3"}, "proficiency_level", "valid integer"),
    ({"q_threshold": True}, "q_threshold", "valid number"),
    ({"q_threshold": float("nan")}, "q_threshold", "finite number"),
    ({"title": 5}, "title", "valid string"),
    ({"aggregate": {"sources": [{**SOURCE, "deduplicate": "yes"}]}},
     "aggregate.sources.0.deduplicate", "valid boolean"),
    ({"aggregate": {"sources": [{**SOURCE, "district_totals": 1}]}},
     "aggregate.sources.0.district_totals", "valid boolean"),
    ({"aggregate": {"sources": [{**SOURCE, "school_year": {"column": "Year", "offset": "1"}}]}},
     "aggregate.sources.0.school_year.column.offset", "valid integer"),
    ({"aggregate": {"sources": [{**SOURCE, "published": {"column": "r", "scale": True}}]}},
     "aggregate.sources.0.published.scale", "valid number"),
])
def test_a_value_of_the_wrong_type_is_refused(tmp_path: Path, settings: dict, key: str,
                                              phrase: str) -> None:
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert f"{key}: " in str(info.value) and phrase in str(info.value), str(info.value)


def test_whole_numbers_are_fine_where_a_number_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    path.write_text("teachers: {novice_years: 3}\nidea: {risk_ratio_threshold: 2}\n"
                    "privacy: {min_n: 5, top_bottom_coding: false}\n", encoding="utf-8")
    config = load_config(path)
    assert config.teachers.novice_years == 3.0 and config.idea.risk_ratio_threshold == 2.0
    assert config.privacy.min_n == 5 and config.privacy.top_bottom_coding is False
