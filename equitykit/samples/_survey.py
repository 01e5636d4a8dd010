"""Climate survey responses of students, staff and families, one row per respondent per item.

Each respondent has a latent view per domain; items add their own noise and are cut into the
responses 1-5. Planted, students: belonging is lower for Black students in every school
(within schools) and about 15 points lower for LGBTQ+ students (grades 8 and 11, the grades
asked about sexual orientation and gender identity); felt safety is lower in high-poverty
schools (between schools); adult support has no gap; English learners answer less often.
Staff: Black staff report lower belonging. Families: families of English learners find the
school's communication less favorable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..schema import GENDER_IDENTITIES, RACE_ETHNICITY, SEXUAL_ORIENTATIONS, TABLES
from . import _model as m
from ._students import StudentYears
from ._text import labelled, pseudonymous_ids

__all__: list[str] = []

_BLACK = RACE_ETHNICITY.index("Black")
_DEMOGRAPHICS = ("race_ethnicity", "sex", "econ_disadvantaged", "english_learner", "disability")
_FAMILY_DEMOGRAPHICS = ("race_ethnicity", "econ_disadvantaged", "english_learner")


def generate_survey(rng: np.random.Generator, *, survey_years: Sequence[int],
                    students: StudentYears, staff: pd.DataFrame) -> pd.DataFrame:
    """Responses of students in the survey grades, of staff and of families in
    ``survey_years``; respondent ids are random (no student ids), staff answer with their
    ``staff_id``."""
    # A child stream for the ids, SOGI answers, staff and families, so the students' answers
    # keep their own stream.
    extra = rng.spawn(1)[0]
    table = students.table
    grade = table["grade"].to_numpy()
    year = table["school_year"].to_numpy()
    year_index = np.searchsorted(np.unique(year), year)
    invited = np.isin(grade, m.SURVEY_GRADES) & np.isin(year, survey_years)
    rate = np.where(table["english_learner"].to_numpy(dtype=bool),
                    m.SURVEY_RESPONSE_RATE_EL, m.SURVEY_RESPONSE_RATE)
    responds = np.flatnonzero(invited & (rng.random(len(table)) < rate))
    # Respondents in a random order inside each school and year: row order never links a
    # response back to a student record.
    shuffled = responds[rng.permutation(len(responds))]
    order = np.lexsort((students.school_index[shuffled], year[shuffled]))
    respondents = shuffled[order]
    n = len(respondents)
    poverty = students.poverty[year_index[respondents], students.school_index[respondents]]
    black = table["race_ethnicity"].cat.codes.to_numpy()[respondents] == _BLACK
    asked = np.isin(grade[respondents], m.SOGI_GRADES)
    orientation = np.where(asked, extra.choice(len(SEXUAL_ORIENTATIONS), n,
                                               p=m.SEXUAL_ORIENTATION_P), -1)
    identity = np.where(asked, extra.choice(len(GENDER_IDENTITIES), n,
                                            p=m.GENDER_IDENTITY_P), -1)
    lgbtq = (orientation > 0) | (identity > 0)
    answers = _answers(rng, m.SURVEY_ITEMS, {
        "belonging": m.BELONGING_BLACK_SHIFT * black + m.BELONGING_LGBTQ_SHIFT * lgbtq,
        "safety": m.SAFETY_POVERTY_SLOPE * (poverty - 0.5),
        "adult_support": np.zeros(n),
    })
    who = answers["respondent"].to_numpy()
    pupils = table.iloc[respondents[who]][["school_year", "district_id", "school_id", "grade",
                                           *_DEMOGRAPHICS]].reset_index(drop=True)
    pupils = pupils.assign(
        role="student",
        respondent_id=labelled(pseudonymous_ids(extra, "R", n), who),
        sexual_orientation=pd.Categorical.from_codes(orientation[who], SEXUAL_ORIENTATIONS),
        gender_identity=pd.Categorical.from_codes(identity[who], GENDER_IDENTITIES),
    )
    parts = [_with_answers(pupils, answers),
             _staff(extra, staff[staff["school_year"].isin(survey_years)]),
             _families(extra, table[np.isin(year, survey_years)])]
    out = pd.concat(parts, ignore_index=True)
    out["role"] = pd.Categorical(out["role"], categories=["student", "staff", "family"])
    for name in ("school_id", "district_id", "respondent_id", "staff_id"):
        out[name] = out[name].astype("string")
    return out[[c for c in TABLES["survey"] if c in out.columns]]


def _answers(rng: np.random.Generator, items: Mapping[str, tuple[str, ...]],
             shifts: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Responses 1-5 of each respondent (``0 … n-1``) to every item, respondent by respondent."""
    parts = []
    for domain, names in items.items():
        n = len(shifts[domain])
        view = shifts[domain] + m.SURVEY_PERSON_SD * rng.standard_normal(n)
        for item in names:
            latent = view + m.SURVEY_ITEM_SD * rng.standard_normal(n)
            response = 1 + (latent[:, None] >= np.array(m.SURVEY_CUTS)).sum(axis=1)
            parts.append(pd.DataFrame({"respondent": np.arange(n), "domain": domain,
                                       "item": item, "response": response}))
    return pd.concat(parts, ignore_index=True).sort_values("respondent", kind="stable")


def _with_answers(people: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """``people`` (one row per answer already) with the answer columns."""
    response = answers["response"].to_numpy()
    return people.assign(
        domain=pd.array(answers["domain"].to_numpy(), dtype="string"),
        item=pd.array(answers["item"].to_numpy(), dtype="string"),
        response=response.astype(np.int64),
        favorable=pd.array(response >= 4, dtype="boolean"),
    )


def _staff(rng: np.random.Generator, staff: pd.DataFrame) -> pd.DataFrame:
    """Staff answers, with their staff id (their race/ethnicity comes from the staff table)."""
    staff = staff.drop_duplicates(["staff_id", "school_year"])
    staff = staff[rng.random(len(staff)) < m.STAFF_RESPONSE_RATE].reset_index(drop=True)
    black = (staff["race_ethnicity"] == "Black").to_numpy(dtype=bool)
    answers = _answers(rng, m.STAFF_ITEMS, {
        "belonging": m.BELONGING_BLACK_STAFF_SHIFT * black,
        "cultural_responsiveness": np.zeros(len(staff)),
    })
    people = staff.iloc[answers["respondent"].to_numpy()][
        ["school_year", "district_id", "school_id", "staff_id"]].reset_index(drop=True)
    return _with_answers(people.assign(role="staff"), answers)


def _families(rng: np.random.Generator, students: pd.DataFrame) -> pd.DataFrame:
    """Answers of the families of some students (one family per student, every grade), with
    the student's race/ethnicity, economic disadvantage and English learner status."""
    chosen = students[rng.random(len(students)) < m.FAMILY_RESPONSE_RATE].reset_index(drop=True)
    learner = chosen["english_learner"].to_numpy(dtype=bool)
    answers = _answers(rng, m.FAMILY_ITEMS, {
        "belonging": np.zeros(len(chosen)),
        "communication": m.COMMUNICATION_EL_FAMILY_SHIFT * learner,
    })
    who = answers["respondent"].to_numpy()
    people = chosen.iloc[who][["school_year", "district_id", "school_id",
                               *_FAMILY_DEMOGRAPHICS]].reset_index(drop=True)
    ids = labelled(pseudonymous_ids(rng, "F", len(chosen)), who)
    return _with_answers(people.assign(role="family", respondent_id=ids), answers)
