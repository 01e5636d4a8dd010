"""Climate and belonging: favourable survey answers by construct and group, one dimension at a
time, from the published metrics only."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .._words import DIMENSION_TITLES, capitalize, construct_label, difference_label, group_label
from ._tables import SUPPRESSED_TEXT
from ._views import cell, interval

__all__ = ["CLIMATE_COLUMNS", "climate_dimensions", "climate_table"]

#: The columns of :func:`climate_table`, in order.
CLIMATE_COLUMNS = ("construct", "group", "% favourable", "95% CI",
                   "gap vs all other students", "respondents")


def _district(published: pd.DataFrame, school_year: int) -> pd.DataFrame:
    return published[(published["section"] == "climate") & (published["school_id"] == "")
                     & (published["school_year"] == school_year)]


def climate_dimensions(published: pd.DataFrame, school_year: int) -> list[str]:
    """The dimensions the year's climate rows break down by, ``"all"`` first."""
    present = set(_district(published, school_year)["dimension"])
    return [d for d in ("all", *DIMENSION_TITLES) if d in present]


def climate_table(published: pd.DataFrame, *, school_year: int, dimension: str,
                  constructs: Sequence[str] | None = None) -> pd.DataFrame:
    """The favourable share of each construct for the groups of one dimension.

    Parameters
    ----------
    published : the audit's published (suppressed) metrics.
    school_year : the audited year.
    dimension : ``"all"`` (every respondent) or a student dimension; of a yes/no dimension
        only the group that has the characteristic is shown (the rest is its comparison).
    constructs : the metrics' construct names (``favorable_<domain>``) to show, in order;
        default: every construct of the year.

    Returns
    -------
    DataFrame
        :data:`CLIMATE_COLUMNS`, formatted as the report prints them: the construct in plain
        words, the group's name, the share with its 95% interval, the gap to all other
        respondents in percentage points and the respondents per item (suppressed cells say so).
    """
    rows = _district(published, school_year)
    rows = rows[(rows["dimension"] == dimension) & (rows["group"] != "false")]
    rates = rows[rows["measure"] == "rate"]
    gaps = rows[(rows["measure"] == "risk_difference")
                & (rows["comparison"] == "all_other")].set_index(["outcome", "group"])
    order = list(constructs) if constructs is not None else list(dict.fromkeys(rates["outcome"]))
    table = []
    for construct in order:
        for _, r in rates[rates["outcome"] == construct].iterrows():
            gap = gaps.loc[(construct, r["group"])] if (construct, r["group"]) in gaps.index \
                else None
            table.append({
                "construct": construct_label(construct),
                "group": capitalize(group_label(dimension, r["group"])),
                "% favourable": cell(r),
                "95% CI": interval(r),
                "gap vs all other students": _gap_text(gap),
                "respondents": cell(r, "n"),
            })
    return pd.DataFrame(table, columns=list(CLIMATE_COLUMNS))


def _gap_text(row: pd.Series | None) -> str:
    """A difference of shares in percentage points in words ("17.3 pts lower")."""
    if row is None:
        return "—"
    if row["suppressed"]:
        return SUPPRESSED_TEXT
    return difference_label(100 * row["value"]) if pd.notna(row["value"]) else "—"
