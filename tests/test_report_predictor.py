"""Predictiveness: "strongest predictor" names the demographic with the largest share of the
fit (the ``group`` of the ``predictiveness_share`` rows), never the word "demographics", and
only where demographics predict the outcome reliably (p < 0.05)."""

from __future__ import annotations

from _report_tables import table

from equitykit._words import capitalize, dimension_label
from equitykit.report._sections import predictiveness
from equitykit.schema import OUTCOMES


def test_strongest_predictor_is_the_largest_share(sample_audit):
    audit = sample_audit("D01")
    rows = table(predictiveness(audit), "Demographic predictiveness by outcome")
    shares = audit.published[(audit.published["measure"] == "predictiveness_share")
                             & (audit.published["school_year"] == audit.school_year)]
    by_label = {capitalize(o.label): name for name, o in OUTCOMES.items()}
    checked = 0
    for row in rows:
        outcome = by_label.get(row["outcome"])
        if outcome is None:  # the score outcomes
            continue
        mine = shares[shares["outcome"] == outcome]
        top = mine.loc[mine["value"].idxmax(), "group"]
        fit = audit.published[(audit.published["measure"] == "predictiveness_auc")
                              & (audit.published["outcome"] == outcome)
                              & (audit.published["school_year"] == audit.school_year)
                              & (audit.published["school_id"] == "")]
        if not fit["p_value"].iloc[0] < 0.05:  # demographics predict nothing reliably
            assert row["strongest predictor"] == "— (no reliable prediction)", row
            continue
        assert row["strongest predictor"] == dimension_label(top), row
        checked += 1
    assert checked >= 5
    assert {r["strongest predictor"] for r in rows} != {"demographics"}
    assert len({r["strongest predictor"] for r in rows}) > 1
