"""The focus lens: one group followed through every outcome (config ``focus``).

Views over the published metrics only (suppressed cells stay withheld): a table with one row
per outcome (the group's rate beside the reference group's, the ratio against all other
students and against the reference, the gap, where it sits, and the trend) and a headline
sentence.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._words import (
    SCORE_OUTCOMES,
    capitalize,
    difference_label,
    group_label,
    outcome_infinitive,
    outcome_title,
    year_label,
)
from ..schema import OUTCOMES
from ._tables import SUPPRESSED_TEXT

__all__ = ["focus_headline", "focus_table"]

#: Where a gap sits, from the ``note`` of its ``between_school_share`` row.
LOCUS_WORDS = {"between_schools": "mostly between schools",
               "within_schools": "mostly within schools", "mixed": "split"}
#: ... when its share is above 100% or below 0%: the other part runs the other way.
REVERSED_WORDS = {"between_schools": "between schools (reversed within)",
                  "within_schools": "within schools (reversed between)"}


def _locus_words(row: pd.Series | None) -> str:
    if row is None or row["suppressed"]:
        return ""
    note, share = row.get("note", ""), row["value"]
    printed = int(f"{share:.0%}"[:-1])  # as the table prints it
    if printed > 100 or printed < 0:
        return REVERSED_WORDS.get(note, LOCUS_WORDS.get(note, ""))
    return LOCUS_WORDS.get(note, "")


def _district(published: pd.DataFrame, dimension: str) -> pd.DataFrame:
    return published[(published["school_id"] == "")
                     & published["dimension"].isin([dimension, "all"])]


def _pick(rows: pd.DataFrame, measure: str, group: str, comparison: str = ""
          ) -> pd.DataFrame:
    found = rows[(rows["measure"] == measure) & (rows["group"] == group)
                 & (rows["comparison"] == comparison)]
    return found.drop_duplicates(["school_year", "outcome"]).set_index(
        ["school_year", "outcome"])


def _shown(row: pd.Series | None, kind: str) -> str:
    """A published value as the report prints it; "suppressed" for a withheld row."""
    if row is None:
        return ""
    if bool(row.get("suppressed", False)):
        return SUPPRESSED_TEXT
    value = row["value"]
    if not isinstance(value, float | int | np.floating) or not math.isfinite(value):
        return "—"
    if kind == "rate":
        display = row.get("display")
        return display if isinstance(display, str) and display else f"{100 * value:.1f}%"
    if kind == "ratio":
        low, high = row.get("ci_low", math.nan), row.get("ci_high", math.nan)
        ci = (f" ({low:.2f}–{high:.2f})" if isinstance(low, float) and math.isfinite(low)
              and math.isfinite(high) else "")
        return f"{value:.2f}{ci}"
    if kind == "gap":
        return difference_label(100 * value)
    return f"{value:.2f}"


def _get(frame: pd.DataFrame, key) -> pd.Series | None:
    return frame.loc[key] if key in frame.index else None


def focus_table(published: pd.DataFrame, *, dimension: str, group: str,
                reference: str | None, school_year: int) -> pd.DataFrame:
    """One row per outcome the audit publishes for the focus group in ``school_year``.

    Columns: ``Outcome``; the group's rate and the reference group's; ratio against all
    other students and against the reference (95% CI); gap against the reference in
    percentage points; where the gap with all other students sits; the group's rate in the
    first year shown and this year. Score outcomes show the standardised gap (Hedges' g) with
    all other students in the ratio column. Withheld numbers read "suppressed".

    Examples
    --------
    >>> focus_table(pd.DataFrame(columns=["school_id", "dimension", "group", "measure",
    ...                                   "comparison", "school_year", "outcome", "value"]),
    ...             dimension="race_ethnicity", group="Black", reference=None,
    ...             school_year=2023).empty
    True
    """
    rows = _district(published, dimension)
    mine = rows[rows["dimension"] == dimension]
    rate = _pick(mine, "rate", group)
    ref_rate = _pick(mine, "rate", reference) if reference else rate.iloc[:0]
    ratio = _pick(mine, "risk_ratio", group, "all_other")
    rri = _pick(mine, "relative_rate_index", group, reference or "")
    gap = _pick(mine, "rate_difference", group, reference or "")
    locus = _pick(mine, "between_school_share", group, "all_other")
    score = _pick(mine, "hedges_g", group, "all_other")
    first_year = int(rows["school_year"].min()) if len(rows) else school_year
    order = [*OUTCOMES, *SCORE_OUTCOMES]
    outcomes = [o for o in order if (school_year, o) in rate.index
                or (school_year, o) in score.index]
    them = group_label(dimension, group)
    ref = group_label(dimension, reference) if reference else ""
    table = []
    for outcome in outcomes:
        key = (school_year, outcome)
        is_score = outcome in SCORE_OUTCOMES
        where = _locus_words(_get(locus, key))
        record = {
            "Outcome": outcome_title(outcome),
            capitalize(them): "" if is_score else _shown(_get(rate, key), "rate"),
        }
        if reference:
            record[capitalize(ref)] = "" if is_score else _shown(_get(ref_rate, key), "rate")
        record["Ratio vs all other students"] = (
            f"g = {_shown(_get(score, key), 'ratio')}" if is_score
            else _shown(_get(ratio, key), "ratio"))
        if reference:
            record[f"Ratio vs {ref}"] = _shown(_get(rri, key), "ratio")
            record[f"Gap vs {ref}"] = _shown(_get(gap, key), "gap")
        record["Where the gap sits"] = where
        if not is_score and first_year < school_year:
            record[f"Trend {year_label(first_year)} → {year_label(school_year)}"] = (
                f"{_shown(_get(rate, (first_year, outcome)), 'rate')} → "
                f"{_shown(_get(rate, key), 'rate')}")
        table.append(record)
    return pd.DataFrame(table)


def focus_headline(published: pd.DataFrame, *, dimension: str, group: str,
                   reference: str | None, school_year: int, most: int = 3) -> str:
    """One sentence on the focus group's widest published disparities in ``school_year``.

    Candidates are the rate outcomes whose ratio (against ``reference`` when given, else
    against all other students) has a 95% interval excluding 1 in the unfavorable direction
    (a higher rate of an adverse outcome, a lower one of an opportunity); the ``most`` widest
    (by |ln ratio|) are named, widest first.

    Examples
    --------
    >>> sentence = focus_headline(pd.DataFrame({
    ...     "school_id": "", "dimension": "race_ethnicity", "group": "Black",
    ...     "measure": "relative_rate_index", "comparison": "White", "school_year": 2023,
    ...     "outcome": ["oss", "gifted"], "value": [3.9, 0.5], "ci_low": [2.5, 0.3],
    ...     "ci_high": [6.0, 0.9], "suppressed": False}), dimension="race_ethnicity",
    ...     group="Black", reference="White", school_year=2023)
    >>> sentence.split(" and ")[1]
    '0.5 times as likely to be identified as gifted.'
    """
    them = group_label(dimension, group)
    versus = group_label(dimension, reference) if reference else "all other students"
    rows = _district(published, dimension)
    measure = "relative_rate_index" if reference else "risk_ratio"
    picked = rows[(rows["measure"] == measure) & (rows["group"] == group)
                  & (rows["comparison"] == (reference or "all_other"))
                  & (rows["school_year"] == school_year) & ~rows["suppressed"].astype(bool)
                  & rows["outcome"].isin(list(OUTCOMES))]
    adverse = picked["outcome"].map(lambda o: OUTCOMES[o].adverse).astype(bool)
    worse = np.where(adverse, picked["ci_low"] > 1, picked["ci_high"] < 1)
    worse &= np.isfinite(picked["value"].astype(float)) & (picked["value"] > 0)
    chosen = picked[worse].assign(width=np.log(picked.loc[worse, "value"].astype(float)).abs())
    chosen = chosen.sort_values("width", ascending=False).head(most)
    if chosen.empty:
        return (f"In {year_label(school_year)}, no published outcome of {them} differed from "
                f"that of {versus} reliably (95% interval excluding parity).")
    clauses = [f"{value:.1f} times as likely" + (f" as {versus}" if i == 0 else "")
               + f" to {outcome_infinitive(outcome)}"
               for i, (value, outcome) in enumerate(zip(chosen["value"], chosen["outcome"],
                                                        strict=True))]
    joined = clauses[0] if len(clauses) == 1 else (
        ", ".join(clauses[:-1]) + " and " + clauses[-1])
    return f"In {year_label(school_year)}, {them} were {joined}."
