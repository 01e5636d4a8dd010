"""Where a gap sits: between schools or within them (docs/methods.md).

Kitagawa (1955) splits a district rate gap into a *between-school* part (the groups attend
schools with different rates) and a *within-school* part (the groups' rates differ inside the
same schools). The split says where a gap sits, not why. Oaxaca–Blinder does the same job for
score gaps with school-controlled factors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from ._result import Estimate

__all__ = ["kitagawa", "locate_gap", "locate_gaps", "oaxaca_blinder"]

#: Default cut for the locus label (docs/methods.md): between share ≥ 0.6 → between schools,
#: ≤ 0.4 → within schools, otherwise mixed.
LOCUS_CUT = 0.6
#: Gaps smaller than this (in rate units) have no meaningful between share.
ZERO_GAP = 1e-9

NO_SCHOOL_ROWS = (
    "counts: locate_gaps needs school rows (school_id not blank) with dimension 'all' totals; "
    "none were found"
)
NO_TOTAL = (
    "counts: school {school!r} has group rows for {outcome!r} in {year} but no "
    "dimension 'all' / group 'all' total row"
)
BAD_COUNTS = "counts: {what} in {count} row(s), e.g. {example}"
NOT_ONE_GAP = (
    "counts: expected exactly one gap for outcome={outcome!r}, dimension={dimension!r}, "
    "group={group!r}, comparison={comparison!r}; found {count}. Pass district_id and "
    "school_year to pick one, and check the spelling."
)
BAD_LOCUS_CUT = "locus_cut must be in (0.5, 1], got {cut}"
EMPTY_GROUP = "no students in the {which} group"
SUPPRESSED = "a school count was suppressed at the source (NaN), so the split is unknown"
ZERO_GAP_REASON = "the gap is zero, so its between-school share is undefined"
NOT_TWO_GROUPS = "oaxaca_blinder: column {column!r} must hold exactly two groups, found {found}"
MISSING_COLUMNS = "oaxaca_blinder: data has no column(s) {columns}"

_KEYS = ["district_id", "school_year", "outcome", "dimension", "group"]
_TERMS = ["x_a", "n_a", "x_b", "n_b"]


# --------------------------------------------------------------------------- Kitagawa core
def _school_terms(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Add each school's between and within terms to ``frame`` (columns ``_TERMS``).

    A school where one group has no students has no rate for that group. Its contribution to
    the district gap is then fully determined (−w_B·r_B or w_A·r_A), whatever rate is put in;
    we put in the other group's rate, so the within-school term is zero there (no within-school
    comparison exists) and the whole contribution counts as sorting. The identity
    between + within = r_A − r_B holds exactly.
    """
    n_a, n_b = frame["n_a"].to_numpy(float), frame["n_b"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_a = np.where(n_a > 0, frame["x_a"].to_numpy(float) / n_a, np.nan)
        r_b = np.where(n_b > 0, frame["x_b"].to_numpy(float) / n_b, np.nan)
    r_a, r_b = np.where(n_a > 0, r_a, r_b), np.where(n_b > 0, r_b, r_a)
    r_a, r_b = np.nan_to_num(r_a), np.nan_to_num(r_b)  # both groups absent: weight 0 anyway
    grouped = frame.groupby(keys, sort=False, dropna=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        w_a = n_a / grouped["n_a"].transform("sum").to_numpy(float)
        w_b = n_b / grouped["n_b"].transform("sum").to_numpy(float)
    return frame.assign(
        between=(w_a - w_b) * (r_a + r_b) / 2,
        within=(w_a + w_b) / 2 * (r_a - r_b),
        suppressed=frame[_TERMS].isna().any(axis=1),
        has_group=n_a > 0,
    )


def _locus(share: pd.Series, cut: float) -> pd.Series:
    label = np.select(
        [share >= cut, share <= 1 - cut, share.notna()],
        ["between_schools", "within_schools", "mixed"],
        default="",
    )
    return pd.Series(label, index=share.index, dtype="str")


def _kitagawa_table(frame: pd.DataFrame, keys: list[str], locus_cut: float) -> pd.DataFrame:
    """Sum the school terms of ``frame`` to one decomposition per ``keys``."""
    if not 0.5 < locus_cut <= 1:
        raise ValueError(BAD_LOCUS_CUT.format(cut=locus_cut))
    terms = _school_terms(frame, keys)
    out = terms.groupby(keys, sort=True, dropna=False).agg(
        numerator=("x_a", "sum"), n=("n_a", "sum"),
        numerator_comparison=("x_b", "sum"), n_comparison=("n_b", "sum"),
        between=("between", "sum"), within=("within", "sum"),
        suppressed=("suppressed", "any"), n_schools=("has_group", "sum"),
    ).reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate_group"] = out["numerator"] / out["n"]
        out["rate_comparison"] = out["numerator_comparison"] / out["n_comparison"]
    out["gap"] = out["rate_group"] - out["rate_comparison"]
    reason = np.select(
        [out["suppressed"], out["n"] <= 0, out["n_comparison"] <= 0,
         out["gap"].abs() < ZERO_GAP],
        [SUPPRESSED, EMPTY_GROUP.format(which="focal"), EMPTY_GROUP.format(which="comparison"),
         ZERO_GAP_REASON],
        default="",
    )
    undefined = reason != ""
    gap_undefined = undefined & (reason != ZERO_GAP_REASON)
    out.loc[gap_undefined, ["gap", "between", "within"]] = np.nan
    out["between_share"] = (out["between"] / out["gap"]).where(~undefined)
    out["locus"] = _locus(out["between_share"], locus_cut)
    out["reason"] = pd.Series(reason, index=out.index, dtype="str")
    return out.drop(columns="suppressed")


def _to_estimate(row: pd.Series) -> Estimate:
    parts = ["between", "within", "between_share", "locus", "rate_group", "rate_comparison",
             "n_comparison", "n_schools"]
    extra = {k: (row[k] if k == "locus" else float(row[k])) for k in parts}
    return Estimate(float(row["gap"]), n=float(row["n"]), reason=str(row["reason"]), extra=extra)


def kitagawa(
    x_a: Sequence[float], n_a: Sequence[float], x_b: Sequence[float], n_b: Sequence[float],
    *, locus_cut: float = LOCUS_CUT,
) -> Estimate:
    """Kitagawa split of a district rate gap into between- and within-school parts.

    With school shares w_g,s = n_g,s / n_g and school rates r_g,s (docs/methods.md)::

        r_A − r_B = Σ_s (w_A,s − w_B,s)(r_A,s + r_B,s)/2     # between schools
                  + Σ_s (w_A,s + w_B,s)/2 (r_A,s − r_B,s)     # within schools

    A school without students of one group has no within-school comparison; its whole
    (well-defined) contribution counts as between-school, so the identity stays exact.

    Parameters
    ----------
    x_a, n_a : sequences of float
        Per school: students of group A with the outcome, and all students of group A.
    x_b, n_b : sequences of float
        The same for the comparison group B (usually all other students), same school order.
    locus_cut : float, default 0.6
        ``locus`` is ``"between_schools"`` when between/gap ≥ ``locus_cut``,
        ``"within_schools"`` when ≤ 1 − ``locus_cut``, else ``"mixed"`` (docs/methods.md).

    Returns
    -------
    Estimate
        ``value`` = r_A − r_B; ``extra``: ``between``, ``within``, ``between_share`` (NaN when
        the gap is 0), ``locus``, ``rate_group``, ``rate_comparison``, ``n_comparison``,
        ``n_schools`` (schools with group-A students).

    Examples
    --------
    Group A is concentrated in the high-rate school, but each school treats both groups alike:

    >>> e = kitagawa([27, 1], [90, 10], [3, 9], [10, 90])
    >>> round(e.value, 3), round(e.between, 3), round(e.within, 3), e.locus
    (0.16, 0.16, 0.0, 'between_schools')
    """
    frame = pd.DataFrame({"x_a": x_a, "n_a": n_a, "x_b": x_b, "n_b": n_b}, dtype=float)
    _check_counts(frame, "kitagawa")
    frame["key"] = 0
    return _to_estimate(_kitagawa_table(frame, ["key"], locus_cut).iloc[0])


# ----------------------------------------------------------------------- counts-table form
def _check_counts(frame: pd.DataFrame, where: str) -> None:
    problems = {
        "negative counts": (frame[_TERMS] < 0).any(axis=1),
        "more students with the outcome than students": (frame["x_a"] > frame["n_a"])
        | (frame["x_b"] > frame["n_b"]),
    }
    for what, bad in problems.items():
        if bad.any():
            example = frame.loc[bad].iloc[0].to_dict()
            raise DataError(BAD_COUNTS.format(what=f"{where}: {what}", count=int(bad.sum()),
                                              example=example))


def _school_grid(counts: pd.DataFrame, comparison: str) -> pd.DataFrame:
    """One row per (gap keys × school) with group (x_a, n_a) and comparison (x_b, n_b) counts.

    A group missing from a school's rows has no students there (0); a row that is present
    with NaN counts was suppressed at the source and stays NaN.
    """
    data = counts.rename(columns={"measure": "outcome"})
    school_ids = data["school_id"].fillna("").astype(str).str.strip()
    schools = data.loc[school_ids != ""].assign(school_id=school_ids[school_ids != ""])
    place = ["district_id", "school_year", "outcome"]
    is_total = (schools["dimension"] == "all") & (schools["group"] == "all")
    totals = schools.loc[is_total, [*place, "school_id", "numerator", "denominator"]]
    if totals.empty:
        raise DataError(NO_SCHOOL_ROWS)
    groups = schools.loc[~is_total, [*_KEYS, "school_id", "numerator", "denominator"]]
    orphans = groups.merge(totals[[*place, "school_id"]], how="left", indicator=True)
    if (orphans["_merge"] == "left_only").any():
        example = orphans.loc[orphans["_merge"] == "left_only"].iloc[0]
        raise DataError(NO_TOTAL.format(school=example["school_id"], outcome=example["outcome"],
                                        year=example["school_year"]))
    if comparison != "all_other":
        groups = groups.loc[groups["dimension"].isin(
            groups.loc[groups["group"] == comparison, "dimension"].unique())]
    labels = groups[_KEYS].drop_duplicates()
    labels = labels.loc[labels["group"] != comparison]
    grid = labels.merge(totals.rename(columns={"numerator": "x_t", "denominator": "n_t"}),
                        on=place)
    grid = _attach(grid, groups, [*_KEYS, "school_id"], "a")
    if comparison == "all_other":
        return grid.assign(x_b=grid["x_t"] - grid["x_a"], n_b=grid["n_t"] - grid["n_a"])
    other = groups.loc[groups["group"] == comparison].drop(columns="group")
    return _attach(grid, other, [*place, "dimension", "school_id"], "b")


def _attach(grid: pd.DataFrame, rows: pd.DataFrame, on: list[str], side: str) -> pd.DataFrame:
    renamed = rows.rename(columns={"numerator": f"x_{side}", "denominator": f"n_{side}"})
    merged = grid.merge(renamed, on=on, how="left", indicator=True)
    absent = merged.pop("_merge") == "left_only"
    merged.loc[absent, [f"x_{side}", f"n_{side}"]] = 0.0
    return merged


def locate_gaps(
    counts: pd.DataFrame, *, comparison: str = "all_other", locus_cut: float = LOCUS_CUT,
) -> pd.DataFrame:
    """Kitagawa between/within-school split of every group's rate gap in a counts table.

    Works on the school rows of the counts table (docs/data.md): for each district, year,
    outcome (``measure``), dimension and group, the district gap r_group − r_comparison is split
    as in :func:`kitagawa` (docs/methods.md). District rows (blank ``school_id``) are not used;
    the district rates are recomputed from the schools, so the parts add up exactly.

    Parameters
    ----------
    counts : DataFrame
        Counts table with school rows and their ``dimension == group == "all"`` totals.
    comparison : str, default "all_other"
        ``"all_other"``: school total minus the group (every other student, including those
        whose value of the dimension is missing). Or a group label of the same dimension
        (e.g. ``"White"``); then only dimensions holding that label are decomposed.
    locus_cut : float, default 0.6
        See :func:`kitagawa`.

    Returns
    -------
    DataFrame
        One row per (district_id, school_year, outcome, dimension, group) with ``comparison``,
        ``n``, ``numerator``, ``n_comparison``, ``numerator_comparison``, ``rate_group``,
        ``rate_comparison``, ``gap``, ``between``, ``within``, ``between_share``, ``locus``,
        ``n_schools`` and ``reason`` (why a value is NaN; "" otherwise). A gap touching a
        source-suppressed (NaN) school count is NaN: suppressed cells are never read as zero.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("s1", "all", "all", 30, 100), ("s1", "race_ethnicity", "Black", 27, 90),
    ...         ("s2", "all", "all", 10, 100), ("s2", "race_ethnicity", "Black", 1, 10)]
    >>> counts = pd.DataFrame(
    ...     [("d", s, 2023, "oss", dim, g, x, n) for s, dim, g, x, n in rows],
    ...     columns=["district_id", "school_id", "school_year", "measure", "dimension",
    ...              "group", "numerator", "denominator"])
    >>> gaps = locate_gaps(counts)
    >>> gaps[["group", "gap", "between", "within", "locus"]].round(3).to_string(index=False)
    'group  gap  between  within           locus\\nBlack 0.16     0.16     0.0 between_schools'
    """
    grid = _school_grid(counts, comparison)
    _check_counts(grid, "counts")
    out = _kitagawa_table(grid[[*_KEYS, *_TERMS]], _KEYS, locus_cut)
    out.insert(len(_KEYS), "comparison", comparison)
    return out


def locate_gap(
    counts: pd.DataFrame, *, outcome: str, dimension: str, group: str,
    comparison: str = "all_other", district_id: str | None = None,
    school_year: int | None = None, locus_cut: float = LOCUS_CUT,
) -> Estimate:
    """One group's gap from a counts table, split between and within schools.

    Parameters
    ----------
    counts : DataFrame
        Counts table with school rows (docs/data.md).
    outcome, dimension, group : str
        Which gap: e.g. ``"oss"``, ``"race_ethnicity"``, ``"Black"``.
    comparison : str, default "all_other"
        See :func:`locate_gaps`.
    district_id, school_year : optional
        Needed only when the table holds several districts or years.
    locus_cut : float, default 0.6
        See :func:`kitagawa`.

    Returns
    -------
    Estimate
        As :func:`kitagawa`; ``n`` is the group's district enrollment in the outcome.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("s1", "all", "all", 30, 100), ("s1", "race_ethnicity", "Black", 27, 90),
    ...         ("s2", "all", "all", 10, 100), ("s2", "race_ethnicity", "Black", 1, 10)]
    >>> counts = pd.DataFrame(
    ...     [("d", s, 2023, "oss", dim, g, x, n) for s, dim, g, x, n in rows],
    ...     columns=["district_id", "school_id", "school_year", "measure", "dimension",
    ...              "group", "numerator", "denominator"])
    >>> e = locate_gap(counts, outcome="oss", dimension="race_ethnicity", group="Black")
    >>> e.locus, round(e.between_share, 3)
    ('between_schools', 1.0)
    """
    keep = counts["measure"] == outcome
    if district_id is not None:
        keep &= counts["district_id"] == district_id
    if school_year is not None:
        keep &= counts["school_year"] == school_year
    gaps = locate_gaps(counts.loc[keep], comparison=comparison, locus_cut=locus_cut)
    row = gaps.loc[(gaps["dimension"] == dimension) & (gaps["group"] == group)]
    if len(row) != 1:
        raise DataError(NOT_ONE_GAP.format(outcome=outcome, dimension=dimension, group=group,
                                           comparison=comparison, count=len(row)))
    return _to_estimate(row.iloc[0])


# ------------------------------------------------------------------------ Oaxaca–Blinder
def _design(data: pd.DataFrame, factors: Sequence[str]) -> pd.DataFrame:
    """Numeric factors as they are; text/category/boolean factors as dummies (first dropped)."""
    parts = []
    for name in factors:
        column = data[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            parts.append(column.astype(float).rename(name))
        else:
            parts.append(pd.get_dummies(column.astype(str), prefix=name, prefix_sep="=",
                                        drop_first=True, dtype=float))
    return pd.concat(parts, axis=1)


def oaxaca_blinder(
    data: pd.DataFrame, *, outcome: str, group: str, factors: Sequence[str],
    focal: object = None, n_boot: int = 0, seed: int = 0,
) -> Estimate:
    """Oaxaca–Blinder split of a score gap into explained and unexplained parts.

    Put **school-controlled** factors in ``factors`` (school attended, teacher experience,
    attendance, course access): the explained part is then the share of the gap that runs
    through those channels (docs/methods.md). Do not put other demographics in ``factors``.
    Uses :class:`statsmodels.stats.oaxaca.OaxacaBlinder` with the comparison group's
    coefficients as reference for the threefold split and the pooled model with a group
    indicator (Neumark/Jann 2008; statsmodels ``"pooled"``) for the twofold split.

    Parameters
    ----------
    data : DataFrame
        One row per student; rows with a missing outcome, group or factor are dropped.
    outcome : str
        Score column (e.g. ``"math_score"``).
    group : str
        Column with exactly two groups (e.g. a boolean ``is_black`` column).
    factors : sequence of str
        Numeric columns enter as they are; text, category and boolean columns as dummies with
        the first level (sorted) left out. The aggregate parts do not depend on that choice.
    focal : optional
        The value of ``group`` for group A (gap = mean_A − mean_B). Default: ``True`` for a
        boolean column, else the first value in sorted order.
    n_boot : int, default 0
        Bootstrap replicates for the standard errors of the twofold parts (statsmodels'
        bootstrap: SD of the central 98% of replicates); 0 skips them (``se`` NaN).
    seed : int, default 0
        Seed of that bootstrap.

    Returns
    -------
    Estimate
        ``value`` = gap (mean_A − mean_B); ``extra``: ``explained``, ``unexplained``
        (twofold, pooled), ``endowments``, ``coefficients``, ``interaction`` (threefold,
        B as reference), ``explained_se``, ``unexplained_se``, ``explained_share``,
        ``n_focal``, ``n_comparison``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> focal = rng.random(400) < 0.5
    >>> attendance = rng.normal(0.9 - 0.05 * focal, 0.03)
    >>> df = pd.DataFrame({"focal": focal, "attendance": attendance,
    ...                    "score": 200 * attendance + rng.normal(0, 1, 400)})
    >>> e = oaxaca_blinder(df, outcome="score", group="focal", factors=["attendance"])
    >>> bool(abs(e.explained + e.unexplained - e.value) < 1e-9)
    True
    """
    from statsmodels.stats.oaxaca import OaxacaBlinder

    missing = [c for c in (outcome, group, *factors) if c not in data.columns]
    if missing:
        raise DataError(MISSING_COLUMNS.format(columns=missing))
    rows = data[[outcome, group, *factors]].dropna()
    found = sorted(rows[group].unique(), key=str)
    if len(found) != 2:
        raise DataError(NOT_TWO_GROUPS.format(column=group, found=found))
    if focal is None:
        focal = True if True in found and False in found else found[0]
    # statsmodels puts the indicator's lower value first: 0 = focal (A), 1 = comparison (B).
    exog = _design(rows, factors)
    exog.insert(0, "const", 1.0)
    exog.insert(1, "_comparison", (rows[group] != focal).astype(float))
    model = OaxacaBlinder(rows[outcome].astype(float).to_numpy(), exog, "_comparison",
                          hasconst=True, swap=False, **({"rng": seed} if n_boot else {}))
    two = model.two_fold(std=n_boot > 0, n=n_boot or None)
    three = model.three_fold()
    unexplained, explained, gap = (float(v) for v in two.params)
    se = two.std if two.std is not None else (np.nan, np.nan)
    endowments, coefficients, interaction = (float(v) for v in three.params[:3])
    extra = {
        "explained": explained, "unexplained": unexplained,
        "explained_se": float(se[1]), "unexplained_se": float(se[0]),
        "explained_share": explained / gap if gap else np.nan,
        "endowments": endowments, "coefficients": coefficients, "interaction": interaction,
        "n_focal": float(model.len_f), "n_comparison": float(model.len_s),
    }
    return Estimate(gap, n=float(len(rows)), extra=extra)
