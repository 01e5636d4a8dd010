"""What a batch reads: the district ids in a data folder and fingerprints of each district's data.

A district's fingerprint is the SHA-256 of its own rows in every table (plus the whole of any
table without a district column, and the files the config points to), so ``--resume`` redoes
exactly the districts whose data changed, even when all districts share one ``students.csv``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..config import AuditConfig
from ..errors import DataError, DataProblem
from ..intake._read import find_tables, read_table

__all__ = ["DataFolder", "file_digest", "read_folder"]

NO_DISTRICT_COLUMN = "no district_id column, and the config sets no constant district_id"
NO_DISTRICTS = "no district ids found"
DISTRICT_COLUMN = "district_id"


@dataclass(frozen=True)
class DataFolder:
    """The districts of a data folder and their fingerprints.

    ``districts``: ids in sorted order; ``files``: file name → SHA-256 of the whole file;
    ``digests``: district id → SHA-256 of that district's input data.
    """

    path: Path
    districts: tuple[str, ...]
    files: dict[str, str]
    digests: dict[str, str]


def read_folder(data_dir: Path, config: AuditConfig) -> DataFolder:
    """List the districts in ``data_dir`` and fingerprint each district's input.

    Raises
    ------
    DataError
        The students table is missing or unreadable, or names no district.

    Examples
    --------
    >>> read_folder(sample_data_dir(), AuditConfig()).districts  # doctest: +SKIP
    ('D01', 'D02', ...)
    """
    if config.aggregate is not None:
        return _read_public(data_dir, config)
    found, problems = find_tables(data_dir, config.data.files)
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for table_file in found:
        raw, read_problems = read_table(table_file)
        problems += read_problems
        if raw is not None:
            tables[table_file.table] = raw.frame
            files[table_file.name] = raw.sha256
    errors = [p for p in problems if p.severity == "error"]
    if errors or "students" not in tables:
        raise DataError(errors or [DataProblem(file=str(data_dir), message=NO_DISTRICTS)])
    district_of = {table: _district_column(frame, table, config)
                   for table, frame in tables.items()}
    students = district_of["students"]
    if students is None:
        raise DataError([DataProblem(file="students", column=DISTRICT_COLUMN,
                                     message=NO_DISTRICT_COLUMN)])
    districts = tuple(sorted(set(students.dropna()) - {""}))
    if not districts:
        raise DataError([DataProblem(file="students", column=DISTRICT_COLUMN,
                                     message=NO_DISTRICTS)])
    shared = hashlib.sha256()
    for path in _config_files(config):
        shared.update(path.read_bytes() if path.is_file() else b"")
    digests = {}
    for district in districts:
        digest = shared.copy()
        for table, frame in sorted(tables.items()):
            column = district_of[table]
            rows = frame if column is None else frame.loc[column == district]
            digest.update(table.encode() + json.dumps(list(map(str, rows.columns))).encode())
            digest.update(pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes())
        digests[district] = digest.hexdigest()
    return DataFolder(data_dir, districts, files, digests)


def _read_public(data_dir: Path, config: AuditConfig) -> DataFolder:
    """Districts and fingerprints of public (aggregate) data, from its counts table."""
    from ..public_data import load_aggregate

    counts = load_aggregate(data_dir, config)
    ids = counts["district_id"].astype(str)
    districts = tuple(sorted(set(ids) - {""}, key=lambda d: (len(d), d)))
    if not districts:
        raise DataError([DataProblem(file=str(data_dir), message=NO_DISTRICTS)])
    digests = {
        d: hashlib.sha256(
            pd.util.hash_pandas_object(counts[ids == d], index=False).to_numpy().tobytes()
        ).hexdigest()
        for d in districts
    }
    return DataFolder(data_dir, districts, {}, digests)


def _district_column(frame: pd.DataFrame, table: str, config: AuditConfig) -> pd.Series | None:
    """The table's district ids as trimmed text, honouring the config's column mapping."""
    constant = config.data.constants.get(table, {}).get(DISTRICT_COLUMN)
    if constant is not None:
        return pd.Series(str(constant), index=frame.index)
    renames = config.data.columns.get(table, {})
    name = next((own for own, canonical in renames.items() if canonical == DISTRICT_COLUMN),
                DISTRICT_COLUMN)
    if name not in frame.columns:
        return None
    return frame[name].astype("string").str.strip()


def _config_files(config: AuditConfig) -> list[Path]:
    return [p for p in (config.idea.state_comparison, config.branding.logo) if p is not None]


def file_digest(path: Path | None) -> str | None:
    """SHA-256 of a file's bytes (``None`` for no file)."""
    return None if path is None else hashlib.sha256(Path(path).read_bytes()).hexdigest()
