"""notebooks/explore.ipynb runs headless: on a data folder named by EQUITYKIT_DATA, and with no
arguments at all on the shipped sample data."""

from __future__ import annotations

import nbformat
import papermill
import pytest
from nbclient import NotebookClient
from test_explorer_fixtures import write_tiny_data_dir

from equitykit.widgets import DATA_ENV
from equitykit.widgets._command import EXPLORE_NOTEBOOK

WIDGET = "application/vnd.jupyter.widget-view+json"


def _widget_outputs(notebook) -> list:
    return [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if WIDGET in o.get("data", {})]


@pytest.mark.slow
def test_runs_on_the_folder_named_by_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(write_tiny_data_dir(tmp_path / "data")))
    notebook = nbformat.read(EXPLORE_NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert len(_widget_outputs(notebook)) == 1
    assert not [o for c in notebook.cells for o in c.get("outputs", [])
                if o.get("output_type") == "error" or o.get("name") == "stderr"]


@pytest.mark.slow
def test_runs_with_no_arguments_on_the_sample_data(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(str(EXPLORE_NOTEBOOK), str(out), kernel_name="python3",
                               cwd=str(tmp_path), progress_bar=False)
    assert len(_widget_outputs(nbformat.read(out, as_version=4))) == 1
