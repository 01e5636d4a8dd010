"""The report formats a district folder can hold (``--format html,pdf,docx,brief``).

``audit.html`` is always written: the other formats are made from it (the PDF and the Word
document) or beside it (the brief, from ``findings.json``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..config import AuditConfig

__all__ = ["DEFAULT_FORMATS", "FORMATS", "FORMAT_FILES", "convert", "parse_formats"]

#: Every format, in the order they are written.
FORMATS: tuple[str, ...] = ("html", "pdf", "docx", "brief")
DEFAULT_FORMATS: tuple[str, ...] = ("html",)
#: The file of each format besides the HTML, in the district's folder.
FORMAT_FILES: dict[str, str] = {"pdf": "audit.pdf", "docx": "audit.docx", "brief": "brief.pdf"}
UNKNOWN_FORMAT = "unknown format {name!r} in {text!r}; choose from {choices}, separated by commas"
NO_FORMAT = "no format given; choose from {choices}, separated by commas, e.g. html,pdf"


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"pdf, brief"`` → ``("html", "pdf", "brief")``: the formats named (HTML always), in
    :data:`FORMATS` order.

    Raises
    ------
    ValueError
        A name is not a format (the message names it and lists the formats), or none is given.
    """
    names = text.split(",") if isinstance(text, str) else list(text)
    wanted = {n.strip().lower() for n in names if n.strip()}
    choices = ", ".join(FORMATS)
    if not wanted:
        raise ValueError(NO_FORMAT.format(choices=choices))
    for name in sorted(wanted):
        if name not in FORMATS:
            shown = text if isinstance(text, str) else ",".join(names)
            raise ValueError(UNKNOWN_FORMAT.format(name=name, text=shown, choices=choices))
    return tuple(f for f in FORMATS if f == "html" or f in wanted)


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
