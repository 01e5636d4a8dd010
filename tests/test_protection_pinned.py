"""Withheld counts pinned only through other places' equations (rule 7c): the gate widens the
equations that pin them, and the adversary of tests/privacy_attack.py finds nothing.

The district below has the shape that refused school reports for the sample districts D02 and
D03: school S2's small groups C and E had nobody with the outcome, every term of their own
equations is withheld, and the published rows of the district and of S0 and S1 together say
that the withheld counts of C and E at S0 and S1 hold as many students as the district's, so
S2's are 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

sys.path.insert(0, str(Path(__file__).parent))
import privacy_attack
from test_suppress_metrics import CELL, metric_rows

from equitykit.privacy import DEFAULT_PROTECTION_WIDTH, publish
from equitykit.privacy._protection import binding

GROUPS = ("A", "B", "C", "E")
#: Per school: students of groups A, B, C, E, and how many of them had the outcome.
SCHOOLS = {
    "S0": ((126, 170, 5, 9), (17, 42, 0, 3)),
    "S1": ((45, 42, 10, 10), (14, 3, 2, 0)),
    "S2": ((37, 66, 8, 3), (14, 17, 0, 0)),
}


def _metrics() -> pd.DataFrame:
    n = np.array([s[0] for s in SCHOOLS.values()], dtype=float)
    x = np.array([s[1] for s in SCHOOLS.values()], dtype=float)
    rows = []
    for school, ns, xs in [*zip(SCHOOLS, n, x, strict=True), ("", n.sum(0), x.sum(0))]:
        rows.append(("D1", 2023, school, "oss", "all", "all", xs.sum(), ns.sum()))
        rows += [("D1", 2023, school, "oss", "race_ethnicity", g, xs[i], ns[i])
                 for i, g in enumerate(GROUPS)]
    counts = pd.DataFrame(rows, columns=[*CELL, "numerator", "denominator"])
    return metric_rows(counts).assign(note="")


def test_counts_pinned_through_other_places_are_widened(tmp_path):
    gate = publish(_metrics())
    assert gate.loss["unprotected_counts"] == 0
    found = privacy_attack.attack_table(gate.table, tmp_path, width=DEFAULT_PROTECTION_WIDTH)
    assert not found, "\n".join(str(f) for f in found)
    # The district's total and its large groups stay published.
    district = gate.table[(gate.table["school_id"] == "") & (gate.table["measure"] == "rate")]
    shown = set(district.loc[~district["suppressed"], "group"])
    assert {"all", "A", "B"} <= shown


def test_binding_names_the_relations_that_pin_an_unknown():
    # Unknowns: a_D, e_D (district), a_1, e_1, a_3, e_3 (schools), then an unrelated pair.
    # a_D + e_D = 4 and a_3 + e_3 = 4, the schools add up to the district: a_1 = e_1 = 0.
    a = sparse.csr_matrix(np.array([
        [1, 1, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 1, 1, 0, 0],
        [1, 0, -1, 0, -1, 0, 0, 0],
        [0, 1, 0, -1, 0, -1, 0, 0],
        [0, 0, 0, 0, 0, 0, 1, 1],
    ], dtype=float))
    lo = hi = np.array([4.0, 4, 0, 0, 10])
    pinned, other = binding(a, lo, hi, np.array([2, 6]))
    assert pinned.tolist() == [0, 1, 2, 3]
    assert other.tolist() == [4]
