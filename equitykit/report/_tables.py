"""HTML tables from published metrics rows: escaped, formatted, suppression shown in words."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd

__all__ = ["SUPPRESSED_TEXT", "cell_text", "ci_text", "format_q", "format_value", "html_table",
           "note", "skip"]

SUPPRESSED_TEXT = "suppressed"
_PERCENT_MEASURES = frozenset(
    {"rate", "composition", "share", "coverage", "between_school_share", "predictiveness_share",
     "high_poverty_school_share"}
)
#: Differences of two shares, printed in percentage points (no "%": 45% and 60% are 15 apart).
_POINT_MEASURES = frozenset({"risk_difference"})


def format_value(measure: str, value: float, *, display: str | float | None = None) -> str:
    """A number as the report prints it (percent for rates and shares, percentage points for
    differences of shares, 2 decimals for ratios)."""
    if isinstance(display, str) and display:
        return display
    if value is None or not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    if measure in _PERCENT_MEASURES:
        return f"{100 * value:.1f}%"
    if measure in _POINT_MEASURES:
        return f"{100 * value:.1f}"
    text = (f"{value:,.0f}" if measure in ("n", "students", "excess_students", "numerator",
                                            "count") else f"{value:.2f}")
    return text.removeprefix("-") if text.strip("-0.,") == "" else text  # never "-0"


def cell_text(row: pd.Series, column: str = "value") -> str:
    """A published number as text; a withheld one as the word "suppressed"."""
    if row["suppressed"]:
        return SUPPRESSED_TEXT
    if column != "value":
        return format_value(column, row[column])
    display = row.get("display")
    coded = isinstance(display, str) and display.startswith(("≥", "≤", "N<"))
    return format_value(row["measure"], row[column], display=display if coded else None)


def ci_text(row: pd.Series) -> str:
    """A published row's 95% interval ("0.62–0.73", "-0.27 to -0.09"); empty when withheld."""
    if row["suppressed"] or pd.isna(row["ci_low"]):
        return ""
    low = format_value(row["measure"], row["ci_low"])
    high = format_value(row["measure"], row["ci_high"])
    return f"{low} to {high}" if row["ci_low"] < 0 else f"{low}–{high}"


def format_q(value: float) -> str:
    """A q- or p-value: three decimals, or "<0.001"."""
    if value is None or not math.isfinite(value):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def html_table(frame: pd.DataFrame, *, caption: str, columns: Sequence[str] | None = None,
               numeric: Sequence[str] = ()) -> str:
    """Render ``frame`` (already formatted strings or numbers) as an escaped HTML table."""
    columns = list(columns or frame.columns)
    head = "".join(f"<th scope='col'>{html.escape(str(c))}</th>" for c in columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for c in columns:
            value = row[c]
            text = value if isinstance(value, str) else format_value("value", value)
            cls = " class='ek-suppressed'" if text == SUPPRESSED_TEXT else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def note(text: str) -> str:
    return f"<p class='ek-note'>{html.escape(text)}</p>"


def skip(text: str) -> str:
    """The one-line note shown when a section lacks the data it needs."""
    return f"<p class='ek-skip'>{html.escape(text)}</p>"
