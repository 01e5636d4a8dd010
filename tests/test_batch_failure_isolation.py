"""A district whose data is corrupt fails alone; the others complete (CONTRACT §3–4)."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from _execute_data import DISTRICTS, FIXTURE_NOTEBOOK, write_students

from equitykit.execute import OUTPUT_FILES, run_batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("isolation")
    write_students(root / "data", corrupt="D2")
    progress = io.StringIO()
    result = run_batch(root / "data", root / "out", workers=2, notebook=FIXTURE_NOTEBOOK,
                       timeout=120, progress_stream=progress)
    return result, progress.getvalue()


def test_exit_status_is_3_and_the_others_complete(batch):
    result, _ = batch
    assert result.exit_code == 3
    assert [r.district_id for r in result.districts] == list(DISTRICTS)
    assert [r.status for r in result.districts] == ["ok", "invalid", "ok"]
    for district in ("D1", "D3"):
        assert {p.name for p in (result.out_dir / district).iterdir()} >= set(OUTPUT_FILES.values())
    assert not (result.out_dir / "D2").exists()
    assert not list(result.out_dir.glob(".tmp-*"))


def test_manifest_names_the_bad_column_and_row(batch):
    result, _ = batch
    manifest = json.loads(result.manifest.read_text())
    entry = manifest["districts"]["D2"]
    assert entry["status"] == "invalid"  # found by intake validation, before execution
    [problem] = entry["problems"]
    assert "students.csv, column 'days_absent', row 85" in problem
    assert entry["outputs"] == {} and entry["error"] is None
    assert manifest["exit_code"] == 3
    assert manifest["summary"] == {"ok": 2, "skipped": 0, "failed": 0, "invalid": 1, "stopped": 0}
    ok = manifest["districts"]["D1"]
    assert ok["outputs"]["html"] == "D1/audit.html"
    assert len(ok["input_sha256"]) == 64
    assert ok["parameters"]["district_id"] == "D1"
    assert ok["versions"]["equitykit"] == manifest["equitykit"]
    assert set(ok["durations"]) >= {"startup", "validate", "kernel", "compute", "figures", "html"}
    assert ok["duration"] >= sum(ok["durations"].values()) - 1e-6


def test_stacked_metrics_are_the_district_files_in_order(batch):
    result, _ = batch
    parts = [pd.read_csv(result.out_dir / d / "metrics.csv", dtype=str, keep_default_na=False)
             for d in ("D1", "D3")]
    stacked = pd.read_csv(result.out_dir / "metrics.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(stacked, pd.concat(parts, ignore_index=True))
    assert list(stacked["district_id"].unique()) == ["D1", "D3"]


def test_index_lists_every_district_with_findings_and_errors(batch):
    result, _ = batch
    page = result.index.read_text()
    findings = json.loads((result.out_dir / "D1" / "findings.json").read_text())
    assert findings[0]["title"] in page and findings[2]["statement"] in page
    assert findings[3]["statement"] not in page  # top 3 only
    assert 'href="D1/audit.html"' in page and 'href="D3/audit.html"' in page
    assert "column &#x27;days_absent&#x27;" in page  # the error, escaped
    assert "http://" not in page and "https://" not in page


def test_progress_prints_one_line_per_district_when_not_a_terminal(batch):
    _, progress = batch
    lines = progress.strip().splitlines()
    assert len(lines) == 3
    assert any("D2: invalid" in line and "days_absent" in line for line in lines)
