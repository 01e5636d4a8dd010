"""Published aggregate files read into the counts table, as the ``aggregate`` config says."""

from __future__ import annotations

import io
import re
import string
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from .._files import (
    LINKED_OUTSIDE,
    FileRefused,
    csv_error,
    ragged_rows,
    read_regular,
    resolves_inside,
)
from ..errors import ConfigError, DataError, DataProblem
from ..expressions import parse_expression
from ._parse import _parse_series
from ._spec import (
    ENROLLMENT,
    AggregateSpec,
    Capture,
    Constant,
    FromMeasure,
    HasAggregate,
    SourceSpec,
    Template,
)

__all__ = ["COUNTS_WITH_SUPPRESSION", "list_districts", "load_aggregate"]

#: Columns of the counts table built from public data.
COUNTS_WITH_SUPPRESSION: tuple[str, ...] = (*schema.COUNTS_COLUMNS, "source_suppressed")
KEYS = ["district_id", "school_id", "school_year", "measure", "dimension", "group"]
_PLACE = ["district_id", "school_id", "school_year", "dimension", "group"]
_GROUPS: dict[str, tuple[str, ...]] = {"race_ethnicity": schema.RACE_ETHNICITY,
                                       "sex": schema.SEXES}
_BOOLEAN_GROUPS = ("true", "false")
_FIRST_LINE = 2  # header is line 1 in a spreadsheet
_CAPTURE = "_capture_"  # prefix of the columns holding labels captured by a wide pattern

NO_AGGREGATE = "the config has no 'aggregate' section describing the public data files"
FILE_MISSING = "file not found in the data folder"
NOT_CSV = "cannot read the file as CSV ({err})"
COLUMNS_MISSING = "{file}: no column(s) {columns}; the file has: {available}"
CIRCULAR = "{file}: derive.{name} depends on itself"
NOT_NUMBERS = "{file}: derive.{name}: {expr!r} does not give numbers"
NOT_A_NUMBER = "cells that are neither a number nor a suppression marker"
NUMBER_EXPECTED = "a count or percentage such as 374, 1,012 or 94.74%, or a marker such as <"
BAD_YEAR = "not a school year"
YEAR_EXPECTED = "a year such as 2019, 2019-20 or 2019-2020"
UNMAPPED = "{file}: {field} label(s) {labels} (lines {lines}) are not in its map"
NO_MATCH = "{file}: the wide pattern {pattern!r} matches no column; the file has: {available}"
DENOMINATOR_REQUIRED = "{file}: give a 'denominator' (only enrollment counts may omit it)"
BAD_LABELS = "{file}: {what} {values} (first at line {line}); expected {expected}"
DUPLICATE_KEYS = "{count} rows give the same count (set 'combine: sum' if these labels add up)"
CROSS_DUPLICATES = "the same count comes from {files}"
BLANK_ID = "blank {field}"


def load_aggregate(data_dir: str | Path, config: HasAggregate | AggregateSpec) -> pd.DataFrame:
    """Read the published files of a data folder into the counts table.

    Parameters
    ----------
    data_dir : str or Path
        Folder holding the files named in ``config.aggregate.sources``.
    config : AuditConfig or AggregateSpec
        A client config with an ``aggregate`` section (or that section itself).

    Returns
    -------
    DataFrame
        Columns ``district_id``, ``school_id`` (``""`` = district total), ``school_year`` (fall
        year), ``measure``, ``dimension``, ``group``, ``numerator``, ``denominator`` and
        ``source_suppressed`` (True where the publisher did not give the numerator or the
        denominator, which are then NaN, never zero). Sorted by the key columns.

    Raises
    ------
    ConfigError
        The section names a missing column, an unknown label or an invalid query.
    DataError
        A file is missing, a cell is neither a number nor a suppression marker, or two rows
        give the same count.

    Examples
    --------
    >>> from equitykit.config import load_config
    >>> counts = load_aggregate("albemarle_downloads",
    ...                         load_config("examples/albemarle.yml"))  # doctest: +SKIP
    """
    return _load(Path(data_dir), _spec_of(config))[list(COUNTS_WITH_SUPPRESSION)]


def list_districts(data_dir: str | Path, config: HasAggregate | AggregateSpec) -> list[str]:
    """The districts in a folder of published files, numeric ids in numeric order.

    Examples
    --------
    >>> from equitykit.config import load_config
    >>> list_districts("albemarle_downloads",
    ...                load_config("examples/albemarle.yml"))  # doctest: +SKIP
    ['2']
    """
    ids = load_aggregate(data_dir, config)["district_id"].unique()
    return sorted(ids, key=lambda d: (not d.isdigit(), int(d) if d.isdigit() else 0, d))


def _spec_of(config: HasAggregate | AggregateSpec) -> AggregateSpec:
    spec = config if isinstance(config, AggregateSpec) else getattr(config, "aggregate", None)
    if spec is None:
        raise ConfigError(NO_AGGREGATE)
    return spec


def _load(data_dir: Path, spec: AggregateSpec) -> pd.DataFrame:
    """Counts with their provenance (file, line, published figure) from every source."""
    parts = [_SourceReader(data_dir, source, spec).counts() for source in spec.sources]
    counts = pd.concat(parts, ignore_index=True)
    _check_labels(counts, spec)
    _check_unique_across(counts)
    counts = _join_denominators(counts)
    _check_groups_within_totals(counts)
    counts["source_suppressed"] = counts["numerator"].isna() | counts["denominator"].isna()
    return counts.sort_values(KEYS, kind="stable", ignore_index=True)


class _SourceReader:
    """One source file: its rows, parsed numbers and counts."""

    def __init__(self, data_dir: Path, source: SourceSpec, spec: AggregateSpec) -> None:
        self.source, self.spec, self.file = source, spec, source.file
        path = data_dir / source.file
        if not resolves_inside(path, data_dir.resolve()):
            raise DataError([DataProblem(file=source.file, message=LINKED_OUTSIDE)])
        raw = _read_csv(path, source.file)
        self._whole = raw
        if source.where:
            raw = raw[self._query(source.where, "where")]
        if source.deduplicate:
            raw = raw[~raw.duplicated()]
        self.raw = raw
        self._numbers: dict[str, pd.Series] = {}
        self._deriving: set[str] = set()

    # --- numbers -----------------------------------------------------------------------------

    def numbers(self, column: str) -> pd.Series:
        """Parsed numbers of a column (or derived column) on the kept rows; NaN = suppressed."""
        if column not in self._numbers:
            if column in self.source.derive:
                self._numbers[column] = self._derive(column)
            else:
                self._require([column])
                self._numbers[column] = self._parse(column)
        return self._numbers[column]

    def _parse(self, column: str) -> pd.Series:
        values, _, invalid = _parse_series(self.raw[column])
        if invalid.any():
            lines = (self.raw.index[invalid] + _FIRST_LINE).tolist()
            shown = [v if len(v) <= 40 else f"{v[:39]}… ({len(v):,} characters)"
                     for v in self.raw.loc[invalid, column].unique()[:5].tolist()]
            raise DataError([DataProblem(
                file=self.file, column=column, rows=lines, count=len(lines),
                message=f"{NOT_A_NUMBER}: {shown}", expected=NUMBER_EXPECTED,
            )])
        query = self.source.suppress.get(column)
        if query:
            values = values.mask(self._query(query, f"suppress.{column}").reindex(values.index))
        return values

    def _derive(self, name: str) -> pd.Series:
        expression = parse_expression(self.source.derive[name], key=f"{self.file}: derive.{name}")
        expression.check_columns([*self.raw.columns, *self.source.derive], source=self.file)
        if name in self._deriving or name in expression.names:
            raise ConfigError(CIRCULAR.format(file=self.file, name=name))
        self._deriving.add(name)
        env = pd.DataFrame({c: self.numbers(c) for c in expression.names}, index=self.raw.index)
        self._deriving.discard(name)
        result = expression.values(env)
        if not pd.api.types.is_numeric_dtype(result.dtype) or \
                pd.api.types.is_bool_dtype(result.dtype):
            raise ConfigError(NOT_NUMBERS.format(file=self.file, name=name,
                                                 expr=expression.text))
        result = result.astype("float64")
        return result.where(np.isfinite(result))

    def _query(self, text: str, what: str) -> pd.Series:
        """Rows of the whole file where ``text`` holds (number columns compare as numbers)."""
        expression = parse_expression(text, key=f"{self.file}: {what}")
        expression.check_columns(self._whole.columns, source=self.file)
        return expression.condition(_typed(self._whole[list(expression.names)]))

    def _require(self, columns: list[str]) -> None:
        missing = [c for c in columns if c not in self.raw.columns]
        if missing:
            raise ConfigError(COLUMNS_MISSING.format(
                file=self.file, columns=missing, available=list(self.raw.columns)))

    # --- counts ------------------------------------------------------------------------------

    def counts(self) -> pd.DataFrame:
        cells = self._cells()
        for name, field in self.source.fields().items():
            cells[name] = self._field(field, name, cells)
        cells["denominator"] = self._denominator(cells)
        cells["_published"], cells["_scale"], cells["_tolerance"] = self._published(cells)
        cells = cells.drop(columns=[c for c in cells.columns if c.startswith(_CAPTURE)])
        if self.source.wide is not None:
            cells = _sum_strict(cells, ["_row", *KEYS], ["numerator"])
        cells["_file"] = self.file
        den = self.source.denominator
        cells["_den_from"] = den.measure if isinstance(den, FromMeasure) else ""
        cells["_line"] = cells["_row"] + _FIRST_LINE
        cells = self._combine(cells.drop(columns="_row"))
        return _with_district_totals(cells) if self.source.district_totals else cells

    def _cells(self) -> pd.DataFrame:
        """One cell per count: the source row, captured labels (wide) and the numerator."""
        rows = self.raw.index
        if self.source.wide is None:
            columns = _as_list(self.source.numerator)
            return pd.DataFrame({"_row": rows, "numerator": self._sum(columns, rows)})
        pattern = re.compile(self.source.wide.pattern)
        candidates = [*self.raw.columns, *self.source.derive]
        matched = {c: m.groupdict() for c in candidates if (m := pattern.fullmatch(c))}
        if not matched:
            raise ConfigError(NO_MATCH.format(file=self.file, pattern=pattern.pattern,
                                              available=candidates))
        return pd.concat(
            [pd.DataFrame({"_row": rows, **{_CAPTURE + k: v for k, v in captured.items()},
                           "numerator": self.numbers(c).to_numpy()})
             for c, captured in matched.items()],
            ignore_index=True,
        )

    def _sum(self, columns: list[str], rows: pd.Index | pd.Series) -> np.ndarray:
        """Columns added together (NaN if any part is suppressed), at the given rows."""
        total = sum(self.numbers(c) for c in columns)
        return total.loc[rows].to_numpy()

    def _field(self, field: Any, name: str, cells: pd.DataFrame) -> pd.Series:
        """A key column for every cell; fields read from the file are worked out once per row."""
        if isinstance(field, Capture):
            return self._finish(cells[_CAPTURE + field.capture].astype("string"), field, name,
                                cells["_row"])
        rows = self.raw.index.to_series()
        if isinstance(field, Constant):
            values = pd.Series(field.value, index=rows.index, dtype="string")
        elif isinstance(field, Template):
            parts = list(string.Formatter().parse(field.template))
            self._require([col for _, col, _, _ in parts if col])
            values = pd.Series("", index=rows.index, dtype="string")
            for literal, col, _, _ in parts:
                values = values + literal + (self.raw[col] if col else "")
        else:
            self._require([c for c in (field.column, field.fallback) if c])
            values = self.raw[field.column].astype("string")
            if field.fallback:
                _, missing, _ = _parse_series(values)
                values = values.mask(missing, self.raw[field.fallback])
        per_row = self._finish(values, field, name, rows)
        return pd.Series(per_row.loc[cells["_row"]].to_numpy(), index=cells.index)

    def _finish(self, values: pd.Series, field: Any, name: str, rows: pd.Series) -> pd.Series:
        """Relabel (or read the year), refusing blanks except a district-total school id."""
        if name == "school_year":
            return self._years(values, field, rows)
        label_map = getattr(field, "map", None)
        if label_map is not None:
            values = self._relabel(values, self.spec.label_map(label_map), name, rows)
        if name != "school_id" and (values == "").any():
            self._blank(name, rows[(values == "").to_numpy()])
        return values.astype(str)

    def _relabel(self, values: pd.Series, label_map: dict[str, str], name: str,
                 rows: pd.Series) -> pd.Series:
        keep_blank = name == "school_id"
        mapped = values.map(label_map).astype("string")
        unmapped = mapped.isna() & ~(keep_blank & (values == ""))
        if unmapped.any():
            lines = (rows[unmapped.to_numpy()] + _FIRST_LINE).unique()[:5].tolist()
            raise ConfigError(UNMAPPED.format(file=self.file, field=name, lines=lines,
                                              labels=values[unmapped].unique().tolist()))
        return mapped.fillna("")

    def _years(self, values: pd.Series, field: Any, rows: pd.Series) -> pd.Series:
        year = pd.to_numeric(values.str.extract(r"((?:19|20)\d\d)", expand=False))
        if year.isna().any():
            bad = year.isna().to_numpy()
            raise DataError([DataProblem(
                file=self.file, column=getattr(field, "column", None), message=BAD_YEAR,
                rows=(rows[bad] + _FIRST_LINE).tolist(), count=int(bad.sum()),
                expected=YEAR_EXPECTED,
            )])
        return (year + getattr(field, "offset", 0)).astype("int64")

    def _blank(self, name: str, rows: pd.Series) -> None:
        raise DataError([DataProblem(file=self.file, message=BLANK_ID.format(field=name),
                                     rows=(rows + _FIRST_LINE).tolist(), count=len(rows))])

    def _denominator(self, cells: pd.DataFrame) -> np.ndarray:
        spec, rows = self.source.denominator, cells["_row"]
        if spec is None:
            if not (cells["measure"] == ENROLLMENT).all():
                raise ConfigError(DENOMINATOR_REQUIRED.format(file=self.file))
            return cells["numerator"].to_numpy()
        if isinstance(spec, FromMeasure):
            return np.full(len(cells), np.nan)  # filled by _join_denominators
        if isinstance(spec, Capture):
            columns = cells[_CAPTURE + spec.capture].astype("string")
            if spec.map is not None:
                columns = self._relabel(columns, self.spec.label_map(spec.map), "denominator",
                                        rows)
            out = np.full(len(cells), np.nan)
            for column in columns.unique():
                at = (columns == column).to_numpy()
                out[at] = self.numbers(column).loc[rows[at]].to_numpy()
            return out
        return self._sum(_as_list(spec), rows)

    def _published(self, cells: pd.DataFrame) -> tuple[np.ndarray, float, float]:
        spec, rows = self.source.published, cells["_row"]
        theirs = np.full(len(cells), np.nan)
        if spec is None:
            return theirs, np.nan, np.nan
        if spec.column is not None:
            theirs = self.numbers(spec.column).loc[rows].to_numpy()
        for measure, groups in (spec.columns or {}).items():
            for group, column in groups.items():
                at = ((cells["measure"] == measure) & (cells["group"] == group)).to_numpy()
                theirs[at] = self.numbers(column).loc[rows[at]].to_numpy()
        return theirs, spec.scale, spec.tolerance

    def _combine(self, cells: pd.DataFrame) -> pd.DataFrame:
        repeated = cells.duplicated(KEYS, keep=False)
        if not repeated.any():
            return cells
        if self.source.combine == "error":
            lines = cells.loc[repeated, "_line"].tolist()
            raise DataError([DataProblem(file=self.file, message=DUPLICATE_KEYS.format(
                count=len(lines)), rows=lines, count=len(lines))])
        # A published rate belongs to one row; after adding rows it no longer applies.
        cells = cells.assign(_published=cells["_published"].mask(repeated))
        return _sum_strict(cells, KEYS, ["numerator", "denominator"])


def _with_district_totals(cells: pd.DataFrame) -> pd.DataFrame:
    """School rows plus their sums as district rows (a suppressed school keeps the sum missing)."""
    schools = cells[cells["school_id"] != ""]
    totals = _sum_strict(schools.assign(school_id="", _published=np.nan), KEYS,
                         ["numerator", "denominator"])
    return pd.concat([cells, totals[cells.columns]], ignore_index=True)


def _read_csv(path: Path, name: str) -> pd.DataFrame:
    try:
        data = read_regular(path)
    except FileRefused as err:
        message = FILE_MISSING if str(err) == "not found" else f"cannot be read: {err}"
        raise DataError([DataProblem(file=name, message=message,
                                     hint=f"looked for {path}")]) from None
    try:
        raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False,
                          encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        reason = csv_error(err, data.decode("utf-8-sig", errors="replace"))
        raise DataError([DataProblem(file=name, message=NOT_CSV.format(err=reason))]) from None
    if len(raw.columns) and (raw.iloc[:, -1] == "").any():  # a short row leaves it blank
        ragged = ragged_rows(data.decode("utf-8-sig"))
        if ragged:
            raise DataError([DataProblem(file=name, message=NOT_CSV.format(err=ragged))])
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw.apply(lambda col: col.str.strip())


def _typed(raw: pd.DataFrame) -> pd.DataFrame:
    """The file with number columns as numbers, for ``where`` and ``suppress`` queries."""
    typed = {}
    for column in raw.columns:
        numbers, suppressed, invalid = _parse_series(raw[column])
        typed[column] = raw[column] if invalid.any() or suppressed.all() else numbers
    return pd.DataFrame(typed, index=raw.index)


def _as_list(columns: str | list[str]) -> list[str]:
    return [columns] if isinstance(columns, str) else list(columns)


def _sum_strict(frame: pd.DataFrame, by: list[str], columns: list[str]) -> pd.DataFrame:
    """Group sums where a NaN part makes the sum NaN; other columns keep their first value."""
    grouped = frame.groupby(by, sort=False, dropna=False)
    out = grouped.first()
    out[columns] = grouped[columns].sum().mask(frame[columns].isna().groupby(
        [frame[b] for b in by], sort=False, dropna=False).any())
    return out.reset_index()


def _check_labels(counts: pd.DataFrame, spec: AggregateSpec) -> None:
    """Every measure known, every dimension canonical, every group a code of its dimension."""
    known = {*schema.OUTCOMES, ENROLLMENT, *spec.measures}
    for file, part in counts.groupby("_file", sort=False):
        first = part.drop_duplicates(["measure", "dimension", "group"])
        bad = first[~first["measure"].isin(known)]
        if len(bad):
            raise ConfigError(BAD_LABELS.format(
                file=file, what="measure(s)", values=bad["measure"].unique().tolist(),
                line=bad["_line"].iloc[0], expected=f"one of {sorted(known)}"))
        valid = [_valid_group(d, g) for d, g in zip(first["dimension"], first["group"],
                                                     strict=True)]
        bad = first[~np.array(valid, dtype=bool)]
        if len(bad):
            pairs = list(zip(bad["dimension"], bad["group"], strict=True))[:5]
            raise ConfigError(BAD_LABELS.format(
                file=file, what="(dimension, group)", values=pairs, line=bad["_line"].iloc[0],
                expected=f"'all'/'all' or a dimension of {list(schema.DIMENSIONS)} (or an "
                f"intersection joined by {schema.INTERSECTION_SEP!r}) with its codes: races "
                f"{list(schema.RACE_ETHNICITY)}, sexes {list(schema.SEXES)}, or 'true'/'false'"))


def _valid_group(dimension: str, group: str) -> bool:
    if dimension == "all":
        return group == "all"
    dims = dimension.split(schema.INTERSECTION_SEP)
    groups = group.split(schema.INTERSECTION_SEP)
    return (len(dims) == len(groups) == len(set(dims))
            and all(d in schema.DIMENSIONS and g in _GROUPS.get(d, _BOOLEAN_GROUPS)
                    for d, g in zip(dims, groups, strict=True)))


def _check_unique_across(counts: pd.DataFrame) -> None:
    repeated = counts[counts.duplicated(KEYS, keep=False)]
    if len(repeated):
        files = sorted(repeated["_file"].unique())
        lines = repeated["_line"].tolist()
        raise DataError([DataProblem(file=", ".join(files), rows=lines, count=len(lines),
                                     message=CROSS_DUPLICATES.format(files=files))])


GROUP_OVER_TOTAL = ("a group counts more students (with the outcome, or in all) than the "
                    "all-students row of the same place, year and measure")


def _check_groups_within_totals(counts: pd.DataFrame) -> None:
    """Every group's numerator and denominator are at most its all-students row's (the audit
    compares each group with the rest of its place)."""
    on = ["district_id", "school_id", "school_year", "measure"]
    totals = counts.loc[counts["dimension"] == "all", [*on, "numerator", "denominator"]]
    totals = totals.drop_duplicates(on).rename(columns={"numerator": "_all_num",
                                                        "denominator": "_all_den"})
    groups = counts[counts["dimension"] != "all"].merge(totals, on=on, how="inner")
    over = groups[(groups["numerator"] > groups["_all_num"])
                  | (groups["denominator"] > groups["_all_den"])]
    if len(over):
        lines = over["_line"].tolist()
        raise DataError([DataProblem(file=", ".join(sorted(over["_file"].unique())),
                                     rows=lines, count=len(lines), message=GROUP_OVER_TOTAL)])


def _join_denominators(counts: pd.DataFrame) -> pd.DataFrame:
    """Fill ``{measure: …}`` denominators from that measure's numerators (NaN without a match)."""
    wanted = (counts["_den_from"] != "").to_numpy()
    if not wanted.any():
        return counts
    lookup = counts.loc[~wanted, [*_PLACE, "measure", "numerator"]].rename(
        columns={"measure": "_den_from", "numerator": "_joined"})
    joined = counts[[*_PLACE, "_den_from"]].merge(lookup, how="left", on=[*_PLACE, "_den_from"])
    counts["denominator"] = counts["denominator"].where(~wanted, joined["_joined"].to_numpy())
    return counts
