"""Audits from public, aggregated data: published state and federal files → the counts table.

A client config's ``aggregate`` section describes each file (rows to keep, where the district,
school, year, outcome and group come from, the numerator and denominator columns); no code per
file. Cells are parsed with suppression markers kept as NaN, never zero, and where the file
carries the publisher's own rate, :func:`check_published_figures` checks ours against it.
"""

from ._checks import aggregate_report, check_published_figures, published_comparison
from ._load import COUNTS_WITH_SUPPRESSION, list_districts, load_aggregate
from ._parse import SUPPRESSION_MARKERS, parse_cell, parse_cells
from ._spec import AggregateSpec, SourceSpec

__all__ = [
    "COUNTS_WITH_SUPPRESSION",
    "SUPPRESSION_MARKERS",
    "AggregateSpec",
    "SourceSpec",
    "aggregate_report",
    "check_published_figures",
    "list_districts",
    "load_aggregate",
    "parse_cell",
    "parse_cells",
    "published_comparison",
]
