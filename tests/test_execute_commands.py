"""The audit and batch commands: exit status and what they print (CONTRACT §3)."""

from __future__ import annotations

import pytest
from _execute_data import FIXTURE_NOTEBOOK, write_students

from equitykit import cli
from equitykit.execute import _run


@pytest.fixture
def fixture_notebook(monkeypatch):
    monkeypatch.setattr(_run, "default_notebook", lambda: FIXTURE_NOTEBOOK)


def test_batch_command_exit_3_and_last_line_is_the_index(tmp_path, capsys, fixture_notebook):
    write_students(tmp_path / "data", corrupt="D3")
    code = cli.main(["batch", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
                     "--workers", "2"])
    assert code == 3
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == str(tmp_path / "out" / "index.html")
    assert lines[-2] == "2 of 3 districts complete (0 unchanged, skipped); not complete: D3 " \
                        "(see manifest.json)"


def test_batch_command_unknown_district_is_a_usage_error(tmp_path, capsys, fixture_notebook):
    write_students(tmp_path / "data")
    code = cli.main(["batch", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
                     "--districts", "D1,D7"])
    assert code == 2
    assert "unknown district(s) D7" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_audit_command_one_district(tmp_path, capsys, fixture_notebook):
    write_students(tmp_path / "data", corrupt="D2")
    args = ["audit", str(tmp_path / "data"), "--out", str(tmp_path / "out")]
    assert cli.main([*args, "--district", "D1"]) == 0
    assert capsys.readouterr().out.strip().endswith(str(tmp_path / "out" / "D1" / "audit.html"))
    assert cli.main([*args, "--district", "D2"]) == 1
    assert "column 'days_absent'" in capsys.readouterr().err
    assert not (tmp_path / "out" / "D2").exists()


def test_batch_command_all_districts_invalid_is_exit_1(tmp_path, fixture_notebook):
    write_students(tmp_path / "data")
    config = tmp_path / "client.yml"
    config.write_text("data:\n  columns:\n    students:\n      race_ethnicity: grade\n")
    code = cli.main(["batch", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
                     "--config", str(config), "--workers", "1"])
    assert code == 1
