"""School segregation indices (docs/methods.md).

One concept per function, one shared protocol: counts per school in, an :class:`Estimate` out.

* :func:`dissimilarity`: two groups' D, the share of either group that would have to change
  school for every school to mirror the district.
* :func:`exposure` / :func:`isolation`: the share of group y (or of x itself) in the school of
  the average student of group x.
* :func:`mutual_information` (M) / :func:`theil_h` (H): multigroup entropy indices, decomposable
  into a *between* part (across higher units such as feeder patterns or districts) and a
  *within* part that add up to the total.
* :func:`segregation_by_unit`: all of the above for every district (or other unit) of a long
  table of counts at once.
* :func:`school_poverty_exposure`: each group's exposure to school poverty (the poverty of
  the average member's school, and the share in the poorest quartile of schools).

Natural logarithms throughout; M and H match the R package ``segregation`` (Elbers) and the
definitions of Mora & Ruiz-Castillo (2011) and Reardon & Firebaugh (2002).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._result import Estimate
from ._teachers import _quartiles

__all__ = [
    "dissimilarity",
    "exposure",
    "isolation",
    "mutual_information",
    "school_poverty_exposure",
    "segregation_by_unit",
    "theil_h",
]

ERR_COUNTS = "{what} must be finite, non-negative counts, one per school"
ERR_LENGTHS = "{what} must have one count per school each (got lengths {lengths})"
ERR_INDEX = "{what} are pandas objects with different school indexes; align them first"
ERR_TOTALS = "totals must be at least each group's count in every school ({n} schools are not)"
ERR_TABLE = "table must be a DataFrame with one row per school and one column per group, counts"
ERR_TABLE_VALUES = "table counts must be finite and non-negative (column {column!r})"
ERR_WITHIN_DUPLICATES = "within maps {n} school(s) more than once, e.g. {examples}"
ERR_WITHIN_MISSING = "within has no higher unit for {n} school(s) of the table, e.g. {examples}"
ERR_POVERTY = "poverty must have one value (or NaN) per school of the table, indexed alike"
ERR_POORER = "poorer must be 'higher' or 'lower' (got {poorer!r})"
ERR_COLUMNS = "counts has no column(s) {missing}; it has {columns}"
ERR_LONG_COUNTS = (
    "column {column!r} must hold finite, non-negative counts; {n} row(s) do not "
    "(segregation indices need complete counts)"
)

REASON_NO_STUDENTS = "no students of {which} in any school"
REASON_EMPTY_TABLE = "the table has no students"
REASON_ONE_GROUP = "only one group has students, so H (M divided by the group entropy) is 0/0"


# ------------------------------------------------------------------------------- input handling


def _as_counts(what: str, *columns: Sequence[float] | ArrayLike) -> list[np.ndarray]:
    """Validate per-school count vectors: 1-D, same length, finite, non-negative."""
    indexes = [c.index for c in columns if isinstance(c, pd.Series)]
    if len(indexes) > 1 and not all(ix.equals(indexes[0]) for ix in indexes[1:]):
        raise ValueError(ERR_INDEX.format(what=what))
    arrays = [np.asarray(c, dtype=float) for c in columns]
    lengths = [a.shape for a in arrays]
    if any(a.ndim != 1 for a in arrays) or len(set(lengths)) > 1:
        raise ValueError(ERR_LENGTHS.format(what=what, lengths=lengths))
    if not all(np.isfinite(a).all() and (a >= 0).all() for a in arrays):
        raise ValueError(ERR_COUNTS.format(what=what))
    return arrays


def _table_values(table: pd.DataFrame) -> np.ndarray:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(ERR_TABLE)
    for column in table.columns:
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
        if not (np.isfinite(values).all() and (values >= 0).all()):
            raise ValueError(ERR_TABLE_VALUES.format(column=column))
    return table.to_numpy(dtype=float)


def _codes_of(within: pd.Series, index: pd.Index) -> tuple[np.ndarray, pd.Index]:
    """Integer code of each school's higher unit, in the table's row order."""
    duplicated = within.index[within.index.duplicated()].unique()
    if len(duplicated):
        examples = ", ".join(repr(s) for s in duplicated[:3])
        raise ValueError(ERR_WITHIN_DUPLICATES.format(n=len(duplicated), examples=examples))
    units = within.reindex(index)
    missing = index[units.isna().to_numpy()]
    if len(missing):
        examples = ", ".join(repr(s) for s in missing[:3])
        raise ValueError(ERR_WITHIN_MISSING.format(n=len(missing), examples=examples))
    codes, labels = pd.factorize(units, sort=True)
    return codes, pd.Index(labels)


# ---------------------------------------------------------------------------------- the kernels
# Each kernel takes per-school arrays plus the integer code of each school's unit (district,
# feeder pattern) and returns one value per unit; the public functions call them with one unit.


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, with 0 where den is 0 (empty schools or units contribute nothing)."""
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def _dissimilarity_by(a: np.ndarray, b: np.ndarray, codes: np.ndarray, n_units: int) -> np.ndarray:
    """D = 1/2 sum_s |a_s/A - b_s/B| per unit (NaN where A or B is 0)."""
    total_a = np.bincount(codes, weights=a, minlength=n_units)
    total_b = np.bincount(codes, weights=b, minlength=n_units)
    gap = np.abs(_safe_ratio(a, total_a[codes]) - _safe_ratio(b, total_b[codes]))
    d = np.bincount(codes, weights=gap, minlength=n_units) / 2
    return np.where((total_a > 0) & (total_b > 0), d, np.nan)


def _exposure_by(
    x: np.ndarray, y: np.ndarray, totals: np.ndarray, codes: np.ndarray, n_units: int
) -> np.ndarray:
    """xPy = sum_s (x_s/X)(y_s/t_s) per unit (NaN where X is 0)."""
    total_x = np.bincount(codes, weights=x, minlength=n_units)
    weights = x * _safe_ratio(y, totals)
    return np.where(
        total_x > 0, _safe_ratio(np.bincount(codes, weights=weights, minlength=n_units), total_x),
        np.nan,
    )


def _entropy_by(
    counts: np.ndarray, codes: np.ndarray, n_units: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mutual information M, group entropy E and students T per unit.

    ``M_k = sum_{s in k} sum_g (t_sg/T_k) ln(t_sg T_k / (t_s T_kg))`` and
    ``E_k = -sum_g (T_kg/T_k) ln(T_kg/T_k)``, with 0 ln 0 = 0.
    """
    unit_group = np.zeros((n_units, counts.shape[1]))
    np.add.at(unit_group, codes, counts)
    unit_total = unit_group.sum(axis=1)
    school_total = counts.sum(axis=1, keepdims=True)
    expected = school_total * unit_group[codes] / unit_total[codes, None].clip(min=1e-300)
    cell = np.where(counts > 0, counts * np.log(_safe_ratio(counts, expected) + (counts == 0)), 0)
    m = _safe_ratio(np.bincount(codes, weights=cell.sum(axis=1), minlength=n_units), unit_total)
    share = _safe_ratio(unit_group, unit_total[:, None])
    e = -np.sum(np.where(share > 0, share * np.log(share + (share == 0)), 0), axis=1)
    return m, e, unit_total


# --------------------------------------------------------------------------------- two groups


def dissimilarity(
    counts_a: Sequence[float] | ArrayLike, counts_b: Sequence[float] | ArrayLike
) -> Estimate:
    """Index of dissimilarity ``D = 1/2 sum_s |a_s/A - b_s/B|`` (docs/methods.md).

    The share of group a (equivalently of group b) that would have to change school for every
    school to have the district's a:b mix; 0 = even, 1 = complete separation.

    Parameters
    ----------
    counts_a, counts_b
        Students of each group per school, in the same school order.

    Returns
    -------
    Estimate
        ``value`` = D, ``n`` = A + B. Undefined when either group has no students.

    Examples
    --------
    >>> dissimilarity([100, 60, 40, 0], [0, 40, 60, 100]).value
    0.6
    """
    a, b = _as_counts("counts_a and counts_b", counts_a, counts_b)
    for which, counts in (("group a", a), ("group b", b)):
        if counts.sum() == 0:
            return Estimate.undefined(REASON_NO_STUDENTS.format(which=which))
    value = float(_dissimilarity_by(a, b, np.zeros(a.size, dtype=int), 1)[0])
    return Estimate(value, n=float(a.sum() + b.sum()))


def exposure(
    counts_x: Sequence[float] | ArrayLike,
    counts_y: Sequence[float] | ArrayLike,
    totals: Sequence[float] | ArrayLike | None = None,
) -> Estimate:
    """Exposure of group x to group y, ``xPy = sum_s (x_s/X)(y_s/t_s)`` (docs/methods.md).

    The share of group y in the school of the average student of group x, e.g. the average
    White share in a Black student's school. Not symmetric: ``xPy = yPx * Y/X``.

    Parameters
    ----------
    counts_x, counts_y
        Students of each group per school, in the same school order.
    totals
        All students per school; by default ``counts_x + counts_y`` (a two-group district).

    Returns
    -------
    Estimate
        ``value`` = xPy, ``n`` = X. Undefined when group x has no students.

    Examples
    --------
    >>> exposure([10, 30], [30, 10]).value
    0.375
    """
    x, y = _as_counts("counts_x and counts_y", counts_x, counts_y)
    t = x + y if totals is None else _as_counts("totals and the group counts", totals, x)[0]
    short = int(np.sum((t < x) | (t < y)))
    if short:
        raise ValueError(ERR_TOTALS.format(n=short))
    if x.sum() == 0:
        return Estimate.undefined(REASON_NO_STUDENTS.format(which="group x"))
    value = float(_exposure_by(x, y, t, np.zeros(x.size, dtype=int), 1)[0])
    return Estimate(value, n=float(x.sum()))


def isolation(
    counts_x: Sequence[float] | ArrayLike, totals: Sequence[float] | ArrayLike
) -> Estimate:
    """Isolation of group x, its exposure to itself: ``xPx = sum_s (x_s/X)(x_s/t_s)``.

    The share of group x in the school of the average student of group x.

    Examples
    --------
    >>> isolation([10, 30], [40, 40]).value
    0.625
    """
    return exposure(counts_x, counts_x, totals)


# ---------------------------------------------------------------------------------- multigroup


def _entropy_decomposition(table: pd.DataFrame, within: pd.Series | None) -> dict[str, object]:
    """M, E and (with ``within``) the between and within parts; shared by M and H."""
    counts = _table_values(table)
    m, e, total = (float(v[0]) for v in _entropy_by(counts, np.zeros(len(counts), dtype=int), 1))
    parts: dict[str, object] = {"m": m, "entropy": e, "students": total}
    if within is None or total == 0:
        return parts
    codes, labels = _codes_of(within, table.index)
    m_k, e_k, t_k = _entropy_by(counts, codes, len(labels))
    by_unit = np.zeros((len(labels), counts.shape[1]))
    np.add.at(by_unit, codes, counts)
    share = t_k / total
    parts.update(
        m_between=float(_entropy_by(by_unit, np.zeros(len(labels), dtype=int), 1)[0][0]),
        m_within=float(np.sum(share * m_k)),
        units=pd.DataFrame(
            {
                "p": share,
                "mutual_information": m_k,
                "theil_h": np.where(e_k > 0, m_k / np.where(e_k > 0, e_k, 1), np.nan),
                "entropy_ratio": e_k / e if e > 0 else np.nan,
            },
            index=labels.rename(within.name),
        ),
    )
    return parts


def mutual_information(table: pd.DataFrame, within: pd.Series | None = None) -> Estimate:
    """Mutual information index M of schools by groups (docs/methods.md).

    ``M = sum_s sum_g p_sg ln(p_sg / (p_s. p_.g))`` with ``p_sg = t_sg / t``: how much knowing a
    student's school tells about their group, in nats (0 = every school mirrors the district).
    M is exactly additive over a nesting of schools in higher units k (feeder patterns,
    districts, states):

        ``M = M_between + sum_k p_k M_k``

    where ``M_between`` is M of the table summed to the higher units and ``M_k`` is M among the
    schools of unit k alone.

    Parameters
    ----------
    table
        One row per school (the index names it), one column per group, counts.
    within
        Optional Series mapping each school (the table's row index) to its higher unit.

    Returns
    -------
    Estimate
        ``value`` = M, ``n`` = students. ``extra``: ``entropy`` (group entropy E); with
        ``within`` also ``between``, ``within`` (they add up to ``value``) and ``units``, a
        DataFrame per higher unit with ``p`` (share of students), ``mutual_information``,
        ``theil_h`` and ``entropy_ratio`` (E_k / E).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"Black": [40, 20, 5, 1], "White": [20, 40, 60, 80]})
    >>> m = mutual_information(table, within=pd.Series(["N", "N", "S", "S"]))
    >>> round(m.value, 4), round(m.between + m.within, 4)
    (0.1866, 0.1866)
    """
    parts = _entropy_decomposition(table, within)
    if parts["students"] == 0:
        return Estimate.undefined(REASON_EMPTY_TABLE)
    extra = {"entropy": parts["entropy"]}
    if "units" in parts:
        extra.update(between=parts["m_between"], within=parts["m_within"], units=parts["units"])
    return Estimate(parts["m"], n=parts["students"], extra=extra)


def theil_h(table: pd.DataFrame, within: pd.Series | None = None) -> Estimate:
    """Theil's information index H = M / E (docs/methods.md).

    M (:func:`mutual_information`) divided by the entropy ``E = -sum_g p_.g ln p_.g`` of the
    district's group shares, so 0 <= H <= 1 whatever the number and mix of groups: the index to
    compare across districts. The decomposition divides M's by the same E (the group shares of
    the whole table are those of the higher units), so the parts still add up:

        ``H = M_between / E + sum_k p_k M_k / E = H_between + sum_k p_k (E_k/E) H_k``

    as in the R package ``segregation``.

    Parameters and result as :func:`mutual_information` (``value`` = H; ``between`` and
    ``within`` on the H scale). Undefined when only one group has students.

    Examples
    --------
    >>> import pandas as pd
    >>> round(theil_h(pd.DataFrame({"a": [10, 0], "b": [0, 10]})).value, 6)
    1.0
    """
    parts = _entropy_decomposition(table, within)
    if parts["students"] == 0:
        return Estimate.undefined(REASON_EMPTY_TABLE)
    e = float(parts["entropy"])  # type: ignore[arg-type]
    if e == 0:
        return Estimate.undefined(REASON_ONE_GROUP)
    extra: dict[str, object] = {"entropy": e}
    if "units" in parts:
        extra.update(
            between=parts["m_between"] / e, within=parts["m_within"] / e, units=parts["units"]
        )
    return Estimate(parts["m"] / e, n=parts["students"], extra=extra)


# ------------------------------------------------------------------------------ many units


def segregation_by_unit(
    counts: pd.DataFrame,
    *,
    unit: str,
    school: str,
    group: str,
    count: str,
    pair: tuple[str, str] = ("Black", "White"),
) -> pd.DataFrame:
    """Segregation between the schools of every unit (district) of a long table at once.

    Parameters
    ----------
    counts
        Long table: one row per unit, school and group (repeated rows are summed).
    unit, school, group, count
        Column names: the unit (e.g. ``"district_id"``), the school, the group label (e.g.
        ``"race_ethnicity"``) and the number of students.
    pair
        The two groups ``(x, y)`` for the two-group indices.

    Returns
    -------
    DataFrame
        One row per unit (index named ``unit``) with ``schools``, ``students``,
        ``dissimilarity`` (x vs y), ``exposure`` (of x to y, among all students of each
        school), ``isolation`` (of x, among all students), ``mutual_information`` and
        ``theil_h`` (all groups). NaN where an index is undefined (e.g. no students of x).

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"district": ["d1"] * 4, "school": ["s1", "s1", "s2", "s2"],
    ...                      "race": ["Black", "White"] * 2, "n": [10, 30, 30, 10]})
    >>> out = segregation_by_unit(long, unit="district", school="school", group="race",
    ...                           count="n")
    >>> float(out.loc["d1", "dissimilarity"])
    0.5
    """
    missing = [c for c in (unit, school, group, count) if c not in counts.columns]
    if missing:
        raise ValueError(ERR_COLUMNS.format(missing=missing, columns=list(counts.columns)))
    values = pd.to_numeric(counts[count], errors="coerce").astype(float)
    bad = int((~np.isfinite(values.to_numpy(dtype=float)) | (values < 0).to_numpy()).sum())
    if bad:
        raise ValueError(ERR_LONG_COUNTS.format(column=count, n=bad))
    wide = (
        counts.assign(**{count: values})
        .groupby([unit, school, group], observed=True, sort=True)[count]
        .sum()
        .unstack(group, fill_value=0.0)
    )
    codes, labels = pd.factorize(wide.index.get_level_values(unit), sort=True)
    n_units = len(labels)
    matrix = wide.to_numpy(dtype=float)
    totals = matrix.sum(axis=1)
    x, y = (
        wide[name].to_numpy(dtype=float) if name in wide.columns else np.zeros(len(wide))
        for name in pair
    )
    m, e, students = _entropy_by(matrix, codes, n_units)
    return pd.DataFrame(
        {
            "schools": np.bincount(codes, minlength=n_units),
            "students": students,
            "dissimilarity": _dissimilarity_by(x, y, codes, n_units),
            "exposure": _exposure_by(x, y, totals, codes, n_units),
            "isolation": _exposure_by(x, x, totals, codes, n_units),
            "mutual_information": np.where(students > 0, m, np.nan),
            "theil_h": np.where(e > 0, m / np.where(e > 0, e, 1), np.nan),
        },
        index=pd.Index(labels, name=unit),
    )



# ------------------------------------------------------------------------- school poverty


def school_poverty_exposure(
    table: pd.DataFrame, poverty: pd.Series, *, poorer: str = "higher"
) -> pd.DataFrame:
    """Each group's exposure to school poverty (docs/methods.md).

    With x_s students of group x in school s and p_s the school's poverty measure (its share
    of economically disadvantaged students, or an attribute such as school mean SES):

    * ``mean_school_poverty = sum_s (x_s/X) p_s``, the poverty of the average group
      member's school. With p_s the share of economically disadvantaged students this is the
      exposure xPy of x to them (SEDA's "school poverty" of a group);
    * ``high_poverty_share``: the share of the group's students in the poorest quartile of
      schools, those at or beyond the 75th percentile of p among the schools (the 25th when
      ``poorer="lower"``), ties kept together as for teacher quality; no school is in it when
      the schools do not differ.

    Schools without a poverty value are left out (X counts the group's students in the others).

    Parameters
    ----------
    table : DataFrame
        One row per school (the index), one column per group, counts.
    poverty : Series
        The poverty measure per school, indexed like ``table``.
    poorer : {"higher", "lower"}
        Whether a higher or a lower value of ``poverty`` means a poorer school.

    Returns
    -------
    DataFrame
        One row per group (index ``group``): ``students`` (X), ``mean_school_poverty``,
        ``high_poverty_students`` and ``high_poverty_share``; NaN where X is 0.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"Black": [30, 10, 0, 0], "White": [10, 10, 20, 40]},
    ...                      index=list("abcd"))
    >>> poverty = pd.Series([0.8, 0.5, 0.3, 0.1], index=list("abcd"))
    >>> out = school_poverty_exposure(table, poverty)
    >>> out.loc["Black", ["mean_school_poverty", "high_poverty_share"]].round(3).tolist()
    [0.725, 0.75]
    """
    if poorer not in ("higher", "lower"):
        raise ValueError(ERR_POORER.format(poorer=poorer))
    if not isinstance(poverty, pd.Series) or not poverty.index.equals(table.index):
        raise ValueError(ERR_POVERTY)
    counts = _table_values(table)
    p = pd.to_numeric(poverty, errors="coerce").to_numpy(dtype=float)
    known = np.isfinite(p)
    schools = pd.DataFrame({"school_id": np.arange(len(p))[known],
                            "poorness": p[known] if poorer == "higher" else -p[known]})
    high = np.zeros(len(p), dtype=bool)
    high[_quartiles(schools, "poorness", []).query("quartile == 'high'")["school_id"]] = True
    students = counts[known].sum(axis=0)
    weighted = (counts[known] * p[known, None]).sum(axis=0)
    in_high = counts[high].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame({
            "students": students,
            "mean_school_poverty": np.where(students > 0, weighted / students, np.nan),
            "high_poverty_students": in_high,
            "high_poverty_share": np.where(students > 0, in_high / students, np.nan),
        }, index=pd.Index(table.columns, name="group"))
    return out
