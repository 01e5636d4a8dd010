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


def _banded_total(integer: bool, part_a: float = 7436.0) -> list:
    """All students coded ≤1% of 8,000 (at most 80), its two parts ≤1% of ``part_a`` and of
    the rest: whole numbers bring the total's bound to ⌊0.01·a⌋ + ⌊0.01·(8000 − a)⌋."""
    system = privacy_attack._System()
    sizes = [system.var(("n", 2023, "", "enrolled", g, g)) for g in ("all", "a", "b")]
    counts = [system.var(("x", 2023, "", "arrested", g, g)) for g in ("all", "a", "b")]
    for var, size in zip(sizes, (8000.0, part_a, 8000.0 - part_a), strict=True):
        system.fixed[var] = size
    system.add({counts[0]: 1.0, counts[1]: -1.0, counts[2]: -1.0}, 0.0, 0.0)
    bands = {}
    for count, size in zip(counts, sizes, strict=True):
        system.add({count: 1.0, size: -0.01}, -float("inf"), 0.0)
        bands[count] = ("≤", 0.01, size)
    return privacy_attack._solve(system, bands, set(), 3, integer, "D9")


def test_whole_numbers_may_move_a_bands_open_end_by_less_than_the_width():
    assert _banded_total(integer=False) == []  # the LP: 74.36 + 5.64 = 80, the band's end
    [finding] = _banded_total(integer=True)
    assert (finding.kind, finding.low, finding.high) == ("band_whole", 0, 79)
    assert privacy_attack.leaks([finding]) == []
