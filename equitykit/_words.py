"""Names of groups, outcomes and school years in plain words, shared by the report and the
explorer so a room hears the same phrases the report prints."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .schema import INTERSECTION_SEP, OUTCOMES

__all__ = [
    "DIMENSION_TITLES",
    "INTERSECTIONS",
    "SCORE_OUTCOMES",
    "SECTION_TITLES",
    "SURVEY_ROLE_TITLES",
    "capitalize",
    "column_title",
    "comparison_label",
    "construct_label",
    "counted_label",
    "difference_label",
    "dimension_label",
    "fmt_int",
    "fmt_pct",
    "group_codes",
    "group_label",
    "outcome_infinitive",
    "outcome_label",
    "outcome_title",
    "year_label",
]

#: Score outcomes shown as distributions (label used in sentences).
SCORE_OUTCOMES: dict[str, str] = {"math_score": "math", "ela_score": "reading (ELA)"}

#: Each report section's heading.
SECTION_TITLES: dict[str, str] = {
    "summary": "Summary",
    "focus": "Focus group",
    "goals": "Goals and progress",
    "data_profile": "Data profile and coverage",
    "enrollment": "Enrollment and representation",
    "achievement": "Achievement equity",
    "programmatic": "Programmatic equity",
    "discipline": "Discipline at each decision point",
    "teacher_quality": "Teacher quality equity",
    "segregation": "Segregation",
    "resources": "Resources",
    "climate": "Climate and belonging",
    "predictiveness": "Are outcomes predicted by demographics?",
    "findings": "Ranked systemic contributors",
    "trends": "Trends across years",
    "methods": "Methods and privacy",
    "provenance": "Provenance",
}

#: Each student dimension as a phrase in a sentence ("gaps by English learner status").
DIMENSION_TITLES: dict[str, str] = {
    "race_ethnicity": "race/ethnicity",
    "sex": "sex",
    "econ_disadvantaged": "economic disadvantage",
    "english_learner": "English learner status",
    "disability": "disability",
    "sexual_orientation": "sexual orientation",
    "gender_identity": "gender identity",
}

#: Who answered a climate survey, as a heading ("Students", "Staff", "Families").
SURVEY_ROLE_TITLES: dict[str, str] = {"student": "Students", "staff": "Staff",
                                      "family": "Families"}

#: Intersections of two dimensions the audit counts and the explorer offers; a group of one is
#: its labels joined with ``schema.INTERSECTION_SEP`` ("Black×F").
INTERSECTIONS: tuple[tuple[str, str], ...] = (
    ("race_ethnicity", "sex"),
    ("race_ethnicity", "econ_disadvantaged"),
    ("race_ethnicity", "disability"),
)

_RACE_ADJECTIVE = {"Two or more races": "multiracial"}

# Templates for one dimension's groups; "{r}" is where a race adjective goes in an intersection.
_TEMPLATES: dict[str, dict[str, str]] = {
    "sex": {"F": "{r} girls", "M": "{r} boys", "X": "{r} nonbinary students"},
    "econ_disadvantaged": {
        "true": "economically disadvantaged {r} students",
        "false": "{r} students not economically disadvantaged",
    },
    "english_learner": {
        "true": "{r} English learners",
        "false": "{r} students who are not English learners",
    },
    "disability": {
        "true": "{r} students with disabilities",
        "false": "{r} students without disabilities",
    },
    "sexual_orientation": {
        "heterosexual": "heterosexual students",
        "gay_or_lesbian": "gay or lesbian students",
        "bisexual": "bisexual students",
        "another_orientation": "students of another sexual orientation",
        "questioning": "students questioning their sexual orientation",
    },
    "gender_identity": {
        "cisgender": "cisgender students",
        "transgender": "transgender students",
        "nonbinary": "students who identify as nonbinary",
        "questioning": "students questioning their gender identity",
    },
}

# Outcomes whose label does not read well after "to be".
_INFINITIVE = {
    "algebra1_grade8": "take Algebra I in grade 8",
    "graduated_4yr": "graduate in four years",
    "dropped_out": "drop out",
    "subjective_referral": "be referred for a subjective offense when referred",
}


def _fill(template: str, race: str) -> str:
    return " ".join(template.format(r=race).split())


def group_label(dimension: str, group: str) -> str:
    """The plain-language name of a group: ``"race_ethnicity×sex", "Black×F"`` → "Black girls".

    Examples
    --------
    >>> group_label("race_ethnicity×sex", "Black×F")
    'Black girls'
    >>> group_label("disability", "true")
    'students with disabilities'
    """
    if dimension == "all":
        return "all students"
    dims = dimension.split(INTERSECTION_SEP)
    parts = group.split(INTERSECTION_SEP)
    if len(dims) != len(parts):
        return f"students in group {group}"
    race = ""
    rest = list(zip(dims, parts, strict=True))
    if dims[0] == "race_ethnicity":
        race = _RACE_ADJECTIVE.get(parts[0], parts[0])
        rest = rest[1:]
    if not rest:
        return _fill("{r} students", race)
    if len(rest) > 1 or rest[0][0] not in _TEMPLATES:
        return f"students in group {group}"
    dim, value = rest[0]
    template = _TEMPLATES[dim].get(value)
    return _fill(template, race) if template else f"students in group {group}"


def column_title(column: str) -> str:
    """A student column as a title: ``"english_learner"`` → "English learner status",
    ``"days_absent"`` → "Days absent".

    Examples
    --------
    >>> column_title("english_learner"), column_title("iss_days")
    ('English learner status', 'Iss days')
    """
    return capitalize(DIMENSION_TITLES.get(column, column.replace("_", " ")))


def outcome_title(outcome: str) -> str:
    """A short title for an outcome, e.g. "Suspended out of school" or "Math scores"."""
    return capitalize(outcome_label(outcome))  # "Reading (ELA) scores", not "(ela)"


def outcome_label(outcome: str) -> str:
    """The outcome's plain label, e.g. "suspended out of school" or "math scores"; a measure
    the schema does not know (public data) reads as its name."""
    if outcome in OUTCOMES:
        return OUTCOMES[outcome].label
    if outcome in SCORE_OUTCOMES:
        return f"{SCORE_OUTCOMES[outcome]} scores"
    return outcome.replace("_", " ")


#: Who an outcome's rate counts, as a table's "students" column names them: by population
#: (:class:`~equitykit.schema.Outcome`), then by outcome where it says more.
_COUNTED_POPULATION = {"enrolled": "students enrolled", "disability": "students with disabilities"}
_COUNTED = {
    "disability": "students enrolled",  # identification: of all students
    "chronic_absent": "students with attendance records",
    "retained": "students whose next year is known",
    "subjective_referral": "students referred",
    "exclusionary_given_referral": "students referred",
    "restorative_given_referral": "students referred",
    "advanced_course": "students in grades 9–12", "algebra1_grade8": "students in grade 8",
    "math_proficient": "students tested", "ela_proficient": "students tested",
    "graduated_4yr": "students in the graduation cohort",
    "dropped_out": "students in the graduation cohort",
}


def counted_label(outcome: str) -> str:
    """Who the outcome's rate counts ("students tested", "students enrolled"); "students"
    for a measure the schema does not know (public data)."""
    if outcome in _COUNTED:
        return _COUNTED[outcome]
    known = OUTCOMES.get(outcome)
    return _COUNTED_POPULATION.get(known.population, "students") if known else "students"


def outcome_infinitive(outcome: str) -> str:
    """The outcome as an infinitive phrase after "to": "be suspended out of school"."""
    return _INFINITIVE.get(outcome, f"be {outcome_label(outcome)}")


def year_label(school_year: int) -> str:
    """School year from its fall year: 2023 → "2023–24"."""
    return f"{school_year}–{(school_year + 1) % 100:02d}"


def difference_label(points: float) -> str:
    """A difference in percentage points in words, never starting with a sign (a spreadsheet
    would read ``+5.2 pts`` as a formula): ``5.2`` → "5.2 pts higher".

    Examples
    --------
    >>> difference_label(5.21), difference_label(-0.04), difference_label(-3.0)
    ('5.2 pts higher', '0.0 pts', '3.0 pts lower')
    """
    shown = f"{abs(points):.1f}"
    if shown == "0.0":
        return "0.0 pts"
    return f"{shown} pts {'higher' if points > 0 else 'lower'}"


def group_codes(column: pd.Series) -> pd.Series:
    """A student column as categorical group labels as the counts table writes them:
    booleans as ``"true"``/``"false"``, anything else as text; missing stays missing."""
    if pd.api.types.is_bool_dtype(column.dtype):
        flags = column.astype("boolean")
        codes = np.where(flags.isna(), -1, flags.fillna(False).to_numpy(dtype=np.int8))
        return pd.Series(pd.Categorical.from_codes(codes, categories=["false", "true"]),
                         index=column.index)
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.rename_categories([str(c) for c in column.cat.categories])
    return column.astype("string").astype("category")


def comparison_label(dimension: str, comparison: str) -> str:
    """"all other students" or the named comparison group's plain-language name."""
    return "all other students" if comparison == "all_other" else group_label(dimension, comparison)


def dimension_label(dimension: str) -> str:
    """A dimension or intersection as a phrase: "race/ethnicity × sex"."""
    return " × ".join(DIMENSION_TITLES.get(d, d) for d in dimension.split(INTERSECTION_SEP))


def capitalize(text: str) -> str:
    """Upper-case the first letter only (``"students with…"`` → ``"Students with…"``)."""
    return text[:1].upper() + text[1:]


def fmt_pct(value: float | None, digits: int = 1) -> str:
    """A share as a percent, "—" when missing: ``0.1234`` → "12.3%"."""
    return "—" if value is None or not math.isfinite(value) else f"{100 * value:.{digits}f}%"


def fmt_int(value: float | None) -> str:
    """A count with thousands separators, "—" when missing: ``1234.0`` → "1,234"."""
    return "—" if value is None or not math.isfinite(value) else f"{value:,.0f}"


def construct_label(measure: str) -> str:
    """A climate survey construct in plain words: ``"favorable_adult_support"`` → "Adult
    support" (the metrics name each construct ``favorable_<construct>``, prefixed with the
    role for staff and families: ``staff_favorable_belonging``).

    Examples
    --------
    >>> construct_label("favorable_adult_support"), construct_label("staff_favorable_belonging")
    ('Adult support', 'Belonging')
    """
    text = measure.split("favorable_", 1)[-1].replace("_", " ").strip()
    return capitalize(text)
