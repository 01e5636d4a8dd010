"""The ``incidents`` table: offense codes mapped onto categories, incidents joined to students."""

from __future__ import annotations

import pandas as pd

from ..config import Discipline
from ..errors import DataProblem
from ..schema import DISCIPLINE_ACTIONS, EXCLUSIONARY_ACTIONS
from ._validate import MAX_ROWS, MAX_VALUES

__all__ = ["check_incidents", "incident_outcomes"]

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


#: Student columns the incidents give when the students table lacks them (the students table,
#: the district's own record, wins): per action, the column and how incidents fill it.
_FROM_ACTIONS: dict[str, tuple[str, str]] = {
    "oss_count": ("oss", "count"),
    "oss_days": ("oss", "days"),
    "expelled": ("expulsion", "any"),
    "referred_law_enforcement": ("law_enforcement_referral", "any"),
    "arrested": ("arrest", "any"),
}
_KEY = ["district_id", "student_id", "school_year"]


def incident_outcomes(students: pd.DataFrame, incidents: pd.DataFrame | None) -> pd.DataFrame:
    """Students with the decision-point outcomes of their year's incidents added.

    ``referred``: at least one incident. Of referred students (NA for the others):
    ``subjective_referral``, at least one referral for a subjective offense;
    ``exclusionary_given_referral``, at least one exclusionary action
    (``schema.EXCLUSIONARY_ACTIONS``); ``restorative_given_referral``, at least one restorative
    conference. Where the students table lacks them, ``oss_count``, ``oss_days`` (days of
    out-of-school suspension incidents), ``expelled``, ``referred_law_enforcement`` and
    ``arrested`` come from the incidents too.

    Examples
    --------
    >>> s = pd.DataFrame({"district_id": "d", "student_id": ["1", "2"], "school_year": 2023})
    >>> i = pd.DataFrame({"district_id": "d", "student_id": ["1"], "school_year": 2023,
    ...                   "action": ["restorative_conference"], "subjective": [True],
    ...                   "days": [None]})
    >>> incident_outcomes(s, i)[["referred", "restorative_given_referral"]].to_dict("list")
    {'referred': [True, False], 'restorative_given_referral': [True, None]}
    """
    if incidents is None or incidents.empty:
        return students
    action = incidents["action"].astype("string")
    days = pd.to_numeric(incidents["days"], errors="coerce") if "days" in incidents else 0.0
    per_incident = incidents[_KEY].astype({"student_id": str, "district_id": str}).assign(
        referred=1,
        subjective_referral=incidents["subjective"].astype("boolean").fillna(False).astype(int),
        exclusionary_given_referral=action.isin(EXCLUSIONARY_ACTIONS).astype(int),
        restorative_given_referral=(action == "restorative_conference").astype(int),
        **{f"_{a}": (action == a).astype(int) for a in DISCIPLINE_ACTIONS},
        _oss_days=pd.Series(days, index=incidents.index).where(action == "oss", 0.0).fillna(0),
    )
    per_student = per_incident.groupby(_KEY).sum()
    out = students.copy()
    key = pd.MultiIndex.from_frame(out[_KEY].astype({"student_id": str, "district_id": str}))
    joined = per_student.reindex(key)
    referred = joined["referred"].fillna(0).to_numpy() > 0
    out["referred"] = pd.array(referred, dtype="boolean")
    for name in ("subjective_referral", "exclusionary_given_referral",
                 "restorative_given_referral"):
        values = pd.array(joined[name].fillna(0).to_numpy() > 0, dtype="boolean")
        values[~referred] = pd.NA
        out[name] = values
    for column, (act, how) in _FROM_ACTIONS.items():
        if column in out:
            continue
        source = joined[f"_{act}" if how != "days" else "_oss_days"].fillna(0).to_numpy()
        out[column] = (pd.array(source > 0, dtype="boolean") if how == "any"
                       else pd.array(source, dtype="Float64"))
    return out
