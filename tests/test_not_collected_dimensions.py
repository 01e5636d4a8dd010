"""A district with a staff table audits when demographic dimensions are declared not collected
(race, economic disadvantage, or all five): every section renders, and says why where it must."""

from __future__ import annotations

import pandas as pd
import pytest

from equitykit.audit import DistrictAudit


@pytest.fixture(scope="module")
def folder(repo_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("nc")
    students = pd.read_parquet(repo_root / "data_samples" / "students.parquet")
    students = students[students["district_id"] == "D01"]
    students.groupby(["school_year", "school_id"]).head(40).to_csv(out / "students.csv",
                                                                    index=False)
    for table in ("schools", "staff"):
        frame = pd.read_csv(repo_root / "data_samples" / f"{table}.csv")
        frame[frame["district_id"] == "D01"].to_csv(out / f"{table}.csv", index=False)
    return out


@pytest.mark.parametrize("columns", [
    ["race_ethnicity", "econ_disadvantaged", "sex", "english_learner", "disability"],
    pytest.param(["race_ethnicity"], marks=pytest.mark.slow),
    pytest.param(["econ_disadvantaged"], marks=pytest.mark.slow),
], ids=["all five", "race", "econ"])
def test_not_collected_dimensions_audit(folder, tmp_path, columns):
    config = tmp_path / "client.yml"
    config.write_text(f"data: {{not_collected: {columns}}}\n", encoding="utf-8")
    audit = DistrictAudit.run(data_dir=folder, district_id="D01", config_path=config)
    pages = {name: audit.section(name).data for name in audit.sections}
    assert all(page.startswith(f'<h2 id="{name}">') for name, page in pages.items())
    if "race_ethnicity" in columns:
        assert "Race/ethnicity: not collected" in pages["segregation"]
    # staff race is kept (teachers' composition, retention and turnover)
    students = audit.published[~audit.published["outcome"].isin(
        ["teachers", "teacher_retained", "staff_turnover", "staff_new_hire"])]
    assert not set(columns) & set(students["dimension"].dropna().str.split("×").sum())
