"""Plain words for readers about withheld numbers (the report prints them under a table)."""

from __future__ import annotations

from collections.abc import Iterable

from ._suppression import SUPPRESSED_DISPLAY

__all__ = ["WITHHELD_NOTE", "withheld_note"]

#: Why rows of a table say "suppressed". It names no row: which rows are small is itself
#: withheld (rule 5 of the rule book).
WITHHELD_NOTE = (
    f"“{SUPPRESSED_DISPLAY}” means withheld to protect privacy: a group too small to publish, "
    "or a group (sometimes a large one, such as girls) whose numbers would let a reader work "
    "out a hidden one by subtracting from a total or from another table."
)


def withheld_note(cells: Iterable[object]) -> str:
    """The note a table with withheld cells carries, or ``""`` when none is withheld.

    Parameters
    ----------
    cells : iterable
        The texts the table shows (e.g. its ``display`` column, or every cell).

    Examples
    --------
    >>> withheld_note(["45.2%", "12.0%"])
    ''
    >>> withheld_note(["45.2%", "suppressed"]).startswith("“suppressed” means withheld")
    True
    """
    return WITHHELD_NOTE if any(c == SUPPRESSED_DISPLAY for c in cells) else ""
