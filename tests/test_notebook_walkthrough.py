"""An analyst's walk-through: copy the template, change a threshold, one figure and the prose,
run the copy with ``equitykit audit --notebook`` and with plain papermill, and find each change
in the HTML report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from equitykit import cli
from equitykit._words import outcome_label
from equitykit.config import load_config
from equitykit.report import notebook_to_html
from equitykit.samples import sample_data_dir

pytestmark = pytest.mark.slow

PARAGRAPH = "Ms Rivera asked the board to look at suspensions first (paragraph WT-5521)."
NO_FINDINGS = "No disparity met the"


def _edit_as_an_analyst(path: Path) -> None:
    """What an analyst does in JupyterLab: one threshold, one figure argument, one paragraph."""
    nb = nbformat.read(path, as_version=4)
    rules = next(c for c in nb.cells if "FindingRules(" in c.source and "rules =" in c.source)
    assert "min_risk_ratio=1.25" in rules.source
    rules.source = rules.source.replace("min_risk_ratio=1.25", "min_risk_ratio=50.0").replace(
        "min_effect_size=0.2", "min_effect_size=50.0")
    chart = next(c for c in nb.cells if 'report.school_chart(published, "oss"' in c.source)
    chart.source = chart.source.replace('"oss"', '"gifted"', 1)
    heading = next(i for i, c in enumerate(nb.cells)
                   if c.cell_type == "markdown" and c.source.startswith("## Programmatic"))
    nb.cells.insert(heading + 1, nbformat.v4.new_markdown_cell(PARAGRAPH))
    nbformat.write(nb, path)


def _assert_changes_shown(page: str, findings: list) -> None:
    assert PARAGRAPH in page
    assert f"Schools: {outcome_label('gifted')} against school poverty" in page
    assert f"Schools: {outcome_label('oss')} against school poverty" not in page
    assert NO_FINDINGS in page and findings == []


@pytest.fixture(scope="module")
def analysts_copy(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("analyst")
    copy = folder / "client_audit.ipynb"
    assert cli.main(["new-notebook", str(copy)]) == 0
    _edit_as_an_analyst(copy)
    return copy


def test_template_run_has_findings_and_the_oss_scatter(tmp_path):
    """The unedited template, for contrast: the edits below are what changes the page."""
    out = tmp_path / "out"
    assert cli.main(["audit", str(sample_data_dir()), "--district", "D01", "--out",
                     str(out)]) == 0
    page = (out / "D01" / "audit.html").read_text(encoding="utf-8")
    assert f"Schools: {outcome_label('oss')} against school poverty" in page
    assert NO_FINDINGS not in page
    assert json.loads((out / "D01" / "findings.json").read_text(encoding="utf-8"))


def test_equitykit_audit_runs_the_edited_copy(analysts_copy, tmp_path):
    out = tmp_path / "out"
    assert cli.main(["audit", str(sample_data_dir()), "--district", "D01", "--out", str(out),
                     "--notebook", str(analysts_copy)]) == 0
    page = (out / "D01" / "audit.html").read_text(encoding="utf-8")
    findings = json.loads((out / "D01" / "findings.json").read_text(encoding="utf-8"))
    _assert_changes_shown(page, findings)
    contents = page[page.index('class="ek-toc"'):]
    assert ">Programmatic equity</a>" in contents  # the notebook's headings are the contents


def test_plain_papermill_runs_the_edited_copy(analysts_copy, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "MPLBACKEND": "Agg"}
    run = subprocess.run(
        [sys.executable, "-m", "papermill", "--engine", "equitykit", "--no-progress-bar",
         str(analysts_copy), str(out / "audit.ipynb"), "-p", "data_dir", str(sample_data_dir()),
         "-p", "district_id", "D01", "-p", "output_dir", str(out)],
        capture_output=True, text=True, env=env, timeout=1200, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    executed = nbformat.read(out / "audit.ipynb", as_version=4)
    page = notebook_to_html(executed, config=load_config(None))
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    _assert_changes_shown(page, findings)
