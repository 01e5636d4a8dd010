"""Whatever the trainer clicks, a suppressed group never shows a number.

The controls are driven programmatically through every outcome, school, dimension and group of
the tiny district; after each click every rendered text (sentence, students-to-parity line,
table HTML, second-tab texts and every text drawn on the charts) is scanned for the hidden
group's numbers, and the view is checked so no hidden count can be worked out by subtraction.
"""

from __future__ import annotations

import functools
import html
import math
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from test_explorer_fixtures import tiny_schools, tiny_students

from equitykit import intake
from equitykit.config import AuditConfig
from equitykit.widgets import ALL_OTHER, Explorer, _charts
from equitykit.widgets import _wording as w

NUMBER_COLUMNS = ["n", "numerator", "value", "ci_low", "ci_high"]
#: School reports on, so every school's groups are shown too.
CONFIG = AuditConfig(report={"by_school": True})


@functools.cache
def _raw_counts() -> pd.DataFrame:
    """The tiny district's true counts (every school, dimension and group), for the checks."""
    return intake.to_counts(intake.derive_outcomes(tiny_students(), CONFIG), by_school=True)


def _group_counts(sel, dimension: str) -> pd.DataFrame:
    c = _raw_counts()
    rows = c[(c["school_year"] == sel.school_year) & (c["school_id"] == sel.school_id)
             & (c["measure"] == sel.outcome) & (c["dimension"] == dimension)
             & (c["denominator"] > 0)]
    return rows.set_index("group")[["numerator", "denominator"]]


@pytest.fixture
def drawn(monkeypatch):
    """Every text drawn on a chart and the number of bars, instead of PNG bytes."""
    charts: list[dict] = []

    def capture(fig):
        texts = [t.get_text() for t in fig.findobj(plt.Text)]
        bars = sum(len(c.patches) for ax in fig.axes for c in ax.containers
                   if hasattr(c, "patches"))
        plt.close(fig)
        charts.append({"texts": texts, "bars": bars})
        return f"chart {len(charts)}".encode()

    monkeypatch.setattr(_charts, "_png", capture)
    return charts


@pytest.fixture
def explorer(drawn):
    explorer = Explorer.from_frames(tiny_students(), schools=tiny_schools(), config=CONFIG)
    render = explorer._render

    def marked() -> None:  # remember where the charts of the latest drawing start
        explorer.chart_marks.append(len(drawn))
        render()

    explorer.chart_marks = [0]
    explorer._render = marked
    return explorer


def _texts(explorer: Explorer, charts: list[dict]) -> str:
    """The first tab's texts and those of the charts drawn for the state on screen (the
    selected tab's)."""
    parts = [explorer.sentence.value, explorer.detail.value, explorer.table.value]
    return "\n".join(parts + [t for chart in charts for t in chart["texts"]])


def _no_number_but(text: str, *allowed: str) -> bool:
    text = html.unescape(text)
    for token in allowed:
        text = text.replace(token, "")
    return not re.search(r"\d", text)


def _check(explorer: Explorer, drawn: list[dict]) -> int:
    """All checks for the current state; returns the number of suppressed rows seen."""
    charts = drawn[explorer.chart_marks[-1]:]  # drawn for the state on screen
    view = explorer.view
    sel = view.selection
    table = view.table
    hidden = table[table["suppressed"].astype(bool)]
    # 1. A withheld row carries no number at all.
    for col in (c for c in NUMBER_COLUMNS if c in hidden):
        assert hidden[col].isna().all(), col
    text = _texts(explorer, charts).replace(f"fewer than {view.min_n} students", "(rule)")
    value_measure = "mean" if view.kind == "score" else "rate"
    rows = table[(table["measure"] == value_measure) & (table["comparison"] == "")]
    shown = rows[~rows["suppressed"].astype(bool)]
    # Strings a published group legitimately shows (a hidden group may share them by chance).
    shown_text = {str(d) for d in shown.get("display", [])} | {
        f"<td>{v:,.0f}</td>" for v in shown["n"]} | {f"{100 * v:.1f}%" for v in shown["value"]}
    shown_text |= {f"{100 * v:.1f}".rstrip("0").rstrip(".") + "%" for v in shown["value"]}
    excess = table[(table["measure"] == "excess_students") & ~table["suppressed"].astype(bool)]
    shown_text |= {f"<td>{v:,.0f}</td>" for v in excess["value"]}  # a published column
    # 2. The hidden group's own numbers appear nowhere.
    if view.kind == "rate":
        raw = _group_counts(sel, sel.dimension)
        for group in rows.loc[rows["suppressed"].astype(bool), "group"]:
            if group not in raw.index:
                continue
            x, n = raw.loc[group]
            short = f"{100 * x / n:.1f}".rstrip("0").rstrip(".") + "%"  # the report's style
            for secret in (f"{100 * x / n:.1f}%", short, f"<td>{n:,.0f}</td>",
                           f"{n:,.0f} students"):
                if secret not in shown_text:  # whole numbers only: "5%" is not in "95%"
                    assert not re.search(rf"(?<![\d.,]){re.escape(secret)}", text), (
                        sel, group, secret)
    # 3. The table row of a withheld group says only "suppressed" in each cell of the
    #    report's outcome table (rates); the report's score-gap table leaves it out.
    for group in rows.loc[rows["suppressed"].astype(bool), "group"]:
        if group == "all":
            continue  # the tables have a row per group; the total is in the chart
        name = w.group_label(rows.loc[rows["group"] == group, "dimension"].iloc[0], group)
        match = re.search(rf"<td>{re.escape(name[:1].upper() + name[1:])}</td>(.*?)</tr>",
                          explorer.table.value)
        if view.kind == "score":
            assert not match, (sel, group)
            continue
        assert match, (sel, group)
        assert set(re.sub("<[^>]+>", " ", match.group(1)).split()) == {"suppressed"}, (
            sel, group, match.group(1))
    # 4. The chart draws one bar per published rate and nothing for withheld groups.
    if view.kind == "rate" and explorer.tabs.selected_index == 0:
        assert charts[0]["bars"] == int(shown["value"].notna().sum())
    # 5. A withheld focus gives a sentence (and a gap split) with no number but year and N.
    focus = table[(table["group"] == sel.focus) & (table["comparison"] == "")]
    allowed = (w.year_label(sel.school_year), w.suppressed_text(view.min_n))
    if focus["suppressed"].astype(bool).all():
        assert _no_number_but(explorer.sentence.value, *allowed), explorer.sentence.value
        assert explorer.detail.value == ""
        if explorer.tabs.selected_index == 1 and sel.school_id == "":
            assert _no_number_but(explorer.split_text.value, *allowed)
    # 6. No single withheld group in a dimension whose groups add up to the published total.
    total = rows[rows["group"] == "all"]
    if view.kind == "rate" and not total["suppressed"].iloc[0]:
        groups = rows[rows["group"] != "all"]
        raw_total = _group_counts(sel, "all")
        raw = _group_counts(sel, sel.dimension)
        if math.isclose(raw["denominator"].sum(), raw_total["denominator"].iloc[0]):
            assert int(groups["suppressed"].sum()) != 1, sel
    return len(hidden)


def _sweep(explorer: Explorer, drawn, outcomes, schools, dimensions=None, tab: int = 0
           ) -> tuple[int, int]:
    explorer.tabs.selected_index = tab
    states = withheld = 0
    for outcome in outcomes:
        explorer.outcome.value = outcome
        for school in schools:
            explorer.school.value = school
            for dimension in dimensions or [v for _, v in explorer.dimension.options]:
                explorer.dimension.value = dimension
                for _, focus in explorer.focus.options:
                    explorer.focus.value = focus
                    explorer.comparison.value = ALL_OTHER
                    withheld += _check(explorer, drawn)
                    states += 1
    return states, withheld


def test_suppression_holds_for_every_group_quick(explorer, drawn):
    states, withheld = _sweep(explorer, drawn, ["oss"], ["", "S1"],
                              ["race_ethnicity", "race_ethnicity×sex"])
    assert states >= 20 and withheld > 0


def test_named_comparisons_with_withheld_groups(explorer, drawn):
    explorer.outcome.value = "oss"
    explorer.dimension.value = "race_ethnicity"
    for _, focus in explorer.focus.options:
        explorer.focus.value = focus
        for _, comparison in explorer.comparison.options:
            explorer.comparison.value = comparison
            _check(explorer, drawn)
            contrast = explorer.view.table[explorer.view.table["comparison"] == comparison]
            cells = explorer.view.table[explorer.view.table["comparison"] == ""].set_index(
                "group")["suppressed"]
            if comparison != ALL_OTHER and (cells[focus] or cells[comparison]):
                assert contrast["suppressed"].all()


@pytest.mark.slow
def test_suppression_holds_everywhere_both_tabs(explorer, drawn):
    states, withheld = _sweep(explorer, drawn, ["oss", "gifted", "math_score"],
                              ["", "S1", "S2"])
    assert states > 400 and withheld > 0  # every published group of 3 outcomes × 3 places
    states, withheld = _sweep(explorer, drawn, ["oss", "math_score"], [""], tab=1)
    assert states > 70 and withheld > 0
