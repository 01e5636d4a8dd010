"""The synthetic district of METHODS §10.6, shared by the disproportionality tests."""

from __future__ import annotations

import pandas as pd

GROUPS = ("Black", "Hispanic/Latino", "White", "Asian", "Two or more races")
ENROLLED = dict(zip(GROUPS, (400, 1200, 2000, 300, 100), strict=True))
WITH_OUTCOME = dict(zip(GROUPS, (40, 36, 40, 3, 1), strict=True))
STATE_SHARES = dict(zip(GROUPS, (0.15, 0.25, 0.50, 0.07, 0.03), strict=True))
N, X = sum(ENROLLED.values()), sum(WITH_OUTCOME.values())

# The §10.6 table as printed: risk, RR, RD, WRR, composition %, E %, excess, Fisher p, BH q.
PRINTED = {
    "Black": dict(rr=4.500, rd=0.0778, wrr=4.595, comp=33.33, e=12.74, excess=31.1,
                  p=1.0e-12, q=None),
    "Hispanic/Latino": dict(rr=1.000, rd=0.0, wrr=0.865, comp=30.00, e=34.18, excess=0.0,
                            p=1.00, q=1.00),
    "White": dict(rr=0.500, rd=-0.0200, wrr=0.426, comp=33.33, e=54.56, excess=-40.0,
                  p=2.7e-4, q=6.7e-4),
    "Asian": dict(rr=0.316, rd=-0.0216, wrr=0.284, comp=2.50, e=9.90, excess=-6.5,
                  p=0.033, q=0.055),
    "Two or more races": dict(rr=0.328, rd=-0.0205, wrr=0.292, comp=0.83, e=3.93, excess=-2.1,
                              p=0.37, q=0.46),
}


def counts(measure: str = "oss", year: int = 2023, district: str = "D1") -> pd.DataFrame:
    """The §10.6 district as a counts table: an 'all' row and one row per group."""
    return pd.DataFrame({
        "district_id": district, "school_id": "", "school_year": year, "measure": measure,
        "dimension": ["all"] + ["race_ethnicity"] * len(GROUPS),
        "group": ["all", *GROUPS],
        "numerator": [X, *WITH_OUTCOME.values()],
        "denominator": [N, *ENROLLED.values()],
    })
