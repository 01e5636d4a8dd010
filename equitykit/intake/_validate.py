"""Typed canonical columns from a mapped table, and the checks on its rows.

Conversion works on each column's distinct values (a 1,000,000-row column of race codes has a
handful), then broadcasts the result back to the rows with integer codes: no per-row Python.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DataProblem
from ._mapping import CodeBook, expected, suggest_label
from ._read import NA_TOKENS

__all__: list[str] = []

#: Line numbers kept per problem, and distinct bad values listed.
MAX_ROWS = 10
MAX_VALUES = 8
#: Longest value quoted in a message.
MAX_SHOWN = 40
YEAR_MIN = 1970
#: Largest whole number kept exactly (2**53); beyond it a count is an export error.
MAX_WHOLE = 2.0**53
BOOL_EXPECTED = "true or false (also yes/no, y/n, t/f, 1/0)"

UNKNOWN_CODES = "unknown code(s): {values}"
GRADE_OUTSIDE = "grade outside PK–12 (or an unknown code): {values}"
NOT_BOOL = "not true/false: {values}"
NOT_DATE = "not a date: {values}"
DATE_EXPECTED = "a date written YYYY-MM-DD (or M/D/YYYY)"
NOT_NUMBER = "not a number: {values}"
NOT_WHOLE = "not a whole number: {values}"
TOO_LARGE = "too large for a count: {values}"
CODES_HINT = "codes: {{{column}: {{{pairs}}}}}"
NO_GUESS = " (no close label for {codes}; use one of the expected values)"
BOOL_HINT = "codes: {{{column}: {{{pairs}}}}} with true or false for each"
MISSING_KEY = "missing value in a required column"
MISSING_VALUE = "{n} row(s) have no value; they are left out of this column's groups"
BAD_YEAR = "not a plausible school year: {values}"
YEAR_EXPECTED = "a 4-digit fall year between {lo} and {hi} (2023 means 2023-24)"
DUPLICATE_ROWS = "duplicate rows: the same {columns} appear on more than one row"
NEGATIVE = "negative value"
LEVEL_BELOW_ONE = "performance level below 1"
ABSENT_OVER_ENROLLED = "days_absent is greater than days_enrolled"
PLACEMENT_WITHOUT_DISABILITY = "placement given for a student without a disability"
CATEGORY_WITHOUT_DISABILITY = "disability_category given for a student without a disability"

#: Columns whose missing values make a row unusable.
KEYS: dict[str, tuple[str, ...]] = {
    "students": ("district_id", "student_id", "school_year", "school_id"),
    "staff": ("district_id", "staff_id", "school_year", "school_id"),
    "schools": ("district_id", "school_id", "school_year"),
    "survey": ("district_id", "school_id", "school_year"),
    "incidents": ("district_id", "student_id", "school_year", "school_id"),
}
#: Columns that identify one row; a repeat is an error (for the survey, a warning).
UNIQUE: dict[str, tuple[str, ...]] = {
    "students": ("district_id", "student_id", "school_year"),
    "staff": ("district_id", "staff_id", "school_year", "school_id"),
    "schools": ("district_id", "school_id", "school_year"),
    "survey": ("district_id", "student_id", "school_year", "item"),
    "incidents": (),  # a student may have several incidents on one day
}
NONNEGATIVE: tuple[str, ...] = (
    "days_enrolled", "days_absent", "iss_days", "oss_days", "oss_count",
    "years_experience", "fte", "per_pupil_expenditure", "days",
)
LEVELS: tuple[str, ...] = ("math_level", "ela_level")

_FALL_YEAR = re.compile(r"^(\d{4})\s*[-/–]\s*(?:\d{2}|\d{4})$")
_NUMERIC_GRADE = re.compile(r"^0*(\d+)(?:\.0+)?$")


def convert_table(
    frame: pd.DataFrame, table: str, books: Mapping[str, CodeBook], file: str,
    canonical: Mapping[str, schema.Column] | None = None,
) -> tuple[pd.DataFrame, list[DataProblem]]:
    """Typed canonical columns (``canonical``, default ``schema.TABLES[table]``) and every
    problem found in them. The schools table keeps its other columns as text, and a school
    without a name is called by its id."""
    canonical = schema.TABLES[table] if canonical is None else canonical
    columns, invalid = {}, {}
    problems: list[DataProblem] = []
    for name, column in canonical.items():
        if name in frame.columns:
            columns[name], found, invalid[name] = convert_column(
                frame[name], column, books.get(name), file)
            problems += found
    if table == "schools":
        columns |= {name: as_text(frame[name]) for name in frame.columns if name not in columns}
        if "school_name" not in frame.columns and "school_id" in columns:
            columns["school_name"] = columns["school_id"]
    typed = pd.DataFrame(columns, index=frame.index)
    return typed, problems + check_rows(typed, table, file, invalid=invalid, canonical=canonical)


def convert_column(
    raw: pd.Series, column: schema.Column, book: CodeBook | None, file: str
) -> tuple[pd.Series, list[DataProblem], np.ndarray]:
    """One column in its canonical dtype, a problem per kind of bad value, the bad rows.

    Bad values become NA; the third result marks their rows (so they are not also reported
    as missing).
    """
    if column.kind == "string" and book is None and _is_id_or_name(column.name):
        return as_text(raw), [], np.zeros(len(raw), dtype=bool)
    if column.kind in ("int", "number") and book is None and _is_number(raw.dtype):
        return _typed_numbers(raw, column, file)
    codes, text = _distinct_text(raw, column.name)
    if book is None:
        matched = np.zeros(len(text), dtype=bool)
        target = pd.Series(None, index=text.index, dtype=object)
    else:
        matched, target = book.lookup(text)
    bad = _BadValues(raw.index, codes, text, file, column)
    parse = _number if column.kind in ("int", "number") else _PARSERS[column.kind]
    values, problems = parse(text, matched, target, bad)
    return _rows(values, codes, column, raw.index), problems, bad.invalid


def _number(text, matched, target, bad):
    """Numbers per distinct value (NaN when bad); whole numbers for int columns."""
    number = pd.to_numeric(text, errors="coerce").astype(float).to_numpy()
    number = np.where(matched, pd.to_numeric(target, errors="coerce"), number)
    problems = bad.report(~matched & text.notna().to_numpy() & ~np.isfinite(number),
                          NOT_NUMBER, expected(bad.column))
    number[~np.isfinite(number)] = np.nan
    if bad.column.kind == "int":
        fraction = np.isfinite(number) & (number % 1 != 0)
        problems += bad.report(fraction, NOT_WHOLE, expected(bad.column))
        huge = np.isfinite(number) & (np.abs(number) > MAX_WHOLE)
        problems += bad.report(huge, TOO_LARGE, expected(bad.column))
        number[fraction | huge] = np.nan
    return number, problems


def _flag(text, matched, target, bad):
    """1.0 / 0.0 per distinct value, NaN when missing or bad."""
    low = text.str.lower()
    parsed = np.where(low.isin(schema.BOOL_TRUE), 1.0,
                      np.where(low.isin(schema.BOOL_FALSE), 0.0, np.nan))
    mapped = target.map({True: 1.0, False: 0.0}).astype(float).to_numpy()
    flag = np.where(matched, mapped, parsed)
    problems = bad.report(~matched & text.notna().to_numpy() & np.isnan(flag), NOT_BOOL,
                          BOOL_EXPECTED, hint=bad.bool_hint)
    return flag, problems


def _code(text, matched, target, bad):
    """Position of each distinct value among the column's codes, -1 when missing or bad."""
    allowed = pd.Index(bad.column.codes)
    folded = {c.casefold(): c for c in allowed}
    label = text.map(lambda v: v if v in allowed else folded.get(v.casefold()),
                     na_action="ignore").astype(object)
    position = allowed.get_indexer(label.where(~matched, target).to_numpy())
    message = GRADE_OUTSIDE if bad.column.kind == "grade" else UNKNOWN_CODES
    problems = bad.report(~matched & text.notna().to_numpy() & (position < 0), message,
                          expected(bad.column), hint=bad.codes_hint)
    return position, problems


#: The mark that joins the groups of an intersection (``Black×M``) in every output.
JOIN_MARK = "×"
LABEL_WITH_JOIN_MARK = ("values {values} contain '×', which equitykit reserves for "
                        "intersections (Black×M), or are 'all', its name for all students")


def _is_id_or_name(column: str) -> bool:
    return column.endswith(("_id", "_name"))


def _text(text, matched, target, bad):
    """A string column recoded by the config; a group label (not an id or a name) may not
    contain the intersection mark."""
    values = text.astype(object).where(~matched, target)
    if _is_id_or_name(bad.column.name):
        return values.to_numpy(), []
    marked = values.map(lambda v: isinstance(v, str) and (JOIN_MARK in v or
                                                          v.strip().casefold() == "all")
                        ).to_numpy(dtype=bool)
    return values.to_numpy(), bad.report(marked, LABEL_WITH_JOIN_MARK,
                                         "a label without '×', other than 'all'")


def _date(text, matched, target, bad):
    """A date per distinct value (NaT when missing or bad): ISO 8601, else US M/D/YYYY."""
    values = text.astype(object).where(~matched, target)
    iso = pd.to_datetime(values, errors="coerce", format="ISO8601")
    us = pd.to_datetime(values.where(iso.isna()), errors="coerce", format="%m/%d/%Y")
    parsed = iso.fillna(us)
    problems = bad.report(values.notna().to_numpy() & parsed.isna().to_numpy(), NOT_DATE,
                          DATE_EXPECTED)
    return parsed.to_numpy(dtype="datetime64[ns]"), problems


_PARSERS = {"bool": _flag, "category": _code, "grade": _code, "string": _text, "date": _date}


def _rows(values: np.ndarray, codes: np.ndarray, column: schema.Column, index: pd.Index
          ) -> pd.Series:
    """Per-distinct-value results spread over the rows (code -1 = missing) in canonical dtype."""
    if column.codes is not None:
        missing, build = -1, lambda row: pd.Categorical.from_codes(
            row, categories=column.codes, ordered=column.kind == "grade")
    elif column.kind == "string":
        missing, build = None, lambda row: pd.array(row, dtype="string")
    elif column.kind == "date":
        missing, build = np.datetime64("NaT"), lambda row: row
    else:
        missing, build = np.nan, _NUMERIC_ARRAYS[column.kind]
    row = np.append(values, np.asarray([missing], dtype=values.dtype))[codes]
    return pd.Series(build(row), index=index)


_NUMERIC_ARRAYS = {
    "number": lambda row: row,
    "int": lambda row: pd.arrays.IntegerArray(np.nan_to_num(row).astype("int64"), np.isnan(row)),
    "bool": lambda row: pd.arrays.BooleanArray(row == 1.0, np.isnan(row)),
}


def check_rows(
    typed: pd.DataFrame, table: str, file: str, *,
    invalid: Mapping[str, np.ndarray] | None = None,
    canonical: Mapping[str, schema.Column] | None = None,
) -> list[DataProblem]:
    """Missing keys, implausible years, duplicates and contradictory rows.

    ``invalid`` marks, per column, rows whose value was already reported as bad.
    """
    invalid = invalid or {}
    problems: list[DataProblem] = []
    index = typed.index
    canonical = schema.TABLES[table] if canonical is None else canonical
    for name, column in canonical.items():
        if not column.required or name not in typed.columns:
            continue
        missing = typed[name].isna().to_numpy() & ~invalid.get(name, False)
        if name in KEYS[table]:
            problems += _row_problem(file, name, missing, index, MISSING_KEY,
                                     expected=expected(column))
        elif missing.any():
            problems += _row_problem(file, name, missing, index,
                                     MISSING_VALUE.format(n=int(missing.sum())),
                                     severity="warning")
    if "school_year" in typed.columns:
        hi = dt.date.today().year + 1
        year = typed["school_year"]
        implausible = ((year < YEAR_MIN) | (year > hi)).fillna(False).to_numpy(dtype=bool)
        values = _listing(year[implausible].astype(str))
        problems += _row_problem(file, "school_year", implausible, index,
                                 BAD_YEAR.format(values=values),
                                 expected=YEAR_EXPECTED.format(lo=YEAR_MIN, hi=hi))
    keys = [c for c in UNIQUE[table] if c in typed.columns]
    if keys and keys == list(UNIQUE[table]):
        complete = typed[keys].notna().all(axis=1).to_numpy()
        repeated = typed.duplicated(keys, keep=False).to_numpy() & complete
        names = " and ".join(k for k in keys if k != "district_id")
        problems += _row_problem(
            file, keys[1], repeated, index, DUPLICATE_ROWS.format(columns=names),
            severity="warning" if table == "survey" else "error")
    for name in NONNEGATIVE:
        if name in typed.columns:
            problems += _row_problem(file, name, _true(typed[name] < 0), index, NEGATIVE,
                                     expected="zero or more")
    for name in LEVELS:
        if name in typed.columns:
            problems += _row_problem(file, name, _true(typed[name] < 1), index,
                                     LEVEL_BELOW_ONE, expected="1 (lowest) or more")
    if {"days_absent", "days_enrolled"} <= set(typed.columns):
        over = _true(typed["days_absent"] > typed["days_enrolled"])
        problems += _row_problem(file, "days_absent", over, index, ABSENT_OVER_ENROLLED,
                                 expected="days_absent ≤ days_enrolled")
    if "disability" in typed.columns:
        without = _true(typed["disability"] == False)  # noqa: E712 - nullable boolean
        for name, message in (("placement", PLACEMENT_WITHOUT_DISABILITY),
                              ("disability_category", CATEGORY_WITHOUT_DISABILITY)):
            if name in typed.columns and table == "students":
                given = without & typed[name].notna().to_numpy()
                problems += _row_problem(file, name, given, index, message, severity="warning")
    return problems


def _is_number(dtype: object) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _typed_numbers(
    raw: pd.Series, column: schema.Column, file: str
) -> tuple[pd.Series, list[DataProblem], np.ndarray]:
    """Fast path for numeric columns of typed files (Parquet): no text round trip."""
    number = raw.to_numpy(dtype=float, na_value=np.nan, copy=True)
    problems = []
    invalid = np.zeros(len(raw), dtype=bool)
    checks = [(~np.isfinite(number) & ~np.isnan(number), NOT_NUMBER)]
    if column.kind == "int":
        checks.append((np.isfinite(number) & (number % 1 != 0), NOT_WHOLE))
        checks.append((np.isfinite(number) & (np.abs(number) > MAX_WHOLE), TOO_LARGE))
    for bad, message in checks:
        problems += _row_problem(file, column.name, bad, raw.index,
                                 message.format(values=_listing(raw[bad].astype(str))),
                                 expected=expected(column))
        number[bad] = np.nan
        invalid |= bad
    return _rows(number, np.arange(len(number)), column, raw.index), problems, invalid


class _BadValues:
    """Reports distinct bad values of one column with their row counts and line numbers."""

    def __init__(self, index: pd.Index, codes: np.ndarray, text: pd.Series, file: str,
                 column: schema.Column) -> None:
        self.index, self.codes, self.text, self.file, self.column = index, codes, text, file, column
        self.counts = np.bincount(codes[codes >= 0], minlength=len(text))
        self.invalid = np.zeros(len(index), dtype=bool)

    def report(self, bad: np.ndarray, message: str, expected_text: str, hint=None
               ) -> list[DataProblem]:
        if not bad.any():
            return []
        order = np.argsort(-self.counts[bad], kind="stable")
        values = self.text[bad].iloc[order]
        counts = self.counts[bad][order]
        listing = ", ".join(f'"{_short(v)}" ({n} row{"s" if n > 1 else ""})'
                            for v, n in zip(values[:MAX_VALUES], counts[:MAX_VALUES],
                                            strict=False))
        if len(values) > MAX_VALUES:
            listing += f" and {len(values) - MAX_VALUES} more"
        rows = np.append(bad, False)[self.codes]
        self.invalid |= rows
        return _row_problem(self.file, self.column.name, rows, self.index,
                            message.format(values=listing), expected=expected_text,
                            hint=hint(list(values)) if hint else None)

    def codes_hint(self, values: list[str]) -> str | None:
        guesses = {v: suggest_label(v, self.column) for v in values}
        pairs = ", ".join(f'"{v}": "{g}"' for v, g in guesses.items() if g)
        unguessed = [f'"{_short(v)}"' for v, g in guesses.items() if not g][:MAX_VALUES]
        if not pairs:
            return None
        hint = CODES_HINT.format(column=self.column.name, pairs=pairs)
        return hint + (NO_GUESS.format(codes=", ".join(unguessed)) if unguessed else "")

    def bool_hint(self, values: list[str]) -> str:
        pairs = ", ".join(f'"{v}": ?' for v in values[:MAX_VALUES])
        return BOOL_HINT.format(column=self.column.name, pairs=pairs)


def as_text(raw: pd.Series) -> pd.Series:
    """Trimmed text (``string`` dtype), missing markers as NA; whole floats without ``.0``."""
    if pd.api.types.is_float_dtype(raw.dtype) and (raw.dropna() % 1 == 0).all():
        raw = raw.astype("Int64")
    text = raw.astype("string").str.strip()
    return text.mask(text.isin(NA_TOKENS))


def _distinct_text(raw: pd.Series, name: str) -> tuple[np.ndarray, pd.Series]:
    """Row codes into the column's distinct values (-1 = missing) and those values as text."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    text = as_text(pd.Series(uniques))
    if name == "school_year":
        text = text.str.replace(_FALL_YEAR, r"\1", regex=True)
    elif name == "grade":
        text = text.str.replace(_NUMERIC_GRADE, lambda m: str(int(m.group(1))), regex=True)
    return codes, text.reset_index(drop=True)


def _true(condition: pd.Series) -> np.ndarray:
    return condition.fillna(False).to_numpy(dtype=bool)


def _listing(values: pd.Series) -> str:
    counts = values.value_counts()
    shown = ", ".join(f'"{_short(v)}" ({n} row{"s" if n > 1 else ""})'
                      for v, n in counts.iloc[:MAX_VALUES].items())
    return shown + (f" and {len(counts) - MAX_VALUES} more" if len(counts) > MAX_VALUES else "")


def _short(value: object) -> str:
    """A value as shown in a message: at most :data:`MAX_SHOWN` characters."""
    text = str(value)
    return text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN - 1]}… ({len(text):,} characters)"


def _row_problem(
    file: str, column: str, mask: np.ndarray, index: pd.Index, message: str, *,
    expected: str | None = None, hint: str | None = None, severity: str = "error",
) -> list[DataProblem]:
    count = int(mask.sum())
    if not count:
        return []
    rows = tuple(int(r) for r in index[mask][:MAX_ROWS])
    return [DataProblem(file=file, message=message, column=column, rows=rows, count=count,
                        expected=expected, hint=hint, severity=severity)]
