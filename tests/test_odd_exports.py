"""Real exports as they come: each odd shape runs `equitykit validate` then `equitykit audit`
through the command line, with only a config (no hand edits of the files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from equitykit.cli import main

N = 400
SCHOOLS = 4


def _panel(seed: int = 3) -> pd.DataFrame:
    """Student rows of one district: school, grade, sex, a race code, income, scores."""
    rng = np.random.default_rng(seed)
    race = rng.choice(["B", "H", "W", "A"], N, p=[0.3, 0.3, 0.3, 0.1])
    return pd.DataFrame({
        "sid": np.arange(1, N + 1), "year": 2023, "district": "D1",
        "school": [f"S{k}" for k in rng.integers(0, SCHOOLS, N)],
        "grade": rng.choice(["6", "7", "8"], N), "gender": rng.choice(["F", "M"], N),
        "race": race, "frl": rng.integers(0, 2, N),
        "math_score": (rng.normal(500, 50, N) - 25 * (race == "B")).round(1),
        "ela_score": rng.normal(500, 50, N).round(1),
        "oss_days": rng.poisson(0.3 + 0.5 * (race == "B")),
        "gifted": rng.random(N) < 0.1,
    })


def _flags(folder: Path) -> dict:
    """A district panel with separate 0/1 Black and Hispanic flags and centred years."""
    p = _panel()
    p["black"] = (p["race"] == "B").astype(int)
    p["hispanic"] = (p["race"] == "H").astype(int)
    p["year_c"] = p.pop("year") - 2020
    p.drop(columns=["race", "sid"]).to_csv(folder / "students.csv", index=False)
    return {"data": {
        "columns": {"students": {"district": "district_id", "school": "school_id",
                                 "gender": "sex", "frl": "econ_disadvantaged"}},
        "derive": {"students": {
            "race_ethnicity": 'where(hispanic == 1, "Hispanic/Latino", '
                              'where(black == 1, "Black", "White"))',
            "school_year": "year_c + 2020", "student_id": "row_number()"}},
        "not_collected": ["english_learner", "disability"]}}


def _national(folder: Path) -> dict:
    """A national-sample-like file: a minority flag, test scores, SES, school sector."""
    rng = np.random.default_rng(5)
    p = _panel(5)
    p["minority"] = (p["race"] != "W").astype(int)
    p["ses"] = rng.normal(0, 1, N).round(3)
    p.drop(columns=["race", "frl", "oss_days", "gifted"]).to_csv(folder / "students.csv",
                                                                 index=False)
    pd.DataFrame({"school": [f"S{k}" for k in range(SCHOOLS)], "district": "D1", "year": 2023,
                  "sector": ["public", "public", "Catholic", "other private"]}
                 ).to_csv(folder / "schools.csv", index=False)
    return {"data": {
        "columns": {"students": {"sid": "student_id", "year": "school_year",
                                 "district": "district_id", "school": "school_id",
                                 "gender": "sex"},
                    "schools": {"school": "school_id", "district": "district_id",
                                "year": "school_year"}},
        "derive": {"students": {
            "econ_disadvantaged": "ses <= quantile(ses, 0.25)",
            "minority_status": 'where(minority == 1, "Minority", "Not minority")'}},
        "dimensions": {"minority_status": {"title": "Minority status",
                                           "values": ["Minority", "Not minority"]},
                       "sector": {"title": "School sector", "level": "school"}},
        "not_collected": ["race_ethnicity", "english_learner", "disability"]}}


def _renamed(p: pd.DataFrame) -> dict:
    return {"students": {"sid": "student_id", "year": "school_year", "district": "district_id",
                         "school": "school_id", "gender": "sex", "race": "race_ethnicity",
                         "frl": "econ_disadvantaged"}}


RACE_CODES = {"B": "Black", "H": "Hispanic/Latino", "W": "White", "A": "Asian"}


def _not_collected(folder: Path) -> dict:
    """English learner and disability status not collected; discipline and gifted present."""
    p = _panel()
    p.to_csv(folder / "students.csv", index=False)
    return {"data": {"columns": _renamed(p), "codes": {"race_ethnicity": RACE_CODES},
                     "not_collected": ["english_learner", "disability"]}}


def _local(folder: Path) -> dict:
    """Local race categories, kept as the district writes them."""
    p = _panel()
    p["race"] = p["race"].map({"B": "Black/African", "H": "Latine", "W": "European descent",
                               "A": "Asian or Pacific"})
    p["el"], p["iep"] = p["frl"], 1 - p["frl"]
    p.to_csv(folder / "students.csv", index=False)
    columns = _renamed(p)
    columns["students"] |= {"el": "english_learner", "iep": "disability"}
    return {"data": {"columns": columns, "categories": {"race_ethnicity": "local"}}}


def _rolled_up(folder: Path) -> dict:
    """Detailed local race labels rolled up to the 2024 federal standard."""
    p = _panel()
    detail = {"B": ["Somali", "African American"], "H": ["Mexican", "Salvadoran"],
              "W": ["Lebanese", "European descent"], "A": ["Hmong", "Karen"]}
    rng = np.random.default_rng(8)
    p["race"] = [rng.choice(detail[r]) for r in p["race"]]
    # Labels too small to show on their own (3 and 8 students; together 11, enough).
    p["race"] = p["race"].replace("Karen", "Hmong")
    p.loc[p.index[:11], "race"] = ["Karen"] * 3 + ["Vietnamese"] * 8
    p.to_csv(folder / "students.csv", index=False)
    return {"data": {
        "columns": _renamed(p), "categories": {"race_ethnicity": "federal_2024"},
        "roll_up": {"race_ethnicity": {
            "Somali": "Black", "African American": "Black", "Mexican": "Hispanic/Latino",
            "Salvadoran": "Hispanic/Latino", "Lebanese": "Middle Eastern or North African",
            "European descent": "White", "Hmong": "Asian", "Karen": "Asian",
            "Vietnamese": "Asian"}},
        "not_collected": ["english_learner", "disability"]}}


def _scores_only(folder: Path) -> dict:
    """Test scores and demographics, no yes/no outcome at all."""
    p = _panel().drop(columns=["oss_days", "gifted"])
    p.to_csv(folder / "students.csv", index=False)
    return {"data": {"columns": _renamed(p), "codes": {"race_ethnicity": RACE_CODES},
                     "not_collected": ["english_learner", "disability"]}}


def _schools(folder: Path) -> dict:
    """A schools table without school_name, with sector, magnet, Title I and mean SES."""
    config = _not_collected(folder)
    pd.DataFrame({"school_id": [f"S{k}" for k in range(SCHOOLS)], "district_id": "D1",
                  "school_year": 2023, "magnet": ["yes", "no", "no", "yes"],
                  "title1": [True, True, False, False], "mean_ses": [-0.4, -0.1, 0.2, 0.5],
                  "sector": ["public", "public", "charter", "charter"]}
                 ).to_csv(folder / "schools.csv", index=False)
    config["data"]["dimensions"] = {"sector": {"title": "School sector", "level": "school"}}
    config["data"]["school_poverty"] = {"column": "mean_ses", "poorer": "lower"}
    return config


def _run(tmp_path: Path, build, capsys) -> tuple[str, pd.DataFrame, str]:
    data = tmp_path / "data"
    data.mkdir()
    config = tmp_path / "config.yml"
    config.write_text(yaml.safe_dump(build(data)))
    assert main(["validate", str(data), "--config", str(config)]) == 0
    validated = capsys.readouterr().out
    out = tmp_path / "out"
    assert main(["audit", str(data), "--district", "D1", "--out", str(out),
                 "--config", str(config)]) == 0
    metrics = pd.read_csv(out / "D1" / "metrics.csv", keep_default_na=False)
    return validated, metrics, (out / "D1" / "audit.html").read_text(encoding="utf-8")


def test_scores_only(tmp_path, capsys):
    validated, metrics, report = _run(tmp_path, _scores_only, capsys)
    assert "English learner status: not collected" in validated
    assert "0 errors, 0 warnings: usable" in validated
    assert set(metrics["section"]) >= {"enrollment", "achievement", "segregation"}
    assert not (metrics["measure"] == "rate").any()  # no outcome invented
    assert {"english_learner", "disability"}.isdisjoint(metrics["dimension"])
    assert "English learner status: not collected." in report


@pytest.mark.slow
def test_separate_race_flags_and_centred_years(tmp_path, capsys):
    validated, metrics, report = _run(tmp_path, _flags, capsys)
    assert "Disability: not collected" in validated
    race = metrics[(metrics["dimension"] == "race_ethnicity") & (metrics["measure"] == "rate")]
    assert set(race["group"]) == {"Black", "Hispanic/Latino", "White"}
    assert set(metrics["school_year"].astype(int)) == {2023}
    assert (metrics["outcome"] == "oss").any()
    assert "Disability: not collected." in report


@pytest.mark.slow
def test_national_sample_minority_flag_ses_and_sector(tmp_path, capsys):
    validated, metrics, report = _run(tmp_path, _national, capsys)
    assert "Race/ethnicity: not collected" in validated
    gaps = metrics[(metrics["measure"] == "hedges_g")]
    assert {"minority_status", "sector", "econ_disadvantaged"} <= set(gaps["dimension"])
    assert set(gaps[gaps["dimension"] == "minority_status"]["group"]) == {
        "Minority", "Not minority"}
    assert "race_ethnicity" not in set(metrics["dimension"])
    assert "Race/ethnicity: not collected." in report
    assert "Minority status: Minority" in report


@pytest.mark.slow
def test_not_collected_english_learner_and_disability(tmp_path, capsys):
    validated, metrics, report = _run(tmp_path, _not_collected, capsys)
    assert validated.count(": not collected") == 2
    assert "no value" not in validated  # no per-row warnings
    rates = metrics[metrics["measure"] == "rate"]
    assert {"oss", "gifted"} <= set(rates["outcome"])
    assert {"english_learner", "disability"}.isdisjoint(metrics["dimension"])
    assert report.count("English learner status: not collected.") >= 3


@pytest.mark.slow
def test_local_race_categories(tmp_path, capsys):
    validated, metrics, report = _run(tmp_path, _local, capsys)
    assert "0 errors" in validated
    groups = set(metrics[metrics["dimension"] == "race_ethnicity"]["group"])
    assert {"Black/African", "Latine", "European descent"} <= groups
    assert "Latine" in report


@pytest.mark.slow
def test_local_race_categories_rolled_up_to_the_2024_standard(tmp_path, capsys):
    validated, metrics, report = _run(tmp_path, _rolled_up, capsys)
    assert "0 errors" in validated
    race = set(metrics.loc[metrics["dimension"] == "race_ethnicity", "group"])
    assert race - {"all"} == {"Black", "Hispanic/Latino", "Middle Eastern or North African",
                              "White", "Asian"}
    detail = set(metrics.loc[metrics["dimension"] == "race_ethnicity_detailed", "group"])
    assert {"Somali", "Mexican", "Lebanese", "Hmong"} <= detail
    assert {"Karen", "Vietnamese"}.isdisjoint(detail) and "Asian (other)" in detail
    assert "Race/ethnicity (detailed): Somali" in report


@pytest.mark.slow
def test_schools_without_names_with_attributes(tmp_path, capsys):
    validated, metrics, report = _run(tmp_path, _schools, capsys)
    assert "school_name" not in validated  # not required
    rates = metrics[(metrics["dimension"] == "sector") & (metrics["measure"] == "rate")]
    assert set(rates["group"]) == {"public", "charter"}
    locus = metrics[metrics["measure"] == "between_school_share"]
    assert "sector" not in set(locus["dimension"])  # between schools by definition
    assert "S1" in report  # the id stands in for the name
    assert "School sector: charter" in report
    segregation = metrics[metrics["section"] == "segregation"]
    assert {"dissimilarity", "isolation", "exposure"} <= set(
        segregation.loc[segregation["dimension"] == "econ_disadvantaged", "measure"])
    poverty = segregation[segregation["outcome"] == "school_poverty"]
    assert {"school_poverty_exposure", "high_poverty_school_share"} <= set(poverty["measure"])
    assert {"Black", "White"} <= set(poverty.loc[poverty["dimension"] == "race_ethnicity",
                                                 "group"])
    by_sector = metrics[metrics["measure"] == "between_sector_share"]
    assert {"achievement", "programmatic"} <= set(by_sector["section"])
    assert "Exposure to school poverty" in report and "mean_ses (lower is poorer)" in report
    assert "Where gaps sit, by school sector" in report
    assert "Economically disadvantaged students – students not economically" in report


def _enrollment_only(folder: Path) -> dict:
    """No outcome and no score at all: validate says what the audit can do."""
    config = _scores_only(folder)
    pd.read_csv(folder / "students.csv").drop(columns=["math_score", "ela_score"]).to_csv(
        folder / "students.csv", index=False)
    return config


@pytest.mark.slow
def test_enrollment_only_is_said_by_validate_and_audited(tmp_path, capsys):
    validated, metrics, _report = _run(tmp_path, _enrollment_only, capsys)
    assert "no outcome and no test score" in validated
    assert set(metrics["section"]) == {"enrollment", "segregation"}
