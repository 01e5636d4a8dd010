"""Numbers and dimension names as a board member reads them (group, outcome and year names:
:mod:`equitykit._words`, shared with the explorer)."""

from __future__ import annotations

import math

from .._words import DIMENSION_TITLES
from ..schema import INTERSECTION_SEP

__all__ = [
    "capitalize",
    "dimension_label",
    "fmt_ci",
    "fmt_int",
    "fmt_pct",
]

def dimension_label(dimension: str) -> str:
    return " × ".join(DIMENSION_TITLES.get(d, d) for d in dimension.split(INTERSECTION_SEP))


def fmt_pct(value: float, digits: int = 1) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{100 * value:.{digits}f}%"


def fmt_int(value: float) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:,.0f}"


def fmt_ci(low: float, high: float, digits: int = 2) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"95% CI {low:.{digits}f}–{high:.{digits}f}"


def capitalize(text: str) -> str:
    """Upper-case the first letter only (``"students with…"`` → ``"Students with…"``)."""
    return text[:1].upper() + text[1:]
