"""Climate survey responses of a sample of students, one row per respondent per item.

Each respondent has a latent view per domain; items add their own noise and are cut into the
responses 1-5. Planted: belonging is lower for Black students in every school (within schools),
felt safety is lower in high-poverty schools (between schools), adult support has no gap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..schema import RACE_ETHNICITY, TABLES
from . import _model as m
from ._students import StudentYears

__all__: list[str] = []

_BLACK = RACE_ETHNICITY.index("Black")
_DEMOGRAPHICS = ("race_ethnicity", "sex", "econ_disadvantaged", "english_learner", "disability")


def generate_survey(rng: np.random.Generator, *, survey_years: Sequence[int],
                    students: StudentYears) -> pd.DataFrame:
    """Responses of students in the survey grades of ``survey_years``; no student ids."""
    table = students.table
    grade = table["grade"].to_numpy()
    year = table["school_year"].to_numpy()
    year_index = np.searchsorted(np.unique(year), year)
    invited = np.isin(grade, m.SURVEY_GRADES) & np.isin(year, survey_years)
    responds = np.flatnonzero(invited & (rng.random(len(table)) < m.SURVEY_RESPONSE_RATE))
    # Respondents in a random order inside each school and year: row order never links a
    # response back to a student record.
    shuffled = responds[rng.permutation(len(responds))]
    order = np.lexsort((students.school_index[shuffled], year[shuffled]))
    respondents = shuffled[order]
    poverty = students.poverty[year_index[respondents], students.school_index[respondents]]
    black = table["race_ethnicity"].cat.codes.to_numpy()[respondents] == _BLACK
    shifts = {
        "belonging": m.BELONGING_BLACK_SHIFT * black,
        "safety": m.SAFETY_POVERTY_SLOPE * (poverty - 0.5),
        "adult_support": np.zeros(len(respondents)),
    }
    n = len(respondents)
    parts = []
    for domain, items in m.SURVEY_ITEMS.items():
        view = shifts[domain] + m.SURVEY_PERSON_SD * rng.standard_normal(n)
        for item in items:
            latent = view + m.SURVEY_ITEM_SD * rng.standard_normal(n)
            response = 1 + (latent[:, None] >= np.array(m.SURVEY_CUTS)).sum(axis=1)
            parts.append(pd.DataFrame({"respondent": np.arange(n), "domain": domain,
                                       "item": item, "response": response}))
    answers = pd.concat(parts, ignore_index=True).sort_values("respondent", kind="stable")
    who = respondents[answers["respondent"].to_numpy()]
    out = table.iloc[who][["school_year", "district_id", "school_id", *_DEMOGRAPHICS]]
    out = out.reset_index(drop=True).assign(
        domain=pd.array(answers["domain"].to_numpy(), dtype="string"),
        item=pd.array(answers["item"].to_numpy(), dtype="string"),
        response=answers["response"].to_numpy().astype(np.int64),
        favorable=pd.array(answers["response"].to_numpy() >= 4, dtype="boolean"),
    )
    return out[[c for c in TABLES["survey"] if c in out.columns]]
