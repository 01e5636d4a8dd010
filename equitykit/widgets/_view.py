"""What the explorer shows for one choice of controls: rows of the audit's published table.

:func:`compute_view` is the whole logic of the explorer without a browser. The district's
published table (:class:`DistrictCache`) is the audit's ``metrics.csv``; a view filters it to a
year, outcome, place and dimension: each group's rate (or average score) and its comparison with
all other students, as the report publishes them. A comparison with a named group is computed
from the two groups' published counts (or averages) and withheld when either is withheld or
banded. At a minimum n above the audit's, the rows go through the privacy gate again with it,
so a trainer can hide more than the report, never less.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .. import metrics
from .._words import dimension_label
from ..config import AuditConfig
from ..privacy import SUPPRESSED_DISPLAY, suppress_metrics
from . import _wording as w
from ._data import DistrictCache, group_sort_key

__all__ = ["ALL_OTHER", "Selection", "View", "compute_view", "effective_min_n",
           "published_table"]

ALL_OTHER = "all_other"
#: Measures shown for a binary outcome and for a score (the report's).
RATE_MEASURES = ("rate", "risk_ratio", "risk_difference", "excess_students")
SCORE_MEASURES = ("mean", "hedges_g")
#: A named group compared on scores: the difference of the two published averages.
SCORE_GAP = "mean_difference"

NOT_AT_SCHOOL = ("{place}, the audit publishes no figures of this school for this outcome "
                 "(schools are published for {year}, for outcomes that are rates).")
NOT_BY_GROUP = "{place}, the audit does not publish this school's figures by {dimension}."
#: Why, added to NOT_BY_GROUP when no school's groups are published.
NO_SCHOOL_REPORTS = (" School reports (report.by_school in the config) publish each school's "
                     "main groups.")
SCHOOL_REPORTS_REFUSED = (" The school reports the config asks for are not published for this "
                          "district: their counts could not be protected.")
BAD_COMPARISON = "the comparison group must differ from the focus group ({group})"


@dataclass(frozen=True)
class Selection:
    """The values of the explorer's controls."""

    district_id: str
    school_year: int
    outcome: str
    dimension: str
    focus: str
    comparison: str = ALL_OTHER
    school_id: str = ""  # "" = all schools
    min_n: int = 10


@dataclass(frozen=True)
class View:
    """Everything displayed for a selection.

    ``table`` holds published ``metrics.csv`` rows (docs/outputs.md) for the selected school
    (or district), outcome and dimension: ``rate`` per group and for all students with
    ``risk_ratio``, ``risk_difference`` and ``excess_students`` against all other students
    (binary outcomes), or ``mean`` per group with ``hedges_g`` against all other students
    (scores); plus the focus-vs-comparison rows when the comparison is a named group
    (``risk_ratio``, ``risk_difference``, ``excess_students``; for scores
    ``mean_difference``, in points). A withheld row has every number blank and ``display``
    "suppressed".
    """

    selection: Selection
    kind: str  # "rate" or "score"
    table: pd.DataFrame
    sentence: str
    detail: str
    place: str
    where: str
    min_n: int

    def row(self, measure: str, group: str, comparison: str = "") -> pd.Series:
        """The row of ``table`` for one measure and group (and comparison)."""
        t = self.table
        hit = t[(t["measure"] == measure) & (t["group"] == group)
                & (t["comparison"] == comparison)]
        if len(hit) != 1:
            raise KeyError((measure, group, comparison))
        return hit.iloc[0]


def effective_min_n(min_n: int, config: AuditConfig) -> int:
    """The minimum n in force: a trainer may raise the report's, never lower it."""
    return max(int(min_n), config.privacy.min_n, 1)


# ----------------------------------------------------------------- the published tables
def published_table(cache: DistrictCache, *, school_year: int, outcome: str, min_n: int,
                    config: AuditConfig) -> pd.DataFrame:
    """The audit's published rows the explorer shows for one year and outcome: every place,
    dimension and group, each group's level and its comparison with all other students.

    At the audit's minimum n these are the published rows themselves. Above it they go through
    the gate again (``privacy.suppress_metrics``) with the rows the audit withheld kept
    withheld, so the result only ever hides more. Kept per (year, outcome, minimum n).
    """
    key = ("published", school_year, outcome, min_n)
    if key in cache.memo:
        return cache.memo[key]
    with cache.lock:
        if key not in cache.memo:
            rows = cache.rows(school_year=school_year, outcome=outcome)
            shown = SCORE_MEASURES if outcome in w.SCORE_OUTCOMES else RATE_MEASURES
            rows = rows[rows["measure"].isin(shown)
                        & rows["comparison"].isin(["", ALL_OTHER])].reset_index(drop=True)
            if min_n > config.privacy.min_n and len(rows):
                rows = suppress_metrics(rows, min_n=min_n,
                                        top_bottom_coding=config.privacy.top_bottom_coding,
                                        protection_width=config.privacy.protection_width)
            cache.memo[key] = rows
    return cache.memo[key]


# ------------------------------------------------------------------------------ the view
def _known(row: pd.Series | None, *columns: str) -> bool:
    return row is not None and not bool(row["suppressed"]) and all(
        pd.notna(row[c]) and math.isfinite(float(row[c])) for c in columns)


def _contrast(cache: DistrictCache, sel: Selection, shown: pd.DataFrame, kind: str
              ) -> pd.DataFrame:
    """Focus-vs-named-group rows, from the two groups' published rows only."""
    if sel.comparison == ALL_OTHER:
        return shown.iloc[:0]
    level = "mean" if kind == "score" else "rate"
    rows = shown[(shown["measure"] == level) & (shown["comparison"] == "")].set_index("group")
    if sel.focus not in rows.index or sel.comparison not in rows.index:
        return shown.iloc[:0]
    focus, other = rows.loc[sel.focus], rows.loc[sel.comparison]
    if kind == "score":
        known = _known(focus, "value") and _known(other, "value")
        values = {SCORE_GAP: metrics.Estimate(value=focus["value"] - other["value"])
                  if known else None}
        numerator = math.nan
    else:
        known = _known(focus, "numerator", "n") and _known(other, "numerator", "n")
        args = (focus["numerator"], focus["n"], other["numerator"], other["n"])
        values = {m: getattr(metrics, m)(*args) if known else None
                  for m in ("risk_ratio", "risk_difference", "excess_students")}
        numerator = focus["numerator"] if known else math.nan
    out = []
    for measure, est in values.items():
        value = math.nan if est is None else float(est.value)
        out.append({
            "district_id": cache.district_id, "school_year": sel.school_year,
            "school_id": sel.school_id, "outcome": sel.outcome, "dimension": sel.dimension,
            "group": sel.focus, "measure": measure, "comparison": sel.comparison,
            "n": focus["n"] if known else math.nan, "numerator": numerator, "value": value,
            "ci_low": math.nan if est is None else est.ci_low,
            "ci_high": math.nan if est is None else est.ci_high,
            "p_value": math.nan if est is None else est.p_value,
            "note": "" if est is None else est.reason, "suppressed": est is None,
            "display": SUPPRESSED_DISPLAY if est is None else "",
        })
    return pd.DataFrame(out)


def _report_order(group: str) -> tuple:
    return (group == "all", group_sort_key(group))


def compute_view(cache: DistrictCache, sel: Selection, *, config: AuditConfig) -> View:
    """Compute, suppress and word everything the explorer shows for ``sel``.

    The minimum n is never below ``config.privacy.min_n``: a trainer may raise it, not lower it,
    so the explorer never shows a number the report hides.

    Examples
    --------
    >>> view = compute_view(cache, Selection("D1", 2023, "oss", "race_ethnicity", "Black"),
    ...                     config=AuditConfig())  # doctest: +SKIP
    >>> view.sentence  # doctest: +SKIP
    'Across the district in 2023–24, Black students were 2.4 times as likely as ...'
    """
    if sel.comparison == sel.focus:
        raise ValueError(BAD_COMPARISON.format(group=sel.focus))
    min_n = effective_min_n(sel.min_n, config)
    sel = Selection(**{**sel.__dict__, "min_n": min_n})
    kind = "score" if sel.outcome in w.SCORE_OUTCOMES else "rate"
    table = published_table(cache, school_year=sel.school_year, outcome=sel.outcome,
                            min_n=min_n, config=config)
    shown = table[(table["school_id"] == sel.school_id)
                  & table["dimension"].isin([sel.dimension, "all"])]
    order = sorted(range(len(shown)), key=lambda i: _report_order(shown["group"].iloc[i]))
    shown = shown.iloc[order]
    table = pd.concat([shown, _contrast(cache, sel, shown, kind)], ignore_index=True)
    school = cache.school_name(sel.school_id) if sel.school_id else None
    place = w.place_phrase(school, sel.school_year)
    if sel.school_id and shown.empty:
        sentence = NOT_AT_SCHOOL.format(place=place, year=w.year_label(cache.audited_year))
        detail = ""
    elif sel.school_id and not (shown["dimension"] == sel.dimension).any():
        sentence = NOT_BY_GROUP.format(place=place, dimension=dimension_label(sel.dimension))
        if cache.school_reports_refused:
            sentence += SCHOOL_REPORTS_REFUSED
        elif not cache.schools_by_group:
            sentence += NO_SCHOOL_REPORTS
        detail = ""
    else:
        sentence, detail = _words(table, sel, place, kind, min_n)
    return View(selection=sel, kind=kind, table=table, sentence=sentence, detail=detail,
                place=place, where=school or "all schools", min_n=min_n)


def _find(table: pd.DataFrame, measure: str, group: str, comparison: str) -> pd.Series | None:
    hit = table[(table["measure"] == measure) & (table["group"] == group)
                & (table["comparison"] == comparison)]
    return hit.iloc[0] if len(hit) else None


def _words(table: pd.DataFrame, sel: Selection, place: str, kind: str, min_n: int
           ) -> tuple[str, str]:
    group = w.group_label(sel.dimension, sel.focus)
    comparison = w.comparison_label(sel.dimension, sel.comparison)
    measure = ("risk_ratio" if kind == "rate" else
               "hedges_g" if sel.comparison == ALL_OTHER else SCORE_GAP)
    r = _find(table, measure, sel.focus, sel.comparison)
    if r is None or bool(r["suppressed"]):
        return (f"{place}, results for {group} compared with {comparison}: "
                f"{w.suppressed_text(min_n)}.", "")
    reason = str(r.get("note", "") or "")
    if measure == SCORE_GAP:
        return w.score_difference_sentence(place=place, group=group, comparison=comparison,
                                           outcome=sel.outcome, points=r["value"]), ""
    if kind == "score":
        return w.score_sentence(place=place, group=group, comparison=comparison,
                                outcome=sel.outcome, d=r["value"], ci_low=r["ci_low"],
                                ci_high=r["ci_high"], reason=reason), ""
    sentence = w.rate_sentence(place=place, group=group, comparison=comparison,
                               outcome=sel.outcome, risk_ratio=r["value"], ci_low=r["ci_low"],
                               ci_high=r["ci_high"], reason=reason)
    excess = _find(table, "excess_students", sel.focus, sel.comparison)
    detail = ""
    if excess is not None and not bool(excess["suppressed"]):
        detail = w.excess_sentence(excess=excess["value"], group=group,
                                   comparison=comparison, outcome=sel.outcome)
    return sentence, detail
