"""Detailed race/ethnicity labels rolled up to a standard set (``data.roll_up``): standard
tables use the rolled-up labels, the detailed ones are kept where n allows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from equitykit.audit._compute import compute_metrics, fold_small_details
from equitykit.cli import main
from equitykit.config import DETAILED, AuditConfig, load_config
from equitykit.errors import ConfigError
from equitykit.intake import load_district_data

ROLL_UP = {"Somali": "Black", "Ethiopian": "Black", "Nigerian": "Black", "Hmong": "Asian",
           "Lebanese": "Middle Eastern or North African"}
LABELS = (["Somali"] * 60 + ["Ethiopian"] * 4 + ["Nigerian"] * 3 + ["Black"] * 40
          + ["Hmong"] * 50 + ["Lebanese"] * 30 + ["White"] * 100)
CONFIG = {"data": {"columns": {"students": {"race": "race_ethnicity"}},
                   "categories": {"race_ethnicity": "federal_2024"},
                   "roll_up": {"race_ethnicity": ROLL_UP},
                   "not_collected": ["english_learner", "disability"]}}


def _write(folder) -> None:
    rng = np.random.default_rng(4)
    n = len(LABELS)
    pd.DataFrame({
        "student_id": range(n), "school_year": 2023, "district_id": "D1",
        "school_id": rng.choice(["S1", "S2", "S3"], n), "grade": "7", "race": LABELS,
        "sex": rng.choice(["F", "M"], n), "econ_disadvantaged": rng.random(n) < 0.4,
        "math_score": rng.normal(500, 50, n).round(1), "oss_days": rng.poisson(0.5, n),
    }).to_csv(folder / "students.csv", index=False)


def test_roll_up_is_codes_and_a_detailed_dimension():
    data = AuditConfig.model_validate(CONFIG).data
    assert data.codes["race_ethnicity"] == ROLL_UP
    assert data.derive["students"][DETAILED] == "race_ethnicity"
    assert data.dimensions[DETAILED].title == "Race/ethnicity (detailed)"


@pytest.mark.parametrize(("data", "words"), [
    ({"roll_up": {"race_ethnicity": {"Somali": "Black"}},
      "codes": {"race_ethnicity": {"Somali": "White"}}}, "give it in one place"),
    ({"roll_up": {"race_ethnicity": {"Somali": "Black"}},
      "dimensions": {DETAILED: {"title": "x"}}}, "roll_up creates"),
])
def test_config_refuses_a_roll_up_that_contradicts_itself(tmp_path, data, words):
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump({"data": data}))
    with pytest.raises(ConfigError, match=words):
        load_config(path)


@pytest.mark.parametrize(("data", "words"), [
    ({"roll_up": {"race_ethnicity": {"Lebanese": "Middle Eastern or North African"}}},
     "data.roll_up.race_ethnicity.Lebanese: 'Middle Eastern or North African' is not a label "
     "of federal_1997"),
    ({"roll_up": {"race_ethnicity": {"Somali": "Black"}},
      "categories": {"race_ethnicity": "local"}}, "use federal_1997 or federal_2024"),
])
def test_validate_refuses_a_roll_up_outside_its_standard_set(tmp_path, capsys, data, words):
    _write(tmp_path)
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump({"data": {**data, **{
        k: v for k, v in CONFIG["data"].items() if k in ("columns", "not_collected")}}}))
    assert main(["validate", str(tmp_path), "--config", str(path)]) == 1
    printed = capsys.readouterr()
    assert words in printed.err and "Traceback" not in printed.out + printed.err


def test_small_detailed_labels_fold_into_other_until_it_is_large_enough():
    config = AuditConfig.model_validate(CONFIG)
    students = pd.DataFrame({
        "school_year": [2023] * 8 + [2024] * 3,
        "race_ethnicity": ["Black"] * 6 + ["Asian"] * 2 + ["Black"] * 3,
        DETAILED: ["Somali"] * 3 + ["Ethiopian", "Nigerian", "Black", "Hmong", "Hmong",
                                    "Somali", "Somali", "Somali"]})
    small = config.model_copy(update={"privacy": config.privacy.model_copy(
        update={"min_n": 2})})
    folded = fold_small_details(students, small)[DETAILED].tolist()
    # 2023, Black: Ethiopian, Nigerian and Black (one each) fold; 3 ≥ 2, so Somali stays.
    # Asian: Hmong (2) stays. 2024: Somali (3) stays.
    assert folded == ["Somali"] * 3 + ["Black (other)"] * 3 + ["Hmong", "Hmong"] + [
        "Somali"] * 3
    three = config.model_copy(update={"privacy": config.privacy.model_copy(
        update={"min_n": 4})})
    # min_n 4: every label is below it, so each standard group shows only its "(other)".
    assert fold_small_details(students, three)[DETAILED].tolist() == [
        "Black (other)"] * 6 + ["Asian (other)"] * 2 + ["Black (other)"] * 3


def test_standard_tables_roll_up_and_detail_is_kept_where_n_allows(tmp_path):
    _write(tmp_path)
    config = AuditConfig.model_validate(CONFIG)
    rows, _ = compute_metrics(load_district_data(tmp_path, config=config), config)
    composition = rows[(rows["measure"] == "composition") & (rows["school_id"] == "")]
    race = composition[composition["dimension"] == "race_ethnicity"].set_index("group")["n"]
    expected = pd.Series(LABELS).replace(ROLL_UP).value_counts()
    assert race.to_dict() == expected.astype(float).to_dict()
    detail = composition[composition["dimension"] == DETAILED].set_index("group")["n"]
    # Ethiopian (4) and Nigerian (3) are too few; their 7 are too few alone, so the 40
    # students recorded as Black join them.
    assert detail.to_dict() == {"Somali": 60.0, "Black (other)": 47.0, "Hmong": 50.0,
                                "Lebanese": 30.0, "White": 100.0}
    gaps = rows[(rows["measure"] == "hedges_g") & (rows["dimension"] == DETAILED)]
    assert {"Somali", "Hmong"} <= set(gaps["group"])
    idea = rows[(rows["dimension"] == "race_ethnicity") & (rows["measure"] == "risk_ratio")]
    assert "Somali" not in set(idea["group"])
