"""Multiple-comparison control: Benjamini–Hochberg q-values (docs/methods.md)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["benjamini_hochberg"]

BAD_P = "benjamini_hochberg: p-values must lie in [0, 1] (NaN allowed); got {bad}"
BAD_FAMILIES = "benjamini_hochberg: families has {got} labels for {n} p-values"


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray | pd.Series,
                       families: Sequence[object] | np.ndarray | pd.Series | None = None,
                       ) -> np.ndarray | pd.Series:
    """Benjamini–Hochberg adjusted p-values (q-values), optionally within families.

    For the m non-missing p-values of a family sorted ascending, q_(k) = min_{j≥k} m·p_(j)/j,
    capped at 1 (METHODS §8: NAEP practice; the tool default is one family per district, year
    and outcome domain). A hypothesis is rejected at FDR level q when its q-value is ≤ q. NaN
    p-values (tests not performed) stay NaN and do not count in m.

    Parameters
    ----------
    p_values : array-like
        Two-sided p-values.
    families : array-like, optional
        One label per p-value; the adjustment is done separately within each label. Labels may
        be tuples (e.g. ``(district, year, domain)``).

    Returns
    -------
    numpy.ndarray or pandas.Series
        q-values in the input order (a Series with the same index when given a Series).

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    >>> benjamini_hochberg([0.01, 0.04, 0.01, 0.04], families=["a", "a", "b", "b"]).tolist()
    [0.02, 0.04, 0.02, 0.04]
    """
    p = np.asarray(p_values, dtype=float).ravel()
    finite = ~np.isnan(p)
    if ((p[finite] < 0) | (p[finite] > 1)).any():
        raise ValueError(BAD_P.format(bad=p[finite][(p[finite] < 0) | (p[finite] > 1)][:3]))
    if families is None:
        family = np.zeros(len(p), dtype=np.int64)
    else:
        labels = pd.Series(list(families) if not isinstance(families, pd.Series) else families)
        if len(labels) != len(p):
            raise ValueError(BAD_FAMILIES.format(got=len(labels), n=len(p)))
        family = pd.factorize(labels)[0]
    q = np.full(len(p), np.nan)
    idx = np.flatnonzero(finite)
    if len(idx):
        fam, pv = family[idx], p[idx]
        order = np.lexsort((pv, fam))  # by family, then p ascending
        fam_sorted, p_sorted = fam[order], pv[order]
        starts = np.r_[0, np.flatnonzero(np.diff(fam_sorted)) + 1]
        sizes = np.diff(np.r_[starts, len(order)])
        rank = np.arange(len(order)) - np.repeat(starts, sizes) + 1
        m = np.repeat(sizes, sizes)
        raw = p_sorted * m / rank
        # running minimum from the largest p down, within each family
        rev = raw[::-1]
        fam_rev = fam_sorted[::-1]
        adjusted = pd.Series(rev).groupby(fam_rev).cummin().to_numpy()[::-1]
        q[idx[order]] = np.minimum(adjusted, 1.0)
    if isinstance(p_values, pd.Series):
        return pd.Series(q, index=p_values.index, name="q_value")
    return q
