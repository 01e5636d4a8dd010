"""Self-checks against the publisher's own figures: do our counts reproduce their rates?"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._load import _load, _spec_of, load_aggregate
from ._spec import AggregateSpec, HasAggregate

__all__ = ["aggregate_report", "check_published_figures", "published_comparison"]

COMPARISON_COLUMNS = (
    "file", "line", "district_id", "school_id", "school_year", "measure", "dimension", "group",
    "numerator", "denominator", "ours", "theirs", "difference", "tolerance", "agrees",
)


def published_comparison(data_dir: str | Path,
                         config: HasAggregate | AggregateSpec) -> pd.DataFrame:
    """Every published rate next to the same rate computed from the counts.

    A row is compared where the source gives a rate (``published`` in the config) and the
    rate is not suppressed; ``ours`` = numerator / denominator × the published scale (100 for
    percentages), ``difference`` = ours − theirs, ``agrees`` = ``|difference| <= tolerance``
    (False when ours cannot be computed).

    Returns
    -------
    DataFrame
        Columns ``file``, ``line`` (1-based, header = 1), the count keys, ``numerator``,
        ``denominator``, ``ours``, ``theirs``, ``difference``, ``tolerance``, ``agrees``.

    Examples
    --------
    >>> from equitykit.config import load_config
    >>> table = published_comparison("albemarle_downloads",
    ...                              load_config("examples/albemarle.yml"))  # doctest: +SKIP
    """
    counts = _load(Path(data_dir), _spec_of(config))
    rows = counts[counts["_published"].notna()]
    with np.errstate(divide="ignore", invalid="ignore"):
        ours = rows["numerator"] / rows["denominator"] * rows["_scale"]
    difference = ours - rows["_published"]
    table = rows.rename(columns={"_file": "file", "_line": "line", "_published": "theirs",
                                 "_tolerance": "tolerance"}).assign(
        ours=ours, difference=difference,
        agrees=(difference.abs() <= rows["_tolerance"]).fillna(False).astype(bool),
    )
    return table[list(COMPARISON_COLUMNS)].reset_index(drop=True)


def check_published_figures(data_dir: str | Path,
                            config: HasAggregate | AggregateSpec) -> pd.DataFrame:
    """Published rates our counts do not reproduce within the configured tolerance.

    An empty table means every published figure was reproduced; see
    :func:`published_comparison` for the columns and for every row compared.

    Examples
    --------
    >>> from equitykit.config import load_config
    >>> check_published_figures("albemarle_downloads",
    ...                         load_config("examples/albemarle.yml")).empty  # doctest: +SKIP
    True
    """
    table = published_comparison(data_dir, config)
    return table[~table["agrees"]].reset_index(drop=True)


def aggregate_report(data_dir: str | Path, config: HasAggregate) -> str:
    """``equitykit validate`` for public data: what was read, and how it checks out.

    Loading raises :class:`~equitykit.errors.DataError` or ``ConfigError`` on anything that
    stops an audit; disagreements with the publisher's own figures are listed as warnings.
    """
    counts = load_aggregate(data_dir, config)
    compared = published_comparison(data_dir, config)
    disagree = compared[~compared["agrees"]]
    years = sorted(counts["school_year"].dropna().astype(int).unique())
    lines = [
        f"{data_dir}: public data read with the config's aggregate section",
        f"  {counts['district_id'].nunique()} districts, school years {years[0]}–{years[-1]}, "
        f"{len(counts):,} count rows, {int(counts['source_suppressed'].sum()):,} suppressed "
        "at source (kept as missing, never zero)",
        f"  publisher's own rates checked: {len(compared):,}; reproduced: "
        f"{int(compared['agrees'].sum()):,}",
    ]
    for row in disagree.head(10).itertuples(index=False):
        lines.append(
            f"  warning: {row.file}, line {row.line}: ours {row.ours:.4g} vs published "
            f"{row.theirs:.4g} (tolerance {row.tolerance:g})"
        )
    if len(disagree) > 10:
        lines.append(f"  … and {len(disagree) - 10} more disagreements")
    return "\n".join(lines)
