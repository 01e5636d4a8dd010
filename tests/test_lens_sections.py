"""The focus and discipline sections of the report: present when configured or when the data
has incidents, a one-line note otherwise, numbers from the published metrics."""

from __future__ import annotations

import dataclasses

import pytest
from _discipline_district import discipline_audit

from equitykit.config import AuditConfig
from equitykit.report._discipline import decision_table


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    return discipline_audit(tmp_path_factory.mktemp("sections"))


def test_focus_section_has_headline_and_table(audit):
    body = audit.section("focus").data
    assert '<h2 id="focus">' in body
    assert "Black students were" in body and "as likely as White students" in body
    assert "<caption>Black students in every outcome, 2023–24</caption>" in body


def test_no_focus_no_section(audit):
    plain = dataclasses.replace(audit, config=AuditConfig())
    assert plain.section("focus").data == ""


def test_discipline_section_table_is_the_published_numbers(audit):
    body = audit.section("discipline").data
    assert "Discipline at each decision point, 2023–24" in body
    table = decision_table(audit.published, school_year=2023).set_index("Group")
    assert table.loc["Black students", "Referred"] == "40.0%"  # one decimal, as every rate
    assert table.loc["White students", "Days lost per 100 students"] == "21.00"
    assert table.loc["All students", "Days lost per 100 students"] == "25.50"  # 102 of 400
    assert table.loc["Black students", "Exclusion ratio, same offense"].startswith("1.")
    assert "Hispanic/Latino students" in table.index


def test_without_incidents_the_section_says_what_it_needs(sample_audit):
    audit = sample_audit("D01")
    plain = dataclasses.replace(audit, published=audit.published[
        ~audit.published["outcome"].isin(["referred", "exclusionary_given_referral",
                                          "restorative_given_referral", "subjective_referral"])])
    assert "has no discipline incidents" in plain.section("discipline").data
