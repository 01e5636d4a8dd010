"""What the explorer keeps in memory for one district: the audit's published table.

Opening a district runs its audit exactly as ``equitykit audit`` does (the same metrics, the same
privacy gate with the same settings) and keeps only :attr:`DistrictAudit.published
<equitykit.audit.DistrictAudit.published>`. Every later click filters that table, so the
explorer can show nothing the audit's ``metrics.csv`` does not publish; a district's cache keeps
no student record (the source keeps the loaded tables, to open the other districts).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._words import INTERSECTIONS
from ..config import AuditConfig
from ..errors import PrivacyError
from ..schema import DIMENSIONS, INTERSECTION_SEP, OUTCOMES, RACE_ETHNICITY, SEXES
from ._wording import SCORE_OUTCOMES

__all__ = ["DistrictCache", "DistrictSource", "group_sort_key"]

_ORDER = {code: i for i, code in enumerate((*RACE_ETHNICITY, *SEXES, "true", "false"))}
#: The published measures of a group's level: a rate (binary outcomes) or a mean (scores).
LEVELS = ("rate", "mean")

NO_DISTRICT = "the data has no district '{district_id}'; districts found: {found}"


def group_sort_key(group: str) -> tuple[int, ...]:
    """Report order of group labels: federal race order, then F/M/X, then true before false."""
    return tuple(_ORDER.get(part, len(_ORDER)) for part in group.split(INTERSECTION_SEP))


def _dimension_order(dimension: str) -> int:
    names = (*DIMENSIONS, *(INTERSECTION_SEP.join(pair) for pair in INTERSECTIONS))
    return names.index(dimension) if dimension in names else len(names)


@dataclass
class DistrictCache:
    """One district's published table and the menus drawn from it.

    ``published`` is the audit's ``metrics.csv`` table (after the privacy gate); the rows of
    a group's level (``rate``, ``mean``) decide which years, schools, outcomes, dimensions and
    groups the menus offer. ``audited_year`` is the year the audit's one-year analyses
    (predictiveness, where gaps sit, schools by group) are published for.
    """

    district_id: str
    published: pd.DataFrame
    audited_year: int
    school_names: dict[str, str]
    #: The config asks for school reports but their counts could not be protected, so the
    #: district is shown as an audit without them publishes it.
    school_reports_refused: bool = False
    memo: dict[tuple, object] = field(repr=False, default_factory=dict)
    lock: threading.RLock = field(repr=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        p = self.published
        self._levels = p[p["measure"].isin(LEVELS) & (p["comparison"] == "")
                         & ~p["dimension"].isin(["demographics"])]
        self._by_outcome = p.groupby(["school_year", "outcome"], sort=False).indices

    @classmethod
    def build(cls, data: object, *, config: AuditConfig, district_id: str) -> DistrictCache:
        """Audit one district's tables (an :class:`equitykit.intake.DistrictData`) and keep
        what the audit publishes. A district whose school reports the config asks for
        cannot be protected is shown without them, as ``equitykit audit`` without
        ``--by-school`` would publish it."""
        from ..audit import DistrictAudit

        audit = DistrictAudit.from_data(data, district_id=district_id, config=config)
        refused = False
        try:
            published = audit.publish()
        except PrivacyError:
            refused = True
            audit = DistrictAudit.from_data(data, district_id=district_id, config=config,
                                            by_school=False)
            published = audit.publish()
        published = published.astype({"school_id": "string", "dimension": "string",
                                      "group": "string", "measure": "string",
                                      "comparison": "string", "outcome": "string"})
        schools = getattr(data, "schools", None)
        names: dict[str, str] = {}
        if schools is not None and {"school_id", "school_name"} <= set(schools.columns):
            names = dict(zip(schools["school_id"].astype(str), schools["school_name"].astype(str),
                             strict=True))
        return cls(district_id=district_id, published=published,
                   audited_year=audit.school_year, school_names=names,
                   school_reports_refused=refused)

    # -- menus -------------------------------------------------------------------------------
    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self._levels["school_year"].unique())

    @property
    def schools(self) -> list[str]:
        """Schools with published figures, ordered by name."""
        ids = {str(s) for s in self._levels["school_id"].unique() if s}
        return sorted(ids, key=lambda s: self.school_name(s))

    def school_name(self, school_id: str) -> str:
        return self.school_names.get(school_id, school_id)

    def outcomes(self, school_year: int) -> list[str]:
        """Outcomes with a published all-students level that year: rates, then scores."""
        rows = self._levels[(self._levels["school_year"] == school_year)
                            & (self._levels["school_id"] == "")
                            & (self._levels["dimension"] == "all")]
        present = set(rows["outcome"])
        return [o for o in (*OUTCOMES, *SCORE_OUTCOMES) if o in present]

    def dimensions(self) -> list[str]:
        present = set(self._levels["dimension"]) - {"all"}
        return sorted(present, key=lambda d: (_dimension_order(d), d))

    def groups(self, *, school_year: int, outcome: str, dimension: str) -> list[str]:
        """Groups the audit lists for the outcome district-wide, in report order."""
        rows = self._levels[(self._levels["school_year"] == school_year)
                            & (self._levels["school_id"] == "")
                            & (self._levels["outcome"] == outcome)
                            & (self._levels["dimension"] == dimension)]
        return sorted(rows["group"].unique(), key=group_sort_key)

    @property
    def schools_by_group(self) -> bool:
        """Whether the audit publishes any school's groups (school reports)."""
        p = self._levels
        return bool(((p["school_id"] != "") & (p["dimension"] != "all")).any())

    def rows(self, *, school_year: int, outcome: str) -> pd.DataFrame:
        """The published rows of one year and outcome (every place, dimension and measure)."""
        found = self._by_outcome.get((school_year, outcome))
        return self.published.iloc[found if found is not None else []]


def _one_district(data: object, district_id: str) -> object:
    """The tables of ``data`` (every district) kept to one district's rows."""
    def own(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None or "district_id" not in frame:
            return frame
        return frame[frame["district_id"].astype(str) == district_id]

    return dataclasses.replace(data, **{f: own(getattr(data, f)) for f in
                                        ("students", "staff", "schools", "survey", "incidents")})


class DistrictSource:
    """Where the districts come from; each is audited on first use and kept.

    Parameters
    ----------
    district_ids
        The districts offered in the menu, in menu order.
    loader
        ``loader(district_id)``: that district's tables (an
        :class:`equitykit.intake.DistrictData`).
    config
        The client config (outcome definitions, privacy rules, school reports).
    """

    def __init__(self, district_ids: Iterable[str], loader: Callable[[str], object], *,
                 config: AuditConfig) -> None:
        self.district_ids = list(district_ids)
        self.config = config
        self._loader = loader
        self._built: dict[str, DistrictCache] = {}
        self._lock = threading.Lock()

    def __getitem__(self, district_id: str) -> DistrictCache:
        with self._lock:
            if district_id not in self._built:
                if district_id not in self.district_ids:
                    raise KeyError(NO_DISTRICT.format(district_id=district_id,
                                                      found=", ".join(self.district_ids)))
                self._built[district_id] = DistrictCache.build(
                    self._loader(district_id), config=self.config, district_id=district_id)
            return self._built[district_id]

    @classmethod
    def from_data(cls, data: object, *, config: AuditConfig | None = None) -> DistrictSource:
        """Districts from canonical tables already loaded (an
        :class:`equitykit.intake.DistrictData` of one or more districts)."""
        ids = sorted(data.students["district_id"].astype(str).unique())
        return cls(ids, lambda district_id: _one_district(data, district_id),
                   config=config or AuditConfig())

    @classmethod
    def from_frames(cls, students: pd.DataFrame, *, schools: pd.DataFrame | None = None,
                    config: AuditConfig | None = None) -> DistrictSource:
        """Districts from a canonical students table (and schools table) in memory."""
        from ..intake import DistrictData

        return cls.from_data(DistrictData(students=students, schools=schools), config=config)

    @classmethod
    def from_data_dir(cls, data_dir: str | Path, *, config: AuditConfig | None = None
                      ) -> DistrictSource:
        """Districts from a data folder (docs/data.md), read once with ``intake``."""
        from .. import intake

        config = config or AuditConfig()
        return cls.from_data(intake.load_district_data(data_dir, config=config), config=config)
