"""Protection intervals: how far a reader can narrow each withheld count by linear programming.

The gate (:mod:`._suppression`) describes what it publishes as a linear system over the counts
it does not publish (the *unknowns*): margin equations with the published terms moved to the
right-hand side, ``0 <= x <= n`` between a cell's count with the outcome and its group size,
and the bounds a coded rate states (``≤5%``: ``x <= 0.05 n``). Every unknown is also ``>= 0``.
:func:`unprotected` then finds the unknowns whose feasible interval is too narrow.

It never needs the exact interval, only a proof that it is wide enough: the true values are one
feasible point, every LP solution is another, and an unknown is protected as soon as two known
feasible points differ by the required width in it (the interval is convex, so it spans at least
that). So most unknowns are settled by the solutions found for others, and an unknown is
solved for (its maximum, then its minimum) only while it is not yet settled.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse import csgraph

__all__ = ["binding", "unprotected"]

try:  # scipy's own HiGHS bindings: one model per block, re-solved warm for each objective
    from scipy.optimize._highspy import _core as _hc
except ImportError:  # pragma: no cover - older or newer scipy: plain linprog, same answers
    _hc = None

#: Slack for comparing LP values with integer targets.
_EPS = 1e-6


def unprotected(
    a: sparse.spmatrix,
    lo: np.ndarray,
    hi: np.ndarray,
    truth: np.ndarray,
    need_low: np.ndarray,
    need_high: np.ndarray,
    width: np.ndarray,
    settled: np.ndarray,
) -> np.ndarray:
    """Unknowns whose interval is not wide enough.

    Parameters
    ----------
    a, lo, hi
        The relations ``lo <= a @ v <= hi`` (``±inf`` where one-sided); every unknown ``>= 0``.
    truth
        The true values (a feasible point).
    need_low, need_high
        Unknown ``j`` passes when some feasible point has ``v_j <= need_low[j]`` and some has
        ``v_j >= need_high[j]`` (NaN: no such target) ...
    width
        ... and when feasible points differ by at least ``width[j]`` in ``v_j`` (0: none).
    settled
        Unknowns already known to pass (e.g. from an earlier, more constrained system); updated
        in place.

    Returns
    -------
    ndarray of bool
        True where the unknown fails its requirement.
    """
    a = sparse.csr_matrix(a)
    k = a.shape[1]
    failing = np.zeros(k, dtype=bool)
    if k == 0:
        return failing
    low, high = truth.astype(float).copy(), truth.astype(float).copy()
    need_low = np.where(np.isnan(need_low), np.inf, need_low)
    need_high = np.where(np.isnan(need_high), -np.inf, need_high)

    def passes(j: int) -> bool:
        return bool(
            low[j] <= need_low[j] + _EPS
            and high[j] >= need_high[j] - _EPS
            and high[j] - low[j] >= width[j] - _EPS
        )

    inc = a.copy()
    inc.data[:] = 1.0
    _, block = csgraph.connected_components(inc.T @ inc, directed=False)
    order = np.argsort(block, kind="stable")
    cuts = np.flatnonzero(np.diff(block[order])) + 1
    for members in np.split(order, cuts):
        todo = [j for j in members if not settled[j] and not passes(j)]
        if not todo:
            continue
        rows = np.flatnonzero(np.diff(a[:, members].tocsr().indptr) > 0)
        sub = a[rows][:, members]
        solver = _Solver(sub, lo[rows], hi[rows])
        local = {j: i for i, j in enumerate(members)}
        # Far-apart points settle many unknowns at once: the least and greatest sum of all
        # unknowns, then of the unknowns not yet settled with signs drawn at random (raising
        # one count of an equation lowers another), while that settles at least a fifth.
        group = np.array([local[j] for j in todo], dtype=int)
        weight = np.ones(group.size)
        rng = np.random.default_rng(0)
        while group.size > 1:
            for sign in (1.0, -1.0):
                point = solver.extreme(group, sign, weight)
                if point is not None:
                    low[members] = np.minimum(low[members], point)
                    high[members] = np.maximum(high[members], point)
            left = np.array([local[j] for j in todo if not passes(j)], dtype=int)
            if left.size > 0.8 * group.size:
                break
            group, weight = left, rng.choice([-1.0, 1.0], size=left.size)
        for j in todo:
            for sign in (-1.0, 1.0):  # maximum first: most unknowns sit near their lower end
                if passes(j):
                    break
                point = solver.extreme(local[j], sign)
                if point is None:  # unbounded above: the reader learns no upper end
                    high[j] = np.inf
                    continue
                low[members] = np.minimum(low[members], point)
                high[members] = np.maximum(high[members], point)
            if passes(j):
                settled[j] = True
            else:
                failing[j] = True
    return failing


def binding(a: sparse.spmatrix, lo: np.ndarray, hi: np.ndarray,
            unknowns: np.ndarray) -> list[np.ndarray]:
    """The relations that hold each unknown at its least and greatest value.

    Parameters
    ----------
    a, lo, hi
        The relations ``lo <= a @ v <= hi``, as in :func:`unprotected`; every unknown ``>= 0``.
    unknowns
        The unknowns asked about.

    Returns
    -------
    list of ndarray of int
        Per unknown, the rows of ``a`` with a non-zero dual value at either end, sorted (a row
        that is not binding there does not limit the unknown; an end where the unknown is
        unbounded, or held only by ``v >= 0``, adds none).
    """
    a = sparse.csr_matrix(a)
    inc = a.copy()
    inc.data[:] = 1.0
    _, block = csgraph.connected_components(inc.T @ inc, directed=False)
    solvers: dict[int, tuple[np.ndarray, np.ndarray, _Solver]] = {}
    found = []
    for j in unknowns:
        if block[j] not in solvers:
            members = np.flatnonzero(block == block[j])
            rows = np.flatnonzero(np.diff(a[:, members].tocsr().indptr) > 0)
            solvers[block[j]] = members, rows, _Solver(a[rows][:, members], lo[rows], hi[rows])
        members, rows, solver = solvers[block[j]]
        held = []
        for sign in (1.0, -1.0):
            if rows.size and solver.extreme(int(np.searchsorted(members, j)), sign) is not None:
                held.append(rows[np.abs(solver.duals) > _EPS])
        found.append(np.unique(np.concatenate(held)) if held else np.empty(0, dtype=int))
    return found


class _Solver:
    """Minimum or maximum of one unknown subject to ``lo <= a v <= hi``, ``v >= 0``."""

    def __init__(self, a: sparse.csr_matrix, lo: np.ndarray, hi: np.ndarray) -> None:
        self.a, self.lo, self.hi = a, lo, hi
        self.k = a.shape[1]
        #: Dual values of the rows at the last point found (non-zero: the row binds there).
        self.duals = np.zeros(a.shape[0])
        self.highs = _highs(a, lo, hi) if _hc is not None else None

    def extreme(self, j: int | np.ndarray, sign: float,
                weight: float | np.ndarray = 1.0) -> np.ndarray | None:
        """The point maximising (``sign`` 1) or minimising (-1) ``v_j``, or the weighted sum
        of the unknowns ``j`` when it is an array; None when unbounded."""
        cost = np.zeros(self.k)
        cost[j] = -sign * weight  # minimise -v_j for the maximum
        if self.highs is not None:
            self.highs.changeColsCost(self.k, np.arange(self.k, dtype=np.int32), cost)
            self.highs.run()
            status = self.highs.getModelStatus()
            if status == _hc.HighsModelStatus.kOptimal:
                solution = self.highs.getSolution()
                self.duals = np.asarray(solution.row_dual)
                return np.asarray(solution.col_value)
            if status in (_hc.HighsModelStatus.kUnbounded,
                          _hc.HighsModelStatus.kUnboundedOrInfeasible):
                return None
            # A warm start can stall on a hard system (status unknown): solve it afresh below.
        up, down = np.isfinite(self.hi), np.isfinite(self.lo)
        res = linprog(cost, A_ub=sparse.vstack([self.a[up], -self.a[down]]),
                      b_ub=np.r_[self.hi[up], -self.lo[down]], bounds=(0, None), method="highs")
        if res.status == 3:
            return None
        if res.status != 0:
            raise RuntimeError(f"privacy check: linear program failed ({res.message})")
        self.duals = np.zeros(self.a.shape[0])
        n_up = int(up.sum())
        self.duals[up] += res.ineqlin.marginals[:n_up]
        self.duals[down] -= res.ineqlin.marginals[n_up:]
        return res.x


def _highs(a: sparse.csr_matrix, lo: np.ndarray, hi: np.ndarray):
    inf = _hc.kHighsInf
    col = sparse.csc_matrix(a)
    lp = _hc.HighsLp()
    lp.num_col_, lp.num_row_ = col.shape[1], col.shape[0]
    lp.col_cost_ = np.zeros(col.shape[1])
    lp.col_lower_ = np.zeros(col.shape[1])
    lp.col_upper_ = np.full(col.shape[1], inf)
    lp.row_lower_ = np.where(np.isfinite(lo), lo, -inf)
    lp.row_upper_ = np.where(np.isfinite(hi), hi, inf)
    lp.a_matrix_.format_ = _hc.MatrixFormat.kColwise
    lp.a_matrix_.start_ = col.indptr
    lp.a_matrix_.index_ = col.indices
    lp.a_matrix_.value_ = col.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = col.shape[1], col.shape[0]
    highs = _hc._Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    # Only the objective changes between solves, so the last optimal basis stays feasible:
    # primal simplex continues from it, and presolve would throw it away.
    highs.setOptionValue("simplex_strategy", 4)
    highs.setOptionValue("presolve", "off")
    highs.passModel(lp)
    return highs
