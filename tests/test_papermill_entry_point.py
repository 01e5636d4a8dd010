"""Plain ``papermill --engine equitykit`` finds the in-process engine through the
``papermill.engine`` entry point declared in pyproject.toml.

The entry points are put on the path as an installed package's metadata would be (a
``.dist-info`` folder written from pyproject.toml), so the declaration itself is what is tested,
whether or not the installed copy of equitykit is current.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from equitykit.execute import default_notebook
from equitykit.samples import sample_data_dir

REPO = Path(__file__).resolve().parents[1]


def _environment(tmp_path: Path) -> dict[str, str]:
    """The environment of a Python that sees pyproject.toml's entry points."""
    groups = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "entry-points"]
    info = tmp_path / "site" / "equitykit_entry_points-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: equitykit-entry-points\n"
                                   "Version: 0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
        for group, points in groups.items()), encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(info.parent)])}


def test_papermill_registers_the_engine_without_importing_it(tmp_path):
    """Every program importing papermill loads the entry point: it must stay light."""
    probe = ("import json, sys; from papermill.engines import papermill_engines as e; "
             "print(json.dumps([e.get_engine('equitykit').__module__, "
             "'equitykit.execute' in sys.modules]))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env=_environment(tmp_path), timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == ["equitykit._papermill", False]


@pytest.mark.slow
def test_plain_papermill_runs_the_template(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "papermill", "--engine", "equitykit", "--no-progress-bar",
         str(default_notebook()), str(out / "audit.ipynb"), "-p", "data_dir",
         str(sample_data_dir()), "-p", "district_id", "D01", "-p", "output_dir", str(out)],
        capture_output=True, text=True, env=_environment(tmp_path), timeout=1200, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    executed = nbformat.read(out / "audit.ipynb", as_version=4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("text/html" in o.get("data", {}) for o in outputs)
    # the in-process engine, not a kernel: it records only the Python version
    assert set(executed.metadata["language_info"]) == {"name", "version"}
    assert (out / "metrics.csv").is_file() and (out / "findings.json").is_file()
