"""--resume skips districts whose outputs are complete and current, and redoes the rest."""

from __future__ import annotations

import pandas as pd
from _execute_data import FIXTURE_NOTEBOOK, write_students

from equitykit.execute import run_batch


def _statuses(result):
    return {r.district_id: r.status for r in result.districts}


def test_resume_redoes_only_missing_and_stale_districts(tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    write_students(data)
    run = {"notebook": FIXTURE_NOTEBOOK, "workers": 2, "timeout": 120}
    assert _statuses(run_batch(data, out, **run)) == {"D1": "ok", "D2": "ok", "D3": "ok"}
    stamps = {d: (out / d / "audit.html").stat().st_mtime_ns for d in ("D1", "D2", "D3")}

    again = run_batch(data, out, resume=True, **run)
    assert _statuses(again) == {"D1": "skipped", "D2": "skipped", "D3": "skipped"}
    assert again.exit_code == 0
    assert {d: (out / d / "audit.html").stat().st_mtime_ns for d in stamps} == stamps

    # D3's outputs vanish; one of D1's rows changes in the shared students.csv
    (out / "D3" / "findings.json").unlink()
    students = pd.read_csv(data / "students.csv", dtype=str, keep_default_na=False)
    first_d1 = students.index[students["district_id"] == "D1"][0]
    students.loc[first_d1, "days_absent"] = "39"
    students.to_csv(data / "students.csv", index=False)

    third = run_batch(data, out, resume=True, **run)
    assert _statuses(third) == {"D1": "ok", "D2": "skipped", "D3": "ok"}
    assert (out / "D2" / "audit.html").stat().st_mtime_ns == stamps["D2"]
    assert (out / "D3" / "findings.json").is_file()
    stacked = pd.read_csv(out / "metrics.csv", dtype=str)
    assert list(stacked["district_id"].unique()) == ["D1", "D2", "D3"]


def test_a_changed_config_makes_every_district_stale(tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    write_students(data)
    config = tmp_path / "client.yml"
    config.write_text("title: First\n")
    run = {"notebook": FIXTURE_NOTEBOOK, "workers": 1, "districts": ["D2"], "config_path": config}
    assert _statuses(run_batch(data, out, **run)) == {"D2": "ok"}
    assert _statuses(run_batch(data, out, resume=True, **run)) == {"D2": "skipped"}
    config.write_text("title: Second\n")
    assert _statuses(run_batch(data, out, resume=True, **run)) == {"D2": "ok"}
    assert "Second" in (out / "index.html").read_text()
