"""Report charts: ratios on a log scale with a cue for the adverse side, labels inside the
figure, cues apart, few ticks, a size legend on the scatter, PNGs at twice their displayed
size."""

from __future__ import annotations

import base64
import re
import struct

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from equitykit.report import _figures

ROWS = pd.DataFrame({"group": ["A", "B", "C"], "value": [0.8, 1.1, 1.3],
                     "ci_low": [0.7, 0.95, 1.15], "ci_high": [0.9, 1.25, 1.45]})


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def _inside(fig) -> bool:
    """Every text of the figure lies inside it (nothing clipped), and the two cues above the
    plot do not overlap."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # lays the figure out, as saving it does
    renderer = canvas.get_renderer()
    box = fig.bbox
    ax = fig.axes[0]
    parts = [ax.xaxis.label, *ax.texts, *ax.get_yticklabels()]
    left, right = (t.get_window_extent(renderer) for t in ax.texts)
    return left.x1 < right.x0 and all(
        box.x0 - 1 <= p.get_window_extent(renderer).x0
        and p.get_window_extent(renderer).x1 <= box.x1 + 1 for p in parts)


@pytest.mark.parametrize("scale", [1.0, 6.0])  # a narrow and a wide span
def test_ratios_always_on_a_log_scale_with_the_adverse_side_named(scale):
    rows = ROWS.assign(value=ROWS["value"] * scale, ci_high=ROWS["ci_high"] * scale)
    fig = _figures.forest_plot(rows, title="t", label="group", adverse=True)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert 2 <= len(ax.get_xticks()) <= 8
    assert "more likely →\n(worse for the group)" in _texts(fig)
    assert _inside(fig)
    opportunity = _figures.forest_plot(rows, title="t", label="group", adverse=False)
    assert "← less likely\n(worse for the group)" in _texts(opportunity)


def test_gap_axis_label_fits_and_ticks_are_few():
    rows = ROWS.assign(group=["Native Hawaiian/Pacific Islander students", "B", "C"],
                       value=[-0.9, 0.1, 0.4], ci_low=[-1.1, 0.0, 0.3],
                       ci_high=[-0.7, 0.2, 0.5])
    fig = _figures.gap_plot(rows, title="t", label="group")
    assert "Hedges' g" in fig.axes[0].get_xlabel()
    assert len(fig.axes[0].get_xticks()) <= 9
    assert "← lower scores\n(worse for the group)" in _texts(fig)
    assert _inside(fig)


def test_scatter_has_a_size_legend():
    schools = pd.DataFrame({"x": [0.1, 0.5, 0.9, 0.3], "y": [0.02, 0.05, 0.1, 0.03],
                            "n": [200, 800, 1000, 400]})
    fig = _figures.school_scatter(schools, x="x", y="y", xlabel="x", ylabel="y", title="t")
    legend = fig.axes[0].get_legend()
    assert legend is not None and legend.get_title().get_text() == "students"


def test_png_has_twice_the_displayed_pixels():
    fig = _figures.ReportFigure(figsize=(_figures.FIGURE_WIDTH, 3))
    fig.subplots().plot([0, 1], [0, 1])
    page = fig.to_html()
    width = int(re.search(r'width="(\d+)"', page).group(1))
    png = base64.b64decode(re.search(r"data:image/png;base64,([^\"]+)", page).group(1))
    pixels = struct.unpack(">I", png[16:20])[0]  # the IHDR width
    assert width == round(_figures.FIGURE_WIDTH * 96 * _figures._ZOOM)  # shown larger on screen
    assert abs(pixels - 2 * width) <= 1


def test_special_education_identification_shades_neither_side(sample_audit):
    """Over- and under-identification both harm: the identification chart names no side as
    worse; a discipline chart does."""
    from equitykit.report._views import risk_ratio_chart

    published = sample_audit("D01").published
    identification = risk_ratio_chart(published, "disability", school_year=2023)
    suspension = risk_ratio_chart(published, "oss", school_year=2023)
    assert identification is not None and suspension is not None
    assert not any("worse" in t for t in _texts(identification))
    assert "more likely →\n(worse for the group)" in _texts(suspension)


def test_a_banded_teacher_share_is_drawn_as_its_band_not_a_value():
    rows = pd.DataFrame({"indicator": ["novice", "novice", "uncertified", "uncertified"],
                         "quartile": ["high", "low", "high", "low"],
                         "value": [0.32, 0.056, 0.18, 0.05], "band": ["", "", "", "≤5%"]})
    fig = _figures.quartile_plot(rows, title="t", xlabel="schools")
    ax = fig.axes[0]
    assert _texts(fig) == ["≤5%"]
    bars = [bar for container in ax.containers for bar in container]
    hatched = [bar for bar in bars if bar.get_hatch()]
    assert len(hatched) == 1 and hatched[0].get_height() == pytest.approx(0.05)
    assert hatched[0].get_facecolor()[3] == 0  # an outline, not a filled value
    assert "uncertified, low: ≤5%" in fig.alt
