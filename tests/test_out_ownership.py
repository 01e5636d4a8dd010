"""equitykit replaces only what it wrote in the output folder.

A district folder ``OUT/<district>/`` is replaced only when it holds exactly what equitykit
wrote (a readable stamp and the files it records); anything a user added there makes that
district fail and nothing is deleted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _execute_data import write_notebook, write_students

from equitykit import cli
from equitykit.execute import _run

#: Writes the two outputs from the parameters alone (fast).
FAST_CELL = """\
import json
from pathlib import Path
import pandas as pd
pd.DataFrame({"district_id": [district_id], "measure": ["rate"], "value": [0.25]}).to_csv(
    Path(output_dir, "metrics.csv"), index=False)
Path(output_dir, "findings.json").write_text(json.dumps([{"title": district_id,
                                                           "statement": "planted"}]))
"""
REFUSED = "holds files equitykit did not write"


@pytest.fixture(scope="module", autouse=True)
def fast_notebook(tmp_path_factory):
    notebook = write_notebook(tmp_path_factory.mktemp("nb") / "fast.ipynb", FAST_CELL)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_run, "default_notebook", lambda: notebook)
        yield


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    write_students(folder, districts=("D01", "D02"))
    return folder


def _run_cli(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_files_a_user_added_to_a_district_folder_survive_a_rerun(data, tmp_path, capsys):
    out = tmp_path / "out"
    assert _run_cli(capsys, "audit", data, "--district", "D01", "--out", out)[0] == 0
    (out / "D01" / "my-notes.docx").write_bytes(b"\x00the consultant's notes\xff")
    (out / "D01" / "client-feedback").mkdir()
    (out / "D01" / "client-feedback" / "a.txt").write_text("feedback")
    before = _files(out / "D01")
    code, _, stderr = _run_cli(capsys, "audit", data, "--district", "D01", "--out", out)
    assert code != 0
    assert f"{REFUSED} (client-feedback, my-notes.docx)" in stderr
    assert "move them away or choose another --out" in stderr
    assert _files(out / "D01") == before


def test_a_folder_with_an_empty_stamp_is_not_equitykits(data, tmp_path, capsys, monkeypatch):
    """Refused before the notebook runs (it would fail the test with another message)."""
    def no_run(*args, **kwargs):
        raise AssertionError("the notebook ran")

    monkeypatch.setattr(_run.papermill, "execute_notebook", no_run)
    out = tmp_path / "out"
    (out / "D01").mkdir(parents=True)
    (out / "D01" / ".equitykit-stamp.json").write_text("{}")
    (out / "D01" / "thesis.tex").write_text("precious")
    before = _files(out / "D01")
    code, _, stderr = _run_cli(capsys, "audit", data, "--district", "D01", "--out", out)
    assert code != 0 and REFUSED in stderr and "thesis.tex" in stderr
    assert _files(out / "D01") == before


def test_only_the_district_with_foreign_files_fails_in_a_batch(data, tmp_path, capsys):
    out = tmp_path / "out"
    args = ("batch", data, "--out", out, "--workers", "1")
    assert _run_cli(capsys, *args)[0] == 0
    (out / "D01" / "my-notes.docx").write_text("notes")
    before = _files(out / "D01")
    code, stdout, _ = _run_cli(capsys, *args)
    assert code == 3 and "not complete: D01" in stdout
    manifest = json.loads((out / "manifest.json").read_text())["districts"]
    assert manifest["D01"]["status"] == "failed"
    assert f"{REFUSED} (my-notes.docx)" in manifest["D01"]["error"]["message"]
    assert manifest["D02"]["status"] == "ok"
    assert _files(out / "D01") == before


@pytest.mark.parametrize("legacy", [False, True], ids=["stamp", "stamp-without-files"])
def test_equitykits_own_folder_is_replaced(legacy, data, tmp_path, capsys):
    """A folder holding only what equitykit wrote is replaced (also one whose stamp predates
    the record of files: the outputs, the stamp and privacy.json are then equitykit's)."""
    out = tmp_path / "out"
    assert _run_cli(capsys, "audit", data, "--district", "D01", "--out", out)[0] == 0
    stamp_path = out / "D01" / ".equitykit-stamp.json"
    stamp = json.loads(stamp_path.read_text())
    assert stamp["files"] == sorted(p.name for p in (out / "D01").iterdir())
    if legacy:
        del stamp["files"]
        stamp_path.write_text(json.dumps(stamp))
    (out / "D01" / "metrics.csv").write_text("stale")
    assert _run_cli(capsys, "audit", data, "--district", "D01", "--out", out)[0] == 0
    assert (out / "D01" / "metrics.csv").read_text() != "stale"


TOP_CASES = {
    "metrics": {"metrics.csv": b"year,score\n2023,\xe9\n"},
    "index": {"index.html": b"<h1>my site</h1>"},
    "manifest-not-ours": {"manifest.json": b'{"name": "my-package"}'},
    "all-three": {"metrics.csv": b"a\n1\n", "index.html": b"<p>x</p>",
                  "manifest.json": b"not json"},
    "ours-without-districts": {"manifest.json": b'{"equitykit": "1.0"}'},
}


@pytest.mark.parametrize("files", TOP_CASES.values(), ids=TOP_CASES.keys())
def test_a_batch_refuses_to_overwrite_a_users_top_files(files, data, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    for name, content in files.items():
        (out / name).write_bytes(content)
    code, _, stderr = _run_cli(capsys, "batch", data, "--out", out, "--workers", "1")
    assert code == 2
    assert "which equitykit did not write" in stderr
    assert all(name in stderr for name in files)
    assert _files(out) == files  # nothing written, nothing removed
    assert sorted(p.name for p in out.iterdir()) == sorted(files)


def test_demo_refuses_to_overwrite_a_users_index(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<h1>my site</h1>")
    code, _, stderr = _run_cli(capsys, "demo", "--out", out, "--workers", "1")
    assert code == 2 and "index.html, which equitykit did not write" in stderr
    assert _files(out) == {"index.html": b"<h1>my site</h1>"}


def test_a_second_batch_into_equitykits_out_runs(data, tmp_path, capsys):
    out = tmp_path / "out"
    args = ("batch", data, "--out", out, "--workers", "1")
    assert _run_cli(capsys, *args)[0] == 0
    assert _run_cli(capsys, *args, "--resume")[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert {d["status"] for d in manifest["districts"].values()} == {"skipped"}
