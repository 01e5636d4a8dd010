"""Finding the tables of a data folder and reading each file as text (CONTRACT §1).

Every cell is read as text (so ``000123`` ids keep their zeros) except Parquet, whose typed
columns are kept. Each frame's index holds spreadsheet line numbers (header = line 1), so every
later problem can name the rows a person sees in Excel.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .. import schema
from ..errors import DataProblem

__all__: list[str] = []

SUFFIXES: tuple[str, ...] = (".csv", ".parquet", ".xlsx")
#: Cell values read as missing (compared after trimming spaces).
NA_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "#N/A")
#: Text encodings tried in order; the first that decodes the whole file wins.
ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp1252")
_SNIFF_BYTES = 8192
_PANDAS_PREFIX = "Error tokenizing data. C error: "
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (an Excel workbook saved with a .csv name?)"),
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Office file"),
    (b"PAR1", "a Parquet file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xff\xd8\xff", "a JPEG image"),
)

NO_FOLDER = "data folder not found"
NOT_A_FOLDER = "is a file, not a folder"
NOT_A_FOLDER_HINT = "put the file in a folder and name it students.csv (or .parquet, .xlsx)"
NO_STUDENTS = "no students table"
NO_STUDENTS_EXPECTED = "a file named students.csv, students.parquet or students.xlsx"
NO_STUDENTS_HINT = 'map your file in the config: data: {files: {students: "Your export.csv"}}'
MAPPED_FILE_MISSING = "the config maps table '{table}' to this file, but it is not in the folder"
TWO_FILES = "two files for the '{table}' table ({names}); keep one"
UNKNOWN_FILE = "not a known table; ignored"
UNKNOWN_FILE_EXPECTED = "a file named students, staff, schools or survey"
UNKNOWN_FILE_HINT = "if it holds one of these tables, rename it or map it (config data: files:)"
SUPERSEDED_FILE = "ignored: the config maps the '{table}' table to {mapped}"
OLD_EXCEL = "old Excel format (.xls) is not read; ignored"
OLD_EXCEL_HINT = "open it in Excel and save it as .xlsx"
IGNORED_FOLDER = "sub-folder ignored"
CANNOT_READ = "cannot read the file ({reason})"
EMPTY_FILE = "the file is empty"
EMPTY_TABLE = "the table has a header but no data rows"
BINARY_FILE = "not a text (CSV) file: it looks like {kind}"
BAD_ENCODING = "not readable as text in UTF-8 or Windows-1252 (cp1252)"
CP1252_USED = "read as Windows-1252 (cp1252) text because it is not valid UTF-8"
CP1252_HINT = "check accented names look right; export as UTF-8 CSV to silence this"
BAD_CSV = "not a well-formed CSV file: {reason}"
BAD_PARQUET = "not a readable Parquet file ({reason})"
BAD_EXCEL = "not a readable Excel workbook ({reason})"
EXTRA_SHEETS = "the workbook has {n} sheets; only the first ('{first}') is read"


@dataclass(frozen=True)
class TableFile:
    """A file chosen for a canonical table; ``name`` is how messages refer to it."""

    table: str
    path: Path
    name: str


@dataclass(frozen=True)
class RawTable:
    """A table as read: every column as found, index = spreadsheet line numbers."""

    file: TableFile
    frame: pd.DataFrame
    sha256: str
    encoding: str | None


def find_tables(
    folder: Path, files: Mapping[str, str]
) -> tuple[list[TableFile], list[DataProblem]]:
    """Decide which file holds which table; unknown files become warnings (README skipped)."""
    label = folder.name or str(folder)
    if not folder.exists():
        return [], [DataProblem(file=str(folder), message=NO_FOLDER)]
    if not folder.is_dir():
        return [], [DataProblem(file=str(folder), message=NOT_A_FOLDER, hint=NOT_A_FOLDER_HINT)]
    problems: list[DataProblem] = []
    chosen: dict[str, list[Path]] = {}
    for table, name in files.items():
        if (folder / name).is_file():
            chosen[table] = [folder / name]
        else:
            problems.append(
                DataProblem(file=name, message=MAPPED_FILE_MISSING.format(table=table))
            )
    mapped = {folder / name for name in files.values()}
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith((".", "~$")) or path.stem.upper() == "README" or path in mapped:
            continue  # hidden files, Excel lock files, the folder's own README
        if path.is_dir():
            problems.append(_warning(name, IGNORED_FOLDER))
        elif path.suffix.lower() == ".xls":
            problems.append(_warning(name, OLD_EXCEL, hint=OLD_EXCEL_HINT))
        elif path.suffix.lower() not in SUFFIXES or path.stem.lower() not in schema.TABLES:
            problems.append(
                _warning(name, UNKNOWN_FILE, expected=UNKNOWN_FILE_EXPECTED,
                         hint=UNKNOWN_FILE_HINT)
            )
        elif path.stem.lower() in files:
            table = path.stem.lower()
            superseded = SUPERSEDED_FILE.format(table=table, mapped=files[table])
            problems.append(_warning(name, superseded))
        else:
            chosen.setdefault(path.stem.lower(), []).append(path)
    found: list[TableFile] = []
    for table in schema.TABLES:
        paths = chosen.get(table, [])
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            problems.append(DataProblem(file=label, message=TWO_FILES.format(table=table,
                                                                             names=names)))
        elif paths:
            found.append(TableFile(table, paths[0], files.get(table, paths[0].name)))
    if "students" not in chosen and "students" not in files:
        problems.append(DataProblem(file=label, message=NO_STUDENTS,
                                    expected=NO_STUDENTS_EXPECTED, hint=NO_STUDENTS_HINT))
    return found, problems


def read_table(file: TableFile) -> tuple[RawTable | None, list[DataProblem]]:
    """Read one file; ``None`` with a problem when it cannot be read or holds no rows.

    A batch audits many districts from the same files, each worker process district after
    district: the last few files read are kept (keyed by path, size and modification time),
    so a worker parses a shared ``students`` file once, not once per district. Callers must
    not modify the returned frame in place.
    """
    try:
        stat = file.path.stat()
        version = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        version = None
    raw, problems = _read_table(file, version)
    return raw, list(problems)


@functools.lru_cache(maxsize=8)
def _read_table(
    file: TableFile, version: tuple[int, int] | None
) -> tuple[RawTable | None, list[DataProblem]]:
    try:
        data = file.path.read_bytes()
    except OSError as exc:
        return None, [DataProblem(file=file.name, message=CANNOT_READ.format(reason=exc.strerror))]
    if not data.strip():
        return None, [DataProblem(file=file.name, message=EMPTY_FILE)]
    reader = {".csv": _read_csv, ".parquet": _read_parquet, ".xlsx": _read_excel}
    frame, encoding, problems = reader[file.path.suffix.lower()](data, file.name)
    if frame is None:
        return None, problems
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    frame = frame.dropna(how="all")
    if frame.empty:
        return None, [*problems, DataProblem(file=file.name, message=EMPTY_TABLE)]
    digest = hashlib.sha256(data).hexdigest()
    return RawTable(file, frame, digest, encoding), problems


def _read_csv(
    data: bytes, name: str
) -> tuple[pd.DataFrame | None, str | None, list[DataProblem]]:
    head = data[:_SNIFF_BYTES]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return None, None, [DataProblem(file=name, message=BINARY_FILE.format(kind=kind))]
    if b"\x00" in head:
        kind = "a binary file (it contains NUL bytes; UTF-16 text?)"
        return None, None, [DataProblem(file=name, message=BINARY_FILE.format(kind=kind))]
    encoding = _encoding(data)
    if encoding is None:
        return None, None, [DataProblem(file=name, message=BAD_ENCODING)]
    problems = []
    if encoding == "cp1252":
        problems.append(_warning(name, CP1252_USED, hint=CP1252_HINT))
    first_line = data.split(b"\n", 1)[0]
    sep = next((s for s in (",", ";", "\t", "|") if s.encode() in first_line), ",")
    try:
        frame = pd.read_csv(
            io.BytesIO(data), sep=sep, dtype=str, encoding=encoding, keep_default_na=False,
            na_values=list(NA_TOKENS), skip_blank_lines=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        reason = re.sub(r"\s+", " ", str(exc)).strip().removeprefix(_PANDAS_PREFIX)
        return None, encoding, [*problems, DataProblem(file=name,
                                                       message=BAD_CSV.format(reason=reason))]
    return frame, encoding, problems


def _encoding(data: bytes) -> str | None:
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
            return "utf-8-sig"
        return encoding
    return None


def _read_parquet(
    data: bytes, name: str
) -> tuple[pd.DataFrame | None, str | None, list[DataProblem]]:
    try:
        return pd.read_parquet(io.BytesIO(data)), None, []
    except (OSError, ValueError, pa.ArrowException) as exc:
        return None, None, [DataProblem(file=name, message=BAD_PARQUET.format(reason=exc))]


def _read_excel(
    data: bytes, name: str
) -> tuple[pd.DataFrame | None, str | None, list[DataProblem]]:
    try:
        with pd.ExcelFile(io.BytesIO(data), engine="openpyxl") as book:
            sheets = book.sheet_names
            frame = pd.read_excel(book, sheet_name=0, dtype=str, keep_default_na=False,
                                  na_values=list(NA_TOKENS))
    except (OSError, ValueError, KeyError, IndexError, zipfile.BadZipFile) as exc:
        reason = str(exc) or type(exc).__name__
        return None, None, [DataProblem(file=name, message=BAD_EXCEL.format(reason=reason))]
    problems = []
    if len(sheets) > 1:
        problems.append(_warning(name, EXTRA_SHEETS.format(n=len(sheets), first=sheets[0])))
    return frame, None, problems


def _warning(file: str, message: str, **fields: str) -> DataProblem:
    return DataProblem(file=file, message=message, severity="warning", **fields)
