"""Plain-language wording: group names, the headline sentence, students to parity."""

from __future__ import annotations

import math

import pytest

from equitykit.schema import OUTCOMES
from equitykit.widgets import _wording as w


@pytest.mark.parametrize(("dimension", "group", "label"), [
    ("race_ethnicity", "Black", "Black students"),
    ("race_ethnicity", "Two or more races", "multiracial students"),
    ("sex", "F", "girls"),
    ("sex", "X", "nonbinary students"),
    ("econ_disadvantaged", "true", "economically disadvantaged students"),
    ("english_learner", "false", "students who are not English learners"),
    ("disability", "true", "students with disabilities"),
    ("race_ethnicity×sex", "Black×F", "Black girls"),
    ("race_ethnicity×sex", "Hispanic/Latino×M", "Hispanic/Latino boys"),
    ("race_ethnicity×econ_disadvantaged", "White×true",
     "economically disadvantaged White students"),
    ("race_ethnicity×disability", "Asian×false", "Asian students without disabilities"),
    ("all", "all", "all students"),
    ("grade", "7", "students in group 7"),
])
def test_group_labels(dimension, group, label):
    assert w.group_label(dimension, group) == label


def test_rate_sentence_matches_the_brief():
    sentence = w.rate_sentence(place="At Lincoln Middle in 2023–24", group="Black girls",
                               comparison="all other students", outcome="oss",
                               risk_ratio=2.4, ci_low=1.6, ci_high=3.5)
    assert sentence == ("At Lincoln Middle in 2023–24, Black girls were 2.4 times as likely as "
                        "all other students to be suspended out of school (95% CI 1.6–3.5).")


def test_undefined_ratio_says_why():
    sentence = w.rate_sentence(place="Across the district in 2023–24", group="Asian students",
                               comparison="all other students", outcome="expelled",
                               risk_ratio=math.nan, ci_low=math.nan, ci_high=math.nan,
                               reason="nobody had the outcome")
    assert "cannot be computed: nobody had the outcome" in sentence


@pytest.mark.parametrize(("excess", "start"), [
    (12.4, "12 fewer Black girls would need to be suspended out of school"),
    (-3.6, "4 more Black girls would need to be suspended out of school"),
    (0.3, "Black girls are at parity with all other students"),
])
def test_excess_sentence(excess, start):
    text = w.excess_sentence(excess=excess, group="Black girls",
                             comparison="all other students", outcome="oss")
    assert text.startswith(start)


def test_every_outcome_reads_after_to():
    for name in OUTCOMES:
        phrase = w.outcome_infinitive(name)
        assert phrase and not phrase.startswith("be be")
    assert w.outcome_infinitive("dropped_out") == "drop out"


@pytest.mark.parametrize(("value", "text"), [(2.43, "2.4"), (0.456, "0.46"), (12.4, "12"),
                                             (math.inf, "n/a")])
def test_format_ratio(value, text):
    assert w.format_ratio(value) == text


def test_year_and_place():
    assert w.year_label(2023) == "2023–24" and w.year_label(1999) == "1999–00"
    assert w.place_phrase(None, 2023) == "Across the district in 2023–24"


def test_score_sentence_with_interval_across_zero():
    text = w.score_sentence(place="At Lincoln Middle in 2023–24", group="girls",
                            comparison="boys", outcome="math_score", d=0.05, ci_low=-0.1,
                            ci_high=0.2)
    assert text.endswith("scored 0.05 standard deviations above boys in math "
                         "(95% CI -0.10 to +0.20).")
