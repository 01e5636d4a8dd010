"""Any school year in the data audits with every section; a year outside it is an error."""

from __future__ import annotations

import pytest

from equitykit.audit import DistrictAudit
from equitykit.cli import main
from equitykit.errors import DataError


@pytest.fixture(scope="module")
def audit_2022(repo_root):
    return DistrictAudit.run(data_dir=repo_root / "data_samples", district_id="D01",
                             school_year=2022)


def test_single_year_analyses_follow_the_audited_year(audit_2022):
    p = audit_2022.published
    year = p[p["school_year"] == 2022]
    assert p["school_year"].max() == 2022
    for measure in ("predictiveness_auc", "predictiveness_r2", "between_school_share",
                    "v_statistic"):
        assert (year["measure"] == measure).any(), measure
    assert (year["school_id"] != "").any()  # per-school rows of the audited year


def test_every_section_has_content_for_an_earlier_year(audit_2022):
    for name in ("predictiveness", "achievement", "programmatic", "enrollment",
                 "segregation", "findings"):
        body = audit_2022.section(name).data
        assert "Too few students" not in body, name
        assert "<table" in body or "ek-finding" in body, name


def test_a_year_not_in_the_data_is_a_data_error(repo_root):
    with pytest.raises(DataError, match=r"2030 is not in the data.*2021, 2022, 2023"):
        DistrictAudit.run(data_dir=repo_root / "data_samples", district_id="D01",
                          school_year=2030)


def test_cli_year_outside_the_data_exits_1_and_writes_nothing(repo_root, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["audit", str(repo_root / "data_samples"), "--district", "D01",
                 "--out", str(out), "--school-year", "2030"])
    assert code == 1
    err = capsys.readouterr().err
    assert "2030 is not in the data" in err and "2021, 2022, 2023" in err
    assert "Traceback" not in err
    assert not out.exists() or not [p for p in out.iterdir() if p.name != ".equitykit.lock"]


@pytest.mark.slow
def test_cli_earlier_year_audits_every_section(repo_root, tmp_path):
    out = tmp_path / "out"
    code = main(["audit", str(repo_root / "data_samples"), "--district", "D01",
                 "--out", str(out), "--school-year", "2022"])
    assert code == 0
    html = next(out.rglob("*.html")).read_text(encoding="utf-8")
    assert "2022–23" in html or "2022-23" in html
    assert "Too few students" not in html
    assert "Demographic predictiveness by outcome" in html
