"""pool_years: rare outcomes pooled over the last years, labelled, suppressed like every row;
pooling brings a rare-outcome disparity into the findings."""

from __future__ import annotations

import pandas as pd
import pytest

from equitykit.audit import DistrictAudit
from equitykit.audit._compute import pool_rare_outcomes
from equitykit.config import AuditConfig, load_config
from equitykit.errors import ConfigError


@pytest.fixture(scope="module")
def audits(repo_root, tmp_path_factory):
    # Top/bottom coding and the protection rule are off in both runs: a banded rate (arrests
    # run well under 5%) takes its comparisons along by the privacy rules, and the protection
    # rule withholds D02's pooled Black arrest ratio; either would hide the
    # effect of pooling, which is what is tested here.
    folder = tmp_path_factory.mktemp("cfg")
    yearly, config = folder / "yearly.yml", folder / "pool.yml"
    off = "privacy: {top_bottom_coding: false, protection_width: 0}\n"
    yearly.write_text(off, encoding="utf-8")
    config.write_text("pool_years: 3\n" + off, encoding="utf-8")
    run = {name: DistrictAudit.run(data_dir=repo_root / "data_samples", district_id="D02",
                                   config_path=path) for name, path in
           (("yearly", yearly), ("pooled", config))}
    return run["yearly"], run["pooled"]


def _arrest_finding(audit):
    return [f for f in audit.findings if f["outcome"] == "arrested"
            and f["group"] == "Black" and f["dimension"] == "race_ethnicity"]


def test_pooling_brings_a_rare_disparity_into_the_findings(audits):
    yearly, pooled = audits
    assert not _arrest_finding(yearly)
    [finding] = _arrest_finding(pooled)
    assert finding["pooled_years"] == "2021–2023"
    assert finding["title"].endswith("(pooled 2021–2023)")
    assert "school years 2021–2023" in finding["statement"]


def test_pooled_rows_replace_the_yearly_rows_and_are_suppressed(audits):
    yearly, pooled = audits
    rows = pooled.published[pooled.published["outcome"] == "arrested"]
    assert set(rows["school_year"]) == {2023}  # 2021 and 2022 are inside the pooled count
    assert rows.loc[~rows["suppressed"], "note"].str.contains("pooled 2021–2023").all()
    before = yearly.published[(yearly.published["outcome"] == "arrested")
                              & (yearly.published["school_id"] == "")
                              & (yearly.published["measure"] == "rate")
                              & (yearly.published["dimension"] == "all")]
    total = rows[(rows["school_id"] == "") & (rows["measure"] == "rate")
                 & (rows["dimension"] == "all")].iloc[0]
    assert total["n"] == before["n"].sum()  # student-years of the three years
    small = rows[(rows["measure"] == "rate") & (rows["n"].isna() | (rows["n"] < 10))]
    assert small["suppressed"].all() and small["value"].isna().all()
    assert (rows.loc[~rows["suppressed"] & (rows["measure"] == "rate"), "n"] >= 10).all()
    assert "pooled 2021–2023" in pooled.section("programmatic").data
    assert "pooled over the school years 2021–2023" in pooled.section("methods").data
    assert "pooled over" not in yearly.section("methods").data


def test_pool_rare_outcomes_sums_only_rare_outcomes_in_the_window():
    counts = pd.DataFrame({
        "district_id": "D", "school_id": "", "school_year": [2021, 2022, 2023] * 2,
        "measure": ["expelled"] * 3 + ["oss"] * 3, "dimension": "all", "group": "all",
        "numerator": [3.0, 4.0, 5.0, 80.0, 90.0, 95.0], "denominator": 1000.0,
    })
    out, pooled = pool_rare_outcomes(counts, 2, 2023, rare_below=50)
    assert pooled == ["expelled"]
    expelled = out[out["measure"] == "expelled"].sort_values("school_year")
    assert expelled[["school_year", "numerator", "denominator"]].values.tolist() == [
        [2021, 3.0, 1000.0], [2023, 9.0, 2000.0]]
    assert (out["measure"] == "oss").sum() == 3
    assert pool_rare_outcomes(counts, 1, 2023, rare_below=50)[1] == []


def test_pool_years_is_validated(tmp_path):
    assert AuditConfig().pool_years == 1
    bad = tmp_path / "bad.yml"
    bad.write_text("pool_years: 9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="pool_years"):
        load_config(bad)
