"""Cells of published spreadsheets as numbers, with suppression markers kept apart from zeros.

State and federal files print numbers padded with spaces (``"   374"``), with thousands separators
(``"1,234"``), as percentages (``"  94.74%"``), and hide small cells behind markers (``<``, ``*``,
``-``, ``N<10``, ``n/a``, ``NA``, ``<10``, ``>95%``, a blank). A marker becomes NaN flagged as
suppressed, never zero; anything else that is not a number is an error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SUPPRESSION_MARKERS", "parse_cell", "parse_cells"]

#: Cell texts (compared lower-case, after stripping) meaning "the publisher did not give it".
SUPPRESSION_MARKERS: frozenset[str] = frozenset(
    {"", "<", ">", "*", "**", "***", "-", "--", "—", "–", ".", "n/a", "na", "#n/a", "nan",
     "null", "none", "s", "†", "‡"}
)
# Bounds instead of values: "<10", "< 5", ">95%", "<=5", "≤10", "N<10", "n < 10".
_BOUND = r"(?:n\s*)?[<>≤≥]=?\s*\d[\d,]*(?:\.\d+)?\s*%?"
_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?(?:[eE][+-]?\d+)?"
#: Longest cell read as a number (a longer run of digits is an error, never a huge integer).
MAX_NUMBER_CHARS = 100
NOT_A_NUMBER = "{count} cell(s) are neither a number nor a suppression marker: {values}"


def _parse_series(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``(numbers, suppressed, invalid)`` for a column of cells, all on ``values.index``."""
    codes, distinct = pd.factorize(values.astype("string"), use_na_sentinel=False)
    numbers, suppressed, invalid = _parse_distinct(pd.Series(distinct, dtype="string"))
    return tuple(  # type: ignore[return-value]
        pd.Series(part[codes], index=values.index) for part in (numbers, suppressed, invalid)
    )


def _parse_distinct(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse each distinct cell once (columns repeat the same few values)."""
    text = text.str.strip()
    lower = text.str.lower()
    suppressed = (
        text.isna() | lower.isin(SUPPRESSION_MARKERS) | lower.str.fullmatch(_BOUND)
    ).fillna(True).astype(bool)
    body = text.str.removesuffix("%").str.rstrip()
    numeric = (body.str.fullmatch(_NUMBER) & body.str.contains(r"\d")
               & (body.str.len() <= MAX_NUMBER_CHARS)).fillna(False).astype(bool)
    numbers = pd.to_numeric(body.where(numeric & ~suppressed).str.replace(",", "", regex=False))
    invalid = ~suppressed & ~numeric
    return (numbers.to_numpy(dtype="float64", na_value=np.nan), suppressed.to_numpy(),
            invalid.to_numpy())


def parse_cells(values: pd.Series) -> pd.DataFrame:
    """Parse a column of published cells into numbers and suppression flags.

    Parameters
    ----------
    values : Series
        Cells as text (or numbers). Leading and trailing spaces, thousands separators and a
        trailing ``%`` are allowed; a percentage keeps its printed scale (``"94.74%"`` → 94.74).

    Returns
    -------
    DataFrame
        Columns ``value`` (float64; NaN where suppressed) and ``suppressed`` (bool), on the
        index of ``values``.

    Raises
    ------
    ValueError
        Some cell is neither a number nor a suppression marker (the message lists them).

    Examples
    --------
    >>> import pandas as pd
    >>> parse_cells(pd.Series(["  1,234", "94.74%", "<", "N<10"]))
         value  suppressed
    0  1234.00       False
    1    94.74       False
    2      NaN        True
    3      NaN        True
    """
    numbers, suppressed, invalid = _parse_series(values)
    if invalid.any():
        bad = values[invalid].astype("string").unique()[:5]
        raise ValueError(NOT_A_NUMBER.format(count=int(invalid.sum()), values=list(bad)))
    return pd.DataFrame({"value": numbers, "suppressed": suppressed})


def parse_cell(value: object) -> float:
    """Parse one published cell: a number, or NaN for a suppression marker.

    Examples
    --------
    >>> parse_cell("  94.74%"), parse_cell('"1,012"'.strip('"')), parse_cell("<")
    (94.74, 1012.0, nan)
    """
    return float(parse_cells(pd.Series([value], dtype="object"))["value"].iloc[0])
