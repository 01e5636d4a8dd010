"""The focus lens (config ``focus``): the group against its reference in every outcome, as a
table and a headline sentence, read from the published metrics only."""

from __future__ import annotations

import pandas as pd
import pytest
from _discipline_district import discipline_audit

from equitykit.config import AuditConfig
from equitykit.report._focus import focus_headline, focus_table

FOCUS = {"dimension": "race_ethnicity", "group": "Black", "reference": "White"}


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    return discipline_audit(tmp_path_factory.mktemp("focus"))


def test_table_follows_the_group_through_each_outcome(audit):
    table = focus_table(audit.published, school_year=2023, **FOCUS).set_index("Outcome")
    referred = table.loc["Referred for a discipline incident"]
    assert referred["Black students"] == "40%"
    assert referred["White students"] == "20%"
    assert referred["Ratio vs all other students"].startswith("3.00 (")  # 0.4 / (40/300)
    assert referred["Ratio vs White students"].startswith("2.00 (")  # 0.4 / 0.2
    assert referred["Gap vs White students"] == "20.0 pts higher"
    restorative = table.loc["Offered a restorative conference when referred"]
    assert restorative["Ratio vs White students"].startswith("0.56 (")  # 0.35 / 0.625


def test_headline_names_the_widest_certain_disparities(audit):
    sentence = focus_headline(audit.published, school_year=2023, **FOCUS)
    assert sentence.startswith("In 2023–24, Black students were ")
    assert "as likely as White students to" in sentence
    # suspended out of school: 26% vs 7.5%, the widest ratio (3.47)
    assert "3.5 times as likely as White students to be suspended out of school" in sentence


def test_withheld_cells_stay_withheld(tmp_path):
    published = discipline_audit(tmp_path, min_n=10).published
    table = focus_table(published, school_year=2023, **FOCUS).set_index("Outcome")
    # two Black students were suspended twice: a small count, withheld at every place
    assert table.loc["Suspended out of school two or more times", "Black students"] == "suppressed"
    assert table.loc["Suspended out of school two or more times",
                     "Ratio vs White students"] == "suppressed"


def test_without_reference_only_all_others():
    sentence = focus_headline(
        pd.DataFrame(columns=["school_id", "dimension", "group", "measure",
                                                "comparison", "school_year", "outcome",
                                                "value", "ci_low", "ci_high", "suppressed"]),
        dimension="sex", group="M", reference=None, school_year=2023)
    assert sentence == ("In 2023–24, no published outcome of boys differed from that of all "
                        "other students reliably (95% interval excluding parity).")


@pytest.mark.parametrize("bad", [{"dimension": "Race Ethnicity", "group": "Black"},
                                 {"dimension": "race_ethnicity"},
                                 {"dimension": "race_ethnicity", "group": ""}])
def test_config_refuses_a_bad_focus(bad):
    with pytest.raises(ValueError):
        AuditConfig.model_validate({"focus": bad})


@pytest.mark.parametrize(("share", "note", "words"), [
    (0.8, "between_schools", "mostly between schools"),
    (1.6, "between_schools", "between schools (reversed within)"),
    (0.3, "within_schools", "mostly within schools"),
    (-0.38, "within_schools", "within schools (reversed between)"),
    (0.5, "mixed", "split"),
    (1.004, "between_schools", "mostly between schools"),  # printed 100%: not reversed
    (-0.004, "within_schools", "mostly within schools"),
])
def test_where_the_gap_sits_says_when_a_part_runs_the_other_way(audit, share, note, words):
    """A between-school share above 100% or below 0% is not "mostly" one place: the other
    part runs the other way (e.g. within their schools the group is identified more often)."""
    published = audit.published
    ratio = published[(published["measure"] == "risk_ratio") & (published["group"] == "Black")
                      & (published["outcome"] == "oss") & (published["school_year"] == 2023)
                      & (published["comparison"] == "all_other")
                      & (published["school_id"] == "")]
    assert len(ratio) == 1  # the one-school district has no split: add one
    published = pd.concat([published[published["measure"] != "between_school_share"],
                           ratio.assign(measure="between_school_share", value=share, note=note)],
                          ignore_index=True)
    table = focus_table(published, school_year=2023, **FOCUS).set_index("Outcome")
    assert table.loc["Suspended out of school", "Where the gap sits"] == words
