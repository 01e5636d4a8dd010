"""Predictiveness: "strongest predictor" names the demographic with the largest share of the
fit (the ``group`` of the ``predictiveness_share`` rows), never the word "demographics"."""

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
        assert row["strongest predictor"] == dimension_label(top), row
        checked += 1
    assert checked >= 5
    assert {r["strongest predictor"] for r in rows} != {"demographics"}
    assert len({r["strongest predictor"] for r in rows}) > 1
