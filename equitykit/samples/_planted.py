"""The known ground truth of the shipped sample districts.

``effect`` is the size an audit of the sample data should report for the district as a whole
(group vs all other students, pooled over the three years unless ``note`` says otherwise):

* where the generating model fixes it exactly (``OSS_RISK_RATIO_BLACK``, the disability risk
  ratios, ``RETAINED_RATE``) it is that parameter;
* where it follows from where students live and go to school (seats, school poverty) it is the
  mean over 20 other seeds of the same districts.

``tolerance`` is three standard deviations of the estimate over those 20 seeds: the shipped data
are one draw, so an audit should land within ``effect ± tolerance``.
``data_samples/README.md`` explains each entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import _model as m

__all__ = ["PLANTED", "PlantedDisparity"]

LOCI = ("within_schools", "between_schools", "mixed", "none")


@dataclass(frozen=True)
class PlantedDisparity:
    """One disparity built into a sample district, and what an audit should find.

    ``outcome`` is a name of :data:`equitykit.schema.OUTCOMES` or ``math_score``,
    ``disability_<CATEGORY>`` (IDEA identification by category), ``novice_teacher``,
    ``belonging`` (share favorable) or ``enrollment`` (a head count); ``locus`` is
    ``within_schools``, ``between_schools``, ``mixed`` or ``none`` (no disparity).
    """

    district_id: str
    outcome: str
    dimension: str
    group: str
    measure: str
    effect: float
    tolerance: float
    locus: str
    note: str

    def __post_init__(self) -> None:
        if self.locus not in LOCI:
            raise ValueError(f"locus must be one of {LOCI}, got {self.locus!r}")


_SEX_F, _SEX_X = m.SEX_SHARES["F"], m.SEX_SHARES["X"]
#: Boys' OSS risk vs girls and non-binary students together, from the sex factors.
_OSS_MALE_RR = m.DISCIPLINE_SEX_FACTOR["M"] / (
    (m.DISCIPLINE_SEX_FACTOR["F"] * _SEX_F + m.DISCIPLINE_SEX_FACTOR["X"] * _SEX_X)
    / (_SEX_F + _SEX_X))


def _each(outcome: str, dimension: str, group: str, measure: str,
          sizes: dict[str, tuple[float, float]], locus: str, note: str) -> list[PlantedDisparity]:
    return [PlantedDisparity(d, outcome, dimension, group, measure, effect, tol, locus, note)
            for d, (effect, tol) in sizes.items()]


PLANTED: list[PlantedDisparity] = [
    *_each("oss", "race_ethnicity", "Black", "risk_ratio",
           {"D01": (m.OSS_RISK_RATIO_BLACK, 1.4), "D02": (m.OSS_RISK_RATIO_BLACK, 0.5),
            "D03": (m.OSS_RISK_RATIO_BLACK, 0.3)},
           "within_schools",
           "Black students are 3 times as likely to be suspended as other students in the same "
           "school, in every school; suspension rates differ by level only, so the district "
           "risk ratio is also about 3 and almost none of it lies between schools."),
    *_each("oss", "sex", "M", "risk_ratio",
           {"D01": (_OSS_MALE_RR, 0.9), "D02": (_OSS_MALE_RR, 0.6), "D03": (_OSS_MALE_RR, 0.35)},
           "within_schools", "Boys are suspended more often than girls in every school."),
    *_each("gifted", "race_ethnicity", "Hispanic/Latino", "risk_ratio",
           {"D01": (0.53, 0.38), "D02": (0.33, 0.12), "D03": (0.46, 0.09)},
           "between_schools",
           "Gifted seats per student fall with school poverty (0.02 + 0.25 x (1 - poverty)^2) "
           "and are given without regard to race inside a school: the within-school risk "
           "ratio is 1, the whole gap comes from attending high-poverty schools."),
    *_each("advanced_course", "race_ethnicity", "Hispanic/Latino", "risk_ratio",
           {"D02": (0.41, 0.08), "D03": (0.50, 0.07)},
           "between_schools",
           "High schools in poorer zones offer fewer AP/IB/dual seats; equal chances inside a "
           "school. (D01 has one high school, so there is no gap there.)"),
    *_each("math_score", "econ_disadvantaged", "true", "cohens_d",
           {"D01": (-0.51, 0.18), "D02": (-0.52, 0.09), "D03": (-0.45, 0.05)},
           "mixed",
           "Scores standardised within grade and year, pooled SD. A direct -0.2 SD effect "
           "inside schools plus -0.8 SD per unit of school poverty between schools (and the "
           "English-learner and disability effects of the students concerned)."),
    *_each("chronic_absent", "econ_disadvantaged", "true", "risk_ratio",
           {"D01": (2.35, 0.9), "D02": (2.46, 0.35), "D03": (2.19, 0.2)},
           "mixed",
           "Absence rises with a student's own poverty and with the school's poverty."),
    PlantedDisparity(
        "D02", "disability", "race_ethnicity", "Black", "risk_ratio",
        m.LAKESIDE_BLACK_DISABILITY_RR, 0.33, "within_schools",
        "Black students are identified for special education at twice the rate of all other "
        "students, in every school and every year (each year's risk ratio is about 2)."),
    *[PlantedDisparity(
        "D03", f"disability_{category}", "race_ethnicity", "Black", "risk_ratio",
        m.METRO_BLACK_CATEGORY_RR, 1.4, "within_schools",
        f"Black students are identified in category {category} at 4 times the rate of all "
        "other students; each year's risk ratio exceeds the IDEA threshold of 3 with cell "
        "and n-sizes met, so the category is flagged three years in a row (significant "
        "disproportionality). All-category identification follows at about 1.33.")
      for category in ("ID", "EMN")],
    *_each("novice_teacher", "school_poverty_quartile", "highest", "risk_difference",
           {"D01": (0.24, 0.27), "D02": (0.235, 0.11), "D03": (0.22, 0.07)},
           "between_schools",
           "Share of teachers with fewer than 2 years of experience in the highest-poverty "
           "quarter of schools minus the lowest-poverty quarter (schools ranked by their "
           "share of economically disadvantaged students each year)."),
    *_each("belonging", "race_ethnicity", "Black", "risk_ratio",
           {"D01": (0.69, 0.42), "D02": (0.64, 0.16), "D03": (0.63, 0.07)},
           "within_schools",
           "Share of favorable belonging answers (survey, last year only); Black students "
           "answer less favorably in every school. Safety is lower in high-poverty schools "
           "(between schools); adult support has no gap."),
    *_each("retained", "race_ethnicity", "any", "risk_ratio",
           {"D01": (1.0, 0.9), "D02": (1.0, 0.5), "D03": (1.0, 0.25)},
           "none",
           f"The control outcome: {m.RETAINED_RATE:.0%} of students in K-11 in every "
           "school, year and group, so every group's risk ratio is 1 up to chance (tolerance "
           "for the three largest groups) and no audit flag should be raised."),
    PlantedDisparity(
        "D01", "enrollment", "race_ethnicity", "Native Hawaiian/Pacific Islander", "n",
        4.0, 5.0, "none",
        "Fewer than 10 Native Hawaiian/Pacific Islander students in every year: every figure "
        "for this group must be suppressed (min n 10)."),
]
