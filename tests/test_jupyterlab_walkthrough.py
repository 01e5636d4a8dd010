"""An analyst's walk-through in a real JupyterLab, driven through its UI in Chromium.

``equitykit new-notebook`` copies the template; JupyterLab opens the copy; the analyst types
into the cells (CodeMirror) a stricter finding threshold and another outcome for the school
chart, adds a markdown paragraph, runs all cells from the command palette and saves. The saved
notebook, rendered with the package's template, and ``equitykit audit --notebook`` on the copy
both show each change in the HTML. Screenshots go to test-artifacts/report11/.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.request import urlopen

import nbformat
import pytest
from _servers import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM, free_port, serving

from equitykit import cli
from equitykit._words import outcome_label
from equitykit.config import load_config
from equitykit.report import notebook_to_html
from equitykit.samples import sample_data_dir

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "report11"
TIMEOUT_MS = 120_000
RUN_TIMEOUT_MS = 900_000
PARAGRAPH = "The board asked us to read gifted identification first (paragraph JL-7319)."
NO_FINDINGS = "No disparity met the"


def _lab_env(home: Path) -> dict[str, str]:
    """The test's own JupyterLab settings and workspaces; the kernel imports this checkout."""
    return {**os.environ, "PYTHONPATH": str(REPO),
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}


def _cell(page, text: str):
    """The notebook cell whose source contains ``text``."""
    return page.locator(".jp-Notebook .jp-Cell").filter(has_text=text).first


def _retype(page, text: str, old: str, new: str) -> None:
    """Select the whole source of the code cell showing ``text`` and type it anew with
    ``old`` replaced by ``new``, as an analyst editing the cell."""
    editor = _cell(page, text).locator(".cm-content")
    source = editor.inner_text()
    assert old in source, source
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source.replace(old, new))
    page.keyboard.press("Escape")


def _assert_changes_shown(page: str) -> None:
    assert PARAGRAPH in page
    assert f"Schools: {outcome_label('gifted')} against school poverty" in page
    assert f"Schools: {outcome_label('oss')} against school poverty" not in page
    assert NO_FINDINGS in page  # the stricter threshold leaves no findings


@pytest.fixture(scope="module")
def saved_in_lab(tmp_path_factory) -> Path:
    """The copy after the analyst's session in JupyterLab (edited, run, saved)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    folder = tmp_path_factory.mktemp("lab")
    work = folder / "work"
    work.mkdir()
    copy = work / "client_audit.ipynb"
    assert cli.main(["new-notebook", str(copy)]) == 0
    port = free_port()
    lab = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
           f"--port={port}", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
           f"--ServerApp.root_dir={work}"]
    with serving(lab, port, ARTIFACTS / "jupyterlab_walkthrough.log",
                 env=_lab_env(folder), cwd=work) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + "lab/tree/client_audit.ipynb", timeout=TIMEOUT_MS)
        page.wait_for_selector("text=DistrictAudit.compute", timeout=TIMEOUT_MS)
        page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=TIMEOUT_MS)

        _retype(page, "rules = FindingRules(", "min_risk_ratio=1.25, min_effect_size=0.2",
                "min_risk_ratio=50.0, min_effect_size=50.0")
        _retype(page, 'report.school_chart(published, "oss"', '"oss"', '"gifted"')
        _cell(page, "## Programmatic equity").click()
        page.keyboard.press("Escape")
        for key in ("b", "m", "Enter"):  # new cell below, markdown, edit it
            page.keyboard.press(key)
        page.keyboard.insert_text(PARAGRAPH)
        page.keyboard.press("Escape")
        page.screenshot(path=ARTIFACTS / "lab_1_edited.png")

        page.keyboard.press("Control+Shift+c")  # the command palette
        page.keyboard.insert_text("Run All Cells")
        page.wait_for_selector(".lm-CommandPalette-item >> text=Run All Cells",
                               timeout=TIMEOUT_MS)
        page.keyboard.press("Enter")
        page.wait_for_function(
            """() => {
                const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                    .map(e => e.textContent.trim());
                return p.length > 0 && p.every(t => /^\\[\\d+\\]:$/.test(t));
            }""", timeout=RUN_TIMEOUT_MS, polling=2000)
        errors = page.locator(".jp-OutputArea-output[data-mime-type*='error']").count()
        assert errors == 0, "a cell raised in JupyterLab (see lab_2_ran.png)"
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        page.wait_for_function(
            "() => !document.querySelector('.jp-mod-current.jp-mod-dirty')",
            timeout=TIMEOUT_MS)
        _cell(page, PARAGRAPH).scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "lab_2_ran.png")

        # read back what JupyterLab saved (the contents API, reading only)
        with urlopen(url + "api/contents/client_audit.ipynb?content=1") as reply:
            saved = json.load(reply)["content"]
        browser.close()
    text = json.dumps(saved)
    assert "min_risk_ratio=50.0" in text and PARAGRAPH in text
    assert copy.read_text(encoding="utf-8").count("execution_count") > 10
    return copy


def test_saved_notebook_exports_with_the_changes(saved_in_lab, tmp_path):
    """The notebook as run and saved in JupyterLab, through the package's nbconvert template."""
    executed = nbformat.read(saved_in_lab, as_version=4)
    page = notebook_to_html(executed, config=load_config(None), district_id="D01")
    (ARTIFACTS / "lab_export.html").write_text(page, encoding="utf-8")
    _assert_changes_shown(page)


def test_audit_command_runs_the_copy_saved_in_lab(saved_in_lab, tmp_path):
    out = tmp_path / "out"
    assert cli.main(["audit", str(sample_data_dir()), "--district", "D01", "--out", str(out),
                     "--notebook", str(saved_in_lab)]) == 0
    page = (out / "D01" / "audit.html").read_text(encoding="utf-8")
    _assert_changes_shown(page)
    assert json.loads((out / "D01" / "findings.json").read_text(encoding="utf-8")) == []
