"""Jargon is explained: the methods section opens with the report's terms in plain words, and a
finding's meta line says what its numbers are."""

from __future__ import annotations

import html

from equitykit.report._glossary import GLOSSARY, glossary_html
from equitykit.report._sections import findings, methods

TERMS = ("Risk ratio", "q", "Hedges' g", "V", "Priority score (of a finding)",
         "Where the gap sits",
         "95% CI (confidence interval)", "Suppressed")


def test_every_term_has_a_plain_explanation():
    for term in TERMS:
        assert term in GLOSSARY and len(GLOSSARY[term]) > 40
    page = glossary_html()
    assert page.startswith("<h3>Terms used in this report</h3><dl")
    assert page.count("<dt>") == len(GLOSSARY)


def test_report_shows_the_glossary_and_plain_meta(sample_audit):
    audit = sample_audit("D01")
    assert methods(audit).startswith(glossary_html())
    text = html.unescape(findings(audit))
    assert audit.findings and "Priority score " in text and "where the gap sits: " in text
    assert "locus:" not in text


def test_students_columns_name_who_is_counted():
    from equitykit._words import counted_label

    assert counted_label("oss") == "students enrolled"
    assert counted_label("math_proficient") == "students tested"
    assert counted_label("graduated_4yr") == "students in the graduation cohort"
    assert counted_label("placement_separate") == "students with disabilities"
    assert counted_label("disability") == "students enrolled"  # identification, of all
    # a population that is not every student enrolled says whom it counts
    assert counted_label("chronic_absent") == "students with attendance records"
    assert counted_label("retained") == "students whose next year is known"
    assert counted_label("exclusionary_given_referral") == "students referred"
    assert counted_label("some_public_measure") == "students"


def test_outcome_titles_keep_acronyms():
    from equitykit._words import outcome_title

    assert outcome_title("ela_score") == "Reading (ELA) scores"
    assert outcome_title("math_score") == "Math scores"
    assert outcome_title("oss") == "Suspended out of school"
