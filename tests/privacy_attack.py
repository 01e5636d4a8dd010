"""An adversary that reads only what a batch publishes and works out withheld student counts.

It is written independently of :mod:`equitykit.privacy` (it imports nothing from equitykit) and
uses only each district's ``metrics.csv``, ``findings.json`` and ``audit.html``. From them it
builds every linear relation a determined reader can check in the files themselves, then asks
scipy's HiGHS (``linprog``; ``milp`` for the integer check) for the smallest and largest value
of every count the files do not show.

The integer check (``integer=True``, the default): counts are whole numbers, so a count's
interval may be narrower than the LP relaxation's (a group of 2 to 19 students with a rate of
exactly 2/7 has 7 or 14 students, 2 or 4 of them with the outcome; the LP allows 4/7 to 38/7).
Each LP bound is rounded inward, and each rounded bound that no whole feasible point found so
far attains is solved for with ``milp`` on the count's block, ``MILP_SECONDS`` per solve. A solve
that runs out of time keeps the bound HiGHS has proven by then (its dual bound) where that is
tighter than the rounded LP bound, and the count is reported as kind "lp" (left to the LP). As
with the LP, a count whose whole feasible points found so far span a range that raises no
finding needs no solve; every count is checked, none is left to the LP by a margin rule.

Unknowns
--------
* ``n`` of a cell: students in a group at one place (district or school), in one year, of one
  *population*. Outcomes share a population when the attacker can tell they count the same
  students: (a) every outcome over all enrolled students (suspensions, expulsions, referrals,
  arrests, special-education identification, gifted, retention, and the enrollment
  composition rows), whose definition says so; (b) any outcomes whose published all-students
  ``n`` at that place and year are equal and that publish the same ``n`` for at least one
  group besides (e.g. math and reading proficiency, math scores). Equal totals alone happen by
  coincidence (a district's 66 grade-8 students and its graduation cohort of 66 are different
  students); merging on them alone is an assumption that can be false, and intervals built on a
  false relation say nothing about the published data.
* ``x`` of a cell: students of the group with the outcome.

Relations
---------
* the groups of a dimension add up to all students; the groups of an intersection
  (``Black×F``) add up to each parent group; schools add up to the district (``n`` and ``x``);
* ``0 <= x <= n`` and ``n >= 0``; integrality in the MILP check;
* every published number of a cell: ``n``, ``numerator``, a rate (``x = rate × n``; a coded
  rate ``≤p%`` gives ``x <= p·n``, ``≥p%`` gives ``x >= p·n``), a risk difference, risk ratio,
  excess students, representation index or outcome composition with its published group and
  total sizes (each is linear in ``x`` and the total's ``x`` once the sizes are known);
  an enrollment composition (``n = share × N``);
* across populations and tables (each checkable in the files): a group of any student outcome
  is at most the enrolled group (tested students are some of the enrolled ones); the
  population of the outcomes "given a referral" is the ``referred`` count of the cell, and
  that of IDEA placement the ``disability`` (identified) count — an equation when every pair
  published in the files agrees, else "at most"; the students identified among a group are the
  size of the group × disability=true (all of them by definition; none of those without a
  disability); the six published IDEA categories add up to at most the identified count (a
  student has one category, and there are thirteen); students suspended twice or more are at
  most the students suspended;
* notes: "no students in the group had the outcome" gives ``x = 0``; "no students had the
  outcome" gives the total's ``x = 0``; "no comparison-group students had the outcome" gives
  ``x = X``.

The report: every number in a table of ``audit.html`` must be one that ``metrics.csv``
publishes (in one of the report's formats), so the system above covers the report's tables;
every finding must restate a published row.

Focus rows (the focus group against a named reference group: relative rate index, rate
difference) publish the focus group's ``n`` and ``numerator`` and, with both groups' sizes,
a linear relation between their counts.

The discipline rows (days lost per 100 students, within-offense risk ratio) publish their
cell's ``n`` and ``numerator``, read like a rate's; their values are not linear in the counts
but, published beside a withheld or coded rate, are reported as a leak. Climate rows whose
``n`` and ``numerator`` are whole numbers (favorable answers of respondents) are attacked as
counts, each survey outcome its own population.

A student survey construct's published ``n`` (its respondents) is at most the group's survey
respondents, the count of the response rate, and equal to it when the construct's total equals
the published total of respondents (everyone answered it).

Not used (the attacker's limits): climate survey rows of per-item averages (not counts), score
means, intervals and p-values as non-linear equations (but any of them published beside a
withheld or coded rate is reported as a leak), relations between different populations
other than those listed above.
"""

from __future__ import annotations

import functools
import html
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csgraph

try:  # scipy's HiGHS bindings, for warm re-solves (_WarmLP); linprog alone gives the same
    from scipy.optimize._highspy import _core as _hc
except ImportError:  # pragma: no cover - other scipy versions
    _hc = None

ENROLLED = frozenset({
    "iss", "oss", "expelled", "referred_law_enforcement", "arrested", "disability",
    "disability_ID", "disability_SLD", "disability_EMN", "disability_SLI", "disability_OHI",
    "disability_AUT", "gifted", "enrollment",
})
#: Outcomes counted over the students of a year: each population is some of the enrolled
#: students (the outcome's definition in the methods: "every student row" or "rows where the
#: outcome is known"), so its group sizes are at most the enrolled ones.
STUDENT_OUTCOMES = ENROLLED | frozenset({
    "chronic_absent", "suspended_2plus", "referred", "subjective_referral",
    "exclusionary_given_referral", "restorative_given_referral", "placement_lt40",
    "placement_separate", "advanced_course", "algebra1_grade8", "math_proficient",
    "ela_proficient", "graduated_4yr", "dropped_out", "retained",
})
#: Outcomes over the students referred for a discipline incident (their population is the
#: count with outcome "referred") and over the students with disabilities (IDEA placement:
#: the size of the group × disability=true).
OF_REFERRED = ("subjective_referral", "exclusionary_given_referral", "restorative_given_referral")
REFERRED = "referred"
OF_DISABILITY = ("placement_lt40", "placement_separate")
#: Identification for special education, and the IDEA categories: a student identified in a
#: category is identified; the published categories are six of thirteen, so their sum is at
#: most the identified count (not equal).
IDENTIFIED = "disability"
CATEGORIES = ("disability_ID", "disability_SLD", "disability_EMN", "disability_SLI",
              "disability_OHI", "disability_AUT")
SWD_DIMENSION, SWD_GROUP = "disability", "true"
#: Outcomes whose students all had another outcome (count at most the other's count).
WITHIN = {"suspended_2plus": "oss"}
#: The focus lens: the focus group against a named reference group of its dimension, in the
#: focus group's cell (its n and numerator).
FOCUS_MEASURES = ("relative_rate_index", "rate_difference")
#: Head counts published as composition rows only (students enrolled, teachers employed).
HEADCOUNTS = ("enrollment", "teachers")
#: Discipline measures that publish their cell's n and numerator (students referred and
#: students removed; students enrolled and students suspended) beside a non-linear value.
OF_THE_CELL = ("days_lost_per_100", "within_offense_risk_ratio")
RATE_FAMILY = ("risk_ratio", "risk_difference", "excess_students", "representation_index",
               "composition")
SEP = "×"
#: Dimensions a survey respondent may leave unanswered: their groups add up to at most all.
OPTIONAL_ANSWERS = frozenset({"sexual_orientation", "gender_identity"})
TOL = 1e-6
#: The outcome of survey response rates (students who answered, of those enrolled).
RESPONSE = "survey_response"
NO_GROUP_CASES = "no students in the group had the outcome"
NO_CASES = "no students had the outcome"
NO_OTHER_CASES = "no comparison-group students had the outcome"


@dataclass
class Finding:
    """One thing the attack learned. ``kind``: narrow, zero, all, band, band_whole (not a
    leak, see :func:`_judged`), complement, derived, size, empty, lp, infeasible."""

    kind: str
    district: str
    what: str
    low: float = float("nan")
    high: float = float("nan")
    key: tuple = ()

    def __str__(self) -> str:
        return f"{self.kind:10} {self.district} {self.what} [{self.low:g}, {self.high:g}]"


@dataclass
class _System:
    names: list = field(default_factory=list)
    index: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)  # (dict var -> coef, lo, hi)
    pop: dict = field(default_factory=dict)  # (year, school, outcome) -> population
    #: counts whose size cell is absent from a table that lists its dimension (no row: 0)
    absent: set = field(default_factory=set)

    def var(self, key) -> int:
        if key not in self.index:
            self.index[key] = len(self.names)
            self.names.append(key)
        return self.index[key]

    def add(self, coefs: dict, lo: float, hi: float) -> None:
        if all(np.isfinite(c) for c in coefs.values()) and not (np.isnan(lo) or np.isnan(hi)):
            self.rows.append((coefs, lo, hi))


def read_metrics(folder: Path) -> pd.DataFrame:
    m = pd.read_csv(folder / "metrics.csv", keep_default_na=False, na_values=[""],
                    dtype={"school_id": str, "district_id": str, "group": str})
    for col in ("school_id", "comparison", "note", "display", "dimension", "group"):
        m[col] = m[col].astype(object).fillna("").astype(str)
    m["suppressed"] = m["suppressed"].astype(str).str.lower().eq("true")
    return m


def district_folders(batch: Path) -> list[Path]:
    return sorted(p.parent for p in Path(batch).glob("*/metrics.csv"))


def leaks(found: list[Finding]) -> list[Finding]:
    """The findings that are leaks: not a group size that follows from published sizes
    ("size"), not a count of nobody ("empty"), not a band whose open end whole numbers move
    in by less than the protection width ("band_whole", see :func:`_judged`), and not a count
    whose MILP ran out of time ("lp":
    its bound is the LP's or the one HiGHS had proven; a check not made in full, warned with how
    many there are)."""
    left = [f for f in found if f.kind == "lp"]
    if left:
        warnings.warn(f"{len(left)} withheld counts left to the LP (MILP time limit), e.g. "
                      f"{left[0]}", stacklevel=2)
    return [f for f in found if f.kind not in ("size", "empty", "lp", "band_whole")]


def attack_batch(batch: Path, *, min_n: int = 10, width: float = 10,
                 integer: bool = True) -> list[Finding]:
    found = []
    for folder in district_folders(batch):
        found += attack_district(folder, min_n=min_n, width=width, integer=integer)
    return found


def attack_table(table: pd.DataFrame, folder: Path, *, width: float) -> list[Finding]:
    """The LP attack on one published metrics table alone (written to ``folder`` as
    metrics.csv): its findings other than group sizes and empty groups."""
    table.to_csv(Path(folder) / "metrics.csv", index=False)
    return [f for f in attack_district(Path(folder), integer=False, width=width)
            if f.kind not in ("size", "empty")]


def attack_district(folder: Path, *, min_n: int = 10, width: float = 10,
                    integer: bool = True) -> list[Finding]:
    m = read_metrics(folder)
    district = str(m["district_id"].iloc[0]) if len(m) else folder.name
    counted = m[~_survey_averages(m)
                & ~m["dimension"].isin(("demographics", "school_poverty", "school_minority"))]
    rate_outcomes = set(counted.loc[counted["measure"] == "rate", "outcome"])
    rows = counted[counted["outcome"].isin(rate_outcomes | set(HEADCOUNTS))
                   & counted["measure"].isin(("rate", *RATE_FAMILY, *OF_THE_CELL))
                   & counted["comparison"].isin(("", "all_other"))]
    rows = rows[~(rows["outcome"].isin(HEADCOUNTS) & (rows["measure"] != "composition"))]
    pop = _populations(rows)
    system = _System()

    def nkey(r):
        return ("n", r.school_year, r.school_id, pop[(r.school_year, r.school_id, r.outcome)],
                r.dimension, r.group)

    def xkey(r):
        return ("x", r.school_year, r.school_id, r.outcome, r.dimension, r.group)

    cells = rows[["school_year", "school_id", "outcome", "dimension", "group"]].drop_duplicates()
    for r in cells.itertuples(index=False):
        system.var(nkey(r))
        if r.outcome not in HEADCOUNTS:
            system.var(xkey(r))
    found: list[Finding] = []
    published = rows[~rows["suppressed"]]
    _published_values(published, system, nkey, xkey, found, district, min_n)
    _margins(cells, system, nkey, xkey)
    _across_populations(cells, published, system, pop, nkey, xkey)
    bands = _rate_relations(published, rows, system, nkey, xkey, found, district)
    _respondents(m, system)
    focus = counted[counted["measure"].isin(FOCUS_MEASURES) & ~counted["suppressed"]
                    & counted["outcome"].isin(rate_outcomes)]
    _focus_relations(focus, rows, system, nkey, xkey, found, district)
    everything = m[~m["suppressed"]]
    _findings_json(folder, everything, found, district)
    _html_tables(folder, everything, found, district)
    _running_text(folder, found, district, min_n)
    zero_places = {system.names[i][1:4] for i, v in system.fixed.items()
                   if system.names[i][0] == "x" and system.names[i][4] == "all" and v == 0}
    system.pop = pop
    found += _solve(system, bands, zero_places, width, integer, district)
    return _empty_groups(found, system)


def _respondents(m: pd.DataFrame, system: _System) -> None:
    """A student survey construct's respondents are some of the group's survey respondents
    (the count of ``survey_response``), so its published ``n`` is at most that count. When the
    construct's total ``n`` equals the published total of respondents, everyone answered it,
    and a reader takes each group's ``n`` as the group's respondents."""
    rates = m[(m["measure"] == "rate") & (m["comparison"] == "") & ~m["suppressed"]
              & m["n"].notna()]
    answered = rates[rates["outcome"] == RESPONSE].set_index(
        ["school_year", "school_id", "dimension", "group"])["numerator"]
    shown = rates[rates["outcome"].str.startswith("favorable_")]
    totals = shown[shown["dimension"] == "all"].set_index(
        ["school_year", "school_id", "outcome"])["n"]
    for r in shown.itertuples(index=False):
        key = ("x", r.school_year, r.school_id, RESPONSE, r.dimension, r.group)
        if key not in system.index:
            continue
        everyone = totals.get((r.school_year, r.school_id, r.outcome), np.nan) == answered.get(
            (r.school_year, r.school_id, "all", "all"), -1)
        system.add({system.index[key]: 1.0}, float(r.n), float(r.n) if everyone else np.inf)


def _survey_averages(m: pd.DataFrame) -> pd.Series:
    """Climate rows that are averages over items (a survey outcome whose published n or
    numerator is not a whole number); climate rows of whole counts of respondents are
    attacked like students."""
    survey = m["outcome"].str.startswith("favorable_")
    whole = (m["n"].isna() | (m["n"] == m["n"].round())) & (
        m["numerator"].isna() | (m["numerator"] == m["numerator"].round()))
    averaged = set(m.loc[survey & ~whole, "outcome"])
    return survey & m["outcome"].isin(averaged)


def _empty_groups(found: list[Finding], system: _System) -> list[Finding]:
    """Intervals [0, 0] of groups with no students (their size is 0, published or worked out)
    describe nobody: kind "empty", not a leak; so do the counts of a group whose size in
    another table is absent (no row: nobody), such as the students referred among a group
    absent from the "given a referral" tables, and counts that are 0 by definition (students
    without a disability identified for special education)."""
    empty = {k[1:] for k, i in system.index.items()
             if k[0] == "n" and system.fixed.get(i) == 0}
    zero_n = {f.key[1:] for f in found if f.key and f.key[0] == "n" and f.high < 0.5}
    empty |= zero_n
    out = []
    for f in found:
        key = f.key
        if key and key in system.absent and f.high < 0.5:
            f.kind = "empty"
        elif key and key[0] == "x":
            n_key = (key[1], key[2], system.pop.get((key[1], key[2], key[3]), key[3]),
                     key[4], key[5])
            if n_key in empty:
                f.kind = "empty"
        elif key and key[0] == "n" and key[1:] in empty:
            f.kind = "empty"
        out.append(f)
    return out


def _populations(rows: pd.DataFrame) -> dict:
    """(year, school, outcome) -> population label, merging as the module docstring says:
    outcomes merge when their all-students n and at least one group's n are published equal by
    both and no group n published by both differs."""
    label = {}
    known = rows[rows["n"].notna() & ~rows["suppressed"]]
    for (year, school), block in rows.groupby(["school_year", "school_id"]):
        parent = {o: ("enrolled" if o in ENROLLED else o) for o in block["outcome"].unique()}
        sizes = known[(known["school_year"] == year) & (known["school_id"] == school)]
        sizes = sizes.drop_duplicates(["outcome", "dimension", "group"]).set_index(
            ["dimension", "group"])
        by_outcome = {o: f["n"] for o, f in sizes.groupby("outcome")}
        outcomes = sorted(by_outcome)
        for i, a in enumerate(outcomes):
            for b in outcomes[i + 1:]:
                na, nb = by_outcome[a], by_outcome[b]
                if ("all", "all") not in na.index or ("all", "all") not in nb.index:
                    continue
                common = na.index.intersection(nb.index)
                if (len(common) >= 2 and (na[common] == nb[common]).all()
                        and parent[a] != parent[b]):
                    members = [o for o in outcomes if parent[o] in (parent[a], parent[b])]
                    if all(_agree(by_outcome[o], by_outcome[q]) for o in members for q in members):
                        old, keep = sorted((parent[a], parent[b]))[::-1]
                        parent = {o: (keep if lab == old else lab) for o, lab in parent.items()}
        for o, lab in parent.items():
            label[(year, school, o)] = lab
    return label


def _agree(a: pd.Series, b: pd.Series) -> bool:
    common = a.index.intersection(b.index)
    return bool((a[common] == b[common]).all())


def _fix(system: _System, key, value: float, found, district, what) -> None:
    i = system.var(key)
    old = system.fixed.get(i)
    if old is not None and abs(old - value) > 1e-6:
        found.append(Finding("conflict", district, f"{what}: {old} vs {value}"))
    system.fixed[i] = float(value)


def _published_values(published, system, nkey, xkey, found, district, min_n) -> None:
    for r in published.itertuples(index=False):
        if r.measure in ("rate", *RATE_FAMILY, *OF_THE_CELL) and not np.isnan(r.n):
            _fix(system, nkey(r), r.n, found, district, f"n {r}")
        if r.measure in OF_THE_CELL and not np.isnan(r.numerator):
            _fix(system, xkey(r), r.numerator, found, district, f"x {r}")
        if r.measure == "rate" and not np.isnan(r.numerator):
            _fix(system, xkey(r), r.numerator, found, district, f"x {r}")
            if 0 < r.n - r.numerator < min_n:
                found.append(Finding("complement", district, _label(r), r.numerator, r.n))


def _label(r) -> str:
    place = r.school_id or "district"
    return f"{r.school_year} {place} {r.outcome} {r.dimension}={r.group}"


def _margins(cells: pd.DataFrame, system: _System, nkey, xkey) -> None:
    """Groups add up to all students; intersections to their parents; schools to the
    district."""
    seen = set()
    for (_, _, outcome), block in cells.groupby(["school_year", "school_id", "outcome"]):
        kinds = [nkey] if outcome in HEADCOUNTS else [nkey, xkey]
        total = block[block["dimension"] == "all"]
        if total.empty:
            continue
        t = next(total.itertuples(index=False))
        groups = block[block["dimension"] != "all"]
        for dimension, parts in groups.groupby("dimension"):
            for key in kinds:  # survey questions on identity may be skipped: at most all
                _equation(system, seen, key(t), [key(p) for p in parts.itertuples(index=False)],
                          at_most=dimension in OPTIONAL_ANSWERS)
            if SEP not in dimension:
                continue
            dims = dimension.split(SEP)
            labels = parts["group"].str.split(SEP, expand=True, regex=False)
            for drop in range(len(dims)):
                keep = [i for i in range(len(dims)) if i != drop]
                parent_dim = SEP.join(dims[i] for i in keep)
                parent_group = labels[keep].agg(SEP.join, axis=1)
                for pg, children in parts.groupby(parent_group.to_numpy()):
                    head = block[(block["dimension"] == parent_dim) & (block["group"] == pg)]
                    if head.empty:
                        continue
                    h = next(head.itertuples(index=False))
                    for key in kinds:
                        _equation(system, seen, key(h),
                                  [key(c) for c in children.itertuples(index=False)])
    schools = cells[cells["school_id"] != ""]
    for (year, outcome, dimension, group), parts in schools.groupby(
            ["school_year", "outcome", "dimension", "group"]):
        head = cells[(cells["school_year"] == year) & (cells["school_id"] == "")
                     & (cells["outcome"] == outcome) & (cells["dimension"] == dimension)
                     & (cells["group"] == group)]
        if head.empty:
            continue
        h = next(head.itertuples(index=False))
        kinds = [nkey] if outcome in HEADCOUNTS else [nkey, xkey]
        for key in kinds:
            _equation(system, seen, key(h), [key(p) for p in parts.itertuples(index=False)])
    _couple(cells, system, nkey, xkey)


class Key(NamedTuple):
    """A cell: place, year, outcome, dimension and group."""

    school_year: object
    school_id: str
    outcome: str
    dimension: str
    group: str


def _across_populations(cells, published, system, pop, nkey, xkey) -> None:
    """Relations between populations and between one outcome's counts and another's sizes:

    * a group of any student outcome is at most the group of enrolled students (same place,
      year, dimension and group);
    * the students referred for an incident are the population of the outcomes "given a
      referral" (their ``n`` is the ``referred`` count), and the students identified for special
      education are the population of IDEA placement: an equation where every pair published
      in the files agrees, else "at most";
    * students identified among a group are the group's students with a disability (the size
      of ``g × disability=true`` in the enrolled population);
    * the six published IDEA categories add up to at most the identified count.
    """
    present = dict(system.index)
    listed = {(r.school_year, r.school_id, r.outcome, r.dimension)
              for r in cells.itertuples(index=False)}
    listed_pop = {(r.school_year, r.school_id, pop[(r.school_year, r.school_id, r.outcome)],
                   r.dimension) for r in cells.itertuples(index=False)}
    enrolled = {}
    for (year, school, outcome), label in pop.items():
        if outcome in ENROLLED:
            enrolled.setdefault((year, school), label)

    def x_of(cell):
        return present.get(xkey(cell))

    equal_to = {
        "referred": _published_equal(published, OF_REFERRED, REFERRED),
        "identified": _published_equal(published, OF_DISABILITY, IDENTIFIED),
    }
    seen = set()

    def relate(coefs: dict, exact: bool) -> None:
        sig = tuple(sorted(coefs.items()))
        if sig not in seen:
            seen.add(sig)
            system.add(coefs, -np.inf if not exact else 0.0, 0.0)

    for r in cells.itertuples(index=False):
        cell = Key(r.school_year, r.school_id, r.outcome, r.dimension, r.group)
        n = present.get(nkey(cell))
        label = enrolled.get((r.school_year, r.school_id))
        if (n is not None and r.outcome in STUDENT_OUTCOMES and label is not None
                and pop[(r.school_year, r.school_id, r.outcome)] != label):
            e = present.get(("n", r.school_year, r.school_id, label, r.dimension, r.group))
            if e is not None and e != n:
                relate({n: 1.0, e: -1.0}, False)
        for outcomes, parent, flag in ((OF_REFERRED, REFERRED, "referred"),
                                       (OF_DISABILITY, IDENTIFIED, "identified")):
            if r.outcome in outcomes and n is not None:
                x = x_of(cell._replace(outcome=parent))
                if x is not None:
                    relate({n: 1.0, x: -1.0}, equal_to[flag])
            if r.outcome == parent:
                for child in outcomes:
                    size = cell._replace(outcome=child)
                    if size[:4] in listed and present.get(nkey(size)) is None:
                        system.absent.add(xkey(cell))
        if r.outcome in WITHIN and x_of(cell) is not None:
            other = x_of(cell._replace(outcome=WITHIN[r.outcome]))
            if other is not None:
                relate({x_of(cell): 1.0, other: -1.0}, False)
        if r.outcome == IDENTIFIED and n is not None:
            x = x_of(cell)
            status = dict(zip(r.dimension.split(SEP), r.group.split(SEP), strict=True))
            if x is not None and SWD_DIMENSION in status:  # all or none, by definition
                relate({x: 1.0, n: -1.0} if status[SWD_DIMENSION] == SWD_GROUP else {x: 1.0},
                       True)
                if status[SWD_DIMENSION] != SWD_GROUP:
                    system.absent.add(xkey(cell))  # 0 by definition: known, not worked out
        if r.outcome == IDENTIFIED and label is not None:
            x = x_of(cell)
            for dim, grp in _with_disability(r.dimension, r.group):
                e = present.get(("n", r.school_year, r.school_id, label, dim, grp))
                if x is not None and e is not None:
                    relate({x: 1.0, e: -1.0}, True)
                elif (r.school_year, r.school_id, label, dim) in listed_pop:
                    # nobody in the group has a disability: none identified, in any category
                    system.absent |= {xkey(cell._replace(outcome=o))
                                      for o in (IDENTIFIED, *CATEGORIES)}
            parts = [x_of(cell._replace(outcome=c)) for c in CATEGORIES]
            parts = [p for p in parts if p is not None]
            if x is not None and parts:
                coefs = {p: 1.0 for p in parts}
                coefs[x] = -1.0
                relate(coefs, False)
    _zero_closure(system)


def _zero_closure(system: _System) -> None:
    """Counts that follow from an empty group (not from a published 0) are empty too: in a relation
    ``sum(c v) <= 0`` (or ``= 0``) with every unknown at least 0, the terms on one side are 0
    when every term on the other side is known to be 0 (the parts of an empty total, the
    categories of nobody identified)."""
    zero = {system.index[k] for k in system.absent if k in system.index}
    relations = [(coefs, lo == 0) for coefs, lo, hi in system.rows
                 if hi == 0 and lo in (0, -np.inf)]
    grown = True
    while grown:
        grown = False
        for coefs, equal in relations:
            for side in ((1, -1) if equal else (1,)):
                big = [i for i, c in coefs.items() if c * side > 0]
                small = [i for i, c in coefs.items() if c * side < 0]
                if small and all(i in zero for i in small) and not set(big) <= zero:
                    zero |= set(big)
                    grown = True
    system.absent |= {system.names[i] for i in zero if system.names[i][0] == "x"}


def _with_disability(dimension: str, group: str) -> list:
    """The names a group × disability=true cell may have."""
    if dimension == "all":
        return [(SWD_DIMENSION, SWD_GROUP)]
    if SWD_DIMENSION in dimension.split(SEP):
        return []
    return [(dimension + SEP + SWD_DIMENSION, group + SEP + SWD_GROUP),
            (SWD_DIMENSION + SEP + dimension, SWD_GROUP + SEP + group)]


def _published_equal(published: pd.DataFrame, outcomes, parent: str) -> bool:
    """Whether every published n of ``outcomes`` equals the published count with ``parent``
    of the same cell (and at least one such pair is published)."""
    cols = ["school_year", "school_id", "dimension", "group"]
    rates = published[published["measure"] == "rate"]
    sizes = rates[rates["outcome"].isin(outcomes)][[*cols, "n"]].dropna()
    counts = rates[rates["outcome"] == parent][[*cols, "numerator"]].dropna()
    pairs = sizes.merge(counts, on=cols)
    return bool(len(pairs)) and bool((pairs["n"] == pairs["numerator"]).all())


def _couple(cells, system, nkey, xkey) -> None:
    for r in cells.itertuples(index=False):
        if r.outcome not in HEADCOUNTS:
            system.add({system.var(xkey(r)): 1.0, system.var(nkey(r)): -1.0}, -np.inf, 0.0)


def _equation(system: _System, seen: set, total, parts: list, *, at_most: bool = False
              ) -> None:
    """``total`` = the sum of ``parts`` (``at_most``: the parts add up to at most it)."""
    sig = (total, tuple(sorted(parts)))
    if sig in seen or not parts:
        return
    seen.add(sig)
    coefs = {system.var(total): 1.0}
    for p in parts:
        coefs[system.var(p)] = coefs.get(system.var(p), 0.0) - 1.0
    system.add(coefs, 0.0, np.inf if at_most else 0.0)


def _rate_relations(published, rows, system, nkey, xkey, found, district) -> dict:
    """Rates, coded rates, comparisons and notes as linear relations; returns the bands."""
    bands = {}
    known_n = {system.names[i]: v for i, v in system.fixed.items() if system.names[i][0] == "n"}
    cell_cols = ["school_year", "school_id", "outcome", "dimension", "group"]
    status = rows[rows["measure"] == "rate"].set_index(cell_cols)
    for r in published.itertuples(index=False):
        if r.outcome in HEADCOUNTS:
            if r.measure == "composition" and r.dimension != "all" and not np.isnan(r.value):
                tk = nkey(_Row(r, "all", "all"))
                system.add({system.var(nkey(r)): 1.0, system.var(tk): -r.value}, -TOL, TOL)
            continue
        x, n = system.var(xkey(r)), system.var(nkey(r))
        t = _Row(r, "all", "all")
        X = system.var(xkey(t))
        nv, Nv = known_n.get(nkey(r)), known_n.get(nkey(t))
        v = r.value
        if r.note.startswith(NO_GROUP_CASES):
            system.add({x: 1.0}, 0.0, 0.0)
        elif r.note == NO_CASES:
            system.add({X: 1.0}, 0.0, 0.0)
        elif r.note == NO_OTHER_CASES:
            system.add({X: 1.0, x: -1.0}, 0.0, 0.0)
        if np.isnan(v):
            continue
        if r.measure == "rate":
            if r.display.startswith("≥"):
                system.add({x: 1.0, n: -v}, -TOL, np.inf)
                bands[x] = ("≥", v, n)
            elif r.display.startswith("≤"):
                system.add({x: 1.0, n: -v}, -np.inf, TOL)
                bands[x] = ("≤", v, n)
            else:
                system.add({x: 1.0, n: -v}, -TOL, TOL)
            continue
        key = (r.school_year, r.school_id, r.outcome, r.dimension, r.group)
        rate = status.loc[key] if key in status.index else None
        if rate is not None and (bool(rate["suppressed"]) or str(rate["display"])[:1] in "≥≤"):
            state = "withheld" if rate["suppressed"] else "coded"
            found.append(Finding("derived", district,
                                 f"{_label(r)} {r.measure} = {v:g} beside a {state} rate"))
        if r.measure == "composition":
            system.add({x: 1.0, X: -v}, -TOL, TOL)
            continue
        if nv is None or Nv is None or Nv - nv <= 0 or nv <= 0:
            continue
        no = Nv - nv
        if r.measure == "risk_difference":
            system.add({x: 1 / nv + 1 / no, X: -1 / no}, v - TOL, v + TOL)
        elif r.measure == "risk_ratio":
            system.add({x: 1 / nv + v / no, X: -v / no}, -TOL, TOL)
        elif r.measure == "excess_students":
            system.add({x: 1 + nv / no, X: -nv / no}, v - TOL, v + TOL)
        elif r.measure == "representation_index":
            system.add({x: 1.0, X: -v * nv / Nv}, -TOL, TOL)
    return bands


def _focus_relations(focus, rows, system, nkey, xkey, found, district) -> None:
    """Focus rows: the focus group's n and numerator, and its ratio or difference with the
    reference group as a linear relation once both sizes are known; any of them beside a
    withheld or coded rate of either group is a leak (kind "derived")."""
    cell_cols = ["school_year", "school_id", "outcome", "dimension", "group"]
    status = rows[rows["measure"] == "rate"].set_index(cell_cols)
    for r in focus.itertuples(index=False):
        ref = Key(r.school_year, r.school_id, r.outcome, r.dimension, r.comparison)
        if nkey(r) not in system.index or nkey(ref) not in system.index:
            continue
        if not np.isnan(r.n):
            _fix(system, nkey(r), r.n, found, district, f"n {r}")
        if not np.isnan(r.numerator):
            _fix(system, xkey(r), r.numerator, found, district, f"x {r}")
        for key in ((r.school_year, r.school_id, r.outcome, r.dimension, r.group), tuple(ref)):
            rate = status.loc[key] if key in status.index else None
            if rate is not None and (bool(rate["suppressed"])
                                     or str(rate["display"])[:1] in "≥≤"):
                found.append(Finding("derived", district,
                                     f"{_label(r)} {r.measure} vs {r.comparison} = {r.value:g} "
                                     "beside a withheld or coded rate"))
        known = {system.names[i]: v for i, v in system.fixed.items()}
        n, n_ref = known.get(nkey(r)), known.get(nkey(ref))
        if np.isnan(r.value) or not n or not n_ref:
            continue
        x, x_ref = system.var(xkey(r)), system.var(xkey(ref))
        if r.measure == "rate_difference":
            system.add({x: 1 / n, x_ref: -1 / n_ref}, r.value - TOL, r.value + TOL)
        else:
            system.add({x: n_ref, x_ref: -r.value * n}, -TOL * n * n_ref, TOL * n * n_ref)


class _Row:
    """A row's place and outcome with another dimension and group (the total)."""

    def __init__(self, r, dimension: str, group: str) -> None:
        self.school_year, self.school_id, self.outcome = r.school_year, r.school_id, r.outcome
        self.dimension, self.group = dimension, group


def _findings_json(folder: Path, published: pd.DataFrame, found: list, district: str) -> None:
    """Every finding must restate a published metrics row (same measure and value)."""
    path = folder / "findings.json"
    if not path.exists():
        return
    key = ["outcome", "dimension", "group", "measure"]
    shown = published.set_index(key)["value"]
    for f in json.loads(path.read_text(encoding="utf-8")):
        k = tuple(str(f.get(c, "")) for c in key)
        if k not in shown.index:
            found.append(Finding("derived", district, f"finding on unpublished row {k}"))
        elif not np.isclose(np.asarray(shown.loc[[k]], dtype=float), float(f["value"]),
                            rtol=1e-5, atol=1e-6).any():  # findings round to 6 digits
            found.append(Finding("derived", district, f"finding value differs {k}"))


#: HTML tables that describe the run, not students (file names, software versions).
RUN_TABLES = ("Tables supplied", "Software versions", "How this audit was run")


def _shown_texts(published: pd.DataFrame) -> set:
    """Every way the report may print a published metrics.csv number."""
    texts = set(published["display"].dropna().astype(str))
    for col in ("n", "numerator"):
        texts |= {f"{v:,.0f}" for v in published[col].dropna()}
    for v in published["value"].dropna():
        texts |= {f"{100 * v:.1f}%", f"{100 * v:.0f}%", f"{v:.2f}", f"{v:,.0f}", f"{v:.3f}",
                  f"{100 * v:.1f}", f"${v:,.0f}", f"${v:.2f}"}  # points, dollars
    for col in ("p_value", "q_value"):
        if col in published:
            texts |= {f"{v:.3f}" for v in published[col].dropna()} | {"<0.001"}
            texts |= {f"≤{v:.3f}" for v in published[col].dropna()}  # a permutation floor
    ci = published[["ci_low", "ci_high"]].dropna()
    for lo, hi in ci.itertuples(index=False):
        texts |= {f"{lo:.2f}–{hi:.2f}", f"{lo:.2f} to {hi:.2f}",
                  f"{100 * lo:.1f}%–{100 * hi:.1f}%", f"{100 * lo:.1f}% to {100 * hi:.1f}%",
                  f"{100 * lo:.1f}–{100 * hi:.1f}", f"{100 * lo:.1f} to {100 * hi:.1f}"}
    years = pd.to_numeric(published["school_year"], errors="coerce").dropna().astype(int).unique()
    texts |= {str(y) for y in years}
    # School-year labels ("2023–24"), whichever end of the school year the data names.
    texts |= {f"{y - a}–{(y - a + 1) % 100:02d}" for y in years for a in (0, 1)}
    return texts


def _html_tables(folder: Path, published: pd.DataFrame, found: list, district: str) -> None:
    """Every number in a table of audit.html is a published metrics.csv number (so the linear
    system above covers the report's tables); any other is reported as kind "html"."""
    path = folder / "audit.html"
    if not path.exists():
        return
    shown = _shown_texts(published)
    page = path.read_text(encoding="utf-8")
    for caption, body in re.findall(r"<table><caption>(.*?)</caption>(.*?)</table>", page,
                                    flags=re.S):
        caption = html.unescape(caption)
        if caption in RUN_TABLES:
            continue
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, flags=re.S):
            text = html.unescape(re.sub(r"<.*?>", "", cell)).strip()
            if re.search("[a-z]{4}", text):
                continue
            # "1.66 (1.44–1.92)": a value with its interval; "13.2% → 11.8%": a trend.
            # "2021–22, 2023–24": a list of years.
            for part in re.split(r" → | \(|\)$|, ", text):
                part = re.sub(r"^[a-z] = ", "", part.strip())  # "g = -0.08": Hedges' g
                if re.search(r"\d", part) and part not in shown:
                    found.append(Finding("html", district, f"{caption}: {part!r} is in no "
                                                           "published row"))


#: Thresholds a report may state: ``min_n``, the all-or-none size (2 × ``min_n``) and IDEA's
#: minimum n-size (30).
IDEA_N_SIZE = 30
#: Numbers of the report's definitions ("days of suspension per 100 students").
DEFINITIONS = ("100",)


def _running_text(folder: Path, found: list, district: str, min_n: int) -> None:
    """Every number in the prose of audit.html (outside its tables: headlines, findings list,
    notes, captions, the sections' sentences) and in the text of findings.json is a published
    value in one of the report's spellings or a known non-statistic (tests/_report_numbers.py);
    any other is reported as kind "text". A finding's sentence may also restate its own
    published numbers (``excess_students``, ``value``, ...)."""
    from _report_numbers import json_numbers, non_statistics, published_numbers, unexplained_numbers

    metrics = pd.read_csv(folder / "metrics.csv", dtype=str, keep_default_na=False)
    privacy = folder / "privacy.json"
    findings = folder / "findings.json"
    base = published_numbers(metrics) | non_statistics(
        metrics, pages=0, thresholds=(min_n, 2 * min_n, IDEA_N_SIZE, *DEFINITIONS),
        privacy=privacy if privacy.exists() else None)
    if findings.exists():
        for f in json.loads(findings.read_text(encoding="utf-8")):
            own = base | json_numbers(f)
            for name, text in f.items():
                if isinstance(text, str):
                    for number in unexplained_numbers(text, own):
                        found.append(Finding("text", district, f"findings.json {name}: "
                                                               f"{number!r} in {text[:80]!r}"))
    page = folder / "audit.html"
    if page.exists():
        allowed = base | non_statistics(metrics, pages=0,
                                        findings=findings if findings.exists() else None)
        prose = re.sub(r"<(script|style|table)\b.*?</\1>", " ",
                       page.read_text(encoding="utf-8"), flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", prose))
        for number in unexplained_numbers(text, allowed):
            at = text.find(number)
            context = " ".join(text[max(0, at - 60):at + 20].split())
            found.append(Finding("text", district, f"audit.html: {number!r} in {context!r}"))


def _solve(system: _System, bands: dict, zero_places: set, width: float, integer: bool,
           district: str) -> list[Finding]:
    """Min and max of every unknown, block by block."""
    nvar = len(system.names)
    fixed = np.full(nvar, np.nan)
    for i, v in system.fixed.items():
        fixed[i] = v
    free = np.isnan(fixed)
    col = np.cumsum(free) - 1
    ri, ci, vals, lo, hi = [], [], [], [], []
    for coefs, a, b in system.rows:
        shift = sum(c * fixed[j] for j, c in coefs.items() if not free[j])
        terms = [(j, c) for j, c in coefs.items() if free[j] and c != 0]
        if not terms:
            continue
        for j, c in terms:
            ri.append(len(lo))
            ci.append(col[j])
            vals.append(c)
        lo.append(a - shift)
        hi.append(b - shift)
    nfree = int(free.sum())
    free_ids = np.flatnonzero(free)
    a_mat = sparse.csr_matrix((vals, (ri, ci)), shape=(len(lo), nfree))
    lo, hi = np.array(lo), np.array(hi)
    # Blocks: unknowns linked by any relation.
    inc = sparse.csr_matrix((np.ones(len(ri)), (ri, ci)), shape=(len(lo), nfree))
    graph = (inc.T @ inc).tocsr()
    _, comp = csgraph.connected_components(graph, directed=False)
    found = []
    for c in np.unique(comp):
        members = np.flatnonzero(comp == c)
        sub = a_mat[:, members]
        used = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
        sub = sub[used]
        block = _Block(sub, lo[used], hi[used])
        span = block.whole if integer else block.lp
        everyone = np.arange(members.size)
        if block.point(everyone, +1) is None:
            found.append(Finding("infeasible", district, str(system.names[free_ids[members[0]]])))
            continue
        block.point(everyone, -1)
        keys = [system.names[free_ids[j]] for j in members]
        bands_of = [bands.get(free_ids[j]) for j in members]
        # An unknown whose feasible points seen so far already span a range that raises no
        # finding needs no solve of its own.
        judge = functools.partial(_judged, fixed=fixed, zero_places=zero_places, width=width,
                                  district=district, integer=integer)

        def open_(local, span=span, keys=keys, bands_of=bands_of, judge=judge) -> bool:
            return bool(judge(keys[local], span.low[local], span.high[local], bands_of[local]))

        for local in block.push(open_, integer):
            if not open_(local):
                continue
            key, band = keys[local], bands_of[local]
            low = block.point(local, +1)[local]
            if not open_(local):  # its least value alone settled it
                continue
            high = block.point(local, -1)
            high = np.inf if high is None else high[local]
            if integer:
                (low, short_low), (high, short_high) = (block.whole_bound(local, +1, low),
                                                        block.whole_bound(local, -1, high))
                what = " ".join(map(str, key))
                if low > high:
                    found.append(Finding("infeasible", district, f"no whole value: {what}"))
                    continue
                if short_low or short_high:
                    found.append(Finding("lp", district, what, low, high, key))
            found += _judge(key, low, high, band, fixed, zero_places, width, district, integer)
    return found


#: Seconds for one MILP solve. One that runs out keeps the bound HiGHS has proven by then (its
#: dual bound) where that is tighter than the LP's, and is reported (kind "lp").
MILP_SECONDS = 10


#: Many-at-once solves (:meth:`_Block.push`) run while more than ``PUSH_FROM`` unknowns of a
#: block are undecided and each round settles at least this share of them. Their ``milp``
#: may take longer than one count's: any whole feasible point it finds settles many counts
#: (D03's largest block with its schools needs about 20 s for a first one).
PUSH_FROM, PUSH_SETTLES, PUSH_MILP_SECONDS = 20, 0.02, 60
_RANDOM = np.random.default_rng(20261201)


class _Span:
    """The least and greatest value of each unknown over the points seen so far."""

    def __init__(self, size: int) -> None:
        self.low, self.high = np.full(size, np.inf), np.full(size, -np.inf)

    def add(self, point) -> None:
        if point is not None:
            np.minimum(self.low, point, out=self.low)
            np.maximum(self.high, point, out=self.high)


class _Block:
    """The relations ``lo <= a x <= hi``, ``x >= 0`` of a block, and the spans of the feasible
    points seen so far: of every LP solution (``lp``) and of those of whole numbers, feasible
    points of the integer check (``whole``)."""

    def __init__(self, a, lo, hi) -> None:
        self.a, self.lo, self.hi = a, lo, hi
        self.lp, self.whole = _Span(a.shape[1]), _Span(a.shape[1])
        self.warm = _WarmLP(a, lo, hi)

    def _cost(self, j, sign) -> np.ndarray:
        cost = np.zeros(self.a.shape[1])
        cost[j] = sign
        return cost

    def push(self, is_open, integer: bool) -> np.ndarray:
        """Widen the spans of the unknowns still open (``is_open(j)``), many at once: minimise
        and maximise their sum under random positive weights (each optimum is a feasible point,
        so every span it widens is a range the unknown can take; of whole numbers, from
        ``milp``, when ``integer``), while a round still settles at least ``PUSH_SETTLES`` of
        them. Returns those still open, to be solved for one by one; the result is the same as
        solving for every unknown, only sooner."""

        def undecided(among) -> np.ndarray:
            return np.array([j for j in among if is_open(j)], dtype=int)

        left = undecided(range(self.a.shape[1]))
        while left.size > PUSH_FROM:
            for sign in (+1, -1):
                weights = np.zeros(self.a.shape[1])
                weights[left] = sign * _RANDOM.uniform(0.5, 1.5, left.size)
                if integer:
                    self._seen(self._whole(weights, PUSH_MILP_SECONDS).x)
                else:
                    self.optimum(weights)
            before, left = left.size, undecided(left)
            if before - left.size < PUSH_SETTLES * before:
                break
        return left

    def _seen(self, point) -> None:
        if point is None:
            return
        self.lp.add(point)
        whole = np.round(point)
        value = self.a @ whole
        if (np.abs(point - whole).max(initial=0) <= TOL and (value >= self.lo - TOL).all()
                and (value <= self.hi + TOL).all()):
            self.whole.add(whole)

    def point(self, j, sign):
        """A feasible point minimising (``sign`` 1) or maximising (-1) the sum of unknowns
        ``j``; None when there is none (infeasible, or unbounded)."""
        return self.optimum(self._cost(j, sign))

    def optimum(self, cost):
        """A feasible point minimising ``cost @ x``; None when there is none."""
        point, solved = self.warm.solve(cost)
        if not solved:
            res = _lp(self.a, self.lo, self.hi, cost)
            point = res.x if res.status == 0 and res.x is not None else None
        self._seen(point)
        return point

    def whole_bound(self, j, sign, bound) -> tuple[float, bool]:
        """The least (``sign`` 1) or greatest (-1) whole value of unknown ``j`` given its LP
        bound: the bound rounded inward, then ``milp`` unless a whole point seen so far attains
        it (±inf: none). Returns it and whether the solve ran out of time."""
        bound = np.ceil(bound - TOL) if sign > 0 else np.floor(bound + TOL)
        if not np.isfinite(bound) or bound == (self.whole.low if sign > 0 else self.whole.high)[j]:
            return bound, False
        res = self._whole(self._cost(j, sign))
        self._seen(res.x)
        if res.status == 0:
            return float(np.round(res.x[j])), False
        if res.status == 2:
            return sign * np.inf, False
        dual = res.mip_dual_bound
        if dual is not None and np.isfinite(dual):
            proven = np.ceil(dual - TOL) if sign > 0 else np.floor(-dual + TOL)
            bound = max(bound, proven) if sign > 0 else min(bound, proven)
        return bound, True

    def _whole(self, cost, seconds: float = MILP_SECONDS):
        """``milp`` minimising ``cost @ x`` over whole numbers, ``seconds`` at most."""
        return milp(cost, integrality=np.ones(self.a.shape[1]),
                    constraints=LinearConstraint(self.a, self.lo, self.hi),
                    bounds=Bounds(0, np.inf), options={"time_limit": seconds})


class _WarmLP:
    """The block's LP kept in one HiGHS model (scipy's own bindings), re-solved from the last
    optimal basis when only the objective changes: on the large blocks of a district with its
    schools, far faster than a fresh ``linprog`` per bound. Without those bindings, or when a
    warm solve ends without a verdict, :func:`_lp` solves afresh (same answers)."""

    def __init__(self, a, lo, hi) -> None:
        self.model = self._model(a, lo, hi) if _hc is not None else None
        self.k = a.shape[1]

    def solve(self, cost) -> tuple[np.ndarray | None, bool]:
        """(point or None when unbounded or infeasible, whether HiGHS gave a verdict)."""
        model = self.model
        if model is None:
            return None, False
        model.changeColsCost(self.k, np.arange(self.k, dtype=np.int32),
                             np.asarray(cost, dtype=float))
        model.run()
        status = model.getModelStatus()
        if status == _hc.HighsModelStatus.kOptimal:
            return np.asarray(model.getSolution().col_value), True
        if status in (_hc.HighsModelStatus.kUnbounded, _hc.HighsModelStatus.kInfeasible,
                      _hc.HighsModelStatus.kUnboundedOrInfeasible):
            return None, True
        return None, False

    @staticmethod
    def _model(a, lo, hi):
        inf = _hc.kHighsInf
        cols = sparse.csc_matrix(a)
        lp = _hc.HighsLp()
        lp.num_col_, lp.num_row_ = cols.shape[1], cols.shape[0]
        lp.col_cost_ = np.zeros(cols.shape[1])
        lp.col_lower_ = np.zeros(cols.shape[1])
        lp.col_upper_ = np.full(cols.shape[1], inf)
        lp.row_lower_ = np.where(np.isfinite(lo), lo, -inf)
        lp.row_upper_ = np.where(np.isfinite(hi), hi, inf)
        matrix = lp.a_matrix_
        matrix.format_ = _hc.MatrixFormat.kColwise
        matrix.start_, matrix.index_, matrix.value_ = cols.indptr, cols.indices, cols.data
        matrix.num_col_, matrix.num_row_ = cols.shape[1], cols.shape[0]
        model = _hc._Highs()
        model.setOptionValue("output_flag", False)
        model.setOptionValue("threads", 1)
        model.setOptionValue("presolve", "off")  # keep the basis between objectives
        # A new objective leaves the last basis feasible, so primal simplex goes on from it
        # (about 6 times faster than HiGHS's default, dual, on D01's blocks with its schools).
        model.setOptionValue("simplex_strategy", 4)
        model.passModel(lp)
        return model


def _lp(a, lo, hi, cost):
    up, down = np.isfinite(hi), np.isfinite(lo)
    ub = sparse.vstack([a[up], -a[down]]).tocsr()
    return linprog(cost, A_ub=ub, b_ub=np.r_[hi[up], -lo[down]], bounds=(0, None),
                   method="highs")


def _judge(key, low, high, band, fixed, zero_places, width, district, integer=False) -> list:
    found = _judged(key, low, high, band, fixed, zero_places, width, district, integer)
    for f in found:
        f.key = key
    return found


def _judged(key, low, high, band, fixed, zero_places, width, district, integer=False) -> list:
    what = " ".join(str(k) for k in key)
    if key[0] == "x" and key[1:4] in zero_places:
        return []  # the place's total says nobody had the outcome: published, not worked out
    if band is not None:
        sign, v, n_index = band
        n_value = fixed[n_index]
        if sign == "≤" and high < 0.5:
            return [Finding("zero", district, f"coded ≤ but pinned to 0: {what}", low, high)]
        if not np.isnan(n_value):
            edge = v * n_value
            # How far in from the band's open end (⌊p·n⌋ for "≤", ⌈p·n⌉ for "≥") the count
            # is proven to lie. By linear reasoning, which the gate checks, not at all. With
            # whole numbers the end may move by a student or two (a total coded ≤1% of 8,000,
            # at most 80, whose two parts are coded ≤1% of 7,436 and of 564, is at most
            # 74 + 5 = 79): "band_whole", listed but not a leak while the band still spans
            # the protection width; moved by the width or more, it is a leak.
            moved = (np.floor(edge + 1e-9) - high) if sign == "≤" else (
                low - np.ceil(edge - 1e-9))
            if moved > 1e-6:
                kind = "band_whole" if integer and moved < width - 1e-6 and (
                    high - low >= width - 1e-6) else "band"
                return [Finding(kind, district, f"band narrowed by {moved:g}: {what}", low,
                                high)]
            # The band's other end (0 for "≤", all of the group for "≥") must stay possible
            # too: a "≥71%" of 21 students known to be exactly 15 is a leak.
            far = low > 1e-6 if sign == "≤" else high < n_value - 1e-6
            if far:
                return [Finding("band", district, f"band's other end moved: {what}", low,
                                high)]
        return []
    out = []
    if high - low < width - 1e-6:
        # A group size of at least min_n that follows from published sizes is not withheld
        # by any rule (every row showing it was withheld for its counts): "size", not a leak.
        kind = "size" if key[0] == "n" and low >= width else "narrow"
        out.append(Finding(kind, district, what, low, high))
    if key[0] == "x" and high < 0.5:
        out.append(Finding("zero", district, what, low, high))
    return out
