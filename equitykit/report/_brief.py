"""The one-page brief for a board or a community forum: the top findings in plain words and
one chart, in the client's branding, printed to a one-page PDF.

Every number in it comes from ``findings.json`` (the finding's own statement, which quotes
``metrics.csv`` values as the report formats them); the chart draws the same findings.
"""

from __future__ import annotations

import base64
import html
import io
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import pypdf
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from .._logo import read_logo
from .._words import year_label
from ..config import AuditConfig
from ._browser import print_pdf

__all__ = ["MAX_FINDINGS", "brief_html", "brief_pdf"]

#: The most findings a brief lists; fewer when they would not fit on one page.
MAX_FINDINGS = 5
#: Axis labels on two lines: the group names take most of the width, and one long line ran
#: past the page's edge.
_CHART_MEASURES = {"risk_ratio": "times as likely as all other students\n(1 = parity; log scale)",
                   "hedges_g": "score gap in standard deviations\n(0 = parity)"}
_PARITY = {"risk_ratio": 1.0, "hedges_g": 0.0}
#: Which side of parity is the harm, for the chart's caption (every finding is a harm).
_SIDES = {"risk_ratio": ("Right of it, a group is more likely to have an outcome (the harm "
                         "for discipline); left of it, less likely (the harm for gifted "
                         "identification, advanced courses, proficiency, graduation or a "
                         "restorative conference)."),
          "hedges_g": "Left of it, the group scores lower than all other students."}
_RATIO_TICKS = (0.125, 0.25, 0.5, 1, 2, 4, 8, 16)
_CSS = """
@page { size: Letter; margin: 14mm 16mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1d2733;
       font-size: 10.5pt; line-height: 1.4; }
header { display: flex; gap: 1rem; align-items: center; border-bottom: 5px solid var(--accent);
         padding-bottom: .5rem; margin-bottom: .8rem; }
header img { max-height: 48px; max-width: 160px; }
.client { margin: 0; font-size: 9pt; text-transform: uppercase; letter-spacing: .06em;
          color: #4a5866; }
h1 { margin: .1rem 0; font-size: 18pt; }
.sub { margin: 0; color: #4a5866; }
h2 { font-size: 12.5pt; color: var(--accent); margin: .9rem 0 .3rem; }
ol { padding-left: 1.2rem; margin: .3rem 0; }
li { margin: .35rem 0; }
figure { margin: .6rem 0 0; text-align: center; }
figure img { width: 100%; max-height: 80mm; object-fit: contain; }
figcaption { font-size: 9pt; color: #4a5866; }
.note { font-size: 8.5pt; color: #4a5866; border-top: 1px solid #d6dde4; margin-top: .8rem;
        padding-top: .3rem; }
"""
INTRO = ("This brief lists the most important disparities the equity audit of district "
         "{district} found for {year}, most important first. Each one is statistically "
         "reliable (unlikely to be chance, even allowing for the many comparisons an audit "
         "makes) and large enough to matter. The full report lists all of them and gives every "
         "number, the methods and the data behind them.")
NONE_FOUND = ("The equity audit of district {district} for {year} found no disparity that is "
              "both statistically reliable and large enough to matter. The full report gives "
              "every group's numbers, the methods and the data behind them.")
PRIVACY = ("Groups smaller than {min_n} students are not reported, together with any number "
           "that would reveal them. Prepared with equitykit.")


def brief_html(findings: Sequence[dict[str, Any]], *, config: AuditConfig, district: str,
               school_year: int, shown: int = MAX_FINDINGS) -> str:
    """The brief as a self-contained HTML page listing the first ``shown`` findings."""
    top = list(findings[:shown])
    year = year_label(school_year)
    if not top:
        intro = NONE_FOUND.format(district=district, year=year)
    else:
        intro = INTRO.format(district=district, year=year)
    items = "".join(f"<li><strong>{html.escape(f['title'])}.</strong> "
                    f"{html.escape(f['statement'])}</li>" for f in top)
    logo = ""
    if config.branding.logo is not None:
        mime, data = read_logo(config.branding.logo)
        logo = f'<img src="data:{mime};base64,{base64.b64encode(data).decode()}" alt="logo">'
    chart = _chart(top, config.branding.accent_color)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(config.title)}: brief</title>"
        f"<style>:root {{ --accent: {config.branding.accent_color}; }}{_CSS}</style></head>"
        f"<body><header>{logo}<div><p class=\"client\">{html.escape(config.client)}</p>"
        f"<h1>{html.escape(config.title)}: what we found</h1>"
        f'<p class="sub">{html.escape(config.district_name(district))} · {year}</p>'
        "</div></header>"
        f"<p>{html.escape(intro)}</p>"
        + (f"<h2>Main findings</h2><ol>{items}</ol>" if top else "")
        + chart
        + f'<p class="note">{html.escape(PRIVACY.format(min_n=config.privacy.min_n))}</p>'
        "</body></html>"
    )


def brief_pdf(findings: Sequence[dict[str, Any]], *, config: AuditConfig, district: str,
              school_year: int) -> bytes:
    """The brief as a one-page PDF: as many of the top :data:`MAX_FINDINGS` findings as fit.

    Raises
    ------
    ConversionError
        Chromium is missing or failed (the message says why).
    """
    shown = min(MAX_FINDINGS, len(findings))
    while True:
        page = brief_html(findings, config=config, district=district,
                          school_year=school_year, shown=shown)
        pdf = print_pdf(page, what="brief", format="Letter", print_background=True,
                        prefer_css_page_size=True, tagged=True)
        if shown <= 1 or len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1:
            return pdf
        shown -= 1


def _chart(findings: Sequence[dict[str, Any]], accent: str) -> str:
    """One chart of the listed findings of the most common measure: the value with its 95%
    interval against parity."""
    measures = [f["measure"] for f in findings if f["measure"] in _CHART_MEASURES]
    if not measures:
        return ""
    measure = max(_CHART_MEASURES, key=measures.count)
    rows = [f for f in findings if f["measure"] == measure and _finite(f["value"])][::-1]
    fig = Figure(figsize=(7, 0.45 * len(rows) + 1.0), layout="constrained")
    ax = fig.subplots()
    for y, row in enumerate(rows):
        low, high = (row[k] if _finite(row[k]) else row["value"] for k in ("ci_low", "ci_high"))
        ax.plot([low, high], [y, y], color="#4a5866", linewidth=2)
        ax.plot(row["value"], y, "o", color=accent, markersize=8)
    ax.axvline(_PARITY[measure], color="#9aa8b6", linestyle="--", linewidth=1)
    ax.set_yticks(range(len(rows)), [textwrap.fill(r["title"], 30) for r in rows], fontsize=8)
    if measure == "risk_ratio":  # 0.5 and 2 equally far from parity, ticks as plain ratios
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(FixedLocator(_RATIO_TICKS))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(_CHART_MEASURES[measure], fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = ("Each finding's value with its 95% confidence interval; the dashed line is parity. "
           + _SIDES[measure])
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">'
            f"<figcaption>{alt}</figcaption></figure>")


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)
