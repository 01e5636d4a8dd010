"""Interactive explorer for training sessions (``equitykit explore``).

:class:`Explorer` is an ipywidgets composite; everything it shows comes from
:func:`compute_view` (and the second tab's :func:`predictiveness_view`, :func:`split_view`),
which run without a browser and use :mod:`equitykit.metrics` for every number, with the
report's suppression.
"""

from ._command import DATA_ENV, default_data_dir, explore_command, server_command
from ._data import DistrictCache, DistrictSource
from ._explorer import Explorer
from ._systemic import Panel, predictiveness_view, split_view
from ._view import ALL_OTHER, Selection, View, compute_view

__all__ = [
    "ALL_OTHER",
    "DATA_ENV",
    "DistrictCache",
    "DistrictSource",
    "Explorer",
    "Panel",
    "Selection",
    "View",
    "compute_view",
    "default_data_dir",
    "explore_command",
    "predictiveness_view",
    "server_command",
    "split_view",
]
