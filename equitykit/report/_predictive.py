"""Demographic predictiveness as a view of the published metrics: how well demographics alone
predict each outcome, and which of them predicts it most."""

from __future__ import annotations

import pandas as pd

from .._words import capitalize, dimension_label, outcome_label
from ._tables import format_q
from ._views import cell, interval

__all__ = ["PREDICTIVENESS_COLUMNS", "predictiveness_table"]

#: The columns of :func:`predictiveness_table`, in order.
PREDICTIVENESS_COLUMNS = ("outcome", "measure", "value", "95% CI", "p (predict nothing)",
                          "strongest predictor")
_FIT = {"predictiveness_auc": "AUC", "predictiveness_r2": "R²"}
#: Below this p, demographics predict the outcome, and its strongest predictor is named.
RELIABLE_P = 0.05


def _p(row: pd.Series) -> str:
    """The p-value; at the smallest a permutation test of the AUC can give, 1 / (permutations
    + 1), "≤" it."""
    from ..audit import PERMUTATIONS  # the audit imports this module

    text = format_q(row["p_value"])
    smallest = row["measure"] == "predictiveness_auc" and (
        row["p_value"] <= 1 / (PERMUTATIONS + 1) + 1e-12)
    return f"≤{text}" if smallest else text


def predictiveness_table(published: pd.DataFrame, *, school_year: int) -> pd.DataFrame:
    """How well race, sex, economic disadvantage, English learner status and disability alone
    predict each outcome (cross-validated AUC for yes/no outcomes, adjusted R² for scores).

    Parameters
    ----------
    published : the published metrics table of one district.
    school_year : the year shown.

    Returns
    -------
    DataFrame
        :data:`PREDICTIVENESS_COLUMNS`, one row per outcome modelled: the fit and its 95% CI,
        the p-value of "demographics predict nothing", and the demographic with the largest
        share of the prediction. Empty when no model is published.

    Examples
    --------
    >>> report.predictiveness_table(audit.published, school_year=2024)  # doctest: +SKIP
    """
    p = published
    rows = p[(p["school_year"] == school_year) & (p["school_id"] == "")]
    fit = rows[rows["measure"].isin(_FIT)]
    share = rows[rows["measure"] == "predictiveness_share"]
    table = []
    for _, r in fit.iterrows():
        parts = share[share["outcome"] == r["outcome"]].sort_values("value", ascending=False)
        # a strongest predictor only where demographics predict the outcome at all
        reliable = not r["suppressed"] and r["p_value"] < RELIABLE_P and len(parts)
        table.append({
            "outcome": capitalize(outcome_label(r["outcome"])),
            "measure": _FIT[r["measure"]],
            "value": cell(r),
            "95% CI": interval(r),
            "p (predict nothing)": _p(r) if not r["suppressed"] else "",
            "strongest predictor": (dimension_label(parts.iloc[0]["group"]) if reliable
                                    else "— (no reliable prediction)" if len(parts) else ""),
        })
    return pd.DataFrame(table, columns=list(PREDICTIVENESS_COLUMNS))
