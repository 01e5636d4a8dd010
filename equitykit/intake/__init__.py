"""District data in, canonical tables out (docs/data.md).

Read a data folder (``students`` required; ``staff``, ``schools``, ``survey``, ``incidents``
optional; CSV, Parquet or Excel), map the district's own columns and codes with the client
config, check every row, and reduce the students to the counts table every rate analysis
works from::

    from equitykit.intake import load_district_data, derive_outcomes, to_counts
    data = load_district_data("data/", district_id="d01")
    counts = to_counts(derive_outcomes(data.students))
"""

from ._counts import DEFAULT_INTERSECTIONS, to_counts
from ._derive import derive_outcomes
from ._folder import DistrictData, load_district_data, validate_command, validate_folder
from ._incidents import incident_outcomes
from ._report import ValidationReport

__all__ = [
    "DEFAULT_INTERSECTIONS",
    "DistrictData",
    "ValidationReport",
    "derive_outcomes",
    "incident_outcomes",
    "load_district_data",
    "to_counts",
    "validate_command",
    "validate_folder",
]
