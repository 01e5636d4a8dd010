"""CSV that spreadsheets open as data: no cell is read as a formula.

A spreadsheet runs a cell beginning with ``=``, ``+``, ``-`` or ``@`` as a formula (and a
leading tab or carriage return can hide one), so a district id like ``=HYPERLINK("http://x")``
in a client's export would become a live link in ``metrics.csv``. Following OWASP's guidance
on CSV injection, such text cells are written with a leading single quote (``'=HYPERLINK…``),
which spreadsheets show as text; the CSV writer quotes any cell holding a comma, quote or line
break (a carriage return inside a cell is written as a line break, which pandas' writer would
otherwise leave unquoted, splitting the row). Numbers are never touched: ``-0.05`` stays a
number, and so do the texts ``"-0.05"`` and ``"-6.2%"`` (a spreadsheet reads a percentage as a
number, not a formula).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["escape_cell", "escape_frame", "to_safe_csv"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?")
_PREFIX = "'"


def escape_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if a spreadsheet would read it as a formula.

    Examples
    --------
    >>> escape_cell('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> escape_cell("-2+3"), escape_cell("-0.05"), escape_cell("-6.2%"), escape_cell("D01")
    ("'-2+3", '-0.05', '-6.2%', 'D01')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            and not _NUMBER.fullmatch(value):
        return _PREFIX + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`escape_cell`."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(
                column.dtype):
            continue
        text = column.astype("string")
        risky = (text.str[:1].isin(FORMULA_STARTS) & ~text.str.fullmatch(_NUMBER.pattern)
                 ).fillna(False).to_numpy(dtype=bool)
        returns = text.str.contains("\r", regex=False).fillna(False).to_numpy(dtype=bool)
        if risky.any() or returns.any():
            fixed = (_PREFIX + text).where(risky, text).str.replace("\r\n?", "\n", regex=True)
            out[name] = column.astype(object).where(~(risky | returns), fixed.astype(object))
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame, **options: Any) -> str:
    """``frame.to_csv(index=False, **options)`` with formula-like text escaped."""
    return escape_frame(frame).to_csv(index=False, **options)
