"""The schools table: one row per school per year, with Title I status and spending."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..schema import TABLES
from . import _model as m
from ._layout import Layout, school_ids
from ._students import StudentYears

__all__: list[str] = []


def generate_schools(rng: np.random.Generator, district_id: str, *, years: Sequence[int],
                     layout: Layout, students: StudentYears) -> pd.DataFrame:
    """Title I = school poverty at least ``TITLE1_POVERTY``; spending falls with poverty."""
    n_years, n_schools = students.poverty.shape
    poverty = students.poverty.ravel()
    level = np.tile(layout.school_level, n_years)
    title1 = poverty >= m.TITLE1_POVERTY
    spending = (m.PER_PUPIL_BASE + np.array(m.PER_PUPIL_LEVEL)[level]
                + m.PER_PUPIL_POVERTY_SLOPE * (poverty - 0.5) + m.PER_PUPIL_TITLE1 * title1
                + m.PER_PUPIL_NOISE * rng.standard_normal(len(poverty)))
    out = pd.DataFrame({
        "school_id": pd.array(np.tile(school_ids(district_id, n_schools), n_years),
                              dtype="string"),
        "district_id": pd.array(np.full(len(poverty), district_id), dtype="string"),
        "school_year": np.repeat(np.asarray(years, dtype=np.int64), n_schools),
        "school_name": pd.array(np.tile(layout.school_name, n_years), dtype="string"),
        "level": pd.array(np.array(m.LEVELS)[level], dtype="string"),
        "title1": pd.array(title1, dtype="boolean"),
        "per_pupil_expenditure": np.round(spending),
    })
    return out[list(TABLES["schools"])]
