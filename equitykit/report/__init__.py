"""The report: views of the published metrics, the sections built from them, the HTML page, and
from it the PDF, the Word document and the one-page brief (``--format``).

The views take the published table (:attr:`DistrictAudit.published
<equitykit.audit.DistrictAudit.published>`) and return a DataFrame or a chart, so a notebook cell
can show, change or replace any table or figure of the report::

    report.outcome_table(published, "oss", by="race_ethnicity")
    report.risk_ratio_chart(published, "oss")

:func:`section` shows a whole section as the standard report does; :func:`notebook_to_html`
turns the executed notebook into the self-contained page; :func:`convert` makes the other
formats from it (:data:`FORMATS`).
"""

from ._adults import turnover_table
from ._browser import ConversionError, chromium_available
from ._climate import climate_table, response_table, school_climate_table
from ._figures import ReportFigure
from ._findings import findings_table
from ._formats import DEFAULT_FORMATS, FORMAT_FILES, FORMATS, convert, parse_formats
from ._goals import goal_chart, goals_table
from ._html import notebook_to_html, warm_exporter
from ._idea import idea_table
from ._predictive import predictiveness_table
from ._resources import resources_table
from ._school import school_groups_table, school_place_table
from ._sections import SECTION_OUTCOMES, outcomes, score_gaps, section
from ._teachers import (
    retention_year,
    teacher_experience_table,
    teacher_quality_chart,
    teacher_quality_table,
    teacher_retention_table,
)
from ._trends import rate_trend_table
from ._views import (
    enrollment_table,
    gap_chart,
    gap_table,
    other_groups_table,
    outcome_table,
    risk_ratio_chart,
    school_chart,
    segregation_table,
)

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "FORMAT_FILES",
    "SECTION_OUTCOMES",
    "ConversionError",
    "ReportFigure",
    "chromium_available",
    "climate_table",
    "convert",
    "enrollment_table",
    "findings_table",
    "gap_chart",
    "gap_table",
    "goal_chart",
    "goals_table",
    "idea_table",
    "notebook_to_html",
    "other_groups_table",
    "outcome_table",
    "outcomes",
    "parse_formats",
    "predictiveness_table",
    "rate_trend_table",
    "resources_table",
    "response_table",
    "retention_year",
    "risk_ratio_chart",
    "school_chart",
    "school_climate_table",
    "school_groups_table",
    "school_place_table",
    "score_gaps",
    "section",
    "segregation_table",
    "teacher_experience_table",
    "teacher_quality_chart",
    "teacher_quality_table",
    "teacher_retention_table",
    "turnover_table",
    "warm_exporter",
]
