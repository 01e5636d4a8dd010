"""Scores in grade levels: SEDA's grade-within-cohort standardised scale (docs/methods.md)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

__all__ = ["SEDA_GRADE4_MEAN", "SEDA_GROWTH_PER_GRADE", "grade_equivalent"]

#: National grade-4 NAEP means of SEDA's four linking cohorts (seda-site methods,
#: scaling-estimates). For reading the table gives 218.5 while the page's worked example uses
#: 218.0 (docs/methods.md); this module follows the table and takes either as a parameter.
SEDA_GRADE4_MEAN: Mapping[str, float] = MappingProxyType({"math": 239.2, "reading": 218.5})
#: Average NAEP-scale growth per grade (grade 4 to grade 8, divided by 4).
SEDA_GROWTH_PER_GRADE: Mapping[str, float] = MappingProxyType({"math": 10.44, "reading": 11.16})

UNKNOWN_SUBJECT = "subject must be one of {known}, got {subject!r}"


def grade_equivalent(
    naep_score: float | np.ndarray, *, subject: str, grade4_mean: float | None = None
) -> float | np.ndarray:
    """A NAEP-scale score as a grade level: ``(score − grade-4 mean) / growth per grade + 4``.

    One unit is one grade of average national growth, so a grade-4 student at the national
    mean scores 4.0 and a gap of 1.0 is a year of learning (SEDA's GCS scale, docs/methods.md).

    Parameters
    ----------
    naep_score : float or array
        Score(s) on the NAEP scale (e.g. from a SEDA-linked estimate).
    subject : {"math", "reading"}
    grade4_mean : float, optional
        The national grade-4 mean; defaults to :data:`SEDA_GRADE4_MEAN` for the subject.

    Examples
    --------
    >>> round(grade_equivalent(250, subject="math"), 2)
    5.03
    >>> round(grade_equivalent(200, subject="reading", grade4_mean=218.0), 2)
    2.39
    >>> round(grade_equivalent(200, subject="reading"), 2)
    2.34
    """
    if subject not in SEDA_GROWTH_PER_GRADE:
        raise ValueError(UNKNOWN_SUBJECT.format(known=sorted(SEDA_GROWTH_PER_GRADE),
                                                subject=subject))
    mean = SEDA_GRADE4_MEAN[subject] if grade4_mean is None else grade4_mean
    result = (np.asarray(naep_score, dtype=float) - mean) / SEDA_GROWTH_PER_GRADE[subject] + 4
    return float(result) if result.ndim == 0 else result
