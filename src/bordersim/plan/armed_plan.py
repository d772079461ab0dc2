"""Allocating guards against covert crossings *and* armed incursions, nominally or robustly.

Objective (per covert attempt, so that with no breach weight it is today's water-filling objective):

    J(g) = max_s v_s (1 - p_d(g_s) p_i(g_s)) + (W / R_c) sum_s B_s(g_s)

``R_c`` the covert attempts per day, ``B_s`` the expected breaches per day in sector ``s``
(:mod:`bordersim.plan.breach`), ``W`` the breach weight: one breach costs as much as ``W`` value-weighted
undetected crossings. Subject to ``sum g = G`` and ``g_s >= lo_s`` (the minimum per sector).

Why not water-filling alone: ``B_s`` is sigmoid in the guards (1 for an empty post, 0 once a garrison
holds the largest raid), so ``J`` is not convex. Method: a MILP on HiGHS over a grid of guard levels per
sector (one binary per level, one level per sector; exact on the grid), then the guards the grid leaves
unspent are water-filled on top of the grid choice (``lower`` = the choice): every sector's covert value
and breach rate is non-increasing in its guards, so the refinement can only lower ``J`` -- the result is
at least as good as the grid optimum, and within one grid step per sector of the continuous optimum.

Robust (``quantile``): over draws ``d`` of the uncertain inputs (each its own ``v``, ``p_d``, ``p_i``,
``B``), minimise ``t`` with ``t >= J_d(g)`` for every draw (worst case), or for all but
``floor((1 - q) D)`` draws (the q-quantile, binaries ``z_d`` that drop a draw, big-M), on the same grid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack

from bordersim.plan.breach import BreachModel
from bordersim.plan.scenario_inputs import PlanInputs
from bordersim.plan.water_filling import water_fill

FloatArray = NDArray[np.float64]

__all__ = [
    "DEFAULT_BREACH_WEIGHT",
    "GRID_LEVELS",
    "MIN_GARRISON_PER_POST",
    "MixedPlan",
    "Terms",
    "breach_curve",
    "choose_levels",
    "default_min_guards",
    "draw_values",
    "solve_mixed",
]

GRID_LEVELS = 64  #: guard levels per sector in the MILP (denser at few guards, where B_s changes)

#: Assumed: one breach costs as much as 100 value-weighted undetected crossings (range 10-1000).
#: Why that order: an overrun post halves its sector's detection for a week (the scenario's
#: breach_detection_factor / _days): some 10 attempts a day x 7 days ~ 70 attempts through a
#: weakened sector, plus the garrison's dead and the political cost of a lost post -- ~10^2.
DEFAULT_BREACH_WEIGHT = 100.0

#: Assumed: the minimum on-duty garrison of one outpost (range 5-48). With the ledger's post
#: structure (one outpost per post_spacing_km, "post-spacing": 10 km, 5-20 km) a sector of length L
#: keeps at least ``MIN_GARRISON_PER_POST x max(1, L / post_spacing_km)`` guards: a manned post
#: rather than an empty one; 48 was the whole garrison of the 12th outpost in 1993 (timeline).
MIN_GARRISON_PER_POST = 10.0


@dataclass(frozen=True)
class Terms:
    """One draw's planning problem: the covert inputs and the breach model, with the weight."""

    inputs: PlanInputs
    breach: BreachModel
    weight: float  # W, undetected crossings per breach

    def per_attempt(self) -> float:
        """W / R_c: the breach term's factor in the per-attempt objective."""
        rc = float(self.inputs.covert_rates.sum())
        return self.weight / rc if rc > 0 else self.weight

    def value(self, g: FloatArray) -> FloatArray:
        """(..., ) J(g) for guards of shape (..., S)."""
        covert = self.inputs.sector_values(np.asarray(g, dtype=float)).max(axis=-1)
        return np.asarray(covert + self.per_attempt() * self.breach.breaches_per_day(g).sum(-1))


@dataclass(frozen=True)
class MixedPlan:
    """A mixed (covert + armed) allocation and how it was found."""

    allocation: FloatArray
    draw_values: FloatArray  # (D,) J_d at the allocation
    objective: float  # the worst case or quantile over the draws (J for one draw)
    method: str


def default_min_guards(inputs: PlanInputs) -> FloatArray:
    """(S,) the default minimum per sector: :data:`MIN_GARRISON_PER_POST` at each outpost."""
    return np.asarray(MIN_GARRISON_PER_POST * inputs.compiled.posts, dtype=float)


def breach_curve(terms: Terms, lower: FloatArray, budget: float) -> Callable[[FloatArray], float]:
    """(W / R_c) sum_s B_s(g_s) as a piecewise-linear interpolant on 4 x GRID_LEVELS guard levels per
    sector: cheap enough for a local solver's many evaluations, continuous, non-increasing."""
    lo = np.asarray(lower, dtype=float)
    u = np.linspace(0.0, 1.0, 4 * GRID_LEVELS) ** 2
    levels = lo[:, None] + max(budget - float(lo.sum()), 0.0) * u[None, :]
    levels[:, -1] = np.maximum(levels[:, -1], budget)
    _, br = draw_values([terms], levels)

    def value(g: FloatArray) -> float:
        return float(sum(np.interp(g[s], levels[s], br[0, s]) for s in range(levels.shape[0])))

    return value


def _grid(lo: FloatArray, budget: float, integer: bool) -> FloatArray:
    """(S, K) guard levels from lo_s to lo_s + the budget left after every minimum, denser low."""
    spare = max(budget - float(lo.sum()), 0.0)
    u = np.linspace(0.0, 1.0, GRID_LEVELS) ** 2
    lv = lo[:, None] + spare * u[None, :]
    if integer:
        lv = np.floor(lv + 1e-9)
    return np.asarray(lv, dtype=float)


def draw_values(terms: Sequence[Terms], levels: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(D, S, K) covert value and weighted breach rate of every sector at every grid level."""
    g = levels.T  # (K, S): row k puts level k in every sector; sectors are separable
    cov = np.stack([t.inputs.sector_values(g).T for t in terms])
    br = np.stack([t.per_attempt() * t.breach.breaches_per_day(g).T for t in terms])
    return np.asarray(cov, dtype=float), np.asarray(br, dtype=float)


def choose_levels(
    levels: FloatArray, cov: FloatArray, br: FloatArray, budget: float, quantile: float | None
) -> tuple[NDArray[np.int64], str]:
    """Index of the chosen level per sector (see the module docstring for the program), and a note
    that is empty when HiGHS proved the grid optimum (else it says why it stopped).

    ``levels`` (S, K) guards; ``cov`` / ``br`` (D, S, K) the covert value and the weighted breach
    rate of each sector at each level in each draw; ``quantile`` None: the worst case over draws."""
    # Over 40 lines only through building the sparse constraint rows of one MILP.
    D, S, K = cov.shape
    nx = S * K
    n_drop = 0 if quantile is None or D == 1 else int(np.floor((1.0 - quantile) * D + 1e-9))
    nz = D if n_drop else 0
    n = nx + D + 1 + nz  # x, m_d, t, z_d
    im, it, iz = nx, nx + D, nx + D + 1
    c = np.zeros(n)
    c[it] = 1.0
    rows: list[csr_matrix] = []
    lb: list[float] = []
    ub: list[float] = []
    cols_x = np.arange(nx)
    sec_of = cols_x // K
    one = coo_matrix((np.ones(nx), (sec_of, cols_x)), shape=(S, n)).tocsr()
    rows.append(one)  # one level per sector
    lb += [1.0] * S
    ub += [1.0] * S
    rows.append(csr_matrix((levels.reshape(-1), (np.zeros(nx), cols_x)), shape=(1, n)))
    lb.append(-np.inf)
    ub.append(budget + 1e-9)
    big = float(cov.max() + br.sum(axis=1).max(axis=-1).max() + 1.0)
    for d in range(D):
        # m_d >= sum_k f_dsk x_sk for every s
        a = coo_matrix((-cov[d].reshape(-1), (sec_of, cols_x)), shape=(S, n)).tolil()
        a[:, im + d] = 1.0
        rows.append(a.tocsr())
        lb += [0.0] * S
        ub += [np.inf] * S
        # t >= m_d + sum b_dsk x_sk (- M z_d)
        r = np.zeros((1, n))
        r[0, it] = 1.0
        r[0, im + d] = -1.0
        r[0, :nx] = -br[d].reshape(-1)
        if nz:
            r[0, iz + d] = big
        rows.append(csr_matrix(r))
        lb.append(0.0)
        ub.append(np.inf)
    if nz:
        r = np.zeros((1, n))
        r[0, iz:] = 1.0
        rows.append(csr_matrix(r))
        lb.append(0.0)
        ub.append(float(n_drop))
    integrality = np.zeros(n)
    integrality[:nx] = 1
    integrality[iz:] = 1
    hi = np.full(n, np.inf)
    hi[:nx] = 1.0
    hi[iz:] = 1.0
    lo = np.zeros(n)
    lo[im : it + 1] = -np.inf
    res = milp(
        c, constraints=LinearConstraint(vstack(rows).tocsr(), lb, ub), integrality=integrality,
        bounds=Bounds(lo, hi), options={"time_limit": 60.0, "mip_rel_gap": 1e-9},
    )  # fmt: skip
    if res.x is None:
        raise ValueError(f"the mixed allocation MILP found no solution ({res.message})")
    pick = np.asarray(np.argmax(res.x[:nx].reshape(S, K), axis=1), dtype=np.int64)
    gap = getattr(res, "mip_gap", 0.0) or 0.0
    note = "" if res.status == 0 else f" (HiGHS stopped: {res.message}; MIP gap {gap:.2g})"
    return pick, note


def _aggregate(vals: FloatArray, quantile: float | None) -> float:
    if vals.size == 1 or quantile is None:
        return float(vals.max())
    return float(np.sort(vals)[int(np.ceil(quantile * vals.size - 1e-9)) - 1])


def solve_mixed(
    terms: Sequence[Terms],
    budget: float,
    lower: FloatArray,
    *,
    integer: bool = False,
    quantile: float | None = None,
    refine: PlanInputs | None = None,
) -> MixedPlan:
    """Minimise J (one draw) or its worst case / ``quantile`` over the draws; the unspent guards
    are then water-filled on ``refine``'s covert values (default: the first draw's), see the module
    docstring."""
    lo = np.asarray(lower, dtype=float)
    if float(lo.sum()) > budget + 1e-9:
        raise ValueError(
            f"the minimum per sector needs {lo.sum():,.0f} guards but only {budget:,.0f} are on duty"
        )
    levels = _grid(lo, budget, integer)
    cov, br = draw_values(terms, levels)
    pick, stopped = choose_levels(levels, cov, br, budget, quantile)
    base = levels[np.arange(levels.shape[0]), pick]
    nom = refine if refine is not None else terms[0].inputs
    wf = water_fill(
        nom.values, budget, nom.length_km, nom.sweep_width_km, nom.equipment, nom.p_interdict,
        lower=base, integer=integer,
    )  # fmt: skip
    g = np.asarray(wf.allocation, dtype=float)
    vals = np.array([float(t.value(g)) for t in terms])
    what = "J" if len(terms) == 1 else (
        "the worst case" if quantile is None else f"the {quantile:g}-quantile"
    )  # fmt: skip
    method = (
        f"MILP on HiGHS over {levels.shape[1]} guard levels per sector (exact on the grid) minimising "
        f"{what} of covert value + breach weight x breaches"
        + (f" over {len(terms)} draws" if len(terms) > 1 else "")
        + ", then the unspent guards water-filled on top (never worse than the grid optimum)"
        + stopped
    )
    return MixedPlan(g, vals, _aggregate(vals, quantile), method)
