"""The audit as a paginated, branded PDF: ``audit.html`` printed by headless Chromium.

The page keeps its masthead (logo, client, title) and contents list on the first page; every
section follows on from the last; each page has a running header (client, title, district) and a
footer with the page number ("page 3 of 24").
"""

from __future__ import annotations

import html

from ..config import AuditConfig
from ._browser import print_pdf

__all__ = ["PAGE_MARGINS", "audit_pdf", "page_chrome"]

#: Paper margins; the header and footer sit inside the top and bottom ones.
PAGE_MARGINS = {"top": "18mm", "bottom": "16mm", "left": "16mm", "right": "16mm"}
#: Print-only adjustments to the report's own print style.
_PRINT_CSS = """<style>
@media print {
  .ek-toc { page-break-after: auto; break-after: auto; margin-bottom: 1rem; }
  .ek-toc ol { padding-left: 2rem; }
  .ek-masthead { padding: 0 0 .8rem; }
  .ek-footer { margin: 1rem 0 0; padding: .5rem 0 0; }
  figure { margin: .5rem 0; }
}
</style>"""
_BAND = ('<div style="font-family: Helvetica, Arial, sans-serif; font-size: 8pt; color: #4a5866; '
         'width: 100%; margin: 0 16mm; display: flex; justify-content: space-between; '
         'border-{edge}: 1px solid {accent}; padding-{pad}: 2px;">'
         '<span>{left}</span><span>{right}</span></div>')


def page_chrome(config: AuditConfig, district: str) -> tuple[str, str]:
    """The running header and footer templates (Chromium's ``pageNumber`` and ``totalPages``
    fill the page numbers)."""
    accent = config.branding.accent_color
    who = " · ".join(html.escape(t) for t in (config.client, config.title) if t)
    header = _BAND.format(edge="bottom", pad="bottom", accent=accent, left=who,
                          right=html.escape(config.district_name(district)))
    footer = _BAND.format(
        edge="top", pad="top", accent=accent, left=html.escape(config.client or config.title),
        right='page <span class="pageNumber"></span> of <span class="totalPages"></span>')
    return header, footer


def audit_pdf(page: str, *, config: AuditConfig, district: str) -> bytes:
    """Print the audit's HTML page (``notebook_to_html``) as a PDF.

    Raises
    ------
    ConversionError
        Chromium is missing or failed (the message says why).
    """
    header, footer = page_chrome(config, district)
    printable = page.replace("</head>", _PRINT_CSS + "</head>", 1)
    return print_pdf(printable, what="PDF", format="Letter", print_background=True,
                     display_header_footer=True, header_template=header,
                     footer_template=footer, margin=PAGE_MARGINS, tagged=True, outline=True)
