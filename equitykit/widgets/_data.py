"""What the explorer keeps in memory for one district, computed once when the district is opened.

Every later click is a dictionary look-up into these tables, never a pass over the students.
Student ids are dropped on the way in: nothing kept here can identify a student in an output.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._words import INTERSECTIONS, group_codes
from ..config import AuditConfig
from ..schema import DIMENSIONS, INTERSECTION_SEP, OUTCOMES, RACE_ETHNICITY, SEXES
from ._wording import SCORE_OUTCOMES

__all__ = ["DistrictCache", "DistrictSource", "group_sort_key"]

_KEY = ["school_year", "school_id", "measure", "dimension"]
_ORDER = {code: i for i, code in enumerate((*RACE_ETHNICITY, *SEXES, "true", "false"))}

NO_DISTRICT = "the data has no district '{district_id}'; districts found: {found}"


def group_sort_key(group: str) -> tuple[int, ...]:
    """Report order of group labels: federal race order, then F/M/X, then true before false."""
    return tuple(_ORDER.get(part, len(_ORDER)) for part in group.split(INTERSECTION_SEP))


def _dimension_names() -> tuple[str, ...]:
    return (*DIMENSIONS, *(INTERSECTION_SEP.join(pair) for pair in INTERSECTIONS))


def _group_columns(students: pd.DataFrame) -> pd.DataFrame:
    """One label column per dimension and intersection (NA where a part is missing)."""
    cols = {d: group_codes(students[d]).astype("string") for d in DIMENSIONS if d in students}
    for a, b in INTERSECTIONS:
        if a in cols and b in cols:
            cols[f"{a}{INTERSECTION_SEP}{b}"] = cols[a] + INTERSECTION_SEP + cols[b]
    return pd.DataFrame(cols, index=students.index)


@dataclass
class DistrictCache:
    """One district's precomputed tables.

    ``counts`` is the audit's counts table (``intake.to_counts``) for every school, year, outcome,
    dimension and group; ``scores`` holds the score columns with one group-label column per
    dimension (no ids); ``students`` keeps the demographic and outcome columns the predictiveness
    view models (no ids).
    """

    district_id: str
    counts: pd.DataFrame
    scores: pd.DataFrame
    students: pd.DataFrame
    school_names: dict[str, str]
    memo: dict[tuple, object] = field(repr=False, default_factory=dict)
    lock: threading.RLock = field(repr=False, default_factory=threading.RLock)
    _positions: dict[tuple, np.ndarray] = field(repr=False, default_factory=dict)
    _by_outcome: dict[tuple, np.ndarray] = field(repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._positions = self.counts.groupby(_KEY, sort=False).indices
        self._by_outcome = self.counts.groupby(["school_year", "measure"], sort=False).indices

    @classmethod
    def build(
        cls, students: pd.DataFrame, *, config: AuditConfig, district_id: str,
        schools: pd.DataFrame | None = None,
    ) -> DistrictCache:
        """Derive outcomes and counts for one district's students (intake's own functions)."""
        from .. import intake

        students = students.drop(columns=["student_id"], errors="ignore")
        students = intake.derive_outcomes(students, config)
        dimensions = tuple(d for d in DIMENSIONS if d in students)
        counts = intake.to_counts(
            students, dimensions=dimensions,
            intersections=tuple(p for p in INTERSECTIONS if set(p) <= set(dimensions)),
            by_school=True,
        )
        counts = counts.astype({"school_id": "string", "dimension": "string", "group": "string",
                                "measure": "string"})
        groups = _group_columns(students)
        score_cols = [c for c in SCORE_OUTCOMES if c in students and students[c].notna().any()]
        scores = pd.concat(
            [students[["school_year", "school_id"]].astype({"school_id": "string"}), groups,
             students[score_cols].astype("float64")], axis=1,
        )
        kept = [c for c in dict.fromkeys((*DIMENSIONS, *OUTCOMES, "school_year", "school_id"))
                if c in students]
        names: dict[str, str] = {}
        if schools is not None and {"school_id", "school_name"} <= set(schools.columns):
            names = dict(zip(schools["school_id"].astype(str), schools["school_name"].astype(str),
                             strict=True))
        for sid in counts["school_id"].unique():
            if sid:
                names.setdefault(str(sid), str(sid))
        return cls(district_id=district_id, counts=counts, scores=scores,
                   students=students[kept].copy(), school_names=names)

    # -- menus -------------------------------------------------------------------------------
    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.students["school_year"].unique())

    @property
    def schools(self) -> list[str]:
        """School ids, ordered by name."""
        return sorted((s for s in self.school_names), key=lambda s: self.school_names[s])

    def outcomes(self, school_year: int) -> list[str]:
        """Binary outcomes with students in their population that year, then score outcomes."""
        rows = self.counts[(self.counts["school_year"] == school_year)
                           & (self.counts["dimension"] == "all")
                           & (self.counts["school_id"] == "")
                           & (self.counts["denominator"] > 0)]
        present = set(rows["measure"])
        rates = [o for o in OUTCOMES if o in present]
        year_scores = self.scores[self.scores["school_year"] == school_year]
        return rates + [s for s in SCORE_OUTCOMES
                        if s in year_scores and year_scores[s].notna().any()]

    def dimensions(self) -> list[str]:
        present = set(self.counts["dimension"])
        return [d for d in _dimension_names() if d in present]

    def groups(self, *, school_year: int, outcome: str, dimension: str) -> list[str]:
        """Groups with students in the outcome's population district-wide, in report order."""
        if outcome in SCORE_OUTCOMES:
            s = self.score_groups(school_year=school_year, school_id="", outcome=outcome,
                                  dimension=dimension)
            return sorted(s["group"].unique(), key=group_sort_key)
        return list(self.group_counts(school_year=school_year, school_id="", outcome=outcome,
                                      dimension=dimension).index)

    # -- look-ups ----------------------------------------------------------------------------
    def group_counts(
        self, *, school_year: int, school_id: str, outcome: str, dimension: str,
    ) -> pd.DataFrame:
        """Numerator and denominator per group (index: group, report order; empty groups out)."""
        pos = self._positions.get((school_year, school_id, outcome, dimension))
        if pos is None:
            return pd.DataFrame({"numerator": [], "denominator": []},
                                index=pd.Index([], name="group", dtype="string"))
        rows = self.counts.iloc[pos]
        rows = rows[rows["denominator"] > 0].set_index("group")[["numerator", "denominator"]]
        return rows.loc[sorted(rows.index, key=group_sort_key)]

    def counts_for(self, *, school_year: int, outcome: str, dimension: str | None = None
                   ) -> pd.DataFrame:
        """The counts rows (district and schools) of one year and outcome: every dimension,
        or one ``dimension`` with the ``all`` totals."""
        pos = self._by_outcome.get((school_year, outcome))
        if pos is None:
            return self.counts.iloc[:0]
        rows = self.counts.iloc[pos]
        return rows if dimension is None else rows[rows["dimension"].isin([dimension, "all"])]

    def score_groups(
        self, *, school_year: int, school_id: str, outcome: str, dimension: str,
    ) -> pd.DataFrame:
        """Scores of the students in a year (and school), with their group label."""
        s = self.scores
        mask = (s["school_year"] == school_year) & s[outcome].notna() & s[dimension].notna()
        if school_id:
            mask &= s["school_id"] == school_id
        return pd.DataFrame({"group": s.loc[mask, dimension], "score": s.loc[mask, outcome]})


class DistrictSource:
    """Where the districts come from; each is built on first use and kept (one build per district).

    Parameters
    ----------
    district_ids
        The districts offered in the menu, in menu order.
    loader
        ``loader(district_id) -> (students, schools or None)``.
    config
        The client config (outcome definitions, privacy minimum n).
    """

    def __init__(
        self, district_ids: Iterable[str],
        loader: Callable[[str], tuple[pd.DataFrame, pd.DataFrame | None]],
        *, config: AuditConfig,
    ) -> None:
        self.district_ids = list(district_ids)
        self.config = config
        self._loader = loader
        self._built: dict[str, DistrictCache] = {}

    def __getitem__(self, district_id: str) -> DistrictCache:
        if district_id not in self._built:
            if district_id not in self.district_ids:
                raise KeyError(NO_DISTRICT.format(district_id=district_id,
                                                  found=", ".join(self.district_ids)))
            students, schools = self._loader(district_id)
            self._built[district_id] = DistrictCache.build(
                students, config=self.config, district_id=district_id, schools=schools)
        return self._built[district_id]

    @classmethod
    def from_frames(
        cls, students: pd.DataFrame, *, schools: pd.DataFrame | None = None,
        config: AuditConfig | None = None,
    ) -> DistrictSource:
        """Districts from canonical tables already in memory."""
        ids = sorted(students["district_id"].astype(str).unique())

        def load(district_id: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
            own = students[students["district_id"].astype(str) == district_id]
            if schools is None:
                return own, None
            return own, schools[schools["district_id"].astype(str) == district_id]

        return cls(ids, load, config=config or AuditConfig())

    @classmethod
    def from_data_dir(cls, data_dir: str | Path, *, config: AuditConfig | None = None
                      ) -> DistrictSource:
        """Districts from a data folder (docs/data.md), read once with ``intake``."""
        from .. import intake

        config = config or AuditConfig()
        data = intake.load_district_data(data_dir, config=config)
        return cls.from_frames(data.students, schools=data.schools, config=config)
