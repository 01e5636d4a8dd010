"""``--format``: the list is checked, a format that cannot be made fails the district with a
sentence and writes nothing, ``--resume`` redoes a district written with other formats (and
index.html links each district's formats), the Word document maps the report's structure onto
named styles, and the number check catches a number that is not published."""

from __future__ import annotations

import io

import docx
import pandas as pd
import pytest
from _execute_data import FIXTURE_NOTEBOOK, write_students
from _report_numbers import non_statistics, published_numbers, unexplained_numbers

from equitykit.cli import main
from equitykit.config import AuditConfig
from equitykit.execute import run_batch, run_district
from equitykit.report import FORMATS, _browser, parse_formats
from equitykit.report._docx import audit_docx


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    write_students(folder)
    return folder


@pytest.mark.parametrize(("text", "formats"), [
    ("html", ("html",)), ("pdf", ("html", "pdf")), (" Brief ,docx,pdf", FORMATS),
    ("brief,brief", ("html", "brief"))])
def test_formats_are_parsed_in_order_with_html_always(text, formats):
    assert parse_formats(text) == formats


@pytest.mark.parametrize("command", [["audit", "data", "--district", "D1"], ["batch", "data"]])
def test_an_unknown_format_is_a_usage_error_naming_it(command, tmp_path, capsys):
    status = main([*command, "--out", str(tmp_path / "out"), "--format", "html,word"])
    assert status == 2
    err = capsys.readouterr().err
    assert "unknown format 'word'" in err and "html, pdf, docx, brief" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()
    assert main([*command, "--out", str(tmp_path / "out"), "--format", " , "]) == 2
    assert "no format given" in capsys.readouterr().err


def test_a_format_that_cannot_be_made_fails_the_district_and_writes_nothing(
        data, tmp_path, monkeypatch):
    monkeypatch.setenv("EQUITYKIT_CHROMIUM", str(tmp_path / "no-such-browser"))
    monkeypatch.setattr(_browser, "_BROWSER", None)  # no browser started yet
    result = run_district(data, "D1", tmp_path / "out", notebook=FIXTURE_NOTEBOOK, timeout=120,
                          formats=("html", "docx", "pdf"))
    assert result.status == "failed"
    assert result.error["name"] == "ConversionError"
    assert "no-such-browser" in result.error["message"]
    assert not (tmp_path / "out" / "D1").exists()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".tmp-")]


def test_resume_redoes_a_district_written_with_other_formats(data, tmp_path):
    out = tmp_path / "out"
    run = {"notebook": FIXTURE_NOTEBOOK, "workers": 1, "timeout": 120, "districts": ["D2"]}
    assert run_batch(data, out, **run).districts[0].status == "ok"
    assert not (out / "D2" / "audit.docx").exists()
    with_word = run_batch(data, out, resume=True, formats=("html", "docx"), **run)
    assert with_word.districts[0].status == "ok"
    assert with_word.districts[0].outputs["docx"] == "D2/audit.docx"
    assert (out / "D2" / "audit.docx").is_file()
    assert '<a href="D2/audit.docx">Word</a>' in (out / "index.html").read_text()
    again = run_batch(data, out, resume=True, formats=("html", "docx"), **run)
    assert again.districts[0].status == "skipped"
    (out / "D2" / "audit.docx").write_bytes(b"edited")
    assert run_batch(data, out, resume=True, formats=("html", "docx"),
                     **run).districts[0].status == "ok"


PAGE = """<!DOCTYPE html><html><head><title>t</title><style>p{}</style></head><body>
<header class="ek-masthead"><h1 class="ek-title">Equity audit</h1></header>
<nav class="ek-toc"><h2>Contents</h2><ol><li>Summary</li></ol></nav>
<main class="ek-report"><div class="cell"><div class="output_html">
<h2 id="summary">Summary<a class="anchor-link" href="#summary">¶</a></h2>
<p>Black students were <strong>4.2 times</strong> as likely.</p>
<h3>Headline findings</h3><ol><li>First</li><li>Second</li></ol><ul><li>A point</li></ul>
<p class="ek-note">A note.</p>
<table><caption>Rates by group</caption><thead><tr><th>group</th><th>rate</th></tr></thead>
<tbody><tr><td>Black students</td><td>14.7%</td></tr><tr><td colspan="2">all</td></tr></tbody>
</table>
<figure><img src="data:image/png;base64,{png}" alt="a chart"><figcaption>The chart.</figcaption>
</figure><img src="https://example.org/tracker.png" alt="never fetched">
<h4>Detail</h4><p>School\x0b\x01 North&#11;</p></div></div></main>
<footer class="ek-footer"><p>Prepared with equitykit.</p></footer></body></html>"""


def _png() -> str:
    import base64

    from matplotlib.figure import Figure

    buffer = io.BytesIO()
    Figure(figsize=(1, 1)).savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def test_word_document_uses_named_styles_for_the_reports_structure():
    config = AuditConfig(title="Equity audit", client="Riverbend")
    data = audit_docx(PAGE.replace("{png}", _png()), config=config, district="D9")
    document = docx.Document(io.BytesIO(data))
    styled = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert ("Heading 1", "Summary") in styled and ("Heading 2", "Headline findings") in styled
    assert ("Heading 3", "Detail") in styled
    assert ("Normal", "School North") in styled  # control characters Word cannot hold dropped
    assert ("List Number", "First") in styled and ("List Bullet", "A point") in styled
    assert ("Caption", "Rates by group") in styled and ("Caption", "The chart.") in styled
    assert ("Heading 1", "Contents") not in styled  # the HTML's list becomes a Word field
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert bold == ["4.2 times"]
    (table,) = document.tables
    assert table.style.name == "Light List Accent 1"
    assert [c.text for c in table.rows[1].cells] == ["Black students", "14.7%"]
    assert len(document.inline_shapes) == 1  # the embedded figure; the web address is not fetched
    assert document.core_properties.author == "Riverbend"
    assert document.sections[0].header.paragraphs[0].text == "Riverbend · Equity audit\tDistrict D9"


def test_the_number_check_catches_a_number_that_is_not_published():
    metrics = pd.DataFrame({
        "school_year": ["2023"], "value": ["4.220046"], "ci_low": ["2.832132"],
        "ci_high": ["6.288122"], "n": ["2000"], "numerator": [""], "p_value": [""],
        "q_value": [""], "display": ["14.7%"]})
    allowed = published_numbers(metrics) | non_statistics(metrics, pages=3)
    text = ("In 2023–24, 2,000 students: 4.2 times as likely (14.7%; 95% CI 2.83–6.29), "
            "page 2 of 3")
    assert unexplained_numbers(text, allowed) == []
    assert unexplained_numbers("4.3 times as likely, 14.8% and 2,001 students", allowed) == [
        "4.3", "14.8%", "2,001"]
    fingerprint = "SHA-256: " + "0123456789abcdef" * 2 + "\n" + "987654321abcdef0" * 2
    assert unexplained_numbers(f"python 3.11.7, pandas 3.1.1. {fingerprint}", allowed) == []
    assert unexplained_numbers('"/tmp/pytest-268/x.yml", 2023/', allowed) == []
    assert unexplained_numbers("gap -0.47 and −0.47", allowed) == ["-0.47"]


def test_word_document_names_the_district():
    config = AuditConfig(title="Equity audit", district_names={"D9": "Riverbend Unified"})
    document = docx.Document(io.BytesIO(audit_docx(PAGE.replace("{png}", _png()),
                                                   config=config, district="D9")))
    assert document.sections[0].header.paragraphs[0].text.endswith("\tRiverbend Unified (D9)")
    assert document.core_properties.subject == "Riverbend Unified (D9)"
