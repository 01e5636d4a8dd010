"""The binary outcomes audited as rates (``schema.OUTCOMES``), derived from the student table."""

from __future__ import annotations

import pandas as pd

from .. import schema
from ..config import AuditConfig

__all__ = ["derivable_outcomes", "derive_outcomes", "outcomes_reading"]

#: Floating-point slack so that exactly 10% absent (e.g. 3 of 30 days) counts as chronic.
_RATIO_SLACK = 1e-9
_HIGH_SCHOOL = ("9", "10", "11", "12")
#: Outcomes that are a student column as it stands (NA = unknown, so not in the population).
_AS_IS = (
    "expelled", "referred_law_enforcement", "arrested", "disability", "gifted",
    "graduated_4yr", "dropped_out", "retained", "referred", "subjective_referral",
    "exclusionary_given_referral", "restorative_given_referral",
)


def derive_outcomes(students: pd.DataFrame, config: AuditConfig | None = None) -> pd.DataFrame:
    """Add one nullable-boolean column per outcome in ``schema.OUTCOMES`` the data supports.

    ``NA`` means the student is not in that outcome's population: ``chronic_absent`` needs at
    least ``config.chronic_absence.min_days_enrolled`` enrolled days; ``placement_*`` only
    students with a disability and a placement; ``advanced_course`` grades 9-12;
    ``algebra1_grade8`` grade 8; ``*_proficient`` a known performance level. An outcome is
    added (or, for a student column of the same name, restricted to its population) when its
    source columns exist; it may then be all NA (e.g. no grade-8 students).

    Parameters
    ----------
    students : DataFrame
        The canonical students table (from :func:`load_district_data`).
    config : AuditConfig, optional
        Chronic-absence threshold and proficiency cut level; defaults when omitted.

    Returns
    -------
    DataFrame
        A copy of ``students`` with the outcome columns added (``boolean`` dtype).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"days_enrolled": pd.array([180, 180, 5], dtype="Int64"),
    ...                   "days_absent": pd.array([18, 17, 4], dtype="Int64")})
    >>> derive_outcomes(s)["chronic_absent"].tolist()
    [True, False, <NA>]
    """
    config = config or AuditConfig()
    out = students.copy()
    derivable = derivable_outcomes(students.columns)
    derived = {name: rule(students, config) for name, rule in _RULES.items()
               if name in derivable}
    for name in _AS_IS:
        if name in students.columns:
            derived[name] = students[name].astype("boolean")
    for name in schema.OUTCOMES:
        if name in derived:
            out[name] = derived[name].astype("boolean")
    return out


def _within(condition: pd.Series, population: pd.Series) -> pd.Series:
    """``condition`` where ``population`` is True, NA elsewhere."""
    values = condition.astype("boolean")
    return values.where(population.fillna(False).astype(bool), pd.NA)


def _chronic_absent(s: pd.DataFrame, config: AuditConfig) -> pd.Series:
    rule = config.chronic_absence
    enrolled = s["days_enrolled"].astype("Float64")
    ratio = s["days_absent"].astype("Float64") / enrolled.where(enrolled > 0)
    return _within(ratio >= rule.threshold - _RATIO_SLACK, enrolled >= rule.min_days_enrolled)


def _oss(s: pd.DataFrame, config: AuditConfig) -> pd.Series:
    parts = [s[c].astype("Float64") > 0 for c in ("oss_days", "oss_count") if c in s.columns]
    result = parts[0].astype("boolean")
    for part in parts[1:]:
        result = result | part.astype("boolean")  # Kleene logic: True if either is known True
    return result


def _placement(code: str):
    def rule(s: pd.DataFrame, config: AuditConfig) -> pd.Series:
        population = (s["disability"] == True) & s["placement"].notna()  # noqa: E712
        return _within(s["placement"].astype("string") == code, population)

    return rule


def _grades(grades: tuple[str, ...], column: str):
    def rule(s: pd.DataFrame, config: AuditConfig) -> pd.Series:
        return _within(s[column], s["grade"].astype("string").isin(grades))

    return rule


def _proficient(column: str):
    def rule(s: pd.DataFrame, config: AuditConfig) -> pd.Series:
        return s[column].astype("Float64") >= config.proficiency_level

    return rule


def _category(code: str):
    """Identification in one IDEA category (34 CFR 300.647(b)(3)), over all students whose
    disability status is known; a student with a disability but no category stays unknown."""

    def rule(s: pd.DataFrame, config: AuditConfig) -> pd.Series:
        disabled = s["disability"].astype("boolean").fillna(False).astype(bool)
        category = s["disability_category"].astype("string")
        known = s["disability"].notna().to_numpy() & ~(disabled & category.isna()).to_numpy()
        identified = disabled & (category == code).fillna(False).astype(bool)
        return _within(identified, pd.Series(known, index=s.index))

    return rule


_RULES = {
    **{f"disability_{c}": _category(c) for c in schema.IDEA_CATEGORIES},
    "chronic_absent": _chronic_absent,
    "iss": lambda s, config: s["iss_days"].astype("Float64") > 0,
    "suspended_2plus": lambda s, config: s["oss_count"].astype("Float64") >= 2,
    "oss": _oss,
    "placement_lt40": _placement("regular_lt_40"),
    "placement_separate": _placement("separate"),
    "advanced_course": _grades(_HIGH_SCHOOL, "advanced_course"),
    "algebra1_grade8": _grades(("8",), "algebra1_grade8"),
    "math_proficient": _proficient("math_level"),
    "ela_proficient": _proficient("ela_level"),
}
#: Per outcome, alternative sets of source columns; any complete set makes it derivable.
_SOURCES: dict[str, tuple[tuple[str, ...], ...]] = {
    **{f"disability_{c}": (("disability", "disability_category"),)
       for c in schema.IDEA_CATEGORIES},
    "chronic_absent": (("days_enrolled", "days_absent"),),
    "iss": (("iss_days",),),
    "oss": (("oss_days",), ("oss_count",)),
    "suspended_2plus": (("oss_count",),),
    "placement_lt40": (("disability", "placement"),),
    "placement_separate": (("disability", "placement"),),
    "advanced_course": (("grade", "advanced_course"),),
    "algebra1_grade8": (("grade", "algebra1_grade8"),),
    "math_proficient": (("math_level",),),
    "ela_proficient": (("ela_level",),),
}


def derivable_outcomes(columns) -> tuple[str, ...]:
    """The outcomes of ``schema.OUTCOMES`` that student columns ``columns`` support."""
    present = set(columns)
    return tuple(name for name in schema.OUTCOMES
                 if (name in _AS_IS and name in present)
                 or any(set(sources) <= present for sources in _SOURCES.get(name, ())))


def outcomes_reading(column: str) -> tuple[str, ...]:
    """The outcomes of ``schema.OUTCOMES`` computed from a student column (or that are it)."""
    return tuple(name for name in schema.OUTCOMES
                 if (name == column and name in _AS_IS)
                 or any(column in sources for sources in _SOURCES.get(name, ())))
