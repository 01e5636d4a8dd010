"""``--by-school`` and ``report.by_school``: parsed, passed on only when asked for, and the
school reports' folder counts as equitykit's own (a rerun replaces it) unless something else
is in it."""

from __future__ import annotations

import json

import pytest

from equitykit.cli import _parser
from equitykit.config import load_config
from equitykit.errors import ConfigError
from equitykit.execute._index import render_index
from equitykit.execute._run import (
    STAMP,
    DistrictResult,
    _foreign_entries,
    district_files,
    district_parameters,
)


@pytest.mark.parametrize("command", ["audit", "batch"])
def test_the_flag_is_parsed(command):
    base = [command, "data", "--out", "out"] + (["--district", "D01"] if command == "audit"
                                                else [])
    assert _parser().parse_args([*base, "--by-school"]).by_school is True
    assert _parser().parse_args(base).by_school is False


def test_the_config_key(tmp_path):
    path = tmp_path / "client.yml"
    path.write_text("report:\n  by_school: true\n", encoding="utf-8")
    assert load_config(path).report.by_school is True
    assert load_config(None).report.by_school is False
    path.write_text("report:\n  by_school: 'yes'\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(path)


def test_parameters_and_files_change_only_when_asked_for(tmp_path):
    plain = district_parameters(tmp_path, "D01", None, None)
    assert "by_school" not in plain  # a run without school reports passes what it always did
    assert district_parameters(tmp_path, "D01", None, None, True)["by_school"] is True
    assert "schools" not in district_files()
    assert district_files(by_school=True)["schools"] == "schools/index.html"


def _district(folder, extra=()):
    files = ["audit.html", "metrics.csv", "schools/index.html", "schools/S1/audit.html",
             "schools/schools.json", STAMP]
    for name in files[:-1]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x", encoding="utf-8")
    (folder / STAMP).write_text(json.dumps({"key": {}, "result": {}, "files": files}),
                                encoding="utf-8")
    for name in extra:
        (folder / name).write_text("mine", encoding="utf-8")
    return folder


def test_the_school_reports_are_equitykits_own(tmp_path):
    assert _foreign_entries(_district(tmp_path)) == []


@pytest.mark.parametrize("extra", ["schools/notes.txt", "schools/S1/notes.txt"])
def test_a_file_someone_added_to_the_school_reports_is_foreign(tmp_path, extra):
    assert _foreign_entries(_district(tmp_path, [extra])) == ["schools"]


def test_a_link_in_the_school_reports_is_foreign(tmp_path):
    folder = _district(tmp_path)
    (folder / "schools" / "S2").symlink_to(tmp_path.parent)
    assert _foreign_entries(folder) == ["schools"]


def test_the_batch_index_links_the_school_reports(tmp_path):
    result = DistrictResult("D01", "ok", folder="D01", outputs={
        "html": "D01/audit.html", "findings": "D01/findings.json",
        "schools": "D01/schools/index.html"})
    page = render_index([result], tmp_path, title="Audit")
    assert '<a href="D01/schools/index.html">school reports</a>' in page
