"""The second tab: how much demographics predict the outcome, and where a gap sits.

Both read the audit's published rows: the predictiveness of the audited year (out-of-sample
AUC for a rate, adjusted R² for a score, each demographic's share of the fit) and the share
of each group's gap with all other students that lies between schools. The audit publishes
them district-wide for its audited year, so other years and single schools say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .._words import capitalize, column_title
from ..config import AuditConfig
from . import _charts
from . import _wording as w
from ._data import DistrictCache
from ._view import ALL_OTHER, Selection, effective_min_n

__all__ = ["Panel", "predictiveness_view", "split_view"]

_PREDICTIVENESS = ("predictiveness_auc", "predictiveness_r2")


@dataclass(frozen=True)
class Panel:
    """One block of the second tab: a sentence, a chart (PNG) and the published rows behind
    them."""

    text: str
    chart: bytes
    table: pd.DataFrame


def _rows(cache: DistrictCache, sel: Selection, measures: tuple[str, ...]) -> pd.DataFrame:
    """The published district rows of the selection's year and outcome for ``measures``."""
    rows = cache.rows(school_year=sel.school_year, outcome=sel.outcome)
    return rows[(rows["school_id"] == "") & rows["measure"].isin(measures)]


def _only_published(cache: DistrictCache, what: str) -> str:
    return (f"The audit publishes {what} for the whole district in "
            f"{w.year_label(cache.audited_year)}; choose that year to see it.")


# ------------------------------------------------------------------- between/within schools
def split_view(cache: DistrictCache, sel: Selection, *, config: AuditConfig) -> Panel:
    """How much of the focus group's gap with all other students lies between schools (which
    school students attend) and how much within them: the audit's ``between_school_share``
    row (the Kitagawa split of the rate or average-score gap)."""
    min_n = effective_min_n(sel.min_n, config)
    group = w.group_label(sel.dimension, sel.focus)
    where = f"across the district in {w.year_label(sel.school_year)}"  # any school selected
    rows = _rows(cache, sel, ("between_school_share",))
    row = rows[(rows["dimension"] == sel.dimension) & (rows["group"] == sel.focus)
               & (rows["comparison"] == ALL_OTHER)]
    if row.empty:
        if sel.school_year != cache.audited_year:
            return Panel(_only_published(cache, "where each gap sits"), b"", row)
        return Panel(f"Where the gap sits {where}: the audit does not split this gap (it "
                     "needs the group in two schools or more).", b"", row)
    r = row.iloc[0]
    if bool(r["suppressed"]) or not r["n"] >= min_n:  # a raised minimum n hides more
        return Panel(f"Where the gap sits {where}: {w.suppressed_text(min_n)}.", b"", row)
    if not math.isfinite(r["value"]):
        note = str(r.get("note", "") or "")
        return Panel(f"Where the gap sits {where}: cannot be split{': ' + note if note else ''}.",
                     b"", row)
    between = float(r["value"])
    subject = (f"average {w.SCORE_OUTCOMES[sel.outcome]} score" if sel.outcome in
               w.SCORE_OUTCOMES else f"rate of being {w.outcome_label(sel.outcome)}")
    gap = f"the gap in the {subject} between {group} and all other students"
    printed = round(100 * between)  # reversed only as printed: 100.4% is "all", not "more"
    if printed > 100:  # inside schools the gap runs the other way
        text = (f"{capitalize(where)}, which schools students attend accounts for more than "
                f"all of {gap} ({100 * between:.0f}%, between schools); inside the same "
                f"schools the gap runs the other way ({100 * (1 - between):.0f}%, within "
                "schools).")
    elif printed < 0:  # where students are enrolled narrows the gap
        text = (f"{capitalize(where)}, differences inside the same schools account for more "
                f"than all of {gap} ({100 * (1 - between):.0f}%, within schools); which "
                f"schools students attend narrows it ({100 * between:.0f}%, between schools).")
    else:
        text = (f"{capitalize(where)}, {printed}% of {gap} comes from which schools "
                f"students attend (between schools) and {100 - printed}% from "
                "differences inside the same schools (within schools).")
    if sel.comparison != ALL_OTHER:
        text += (" The audit splits each group's gap with all other students, not with "
                 f"{w.comparison_label(sel.dimension, sel.comparison)}.")
    parts = pd.Series({"Between schools (which school)": between,
                       "Within schools (same school)": 1 - between})
    chart = _charts.bar_chart(
        parts, scale=100, suffix="%", title=f"Where the gap sits: {capitalize(group)}",
        xlabel="Share of the gap with all other students (%)",
        colours=[_charts.COMPARISON, _charts.FOCUS])
    return Panel(text, chart, row)


# ---------------------------------------------------------------------------- predictiveness
def predictiveness_view(cache: DistrictCache, sel: Selection, *, config: AuditConfig) -> Panel:
    """How well demographics alone predict the outcome out of sample (the audit's
    cross-validated AUC for a rate, adjusted R² for a score) and each demographic's share of
    the fit (general dominance), as the report publishes them."""
    min_n = effective_min_n(sel.min_n, config)
    rows = _rows(cache, sel, (*_PREDICTIVENESS, "predictiveness_share"))
    place = w.place_phrase(None, sel.school_year)
    head = rows[rows["measure"].isin(_PREDICTIVENESS)]
    if head.empty:
        if sel.school_year != cache.audited_year:
            return Panel(_only_published(cache, "how much demographics predict each outcome"),
                         b"", rows)
        return Panel(f"{place}, the audit could not fit a demographics-only model of this "
                     "outcome.", b"", rows)
    r = head.iloc[0]
    if bool(r["suppressed"]) or not r["n"] >= min_n:  # a raised minimum n hides more
        return Panel(f"{place}, how well demographics predict this outcome is "
                     f"{w.suppressed_text(min_n)}.", b"", rows)
    if not math.isfinite(r["value"]):
        note = str(r.get("note", "") or "")
        return Panel(f"{place}, the demographics-only model cannot be fitted"
                     f"{': ' + note if note else ''}.", b"", rows)
    ci = (f"95% CI {r['ci_low']:.2f}–{r['ci_high']:.2f}"
          if math.isfinite(r["ci_low"]) and math.isfinite(r["ci_high"]) else "")
    if r["measure"] == "predictiveness_r2":
        text = (f"{place}, demographics alone explain {100 * r['value']:.1f}% of the "
                f"differences in {w.SCORE_OUTCOMES[sel.outcome]} scores (adjusted R² "
                f"{r['value']:.3f}{'; ' + ci if ci else ''}).")
    else:
        text = (f"{place}, demographics alone predict who is {w.outcome_label(sel.outcome)} "
                f"with AUC {r['value']:.2f}{' (' + ci + ')' if ci else ''} for students the "
                "model was not fitted to, where 0.5 is no better than chance and 1 is perfect.")
    if sel.school_id:
        text += " The audit fits this model for the whole district, not for one school."
    shares = rows[(rows["measure"] == "predictiveness_share") & ~rows["suppressed"].astype(bool)]
    weights = pd.Series(shares["value"].to_numpy(dtype=float),
                        index=shares["group"].map(column_title).to_numpy())
    chart = b""
    if len(weights) and weights.sum() > 0:
        weights = (weights / weights.sum()).sort_values(ascending=False)
        text += (f" {weights.index[0]} accounts for the largest share "
                 f"({100 * weights.iloc[0]:.0f}%).")
        chart = _charts.bar_chart(
            weights, scale=100, suffix="%", title="How much each demographic predicts it",
            xlabel="Share of what demographics explain (general dominance, %)")
    return Panel(text, chart, rows)
