"""SEDA grade-equivalent conversion: METHODS §10.3, both readings of its source."""

import numpy as np
import pytest

from equitykit import metrics


def test_math_worked_example():
    # (250 − 239.2) / 10.44 + 4 = 5.0345
    assert metrics.grade_equivalent(250, subject="math") == pytest.approx(
        (250 - 239.2) / 10.44 + 4, abs=1e-12
    )
    assert round(metrics.grade_equivalent(250, subject="math"), 2) == 5.03


def test_reading_worked_example_with_the_page_mean():
    assert round(metrics.grade_equivalent(200, subject="reading", grade4_mean=218.0), 2) == 2.39


def test_reading_with_the_table_mean():
    # The source table gives 218.5 (METHODS §10.3 notes the discrepancy); then 2.34.
    assert round(metrics.grade_equivalent(200, subject="reading"), 2) == 2.34


def test_vectorised_and_national_mean_is_grade_four():
    scores = np.array([239.2, 239.2 + 10.44, 239.2 - 2 * 10.44])
    assert metrics.grade_equivalent(scores, subject="math") == pytest.approx([4, 5, 2], abs=1e-12)


def test_unknown_subject_is_a_clear_error():
    with pytest.raises(ValueError, match="subject must be one of"):
        metrics.grade_equivalent(250, subject="science")
