"""School attributes used analytically: segregation by school poverty and the locus of gaps
between groups of schools (sector), each checked against a computation from the student
rows themselves (1e-6)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from equitykit import metrics
from equitykit.audit._compute import compute_metrics
from equitykit.cli import main
from equitykit.config import AuditConfig
from equitykit.intake import load_district_data

SCHOOLS = ["S0", "S1", "S2", "S3", "S4"]
MEAN_SES = [-0.8, -0.3, 0.1, 0.4, 0.9]
SECTOR = ["public", "public", "public", "charter", "charter"]


def _district(folder: Path, seed: int = 11) -> None:
    """600 students in five schools; poorer schools hold more Black and ED students."""
    rng = np.random.default_rng(seed)
    school = rng.integers(0, 5, 600)
    black = rng.random(600) < np.array([0.6, 0.45, 0.3, 0.2, 0.1])[school]
    race = np.where(black, "Black", rng.choice(["White", "Hispanic/Latino"], 600))
    econ = rng.random(600) < np.array([0.8, 0.6, 0.4, 0.3, 0.1])[school]
    pd.DataFrame({
        "student_id": np.arange(600), "school_year": 2023, "district_id": "D1",
        "school_id": np.array(SCHOOLS)[school], "grade": "7", "race_ethnicity": race,
        "sex": rng.choice(["F", "M"], 600), "econ_disadvantaged": econ,
        "math_score": (rng.normal(500, 40, 600) - 20 * black - 30 * (school < 3)).round(1),
        "oss_days": rng.poisson(0.3 + 0.6 * black + 0.3 * (school < 2)),
    }).to_csv(folder / "students.csv", index=False)
    pd.DataFrame({"school_id": SCHOOLS, "district_id": "D1", "school_year": 2023,
                  "mean_ses": MEAN_SES, "sector": SECTOR}).to_csv(folder / "schools.csv",
                                                                  index=False)


CONFIG = {"data": {"not_collected": ["english_learner", "disability"],
                   "school_poverty": {"column": "mean_ses", "poorer": "lower"},
                   "dimensions": {"sector": {"title": "School sector", "level": "school"}}}}


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    folder = tmp_path_factory.mktemp("district")
    _district(folder)
    config = AuditConfig.model_validate(CONFIG)
    rows, _ = compute_metrics(load_district_data(folder, config=config, district_id="D1"),
                              config)
    students = pd.read_csv(folder / "students.csv").merge(
        pd.read_csv(folder / "schools.csv"), on=["school_id", "district_id", "school_year"])
    return rows, students


def _value(rows: pd.DataFrame, **keys) -> float:
    hit = rows
    for column, value in keys.items():
        hit = hit[hit[column] == value]
    assert len(hit) == 1, keys
    return float(hit["value"].iloc[0])


def test_exposure_function_matches_a_loop_over_schools():
    rng = np.random.default_rng(2)
    table = pd.DataFrame(rng.integers(0, 40, (7, 3)), columns=["a", "b", "c"],
                         index=[f"s{i}" for i in range(7)])
    poverty = pd.Series(rng.random(7), index=table.index)
    poverty.iloc[2] = np.nan  # a school without a value is left out
    for poorer in ("higher", "lower"):
        out = metrics.school_poverty_exposure(table, poverty, poorer=poorer)
        known = poverty.dropna()
        cut = np.percentile(known, 75 if poorer == "higher" else 25)
        high = known.index[(known >= cut) if poorer == "higher" else (known <= cut)]
        for group in table:
            x = table.loc[known.index, group]
            assert out.loc[group, "mean_school_poverty"] == pytest.approx(
                sum(x[s] / x.sum() * known[s] for s in known.index), abs=1e-9)
            assert out.loc[group, "high_poverty_share"] == pytest.approx(
                table.loc[high, group].sum() / x.sum(), abs=1e-9)


def test_exposure_function_refuses_misaligned_poverty():
    table = pd.DataFrame({"a": [1, 2]}, index=["s1", "s2"])
    with pytest.raises(ValueError, match="one value"):
        metrics.school_poverty_exposure(table, pd.Series([0.1, 0.2], index=["x", "y"]))
    with pytest.raises(ValueError, match="poorer"):
        metrics.school_poverty_exposure(table, pd.Series([0.1, 0.2], index=table.index),
                                        poorer="richer")


def test_income_segregation_from_the_students(audited):
    rows, students = audited
    seg = rows[(rows["section"] == "segregation") & (rows["dimension"] == "econ_disadvantaged")]
    by_school = pd.crosstab(students["school_id"], students["econ_disadvantaged"])
    poor, other, total = by_school[True], by_school[False], by_school.sum(axis=1)
    d = 0.5 * (poor / poor.sum() - other / other.sum()).abs().sum()
    assert _value(seg, measure="dissimilarity", group="true") == pytest.approx(d, abs=1e-6)
    isolation = (poor / poor.sum() * poor / total).sum()
    assert _value(seg, measure="isolation", group="true") == pytest.approx(isolation, abs=1e-6)
    exposure = (other / other.sum() * poor / total).sum()
    assert _value(seg, measure="exposure", group="false") == pytest.approx(exposure, abs=1e-6)


def test_each_race_groups_exposure_to_school_poverty(audited):
    rows, students = audited
    poverty = rows[rows["outcome"] == "school_poverty"]
    assert set(poverty["note"]) == {"school poverty: mean_ses (lower is poorer)"}
    poorest = students["mean_ses"] <= np.percentile(MEAN_SES, 25)  # lower SES is poorer
    for group in ("Black", "White", "Hispanic/Latino"):
        members = students[students["race_ethnicity"] == group]
        mine = poverty[(poverty["dimension"] == "race_ethnicity")]
        # The school mean SES of the average member's school is the members' mean of it.
        assert _value(mine, measure="school_poverty_exposure", group=group) == pytest.approx(
            members["mean_ses"].mean(), abs=1e-6)
        share = mine[(mine["measure"] == "high_poverty_school_share") & (mine["group"] == group)]
        assert float(share["value"].iloc[0]) == pytest.approx(
            poorest[members.index].mean(), abs=1e-6)
        assert float(share["numerator"].iloc[0]) == poorest[members.index].sum()
    assert _value(poverty, measure="school_poverty_exposure", group="all") == pytest.approx(
        students["mean_ses"].mean(), abs=1e-6)


def test_default_school_poverty_is_the_share_of_ed_students(tmp_path):
    _district(tmp_path)
    config = AuditConfig.model_validate({"data": {"not_collected": ["english_learner",
                                                                    "disability"]}})
    rows, _ = compute_metrics(load_district_data(tmp_path, config=config), config)
    students = pd.read_csv(tmp_path / "students.csv")
    share = students.groupby("school_id")["econ_disadvantaged"].mean()
    black = students[students["race_ethnicity"] == "Black"]
    poverty = rows[rows["outcome"] == "school_poverty"]
    assert _value(poverty, measure="school_poverty_exposure", dimension="race_ethnicity",
                  group="Black") == pytest.approx(black["school_id"].map(share).mean(), abs=1e-6)
    # With the ED share as school poverty, a group's exposure to it is xPy of x to ED students.
    ed = rows[(rows["dimension"] == "econ_disadvantaged") & (rows["measure"] == "exposure")]
    assert _value(poverty, measure="school_poverty_exposure", dimension="econ_disadvantaged",
                  group="false") == pytest.approx(float(ed["value"].iloc[0]), abs=1e-9)


def _kitagawa(students: pd.DataFrame, unit: str, column: str, focal: pd.Series) -> float:
    """Between-unit share of the gap mean(focal) − mean(others), from the student rows."""
    a, b = students[focal], students[~focal]
    gap = a[column].mean() - b[column].mean()
    w_a = a[unit].value_counts(normalize=True)
    w_b = b[unit].value_counts(normalize=True)
    m_a, m_b = a.groupby(unit)[column].mean(), b.groupby(unit)[column].mean()
    units = w_a.index.union(w_b.index)
    w_a, w_b = w_a.reindex(units, fill_value=0), w_b.reindex(units, fill_value=0)
    m_a, m_b = m_a.reindex(units).fillna(m_b), m_b.reindex(units).fillna(m_a)
    return float(((w_a - w_b) * (m_a + m_b) / 2).sum() / gap)


def test_gap_locus_by_sector(audited):
    rows, students = audited
    black = students["race_ethnicity"] == "Black"
    scores = rows[(rows["measure"] == "between_sector_share") & (rows["outcome"] == "math_score")]
    assert _value(scores, dimension="race_ethnicity", group="Black") == pytest.approx(
        _kitagawa(students, "sector", "math_score", black), abs=1e-6)
    students["oss"] = students["oss_days"] > 0
    rates = rows[(rows["measure"] == "between_sector_share") & (rows["outcome"] == "oss")]
    assert _value(rates, dimension="race_ethnicity", group="Black") == pytest.approx(
        _kitagawa(students, "sector", "oss", black), abs=1e-6)
    assert set(rows.loc[rows["measure"] == "between_sector_share", "note"]) <= {
        "between_sector", "within_sector", "mixed"}
    # The school split is unchanged: sector is a school dimension, so it is not split itself.
    school = rows[rows["measure"] == "between_school_share"]
    assert _value(school[school["outcome"] == "math_score"], dimension="race_ethnicity",
                  group="Black") == pytest.approx(
        _kitagawa(students, "school_id", "math_score", black), abs=1e-6)
    assert "sector" not in set(rows.loc[rows["measure"].str.startswith("between_"),
                                        "dimension"])


@pytest.mark.parametrize(("change", "message"), [
    (lambda folder: (folder / "schools.csv").unlink(), "no schools file"),
    (lambda folder: pd.read_csv(folder / "schools.csv").drop(columns="mean_ses").to_csv(
        folder / "schools.csv", index=False), "mean_ses"),
    (lambda folder: pd.read_csv(folder / "schools.csv").assign(mean_ses="low").to_csv(
        folder / "schools.csv", index=False), "mean_ses"),
])
def test_validate_refuses_a_poverty_measure_it_cannot_read(tmp_path, capsys, change, message):
    data = tmp_path / "data"
    data.mkdir()
    _district(data)
    change(data)
    config = tmp_path / "config.yml"
    config.write_text(yaml.safe_dump(CONFIG))
    assert main(["validate", str(data), "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert message in captured.out and "Traceback" not in captured.out + captured.err


def test_config_refuses_a_poverty_column_named_like_a_schools_column(tmp_path, capsys):
    config = tmp_path / "config.yml"
    config.write_text(yaml.safe_dump({"data": {"school_poverty": {"column": "title1"}}}))
    assert main(["validate", str(tmp_path), "--config", str(config)]) == 1
    assert "data.school_poverty.column" in capsys.readouterr().err
