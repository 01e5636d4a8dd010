"""The ``aggregate`` section of a client config: how published files become the counts table.

One entry per source file says which rows to keep, where the district, school and year come from,
which outcome (``measure``) and which student group each row or column counts, and which columns
hold the numerator and denominator. See ``examples/albemarle.yml`` for a commented example.
"""

from __future__ import annotations

import re
import re._constants as _sre_constants
import re._parser as _sre_parser
import string
from typing import Annotated, Any, Literal, Protocol

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from .. import schema
from .._files import is_inside
from ..errors import ExpressionError
from ..expressions import parse_expression

__all__ = [
    "AggregateSpec",
    "Capture",
    "Column",
    "Constant",
    "FromMeasure",
    "HasAggregate",
    "Published",
    "SourceSpec",
    "Template",
    "Wide",
]

#: The measure of enrollment counts (numerator = denominator = students in the group).
ENROLLMENT = "enrollment"
OUTSIDE_FOLDER = ("{file!r} is not a file inside the data folder: give a name relative to the "
                  "folder, without '..'")
FIELD_KINDS = "a constant, or a mapping with one of 'value', 'column', 'template', 'capture'"
UNKNOWN_MAP = "label map {name!r} is not defined under aggregate.labels"
UNKNOWN_CAPTURE = "'capture: {name}' names no group of the wide pattern {pattern!r}"
CAPTURE_WITHOUT_WIDE = "'capture' is only allowed in a source with a 'wide' pattern"
NUMERATOR_REQUIRED = "give 'numerator' (the column counting students with the outcome)"
NUMERATOR_WITH_WIDE = "a 'wide' source counts in the matched columns: drop 'numerator'"
OFFSET_OUTSIDE_YEAR = "'offset' is only allowed for school_year"
PUBLISHED_ONE_OF = "give exactly one of 'column' (per row) or 'columns' (wide: measure → group)"
BAD_PATTERN = "not a regular expression with named groups, e.g. '(?P<who>White|Black)_oss': {err}"
UNKNOWN_MEASURE = ("unknown measure(s) {names}: use an outcome of schema.OUTCOMES, {enrollment!r},"
                   " or declare it under aggregate.measures")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _text(value: Any) -> Any:
    """YAML scalars as text: ``true`` → ``"true"``, ``2`` → ``"2"`` (labels compare as text)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return value


def _text_map(value: Any) -> Any:
    if isinstance(value, dict):
        return {_text(k): _text(v) for k, v in value.items()}
    return value


LabelMap = Annotated[dict[str, str] | str, BeforeValidator(_text_map)]


class Constant(_Model):
    """The same value for every row (``district_id: "2"`` is short for ``{value: "2"}``)."""

    value: Annotated[str, BeforeValidator(_text)] = Field(description="The value, as text.")


class Column(_Model):
    """A value read from a column of the file, optionally relabelled.

    ``map``: raw label → canonical label (inline, or the name of a map under
    ``aggregate.labels``); a label missing from the map is an error. ``fallback``: a column used
    where ``column`` is blank or a missing-value marker. ``offset``: years added to a school year
    (``-1`` turns VDOE's graduating cohort 2008 into the fall year 2007 of school year 2007-08).
    """

    column: str = Field(description="Column of the file holding the value.")
    map: LabelMap | None = Field(None, description=(
        "Raw label → canonical label, inline or the name of a map under `aggregate.labels`."))
    fallback: str | None = Field(None, description=(
        "Column read where `column` is blank or a missing-value marker."))
    offset: int = Field(0, strict=True, description=(
        "Years added to a school year (school_year only)."))


class Template(_Model):
    """Text built from several columns, e.g. ``"{State}-{District}"``."""

    template: str = Field(description=(
        "Text with `{Column}` placeholders, e.g. `{State}-{District}`."))

    @field_validator("template")
    @classmethod
    def _plain_placeholders(cls, v: str) -> str:
        try:
            parts = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(v)
                     if f is not None]
        except ValueError as err:
            raise ValueError(f"not a valid template ({err}); write {{Column}} placeholders, "
                             "and {{ or }} for a brace") from None
        for name, spec, conv in parts:
            if not name or spec or conv or any(c in name for c in ".[]"):
                raise ValueError(f"placeholder {{{name}{'!' + conv if conv else ''}"
                                 f"{':' + spec if spec else ''}}} must be a plain column name "
                                 "in braces, such as {District}")
        return v

    def columns(self) -> list[str]:
        return [f for _, f, _, _ in string.Formatter().parse(self.template) if f]


class Capture(_Model):
    """A named group of the ``wide`` column pattern, optionally relabelled by ``map``."""

    capture: str = Field(description="Name of a named group of the `wide` pattern.")
    map: LabelMap | None = Field(None, description=(
        "Captured text → canonical label, inline or the name of a map under `aggregate.labels`."))


class FromMeasure(_Model):
    """Denominator taken from another measure's counts for the same place, year and group.

    ``{measure: enrollment}`` divides by the enrollment counts another source gives (matched
    on district, school, year, dimension and group); a group without a match gets NaN.
    """

    measure: str = Field(description="The measure whose counts are the denominator.")


def _field_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kinds = [k for k in ("value", "column", "template", "capture") if k in value]
        return kinds[0] if len(kinds) == 1 else None
    return "value"


def _wrap_constant(value: Any) -> Any:
    return value if isinstance(value, dict) else {"value": value}


Field_ = Annotated[
    Annotated[Constant, Tag("value")]
    | Annotated[Column, Tag("column")]
    | Annotated[Template, Tag("template")]
    | Annotated[Capture, Tag("capture")],
    Discriminator(_field_kind, custom_error_type="field_kind", custom_error_message=FIELD_KINDS),
    BeforeValidator(_wrap_constant),
]
Columns = str | list[str]


MAX_PATTERN_LENGTH = 500
_REPEATS = {_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT,
            getattr(_sre_constants, "POSSESSIVE_REPEAT", None)}


def _nested_repeat(parsed: Any, inside: bool = False) -> bool:
    """Whether a parsed regular expression repeats something that itself repeats (the shape
    of catastrophic backtracking); ``parsed`` is what ``re``'s own parser returns."""
    for op, arg in parsed:
        if op in _REPEATS:
            _, high, body = arg
            repeats = high is _sre_constants.MAXREPEAT or high > 1
            found = (repeats and inside) or _nested_repeat(body, inside or repeats)
        elif op is _sre_constants.SUBPATTERN:
            found = _nested_repeat(arg[-1], inside)
        elif op is _sre_constants.BRANCH:
            found = any(_nested_repeat(branch, inside) for branch in arg[1])
        elif op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT):
            found = _nested_repeat(arg[1], inside)
        else:
            found = False
        if found:
            return True
    return False


class Wide(_Model):
    """Several counts per row: every column whose whole name matches ``pattern``.

    Named groups of the pattern (``(?P<group>...)``) can be used by ``capture`` fields. Matched
    columns of one row that land on the same measure and group are added (e.g. CRDC "only one"
    and "more than one" out-of-school suspension), and share that group's denominator.
    """

    pattern: str = Field(description=(
        "Regular expression with named groups that a whole column name must match."))

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            compiled = re.compile(v)
        except re.error as err:
            raise ValueError(BAD_PATTERN.format(err=err)) from None
        if not compiled.groupindex:
            raise ValueError(BAD_PATTERN.format(err="no named group"))
        if len(v) > MAX_PATTERN_LENGTH:
            raise ValueError(BAD_PATTERN.format(err=f"longer than {MAX_PATTERN_LENGTH} "
                                                "characters"))
        if _nested_repeat(_sre_parser.parse(v)):
            raise ValueError(BAD_PATTERN.format(err=(
                "a repeated part inside another repeated part (such as (a+)+) can take "
                "exponential time; repeat only the innermost part")))
        return v

    def captures(self) -> set[str]:
        return set(re.compile(self.pattern).groupindex)


class Published(_Model):
    """The publisher's own rate, to check ours against (``check_published_figures``).

    ``column``: the rate column of a row-per-group source. ``columns``: for a wide source,
    measure → group → rate column. ``scale``: 100 when the rate is printed as a percentage.
    ``tolerance``: the largest difference, on the published scale, counted as agreement.
    """

    column: str | None = Field(None, description="Rate column of a row-per-group source.")
    columns: dict[str, dict[str, str]] | None = Field(None, description=(
        "Wide source: measure → group → rate column."))
    scale: float = Field(1.0, strict=True, allow_inf_nan=False, gt=0, description=(
        "100 when rates are printed as percentages."))
    tolerance: float = Field(1e-6, strict=True, allow_inf_nan=False, ge=0, description=(
        "Largest difference, on the published scale, that still counts as agreement."))

    @model_validator(mode="after")
    def _one_of(self) -> Published:
        if (self.column is None) == (self.columns is None):
            raise ValueError(PUBLISHED_ONE_OF)
        return self


class SourceSpec(_Model):
    """One published file and how its rows become counts.

    ``where``: a condition selecting the rows to keep (``Level == "Division"``; numbers in the
    file compare as numbers; see :mod:`equitykit.expressions` for what a condition may use).
    ``deduplicate``: drop rows repeated verbatim. ``combine``: what to do when several rows
    give the same count key: ``error`` (default) or ``sum`` (for labels that map onto one group;
    a suppressed part makes the sum suppressed). ``suppress``: column → condition marking cells
    the publisher top- or bottom-coded. ``derive``: new column → expression over the parsed
    numbers (``"count * 100 / percent"``), usable as a column.
    ``district_totals``: add district rows (``school_id`` ``""``) summing the school rows; only
    for a file that lists every school of each district.
    ``numerator``/``denominator``: a column, or a list of columns added together; the
    denominator may also be a ``capture`` (wide: captured label → column) or ``{measure: …}``,
    and may be left out for enrollment counts (then it equals the numerator).
    """

    file: str = Field(description="File name in the data folder.")
    where: str | None = Field(None, description=(
        "Expression selecting the rows to keep (see `equitykit.expressions`)."))
    deduplicate: bool = Field(False, strict=True, description="Drop rows repeated verbatim.")
    combine: Literal["error", "sum"] = Field("error", description=(
        "Several rows with the same count key: an error, or add them up."))
    district_totals: bool = Field(False, strict=True, description=(
        "Add district rows summing the school rows (the file lists every school)."))
    suppress: dict[str, str] = Field(default_factory=dict, description=(
        "Column → query marking cells the publisher top- or bottom-coded."))
    derive: dict[str, str] = Field(default_factory=dict, max_length=100, description=(
        "New column → expression over the parsed numbers (see `equitykit.expressions`)."))
    district_id: Field_ = Field(description="Where the district id comes from.")
    school_id: Field_ = Field(Constant(value=""), description=(
        "Where the school id comes from; blank means a district total."))
    school_year: Field_ = Field(description="Where the school year (the fall year) comes from.")
    measure: Field_ = Field(description="The outcome a row or column counts.")
    dimension: Field_ = Field(Constant(value="all"), description=(
        "The demographic dimension of the group (`all` for every student)."))
    group: Field_ = Field(Constant(value="all"), description="The student group counted.")
    wide: Wide | None = Field(None, description="Several counts per row, one per matched column.")
    numerator: Columns | None = Field(None, description=(
        "Column(s) counting students with the outcome (added together)."))
    denominator: Columns | Capture | FromMeasure | None = Field(None, description=(
        "Column(s) counting the students in the group, a capture, or `{measure: …}`; left out "
        "for enrollment counts."))
    published: Published | None = Field(None, description=(
        "The publisher's own rate, to check our rates against."))

    @field_validator("file")
    @classmethod
    def _inside_the_folder(cls, v: str) -> str:
        if not is_inside(v):
            raise ValueError(OUTSIDE_FOLDER.format(file=v))
        return v

    @field_validator("where")
    @classmethod
    def _where_is_safe(cls, v: str | None) -> str | None:
        return None if v is None else _expression(v)

    @field_validator("suppress", "derive")
    @classmethod
    def _expressions_are_safe(cls, v: dict[str, str]) -> dict[str, str]:
        for name, text in v.items():
            _expression(text, name)
        return v

    def fields(self) -> dict[str, Any]:
        """The fields that place a count: keys of the counts table."""
        return {name: getattr(self, name) for name in
                ("district_id", "school_id", "school_year", "measure", "dimension", "group")}

    @model_validator(mode="after")
    def _consistent(self) -> SourceSpec:
        if self.wide is None and self.numerator is None:
            raise ValueError(NUMERATOR_REQUIRED)
        if self.wide is not None and self.numerator is not None:
            raise ValueError(NUMERATOR_WITH_WIDE)
        captures = self.wide.captures() if self.wide else set()
        for name, spec in [*self.fields().items(), ("denominator", self.denominator)]:
            if isinstance(spec, Capture):
                if self.wide is None:
                    raise ValueError(f"{name}: {CAPTURE_WITHOUT_WIDE}")
                if spec.capture not in captures:
                    raise ValueError(f"{name}: " + UNKNOWN_CAPTURE.format(
                        name=spec.capture, pattern=self.wide.pattern))
            if isinstance(spec, Column) and spec.offset and name != "school_year":
                raise ValueError(f"{name}: {OFFSET_OUTSIDE_YEAR}")
        return self


def _expression(text: str, name: str = "") -> str:
    """Refuse an expression that is not valid or not allowed (see :mod:`equitykit.expressions`)."""
    try:
        parse_expression(text, key=name)
    except ExpressionError as err:
        raise ValueError(str(err)) from None
    return text


class AggregateSpec(_Model):
    """Published aggregate files of one data folder, read into the counts table.

    ``labels``: named label maps (raw → canonical) shared by sources. ``measures``: extra measure
    names (with a label for reports) beyond ``schema.OUTCOMES`` and ``enrollment``.
    ``defaults``: settings every source inherits unless it sets them (e.g. ``district_id``).
    ``sources``: one entry per file (or per way of reading a file).
    """

    labels: dict[str, Annotated[dict[str, str], BeforeValidator(_text_map)]] = Field(
        default_factory=dict, description="Named label maps (raw → canonical) shared by sources."
    )
    measures: dict[str, str] = Field(default_factory=dict, description=(
        "Extra measure names → their label in reports."))
    defaults: dict[str, Any] = Field(default_factory=dict, description=(
        "Settings every source inherits unless it sets them."))
    sources: list[SourceSpec] = Field(min_length=1, description=(
        "One entry per file (or per way of reading a file)."))

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("defaults"), dict):
            sources = data.get("sources")
            if isinstance(sources, list):
                data = {**data, "sources": [
                    {**data["defaults"], **s} if isinstance(s, dict) else s for s in sources
                ]}
        return data

    @model_validator(mode="after")
    def _references(self) -> AggregateSpec:
        known = {*schema.OUTCOMES, ENROLLMENT, *self.measures}
        for i, source in enumerate(self.sources):
            specs = [*source.fields().values(), source.denominator]
            for spec in specs:
                if isinstance(spec, Column | Capture) and isinstance(spec.map, str) \
                        and spec.map not in self.labels:
                    raise ValueError(f"sources.{i} ({source.file}): "
                                     + UNKNOWN_MAP.format(name=spec.map))
            named = self._constants(source.measure)
            if isinstance(source.denominator, FromMeasure):
                named.add(source.denominator.measure)
            if source.published and source.published.columns:
                named |= set(source.published.columns)
            unknown = sorted(named - known)
            if unknown:
                raise ValueError(f"sources.{i} ({source.file}): " + UNKNOWN_MEASURE.format(
                    names=unknown, enrollment=ENROLLMENT))
        return self

    def _constants(self, spec: Any) -> set[str]:
        """Measure names a field can produce (constants and map values)."""
        if isinstance(spec, Constant):
            return {spec.value}
        if isinstance(spec, Column | Capture) and spec.map is not None:
            return set(self.label_map(spec.map).values())
        return set()

    def label_map(self, spec: dict[str, str] | str) -> dict[str, str]:
        """An inline map, or the named map under ``labels``."""
        return self.labels[spec] if isinstance(spec, str) else spec


class HasAggregate(Protocol):
    """Anything with an ``aggregate`` section, such as a client config (public data needs
    nothing else from it)."""

    @property
    def aggregate(self) -> AggregateSpec | None: ...
