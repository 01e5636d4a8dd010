"""A client's customised audit notebook: started with ``equitykit new-notebook``, run with
``--notebook`` or the config key ``notebook``; the shipped template is never edited, and what
the analyst writes in the copy reaches the report."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from _execute_data import FIXTURE_NOTEBOOK, write_students

from equitykit import cli
from equitykit._notebooks import MAX_NOTEBOOK_BYTES, default_notebook, notebook_problem
from equitykit.config import load_config
from equitykit.errors import UsageError
from equitykit.execute import _run, audit_notebook
from equitykit.samples import sample_data_dir

SENTENCE = "The board asked about bus routes; sentence QX-7731 answers it."


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _customised(source: Path, target: Path) -> Path:
    """``source`` with an analyst's section added after the first code cell."""
    nb = nbformat.read(source, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_markdown_cell(f"## For the board\n\n{SENTENCE}"))
    nbformat.write(nb, target)
    return target


@pytest.fixture
def tiny_template(monkeypatch, tmp_path):
    """The fast fixture notebook stands in for the shipped template (a copy, to check it is
    never written)."""
    template = tmp_path / "template" / "tiny_audit.ipynb"
    template.parent.mkdir()
    shutil.copy(FIXTURE_NOTEBOOK, template)
    monkeypatch.setattr(_run, "default_notebook", lambda: template)
    return template


# ---------------------------------------------------------------- equitykit new-notebook


def test_new_notebook_copies_the_template(tmp_path, capsys):
    target = tmp_path / "client_audit.ipynb"
    before = _sha(default_notebook())
    assert cli.main(["new-notebook", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    copy, template = (nbformat.read(p, as_version=4) for p in (target, default_notebook()))
    assert [c.source for c in copy.cells[2:]] == [c.source for c in template.cells[2:]]
    parameters = next(c for c in copy.cells if "parameters" in c.metadata.get("tags", []))
    assert f"data_dir = {str(sample_data_dir())!r}" in parameters.source  # runs as it is
    assert notebook_problem(target) is None
    assert _sha(default_notebook()) == before


@pytest.mark.parametrize("name", ["exists.ipynb", "client.txt", "missing/client.ipynb"])
def test_new_notebook_refuses(name, tmp_path, capsys):
    existing = tmp_path / "exists.ipynb"
    existing.write_text("mine", encoding="utf-8")
    assert cli.main(["new-notebook", str(tmp_path / name)]) == 2
    assert "equitykit: " in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists.ipynb"]


# ---------------------------------------------------------------- which notebooks can run


def _untagged(path: Path) -> None:
    nb = nbformat.read(FIXTURE_NOTEBOOK, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("tags", None)
    nbformat.write(nb, path)


@pytest.mark.parametrize(("make", "reason"), [
    (lambda p: None, "not found"),
    (lambda p: p.mkdir(), "not a regular file (it is a folder)"),
    (lambda p: os.mkfifo(p), "not a regular file (it is a named pipe (FIFO))"),
    (lambda p: p.write_text("{not json", encoding="utf-8"), "not a Jupyter notebook"),
    (lambda p: p.write_text("[1, 2]", encoding="utf-8"), "not a Jupyter notebook"),
    (lambda p: p.write_bytes(b"\xff\xfe"), "not a Jupyter notebook"),
    (_untagged, 'no code cell is tagged "parameters"'),
    (lambda p: p.write_bytes(b" " * (MAX_NOTEBOOK_BYTES + 1)), "too large"),
])
def test_notebook_problems_in_words(make, reason, tmp_path):
    path = tmp_path / "client.ipynb"
    make(path)
    assert reason in notebook_problem(path)


def test_only_ipynb_files():
    assert notebook_problem(Path("client.py")) == "its name does not end in .ipynb"


def test_config_key_is_relative_to_the_config_and_checked(tmp_path):
    folder = tmp_path / "client"
    folder.mkdir()
    shutil.copy(FIXTURE_NOTEBOOK, folder / "client_audit.ipynb")
    config = folder / "client.yml"
    config.write_text("notebook: client_audit.ipynb\n", encoding="utf-8")
    assert load_config(config).notebook == folder / "client_audit.ipynb"
    config.write_text("notebook: ../elsewhere.ipynb\n", encoding="utf-8")
    assert cli.main(["validate", str(tmp_path), "--config", str(config)]) == 1


def test_bad_config_notebook_is_exit_1_naming_the_key(tmp_path, capsys):
    write_students(tmp_path / "data")
    config = tmp_path / "client.yml"
    config.write_text("notebook: notes.txt\n", encoding="utf-8")
    code = cli.main(["audit", str(tmp_path / "data"), "--district", "D1", "--out",
                     str(tmp_path / "out"), "--config", str(config)])
    assert code == 1
    assert "client.yml: notebook: " in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["audit", "batch"])
def test_bad_notebook_option_is_a_usage_error(command, tmp_path, capsys):
    write_students(tmp_path / "data")
    (tmp_path / "notes.ipynb").write_text("{}", encoding="utf-8")
    args = [command, str(tmp_path / "data"), "--out", str(tmp_path / "out"), "--notebook",
            str(tmp_path / "notes.ipynb")]
    assert cli.main([*args, *(["--district", "D1"] if command == "audit" else [])]) == 2
    assert "--notebook" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_option_wins_over_the_config_which_wins_over_the_template(tmp_path):
    mine, theirs = (shutil.copy(FIXTURE_NOTEBOOK, tmp_path / f"{n}.ipynb") for n in "ab")
    config = tmp_path / "client.yml"
    config.write_text("notebook: b.ipynb\n", encoding="utf-8")
    assert audit_notebook(mine, load_config(config)) == Path(mine).resolve()
    assert audit_notebook(None, load_config(config)) == Path(theirs).resolve()
    assert audit_notebook(None, load_config(None)) == default_notebook()
    with pytest.raises(UsageError, match="cannot be run"):
        audit_notebook(tmp_path / "none.ipynb", load_config(None))


# ---------------------------------------------------------------- running the copy


def test_audit_runs_the_copy_and_leaves_the_template_alone(tiny_template, tmp_path):
    write_students(tmp_path / "data")
    copy = _customised(tiny_template, tmp_path / "client_audit.ipynb")
    before = tiny_template.read_bytes()
    out = tmp_path / "out"
    assert cli.main(["audit", str(tmp_path / "data"), "--district", "D1", "--out", str(out),
                     "--notebook", str(copy)]) == 0
    assert tiny_template.read_bytes() == before
    assert SENTENCE in (out / "D1" / "audit.html").read_text(encoding="utf-8")
    stamp = json.loads((out / "D1" / ".equitykit-stamp.json").read_text(encoding="utf-8"))
    assert stamp["key"]["notebook_sha256"] == _sha(copy)


def test_batch_stamps_the_config_notebook_and_resume_notices_an_edit(tiny_template, tmp_path,
                                                                     capsys):
    write_students(tmp_path / "data")
    copy = _customised(tiny_template, tmp_path / "client_audit.ipynb")
    config = tmp_path / "client.yml"
    config.write_text("notebook: client_audit.ipynb\n", encoding="utf-8")
    args = ["batch", str(tmp_path / "data"), "--out", str(tmp_path / "out"), "--config",
            str(config), "--districts", "D1,D2", "--workers", "1", "--resume"]
    assert cli.main(args) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notebook"] == str(copy.resolve())
    assert SENTENCE in (tmp_path / "out" / "D2" / "audit.html").read_text(encoding="utf-8")
    assert cli.main(args) == 0
    assert "2 of 2 districts complete (2 unchanged, skipped)" in capsys.readouterr().out
    nb = nbformat.read(copy, as_version=4)
    nb.cells[2].source = nb.cells[2].source.replace("QX-7731", "QX-7732")
    nbformat.write(nb, copy)
    assert cli.main(args) == 0
    assert "(0 unchanged, skipped)" in capsys.readouterr().out
    assert "QX-7732" in (tmp_path / "out" / "D1" / "audit.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_analysts_copy_of_the_shipped_template_end_to_end(tmp_path):
    """new-notebook, add a paragraph, audit a sample district with it: the paragraph is in the
    report, under its own heading in the contents, and the shipped template is unchanged."""
    before = _sha(default_notebook())
    copy = tmp_path / "client_audit.ipynb"
    assert cli.main(["new-notebook", str(copy)]) == 0
    _customised(copy, copy)
    out = tmp_path / "out"
    assert cli.main(["audit", str(sample_data_dir()), "--district", "D01", "--out", str(out),
                     "--notebook", str(copy)]) == 0
    page = (out / "D01" / "audit.html").read_text(encoding="utf-8")
    assert SENTENCE in page
    assert '<li><a href="#For-the-board">For the board</a></li>' in page
    assert _sha(default_notebook()) == before
