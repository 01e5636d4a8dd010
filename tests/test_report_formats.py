"""Every delivered format for a sample district: the PDF, the Word document and the one-page
brief hold the report's headings, tables and figures, and every number in them is a published
metrics.csv value (or a known non-statistic)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import lxml.html
import pandas as pd
import pypdf
import pytest
from _report_numbers import (
    docx_text,
    non_statistics,
    pdf_text,
    published_numbers,
    unexplained_numbers,
)
from docx.oxml.ns import qn

from equitykit.cli import main
from equitykit.report import chromium_available
from equitykit.samples import sample_data_dir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed"),
]
CLIENT = "Riverbend Consulting"


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    """``equitykit audit --format html,pdf,docx,brief`` on sample district D01, branded."""
    from matplotlib.figure import Figure

    root = tmp_path_factory.mktemp("formats")
    figure = Figure(figsize=(2, 0.6))
    figure.text(0.1, 0.3, "RIVERBEND", fontsize=18)
    figure.savefig(root / "logo.png")
    (root / "client.yml").write_text(
        f"title: Equity audit\nclient: {CLIENT}\nbranding:\n  logo: logo.png\n"
        "  accent_color: '#7a1f5c'\n", encoding="utf-8")
    status = main(["audit", str(sample_data_dir()), "--district", "D01", "--out",
                   str(root / "out"), "--config", str(root / "client.yml"),
                   "--format", "html,pdf,docx,brief"])
    assert status == 0
    return root / "out" / "D01"


@pytest.fixture(scope="module")
def html_page(district):
    return lxml.html.parse(str(district / "audit.html")).getroot()


@pytest.fixture(scope="module")
def allowed(district) -> set[str]:
    metrics = pd.read_csv(district / "metrics.csv", dtype=str, keep_default_na=False)
    return published_numbers(metrics) | non_statistics(
        metrics, thresholds=(10, 20, 30), privacy=district / "privacy.json",
        findings=district / "findings.json")


def _headings(page, tag: str) -> list[str]:
    report = page.find_class("ek-report")[0]
    return [" ".join(h.text_content().split()) for h in report.iter(tag)]


def test_the_folder_holds_every_format_and_the_manifest_names_them(district):
    stamp = json.loads((district / ".equitykit-stamp.json").read_text())
    assert stamp["key"]["formats"] == ["html", "pdf", "docx", "brief"]
    assert set(stamp["result"]["outputs"]) >= {"html", "pdf", "docx", "brief"}
    for name in ("audit.pdf", "audit.docx", "brief.pdf"):
        assert name in stamp["files"] and (district / name).stat().st_size > 0


def test_pdf_is_paginated_with_the_headings_running_header_and_page_numbers(district, html_page):
    reader = pypdf.PdfReader(district / "audit.pdf")
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 1
    text = " ".join(" ".join(pages).split())
    for heading in _headings(html_page, "h2") + _headings(html_page, "h3"):
        assert heading in text, heading
    assert all(CLIENT in page and "District D01" in page for page in pages)
    assert all(f"page {i} of {len(pages)}" in page for i, page in enumerate(pages, 1))
    assert "Contents" in pages[0]
    assert reader.outline, "the PDF has bookmarks for its sections"
    images = sum(len(page.images) for page in reader.pages)
    assert images >= len(list(html_page.iter("img")))  # every figure, and the logo


def test_docx_has_the_headings_tables_figures_and_named_styles(district, html_page):
    document = docx.Document(str(district / "audit.docx"))
    by_style: dict[str, list[str]] = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Heading 1"] == _headings(html_page, "h2")
    assert by_style["Heading 2"] == _headings(html_page, "h3")
    tables = list(html_page.find_class("ek-report")[0].iter("table"))
    assert len(document.tables) == len(tables)
    assert {t.style.name for t in document.tables} == {"Light List Accent 1"}
    first = tables[0]
    assert [c.text for c in document.tables[0].rows[0].cells] == [
        " ".join(c.text_content().split()) for c in first.xpath(".//tr")[0]]
    captions = by_style["Caption"]
    assert next(" ".join(c.text_content().split()) for c in first.iter("caption")) in captions
    figures = len(list(html_page.find_class("ek-report")[0].iter("img")))
    assert len(document.inline_shapes) == figures + 1  # the figures and the logo
    alts = [" ".join((img.get("alt") or "").split())
            for img in html_page.find_class("ek-report")[0].iter("img")]
    described = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert [a for a in alts if a] == [d for d in described if d]  # each chart's alt text
    assert all(alts)
    # every table's header row repeats on each page
    assert all(t.rows[0]._tr.trPr is not None and t.rows[0]._tr.trPr.find(qn("w:tblHeader"))
               is not None for t in document.tables)
    assert document.core_properties.author == CLIENT
    assert document.core_properties.title == "Equity audit"
    assert "District D01" in document.sections[0].header.paragraphs[0].text


def test_brief_is_one_page_with_the_top_findings_and_a_chart(district):
    reader = pypdf.PdfReader(district / "brief.pdf")
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    findings = json.loads((district / "findings.json").read_text())
    assert findings[0]["title"] in text and findings[0]["statement"][:60] in text
    assert CLIENT.upper() in text.upper()
    assert "District D01 · 2023–24" in text  # the audited year, not a trend year
    assert len(reader.pages[0].images) >= 2  # the chart and the logo


def test_each_thread_prints_with_its_own_browser():
    """A Dask worker runs districts in threads; playwright's objects belong to one thread."""
    from concurrent.futures import ThreadPoolExecutor

    from equitykit.report._browser import print_pdf

    page = "<!DOCTYPE html><p>Page</p>"
    first = print_pdf(page)
    with ThreadPoolExecutor(max_workers=1) as pool:
        second = pool.submit(print_pdf, page).result()
    assert first.startswith(b"%PDF") and second.startswith(b"%PDF")
    assert len(pypdf.PdfReader(io.BytesIO(second)).pages) == 1


@pytest.mark.parametrize("name", ["audit.pdf", "audit.docx", "brief.pdf"])
def test_every_number_is_a_published_value(district, allowed, name):
    path = district / name
    text = docx_text(path) if path.suffix == ".docx" else pdf_text(path.read_bytes())
    assert unexplained_numbers(text, allowed) == []
