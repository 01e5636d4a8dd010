"""The views of teacher quality, predictiveness and the findings equal what the audit published,
cell by cell: the metrics.csv rows they name (read back as text from the CSV), and the records
of findings.json."""

from __future__ import annotations

import html
import json

import pandas as pd
import pytest
from _report_tables import metrics_as_written
from test_report_tables_content import _interval, _one, _shown

from equitykit import report
from equitykit._words import capitalize, dimension_label, group_label, outcome_label
from equitykit.audit import PERMUTATIONS
from equitykit.report._tables import format_q

pytestmark = pytest.mark.slow  # a sample district computed in process (~20 s)

DISTRICT = "D02"  # staff in several years, survey, schools, models and findings
QUARTILE_COLUMNS = {"school_poverty": ("highest-poverty schools", "lowest-poverty schools"),
                    "school_minority": ("schools with the most students of color",
                                        "schools with the fewest students of color")}


@pytest.fixture(scope="module")
def audit(sample_audit):
    return sample_audit(DISTRICT)


@pytest.fixture(scope="module")
def metrics(audit) -> pd.DataFrame:
    return metrics_as_written(audit)


def _year(metrics: pd.DataFrame, year: int) -> pd.DataFrame:
    return metrics[(metrics["school_year"] == str(year)) & (metrics["school_id"] == "")]


def _or_dash(row: pd.Series | None) -> str:
    return "—" if row is None else _shown(row)


@pytest.mark.parametrize("by", list(QUARTILE_COLUMNS))
def test_teacher_quality_table(audit, metrics, by):
    most, fewest = QUARTILE_COLUMNS[by]
    table = report.teacher_quality_table(audit.published, school_year=audit.school_year, by=by)
    rows = _year(metrics, audit.school_year)
    rows = rows[(rows["section"] == "teacher_quality") & (rows["dimension"] == by)]
    assert len(table) == rows["outcome"].nunique() >= 3
    for _, shown in table.iterrows():
        outcome = shown["teachers who are"].replace("-", "_") + "_teacher"
        mine = rows[rows["outcome"] == outcome]

        def one(measure, group, mine=mine):
            return _one(mine[(mine["measure"] == measure) & (mine["group"] == group)])

        gap = one("risk_difference", "high_quartile")
        assert shown[most] == _or_dash(one("rate", "high_quartile"))
        assert shown[fewest] == _or_dash(one("rate", "low_quartile"))
        assert shown["gap (percentage points)"] == _or_dash(gap)
        assert shown["95% CI"] == ("" if gap is None else _interval(gap))


def test_teacher_quality_chart_shows_the_published_shares(audit, metrics):
    chart = report.teacher_quality_chart(audit.published, school_year=audit.school_year)
    rows = _year(metrics, audit.school_year)
    rates = rows[(rows["section"] == "teacher_quality") & (rows["dimension"] == "school_poverty")
                 & (rows["measure"] == "rate") & (rows["suppressed"] == "false")]
    assert len(rates) >= 6
    for _, r in rates.iterrows():
        quarter = {"high_quartile": "highest", "low_quartile": "lowest"}[r["group"]]
        name = r["outcome"].removesuffix("_teacher").replace("_", "-")
        assert f"{name}, {quarter}-poverty quarter: {_shown(r)}" in chart.alt


def test_teacher_experience_table(audit, metrics):
    table = report.teacher_experience_table(audit.published, school_year=audit.school_year)
    rows = _year(metrics, audit.school_year)
    means = rows[(rows["measure"] == "mean_teacher_experience")
                 & (rows["dimension"] == "race_ethnicity")]
    assert len(table) == len(means) >= 4
    for (_, shown), (_, mean) in zip(table.iterrows(), means.iterrows(), strict=True):
        gap = _one(rows[(rows["measure"] == "experience_gap")
                        & (rows["dimension"] == "race_ethnicity")
                        & (rows["group"] == mean["group"])])
        assert shown["group"] == capitalize(group_label("race_ethnicity", mean["group"]))
        assert shown["mean years of teacher experience"] == _shown(mean)
        assert shown["gap vs all other students (years)"] == _or_dash(gap)


def test_teacher_retention_table(audit, metrics):
    year = report.retention_year(audit.published, before=audit.school_year)
    retained = metrics[(metrics["outcome"] == "teacher_retained") & (metrics["school_id"] == "")]
    assert year == max(int(y) for y in retained["school_year"] if int(y) < audit.school_year)
    table = report.teacher_retention_table(audit.published, school_year=year)
    rows = _year(retained, year)
    rates = rows[rows["measure"] == "rate"]
    assert len(table) == len(rates) >= 3
    for (_, shown), (_, rate) in zip(table.iterrows(), rates.iterrows(), strict=True):
        ratio = _one(rows[(rows["measure"] == "risk_ratio") & (rows["comparison"] == "all_other")
                          & (rows["group"] == rate["group"])])
        assert shown["number"] == _shown(rate, "n")
        assert shown["still on staff next year"] == _shown(rate)
        assert shown["ratio vs other teachers"] == _or_dash(ratio)
        assert shown["95% CI"] == ("" if ratio is None else _interval(ratio))


def test_predictiveness_table(audit, metrics):
    table = report.predictiveness_table(audit.published, school_year=audit.school_year)
    rows = _year(metrics, audit.school_year)
    fits = rows[rows["measure"].isin(("predictiveness_auc", "predictiveness_r2"))]
    assert len(table) == len(fits) >= 3
    for (_, shown), (_, fit) in zip(table.iterrows(), fits.iterrows(), strict=True):
        shares = rows[(rows["measure"] == "predictiveness_share")
                      & (rows["outcome"] == fit["outcome"])]
        top = shares.loc[shares["value"].astype(float).idxmax()] if len(shares) else None
        assert shown["outcome"] == capitalize(outcome_label(fit["outcome"]))
        assert shown["measure"] == {"predictiveness_auc": "AUC",
                                    "predictiveness_r2": "R²"}[fit["measure"]]
        assert shown["value"] == _shown(fit)
        assert shown["95% CI"] == _interval(fit)
        p = float(fit["p_value"]) if fit["suppressed"] != "true" else None
        at_floor = fit["measure"] == "predictiveness_auc" and p is not None and (
            p <= 1 / (PERMUTATIONS + 1) + 1e-12)  # the permutation test's smallest p
        assert shown["p (predict nothing)"] == (
            "" if p is None else ("≤" if at_floor else "") + format_q(p))
        # a strongest predictor only where demographics predict the outcome (p < 0.05)
        assert shown["strongest predictor"] == (
            "" if top is None else dimension_label(top["group"]) if p is not None and p < 0.05
            else "— (no reliable prediction)")
    assert set(table["strongest predictor"]) - {""}, "no model names a demographic"


def test_findings_table_is_findings_json(audit):
    records = json.loads(json.dumps(audit.findings))  # findings.json, as written
    table = report.findings_table(records)
    assert len(table) == len(records) > 10
    for (_, shown), f in zip(table.iterrows(), records, strict=True):
        assert (shown["rank"], shown["finding"], shown["statement"]) == (
            f["rank"], f["title"], f["statement"])
        assert float(shown["priority score"]) == pytest.approx(f["score"], abs=0.005)
        assert shown["persistent"] == f"{f['years_persistent']} of the last 3 years"
        assert shown["where the gap sits"].replace(" ", "_") == (
            f["locus"] or "not_located_(no_school-level_data)")
        assert bool(shown["IDEA"]) == bool(f.get("idea_flagged"))


def test_sections_print_the_views(audit):
    page = report.section(audit, "teacher_quality").data + report.section(
        audit, "predictiveness").data + report.section(audit, "findings").data
    p, year = audit.published, audit.school_year
    for table in (report.teacher_quality_table(p, school_year=year),
                  report.predictiveness_table(p, school_year=year),
                  report.findings_table(audit.findings)[["finding", "priority score"]]):
        for text in table.to_numpy().ravel():
            assert html.escape(str(text)) in page, text
