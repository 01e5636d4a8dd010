"""Adults: staff turnover and new hires by staff race/ethnicity, from the published metrics."""

from __future__ import annotations

import pandas as pd

from .._words import capitalize, group_label
from ..metrics._retention import HIRED, LEFT
from ._views import cell, interval

__all__ = ["TURNOVER_COLUMNS", "turnover_table", "turnover_year"]

#: The columns of :func:`turnover_table`, in order.
TURNOVER_COLUMNS = ("staff", "number", "left at the end of the year", "95% CI (left)",
                    "hired that year", "95% CI (hired)")


def latest_year(published: pd.DataFrame, outcome: str, *, up_to: int) -> int | None:
    """The latest year up to ``up_to`` with the district's ``outcome`` published; None without
    one."""
    years = published.loc[(published["outcome"] == outcome) & (published["school_id"] == "")
                          & (published["school_year"] <= up_to), "school_year"]
    return None if years.empty else int(years.max())


def turnover_year(published: pd.DataFrame, school_year: int) -> int | None:
    """The latest year up to ``school_year`` with published turnover (leavers are known only
    once the next year's staff list exists); None without one."""
    return latest_year(published, LEFT, up_to=school_year)


def turnover_table(published: pd.DataFrame, *, school_year: int) -> pd.DataFrame:
    """Staff of every role in ``school_year`` by race/ethnicity (all staff first): how many,
    the share who left the district at the end of the year and the share hired in it, each
    with its 95% interval (Wilson)."""
    p = published[(published["school_id"] == "") & (published["school_year"] == school_year)
                  & (published["measure"] == "rate")]
    left = p[p["outcome"] == LEFT]
    hired = p[p["outcome"] == HIRED].set_index(["dimension", "group"])
    table = []
    for _, r in left.iterrows():
        key = (r["dimension"], r["group"])
        h = hired.loc[key] if key in hired.index else None
        name = "All staff" if r["dimension"] == "all" else capitalize(
            group_label(r["dimension"], r["group"]).replace("students", "staff"))
        table.append({"staff": name, "number": cell(r, "n"),
                      "left at the end of the year": cell(r), "95% CI (left)": interval(r),
                      "hired that year": cell(h) if h is not None else "—",
                      "95% CI (hired)": interval(h) if h is not None else ""})
    return pd.DataFrame(table, columns=list(TURNOVER_COLUMNS))
