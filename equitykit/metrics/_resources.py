"""Resource equity: does spending follow need? (docs/methods.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._teachers import _keys, _quartiles

__all__ = ["spending_by_poverty"]

MISSING_COLUMNS = "spending_by_poverty needs columns {missing} in {table}"


def spending_by_poverty(schools: pd.DataFrame, composition: pd.DataFrame) -> pd.DataFrame:
    """Per-pupil spending in the highest- vs lowest-poverty quartile of schools, and its slope.

    Schools are split into poverty quartiles within each district and year, as for teacher
    quality (:func:`teacher_quality_gaps`). Means are weighted by enrollment, so they are the
    spending the average student of each quartile receives. The *progressivity slope* is the
    enrollment-weighted least-squares slope of per-pupil spending on the school's share of
    economically disadvantaged students: dollars more (positive: progressive) per student for a
    school that is entirely disadvantaged compared with one that has none.

    Parameters
    ----------
    schools : DataFrame
        ``school_id``, ``per_pupil_expenditure`` (and ``district_id``, ``school_year``).
    composition : DataFrame
        ``school_id``, ``students``, ``poverty_share`` per school, from
        :func:`school_composition`.

    Returns
    -------
    DataFrame
        One row per district and year that has a school with both spending and students
        (none otherwise): ``spending_high``, ``spending_low`` (weighted means),
        ``ratio`` (high / low), ``slope``, ``schools``, ``students``.

    Examples
    --------
    >>> schools = pd.DataFrame({"school_id": list("abcd"),
    ...                         "per_pupil_expenditure": [9000, 10000, 11000, 12000]})
    >>> composition = pd.DataFrame({"school_id": list("abcd"), "students": [100] * 4,
    ...                             "poverty_share": [0.9, 0.6, 0.4, 0.1]})
    >>> out = spending_by_poverty(schools, composition)
    >>> round(float(out["ratio"].iloc[0]), 4), round(float(out["slope"].iloc[0]), 1)
    (0.75, -3823.5)
    """
    for table, frame, columns in (
        ("schools", schools, ["school_id", "per_pupil_expenditure"]),
        ("composition", composition, ["school_id", "students", "poverty_share"]),
    ):
        missing = [c for c in columns if c not in frame]
        if missing:
            raise ValueError(MISSING_COLUMNS.format(missing=missing, table=table))
    keys = _keys(schools, composition)
    merged = composition.merge(
        schools[[*keys, "school_id", "per_pupil_expenditure"]], on=[*keys, "school_id"]
    ).dropna(subset=["per_pupil_expenditure", "poverty_share"])
    merged = merged[merged["students"] > 0]
    quartiles = _quartiles(merged, "poverty_share", keys)[[*keys, "school_id", "quartile"]]
    merged = merged.merge(quartiles, on=[*keys, "school_id"], how="left")
    groups = merged.groupby(keys) if keys else [((), merged)]
    rows = []
    for key, frame in groups:
        key = key if isinstance(key, tuple) else (key,)
        w, x, y = frame["students"], frame["poverty_share"], frame["per_pupil_expenditure"]
        rows.append({
            **dict(zip(keys, key, strict=True)),
            "spending_high": _weighted_mean(frame, "high"),
            "spending_low": _weighted_mean(frame, "low"),
            "slope": _weighted_slope(x.to_numpy(float), y.to_numpy(float), w.to_numpy(float)),
            "schools": len(frame),
            "students": float(w.sum()),
        })
    out = pd.DataFrame(rows, columns=[*keys, "spending_high", "spending_low", "slope",
                                      "schools", "students"])
    out["ratio"] = out["spending_high"] / out["spending_low"]
    return out


def _weighted_mean(frame: pd.DataFrame, quartile: str) -> float:
    part = frame[frame["quartile"] == quartile]
    if part.empty:
        return np.nan
    return float(np.average(part["per_pupil_expenditure"], weights=part["students"]))


def _weighted_slope(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    if len(x) < 2 or np.ptp(x) == 0:
        return np.nan
    xm, ym = np.average(x, weights=w), np.average(y, weights=w)
    return float(np.sum(w * (x - xm) * (y - ym)) / np.sum(w * (x - xm) ** 2))
