"""The cells of a section the config leaves out (tag ``section:<name>``) are left out of the
report with its heading; untagged cells (an analyst's own) always stay."""

from __future__ import annotations

import nbformat
import pytest

from equitykit.config import AuditConfig
from equitykit.report import notebook_to_html, section


def _notebook() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell
    return nbformat.v4.new_notebook(cells=[
        cell("## Summary\n\nSUMMARY-TEXT", metadata={"tags": ["section:summary"]}),
        cell("## Climate and belonging\n\nCLIMATE-TEXT", metadata={"tags": ["section:climate"]}),
        cell("## For the board\n\nANALYST-TEXT"),
    ])


def test_left_out_sections_are_not_in_the_page_or_its_contents():
    config = AuditConfig(sections=("summary", "methods"))
    page = notebook_to_html(_notebook(), config=config)
    assert "SUMMARY-TEXT" in page and "ANALYST-TEXT" in page
    assert "CLIMATE-TEXT" not in page and "Climate and belonging" not in page
    contents = page[page.index('class="ek-toc"'):]
    assert ">Summary</a>" in contents and ">For the board</a>" in contents


def test_every_section_is_kept_by_default():
    page = notebook_to_html(_notebook(), config=AuditConfig())
    assert all(t in page for t in ("SUMMARY-TEXT", "CLIMATE-TEXT", "ANALYST-TEXT"))
    assert ">Climate and belonging</h2>" in page  # no "¶" anchor link left in a heading


def test_an_unknown_section_name_is_a_clear_error():
    with pytest.raises(ValueError, match="no report section 'climat'; the sections: summary"):
        section(object(), "climat")
