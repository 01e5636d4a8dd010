"""The body of each report section, drawn only from the audit's published metrics.

:func:`section` shows one section of a :class:`~equitykit.audit.DistrictAudit`; :func:`outcomes`
and :func:`score_gaps` show parts of the outcome sections, for a notebook that puts its own cells
between them. A section whose data is missing shows a one-line note saying what it would need.
The tables and charts come from the views of :mod:`equitykit.report` (``outcome_table``, …).
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from .. import metrics
from .._words import (
    SCORE_OUTCOMES,
    SURVEY_ROLE_TITLES,
    capitalize,
    column_title,
    counted_label,
    dimension_label,
    group_label,
    outcome_label,
    year_label,
)
from ..audit._compute import RARE_FACTOR, SCHOOL_POVERTY, SCORES, model_outcomes
from ..intake import derive_outcomes
from ..intake._derive import outcomes_reading
from ..schema import DIMENSIONS, OUTCOMES
from ._adults import turnover_table, turnover_year
from ._climate import (
    climate_dimensions,
    climate_roles,
    climate_table,
    response_table,
    school_climate_table,
)
from ._discipline import decision_table
from ._findings import findings_table
from ._focus import focus_headline, focus_table
from ._glossary import glossary_html
from ._goals import goal_chart, goal_progress, goal_sentence, goals_table
from ._idea import category_table, idea_sentences, idea_table
from ._predictive import predictiveness_table
from ._resources import resources_table, resources_verdict
from ._tables import format_value, html_table, note, skip
from ._teachers import (
    TEACHER_QUARTILES,
    retention_year,
    teacher_experience_table,
    teacher_quality_chart,
    teacher_quality_table,
    teacher_retention_table,
)
from ._trends import narrowed_by_worsening, narrowing_sentence, rate_trend_table
from ._views import (
    cell,
    dimensions,
    enrollment_table,
    gap_chart,
    gap_table,
    group_name,
    other_groups_table,
    outcome_table,
    risk_ratio_chart,
    school_chart,
    school_rows,
    segregation_table,
)

#: The rate outcomes each outcome section shows, in order.
SECTION_OUTCOMES: dict[str, tuple[str, ...]] = {
    "achievement": ("math_proficient", "ela_proficient", "graduated_4yr", "dropped_out",
                    "retained", "chronic_absent"),
    "programmatic": ("disability", "placement_lt40", "placement_separate", "oss", "iss",
                     "expelled", "referred_law_enforcement", "arrested", "gifted",
                     "advanced_course", "algebra1_grade8"),
}


NEEDS_STUDENTS = ("This section needs student records; this audit was built from published "
                  "counts only.")


#: Sections that break outcomes down by the student dimensions.
_BY_DIMENSION = ("enrollment", "achievement", "programmatic", "predictiveness")


def not_collected(audit, section: str) -> str:
    """One line per column the district does not collect that this section would use."""
    def sections(column: str) -> set[str]:
        if column in DIMENSIONS:
            return {"data_profile", *_BY_DIMENSION}
        if column in SCORE_OUTCOMES:
            return {"data_profile", "achievement", "predictiveness"}
        return {"data_profile", *(OUTCOMES[o].section for o in outcomes_reading(column))}

    return "".join(skip(f"{column_title(c)}: not collected.")
                   for c in audit.config.data.not_collected if section in sections(c))


def _year(audit, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    frame = audit.published if frame is None else frame
    return frame[(frame["school_year"] == audit.school_year) & (frame["school_id"] == "")]


def _students_of_year(audit) -> pd.DataFrame:
    """The student records of the audited year (an audit from student records only)."""
    students = audit.data.students
    return students[students["school_year"] == audit.school_year]


#: Quartile comparisons of schools: the composition column, its students, what sets it.
_QUARTILES = {
    "poverty": ("poverty_share", "economically disadvantaged students", "economic disadvantage"),
    "minority": ("minority_share", "students of color", "race/ethnicity"),
}


def _why_no_quartiles(audit, by: str) -> str:
    """Why the schools with the most and the fewest students of a kind cannot be compared."""
    year = _students_of_year(audit)
    schools = year["school_id"].nunique()
    if schools < 2:
        return f"that needs at least two schools, and this district has {_schools(schools)}"
    column, _, recorded = _QUARTILES[by]
    shares = metrics.school_composition(year)[column]
    if shares.notna().sum() == 0:
        return f"no student's {recorded} is recorded"
    if shares.nunique() < 2:
        return "its schools all have the same share of them"
    return "no school with the data it needs is among the most or the fewest"


def _schools(n: int) -> str:
    return "no school" if n == 0 else "one school" if n == 1 else f"{n} schools"


# --- summary and profile --------------------------------------------------------------------------

def summary(audit) -> str:
    year = _year(audit)
    total = year[(year["measure"] == "rate") & (year["dimension"] == "all")]
    n = total["n"].max() if len(total) else float("nan")
    intro = (
        f"<p>This audit covers {html.escape(audit.config.district_name(audit.district_id))} "
        "in the "
        f"{year_label(audit.school_year)} school year"
        + (f" ({format_value('n', n)} students)" if pd.notna(n) else "")
        + ". It asks where student outcomes are predicted by race, ethnicity, sex, economic "
        "disadvantage, language or disability, and where those disparities sit: between the "
        "district's schools or among students of the same schools.</p>"
    )
    idea = idea_sentences(audit.published, school_year=audit.school_year,
                          threshold=audit.config.idea.risk_ratio_threshold,
                          consecutive_years=audit.config.idea.consecutive_years)
    if idea:
        intro += ("<h3>IDEA significant disproportionality</h3><ul>"
                  + "".join(f"<li>{html.escape(t)}</li>" for t in idea) + "</ul>")
    if not audit.findings:
        return intro + note("No disparity met the audit's certainty and size rules this year.")
    items = "".join(
        f"<li><strong>{html.escape(f['title'])}.</strong> {html.escape(f['statement'])}</li>"
        for f in audit.findings[:5]
    )
    return intro + f"<h3>Headline findings</h3><ol>{items}</ol>"


def data_profile(audit) -> str:
    data = audit.data
    if not audit.student_level:
        return "".join(note(text) for text in (
            "Built from published counts (public data), not student records: rates, "
            "disproportionality and segregation are audited; score gaps, predictiveness and "
            "teacher quality need student records.", *audit.notes))
    rows = [
        {"table": name, "present": "yes" if getattr(data, name, None) is not None else "no"}
        for name in ("students", "staff", "schools", "survey", "incidents")
    ]
    enrolled = audit.published[
        (audit.published["outcome"] == "enrollment") & (audit.published["dimension"] == "all")
        & (audit.published["school_id"] == "")
    ]
    by_year = pd.DataFrame({
        "school year": [year_label(int(y)) for y in enrolled["school_year"]],
        "students": [cell(r, "n") for _, r in enrolled.iterrows()],
    })
    return (
        html_table(pd.DataFrame(rows), caption="Tables supplied")
        + html_table(by_year, caption="Students audited by school year")
        + note("Outcomes without data in the district's files are skipped, each with a note "
               "in its section.")
    )


def enrollment(audit) -> str:
    table = enrollment_table(audit.published, school_year=audit.school_year,
                             config=audit.config)
    if table.empty:
        return skip("No race/ethnicity data to describe enrollment.") + _schools_table(audit)
    if "share of teachers" not in table:
        return html_table(table, caption="Students by race/ethnicity") + _schools_table(audit)
    return (
        html_table(table, caption="Students and teachers by race/ethnicity")
        + note("A district whose teachers mirror its students has equal shares in the last "
               "two columns.")
        + _schools_table(audit)
    )


_SCHOOL_OUTCOMES = ("chronic_absent", "oss", "gifted", "advanced_course", "math_proficient")


def _school_names(audit) -> dict[str, str]:
    schools = getattr(audit.data, "schools", None)
    if schools is None or "school_name" not in schools:
        return {}
    latest = schools[schools["school_year"] == schools["school_year"].max()]
    return dict(zip(latest["school_id"].astype(str), latest["school_name"].astype(str),
                    strict=False))


def _schools_table(audit) -> str:
    rows = school_rows(audit.published, audit.school_year)
    if rows.empty:
        return ""
    names = _school_names(audit)
    table = []
    for school_id, school in rows.groupby("school_id"):
        def pick(outcome, measure, group="all", school=school):
            hit = school[(school["outcome"] == outcome) & (school["measure"] == measure)
                         & (school["group"] == group)]
            return cell(hit.iloc[0]) if len(hit) else "—"

        total = school[(school["outcome"] == "enrollment") & (school["group"] == "all")
                       & (school["measure"] == "composition")]
        entry = {
            "school": names.get(school_id, school_id),
            "students": cell(total.iloc[0], "n") if len(total) else "—",
            "econ. disadvantaged": pick("enrollment", "composition", "true"),
        }
        for outcome in _SCHOOL_OUTCOMES:
            if outcome in set(rows["outcome"]):
                entry[outcome_label(outcome)] = pick(outcome, "rate")
        table.append(entry)
    table = pd.DataFrame(table)
    blank = note("“—”: the school has no students this figure counts (advanced courses are "
                 "counted in grades 9–12 only, Algebra I in grade 8).") \
        if table.isin(["—"]).any().any() else ""
    return html_table(table, caption="Schools at a glance (all students)") + blank


# --- outcome sections ----------------------------------------------------------------------------

def _latest_for(audit, outcome: str) -> tuple[pd.DataFrame, str]:
    """District rows of the audited year; for an outcome the data stops earlier (public files
    are published on different schedules), its latest year, and a note saying so."""
    p = audit.published
    rows = p[(p["outcome"] == outcome) & (p["school_id"] == "")
             & (p["school_year"] <= audit.school_year)]
    if rows.empty:
        return rows, ""
    latest = int(rows["school_year"].max())
    late = ""
    if latest != audit.school_year:
        late = f" ({year_label(latest)}, the latest year in the data)"
    return rows[rows["school_year"] == latest], late


def _outcome_block(audit, outcome: str) -> str:
    year, late = _latest_for(audit, outcome)
    rows = year[year["dimension"] == "race_ethnicity"]
    if rows.empty:
        return ""
    label = outcome_label(outcome)
    pooled = rows["note"].str.extract(r"(pooled \d{4}–\d{4})", expand=False).dropna()
    late += f" ({pooled.iloc[0]}: a rare outcome, years added together)" if len(pooled) else ""
    out = f"<h3>{html.escape(capitalize(label) + late)}</h3>"
    when = {"school_year": int(year["school_year"].iloc[0]), "config": audit.config}
    chart = risk_ratio_chart(audit.published, outcome, **when)
    out += chart.to_html() if chart is not None else ""
    out += _rare_note(year, label)
    table = outcome_table(audit.published, outcome, **when)
    out += html_table(table.rename(columns={"students": counted_label(outcome)}),
                      caption=f"{capitalize(label)} by race/ethnicity")
    others = other_groups_table(audit.published, outcome, **when)
    if len(others):
        out += html_table(others, caption=f"{capitalize(label)}: other groups")
    return out + (_categories(when["school_year"], audit) if outcome == "disability" else "")


def _categories(school_year: int, audit) -> str:
    """Identification by disability category: the share of each group and its risk ratio."""
    rates = category_table(audit.published, school_year=school_year)
    if rates.empty:
        return ""
    ratios = category_table(audit.published, school_year=school_year, measure="risk_ratio")
    return (html_table(rates, caption="Identified for special education, by disability "
                                      "category: share of each group")
            + (html_table(ratios, caption="Identified for special education, by disability "
                                          "category: risk ratio against all other students")
               if not ratios.empty else ""))


def _rare_note(year: pd.DataFrame, label: str) -> str:
    """A sentence before an outcome's table when the outcome is too rare district-wide for
    most groups to be published (its all-students rate is a band such as "≤1%")."""
    total = year[(year["dimension"] == "all") & (year["measure"] == "rate")
                 & (year["comparison"] == "")]
    if len(total) != 1 or total["suppressed"].iloc[0]:
        return ""
    shown = total["display"].iloc[0]
    if not (isinstance(shown, str) and shown.startswith("≤")):
        return ""
    return note(f"District-wide, {shown} of students were {label}: too few for most groups' "
                "numbers to be published without identifying students.")


def _outcome_section(audit, outcomes) -> str:
    blocks = [b for b in (_outcome_block(audit, o) for o in outcomes) if b]
    present = set(audit.published["outcome"])
    missing = [outcome_label(o) for o in outcomes if o not in present]
    text = "".join(blocks)
    if missing:
        text += skip("Not in the district's data, so not audited: " + ", ".join(missing) + ".")
    return text or skip("The district's data has none of this section's outcomes.")


def _tested(audit) -> list[str]:
    """The test scores the audited year's student records hold."""
    if not audit.student_level:
        return []
    students = _students_of_year(audit)
    return [s for s in SCORES if s in students and students[s].notna().any()]


def _why_no_gaps(audit, g: pd.DataFrame) -> str:
    if g.empty:
        return ("too few students were tested to compare groups (a gap needs at least two "
                "students in a group and two others).")
    if g["suppressed"].all():
        return ("every gap is withheld to protect small groups (privacy rule: at least "
                f"{audit.config.privacy.min_n} students).")
    return "the scores do not vary within groups, so no gap can be measured."


def outcomes(audit, name: str) -> HTML:
    """The rate outcomes of section ``name`` (``"achievement"`` or ``"programmatic"``): the
    section's notes on data not collected, then per outcome a risk-ratio chart, the table by
    race/ethnicity and the table of other groups; for programmatic equity the groups above the
    IDEA risk-ratio threshold first."""
    idea = _idea_block(audit) if name == "programmatic" else ""
    return HTML(not_collected(audit, name) + idea
                + _outcome_section(audit, SECTION_OUTCOMES[name]))


def score_gaps(audit) -> HTML:
    """The test-score gaps of the audited year: per score a chart and a table of Hedges' g."""
    return HTML(_score_gaps(audit))


def achievement(audit) -> str:
    return _score_gaps(audit) + _outcome_section(audit, SECTION_OUTCOMES["achievement"])


def _score_gaps(audit) -> str:
    year = _year(audit)
    tested = _tested(audit)
    out = ""
    for score in tested:
        g = year[(year["outcome"] == score) & (year["measure"] == "hedges_g")
                 & year["dimension"].isin(dimensions(audit.config)) & (year["group"] != "false")]
        shown = g[~g["suppressed"] & g["value"].notna()].copy()
        small = g[g["note"].str.startswith("not estimated")]
        if shown.empty and small.empty:
            out += skip(f"{capitalize(outcome_label(score))}: {_why_no_gaps(audit, g)}")
            continue
        out += f"<h3>{html.escape(capitalize(outcome_label(score)))}</h3>"
        if len(shown):
            out += _gap_table(audit, score)
        if len(small):
            out += note("No gap is estimated for " + ", ".join(
                group_label(d, gr) for d, gr in zip(small["dimension"], small["group"],
                                                    strict=True))
                + f": fewer than {audit.config.gaps.min_n} students in the group or in all "
                "other students (the audit's minimum for a gap).")
    if not tested:
        out = skip("No test scores in the district's data; score gaps are not audited."
                   if audit.student_level else NEEDS_STUDENTS)
    return out


def _gap_table(audit, score: str) -> str:
    when = {"school_year": audit.school_year, "config": audit.config}
    chart = gap_chart(audit.published, score, **when)
    return (chart.to_html() if chart is not None else "") + html_table(
        gap_table(audit.published, score, **when),
        caption=f"{capitalize(outcome_label(score))}: gap vs all other students")


def programmatic(audit) -> str:
    return (_idea_block(audit) + _school_scatter(audit, "oss")
            + _outcome_section(audit, SECTION_OUTCOMES["programmatic"]))


def _idea_block(audit) -> str:
    """The groups above the IDEA risk-ratio threshold this year, or a line saying none is."""
    rules = audit.config.idea
    table = idea_table(audit.published, school_year=audit.school_year,
                       threshold=rules.risk_ratio_threshold)
    if table.empty:
        return note(f"IDEA significant disproportionality (34 CFR 300.647): no group is above "
                    f"the state's risk-ratio threshold of {rules.risk_ratio_threshold:g} in "
                    f"{year_label(audit.school_year)}. This federal test covers the "
                    "identification, placement and discipline of students with disabilities "
                    "only; the disparities of all students are in the tables that follow.")
    return html_table(table, caption="IDEA significant disproportionality: groups above the "
                      "state's risk-ratio threshold") + note(
        f"Significant disproportionality under IDEA (34 CFR 300.647) means a risk ratio above "
        f"{rules.risk_ratio_threshold:g} in {rules.consecutive_years} consecutive years, "
        f"where the group and its comparison each have at least {rules.n_size} students and "
        f"{rules.cell_size} with the outcome.")


#: Discipline outcomes shown group by group after the decision-point table.
_DECISION_POINTS = ("referred", "exclusionary_given_referral", "restorative_given_referral")
NO_INCIDENTS = ("The district's data has no discipline incidents: an incidents table (one row "
                "per incident: student, date, school, offense, action, days) shows who is "
                "referred, for what, and what follows.")


def discipline(audit) -> str:
    table = decision_table(audit.published, school_year=audit.school_year)
    if table.empty or "Referred" not in table:
        return skip(NO_INCIDENTS)
    intro = note(
        "Each discipline incident is a decision: to refer, and then to remove the student "
        "from class or school (in- or out-of-school suspension, expulsion, referral to the "
        "police, arrest) or to hold a restorative conference. Rates of referral are of "
        "all students; the others are of students referred. The same-offense ratios compare "
        "a group's incidents with other students' incidents of the same offense category "
        "(Mantel–Haenszel), so differences in the offense category recorded do not explain "
        "them. Days lost: days of "
        "out-of-school suspension per 100 students.")
    return (intro + html_table(table, caption="Discipline at each decision point, "
                                              f"{year_label(audit.school_year)}")
            + "".join(_outcome_block(audit, o) for o in _DECISION_POINTS))


def focus(audit) -> str:
    chosen = audit.config.focus
    them = group_label(chosen.dimension, chosen.group)
    options = dict(dimension=chosen.dimension, group=chosen.group, reference=chosen.reference,
                   school_year=audit.school_year)
    table = focus_table(audit.published, **options)
    if table.empty:
        return skip(f"The audit publishes no outcome of {them} (focus: {chosen.dimension} = "
                    f"{chosen.group}); check the group is spelled as in the data.")
    return (f"<p class='ek-headline'>{html.escape(focus_headline(audit.published, **options))}"
            "</p>" + html_table(table, caption=f"{capitalize(them)} in every outcome, "
                                               f"{year_label(audit.school_year)}"))


def goals(audit) -> str:
    chosen = audit.config.goals
    out = html_table(goals_table(audit.published, chosen, school_year=audit.school_year,
                                 config=audit.config), caption="Goals and progress")
    for goal in chosen:
        out += note(goal_sentence(goal_progress(audit.published, goal, audit.school_year)))
        chart = goal_chart(audit.published, goal, school_year=audit.school_year)
        out += chart.to_html() if chart is not None else ""
    return out + note(
        "On track: the whole 95% interval of the latest value is at least as good as the "
        "straight line from the baseline to the target that year; off track: the whole "
        "interval is worse; otherwise the latest value is not distinguishable from the path.")


def _school_scatter(audit, outcome: str) -> str:
    chart = school_chart(audit.published, outcome, school_year=audit.school_year)
    if chart is None:
        return ""
    rows = school_rows(audit.published, audit.school_year)
    every = rows.loc[(rows["outcome"] == "enrollment") & (rows["group"] == "all"), "school_id"]
    shown = rows.loc[(rows["outcome"] == outcome) & (rows["measure"] == "rate")
                     & (rows["group"] == "all") & ~rows["suppressed"], "school_id"]
    hidden = every.nunique() - shown.nunique()
    return chart.to_html() + note(
        f"Each dot is a school, sized by its students. {_schools(hidden).capitalize()} "
        f"{'is' if hidden == 1 else 'are'} not shown: {'its' if hidden == 1 else 'their'} "
        f"rate is withheld to protect small groups." if hidden > 0 else
        "Each dot is a school, sized by its students.")


def teacher_quality(audit) -> str:
    if not audit.student_level:
        return skip(NEEDS_STUDENTS)
    staff = audit.data.staff
    if staff is None:
        return skip("No staff table, so teacher quality equity is not audited.")
    teachers = staff[(staff["school_year"] == audit.school_year)
                     & (staff["role"].astype("string").str.lower() == "teacher")]
    if teachers.empty:
        return skip(f"The staff table lists no teachers (role \"teacher\") for "
                    f"{year_label(audit.school_year)}, so teacher quality equity is not "
                    "audited.")
    p, year, config = audit.published, audit.school_year, audit.config
    chart = teacher_quality_chart(p, school_year=year)
    out = chart.to_html() if chart is not None else ""
    for by, (_, _, caption) in TEACHER_QUARTILES.items():
        table = teacher_quality_table(p, school_year=year, by=by)
        if len(table):
            out += html_table(table, caption=caption)
        else:
            kind = by.removeprefix("school_")
            out += skip(f"Teachers in the schools with the most and the fewest "
                        f"{_QUARTILES[kind][1]} are not compared: "
                        f"{_why_no_quartiles(audit, kind)}.")
    experience = teacher_experience_table(p, school_year=year, config=config)
    if len(experience):
        out += html_table(experience, caption="Teacher experience the average student of each "
                          "group has (student-weighted)")
    retained = retention_year(p, before=year)
    if retained is not None:
        out += html_table(teacher_retention_table(p, school_year=retained, config=config),
                          caption=f"Teacher retention from {year_label(retained)} to "
                                  f"{year_label(retained + 1)} by race/ethnicity")
    return out + _turnover_table(audit)


def _turnover_table(audit) -> str:
    """Staff who left and staff hired, by race/ethnicity, where the staff table has exit and
    hire years."""
    year = turnover_year(audit.published, audit.school_year)
    if year is None:
        return ""
    return html_table(turnover_table(audit.published, school_year=year),
                      caption=f"Staff turnover and new hires in {year_label(year)} by "
                              "race/ethnicity (all roles)")


def segregation(audit) -> str:
    rows = _year(audit)
    rows = rows[rows["section"] == "segregation"]
    if rows.empty:
        return skip(_why_no_segregation(audit))
    indices = rows[rows["outcome"] != SCHOOL_POVERTY]
    # Income segregation can be measured where race/ethnicity segregation cannot: say why.
    out = "" if (indices["dimension"] == "race_ethnicity").any() else skip(
        _why_no_segregation(audit))
    table = segregation_table(audit.published, school_year=audit.school_year)
    if len(table):
        out += html_table(table, caption="Segregation between the district's schools") + note(
            "Dissimilarity: share of one group that would have to change schools for an even "
            "spread. Isolation: the share of their own group in the average student's school. "
            "Exposure: the share of the second group in the average school of the first. "
            "Theil's H: multigroup segregation, 0 = every school mirrors the district.")
    return out + _school_poverty(audit, rows[rows["outcome"] == SCHOOL_POVERTY]) + \
        _between_school_groups(audit)


def _school_poverty(audit, rows: pd.DataFrame) -> str:
    """Each group's exposure to school poverty: the standard groups and the district's own."""
    shown = ("all", "race_ethnicity", "econ_disadvantaged",
             *[n for n, d in audit.config.data.dimensions.items() if d.level == "student"])
    rows = rows[rows["dimension"].isin(shown)]
    if rows.empty:
        return ""
    measure = audit.config.data.school_poverty
    name = measure.column if measure else "share of economically disadvantaged students"
    table = []
    for (dimension, group), cells in rows.groupby(["dimension", "group"], sort=False):
        by = {m: row for _, row in cells.iterrows() for m in [row["measure"]]}
        exposure = by["school_poverty_exposure"]
        table.append({
            "group": group_name(dimension, group, audit.config),
            f"{name} of the average member's school": cell(exposure),
            "share in the poorest quarter of schools": cell(by["high_poverty_school_share"]),
        })
    source = next((n for n in rows["note"] if n), "")
    return html_table(pd.DataFrame(table), caption="Exposure to school poverty") + note(
        f"{capitalize(source)}. The poorest quarter of schools: those at or beyond the 75th "
        "percentile of school poverty among the district's schools.")


def _between_school_groups(audit) -> str:
    """Share of each race/ethnicity gap that lies between groups of schools (sector …)."""
    year = _year(audit)
    shares = year[year["measure"].str.fullmatch(r"between_\w+_share")
                  & (year["measure"] != "between_school_share")
                  & (year["dimension"] == "race_ethnicity")]
    out = ""
    for measure, rows in shares.groupby("measure", sort=True):
        name = measure.removeprefix("between_").removesuffix("_share")
        own = audit.config.data.dimensions.get(name)
        title = own.title if own else name
        table = pd.DataFrame({
            "outcome": [capitalize(outcome_label(o)) for o in rows["outcome"]],
            "group": [group_name("race_ethnicity", g, audit.config) for g in rows["group"]],
            "share of the gap between them": [
                cell(r) for _, r in rows.iterrows()],
        })
        out += html_table(table, caption=f"Where gaps sit, by {title.lower()}") + note(
            f"Each group's gap with all other students, split as between schools but with the "
            f"schools of each {title.lower()} taken together: the share between them comes "
            f"from the {title.lower()} students attend; the rest lies within each (between its "
            "schools or inside them).")
    return out


def _why_no_segregation(audit) -> str:
    if not audit.student_level:
        return "Segregation needs race/ethnicity counts for at least two schools."
    year = _students_of_year(audit)
    schools = year["school_id"].nunique()
    if schools < 2:
        return f"Segregation needs at least two schools; this district has {_schools(schools)}."
    if "race_ethnicity" not in year:
        return ("Race/ethnicity: not collected, so racial segregation between schools is not "
                "measured.")
    if year["race_ethnicity"].notna().sum() == 0:
        return ("No student's race/ethnicity is recorded, so racial segregation between "
                "schools is not measured.")
    return ("Every student whose race/ethnicity is recorded is in the same group; segregation "
            "needs at least two groups.")


def resources(audit) -> str:
    if not audit.student_level:
        return skip(NEEDS_STUDENTS)
    rows = _year(audit)
    rows = rows[rows["section"] == "resources"]
    schools = audit.data.schools
    if schools is None:
        return skip("No schools table (with per-pupil expenditure), so resources are not "
                    "audited.")
    if "per_pupil_expenditure" not in schools:
        return skip("No per-pupil expenditure in the schools table, so resources are not "
                    "audited.")
    if not schools.loc[schools["school_year"] == audit.school_year,
                       "per_pupil_expenditure"].notna().any():
        return skip(f"The schools table has no per-pupil expenditure for "
                    f"{year_label(audit.school_year)}, so resources are not audited.")
    if rows.empty:
        return skip("Spending in the schools with the most and the fewest economically "
                    f"disadvantaged students is not compared: "
                    f"{_why_no_quartiles(audit, 'poverty')}.")
    verdict = resources_verdict(audit.published, school_year=audit.school_year)
    return ((f"<p class='ek-headline'>{html.escape(verdict)}</p>" if verdict else "")
            + html_table(resources_table(audit.published, school_year=audit.school_year),
                         caption="Spending per student by school poverty") + note(
        "Schools are split into quarters by their share of economically disadvantaged "
        "students; each quarter's spending is weighted by enrollment. Spending that rises with "
        "poverty is progressive, spending that falls with it regressive."))


def climate(audit) -> str:
    rows = _year(audit)
    rows = rows[(rows["section"] == "climate") & (rows["measure"] == "rate")]
    if rows.empty:
        survey = getattr(audit.data, "survey", None)
        return skip("No climate survey in the district's data." if survey is None else
                    "The survey has no favorable column (true/false per response) for "
                    f"{year_label(audit.school_year)}, so climate is not audited.")
    year, out = audit.school_year, ""
    for role in climate_roles(audit.published, year):
        who = SURVEY_ROLE_TITLES[role]
        out += f"<h3>{html.escape(who)}</h3>"
        for dimension in climate_dimensions(audit.published, year, role):
            table = climate_table(audit.published, school_year=year, dimension=dimension,
                                  role=role)
            if dimension == "all":
                table = table.drop(columns=["group", "gap vs all other respondents"])
            by = "all respondents" if dimension == "all" else f"by {dimension_label(dimension)}"
            out += html_table(table, caption=f"{who}: favorable answers, {by}")
        schools = school_climate_table(audit.published, school_year=year, role=role,
                                       names=_school_names(audit))
        if len(schools) > 1:
            out += html_table(schools, caption=f"{who}: favorable answers by school "
                                               "(% with 95% CI)")
    responses = response_table(audit.published, school_year=year)
    if len(responses):
        out += html_table(responses, caption="Students who answered the survey, of the "
                                             "enrolled students of each group")
    return out + note(
        "Respondents: the people who answered a construct's questions; a respondent is "
        "favorable on a construct when at least half of their answers to its questions are "
        "favorable (a survey without respondent ids counts the average answers per "
        "question). Sexual orientation and gender identity are shown only for groups of at "
        f"least {audit.config.privacy.sensitive_min_n} respondents, and never by school "
        "below that or crossed with another group.")


def predictiveness(audit) -> str:
    if not audit.student_level:
        return skip(NEEDS_STUDENTS)
    table = predictiveness_table(audit.published, school_year=audit.school_year)
    if table.empty:
        return skip(_why_no_models(audit))
    return (
        "<p>How well do race, sex, economic disadvantage, English learner status and disability "
        "alone predict each outcome for students the model was not fitted to? An AUC of 0.5 "
        "(or R² of 0) means demographics carry no information: the goal of equity. The AUC is "
        "cross-validated and the R² adjusted for the number of parameters, so an outcome "
        "demographics do not predict scores near 0.5 (or 0), not above it; p tests whether "
        "demographics predict anything at all.</p>"
        + html_table(table, caption="Demographic predictiveness by outcome")
    )


def _why_no_models(audit) -> str:
    year = _students_of_year(audit)
    collected = [d for d in DIMENSIONS if d in year]
    if not collected:
        return "No demographic characteristic is collected, so none can predict an outcome."
    if all(year[d].nunique() < 2 for d in collected):
        return ("Every student has the same race/ethnicity, sex, economic disadvantage, English "
                "learner and disability status (where collected), so demographics cannot "
                "predict any outcome.")
    if not model_outcomes(derive_outcomes(year, audit.config)):
        return "The district's data has no outcome to predict."
    n = audit.config.privacy.min_n
    return (f"Too few students to fit demographics-only models: each needs at least {n} "
            f"students with the outcome and {n} without it (for scores, {n} tested).")


def findings(audit) -> str:
    if not audit.findings:
        return note("No disparity met the certainty (q < 0.05, interval excluding parity) and "
                    "size rules (risk ratio ≥ 1.25 or ≤ 0.8; gap ≥ 0.2 SD) this year.")
    blocks = []
    for _, f in findings_table(audit.findings).iterrows():
        meta = (f"Priority score {f['priority score']} · where the gap sits: "
                f"{f['where the gap sits']} · persistent {f['persistent']}"
                + (f" · {f['IDEA']}" if f["IDEA"] else ""))
        blocks.append(
            f"<div class='ek-finding'><h3>{f['rank']}. {html.escape(f['finding'])}</h3>"
            f"<p>{html.escape(f['statement'])}</p><p class='ek-note'>{html.escape(meta)}</p>"
            "</div>"
        )
    return "".join(blocks)


def trends(audit) -> str:
    years = sorted(audit.published["school_year"].unique())
    if len(years) < 2:
        return skip("One school year only; trends need two or more.")
    rows = audit.published[(audit.published["school_id"] == "")
                           & (audit.published["measure"] == "risk_ratio")
                           & (audit.published["comparison"] == "all_other")]
    keys = [(f["outcome"], f["dimension"], f["group"]) for f in audit.findings
            if f["measure"] == "risk_ratio"][:8]
    if not keys:
        return note("No rate findings to follow across years.")
    table = []
    for outcome, dimension, group in keys:
        sel = rows[(rows["outcome"] == outcome) & (rows["dimension"] == dimension)
                   & (rows["group"] == group)].set_index("school_year")
        entry = {"disparity": capitalize(f"{group_label(dimension, group)}: "
                                         f"{outcome_label(outcome)}")}
        for y in years:
            entry[year_label(int(y))] = cell(sel.loc[y]) if y in sel.index else "—"
        table.append(entry)
    return (html_table(pd.DataFrame(table), caption="Risk ratio by school year")
            + "".join(_rate_trends(audit, outcome, dimension, years)
                      for outcome, dimension in dict.fromkeys(k[:2] for k in keys)))


def _rate_trends(audit, outcome: str, dimension: str, years: list) -> str:
    """Every group's rate each year, then the gaps that narrowed because all other students
    got worse (first year shown to the audited year)."""
    table = rate_trend_table(audit.published, outcome, dimension, years, audit.config)
    caption = (f"{capitalize(outcome_label(outcome))}: rate by {dimension_label(dimension)} "
               "and school year")
    first, last = int(years[0]), audit.school_year
    groups = audit.published.loc[(audit.published["outcome"] == outcome)
                                 & (audit.published["dimension"] == dimension), "group"].unique()
    flags = [note(narrowing_sentence(audit.published, outcome, dimension, g, first, last))
             for g in groups
             if narrowed_by_worsening(audit.published, outcome, dimension, g, first, last)]
    return html_table(table, caption=caption) + "".join(flags)


def _gaps_not_estimated(audit) -> str:
    """What ``gaps.min_n`` did this year, in words (the rule as it ran)."""
    year = _year(audit)
    small = year[(year["measure"] == "hedges_g") & year["note"].str.startswith("not estimated")]
    if small.empty:
        return "every group met it this year"
    return (f"{len(small)} group{'s' if len(small) > 1 else ''} below it this year "
            f"{'were' if len(small) > 1 else 'was'} not estimated")


def _pooling(audit) -> str:
    """The pooling bullet, when pooling ran (config pool_years)."""
    rows = _year(audit)
    pooled = rows[rows["note"].str.contains("pooled ", regex=False)]
    if pooled.empty:
        return ""
    names = ", ".join(sorted({outcome_label(o) for o in pooled["outcome"]}))
    span = pooled["note"].str.extract(r"pooled (\d{4}–\d{4})", expand=False).dropna().iloc[0]
    rare = RARE_FACTOR * audit.config.privacy.min_n
    return (f"<li>Rare outcomes (fewer than {rare} students with the outcome in the district "
            f"this year) are pooled over the school years {span}: "
            f"{html.escape(names)}. Their rates and ratios count student-years and follow the "
            "same privacy rules.</li>")


def methods(audit) -> str:
    c = audit.config
    width = audit.protection_width
    return glossary_html() + "<h3>Methods</h3>" + (
        "<ul>" + _pooling(audit) +
        f"<li>Rates with Wilson 95% intervals; risk ratios against all other students in the "
        f"district with Katz log intervals; risk differences with Newcombe intervals; p-values "
        f"from Fisher's exact test for small cells and chi-square otherwise.</li>"
        "<li>Multiple testing: Benjamini–Hochberg q-values within each school year and outcome "
        "domain (discipline, access, achievement, attainment, …), over the district-wide tests "
        "of each group (for yes/no characteristics the group that has it), and separately "
        "over the tests of intersections (such as Black boys). Left out of every family: "
        "outcomes nobody or everybody in the district had, empty groups, and comparisons by "
        "the characteristic that defines the outcome "
        "(such as identification for special education by disability status, which is not "
        "reported). Score gaps form one family per school year.</li>"
        f"<li>IDEA significant disproportionality (34 CFR 300.647): cell size "
        f"{c.idea.cell_size}, n-size {c.idea.n_size}, risk-ratio threshold "
        f"{c.idea.risk_ratio_threshold:g} (strictly greater), {c.idea.consecutive_years} "
        f"consecutive years.</li>"
        f"<li>Achievement gaps: Hedges' g against all other students (pooled SD), and V from "
        f"performance levels by a maximum-likelihood binormal fit (Ho &amp; Reardon 2012); gaps "
        f"need {c.gaps.min_n} students in the group and in all other students "
        f"({_gaps_not_estimated(audit)}).</li>"
        "<li>Where a gap sits: Kitagawa decomposition of each rate gap and each mean score gap "
        "(so also of Hedges' g, which divides both parts by the same SD) into a between-school "
        "part (where students are enrolled) and a within-school part (the gap between "
        "students of the same school); at least 60% on one side names the locus, else it is "
        "mixed. It says where a gap sits, not why.</li>"
        "<li>Predictiveness: demographics-only logistic (binary) or linear (scores) models; "
        "5-fold cross-validated AUC with an influence-curve interval, or adjusted R² with a "
        "parametric-bootstrap interval; p-value from a permutation test of the outcome "
        "(binary) or the overall F test (scores); a dominance (Shapley) split of the "
        "in-sample fit across demographics.</li>"
        f"<li>Privacy: any group of fewer than {c.privacy.min_n} students, or count of fewer "
        f"than {c.privacy.min_n} students with an outcome, is withheld, with every number "
        "computed from it; further cells are withheld so that no hidden number can be "
        "computed exactly from published totals. Rates near 0% or 100% are shown as bands, and "
        "the other numbers of a banded group are withheld with it. "
        + (f"Further cells are withheld so that, for every withheld count, the values "
           "consistent with everything this report publishes span at least "
           f"{width} students; a group's size is withheld in every table that counts the same "
           "students (every outcome of enrolled students shares one size; students tested "
           "or in a cohort are other counts), and "
           f"bands leave at least {width} students of room. When a large group (for example "
           "girls) is withheld, it is to protect a small one (for example students of another "
           "sex) that would otherwise follow by subtraction. " if width else "")
        + f"{_loss_sentence(audit.privacy_loss)} No student-level record appears in this "
        "report.</li>"
        "</ul>"
    )


def _loss_sentence(loss: dict) -> str:
    """The information loss of the publishing gate in one sentence."""
    if not loss or not loss.get("rows"):
        return ""
    reasons = {"small group": "small groups", "small count": "small counts",
               "small complement": "small complements", "all or none": "all or none",
               "small group or count": "small groups or counts",
               "complementary": "protection by subtraction",
               "protection interval": "protection intervals",
               "follows another cell": "computed from a withheld or banded number"}
    parts = ", ".join(f"{reasons.get(k, k)} {v:,}" for k, v in
                      sorted(loss["withheld_by_reason"].items(), key=lambda kv: -kv[1]))
    return (f"In all, {loss['rows_withheld']:,} of {loss['rows']:,} numbers "
            f"({100 * loss['share_withheld']:.0f}%) are withheld ({parts}); "
            f"{loss['rates_coded']:,} rates are shown as bands.")


#: How the provenance names each run parameter.
_PARAMETER_WORDS = {"data_dir": "Data folder", "district_id": "District",
                    "config_path": "Config file", "school_year": "School year audited"}


def _parameter_text(key: str, value) -> str:
    if value is None:
        return "none (the defaults)" if key == "config_path" else "—"
    return year_label(int(value)) if key == "school_year" else str(value)


def provenance(audit) -> str:
    info = audit.provenance()
    versions = pd.DataFrame(
        {"package": list(info["versions"]), "version": list(info["versions"].values())}
    )
    run = pd.DataFrame({
        "parameter": [_PARAMETER_WORDS.get(k, k) for k in info["parameters"]],
        "value": [_parameter_text(k, v) for k, v in info["parameters"].items()]})
    files = getattr(audit.data, "files", None) or {}
    listed = "".join(f"<li>{html.escape(str(name))}: <code>{html.escape(str(sha))}</code></li>"
                     for name, sha in sorted(files.items()))
    return (
        html_table(run, caption="How this audit was run")
        + html_table(versions, caption="Software versions")
        + f"<p>Input data SHA-256: <code>{html.escape(str(info['input_sha256']))}</code>"
        + (" (a fingerprint of the input files below: change one byte of a file and it "
           "changes).</p><ul>" + listed + "</ul>" if listed else "</p>")
    )


_BODIES = {
    "summary": summary, "data_profile": data_profile, "enrollment": enrollment,
    "achievement": achievement, "programmatic": programmatic, "teacher_quality": teacher_quality,
    "segregation": segregation, "resources": resources, "climate": climate,
    "predictiveness": predictiveness, "findings": findings, "trends": trends,
    "methods": methods, "provenance": provenance, "focus": focus, "discipline": discipline,
    "goals": goals,
}


def section(audit, name: str) -> HTML:
    """Section ``name`` of the report (without its heading): notes on data the district does
    not collect, then the section's tables and charts; empty when the config leaves it out.

    Examples
    --------
    >>> report.section(audit, "segregation")  # doctest: +SKIP
    """
    if name not in _BODIES:
        raise ValueError(f"no report section {name!r}; the sections: {', '.join(_BODIES)}")
    if name not in audit.config.shown_sections:
        return HTML("")
    return HTML(not_collected(audit, name) + _BODIES[name](audit))


__all__ = ["SECTION_OUTCOMES", "not_collected", "outcomes", "score_gaps", "section"]
