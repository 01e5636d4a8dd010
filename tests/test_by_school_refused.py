"""School reports whose counts the gate cannot protect are refused, never written unsafely.

The gate widens every count it can (rule 7c of equitykit/privacy/_suppression.py: a count pinned
through other places' equations or another relation takes the cheapest published number of
those along; D01, D02 and D03 end with none left, tests/test_school_reports_privacy.py), so the
refusal is the last resort; a stand-in gate that leaves counts unprotected triggers it here."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from equitykit.audit import DistrictAudit, _audit
from equitykit.errors import PrivacyError
from equitykit.privacy import Published


def _gate_leaving(unprotected: int):
    def publish(metrics: pd.DataFrame, **_options) -> Published:
        return Published(metrics.assign(suppressed=False),
                         {"rows": len(metrics), "unprotected_counts": unprotected})
    return publish


@pytest.mark.parametrize("by_school", [True, False])
def test_unprotected_school_counts_stop_the_school_reports(monkeypatch, by_school):
    monkeypatch.setattr(_audit.privacy, "publish", _gate_leaving(4))
    rows = pd.DataFrame({"school_year": [2023], "school_id": [""], "section": ["outcomes"],
                         "measure": ["rate"], "n": [50.0], "comparison": [""],
                         "outcome": ["oss"], "dimension": ["all"], "group": ["all"]})
    audit = dataclasses.replace(
        DistrictAudit.__new__(DistrictAudit), district_id="D9", school_year=2023,
        config=_audit.AuditConfig(), data=None, parameters={}, published=None, findings=[],
        timings={}, notes=[], privacy_loss={}, by_school=by_school, _computed=rows)
    if by_school:
        with pytest.raises(PrivacyError, match="district D9: the school reports cannot be "
                                               "protected: 4 withheld counts"):
            audit.publish()
    else:  # the district report alone records the count (0 on every sample district)
        assert audit.publish()["suppressed"].eq(False).all()
        assert audit.privacy_loss["unprotected_counts"] == 4
