"""Generate sample districts and write them as one data folder, byte for byte reproducibly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ._incidents import generate_incidents
from ._layout import make_layout
from ._model import DEFAULT_DISTRICTS, DEFAULT_SEED, DistrictSpec
from ._schools import generate_schools
from ._staff import generate_staff
from ._students import district_model, generate_students
from ._survey import generate_survey

__all__ = ["SAMPLE_FILES", "generate_district", "generate_samples"]

#: Canonical table -> file name in a sample data folder.
SAMPLE_FILES: Mapping[str, str] = {
    "students": "students.parquet",
    "staff": "staff.csv",
    "schools": "schools.csv",
    "survey": "survey.parquet",
    "incidents": "incidents.parquet",
}

#: A typical US district mix (NCES public-school enrollment, rounded).
_NATIONAL_MIX: Mapping[str, float] = {
    "Hispanic/Latino": 0.28, "White": 0.45, "Black": 0.15, "Asian": 0.055,
    "American Indian/Alaska Native": 0.01, "Native Hawaiian/Pacific Islander": 0.004,
    "Two or more races": 0.051,
}
_MIN_STUDENTS = 50

TOO_FEW_STUDENTS = f"n_students must be at least {_MIN_STUDENTS}, got {{n}}"
BAD_YEARS = "years must be consecutive school years in increasing order, got {years}"
BAD_SURVEY_YEARS = "survey_years {bad} are not among the generated years {years}"
DUPLICATE_DISTRICTS = "district ids must be unique, got {ids}"


def _rngs(seed: int, district_id: str) -> list[np.random.Generator]:
    """Independent PCG64 streams for the layout, students, staff/schools, survey and incidents
    (spawned children do not depend on how many are spawned).

    The district id enters the seed, so one district's data do not change when another is added.
    """
    root = np.random.SeedSequence([seed, *district_id.encode("utf-8")])
    return [np.random.Generator(np.random.PCG64(s)) for s in root.spawn(5)]


def generate_district(
    district_id: str,
    *,
    n_students: int,
    n_schools: int,
    years: Sequence[int] = (2021, 2022, 2023),
    seed: int = DEFAULT_SEED,
    race_mix: Mapping[str, float] | None = None,
    poverty_rate: float = 0.5,
    disability_risk_ratios: Mapping[str, float] | None = None,
    category_risk_ratios: Mapping[tuple[str, str], float] | None = None,
    survey_years: Sequence[int] | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate one synthetic district as canonical tables.

    Parameters
    ----------
    district_id
        Id written in every table; also part of the random seed.
    n_students
        Students enrolled per school year (grades PK-12).
    n_schools
        Schools, at least 3: about 55% elementary (PK-5), 25% middle (6-8), 20% high (9-12).
    years
        Consecutive fall years; students are followed from one to the next.
    seed
        Base seed; the same ``(seed, district_id, arguments)`` always gives the same tables.
    race_mix
        Share of each race/ethnicity (normalised); default a typical US mix.
    poverty_rate
        Target share of economically disadvantaged students.
    disability_risk_ratios, category_risk_ratios
        Planted special-education over-identification (see :class:`DistrictSpec`).
    survey_years
        Years with a climate survey; default the last year.

    Returns
    -------
    dict of DataFrame
        ``students``, ``staff``, ``schools`` and ``survey``, with the columns, order and codes of
        :data:`equitykit.schema.TABLES`.

    Examples
    --------
    >>> tables = generate_district("X01", n_students=500, n_schools=3, seed=1)
    >>> sorted(tables)
    ['incidents', 'schools', 'staff', 'students', 'survey']
    >>> tables["students"]["school_year"].unique().tolist()
    [2021, 2022, 2023]
    """
    years = [int(y) for y in years]
    if not years or years != list(range(years[0], years[0] + len(years))):
        raise ValueError(BAD_YEARS.format(years=years))
    if n_students < _MIN_STUDENTS:
        raise ValueError(TOO_FEW_STUDENTS.format(n=n_students))
    survey_years = [years[-1]] if survey_years is None else [int(y) for y in survey_years]
    if not set(survey_years) <= set(years):
        raise ValueError(BAD_SURVEY_YEARS.format(bad=sorted(set(survey_years) - set(years)),
                                                 years=years))
    layout_rng, student_rng, staff_rng, survey_rng, incident_rng = _rngs(seed, district_id)
    layout = make_layout(layout_rng, n_schools)
    model = district_model(layout, dict(race_mix or _NATIONAL_MIX), poverty_rate,
                           dict(disability_risk_ratios or {}), dict(category_risk_ratios or {}))
    students = generate_students(student_rng, district_id, n_students=n_students, years=years,
                                 layout=layout, model=model)
    staff = generate_staff(staff_rng, district_id, years=years, layout=layout,
                           students=students)
    return {
        "students": students.table,
        "staff": staff,
        "schools": generate_schools(staff_rng, district_id, years=years, layout=layout,
                                    students=students),
        "survey": generate_survey(survey_rng, survey_years=survey_years, students=students,
                                  staff=staff),
        "incidents": generate_incidents(incident_rng, students=students),
    }


def _spec_tables(spec: DistrictSpec, seed: int) -> dict[str, pd.DataFrame]:
    return generate_district(
        spec.district_id, n_students=spec.n_students, n_schools=spec.n_schools, seed=seed,
        race_mix=spec.race_mix, poverty_rate=spec.poverty_rate,
        disability_risk_ratios=spec.disability_risk_ratios,
        category_risk_ratios=spec.category_risk_ratios,
    )


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    # Fixed writer options, one row group per 256k rows and no timestamps anywhere: the same
    # frame gives the same bytes with the same pyarrow and pandas versions (their version
    # numbers are part of the file's metadata).
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, compression="zstd", compression_level=9,
                   row_group_size=262_144, data_page_version="2.0", version="2.6")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def generate_samples(
    out_dir: str | Path,
    *,
    districts: Sequence[DistrictSpec] = DEFAULT_DISTRICTS,
    seed: int = DEFAULT_SEED,
) -> Path:
    """Write sample districts as one data folder: ``students.parquet``, ``staff.csv``,
    ``schools.csv``, ``survey.parquet`` and ``incidents.parquet``, each holding every district.

    The same ``districts`` and ``seed`` always write byte-identical files (given the same pandas
    and pyarrow versions).

    Examples
    --------
    >>> import tempfile
    >>> from equitykit.samples import DistrictSpec
    >>> spec = DistrictSpec("X01", "Example", 300, 3, race_mix={"White": 0.6, "Black": 0.4})
    >>> folder = generate_samples(tempfile.mkdtemp(), districts=[spec])
    >>> sorted(p.name for p in folder.iterdir())
    ['incidents.parquet', 'schools.csv', 'staff.csv', 'students.parquet', 'survey.parquet']
    """
    ids = [spec.district_id for spec in districts]
    if len(set(ids)) != len(ids):
        raise ValueError(DUPLICATE_DISTRICTS.format(ids=ids))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    generated = [_spec_tables(spec, seed) for spec in districts]
    for table, name in SAMPLE_FILES.items():
        frame = pd.concat([g[table] for g in generated], ignore_index=True)
        writer = _write_parquet if name.endswith(".parquet") else _write_csv
        writer(frame, out / name)
    return out
