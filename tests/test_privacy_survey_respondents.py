"""Rule 7g: a student survey construct's respondents are some of its group's survey respondents
(all of them when everyone answered), so a construct never publishes the size of a group whose
response count is withheld or coded. On D01, Asian students' belonging row (15 respondents)
gave their response count, coded "≥71%" of 21, exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from equitykit.schema import RESPONSE_OUTCOME

KEY = ["school_year", "school_id", "dimension", "group"]


@pytest.mark.parametrize("district_id", ["D01", "D03"])
def test_no_construct_shows_the_size_of_a_group_whose_response_count_is_unseen(
        sample_audit, district_id):
    published = sample_audit(district_id).published
    rates = published[(published["measure"] == "rate") & (published["comparison"] == "")]
    response = rates[rates["outcome"] == RESPONSE_OUTCOME]
    unseen = response[response["suppressed"] | response["numerator"].isna()]
    assert len(unseen)  # withheld or coded response counts exist on the samples
    constructs = rates[rates["outcome"].str.startswith("favorable_")]
    shown = constructs[~constructs["suppressed"]].merge(unseen[KEY], on=KEY)
    assert shown.empty, shown[[*KEY, "outcome", "n"]]


def test_d01_asian_students_belonging_is_withheld(sample_audit):
    published = sample_audit("D01").published
    rows = published[(published["outcome"] == "favorable_belonging")
                     & (published["group"] == "Asian") & (published["school_id"] == "")
                     & (published["measure"] == "rate") & (published["comparison"] == "")]
    assert len(rows) == 1 and bool(rows["suppressed"].iloc[0])
    response = published[(published["outcome"] == RESPONSE_OUTCOME)
                         & (published["group"] == "Asian") & (published["school_id"] == "")
                         & (published["measure"] == "rate")]
    assert response["display"].iloc[0].startswith("≥")  # coded: its count is not published
    assert pd.isna(response["numerator"].iloc[0])
