"""The report's technical terms in plain words (the "Terms used in this report" list)."""

from __future__ import annotations

import html

__all__ = ["GLOSSARY", "glossary_html"]

#: Term → what it means, for a reader without statistics.
GLOSSARY: dict[str, str] = {
    "Risk ratio": (
        "How many times as likely a group is to have an outcome as all other students: 1 "
        "means the same rate, 2 twice as likely, 0.5 half as likely."),
    "95% CI (confidence interval)": (
        "The range the true value very probably lies in, given how many students there are; "
        "a range that does not include 1 (for a risk ratio) or 0 (for a gap) means this one "
        "difference is unlikely to be chance. A report tests hundreds of differences, so a "
        "finding also needs q below 0.05 (below)."),
    "Excess students": (
        "How many more (or fewer) students of a group had the outcome than would have at the "
        "rate of all other students."),
    "Percentage points (pts)": (
        "The difference between two percentages: 45% and 60% are 15 points apart."),
    "q": (
        "A p-value adjusted for the many comparisons a report makes (a Benjamini–Hochberg "
        "q-value). Below 0.05 the difference is statistically reliable: among all "
        "differences reported with q below 0.05, at most about 1 in 20 is expected to be a "
        "false alarm."),
    "Hedges' g": (
        "A score gap measured in standard deviations of the scores: 0.2 is a small gap, 0.5 "
        "a medium one, 0.8 a large one; negative means the group scores lower than all other "
        "students."),
    "V": (
        "The same kind of gap as Hedges' g, estimated from the share of students at each "
        "performance level instead of from the scores."),
    "AUC and R²": (
        "How well race, sex, economic disadvantage, English learner status and disability "
        "alone predict an outcome: an AUC of 0.5 or an R² of 0 means they predict nothing, "
        "which is the goal of equity."),
    "Priority score (of a finding)": (
        "The priority of a finding: larger for a bigger disparity, one that persisted over "
        "the last three years, one that affects more students, and one above the IDEA "
        "threshold. It orders the findings; it is not a grade."),
    "Where the gap sits": (
        "Whether a gap lies between schools (the group is enrolled in schools where the "
        "outcome is more common) or within schools (the gap is there among students of the "
        "same schools). A share above 100% or below 0% means the other part runs the other "
        "way."),
    "Suppressed": (
        "A number withheld to protect the privacy of students, staff or families: the group "
        "is small, or its number would let a reader work out a small group's by "
        "subtraction."),
}


def glossary_html() -> str:
    """:data:`GLOSSARY` as an HTML definition list under a heading."""
    items = "".join(f"<dt>{html.escape(term)}</dt><dd>{html.escape(text)}</dd>"
                    for term, text in GLOSSARY.items())
    return f"<h3>Terms used in this report</h3><dl class='ek-glossary'>{items}</dl>"
