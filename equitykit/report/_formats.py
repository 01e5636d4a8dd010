"""The report formats a district folder can hold (``--format html,pdf,docx,brief``).

``audit.html`` is always written: the other formats are made from it (the PDF and the Word
document) or beside it (the brief, from ``findings.json``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .._format_names import DEFAULT_FORMATS, FORMATS, parse_formats
from ..config import AuditConfig

__all__ = ["DEFAULT_FORMATS", "FORMATS", "FORMAT_FILES", "convert", "parse_formats"]

#: The file of each format besides the HTML, in the district's folder.
FORMAT_FILES: dict[str, str] = {"pdf": "audit.pdf", "docx": "audit.docx", "brief": "brief.pdf"}


def convert(fmt: str, page: str, folder: Path, *, config: AuditConfig, district: str) -> bytes:
    """The bytes of format ``fmt`` (not ``"html"``) for the audit whose HTML is ``page`` and
    whose other outputs (``findings.json``, ``metrics.csv``) are in ``folder``.

    Raises
    ------
    ConversionError
        The format could not be made (the message says why).
    """
    # imported here: python-docx, pypdf and playwright load only when a format needs them
    if fmt == "pdf":
        from ._pdf import audit_pdf

        return audit_pdf(page, config=config, district=district)
    if fmt == "docx":
        from ._docx import audit_docx

        return audit_docx(page, config=config, district=district)
    if fmt == "brief":
        from ._brief import brief_pdf

        findings = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
        # the audited year is the latest of metrics.csv (the earlier ones are its trends)
        years = pd.read_csv(folder / "metrics.csv", usecols=["school_year"])["school_year"]
        return brief_pdf(findings, config=config, district=district,
                         school_year=int(years.max()))
    raise ValueError(f"not a converted format: {fmt!r}")
