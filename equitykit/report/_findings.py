"""The ranked findings (``findings.json``) as a table: one row per finding, in rank order."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["FINDING_COLUMNS", "findings_table"]

#: The columns of :func:`findings_table`, in order.
FINDING_COLUMNS = ("rank", "finding", "statement", "priority score", "where the gap sits",
                   "persistent", "IDEA")
NOT_LOCATED = "not located (no school-level data)"
IDEA_FLAG = ("its students with disabilities are above the IDEA risk-ratio threshold for "
             "this outcome")


def findings_table(findings: Sequence[dict]) -> pd.DataFrame:
    """The findings an audit ranked (:meth:`DistrictAudit.rank
    <equitykit.audit.DistrictAudit.rank>`, as in ``findings.json``), in words.

    Parameters
    ----------
    findings : the ranked findings, most important first.

    Returns
    -------
    DataFrame
        :data:`FINDING_COLUMNS`: the rank, title and plain statement; the priority score (two
        decimals); where the gap sits (between or within schools); in how many of the last 3
        years the disparity was a finding ("2 of the last 3 years"); and whether the group has
        its students with disabilities above the IDEA risk-ratio threshold for the outcome.

    Examples
    --------
    >>> report.findings_table(audit.findings)  # doctest: +SKIP
    """
    table = [{
        "rank": f["rank"],
        "finding": f["title"],
        "statement": f["statement"],
        "priority score": f"{f['score']:.2f}",
        "where the gap sits": (f["locus"] or NOT_LOCATED).replace("_", " "),
        "persistent": f"{f['years_persistent']} of the last 3 years",
        "IDEA": IDEA_FLAG if f.get("idea_flagged") else "",
    } for f in findings]
    return pd.DataFrame(table, columns=list(FINDING_COLUMNS))
