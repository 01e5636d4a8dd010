"""A batch killed mid-way leaves no partial file, and --resume finishes it identically."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from _execute_data import DISTRICTS, slow_fixture, wait_unlocked, write_students

from equitykit.execute import OUTPUT_FILES, run_batch

BATCH = ("import sys; from equitykit.execute import run_batch; "
         "run_batch(sys.argv[1], sys.argv[2], notebook=sys.argv[3], workers=1)")


def _wait_for(path, seconds, log):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} did not appear; log:\n{log.read_text()}"
        time.sleep(0.05)


@pytest.mark.slow
def test_killed_then_resumed_equals_uninterrupted(tmp_path):
    data = tmp_path / "data"
    write_students(data)
    notebook = slow_fixture(tmp_path / "slow.ipynb", 1.5)
    killed_out, clean_out = tmp_path / "killed", tmp_path / "clean"

    log = tmp_path / "batch.log"
    with log.open("w") as stderr:
        batch = subprocess.Popen([sys.executable, "-c", BATCH, str(data), str(killed_out),
                                  str(notebook)], start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        _wait_for(killed_out / "D1" / ".equitykit-stamp.json", 120, log)
        time.sleep(0.5)  # D2 is now mid-run
    finally:
        os.killpg(batch.pid, signal.SIGKILL)
        batch.wait()
        wait_unlocked(killed_out)  # its workers hold the folder's lock until they are gone

    for district in DISTRICTS:  # each final folder is complete or absent
        folder = killed_out / district
        if folder.exists():
            assert {p.name for p in folder.iterdir()} >= set(OUTPUT_FILES.values())
    assert not (killed_out / "D3").exists()
    assert not (killed_out / "manifest.json").exists()

    resumed = run_batch(data, killed_out, notebook=notebook, workers=2, resume=True)
    assert resumed.districts[0].status == "skipped"
    assert [r.status for r in resumed.districts[1:]] == ["ok", "ok"]
    assert not list(killed_out.glob(".tmp-*"))

    clean = run_batch(data, clean_out, notebook=notebook, workers=2)
    assert clean.exit_code == resumed.exit_code == 0
    for name in ("metrics.csv", *(f"{d}/{f}" for d in DISTRICTS
                                  for f in ("metrics.csv", "findings.json"))):
        assert (killed_out / name).read_bytes() == (clean_out / name).read_bytes(), name
