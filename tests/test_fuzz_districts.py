"""Every district that ``validate`` accepts audits (issue 16, point 6).

Degenerate but valid districts (one school, one race, blank race, a handful of students,
outcomes nobody or everybody has, one teacher, ...) either fail ``validate`` with exit 1 and
a message, or audit completely; a section that cannot be computed says why in one line.
Shapes come from ``tests/_degenerate.py``.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import tempfile
from pathlib import Path

import pytest
from _degenerate import CASES, DISTRICT, Shape, write_district
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equitykit.audit import DistrictAudit
from equitykit.cli import main
from equitykit.widgets import Explorer
from equitykit.widgets._explorer import NO_OUTCOME

#: Per named shape: (section, words its skip line says) for each section it cannot compute.
#: An empty list: every section computes something (the audit completing is the check).
SKIPPED: dict[str, list[tuple[str, str]]] = {
    "one_school": [
        ("segregation", "Segregation needs at least two schools; this district has one school."),
        ("teacher_quality", "Teachers in the schools with the most and the fewest economically "
                            "disadvantaged students are not compared: that needs at least two "
                            "schools, and this district has one school."),
        ("resources", "Spending in the schools with the most and the fewest economically "
                      "disadvantaged students is not compared: that needs at least two "
                      "schools, and this district has one school."),
    ],
    "one_student": [
        ("achievement", "Math scores: too few students were tested to compare groups"),
        ("segregation", "this district has one school"),
        ("predictiveness", "Every student has the same race/ethnicity, sex"),
    ],
    "two_students": [
        ("achievement", "Reading (ELA) scores: too few students were tested"),
        ("predictiveness", "Too few students to fit demographics-only models: each needs "
                           "at least 10 students with the outcome and 10 without it"),
    ],
    "five_students": [
        ("achievement", "every gap is withheld to protect small groups"),
        ("predictiveness", "Too few students to fit demographics-only models"),
    ],
    "one_race": [
        ("segregation", "Every student whose race/ethnicity is recorded is in the same group; "
                        "segregation needs at least two groups."),
        ("teacher_quality", "the fewest students of color are not compared: its schools all "
                            "have the same share of them."),
    ],
    "race_blank": [
        ("enrollment", "No race/ethnicity data to describe enrollment."),
        ("segregation", "No student's race/ethnicity is recorded"),
        ("teacher_quality", "the fewest students of color are not compared: no student's "
                            "race/ethnicity is recorded."),
    ],
    "sex_one": [],
    "econ_all_true": [],
    "econ_all_false": [],
    "outcome_none_had": [],
    "outcome_all_had": [],
    "outcome_blank": [("programmatic", "Not in the district's data, so not audited: expelled")],
    "only_required_columns": [
        ("achievement", "No test scores in the district's data"),
        ("predictiveness", "The district's data has no outcome to predict."),
    ],
    "scores_without_levels": [("achievement", "not audited: proficient in math, proficient in "
                                              "reading (ELA)")],
    "one_grade": [("programmatic", "enrolled in an advanced course")],
    "one_year": [("trends", "One school year only; trends need two or more.")],
    "six_years": [],
    "staff_one_teacher": [],
    "staff_all_novice": [],
    "schools_table_one_school": [
        ("resources", "Spending in the schools with the most and the fewest economically "
                      "disadvantaged students is not compared: that needs at least two "
                      "schools, and this district has one school."),
    ],
    "survey_one_respondent": [],
    "spending_blank": [("resources", "The schools table has no per-pupil expenditure for "
                                     "2023–24, so resources are not audited.")],
    "survey_without_favorable": [("climate", "The survey has no favorable column")],
    "staff_no_teachers": [("teacher_quality", "The staff table lists no teachers")],
    "levels_without_scores": [("achievement", "No test scores in the district's data")],
    # Its groups are below gaps.min_n (20), which is the reason given before any other.
    "everyone_same_score": [("achievement", "No gap is estimated for girls, boys")],
    "school_empty_in_last_year": [],
    "school_without_students": [],
    "all_disabled": [],
    "none_disabled": [("programmatic", "placed in a separate school or facility")],
    "single_intersection": [],
    "disability_blank": [("programmatic", "identified for special education")],
    "no_outcome_known": [
        ("programmatic", "Not in the district's data, so not audited: identified for special "
                         "education"),
        ("predictiveness", "The district's data has no outcome to predict."),
    ],
    "attendance_only_disability_blank": [("achievement", "No test scores")],
    "one_school_one_race_staff": [
        ("teacher_quality", "Teachers in the schools with the most and the fewest economically "
                            "disadvantaged students are not compared: that needs at least two "
                            "schools"),
        ("teacher_quality", "the fewest students of color are not compared"),
        ("segregation", "this district has one school"),
    ],
    "one_student_everything": [
        ("teacher_quality", "that needs at least two schools"),
        ("resources", "that needs at least two schools"),
    ],
    "race_blank_two_years_staff": [
        ("teacher_quality", "the fewest students of color are not compared: no student's "
                            "race/ethnicity is recorded."),
        ("segregation", "No student's race/ethnicity is recorded"),
    ],
}
#: Shapes ``validate`` refuses, with words of its message.
REFUSED: dict[str, str] = {
    "staff_no_experience": "required column 'years_experience' is missing",
}


def _validate(folder: Path) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["validate", str(folder)])
    return code, out.getvalue()


def _skip_lines(section_html: str) -> list[str]:
    return [html.unescape(part.split("</p>", 1)[0])
            for part in section_html.split("<p class='ek-skip'>")[1:]]


def _audit_or_refuse(folder: Path) -> DistrictAudit | None:
    """Validate ``folder``; when it passes, audit it in-process and render every section."""
    code, output = _validate(folder)
    assert "Traceback" not in output
    if code != 0:
        assert code == 1 and "error:" in output, output
        return None
    audit = DistrictAudit.run(data_dir=folder, district_id=DISTRICT,
                              output_dir=folder / "out")
    for name in audit.sections:
        assert audit.section(name).data.startswith(f'<h2 id="{name}">')
    assert (folder / "out" / "metrics.csv").stat().st_size > 0
    json.loads((folder / "out" / "findings.json").read_text(encoding="utf-8"))
    return audit


def test_every_listed_shape_has_an_expectation():
    assert set(SKIPPED) | set(REFUSED) == set(CASES)
    assert len(CASES) >= 20


#: Shapes audited in process in the default run (the crashes reported first); every shape,
#: these included, also runs through the command line in the slow run.
FAST = ("one_school", "one_race", "race_blank", "one_student", "two_students",
        "one_school_one_race_staff", "no_outcome_known")


@pytest.mark.parametrize("name", sorted(FAST))  # every shape runs through the CLI below (slow)
def test_degenerate_district_audits_and_says_why(name, tmp_path):
    audit = _audit_or_refuse(write_district(tmp_path / name, CASES[name]))
    assert audit is not None, f"{name} was refused by validate"
    for section, words in SKIPPED[name]:
        lines = _skip_lines(audit.section(section).data)
        assert any(words in line for line in lines), (section, lines)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_unusable_district_is_refused_with_a_message(name, tmp_path):
    code, output = _validate(write_district(tmp_path / name, CASES[name]))
    assert code == 1
    assert REFUSED[name] in output and "Traceback" not in output


@pytest.mark.parametrize("name", ["no_outcome_known", *(
    pytest.param(n, marks=pytest.mark.slow) for n in ("one_student", "race_blank",
                                                      "one_school_one_race_staff"))])
def test_explorer_steps_through_a_degenerate_district(name, tmp_path):
    explorer = Explorer.from_data_dir(write_district(tmp_path / name, CASES[name]))
    outcomes = [value for _, value in explorer.outcome.options]
    if not outcomes:
        assert html.escape(NO_OUTCOME) in explorer.sentence.value
    for tab in (0, 1):
        explorer.tabs.selected_index = tab
        for outcome in outcomes:
            explorer.outcome.value = outcome
            for _, dimension in explorer.dimension.options:
                explorer.dimension.value = dimension
                if explorer.view is None:  # no group of it is published for this outcome
                    assert "The audit publishes no figures for" in explorer.sentence.value
                else:
                    assert explorer.view.selection.dimension == dimension


# --- property: any small district validates and audits, or is refused with a message ------------

_FLAG = st.sampled_from(["mixed", "true", "false", "blank"])
SHAPES = st.builds(
    Shape,
    schools=st.integers(1, 3),
    students=st.integers(1, 40),
    years=st.integers(1, 3),
    race=st.sampled_from(["mixed", "one", "blank"]),
    sex=st.sampled_from(["mixed", "one", "blank"]),
    econ=_FLAG,
    disability=_FLAG,
    outcome=st.sampled_from(["mixed", "none_had", "all_had", "blank"]),
    outcomes=st.sampled_from(["all", "attendance", "none"]),
    tests=st.sampled_from(["levels", "scores", "levels_only", "constant", "none"]),
    grades=st.sampled_from(["mixed", "one"]),
    staff=st.sampled_from(["none", "mixed", "one", "novice", "no_teachers"]),
    schools_table=st.sampled_from(["none", "spending", "no_spending"]),
    survey=st.sampled_from([0, 1, 5]),
    survey_favorable=st.booleans(),
    empty_school=st.booleans(),
    single_intersection=st.booleans(),
)
_PROPERTY = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


def _check(shape: Shape, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _audit_or_refuse(write_district(Path(tmp) / "district", shape, seed=seed))


@settings(max_examples=15, derandomize=True, **_PROPERTY)
@given(shape=SHAPES, seed=st.integers(0, 2**16))
def test_any_small_district_audits_or_is_refused(shape, seed):
    _check(shape, seed)


@pytest.mark.slow
@settings(max_examples=50, **_PROPERTY)
@given(shape=SHAPES, seed=st.integers(0, 2**32 - 1))
def test_any_small_district_audits_or_is_refused_many(shape, seed):
    _check(shape, seed)


# --- the real command line: exit codes, no traceback, the reason in the report ------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_degenerate_district_through_the_command_line(name, tmp_path, capsys):
    folder = write_district(tmp_path / "data", CASES[name])
    validated = main(["validate", str(folder)])
    out = tmp_path / "out"
    audited = main(["audit", str(folder), "--district", DISTRICT, "--out", str(out)])
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    if name in REFUSED:
        assert (validated, audited) == (1, 1)
        assert REFUSED[name] in printed.out + printed.err
        assert not (out / DISTRICT).exists()
        return
    assert (validated, audited) == (0, 0), printed.err
    for file in ("audit.html", "metrics.csv", "findings.json", "audit.ipynb"):
        assert (out / DISTRICT / file).stat().st_size > 0
    page = html.unescape((out / DISTRICT / "audit.html").read_text(encoding="utf-8"))
    assert "Traceback" not in page
    for _, words in SKIPPED[name]:
        assert words in page
