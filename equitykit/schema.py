"""The canonical tables of docs/data.md and the outcomes derived from them.

This module is the single source of truth for column names, types and codes; intake validates
against it, the sample generator writes it, the metrics and the audit read it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BOOL_FALSE",
    "BOOL_TRUE",
    "COUNTS_COLUMNS",
    "DIMENSIONS",
    "DISABILITY_CATEGORIES",
    "DISCIPLINE_ACTIONS",
    "EXCLUSIONARY_ACTIONS",
    "GENDER_IDENTITIES",
    "GRADES",
    "IDEA_CATEGORIES",
    "INTERSECTION_SEP",
    "OUTCOMES",
    "PLACEMENTS",
    "RACE_ETHNICITY",
    "RACE_ETHNICITY_2024",
    "RESPONSE_OUTCOME",
    "SENSITIVE_DIMENSIONS",
    "SEXES",
    "SEXUAL_ORIENTATIONS",
    "SURVEY_ROLES",
    "TABLES",
    "Column",
    "Outcome",
    "construct_outcome",
]

RACE_ETHNICITY: tuple[str, ...] = (
    "Hispanic/Latino",
    "American Indian/Alaska Native",
    "Asian",
    "Black",
    "Native Hawaiian/Pacific Islander",
    "White",
    "Two or more races",
)
#: The 2024 federal standard (OMB SPD 15, revised): one combined race/ethnicity question, with
#: Middle Eastern or North African as a category of its own.
RACE_ETHNICITY_2024: tuple[str, ...] = (
    "Hispanic/Latino",
    "American Indian/Alaska Native",
    "Asian",
    "Black",
    "Middle Eastern or North African",
    "Native Hawaiian/Pacific Islander",
    "White",
    "Two or more races",
)
SEXES: tuple[str, ...] = ("F", "M", "X")
#: Who answered a climate survey row (survey column ``role``; absent = student).
SURVEY_ROLES: tuple[str, ...] = ("student", "staff", "family")
#: The outcome of survey response rates: students who answered, of those enrolled.
RESPONSE_OUTCOME = "survey_response"


def construct_outcome(role: str, construct: str) -> str:
    """The metrics outcome of a survey construct: ``favorable_<construct>`` for students,
    ``<role>_favorable_<construct>`` for staff and families."""
    return f"favorable_{construct}" if role == "student" else f"{role}_favorable_{construct}"


#: Sexual orientation of a survey respondent (survey column ``sexual_orientation``).
SEXUAL_ORIENTATIONS: tuple[str, ...] = (
    "heterosexual", "gay_or_lesbian", "bisexual", "another_orientation", "questioning",
)
#: Gender identity of a survey respondent (survey column ``gender_identity``).
GENDER_IDENTITIES: tuple[str, ...] = ("cisgender", "transgender", "nonbinary", "questioning")
#: Survey dimensions with their own, higher minimum n (``privacy.sensitive_min_n``), never
#: crossed with another dimension.
SENSITIVE_DIMENSIONS: tuple[str, ...] = ("sexual_orientation", "gender_identity")
GRADES: tuple[str, ...] = ("PK", "K", *(str(g) for g in range(1, 13)))
DISABILITY_CATEGORIES: tuple[str, ...] = (
    "AUT", "DB", "DD", "EMN", "HI", "ID", "MD", "OI", "OHI", "SLD", "SLI", "TBI", "VI",
)
#: The six disability categories IDEA examines for identification (34 CFR 300.647(b)(3)):
#: intellectual disability, specific learning disability, emotional disturbance, speech or
#: language impairment, other health impairment, autism.
IDEA_CATEGORIES: tuple[str, ...] = ("ID", "SLD", "EMN", "SLI", "OHI", "AUT")
PLACEMENTS: tuple[str, ...] = ("regular_80_plus", "regular_40_79", "regular_lt_40", "separate")
#: What a school did about a discipline incident (the ``action`` column of ``incidents``).
DISCIPLINE_ACTIONS: tuple[str, ...] = (
    "oss", "iss", "expulsion", "law_enforcement_referral", "arrest", "restorative_conference",
    "other",
)
#: Actions that remove a student from class or school, or hand them to the police.
EXCLUSIONARY_ACTIONS: tuple[str, ...] = (
    "oss", "iss", "expulsion", "law_enforcement_referral", "arrest",
)

#: Spellings accepted for booleans (compared case-insensitively, after stripping).
BOOL_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0"})
BOOL_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0"})

#: Separator for intersections, in dimension names and group labels (``Black×M``).
INTERSECTION_SEP = "×"

#: Student dimensions audited for disparities, in report order.
DIMENSIONS: tuple[str, ...] = (
    "race_ethnicity",
    "sex",
    "econ_disadvantaged",
    "english_learner",
    "disability",
)


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind and whether a table must have it."""

    name: str
    kind: str  # "string", "int", "number", "bool", "category", "grade", "date"
    required: bool = False
    codes: tuple[str, ...] | None = None  # allowed values for categories


def _cols(*cols: Column) -> dict[str, Column]:
    return {c.name: c for c in cols}


_DEMOGRAPHICS = (
    Column("race_ethnicity", "category", True, RACE_ETHNICITY),
    Column("sex", "category", True, SEXES),
    Column("econ_disadvantaged", "bool", True),
    Column("english_learner", "bool", True),
    Column("disability", "bool", True),
)

TABLES: dict[str, dict[str, Column]] = {
    "students": _cols(
        Column("student_id", "string", True),
        Column("school_year", "int", True),
        Column("district_id", "string", True),
        Column("school_id", "string", True),
        Column("grade", "grade", True, GRADES),
        *_DEMOGRAPHICS,
        Column("disability_category", "category", False, DISABILITY_CATEGORIES),
        Column("section_504", "bool"),
        Column("placement", "category", False, PLACEMENTS),
        Column("days_enrolled", "int"),
        Column("days_absent", "int"),
        Column("iss_days", "number"),
        Column("oss_days", "number"),
        Column("oss_count", "number"),
        Column("expelled", "bool"),
        Column("referred_law_enforcement", "bool"),
        Column("arrested", "bool"),
        Column("gifted", "bool"),
        Column("advanced_course", "bool"),
        Column("algebra1_grade8", "bool"),
        Column("math_score", "number"),
        Column("ela_score", "number"),
        Column("math_level", "int"),
        Column("ela_level", "int"),
        Column("graduated_4yr", "bool"),
        Column("dropped_out", "bool"),
        Column("retained", "bool"),
    ),
    "staff": _cols(
        Column("staff_id", "string", True),
        Column("school_year", "int", True),
        Column("district_id", "string", True),
        Column("school_id", "string", True),
        Column("role", "string", True),
        Column("years_experience", "number", True),
        Column("certified", "bool", True),
        Column("in_field", "bool", True),
        Column("race_ethnicity", "category", False, RACE_ETHNICITY),
        Column("fte", "number"),
        Column("hire_year", "int"),
        Column("exit_year", "int"),
    ),
    "schools": _cols(
        Column("school_id", "string", True),
        Column("district_id", "string", True),
        Column("school_year", "int", True),
        Column("school_name", "string"),
        Column("level", "string"),
        Column("title1", "bool"),
        Column("per_pupil_expenditure", "number"),
    ),
    "survey": _cols(
        Column("school_year", "int", True),
        Column("district_id", "string", True),
        Column("school_id", "string", True),
        Column("role", "category", False, SURVEY_ROLES),
        Column("respondent_id", "string"),
        Column("student_id", "string"),
        Column("staff_id", "string"),
        Column("grade", "grade", False, GRADES),
        Column("race_ethnicity", "category", False, RACE_ETHNICITY),
        Column("sex", "category", False, SEXES),
        Column("econ_disadvantaged", "bool"),
        Column("english_learner", "bool"),
        Column("disability", "bool"),
        Column("sexual_orientation", "category", False, SEXUAL_ORIENTATIONS),
        Column("gender_identity", "category", False, GENDER_IDENTITIES),
        Column("domain", "string", True),
        Column("item", "string", True),
        Column("response", "int", True),
        Column("favorable", "bool"),
    ),
    "incidents": _cols(
        Column("student_id", "string", True),
        Column("school_year", "int", True),
        Column("district_id", "string", True),
        Column("school_id", "string", True),
        Column("incident_date", "date"),
        Column("offense_code", "string", True),
        Column("offense_category", "string"),
        Column("subjective", "bool"),
        Column("location", "string"),
        Column("action", "category", True, DISCIPLINE_ACTIONS),
        Column("days", "number"),
    ),
}

#: Columns of the aggregate counts table (docs/data.md, "Aggregate input").
COUNTS_COLUMNS: tuple[str, ...] = (
    "district_id",
    "school_id",
    "school_year",
    "measure",
    "dimension",
    "group",
    "numerator",
    "denominator",
)


@dataclass(frozen=True)
class Outcome:
    """A binary outcome audited as a rate.

    ``population`` names who is in the denominator: ``"enrolled"`` (every student row),
    ``"disability"`` (students with disabilities: IDEA placement and discipline), or
    ``"defined"`` (rows where the outcome is known, e.g. grade-8 students for Algebra I).
    ``adverse`` is True when a higher rate is worse (discipline) and False when it is an
    opportunity (gifted, advanced courses). ``ranked`` is False for an outcome that counts
    again students another one counts (repeat suspension, among the suspended): its
    disparities are shown in the discipline view, not ranked again among the systemic
    contributors. The decisions after a referral (what offense is recorded, removal, a
    restorative conference) are adults' decisions about the students referred, not the
    referral again, and are ranked.
    """

    name: str
    label: str
    section: str
    domain: str
    adverse: bool
    population: str = "enrolled"
    ranked: bool = True


OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in (
        Outcome("chronic_absent", "chronically absent", "achievement", "attendance", True,
                "defined"),
        Outcome("iss", "given an in-school suspension", "programmatic", "discipline", True),
        Outcome("oss", "suspended out of school", "programmatic", "discipline", True),
        Outcome("suspended_2plus", "suspended out of school two or more times",
                "programmatic", "discipline", True, ranked=False),
        Outcome("referred", "referred for a discipline incident", "programmatic", "discipline",
                True),
        Outcome("subjective_referral", "referred for a subjective offense, of students referred",
                "programmatic", "discipline", True, "defined"),
        Outcome("exclusionary_given_referral",
                "removed from class or school when referred",
                "programmatic", "discipline", True, "defined"),
        Outcome("restorative_given_referral",
                "offered a restorative conference when referred",
                "programmatic", "discipline", False, "defined"),
        Outcome("expelled", "expelled", "programmatic", "discipline", True),
        Outcome("referred_law_enforcement", "referred to law enforcement", "programmatic",
                "discipline", True),
        Outcome("arrested", "arrested at school", "programmatic", "discipline", True),
        Outcome("disability", "identified for special education", "programmatic",
                "special_education", True),
        *(
            Outcome(f"disability_{code}", f"identified for special education ({label})",
                    "programmatic", "special_education", True)
            for code, label in (
                ("ID", "intellectual disability"), ("SLD", "specific learning disability"),
                ("EMN", "emotional disturbance"), ("SLI", "speech or language impairment"),
                ("OHI", "other health impairment"), ("AUT", "autism"),
            )
        ),
        Outcome("placement_lt40", "placed in a regular class less than 40% of the day",
                "programmatic", "special_education", True, "disability"),
        Outcome("placement_separate", "placed in a separate school or facility",
                "programmatic", "special_education", True, "disability"),
        Outcome("gifted", "identified as gifted", "programmatic", "access", False),
        Outcome("advanced_course", "enrolled in an advanced course (AP/IB/dual)",
                "programmatic", "access", False, "defined"),
        Outcome("algebra1_grade8", "taking Algebra I in grade 8", "programmatic", "access",
                False, "defined"),
        Outcome("math_proficient", "proficient in math", "achievement", "achievement", False,
                "defined"),
        Outcome("ela_proficient", "proficient in reading (ELA)", "achievement", "achievement",
                False, "defined"),
        Outcome("graduated_4yr", "graduating in four years", "achievement", "attainment",
                False, "defined"),
        Outcome("dropped_out", "dropping out", "achievement", "attainment", True, "defined"),
        Outcome("retained", "retained in grade", "achievement", "attainment", True),
    )
}
