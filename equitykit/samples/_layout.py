"""A district's schools, attendance zones and feeder pattern.

Each elementary school serves one attendance zone; a zone has a fixed position ``z`` on the
district's poverty axis (-1 least, +1 most disadvantaged). Middle and high schools take
neighbouring zones (adjacent in ``z``), so the residential sorting of the zones carries through
to every level, as feeder patterns do in real districts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._model import HIGH_SCHOOL_SHARE, LEVELS, MIDDLE_SCHOOL_SHARE

__all__: list[str] = []

TOO_FEW_SCHOOLS = "n_schools must be at least 3 (one elementary, one middle and one high school)"

_NAME_STEMS = (
    "Lincoln", "Washington", "Jefferson", "Roosevelt", "Franklin", "Madison", "Jackson", "Adams",
    "Kennedy", "Hamilton", "Garfield", "Grant", "McKinley", "Monroe", "Wilson", "Cleveland",
    "Riverside", "Lakeview", "Hillcrest", "Oakwood", "Maplewood", "Cedar Grove", "Pine Ridge",
    "Willow Creek", "Sunnyside", "Fairview", "Highland", "Meadowbrook", "Brookside", "Parkview",
    "Westwood", "Eastgate", "Northside", "Southridge", "Central", "Valley View", "Harbor",
    "Prairie", "Stonebridge", "Cherry Hill", "Elm Street", "Mill Creek", "Spring Garden",
    "Bayside", "Greenfield", "Ridgeway", "Forest Park", "Summit", "Carver", "Douglass",
    "Tubman", "King", "Chavez", "Banneker", "Bethune", "Earhart", "Edison", "Whitman",
    "Thoreau", "Emerson", "Audubon", "Muir", "Sequoyah", "Keller", "Mann", "Dewey",
)


@dataclass(frozen=True)
class Layout:
    """Schools (index order = school id order) and the zones that feed them."""

    school_level: np.ndarray  # level index (0 elementary, 1 middle, 2 high) per school
    school_name: tuple[str, ...]
    zone_z: np.ndarray  # poverty position of each zone, in [-1, 1]
    zone_share: np.ndarray  # share of the district's households in each zone
    zone_school: np.ndarray  # (zone, level) -> school index

    @property
    def n_schools(self) -> int:
        return len(self.school_level)


def school_ids(district_id: str, n_schools: int) -> list[str]:
    """School ids in layout order: ``D01-01``, ``D01-02``, ..."""
    return [f"{district_id}-{k + 1:02d}" for k in range(n_schools)]


def level_counts(n_schools: int) -> tuple[int, int, int]:
    """Elementary, middle and high school counts for a district of ``n_schools``."""
    if n_schools < 3:
        raise ValueError(TOO_FEW_SCHOOLS)
    n_high = max(1, round(n_schools * HIGH_SCHOOL_SHARE))
    n_middle = max(1, round(n_schools * MIDDLE_SCHOOL_SHARE))
    return n_schools - n_high - n_middle, n_middle, n_high


def make_layout(rng: np.random.Generator, n_schools: int) -> Layout:
    """Zones with a spread of poverty positions and a geographic feeder pattern."""
    counts = level_counts(n_schools)
    n_zones = counts[0]
    zone_z = rng.permutation(np.linspace(-1.0, 1.0, n_zones) if n_zones > 1 else np.zeros(1))
    zone_share = rng.dirichlet(np.full(n_zones, 8.0))
    zone_rank = np.argsort(np.argsort(zone_z))
    zone_school = np.empty((n_zones, len(LEVELS)), dtype=np.int64)
    first = 0
    for level, n in enumerate(counts):
        # Adjacent zones share a school; school numbers within a level are shuffled so that an
        # id never reveals a school's poverty rank.
        zone_school[:, level] = first + rng.permutation(n)[zone_rank * n // n_zones]
        first += n
    school_level = np.repeat(np.arange(len(LEVELS)), counts)
    names = tuple(
        name for level, n in enumerate(counts) for name in _school_names(rng, n, LEVELS[level])
    )
    return Layout(school_level, names, zone_z, zone_share, zone_school)


def _school_names(rng: np.random.Generator, n: int, level: str) -> list[str]:
    order = rng.permutation(len(_NAME_STEMS))
    names = []
    for k in range(n):
        stem = _NAME_STEMS[order[k % len(_NAME_STEMS)]]
        repeat = k // len(_NAME_STEMS)
        names.append(f"{stem} {level} School" + (f" No. {repeat + 1}" if repeat else ""))
    return names
