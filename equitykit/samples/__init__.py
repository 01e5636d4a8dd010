"""Deterministic synthetic sample districts with planted, documented disparities.

``generate_district`` builds one district's canonical tables in memory; ``generate_samples``
writes several as one data folder; ``sample_data_dir`` finds (or builds) the shipped sample data.
``PLANTED`` lists the disparities built into the sample districts, so an audit can be checked
against known ground truth (``data_samples/README.md`` explains each).
"""

from ._generate import SAMPLE_FILES, generate_district, generate_samples
from ._model import DEFAULT_DISTRICTS, DEFAULT_SEED, DistrictSpec
from ._paths import ensure_samples, sample_data_dir
from ._planted import PLANTED, PlantedDisparity

__all__ = [
    "DEFAULT_DISTRICTS",
    "DEFAULT_SEED",
    "PLANTED",
    "SAMPLE_FILES",
    "DistrictSpec",
    "PlantedDisparity",
    "ensure_samples",
    "generate_district",
    "generate_samples",
    "sample_data_dir",
]
