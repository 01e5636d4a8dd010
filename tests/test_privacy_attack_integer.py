"""The attack's integer check: counts are whole numbers, so a count's interval may be narrower
than the LP relaxation says, and the attack in integer mode finds it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import privacy_attack


def _found(integer: bool) -> list:
    """A group of 2 to 19 students with a rate of exactly 2/7: the LP puts its count anywhere in
    [4/7, 38/7] ([1, 5] rounded inward), but a whole group of 7 or 14 has 2 or 4."""
    system = privacy_attack._System()
    n = system.var(("n", 2023, "", "enrolled", "race", "A"))
    x = system.var(("x", 2023, "", "oss", "race", "A"))
    system.add({n: 1.0}, 2.0, 19.0)
    system.add({x: 7.0, n: -2.0}, 0.0, 0.0)
    return privacy_attack._solve(system, {}, set(), 3, integer, "D9")


def test_whole_counts_narrow_an_interval_the_lp_leaves_wide():
    assert _found(integer=False) == []
    [finding] = _found(integer=True)
    assert (finding.kind, finding.low, finding.high) == ("narrow", 2, 4)
    assert finding.key[0] == "x"
