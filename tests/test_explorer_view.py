"""compute_view: the rows the explorer shows are the audit's published rows, and every number
equals the metrics functions' value (1e-9) computed here from the student rows independently."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from test_explorer_fixtures import tiny_schools, tiny_students

from equitykit import metrics
from equitykit.audit import DistrictAudit
from equitykit.config import AuditConfig, Privacy
from equitykit.intake import DistrictData
from equitykit.widgets import ALL_OTHER, DistrictSource, Selection, compute_view
from equitykit.widgets import _wording as w
from equitykit.widgets._view import (
    NO_SCHOOL_REPORTS,
    NOT_AT_SCHOOL,
    NOT_BY_GROUP,
    published_table,
)

#: Numbers are checked against the metrics functions here, so the tiny district keeps its
#: groups: rules 1-6 only (the default protection rule is attacked in
#: test_explorer_published.py); school reports on, so schools are published by group.
CONFIG = AuditConfig(privacy={"protection_width": 0}, report={"by_school": True})
YEAR = 2023


@pytest.fixture(scope="module")
def students() -> pd.DataFrame:
    return tiny_students()


@pytest.fixture(scope="module")
def cache(students):
    return DistrictSource.from_frames(students, schools=tiny_schools(), config=CONFIG)["D1"]


@pytest.fixture(scope="module")
def published(students):
    """The audit's own published table of the same district (``equitykit audit``'s path)."""
    return DistrictAudit.from_data(DistrictData(students=students, schools=tiny_schools()),
                                   district_id="D1", config=CONFIG).publish()


def _counts(students, outcome_mask, group_mask, school=None):
    """(x, n) by brute force from the student rows for one year (and school)."""
    rows = students["school_year"] == YEAR
    if school:
        rows &= students["school_id"] == school
    return (float((rows & group_mask & outcome_mask).sum()), float((rows & group_mask).sum()))


def _oss(students):
    return (students["oss_days"] > 0).fillna(False)


def _close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9


def test_rate_risk_ratio_and_excess_equal_the_metrics_functions(students, cache):
    view = compute_view(cache, Selection("D1", YEAR, "oss", "race_ethnicity", "Black"),
                        config=CONFIG)
    black = students["race_ethnicity"] == "Black"
    everyone = pd.Series(True, index=students.index)
    x, n = _counts(students, _oss(students), black)
    big_x, big_n = _counts(students, _oss(students), everyone)
    expected = {
        ("rate", ""): metrics.rate(x, n),
        ("risk_ratio", ALL_OTHER): metrics.risk_ratio(x, n, big_x - x, big_n - n),
        ("risk_difference", ALL_OTHER): metrics.risk_difference(x, n, big_x - x, big_n - n),
        ("excess_students", ALL_OTHER): metrics.excess_students(x, n, big_x - x, big_n - n),
    }
    for (measure, comparison), est in expected.items():
        row = view.row(measure, "Black", comparison)
        assert not row["suppressed"]
        assert _close(row["value"], est.value), measure
        assert _close(row["n"], n)
    rr = view.row("risk_ratio", "Black", ALL_OTHER)
    assert _close(rr["ci_low"], expected["risk_ratio", ALL_OTHER].ci_low)
    assert _close(rr["ci_high"], expected["risk_ratio", ALL_OTHER].ci_high)
    everyone_rate = view.row("rate", "all")
    assert _close(everyone_rate["value"], big_x / big_n)
    # The sentence carries the same numbers, rounded for reading aloud.
    assert (f"Black students were {w.format_ratio(rr['value'])} times as likely as all other "
            "students to be suspended out of school") in view.sentence
    assert (f"95% CI {w.format_ratio(rr['ci_low'])}–{w.format_ratio(rr['ci_high'])}"
            in view.sentence)
    excess = round(expected["excess_students", ALL_OTHER].value)
    assert view.detail.startswith(f"{excess:,} fewer Black students would need to be suspended")


def _published(cache, outcome: str, dimension: str, school: str) -> dict[str, bool]:
    """Whether each group's rate cell is published (the report's suppression decides)."""
    t = published_table(cache, school_year=YEAR, outcome=outcome, min_n=10, config=CONFIG)
    rows = t[(t["measure"] == "rate") & (t["school_id"] == school)
             & (t["dimension"] == dimension)]
    return dict(zip(rows["group"], ~rows["suppressed"].astype(bool), strict=True))


def test_named_comparison_group_uses_the_scalar_functions(students, cache):
    # Which cells the report withholds is the privacy module's call: pick a place where both
    # groups are published.
    dim = "econ_disadvantaged"
    places = {school: _published(cache, "oss", dim, school) for school in ("", "S1", "S2")}
    school = next(s for s, ok in places.items() if ok.get("true") and ok.get("false"))
    view = compute_view(cache, Selection("D1", YEAR, "oss", dim, "true", comparison="false",
                                         school_id=school), config=CONFIG)
    x, n = _counts(students, _oss(students), students[dim] == True, school=school)  # noqa: E712
    x_c, n_c = _counts(students, _oss(students), students[dim] == False, school=school)  # noqa: E712
    for measure in ("risk_ratio", "risk_difference", "excess_students"):
        row = view.row(measure, "true", "false")
        est = getattr(metrics, measure)(x, n, x_c, n_c)
        assert not row["suppressed"]
        assert _close(row["value"], est.value) and _close(row["ci_low"], est.ci_low)
    assert ("economically disadvantaged students were" in view.sentence
            and "as likely as students not economically disadvantaged" in view.sentence)
    # Compared with a group whose cell is withheld, the contrast is withheld too (report rule 4).
    races = _published(cache, "oss", "race_ethnicity", "")
    shown = next(g for g, ok in races.items() if ok)
    hidden_group = next(g for g, ok in races.items() if not ok)
    hidden = compute_view(cache, Selection("D1", YEAR, "oss", "race_ethnicity", shown,
                                           comparison=hidden_group), config=CONFIG)
    assert hidden.row("risk_ratio", shown, hidden_group)["suppressed"]
    assert "suppressed (fewer than 10 students" in hidden.sentence


def test_school_filter_uses_that_school_only(students, cache):
    group = next(g for g, ok in _published(cache, "oss", "race_ethnicity", "S1").items() if ok)
    view = compute_view(cache, Selection("D1", YEAR, "oss", "race_ethnicity", group,
                                         school_id="S1"), config=CONFIG)
    x, n = _counts(students, _oss(students), students["race_ethnicity"] == group, school="S1")
    row = view.row("rate", group)
    assert not row["suppressed"] and _close(row["value"], metrics.rate(x, n).value)
    assert view.place == "At Lincoln Middle in 2023–24"


def test_score_gap_and_average_equal_numpy_and_hedges_g_as_in_the_report(students, cache):
    view = compute_view(cache, Selection("D1", YEAR, "math_score", "race_ethnicity", "Black"),
                        config=CONFIG)
    year = students[students["school_year"] == YEAR]
    black = year.loc[year["race_ethnicity"] == "Black", "math_score"].to_numpy(float)
    other = year.loc[year["race_ethnicity"] != "Black", "math_score"].to_numpy(float)
    d = metrics.hedges_g(black.mean(), black.std(ddof=1), len(black),
                         other.mean(), other.std(ddof=1), len(other))
    row = view.row("hedges_g", "Black", ALL_OTHER)
    assert _close(row["value"], d.value) and _close(row["ci_high"], d.ci_high)
    assert _close(view.row("mean", "Black")["value"], black.mean())
    assert f"scored {abs(d.value):.2f} standard deviations below all other students" in (
        view.sentence)


def test_score_against_a_named_group_is_the_difference_of_averages(students, cache):
    view = compute_view(cache, Selection("D1", YEAR, "math_score", "race_ethnicity", "Black",
                                         comparison="White"), config=CONFIG)
    year = students[students["school_year"] == YEAR]
    gap = (year.loc[year["race_ethnicity"] == "Black", "math_score"].mean()
           - year.loc[year["race_ethnicity"] == "White", "math_score"].mean())
    assert _close(view.row("mean_difference", "Black", "White")["value"], gap)
    assert (f"the average math score of Black students was {abs(gap):.1f} points "
            f"{'below' if gap < 0 else 'above'} that of White students") in view.sentence


@pytest.mark.parametrize(("outcome", "dimension", "school"), [
    ("gifted", "race_ethnicity×sex", ""), ("oss", "race_ethnicity", "S1"),
    ("math_score", "sex", ""), ("chronic_absent", "econ_disadvantaged", "S2")])
def test_rows_are_the_audits_published_rows(published, cache, outcome, dimension, school):
    """The explorer shows the audit's metrics.csv rows, cell for cell, withheld ones too."""
    group = cache.groups(school_year=YEAR, outcome=outcome, dimension=dimension)[0]
    view = compute_view(cache, Selection("D1", YEAR, outcome, dimension, group,
                                         school_id=school), config=CONFIG)
    mine = view.table[view.table["comparison"].isin(["", ALL_OTHER])]
    keys = ["school_id", "dimension", "group", "measure", "comparison"]
    theirs = published[(published["school_year"] == YEAR) & (published["outcome"] == outcome)
                       & (published["school_id"] == school)
                       & published["dimension"].isin([dimension, "all"])
                       & published["measure"].isin(mine["measure"].unique())
                       & published["comparison"].isin(["", ALL_OTHER])]
    merged = mine.merge(theirs, on=keys, suffixes=("", "_audit"), validate="1:1")
    assert len(merged) == len(theirs) == len(mine) > 1
    assert (merged["suppressed"] == merged["suppressed_audit"]).all()
    assert (merged["display"] == merged["display_audit"]).all()
    for col in ("value", "n", "numerator", "ci_low"):
        assert all(_close(a, b) for a, b in zip(merged[col], merged[f"{col}_audit"],
                                                strict=True))


def test_a_school_published_for_all_students_only_says_so(students):
    plain = AuditConfig(privacy={"protection_width": 0})
    cache = DistrictSource.from_frames(students, schools=tiny_schools(), config=plain)["D1"]
    assert cache.schools == ["S1", "S2"]  # each school's all-student rates are published
    view = compute_view(cache, Selection("D1", YEAR, "oss", "race_ethnicity", "Black",
                                         school_id="S1"), config=plain)
    assert view.sentence == NOT_BY_GROUP.format(place="At Lincoln Middle in 2023–24",
                                                dimension="race/ethnicity") + NO_SCHOOL_REPORTS
    earlier = compute_view(cache, Selection("D1", 2022, "oss", "race_ethnicity", "Black",
                                            school_id="S1"), config=plain)
    assert earlier.sentence == NOT_AT_SCHOOL.format(place="At Lincoln Middle in 2022–23",
                                                    year="2023–24")
    assert set(view.table["group"]) == {"all"}


def test_minimum_n_can_be_raised_but_never_lowered(cache):
    base = Selection("D1", YEAR, "oss", "race_ethnicity", "Black")
    low = compute_view(cache, Selection(**{**base.__dict__, "min_n": 1}), config=CONFIG)
    default = compute_view(cache, base, config=CONFIG)
    assert low.min_n == 10
    pd.testing.assert_frame_equal(low.table, default.table)
    high = compute_view(cache, Selection(**{**base.__dict__, "min_n": 300}), config=CONFIG)
    assert high.row("rate", "Black")["suppressed"]  # 240 Black students < 300
    assert "suppressed (fewer than 300 students" in high.sentence
    strict = AuditConfig(privacy=Privacy(min_n=300))
    assert compute_view(cache, base, config=strict).min_n == 300


def test_focus_equal_to_comparison_is_refused(cache):
    with pytest.raises(ValueError, match="must differ"):
        compute_view(cache, Selection("D1", YEAR, "oss", "sex", "F", comparison="F"),
                     config=CONFIG)
