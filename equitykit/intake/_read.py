"""Finding the tables of a data folder and reading each file as text (docs/data.md).

Every cell is read as text (so ``000123`` ids keep their zeros) except Parquet, whose typed
columns are kept. Each frame's index holds spreadsheet line numbers (header = line 1), so every
later problem can name the rows a person sees in Excel.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import schema
from .._files import (
    LINKED_OUTSIDE,
    FileRefused,
    csv_error,
    is_inside,
    ragged_rows,
    read_regular,
    resolves_inside,
)
from ..errors import DataProblem

__all__: list[str] = []

#: File formats read (compared lower-case). A tab-separated ``.txt``/``.tsv`` export reads fine
#: once renamed ``.csv``: the separator is detected from the header line.
SUFFIXES: tuple[str, ...] = (".csv", ".parquet", ".xlsx")
#: Longest cell accepted (characters), and longest line of a text file (bytes): longer means a
#: broken export (an unclosed quote swallowing the file, a binary blob), never a district value.
MAX_CELL_CHARS = 10_000
MAX_LINE_BYTES = 1_000_000
#: An Excel workbook is a ZIP archive: refuse one that would expand beyond these (zip bombs).
MAX_EXCEL_EXPANDED = 200 * 1024 * 1024
MAX_EXCEL_RATIO = 100
_RATIO_FROM = 10 * 1024 * 1024  # small workbooks may compress very well; only check big ones
#: Cell values read as missing (compared after trimming spaces).
NA_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "#N/A")
#: Text encodings tried in order; the first that decodes the whole file wins.
ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp1252")
_SNIFF_BYTES = 8192
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
UNKNOWN_FILE_EXPECTED = "a file named students, staff, schools, survey or incidents"
UNKNOWN_FILE_HINT = "if it holds one of these tables, rename it or map it (config data: files:)"
SUPERSEDED_FILE = "ignored: the config maps the '{table}' table to {mapped}"
OLD_EXCEL = "old Excel format (.xls) is not read; ignored"
OLD_EXCEL_HINT = "open it in Excel and save it as .xlsx"
IGNORED_FOLDER = "sub-folder ignored"
EMPTY_FILE = "the file is empty"
EMPTY_TABLE = "the table has a header but no data rows"
BINARY_FILE = "not a text (CSV) file: it looks like {kind}"
BAD_ENCODING = "not readable as text in UTF-8 or Windows-1252 (cp1252)"
CP1252_USED = "read as Windows-1252 (cp1252) text because it is not valid UTF-8"
CP1252_HINT = "check accented names look right; export as UTF-8 CSV to silence this"
BAD_CSV = "not a well-formed CSV file: {reason}"
BAD_PARQUET = "not a readable Parquet file ({reason})"
BAD_EXCEL = "not a readable Excel workbook ({reason})"
EXCEL_BOMB = ("refused: the workbook would expand to {size:,} bytes (compression ratio "
              "{ratio:.0f}:1; at most {limit:,} bytes and {max_ratio}:1), which looks like a "
              "zip bomb")
OUTSIDE_FOLDER = ("the config maps table '{table}' to a file outside the data folder; give a file "
                  "name inside the folder (no '..', not an absolute path)")
UNSUPPORTED = ("the config maps table '{table}' to a file of an unsupported format ('{suffix}'); "
               "use .csv, .parquet or .xlsx (any letter case); a tab-separated .txt or .tsv "
               "export can be renamed .csv")
OLD_EXCEL_MAPPED = ("the config maps table '{table}' to an old Excel (.xls) file, which is not "
                    "read: open it in Excel and save it as .xlsx")
NOT_REGULAR = "cannot be read: {reason}"
LONG_LINE = ("line {line} is {size:,} bytes long (at most {limit:,}): an unclosed quote or data "
             "that is not a table?")
LONG_CELL = "{count} cell(s) longer than {limit:,} characters (the longest has {size:,})"
NESTED_PARQUET = ("holds {kind} (Parquet type {type}), not one value per cell; save the column as "
                  "plain text or numbers")
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
        problem = _mapped_problem(folder, table, name)
        if problem is None:
            chosen[table] = [folder / name]
        else:
            problems.append(DataProblem(file=name, message=problem))
    mapped = {folder / name for name in files.values()}
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith((".", "~$")) or path.stem.upper() == "README" or path in mapped:
            continue  # hidden files, Excel lock files, the folder's own README
        looks_like_table = (path.suffix.lower() in SUFFIXES
                            and path.stem.lower() in schema.TABLES)
        if path.is_dir() and not looks_like_table:
            problems.append(_warning(name, IGNORED_FOLDER))
        elif path.suffix.lower() == ".xls":
            problems.append(_warning(name, OLD_EXCEL, hint=OLD_EXCEL_HINT))
        elif not looks_like_table:
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
    inside = folder.resolve()
    for table in schema.TABLES:
        paths = chosen.get(table, [])
        outside = [p for p in paths if not resolves_inside(p, inside)]
        if outside:
            problems += [DataProblem(file=files.get(table, p.name), message=LINKED_OUTSIDE)
                         for p in outside]
            continue
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


def _mapped_problem(folder: Path, table: str, name: str) -> str | None:
    """Why a file the config maps cannot be used (outside the folder, format, absent)."""
    suffix = Path(name).suffix.lower()
    if not is_inside(name):
        return OUTSIDE_FOLDER.format(table=table)
    if suffix == ".xls":
        return OLD_EXCEL_MAPPED.format(table=table)
    if suffix not in SUFFIXES:
        return UNSUPPORTED.format(table=table, suffix=Path(name).suffix or "no suffix")
    if not os.path.lexists(folder / name):  # a FIFO or a broken link is reported when read
        return MAPPED_FILE_MISSING.format(table=table)
    return None


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
        data = read_regular(file.path)
    except FileRefused as exc:
        return None, [DataProblem(file=file.name, message=NOT_REGULAR.format(reason=exc))]
    if not data.strip():
        return None, [DataProblem(file=file.name, message=EMPTY_FILE)]
    reader = {".csv": _read_csv, ".parquet": _read_parquet, ".xlsx": _read_excel}
    frame, encoding, problems = reader[file.path.suffix.lower()](data, file.name)
    if frame is None:
        return None, problems
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    long_cells = _long_cells(frame, file.name)
    if long_cells:
        return None, [*problems, *long_cells]
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
    long_line = _long_line(data)
    if long_line:
        return None, encoding, [*problems, DataProblem(file=name, message=long_line)]
    first_line = data.split(b"\n", 1)[0]
    sep = next((s for s in (",", ";", "\t", "|") if s.encode() in first_line), ",")
    try:
        frame = pd.read_csv(
            io.BytesIO(data), sep=sep, dtype=str, encoding=encoding, keep_default_na=False,
            na_values=list(NA_TOKENS), skip_blank_lines=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        reason = csv_error(exc, data.decode(encoding), sep)
        return None, encoding, [*problems, DataProblem(file=name,
                                                       message=BAD_CSV.format(reason=reason))]
    if len(frame.columns) and frame.iloc[:, -1].isna().any():  # a short row leaves it empty
        ragged = ragged_rows(data.decode(encoding), sep)
        if ragged:
            return None, encoding, [*problems, DataProblem(file=name,
                                                           message=BAD_CSV.format(reason=ragged))]
    return frame, encoding, problems


def _long_line(data: bytes) -> str | None:
    """A line longer than :data:`MAX_LINE_BYTES`, found without splitting the file."""
    if len(data) <= MAX_LINE_BYTES:
        return None
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    bounds = np.concatenate(([-1], ends, [len(data)]))
    lengths = np.diff(bounds) - 1
    longest = int(np.argmax(lengths))
    if lengths[longest] <= MAX_LINE_BYTES:
        return None
    return LONG_LINE.format(line=longest + 1, size=int(lengths[longest]), limit=MAX_LINE_BYTES)


def _long_cells(frame: pd.DataFrame, name: str) -> list[DataProblem]:
    """Cells longer than :data:`MAX_CELL_CHARS`, per column (index = spreadsheet lines)."""
    problems = []
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values.dtype):
            continue
        lengths = values.astype("string").str.len().fillna(0).to_numpy()
        long = lengths > MAX_CELL_CHARS
        if long.any():
            rows = tuple(int(r) for r in frame.index[long][:10])
            problems.append(DataProblem(
                file=name, column=str(column)[:80], rows=rows, count=int(long.sum()),
                message=LONG_CELL.format(count=int(long.sum()), limit=MAX_CELL_CHARS,
                                         size=int(lengths.max()))))
    return problems


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
        nested = [DataProblem(file=name, column=f.name, message=NESTED_PARQUET.format(
                      kind=_nested_kind(f.type), type=f.type))
                  for f in pq.read_schema(io.BytesIO(data)) if pa.types.is_nested(f.type)]
        if nested:
            return None, None, nested
        return pd.read_parquet(io.BytesIO(data)), None, []
    except (OSError, ValueError, pa.ArrowException) as exc:
        return None, None, [DataProblem(file=name, message=BAD_PARQUET.format(reason=exc))]


def _nested_kind(kind: pa.DataType) -> str:
    if pa.types.is_struct(kind):
        return "records (a struct)"
    if pa.types.is_map(kind):
        return "mappings (a map)"
    return "lists" if pa.types.is_list(kind) or pa.types.is_large_list(kind) else "nested values"


def _read_excel(
    data: bytes, name: str
) -> tuple[pd.DataFrame | None, str | None, list[DataProblem]]:
    try:
        bomb = _zip_bomb(data)
        if bomb:
            return None, None, [DataProblem(file=name, message=bomb)]
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


def _zip_bomb(data: bytes) -> str | None:
    """Why a workbook must not be opened: its declared expanded size or compression ratio.

    ``zipfile`` never expands a member beyond its declared size, so the declared sizes bound
    what openpyxl can be made to read.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    expanded = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    ratio = expanded / packed
    if expanded > MAX_EXCEL_EXPANDED or (expanded > _RATIO_FROM and ratio > MAX_EXCEL_RATIO):
        return EXCEL_BOMB.format(size=expanded, ratio=ratio, limit=MAX_EXCEL_EXPANDED,
                                 max_ratio=MAX_EXCEL_RATIO)
    return None


def _warning(file: str, message: str, **fields: str) -> DataProblem:
    return DataProblem(file=file, message=message, severity="warning", **fields)
