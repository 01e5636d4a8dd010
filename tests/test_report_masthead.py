"""The masthead and <title> name the client, the district and the year; the batch index lists
district names; provenance prints the data folder's name, never a local path."""

from __future__ import annotations

import html
import json

import nbformat

from equitykit.config import AuditConfig
from equitykit.execute import DistrictResult
from equitykit.execute._index import render_index
from equitykit.report import notebook_to_html
from equitykit.report._sections import provenance, summary

CONFIG = AuditConfig(title="Equity audit", client="Acme <Consulting>",
                     district_names={"D02": "Riverside Unified"})


def _page(**kwargs) -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Summary")])
    return notebook_to_html(notebook, config=CONFIG, **kwargs)


def test_title_and_masthead_name_client_district_and_year():
    page = _page(district_id="D02", school_year=2023)
    assert ("<title>Equity audit · Riverside Unified (D02) · 2023–24 school year · "
            "Acme &lt;Consulting&gt;</title>") in page
    assert '<p class="ek-client">Acme &lt;Consulting&gt;</p>' in page
    assert ('<p class="ek-subtitle">Riverside Unified (D02) · 2023–24 school year</p>'
            in page)


def test_a_district_without_a_name_is_shown_by_its_id():
    page = _page(district_id="D07", school_year=2021)
    assert "<title>Equity audit · District D07 · 2021–22 school year" in page
    assert CONFIG.district_name("D07") == "District D07"


def test_index_lists_district_names(tmp_path):
    (tmp_path / "D02").mkdir()
    (tmp_path / "D02" / "findings.json").write_text(json.dumps([]))
    results = [DistrictResult("D02", "ok", outputs={"findings": "D02/findings.json",
                                                    "html": "D02/audit.html"}),
               DistrictResult("D03", "failed", error={"cell": 1, "name": "E", "message": "m"})]
    page = render_index(results, tmp_path, title="Audit", names={"D02": "Riverside <U>"})
    assert "<td>Riverside &lt;U&gt; (D02)</td>" in page
    assert "<td>D03</td>" in page


def test_provenance_prints_no_local_path(sample_audit):
    audit = sample_audit("D01")
    data_dir = audit.parameters["data_dir"]
    assert data_dir.startswith("/")  # the audit ran on an absolute path
    text = html.unescape(provenance(audit))
    assert data_dir not in text
    assert "<td>Data folder</td><td>data_samples</td>" in text
    assert "<td>Config file</td><td>none (the defaults)</td>" in text
    assert "<td>School year audited</td><td>2023–24</td>" in text
    for name, sha in audit.data.files.items():  # each input file can be checked on its own
        assert f"{name}: <code>{sha}</code>" in text
    assert audit.provenance()["input_sha256"] in text
    assert "This audit covers District D01 in the" in html.unescape(summary(audit))


def test_masthead_year_comes_from_the_metrics_or_is_left_out(tmp_path):
    from equitykit.execute._run import _audited_year

    cases = {"district_id,school_year\nD1,2021\nD1,2023\n": 2023, "x,y\n1,2\n": None, "": None,
             "school_year\nabc\n": None}
    for i, (text, year) in enumerate(cases.items()):
        (tmp_path / f"{i}.csv").write_text(text)
        assert _audited_year(tmp_path / f"{i}.csv") == year
