"""Withheld counts held only by relations other than margin equations (rule 7c): the gate
widens those relations too, and the adversary of tests/privacy_attack.py finds nothing.

In the district below the students of group C with a speech or language impairment (SLI)
are 1, withheld, and so is every term of the SLI equation (all = A + B + C) once the gate has
widened it; but C's students identified for special education (12) and with a specific
learning disability (10) are published, and the categories of a group add up to at most its
identified count, so C's SLI count is at most 2. Widening margin equations only (the gate
before) leaves it there.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import privacy_attack
from test_suppress_metrics import CELL, metric_rows

from equitykit.privacy import DEFAULT_PROTECTION_WIDTH, _suppression, publish
from equitykit.privacy._protection import binding

GROUPS = ("A", "B", "C")
STUDENTS = (200, 100, 30)
#: Per outcome: students of groups A, B, C who had it (identified, and two IDEA categories).
COUNTS = {
    "disability": (60, 30, 12),
    "disability_SLD": (20, 10, 10),
    "disability_SLI": (30, 15, 1),
}


def _metrics() -> pd.DataFrame:
    rows = []
    for outcome, xs in COUNTS.items():
        rows.append(("D1", 2023, "", outcome, "all", "all", sum(xs), sum(STUDENTS)))
        rows += [("D1", 2023, "", outcome, "race_ethnicity", g, x, n)
                 for g, x, n in zip(GROUPS, xs, STUDENTS, strict=True)]
    counts = pd.DataFrame(rows, columns=[*CELL, "numerator", "denominator"])
    return metric_rows(counts).assign(note="")


def _margins_only(system, failing):
    """The widening before: only the margin equations among the binding relations."""
    column = np.cumsum(system.unknown) - 1
    pins = []
    for rows in binding(system.a, system.lo, system.hi, column[np.flatnonzero(failing)]):
        rows = rows[system.margin[rows]]
        pins.append((rows, system.shown[rows].indices))
    return pins


def test_margin_widening_alone_leaves_the_count_unprotected(monkeypatch):
    monkeypatch.setattr(_suppression, "_pinning", _margins_only)
    assert publish(_metrics()).loss["unprotected_counts"] == 1


def test_counts_held_by_categories_are_widened(tmp_path):
    gate = publish(_metrics())
    assert gate.loss["unprotected_counts"] == 0
    found = privacy_attack.attack_table(gate.table, tmp_path, width=DEFAULT_PROTECTION_WIDTH)
    assert not found, "\n".join(str(f) for f in found)
    # The relation was widened by a count (C's identified students), not by a group's size.
    rates = gate.table[gate.table["measure"] == "rate"].set_index(["outcome", "group"])
    assert rates.loc[("disability", "C"), "suppressed"]
    assert not rates.loc[("disability", "all"), "suppressed"]
    assert rates.loc[("disability_SLD", "C"), "n"] == 30  # C's size stays published
