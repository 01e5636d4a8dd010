"""The report's tables and charts as functions of the published metrics table.

Each view takes ``published`` (the ``metrics.csv`` rows of one district, as
:attr:`DistrictAudit.published <equitykit.audit.DistrictAudit.published>` holds them after the
privacy gate) and returns a DataFrame of formatted text, or a :class:`ReportFigure`. A view
reads nothing else, so it can show no number that ``metrics.csv`` withholds. The report's
sections are built from the same functions; a notebook cell can call them with other arguments.
"""

from __future__ import annotations

import pandas as pd

from .._words import capitalize, dimension_label, group_label, outcome_label
from ..config import AuditConfig
from ..schema import DIMENSIONS, OUTCOMES
from . import _figures as fig
from ._figures import ReportFigure
from ._tables import SUPPRESSED_TEXT, format_q, format_value

__all__ = [
    "enrollment_table",
    "gap_chart",
    "gap_table",
    "other_groups_table",
    "outcome_table",
    "risk_ratio_chart",
    "school_chart",
    "segregation_table",
]


def outcome_table(published: pd.DataFrame, outcome: str, *, by: str = "race_ethnicity",
                  school_year: int | None = None, config: AuditConfig | None = None
                  ) -> pd.DataFrame:
    """Rate, risk ratio and excess students of each group of one dimension, district-wide.

    Parameters
    ----------
    published : the published metrics table of one district.
    outcome : an outcome of ``metrics.csv`` (``"oss"``, ``"gifted"``, …).
    by : the dimension (or intersection, ``"race_ethnicity×sex"``) whose groups are rows.
    school_year : the year shown; default: the latest year with this outcome.
    config : the client config (names the district's own dimensions); default: none.

    Returns
    -------
    DataFrame
        Columns ``group``, ``students``, ``rate``, ``risk ratio``, ``95% CI``,
        ``excess students``, and ``IDEA flag`` when a group's ratio is above the IDEA
        threshold (identification categories); numbers as the report prints them, a withheld
        one as "suppressed". Empty when the outcome has no rows for ``by``.

    Examples
    --------
    >>> report.outcome_table(audit.published, "oss", by="sex")  # doctest: +SKIP
    """
    rows = _district_year(published, outcome, school_year)
    rows = rows[rows["dimension"] == by]
    rate = rows[(rows["measure"] == "rate") & (rows["comparison"] == "")].set_index("group")
    ratio = _ratios(rows).set_index("group")
    excess = rows[rows["measure"] == "excess_students"].set_index("group")
    table = []
    for group in rate.index:
        r = rate.loc[group]
        rr = ratio.loc[group] if group in ratio.index else None
        table.append({
            "group": group_name(by, group, config),
            "students": cell(r, "n"),
            "rate": cell(r),
            "risk ratio": cell(rr) if rr is not None else "—",
            "95% CI": interval(rr) if rr is not None else "",
            "excess students": cell(excess.loc[group]) if group in excess.index else "—",
            "IDEA flag": str(rr["note"]).removeprefix("IDEA: ")
            if rr is not None and isinstance(rr["note"], str) and rr["flagged"] else "",
        })
    table = pd.DataFrame(table, columns=["group", "students", "rate", "risk ratio", "95% CI",
                                         "excess students", "IDEA flag"])
    return table if table["IDEA flag"].ne("").any() else table.drop(columns="IDEA flag")


def risk_ratio_chart(published: pd.DataFrame, outcome: str, *, by: str = "race_ethnicity",
                     school_year: int | None = None, config: AuditConfig | None = None
                     ) -> ReportFigure | None:
    """Each group's risk ratio against all other students with its 95% interval.

    Parameters are those of :func:`outcome_table`. Returns None when fewer than two groups
    have a published ratio (one ratio reads better in the table than in a chart).

    Examples
    --------
    >>> report.risk_ratio_chart(audit.published, "oss")  # doctest: +SKIP
    """
    rows = _district_year(published, outcome, school_year)
    rows = _ratios(rows[rows["dimension"] == by])
    rows = rows[~rows["suppressed"] & rows["value"].notna() & (rows["value"] > 0)]
    if len(rows) < 2:
        return None
    rows = rows.assign(label=[group_name(by, g, config) for g in rows["group"]])
    title = f"{capitalize(outcome_label(outcome))}: risk ratio by {_dimension_words(by, config)}"
    known = OUTCOMES.get(outcome)
    # Over- and under-identification for special education both harm: no side is shaded.
    adverse = known.adverse if known and known.domain != "special_education" else None
    return fig.forest_plot(rows, title=title, label="label", adverse=adverse)


def other_groups_table(published: pd.DataFrame, outcome: str, *, school_year: int | None = None,
                       config: AuditConfig | None = None) -> pd.DataFrame:
    """Students, rate and risk ratio of the groups of every dimension but race/ethnicity (for
    yes/no characteristics, the students who have it), with 95% intervals and q-values.

    Parameters are those of :func:`outcome_table`; ``config`` adds the district's own
    dimensions. Returns columns ``group``, ``students``, ``rate``, ``risk ratio``,
    ``95% CI``, ``q``.
    """
    rows = _district_year(published, outcome, school_year)
    rates = rows[(rows["measure"] == "rate") & (rows["comparison"] == "")]
    rates = rates.set_index(["dimension", "group"])
    rows = _ratios(rows)
    dims = [d for d in dimensions(config) if d != "race_ethnicity"]
    rows = rows[rows["dimension"].isin(dims) & (rows["group"] != "false")]
    table = []
    for _, r in rows.iterrows():
        key = (r["dimension"], r["group"])
        rate = rates.loc[key] if key in rates.index else None
        table.append({
            "group": group_name(r["dimension"], r["group"], config),
            "students": cell(rate, "n") if rate is not None else "—",
            "rate": cell(rate) if rate is not None else "—",
            "risk ratio": cell(r),
            "95% CI": interval(r),
            "q": "" if r["suppressed"] else format_q(r["q_value"]),
        })
    return pd.DataFrame(table, columns=["group", "students", "rate", "risk ratio", "95% CI",
                                        "q"])


def gap_table(published: pd.DataFrame, score: str, *, school_year: int,
              config: AuditConfig | None = None) -> pd.DataFrame:
    """Score gaps (Hedges' g against all other students) of every group with a published gap.

    Parameters
    ----------
    published : the published metrics table of one district.
    score : ``"math_score"`` or ``"ela_score"``.
    school_year : the year shown.
    config : the client config (names the district's own dimensions); default: none.

    Returns
    -------
    DataFrame
        Columns ``group``, ``students``, ``Hedges' g``, ``95% CI``, ``V (from levels)``.
    """
    shown = _gaps(published, score, school_year, config)
    year = published[(published["school_year"] == school_year) & (published["school_id"] == "")]
    v = year[(year["outcome"] == score) & (year["measure"] == "v_statistic")]
    v = v.set_index(["dimension", "group"])
    return pd.DataFrame({
        "group": shown["label"],
        "students": [cell(r, "n") for _, r in shown.iterrows()],
        "Hedges' g": [cell(r) for _, r in shown.iterrows()],
        "95% CI": [interval(r) for _, r in shown.iterrows()],
        "V (from levels)": [
            cell(v.loc[key]) if key in v.index else "—"
            for key in zip(shown["dimension"], shown["group"], strict=True)
        ],
    }, columns=["group", "students", "Hedges' g", "95% CI", "V (from levels)"])


def gap_chart(published: pd.DataFrame, score: str, *, school_year: int,
              config: AuditConfig | None = None) -> ReportFigure | None:
    """The gaps of :func:`gap_table` as bars with 95% intervals; None when there is none."""
    shown = _gaps(published, score, school_year, config)
    if shown.empty:
        return None
    return fig.gap_plot(shown, title=f"Gaps in {outcome_label(score)} (Hedges' g)",
                        label="label")


def school_chart(published: pd.DataFrame, outcome: str, *, school_year: int
                 ) -> ReportFigure | None:
    """One dot per school: the outcome's rate against the share of economically disadvantaged
    students, sized by enrollment; None with fewer than three schools to show."""
    rows = school_rows(published, school_year)
    rows = rows[~rows["suppressed"]]
    shares = rows[(rows["outcome"] == "enrollment") & (rows["measure"] == "composition")]
    rate = rows[(rows["outcome"] == outcome) & (rows["measure"] == "rate")
                & (rows["group"] == "all")]
    frame = pd.DataFrame({
        "poverty": shares[shares["group"] == "true"].set_index("school_id")["value"],
        "rate": rate.set_index("school_id")["value"],
        "n": shares[shares["group"] == "all"].set_index("school_id")["n"],
    }).dropna()
    if len(frame) < 3:
        return None
    label = outcome_label(outcome)
    return fig.school_scatter(
        frame, x="poverty", y="rate", xlabel="share of students economically disadvantaged",
        ylabel=f"share {label}", title=f"Schools: {label} against school poverty",
    )


def enrollment_table(published: pd.DataFrame, *, school_year: int,
                     config: AuditConfig | None = None) -> pd.DataFrame:
    """Students of each race/ethnicity: how many, their share, and the share of teachers of
    that race/ethnicity when the staff table gives it.

    Returns
    -------
    DataFrame
        Columns ``group``, ``students``, ``share of students`` and, with staff data,
        ``share of teachers``; empty without race/ethnicity data.
    """
    p = published
    comp = p[(p["school_year"] == school_year) & (p["school_id"] == "")
             & (p["measure"] == "composition") & (p["dimension"] == "race_ethnicity")]
    students = comp[comp["outcome"] == "enrollment"].set_index("group")
    teachers = comp[comp["outcome"] == "teachers"].set_index("group")
    table = pd.DataFrame({
        "group": [group_name("race_ethnicity", g, config) for g in students.index],
        "students": [cell(r, "n") for _, r in students.iterrows()],
        "share of students": [cell(r) for _, r in students.iterrows()],
    }, columns=["group", "students", "share of students"])
    if len(teachers):
        table["share of teachers"] = [
            cell(teachers.loc[g]) if g in teachers.index else "—" for g in students.index
        ]
    return table


def segregation_table(published: pd.DataFrame, *, school_year: int) -> pd.DataFrame:
    """The segregation indices between the district's schools (dissimilarity, isolation and
    exposure per group, Theil's H); columns ``index``, ``group``, ``value``. Each group's
    exposure to school poverty is a separate table (the section's)."""
    p = published
    rows = p[(p["school_year"] == school_year) & (p["school_id"] == "")
             & (p["section"] == "segregation") & (p["outcome"] != "school_poverty")]
    return pd.DataFrame({
        "index": [_SEGREGATION_INDEXES.get(m, m.replace("_", " ")) for m in rows["measure"]],
        "group": [capitalize(_segregated(d, g) if c == "" else
                             f"{_segregated(d, g)} – {_segregated(d, c)}")
                  for d, g, c in zip(rows["dimension"], rows["group"], rows["comparison"],
                                     strict=True)],
        "value": [cell(r) for _, r in rows.iterrows()],
    }, columns=["index", "group", "value"])


_SEGREGATION_INDEXES = {"dissimilarity": "Dissimilarity", "isolation": "Isolation",
                        "exposure": "Exposure", "theil_h": "Theil's H"}


def _segregated(dimension: str, group: str) -> str:
    """A group by its name, as in every other table ("Black students – White students")."""
    if group == "all":
        return "all groups" if dimension in ("all", "race_ethnicity") else group
    return group_label(dimension, group)


# --- shared by the views and the sections -------------------------------------------------------

def cell(row: pd.Series, column: str = "value") -> str:
    """A published number as text; a withheld one as the word "suppressed"."""
    if row["suppressed"]:
        return SUPPRESSED_TEXT
    if column != "value":
        return format_value(column, row[column])
    display = row.get("display")
    coded = isinstance(display, str) and display.startswith(("≥", "≤", "N<"))
    return format_value(row["measure"], row[column], display=display if coded else None)


def interval(row: pd.Series) -> str:
    """A published 95% interval as text; empty when withheld or not estimated."""
    if row["suppressed"] or pd.isna(row["ci_low"]):
        return ""
    low = format_value(row["measure"], row["ci_low"])
    high = format_value(row["measure"], row["ci_high"])
    return f"{low} to {high}" if row["ci_low"] < 0 else f"{low}–{high}"


def latest_year(published: pd.DataFrame, outcome: str) -> int | None:
    """The latest school year with district rows of ``outcome``; None when it has none."""
    years = published.loc[(published["outcome"] == outcome) & (published["school_id"] == ""),
                          "school_year"]
    return None if years.empty else int(years.max())


def school_rows(published: pd.DataFrame, school_year: int) -> pd.DataFrame:
    """Published per-school figures of ``school_year`` for all students and for economically
    disadvantaged students."""
    p = published
    rows = p[(p["school_id"] != "") & (p["school_year"] == school_year)
             & (p["dimension"].isin(("all", "econ_disadvantaged")))]
    return rows[(rows["group"] == "all") | (rows["group"] == "true")]


def group_name(dimension: str, group: str, config: AuditConfig | None) -> str:
    """A group's name in a table: "Black girls"; for the district's own dimensions, its title
    and label ("School sector: charter")."""
    own = config.data.dimensions.get(dimension) if config is not None else None
    return f"{own.title}: {group}" if own else capitalize(group_label(dimension, group))


def _dimension_words(dimension: str, config: AuditConfig | None) -> str:
    own = config.data.dimensions.get(dimension) if config is not None else None
    return own.title if own else dimension_label(dimension)


def dimensions(config: AuditConfig | None) -> tuple[str, ...]:
    """The standard dimensions, then the config's own (``data.dimensions``)."""
    return (*DIMENSIONS, *(config.data.dimensions if config is not None else ()))


def _district_year(published: pd.DataFrame, outcome: str, school_year: int | None
                   ) -> pd.DataFrame:
    year = latest_year(published, outcome) if school_year is None else school_year
    return published[(published["outcome"] == outcome) & (published["school_id"] == "")
                     & (published["school_year"] == year)]


def _ratios(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[(rows["measure"] == "risk_ratio") & (rows["comparison"] == "all_other")]


def _gaps(published: pd.DataFrame, score: str, school_year: int,
          config: AuditConfig | None) -> pd.DataFrame:
    """The published gaps of ``score``, labelled."""
    p = published
    g = p[(p["school_year"] == school_year) & (p["school_id"] == "") & (p["outcome"] == score)
          & (p["measure"] == "hedges_g") & p["dimension"].isin(dimensions(config))
          & (p["group"] != "false") & ~p["suppressed"] & p["value"].notna()]
    return g.assign(label=[group_name(d, gr, config) for d, gr in
                           zip(g["dimension"], g["group"], strict=True)])
