"""The result of checking a data folder, and how ``equitykit validate`` prints it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .._words import column_title
from ..errors import DataProblem

__all__ = ["ValidationReport"]

USABLE = "usable"
USABLE_WITH_WARNINGS = "usable; read the warnings above"
NOT_USABLE = "NOT usable until the errors above are fixed"


@dataclass(frozen=True)
class ValidationReport:
    """Everything ``validate_folder`` found; never holds a student id or a student row.

    Attributes
    ----------
    data_dir : Path
        The folder checked.
    problems : tuple of DataProblem
        Errors (the data cannot be audited) and warnings (it can, with care).
    rows : dict
        Data rows read per table (``{"students": 1234, ...}``).
    files : dict
        File read per table (``{"students": "students.csv"}``).
    encodings : dict
        Text encoding used per CSV file (``utf-8``, ``utf-8-sig`` or ``cp1252``).
    districts : tuple of str
        District ids in the students table.
    years : tuple of int
        School years (fall year) in the students table.
    students : int
        Distinct students (district id and student id).
    not_collected : tuple of str
        Student columns the config declares not collected.

    Examples
    --------
    >>> report = ValidationReport(Path("data"), problems=())
    >>> report.ok
    True
    """

    data_dir: Path
    problems: tuple[DataProblem, ...]
    rows: Mapping[str, int] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)
    encodings: Mapping[str, str] = field(default_factory=dict)
    districts: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    students: int = 0
    not_collected: tuple[str, ...] = ()

    @property
    def errors(self) -> list[DataProblem]:
        """Problems that stop an audit."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[DataProblem]:
        """Problems worth reading that do not stop an audit."""
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        """True when the data can be audited (warnings allowed)."""
        return not self.errors

    def format(self) -> str:
        """The readable report: files read, problems by file (errors first), a summary."""
        lines = [f"Checked {self.data_dir}"]
        for table, name in self.files.items():
            encoding = self.encodings.get(name)
            text = f", text encoding {encoding}" if encoding else ""
            lines.append(f"  {name}: {self.rows.get(table, 0):,} rows as the {table} table{text}")
        lines += [f"  {column_title(column)}: not collected" for column in self.not_collected]
        by_file: dict[str, list[DataProblem]] = {}
        for problem in self.problems:
            by_file.setdefault(problem.file, []).append(problem)
        for file, problems in by_file.items():
            lines += ["", file]
            for problem in sorted(problems, key=lambda p: p.severity != "error"):
                described = str(dataclasses.replace(problem, file="")).lstrip(", :")
                lines.append(f"  {problem.severity}: {described}")
        lines += ["", self.summary()]
        return "\n".join(lines)

    def summary(self) -> str:
        """One line: districts, years, students, problem counts and the verdict."""
        districts = f"{len(self.districts)} district{'s' if len(self.districts) != 1 else ''}"
        if self.districts:
            shown = ", ".join(self.districts[:5])
            districts += f" ({shown}{', ...' if len(self.districts) > 5 else ''})"
        years = "no school years"
        if self.years:
            years = (f"school year {self.years[0]}" if len(self.years) == 1
                     else f"school years {self.years[0]}–{self.years[-1]}")
        n_err, n_warn = len(self.errors), len(self.warnings)
        verdict = NOT_USABLE if n_err else USABLE_WITH_WARNINGS if n_warn else USABLE
        return (f"Summary: {districts}; {years}; {self.students:,} students in "
                f"{self.rows.get('students', 0):,} student-year rows. "
                f"{n_err} error{'s' if n_err != 1 else ''}, "
                f"{n_warn} warning{'s' if n_warn != 1 else ''}: {verdict}.")
