"""The training explorer: an ipywidgets composite over :func:`compute_view`.

All logic lives in :mod:`._view` and :mod:`._systemic`; this module only wires controls to it,
keeps the menus consistent (a new district refreshes years, schools and outcomes; a new
dimension refreshes the groups) and draws the result once per change. Everything shown is a
row of the district audit's published table (:mod:`._data`).
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from .._words import capitalize, dimension_label
from ..config import AuditConfig
from ..report import gap_table, outcome_table
from ..report._tables import html_table
from ..report._views import group_name
from . import _charts, _systemic
from . import _wording as w
from ._data import DistrictSource
from ._view import ALL_OTHER, Selection, View, compute_view

__all__ = ["Explorer"]

NO_GROUPS = "The audit publishes no figures for “{outcome}” by {dimension} in {year}."
NO_OUTCOME = ("The audit publishes no outcome for this district's students in this school "
              "year, so there is nothing to compare.")

_STYLE = """
<style>
.ek-explorer {font-size: 20px;}
.ek-explorer .widget-label, .ek-explorer select, .ek-explorer input,
.ek-explorer .widget-html-content {font-size: 20px !important;}
.ek-explorer .widget-label {min-width: 8.5em !important; text-align: right;}
.ek-explorer .widget-dropdown, .ek-explorer .widget-text {width: 100% !important;
  height: auto !important;}
.ek-explorer .widget-dropdown > select, .ek-explorer .widget-text > input {
  flex: 1 1 auto !important; width: auto !important; min-width: 0 !important;
  height: 2.0em !important;}
.ek-explorer .lm-TabBar-tab, .ek-explorer .p-TabBar-tab {font-size: 22px !important;
  min-width: 14em !important; min-height: 2.0em !important; line-height: 2.0em !important;}
.ek-explorer .lm-TabBar, .ek-explorer .p-TabBar {min-height: 2.2em !important;}
.ek-title {font-size: 32px; font-weight: bold; color: #0072B2; margin: 0.2em 0 0.4em 0;}
.ek-sentence {font-size: 28px; line-height: 1.35; font-weight: 600; margin: 0.4em 0;}
.ek-detail {font-size: 24px; line-height: 1.35; margin: 0.2em 0 0.6em 0;}
.ek-table table {border-collapse: collapse; font-size: 20px; margin-top: 0.5em;}
.ek-table th, .ek-table td {padding: 0.25em 0.8em; border-bottom: 1px solid #ccc;
  text-align: right;}
.ek-table th:first-child, .ek-table td:first-child {text-align: left;}
.ek-table caption {text-align: left; font-weight: 600;}
.ek-table tbody tr, .ek-table tbody tr:hover {background: none !important;}
.ek-table tr.ek-focus td {background: #d6e9f5;}
.ek-table tr.ek-comparison td {background: #fbeccc;}
.ek-suppressed {font-style: italic; color: #555;}
.ek-note {font-size: 18px; color: #444;}
</style>
"""


class Explorer(widgets.VBox):
    """Interactive equity explorer for training sessions.

    Parameters
    ----------
    source : DistrictSource
        Where the districts come from (see :meth:`from_data_dir`, :meth:`from_frames`).
    title : str
        Heading shown above the controls.

    Attributes
    ----------
    view : View
        What is displayed now (numbers after suppression).
    last_latency : float
        Seconds the last interaction took to recompute and redraw.

    Examples
    --------
    >>> from equitykit.samples import sample_data_dir  # doctest: +SKIP
    >>> explorer = Explorer.from_data_dir(sample_data_dir())  # doctest: +SKIP
    >>> explorer.outcome.value = "oss"  # doctest: +SKIP
    >>> explorer.view.sentence  # doctest: +SKIP
    """

    def __init__(self, source: DistrictSource, *, title: str = "Equity explorer") -> None:
        self.source = source
        self.config: AuditConfig = source.config
        self.view: View | None = None
        self.last_latency = 0.0
        self._busy = False
        self._stale: set[int] = set()  # tabs to draw again for the current selection
        floor = self.config.privacy.min_n
        style = {"description_width": "initial"}
        wide = widgets.Layout(width="100%")

        def menu(description: str) -> widgets.Dropdown:
            return widgets.Dropdown(description=description, style=style, layout=wide)

        self.district = menu("District")
        self.school_year = menu("School year")
        self.outcome = menu("Outcome")
        self.dimension = menu("Compare by")
        self.focus = menu("Focus group")
        self.comparison = menu("Compared with")
        self.school = menu("School")
        self.min_n = widgets.BoundedIntText(
            value=floor, min=floor, max=1000, description="Minimum n", style=style, layout=wide,
            tooltip=f"Groups with fewer students are suppressed; at least {floor} (the report's).")

        self.chart = widgets.Image(format="png", layout=widgets.Layout(max_width="1100px"))
        self.sentence = widgets.HTML()
        self.detail = widgets.HTML()
        self.table = widgets.HTML()
        self.predict_chart = widgets.Image(format="png", layout=widgets.Layout(max_width="1100px"))
        self.predict_text = widgets.HTML()
        self.split_chart = widgets.Image(format="png", layout=widgets.Layout(max_width="1100px"))
        self.split_text = widgets.HTML()
        for box in (self.sentence, self.detail, self.table, self.predict_text, self.split_text):
            box.layout = widgets.Layout(width="100%")

        self.tabs = widgets.Tab(children=[
            widgets.VBox([self.sentence, self.detail, self.chart, self.table]),
            widgets.VBox([self.predict_text, self.predict_chart, self.split_text,
                          self.split_chart]),
        ], titles=("Disparities", "What predicts it"))
        controls = widgets.GridBox(
            [self.district, self.school_year, self.school, self.outcome, self.dimension,
             self.min_n, self.focus, self.comparison],
            layout=widgets.Layout(grid_template_columns="repeat(3, minmax(0, 1fr))",
                                  grid_gap="8px 24px", width="100%"),
        )
        super().__init__([widgets.HTML(_STYLE + f'<div class="ek-title">{html.escape(title)}'
                                       "</div>"), controls, self.tabs],
                         layout=widgets.Layout(width="100%", max_width="1400px"))
        self.add_class("ek-explorer")

        self._set(self.district, [(d, d) for d in source.district_ids])
        self._on_district()
        self.district.observe(lambda _: self._changed(self._on_district), "value")
        self.school_year.observe(lambda _: self._changed(self._on_year), "value")
        self.outcome.observe(lambda _: self._changed(self._on_dimension), "value")
        self.dimension.observe(lambda _: self._changed(self._on_dimension), "value")
        self.focus.observe(lambda _: self._changed(self._on_focus), "value")
        for control in (self.comparison, self.school, self.min_n):
            control.observe(lambda _: self._changed(None), "value")
        self.tabs.observe(lambda _: self._draw_tab(), "selected_index")
        self._render()

    # -- construction helpers ----------------------------------------------------------------
    @classmethod
    def from_data_dir(cls, data_dir: str | Path, *, config: AuditConfig | None = None,
                      title: str = "Equity explorer") -> Explorer:
        """An explorer over every district of a data folder (docs/data.md)."""
        return cls(DistrictSource.from_data_dir(data_dir, config=config), title=title)

    @classmethod
    def from_frames(cls, students: pd.DataFrame, *, schools: pd.DataFrame | None = None,
                    config: AuditConfig | None = None, title: str = "Equity explorer"
                    ) -> Explorer:
        """An explorer over canonical tables already in memory."""
        return cls(DistrictSource.from_frames(students, schools=schools, config=config),
                   title=title)

    @property
    def selection(self) -> Selection:
        """The controls' current values."""
        return Selection(
            district_id=self.district.value, school_year=self.school_year.value,
            outcome=self.outcome.value, dimension=self.dimension.value,
            focus=self.focus.value, comparison=self.comparison.value,
            school_id=self.school.value, min_n=self.min_n.value,
        )

    # -- menus -------------------------------------------------------------------------------
    def _changed(self, refresh) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            if refresh is not None:
                refresh()
        finally:
            self._busy = False
        self._render()

    @staticmethod
    def _set(control: widgets.Dropdown, options: list[tuple[str, object]]) -> None:
        keep = control.value
        control.options = options
        values = [v for _, v in options]
        control.value = keep if keep in values else (values[0] if values else None)

    def _on_district(self) -> None:
        cache = self.source[self.district.value]
        self._set(self.school_year, [(w.year_label(y), y) for y in reversed(cache.years)])
        self._set(self.school, [("All schools", "")]
                  + [(cache.school_name(s), s) for s in cache.schools])
        self._set(self.dimension, [(capitalize(dimension_label(d)), d) for d in cache.dimensions()])
        self._on_year()

    def _on_year(self) -> None:
        cache = self.source[self.district.value]
        self._set(self.outcome, [(w.outcome_title(o), o)
                                 for o in cache.outcomes(self.school_year.value)])
        self._on_dimension()

    def _on_dimension(self) -> None:
        cache = self.source[self.district.value]
        dim = self.dimension.value
        groups = cache.groups(school_year=self.school_year.value, outcome=self.outcome.value,
                              dimension=dim)
        self._set(self.focus, [(capitalize(w.group_label(dim, g)), g) for g in groups])
        self._on_focus()

    def _on_focus(self) -> None:
        dim = self.dimension.value
        others = [(o, o) for _, o in self.focus.options if o != self.focus.value]
        self._set(self.comparison, [("All other students", ALL_OTHER)]
                  + [(capitalize(w.group_label(dim, g)), g) for _, g in others])

    # -- drawing -----------------------------------------------------------------------------
    def _render(self) -> None:
        start = time.perf_counter()
        sel = self.selection
        cache = self.source[sel.district_id]
        if sel.outcome is None or sel.focus is None:  # nothing published to compare
            self.view = None
            message = NO_OUTCOME if sel.outcome is None else NO_GROUPS.format(
                outcome=w.outcome_title(sel.outcome), dimension=dimension_label(sel.dimension),
                year=w.year_label(sel.school_year))
            self.sentence.value = (f'<div class="ek-sentence">{html.escape(message)}'
                                   "</div>")
            self.detail.value = self.table.value = self.predict_text.value = ""
            self.split_text.value = ""
            self.chart.value = self.predict_chart.value = self.split_chart.value = b""
            return
        view = compute_view(cache, sel, config=self.config)
        self.view = view
        self.sentence.value = f'<div class="ek-sentence">{html.escape(view.sentence)}</div>'
        self.detail.value = (f'<div class="ek-detail">{html.escape(view.detail)}</div>'
                             if view.detail else "")
        self.table.value = self._table_html(view)
        self._stale = {0, 1}
        self._draw_tab()
        self.last_latency = time.perf_counter() - start

    def _draw_tab(self) -> None:
        """Draw the selected tab's charts if the selection changed since they were drawn (the
        other tab's wait until it is opened: each tab's charts take a few tenths of a second)."""
        tab = self.tabs.selected_index
        if tab not in self._stale or self.view is None:
            return
        self._stale.discard(tab)
        view = self.view
        if tab == 1:
            self._render_systemic(self.source[view.selection.district_id], view.selection)
        else:
            self.chart.value = (_charts.score_chart(view) if view.kind == "score"
                                else _charts.rate_chart(view))

    def _table_html(self, view: View) -> str:
        """The report's table of the gated rows, in its measures, labels and formats: the
        outcome table (:func:`report.outcome_table`) for a rate, the score gaps
        (:func:`report.gap_table`) for a score. The focus and comparison rows are
        highlighted."""
        sel = view.selection
        # the view's rows are one place's (the selected school or the district), gated
        rows = view.table[view.table["comparison"].isin(("", ALL_OTHER))]  # the report's rows
        gated = rows.assign(school_id="", flagged=False)
        if view.kind == "score":
            table = gap_table(gated, sel.outcome, school_year=sel.school_year,
                              config=self.config)
            caption = f"Gaps in {w.outcome_label(sel.outcome)} by {dimension_label(sel.dimension)}"
        else:
            table = outcome_table(gated, sel.outcome, by=sel.dimension,
                                  school_year=sel.school_year, config=self.config)
            caption = (f"{capitalize(w.outcome_label(sel.outcome))} by "
                       f"{dimension_label(sel.dimension)}")
        role = {group_name(sel.dimension, sel.focus, self.config): "ek-focus",
                group_name(sel.dimension, sel.comparison, self.config): "ek-comparison"}
        classes = [role.get(label, "") for label in table["group"]]
        return (f'<div class="ek-table">'
                f"{html_table(table, caption=caption, row_classes=classes)}"
                "</div>")

    def _render_systemic(self, cache, sel: Selection) -> None:
        pred = _systemic.predictiveness_view(cache, sel, config=self.config)
        self.predict_text.value = f'<div class="ek-detail">{html.escape(pred.text)}</div>'
        split = _systemic.split_view(cache, sel, config=self.config)
        self.split_text.value = f'<div class="ek-detail">{html.escape(split.text)}</div>'
        for image, png in ((self.predict_chart, pred.chart), (self.split_chart, split.chart)):
            image.value = png
            image.layout.display = None if png else "none"  # no broken image when withheld
