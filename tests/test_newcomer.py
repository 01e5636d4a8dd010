"""A newcomer's first hour, from a clean clone: the README's setup, the demo, the explorer and
the audit notebook, exactly as the README says (its commands are read from the README, from the
fenced block after each ``<!-- newcomer:NAME -->`` marker, so they cannot drift).

The clone is ``git clone --local`` of this repository's HEAD, so commit before running.
Screenshots and the times of each step go to test-artifacts/newcomer/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _servers import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM, free_port, serving

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "newcomer"
TIMEOUT_MS = 120_000
TIMES: dict[str, float] = {}

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]


def readme_block(name: str, readme: Path = REPO / "README.md") -> str:
    """The commands of the fenced block right after ``<!-- newcomer:name -->``."""
    found = re.search(rf"<!-- newcomer:{name} -->\s*```bash\n(.*?)```", readme.read_text(),
                      re.DOTALL)
    assert found, f"README.md has no block marked <!-- newcomer:{name} -->"
    return found.group(1)


def _env() -> dict[str, str]:
    """A newcomer's shell: no virtualenv active, no PYTHONPATH, no explorer data override."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "EQUITYKIT_DATA"}
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if not p.startswith(sys.prefix))
    return {**{k: v for k, v in os.environ.items() if k not in drop}, "PATH": path}


def _bash(script: str, cwd: Path, name: str, timeout: float = 1800) -> str:
    start = time.monotonic()
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=timeout, check=False)
    TIMES[name] = round(time.monotonic() - start, 1)
    (ARTIFACTS / f"{name}.log").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}"
    return done.stdout


def _record_times() -> None:
    (ARTIFACTS / "times.json").write_text(json.dumps(TIMES, indent=2) + "\n")
    print("newcomer timings (s):", TIMES)


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A clean clone after the README's setup block (which runs the demo)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    root = tmp_path_factory.mktemp("newcomer") / "equitykit"
    _bash(f"git clone -q --local {REPO} {root}", REPO, "clone")
    out = _bash(readme_block("setup"), root, "setup_and_demo")
    yield root, out
    _record_times()


def test_setup_runs_the_demo_and_says_what_next(clone):
    root, out = clone
    index = root / "equitykit-demo" / "index.html"
    assert index.is_file() and "3 of 3 districts complete" in out
    assert f"open {index}" in out
    assert "jupyter lab" in out and "notebooks/district_audit.ipynb" in out
    assert "equitykit explore --app" in out
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True,
                            text=True, check=True).stdout
    assert status == "", f"the demo left untracked files: {status}"


def test_commands_run_with_and_without_activation(clone):
    root, _ = clone
    assert "--no-browser" in _bash(".venv/bin/equitykit explore --help", root, "explore_help")
    assert "--app" in _bash("source .venv/bin/activate && equitykit explore --help", root,
                            "explore_help_activated")


def test_plain_papermill_on_the_template(clone):
    root, _ = clone
    _bash("source .venv/bin/activate\n" + readme_block("papermill"), root, "papermill")
    assert (root / "out.ipynb").stat().st_size > 10_000


def test_explore_starts_jupyterlab_even_as_root(clone):
    root, _ = clone
    port = free_port()
    with serving([str(root / ".venv/bin/equitykit"), "explore", "--no-browser",
                  "--port", str(port)], port, ARTIFACTS / "explore_lab.log", env=_env(),
                 cwd=root):
        pass


@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_explorer_app_in_a_browser(clone):
    from playwright.sync_api import sync_playwright

    root, _ = clone
    port = free_port()
    command = [*readme_block("explore").split(), "--no-browser", "--port", str(port)]
    command[0] = str(root / ".venv" / "bin" / command[0])
    start = time.monotonic()
    with serving(command, port, ARTIFACTS / "voila.log", env=_env(), cwd=root) as url, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url, timeout=TIMEOUT_MS)
        page.wait_for_selector(".ek-sentence", timeout=TIMEOUT_MS)
        page.wait_for_selector(".ek-explorer img", timeout=TIMEOUT_MS)
        TIMES["explorer_open"] = round(time.monotonic() - start, 1)
        page.screenshot(path=ARTIFACTS / "explorer.png", full_page=True)
        assert page.locator(".ek-sentence").first.text_content().strip()
        browser.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_audit_notebook_in_jupyterlab_in_a_browser(clone):
    from playwright.sync_api import sync_playwright

    root, _ = clone
    port = free_port()
    lab = [str(root / ".venv/bin/jupyter"), "lab", "--no-browser", "--allow-root",
           f"--port={port}", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token="]
    start = time.monotonic()
    with serving(lab, port, ARTIFACTS / "jupyterlab.log", env=_env(), cwd=root) as url, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + "lab/tree/notebooks/district_audit.ipynb", timeout=TIMEOUT_MS)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT_MS)
        page.wait_for_selector("text=DistrictAudit.compute", timeout=TIMEOUT_MS)
        page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=TIMEOUT_MS)
        TIMES["jupyterlab_open"] = round(time.monotonic() - start, 1)
        page.screenshot(path=ARTIFACTS / "jupyterlab.png")
        browser.close()
