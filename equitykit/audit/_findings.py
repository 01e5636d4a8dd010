"""Ranking the systemic contributors to inequity (docs/methods.md, "Ranking systemic contributors").

A finding is a published, certain and material disparity for one outcome and group, measured
against all other students in the district. Only published (already suppressed) metrics are read,
so a suppressed group can never become a finding.

Rules, each reported with the finding:

* **Intersections** (e.g. Black boys) are findings only when they add to what their two
  groups explain: the 95% interval of their interaction ratio (the intersection's rate over
  the rate the other three cells of the two groups predict without interaction,
  r_A,notB · r_B,notA / r_neither) lies beyond 1 on the adverse side, and both that test and
  the risk ratio's pass Benjamini–Hochberg within the intersections' own family.
* **Direction**: a higher rate of an adverse outcome (discipline, chronic absence, …) or a lower
  rate of an opportunity (gifted, advanced courses, proficiency, graduation); a negative
  achievement gap.
* **Certainty**: Benjamini–Hochberg q below the config's ``q_threshold`` (default 0.05) within the
  outcome's domain, and a 95% interval that excludes parity.
* **Materiality**: a risk ratio of at least 1.25 (or at most 0.8, the four-fifths rule), or an
  effect size of at least 0.2 standard deviations.
* **Score** = magnitude × persistence × reach × regulatory weight, with magnitude = |ln RR| (an
  effect size d is put on the same scale as ln OR ≈ 1.81·d, Chinn 2000), persistence =
  1 + 0.5 per further year (of the last three) the disparity was also certain and material,
  reach = 1 + log10(1 + |excess students|), regulatory weight = 1.5 when the IDEA threshold is
  exceeded (for a discipline finding on a racial/ethnic group: when that group's students
  with disabilities exceeded it for the outcome, the way IDEA judges discipline).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._words import capitalize, fmt_int, fmt_pct, group_label, outcome_infinitive, outcome_label
from ..metrics._idea import SWD_DIMENSION, SWD_SUFFIX
from ..schema import DIMENSIONS, INTERSECTION_SEP, OUTCOMES

__all__ = ["FindingRules", "rank_findings"]

_D_TO_LOG_ODDS = math.pi / math.sqrt(3)  # Chinn (2000): ln OR = d·π/√3
#: Outcomes ranked as systemic contributors (not the refinements of another outcome).
_RANKED = [name for name, outcome in OUTCOMES.items() if outcome.ranked]


@dataclass(frozen=True)
class FindingRules:
    """Thresholds for a disparity to count as a finding."""

    q_threshold: float = 0.05
    min_risk_ratio: float = 1.25
    min_effect_size: float = 0.2
    persistence_years: int = 3


def rank_findings(
    published: pd.DataFrame, *, school_year: int, rules: FindingRules = FindingRules()
) -> list[dict]:
    """Rank the certain, material disparities of ``school_year``, best first.

    ``published`` is the suppressed metrics table (``metrics.csv`` rows of one district).
    Returns the ``findings.json`` records of docs/outputs.md.
    """
    district = published[(published["school_id"] == "") & ~published["suppressed"]]
    candidates = pd.concat(
        [_rate_candidates(district, rules), _intersection_candidates(district, rules),
         _gap_candidates(district, rules)], ignore_index=True
    )
    if candidates.empty:
        return []
    certain = candidates[candidates["certain"]]
    persistence = (
        certain[certain["school_year"] > school_year - rules.persistence_years]
        .groupby(["outcome", "dimension", "group", "measure"])["school_year"]
        .nunique()
        .rename("years")
    )
    now = certain[certain["school_year"] == school_year].join(
        persistence, on=["outcome", "dimension", "group", "measure"]
    )
    if now.empty:
        return []
    extras = _extras(district, school_year)
    now = now.join(extras, on=["outcome", "dimension", "group"])
    now["flagged"] = now["flagged"].eq(True) | _idea_discipline_flags(district, school_year,
                                                                     now)
    reach = 1 + np.log10(1 + now["excess_students"].abs().fillna(0))
    regulatory = np.where(now["flagged"].eq(True), 1.5, 1.0)
    now = now.assign(
        score=now["magnitude"] * (1 + 0.5 * (now["years"] - 1)) * reach * regulatory
    ).sort_values(["score", "outcome", "group"], ascending=[False, True, True])
    return [
        _finding(rank, row) for rank, row in enumerate(now.itertuples(index=False), start=1)
    ]


def _direction_ok(row_outcome: pd.Series, values: pd.Series) -> pd.Series:
    adverse = row_outcome.map(lambda o: OUTCOMES[o].adverse if o in OUTCOMES else True)
    return np.where(adverse, values > 1, values < 1)


def _focal(frame: pd.DataFrame) -> pd.Series:
    """Groups a finding can be about: for yes/no dimensions only the "true" group (economically
    disadvantaged, English learners, students with disabilities); "false" is the mirror image."""
    return frame["group"] != "false"


def _rate_candidates(district: pd.DataFrame, rules: FindingRules) -> pd.DataFrame:
    rr = district[
        _focal(district)
        & (district["measure"] == "risk_ratio")
        & (district["comparison"] == "all_other")
        & district["dimension"].isin(DIMENSIONS)
        & district["outcome"].isin(_RANKED)
        & (district["dimension"] != district["outcome"])
        & ~(
            district["outcome"].str.startswith("placement")
            & (district["dimension"] == "disability")
        )
        & np.isfinite(district["value"])
        & (district["value"] > 0)
    ].copy()
    direction = _direction_ok(rr["outcome"], rr["value"])
    excludes_parity = (rr["ci_low"] > 1) | (rr["ci_high"] < 1)
    material = np.abs(np.log(rr["value"])) >= math.log(rules.min_risk_ratio)
    rr["certain"] = (
        direction & excludes_parity & material & (rr["q_value"] < rules.q_threshold)
    )
    rr["magnitude"] = np.abs(np.log(rr["value"]))
    return rr


def _intersection_candidates(district: pd.DataFrame, rules: FindingRules) -> pd.DataFrame:
    """Intersections (e.g. Black boys) that add to what their two parent groups explain.

    Certain and material by the rules of single groups, with the q-value of the
    intersections' own family, and its interaction ratio (published ``interaction_ratio``
    rows: ``metrics.interaction_ratio``) is beyond 1 on the adverse side with a 95% interval
    excluding 1 and a Benjamini–Hochberg q-value (same families) below the threshold: its
    rate is further from parity than its two groups predict without interaction.
    A withheld interaction ratio makes no finding."""
    sep = INTERSECTION_SEP
    rr = district[
        (district["measure"] == "risk_ratio") & (district["comparison"] == "all_other")
        & district["dimension"].str.contains(sep) & district["outcome"].isin(_RANKED)
        & ~district["group"].str.split(sep).map(lambda parts: "false" in parts)
        & np.isfinite(district["value"]) & (district["value"] > 0)
    ].copy()
    if rr.empty:
        return rr
    key = ["school_year", "outcome", "dimension", "group"]
    interaction = district[district["measure"] == "interaction_ratio"].drop_duplicates(key)
    interaction = interaction.set_index(key)[["value", "ci_low", "ci_high", "q_value"]]
    interaction.columns = ["interaction", "interaction_low", "interaction_high",
                           "interaction_q"]
    rr = rr.join(interaction, on=key)
    adverse = rr["outcome"].map(lambda o: OUTCOMES[o].adverse).to_numpy(bool)
    adds = np.where(adverse, rr["interaction_low"] > 1, rr["interaction_high"] < 1) & (
        rr["interaction_q"] < rules.q_threshold)
    excludes_parity = (rr["ci_low"] > 1) | (rr["ci_high"] < 1)
    material = np.abs(np.log(rr["value"])) >= math.log(rules.min_risk_ratio)
    rr["certain"] = (_direction_ok(rr["outcome"], rr["value"]) & excludes_parity & material
                     & (rr["q_value"] < rules.q_threshold) & adds)
    rr["magnitude"] = np.abs(np.log(rr["value"]))
    return rr


def _gap_candidates(district: pd.DataFrame, rules: FindingRules) -> pd.DataFrame:
    gaps = district[
        _focal(district)
        & (district["measure"] == "hedges_g")
        & (district["comparison"] == "all_other")
        & district["dimension"].isin(DIMENSIONS)
        & np.isfinite(district["value"])
    ].copy()
    gaps["certain"] = (
        (gaps["value"] <= -rules.min_effect_size)
        & (gaps["ci_high"] < 0)
        & (gaps["q_value"] < rules.q_threshold)
    )
    gaps["magnitude"] = gaps["value"].abs() * _D_TO_LOG_ODDS
    return gaps


def _extras(district: pd.DataFrame, school_year: int) -> pd.DataFrame:
    """Per outcome × group: the rate, excess students and where the gap sits, for the year."""
    year = district[district["school_year"] == school_year]
    key = ["outcome", "dimension", "group"]

    def pick(measure: str, comparison: str, column: str, name: str) -> pd.Series:
        rows = year[(year["measure"] == measure) & (year["comparison"] == comparison)]
        return rows.drop_duplicates(key).set_index(key)[column].rename(name)

    locus = year[year["measure"] == "between_school_share"].drop_duplicates(key).set_index(key)
    parts = [
        pick("rate", "", "value", "rate_group"),
        pick("rate", "", "display", "rate_display") if "display" in year else None,
        pick("excess_students", "all_other", "value", "excess_students"),
        locus["value"].rename("between_share"),
        locus["note"].rename("locus") if "note" in locus else None,
    ]
    return pd.concat([p for p in parts if p is not None], axis=1)


def _idea_discipline_flags(district: pd.DataFrame, school_year: int, now: pd.DataFrame
                           ) -> np.ndarray:
    """True for a discipline finding on a racial/ethnic group whose students with
    disabilities were above the IDEA risk-ratio threshold for that outcome this year (IDEA
    judges discipline among students with disabilities: rows ``Black×true`` of
    ``race_ethnicity×disability`` against other students with disabilities or the state)."""
    idea = district[(district["school_year"] == school_year)
                    & district["comparison"].isin(("swd_other", "state_other"))
                    & (district["dimension"] == SWD_DIMENSION)
                    & district["flagged"].eq(True)]
    flagged = set(zip(idea["outcome"], idea["group"].str.removesuffix(SWD_SUFFIX), strict=True))
    return np.array([d == "race_ethnicity" and (o, g) in flagged for o, d, g in
                     zip(now["outcome"], now["dimension"], now["group"], strict=True)],
                    dtype=bool)


def _finding(rank: int, row) -> dict:
    outcome, dimension, group = row.outcome, row.dimension, row.group
    who = group_label(dimension, group)
    what = outcome_label(outcome)
    # Where a gap sits needs school-level counts; without them the locus is unknown (None).
    locus = row.locus if isinstance(getattr(row, "locus", None), str) and row.locus else None
    pooled = _pooled(row)
    if row.measure == "risk_ratio":
        title = f"{capitalize(who)}: {what}" + (f" ({pooled})" if pooled else "")
        statement = _rate_statement(row, who, locus)
        if pooled:
            statement += (f" Figures add up the school years {pooled.removeprefix('pooled ')} "
                          "(a rare outcome).")
    else:
        title = f"{capitalize(who)}: {what} gap"
        statement = (
            f"{capitalize(who)} scored {abs(row.value):.2f} standard deviations lower on {what} "
            f"than all other students (Hedges' g {row.value:.2f}, 95% CI {row.ci_low:.2f} to "
            f"{row.ci_high:.2f}){_locus_clause(locus, row)}."
        )
    return {
        "rank": rank,
        "title": title,
        "statement": statement,
        "section": row.section,
        "outcome": outcome,
        "dimension": dimension,
        "group": group,
        "measure": row.measure,
        "value": _num(row.value),
        "ci_low": _num(row.ci_low),
        "ci_high": _num(row.ci_high),
        "excess_students": _num(row.excess_students),
        "locus": locus,
        "score": round(float(row.score), 4),
        "q_value": _num(row.q_value),
        "years_persistent": int(row.years),
        "idea_flagged": bool(row.flagged) if isinstance(row.flagged, bool | np.bool_) else False,
        "pooled_years": pooled.removeprefix("pooled ") if pooled else None,
    }


def _pooled(row) -> str:
    """The "pooled 2021–2023" label of a row of a pooled rare outcome (config pool_years)."""
    found = re.search(r"pooled \d{4}–\d{4}", str(getattr(row, "note", "")))
    return found.group(0) if found else ""


def _rate_statement(row, who: str, locus: str) -> str:
    rr = row.value
    times = f"{rr:.1f} times as likely" if rr >= 1 else f"{rr:.2f} times as likely"
    rates = ""
    rate_group = getattr(row, "rate_group", math.nan)
    coded = str(getattr(row, "rate_display", "")).startswith(("≥", "≤"))
    if coded:
        rates = f"{row.rate_display}; "
    elif isinstance(rate_group, float) and math.isfinite(rate_group) and rr > 0:
        # The comparison rate follows from the two published figures: rate / risk ratio.
        rates = f"{fmt_pct(rate_group)} vs {fmt_pct(rate_group / rr)}; "
    to = outcome_infinitive(row.outcome)
    text = (
        f"{capitalize(who)} were {times} as all other students to {to} "
        f"({rates}95% CI {row.ci_low:.2f}–{row.ci_high:.2f})"
    )
    excess = row.excess_students
    if math.isfinite(excess) and abs(excess) >= 0.5:
        if excess > 0:
            text += (f"; at the rate of all other students, {fmt_int(excess)} fewer {who} "
                     f"would {to}")
        else:
            text += f"; {fmt_int(-excess)} more {who} would need to {to} to reach parity"
    interaction = getattr(row, "interaction", math.nan)
    if isinstance(interaction, float) and math.isfinite(interaction):
        text += (f"; {interaction:.1f} times the rate their two groups alone would predict "
                 f"(95% CI {row.interaction_low:.2f}–{row.interaction_high:.2f})")
    return text + _locus_clause(locus, row) + "."


#: Where a gap sits, after "lies": its part between schools comes from where students are
#: enrolled; its part within schools is there among students of the same schools.
WITHIN = "within schools: the gap is there among students of the same schools"
BETWEEN = "between schools: it comes from where students are enrolled"


def _locus_clause(locus: str, row) -> str:
    share = getattr(row, "between_share", math.nan)
    if not isinstance(share, float) or not math.isfinite(share):
        return ""
    if locus == "between_schools":
        return _most_of_the_gap(share, BETWEEN, "within the same schools it runs the other way")
    if locus == "within_schools":
        return _most_of_the_gap(1 - share, WITHIN,
                                "where students are enrolled runs the other way")
    return f". The gap is split: {share:.0%} between schools, {1 - share:.0%} within schools"


def _most_of_the_gap(part: float, where: str, other_way: str) -> str:
    """The clause for a gap that lies mostly ``where``; more than the whole of it (the other
    part runs the other way) only when the share as printed is over 100%."""
    shown = f"{part:.0%}"
    if int(shown[:-1]) > 100:
        return f". More than the whole gap ({shown}) lies {where}; {other_way}"
    amount = "Practically all" if shown == "100%" else "Most"
    return f". {amount} of the gap ({shown}) lies {where}"


def _num(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return round(value, 6) if math.isfinite(value) else None
