"""A config's ``notebook`` is code: it must be kept beside the config, and every command that
would run it says so first."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from _execute_data import FIXTURE_NOTEBOOK, write_students

from equitykit import cli
from equitykit.config import load_config
from equitykit.errors import ConfigError

NOTICE = "This config runs its own audit notebook: {path} (a notebook is code: run it only if " \
         "you trust who wrote the config)"
OUTSIDE = "must be a relative path inside the config file's folder"


@pytest.fixture
def client(tmp_path) -> Path:
    """``client/`` holding ``client_audit.ipynb``; ``elsewhere/other.ipynb`` outside it."""
    for folder, name in (("client", "client_audit.ipynb"), ("elsewhere", "other.ipynb")):
        (tmp_path / folder).mkdir()
        shutil.copy(FIXTURE_NOTEBOOK, tmp_path / folder / name)
    return tmp_path / "client"


def _config(client: Path, notebook: str) -> Path:
    config = client / "client.yml"
    config.write_text(f"notebook: {notebook!r}\n", encoding="utf-8")
    return config


def _outside_paths(client: Path) -> dict[str, str]:
    os.symlink(client.parent / "elsewhere" / "other.ipynb", client / "link.ipynb")
    os.symlink(client.parent / "elsewhere", client / "linked-folder")
    return {
        "absolute": str(client.parent / "elsewhere" / "other.ipynb"),
        "absolute-inside": str(client / "client_audit.ipynb"),
        "parent": "../elsewhere/other.ipynb",
        "down-and-back": "sub/../client_audit.ipynb",
        "link-to-a-file-outside": "link.ipynb",
        "link-to-a-folder-outside": "linked-folder/other.ipynb",
    }


@pytest.mark.parametrize("case", ["absolute", "absolute-inside", "parent", "down-and-back",
                                  "link-to-a-file-outside", "link-to-a-folder-outside"])
def test_a_notebook_outside_the_configs_folder_is_refused(case, client, capsys):
    config = _config(client, _outside_paths(client)[case])
    with pytest.raises(ConfigError, match=OUTSIDE):
        load_config(config)
    write_students(client.parent / "data")
    out = client.parent / "out"
    for args in (["validate", client.parent / "data"],
                 ["audit", client.parent / "data", "--district", "D1", "--out", out],
                 ["batch", client.parent / "data", "--out", out]):
        assert cli.main([str(a) for a in (*args, "--config", config)]) == 1
        captured = capsys.readouterr()
        assert "client.yml: notebook: " in captured.err and OUTSIDE in captured.err
        assert "Traceback" not in captured.err and "This config runs" not in captured.out
    assert not out.exists()


def test_a_link_kept_inside_the_folder_is_accepted(client):
    (client / "nb").mkdir()
    os.symlink(client / "client_audit.ipynb", client / "nb" / "latest.ipynb")
    assert load_config(_config(client, "nb/latest.ipynb")).notebook == (
        client / "nb" / "latest.ipynb")


def test_validate_says_the_config_runs_its_own_notebook(client, capsys):
    write_students(client.parent / "data")
    config = _config(client, "client_audit.ipynb")
    assert cli.main(["validate", str(client.parent / "data"), "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == NOTICE.format(path=(client / "client_audit.ipynb").resolve())


def test_validate_without_a_config_notebook_says_nothing_of_it(client, capsys):
    write_students(client.parent / "data")
    config = client / "client.yml"
    config.write_text("title: Client\n", encoding="utf-8")
    assert cli.main(["validate", str(client.parent / "data"), "--config", str(config)]) == 0
    assert "This config runs" not in capsys.readouterr().out


@pytest.mark.parametrize("command", ["audit", "batch"])
def test_audit_and_batch_say_it_before_running(command, client, capsys):
    write_students(client.parent / "data")
    config = _config(client, "client_audit.ipynb")
    args = [command, str(client.parent / "data"), "--out", str(client.parent / "out"),
            "--config", str(config),
            *(["--district", "D1"] if command == "audit" else ["--districts", "D1",
                                                                "--workers", "1"])]
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert NOTICE.format(path=(client / "client_audit.ipynb").resolve()) in err
    # --notebook wins over the config's: the config's notebook does not run, nothing is said
    assert cli.main([*args, "--notebook", str(FIXTURE_NOTEBOOK)]) == 0
    assert "This config runs" not in capsys.readouterr().err
