"""Discipline incidents of the sample students, one row per incident, with the planted
decision-point disparities of ``_model`` (suspensions for subjective offenses, referrals,
restorative conferences)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import RACE_ETHNICITY, TABLES
from . import _model as m
from ._students import StudentYears

__all__: list[str] = []

_BLACK = RACE_ETHNICITY.index("Black")
_SUBJECTIVE = [c for c, (_, subjective) in m.OFFENSES.items() if subjective]
_OBJECTIVE = [c for c, (_, subjective) in m.OFFENSES.items() if not subjective]


def generate_incidents(rng: np.random.Generator, *, students: StudentYears) -> pd.DataFrame:
    """One out-of-school suspension incident per suspension of the students table (its days
    split evenly), plus referrals that end in a restorative conference or another action."""
    table = students.table
    n = len(table)
    other = (table["race_ethnicity"].cat.codes.to_numpy() != _BLACK).astype(int)  # 0 = Black
    oss_count = table["oss_count"].fillna(0).to_numpy().astype(int)
    days = np.where(oss_count > 0, table["oss_days"].fillna(0).to_numpy()
                    / np.maximum(oss_count, 1), 0.0)
    parts = []
    who = np.repeat(np.arange(n), oss_count)
    subjective = rng.random(len(who)) < np.array(m.SUBJECTIVE_SHARE_OF_OSS)[other[who]]
    parts.append((who, subjective, np.full(len(who), "oss"), days[who]))
    for mean, subjective_offense in ((np.array(m.SUBJECTIVE_REFERRALS_MEAN)[other], True),
                                     (np.full(n, m.OBJECTIVE_REFERRALS_MEAN), False)):
        who = np.repeat(np.arange(n), rng.poisson(mean))
        restorative = rng.random(len(who)) < np.array(m.RESTORATIVE_GIVEN_REFERRAL)[other[who]]
        action = np.where(restorative, "restorative_conference", "other")
        parts.append((who, np.full(len(who), subjective_offense), action,
                      np.full(len(who), np.nan)))
    who = np.concatenate([p[0] for p in parts])
    subjective = np.concatenate([p[1] for p in parts])
    codes = np.where(subjective, rng.choice(_SUBJECTIVE, len(who)),
                     rng.choice(_OBJECTIVE, len(who)))
    year = table["school_year"].to_numpy()[who].astype(int)
    dates = (pd.to_datetime(pd.Series(year).astype(str) + "-09-01")
             + pd.to_timedelta(rng.integers(0, 270, len(who)), unit="D"))
    out = pd.DataFrame({
        "student_id": table["student_id"].to_numpy()[who],
        "school_year": year,
        "district_id": table["district_id"].to_numpy()[who],
        "school_id": table["school_id"].to_numpy()[who],
        "incident_date": dates.dt.strftime("%Y-%m-%d").to_numpy(),
        "offense_code": codes,
        "offense_category": [m.OFFENSES[c][0] for c in codes],
        "subjective": subjective,
        "location": rng.choice(m.INCIDENT_LOCATIONS, len(who)),
        "action": np.concatenate([p[2] for p in parts]),
        "days": np.concatenate([p[3] for p in parts]),
    })
    out = out.sort_values(["school_year", "school_id", "incident_date", "student_id"],
                          kind="stable").reset_index(drop=True)
    return out[[c for c in TABLES["incidents"] if c in out.columns]]
