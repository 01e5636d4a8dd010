"""What the explorer shows for one choice of controls, as numbers that have passed suppression.

:func:`compute_view` is the whole logic of the explorer without a browser. For a school year
and outcome it builds, once, the table the report publishes (``metrics.disproportionality`` of
the counts table for every school, dimension and group, or the score summaries) and passes it
through ``metrics.suppress_metrics`` exactly as the report does, so the suppression (primary,
complementary across schools, groups and intersections, top/bottom coding) is the report's.
Each click then filters that table. A comparison the table does not hold (a named comparison
group, a score gap) is computed with the scalar ``metrics`` function and suppressed together
with the cells it is computed from. The chart, the sentence and the table are drawn from the
suppressed rows only.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from .. import metrics
from ..config import AuditConfig
from . import _wording as w
from ._data import DistrictCache, group_sort_key

__all__ = ["ALL_OTHER", "Selection", "View", "compute_view", "effective_min_n",
           "published_table", "suppress_with", "warm_up"]

ALL_OTHER = "all_other"
#: Measures shown for a binary outcome (the report's, from ``metrics.disproportionality``).
RATE_MEASURES = ("rate", "risk_ratio", "risk_difference", "excess_students")
_QUANTILES = {0.1: "q10", 0.25: "q25", 0.5: "q50", 0.75: "q75", 0.9: "q90"}
_EXTRA_HIDDEN = ["sd", *_QUANTILES.values()]

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

    ``table`` holds ``metrics.csv`` rows (docs/outputs.md) after ``metrics.suppress_metrics``, for
    the selected school (or district), outcome and dimension: ``rate`` per group and for all
    students with ``risk_ratio``, ``risk_difference`` and ``excess_students`` against all
    other students (binary outcomes), or ``mean`` per group with ``sd`` and quantile columns
    ``q10``…``q90`` (scores); plus the focus-vs-comparison contrast when the comparison is a
    named group (``risk_ratio``, ``risk_difference``, ``excess_students``) or for scores
    (``hedges_g``, the report's gap measure). A suppressed row has every number blank and
    ``display`` "suppressed".
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


def _suppress(table: pd.DataFrame, min_n: int, config: AuditConfig) -> pd.DataFrame:
    out = metrics.suppress_metrics(table, min_n=min_n,
                                   top_bottom_coding=config.privacy.top_bottom_coding,
                                   protection_width=config.privacy.protection_width)
    hidden = [c for c in _EXTRA_HIDDEN if c in out]
    out.loc[out["suppressed"].astype(bool), hidden] = math.nan
    return out


def suppress_with(cells: pd.DataFrame, rows: pd.DataFrame, *, min_n: int,
                  config: AuditConfig) -> pd.DataFrame:
    """Suppress new ``rows`` computed from already-published ``cells``.

    ``cells`` are rows of a :func:`published_table` (suppression already decided); the new
    rows are put through ``metrics.suppress_metrics`` with them, so a comparison is withheld
    exactly when the report's rule withholds it (its own or its comparison's cell is
    withheld). Only the new rows are returned.
    """
    both = pd.concat([cells.drop(columns=["display"], errors="ignore"), rows],
                     ignore_index=True)
    out = _suppress(both, min_n, config)
    return out.iloc[len(cells):].reset_index(drop=True)


# ----------------------------------------------------------------- the published tables
def published_table(cache: DistrictCache, *, school_year: int, outcome: str, min_n: int,
                    config: AuditConfig) -> pd.DataFrame:
    """The report's suppressed table for one year and outcome: every school and the district,
    every dimension and group. Computed once per (year, outcome, minimum n) and kept.

    Each outcome's table goes through the gate on its own: gating every outcome of a year
    together, with every school by group, took minutes per year on the sample districts and
    withheld whole district tables the report publishes. So a group's size withheld in one
    outcome's table may be shown in another's (docs/privacy.md states this limit)."""
    key = ("published", school_year, outcome, min_n)
    if key in cache.memo:
        return cache.memo[key]
    with cache.lock:  # a background warm-up may be computing this very table
        if key not in cache.memo:
            if outcome in w.SCORE_OUTCOMES:
                raw = _score_table(cache, school_year, outcome)
            else:
                counts = cache.counts_for(school_year=school_year, outcome=outcome)
                raw = metrics.disproportionality(counts)
                raw = raw[raw["measure"].isin(RATE_MEASURES)]
            cache.memo[key] = _suppress(raw.reset_index(drop=True), min_n, config)
    return cache.memo[key]


def warm_up(cache: DistrictCache, *, min_n: int, config: AuditConfig,
            first_year: int | None = None,
            then: Callable[[DistrictCache, int, str], object] | None = None
            ) -> threading.Thread:
    """Compute every published table of a district in a background thread (latest year
    first), so later clicks only filter; then ``then(cache, year, outcome)`` for each (the
    second tab's models). Started once per district and minimum n."""
    key = ("warming", min_n)
    if key not in cache.memo:
        years = sorted(cache.years, key=lambda y: (y != first_year, -y))
        jobs = [(y, o) for y in years for o in cache.outcomes(y)]

        def run() -> None:
            for year, outcome in jobs:
                published_table(cache, school_year=year, outcome=outcome, min_n=min_n,
                                config=config)
            for year, outcome in jobs if then is not None else ():
                then(cache, year, outcome)

        cache.memo[key] = threading.Thread(target=run, name="equitykit-warm-up", daemon=True)
        cache.memo[key].start()
    return cache.memo[key]


def _summary(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """n, mean, SD (``metrics.strata_table``) and percentiles of ``score`` per ``keys``."""
    strata = metrics.strata_table(frame, "score", keys).set_index(keys)
    sd = (strata["ss_within"] / (strata["n"] - 1)).where(strata["n"] > 1) ** 0.5
    labelled = frame.astype({k: "str" for k in keys})
    quantiles = labelled.groupby(keys)["score"].quantile(list(_QUANTILES)).unstack()
    out = pd.concat([strata[["n", "mean"]], sd.rename("sd"),
                     quantiles.rename(columns=_QUANTILES)], axis=1)
    return out.reset_index()


def _score_table(cache: DistrictCache, school_year: int, outcome: str) -> pd.DataFrame:
    """Unsuppressed ``mean`` rows (with ``sd`` and percentiles) for every place and group."""
    scores = cache.scores[(cache.scores["school_year"] == school_year)
                          & cache.scores[outcome].notna()]
    parts = []
    for dimension in ("all", *cache.dimensions()):
        labels = "all" if dimension == "all" else scores[dimension]
        frame = pd.DataFrame({"school_id": scores["school_id"], "group": labels,
                              "score": scores[outcome]})
        for keys in (["group"], ["school_id", "group"]):
            part = _summary(frame, keys).assign(dimension=dimension)
            parts.append(part if "school_id" in keys else part.assign(school_id=""))
    rows = pd.concat(parts, ignore_index=True)
    return rows.assign(
        district_id=cache.district_id, school_year=school_year, outcome=outcome,
        measure="mean", comparison="", numerator=math.nan, value=rows.pop("mean"),
        ci_low=math.nan, ci_high=math.nan)


def _raw_score_summary(cache: DistrictCache, sel: Selection, groups: pd.Series | None
                       ) -> pd.Series | None:
    """Unsuppressed n, mean and SD of the students whose group is in ``groups`` (None: all
    but the focus group), for a score contrast."""
    scores = cache.score_groups(school_year=sel.school_year, school_id=sel.school_id,
                                outcome=sel.outcome, dimension=sel.dimension)
    keep = scores["group"] != sel.focus if groups is None else scores["group"].isin(groups)
    chosen = scores[keep].assign(group="chosen")
    if chosen.empty:
        return None
    return _summary(chosen, ["group"]).iloc[0]


# ------------------------------------------------------------------------------ the view
def _cell_rows(table: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    return table[table["group"].isin(groups) & (table["comparison"] == "")]


def _contrast(cache: DistrictCache, sel: Selection, shown: pd.DataFrame, kind: str,
              config: AuditConfig) -> pd.DataFrame:
    """Focus-vs-comparison rows the published table does not hold."""
    if kind == "rate" and sel.comparison == ALL_OTHER:
        return shown.iloc[:0]
    counts = None
    if kind == "rate":
        counts = cache.group_counts(school_year=sel.school_year, school_id=sel.school_id,
                                    outcome=sel.outcome, dimension=sel.dimension)
        if sel.focus not in counts.index or sel.comparison not in counts.index:
            return shown.iloc[:0]
        x, n = counts.loc[sel.focus]
        x_c, n_c = counts.loc[sel.comparison]
        estimates = {m: getattr(metrics, m)(x, n, x_c, n_c)
                     for m in ("risk_ratio", "risk_difference", "excess_students")}
        numerator = x
    else:
        focus = _raw_score_summary(cache, sel, pd.Series([sel.focus]))
        other = _raw_score_summary(
            cache, sel, None if sel.comparison == ALL_OTHER else pd.Series([sel.comparison]))
        if focus is None or other is None:
            return shown.iloc[:0]
        reference = {}
        if config.gaps.sd_basis == "all_students":
            everyone = shown[(shown["group"] == "all") & (shown["measure"] == "mean")]
            reference = {"reference_sd": float(everyone["sd"].iloc[0])}
        estimates = {"hedges_g": metrics.hedges_g(focus["mean"], focus["sd"], focus["n"],
                                                  other["mean"], other["sd"], other["n"],
                                                  **reference)}
        n, numerator = focus["n"], math.nan
    rows = pd.DataFrame([{
        "district_id": cache.district_id, "school_year": sel.school_year,
        "school_id": sel.school_id, "outcome": sel.outcome, "dimension": sel.dimension,
        "group": sel.focus, "measure": measure, "comparison": sel.comparison, "n": n,
        "numerator": numerator, "value": float(est.value), "ci_low": est.ci_low,
        "ci_high": est.ci_high, "p_value": est.p_value, "note": est.reason,
    } for measure, est in estimates.items()])
    base = ["all", sel.focus] if sel.comparison == ALL_OTHER else [sel.focus, sel.comparison]
    return suppress_with(_cell_rows(shown, base), rows, min_n=sel.min_n, config=config)


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
    table = pd.concat([shown, _contrast(cache, sel, shown, kind, config)], ignore_index=True)
    school = cache.school_names.get(sel.school_id) if sel.school_id else None
    place = w.place_phrase(school, sel.school_year)
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
    r = _find(table, "hedges_g" if kind == "score" else "risk_ratio", sel.focus, sel.comparison)
    if r is None or bool(r["suppressed"]):
        return (f"{place}, results for {group} compared with {comparison}: "
                f"{w.suppressed_text(min_n)}.", "")
    reason = str(r.get("note", "") or "")
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
