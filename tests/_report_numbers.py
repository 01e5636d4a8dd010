"""Reading the text of the delivered formats (PDF, Word) and checking that every number in it
that looks like a statistic is a published metrics.csv value, as the report formats it.

A number is explained when it is one of a metrics.csv row's values (``value``, ``ci_low``,
``ci_high``, ``n``, ``numerator``, ``p_value``, ``q_value``) written the way the report writes
numbers (``4.2``, ``2.83``, ``14.7%``, ``2,000``, ``86%``), a token of its ``display`` text,
or a known non-statistic: a school year, a page or section number, the 95 of "95% CI", a
configured threshold (``min_n``), the toolkit's version, a citation in the methods, or a
count of the privacy gate's account of withheld numbers (``privacy.json``), or a number of
``findings.json`` (a finding's priority score). Package versions
(``3.11.7``) and the input data's SHA-256 fingerprint are not numbers.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

#: A number as text shows it: optional minus, digits with thousands commas, decimals, percent;
#: not a part of a dotted version (``3.11.7``), a word (``D01``, ``pytest-268``) or a path.
NUMBER = re.compile(r"(?:(?<![\w.])[-−]|(?<![\w.\-−/]))\d[\d,]*(?:\.\d+)?%?(?![\w]|\.\d)")
#: A SHA-256 fingerprint in the provenance, which a PDF may break across lines.
FINGERPRINT = re.compile(r"SHA-256:?\s*(?:[0-9a-f]\s*){64}")
STAT_COLUMNS = ("value", "ci_low", "ci_high", "n", "numerator", "p_value", "q_value")
#: Numbers of the methods text that are names, not statistics: the IDEA regulation
#: (34 CFR 300.647), a cited paper's year (Ho & Reardon 2012), SHA-256.
CITATIONS = ("34", "300.647", "2012", "256")


def pdf_text(path: Path | bytes) -> str:
    """The text of every page of a PDF, pages separated by form feeds."""
    import pypdf

    source = io.BytesIO(path) if isinstance(path, bytes) else path
    return "\f".join(page.extract_text() for page in pypdf.PdfReader(source).pages)


def docx_text(path: Path) -> str:
    """The text of a Word document: paragraphs, table cells, header and footer."""
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def _spellings(value: float) -> Iterable[str]:
    """The ways the report writes a number."""
    if not math.isfinite(value):
        return
    for digits in (0, 1, 2, 3):
        yield f"{value:.{digits}f}"
        yield f"{value:,.{digits}f}"
        yield f"{100 * value:.{digits}f}%"
    yield f"{abs(value):.2f}"
    yield f"{abs(value):.1f}"
    yield f"{abs(value):,.0f}"  # "408 more students would need to be proficient" (-407.6)
    yield f"{100 * abs(value):.0f}%"
    yield f"{100 * abs(value):.1f}%"


def published_numbers(metrics: pd.DataFrame) -> set[str]:
    """Every spelling of every published value of ``metrics`` (metrics.csv, read as text)."""
    allowed: set[str] = set()
    for column in STAT_COLUMNS:
        values = pd.to_numeric(metrics[column], errors="coerce").dropna().unique()
        for value in values:
            allowed.update(_spellings(float(value)))
    for display in metrics["display"].astype(str).unique():
        allowed.update(_normal(t) for t in NUMBER.findall(display))
    return {_normal(a) for a in allowed}


def non_statistics(metrics: pd.DataFrame, *, pages: int = 200, thresholds: Iterable[int] = (),
                   privacy: Path | None = None, findings: Path | None = None) -> set[str]:
    """Numbers that are not statistics: years (``2023``, the ``24`` of ``2023–24``), page and
    section numbers, the 95 of a 95% interval, thresholds, the toolkit version, citations and
    the counts of ``privacy`` (the audit's privacy.json) and the numbers of ``findings`` (its
    findings.json: published, though not in metrics.csv, e.g. each finding's priority score)."""
    from equitykit import __version__

    years = pd.to_numeric(metrics["school_year"], errors="coerce").dropna().astype(int)
    allowed = {str(y) for y in range(int(years.min()) - 5, int(years.max()) + 2)}
    allowed |= {f"{(y + 1) % 100:02d}" for y in range(int(years.min()) - 5, int(years.max()) + 2)}
    allowed |= {str(p) for p in range(1, pages + 1)}
    allowed |= {"95%", "95", __version__, *CITATIONS, *map(str, thresholds)}
    for published in (privacy, findings):
        if published is not None:
            allowed |= json_numbers(json.loads(published.read_text(encoding="utf-8")))
    return allowed


def json_numbers(data) -> set[str]:
    """Every spelling of the numbers of a JSON document (e.g. one finding)."""
    return {s for v in _leaves(data) for s in _spellings(v)}


def _leaves(data) -> Iterable[float]:
    """The numbers of a JSON document."""
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, list):
        for item in data:
            yield from _leaves(item)
    elif isinstance(data, int | float) and not isinstance(data, bool):
        yield float(data)


def _normal(token: str) -> str:
    return token.replace("−", "-").rstrip(".,")


def unexplained_numbers(text: str, allowed: set[str]) -> list[str]:
    """The numbers of ``text`` that are in none of ``allowed``, in order, without repeats."""
    found = [_normal(t) for t in NUMBER.findall(FINGERPRINT.sub(" ", text))]
    return list(dict.fromkeys(t for t in found if t not in allowed
                              and t.lstrip("-") not in allowed))
