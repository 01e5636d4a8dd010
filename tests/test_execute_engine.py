"""The in-process engine records the same cell outputs as a Jupyter kernel."""

from __future__ import annotations

import sys

import nbformat
import papermill as pm
import pytest
from _execute_data import FIXTURE_NOTEBOOK, write_students

from equitykit.execute import ENGINES


def _run(notebook, tmp_path, engine, **parameters):
    out = tmp_path / engine
    out.mkdir(exist_ok=True)
    return pm.execute_notebook(
        notebook, out / "run.ipynb", parameters=parameters and {**parameters,
                                                                "output_dir": str(out)},
        engine_name=ENGINES[engine], progress_bar=False, request_save_on_cell_execute=False,
    )


def _comparable(output):
    """What a reader sees: the output type, stream text, and every MIME type's text."""
    seen = {"type": output.output_type, "name": output.get("name"), "text": output.get("text")}
    for mime, value in output.get("data", {}).items():
        seen[mime] = "<png>" if mime == "image/png" else value
    return seen


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("engines")
    write_students(tmp / "data")
    params = {"data_dir": str(tmp / "data"), "district_id": "D2"}
    return {e: _run(str(FIXTURE_NOTEBOOK), tmp, e, **params) for e in ("inprocess", "kernel")}


def test_same_outputs_as_the_kernel(runs):
    inproc, kernel = runs["inprocess"], runs["kernel"]
    assert len(inproc.cells) == len(kernel.cells)
    for a, b in zip(inproc.cells, kernel.cells, strict=True):
        if a.cell_type == "code":
            assert a.execution_count == b.execution_count
            assert [_comparable(o) for o in a.outputs] == [_comparable(o) for o in b.outputs]


def test_text_table_json_and_figure_are_captured(runs):
    outputs = [o for c in runs["inprocess"].cells if c.cell_type == "code" for o in c.outputs]
    kinds = {(o.output_type, mime) for o in outputs for mime in o.get("data", {"": 0})}
    assert ("stream", "") in kinds
    assert ("execute_result", "text/html") in kinds
    assert ("display_data", "application/json") in kinds
    assert ("display_data", "image/png") in kinds
    png = next(o.data["image/png"] for o in outputs if "image/png" in o.get("data", {}))
    import base64

    assert base64.b64decode(png).startswith(b"\x89PNG")
    nbformat.validate(runs["inprocess"])


def _notebook(tmp_path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return str(path)


@pytest.mark.parametrize("engine", ["inprocess", "kernel"])
def test_error_names_the_cell_exception_and_message(tmp_path, engine):
    path = _notebook(tmp_path, "x = 1", "print('before')\nraise KeyError('days_absent')",
                     "print('never')")
    with pytest.raises(pm.PapermillExecutionError) as info:
        _run(path, tmp_path, engine)
    assert (info.value.cell_index, info.value.exec_count) == (1, 2)
    assert (info.value.ename, info.value.evalue) == ("KeyError", "'days_absent'")
    executed = nbformat.read(tmp_path / engine / "run.ipynb", as_version=4)
    assert all("never" not in str(c.get("outputs")) for c in executed.cells)


def test_namespace_is_fresh_for_each_notebook(tmp_path):
    _run(_notebook(tmp_path, "left_behind = 42"), tmp_path, "inprocess")
    with pytest.raises(pm.PapermillExecutionError) as info:
        _run(_notebook(tmp_path, "left_behind"), tmp_path, "inprocess")
    assert info.value.ename == "NameError"


def test_main_module_is_restored_after_a_run(tmp_path):
    main = sys.modules["__main__"]
    _run(_notebook(tmp_path, "import __main__\nassert __main__.__dict__ is globals()"),
         tmp_path, "inprocess")
    assert sys.modules["__main__"] is main


def test_display_update_and_clear_output(tmp_path):
    nb = _run(_notebook(
        tmp_path,
        "from IPython.display import display, clear_output\n"
        "h = display('first', display_id=True)\nh.update('second')",
        "print('gone')\nclear_output()\nprint('kept')",
    ), tmp_path, "inprocess")
    assert nb.cells[0].outputs[0].data["text/plain"] == "'second'"
    assert [o.text for o in nb.cells[1].outputs] == ["kept\n"]
