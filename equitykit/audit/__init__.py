"""The district audit: computing, suppressing and ranking one district's equity metrics, and the
report sections the notebook shows."""

from ._audit import DistrictAudit
from ._compute import BOOTSTRAP_REPLICATES, PERMUTATIONS
from ._findings import FindingRules, rank_findings

__all__ = [
    "BOOTSTRAP_REPLICATES", "PERMUTATIONS", "DistrictAudit", "FindingRules", "rank_findings",
]
