"""Disclosure avoidance for published tables: the publishing gate (suppression, protection
intervals, top/bottom coding).

This is the page a district's privacy officer should read. Every number equitykit publishes
(``metrics.csv``, ``findings.json``, the HTML audit, the explorer) passes through :func:`publish`
(:func:`suppress_metrics` is the same gate without the information-loss summary);
:func:`suppress` applies rules 1-3 to a plain two-way table (e.g. schools × groups).

The guarantee (the default: rule 7 on, ``protection_width`` = 3)
----------------------------------------------------------------
For every count of students that a ``metrics.csv`` of one audit does not show exactly (a group's
size, or how many of a group had an outcome), the set of values consistent with everything the
audit publishes — taken as linear relations (groups add up to all students, intersections to
their parents, schools to the district; a group's size is the same in every outcome counted
over the same students; a rate is count ÷ size; ratios, differences, excess students, shares
and representation indices are the linear relations they imply once sizes are published; a
coded rate is a bound), with every count at least 0 and at most its group's size — spans at
least ``protection_width`` students (rule 7). A withheld count is never pinned to 0. A coded
rate ("≤2%") is never narrowed by anything else published, and leaves at least
``protection_width`` students of room. No note, ratio, interval, p-value, finding or chart label
is published for a withheld or coded cell. Counts that the reader knows anyway are exempt: those
of a place where nobody had the outcome (published as "no students had the outcome", with no
withheld breakdown) and those fixed by an outcome's definition (no student without a
disability is identified for special education). With ``protection_width=0`` (rule 7 off) only
rules 1-6 hold, which promise no more than that no withheld count can be computed *exactly*
from published totals.

What it does not promise: it is not differential privacy; it does not protect against a reader
who already knows some students' outcomes or can link other releases (another year's report
checked against this one is covered only for the years this report shows side by side); within
a published group of at least ``min_n`` students, a published rate says what share of them had
the outcome (attribute disclosure is limited by ``min_n``, not prevented); the intervals are
checked by linear programming, so a reader who also uses whole numbers can move each end to the
next whole number (and, in unusual systems, further: the test adversary checks whole numbers
too); relations the gate does not model are listed under Limits.

Words
-----
*cell*
    One group in one place: (district, school year, school or district total, outcome,
    dimension, group), e.g. Black students at school 0042 for out-of-school suspension in 2023.
    A cell has ``n`` (students in the group) and, for a rate, ``numerator`` (students with the
    outcome). All published rows of a cell (rate, risk ratio, risk difference, composition,
    representation index, excess students, mean score, ...) are published or withheld together.
*margin equation*
    A published total that is the sum of published parts. Linked equations in ``metrics.csv``:
    the groups of one dimension add up to all students ("all"/"all"); the groups of an
    intersection (``Black×M``) add up to each parent group (``Black`` and ``M``) and to all
    students; schools add up to the district. In :func:`suppress`: each row and each column adds
    up to its published total, and the totals add up to the grand total.

Rules (defaults in brackets; ``min_n`` is the privacy minimum, [10])
--------------------------------------------------------------------
1. **Primary suppression.** A cell is withheld when

   a. its group is small: ``0 < n < min_n``;
   b. its count of students with the outcome is small: ``0 < numerator < min_numerator``
      [``min_numerator`` = ``min_n``; 0 switches the rule off];
   c. it says something about *every* member of a small group: a rate of exactly 0% or 100%
      (``numerator`` 0 or ``n``) when ``n < all_or_none_n`` [2 × ``min_n``].

   A group of zero students (``n == 0``) or a zero count is not withheld by (a) or (b): it
   describes no student. Zero rates are handled by (c) and, with top/bottom coding, by the
   coding bands.

   Why not also withhold a small *complement* (``n - numerator`` below ``min_n``, e.g. 48 of 50
   graduated)? Applied symmetrically, the numerator rule would withhold most graduation,
   attendance and proficiency rates of groups under a few hundred students. docs/privacy.md instead
   asks for (c) for small groups and the Utah coding bands for the rest (≥95% for 40–99
   students, ...), which is what this module does.
2. **Complementary suppression.** No withheld number may be computed from published ones.
   In every margin equation the number of withheld terms must be 0 or at least 2. While an
   equation has exactly one withheld term, one more of its terms is withheld: the one whose
   loss costs the least information, chosen in this order:

   a. a school's cell before a district cell (the district figures are the headline);
   b. an intersection cell (``Black×true``) before a group of one dimension (``Black``), and
      that before all students (a withheld total takes every comparison with all other
      students of its place along, rule 4); in :func:`suppress`: inner cells, then row and
      column totals, then the grand total;
   c. the fewest students (``n``; in :func:`suppress` the count, or the denominator for a
      rate table);
   d. the cell that also repairs the most other such equations at the same time;
   e. the first in table order (sorted by key), so the result is deterministic.

   Cells of zero students are used only when no other cell is left, because they protect
   little. Equations broken at the same step are repaired together: each proposes its
   cheapest term; a proposal that is the only one inside some broken equation is withheld and
   repairs every broken equation it sits in, which then take nothing more; the others withhold
   their own proposal. Example: 3 of the 19 Black students with disabilities were suspended,
   so ``Black×true`` is withheld; the equation ``Black = Black×false + Black×true`` then takes
   ``Black×false`` (205 students), not ``Black`` (224), whose rate and risk ratio stay
   published; ``Black×false`` in turn needs a partner among the other ``×false`` cells, and so
   on among the intersections. This repeats across *all* linked equations (schools and
   district, groups and totals, intersections and parents) until nothing changes.
3. **Exact check.** "At least two withheld cells per equation" is not enough in general: two
   withheld blocks joined by one cell let that cell be solved by adding and subtracting
   several equations. After step 2 the module solves the whole linear system of published
   totals for the withheld cells (linear algebra per connected block of withheld cells) and,
   for any cell that is still pinned down exactly, withholds the cheapest further cell (in the
   order of rule 2) of one of its equations; then steps 2 and 3 repeat to a fixed point.
   Result: no withheld count can be computed exactly from any combination of published totals.
   Averages (score means, and survey shares averaged over items) are sums over their
   students: a group's mean is ``(N·mean_all − Σ n·mean) / n`` when it is the only one of its
   table withheld beside a published total, so such a table also withholds the mean of its
   published group with the fewest students.
4. **Comparisons follow their inputs.** A risk ratio, risk difference, excess-students,
   composition or representation-index row, and any row with ``comparison="all_other"``, is
   computed from the group and all students, so it is also withheld when the all-students cell
   of the same school, outcome and year is withheld (otherwise it would reveal the hidden
   total). A row compared with a named group
   (``cohens_d`` of ``Black`` vs ``White``, a dissimilarity index) is withheld when either
   group's cell is withheld. A weighted risk ratio uses every group's rate, so it is withheld
   when any group of its dimension is withheld. An IDEA discipline row of students with
   disabilities (group ``Black×true`` of ``race_ethnicity×disability``, comparison
   ``"swd_other"``: all other students with disabilities, i.e. the ``disability``/``true``
   cell minus the group) is withheld when its own cell or the ``disability``/``true`` cell of
   the same school, outcome and year is withheld; a withheld all-students cell does not
   matter to it. With the total and the group both published,
   the "all other students" figure is their difference and reveals nothing new.
5. **What a withheld row shows.** Only its labels (district, year, school, section, measure,
   outcome, dimension, group, comparison, domain) and ``suppressed=True``. Every other column
   is emptied: ``value``, ``n``, ``numerator``, ``ci_low``, ``ci_high``, ``p_value``,
   ``q_value`` and any other number (``se``, ``sd``, ...) become NaN, and text such as
   ``note`` or the name of the test used (which can say "no student had the outcome" or
   "counts too small for chi-square") becomes ``""``; ``flagged`` is False;
   ``display`` is ``"suppressed"`` whatever the reason, so the report does not tell which cells
   are small.
6. **Top/bottom coding** (docs/privacy.md), for published ``rate`` rows. By the
   group's ``n``: 300 or more: ≥99% / ≤1%; 100–299: ≥98% / ≤2%; 40–99: ≥95% / ≤5%;
   20–39: ≥90% / ≤10%; 10–19: ≥80% / ≤20% (a group smaller than the last band's floor but at
   least ``min_n`` uses the last band). A coded rate shows the bound (value 0.99, display
   ``"≥99%"``), and the cell's numerator, the rate's confidence interval and note, and every
   other row of the cell (risk ratio, difference, excess students, composition,
   representation index) are removed, as are the rows that compare another group with a coded
   all-students cell. For counted cells the bound is widened to leave at least
   ``protection_width`` students of room ("≤1%" of 672 students would be at most 6 students;
   it is shown as "≤2%"); when that needs a bound past 50%, the rate is withheld.
   **The 20–39 and 10–19 bands are unverified** (the public Utah text
   is truncated there); the table is the ``tiers`` parameter. The Utah text shows groups of
   "10 or fewer" as "N<10"; here a group is shown as ``N<min_n`` exactly when rule 1a
   withholds it (``n < min_n``), so the display never contradicts the published ``n``.

7. **Protection intervals** (on by default; counted cells: groups of all students, of one
   dimension or of an intersection of dimensions, and survey rows of whole numbers of
   respondents; survey averages over items and model summaries follow rules 1-3 only).

   a. *Shared group sizes.* Outcomes whose group sizes agree at a place and year (every outcome
      over all enrolled students; math proficiency and math scores; ...) count the same
      students: a group's size is one unknown, withheld in all of them or in none. Rules 1a
      and 2-3 run on these sizes first; the counts with each outcome then inherit them.
   b. *Room.* In every equation whose total is published, the withheld parts together hold at
      least ``protection_width`` students (or the width of a "≤" band among them); otherwise
      the cheapest term (rule 2 order, preferring one that adds students) is withheld.
   c. *Audit.* The gate then solves, by linear programming (HiGHS), the least and greatest
      value of every withheld count and coded rate given everything it publishes (the true
      values and every solution found are feasible points; a count is settled as soon as two
      of them differ by the width). While some count's interval is narrower than
      ``protection_width``, or a coded rate's range is narrower than its band, one more term of
      one of its equations is withheld (rule 2 order). When every term of its own equations is
      withheld already, something else pins it: other places' equations (e.g. the district's
      and one school's published rows say that the withheld counts of two small groups at that
      school hold all the district's students of those groups, so the other schools' are 0),
      or a relation of (f) (its group's size is a published count; its IDEA categories and
      a published one add up to at most the published identified count), or ``x <= n`` with
      the other side published, or a coded bound. The linear programs' dual values name the
      relations that hold it at the ends of its interval, and the cheapest published number
      those relations are made of is withheld (a count before a group's size): an equation's
      published terms, a link's published side, the published size or count of ``x <= n``,
      the published categories or identified count, the group size a coded bound is a share
      of. A relation between withheld numbers only (a withheld size that is a withheld count)
      passes the question on: the published terms of the margin equations of its other
      numbers are candidates too. One such number per set of relations and check, until every
      interval is wide enough. ``unprotected_counts`` counts those left when no such number
      remains.
      Why the default width is 3: auditing a suppressed table by linear programming and
      asking each cell's feasible range to be wide enough is the check the FCSM's Report on
      Statistical Disclosure Limitation Methodology (Statistical Policy Working Paper 22)
      describes; τ-ARGUS protects each unsafe cell with upper and lower protection levels
      (rtauargus defaults to a range of 10% of the cell, under one student for the cells
      rule 1 hides), so the level is a floor in students. 3 students (four or more possible
      values) is above that default for every cell under 30, leaves no withheld count exact,
      pinned to 0 or to "one student", and keeps the main groups' rates (a width of
      ``min_n`` withheld the Black students' suspension rate of a 2,000-student sample
      district to protect groups of fewer than 10). A privacy officer who wants a withheld
      count never narrower than a group the rules would themselves withhold sets
      ``protection_width: 10`` and accepts that loss. ``protection_width=0`` switches rule 7
      off.
   d. *Known counts.* Where the all-students count at a place is 0, every group's rate is 0:
      the rates are published as 0% with the note "no students had the outcome" (rule 1c and
      the coding do not apply), and groups withheld for their size show no breakdown. Counts
      fixed by definition (identification for special education among students without a
      disability is 0; among students with one, all) are published as they are.
   e. *Small complements.* A rate with fewer than ``min_numerator`` students *without* the
      outcome (48 of 50 graduated) is coded "≥p%" with p leaving at least
      ``protection_width`` students of room (rule 6), or withheld when no such p above 50%
      exists.
   f. *Sizes that are counts.* The population of an outcome counted over the students who
      had another is that outcome's count: the outcomes "given a referral" (subjective offense,
      removed, restorative conference) are counted over the students referred, IDEA placement
      over the students identified for special education; and the students identified among
      a group are the group's students with a disability (the size of ``g × disability=true``).
      Where the two agree, they are one unknown in (c), withheld together (a withheld count
      takes its size along, and the other way round). Inequalities in (c): the six audited
      IDEA categories of a group add up to at most its identified count, students suspended
      twice or more are at most those suspended, and a group of any other student outcome's
      population (tested, cohort, grade 8, ...) is at most the enrolled group, and so is
      retention's (an outcome over enrolled students counted where the next year is known)
      at a place where its total is the enrolled total, since it then counts all of them;
      where its total is smaller, retention is not related to the enrolled groups. A count whose
      size row is absent from a table that lists the other groups of its dimension is 0 and
      known (no row: nobody), as in (d), and so are the parts and categories of a count known
      to be 0. "Nobody at the place had the outcome" (d) is known only while the place's
      total is published.
   g. *Survey respondents.* A student survey construct (belonging, safety, ...) counts some
      of its group's survey respondents, the count of the response rate, and all of them when
      everyone answered it: its published size would bound or give that count. Where a
      group's response count is withheld or coded, its construct rows are withheld too, and
      rules 1-3 run again over the construct tables.

Information loss (:func:`publish`, ``loss``): rows withheld by reason (the reason of the first
rule that withheld the row's cell: "small group", "small count", "all or none", "small
complement", "complementary" (rules 2-3), "protection interval" (rule 7), or "follows another
cell" (rule 4: a comparison whose total or coded cell it needs)), the share of rows withheld,
the number of coded rates, and ``unprotected_counts`` (counts the gate could not widen; 0
expected). It names no cell and is safe to publish.

Limits (what the rules do not promise)
--------------------------------------
* Relations modelled across populations and tables: equal sizes (7a); sizes that are counts,
  the IDEA categories within identification, suspended twice within suspended, and every
  student population within the enrolled one (7f; retention only where it counts every enrolled
  student); survey constructs' respondents within the survey's (7g); score means as sums only
  so far as
  rule 3 (no lone withheld mean or survey average). Not modelled otherwise: nestings of
  outcomes not listed in 7f (a reader who knows that every arrest followed a referral to law
  enforcement may use it).
* An empty group (no row, or a size of 0) is published: it tells that none of its parent group
  is in it (no Native Hawaiian students with a disability, so none identified).
* Two audits of overlapping years are not checked against each other.
* Indices computed from many cells at once (dissimilarity, Theil's H, mutual information) are
  not linear in the cells; at full precision they add one non-linear equation about the
  withheld cells. Report them rounded.
* Rows that carry a rate but no numerator (some public files) are checked on ``n`` and on
  0%/100% only.

Examples
--------
>>> import pandas as pd
>>> counts = pd.DataFrame({"Black": [4, 30], "White": [50, 40]}, index=["A", "B"])
>>> published, withheld = suppress(counts)
>>> int(withheld.to_numpy().sum())
4
>>> top_bottom_code(0.994, 350)
(0.99, '≥99%')
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple, overload

import numpy as np
import pandas as pd
import scipy.linalg
from scipy import sparse
from scipy.sparse import csgraph
from threadpoolctl import ThreadpoolController

from .._words import difference_label
from ..errors import DataError, DataProblem
from ..schema import DIMENSIONS, INTERSECTION_SEP, OUTCOMES, RESPONSE_OUTCOME, construct_outcome
from ._protection import binding, unprotected

__all__ = [
    "DEFAULT_PROTECTION_WIDTH",
    "SUPPRESSED_DISPLAY",
    "UTAH_TIERS",
    "Published",
    "Suppression",
    "publish",
    "suppress",
    "suppress_metrics",
    "top_bottom_code",
]

#: Rule 7's width when the config sets none: every withheld count stays uncertain over at least
#: 3 students (four or more possible values). Why 3 and not ``min_n``: docs/privacy.md.
DEFAULT_PROTECTION_WIDTH = 3

#: Top/bottom-coding bands: (smallest group size of the band, margin). docs/privacy.md; the last two
#: bands (20–39, 10–19) are unverified [K].
UTAH_TIERS: tuple[tuple[int, float], ...] = (
    (300, 0.01),
    (100, 0.02),
    (40, 0.05),
    (20, 0.10),
    (10, 0.20),
)

#: What the ``display`` column shows for every withheld row.
SUPPRESSED_DISPLAY = "suppressed"

#: Label of the published totals added by :func:`suppress`.
TOTAL_LABEL = "Total"

ERR_MIN_N = "min_n must be a whole number of at least 1, got {!r}"
ERR_THRESHOLD = "{} must be a whole number of at least 0, got {!r}"
ERR_TIERS = (
    "tiers must be (smallest n, margin) pairs with distinct sizes >= 1 and margins in (0, 0.5), "
    "the margin growing as n shrinks; got {!r}"
)
ERR_SHAPE = "denominators must have the same rows and columns as the table"
ERR_LABEL = f"the table already has a row or column called {TOTAL_LABEL!r}"
ERR_COUNTS = "the table must hold non-negative numbers with no missing values (found {})"
ERR_RATES = "rates must lie between 0 and 1 (missing only where the denominator is 0); found {}"
ERR_COLUMNS = "missing column(s) {}"
ERR_INTERSECTION = (
    "group {group!r} does not have one part per dimension of {dimension!r} "
    "(parts are joined with '{sep}')"
)

_METRICS_FILE = "metrics table"
_CELL = ["district_id", "school_year", "school_id", "outcome", "dimension", "group"]
_PLACE = ["district_id", "school_year", "school_id", "outcome"]
_REQUIRED = [*_CELL, "measure", "comparison", "n", "numerator", "value", "ci_low", "ci_high"]
#: Columns that stay on a withheld row (its labels); every other column is emptied.
_LABELS = frozenset(
    {*_CELL, "section", "measure", "comparison", "domain", "suppressed", "flagged", "display"}
)
#: Number columns of metrics.csv (emptied as NaN, and made float even when absent values
#: let pandas read them as text).
_NUMBERS = ("value", "n", "numerator", "ci_low", "ci_high", "p_value", "q_value")
_TOTAL = "all"
#: IDEA discipline comparison of a ``<race>×true`` group with all other students with
#: disabilities: computed from the group and the students-with-disabilities cell.
_SWD_COMPARISON = "swd_other"
_SWD_DIMENSION, _SWD_GROUP = "disability", "true"
#: Outcomes whose students all had another (rule 7f): their counts add up to at most its count.
_WITHIN = {**{o: _SWD_DIMENSION for o in OUTCOMES if o.startswith(_SWD_DIMENSION + "_")},
           "suspended_2plus": "oss"}
#: Outcomes counted over every student row: every other student outcome's group is at most
#: theirs (rule 7f).
_ENROLLED = frozenset(o for o, spec in OUTCOMES.items() if spec.population == "enrolled")
#: Outcomes counted over the students who had another outcome (rule 7f): their group's size is
#: that outcome's count.
_POPULATION_OF = {
    "subjective_referral": "referred",
    "exclusionary_given_referral": "referred",
    "restorative_given_referral": "referred",
    "placement_lt40": _SWD_DIMENSION,
    "placement_separate": _SWD_DIMENSION,
}
#: Comparisons that are not a named group.
_UNNAMED_COMPARISONS = frozenset({"", "all_other", "state_other", _SWD_COMPARISON})
#: Measures computed from the group and the all-students total whatever their comparison label
#: says (a risk ratio or difference without one is read as "vs all other students").
_TOTAL_MEASURES = frozenset(
    {"risk_ratio", "risk_difference", "composition", "representation_index", "excess_students"}
)
#: Measures computed from every group of the dimension.
_SIBLING_MEASURES = frozenset({"weighted_risk_ratio"})
#: Survey rows: shares of answers averaged over items, not counts of students.
_SURVEY_SECTION = "climate"
_PERCENT_MEASURES = frozenset({"rate", "composition", "between_school_share"})
_POINT_MEASURES = frozenset({"risk_difference"})


class Suppression(NamedTuple):
    """Result of :func:`suppress`: unpack as ``published, withheld = suppress(...)``.

    ``table`` is what may be published: the input plus its published totals, with NaN in every
    withheld cell. ``withheld`` is a boolean table of the same shape, True where withheld.
    """

    table: pd.DataFrame
    withheld: pd.DataFrame


# --------------------------------------------------------------------------------------------
# Rules shared by both entry points
# --------------------------------------------------------------------------------------------


def _thresholds(
    min_n: int, min_numerator: int | None, all_or_none_n: int | None
) -> tuple[int, int, int]:
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise ValueError(ERR_MIN_N.format(min_n))
    min_numerator = min_n if min_numerator is None else min_numerator
    all_or_none_n = 2 * min_n if all_or_none_n is None else all_or_none_n
    for name, v in (("min_numerator", min_numerator), ("all_or_none_n", all_or_none_n)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 0:
            raise ValueError(ERR_THRESHOLD.format(name, v))
    return int(min_n), int(min_numerator), int(all_or_none_n)


def _primary(
    n: np.ndarray, numerator: np.ndarray, min_n: int, min_numerator: int, all_or_none_n: int
) -> np.ndarray:
    """Rule 1, element-wise; NaN never triggers a rule."""
    with np.errstate(invalid="ignore"):
        small_group = (n > 0) & (n < min_n)
        small_count = (numerator > 0) & (numerator < min_numerator)
        all_or_none = (n > 0) & (n < all_or_none_n) & ((numerator == 0) | (numerator == n))
    return small_group | small_count | all_or_none


def _protect(
    eq: np.ndarray,
    cell: np.ndarray,
    coef: np.ndarray,
    withheld: np.ndarray,
    size: np.ndarray,
    level: np.ndarray,
    safe_blocks: set[bytes] | None = None,
) -> np.ndarray:
    """Rules 2 and 3: complementary suppression to a fixed point.

    The margin equations are given as one entry per term: equation id ``eq``, cell id ``cell``
    and ``coef`` (+1 for the total, -1 for a part). ``size`` is each cell's number of students
    (NaN = unknown), ``level`` its rank in the order of rule 2 (0 = withheld first: a school's
    intersection cell); ``withheld`` the cells withheld so far. ``safe_blocks`` remembers the
    blocks of withheld cells found safe (see :func:`_pinned_cells`); pass the same set to calls
    on the same equations to skip solving them again. Returns the final mask.
    """
    withheld = withheld.copy()
    n_eq = int(eq.max()) + 1 if eq.size else 0
    safe_blocks = set() if safe_blocks is None else safe_blocks
    # Cost of withholding each cell (rule 2): zero-student cells last, then level, then fewest
    # students; equal costs share a rank, so "repairs most equations" can break the tie.
    size = np.where(np.isnan(size), np.inf, size)
    cost_key = np.column_stack([size == 0, level, size])
    cost = np.unique(cost_key, axis=0, return_inverse=True)[1].ravel()
    while True:
        _repair_margins(eq, cell, withheld, cost, n_eq)
        pinned = _pinned_cells(eq, cell, coef, withheld, n_eq, safe_blocks)
        if not pinned.any():
            return withheld
        extra = _cover_pinned(eq, cell, withheld, pinned, cost)
        if extra.size == 0:  # every term of every equation is withheld: nothing left to add
            return withheld
        withheld[extra] = True


def _repair_margins(
    eq: np.ndarray, cell: np.ndarray, withheld: np.ndarray, cost: np.ndarray, n_eq: int
) -> None:
    """Rule 2 in place: until no equation has exactly one withheld term."""
    while True:
        hidden_terms = np.bincount(eq, weights=withheld[cell], minlength=n_eq)
        lone = hidden_terms == 1
        candidate = lone[eq] & ~withheld[cell]
        if not candidate.any():  # equations have >= 2 terms, so lone ones always have a candidate
            return
        ce, cc = eq[candidate], cell[candidate]
        repairs = np.bincount(cc)[cc]
        order = np.lexsort((cc, -repairs, cost[cc], ce))
        ce, cc = ce[order], cc[order]
        # Each broken equation proposes its cheapest term. A proposal is needed when it is
        # the only one in some broken equation; an equation holding a needed proposal is
        # repaired by it for free, the others take their own.
        proposed = np.zeros(withheld.size, dtype=bool)
        proposed[cc[np.r_[True, ce[1:] != ce[:-1]]]] = True
        ce, cc = ce[proposed[cc]], cc[proposed[cc]]
        first = np.r_[True, ce[1:] != ce[:-1]]
        needed = np.zeros(withheld.size, dtype=bool)
        needed[cc[first & np.r_[first[1:], True]]] = True
        repaired = np.bincount(ce, weights=needed[cc], minlength=n_eq) > 0
        withheld[needed] = True
        withheld[cc[first & ~repaired[ce]]] = True


def _pinned_cells(
    eq: np.ndarray,
    cell: np.ndarray,
    coef: np.ndarray,
    withheld: np.ndarray,
    n_eq: int,
    safe_blocks: set[bytes],
) -> np.ndarray:
    """Withheld cells whose value follows exactly from the published totals (rule 3).

    A block of withheld cells is known by its cells (its equations follow from them), so a
    block found safe is remembered in ``safe_blocks`` and not solved again while unchanged.
    """
    pinned = np.zeros(withheld.size, dtype=bool)
    keep = withheld[cell]
    e, c, k = eq[keep], cell[keep], coef[keep]
    if e.size == 0:
        return pinned
    nodes = n_eq + withheld.size
    graph = sparse.coo_matrix((np.ones(e.size), (e, n_eq + c)), shape=(nodes, nodes))
    _, label = csgraph.connected_components(graph, directed=False)
    order = np.argsort(label[e], kind="stable")
    e, c, k, comp = e[order], c[order], k[order], label[e][order]
    cuts = np.flatnonzero(np.diff(comp)) + 1
    # Many small factorisations: threaded BLAS only adds overhead (and stalls when a batch
    # runs several districts at once).
    with _blas_controller().limit(limits=1, user_api="blas"):
        for e_block, c_block, k_block in zip(
            np.split(e, cuts), np.split(c, cuts), np.split(k, cuts), strict=True
        ):
            cols, col = np.unique(c_block, return_inverse=True)
            if cols.tobytes() in safe_blocks:
                continue
            rows, r = np.unique(e_block, return_inverse=True)
            a = np.zeros((rows.size, cols.size))
            a[r, col] = k_block
            found = cols[_in_row_space(a)]
            if found.size == 0:
                safe_blocks.add(cols.tobytes())
            pinned[found] = True
    return pinned


@functools.cache
def _blas_controller() -> ThreadpoolController:
    """The BLAS libraries loaded, found once (looking them up costs more than a small solve)."""
    return ThreadpoolController()


def _in_row_space(a: np.ndarray) -> np.ndarray:
    """For each column j: is the unit vector e_j a combination of the rows of ``a``?"""
    q, r, _ = scipy.linalg.qr(a.T, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int((diag > 1e-9 * max(diag.max(initial=0.0), 1.0)).sum())
    return (q[:, :rank] ** 2).sum(axis=1) > 1 - 1e-9


def _cover_pinned(
    eq: np.ndarray,
    cell: np.ndarray,
    withheld: np.ndarray,
    pinned: np.ndarray,
    cost: np.ndarray,
) -> np.ndarray:
    """For each pinned cell, the cheapest unwithheld term of the equations it appears in."""
    terms = pd.DataFrame({"eq": eq, "cell": cell})
    pairs = terms[pinned[cell]].rename(columns={"cell": "pinned"})
    options = pairs.merge(terms[~withheld[cell]], on="eq")
    if options.empty:
        return np.empty(0, dtype=int)
    options = options.assign(cost=cost[options["cell"]]).sort_values(["pinned", "cost", "cell"])
    return options.drop_duplicates("pinned")["cell"].unique()


# --------------------------------------------------------------------------------------------
# Two-way tables
# --------------------------------------------------------------------------------------------


def suppress(
    table: pd.DataFrame,
    min_n: int = 10,
    *,
    denominators: pd.DataFrame | None = None,
    row_totals: bool = True,
    column_totals: bool = True,
    min_numerator: int | None = None,
    all_or_none_n: int | None = None,
) -> Suppression:
    """Primary and complementary suppression of a two-way table of counts or rates.

    Parameters
    ----------
    table : DataFrame
        The inner cells, e.g. one row per school and one column per group. Counts; or, when
        ``denominators`` is given, rates between 0 and 1 of those denominators.
    min_n : int, default 10
        Privacy minimum. For a table of counts every count in ``1 .. min_n - 1`` is withheld;
        for a rate table a rate whose denominator is in ``1 .. min_n - 1``.
    denominators : DataFrame, optional
        Group sizes behind a rate table (same rows and columns). The numerators
        ``round(rate * denominator)`` are checked against ``min_numerator`` and the 0%/100%
        rule (module docstring, rule 1).
    row_totals, column_totals : bool, default True
        Whether each row's total (a ``"Total"`` column) and each column's total (a ``"Total"``
        row) are published; with both, so is the grand total. Published totals are cells too:
        small ones are withheld, and any of them may be withheld as a complement.
    min_numerator, all_or_none_n : int, optional
        Rate tables only: rules 1b and 1c (defaults ``min_n`` and ``2 * min_n``; 0 = off).

    Returns
    -------
    Suppression
        ``(table, withheld)``: the publishable table with its totals (sums of counts, or pooled
        rates ``sum(numerators) / sum(denominators)``) and NaN where withheld, and the mask.
        Withheld cells are chosen so that every row, column and total equation has 0 or at least
        2 withheld terms and no withheld cell can be computed from the published totals.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"Black": [4, 30], "White": [50, 40]}, index=["A", "B"])
    >>> published, withheld = suppress(counts)
    >>> published
           Black  White  Total
    A        NaN    NaN   54.0
    B        NaN    NaN   70.0
    Total   34.0   90.0  124.0
    """
    min_n, min_numerator, all_or_none_n = _thresholds(min_n, min_numerator, all_or_none_n)
    if TOTAL_LABEL in table.index or TOTAL_LABEL in table.columns:
        raise ValueError(ERR_LABEL)
    if denominators is None:
        counts = _checked_counts(table)
        size = _with_totals(counts, row_totals, column_totals)
        numerator = np.full(size.shape, np.nan)
        values = size
    else:  # a rate table: the denominator is the group size, the numerator is checked too
        same_axes = denominators.index.equals(table.index) and denominators.columns.equals(
            table.columns
        )
        if not same_axes:
            raise ValueError(ERR_SHAPE)
        den = _checked_counts(denominators)
        rates = table.to_numpy(dtype=float)
        bad = (np.isnan(rates) & (den > 0)) | (rates < 0) | (rates > 1)
        if bad.any():
            raise ValueError(ERR_RATES.format(_first_bad(table, bad)))
        size = _with_totals(den, row_totals, column_totals)
        numerator = _with_totals(np.round(np.nan_to_num(rates) * den), row_totals, column_totals)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(size > 0, numerator / size, np.nan)
    withheld = _primary(size, numerator, min_n, min_numerator, all_or_none_n)
    eq, cell, coef = _table_equations(*table.shape, row_totals, column_totals)
    # Rule 2 levels: inner cells, then row and column totals, then the grand total.
    rows, cols = np.indices(size.shape)
    level = (rows >= table.shape[0]).astype(int) + (cols >= table.shape[1])
    withheld = _protect(eq, cell, coef, withheld.ravel(), size.ravel(), level.ravel())
    withheld = withheld.reshape(size.shape)
    index = [*table.index, TOTAL_LABEL] if column_totals else list(table.index)
    columns = [*table.columns, TOTAL_LABEL] if row_totals else list(table.columns)
    mask = pd.DataFrame(withheld, index=index, columns=columns)
    return Suppression(pd.DataFrame(values, index=index, columns=columns).mask(mask), mask)


def _first_bad(frame: pd.DataFrame, bad: np.ndarray) -> str:
    i, j = np.argwhere(bad)[0]
    return f"row {frame.index[i]!r}, column {frame.columns[j]!r}: {frame.iat[i, j]!r}"


def _checked_counts(frame: pd.DataFrame) -> np.ndarray:
    try:
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ValueError(ERR_COUNTS.format("text")) from None
    bad = np.isnan(values) | (values < 0)
    if bad.any():
        raise ValueError(ERR_COUNTS.format(_first_bad(frame, bad)))
    return values


def _with_totals(inner: np.ndarray, row_totals: bool, column_totals: bool) -> np.ndarray:
    out = inner
    if row_totals:
        out = np.column_stack([out, out.sum(axis=1)])
    if column_totals:
        out = np.vstack([out, out.sum(axis=0)])
    return out


def _table_equations(
    n_rows: int, n_cols: int, row_totals: bool, column_totals: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Equations of a table laid out as :func:`_with_totals` does (ids are raveled positions)."""
    width = n_cols + row_totals
    ids = np.arange((n_rows + column_totals) * width).reshape(n_rows + column_totals, width)
    lines = []  # (total id, part ids)
    if row_totals:
        lines += [(ids[i, -1], ids[i, :n_cols]) for i in range(n_rows + column_totals)]
    if column_totals:
        lines += [(ids[-1, j], ids[:n_rows, j]) for j in range(width)]
    if not lines:
        return np.empty(0, dtype=int), np.empty(0, dtype=int), np.empty(0)
    eq = np.repeat(np.arange(len(lines)), [len(parts) + 1 for _, parts in lines])
    cell = np.concatenate([np.r_[total, parts] for total, parts in lines])
    coef = np.concatenate([np.r_[1.0, -np.ones(len(parts))] for _, parts in lines])
    return eq, cell.astype(int), coef


# --------------------------------------------------------------------------------------------
# Top/bottom coding
# --------------------------------------------------------------------------------------------


def _checked_tiers(tiers: Sequence[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Band floors ascending and their margins (shrinking)."""
    try:
        pairs = sorted((int(lo), float(m)) for lo, m in tiers)
    except (TypeError, ValueError):
        raise ValueError(ERR_TIERS.format(tiers)) from None
    floors = np.array([lo for lo, _ in pairs])
    margins = np.array([m for _, m in pairs])
    ok = (
        len(pairs) > 0
        and floors[0] >= 1
        and np.all(np.diff(floors) > 0)
        and np.all(np.diff(margins) < 0)
        and margins.min() > 0
        and margins.max() < 0.5
    )
    if not ok:
        raise ValueError(ERR_TIERS.format(tiers))
    return floors, margins


def _percent(values: np.ndarray) -> np.ndarray:
    """``0.452 -> "45.2%"``, ``0.5 -> "50%"``; NaN -> ``""``."""
    text = pd.Series(np.round(100 * values, 1)).astype(str).str.replace(r"\.0$", "", regex=True)
    return np.where(np.isnan(values), "", (text + "%").to_numpy(dtype=object))


def _code(
    rate: np.ndarray, n: np.ndarray, min_n: int, tiers: Sequence[tuple[int, float]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coded value, display text and whether the coding applied, element-wise."""
    floors, margins = _checked_tiers(tiers)
    band = np.clip(np.searchsorted(floors, np.nan_to_num(n), side="right") - 1, 0, None)
    margin = margins[band]
    small = n < min_n
    with np.errstate(invalid="ignore"):
        top = ~small & (rate >= 1 - margin - 1e-12)
        bottom = ~small & (rate <= margin + 1e-12)
    value = np.where(top, 1 - margin, np.where(bottom, margin, rate))
    value = np.where(small, np.nan, value)
    text = _percent(value)
    text = np.where(top, "≥" + text, np.where(bottom, "≤" + text, text))
    text = np.where(small, f"N<{min_n}", text)
    return value, text, top | bottom


@overload
def top_bottom_code(
    rate: float, n: float, *, min_n: int = ..., tiers: Sequence[tuple[int, float]] = ...
) -> tuple[float, str]: ...
@overload
def top_bottom_code(
    rate: np.ndarray | pd.Series,
    n: np.ndarray | pd.Series,
    *,
    min_n: int = ...,
    tiers: Sequence[tuple[int, float]] = ...,
) -> tuple[np.ndarray, np.ndarray]: ...
def top_bottom_code(rate, n, *, min_n=10, tiers=UTAH_TIERS):
    """How a rate of a group of ``n`` students may be shown (Utah tiers, docs/privacy.md).

    Parameters
    ----------
    rate : float or array-like
        Proportion between 0 and 1.
    n : float or array-like
        Students in the group.
    min_n : int, default 10
        Groups with ``n < min_n`` are shown as ``"N<{min_n}"`` with no value.
    tiers : sequence of (int, float), default :data:`UTAH_TIERS`
        ``(smallest n of the band, margin)``: within a band, rates at or above ``1 - margin``
        show as ``"≥…"`` and rates at or below ``margin`` as ``"≤…"``. A group below the
        smallest band (but at least ``min_n``) uses the smallest band. The 20–39 and 10–19 bands
        of the default are unverified (the public Utah text is truncated there).

    Returns
    -------
    (display_value, display_text)
        The number to publish (the bound when coded, NaN when too small) and its text, e.g.
        ``(0.99, "≥99%")``, ``(0.5, "50%")``, ``(nan, "N<10")``; arrays for array input. A
        missing rate gives ``(nan, "")``.

    Examples
    --------
    >>> top_bottom_code(0.015, 150)
    (0.02, '≤2%')
    >>> top_bottom_code(0.5, 45)
    (0.5, '50%')
    >>> top_bottom_code(0.3, 8)
    (nan, 'N<10')
    """
    min_n = _thresholds(min_n, None, None)[0]
    scalar = np.ndim(rate) == 0 and np.ndim(n) == 0
    rate_a, n_a = np.broadcast_arrays(
        np.atleast_1d(np.asarray(rate, dtype=float)), np.atleast_1d(np.asarray(n, dtype=float))
    )
    value, text, _ = _code(rate_a, n_a, min_n, tiers)
    if scalar:
        return float(value[0]), str(text[0])
    return value, text.astype(str)


# --------------------------------------------------------------------------------------------
# metrics.csv
# --------------------------------------------------------------------------------------------


def suppress_metrics(
    metrics: pd.DataFrame,
    *,
    min_n: int = 10,
    min_numerator: int | None = None,
    all_or_none_n: int | None = None,
    top_bottom_coding: bool = True,
    tiers: Sequence[tuple[int, float]] = UTAH_TIERS,
    protection_width: int | None = None,
) -> pd.DataFrame:
    """Apply the privacy rules of the module docstring to a ``metrics.csv`` table.

    Parameters
    ----------
    metrics : DataFrame
        Long table, one row per number (docs/outputs.md). Needs ``district_id``,
        ``school_year``, ``school_id`` ("" = district), ``outcome``, ``dimension``, ``group``,
        ``measure``, ``comparison``, ``n``, ``numerator``, ``value``, ``ci_low``, ``ci_high``;
        uses ``suppressed`` (rows already withheld at the source stay withheld), ``p_value``,
        ``q_value`` and ``flagged`` when present. Totals are ``dimension == group == "all"``;
        intersections are ``"race_ethnicity×sex"`` / ``"Black×M"``.
    min_n, min_numerator, all_or_none_n : int
        Rule 1 thresholds (defaults 10, ``min_n``, ``2 * min_n``; 0 switches 1b/1c off).
    top_bottom_coding : bool, default True
        Rule 6 for published ``rate`` rows.
    tiers : sequence of (int, float), default :data:`UTAH_TIERS`
        Coding bands, as in :func:`top_bottom_code`.
    protection_width : int, optional
        Rule 7: the least width, in students, of every withheld count's protection interval.
        None (the default) means :data:`DEFAULT_PROTECTION_WIDTH` (3); 0 switches rule 7 off
        (rules 1-6 only, which do not give the guarantee above).

    Returns
    -------
    DataFrame
        A copy with the same rows in the same order: ``suppressed`` set, withheld rows emptied
        (rule 5; number columns become float), coded rates replaced by their bound, and a
        ``display`` column with the text to show (``"45.2%"``, ``"≥99%"``, ``"2.31"``,
        ``"suppressed"``; empty when there is no value). Running it again changes nothing.

    Raises
    ------
    DataError
        A required column is missing, or an intersection group does not match its dimension.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({
    ...     "district_id": "D1", "school_year": 2023, "school_id": "", "outcome": "oss",
    ...     "measure": "rate", "comparison": "",
    ...     "dimension": ["all", "sex", "sex", "sex"], "group": ["all", "F", "M", "X"],
    ...     "n": [200.0, 95, 100, 5], "numerator": [20.0, 8, 11, 1],
    ...     "value": [0.1, 8 / 95, 0.11, 0.2], "ci_low": float("nan"), "ci_high": float("nan"),
    ... })
    >>> suppress_metrics(rows, protection_width=0)[["group", "suppressed", "display"]]
      group  suppressed     display
    0   all       False         10%
    1     F        True  suppressed
    2     M       False         11%
    3     X        True  suppressed

    Rules 1-6 withhold F (8 suspended) and X (5 students). F and X hold 9 suspended students
    together, and X at most 5, so the default (rule 7, width 3) leaves each withheld count a
    range of at least 3 students and publishes M; a width of 10 would pin them too closely and
    withholds M as well:

    >>> suppress_metrics(rows)[["group", "suppressed", "display"]]
      group  suppressed     display
    0   all       False         10%
    1     F        True  suppressed
    2     M       False         11%
    3     X        True  suppressed
    >>> suppress_metrics(rows, protection_width=10)[["group", "suppressed", "display"]]
      group  suppressed     display
    0   all       False         10%
    1     F        True  suppressed
    2     M        True  suppressed
    3     X        True  suppressed
    """
    return publish(metrics, min_n=min_n, min_numerator=min_numerator,
                   all_or_none_n=all_or_none_n, top_bottom_coding=top_bottom_coding, tiers=tiers,
                   protection_width=protection_width).table


def publish(
    metrics: pd.DataFrame,
    *,
    min_n: int = 10,
    min_numerator: int | None = None,
    all_or_none_n: int | None = None,
    top_bottom_coding: bool = True,
    tiers: Sequence[tuple[int, float]] = UTAH_TIERS,
    protection_width: int | None = None,
) -> Published:
    """The publishing gate: :func:`suppress_metrics` plus the information loss.

    Same parameters as :func:`suppress_metrics`. Returns ``Published(table, loss)``: ``table``
    is what :func:`suppress_metrics` returns; ``loss`` counts what was withheld, by reason
    (see :func:`_information_loss`), and is safe to publish (it names no cell).
    """
    min_n, min_numerator, all_or_none_n = _thresholds(min_n, min_numerator, all_or_none_n)
    width = DEFAULT_PROTECTION_WIDTH if protection_width is None else protection_width
    if isinstance(width, bool) or not isinstance(width, int | np.integer) or width < 0:
        raise ValueError(ERR_THRESHOLD.format("protection_width", width))
    width = int(width) or None  # 0 switches rule 7 off
    missing = [c for c in _REQUIRED if c not in metrics.columns]
    if missing:
        raise DataError([DataProblem(_METRICS_FILE, ERR_COLUMNS.format(", ".join(missing)))])
    out = metrics.copy()
    emptied = [c for c in out.columns if c not in _LABELS]
    numbers = [c for c in emptied if c in _NUMBERS or _is_number(out[c])]
    for col in numbers:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    keys = _keys(out)
    already = (
        out["suppressed"].eq(True).to_numpy()
        if "suppressed" in out.columns
        else np.zeros(len(out), dtype=bool)
    )
    measure = keys["measure"].to_numpy()
    comparison = keys["comparison"].to_numpy()
    named = ~np.isin(comparison, list(_UNNAMED_COMPARISONS))
    on_swd = comparison == _SWD_COMPARISON
    on_total = ((comparison == "all_other") | np.isin(measure, list(_TOTAL_MEASURES))) & ~on_swd
    on_siblings = np.isin(measure, list(_SIBLING_MEASURES))
    own = ~(named | on_total | on_swd | on_siblings)

    # One entry per cell; the cell id is its position in key order.
    cell_id = keys.groupby(_CELL, sort=True, dropna=False).ngroup().to_numpy()
    n_cells = int(cell_id.max()) + 1 if len(out) else 0
    n = out["n"].to_numpy()
    numerator = out["numerator"].to_numpy()
    rate_row = measure == "rate"
    value = out["value"].to_numpy()
    size = pd.Series(np.where(named, np.nan, n)).groupby(cell_id).min().to_numpy()
    count = pd.Series(np.where(rate_row, numerator, np.nan)).groupby(cell_id).max().to_numpy()
    cells = keys[_CELL].assign(cell=cell_id).drop_duplicates("cell").set_index("cell").sort_index()
    source = _any_by(cell_id, already & own, n_cells) | ~_any_by(cell_id, ~already, n_cells)
    section = (out["section"].astype(str).to_numpy() if "section" in out.columns
               else np.full(len(out), ""))
    # Survey rows are counted like students when their cells carry whole numbers of
    # respondents (favorable answers of n respondents); averages over items are not.
    with np.errstate(invalid="ignore"):
        whole = (size == np.round(size)) & (count == np.round(count))
    survey = _any_by(cell_id, section == _SURVEY_SECTION, n_cells) & ~whole
    # Cells of students counted by group (rule 7): the gate below; the rest (survey
    # averages, model summaries, school quartiles) go through rules 1-3 on their own.
    counted = _is_partition(cells) & ~survey & ~np.isnan(size) & ~source
    counted &= width is not None  # rule 7 is on when a protection width is set
    with np.errstate(invalid="ignore"):
        all_or_none_rate = rate_row & (n > 0) & (n < all_or_none_n) & ((value == 0) | (value == 1))
    primary_row = _primary(n, numerator, min_n, min_numerator, all_or_none_n) | all_or_none_rate
    primary_row &= ~named  # a named comparison's n may be the other group's
    primary = _any_by(cell_id, primary_row, n_cells) | source
    has_n = _any_by(cell_id, ~np.isnan(n) & ~named, n_cells)
    linked = (has_n | source) & _any_by(cell_id, ~named, n_cells) & ~counted
    eq, term, coef = _metrics_equations(cells[linked])
    withheld = _protect(eq, term, coef, primary, size, _levels(cells))
    # A place with cells withheld at the source (whose counts the gate cannot see): rules 1-3
    # over all its cells decide which counted cells must be withheld with them.
    at_source = cells[_PLACE].merge(cells.loc[source, _PLACE].drop_duplicates().assign(s=True),
                                    on=_PLACE, how="left")["s"].eq(True).to_numpy()
    if at_source.any():
        both = (has_n | source) & _any_by(cell_id, ~named, n_cells) & at_source
        eq2, term2, coef2 = _metrics_equations(cells[both])
        forced = _protect(eq2, term2, coef2, primary & at_source, size, _levels(cells))
    else:
        forced = np.zeros(n_cells, dtype=bool)

    gate_of = functools.partial(
        _CountGate, cells, counted, size, count, min_n=min_n, min_numerator=min_numerator,
        all_or_none_n=all_or_none_n, width=width, tiers=tiers if top_bottom_coding else None)
    gate = gate_of(forced)
    while True:  # rule 7g: constructs of whole answers are gated again with their groups
        respondents = _respondents_of(cells, counted & (gate.hidden | gate.banded))
        more = respondents & counted & ~gate.hidden
        if not more.any():
            break
        forced = forced | more
        gate = gate_of(forced)
    respondents &= ~counted & ~withheld
    if respondents.any():  # rule 7g for constructs averaged over items: rules 1-3 again
        withheld = _protect(eq, term, coef, primary | respondents, size, _levels(cells))
    withheld = np.where(counted, gate.hidden, withheld)
    reason = np.where(counted, gate.reason,
                      np.where(primary, "small group or count",
                               np.where(withheld, "complementary", "")))
    lone = _lone_means(cells, withheld, _any_by(cell_id, measure == "mean", n_cells) | survey,
                       size)
    withheld = withheld | lone
    reason = np.where(lone, "complementary", reason)
    banded, bound, top = gate.banded.copy(), gate.bound.copy(), gate.top.copy()
    if top_bottom_coding:  # rule 6 for the other rates (survey shares)
        coded_value, _, coded = _code(value, n, min_n, tiers)
        rows = np.flatnonzero(coded & rate_row & ~counted[cell_id] & ~withheld[cell_id])
        banded[cell_id[rows]] = True
        bound[cell_id[rows]] = coded_value[rows]
        top[cell_id[rows]] = value[rows] >= 0.5

    # Rule 4: rows follow the cells they are computed from; a coded cell keeps only its rate.
    cells = cells.assign(withheld=withheld | banded)
    hide = withheld[cell_id] | (banded[cell_id] & ~rate_row)
    totals = cells[(cells["dimension"] == _TOTAL) & (cells["group"] == _TOTAL)]
    hide |= on_total & _lookup(keys, totals, _PLACE)
    swd = cells[(cells["dimension"] == _SWD_DIMENSION) & (cells["group"] == _SWD_GROUP)]
    hide |= on_swd & _lookup(keys, swd, _PLACE)
    compared = cells.rename(columns={"group": "comparison"})
    hide |= named & _lookup(keys, compared, [*_PLACE, "dimension", "comparison"])
    dims = cells.groupby([*_PLACE, "dimension"], as_index=False)["withheld"].any()
    hide |= on_siblings & _lookup(keys, dims, [*_PLACE, "dimension"])
    hide |= already

    # Rule 6, then rule 5.
    display = _display(out["value"].to_numpy(), measure)
    coded = rate_row & banded[cell_id] & ~hide
    row_bound = bound[cell_id]
    out["value"] = np.where(coded, row_bound, out["value"])
    text = _percent(np.where(coded, row_bound, np.nan))
    display = np.where(coded, np.where(top[cell_id], "≥", "≤") + text, display)
    out["numerator"] = out["numerator"].mask(banded[cell_id])
    for col in ("ci_low", "ci_high", "p_value", "q_value"):
        if col in out.columns:
            out[col] = out[col].mask(coded)
    if "note" in out.columns:
        out["note"] = out["note"].mask(coded, "")
    for col in emptied:
        out[col] = out[col].mask(hide) if col in numbers else out[col].mask(hide, "")
    if "flagged" in out.columns:
        out["flagged"] = out["flagged"].mask(hide, False)
    if "display" in metrics.columns:  # a rate coded by an earlier pass keeps its band
        before = metrics["display"].astype(str).str.match("^[≥≤]").to_numpy()
        display = np.where(before & rate_row & np.isnan(numerator), metrics["display"], display)
    out["suppressed"] = hide
    out["display"] = np.where(hide, SUPPRESSED_DISPLAY, display)
    return Published(out, _information_loss(hide, reason[cell_id], coded, gate.unprotected))


def _respondents_of(cells: pd.DataFrame, unseen: np.ndarray) -> np.ndarray:
    """Rule 7g: the student survey construct cells of each group whose survey response count
    is in ``unseen`` (withheld or coded). A construct's respondents are some of the group's
    respondents, and all of them when everyone answered it, so its published size would bound
    or give that count."""
    key = ["district_id", "school_year", "school_id", "dimension", "group"]
    response = cells[unseen & (cells["outcome"] == RESPONSE_OUTCOME).to_numpy()]
    construct = cells["outcome"].str.startswith(construct_outcome("student", "")).to_numpy()
    return construct & _lookup(cells, response.assign(withheld=True), key)


def _lone_means(cells: pd.DataFrame, withheld: np.ndarray, has_mean: np.ndarray,
                size: np.ndarray) -> np.ndarray:
    """Cells whose mean must also be withheld (rule 3 for averages): in each table of means
    (place and dimension) whose total is published and where exactly one group's mean is
    withheld, the published group with the fewest students (then the first in key order)."""
    extra = np.zeros(len(cells), dtype=bool)
    frame = cells.assign(withheld=withheld, size=size, cell=np.arange(len(cells)))[has_mean]
    totals = frame[frame["dimension"] == _TOTAL].set_index(_PLACE)["withheld"]
    for key, table in frame[frame["dimension"] != _TOTAL].groupby([*_PLACE, "dimension"],
                                                                   sort=False):
        shown = table[~table["withheld"]]
        if (table["withheld"].sum() != 1 or shown.empty
                or bool(totals.get(tuple(key[:-1]), True))):
            continue
        extra[shown.sort_values("size", kind="stable")["cell"].iloc[0]] = True
    return extra


def _information_loss(hide: np.ndarray, reason: np.ndarray, coded: np.ndarray,
                      unprotected: int) -> dict:
    """Rows withheld by reason (the reason of the row's cell; a row withheld only because a
    cell it is computed from is withheld or coded "follows another cell"), and coded rates."""
    why = np.where(reason == "", "follows another cell", reason)[hide]
    labels, counts = np.unique(why.astype(str), return_counts=True)
    return {
        "rows": int(hide.size),
        "rows_withheld": int(hide.sum()),
        "share_withheld": round(float(hide.mean()), 4) if hide.size else 0.0,
        "withheld_by_reason": {str(k): int(v) for k, v in zip(labels, counts, strict=True)},
        "rates_coded": int(coded.sum()),
        "unprotected_counts": int(unprotected),
    }


def _levels(cells: pd.DataFrame) -> np.ndarray:
    """Rule 2 level of each cell: schools before the district; within each, intersections,
    then the groups of one dimension, then all students."""
    total = (cells["dimension"] == _TOTAL) & (cells["group"] == _TOTAL)
    crossed = cells["dimension"].str.contains(INTERSECTION_SEP, regex=False)
    kind = np.where(crossed, 0, np.where(total, 2, 1))
    return 3 * (cells["school_id"] == "").to_numpy(dtype=int) + kind


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Key columns as text with "" for missing (a CSV round trip turns "" into NaN)."""
    cols = [*_CELL, "measure", "comparison"]
    keys = frame[cols].astype(object).where(frame[cols].notna(), "")
    return keys.astype({c: str for c in cols if c != "school_year"})


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _any_by(group: np.ndarray, flag: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(group, weights=flag, minlength=size) > 0


def _lookup(rows: pd.DataFrame, table: pd.DataFrame, on: list[str]) -> np.ndarray:
    """``table["withheld"]`` for each row, matched on ``on``; False where there is no match."""
    found = rows[on].merge(table[[*on, "withheld"]], on=on, how="left")["withheld"]
    return found.eq(True).to_numpy()


def _metrics_equations(cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Margin equations linking the cells of ``metrics.csv`` (index = cell id).

    Each equation is listed as its total (coef +1) and its parts (coef -1). A total that is not
    in the table is treated as published (the safe assumption); equations with fewer than two
    terms in the table are dropped.
    """
    cells = cells.reset_index()
    is_total = (cells["dimension"] == _TOTAL) & (cells["group"] == _TOTAL)
    # (parts, columns naming one equation, candidate totals, columns matching parts to total)
    sets: list[tuple[pd.DataFrame, list[str], pd.DataFrame, list[str]]] = []

    # The groups of a dimension (or of an intersection) add up to all students.
    sets.append((cells[~is_total], [*_PLACE, "dimension"], cells[is_total], _PLACE))
    # An intersection adds up to each parent group (Black×F + Black×M + Black×X = Black).
    parents = cells.rename(columns={"dimension": "parent_dimension", "group": "parent_group"})
    crossed = cells["dimension"].str.contains(INTERSECTION_SEP, regex=False)
    for dimension, block in cells[crossed].groupby("dimension"):
        dims = dimension.split(INTERSECTION_SEP)
        labels = block["group"].str.split(INTERSECTION_SEP, expand=True, regex=False)
        if labels.shape[1] != len(dims) or labels.isna().any(axis=None):
            wrong = block["group"].str.count(INTERSECTION_SEP) != len(dims) - 1
            message = ERR_INTERSECTION.format(
                group=block.loc[wrong, "group"].iloc[0], dimension=dimension, sep=INTERSECTION_SEP
            )
            raise DataError([DataProblem(_METRICS_FILE, message, column="group")])
        for drop in range(len(dims)):
            keep = [i for i in range(len(dims)) if i != drop]
            parent_group = labels[keep[0]]
            for i in keep[1:]:
                parent_group = parent_group + INTERSECTION_SEP + labels[i]
            child = block.assign(
                parent_dimension=INTERSECTION_SEP.join(dims[i] for i in keep),
                parent_group=parent_group,
            )
            on = [*_PLACE, "parent_dimension", "parent_group"]
            sets.append((child, on, parents, on))
    # Schools add up to the district.
    on = ["district_id", "school_year", "outcome", "dimension", "group"]
    school = cells["school_id"] != ""
    sets.append((cells[school], on, cells[~school], on))

    pieces, offset = [], 0
    for parts, eq_key, totals, on in sets:
        if parts.empty:
            continue
        parts = parts.assign(eq=parts.groupby(eq_key, sort=True).ngroup().to_numpy() + offset)
        offset = int(parts["eq"].max()) + 1
        heads = parts.drop_duplicates("eq")[[*on, "eq"]].merge(totals[[*on, "cell"]], on=on)
        pieces += [parts[["eq", "cell"]].assign(coef=-1.0), heads[["eq", "cell"]].assign(coef=1.0)]
    if not pieces:
        return np.empty(0, dtype=int), np.empty(0, dtype=int), np.empty(0)
    terms = pd.concat(pieces, ignore_index=True)
    terms = terms[terms.groupby("eq")["cell"].transform("size") >= 2]
    return (
        terms["eq"].to_numpy(dtype=int),
        terms["cell"].to_numpy(dtype=int),
        terms["coef"].to_numpy(dtype=float),
    )


def _display(value: np.ndarray, measure: np.ndarray) -> np.ndarray:
    """The ``display`` text of a published row: percent, percentage points or 2 decimals."""
    number = pd.Series(value).map("{:.2f}".format).to_numpy(dtype=object)
    points = pd.Series(100 * value).map(difference_label).to_numpy(dtype=object)
    text = np.where(np.isin(measure, list(_POINT_MEASURES)), points, number)
    text = np.where(np.isin(measure, list(_PERCENT_MEASURES)), _percent(value), text)
    return np.where(np.isnan(value), "", text)


# --------------------------------------------------------------------------------------------
# Rule 7: counted cells, one gate over group sizes and counts with the outcome
# --------------------------------------------------------------------------------------------


class Published(NamedTuple):
    """Result of :func:`publish`: the publishable table and its information loss."""

    table: pd.DataFrame
    loss: dict


def _is_partition(cells: pd.DataFrame) -> np.ndarray:
    """Cells whose groups split all students: all students, a dimension, an intersection."""
    known = set(DIMENSIONS)
    dims = cells["dimension"].map(
        lambda d: d == _TOTAL or all(p in known for p in str(d).split(INTERSECTION_SEP)))
    whole = (cells["group"] == _TOTAL) & (cells["dimension"] != _TOTAL)  # e.g. Theil's H
    return (dims & ~whole).to_numpy(dtype=bool)


def _populations(cells: pd.DataFrame, n: np.ndarray) -> np.ndarray:
    """Population label per counted cell (rule 7a).

    At each place and year, outcomes whose group sizes agree wherever both have the group,
    sharing all students or at least two groups, count the same students: they get one label
    (the first outcome of the population), so their group sizes are one unknown each. A
    school's population takes the district's label of its first outcome, so that schools and
    district add up within one population; at a school, only outcomes of one district
    population are joined (a school's 55 survey respondents are not its 55 students with a
    disability because the two totals agree).
    """
    labels = cells["outcome"].to_numpy(dtype=object).copy()
    keys = list(zip(cells["dimension"], cells["group"], strict=True))
    district_label: dict = {}
    places = cells.groupby(["district_id", "school_year", "school_id"], sort=True).indices
    for (district, year, school), idx in sorted(places.items(), key=lambda kv: kv[0][2] != ""):
        vectors: dict = {}
        for i in idx:
            vectors.setdefault(labels[i], {})[keys[i]] = n[i]
        pops: list[tuple[str, dict]] = []
        member: dict = {}
        home = {o: district_label.get((district, year, o)) for o in vectors}
        for outcome in sorted(vectors, key=lambda o: (-len(vectors[o]), o)):
            vec = vectors[outcome]
            for label, pop in pops:
                common = vec.keys() & pop.keys()
                if (home[outcome] == home[label] and vec.keys() <= pop.keys()
                        and ((_TOTAL, _TOTAL) in common or len(common) >= 2)
                        and all(vec[k] == pop[k] for k in common)):
                    member[outcome] = label
                    break
            else:
                pops.append((outcome, dict(vec)))
                member[outcome] = outcome
        if school != "":
            first = {}
            for outcome in sorted(member):
                first.setdefault(member[outcome], outcome)
            member = {o: district_label.get((district, year, first[lab]), lab)
                      for o, lab in member.items()}
        else:
            district_label.update({(district, year, o): lab for o, lab in member.items()})
        for i in idx:
            labels[i] = member[labels[i]]
    return labels


def _cost(frame: pd.DataFrame, size: np.ndarray) -> np.ndarray:
    """Rule 2's order as one rank per cell (lower is withheld first)."""
    size = np.where(np.isnan(size), np.inf, size)
    key = np.column_stack([size == 0, _levels(frame), size])
    return np.unique(key, axis=0, return_inverse=True)[1].ravel()


def _framed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame.index.name = "cell"
    return frame


class _CountGate:
    """Rules 1-3 and 7 for the counted cells of a metrics table (module docstring)."""

    def __init__(self, cells, counted, size, count, forced, *, min_n, min_numerator,
                 all_or_none_n, width, tiers) -> None:
        k = len(cells)
        self.hidden = np.zeros(k, dtype=bool)
        self.banded = np.zeros(k, dtype=bool)
        self.top = np.zeros(k, dtype=bool)
        self.bound = np.full(k, np.nan)
        self.reason = np.full(k, "", dtype=object)
        self.unprotected = 0
        where = np.flatnonzero(counted)
        if where.size == 0:
            return
        local = _framed(cells.iloc[where][_CELL])
        n, x = size[where], count[where]

        # Group sizes: one unknown per population, group and place.
        by_pop = local.assign(outcome=_populations(local, n))
        nid = by_pop.groupby(_CELL, sort=True).ngroup().to_numpy()
        n_frame = _framed(by_pop.assign(nid=nid).drop_duplicates("nid").sort_values("nid")
                          .drop(columns="nid"))
        n_size = pd.Series(n).groupby(nid).max().to_numpy()
        n_primary = (n_size > 0) & (n_size < min_n)
        n_eq = _metrics_equations(n_frame)
        n_cost, n_level = _cost(n_frame, n_size), _levels(n_frame)

        n_safe: set[bytes] = set()  # blocks known safe from rule 3, shared by every pass

        def settle_n(hidden):
            while True:
                hidden = _protect(*n_eq, hidden, n_size, n_level, n_safe)
                grown = _fill(*n_eq, hidden, n_size, n_cost, width)
                if (grown == hidden).all():
                    return hidden
                hidden = grown

        n_hidden = settle_n(n_primary)
        subsets = _subsets(n_frame, n_size)

        # Counts with the outcome.
        xi = np.flatnonzero(~np.isnan(x))
        x_frame = _framed(local.iloc[xi])
        xn, xx, x_nid = n[xi], x[xi], nid[xi]
        # Counts the reader knows without us: nobody at the place had the outcome (its total
        # is 0), or the outcome's definition fixes them (rule 7d).
        none_by_definition, all_by_definition = _by_definition(x_frame)
        # A group's size that is another outcome's count (rule 7f): withheld with it; a count
        # whose size is absent (0) is known.
        pop = n_frame["outcome"].to_numpy()[x_nid]
        link_n, link_x, absent = _linked(x_frame.assign(pop=pop), x_nid, n_size, xx)
        # Nobody at the place had the outcome: known while the place's total is published.
        nobody, total_nid = _nobody(x_frame, xn, xx), _total_of(x_frame, x_nid)
        known = none_by_definition | absent
        # The IDEA categories add up to at most the identified count (7f). A known count of 0
        # makes its parts and its categories known (0) too.
        categories = _categories(x_frame)
        x_eq = _metrics_equations(x_frame)
        zero = known & (xx == 0)
        while True:
            more = _zero_parts(x_eq, zero) | _of_known_zero(categories, zero)
            if (more <= zero).all():
                break
            zero |= more
        known |= zero
        x_cost, x_level = _cost(x_frame, xn), _levels(x_frame)
        x_value = xx

        # Rules 1b, 1c and 6: a count or complement below min_numerator, or a rate in a coding
        # band, is shown as a bound that leaves at least ``width`` students of room; when no
        # such bound below (above) one half exists, the count is withheld.
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = xx / xn
            low_room = np.ceil(100 * width / xn - 1e-9) / 100
            high_room = np.floor(100 * (xn - width) / xn + 1e-9) / 100
            # A band always holds the true rate (a complement of 5-9 with a width under 5).
            high_room = np.fmin(high_room, np.floor(100 * rate + 1e-9) / 100)
            low_room = np.fmax(low_room, np.ceil(100 * rate - 1e-9) / 100)
            tier_value, _, tier_coded = (
                _code(rate, xn, min_n, tiers) if tiers is not None
                else (rate, None, np.zeros(xi.size, dtype=bool)))
        small = (xx > 0) & (xx < min_numerator)
        all_none = (xn > 0) & (xn < all_or_none_n) & ((xx == 0) | (xx == xn))
        small_rest = (xn - xx > 0) & (xn - xx < min_numerator)
        bottom = tier_coded & (rate < 0.5)
        top = small_rest | (tier_coded & (rate >= 0.5))
        bound = np.where(top, np.fmin(np.where(tier_coded, tier_value, 1.0), high_room),
                         np.fmax(np.where(tier_coded, tier_value, 0.0), low_room))
        too_wide = (bottom & (bound >= 0.5)) | (top & (bound <= 0.5))
        exempt = known | nobody | all_by_definition
        x_primary = (small | all_none | too_wide | forced[where[xi]]) & ~exempt
        coded = (bottom | top) & ~x_primary & ~exempt
        x_hidden = n_hidden[x_nid] | x_primary

        # Rule 7: protection intervals, adding withheld cells until every one holds.
        low_band = np.where(coded & ~top, np.floor(np.nan_to_num(bound * xn) + 1e-9), 0.0)

        def known_now(n_h):
            # and the counts equal to a published size (all of the group, by definition)
            return (known | (nobody & ~n_h[total_nid])
                    | (((xn == 0) | all_by_definition) & ~n_h[x_nid]))

        x_safe: set[bytes] = set()

        def settle_x(hidden, n_h):
            while True:
                fixed = known_now(n_h)
                hidden = _protect(*x_eq, hidden, xn, x_level, x_safe) & ~fixed
                band = np.where(hidden, 0.0, low_band)
                grown = _fill(*x_eq, hidden, x_value, x_cost, width, band, fixed) & ~fixed
                if (grown == hidden).all():
                    return hidden
                hidden = grown

        own = np.flatnonzero(all_by_definition)  # identified = all of a group with a disability
        link_n, link_x = np.r_[link_n, x_nid[own]], np.r_[link_x, own]

        def settle(n_h, x_h):
            while True:
                n_h = settle_n(n_h)
                x_h = settle_x(x_h | n_h[x_nid], n_h)
                n_more, x_more = n_h.copy(), x_h.copy()
                n_more[link_n] |= x_h[link_x]
                x_more[link_x] |= n_h[link_n] & ~known_now(n_h)[link_x]
                if (n_more == n_h).all() and (x_more == x_h).all():
                    return n_h, x_h
                n_h, x_h = n_more, x_more

        n_hidden, x_hidden = settle(n_hidden, x_hidden)
        n_terms = pd.DataFrame({"eq": n_eq[0], "cell": n_eq[1]})
        x_terms = pd.DataFrame({"eq": x_eq[0], "cell": x_eq[1]})
        n_added = np.zeros(n_hidden.size, dtype=bool)
        x_added = np.zeros(x_hidden.size, dtype=bool)
        settled = np.zeros(n_hidden.size + x_hidden.size, dtype=bool)
        while True:
            before = x_hidden.copy()
            x_hidden |= n_hidden[x_nid]
            settled[n_hidden.size:][x_hidden & ~before] = False  # a coded cell now withheld
            fixed = known_now(n_hidden)
            banded = coded & ~x_hidden & ~fixed
            relations = (n_eq, x_eq, (link_n, link_x), categories, subsets, n_hidden, x_hidden,
                         banded, fixed, n_size, xx, xn, x_nid, top, bound, width)
            failing = _check(*relations, settled)
            fail_n, fail_x = failing[:n_hidden.size].copy(), failing[n_hidden.size:].copy()
            # A size that is a count narrows with it: widen either side.
            fail_n[link_n] |= fail_x[link_x]
            fail_x[link_x] |= fail_n[link_n]
            add_n = _cheapest(n_terms, np.flatnonzero(fail_n), n_hidden, n_cost)
            add_x = _cheapest(x_terms, np.flatnonzero(fail_x), x_hidden | fixed, x_cost)
            if add_n.size == 0 and add_x.size == 0 and failing.any():
                # Every term of their own equations is withheld: widen the relations that pin
                # them (a count first, a group's size only when no count is left).
                add_n, add_x = _widen(_pinning(_system(*relations), failing),
                                      np.r_[n_hidden, x_hidden | fixed], n_cost, x_cost)
            if add_n.size == 0 and add_x.size == 0:
                self.unprotected = int(failing.sum())
                break
            n_hidden[add_n] = n_added[add_n] = True
            settled[n_hidden.size + add_x] = False
            x_hidden[add_x] = x_added[add_x] = True
            grown_n, grown_x = settle(n_hidden, x_hidden | n_hidden[x_nid])
            n_added |= grown_n & ~n_hidden
            x_added |= grown_x & ~x_hidden
            n_hidden, x_hidden = grown_n, grown_x

        x_hidden |= n_hidden[x_nid]
        hidden = n_hidden[nid]
        hidden[xi] |= x_hidden
        self.hidden[where] = hidden
        self.banded[where[xi]] = coded & ~x_hidden & ~known_now(n_hidden)
        self.top[where[xi]] = top
        self.bound[where[xi]] = bound
        reason = np.full(where.size, "", dtype=object)
        x_reason = np.select(
            [x_added, x_primary & (small | bottom), x_primary & all_none, x_primary & top],
            ["protection interval", "small count", "all or none", "small complement"],
            "complementary")
        reason[xi] = np.where(x_hidden, x_reason, "")
        n_reason = np.select([n_primary, n_added], ["small group", "protection interval"],
                             "complementary")
        reason = np.where(n_hidden[nid], n_reason[nid], reason)
        self.reason[where] = reason


def _linked(x_frame: pd.DataFrame, x_nid: np.ndarray, n_size: np.ndarray,
            count: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rule 7f: group sizes that are counts of another outcome.

    The population of an outcome counted over the students who had another
    (``_POPULATION_OF``: the students referred, the students identified for special education)
    is that outcome's count; the students identified among a group are the size of the group ×
    disability=true. Returns the pairs (size index, count index) whose values agree (a reader
    sees the same), and the counts whose size cell is absent from a table that lists the
    dimension (no row: nobody, so a reader knows the count is 0).
    """
    f = x_frame.reset_index(drop=True).assign(j=np.arange(len(x_frame)))
    place = [*_PLACE[:3], "pop"]  # a size is found in any outcome of its population
    candidates = []
    for child, parent in _POPULATION_OF.items():
        candidates.append(f[f["outcome"] == parent].assign(outcome=child))
    dims = f["dimension"].str.split(INTERSECTION_SEP, regex=False)
    ident = f[f["outcome"].eq(_SWD_DIMENSION) & ~dims.map(lambda d: _SWD_DIMENSION in d)]
    total = ident["dimension"].eq(_TOTAL).to_numpy()
    for a, b in ((ident["dimension"], _SWD_DIMENSION), (_SWD_DIMENSION, ident["dimension"])):
        name = np.where(total, _SWD_DIMENSION, a + INTERSECTION_SEP + b)
        part_a, part_b = ((ident["group"], _SWD_GROUP) if isinstance(b, str)
                          else (_SWD_GROUP, ident["group"]))
        group = np.where(total, _SWD_GROUP, part_a + INTERSECTION_SEP + part_b)
        candidates.append(ident.assign(dimension=name, group=group))
    referral = pd.concat(candidates[:len(_POPULATION_OF)], ignore_index=True)
    identity = pd.concat(candidates[len(_POPULATION_OF):], ignore_index=True)
    found = []
    for wanted, where in ((referral, _PLACE), (identity, place)):
        key = [*where, "dimension", "group"]
        tables = f[[*where, "dimension"]].drop_duplicates()
        wanted = wanted.merge(tables, on=[*where, "dimension"])  # tables listing the dimension
        sizes = f[[*key, "j"]].drop_duplicates(key).rename(columns={"j": "size_of"})
        found.append(wanted.merge(sizes, on=key, how="left"))
    found = pd.concat(found, ignore_index=True)
    hit = found["size_of"].notna().to_numpy()
    n_index = x_nid[found.loc[hit, "size_of"].to_numpy(dtype=int)]
    x_index = found.loc[hit, "j"].to_numpy(dtype=int)
    same = n_size[n_index] == count[x_index]
    absent = np.zeros(len(f), dtype=bool)
    absent[found.loc[~hit, "j"].to_numpy(dtype=int)] = True
    return n_index[same], x_index[same], absent & (count == 0)


def _categories(x_frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rule 7f: the IDEA categories of a cell add up to at most its identified count (a student
    has one category; six of thirteen are audited), and the students suspended twice or more
    are at most those suspended. As terms (row, count index, coef): +1 per part, -1 for the
    count that holds them."""
    f = x_frame.reset_index(drop=True).assign(j=np.arange(len(x_frame)))
    key = [*_PLACE[:3], "dimension", "group"]
    within = f["outcome"].map(_WITHIN)
    category = f[within.notna()].assign(holder=within[within.notna()])
    identified = f[f["outcome"].isin(set(_WITHIN.values()))].rename(columns={"outcome": "holder"})
    both = category.merge(identified[[*key, "holder", "j"]], on=[*key, "holder"],
                          suffixes=("", "_all"))
    row = both.groupby("j_all", sort=True).ngroup().to_numpy()
    heads = both.drop_duplicates("j_all")
    head_row = heads.groupby("j_all", sort=True).ngroup().to_numpy()
    return (np.r_[row, head_row], np.r_[both["j"].to_numpy(dtype=int),
                                        heads["j_all"].to_numpy(dtype=int)],
            np.r_[np.ones(len(both)), -np.ones(len(heads))])


def _subsets(n_frame: pd.DataFrame, n_size: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rule 7f: a group of any student outcome's population is at most the group of enrolled
    students (same place, year, dimension and group). As terms (row, size index, coef).

    Outcomes over enrolled students whose sizes disagree (retention counts only the students
    whose next year is known) are not all the enrolled students: the largest of them is, so
    each group is compared with that one, and the relation holds for the true sizes. Another
    of them is compared with it too at a place where its total is the enrolled total: it counts
    all the enrolled students there (retention at a school where every student's next year is
    known), so its groups are theirs. Where its total is smaller, no relation is modelled (a
    limit of the rule book: a reader may still use that its groups are within theirs)."""
    f = n_frame.reset_index(drop=True).assign(j=np.arange(len(n_frame)), size=n_size)
    key = [*_PLACE[:3], "dimension", "group"]
    enrolled = f[f["outcome"].isin(_ENROLLED)].sort_values("size", ascending=False,
                                                            kind="stable").drop_duplicates(key)
    others = f[f["outcome"].isin(set(OUTCOMES) - _ENROLLED)]
    # Another outcome over enrolled students whose total at a place is the enrolled total
    # counts all of them there (retention at a school where every student's next year is known).
    place = _PLACE[:3]
    totals = f[f["dimension"] == _TOTAL]
    top = enrolled[enrolled["dimension"] == _TOTAL][[*place, "size"]]
    whole = totals[totals["outcome"].isin(_ENROLLED) & ~totals["j"].isin(enrolled["j"])].merge(
        top, on=place, suffixes=("", "_all"))
    whole = whole.loc[whole["size"] == whole["size_all"], [*place, "outcome"]]
    rest = f[~f["j"].isin(enrolled["j"])].merge(whole, on=[*place, "outcome"])
    others = pd.concat([others, rest], ignore_index=True)
    pairs = others.merge(enrolled[[*key, "j", "size"]], on=key, suffixes=("", "_all"))
    # Rows whose size exceeds the enrolled students' are not a subset (rates pooled over
    # several years count students once per year): no relation is assumed for them.
    pairs = pairs[pairs["size"] <= pairs["size_all"]]
    row = np.arange(len(pairs))
    return (np.r_[row, row], np.r_[pairs["j"].to_numpy(dtype=int),
                                  pairs["j_all"].to_numpy(dtype=int)],
            np.r_[np.ones(len(pairs)), -np.ones(len(pairs))])


def _zero_parts(x_eq: tuple[np.ndarray, np.ndarray, np.ndarray], zero: np.ndarray) -> np.ndarray:
    """The parts of equations whose total is in ``zero`` (no count is below 0)."""
    eq, cell, coef = x_eq
    out = zero.copy()
    if eq.size:
        total_zero = np.bincount(eq, weights=(coef > 0) & zero[cell], minlength=int(eq.max()) + 1)
        out[cell[(coef < 0) & (total_zero[eq] > 0)]] = True
    return out


def _of_known_zero(categories: tuple[np.ndarray, np.ndarray, np.ndarray],
                   zero: np.ndarray) -> np.ndarray:
    """Categories whose identified count is known to be 0 (so are they)."""
    row, term, coef = categories
    out = np.zeros(zero.size, dtype=bool)
    if row.size:
        head = np.full(int(row.max()) + 1, False)
        head[row[coef < 0]] = zero[term[coef < 0]]
        out[term[(coef > 0) & head[row]]] = True
    return out


def _total_of(x_frame: pd.DataFrame, x_nid: np.ndarray) -> np.ndarray:
    """For each count, the group-size index of its place's all-students cell (its own when
    there is none)."""
    f = x_frame.reset_index(drop=True).assign(j=np.arange(len(x_frame)))
    totals = f[f["dimension"] == _TOTAL][[*_PLACE, "j"]].drop_duplicates(_PLACE)
    found = f[_PLACE].merge(totals, on=_PLACE, how="left")["j"]
    return x_nid[found.fillna(pd.Series(np.arange(len(f)))).to_numpy(dtype=int)]


def _nobody(frame: pd.DataFrame, n: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Cells at a place and year where no student had the outcome (the total says 0)."""
    total = (frame["dimension"] == _TOTAL).to_numpy() & (x == 0) & (n > 0)
    places = frame.loc[total, _PLACE]
    found = frame[_PLACE].merge(places.assign(zero=True), on=_PLACE, how="left")["zero"]
    return found.eq(True).to_numpy()


def _by_definition(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Counts fixed by the outcome's definition: no student without a disability is identified
    for special education (first mask: the count is 0), and every student with one is (second
    mask, outcome ``disability``: the count is the group's size)."""
    part = pd.Series("", index=frame.index)
    for i in range(3):
        dim = frame["dimension"].str.split(INTERSECTION_SEP, regex=False).str[i]
        grp = frame["group"].str.split(INTERSECTION_SEP, regex=False).str[i]
        part = part.mask(dim.eq(_SWD_DIMENSION).fillna(False), grp)
    identified = frame["outcome"].str.startswith(_SWD_DIMENSION)
    return ((identified & part.eq("false")).to_numpy(),
            (frame["outcome"].eq(_SWD_DIMENSION) & part.eq("true")).to_numpy())


def _cheapest(terms: pd.DataFrame, failing: np.ndarray, hidden: np.ndarray,
              cost: np.ndarray) -> np.ndarray:
    """For failing cells, one more cell to withhold from an equation they sit in (the cheapest
    published term); an equation takes at most one new cell per round."""
    if failing.size == 0:
        return np.empty(0, dtype=int)
    eq, cell = terms["eq"].to_numpy(), terms["cell"].to_numpy()

    def of_cell(c: int) -> set:
        return set(eq[cell == c].tolist())

    # The cheapest published term of each equation (by cost, then cell id).
    open_eq, open_cell = eq[~hidden[cell]], cell[~hidden[cell]]
    order = np.lexsort((open_cell, cost[open_cell]))
    first_eq, first = np.unique(open_eq[order], return_index=True)
    best = dict(zip(first_eq.tolist(), open_cell[order][first].tolist(), strict=True))
    chosen, used = [], set()
    for f in sorted(failing, key=lambda c: cost[c]):
        eqs = of_cell(int(f))
        if eqs & used:
            continue
        options = [best[e] for e in eqs if e in best]
        if not options:
            continue
        pick = min(options, key=lambda c: (cost[c], c))
        chosen.append(pick)
        used |= eqs | of_cell(pick)
    return np.unique(np.asarray(chosen, dtype=int))


def _fill(eq: np.ndarray, cell: np.ndarray, coef: np.ndarray, hidden: np.ndarray,
          value: np.ndarray, cost: np.ndarray, width: float,
          band: np.ndarray | None = None, fixed: np.ndarray | None = None) -> np.ndarray:
    """Rule 7b: where a total is published, its withheld parts hold at least ``width`` students
    between them (else each would be known to lie in a narrower range), and at least the
    width of the band of any part coded "≤" (``band``: that width, else 0); repaired by
    withholding the cheapest term that adds students, to a fixed point. Returns the new mask."""
    hidden = hidden.copy()
    if eq.size == 0:
        return hidden
    band = np.zeros(hidden.size) if band is None else band
    fixed = np.zeros(hidden.size, dtype=bool) if fixed is None else fixed
    n_eq = int(eq.max()) + 1
    while True:
        unknown = (hidden | (band > 0)) & ~fixed
        part = (coef < 0) & unknown[cell]
        held = np.bincount(eq, weights=np.where(part, value[cell], 0.0), minlength=n_eq)
        need = np.zeros(n_eq)
        np.maximum.at(need, eq, np.where(part, np.where(hidden[cell], width, band[cell]), 0.0))
        shown_total = np.bincount(eq, weights=(coef > 0) & ~unknown[cell],
                                  minlength=n_eq) > 0
        short = shown_total & (held < need - 1e-9)
        if not short.any():
            return hidden
        pick = short[eq] & ~unknown[cell] & ~fixed[cell]
        if not pick.any():
            return hidden
        e, c = eq[pick], cell[pick]
        order = np.lexsort((c, cost[c], value[c] == 0, e))
        e, c = e[order], c[order]
        hidden[c[np.r_[True, e[1:] != e[:-1]]]] = True


class _System(NamedTuple):
    """What the gate publishes as linear relations over the unknowns (:mod:`._protection`)."""

    a: sparse.csr_matrix
    lo: np.ndarray
    hi: np.ndarray
    #: Which group sizes, then counts, are unknowns (the columns of ``a``, in order).
    unknown: np.ndarray
    need_low: np.ndarray
    need_high: np.ndarray
    need_width: np.ndarray
    #: Per row, the published group sizes, then counts (as columns over both, like
    #: ``unknown``), whose values its bounds are made of: withholding one widens the row.
    shown: sparse.csr_matrix
    #: Which rows are margin equations.
    margin: np.ndarray


def _check(n_eq, x_eq, links, categories, subsets, n_hidden, x_hidden, banded, zero, n_size, xx, xn,
           x_nid, top, bound, width, settled) -> np.ndarray:
    """Unknowns (group sizes first, then counts) whose protection interval is too narrow."""
    system = _system(n_eq, x_eq, links, categories, subsets, n_hidden, x_hidden, banded, zero,
                     n_size, xx, xn, x_nid, top, bound, width)
    truth = np.r_[n_size, xx][system.unknown]
    sub_settled = settled[system.unknown]
    fail = unprotected(system.a, system.lo, system.hi, truth, system.need_low,
                       system.need_high, system.need_width, sub_settled)
    settled[system.unknown] = sub_settled
    failing = np.zeros(system.unknown.size, dtype=bool)
    failing[np.flatnonzero(system.unknown)[fail]] = True
    return failing


def _pinning(system: _System, failing: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each failing unknown, the relations that hold it at the ends of its interval
    (:func:`._protection.binding`), and the published sizes and counts that would widen them:
    the published terms of those relations and, where one of them relates unknowns only
    (a size that is a withheld count, categories within a withheld count), the published
    terms of the margin equations of its other unknowns."""
    column = np.cumsum(system.unknown) - 1
    ask = column[np.flatnonzero(failing)]
    by_column = system.a.tocsc()
    pins = []
    for j, rows in zip(ask, binding(system.a, system.lo, system.hi, ask), strict=True):
        shown = system.shown[rows]
        alone = rows[np.diff(shown.indptr) == 0]
        others = np.setdiff1d(system.a[alone].indices, j)
        theirs = np.unique(by_column[:, others].indices)
        theirs = theirs[system.margin[theirs]]
        pins.append((rows, np.union1d(shown.indices, system.shown[theirs].indices)))
    return pins


def _widen(pins: list[tuple[np.ndarray, np.ndarray]], hidden: np.ndarray,
           n_cost: np.ndarray, x_cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells to withhold so that the relations that pin each failing unknown gain room.

    ``pins`` are (binding rows, published terms) per unknown (:func:`_pinning`); ``hidden``
    marks the group sizes, then counts, withheld or known. For each unknown in turn, the
    cheapest of its terms not hidden (rule 2 order): a count, a size only when no count is
    left. An unknown pinned by a relation already widened this round waits for the next
    check. Returns the sizes and the counts to withhold."""
    k = n_cost.size
    add: tuple[set, set] = (set(), set())
    used: set = set()
    for rows, terms in pins:
        if used.intersection(rows.tolist()):
            continue
        terms = terms[~hidden[terms]]
        for side, options, cost in ((1, terms[terms >= k] - k, x_cost),
                                    (0, terms[terms < k], n_cost)):
            if options.size:
                add[side].add(int(options[np.lexsort((options, cost[options]))[0]]))
                used.update(rows.tolist())
                break
    return tuple(np.array(sorted(a), dtype=int) for a in add)


def _system(n_eq, x_eq, links, categories, subsets, n_hidden, x_hidden, banded, zero, n_size, xx,
            xn, x_nid, top, bound, width) -> _System:
    """The linear system of rule 7c over the withheld sizes and counts and the coded counts."""
    n_count = n_hidden.size
    unknown = np.r_[n_hidden, (x_hidden | banded) & ~zero]
    truth = np.r_[n_size, xx]
    column = np.cumsum(unknown) - 1
    rows, cols, vals, lo, hi = [], [], [], [], []
    shown_rows, shown_terms, margin = [], [], []

    def relation(eq, term, coef, offset, at_most=False, is_margin=False):
        """``sum(coef * v) == 0`` over each equation's terms (``<= 0`` when ``at_most``), the
        published terms moved to the right-hand side."""
        if eq.size == 0:
            return
        ids = term + offset
        keep = unknown[ids]
        used = np.unique(eq[keep])
        if used.size == 0:
            return
        renum = np.full(int(eq.max()) + 1, -1)
        renum[used] = np.arange(used.size) + len(lo)
        margin.extend(np.full(used.size, is_margin))
        moved = ~keep & (renum[eq] >= 0)
        shown_rows.append(renum[eq[moved]])
        shown_terms.append(ids[moved])
        rhs = np.bincount(eq, weights=np.where(keep, coef * truth[ids], 0.0),
                          minlength=renum.size)[used]
        rows.append(renum[eq[keep]])
        cols.append(column[ids[keep]])
        vals.append(coef[keep])
        if at_most:  # the unknown part is at most minus the known part
            total = np.bincount(eq, weights=coef * truth[ids], minlength=renum.size)[used]
            lo.extend(np.full(used.size, -np.inf))
            hi.extend(rhs - total)
        else:
            lo.extend(rhs)
            hi.extend(rhs)

    relation(*n_eq, 0, is_margin=True)
    relation(*x_eq, n_count, is_margin=True)
    link_n, link_x = links
    pair_terms = np.column_stack([link_n, link_x + n_count]).ravel()
    relation(np.repeat(np.arange(link_n.size), 2), pair_terms, np.tile([1.0, -1.0], link_n.size),
             0)
    relation(*categories, n_count, at_most=True)
    relation(*subsets, 0, at_most=True)
    # 0 <= x <= n, and the coded bounds (which the published n scales).
    x_unknown, n_of_x = unknown[n_count:], unknown[x_nid]
    pair = np.flatnonzero(x_unknown | n_of_x)
    xu, nu = x_unknown[pair], n_of_x[pair]
    r = len(lo) + np.arange(pair.size)
    rows += [r[xu], r[nu]]
    cols += [column[n_count + pair[xu]], column[x_nid[pair[nu]]]]
    vals += [np.ones(int(xu.sum())), -np.ones(int(nu.sum()))]
    shown_rows += [r[~nu], r[~xu]]
    shown_terms += [x_nid[pair[~nu]], n_count + pair[~xu]]
    lo.extend(np.full(pair.size, -np.inf))
    hi.extend(np.where(xu, 0.0, -xx[pair]) + np.where(nu, 0.0, xn[pair]))
    coded = np.flatnonzero(banded & ~zero)
    edge = bound[coded] * xn[coded]
    r = len(lo) + np.arange(coded.size)
    rows.append(r)
    cols.append(column[n_count + coded])
    vals.append(np.ones(coded.size))
    shown_rows.append(r)
    shown_terms.append(x_nid[coded])
    lo.extend(np.where(top[coded], edge, -np.inf))
    hi.extend(np.where(top[coded], np.inf, edge))
    k = int(unknown.sum())
    a = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(lo), k))
    shown_rows, shown_terms = np.concatenate(shown_rows), np.concatenate(shown_terms)
    shown = sparse.csr_matrix((np.ones(shown_rows.size), (shown_rows, shown_terms)),
                              shape=(len(lo), unknown.size))
    need_low = np.full(k, np.nan)
    need_high = np.full(k, np.nan)
    need_width = np.full(k, float(width))
    cj = column[n_count + coded]
    need_width[cj] = 0.0
    need_low[cj] = np.where(top[coded], np.ceil(edge - 1e-9), 0.0)
    need_high[cj] = np.where(top[coded], xn[coded], np.floor(edge + 1e-9))
    return _System(a, np.asarray(lo, dtype=float), np.asarray(hi, dtype=float), unknown,
                   need_low, need_high, need_width, shown,
                   np.r_[np.asarray(margin, dtype=bool), np.zeros(len(lo) - len(margin), bool)])
