"""Small generated data folders for the intake tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from equitykit import schema


def students_frame(n: int = 12, seed: int = 0) -> pd.DataFrame:
    """A clean students table as a district would export it (text cells, canonical codes).

    Row ``i`` is spreadsheet line ``i + 2``.
    """
    rng = np.random.default_rng(seed)
    disability = rng.random(n) < 0.3
    enrolled = rng.integers(150, 181, n)
    return pd.DataFrame({
        "student_id": [f"{i:06d}" for i in range(n)],
        "school_year": "2023",
        "district_id": np.where(np.arange(n) < n // 2, "d1", "d2"),
        "school_id": rng.choice(["s1", "s2", "s3"], n),
        "grade": rng.choice(list(schema.GRADES), n),
        "race_ethnicity": rng.choice(list(schema.RACE_ETHNICITY), n),
        "sex": rng.choice(list(schema.SEXES), n),
        "econ_disadvantaged": rng.choice(["true", "false"], n),
        "english_learner": rng.choice(["Y", "N"], n),
        "disability": np.where(disability, "1", "0"),
        "placement": np.where(disability, rng.choice(list(schema.PLACEMENTS), n), ""),
        "days_enrolled": enrolled.astype(str),
        "days_absent": rng.integers(0, 30, n).astype(str),
        "iss_days": rng.poisson(0.5, n).astype(str),
        "math_level": rng.integers(1, 5, n).astype(str),
    })


def staff_frame(n: int = 4) -> pd.DataFrame:
    return pd.DataFrame({
        "staff_id": [f"t{i}" for i in range(n)],
        "school_year": "2023",
        "district_id": "d1",
        "school_id": "s1",
        "role": "teacher",
        "years_experience": [str(i) for i in range(n)],
        "certified": "yes",
        "in_field": "no",
    })


def schools_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "school_id": ["s1", "s2", "s3"] * 2,
        "district_id": ["d1"] * 3 + ["d2"] * 3,
        "school_year": "2023",
        "school_name": ["North", "South", "East"] * 2,
    })


def survey_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "school_year": "2023",
        "district_id": "d1",
        "school_id": ["s1", "s2"],
        "domain": "belonging",
        "item": "I feel I belong",
        "response": ["4", "2"],
    })


def write_folder(folder: Path, tables: dict[str, pd.DataFrame], suffix: str = ".csv") -> Path:
    """Write each table as ``<name><suffix>`` into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        path = folder / f"{name}{suffix}"
        if suffix == ".csv":
            frame.to_csv(path, index=False)
        elif suffix == ".parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_excel(path, index=False)
    return folder


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}
