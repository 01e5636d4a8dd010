"""The client config (docs/config.md): one YAML file per client, validated up front.

Every field has a default, so an audit runs without a config. :func:`load_config` turns any
problem (unknown key, wrong type, out-of-range value, unreadable YAML) into a :class:`ConfigError`
that names the key, before any notebook starts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ._files import FileRefused, read_regular
from ._format_names import DEFAULT_FORMATS, parse_formats
from ._logo import check_logo_value, read_logo
from ._notebooks import notebook_problem
from ._words import INTERSECTIONS
from .errors import ConfigError, ExpressionError
from .expressions import parse_expression
from .privacy import DEFAULT_PROTECTION_WIDTH
from .public_data._spec import AggregateSpec
from .schema import DIMENSIONS, INTERSECTION_SEP, OUTCOMES

__all__ = [
    "DETAILED",
    "SECTIONS",
    "AuditConfig",
    "Branding",
    "ChronicAbsence",
    "DataMapping",
    "Dimension",
    "Discipline",
    "Focus",
    "GapRules",
    "Goal",
    "IdeaRules",
    "Offense",
    "Privacy",
    "ReportOptions",
    "SchoolPoverty",
    "Survey",
    "TeacherRules",
    "load_config",
]

#: Report sections in the order the audit presents them.
SECTIONS: tuple[str, ...] = (
    "summary",
    "focus",
    "goals",
    "data_profile",
    "enrollment",
    "achievement",
    "programmatic",
    "discipline",
    "teacher_quality",
    "segregation",
    "resources",
    "climate",
    "predictiveness",
    "findings",
    "trends",
    "methods",
    "provenance",
)


#: Limits on a config file: bytes, values once anchors are expanded, and nesting.
MAX_CONFIG_BYTES = 1024 * 1024
MAX_CONFIG_VALUES = 100_000
MAX_CONFIG_DEPTH = 50
NOTEBOOK_OUTSIDE = ("{path}: notebook: {notebook} must be a relative path inside the config "
                    "file's folder {folder} (no absolute path, no .., no link leading out of "
                    "it): a notebook is code, so a config may run only one kept beside it")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Branding(_Model):
    """How the report looks: logo image and accent colour (CSS hex).

    ``logo``: a PNG, JPEG or GIF file of at most 2 MB (a path relative to the config file);
    SVG and web addresses are refused.
    """

    logo: Path | None = Field(None, description=(
        "Image file (PNG, JPEG or GIF, at most 2 MB; SVG is refused) shown at the top of the "
        "report; a relative path is relative to the config file's folder."))
    accent_color: str = Field("#1f5f8b", description=(
        "Colour of headings and highlights, as a CSS hex colour `#rrggbb`."))

    @field_validator("logo", mode="before")
    @classmethod
    def _not_a_url(cls, v: Any) -> Any:
        return check_logo_value(v)

    @field_validator("accent_color")
    @classmethod
    def _hex(cls, v: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", v):
            raise ValueError("must be a hex colour like '#1f5f8b'")
        return v


class Dimension(_Model):
    """A dimension of the district's own, audited under its own name (e.g. minority status).

    A student dimension is the students column of that name (renamed or derived like any
    column); a school dimension is the schools column of that name, given to each student by
    school and year (e.g. sector, magnet, Title I status).
    """

    title: str = Field(..., min_length=1, description=(
        "Its name in the report, e.g. `Minority status`."))
    values: tuple[str, ...] | None = Field(None, description=(
        "Its labels in report order; any other value is an error (default: any label)."))
    level: Literal["student", "school"] = Field("student", description=(
        "`student`: a column of the students file; `school`: a column of the schools file."))


class SchoolPoverty(_Model):
    """A school attribute measuring school poverty (e.g. share of low-income students, or
    school mean SES), used for segregation by school poverty instead of each school's share
    of economically disadvantaged students."""

    column: str = Field(..., min_length=1, description=(
        "A numeric column of the schools file, e.g. `pct_low_income` or `mean_ses`."))
    poorer: Literal["higher", "lower"] = Field("higher", description=(
        "`higher`: a higher value means a poorer school (a share of low-income students); "
        "`lower`: a lower value does (a mean SES)."))


#: The dimension that keeps the district's detailed labels when ``data.roll_up`` rolls
#: ``race_ethnicity`` up to a standard set.
DETAILED = "race_ethnicity_detailed"
DETAILED_TITLE = "Race/ethnicity (detailed)"


class DataMapping(_Model):
    """How a district's own export maps onto the canonical tables.

    ``files``: canonical table name → file name in the data folder (default: the file whose stem
    is the table name). ``columns``: per table, the district's column name → canonical name.
    ``codes``: per canonical column, the district's code → canonical value (e.g. ``"B": Black``).
    ``constants``: per table, a canonical column missing from the export → one value for all rows.
    ``derive``: per table, a canonical column → an expression computing it from the row's other
    columns after renaming (see :mod:`equitykit.expressions`), e.g.
    ``race_ethnicity: where(hisp == "Y", "Hispanic/Latino", race)``, ``student_id:
    row_number()``, ``school_year: grad_year - 1``; columns holding only numbers compute as
    numbers, and a condition gives true/false. Codes then apply to the result as to any column.
    ``categories``: the category set of ``race_ethnicity`` (``federal_1997``, ``federal_2024``
    or ``local``); codes roll a district's local labels up to a standard set.
    ``dimensions``: the district's own dimensions (:class:`Dimension`), audited under their
    own name.
    ``not_collected``: student columns (a demographic dimension or an outcome's column) the
    district does not collect; they are absent rather than required, and never read.
    ``roll_up``: the district's detailed ``race_ethnicity`` labels → the standard label each
    rolls up to. It is shorthand for those codes plus an own dimension
    ``race_ethnicity_detailed`` derived from the column as the file writes it.
    ``school_poverty``: a schools column measuring school poverty (:class:`SchoolPoverty`)
    for segregation by school poverty (default: each school's share of economically
    disadvantaged students).
    """

    files: dict[str, str] = Field(default_factory=dict, description=(
        "Table name (`students`, `staff`, `schools`, `survey`, `incidents`) → file name in the "
        "data folder."))
    columns: dict[str, dict[str, str]] = Field(default_factory=dict, description=(
        "Per table, the export's column name → the canonical column name."))
    codes: dict[str, dict[str, Any]] = Field(default_factory=dict, description=(
        "Per canonical column, the export's code → the canonical value; `null` means missing."))
    constants: dict[str, dict[str, Any]] = Field(default_factory=dict, description=(
        "Per table, a canonical column the export lacks → one value for every row."))
    derive: dict[str, dict[str, str]] = Field(default_factory=dict, description=(
        "Per table, a canonical column → a safe expression computing it from the export's "
        "columns (see `equitykit.expressions`)."))
    categories: dict[Literal["race_ethnicity"],
                     Literal["federal_1997", "federal_2024", "local"]] = Field(
        default_factory=dict, description=(
            "Category set of `race_ethnicity`: `federal_1997` (the seven federal categories, "
            "default), `federal_2024` (adds Middle Eastern or North African) or `local` (the "
            "district's own labels, audited as they are)."))
    dimensions: dict[str, Dimension] = Field(default_factory=dict, description=(
        "Dimensions of the district's own (name → title, values, level), audited under their "
        "own name alongside the standard ones."))
    not_collected: tuple[str, ...] = Field((), description=(
        "Student columns the district does not collect (e.g. `english_learner`, `disability`, "
        "`days_absent`): they are not required, and each affected report section says so in "
        "one line."))
    roll_up: dict[Literal["race_ethnicity"], dict[str, str]] = Field(
        default_factory=dict, description=(
            "Per category column (`race_ethnicity`), the district's detailed label, as the file "
            "writes it → the label of the standard set (`categories`) it rolls up to, e.g. "
            "`Somali: Black`. Standard tables use the rolled-up labels; the detailed labels are "
            "audited too, as the dimension `race_ethnicity_detailed`, where a label of fewer "
            "than `privacy.min_n` students is counted in `<standard label> (other)`."))
    school_poverty: SchoolPoverty | None = Field(None, description=(
        "A numeric schools column measuring school poverty (column, and whether `higher` or "
        "`lower` values are poorer), for segregation by school poverty; default: each "
        "school's share of economically disadvantaged students."))

    @model_validator(mode="before")
    @classmethod
    def _roll_up_as_codes(cls, data: Any) -> Any:
        """``roll_up`` as codes of ``race_ethnicity`` plus the detailed dimension, derived
        from the column before the codes apply. Values of the wrong type are left to the
        field checks, which name them."""
        parts = [data.get(k) if isinstance(data, dict) else None
                 for k in ("roll_up", "codes", "derive", "dimensions")]
        if not isinstance(parts[0], dict) or not all(p is None or isinstance(p, dict)
                                                     for p in parts[1:]):
            return data
        roll_up, codes, derive, dimensions = (dict(p or {}) for p in parts)
        labels, race, students = (roll_up.get("race_ethnicity"), codes.get("race_ethnicity"),
                                  derive.get("students"))
        if not (isinstance(labels, dict) and labels and isinstance(race or {}, dict)
                and isinstance(students or {}, dict)):
            return data
        race = {str(k): v for k, v in (race or {}).items()}
        for label, target in labels.items():
            if race.get(str(label), target) != target:
                raise ValueError(f"roll_up.race_ethnicity.{label}: codes.race_ethnicity gives "
                                 f"{label!r} another value; give it in one place")
            race[str(label)] = target
        if DETAILED in (students or {}) or DETAILED in dimensions:
            raise ValueError(f"roll_up: {DETAILED} is the dimension roll_up creates; do not "
                             "derive or declare it too")
        return {**data, "codes": {**codes, "race_ethnicity": race},
                "derive": {**derive, "students": {**(students or {}),
                                                  DETAILED: "race_ethnicity"}},
                "dimensions": {**dimensions, DETAILED: {"title": DETAILED_TITLE}}}

    @field_validator("derive")
    @classmethod
    def _expressions_are_safe(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for table, columns in v.items():
            for column, text in columns.items():
                try:
                    parse_expression(text, key=f"{table}.{column}")
                except ExpressionError as err:
                    raise ValueError(str(err)) from None
        return v

    @field_validator("dimensions")
    @classmethod
    def _dimension_names(cls, v: dict[str, Dimension]) -> dict[str, Dimension]:
        for name in v:
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", name):
                raise ValueError(f"dimension name {name!r}: use lower-case letters, digits and _")
        return v

    @field_validator("codes", mode="before")
    @classmethod
    def _keys_as_text(cls, v: Any) -> Any:
        # YAML reads `1: true` with an int key; district codes are compared as text.
        if isinstance(v, dict):
            return {
                col: {str(k): val for k, val in (m or {}).items()} if isinstance(m, dict) else m
                for col, m in v.items()
            }
        return v


class Privacy(_Model):
    """Disclosure avoidance (docs/privacy.md): minimum n and top/bottom coding."""

    min_n: int = Field(10, strict=True, ge=1, le=1000, description=(
        "Smallest number of students (and of students with the outcome) a published number "
        "may rest on; smaller cells are withheld."))
    top_bottom_coding: bool = Field(True, strict=True, description=(
        "Show rates near 0% or 100% as bands (e.g. `≥ 99%`) instead of exact values."))
    protection_width: int | None = Field(
        None, strict=True, ge=0, le=1000,
        description="Least width, in students, of the range a reader can narrow any withheld "
                    "count to from everything published (linear relations, non-negativity); "
                    "also the least room a coded rate leaves. Unset: 3. "
                    "0 switches the protection-interval rule off, which loses the guarantee "
                    "of docs/privacy.md.")
    sensitive_min_n: int = Field(20, strict=True, ge=1, le=1000, description=(
        "Smallest number of respondents a climate survey number by sexual orientation or "
        "gender identity may rest on (these groups are never crossed with another dimension "
        "or broken down below it by school); smaller groups are withheld."))

    @property
    def width(self) -> int:
        """The protection width in force (0: the rule is off)."""
        if self.protection_width is None:
            return DEFAULT_PROTECTION_WIDTH
        return self.protection_width


class IdeaRules(_Model):
    """IDEA significant disproportionality parameters (docs/methods.md), set per state."""

    cell_size: int = Field(10, strict=True, ge=0, le=10, description=(
        "Minimum number of students with the outcome (risk numerator), for the group and for "
        "its comparison group; federal rules allow at most 10."))
    n_size: int = Field(30, strict=True, ge=1, le=30, description=(
        "Minimum number of students in the group and in its comparison group (risk "
        "denominator); federal rules allow at most 30."))
    risk_ratio_threshold: float = Field(3.0, strict=True, allow_inf_nan=False, gt=1.0, description=(
        "The state's risk-ratio threshold; a ratio strictly above it is flagged."))
    consecutive_years: int = Field(3, strict=True, ge=1, le=3, description=(
        "Consecutive flagged years that make disproportionality significant (at most 3)."))
    state_comparison: Path | None = Field(None, description=(
        "File of the state's counts for the alternate risk ratio (recorded among the audit's "
        "inputs; the audit notebook does not read it yet)."))


class GapRules(_Model):
    """Achievement-gap parameters (docs/methods.md)."""

    min_n: int = Field(20, strict=True, ge=2, description=(
        "Smallest number of tested students in each group for a score gap to be reported."))
    sd_basis: Literal["pooled", "all_students"] = Field("pooled", description=(
        "Standard deviation that scales a gap: the two groups' pooled SD, or the SD of all "
        "students."))


class ChronicAbsence(_Model):
    """Chronic absence: absent at least ``threshold`` of enrolled days (docs/methods.md)."""

    threshold: float = Field(0.10, strict=True, allow_inf_nan=False, gt=0, lt=1, description=(
        "Share of enrolled days absent from which a student counts as chronically absent."))
    min_days_enrolled: int = Field(10, strict=True, ge=1, description=(
        "Students enrolled fewer days are left out of the chronic-absence rate."))


class TeacherRules(_Model):
    """Teacher-quality definitions (docs/methods.md); novice = fewer than ``novice_years``."""

    novice_years: float = Field(2, strict=True, allow_inf_nan=False, gt=0, description=(
        "A teacher with fewer years of experience than this is a novice."))


class Offense(_Model):
    """What one offense code of the district's discipline code means."""

    category: str = Field(..., min_length=1, max_length=80, description=(
        "Offense category the code belongs to (e.g. `fighting`, `defiance`); the action taken "
        "is compared between groups within each category."))
    subjective: bool = Field(..., strict=True, description=(
        "True when the offense rests on an adult's judgement (defiance, disrespect, "
        "disruption), false when it is objective (fighting, weapons, drugs)."))


def _text_keys(v: Any) -> Any:
    """A mapping's keys as stripped text: YAML reads `101: {...}` with an int key, and district
    codes and survey items are compared as text."""
    return {str(k).strip(): val for k, val in v.items()} if isinstance(v, dict) else v


class Discipline(_Model):
    """How the ``incidents`` table's offense codes map onto categories (docs/data.md)."""

    offenses: dict[str, Offense] = Field(default_factory=dict, description=(
        "The district's offense code → its `category` and whether it is `subjective`; needed "
        "for every code unless the incidents file has `offense_category` and `subjective` "
        "columns."))

    @field_validator("offenses", mode="before")
    @classmethod
    def _codes_as_text(cls, v: Any) -> Any:
        return _text_keys(v)


class Survey(_Model):
    """How the climate survey's items group into constructs (docs/data.md)."""

    constructs: dict[str, str] = Field(default_factory=dict, description=(
        "Survey item → construct it measures (e.g. `belong_fit: belonging`, `safe_travel: "
        "safety`); an item not listed belongs to its `domain` column's construct. Construct "
        "names are lower-case words joined with `_`."))

    @field_validator("constructs", mode="before")
    @classmethod
    def _items_as_text(cls, v: Any) -> Any:
        return _text_keys(v)

    @field_validator("constructs")
    @classmethod
    def _construct_names(cls, v: dict[str, str]) -> dict[str, str]:
        for item, construct in v.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", construct):
                raise ValueError(f"item {item!r}: construct {construct!r} must be lower-case "
                                 "letters, digits and _ (e.g. adult_support)")
        return v


class Focus(_Model):
    """One group followed through every outcome (the focus section)."""

    dimension: str = Field(..., min_length=1, description=(
        "Dimension of the focus group, e.g. `race_ethnicity` (any audited dimension)."))
    group: str = Field(..., min_length=1, description="The focus group, e.g. `Black`.")
    reference: str | None = Field(None, min_length=1, description=(
        "A group of the same dimension to compare with as well (e.g. `White`); the focus "
        "group is always compared with all other students too."))

    @field_validator("dimension")
    @classmethod
    def _plain_dimension(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", v):
            raise ValueError(f"dimension {v!r}: a dimension name such as race_ethnicity")
        return v


#: Dimensions a goal may name besides the district's own: the standard ones and the audited
#: intersections (``race_ethnicity×sex``).
GOAL_DIMENSIONS: tuple[str, ...] = (
    *DIMENSIONS, *(INTERSECTION_SEP.join(pair) for pair in INTERSECTIONS))


class Goal(_Model):
    """A goal the district set for one group and one outcome (the goals section): a rate, or a
    risk ratio against all other students, to reach by a school year from a baseline year."""

    outcome: str = Field(..., min_length=1, description=(
        "A rate outcome of the audit, e.g. `oss` or `gifted` (docs/outputs.md)."))
    dimension: str = Field(..., min_length=1, description=(
        "Dimension of the group, e.g. `race_ethnicity`, an intersection such as "
        "`race_ethnicity×sex`, or one of the district's own dimensions."))
    group: str = Field(..., min_length=1, description=(
        "The group, as metrics.csv writes it, e.g. `Black`, `Black×M`, `true`."))
    baseline_year: int = Field(..., strict=True, ge=1900, le=2200, description=(
        "School year (fall year: 2021 means 2021–22) the goal starts from."))
    target_year: int = Field(..., strict=True, ge=1900, le=2200, description=(
        "School year by which the target is to be reached (after `baseline_year`)."))
    target_rate: float | None = Field(None, allow_inf_nan=False, ge=0, le=1, description=(
        "The group's rate to reach, as a share (0.08 = 8%); give this or "
        "`target_risk_ratio`."))
    target_risk_ratio: float | None = Field(None, allow_inf_nan=False, gt=0, le=100,
                                            description=(
        "The group's risk ratio against all other students to reach (1 = parity); give "
        "this or `target_rate`."))

    @field_validator("outcome")
    @classmethod
    def _rate_outcome(cls, v: str) -> str:
        if v not in OUTCOMES:
            raise ValueError(f"unknown outcome {v!r}; choose a rate outcome: "
                             f"{', '.join(OUTCOMES)}")
        return v

    @field_validator("target_rate", "target_risk_ratio", mode="before")
    @classmethod
    def _number(cls, v: Any) -> Any:
        if isinstance(v, bool) or (v is not None and not isinstance(v, int | float)):
            raise ValueError("must be a number")
        return v

    @model_validator(mode="after")
    def _one_target(self) -> Goal:
        if (self.target_rate is None) == (self.target_risk_ratio is None):
            raise ValueError("give exactly one of target_rate or target_risk_ratio")
        if self.target_year <= self.baseline_year:
            raise ValueError(f"target_year {self.target_year} must come after baseline_year "
                             f"{self.baseline_year}")
        return self

    @property
    def measure(self) -> str:
        """The metrics.csv measure the goal follows: ``rate`` or ``risk_ratio``."""
        return "rate" if self.target_rate is not None else "risk_ratio"

    @property
    def target(self) -> float:
        """The target value (a rate or a risk ratio)."""
        return self.target_rate if self.target_rate is not None else self.target_risk_ratio


class ReportOptions(_Model):
    """What the report is delivered as, and what the audit writes besides it."""

    formats: tuple[str, ...] = Field(DEFAULT_FORMATS, description=(
        "Report formats written when the command line gives no `--format`: `html` (always "
        "written), `pdf`, `docx`, `brief`; `--format` overrides this list."))

    @field_validator("formats", mode="before")
    @classmethod
    def _known(cls, v: Any) -> Any:
        if isinstance(v, str) or not isinstance(v, list | tuple):
            raise ValueError("a list of formats, e.g. [html, pdf]")
        return parse_formats(v)

    by_school: bool = Field(False, strict=True, description=(
        "Also write a report per school (`schools/` in the district's folder), as "
        "`--by-school` does: each school's groups, its within-school gaps and its place among "
        "the district's schools. Adds each school's rates by group to `metrics.csv`."))


class AuditConfig(_Model):
    """A client's audit settings. Every field is optional.

    ``aggregate``: for audits from published counts instead of student records, how each file
    of the data folder becomes the counts table (see :class:`equitykit.public_data.AggregateSpec`
    and ``examples/albemarle.yml``); None for student-level data.
    """

    title: str = Field("Equity audit", description="Title at the top of every report.")
    client: str = Field("", description="Client name shown under the title.")
    district_names: dict[str, str] = Field({}, description=(
        "District id → name, shown in each report's masthead and page title and on the "
        "batch's index page (a district not listed is shown by its id)."))
    branding: Branding = Field(Branding(), description="Logo and accent colour of the report.")
    data: DataMapping = Field(DataMapping(), description=(
        "How the district's own export maps onto the canonical tables (docs/data.md)."))
    privacy: Privacy = Field(Privacy(), description="Suppression settings (docs/privacy.md).")
    idea: IdeaRules = Field(IdeaRules(), description=(
        "The state's IDEA significant-disproportionality parameters."))
    gaps: GapRules = Field(GapRules(), description="Achievement-gap settings.")
    chronic_absence: ChronicAbsence = Field(ChronicAbsence(), description=(
        "Definition of chronic absence."))
    proficiency_level: int = Field(3, strict=True, ge=1, description=(
        "Lowest performance level that counts as proficient (levels are 1, 2, 3, …)."))
    teachers: TeacherRules = Field(TeacherRules(), description="Teacher-quality definitions.")
    q_threshold: float = Field(0.05, strict=True, allow_inf_nan=False, gt=0, lt=1, description=(
        "Benjamini–Hochberg q-value below which a disparity counts as certain (findings)."))
    pool_years: int = Field(
        1, strict=True, ge=1, le=5,
        description="Pool the rates and risk ratios of rare outcomes (fewer than 5 × "
        "privacy.min_n students with the outcome in the district in the audited year) over "
        "this many school years ending with the audited year; 1 = no pooling. Pooled rows "
        "replace that outcome's yearly rows of those years, carry the note 'pooled "
        "<first>–<last>' and are suppressed like every other row.")
    discipline: Discipline = Field(Discipline(), description=(
        "Offense codes of the `incidents` table: category and subjective/objective."))
    survey: Survey = Field(Survey(), description=(
        "Climate survey: which construct each item measures."))
    focus: Focus | None = Field(None, description=(
        "A group to follow through every outcome (rates, risk ratios against all other "
        "students and against `reference`, gaps, where gaps sit, trends), e.g. `{dimension: "
        "race_ethnicity, group: Black, reference: White}`."))
    goals: tuple[Goal, ...] = Field((), description=(
        "Goals for groups' rates or risk ratios (outcome, dimension, group, baseline_year, "
        "target_year and one of target_rate or target_risk_ratio); the goals section shows "
        "each goal's baseline, latest value and whether it is on track."))
    report: ReportOptions = Field(ReportOptions(), description=(
        "What the report is delivered as (`formats`) and whether each school gets its own "
        "(`by_school`)."))
    sections: tuple[str, ...] = Field(SECTIONS, description=(
        "Report sections to include; they always appear in the standard order."))
    aggregate: AggregateSpec | None = Field(None, description=(
        "Audits from published counts instead of student records: how each file becomes the "
        "counts table (see `AggregateSpec` below)."))
    notebook: Path | None = Field(None, description=(
        "A client's customised audit notebook (`.ipynb`, started with `equitykit new-notebook`) "
        "to run instead of the shipped one: a relative path inside the config file's folder "
        "(no absolute path, no `..`, no link leading out of it). A notebook is code: `validate`, "
        "`audit` and `batch` say when a config runs its own. `--notebook` on the command line "
        "takes precedence."))

    def district_name(self, district_id: str) -> str:
        """The district as a reader knows it: its name when ``district_names`` has it, with
        the id ("Riverside Unified (D02)"), else "District D02"."""
        name = self.district_names.get(str(district_id), "").strip()
        return f"{name} ({district_id})" if name else f"District {district_id}"

    @property
    def shown_sections(self) -> tuple[str, ...]:
        """The sections the report shows: ``sections``, less ``focus`` when no focus group is
        set and ``goals`` when no goal is."""
        unset = {"focus": self.focus is None, "goals": not self.goals}
        return tuple(s for s in self.sections if not unset.get(s, False))

    @model_validator(mode="after")
    def _goal_dimensions(self) -> AuditConfig:
        known = (*GOAL_DIMENSIONS, *self.data.dimensions)
        for i, goal in enumerate(self.goals):
            if goal.dimension not in known:
                raise ValueError(f"goals.{i}.dimension: unknown dimension {goal.dimension!r}; "
                                 f"choose from {', '.join(known)}")
            if len(goal.group.split(INTERSECTION_SEP)) != len(
                    goal.dimension.split(INTERSECTION_SEP)):
                raise ValueError(f"goals.{i}.group: {goal.group!r} is not a group of "
                                 f"{goal.dimension} (an intersection's group joins one label "
                                 f"per dimension with {INTERSECTION_SEP}, e.g. Black×M)")
        return self

    @field_validator("sections")
    @classmethod
    def _known_sections(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in v if s not in SECTIONS]
        if unknown:
            raise ValueError(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
        return v


def load_config(path: str | Path | None) -> AuditConfig:
    """Read and validate a client config; ``None`` gives the defaults.

    Relative paths inside the config (logo, state comparison file, notebook) are resolved
    against the config file's folder; the notebook must lie inside that folder (a notebook is
    code, so a config may not point at one elsewhere).

    Raises
    ------
    ConfigError
        The file is missing, not YAML, or has an unknown key or invalid value; the message names
        the file and the key; its notebook lies outside its folder or cannot be run.

    Examples
    --------
    >>> load_config(None).privacy.min_n
    10
    """
    if path is None:
        return AuditConfig()
    path = Path(path)
    try:
        # _StrictLoader is yaml.SafeLoader with two more refusals: no Python objects.
        raw = yaml.load(read_regular(path, limit=MAX_CONFIG_BYTES).decode("utf-8"),
                        Loader=_StrictLoader)
    except FileRefused as exc:
        if str(exc) == "not found":
            raise ConfigError(f"{path}: config file not found") from None
        raise ConfigError(f"{path}: cannot read the config: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read the config ({exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid YAML (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise ConfigError(f"{path}: not valid config (a value is too large to read: "
                          f"{str(exc)[:80]})") from None
    _check_size(raw, path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    try:
        config = AuditConfig.model_validate(raw)
    except ValidationError as exc:
        lines = [
            f"  - {'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ConfigError(f"{path}: invalid config\n" + "\n".join(lines)) from None
    if config.notebook is not None:
        _check_notebook_inside(config.notebook, path)
    config = _resolve_paths(config, path.parent)
    if config.branding.logo is not None:
        try:
            read_logo(config.branding.logo)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    state = config.idea.state_comparison
    if state is not None:
        try:
            read_regular(state, limit=MAX_STATE_COMPARISON_BYTES)
        except FileRefused as exc:
            raise ConfigError(f"{path}: idea.state_comparison: {state} cannot be used: "
                              f"{exc}") from None
    if config.notebook is not None:
        problem = notebook_problem(config.notebook)
        if problem:
            raise ConfigError(f"{path}: notebook: {config.notebook} cannot be run: {problem}")
    return config


#: Largest state comparison file accepted (counts for the alternate risk ratio).
MAX_STATE_COMPARISON_BYTES = 50 * 1024 * 1024


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, stricter where a silent reading would mislead: a key given twice
    (the last would win unseen) and a number with a leading zero (YAML 1.1 reads ``010`` as
    octal 8) are refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key_node, _ in node.value:  # the keys as written (a merge, ``<<``, may repeat them)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key_node.value!r} is given twice",
                    key_node.start_mark)
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = str(node.value).replace("_", "").lstrip("+-")
        if len(text) > 1 and text.startswith("0") and text.isdigit():
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} has a leading zero (write it without; YAML would "
                "read it as an octal number)", node.start_mark)
        return super().construct_yaml_int(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)


def _check_size(raw: Any, path: Path) -> None:
    """Refuse YAML whose anchors expand to a huge or endless structure ("billion laughs").

    ``yaml.safe_load`` shares an anchored value between its aliases, so loading is cheap, but
    anything walking the result would visit every copy: count the values once per object.
    """
    sizes: dict[int, int] = {}

    def size(value: Any, depth: int) -> int:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ConfigError(f"{path}: not valid config (a text value holds an unpaired "
                                  "surrogate character)") from None
        if not isinstance(value, dict | list):
            return 1
        key = id(value)
        if key in sizes:
            if sizes[key] < 0:
                raise ConfigError(f"{path}: not valid config (an anchor refers to itself)")
            return sizes[key]
        if depth > MAX_CONFIG_DEPTH:
            raise ConfigError(f"{path}: not valid config (nested more than {MAX_CONFIG_DEPTH} "
                              "levels)")
        sizes[key] = -1
        children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        total = 1 + sum(size(child, depth + 1) for child in children)
        if total > MAX_CONFIG_VALUES:
            raise ConfigError(f"{path}: not valid config (its anchors and aliases expand to "
                              f"more than {MAX_CONFIG_VALUES:,} values)")
        sizes[key] = total
        return total

    size(raw, 0)


def _check_notebook_inside(notebook: Path, path: Path) -> None:
    """Refuse a config ``notebook`` that is not a relative path inside the config's folder
    (absolute, with ``..``, or through a link leading out of it).

    Raises
    ------
    ConfigError
        Naming the config file, the key and the path.
    """
    folder = path.parent.resolve()
    if (notebook.is_absolute() or ".." in notebook.parts
            or not (folder / notebook).resolve().is_relative_to(folder)):
        raise ConfigError(NOTEBOOK_OUTSIDE.format(path=path, notebook=notebook, folder=folder))


def _resolve_paths(config: AuditConfig, base: Path) -> AuditConfig:
    logo = config.branding.logo
    state = config.idea.state_comparison
    updates: dict[str, Any] = {}
    if config.notebook is not None and not config.notebook.is_absolute():
        updates["notebook"] = base / config.notebook
    if logo is not None and not logo.is_absolute():
        updates["branding"] = config.branding.model_copy(update={"logo": base / logo})
    if state is not None and not state.is_absolute():
        updates["idea"] = config.idea.model_copy(update={"state_comparison": base / state})
    return config.model_copy(update=updates) if updates else config
