"""The second tab: how much demographics predict the outcome, and where a gap sits.

Both views are computed with :mod:`equitykit.metrics` and cached per district, year, outcome
(and group), because a demographics-only model refits 2^k subset models: a trainer who clicks
back to a choice sees it at once.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass

import pandas as pd
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

from .. import metrics
from .._words import column_title
from ..audit import BOOTSTRAP_REPLICATES, PERMUTATIONS
from ..config import AuditConfig
from ..schema import DIMENSIONS
from . import _charts
from . import _wording as w
from ._data import DistrictCache
from ._view import ALL_OTHER, Selection, effective_min_n, published_table, suppress_with

__all__ = ["Panel", "predictiveness_view", "split_view"]



#: Bootstrap replicates for the predictiveness interval (the report's default is 200).


@dataclass(frozen=True)
class Panel:
    """One block of the second tab: a sentence, a chart (PNG) and the numbers behind them."""

    text: str
    chart: bytes
    table: pd.DataFrame


def _suppress(cache: DistrictCache, sel: Selection, rows: list[dict], *, school_id: str,
              cells: list[str], min_n: int, config: AuditConfig) -> pd.DataFrame:
    """New rows suppressed together with the published cells (``cells``: group labels of the
    selected dimension, or "all") they are computed from."""
    table = published_table(cache, school_year=sel.school_year, outcome=sel.outcome,
                            min_n=min_n, config=config)
    base = table[(table["school_id"] == school_id) & table["dimension"].isin(
        [sel.dimension, "all"]) & table["group"].isin(cells) & (table["comparison"] == "")]
    frame = pd.DataFrame(rows).assign(
        district_id=cache.district_id, school_year=sel.school_year, school_id=school_id,
        outcome=sel.outcome, ci_low=[r.get("ci_low", math.nan) for r in rows],
        ci_high=[r.get("ci_high", math.nan) for r in rows])
    return suppress_with(base, frame, min_n=min_n, config=config)


def _empty_chart() -> bytes:
    return b""


# ------------------------------------------------------------------- between/within schools
def split_view(cache: DistrictCache, sel: Selection, *, config: AuditConfig) -> Panel:
    """The focus group's district gap split between schools (sorting) and within them.

    Rates: Kitagawa (``metrics.locate_gap``) on the counts table's school rows; scores:
    Oaxaca–Blinder with the school attended as the only factor (``metrics.oaxaca_blinder``).
    The whole district is used whatever school is selected.
    """
    min_n = effective_min_n(sel.min_n, config)
    est = _split_estimate(cache, sel.school_year, sel.outcome, sel.dimension, sel.focus,
                          sel.comparison)
    score = sel.outcome in w.SCORE_OUTCOMES
    between = est.extra.get("explained" if score else "between", math.nan)
    within = est.extra.get("unexplained" if score else "within", math.nan)
    n = est.extra.get("n_focal", math.nan) if score else est.n
    rows = [{"measure": m, "dimension": sel.dimension, "group": sel.focus,
             "comparison": sel.comparison, "n": n, "numerator": math.nan, "value": v}
            for m, v in (("gap", est.value), ("between_school_gap", between),
                         ("within_school_gap", within))]
    cells = [sel.focus, "all" if sel.comparison == ALL_OTHER else sel.comparison]
    table = _suppress(cache, sel, rows, school_id="", cells=cells, min_n=min_n, config=config)
    group = w.group_label(sel.dimension, sel.focus)
    comparison = w.comparison_label(sel.dimension, sel.comparison)
    where = f"across the district in {w.year_label(sel.school_year)}"  # any school selected
    if table["suppressed"].astype(bool).any():
        return Panel(f"Where the gap sits {where}: {w.suppressed_text(min_n)}.",
                     _empty_chart(), table)
    gap, between, within = (table.loc[table["measure"] == m, "value"].iloc[0]
                            for m in ("gap", "between_school_gap", "within_school_gap"))
    if not (math.isfinite(gap) and math.isfinite(between) and math.isfinite(within)):
        return Panel(f"Where the gap sits {where}: cannot be split"
                     f"{': ' + est.reason if est.reason else ''}.", _empty_chart(), table)
    unit, scale = ("points", 1.0) if score else ("percentage points", 100.0)
    subject = (f"average {w.SCORE_OUTCOMES[sel.outcome]} score" if score
               else f"rate of being {w.outcome_label(sel.outcome)}")
    direction = "higher" if gap > 0 else "lower"
    text = (f"{_capital(where)}, the {subject} of {group} was {abs(scale * gap):.1f} {unit} "
            f"{direction} than that of {comparison}. Of this gap, {_signed(scale * between)} come "
            f"from which schools students attend (between schools) and {_signed(scale * within)} "
            "from differences inside the same schools (within schools).")
    parts = pd.Series({"Between schools (which school)": between,
                       "Within schools (same school)": within,
                       "Whole gap": gap})
    chart = _charts.bar_chart(
        parts, scale=scale, suffix=" pts", signed=True,
        title=f"Where the gap sits: {_capital(group)} vs {comparison}",
        xlabel=f"Gap in {unit}", colours=[_charts.COMPARISON, _charts.FOCUS, _charts.OTHER])
    return Panel(text, chart, table)


def _signed(value: float) -> str:
    text = f"{value:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _split_estimate(cache: DistrictCache, school_year: int, outcome: str, dimension: str,
                    focus: str, comparison: str) -> metrics.Estimate:
    key = ("split", school_year, outcome, dimension, focus, comparison)
    if key not in cache.memo:
        cache.memo[key] = _split(cache, school_year, outcome, dimension, focus, comparison)
    return cache.memo[key]


def _split(cache: DistrictCache, school_year: int, outcome: str, dimension: str, focus: str,
           comparison: str) -> metrics.Estimate:
    if outcome in w.SCORE_OUTCOMES:
        scores = cache.score_groups(school_year=school_year, school_id="", outcome=outcome,
                                    dimension=dimension)
        scores = scores.join(cache.scores["school_id"])
        if comparison != ALL_OTHER:
            scores = scores[scores["group"].isin([focus, comparison])]
        data = scores.assign(is_focus=scores["group"] == focus)
        if data["is_focus"].nunique() != 2:
            return metrics.Estimate.undefined("one of the two groups has no scores")
        with warnings.catch_warnings():
            # A group in few schools leaves school dummies collinear; the explained and
            # unexplained totals do not depend on how statsmodels resolves that.
            warnings.simplefilter("ignore", SingularMatrixWarning)
            return metrics.oaxaca_blinder(data, outcome="score", group="is_focus",
                                          factors=["school_id"], focal=True)
    counts = cache.counts_for(school_year=school_year, outcome=outcome, dimension=dimension)
    return metrics.locate_gap(counts, outcome=outcome, dimension=dimension, group=focus,
                              comparison=comparison)


# ---------------------------------------------------------------------------- predictiveness
def predictiveness_view(cache: DistrictCache, sel: Selection, *, config: AuditConfig) -> Panel:
    """How well demographics alone predict the outcome out of sample
    (``metrics.predictive_accuracy``: cross-validated AUC for a rate, adjusted R² for a score,
    as the report) and each demographic's share of the fit (``metrics.predictiveness``,
    general dominance)."""
    min_n = effective_min_n(sel.min_n, config)
    est = _predictiveness(cache, sel.school_year, sel.school_id, sel.outcome)
    place = w.place_phrase(cache.school_names.get(sel.school_id) if sel.school_id else None,
                           sel.school_year)
    score = sel.outcome in w.SCORE_OUTCOMES
    common = {"dimension": "all", "group": "all", "comparison": "", "n": est.n,
              "numerator": math.nan}
    fit = est.extra.get("adjusted_r2" if score else "mcfadden_r2", math.nan)
    rows = [{"measure": "predictiveness_r2" if score else "predictiveness_auc", **common,
             "value": est.value, "ci_low": est.ci_low, "ci_high": est.ci_high},
            {"measure": "adjusted_r2" if score else "mcfadden_r2", **common, "value": fit}]
    rows += [{"measure": f"dominance_{factor}", **common, "value": weight}
             for factor, weight in est.extra.get("dominance", {}).items()]
    table = _suppress(cache, sel, rows, school_id=sel.school_id, cells=["all"], min_n=min_n,
                      config=config)
    if table["suppressed"].astype(bool).any():
        return Panel(f"{place}, how well demographics predict this outcome is "
                     f"{w.suppressed_text(min_n)}.", _empty_chart(), table)
    head = table.iloc[0]
    if not math.isfinite(head["value"]):
        return Panel(f"{place}, the demographics-only model cannot be fitted"
                     f"{': ' + est.reason if est.reason else ''}.", _empty_chart(), table)
    ci = (f"95% CI {head['ci_low']:.2f}–{head['ci_high']:.2f}"
          if math.isfinite(head["ci_low"]) and math.isfinite(head["ci_high"]) else "")
    if score:
        text = (f"{place}, demographics alone explain {100 * head['value']:.1f}% of the "
                f"differences in {w.SCORE_OUTCOMES[sel.outcome]} scores (R² {head['value']:.3f}"
                f"{'; ' + ci if ci else ''}).")
    else:
        text = (f"{place}, demographics alone predict who is {w.outcome_label(sel.outcome)} "
                f"with AUC {head['value']:.2f}{' (' + ci + ')' if ci else ''} for students the "
                "model was not fitted to, where 0.5 is no better than chance and 1 is perfect.")
    dominance = table[table["measure"].str.startswith("dominance_")]
    weights = pd.Series(dominance["value"].to_numpy(),
                        index=dominance["measure"].str.removeprefix("dominance_"))
    if len(weights) and weights.sum() > 0:
        shares = (weights / weights.sum()).rename(index=column_title)
        shares = shares.sort_values(ascending=False)
        text += f" {shares.index[0]} accounts for the largest share ({100 * shares.iloc[0]:.0f}%)."
        chart = _charts.bar_chart(
            shares, scale=100, suffix="%", title="How much each demographic predicts it",
            xlabel="Share of what demographics explain (general dominance, %)")
    else:
        chart = _empty_chart()
    return Panel(text, chart, table)


def _predictiveness(cache: DistrictCache, school_year: int, school_id: str, outcome: str
                    ) -> metrics.Estimate:
    key = ("predictiveness", school_year, school_id, outcome)
    if key not in cache.memo:
        cache.memo[key] = _fit_predictiveness(cache, school_year, school_id, outcome)
    return cache.memo[key]


def warm_predictiveness(cache: DistrictCache, school_year: int, outcome: str) -> None:
    """Fit the district-wide model of one year and outcome ahead of the second tab."""
    _predictiveness(cache, school_year, "", outcome)


def _fit_predictiveness(cache: DistrictCache, school_year: int, school_id: str, outcome: str
                        ) -> metrics.Estimate:
    data = cache.students[cache.students["school_year"] == school_year]
    if school_id:
        data = data[data["school_id"] == school_id]
    if outcome in w.SCORE_OUTCOMES:
        data = data.assign(**{outcome: cache.scores.loc[data.index, outcome]})
    factors = [d for d in DIMENSIONS if d in data]
    strata = metrics.strata_table(data, outcome, factors)
    # As in the report: out-of-sample value, interval and p-value; the in-sample fit for the
    # dominance split and McFadden R².
    accuracy = metrics.predictive_accuracy(strata, dimensions=factors, n_boot=BOOTSTRAP_REPLICATES,
                                           n_permutations=PERMUTATIONS)
    if not accuracy.defined:
        return accuracy
    fit = metrics.predictiveness(strata, dimensions=factors, n_boot=0)
    return dataclasses.replace(accuracy, extra={**fit.extra, **accuracy.extra})
