"""Words for groups, outcomes and numbers, as a board member would read them."""

from __future__ import annotations

import math

from ..schema import INTERSECTION_SEP, OUTCOMES

__all__ = [
    "capitalize",
    "dimension_label",
    "fmt_ci",
    "fmt_int",
    "fmt_pct",
    "group_label",
    "outcome_label",
]

_BOOLEAN_GROUPS = {
    ("econ_disadvantaged", "true"): "economically disadvantaged",
    ("econ_disadvantaged", "false"): "not economically disadvantaged",
    ("english_learner", "true"): "English learner",
    ("english_learner", "false"): "non-English-learner",
    ("disability", "true"): "with disabilities",
    ("disability", "false"): "without disabilities",
}
_SEX = {"F": "female", "M": "male", "X": "nonbinary"}
_RACE = {"Two or more races": "multiracial", "Hispanic/Latino": "Hispanic/Latino"}
_DIMENSIONS = {
    "race_ethnicity": "race/ethnicity",
    "sex": "sex",
    "econ_disadvantaged": "economic disadvantage",
    "english_learner": "English learner status",
    "disability": "disability",
}
_SCORES = {
    "math_score": "math scores",
    "ela_score": "reading (ELA) scores",
    "math_level": "math performance levels",
    "ela_level": "reading (ELA) performance levels",
}


def _one(dimension: str, group: str) -> tuple[str, bool]:
    """A label for one group and whether it follows the noun ('students with disabilities')."""
    if (dimension, group) in _BOOLEAN_GROUPS:
        label = _BOOLEAN_GROUPS[(dimension, group)]
        return label, label.startswith(("with", "without"))
    if dimension == "sex":
        return _SEX.get(group, group), False
    return _RACE.get(group, group), False


def group_label(dimension: str, group: str, *, noun: str = "students") -> str:
    """A group in words: ``"Black male students"``, ``"students with disabilities"``."""
    if dimension == "all":
        return f"all {noun}"
    before, after = [], []
    parts = zip(dimension.split(INTERSECTION_SEP), group.split(INTERSECTION_SEP), strict=False)
    for dim, grp in parts:
        text, trailing = _one(dim, grp)
        (after if trailing else before).append(text)
    return " ".join([*before, noun, *after])


def dimension_label(dimension: str) -> str:
    return " × ".join(_DIMENSIONS.get(d, d) for d in dimension.split(INTERSECTION_SEP))


def outcome_label(outcome: str) -> str:
    if outcome in OUTCOMES:
        return OUTCOMES[outcome].label
    return _SCORES.get(outcome, outcome.replace("_", " "))


def fmt_pct(value: float, digits: int = 1) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{100 * value:.{digits}f}%"


def fmt_int(value: float) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:,.0f}"


def fmt_ci(low: float, high: float, digits: int = 2) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"95% CI {low:.{digits}f}–{high:.{digits}f}"


def capitalize(text: str) -> str:
    """Upper-case the first letter only (``"students with…"`` → ``"Students with…"``)."""
    return text[:1].upper() + text[1:]
