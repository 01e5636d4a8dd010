"""Each example config runs as a whole batch on its real public data (``equitykit batch``).

Skips without ``../shared/real_data``. Checks that every district completes and that the
published figures are the ones the data gives.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitykit.cli import main

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _batch(real_data: Path, folder: str, config: str, out: Path) -> dict:
    code = main(["batch", str(real_data / folder), "--config", str(EXAMPLES / config),
                 "--out", str(out), "--workers", "2"])
    manifest = json.loads((out / "manifest.json").read_text())
    statuses = {d: e["status"] for d, e in manifest["districts"].items()}
    assert code == 0, {d: s for d, s in statuses.items() if s != "ok"}
    return statuses


def _metrics(out: Path) -> pd.DataFrame:
    frame = pd.read_csv(out / "metrics.csv", keep_default_na=False, na_values=[""],
                        dtype={"district_id": str, "school_id": str}, low_memory=False)
    frame["school_id"] = frame["school_id"].fillna("")
    return frame


def test_nyc_segregation_audit_per_community_district(real_data, tmp_path):
    statuses = _batch(real_data, "nyc_school_demographics", "nyc.yml", tmp_path)
    assert len(statuses) == 35
    published = _metrics(tmp_path)
    d = published[(published["measure"] == "dissimilarity") & (published["group"] == "Black")
                  & (published["comparison"] == "White")]
    raw = pd.read_csv(real_data / "nyc_school_demographics" / "school-demographics.csv")
    year = raw["year"].astype(str).str[:4].astype(int)
    checked = 0
    for row in d.itertuples():
        schools = raw[(raw["district"].astype(str) == str(row.district_id))
                      & (year == row.school_year)].drop_duplicates()
        black, white = schools["black_n"].astype(float), schools["white_n"].astype(float)
        expected = 0.5 * np.abs(black / black.sum() - white / white.sum()).sum()
        assert row.value == pytest.approx(expected, abs=1e-9), (row.district_id, row.school_year)
        checked += 1
    assert checked == 35 * 5


def test_crdc_discipline_audit_every_district(real_data, tmp_path):
    statuses = _batch(real_data, "crdc_title1_montessori", "crdc_montessori.yml", tmp_path)
    assert len(statuses) == 124
    published = _metrics(tmp_path)
    oss = published[(published["outcome"] == "oss") & (published["measure"] == "rate")
                    & (published["dimension"] == "race_ethnicity")]
    shown = oss[~oss["suppressed"]]
    assert len(shown) > 0
    # A published rate has a number, unless the publisher suppressed the cell ("-" in CRDC):
    # then it is missing with that reason, never zero; so is a group with no students.
    missing = shown[shown["value"].isna()]
    assert missing["note"].str.contains("suppressed at source|no students").all(), missing["note"]


def test_albemarle_audit_from_public_data(real_data, tmp_path):
    statuses = _batch(real_data, "virginia_albemarle", "albemarle.yml", tmp_path)
    assert statuses == {"2": "ok"}
    findings = json.loads((tmp_path / "2" / "findings.json").read_text())
    assert findings, "Albemarle's published data shows disparities"
    html = (tmp_path / "2" / "audit.html").read_text(encoding="utf-8")
    assert "built from published counts" in html.lower()
