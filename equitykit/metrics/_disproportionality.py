"""The disproportionality table: every rate comparison of a counts table at once.

docs/methods.md (measures; intervals, tests, Benjamini–Hochberg): the "universal subgroup rate
engine". Works on the counts table (docs/data.md, "Counts instead of student records") and
returns rows in the ``metrics.csv`` layout (docs/outputs.md).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DataError, DataProblem
from ._multiple import benjamini_hochberg
from ._rates import (
    NO_GROUP,
    NO_OTHER,
    NO_OUTCOME,
    PTest,
    katz_interval,
    newcombe_interval,
    ratio_reasons,
    share_from_risk_ratio,
    two_by_two_p,
    wilson_interval,
    z_value,
)

__all__ = ["disproportionality", "outcome_domain", "outcome_section"]

TABLE = "counts table"
MISSING_COLUMNS = "missing column(s) {cols}"
NOT_NUMERIC = "must hold numbers"
BAD_COUNT = "numerator must be a whole number between 0 and the denominator"
DUPLICATE_ROWS = "the same district/school/year/measure/dimension/group appears more than once"
GROUP_EXCEEDS_TOTAL = ("a group's numerator or denominator exceeds that of its 'all' row (or "
                       "leaves a comparison group with more outcomes than students)")

SUPPRESSED_AT_SOURCE = "suppressed at source"
COMPARISON_SUPPRESSED = "comparison group suppressed at source"
NO_TOTAL_ROW = "no 'all' row: the comparison is the other groups of this dimension"
WRR_INCOMPLETE = ("undefined: a group with a state share has no students (or suppressed counts) "
                  "in this unit")

_UNIT = ["district_id", "school_id", "school_year", "measure"]
_GROUP = [*_UNIT, "dimension", "group"]


def _outcome(name: str) -> schema.Outcome | None:
    """The schema outcome of a counts ``measure`` (``disability_SLD`` counts as ``disability``)."""
    return schema.OUTCOMES.get(name) or schema.OUTCOMES.get(name.rsplit("_", 1)[0])


def outcome_section(name: str) -> str:
    """Report section of an outcome name (``""`` when it is not a schema outcome).

    Examples
    --------
    >>> outcome_section("oss"), outcome_section("disability_SLD")
    ('programmatic', 'programmatic')
    """
    found = _outcome(name)
    return found.section if found else ""


def outcome_domain(name: str) -> str:
    """Multiple-testing domain of an outcome (docs/methods.md); an unknown outcome is its own
    domain.

    Examples
    --------
    >>> outcome_domain("iss"), outcome_domain("gifted"), outcome_domain("my_outcome")
    ('discipline', 'access', 'my_outcome')
    """
    found = _outcome(name)
    return found.domain if found else name


def _validated(counts: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in schema.COUNTS_COLUMNS if c not in counts.columns]
    if missing:
        raise DataError([DataProblem(TABLE, MISSING_COLUMNS.format(cols=", ".join(missing)))])
    out = counts[list(schema.COUNTS_COLUMNS)].copy()
    for col in ("district_id", "school_id", "measure", "dimension", "group"):
        out[col] = out[col].fillna("").astype(str)
    problems = []
    for col in ("numerator", "denominator"):
        if not pd.api.types.is_numeric_dtype(out[col]):
            problems.append(DataProblem(TABLE, NOT_NUMERIC, column=col))
    if problems:
        raise DataError(problems)
    out["numerator"] = out["numerator"].astype(float)
    out["denominator"] = out["denominator"].astype(float)
    source = counts["source_suppressed"] if "source_suppressed" in counts.columns else False
    out["source_suppressed"] = (
        pd.Series(source, index=out.index).astype("boolean").fillna(False).to_numpy(bool)
        | out["numerator"].isna() | out["denominator"].isna())
    x, n = out["numerator"].to_numpy(), out["denominator"].to_numpy()
    shown = ~out["source_suppressed"].to_numpy()
    bad = shown & ~((x >= 0) & (x <= n) & (x == np.round(x)) & (n == np.round(n)))
    _raise_rows(bad, BAD_COUNT, "numerator")
    _raise_rows(out.duplicated(_GROUP, keep=False).to_numpy(), DUPLICATE_ROWS, None)
    return out.reset_index(drop=True)


def _raise_rows(bad: np.ndarray, message: str, column: str | None) -> None:
    if bad.any():
        rows = np.flatnonzero(bad) + 2  # spreadsheet line numbers: header is line 1
        raise DataError([DataProblem(TABLE, message, column=column, rows=tuple(rows[:20]),
                                     count=int(bad.sum()))])


def _with_comparison(c: pd.DataFrame) -> pd.DataFrame:
    """Every row with its unit's totals (X, N), and whether they are suppressed or derived.

    ``all`` rows get their own counts as totals; group rows of a unit without an ``all`` row
    get the sum of their dimension's groups.
    """
    is_total = (c["dimension"] == "all").to_numpy()
    totals = c.loc[is_total, [*_UNIT, "numerator", "denominator", "source_suppressed"]].rename(
        columns={"numerator": "X", "denominator": "N", "source_suppressed": "total_suppressed"})
    totals["has_total"] = True
    g = c.merge(totals.drop_duplicates(_UNIT), on=_UNIT, how="left")
    g["has_total"] = g["has_total"].notna()
    by_dimension = g.groupby([*_UNIT, "dimension"], sort=False)
    summed = by_dimension[["numerator", "denominator"]].transform("sum")
    any_hidden = by_dimension["source_suppressed"].transform("any")
    g["X"] = g["X"].where(g["has_total"], summed["numerator"])
    g["N"] = g["N"].where(g["has_total"], summed["denominator"])
    g["total_suppressed"] = g["total_suppressed"].where(g["has_total"], any_hidden).astype(bool)
    g["derived_total"] = ~g["has_total"]
    return g


def disproportionality(counts: pd.DataFrame, *, alpha: float = 0.05,
                       state_shares: Mapping[str, float] | None = None,
                       test: PTest = "auto") -> pd.DataFrame:
    """Rates and group-vs-all-other comparisons for every row of a counts table.

    For each district/school × year × outcome × dimension × group row (docs/methods.md):

    - ``rate`` (comparison ``""``): x/n with the Wilson interval, also for the ``all`` rows
      (every student of the unit: the base rate to show beside the ratios, docs/methods.md);
    - ``risk_ratio`` (Katz log interval), ``risk_difference`` (Newcombe interval),
      ``excess_students`` (x − n·R_other; interval n × the RD interval), ``representation_index``
      and ``composition`` (intervals through the composition-to-RR identity), all with
      comparison ``"all_other"``: every other student of the same unit, i.e. the ``all`` row
      minus the group (the other groups of the dimension when there is no ``all`` row);
    - ``weighted_risk_ratio`` for ``race_ethnicity`` groups when ``state_shares`` is given.

    Comparison rows share one two-sided p-value (Fisher's exact test where an expected count
    is below 5, else Pearson chi-square; column ``p_test``) and one Benjamini–Hochberg q-value,
    computed over the ``risk_ratio`` rows within each (district_id, school_year, domain) family.
    Values the data cannot define are NaN with the reason in ``note``; rows whose counts were
    suppressed by the publisher have every number empty, ``suppressed`` True and the note
    "suppressed at source". ``flagged`` is left NA for the caller. The scalar functions
    (:func:`risk_ratio` and friends) give the same numbers for one row.

    Parameters
    ----------
    counts : DataFrame
        Counts table: ``district_id``, ``school_id``, ``school_year``, ``measure`` (outcome),
        ``dimension``, ``group``, ``numerator``, ``denominator``, optional ``source_suppressed``.
    alpha : float
        1 − confidence level of every interval.
    state_shares : mapping, optional
        State enrollment share per race/ethnicity group, for the weighted risk ratio.
    test : {"auto", "fisher", "chi2"}
        Which test gives the p-values.

    Returns
    -------
    DataFrame
        ``metrics.csv`` columns plus ``domain``, ``note`` and ``p_test``. Shares are proportions.

    Raises
    ------
    DataError
        Missing columns, non-numeric or impossible counts, duplicate rows, groups larger than
        their total.

    Examples
    --------
    >>> counts = pd.DataFrame({
    ...     "district_id": "D1", "school_id": "", "school_year": 2023, "measure": "oss",
    ...     "dimension": ["all", "race_ethnicity", "race_ethnicity"],
    ...     "group": ["all", "Black", "White"],
    ...     "numerator": [120, 40, 80], "denominator": [4000, 400, 3600]})
    >>> table = disproportionality(counts)
    >>> rr = table[(table.measure == "risk_ratio") & (table.group == "Black")].iloc[0]
    >>> [round(float(rr[c]), 3) for c in ("value", "ci_low", "ci_high")]
    [4.5, 3.123, 6.484]
    """
    z = z_value(alpha)
    g = _with_comparison(_validated(counts))
    hidden = g["source_suppressed"].to_numpy()
    comparison_hidden = hidden | g["total_suppressed"].to_numpy()
    x = np.where(hidden, np.nan, g["numerator"].to_numpy())
    n = np.where(hidden, np.nan, g["denominator"].to_numpy())
    X = np.where(comparison_hidden, np.nan, g["X"].to_numpy())
    N = np.where(comparison_hidden, np.nan, g["N"].to_numpy())
    xo, no = X - x, N - n
    _raise_rows(np.isfinite(xo + no) & ~((xo >= 0) & (xo <= no)), GROUP_EXCEEDS_TOTAL,
                "numerator")

    rate_lo, rate_hi = wilson_interval(x, n, z)
    rr, rr_lo, rr_hi, _ = katz_interval(x, n, xo, no, z)
    rd, rd_lo, rd_hi = newcombe_interval(x, n, xo, no, z)
    p, p_test = two_by_two_p(x, n, xo, no, test)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = n / N
        comp = np.where((X > 0) & (n > 0), x / X, np.nan)
        comp_lo, comp_hi = share_from_risk_ratio(rr_lo, share), share_from_risk_ratio(rr_hi, share)
        excess = np.where((n > 0) & (no > 0), x - n * xo / no, np.nan)
        index, index_lo, index_hi = comp / share, comp_lo / share, comp_hi / share

    outcome = g["measure"]
    domain = outcome.map({m: outcome_domain(m) for m in outcome.unique()}).to_numpy(object)
    families = pd.DataFrame({"d": g["district_id"], "y": g["school_year"], "f": domain})
    q = benjamini_hochberg(p, families=families.groupby(["d", "y", "f"]).ngroup().to_numpy())

    def notes(reason: np.ndarray) -> np.ndarray:
        derived = np.where(g["derived_total"].to_numpy() & (reason == ""), NO_TOTAL_ROW, reason)
        return np.where(hidden, SUPPRESSED_AT_SOURCE,
                        np.where(comparison_hidden, COMPARISON_SUPPRESSED, derived))

    ratio_note = notes(ratio_reasons(x, n, xo, no))
    diff_note = notes(np.select([n == 0, no == 0], [NO_GROUP, NO_OTHER], "").astype(object))
    share_note = np.where((X == 0) & (n > 0) & ~comparison_hidden, NO_OUTCOME, ratio_note)
    rate_note = np.where(hidden, SUPPRESSED_AT_SOURCE, np.where(n == 0, NO_GROUP, ""))
    none = np.full(len(g), np.nan)
    everyone = np.ones(len(g), dtype=bool)
    groups = (g["dimension"] != "all").to_numpy()
    blocks = {
        "rate": ("", x / np.where(n > 0, n, np.nan), rate_lo, rate_hi, none, none, rate_note,
                 everyone),
        "risk_ratio": ("all_other", rr, rr_lo, rr_hi, p, q, ratio_note, groups),
        "risk_difference": ("all_other", rd, rd_lo, rd_hi, p, q, diff_note, groups),
        "excess_students": ("all_other", excess, n * rd_lo, n * rd_hi, p, q, diff_note,
                            groups),
        "representation_index": ("all_other", index, index_lo, index_hi, p, q, share_note,
                                 groups),
        "composition": ("all_other", comp, comp_lo, comp_hi, p, q, share_note, groups),
    }
    if state_shares:
        blocks["weighted_risk_ratio"] = _weighted_block(g, x, n, hidden, state_shares)
    return _assemble(g, x, n, hidden, domain, p_test, blocks)


def _weighted_block(g: pd.DataFrame, x: np.ndarray, n: np.ndarray, hidden: np.ndarray,
                    state_shares: Mapping[str, float]) -> tuple:
    """WRR_g = R_g / [(Σ_j p_j R_j − p_g R_g) / (Σ_j p_j − p_g)] per unit (docs/methods.md)."""
    weight = g["group"].map(dict(state_shares)).to_numpy(dtype=float)
    rows = (g["dimension"] == "race_ethnicity").to_numpy() & ~np.isnan(weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        risk = np.where(n > 0, x / n, np.nan)
    usable = rows & ~hidden & (n > 0)
    parts = pd.DataFrame({"pr": np.where(usable, weight * risk, 0.0),
                          "p": np.where(usable, weight, 0.0),
                          "k": usable.astype(int)})
    keys = [g[c] for c in _UNIT]
    sums = parts.groupby(keys, sort=False).transform("sum")
    complete = usable & (sums["k"].to_numpy() == len(state_shares))
    with np.errstate(divide="ignore", invalid="ignore"):
        comparison = (sums["pr"].to_numpy() - weight * risk) / (sums["p"].to_numpy() - weight)
        value = np.where(complete, risk / comparison, np.nan)
    note = np.where(hidden, SUPPRESSED_AT_SOURCE, np.where(complete, "", WRR_INCOMPLETE))
    none = np.full(len(g), np.nan)
    return ("all_other", value, none, none, none, none, note, rows)


def _assemble(g, x, n, hidden, domain, p_test, blocks) -> pd.DataFrame:
    """Stack the per-measure blocks into long rows, each group's measures together."""
    row = np.arange(len(g))
    pieces: dict[str, list[np.ndarray]] = {k: [] for k in (
        "row", "rank", "value", "ci_low", "ci_high", "p_value", "q_value", "note", "p_test")}
    comparisons = []
    for rank, (comparison, value, lo, hi, p, q, note, mask) in enumerate(blocks.values()):
        comparisons.append(comparison)
        pieces["row"].append(row[mask])
        pieces["rank"].append(np.full(int(mask.sum()), rank))
        for col, arr in (("value", value), ("ci_low", lo), ("ci_high", hi), ("p_value", p),
                         ("q_value", q)):
            pieces[col].append(np.where(hidden, np.nan, arr)[mask])
        pieces["note"].append(np.asarray(note, dtype=object)[mask])
        pieces["p_test"].append(np.where(np.isfinite(p), p_test, "")[mask])
    cat = {k: np.concatenate(v) for k, v in pieces.items()}
    order = np.lexsort((cat["rank"], cat["row"]))
    src, rank = cat["row"][order], cat["rank"][order]

    def labels(values) -> pd.api.extensions.ExtensionArray:  # take() keeps the string dtype
        return pd.Series(values).array.take(src)

    section = g["measure"].map({m: outcome_section(m) for m in g["measure"].unique()})
    return pd.DataFrame({
        "district_id": labels(g["district_id"]),
        "school_year": g["school_year"].to_numpy()[src],
        "school_id": labels(g["school_id"]),
        "section": labels(section),
        "measure": pd.Series(list(blocks), dtype=str).array.take(rank),
        "outcome": labels(g["measure"]),
        "dimension": labels(g["dimension"]),
        "group": labels(g["group"]),
        "comparison": pd.Series(comparisons, dtype=str).array.take(rank),
        "n": n[src],
        "numerator": x[src],
        "value": cat["value"][order],
        "ci_low": cat["ci_low"][order],
        "ci_high": cat["ci_high"][order],
        "p_value": cat["p_value"][order],
        "q_value": cat["q_value"][order],
        "suppressed": hidden[src],
        "flagged": pd.array(np.full(len(src), pd.NA), dtype="boolean"),
        "domain": labels(pd.Series(domain, dtype=str)),
        "note": pd.Series(cat["note"][order], dtype=str),
        "p_test": pd.Series(cat["p_test"][order], dtype=str),
    })
