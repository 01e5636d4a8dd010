"""A batch on a real (loopback) Dask cluster survives losing a worker mid-batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from _execute_data import DISTRICTS, slow_fixture, write_students

pytest.importorskip("distributed")

from equitykit.execute import run_batch

DASK = str(Path(sys.executable).with_name("dask"))


def _start(args, log):
    return subprocess.Popen([DASK, *args], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _wait(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two single-thread workers on 127.0.0.1; always torn down."""
    info = tmp_path / "scheduler.json"
    log = (tmp_path / "cluster.log").open("w")
    processes = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                         "--scheduler-file", str(info)], log)]
    try:
        _wait(info.exists, 60, "the scheduler did not start")
        address = json.loads(info.read_text())["address"]
        for name in ("w1", "w2"):
            processes.append(_start(["worker", address, "--host", "127.0.0.1", "--nthreads",
                                     "1", "--no-nanny", "--no-dashboard", "--name", name], log))
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, processes[1:]
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.mark.slow
def test_batch_completes_when_a_worker_is_killed(tmp_path, cluster):
    address, workers = cluster
    data, out = tmp_path / "data", tmp_path / "out"
    write_students(data)
    notebook = slow_fixture(tmp_path / "slow.ipynb", 3)
    result = {}
    batch = threading.Thread(target=lambda: result.update(batch=run_batch(
        data, out, scheduler=address, notebook=notebook, timeout=300)))
    batch.start()
    # the first district finishes; the others are running or queued on both workers
    _wait(lambda: any((out / d / ".equitykit-stamp.json").exists() for d in DISTRICTS), 120,
          "no district finished")
    os.killpg(workers[0].pid, signal.SIGKILL)
    batch.join(300)
    assert not batch.is_alive()
    done = result["batch"]
    assert [r.status for r in done.districts] == ["ok", "ok", "ok"]
    assert done.exit_code == 0
    manifest = json.loads(done.manifest.read_text())
    assert manifest["scheduler"] == address
    assert all((out / d / "audit.html").is_file() for d in DISTRICTS)
    assert not list(out.glob(".tmp-*"))
