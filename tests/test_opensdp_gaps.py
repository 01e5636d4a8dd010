"""Grade-3 math gap by sex in the OpenSDP synthetic Texas file (real public data; skipped
without it). The summary statistics are fixtures for later audits; the gap uses the statewide SD
from the file's ``sd_table.csv`` as the reference SD (METHODS §4.1)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from equitykit.metrics import cohens_d, hedges_g

# Grade 3, math_ss, all years (2002-2009) pooled: students, mean, SD (n - 1).
GRADE3_MATH_BY_SEX = {
    "F": (2394, 1461.1871322161, 167.0296490675),
    "M": (2645, 1503.4338377754, 166.4933173707),
}
STATEWIDE_GRADE3_MATH_SD = 148.22


@pytest.fixture(scope="module")
def grade3(real_data):
    folder = real_data / "opensdp_synth_texas"
    students = pd.read_csv(folder / "synth_texas.csv", dtype={"grade_level": str, "male": str},
                           usecols=["grade_level", "male", "math_ss"])
    sd_table = pd.read_csv(folder / "sd_table.csv")
    state_sd = float(sd_table.loc[sd_table["grade_level"] == 3, "math_ss"].iloc[0])
    return students[students["grade_level"] == "3"], state_sd


def test_grade3_math_summary_by_sex(grade3):
    students, _ = grade3
    by_sex = students.groupby("male")["math_ss"].agg(["count", "mean", "std"])
    assert set(by_sex.index) == set(GRADE3_MATH_BY_SEX)
    for sex, (n, mean, sd) in GRADE3_MATH_BY_SEX.items():
        # pandas groupby ...
        assert by_sex.loc[sex, "count"] == n
        assert by_sex.loc[sex, "mean"] == pytest.approx(mean, abs=1e-6)
        assert by_sex.loc[sex, "std"] == pytest.approx(sd, abs=1e-6)
        # ... and plain numpy sums on a boolean mask.
        scores = students["math_ss"].to_numpy()[(students["male"] == sex).to_numpy()]
        scores = scores[~np.isnan(scores)]
        assert scores.size == n
        assert scores.sum() / n == pytest.approx(mean, abs=1e-6)
        assert math.sqrt(((scores - scores.mean()) ** 2).sum() / (n - 1)) == pytest.approx(
            sd, abs=1e-6)


def test_female_minus_male_gap_on_the_statewide_sd(grade3):
    _, state_sd = grade3
    assert state_sd == STATEWIDE_GRADE3_MATH_SD
    (n_f, mean_f, sd_f), (n_m, mean_m, sd_m) = GRADE3_MATH_BY_SEX["F"], GRADE3_MATH_BY_SEX["M"]
    d = cohens_d(mean_f, sd_f, n_f, mean_m, sd_m, n_m, reference_sd=state_sd)
    assert d.sd_basis == "reference"
    assert d.value == pytest.approx((mean_f - mean_m) / state_sd, abs=1e-12)
    assert d.value == pytest.approx(-0.285027, abs=1e-6)
    assert d.se == pytest.approx(math.sqrt(sd_f**2 / n_f + sd_m**2 / n_m) / state_sd, abs=1e-12)
    assert d.ci_high < 0  # girls score lower in this synthetic file's grade-3 math
    # Hedges' correction does not apply to a fixed statewide SD; on the pooled SD it does.
    assert hedges_g(mean_f, sd_f, n_f, mean_m, sd_m, n_m, reference_sd=state_sd).value == d.value
    pooled = cohens_d(mean_f, sd_f, n_f, mean_m, sd_m, n_m)
    assert pooled.value == pytest.approx(-0.253356, abs=1e-6)
