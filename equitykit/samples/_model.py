"""The generating model of the sample districts: every effect size lives here, once.

The generator (``_students``, ``_staff``, ``_survey``) reads these numbers and
:data:`~equitykit.samples.PLANTED` documents them, so the code and the ground truth an audit is
checked against cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..schema import RACE_ETHNICITY

__all__ = ["DEFAULT_DISTRICTS", "DEFAULT_SEED", "DistrictSpec"]

UNKNOWN_GROUPS = "{what}: unknown race/ethnicity group(s) {groups}; use the schema's spelling"

#: Seed of the shipped sample data.
DEFAULT_SEED = 20240917

# --- school structure -------------------------------------------------------------------------
LEVELS: tuple[str, ...] = ("Elementary", "Middle", "High")
#: Level of each grade in schema.GRADES order: PK-5 elementary, 6-8 middle, 9-12 high.
LEVEL_OF_GRADE: tuple[int, ...] = (0,) * 7 + (1,) * 3 + (2,) * 4
#: Relative size of each grade in schema.GRADES order; PK is a smaller, partly enrolled cohort.
GRADE_WEIGHTS: tuple[float, ...] = (0.6,) + (1.0,) * 13
HIGH_SCHOOL_SHARE, MIDDLE_SCHOOL_SHARE = 0.2, 0.25  # of a district's schools
STUDENTS_PER_TEACHER, STUDENTS_PER_COUNSELOR = 15, 400
MOBILITY_RATE = 0.06  # students leaving the district each year (at random)

# --- residential segregation (poverty axis z in [-1, 1], one value per elementary zone) ------
#: log-odds slope of living in a zone with poverty position z, per race/ethnicity.
SEGREGATION_SLOPE: Mapping[str, float] = MappingProxyType({
    "Hispanic/Latino": 2.0, "American Indian/Alaska Native": 0.3, "Asian": -0.8, "Black": 1.0,
    "Native Hawaiian/Pacific Islander": 0.3, "White": -1.4, "Two or more races": -0.2,
})
#: log-odds shift of economic disadvantage per race/ethnicity (intercept set per district).
POVERTY_RACE_SHIFT: Mapping[str, float] = MappingProxyType({
    "Hispanic/Latino": 0.9, "American Indian/Alaska Native": 0.8, "Asian": -0.5, "Black": 1.0,
    "Native Hawaiian/Pacific Islander": 0.6, "White": -0.7, "Two or more races": 0.2,
})
POVERTY_ZONE_SLOPE = 1.2
SEX_SHARES: Mapping[str, float] = MappingProxyType({"F": 0.492, "M": 0.503, "X": 0.005})
EL_EVER_RATE: Mapping[str, float] = MappingProxyType({
    "Hispanic/Latino": 0.38, "American Indian/Alaska Native": 0.05, "Asian": 0.28, "Black": 0.04,
    "Native Hawaiian/Pacific Islander": 0.2, "White": 0.02, "Two or more races": 0.03,
})
EL_EXIT_PER_YEAR = 0.18  # chance an English learner is reclassified in a given grade
SECTION_504_RATE = (0.035, 0.02)  # not / econ_disadvantaged; students without an IEP only

# --- special education ------------------------------------------------------------------------
DISABILITY_RATE = 0.125  # identification rate of the reference (all-other) groups
LAKESIDE_BLACK_DISABILITY_RR = 2.0  # D02: all categories
METRO_BLACK_CATEGORY_RR = 4.0  # D03: intellectual disability (ID) and emotional (EMN)
#: Share of students with disabilities in each IDEA category.
CATEGORY_SHARES: Mapping[str, float] = MappingProxyType({
    "AUT": 0.11, "DB": 0.001, "DD": 0.07, "EMN": 0.05, "HI": 0.012, "ID": 0.06, "MD": 0.02,
    "OI": 0.006, "OHI": 0.15, "SLD": 0.33, "SLI": 0.18, "TBI": 0.004, "VI": 0.006,
})
#: Placement shares (regular_80_plus, regular_40_79, regular_lt_40, separate) per category.
PLACEMENT_DEFAULT = (0.68, 0.19, 0.10, 0.03)
PLACEMENT_BY_CATEGORY: Mapping[str, tuple[float, ...]] = MappingProxyType({
    "AUT": (0.35, 0.20, 0.33, 0.12), "DB": (0.20, 0.20, 0.40, 0.20),
    "EMN": (0.45, 0.17, 0.23, 0.15), "ID": (0.15, 0.27, 0.48, 0.10),
    "MD": (0.10, 0.15, 0.50, 0.25),
})

# --- discipline: planted within-school disparity ----------------------------------------------
OSS_BASE_RATE = (0.015, 0.07, 0.06)  # by level, for students who are not Black, sex-averaged
OSS_RISK_RATIO_BLACK = 3.0  # in every school of every district
ISS_BASE_RATE = (0.02, 0.09, 0.08)  # by level; no race/ethnicity effect
DISCIPLINE_SEX_FACTOR: Mapping[str, float] = MappingProxyType({"F": 0.6, "M": 1.4, "X": 1.0})
INCIDENTS_EXTRA_MEAN = 0.5  # suspensions per suspended student = 1 + Poisson(0.5)
SUSPENSION_DAYS = (1, 5)  # days per incident, uniform integers
EXPELLED_GIVEN_OSS = 0.02
REFERRED_BASE, REFERRED_GIVEN_OSS = 0.002, 0.08
ARRESTED_GIVEN_REFERRED = 0.3

# --- the control outcome: no disparity anywhere -----------------------------------------------
RETAINED_RATE = 0.02  # every student in K-11, every school, every group

# --- access: planted between-school disparity (seats depend on school poverty only) ----------
GIFTED_FIRST_GRADE = "3"
GIFTED_SEATS = (0.02, 0.25)  # rate = low + extra * (1 - school poverty) ** 2
ADVANCED_SEATS = (0.06, 0.50)
ALGEBRA1_SEATS = (0.05, 0.45)

# --- achievement --------------------------------------------------------------------------------
TESTED_GRADES = ("3", "4", "5", "6", "7", "8", "10")
SCORE_MEAN_GRADE3, SCORE_GROWTH, SCORE_SD = 480.0, 10.0, 50.0
#: Level cut points in state SD units from the grade mean: level 2, 3 and 4 start here.
LEVEL_CUTS_Z = (-0.75, 0.0, 0.85)
ABILITY_SD, YEAR_NOISE_SD, MATH_ELA_CORRELATION = 0.75, 0.45, 0.75
ECON_SCORE_EFFECT = -0.2  # within-school gap (state SD units)
SCHOOL_POVERTY_SCORE_SLOPE = -0.8  # per unit of school poverty share (between schools)
EL_SCORE_EFFECT, DISABILITY_SCORE_EFFECT = -0.35, -0.6
SCORE_MISSING_RATE = 0.02

# --- attendance and attainment ------------------------------------------------------------------
ABSENCE_RATE = 0.04  # base share of days absent
ABSENCE_ECON_LOG, ABSENCE_POVERTY_LOG, ABSENCE_HIGH_LOG = 0.25, 0.5, 0.3
ABSENCE_HETEROGENEITY = 1.6  # gamma shape of student-level frailty
PART_YEAR_RATE = 0.08  # students enrolled only part of the year
FULL_YEAR_DAYS = (175, 180)
GRADUATION_RATE, GRADUATION_ECON, GRADUATION_DISABILITY = 0.93, -0.08, -0.12
DROPOUT_GIVEN_NO_DIPLOMA = 0.45

# --- teachers: planted between-school disparity -------------------------------------------------
NOVICE_YEARS = 2  # novice = fewer than 2 years of experience (config default)
NOVICE_SHARE_START = (0.04, 0.40)  # first-year share = low + extra * school poverty
NOVICE_HIRE = (0.20, 0.60)  # share of hires who are novices = low + extra * school poverty
TURNOVER = (0.08, 0.20)  # yearly leaving rate = low + extra * school poverty
CERTIFIED = (0.99, -0.12, -0.12)  # base, per unit school poverty, if novice
IN_FIELD = (0.97, -0.12)
PART_TIME_RATE = 0.08
TEACHER_RACE_MIX: Mapping[str, float] = MappingProxyType({
    "Hispanic/Latino": 0.09, "American Indian/Alaska Native": 0.01, "Asian": 0.025,
    "Black": 0.07, "Native Hawaiian/Pacific Islander": 0.005, "White": 0.78,
    "Two or more races": 0.02,
})
TEACHER_MATCH = 0.35  # weight of the school's student mix in its teachers' mix

# --- resources ----------------------------------------------------------------------------------
PER_PUPIL_BASE, PER_PUPIL_LEVEL = 12_000.0, (0.0, 400.0, 900.0)
PER_PUPIL_POVERTY_SLOPE, PER_PUPIL_TITLE1, PER_PUPIL_NOISE = -3_000.0, 600.0, 250.0
TITLE1_POVERTY = 0.40

# --- climate survey -----------------------------------------------------------------------------
SURVEY_GRADES = ("5", "8", "11")
SURVEY_RESPONSE_RATE = 0.75
SURVEY_ITEMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "belonging": ("belong_fit", "belong_close", "belong_part"),
    "safety": ("safe_school", "safe_travel", "safe_bullying"),
    "adult_support": ("adult_cares", "adult_talk", "adult_fair"),
})
SURVEY_CUTS = (-1.7, -0.9, -0.1, 0.9)  # latent cut points between responses 1..5
SURVEY_PERSON_SD, SURVEY_ITEM_SD = 0.7, 0.7
BELONGING_BLACK_SHIFT = -0.5  # within every school
#: English learners answer the survey less often (who is not answering).
SURVEY_RESPONSE_RATE_EL = 0.55
#: Grades asked about sexual orientation and gender identity, and the shares of each answer
#: (schema.SEXUAL_ORIENTATIONS / GENDER_IDENTITIES order).
SOGI_GRADES = ("8", "11")
SEXUAL_ORIENTATION_P = (0.80, 0.04, 0.09, 0.02, 0.05)
GENDER_IDENTITY_P = (0.93, 0.02, 0.03, 0.02)
#: LGBTQ+ students' belonging: about 15 points fewer favorable respondents.
BELONGING_LGBTQ_SHIFT = -0.33
STAFF_RESPONSE_RATE = 0.8
STAFF_ITEMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "belonging": ("staff_valued", "staff_fit", "staff_voice"),
    "cultural_responsiveness": ("staff_culture_taught", "staff_culture_pd", "staff_culture_lead"),
})
BELONGING_BLACK_STAFF_SHIFT = -0.5  # Black staff: about 23 points fewer favorable
FAMILY_RESPONSE_RATE = 0.35
FAMILY_ITEMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "belonging": ("family_welcome", "family_respected", "family_part"),
    "communication": ("family_informed", "family_language", "family_reach"),
})
COMMUNICATION_EL_FAMILY_SHIFT = -0.5  # families of English learners
SAFETY_POVERTY_SLOPE = -1.5  # per unit of school poverty share (between schools)


@dataclass(frozen=True)
class DistrictSpec:
    """Everything that makes one sample district different from another.

    ``disability_risk_ratios`` multiplies a group's identification rate (all categories);
    ``category_risk_ratios`` multiplies it for single IDEA categories, e.g.
    ``{("Black", "ID"): 4.0}``. Both are relative to every other group, whose rate is
    ``DISABILITY_RATE``.
    """

    district_id: str
    name: str
    n_students: int
    n_schools: int
    race_mix: Mapping[str, float]
    poverty_rate: float = 0.5
    disability_risk_ratios: Mapping[str, float] = field(default_factory=dict)
    category_risk_ratios: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_groups("race_mix", self.race_mix)


def check_groups(what: str, groups: Iterable[str]) -> None:
    """Raise a ValueError naming ``what`` if a group is not a schema race/ethnicity."""
    unknown = sorted(set(groups) - set(RACE_ETHNICITY))
    if unknown:
        raise ValueError(UNKNOWN_GROUPS.format(what=what, groups=unknown))


#: The shipped sample districts (students per school year, schools).
DEFAULT_DISTRICTS: tuple[DistrictSpec, ...] = (
    DistrictSpec(
        "D01", "Riverbend", 2_000, 6, poverty_rate=0.38,
        race_mix={"White": 0.56, "Hispanic/Latino": 0.20, "Black": 0.12, "Asian": 0.04,
                  "American Indian/Alaska Native": 0.015,
                  "Native Hawaiian/Pacific Islander": 0.002, "Two or more races": 0.063},
    ),
    DistrictSpec(
        "D02", "Lakeside", 8_000, 14, poverty_rate=0.50,
        race_mix={"Hispanic/Latino": 0.35, "White": 0.35, "Black": 0.15, "Asian": 0.08,
                  "American Indian/Alaska Native": 0.008,
                  "Native Hawaiian/Pacific Islander": 0.007, "Two or more races": 0.055},
        disability_risk_ratios={"Black": LAKESIDE_BLACK_DISABILITY_RR},
    ),
    DistrictSpec(
        "D03", "Metro", 25_000, 30, poverty_rate=0.65,
        race_mix={"Hispanic/Latino": 0.38, "Black": 0.28, "White": 0.20, "Asian": 0.08,
                  "American Indian/Alaska Native": 0.005,
                  "Native Hawaiian/Pacific Islander": 0.005, "Two or more races": 0.05},
        category_risk_ratios={("Black", "ID"): METRO_BLACK_CATEGORY_RR,
                              ("Black", "EMN"): METRO_BLACK_CATEGORY_RR},
    ),
)

# Discipline incidents (incidents.csv). Each out-of-school suspension of the students table is
# an incident; other referrals end in a restorative conference or another action. Planted at
# each decision point, in every school: Black students' suspensions are mostly for subjective
# offenses, they are referred more often for subjective offenses without a suspension, and a
# referral of theirs ends in a restorative conference less often than other students' for the
# same offense.
OFFENSES: Mapping[str, tuple[str, bool]] = MappingProxyType({  # code -> (category, subjective)
    "DEF": ("defiance", True), "DIS": ("disruption", True), "FIG": ("fighting", False),
    "DRG": ("drugs", False),
})
#: Per group (Black, everyone else): share of suspensions that are for a subjective offense,
#: subjective referrals without suspension per student-year, and the chance such a referral
#: (or an objective one) ends in a restorative conference rather than another action.
SUBJECTIVE_SHARE_OF_OSS = (0.75, 0.35)
SUBJECTIVE_REFERRALS_MEAN = (0.24, 0.12)
OBJECTIVE_REFERRALS_MEAN = 0.05  # per student-year, every group
RESTORATIVE_GIVEN_REFERRAL = (0.3, 0.7)
INCIDENT_LOCATIONS = ("classroom", "hallway", "cafeteria", "bus")
