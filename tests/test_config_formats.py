"""Config ``report.formats``: checked like ``--format``, used when the command line gives no
``--format``, and overridden by it."""

from __future__ import annotations

import pytest
from _execute_data import FIXTURE_NOTEBOOK, write_students

from equitykit.cli import _parser
from equitykit.config import AuditConfig, load_config
from equitykit.errors import ConfigError
from equitykit.execute import run_batch


def test_default_is_html_and_names_are_read_like_the_option(tmp_path):
    assert AuditConfig().report.formats == ("html",)
    path = tmp_path / "c.yml"
    path.write_text("report: {formats: [Brief, docx]}\n", encoding="utf-8")
    assert load_config(path).report.formats == ("html", "docx", "brief")


@pytest.mark.parametrize(("text", "message"), [
    ("report: {formats: [html, word]}", "report.formats: Value error, unknown format 'word'"),
    ("report: {formats: []}", "report.formats: Value error, no format given"),
    ("report: {formats: pdf}", "report.formats: Value error, a list of formats"),
])
def test_a_bad_format_is_named(tmp_path, text, message):
    path = tmp_path / "c.yml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert message in str(err.value)


def test_without_the_option_the_config_decides():
    args = _parser().parse_args(["batch", "data", "--out", "out"])
    assert args.formats is None


def test_config_formats_apply_and_the_option_overrides_them(tmp_path):
    data = tmp_path / "data"
    write_students(data)
    config = tmp_path / "c.yml"
    config.write_text("report: {formats: [docx]}\n", encoding="utf-8")
    run = {"notebook": FIXTURE_NOTEBOOK, "workers": 1, "timeout": 120, "districts": ["D2"],
           "config_path": config}
    batch = run_batch(data, tmp_path / "out", **run)
    assert batch.districts[0].status == "ok"
    assert (tmp_path / "out" / "D2" / "audit.docx").is_file()
    plain = run_batch(data, tmp_path / "plain", formats=("html",), **run)
    assert plain.districts[0].status == "ok"
    assert not (tmp_path / "plain" / "D2" / "audit.docx").exists()
