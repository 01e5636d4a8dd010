"""HTML tables from published metrics rows: escaped, formatted, suppression shown in words."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence

import pandas as pd

from ..privacy import withheld_note

__all__ = ["SUPPRESSED_TEXT", "format_q", "format_value", "html_table", "note", "skip"]

SUPPRESSED_TEXT = "suppressed"
_PERCENT_MEASURES = frozenset(
    {"rate", "shrunk_rate", "composition", "share", "coverage", "between_school_share",
     "predictiveness_share", "high_poverty_school_share"}
)
#: Differences of two shares, printed in percentage points (no "%": 45% and 60% are 15 apart).
_POINT_MEASURES = frozenset({"risk_difference"})

#: The share of a gap between schools or between groups of schools (``between_sector_share``).
_BETWEEN = re.compile(r"between_\w+_share")


def format_value(measure: str, value: float, *, display: str | float | None = None) -> str:
    """A number as the report prints it (percent for rates and shares, percentage points for
    differences of shares, 2 decimals for ratios)."""
    if isinstance(display, str) and display:
        return display
    if value is None or not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    if measure in _PERCENT_MEASURES or _BETWEEN.fullmatch(measure):
        return f"{100 * value:.1f}%"
    if measure in _POINT_MEASURES:
        return f"{100 * value:.1f}"
    text = (f"{value:,.0f}" if measure in ("n", "students", "excess_students", "numerator",
                                            "count") else f"{value:.2f}")
    return text.removeprefix("-") if text.strip("-0.,") == "" else text  # never "-0"


def format_q(value: float) -> str:
    """A q- or p-value: three decimals, or "<0.001"."""
    if value is None or not math.isfinite(value):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def html_table(frame: pd.DataFrame, *, caption: str, columns: Sequence[str] | None = None,
               numeric: Sequence[str] = (), row_classes: Sequence[str] = ()) -> str:
    """Render ``frame`` (already formatted strings or numbers) as an escaped HTML table; a table
    with "suppressed" cells is followed by the note saying why (:func:`privacy.withheld_note`).
    ``row_classes``, when given, holds one CSS class per row ("" for none)."""
    columns = list(columns or frame.columns)
    head = "".join(f"<th scope='col'>{html.escape(str(c))}</th>" for c in columns)
    classes = list(row_classes) or [""] * len(frame)
    body = []
    for (_, row), row_class in zip(frame.iterrows(), classes, strict=True):
        cells = []
        for c in columns:
            value = row[c]
            text = value if isinstance(value, str) else format_value("value", value)
            cls = " class='ek-suppressed'" if text == SUPPRESSED_TEXT else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        tr = f"<tr class='{html.escape(row_class)}'>" if row_class else "<tr>"
        body.append(tr + "".join(cells) + "</tr>")
    why = withheld_note(frame[columns].to_numpy().ravel())
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>" + (note(why) if why else "")
    )


def note(text: str) -> str:
    return f"<p class='ek-note'>{html.escape(text)}</p>"


def skip(text: str) -> str:
    """The one-line note shown when a section lacks the data it needs."""
    return f"<p class='ek-skip'>{html.escape(text)}</p>"
