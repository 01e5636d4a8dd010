"""A small district with hand-countable discipline incidents (tests of the discipline
decision points and of the focus lens)."""

from __future__ import annotations

import pandas as pd

from equitykit.audit import DistrictAudit

# Black 100, White 200, Hispanic 100 students (one school, 2023). Incidents, one per student
# unless said: Black: 30 defiance (20 OSS of 2 days, 10 restorative), 10 fighting (6 OSS of 3
# days, 4 restorative), and students B0 and B1 a second defiance OSS of 1 day. White: 20
# defiance (5 OSS of 2 days, 15 restorative), 20 fighting (10 OSS of 3 days, 10 restorative),
# W0 and W1 a second defiance OSS of 1 day. Hispanic students: none.
_PLAN = {  # race -> [(offense, action, days, students)]
    "Black": [("DEF", "oss", 2, 20), ("DEF", "restorative_conference", None, 10),
              ("FIG", "oss", 3, 6), ("FIG", "restorative_conference", None, 4)],
    "White": [("DEF", "oss", 2, 5), ("DEF", "restorative_conference", None, 15),
              ("FIG", "oss", 3, 10), ("FIG", "restorative_conference", None, 10)],
}
_SIZES = {"Black": 100, "White": 200, "Hispanic/Latino": 100, "Asian": 0}
CONFIG = """
discipline:
  offenses:
    DEF: {category: defiance, subjective: true}
    FIG: {category: fighting, subjective: false}
focus: {dimension: race_ethnicity, group: Black, reference: White}
"""


def discipline_audit(tmp_path, *, asian: int = 0, min_n: int = 1):
    sizes = {**_SIZES, "Asian": asian}
    ids = {race: [f"{race[0]}{i}" for i in range(n)] for race, n in sizes.items()}
    students = pd.DataFrame([
        {"student_id": sid, "school_year": 2023, "district_id": "d1", "school_id": "s1",
         "grade": "7", "race_ethnicity": race, "sex": "F", "econ_disadvantaged": "false",
         "english_learner": "false", "disability": "false"}
        for race, names in ids.items() for sid in names])
    rows = []
    for race, plan in _PLAN.items():
        start = 0
        for offense, action, days, count in plan:
            rows += [{"student_id": sid, "offense_code": offense, "action": action,
                      "days": days} for sid in ids[race][start:start + count]]
            start += count
        rows += [{"student_id": sid, "offense_code": "DEF", "action": "oss", "days": 1}
                 for sid in ids[race][:2]]
    if asian:
        rows.append({"student_id": ids["Asian"][0], "offense_code": "DEF", "action": "oss",
                     "days": 2})
    incidents = pd.DataFrame(rows).assign(school_year=2023, district_id="d1",
                                          school_id="s1")
    data = tmp_path / "data"
    data.mkdir()
    students.to_csv(data / "students.csv", index=False)
    incidents.to_csv(data / "incidents.csv", index=False)
    config = tmp_path / "config.yml"
    config.write_text(CONFIG + f"privacy: {{min_n: {min_n}, top_bottom_coding: false}}\n")
    return DistrictAudit.run(data_dir=data, district_id="d1", config_path=config)
