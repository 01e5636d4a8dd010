"""Report figures: seaborn on the colour-blind-safe palette, embedded as PNG with alt text.

Every figure is drawn from published (suppressed) metrics rows only, so a figure can show no
number that the tables would hide. Each function returns a :class:`ReportFigure`: a matplotlib
``Figure`` that a notebook shows as an embedded PNG ``<figure>`` with its alt text and caption,
rendered at twice its displayed size so it stays sharp (the Word export embeds the same PNG);
ratios are always on a log scale (0.5 and 2 sit equally far from parity).

Figures are drawn at the width they are printed at (:data:`FIGURE_WIDTH`, which the page's print
style uses), so their text prints at the style's own sizes: 8 pt or more for ticks, legends and
notes, 9 pt for axis titles. On screen they are shown :data:`_ZOOM` times larger, as the page's
text is (16 px on screen, 10 pt in print).
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
import time

import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._style import styled, theme
from .._timing import add_seconds
from .._words import year_label

__all__ = ["FIGURE_WIDTH", "ReportFigure", "forest_plot", "gap_plot", "goal_plot",
           "quartile_plot", "school_scatter"]

_PALETTE = sns.color_palette("colorblind")
#: The report's look, applied only while a figure is drawn (importing changes no global style):
#: seaborn's "paper" sizes, 8.4 pt ticks and legends and 9.1 pt axis titles.
_STYLE = theme(context="paper", style="whitegrid", palette=_PALETTE, font_scale=0.95)
#: The size of the small text drawn on a plot (the cues saying which side of parity is worse).
_NOTE_SIZE = _STYLE["xtick.labelsize"]

#: Width of every report figure in inches, as drawn and as printed (the print style shows each
#: figure this wide: about 60% of a Letter page's text, so a chart shares its page with tables).
FIGURE_WIDTH = 4.3
#: CSS pixels per inch; how much larger than printed a figure is shown on screen; and image
#: pixels per CSS pixel on screen.
_DPI, _ZOOM, _SCALE = 96, 1.2, 2


class ReportFigure(Figure):
    """A report chart: a matplotlib ``Figure`` with the alt text and caption it is shown with.

    A notebook cell whose last line returns one shows it as the report does (:meth:`to_html`);
    ``fig.savefig(...)`` and everything else of ``Figure`` work as usual.
    """

    alt: str = ""
    caption: str = ""

    def to_html(self) -> str:
        """The figure as an embedded PNG ``<figure>`` (twice its displayed size on screen) with
        its alt text and caption."""
        start = time.perf_counter()
        buffer = io.BytesIO()
        with matplotlib.rc_context(_STYLE):
            self.savefig(buffer, format="png", dpi=_DPI * _ZOOM * _SCALE)
        add_seconds("figures", time.perf_counter() - start)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        width = round(self.get_figwidth() * _DPI * _ZOOM)
        return (
            f'<figure><img src="data:image/png;base64,{data}" width="{width}" '
            f'alt="{html.escape(self.alt)}"><figcaption>{html.escape(self.caption)}'
            "</figcaption></figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/html": self.to_html(), "text/plain": self.caption}


def _figure(height: float) -> tuple[ReportFigure, Axes]:
    fig = ReportFigure(figsize=(FIGURE_WIDTH, height), layout="constrained")
    return fig, fig.subplots()


def _group_figure(labels: pd.Series) -> tuple[ReportFigure, Axes, np.ndarray]:
    """A figure with one line per group, top to bottom, and the y position of each: the names
    on the left, wrapped at about 26 characters to leave the plot room, the lines of a name
    closer together than the names."""
    names = [textwrap.fill(str(label), 26) for label in labels]
    lines = max(name.count("\n") + 1 for name in names)
    fig, ax = _figure((0.16 + 0.06 * lines) * len(names) + 0.85)
    y = np.arange(len(names))[::-1]
    ax.set_yticks(y, names, linespacing=1.0)
    return fig, ax, y


def _value_title(ax: Axes, title: str) -> None:
    """The value axis's title, ending at the axis's right end: centred under a plot narrowed by
    its group labels it would run off the figure (the layout makes no room for it)."""
    ax.set_xlabel(title, loc="right")


def _described(fig: ReportFigure, *, alt: str, caption: str) -> ReportFigure:
    fig.alt, fig.caption = alt, caption
    return fig


def _side_cues(ax: Axes, *, left: str, right: str) -> None:
    """Words above the plot saying what each side of parity means."""
    for x, text, align in ((0.0, left, "left"), (1.0, right, "right")):
        ax.annotate(text, xy=(x, 1), xycoords="axes fraction", xytext=(0, 4),
                    textcoords="offset points", ha=align, va="bottom", fontsize=_NOTE_SIZE,
                    color="#4a5866")


#: Risk-ratio ticks: the readable ones, and the fewer used when a wide span would crowd them.
_RATIO_TICKS = (0.1, 0.2, 0.25, 0.33, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 10, 20, 50)
_COARSE_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)


def _ratio_ticks(low: float, high: float) -> list[float]:
    """At most about seven readable ticks between ``low`` and ``high`` (a log axis)."""
    for ticks in (_RATIO_TICKS, _COARSE_TICKS):
        inside = [t for t in ticks if low <= t <= high]
        if len(inside) <= 7:
            return inside
    return inside[::2]


@styled(_STYLE)
def forest_plot(rows: pd.DataFrame, *, title: str, label: str, parity: float = 1.0,
                adverse: bool | None = None) -> ReportFigure:
    """Risk ratios with 95% intervals, one line per group (``rows``: label, value, CI), on a
    log scale; ``adverse`` (a higher rate is worse: True; an opportunity: False) shades the
    side of parity that is bad for the group and says so above the plot."""
    rows = rows.reset_index(drop=True)
    fig, ax, y = _group_figure(rows[label])
    err = np.vstack([rows["value"] - rows["ci_low"], rows["ci_high"] - rows["value"]])
    ax.errorbar(rows["value"], y, xerr=np.nan_to_num(err), fmt="o", color=_PALETTE[0],
                ecolor=_PALETTE[0], capsize=3)
    ax.axvline(parity, color="#444", lw=1, ls="--")
    ax.set_xscale("log")
    low = min(rows["ci_low"].fillna(rows["value"]).min(), parity)
    high = max(rows["ci_high"].fillna(rows["value"]).max(), parity)
    span = max(high / low, 1.5) ** 0.08  # a margin of a few percent of the span on each side
    ax.set_xlim(low / span, high * span)
    ax.xaxis.set_major_locator(matplotlib.ticker.FixedLocator(_ratio_ticks(*ax.get_xlim())))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    _value_title(ax, "risk ratio vs all other students (log scale)")
    if adverse is not None:
        bad = (parity, ax.get_xlim()[1]) if adverse else (ax.get_xlim()[0], parity)
        ax.axvspan(*bad, color=_PALETTE[3], alpha=0.07, lw=0)
        worse = "\n(worse for the group)"
        _side_cues(ax, left="← less likely" + ("" if adverse else worse),
                   right="more likely →" + (worse if adverse else ""))
    alt = f"{title}. " + "; ".join(
        f"{r[label]}: {r['value']:.2f} (95% CI {r['ci_low']:.2f} to {r['ci_high']:.2f})"
        for _, r in rows.iterrows()
    )
    return _described(fig, alt=alt, caption=title)


@styled(_STYLE)
def gap_plot(rows: pd.DataFrame, *, title: str, label: str) -> ReportFigure:
    """Effect sizes (Hedges' g vs all other students) with 95% intervals."""
    rows = rows.reset_index(drop=True)
    fig, ax, y = _group_figure(rows[label])
    colors = [_PALETTE[3] if v < 0 else _PALETTE[2] for v in rows["value"]]
    ax.barh(y, rows["value"], color=colors, alpha=0.8)
    err = np.vstack([rows["value"] - rows["ci_low"], rows["ci_high"] - rows["value"]])
    ax.errorbar(rows["value"], y, xerr=np.nan_to_num(err), fmt="none", ecolor="#333",
                capsize=3)
    ax.axvline(0, color="#444", lw=1)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=5))
    _value_title(ax, "gap in standard deviations (Hedges' g)")
    _side_cues(ax, left="← lower scores\n(worse for the group)", right="higher scores →")
    alt = f"{title}. " + "; ".join(
        f"{r[label]}: {r['value']:.2f} SD (95% CI {r['ci_low']:.2f} to {r['ci_high']:.2f})"
        for _, r in rows.iterrows()
    )
    return _described(fig, alt=alt, caption=title)


@styled(_STYLE)
def school_scatter(schools: pd.DataFrame, *, x: str, y: str, xlabel: str, ylabel: str,
                   title: str) -> ReportFigure:
    """One dot per school, sized by enrollment, with a weighted trend line."""
    fig, ax = _figure(2.6)
    sns.scatterplot(data=schools, x=x, y=y, size="n", sizes=(20, 220), ax=ax,
                    color=_PALETTE[0], legend="brief")
    sns.move_legend(ax, "center left", bbox_to_anchor=(1.01, 0.5), title="students",
                    frameon=False)
    if len(schools) >= 3:
        slope, intercept = np.polyfit(schools[x], schools[y], 1, w=np.sqrt(schools["n"]))
        xs = np.linspace(schools[x].min(), schools[x].max(), 20)
        ax.plot(xs, intercept + slope * xs, color=_PALETTE[3], lw=1.5)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set(xlabel=xlabel, ylabel=ylabel)
    corr = schools[[x, y]].corr().iloc[0, 1] if len(schools) >= 3 else float("nan")
    alt = (f"{title}. {len(schools)} schools; {ylabel} against {xlabel}; "
           f"correlation {corr:.2f}.")
    return _described(fig, alt=alt, caption=title)


@styled(_STYLE)
def quartile_plot(rows: pd.DataFrame, *, title: str, xlabel: str) -> ReportFigure:
    """Teacher indicators by school quartile (``rows``: indicator, quartile, value, and
    ``band``: the published band, e.g. "≤5%", of a value shown only as a band). A banded
    value is drawn as an outline up to the band's edge, labelled with the band."""
    rows = rows.assign(band=rows.get("band", ""))
    fig, ax = _figure(2.35)
    sns.barplot(data=rows, x="indicator", y="value", hue="quartile", ax=ax,
                palette=[_PALETTE[0], _PALETTE[1]])
    band = rows.set_index(["indicator", "quartile"])["band"]
    for container, quartile in zip(ax.containers, rows["quartile"].unique(), strict=False):
        for bar, indicator in zip(container, rows["indicator"].unique(), strict=False):
            text = band.get((indicator, quartile), "")
            if text:
                bar.set(facecolor="none", hatch="////", edgecolor=bar.get_facecolor())
                ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            ha="center", va="bottom")
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set(xlabel="", ylabel="share of teachers")
    ax.legend(title=xlabel)
    shown = rows["band"].where(rows["band"] != "", (100 * rows["value"]).map("{:.1f}%".format))
    alt = f"{title}. " + "; ".join(
        f"{i}, {q}: {v}" for i, q, v in zip(rows["indicator"], rows["quartile"], shown,
                                            strict=True))
    return _described(fig, alt=alt, caption=title)


@styled(_STYLE)
def goal_plot(rows: pd.DataFrame, *, path: tuple[tuple[int, float], tuple[int, float]],
              title: str, ylabel: str, percent: bool) -> ReportFigure:
    """A group's published value each school year (``rows``: year, value, ci_low, ci_high; a
    withheld year is left out) with its 95% intervals, the straight-line path from the
    baseline to the target (``path``: (year, value) at both ends) and the target marked."""
    fig, ax = _figure(2.6)
    (start, base), (end, target) = path
    ax.plot([start, end], [base, target], color="#444", lw=1.2, ls="--",
            label="path to the target")
    ax.plot([end], [target], marker="*", ms=13, color=_PALETTE[1], ls="none", label="target")
    err = np.vstack([rows["value"] - rows["ci_low"], rows["ci_high"] - rows["value"]])
    ax.errorbar(rows["year"], rows["value"], yerr=np.nan_to_num(err), fmt="o-",
                color=_PALETTE[0], capsize=3, label="published value (95% CI)")
    first, last = min([start, *rows["year"]]), max([end, *rows["year"]])
    years = range(first, last + 1, -(-(last - first + 1) // 8))  # at most 8 labels
    ax.set_xticks(list(years), [year_label(y) for y in years])
    if percent:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set(xlabel="school year", ylabel=ylabel)
    fig.legend(loc="outside upper center", ncols=2, frameon=False)  # clear of the values
    shown = (lambda v: f"{100 * v:.1f}%") if percent else (lambda v: f"{v:.2f}")
    alt = (f"{title}. " + "; ".join(f"{year_label(y)}: {shown(v)}"
                                    for y, v in zip(rows["year"], rows["value"], strict=True))
           + f". Path from {shown(base)} in {year_label(start)} to the target {shown(target)} "
           f"in {year_label(end)}.")
    return _described(fig, alt=alt, caption=title)
