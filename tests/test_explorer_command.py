"""``equitykit explore``: the server command, the data folder handed to the notebook, errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from equitykit import cli
from equitykit.errors import DataError, UsageError
from equitykit.widgets import DATA_ENV, default_data_dir, explore_command, server_command
from equitykit.widgets._command import EXPLORE_NOTEBOOK


class _Server:
    def __init__(self, args, env):
        self.args, self.env = args, env

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def runs(monkeypatch):
    calls = []

    def fake_popen(args, env):
        calls.append({"args": args, "env": env})
        return _Server(args, env)

    monkeypatch.setattr(subprocess, "Popen", fake_popen)
    return calls


def test_app_serves_voila_on_localhost(tmp_path, runs):
    assert explore_command(tmp_path, app=True, port=9123) == 0
    (call,) = runs
    assert call["args"][:3] == [sys.executable, "-m", "voila"]
    assert "--port=9123" in call["args"] and "--Voila.ip=127.0.0.1" in call["args"]
    assert call["args"][-1] == str(EXPLORE_NOTEBOOK)
    assert call["env"][DATA_ENV] == str(tmp_path.resolve())


def test_default_opens_jupyterlab(tmp_path, runs):
    explore_command(tmp_path)
    assert runs[0]["args"][1:3] == ["-m", "jupyterlab"]
    assert "--ServerApp.ip=127.0.0.1" in runs[0]["args"]


def test_cli_no_browser_and_port(tmp_path, runs):
    assert cli.main(["explore", str(tmp_path), "--no-browser", "--port", "9125"]) == 0
    assert "--no-browser" in runs[0]["args"] and "--port=9125" in runs[0]["args"]
    assert cli.main(["explore", str(tmp_path), "--app"]) == 0
    assert "--no-browser" not in runs[1]["args"]


def test_root_gets_allow_root_for_jupyterlab_only():
    assert "--allow-root" in server_command(app=False, as_root=True)
    assert "--allow-root" not in server_command(app=False, as_root=False)
    assert "--allow-root" not in server_command(app=True, as_root=True)  # Voila has no check


@pytest.mark.parametrize(("app", "module", "tool"),
                         [(True, "voila", "Voilà"), (False, "jupyterlab", "JupyterLab")])
def test_missing_server_says_how_to_install(tmp_path, runs, monkeypatch, capsys,
                                            app, module, tool):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == module else real(name, *a))
    with pytest.raises(UsageError, match=rf"(?s){tool} is not installed.*\[app\]"):
        explore_command(tmp_path, app=app)
    argv = ["explore", str(tmp_path), *(["--app"] if app else [])]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "pip install -e '.[app]'" in err and "Traceback" not in err
    assert runs == []


def test_cli_explore(tmp_path, runs):
    assert cli.main(["explore", str(tmp_path), "--app", "--port", "9124"]) == 0
    assert "--port=9124" in runs[0]["args"]


def test_missing_folder_is_a_data_error(tmp_path, runs):
    with pytest.raises(DataError, match="data folder not found"):
        explore_command(tmp_path / "nope")
    assert cli.main(["explore", str(tmp_path / "nope")]) == 1
    assert runs == []


def test_bad_port():
    with pytest.raises(UsageError, match="--port"):
        server_command(app=True, port=0)


def test_data_folder_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    assert default_data_dir() == tmp_path


def test_notebook_is_committed_clean():
    notebook = nbformat.read(EXPLORE_NOTEBOOK, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert len(code) <= 3 and all(len(c.source.splitlines()) <= 4 for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    assert Path(EXPLORE_NOTEBOOK).name == "explore.ipynb"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_explorer_stops_its_server(tmp_path, signum):
    """A supervisor's SIGTERM (or Ctrl-C) ends the server too, not only ``equitykit``."""
    pid_file = tmp_path / "server.pid"
    server = (f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); "
              "time.sleep(120)")
    script = ("import sys; from equitykit.widgets import _command as c; "
              f"c.server_command = lambda **_: [sys.executable, '-c', {server!r}]; "
              f"sys.exit(c.explore_command({str(tmp_path)!r}, app=True))")
    explorer = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline and explorer.poll() is None
        time.sleep(0.1)
    explorer.send_signal(signum)
    assert explorer.wait(timeout=30) == 0
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # the server has ended (and been reaped)
        os.kill(pid, 0)
