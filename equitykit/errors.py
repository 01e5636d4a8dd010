"""Exception hierarchy.

Every error a user can cause derives from :class:`EquitykitError` and carries a message meant for
people, never a pandas traceback. The CLI maps them onto exit codes (docs/outputs.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "AuditExecutionError",
    "ConfigError",
    "DataError",
    "DataProblem",
    "EquitykitError",
    "ExpressionError",
    "PrivacyError",
    "UsageError",
]


class EquitykitError(Exception):
    """Base class of every error equitykit raises on purpose."""

    exit_code = 1


class UsageError(EquitykitError):
    """The command was called wrongly (exit status 2)."""

    exit_code = 2


class ConfigError(EquitykitError):
    """The client config is missing, unreadable or invalid (exit status 1)."""


@dataclass(frozen=True)
class DataProblem:
    """One problem found in an input table.

    ``rows`` are 1-based line numbers as a person sees them in a spreadsheet (header = line 1,
    so the first data row is line 2); ``count`` is how many rows have the problem in all.
    """

    file: str
    message: str
    column: str | None = None
    rows: Sequence[int] = field(default_factory=tuple)
    count: int = 0
    expected: str | None = None
    hint: str | None = None
    severity: str = "error"  # "error" blocks the audit, "warning" does not

    def __str__(self) -> str:
        where = self.file
        if self.column:
            where += f", column '{self.column}'"
        if self.rows:
            shown = ", ".join(str(r) for r in list(self.rows)[:5])
            more = f" and {self.count - 5} more" if self.count > 5 else ""
            where += f", row{'s' if self.count > 1 else ''} {shown}{more}"
        text = f"{where}: {self.message}"
        if self.expected:
            text += f" (expected {self.expected})"
        if self.hint:
            text += f"\n    suggestion: {self.hint}"
        return text


class DataError(EquitykitError):
    """Input data cannot be audited; ``problems`` lists every reason found."""

    def __init__(self, problems: Sequence[DataProblem] | str) -> None:
        if isinstance(problems, str):
            problems = [DataProblem(file="(data)", message=problems)]
        self.problems = list(problems)
        super().__init__(
            "the data has problems:\n" + "\n".join(f"  - {p}" for p in self.problems)
        )


class PrivacyError(EquitykitError):
    """What the audit would publish cannot be protected by the privacy rules, so nothing is
    written (exit status 1)."""


class AuditExecutionError(EquitykitError):
    """A notebook cell failed while auditing a district."""

    def __init__(self, district_id: str, cell: int | None, ename: str, evalue: str) -> None:
        self.district_id, self.cell, self.ename, self.evalue = district_id, cell, ename, evalue
        super().__init__(f"district {district_id}: cell {cell} raised {ename}: {evalue}")


class ExpressionError(ConfigError):
    """An expression in the config (``where``, ``suppress``, ``derive``) is refused or fails.

    The message names the config key, the expression and the part at fault (an unknown
    column, a construct that is not allowed, arithmetic on text).
    """
