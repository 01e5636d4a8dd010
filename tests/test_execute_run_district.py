"""run_district: a complete folder or nothing, with the error recorded (CONTRACT §4)."""

from __future__ import annotations

import json
import threading

import pytest
from _execute_data import FIXTURE_NOTEBOOK, write_notebook, write_students

from equitykit.errors import UsageError
from equitykit.execute import OUTPUT_FILES, run_district

WRITE_OUTPUTS = ("from pathlib import Path\n"
                 "Path(output_dir, 'metrics.csv').write_text('district_id\\n' + district_id)\n"
                 "Path(output_dir, 'findings.json').write_text('[]')")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    write_students(folder)
    return folder


def test_complete_folder_and_stamp(data, tmp_path):
    result = run_district(data, "D3", tmp_path, notebook=FIXTURE_NOTEBOOK, timeout=120)
    assert result.status == "ok" and result.error is None
    folder = tmp_path / "D3"
    assert {p.name for p in folder.iterdir()} == {*OUTPUT_FILES.values(), ".equitykit-stamp.json"}
    assert result.outputs == {k: f"D3/{v}" for k, v in OUTPUT_FILES.items()}
    assert "chronically absent" in (folder / "audit.html").read_text()
    stamp = json.loads((folder / ".equitykit-stamp.json").read_text())
    assert stamp["key"]["input_sha256"] == result.input_sha256
    assert stamp["key"]["parameters"]["district_id"] == "D3"
    assert list(tmp_path.iterdir()) == [folder]  # no temporary folder left behind


def test_failing_cell_is_recorded_and_nothing_is_written(data, tmp_path):
    notebook = write_notebook(tmp_path / "nb.ipynb", "x = 1",
                              "raise ValueError(f'no schools for {district_id}')", WRITE_OUTPUTS)
    out = tmp_path / "out"
    result = run_district(data, "D1", out, notebook=notebook)
    assert result.status == "failed"
    # cells: parameters, injected parameters, x = 1, the failing cell
    assert result.error == {"cell": 3, "execution_count": 4, "name": "ValueError",
                            "message": "no schools for D1"}
    assert not (out / "D1").exists()
    assert result.outputs == {"notebook": "failed/D1.ipynb"}
    assert "no schools for D1" in (out / "failed" / "D1.ipynb").read_text()
    assert sorted(p.name for p in out.iterdir()) == ["failed"]


def test_a_failed_rerun_keeps_the_previous_complete_outputs(data, tmp_path):
    good = write_notebook(tmp_path / "good.ipynb", WRITE_OUTPUTS)
    bad = write_notebook(tmp_path / "bad.ipynb", "1/0", WRITE_OUTPUTS)
    assert run_district(data, "D1", tmp_path / "out", notebook=good).status == "ok"
    before = (tmp_path / "out" / "D1" / "audit.html").read_bytes()
    assert run_district(data, "D1", tmp_path / "out", notebook=bad).status == "failed"
    assert (tmp_path / "out" / "D1" / "audit.html").read_bytes() == before
    assert run_district(data, "D1", tmp_path / "out", notebook=good).status == "ok"
    assert not (tmp_path / "out" / "failed" / "D1.ipynb").exists()


def test_notebook_that_writes_no_metrics_fails(data, tmp_path):
    notebook = write_notebook(tmp_path / "nb.ipynb", "x = 1")
    result = run_district(data, "D1", tmp_path / "out", notebook=notebook)
    assert result.status == "failed"
    assert result.error["message"] == (
        "the notebook ran but did not write metrics.csv into output_dir")
    assert not (tmp_path / "out" / "D1").exists()


@pytest.mark.parametrize("in_thread", [False, True], ids=["process-worker", "dask-thread"])
def test_timeout_stops_the_district(data, tmp_path, in_thread):
    notebook = write_notebook(tmp_path / "nb.ipynb", "import time\nfor _ in range(300):\n"
                              "    time.sleep(0.1)", WRITE_OUTPUTS)
    results = []

    def run():
        results.append(run_district(data, "D1", tmp_path / "out", notebook=notebook, timeout=1))

    if in_thread:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(20)
    else:
        run()
    [result] = results
    assert result.status == "failed"
    assert result.error["name"] == "DistrictTimeout"
    assert result.error["message"] == "the audit took longer than the 1 s time limit per district"
    assert not (tmp_path / "out" / "D1").exists()


def test_unknown_district_lists_the_valid_ones(data, tmp_path):
    with pytest.raises(UsageError, match=r"'D9' is not in .*: D1, D2, D3"):
        run_district(data, "D9", tmp_path, notebook=FIXTURE_NOTEBOOK)


def test_invalid_config_is_reported_before_execution(data, tmp_path):
    config = tmp_path / "client.yml"
    config.write_text("privacy:\n  min_n: -3\n")
    result = run_district(data, "D1", tmp_path / "out", config_path=config,
                          notebook=FIXTURE_NOTEBOOK)
    assert result.status == "invalid"
    assert "privacy.min_n" in result.problems[0]
    assert not (tmp_path / "out").exists()
