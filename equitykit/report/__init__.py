"""The audit's reports: the self-contained HTML page, and from it the PDF, the Word document and
the one-page brief (``--format``)."""

from ._browser import ConversionError, chromium_available
from ._formats import DEFAULT_FORMATS, FORMAT_FILES, FORMATS, convert, parse_formats
from ._html import notebook_to_html, warm_exporter

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "FORMAT_FILES",
    "ConversionError",
    "chromium_available",
    "convert",
    "notebook_to_html",
    "parse_formats",
    "warm_exporter",
]
