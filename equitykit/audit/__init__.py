"""The district audit: computing, suppressing and ranking one district's equity metrics, and the
report sections the notebook shows."""

from ._audit import DistrictAudit
from ._findings import FindingRules, rank_findings

__all__ = ["DistrictAudit", "FindingRules", "rank_findings"]
