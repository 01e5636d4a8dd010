"""HTML export through nbconvert with equitykit's template (``templates/equitykit``).

The page is self-contained: the stylesheet and the logo are inlined, figures are embedded SVGs,
and no script or stylesheet is referenced from any URL. Inputs (code) are excluded.
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


def notebook_to_html(
    notebook: nbformat.NotebookNode, *, config: AuditConfig, district_id: str | None = None,
    school_year: int | None = None,
) -> str:
    """Render an executed audit notebook as one self-contained HTML page with no code shown.

    Parameters
    ----------
    notebook : the executed notebook.
    config : the client config; gives the title, client name, district names, logo and accent
        colour.
    district_id, school_year : the audited district and year, named in the masthead and the
        page title ("Riverside Unified (D02) · 2023–24 school year").
    """
    about = " · ".join(
        ([config.district_name(district_id)] if district_id is not None else [])
        + ([f"{year_label(school_year)} school year"] if school_year is not None else [])
    )
    resources = {
        "equitykit": {
            "title": config.title,
            "client": config.client,
            "subtitle": about,
            "accent_color": config.branding.accent_color,
            "logo_data_uri": _data_uri(config.branding.logo),
            "css": _CSS.read_text(encoding="utf-8"),
            "version": __version__,
            "min_n": config.privacy.min_n,
        }
    }
    body, _ = _exporter().from_notebook_node(notebook, resources=resources)
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


def _table_of_contents(page: str) -> str:
    items = []
    for anchor, title in _H2.findall(page):
        text = _TAGS.sub("", _ANCHOR_LINK.sub("", title)).strip()
        items.append(f'<li><a href="#{anchor}">{html.escape(text)}</a></li>')
    return "<ol>" + "".join(items) + "</ol>"


def _data_uri(path: Path | None) -> str:
    """The logo as a data URI; a logo that is not an image is an error, never dropped."""
    if path is None:
        return ""
    mime, data = read_logo(path)
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
