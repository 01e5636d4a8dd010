"""Real data: reproduce the study authors' own per-school suspension rates (CRDC 2017-18).

``crdc_title1_montessori/DiscAnalysisDatNBmlm.csv`` (250 Title 1 schools) carries CRDC counts
by race and, near its end, rate columns the study's authors computed. Rebuilt here as a counts
table and run through :func:`metrics.disproportionality`, our ``rate`` rows reproduce all eight
of their rate columns for every school they report, to floating-point precision:

- ``<race>_OSS_rate`` = (only.one.out.of.school + more.than.one.out.of.school) / ``<Race>_num``
- ``<race>_ISS_rate`` = in.school.suspensions / ``<Race>_num``, races White, Black, Hispanic
- ``tot_OSSRate`` / ``tot_ISSRate`` = the same over the three races together (``tot_OSSsus`` /
  ``tot_ISSsus`` are the summed counts), i.e. our ``all`` row.

Where a school has no students of a race (``Black_num`` = 0) the authors' rate is missing and
ours is NaN with a reason, never 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitykit import metrics

pytestmark = pytest.mark.real_data

RACES = {"White": "white", "Black": "black", "Hispanic": "hispanic"}
OUTCOMES = {"oss": ("only.one.out.of.school_{r}", "more.than.one.out.of.school_{r}"),
            "iss": ("in.school.suspensions_{r}",)}
REPORTED = {"oss": "{r}_OSS_rate", "iss": "{r}_ISS_rate"}
TOTALS = {"oss": "tot_OSSRate", "iss": "tot_ISSRate"}


@pytest.fixture(scope="module")
def study(real_data):
    return pd.read_csv(real_data / "crdc_title1_montessori" / "DiscAnalysisDatNBmlm.csv")


def _school_ids(study: pd.DataFrame) -> pd.Series:
    """The file's own row label (its SCHID column has gaps)."""
    return study.iloc[:, 0].astype(str)


def _counts(study: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for measure, columns in OUTCOMES.items():
        for race in RACES:
            frames.append(pd.DataFrame({
                "school_id": _school_ids(study),
                "measure": measure, "dimension": "race_ethnicity", "group": race,
                "numerator": sum(study[c.format(r=race)] for c in columns),
                "denominator": study[f"{race}_num"]}))
    groups = pd.concat(frames, ignore_index=True)
    totals = (groups.groupby(["school_id", "measure"], as_index=False, sort=False)
              [["numerator", "denominator"]].sum().assign(dimension="all", group="all"))
    return pd.concat([groups, totals], ignore_index=True).assign(
        district_id="study", school_year=2017)


@pytest.fixture(scope="module")
def rates(study):
    table = metrics.disproportionality(_counts(study))
    return table[table.measure == "rate"].set_index(["school_id", "outcome", "group"])


@pytest.mark.parametrize("measure", list(OUTCOMES))
@pytest.mark.parametrize("race", list(RACES))
def test_reproduces_the_authors_group_rates(study, rates, measure, race):
    ours = rates.xs((measure, race), level=("outcome", "group")).loc[
        _school_ids(study)]
    theirs = study[REPORTED[measure].format(r=RACES[race])].to_numpy()
    reported = ~np.isnan(theirs)
    assert reported.sum() >= 240
    np.testing.assert_allclose(ours["value"].to_numpy()[reported], theirs[reported],
                               rtol=1e-12, atol=1e-15)
    # where they report nothing the school has no students of that race: NaN, with the reason
    assert (study[f"{race}_num"].to_numpy()[~reported] == 0).all()
    assert ours["value"].isna().to_numpy()[~reported].all()
    assert (ours["note"].to_numpy()[~reported] == "no students in the group").all()


@pytest.mark.parametrize("measure", list(OUTCOMES))
def test_reproduces_the_authors_three_race_totals(study, rates, measure):
    ours = rates.xs((measure, "all"), level=("outcome", "group")).loc[
        _school_ids(study)]
    np.testing.assert_allclose(ours["value"].to_numpy(), study[TOTALS[measure]].to_numpy(),
                               rtol=1e-12, atol=1e-15)


def test_real_risk_ratios_agree_with_the_scalar_function(study, rates):
    table = metrics.disproportionality(_counts(study))
    first = study.iloc[1]
    sid = _school_ids(study)[1]
    rr = table[(table.school_id == sid) & (table.outcome == "oss") & (table.group == "Black")
               & (table.measure == "risk_ratio")].iloc[0]
    x = first["only.one.out.of.school_Black"] + first["more.than.one.out.of.school_Black"]
    x_all = sum(first[f"only.one.out.of.school_{r}"] + first[f"more.than.one.out.of.school_{r}"]
                for r in RACES)
    n, n_all = first["Black_num"], sum(first[f"{r}_num"] for r in RACES)
    want = metrics.risk_ratio(x, n, x_all - x, n_all - n)
    assert (rr.value, rr.ci_low, rr.ci_high, rr.p_value) == pytest.approx(
        (want.value, want.ci_low, want.ci_high, want.p_value), rel=1e-12)
