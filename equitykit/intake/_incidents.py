"""The ``incidents`` table: offense codes mapped onto categories, incidents joined to students."""

from __future__ import annotations

import pandas as pd

from ..config import Discipline
from ..errors import DataProblem
from ._validate import MAX_ROWS, MAX_VALUES

__all__ = ["check_incidents"]

UNMAPPED_OFFENSE = ("offense code(s) with no category: {codes}; map each in the config or give "
                    "the file offense_category and subjective columns")
UNMAPPED_HINT = "discipline: {{offenses: {{{pairs}}}}}"
UNKNOWN_STUDENT = ("no student with this student_id in the students table {file} in the "
                   "incident's school year")


def check_incidents(incidents: pd.DataFrame, students: pd.DataFrame | None,
                    discipline: Discipline, file: str, students_file: str
                    ) -> tuple[pd.DataFrame, list[DataProblem]]:
    """Incidents with ``offense_category`` and ``subjective`` filled from the config's offense
    map (the file's own columns win), and the problems: codes with no category, incidents of
    students the students table does not have that year. The index holds spreadsheet lines."""
    out = incidents.copy()
    code = out["offense_code"].astype("string")
    problems: list[DataProblem] = []
    mapped = discipline.offenses
    for column, attribute, dtype in (("offense_category", "category", "string"),
                                     ("subjective", "subjective", "boolean")):
        from_config = code.map(lambda c, a=attribute: getattr(mapped[c], a) if c in mapped
                               else pd.NA).astype(dtype)
        given = out[column] if column in out else pd.Series(pd.NA, index=out.index, dtype=dtype)
        out[column] = given.astype(dtype).fillna(from_config)
    unmapped = (out["offense_category"].isna() | out["subjective"].isna()) & code.notna()
    if unmapped.any():
        counts = code[unmapped].value_counts()
        shown = ", ".join(f'"{c}" ({n} row{"s" if n > 1 else ""})'
                          for c, n in counts.iloc[:MAX_VALUES].items())
        if len(counts) > MAX_VALUES:
            shown += f" and {len(counts) - MAX_VALUES} more"
        pairs = ", ".join(f'"{c}": {{category: ?, subjective: ?}}'
                          for c in counts.index[:3])
        problems.append(DataProblem(
            file=file, column="offense_code", message=UNMAPPED_OFFENSE.format(codes=shown),
            rows=_lines(unmapped), count=int(unmapped.sum()),
            hint=UNMAPPED_HINT.format(pairs=pairs)))
    if students is not None:
        key = ["district_id", "student_id", "school_year"]
        known = pd.MultiIndex.from_frame(students[key].astype(str))
        complete = out[key].notna().all(axis=1)
        stray = ~pd.MultiIndex.from_frame(out[key].astype(str)).isin(known) & complete
        if stray.any():
            problems.append(DataProblem(
                file=file, column="student_id", message=UNKNOWN_STUDENT.format(
                    file=students_file),
                rows=_lines(stray), count=int(stray.sum()),
                expected="a student_id of the students table, same district and school year"))
    return out, problems


def _lines(mask: pd.Series) -> tuple[int, ...]:
    return tuple(int(r) for r in mask.index[mask.to_numpy(dtype=bool)][:MAX_ROWS])
