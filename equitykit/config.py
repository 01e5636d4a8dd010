"""The client config (``shared/CONTRACT.md`` §2): one YAML file per client, validated up front.

Every field has a default, so an audit runs without a config. :func:`load_config` turns any
problem (unknown key, wrong type, out-of-range value, unreadable YAML) into a :class:`ConfigError`
that names the key, before any notebook starts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError
from .public_data._spec import AggregateSpec

__all__ = [
    "SECTIONS",
    "AuditConfig",
    "Branding",
    "ChronicAbsence",
    "DataMapping",
    "GapRules",
    "IdeaRules",
    "Privacy",
    "TeacherRules",
    "load_config",
]

#: Report sections in the order the audit presents them.
SECTIONS: tuple[str, ...] = (
    "summary",
    "data_profile",
    "enrollment",
    "achievement",
    "programmatic",
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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Branding(_Model):
    """How the report looks: logo image and accent colour (CSS hex)."""

    logo: Path | None = None
    accent_color: str = "#1f5f8b"

    @field_validator("accent_color")
    @classmethod
    def _hex(cls, v: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", v):
            raise ValueError("must be a hex colour like '#1f5f8b'")
        return v


class DataMapping(_Model):
    """How a district's own export maps onto the canonical tables.

    ``files``: canonical table name → file name in the data folder (default: the file whose stem
    is the table name). ``columns``: per table, the district's column name → canonical name.
    ``codes``: per canonical column, the district's code → canonical value (e.g. ``"B": Black``).
    ``constants``: per table, a canonical column missing from the export → one value for all rows.
    """

    files: dict[str, str] = Field(default_factory=dict)
    columns: dict[str, dict[str, str]] = Field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    constants: dict[str, dict[str, Any]] = Field(default_factory=dict)

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
    """Disclosure avoidance (METHODS §7): minimum n and top/bottom coding."""

    min_n: int = Field(10, ge=1, le=1000)
    top_bottom_coding: bool = True
    protection_width: int | None = Field(
        None, ge=1, le=1000,
        description="Least width, in students, of the range a reader can narrow any withheld "
                    "count to from everything published (linear relations, non-negativity); "
                    "also the least room a coded rate leaves. Unset: the protection-interval "
                    "rule is off. Recommended: min_n.")


class IdeaRules(_Model):
    """IDEA significant disproportionality parameters (METHODS §2.3), set per state."""

    cell_size: int = Field(10, ge=0, le=10)
    n_size: int = Field(30, ge=1, le=30)
    risk_ratio_threshold: float = Field(3.0, gt=1.0)
    consecutive_years: int = Field(3, ge=1, le=3)
    state_comparison: Path | None = None


class GapRules(_Model):
    """Achievement-gap parameters (METHODS §4.5)."""

    min_n: int = Field(20, ge=2)
    sd_basis: Literal["pooled", "all_students"] = "pooled"


class ChronicAbsence(_Model):
    """Chronic absence: absent at least ``threshold`` of enrolled days (METHODS §3.2)."""

    threshold: float = Field(0.10, gt=0, lt=1)
    min_days_enrolled: int = Field(10, ge=1)


class TeacherRules(_Model):
    """Teacher-quality definitions (METHODS §6.2); novice = fewer than ``novice_years``."""

    novice_years: float = Field(2, gt=0)


class AuditConfig(_Model):
    """A client's audit settings. Every field is optional.

    ``aggregate``: for audits from published counts instead of student records, how each file
    of the data folder becomes the counts table (see :class:`equitykit.public_data.AggregateSpec`
    and ``examples/albemarle.yml``); None for student-level data.
    """

    title: str = "Equity audit"
    client: str = ""
    branding: Branding = Branding()
    data: DataMapping = DataMapping()
    privacy: Privacy = Privacy()
    idea: IdeaRules = IdeaRules()
    gaps: GapRules = GapRules()
    chronic_absence: ChronicAbsence = ChronicAbsence()
    proficiency_level: int = Field(3, ge=1)
    teachers: TeacherRules = TeacherRules()
    q_threshold: float = Field(0.05, gt=0, lt=1)
    sections: tuple[str, ...] = SECTIONS
    aggregate: AggregateSpec | None = None

    @field_validator("sections")
    @classmethod
    def _known_sections(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in v if s not in SECTIONS]
        if unknown:
            raise ValueError(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
        return v


def load_config(path: str | Path | None) -> AuditConfig:
    """Read and validate a client config; ``None`` gives the defaults.

    Relative paths inside the config (logo, state comparison file) are resolved against the
    config file's folder.

    Raises
    ------
    ConfigError
        The file is missing, not YAML, or has an unknown key or invalid value; the message names
        the file and the key.

    Examples
    --------
    >>> load_config(None).privacy.min_n
    10
    """
    if path is None:
        return AuditConfig()
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config ({exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
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
    return _resolve_paths(config, path.parent)


def _resolve_paths(config: AuditConfig, base: Path) -> AuditConfig:
    logo = config.branding.logo
    state = config.idea.state_comparison
    updates: dict[str, Any] = {}
    if logo is not None and not logo.is_absolute():
        updates["branding"] = config.branding.model_copy(update={"logo": base / logo})
    if state is not None and not state.is_absolute():
        updates["idea"] = config.idea.model_copy(update={"state_comparison": base / state})
    return config.model_copy(update=updates) if updates else config
