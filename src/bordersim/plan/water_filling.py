"""Continuous allocation of guards against a best-responding adversary, by water-filling.

Problem: place ``G`` guards over ``S`` sectors, ``g_s`` in ``[lo_s, hi_s]`` and ``sum(g) = G``, to
minimise the adversary's best value

    max_s  f_s(g_s),   f_s(g) = v_s * (1 - p_d(g; l_s, w_s, e_s) * p_i_s)

where ``p_d`` is Koopman's law (:func:`bordersim.model.detection.detection_probability`) and ``p_i_s``
the sector's interdiction probability once detected. Each ``f_s`` is non-increasing in ``g``, so the
min-max is solved exactly by bisection on the level ``L``: the guards sector ``s`` needs to hold the
adversary to ``L`` are ``g_s(L)`` (closed form via
:func:`bordersim.model.detection.guards_for_detection`), and the optimum is the smallest ``L`` with
``sum_s g_s(L) <= G``. With a constant ``p_i`` the Koopman law also makes the problem convex, but the
bisection needs only monotonicity. Each bisection step is one vectorised pass over the sectors (no
Python loop over sectors) and sectors whose requirement is pinned to a bound over the whole current
bracket are dropped from later passes, so a solve costs ``O(S log 1/eps)``.

``p_i`` is a constant per sector in this version (the response time does not depend on the guards
being allocated). A callable ``p_i(g) -> array`` is also accepted for a per-sector *separable*,
non-decreasing dependence on the guards (for instance more guards -> more patrol teams -> a faster
response; see :class:`PatrolInterdiction`); then each ``g_s(L)`` is found by a vectorised inner
bisection instead of in closed form.

Entry points
------------
- :func:`water_fill` -- solve; continuous, or integer with largest-remainder rounding and a greedy
  exchange repair (which is exact for the integer min-max, see :func:`water_fill`).
- :class:`WaterFillingPlan` -- the frozen result.
- :class:`PatrolInterdiction` -- a guards-dependent ``p_i`` built from
  :mod:`bordersim.model.interdiction`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bordersim.model.interdiction import (
    interdiction_probability,
    patrol_teams,
    response_time_hours,
)
from bordersim.plan.integer_repair import fix_sum, round_and_repair
from bordersim.plan.sector_values import (
    InterdictionFn,
    SectorValues,
    check_monotone,
    required_guards,
    required_guards_search,
)

FloatArray = NDArray[np.float64]

__all__ = ["PatrolInterdiction", "WaterFillingPlan", "water_fill"]


@dataclass(frozen=True)
class WaterFillingPlan:
    """Result of :func:`water_fill`.

    Attributes:
        allocation: guards per sector (floats; whole numbers when ``integer``), summing to the budget
            (less ``unallocated``).
        level: the adversary's best value ``max_s values[s]`` under ``allocation``.
        values: per-sector adversary value ``v_s * (1 - p_d * p_i)`` under ``allocation``.
        attacked: indices of the sectors within ``tolerance`` of ``level`` -- the adversary's best
            responses, the sectors the water level equalises.
        iterations: bisection steps on the level.
        tolerance: absolute tolerance on the level: the continuous optimum ``L*`` satisfies
            ``lower_bound <= L* <= continuous_level <= lower_bound + tolerance``.
        lower_bound: a certified lower bound on the continuous optimum.
        continuous_level: the continuous solution's level (equal to ``level`` unless ``integer``).
        rounding_loss: ``level - continuous_level`` (0 for a continuous plan). For an integer plan this
            is the price of whole guards, not a solver error: the integer plan is optimal among
            integer allocations.
        unallocated: guards left over because every sector is at its cap (or the fractional part of
            a non-integer budget in an integer plan); 0 otherwise.
        integer: whether the allocation was rounded to whole guards.
    """

    allocation: FloatArray
    level: float
    values: FloatArray
    attacked: NDArray[np.intp]
    iterations: int
    tolerance: float
    lower_bound: float
    continuous_level: float
    rounding_loss: float
    unallocated: float
    integer: bool


@dataclass(frozen=True)
class PatrolInterdiction:
    """``p_i(g)`` when the guards allocated to a sector also form its patrol teams.

    teams = g / team_size; R = min(r0 + l / (2 * teams * v), reserve); p_i = exp(-R / mu), all from
    :mod:`bordersim.model.interdiction`. Non-decreasing in ``g`` in every sector, and separable (sector
    ``s`` depends only on ``g_s``), which is what :func:`water_fill` requires of a callable ``p_i``.
    """

    team_size: ArrayLike
    length_km: ArrayLike
    patrol_speed_kmh: ArrayLike
    base_delay_hours: ArrayLike
    reserve_response_hours: ArrayLike
    vanish_mean_hours: ArrayLike

    def __call__(self, guards: FloatArray) -> FloatArray:
        """Interdiction probability per sector for the guard vector ``guards``."""
        teams = patrol_teams(guards, self.team_size)
        r = response_time_hours(
            teams,
            self.length_km,
            self.patrol_speed_kmh,
            self.base_delay_hours,
            self.reserve_response_hours,
        )
        return interdiction_probability(r, self.vanish_mean_hours)


def _as_vector(x: ArrayLike, n: int, name: str) -> FloatArray:
    a = np.asarray(x, dtype=float)
    try:
        return np.array(np.broadcast_to(a, (n,)), dtype=float)
    except ValueError as exc:
        raise ValueError(f"{name} must be a scalar or have one entry per sector ({n})") from exc


def _checked(
    values: ArrayLike,
    guards: float,
    length_km: ArrayLike,
    sweep_width_km: ArrayLike,
    equipment: ArrayLike,
    p_interdict: ArrayLike | InterdictionFn,
    lower: ArrayLike,
    upper: ArrayLike | None,
    integer: bool,
) -> tuple[SectorValues, float, FloatArray, FloatArray]:
    """:func:`water_fill`'s arguments validated: (sectors, budget, floors, caps); ValueError on
    inconsistent input. With ``integer`` the floors and caps are rounded inwards and the budget
    floored; caps never exceed the budget left after the other sectors' floors."""
    v = np.asarray(values, dtype=float).ravel()
    n = v.size
    if n == 0:
        raise ValueError("water_fill needs at least one sector")
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ValueError("values must be finite and non-negative")
    budget = float(guards)
    if not math.isfinite(budget) or budget < 0:
        raise ValueError(f"guards must be a finite non-negative number, got {guards!r}")
    length = _as_vector(length_km, n, "length_km")
    sweep = _as_vector(sweep_width_km, n, "sweep_width_km") * _as_vector(equipment, n, "equipment")
    if np.any(~np.isfinite(length)) or np.any(length <= 0):
        raise ValueError("length_km must be finite and positive")
    if np.any(~np.isfinite(sweep)) or np.any(sweep <= 0):
        raise ValueError("sweep_width_km * equipment must be finite and positive")
    lo = _as_vector(lower, n, "lower")
    hi = np.full(n, np.inf) if upper is None else _as_vector(upper, n, "upper")
    if integer:
        lo = np.ceil(lo - 1e-9)
        hi = np.floor(hi + 1e-9)
        budget = math.floor(budget + 1e-9)
    if np.any(lo < 0) or np.any(hi < lo) or np.any(np.isnan(hi)):
        raise ValueError("need 0 <= lower <= upper in every sector")
    lo_total = float(lo.sum())
    if lo_total > budget * (1 + 1e-12) + 1e-12:
        raise ValueError(f"the floors need {lo_total:g} guards but the budget is {budget:g}")
    # No sector can hold more than the budget left after the others' floors.
    hi = np.minimum(hi, budget - (lo_total - lo))
    hi = np.maximum(hi, lo)

    p_fn: InterdictionFn | None = None
    p_const: FloatArray | None = None
    if callable(p_interdict):
        p_fn = p_interdict
    else:
        p_const = _as_vector(p_interdict, n, "p_interdict")
        if np.any(~np.isfinite(p_const)) or np.any(p_const < 0) or np.any(p_const > 1):
            raise ValueError("p_interdict must lie in [0, 1]")
    return SectorValues(v, length, sweep, p_const, p_fn), budget, lo, hi


def water_fill(
    values: ArrayLike,
    guards: float,
    length_km: ArrayLike,
    sweep_width_km: ArrayLike,
    equipment: ArrayLike = 1.0,
    p_interdict: ArrayLike | InterdictionFn = 1.0,
    *,
    lower: ArrayLike = 0.0,
    upper: ArrayLike | None = None,
    integer: bool = False,
    rtol: float = 1e-9,
    max_iter: int = 200,
) -> WaterFillingPlan:
    """Allocate ``guards`` over sectors to minimise the adversary's best value.

    Args:
        values: ``v_s >= 0``, the adversary's value of a successful crossing in each sector.
        guards: the budget ``G >= sum(lower)`` of on-duty guards.
        length_km, sweep_width_km, equipment: Koopman parameters per sector (``length > 0``,
            ``sweep * equipment > 0``).
        p_interdict: interdiction probability once detected, in [0, 1]: a constant per sector (an
            array or scalar), or a callable ``p(g) -> array`` of the full guard vector that is
            separable and non-decreasing per sector (checked on a coarse grid).
        lower, upper: per-sector floor and cap on the guards (``upper=None``: no cap but the budget).
        integer: round to whole guards: largest-remainder rounding of the continuous plan, then a
            greedy exchange repair that moves one guard at a time into the max-value sector from the
            sector that loses least. The repair stops only when no single move lowers the max-value
            sector without creating a new one at least as high, and for non-increasing ``f_s`` that
            local optimum is the global integer optimum (an optimal ``n*`` with a lower level would
            give ``n*_s > n_s`` at the max sector and ``n*_t < n_t`` somewhere else, i.e. an improving
            move). ``lower``/``upper`` are rounded inwards and a fractional budget is floored.
        rtol: tolerance on the level relative to ``max(values)``.
        max_iter: safety cap on bisection steps.

    Returns:
        a :class:`WaterFillingPlan`; the budget is met exactly (``sum(allocation) + unallocated ==
        guards``) and, in a continuous plan, every attacked sector's value is within ``tolerance`` of
        the level.

    Raises:
        ValueError: on inconsistent inputs (negative values, ``sum(lower) > guards``, ...).
    """
    # Over 80 lines only through the docstring, which states the integer optimality argument.
    sectors, budget, lo, hi = _checked(
        values, guards, length_km, sweep_width_km, equipment, p_interdict, lower, upper, integer
    )
    v, p_fn = sectors.v, sectors.p_i_fn
    scale = float(v.max()) if v.max() > 0 else 1.0
    atol = rtol * scale
    if p_fn is not None:
        check_monotone(sectors, lo, hi, atol)

    cont, lower_bound, continuous_level, iterations, unallocated = _solve_continuous(
        sectors, budget, lo, hi, atol, max_iter
    )
    if integer:
        alloc = round_and_repair(sectors, cont, int(budget), lo, hi)
        unallocated = budget - float(alloc.sum())
        alloc_values = sectors.value(alloc)
        level = float(alloc_values.max())
        rounding_loss = level - continuous_level
    else:
        alloc = cont
        alloc_values = sectors.value(alloc)
        level = float(alloc_values.max())
        rounding_loss = 0.0
    attacked = np.flatnonzero(alloc_values >= level - max(atol, 1e-12 * scale))
    alloc.setflags(write=False)
    alloc_values.setflags(write=False)
    attacked.setflags(write=False)
    return WaterFillingPlan(
        allocation=alloc,
        level=level,
        values=alloc_values,
        attacked=attacked,
        iterations=iterations,
        tolerance=atol,
        lower_bound=lower_bound,
        continuous_level=continuous_level,
        rounding_loss=rounding_loss,
        unallocated=float(unallocated),
        integer=integer,
    )


def _solve_continuous(
    sectors: SectorValues,
    budget: float,
    lo: FloatArray,
    hi: FloatArray,
    atol: float,
    max_iter: int,
) -> tuple[FloatArray, float, float, int, float]:
    """Bisection on the level. Returns allocation, lower bound, level, iterations, unallocated."""
    at_hi = sectors.value(hi)
    at_lo = sectors.value(lo)
    floor_level = float(at_hi.max())  # no allocation beats every sector at its cap
    top_level = float(at_lo.max())  # the floors alone reach this level

    const = sectors.p_i_fn is None
    g_tol = 1e-12 * np.maximum(hi - lo, 1.0)

    def required(level: float) -> FloatArray:
        if const:
            assert sectors.p_i is not None
            return required_guards(
                level, sectors.v, sectors.p_i, sectors.length, sectors.sweep, lo, hi
            )
        return required_guards_search(level, sectors, lo, hi, g_tol)

    total_hi = float(hi.sum())
    if total_hi <= budget:
        # Every sector at its cap and guards to spare: nothing more to do.
        return hi.copy(), floor_level, floor_level, 0, budget - total_hi

    g_floor = required(floor_level)
    need_floor = float(g_floor.sum())
    if need_floor <= budget or top_level - floor_level <= atol:
        # The capped sectors set the level; spread the slack by headroom (values only fall).
        g = g_floor if need_floor <= budget else lo.copy()
        slack = budget - float(g.sum())
        room = hi - g
        g = g + room * (slack / float(room.sum()))
        g = fix_sum(g, budget, lo, hi)
        return g, floor_level, float(sectors.value(g).max()), 0, 0.0

    # Invariant: need(L_lo) > budget >= need(L_hi).
    l_lo, l_hi = floor_level, top_level
    g_at_lo = g_floor  # allocation required at l_lo (more guards)
    g_at_hi = lo.copy()  # allocation required at l_hi
    iterations = 0
    if const:
        l_lo, l_hi, g_at_lo, g_at_hi, iterations = _bisect_constant(
            sectors, budget, lo, hi, (l_lo, l_hi), (g_at_lo, g_at_hi), atol, max_iter
        )
    else:
        while l_hi - l_lo > atol and iterations < max_iter:
            mid = 0.5 * (l_lo + l_hi)
            g_mid = required(mid)
            iterations += 1
            if float(g_mid.sum()) <= budget:
                l_hi, g_at_hi = mid, g_mid
            else:
                l_lo, g_at_lo = mid, g_mid
    need_hi = float(g_at_hi.sum())
    need_lo = float(g_at_lo.sum())
    theta = (budget - need_hi) / (need_lo - need_hi) if need_lo > need_hi else 0.0
    # Between the two bracket allocations every free sector's value lies in [l_lo, l_hi].
    g = g_at_hi + theta * (g_at_lo - g_at_hi)
    g = fix_sum(g, budget, lo, hi)
    return g, l_lo, float(sectors.value(g).max()), iterations, 0.0


def _bisect_constant(
    sectors: SectorValues,
    budget: float,
    lo: FloatArray,
    hi: FloatArray,
    bracket: tuple[float, float],
    at: tuple[FloatArray, FloatArray],
    atol: float,
    max_iter: int,
) -> tuple[float, float, FloatArray, FloatArray, int]:
    """Bisection on the level with a constant p_i: (l_lo, l_hi, g at l_lo, g at l_hi, iterations)."""
    l_lo, l_hi = bracket
    g_at_lo, g_at_hi = at
    iterations = 0
    assert sectors.p_i is not None
    # Work on compact copies of the sectors still free inside the bracket; a sector whose
    # requirement is the same at both ends is pinned for every level in between (monotonicity)
    # and leaves the working set. Compaction is batched so that gathers stay rare.
    aidx = np.flatnonzero(g_at_lo != g_at_hi)
    fixed_sum = float(g_at_hi.sum() - g_at_hi[aidx].sum())
    cols = [sectors.v, sectors.p_i, sectors.length, sectors.sweep, lo, hi, g_at_lo, g_at_hi]
    av, api, al, asw, alo, ahi, aglo, aghi = (c[aidx] for c in cols)
    while l_hi - l_lo > atol and iterations < max_iter:
        mid = 0.5 * (l_lo + l_hi)
        g_mid = required_guards(mid, av, api, al, asw, alo, ahi)
        iterations += 1
        if fixed_sum + float(g_mid.sum()) <= budget:
            l_hi, aghi = mid, g_mid
        else:
            l_lo, aglo = mid, g_mid
        keep = aglo != aghi
        n_keep = int(np.count_nonzero(keep))
        if n_keep < 0.8 * keep.size:
            drop = ~keep
            g_at_lo[aidx[drop]] = aglo[drop]
            g_at_hi[aidx[drop]] = aghi[drop]
            fixed_sum += float(aghi[drop].sum())
            aidx = aidx[keep]
            av, api, al, asw, alo, ahi, aglo, aghi = (
                c[keep] for c in (av, api, al, asw, alo, ahi, aglo, aghi)
            )
    g_at_lo[aidx] = aglo
    g_at_hi[aidx] = aghi
    return l_lo, l_hi, g_at_lo, g_at_hi, iterations
