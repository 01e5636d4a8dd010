"""Charts for a room projector: large type, plain labels, the Okabe–Ito colour-blind-safe palette.

Each function draws from a suppressed :class:`View` table (or a predictiveness result) and
returns PNG bytes. A suppressed group gets the words "suppressed (fewer than N students)" where
its bar would be, never a bar.
"""

from __future__ import annotations

import io
import math
import textwrap

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._style import styled, theme
from . import _wording as w

__all__ = ["COMPARISON", "FOCUS", "OTHER", "bar_chart", "rate_chart", "score_chart"]

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
FOCUS = "#0072B2"       # blue
COMPARISON = "#E69F00"  # orange
OTHER = "#999999"       # grey
_WIDTH, _DPI = 11.0, 96
_LABEL_WIDTH = 30


#: The projector look, applied only while a chart is drawn (importing changes no global style).
_STYLE = theme(context="talk", style="whitegrid",
               rc={"axes.titleweight": "bold", "axes.titlesize": 22, "axes.labelsize": 18,
                   "xtick.labelsize": 16, "ytick.labelsize": 16, "axes.titlepad": 14})


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, bbox_inches="tight")
    return buf.getvalue()


def _wrap(label: str) -> str:
    return textwrap.fill(label[0].upper() + label[1:], _LABEL_WIDTH)


def _colour(group: str, focus: str, comparison: str) -> str:
    if group == focus:
        return FOCUS
    if group == comparison:
        return COMPARISON
    return OTHER


def _rows(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    rows = table[(table["measure"] == measure) & (table["comparison"] == "")]
    everyone = rows[rows["group"] == "all"]
    return pd.concat([rows[rows["group"] != "all"], everyone])


def _title(view) -> str:
    sel = view.selection
    return f"{w.outcome_title(sel.outcome)} — {view.where}, {w.year_label(sel.school_year)}"


def _figure(n_rows: int) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(_WIDTH, 1.2 + 0.62 * max(n_rows, 2)))
    return fig, fig.subplots()


def _suppressed_marks(ax: Axes, ys: list[int], text: str) -> None:
    for y in ys:
        ax.text(0.01, y, text, transform=ax.get_yaxis_transform(), va="center", ha="left",
                fontsize=15, style="italic", color="#444444", zorder=5,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})


@styled(_STYLE)
def rate_chart(view) -> bytes:
    """Rates by group (percent) with 95% confidence intervals; the focus group in blue, the
    comparison group in orange, all students as a dashed line."""
    sel = view.selection
    rows = _rows(view.table, "rate")
    fig, ax = _figure(len(rows))
    labels, suppressed = [], []
    for y, (_, r) in enumerate(rows.iterrows()):
        labels.append(_wrap(w.group_label(r["dimension"], r["group"])))
        if bool(r["suppressed"]) or not math.isfinite(r["value"]):
            suppressed.append(y)
            continue
        colour = _colour(r["group"], sel.focus, sel.comparison)
        if r["group"] == "all":
            colour = "#000000"
        ax.barh(y, 100 * r["value"], color=colour, height=0.65, alpha=0.9)
        if math.isfinite(r["ci_low"]) and math.isfinite(r["ci_high"]):
            ax.errorbar(100 * r["value"], y, capsize=6, color="#222222", lw=2,
                        xerr=[[100 * (r["value"] - r["ci_low"])],
                              [100 * (r["ci_high"] - r["value"])]])
        end = r["ci_high"] if math.isfinite(r["ci_high"]) else r["value"]
        ax.text(100 * end, y, f"  {r['display']}", va="center", fontsize=15)
    everyone = rows[(rows["group"] == "all") & ~rows["suppressed"].astype(bool)]
    if len(everyone) and math.isfinite(everyone["value"].iloc[0]):
        ax.axvline(100 * everyone["value"].iloc[0], color="#000000", ls="--", lw=1.5)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(left=0, right=max(ax.get_xlim()[1] * 1.12, 1))
    ax.set_xlabel(f"Percent {w.outcome_label(sel.outcome)} (bars: 95% confidence interval)")
    ax.set_title(_title(view), loc="left")
    _suppressed_marks(ax, suppressed, w.suppressed_text(view.min_n))
    return _png(fig)


@styled(_STYLE)
def score_chart(view) -> bytes:
    """Average scores by group, as published, as dots (scale scores do not start at 0); the
    focus group in blue, the comparison group in orange, all students as a dashed line."""
    sel = view.selection
    rows = _rows(view.table, "mean")
    fig, ax = _figure(len(rows))
    labels, suppressed, shown = [], [], []
    for y, (_, r) in enumerate(rows.iterrows()):
        labels.append(_wrap(w.group_label(r["dimension"], r["group"])))
        if bool(r["suppressed"]) or not math.isfinite(r["value"]):
            suppressed.append(y)
            continue
        colour = ("#000000" if r["group"] == "all"
                  else _colour(r["group"], sel.focus, sel.comparison))
        ax.plot(r["value"], y, "o", color=colour, markersize=14)  # dots: the axis is zoomed
        shown.append(r["value"])
        ax.text(r["value"], y, f"  {r['value']:.1f}", va="center", fontsize=15)
    everyone = rows[(rows["group"] == "all") & ~rows["suppressed"].astype(bool)]
    if len(everyone) and math.isfinite(everyone["value"].iloc[0]):
        ax.axvline(everyone["value"].iloc[0], color="#000000", ls="--", lw=1.5)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    if shown:  # scale scores do not start at 0: zoom on the range shown
        low, high = min(shown), max(shown)
        pad = max(high - low, 1.0) * 0.6
        ax.set_xlim(low - pad, high + pad)
    ax.set_xlabel(f"Average {w.SCORE_OUTCOMES[sel.outcome]} score")
    ax.set_title(_title(view), loc="left")
    _suppressed_marks(ax, suppressed, w.suppressed_text(view.min_n))
    return _png(fig)


@styled(_STYLE)
def bar_chart(values: pd.Series, *, title: str, xlabel: str, scale: float = 1.0,
              suffix: str = "", colours: list[str] | None = None
              ) -> bytes:
    """Horizontal bars, one per entry of ``values`` (index = label), each multiplied by
    ``scale`` and written at the bar end with ``suffix`` (predictiveness, gap split)."""
    fig, ax = _figure(len(values))
    colours = colours or [FOCUS] * len(values)
    ys = range(len(values))
    ax.barh(list(ys), [scale * v for v in values], color=colours, height=0.6)
    for y, v in zip(ys, values, strict=True):
        text = f"{scale * v:.1f}"
        text = "0.0" if text in ("+0.0", "-0.0") else text
        ax.text(scale * v, y, f"  {text}{suffix}  ", va="center",
                fontsize=15, ha="left" if v >= 0 else "right")
    ax.set_yticks(list(ys), [_wrap(str(i)) for i in values.index])
    ax.invert_yaxis()
    ax.axvline(0, color="#000000", lw=1)
    lo, hi = ax.get_xlim()
    ax.set_xlim(min(lo, 0) * 1.2, max(hi, 0) * 1.25)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left")
    return _png(fig)
