"""A data folder end to end: find, read, map, type and check every table."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._notebooks import own_notebook_notice
from ..config import AuditConfig, load_config
from ..errors import DataError, DataProblem
from ._derive import derivable_outcomes
from ._goals import goal_problems
from ._incidents import check_incidents
from ._mapping import apply_columns, check_mapping, table_columns
from ._read import find_tables, read_table
from ._report import ValidationReport
from ._validate import MAX_ROWS, as_text, convert_table

__all__ = ["DistrictData", "load_district_data", "validate_command", "validate_folder"]

UNKNOWN_DISTRICT = "district '{district}' is not in the data; districts present: {present}"
SCHOOL_NOT_LISTED = "school_id not found in the schools table {file}"
NO_OUTCOME = ("no outcome and no test score: the audit describes enrollment and segregation "
              "only")
NO_SCHOOLS_FILE = ("the config reads the schools file ({keys}) but the data folder has no "
                   "schools file; add one or remove those keys")
#: Score columns audited as gaps.
_SCORES = ("math_score", "ela_score")


@dataclass(frozen=True)
class DistrictData:
    """The canonical tables of one district (or of every district in a folder).

    Attributes
    ----------
    students : DataFrame
        One row per student per school year, columns as ``schema.TABLES["students"]`` (less
        the columns the config declares not collected, plus its own dimensions).
    staff, schools, survey, incidents : DataFrame or None
        The optional tables; ``None`` when the folder has none (or none for this district).
        ``incidents`` has ``offense_category`` and ``subjective`` filled from the config.
        ``schools`` also keeps the file's other columns as text (sector, magnet, …), and
        ``school_name`` is the id where the file has no name.
    files : dict
        Input file name → SHA-256 of its bytes.
    input_sha256 : str
        One SHA-256 over every input file (names and hashes), for the run manifest.
    warnings : tuple of DataProblem
        Warnings found while loading (never student-level data).
    """

    students: pd.DataFrame
    staff: pd.DataFrame | None = None
    schools: pd.DataFrame | None = None
    survey: pd.DataFrame | None = None
    incidents: pd.DataFrame | None = None
    files: dict[str, str] = field(default_factory=dict)
    input_sha256: str = ""
    warnings: tuple[DataProblem, ...] = ()


def validate_folder(data_dir: str | Path, *, config: AuditConfig | None = None
                    ) -> ValidationReport:
    """Check a district data folder without loading it for an audit; nothing is written.

    Parameters
    ----------
    data_dir : str or Path
        Folder with ``students`` (required), ``staff``, ``schools``, ``survey``, ``incidents``
        as ``.csv``,
        ``.parquet`` or ``.xlsx``.
    config : AuditConfig, optional
        Client config whose ``data`` section maps the district's files, columns and codes.

    Returns
    -------
    ValidationReport
        Every problem (file, column, spreadsheet line numbers, what was expected), row counts,
        districts and school years.

    Raises
    ------
    ConfigError
        The config's ``data`` section names an unknown table, column or value.

    Examples
    --------
    >>> report = validate_folder("data_samples")          # doctest: +SKIP
    >>> report.ok, report.districts                        # doctest: +SKIP
    (True, ('d01', 'd02'))
    """
    return _process(Path(data_dir), config or AuditConfig())[1]


def load_district_data(
    data_dir: str | Path, *, config: AuditConfig | None = None, district_id: str | None = None
) -> DistrictData:
    """Read, map, type and check a data folder; the canonical tables of one or every district.

    Parameters
    ----------
    data_dir : str or Path
        The data folder (see :func:`validate_folder`).
    config : AuditConfig, optional
        Client config with the column and code mapping.
    district_id : str, optional
        Keep only this district's rows; problems in other districts' rows are not checked.

    Returns
    -------
    DistrictData

    Raises
    ------
    DataError
        Any error in the data, all listed; or ``district_id`` is not in the data.
    ConfigError
        The config's ``data`` section is invalid.

    Examples
    --------
    >>> data = load_district_data("data_samples", district_id="d01")   # doctest: +SKIP
    >>> data.students["race_ethnicity"].dtype                          # doctest: +SKIP
    CategoricalDtype(categories=['Hispanic/Latino', ...], ordered=False, ...)
    """
    tables, report, hashes = _process(Path(data_dir), config or AuditConfig(), district_id)
    if not report.ok:
        raise DataError(report.errors)
    digest = hashlib.sha256(
        "".join(f"{name}\t{sha}\n" for name, sha in sorted(hashes.items())).encode()
    ).hexdigest()
    return DistrictData(
        students=tables["students"], staff=tables.get("staff"), schools=tables.get("schools"),
        survey=tables.get("survey"), incidents=tables.get("incidents"), files=hashes,
        input_sha256=digest,
        warnings=tuple(report.warnings),
    )


def validate_command(data_dir: str | Path, *, config_path: str | Path | None = None) -> int:
    """``equitykit validate``: print the report; 0 when the data is usable, 1 otherwise.

    Raises
    ------
    ConfigError
        The config file is missing or invalid (the command line prints it).

    Examples
    --------
    >>> validate_command("data_samples")                   # doctest: +SKIP
    0
    """
    config = load_config(config_path)
    notice = own_notebook_notice(config.notebook)
    if notice:
        print(notice)
    if config.aggregate is not None:  # published counts, not student records
        from ..public_data import aggregate_report

        print(aggregate_report(data_dir, config))
        return 0
    report = validate_folder(data_dir, config=config)
    print(report.format())
    return 0 if report.ok else 1


def _process(
    folder: Path, config: AuditConfig, district_id: str | None = None
) -> tuple[dict[str, pd.DataFrame], ValidationReport, dict[str, str]]:
    books = check_mapping(config.data)
    canonical = table_columns(config.data)
    found, problems = find_tables(folder, config.data.files)
    tables: dict[str, pd.DataFrame] = {}
    rows, files, encodings, hashes = {}, {}, {}, {}
    present: tuple[str, ...] = ()
    for file in found:
        raw, read_problems = read_table(file)
        problems += read_problems
        if raw is None:
            continue
        files[file.table], hashes[file.name] = file.name, raw.sha256
        if raw.encoding:
            encodings[file.name] = raw.encoding
        frame, mapped_problems = apply_columns(raw.frame, file.table, config.data, file.name)
        problems += mapped_problems
        if district_id is not None and "district_id" in frame.columns:
            ids = as_text(frame["district_id"])
            if file.table == "students":
                present = tuple(sorted(ids.dropna().unique()))
            frame = frame[(ids == district_id).fillna(False).to_numpy(dtype=bool)]
        rows[file.table] = len(frame)
        typed, typed_problems = convert_table(frame, file.table, books, file.name,
                                              canonical[file.table])
        problems += typed_problems
        if len(typed):
            tables[file.table] = typed
    if district_id is not None and "students" in files and "students" not in tables:
        problems.append(DataProblem(file=files["students"], message=UNKNOWN_DISTRICT.format(
            district=district_id, present=", ".join(present) or "none")))
    problems += _unlisted_schools(tables, files)
    school_keys = _school_keys(config)
    if school_keys and "students" in files and "schools" not in files:
        problems.append(DataProblem(file=files["students"], message=NO_SCHOOLS_FILE.format(
            keys=", ".join(school_keys))))
    if "incidents" in tables:
        tables["incidents"], found = check_incidents(
            tables["incidents"], tables.get("students"), config.discipline, files["incidents"],
            files.get("students", "students"))
        problems += found
    if district_id is None:  # a folder is checked: goals name groups of any of its districts
        problems += goal_problems(tables, files, config)
    students = tables.get("students")
    if students is not None and not (derivable_outcomes(students.columns)
                                     or set(_SCORES) & set(students.columns)):
        problems.append(DataProblem(file=files["students"], message=NO_OUTCOME,
                                    severity="warning"))
    summary = {}
    if students is not None and {"district_id", "student_id", "school_year"} <= set(students):
        summary = {
            "districts": tuple(sorted(students["district_id"].dropna().unique())),
            "years": tuple(int(y) for y in sorted(students["school_year"].dropna().unique())),
            "students": len(students[["district_id", "student_id"]].dropna().drop_duplicates()),
        }
    report = ValidationReport(folder, tuple(problems), rows, files, encodings, **summary,
                              not_collected=config.data.not_collected)
    return {name: t.reset_index(drop=True) for name, t in tables.items()}, report, hashes


def _school_keys(config: AuditConfig) -> list[str]:
    """The config keys that read the schools file: school dimensions, the poverty measure."""
    keys = [f"data.dimensions.{name}" for name, dim in config.data.dimensions.items()
            if dim.level == "school"]
    if config.data.school_poverty is not None:
        keys.append("data.school_poverty")
    return keys


def _unlisted_schools(tables: dict[str, pd.DataFrame], files: dict[str, str]
                      ) -> list[DataProblem]:
    """Students at a school the schools table does not list (a warning); index = lines."""
    key = ["district_id", "school_id"]
    students, schools = tables.get("students"), tables.get("schools")
    if students is None or schools is None or not (set(key) <= set(students)
                                                     and set(key) <= set(schools)):
        return []
    listed = pd.MultiIndex.from_frame(schools[key].astype(str))
    unlisted = (~pd.MultiIndex.from_frame(students[key].astype(str)).isin(listed)
                & students[key].notna().all(axis=1).to_numpy())
    if not unlisted.any():
        return []
    lines = students.index[unlisted]
    return [DataProblem(file=files["students"], column="school_id",
                        message=SCHOOL_NOT_LISTED.format(file=files["schools"]),
                        rows=tuple(int(r) for r in lines[:MAX_ROWS]),
                        count=int(unlisted.sum()), severity="warning")]
