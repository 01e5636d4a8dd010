"""gaps.min_n is applied: no Hedges' g, d or V for a group (or comparison) below it, and the
report says why; the methods text states what the rule did."""

from __future__ import annotations

import pytest

from equitykit.audit import DistrictAudit

GAPS = ("hedges_g", "cohens_d", "v_statistic")


@pytest.fixture(scope="module")
def strict(repo_root, tmp_path_factory):
    config = tmp_path_factory.mktemp("cfg") / "config.yml"
    config.write_text("gaps:\n  min_n: 300\n", encoding="utf-8")
    return DistrictAudit.run(data_dir=repo_root / "data_samples", district_id="D01",
                             config_path=config)


def _group_sizes(audit):
    p = audit.published
    means = p[(p["measure"] == "mean") & (p["comparison"] == "")]
    return means.set_index(["school_year", "outcome", "dimension", "group"])["n"]


def test_no_gap_below_min_n(strict):
    p = strict.published
    gaps = p[p["measure"].isin(GAPS) & (p["dimension"] != "all")]
    sizes = _group_sizes(strict)
    totals = sizes.xs("all", level="dimension").droplevel("group")
    key = list(zip(gaps["school_year"], gaps["outcome"], gaps["dimension"], gaps["group"],
                   strict=True))
    n = sizes.reindex(key).to_numpy()
    others = totals.reindex(list(zip(gaps["school_year"], gaps["outcome"],
                                     strict=True))).to_numpy() - n
    small = (n < 300) | (others < 300)
    assert small.any() and (~small).any()
    assert gaps.loc[small, "value"].isna().all()
    assert gaps.loc[small, "note"].str.contains("fewer than 300 students").all()
    shown = ~small & ~gaps["suppressed"] & (gaps["measure"] == "hedges_g")
    assert shown.any() and gaps.loc[shown, "value"].notna().all()


def test_report_says_why_and_methods_state_the_rule(strict):
    assert "No gap is estimated for" in strict.section("achievement").data
    methods = strict.section("methods").data
    assert "need 300 students" in methods
    assert "below it this year were not estimated" in methods


def test_default_min_n_holds_for_every_published_gap(sample_audit):
    audit = sample_audit("D01")
    p = audit.published
    gaps = p[(p["measure"] == "hedges_g") & p["value"].notna()]
    assert (gaps["n"] >= audit.config.gaps.min_n).all()
