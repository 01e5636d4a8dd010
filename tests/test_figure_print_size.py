"""Figure text is readable on paper: every chart of sample district D01's report, printed at the
width the print style gives it (``--figure-width``, set from ``FIGURE_WIDTH``), has no text
smaller than 8 pt and axis titles of at least 9 pt, and no text outside the figure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from equitykit import report
from equitykit.config import Goal
from equitykit.report import ReportFigure
from equitykit.report._figures import FIGURE_WIDTH

CSS = Path(__file__).resolve().parents[1] / "equitykit" / "resources" / "report.css"
#: A goal for D01's Black students (the default config sets none, so the report has no goal chart).
GOAL = Goal(outcome="oss", dimension="race_ethnicity", group="Black", baseline_year=2021,
            target_year=2025, target_rate=0.08)


@pytest.fixture(scope="module")
def figures(sample_audit, monkeypatch_module) -> list[ReportFigure]:
    """Every figure of D01's report sections, and a goal chart."""
    audit = sample_audit("D01")
    drawn: list[ReportFigure] = []
    show = ReportFigure.to_html
    monkeypatch_module.setattr(ReportFigure, "to_html", lambda fig: drawn.append(fig) or show(fig))
    for name in audit.config.shown_sections:
        report.section(audit, name)
    drawn.append(report.goal_chart(audit.published, GOAL, school_year=audit.school_year))
    return drawn


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _texts(fig: ReportFigure) -> list[Text]:
    FigureCanvasAgg(fig).draw()  # lays the figure out, as saving it does
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_print_style_shows_figures_at_the_figure_width():
    print_rules = CSS.read_text(encoding="utf-8").split("@media print", 1)[1]
    assert re.search(r"\.ek-report figure img \{[^}]*width: var\(--figure-width\)", print_rules)


def test_every_figure_prints_its_text_at_8_pt_or_more(figures):
    assert len(figures) >= 15
    for fig in figures:
        scale = FIGURE_WIDTH / fig.get_figwidth()  # printed size / drawn size
        texts = _texts(fig)
        smallest = min(t.get_fontsize() for t in texts) * scale
        assert smallest >= 8, (fig.caption, smallest)
        titles = [a.xaxis.label for a in fig.axes] + [a.yaxis.label for a in fig.axes]
        assert all(t.get_fontsize() * scale >= 9 for t in titles if t.get_text()), fig.caption


def test_no_figure_text_is_clipped(figures):
    for fig in figures:
        FigureCanvasAgg(fig).draw()
        drawn = fig.get_tightbbox()  # in inches: everything drawn, every text included
        assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, fig.caption
        assert drawn.x1 <= fig.get_figwidth() + 0.01, fig.caption
        assert drawn.y1 <= fig.get_figheight() + 0.01, fig.caption
