"""The explorer shows only numbers that passed the publishing gate, with its default protection.

Every table the explorer can show for the tiny district (every outcome of a year, every school,
dimension and group) is written out as a ``metrics.csv`` and attacked by the adversary of
``tests/privacy_attack.py``, which knows nothing of the gate: no withheld count narrower than the
protection width, none pinned to 0, no band narrowed, no number derived from a withheld or
banded cell beside it.
"""

from __future__ import annotations

import pandas as pd
import privacy_attack
import pytest
from test_explorer_fixtures import tiny_schools, tiny_students

from equitykit.config import AuditConfig
from equitykit.privacy import DEFAULT_PROTECTION_WIDTH
from equitykit.widgets import DistrictSource
from equitykit.widgets import _wording as w
from equitykit.widgets._view import published_table

CONFIG = AuditConfig()


@pytest.mark.slow  # the attack solves a linear program per withheld count (minutes)
def test_every_explorer_table_withstands_the_attack(tmp_path):
    cache = DistrictSource.from_frames(tiny_students(), schools=tiny_schools(),
                                       config=CONFIG)["D1"]
    year = max(cache.years)
    rates = [o for o in cache.outcomes(year) if o not in w.SCORE_OUTCOMES]
    shown = pd.concat([published_table(cache, school_year=year, outcome=o, min_n=10,
                                       config=CONFIG) for o in rates], ignore_index=True)
    assert shown["suppressed"].any() and not shown["suppressed"].all()
    shown.assign(note=shown.get("note", "")).to_csv(tmp_path / "metrics.csv", index=False)
    found = privacy_attack.leaks(privacy_attack.attack_district(
        tmp_path, width=DEFAULT_PROTECTION_WIDTH))
    assert not found, "\n".join(str(f) for f in found[:40])
