"""Findings and the report say where a gap sits, not why."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from equitykit.audit._findings import _locus_clause

FORBIDDEN = re.compile(
    r"treated differently|district practices carry|discriminat|because of (their )?(race|sex)"
    r"|caused by|is due to", re.IGNORECASE)


@pytest.mark.parametrize(("locus", "share"), [
    ("within_schools", 0.2), ("within_schools", -0.1), ("between_schools", 0.8),
    ("between_schools", 1.3), ("mixed", 0.5)])
def test_locus_clauses_say_where_not_why(locus, share):
    text = _locus_clause(locus, SimpleNamespace(between_share=share))
    assert not FORBIDDEN.search(text)
    if locus == "within_schools":
        assert "within schools: the gap is there among students of the same schools" in text


def test_generated_findings_and_report_text(sample_audit):
    audit = sample_audit("D01")
    located = [f for f in audit.findings if f["locus"] == "within_schools"]
    assert located
    assert all("within schools: the gap is there among students of the same schools" in
               f["statement"] for f in located)
    text = json.dumps(audit.findings, ensure_ascii=False)
    text += "".join(audit.section(name).data for name in audit.sections)
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text)
    assert "where those disparities sit" in audit.section("summary").data
