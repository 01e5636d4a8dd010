"""A table with withheld rows says why, in words a reader understands, naming no row."""

from __future__ import annotations

import pandas as pd

from equitykit.privacy import SUPPRESSED_DISPLAY, WITHHELD_NOTE, withheld_note
from equitykit.report._tables import html_table


def test_the_note_only_where_something_is_withheld():
    assert withheld_note(["45.2%", "≤5%", "—"]) == ""
    assert withheld_note(["45.2%", SUPPRESSED_DISPLAY]) == WITHHELD_NOTE
    assert "large one, such as girls" in WITHHELD_NOTE and "subtracting" in WITHHELD_NOTE


def test_a_report_table_with_a_withheld_row_carries_the_note():
    shown = pd.DataFrame({"group": ["Girls", "Boys", "Nonbinary"],
                          "rate": [SUPPRESSED_DISPLAY, "7.1%", SUPPRESSED_DISPLAY]})
    page = html_table(shown, caption="Suspended by sex")
    assert page.endswith("</p>") and "to protect privacy: a group too small" in page
    # It names no row: which rows are small is itself withheld.
    note = page[page.index("</table>"):]
    assert not any(g in note for g in ("Nonbinary", "Boys"))
    assert "privacy" not in html_table(shown.iloc[[1]], caption="Suspended by sex")
