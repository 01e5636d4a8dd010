"""IDEA significant disproportionality (34 CFR 300.647): the groups above the state's
risk-ratio threshold, as a table and as headline sentences, from the published metrics only."""

from __future__ import annotations

import pandas as pd

from .._words import capitalize, group_label, outcome_infinitive, outcome_label, year_label
from ..schema import IDEA_CATEGORIES
from ._views import cell

__all__ = ["IDEA_COLUMNS", "category_table", "idea_sentences", "idea_table"]

#: The columns of :func:`idea_table`, in order.
IDEA_COLUMNS = ("group", "category", "compared with", "risk ratio", "threshold", "flag",
                "years above the threshold")

#: Whom each IDEA risk ratio compares the group with (``comparison`` of the metrics row).
_COMPARED_WITH = {
    "all_other": "all other students",
    "swd_other": "other students with disabilities",
    "state_other": "the same students in the state",
}
_SIGNIFICANT = "IDEA: significant disproportionality"
_KEY = ["outcome", "dimension", "group", "comparison", "measure"]


def _idea_rows(published: pd.DataFrame) -> pd.DataFrame:
    return published[(published["school_id"] == "")
                     & published["note"].astype("string").str.startswith("IDEA:").fillna(False)]


def _flagged(published: pd.DataFrame, school_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The year's IDEA rows above the threshold, and every year's, for the years column."""
    rows = _idea_rows(published)
    above = rows[rows["flagged"].eq(True) & ~rows["suppressed"].eq(True)]
    return above[above["school_year"] == school_year], above


def _years(every: pd.DataFrame, row: pd.Series) -> list[int]:
    same = every
    for column in _KEY:
        same = same[same[column] == row[column]]
    return sorted(int(y) for y in same["school_year"].unique())


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def idea_table(published: pd.DataFrame, *, school_year: int, threshold: float) -> pd.DataFrame:
    """Every group and category above the IDEA risk-ratio threshold in ``school_year``.

    Parameters
    ----------
    published : the audit's published (suppressed) metrics.
    school_year : the audited year.
    threshold : the state's risk-ratio threshold (config ``idea.risk_ratio_threshold``).

    Returns
    -------
    DataFrame
        :data:`IDEA_COLUMNS`, formatted as the report prints them; the flag reads
        "significant disproportionality" when the group was above the threshold for the
        consecutive years the config requires, else "above the threshold"; empty when no group
        is above it.
    """
    now, every = _flagged(published, school_year)
    table = [{
        "group": capitalize(group_label(r["dimension"], r["group"])),
        "category": outcome_label(r["outcome"]),
        "compared with": _COMPARED_WITH.get(r["comparison"], r["comparison"]),
        "risk ratio": cell(r),
        "threshold": f"{threshold:g}",
        "flag": ("significant disproportionality" if r["note"] == _SIGNIFICANT
                 else "above the threshold"),
        "years above the threshold": ", ".join(year_label(y) for y in _years(every, r)),
    } for _, r in now.iterrows()]
    return pd.DataFrame(table, columns=list(IDEA_COLUMNS))


def _run_length(years: list[int], school_year: int) -> int:
    """How many school years in a row, ending with ``school_year``, are in ``years``."""
    run = 0
    while school_year - run in years:
        run += 1
    return run


def idea_sentences(published: pd.DataFrame, *, school_year: int, threshold: float,
                   consecutive_years: int = 3) -> list[str]:
    """One headline sentence per group and category above the IDEA threshold in
    ``school_year`` (none when no group is above it).

    A group above the threshold is *significant disproportionality* only in the
    ``consecutive_years``-th consecutive year above it; until then the sentence says how many
    years in a row it has been above and how many IDEA requires.
    """
    now, every = _flagged(published, school_year)
    sentences = []
    for _, r in now.iterrows():
        above = _years(every, r)
        run = _run_length(above, school_year)
        verdict = (", which makes it significant disproportionality under IDEA "
                   "(34 CFR 300.647)" if r["note"] == _SIGNIFICANT else
                   f". Not (yet) significant disproportionality: IDEA requires "
                   f"{consecutive_years} consecutive years above the threshold, and "
                   f"{year_label(school_year)} is {_in_a_row(run)}")
        sentences.append(
            f"{capitalize(group_label(r['dimension'], r['group']))} were {r['value']:.2f} times "
            f"as likely as {_COMPARED_WITH.get(r['comparison'], 'other students')} to "
            f"{outcome_infinitive(r['outcome'])}, above the IDEA risk-ratio threshold "
            f"of {threshold:g} in {_join([year_label(y) for y in above])}{verdict}.")
    return sentences


def _in_a_row(run: int) -> str:
    return ("the first year in a row above it" if run == 1
            else f"the {_ORDINALS.get(run, f'{run}th')} year in a row above it")


_ORDINALS = {2: "second", 3: "third"}


def category_table(published: pd.DataFrame, *, school_year: int,
                   measure: str = "rate") -> pd.DataFrame:
    """Identification for special education by disability category: one row per
    racial/ethnic group (all students first), one column per category the audit publishes.

    Parameters
    ----------
    published : the audit's published (suppressed) metrics.
    school_year : the audited year.
    measure : ``"rate"`` (share of the group identified in the category) or ``"risk_ratio"``
        (against all other students).

    Returns
    -------
    DataFrame
        ``group`` and one column per category ("autism", ...), cells as the report prints
        them ("suppressed" for a withheld one, "—" for none); empty when no category is
        published.

    Examples
    --------
    >>> category_table(pd.DataFrame(columns=["school_id", "school_year", "outcome",
    ...     "dimension", "group", "measure", "comparison"]), school_year=2023).empty
    True
    """
    outcomes = [f"disability_{c}" for c in IDEA_CATEGORIES]
    p = published
    rows = p[(p["school_id"] == "") & (p["school_year"] == school_year)
             & p["outcome"].isin(outcomes) & (p["measure"] == measure)
             & (p["comparison"] == ("" if measure == "rate" else "all_other"))
             & p["dimension"].isin(("all", "race_ethnicity"))]
    shown = [o for o in outcomes if o in set(rows["outcome"])]
    if not shown:
        return pd.DataFrame()
    keys = list(dict.fromkeys(zip(rows["dimension"], rows["group"], strict=True)))
    keys.sort(key=lambda k: k[0] != "all")
    found = rows.set_index(["dimension", "group", "outcome"])
    table = []
    for dimension, group in keys:
        entry = {"group": capitalize(group_label(dimension, group))}
        for o in shown:
            key = (dimension, group, o)
            entry[_category_words(o)] = cell(found.loc[key]) if key in found.index else "—"
        table.append(entry)
    return pd.DataFrame(table)


def _category_words(outcome: str) -> str:
    """"identified for special education (autism)" → "autism"."""
    label = outcome_label(outcome)
    return label[label.find("(") + 1:-1] if label.endswith(")") else label
