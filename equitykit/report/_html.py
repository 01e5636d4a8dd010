"""HTML export through nbconvert with equitykit's template (``templates/equitykit``).

The page is self-contained: the stylesheet and the logo are inlined, figures are embedded PNGs
(printed at the width they are drawn at, ``--figure-width``), and no script or stylesheet is
referenced from any URL. Inputs (code) are excluded, and so are the cells tagged
``section:<name>`` of a section the config leaves out. The notebook's ``##`` headings are the
page's contents.
"""

from __future__ import annotations

import base64
import functools
import html
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from .. import __version__
from .._logo import read_logo
from .._words import year_label
from ..config import AuditConfig
from ._figures import FIGURE_WIDTH

__all__ = ["TEMPLATES_DIR", "notebook_to_html", "warm_exporter"]

_RESOURCES = Path(__file__).resolve().parents[1] / "resources"
#: The nbconvert templates: the top-level ``templates/`` folder, shipped in the package as
#: ``equitykit/resources/templates`` (a link in the source tree).
TEMPLATES_DIR = _RESOURCES / "templates"
_CSS = _RESOURCES / "report.css"
_TOC_MARK = "<!--EQUITYKIT-TOC-->"
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_TAGS = re.compile(r"<[^>]+>")
#: The "¶" link nbconvert puts after a markdown heading (an analyst's own sections).
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
#: Cell tag naming the report section a cell belongs to (``section:programmatic``).
SECTION_TAG = "section:"


def notebook_to_html(
    notebook: nbformat.NotebookNode, *, config: AuditConfig, district_id: str | None = None,
    school_year: int | None = None, subtitle: str | None = None,
) -> str:
    """Render an executed audit notebook as one self-contained HTML page with no code shown.

    Parameters
    ----------
    notebook : the executed notebook.
    config : the client config; gives the title, client name, district names, logo and accent
        colour.
    district_id, school_year : the audited district and year, named in the masthead and the
        page title ("Riverside Unified (D02) · 2023–24 school year").
    subtitle : the masthead's line under the title instead (a school report names the school).
    """
    about = subtitle if subtitle is not None else " · ".join(
        ([config.district_name(district_id)] if district_id is not None else [])
        + ([f"{year_label(school_year)} school year"] if school_year is not None else [])
    )
    resources = {
        "equitykit": {
            "title": config.title,
            "client": config.client,
            "subtitle": about,
            "accent_color": config.branding.accent_color,
            "figure_width": FIGURE_WIDTH,
            "logo_data_uri": _data_uri(config.branding.logo),
            "css": _CSS.read_text(encoding="utf-8"),
            "version": __version__,
            "min_n": config.privacy.min_n,
        }
    }
    shown = nbformat.NotebookNode({**notebook, "cells": [
        cell for cell in notebook.cells if _in_report(cell, config.shown_sections)]})
    body, _ = _exporter().from_notebook_node(shown, resources=resources)
    body = _ANCHOR_LINK.sub("", body)
    return body.replace(_TOC_MARK, _table_of_contents(body), 1)


def warm_exporter() -> None:
    """Compile the report template now (a batch does it once, before forking workers)."""
    _exporter().environment.get_template("index.html.j2")


@functools.cache
def _exporter() -> HTMLExporter:
    """One exporter per process: compiling the templates costs more than rendering a page."""
    return HTMLExporter(
        template_name="equitykit",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def _in_report(cell: nbformat.NotebookNode, sections: tuple[str, ...]) -> bool:
    """False for a cell of a section the config leaves out."""
    tags = cell.get("metadata", {}).get("tags", [])
    return all(t.removeprefix(SECTION_TAG) in sections for t in tags
               if isinstance(t, str) and t.startswith(SECTION_TAG))


def _table_of_contents(page: str) -> str:
    items = []
    for anchor, title in _H2.findall(page):
        text = _TAGS.sub("", title).strip()
        items.append(f'<li><a href="#{anchor}">{html.escape(text)}</a></li>')
    return "<ol>" + "".join(items) + "</ol>"


def _data_uri(path: Path | None) -> str:
    """The logo as a data URI; a logo that is not an image is an error, never dropped."""
    if path is None:
        return ""
    mime, data = read_logo(path)
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
