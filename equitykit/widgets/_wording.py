"""Plain-language wording for the explorer: group names, outcome phrases, the headline sentence.

Everything a trainer reads is built here, from numbers that have already been through suppression,
so the wording can never reintroduce a hidden value.
"""

from __future__ import annotations

import math

from .._words import (
    SCORE_OUTCOMES,
    capitalize,
    comparison_label,
    group_label,
    outcome_infinitive,
    outcome_label,
    outcome_title,
    year_label,
)

__all__ = [
    "SCORE_OUTCOMES",
    "comparison_label",
    "excess_sentence",
    "format_ratio",
    "group_label",
    "outcome_infinitive",
    "outcome_label",
    "outcome_title",
    "place_phrase",
    "rate_sentence",
    "score_difference_sentence",
    "score_sentence",
    "suppressed_text",
    "year_label",
]


def place_phrase(school_name: str | None, school_year: int) -> str:
    """"At Lincoln Middle in 2023–24" or "Across the district in 2023–24"."""
    where = f"At {school_name}" if school_name else "Across the district"
    return f"{where} in {year_label(school_year)}"


def format_ratio(value: float) -> str:
    """A ratio for reading aloud: two significant figures below 10, whole numbers above."""
    if not math.isfinite(value):
        return "n/a"
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"


def suppressed_text(min_n: int) -> str:
    """What a trainer sees in place of any hidden number, whatever the reason (as the report,
    it does not say whether the group itself is small or hidden so a small one cannot be
    worked out by subtraction).

    Examples
    --------
    >>> suppressed_text(10)
    'suppressed (fewer than 10 students, or protecting a small group)'
    """
    return f"suppressed (fewer than {min_n} students, or protecting a small group)"


def rate_sentence(
    *, place: str, group: str, comparison: str, outcome: str,
    risk_ratio: float, ci_low: float, ci_high: float, reason: str = "",
) -> str:
    """The headline: "At Lincoln Middle in 2023–24, Black girls were 2.4 times as likely as all
    other students to be suspended out of school (95% CI 1.6–3.5)."

    Examples
    --------
    >>> rate_sentence(place="At Lincoln Middle in 2023–24", group="Black girls",
    ...               comparison="all other students", outcome="oss",
    ...               risk_ratio=2.43, ci_low=1.61, ci_high=3.52)
    'At Lincoln Middle in 2023–24, Black girls were 2.4 times as likely as all other students to be suspended out of school (95% CI 1.6–3.5).'
    """  # noqa: E501
    todo = outcome_infinitive(outcome)
    if not math.isfinite(risk_ratio):
        why = f": {reason}" if reason else ""
        return (f"{place}, the risk ratio for {group} compared with {comparison} "
                f"(likelihood to {todo}) cannot be computed{why}.")
    ci = ""
    if math.isfinite(ci_low) and math.isfinite(ci_high):
        ci = f" (95% CI {format_ratio(ci_low)}–{format_ratio(ci_high)})"
    return (f"{place}, {group} were {format_ratio(risk_ratio)} times as likely as {comparison} "
            f"to {todo}{ci}.")


def excess_sentence(*, excess: float, group: str, comparison: str, outcome: str) -> str:
    """Students to parity: "12 fewer Black girls would need to be suspended out of school to
    reach parity with all other students."

    Examples
    --------
    >>> excess_sentence(excess=-3.6, group="Black students", comparison="all other students",
    ...                 outcome="gifted")
    '4 more Black students would need to be identified as gifted to reach parity with all other students.'
    """  # noqa: E501
    if not math.isfinite(excess):
        return ""
    whole = round(abs(excess))
    if whole == 0:
        return f"{capitalize(group)} are at parity with {comparison}."
    more_or_fewer = "fewer" if excess > 0 else "more"
    return (f"{whole:,} {more_or_fewer} {group} would need to {outcome_infinitive(outcome)} "
            f"to reach parity with {comparison}.")


def score_sentence(
    *, place: str, group: str, comparison: str, outcome: str,
    d: float, ci_low: float, ci_high: float, reason: str = "",
) -> str:
    """The headline for scores: "At Lincoln Middle in 2023–24, Black girls scored 0.65 standard
    deviations below all other students in math (95% CI 0.46–0.83)."

    Examples
    --------
    >>> score_sentence(place="Across the district in 2023–24", group="boys",
    ...                comparison="all other students", outcome="ela_score",
    ...                d=-0.6457, ci_low=-0.828, ci_high=-0.464)
    'Across the district in 2023–24, boys scored 0.65 standard deviations below all other students in reading (ELA) (95% CI 0.46–0.83 below).'
    """  # noqa: E501
    subject = SCORE_OUTCOMES[outcome]
    if not math.isfinite(d):
        why = f": {reason}" if reason else ""
        return (f"{place}, the {subject} score gap between {group} and {comparison} "
                f"cannot be computed{why}.")
    direction = "below" if d < 0 else "above"
    ci = ""
    if math.isfinite(ci_low) and math.isfinite(ci_high):
        lo, hi = sorted((abs(ci_low), abs(ci_high))) if ci_low * ci_high > 0 else (ci_low, ci_high)
        if ci_low * ci_high > 0:
            ci = f" (95% CI {lo:.2f}–{hi:.2f} {direction})"
        else:
            ci = f" (95% CI {ci_low:+.2f} to {ci_high:+.2f})"
    return (f"{place}, {group} scored {abs(d):.2f} standard deviations {direction} {comparison} "
            f"in {subject}{ci}.")


def score_difference_sentence(*, place: str, group: str, comparison: str, outcome: str,
                              points: float) -> str:
    """The headline for a score compared with a named group: the difference of the two
    published averages, in points.

    Examples
    --------
    >>> score_difference_sentence(place="Across the district in 2023–24",
    ...                           group="Black students", comparison="White students",
    ...                           outcome="math_score", points=-23.44)
    'Across the district in 2023–24, the average math score of Black students was 23.4 points below that of White students.'
    """  # noqa: E501
    subject = SCORE_OUTCOMES[outcome]
    if abs(points) < 0.05:
        return (f"{place}, the average {subject} score of {group} was the same as that of "
                f"{comparison}.")
    direction = "below" if points < 0 else "above"
    return (f"{place}, the average {subject} score of {group} was {abs(points):.1f} points "
            f"{direction} that of {comparison}.")
