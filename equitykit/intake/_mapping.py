"""The client config's ``data`` section: renaming columns, recoding values, constants.

The config is checked against the canonical schema before any file is read, so a typo in a code
target (``"B": Blak``) is a :class:`~equitykit.errors.ConfigError`, not a surprise later. Problems
found in the data (a mapped column that is absent, a required column nobody mapped) are
:class:`~equitykit.errors.DataProblem` with a suggested config line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..config import DataMapping
from ..errors import ConfigError, DataProblem
from ..expressions import parse_expression

__all__: list[str] = []

ROLL_UP_LOCAL = ("data.roll_up.race_ethnicity: rolls labels up to a standard set, but "
                 "data.categories.race_ethnicity is local; use federal_1997 or federal_2024")
ROLL_UP_TARGET = ("data.roll_up.race_ethnicity.{label}: {target!r} is not a label of {set} "
                  "({labels})")
POVERTY_CLASH = ("data.school_poverty.column: {column!r} is already a schools column or a "
                 "dimension; name the schools file's poverty measure (e.g. mean_ses)")
DIMENSION_CLASH = "data.dimensions.{name}: already a column of {table}; choose another name"
BAD_TABLE = "data.{section}.{table}: unknown table; choose from {tables}"
BAD_TARGET_COLUMN = "data.columns.{table}.{source}: '{target}' is not a column of {table}{close}"
TWO_SOURCES = "data.columns.{table}: {sources} all map to '{target}'"
BAD_CODE_COLUMN = "data.codes.{column}: not a canonical column{close}"
BAD_CODE_VALUE = "data.codes.{column}.{code}: {value!r} is not a valid value ({expected})"
BAD_CONSTANT_COLUMN = (
    "data.constants.{table}.{column}: '{column}' is not a column of {table}{close}"
)
BAD_DERIVE_COLUMN = "data.derive.{table}.{column}: '{column}' is not a column of {table}{close}"
DERIVE_SHADOWS = "the config derives '{column}', so the file's column of that name is not used"
BAD_CONSTANT_VALUE = "data.constants.{table}.{column}: {value!r} is not a valid value ({expected})"

BAD_NOT_COLLECTED = (
    "data.not_collected: '{column}' cannot be declared not collected; choose student columns "
    "other than {keys}{close}"
)
NOT_COLLECTED_PRESENT = (
    "the config declares '{column}' not collected, so the file's column of that name is not used"
)
#: Student columns every row needs; the others may be declared not collected.
ALWAYS_COLLECTED = ("student_id", "school_year", "district_id", "school_id", "grade")

MAPPED_COLUMN_ABSENT = (
    "the config maps column '{source}' to '{target}', but the file has no such column"
)
DUPLICATE_TARGET = "columns {sources} all become '{target}'; only the first is used"
CONSTANT_SHADOWED = (
    "the config sets a constant for '{column}', but the file has that column; "
    "the file's values are used"
)
UNUSED_COLUMNS = "columns not used by equitykit: {names}"
MISSING_COLUMN = "required column '{column}' is missing"
MISSING_COLUMN_HINT = 'columns: {{{table}: {{"{source}": {column}}}}}'
MISSING_DISTRICT_HINT = 'constants: {{{table}: {{district_id: "your-district"}}}}'
DERIVE_HINT = "derive: {{{table}: {{{column}: '{expression}'}}}}"
NOT_COLLECTED_HINT = "not_collected: [{column}] if the district does not collect it"

#: The canonical columns of every table by name (a name has the same kind in every table).
COLUMNS: dict[str, schema.Column] = {
    name: col for table in schema.TABLES.values() for name, col in table.items()
}

#: Codes shorter than this get no fuzzy guess ("13" is not grade "3").
_MIN_FUZZY = 3
#: Similarity a code needs to a label to be suggested ("Whte" → White at 0.89; "Martian" is
#: nobody's race, and its 0.73 to "AIAN" must not suggest American Indian/Alaska Native).
_LABEL_CUTOFF = 0.75

_EXPECTED = {
    "bool": "true or false",
    "int": "a whole number",
    "number": "a number",
    "string": "text",
    "date": "a date written YYYY-MM-DD (or M/D/YYYY)",
}

#: District column names often seen for a canonical column (compared lower-case, letters only).
_COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "student_id": ("sid", "studentid", "stuid", "studentnumber", "localid", "stateid", "id"),
    "school_year": ("year", "schoolyear", "sy", "fallyear", "academicyear"),
    "district_id": ("district", "districtid", "leaid", "lea", "districtcode", "distid"),
    "school_id": ("school", "schoolid", "schoolcode", "campus", "campusid", "schid", "building"),
    "grade": ("gradelevel", "gr", "gradecode", "grd"),
    "race_ethnicity": ("race", "ethnicity", "raceeth", "federalrace", "racecode"),
    "sex": ("gender", "male", "sexcode", "gendercode"),
    "econ_disadvantaged": ("frl", "frpl", "ecodis", "econdis", "lowincome", "ed", "frlstatus",
                           "economicallydisadvantaged", "frleligible"),
    "english_learner": ("ell", "el", "lep", "englishlanguagelearner", "elstatus", "ellstatus"),
    "disability": ("iep", "swd", "sped", "specialeducation", "specialed", "idea"),
    "staff_id": ("staffid", "teacherid", "employeeid", "tid", "empid"),
    "years_experience": ("experience", "yearsexperience", "yrsexp", "yearsofexperience"),
    "school_name": ("name", "schoolname", "campusname"),
}
#: Columns only ever suggested from a synonym, never from a merely similar name ("mobility"
#: is not "disability").
_NO_FUZZY = (*schema.DIMENSIONS, "disability_category", "section_504")
#: Separate race flags (``black``: 0/1), in the order a combining expression tests them;
#: a student with none set is White in the suggestion (the user checks it).
_RACE_FLAGS: dict[str, str] = {
    "hispanic": "Hispanic/Latino", "latino": "Hispanic/Latino", "black": "Black",
    "asian": "Asian", "aian": "American Indian/Alaska Native",
    "amindian": "American Indian/Alaska Native", "nhpi": "Native Hawaiian/Pacific Islander",
    "pacificislander": "Native Hawaiian/Pacific Islander", "multiracial": "Two or more races",
    "twoormore": "Two or more races",
}
#: Continuous columns whose bottom quartile is a usual stand-in for economic disadvantage.
_SES_NAMES = ("ses", "sesindex", "socioeconomicstatus", "familyincome", "income")

#: Common state and federal labels for canonical codes (keys lower-case, words only).
_LABEL_SYNONYMS: dict[str, dict[str, str]] = {
    "race_ethnicity": {
        **dict.fromkeys(
            ("african american", "black or african american", "black african american",
             "black not of hispanic origin", "black non hispanic", "bl7", "aa"), "Black"),
        **dict.fromkeys(
            ("hispanic", "latino", "latina", "latinx", "hispanic or latino", "hispanic latino",
             "hispanic latino of any race", "hispanic of any race", "hi7"), "Hispanic/Latino"),
        **dict.fromkeys(
            ("multiracial", "multi racial", "two or more", "two or more races",
             "multiple races", "multiple", "mixed race", "mu7", "tr"), "Two or more races"),
        **dict.fromkeys(
            ("pacific islander", "native hawaiian", "hawaiian",
             "native hawaiian or other pacific islander", "native hawaiian pacific islander",
             "nhpi", "pi7", "pi"), "Native Hawaiian/Pacific Islander"),
        **dict.fromkeys(
            ("american indian", "american indian or alaska native",
             "american indian alaska native", "american indian alaskan native",
             "native american", "alaska native", "amerind", "am7", "ai", "aian", "i"),
            "American Indian/Alaska Native"),
        **dict.fromkeys(
            ("caucasian", "white not of hispanic origin", "white non hispanic", "wh7"),
            "White"),
        **dict.fromkeys(("as7", "asian american"), "Asian"),
    },
    "sex": {
        **dict.fromkeys(("female", "girl", "woman", "f"), "F"),
        **dict.fromkeys(("male", "boy", "man", "m"), "M"),
        **dict.fromkeys(("nonbinary", "non binary", "x"), "X"),
    },
    "grade": {
        **dict.fromkeys(("kg", "kindergarten", "kinder", "k5", "0", "00"), "K"),
        **dict.fromkeys(("pre k", "prek", "pre kindergarten", "prekindergarten", "pk3", "pk4",
                         "p3", "p4", "ee"), "PK"),
    },
    "disability_category": {
        "autism": "AUT", "deaf blindness": "DB", "developmental delay": "DD",
        "emotional disturbance": "EMN", "emotional disability": "EMN", "hearing impairment": "HI",
        "deafness": "HI", "intellectual disability": "ID", "multiple disabilities": "MD",
        "orthopedic impairment": "OI", "other health impairment": "OHI",
        "specific learning disability": "SLD", "speech or language impairment": "SLI",
        "traumatic brain injury": "TBI", "visual impairment": "VI",
    },
}


_RACE_SETS = {"federal_1997": schema.RACE_ETHNICITY, "federal_2024": schema.RACE_ETHNICITY_2024}


def table_columns(mapping: DataMapping) -> dict[str, dict[str, schema.Column]]:
    """The canonical columns of every table under this config: ``race_ethnicity`` in its
    category set (local labels are any text), and the config's own dimensions added to the
    students or schools table."""
    race_set = mapping.categories.get("race_ethnicity", "federal_1997")
    tables = {}
    for table, columns in schema.TABLES.items():
        columns = dict(columns)
        if "race_ethnicity" in columns:
            race = columns["race_ethnicity"]
            columns["race_ethnicity"] = (
                schema.Column(race.name, "string", race.required) if race_set == "local"
                else schema.Column(race.name, race.kind, race.required, _RACE_SETS[race_set]))
        level = {"students": "student", "schools": "school"}.get(table)
        for name, dim in mapping.dimensions.items():
            if dim.level == level:
                columns[name] = schema.Column(name, "string" if dim.values is None
                                              else "category", True, dim.values)
        poverty = mapping.school_poverty
        if table == "schools" and poverty is not None:
            columns[poverty.column] = schema.Column(poverty.column, "number", True)
        tables[table] = columns
    return tables


def _check_roll_up(mapping: DataMapping) -> None:
    """Every ``roll_up`` target is a label of the standard category set it rolls up to."""
    labels = mapping.roll_up.get("race_ethnicity", {})
    race_set = mapping.categories.get("race_ethnicity", "federal_1997")
    if labels and race_set == "local":
        raise ConfigError(ROLL_UP_LOCAL)
    for label, target in labels.items():
        if target not in _RACE_SETS[race_set]:
            raise ConfigError(ROLL_UP_TARGET.format(label=label, target=target, set=race_set,
                                                    labels=", ".join(_RACE_SETS[race_set])))


@dataclass(frozen=True)
class CodeBook:
    """A column's code mapping: exact text first, then case-insensitive when unambiguous."""

    exact: Mapping[str, Any]
    folded: Mapping[str, Any]

    @classmethod
    def build(cls, codes: Mapping[str, Any]) -> CodeBook:
        exact = {str(k).strip(): v for k, v in codes.items()}
        folded: dict[str, Any] = {}
        clashes: set[str] = set()
        for key, value in exact.items():
            fk = key.casefold()
            if fk in folded and folded[fk] != value:
                clashes.add(fk)
            folded[fk] = value
        return cls(exact, {k: v for k, v in folded.items() if k not in clashes})

    def lookup(self, text: pd.Series) -> tuple[np.ndarray, pd.Series]:
        """For each text value: was it mapped, and onto what (``None`` = missing)."""
        keys = text.astype(object)
        matched = keys.isin(list(self.exact)).to_numpy(dtype=bool)
        target = keys.map(self.exact)
        folded = keys.where(~matched).str.casefold()
        fallback = folded.isin(list(self.folded)).to_numpy(dtype=bool) & ~matched
        target = target.where(~fallback, folded.map(self.folded))
        return matched | fallback, target.astype(object)


def check_mapping(mapping: DataMapping) -> dict[str, CodeBook]:
    """Check the config's ``data`` section against the schema; one code book per column.

    Raises
    ------
    ConfigError
        An unknown table or column, or a code or constant that is not a valid canonical value.
    """
    for name, dim in mapping.dimensions.items():
        table = "students" if dim.level == "student" else "schools"
        if name in schema.TABLES[table] or name in COLUMNS:
            raise ConfigError(DIMENSION_CLASH.format(name=name, table=table))
    _check_roll_up(mapping)
    poverty = mapping.school_poverty
    if poverty is not None and (poverty.column in schema.TABLES["schools"]
                                or poverty.column in mapping.dimensions):
        raise ConfigError(POVERTY_CLASH.format(column=poverty.column))
    canonical = table_columns(mapping)
    all_columns = {n: c for t in canonical.values() for n, c in t.items()}
    tables = list(schema.TABLES)
    for section in ("files", "columns", "constants", "derive"):
        for table in getattr(mapping, section):
            if table not in schema.TABLES:
                raise ConfigError(BAD_TABLE.format(section=section, table=table, tables=tables))
    for table, renames in mapping.columns.items():
        sources: dict[str, list[str]] = {}
        for source, target in renames.items():
            if target not in canonical[table]:
                raise ConfigError(BAD_TARGET_COLUMN.format(
                    table=table, source=source, target=target,
                    close=_close(target, canonical[table])))
            sources.setdefault(target, []).append(source)
        for target, names in sources.items():
            if len(names) > 1:
                raise ConfigError(TWO_SOURCES.format(table=table, sources=names, target=target))
    books = {}
    for column, codes in mapping.codes.items():
        if column not in all_columns:
            raise ConfigError(BAD_CODE_COLUMN.format(column=column,
                                                     close=_close(column, all_columns)))
        if not isinstance(codes, Mapping):
            raise ConfigError(f"data.codes.{column}: expected a mapping of code: value")
        normalised = {}
        for code, value in codes.items():
            ok, target = canonical_value(all_columns[column], value, allow_missing=True)
            if not ok:
                raise ConfigError(BAD_CODE_VALUE.format(
                    column=column, code=code, value=value,
                    expected=expected(all_columns[column])))
            normalised[code] = target
        books[column] = CodeBook.build(normalised)
    for column in mapping.not_collected:
        if column not in canonical["students"] or column in ALWAYS_COLLECTED:
            raise ConfigError(BAD_NOT_COLLECTED.format(
                column=column, keys=", ".join(ALWAYS_COLLECTED),
                close=_close(column, canonical["students"])))
    for table, derived in mapping.derive.items():
        for column in derived:
            if column not in canonical[table]:
                raise ConfigError(BAD_DERIVE_COLUMN.format(
                    table=table, column=column, close=_close(column, canonical[table])))
    for table, constants in mapping.constants.items():
        for column, value in constants.items():
            if column not in canonical[table]:
                raise ConfigError(BAD_CONSTANT_COLUMN.format(
                    table=table, column=column, close=_close(column, canonical[table])))
            if not canonical_value(canonical[table][column], value)[0]:
                raise ConfigError(BAD_CONSTANT_VALUE.format(
                    table=table, column=column, value=value,
                    expected=expected(canonical[table][column])))
    return books


def canonical_value(column: schema.Column, value: Any, *, allow_missing: bool = False
                    ) -> tuple[bool, Any]:
    """Whether a config value is valid for a column, and its canonical form."""
    if value is None:
        return allow_missing, None
    text = str(value).strip()
    if column.codes is not None:
        hits = [c for c in column.codes if c.casefold() == text.casefold()]
        return (True, hits[0]) if hits else (False, None)
    if column.kind == "bool":
        if isinstance(value, bool):
            return True, value
        low = text.lower()
        if low in schema.BOOL_TRUE or low in schema.BOOL_FALSE:
            return True, low in schema.BOOL_TRUE
        return False, None
    if column.kind in ("int", "number"):
        number = pd.to_numeric(pd.Series([text]), errors="coerce").iloc[0]
        valid = not isinstance(value, bool) and pd.notna(number)
        if column.kind == "int":
            valid = valid and float(number).is_integer()
        return (True, float(number)) if valid else (False, None)
    return True, text


def expected(column: schema.Column) -> str:
    """What a column's values should look like, for messages."""
    if column.codes is not None:
        return "one of " + ", ".join(column.codes)
    return _EXPECTED[column.kind]


def apply_columns(
    frame: pd.DataFrame, table: str, mapping: DataMapping, file: str
) -> tuple[pd.DataFrame, list[DataProblem]]:
    """Rename a table's columns onto canonical names, add constants, drop the rest (the
    schools table keeps its other columns, as school attributes)."""
    canonical = table_columns(mapping)[table]
    renames = mapping.columns.get(table, {})
    folded_renames = {k.strip().casefold(): v for k, v in renames.items()}
    folded_canonical = {name.casefold(): name for name in canonical}
    problems: list[DataProblem] = []
    headers = list(frame.columns)
    targets: dict[str, list[str]] = {}
    for header in headers:
        target = folded_renames.get(header.casefold()) or folded_canonical.get(header.casefold())
        if target is not None:
            targets.setdefault(target, []).append(header)
    found = {h.casefold() for h in headers}
    for source, target in renames.items():
        if source.strip().casefold() not in found:
            problems.append(_warning(file, MAPPED_COLUMN_ABSENT.format(source=source,
                                                                       target=target)))
    for target, sources in targets.items():
        if len(sources) > 1:
            problems.append(DataProblem(file=file, column=target, message=DUPLICATE_TARGET.format(
                sources=", ".join(f"'{s}'" for s in sources), target=target)))
    used = {sources[0]: target for target, sources in targets.items()}
    derived = _derive(frame.rename(columns=used), table, mapping)
    for column in derived:
        if column in used.values():
            problems.append(_warning(file, DERIVE_SHADOWS.format(column=column)))
    read = {name for text in mapping.derive.get(table, {}).values()
            for name in parse_expression(text).names}
    used = {h: t for h, t in used.items() if t not in derived}
    matched = {h for sources in targets.values() for h in sources} | read
    unused = [h for h in headers if h not in matched]
    if table == "schools":  # sector, magnet, school mean SES…: kept under their own names
        kept = [h for h in unused if h.strip() and h.strip() not in used.values()]
        used |= {h: h.strip() for h in kept}
        unused = [h for h in unused if h not in kept]
    out = frame[list(used)].set_axis(list(used.values()), axis=1)
    for column, values in derived.items():
        out[column] = values
    for column, value in mapping.constants.get(table, {}).items():
        if column in out.columns:
            problems.append(_warning(file, CONSTANT_SHADOWED.format(column=column)))
        else:
            out[column] = value
    absent = mapping.not_collected if table == "students" else ()
    for column in absent:
        if column in out.columns:
            problems.append(_warning(file, NOT_COLLECTED_PRESENT.format(column=column)))
    out = out.drop(columns=[c for c in absent if c in out.columns])
    if unused:
        problems.append(_warning(file, UNUSED_COLUMNS.format(names=", ".join(unused))))
    for name, column in canonical.items():
        if column.required and name not in out.columns and name not in absent:
            problems.append(DataProblem(
                file=file, column=name, message=MISSING_COLUMN.format(column=name),
                hint=_column_hint(table, name, frame[unused])))
    return out, problems


def _derive(frame: pd.DataFrame, table: str, mapping: DataMapping) -> dict[str, pd.Series]:
    """The table's ``data.derive`` columns, computed on the renamed rows.

    A column whose every value is a number computes as numbers; a condition becomes
    ``"true"``/``"false"`` text and missing stays missing, so codes and checks apply as usual.

    Raises
    ------
    ExpressionError
        An expression reads a column the file does not have, or its values do not fit.
    """
    derived = {}
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for column, text in mapping.derive.get(table, {}).items():
        expression = parse_expression(text, key=f"data.derive.{table}.{column}")
        expression.check_columns(frame.columns, source="the file")
        view = pd.DataFrame({name: _numbers_or_text(frame[name]) for name in expression.names},
                            index=frame.index)
        values = expression.values(view)
        if pd.api.types.is_bool_dtype(values.dtype):
            values = values.astype("boolean").map({True: "true", False: "false"},
                                                  na_action="ignore")
        derived[column] = values
    return derived


def _numbers_or_text(values: pd.Series) -> pd.Series:
    """Numbers when every present value is one; otherwise the text as read."""
    text = values.astype("string").str.strip()
    numbers = pd.to_numeric(text.where(text.str.len() <= 100), errors="coerce")
    if numbers.notna().sum() == text.notna().sum():
        return numbers.astype("float64")
    return text


def suggest_label(code: str, column: schema.Column) -> str | None:
    """A best guess for the canonical value an unknown code stands for, or ``None``."""
    allowed = column.codes or ()
    norm = _words(code)
    synonyms = _LABEL_SYNONYMS.get(column.name, {})
    if norm in synonyms:
        return synonyms[norm]
    prefixed = [c for c in allowed if c.casefold().startswith(code.casefold())]
    if len(prefixed) == 1:
        return prefixed[0]
    if len(norm) < _MIN_FUZZY:
        return None
    choices = {_words(c): c for c in allowed} | synonyms
    close = difflib.get_close_matches(norm, list(choices), n=1, cutoff=_LABEL_CUTOFF)
    return choices[close[0]] if close else None


def _column_hint(table: str, column: str, unused: pd.DataFrame) -> str | None:
    """A config line for a missing required column, from the file's unused columns: a
    known synonym, a close name (not for dimensions), race flags to combine, an SES column to
    cut, a row number for ids; otherwise a constant or "not collected" where those fit."""
    by_letters = {re.sub(r"[^a-z0-9]", "", str(h).casefold()): h for h in unused.columns}
    synonyms = _COLUMN_SYNONYMS.get(column, ())
    source = next((by_letters[s] for s in synonyms if s in by_letters), None)
    if source is None and column not in _NO_FUZZY:
        close = difflib.get_close_matches(column.replace("_", ""), list(by_letters), n=1,
                                          cutoff=0.6)
        source = by_letters[close[0]] if close else None
    if source is not None:
        return MISSING_COLUMN_HINT.format(table=table, source=source, column=column)
    expression = _derive_hint(column, by_letters, unused)
    if expression is not None:
        return DERIVE_HINT.format(table=table, column=column, expression=expression)
    if column == "district_id":
        return MISSING_DISTRICT_HINT.format(table=table)
    if table == "students" and column not in ALWAYS_COLLECTED:
        return NOT_COLLECTED_HINT.format(column=column)
    return None


def _derive_hint(column: str, by_letters: dict[str, str], unused: pd.DataFrame) -> str | None:
    """An expression computing ``column`` from the file's columns, when their names and values
    make one plain."""
    if column == "race_ethnicity":
        flags = [(by_letters[name], label) for name, label in _RACE_FLAGS.items()
                 if name in by_letters and _is_flag(unused[by_letters[name]])]
        if flags:  # students with no flag set get the last label: check it
            expression = '"White"'
            for header, label in reversed(flags):
                expression = f'where({_name(header)} == 1, "{label}", {expression})'
            return expression
    if column == "econ_disadvantaged":
        ses = next((by_letters[n] for n in _SES_NAMES if n in by_letters), None)
        if ses is not None and _numeric(unused[ses]):
            return f"{_name(ses)} <= quantile({_name(ses)}, 0.25)"
    if column == "student_id":
        return "row_number()"
    return None


def _is_flag(values: pd.Series) -> bool:
    text = set(values.dropna().astype(str).str.strip()) - {""}
    return bool(text) and text <= {"0", "1", "0.0", "1.0"}


def _numeric(values: pd.Series) -> bool:
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers.notna().sum() > 0 and numbers.nunique() > 2


def _name(header: str) -> str:
    """A column name as written in an expression (backticks when it is not a plain name)."""
    return header if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", header) else f"`{header}`"


def _close(name: str, choices: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


def _warning(file: str, message: str) -> DataProblem:
    return DataProblem(file=file, message=message, severity="warning")
