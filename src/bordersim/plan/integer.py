"""Integer patrol teams per sector against a best-responding adversary, as a MILP on HiGHS.

Choose whole teams ``n_s in [lo_s, cap_s]`` per sector, each costing ``cost_s``, within a budget ``B``,
to minimise the adversary's best value ``max_s v_s (1 - p_d(n_s) p_i_s)``. ``p_d`` is Koopman's law of
the guards ``n_s * team_size_s`` (:func:`bordersim.model.detection.detection_probability`). The value
need not be convex or even monotone in ``n_s``, so it is linearised exactly by one binary per possible
team count: ``x_{s,k} in {0, 1}``, ``sum_k x_{s,k} = 1``, ``n_s = sum_k k x_{s,k}``, and
``z >= sum_k val_{s,k} x_{s,k}`` for every sector. A second MILP then finds the cheapest allocation that
keeps ``z`` at the optimum (ties between optimal plans are broken by cost, then by the solver).

Entry points
------------
- :func:`integer_teams` -- build the value table from the model's functions and solve.
- :func:`solve_value_table` -- the same MILP for any table ``val[s, k]`` (value of sector ``s`` with
  ``k`` teams; ``inf`` marks a count that is not allowed).
- :class:`IntegerPlan` -- the frozen result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from bordersim.model.choice import expected_values
from bordersim.model.detection import detection_probability
from bordersim.model.outcomes import success_probability

FloatArray = NDArray[np.float64]

__all__ = ["IntegerPlan", "integer_teams", "solve_value_table"]


@dataclass(frozen=True)
class IntegerPlan:
    """Result of :func:`integer_teams` / :func:`solve_value_table`.

    Attributes:
        teams: whole teams per sector.
        level: the adversary's best value ``max_s values[s]``.
        values: per-sector adversary value with ``teams``.
        attacked: sectors at the level (within ``1e-9`` relative).
        cost: total cost of ``teams``.
        status: the HiGHS message of the final MILP.
    """

    teams: NDArray[np.int64]
    level: float
    values: FloatArray
    attacked: NDArray[np.intp]
    cost: float
    status: str


def _checked_table(
    table: ArrayLike, cost: ArrayLike, budget: float, lower: ArrayLike
) -> tuple[FloatArray, FloatArray, NDArray[np.int64], NDArray[np.bool_]]:
    """(values (S, K+1), cost (S,), counts 0..K, allowed (S, K+1)), validated; ValueError when no
    allocation fits the budget."""
    val = np.array(table, dtype=float)
    if val.ndim != 2 or val.shape[0] == 0 or val.shape[1] == 0:
        raise ValueError("table must be a non-empty (sectors, counts) array")
    s_count, width = val.shape
    c = np.broadcast_to(np.asarray(cost, dtype=float), (s_count,))
    if np.any(~np.isfinite(c)) or np.any(c < 0):
        raise ValueError("cost must be finite and >= 0")
    lo = np.broadcast_to(np.asarray(lower, dtype=int), (s_count,))
    counts = np.arange(width)
    allowed = np.isfinite(val) & (counts[None, :] >= lo[:, None])
    if not allowed.any(axis=1).all():
        bad = int(np.argmin(allowed.any(axis=1)))
        raise ValueError(f"sector {bad} has no allowed team count")
    cheapest = float(np.sum(c * np.where(allowed, counts[None, :], np.inf).min(axis=1)))
    if cheapest > budget * (1 + 1e-12) + 1e-12:
        raise ValueError(f"the cheapest allowed allocation costs {cheapest:g} > budget {budget:g}")
    return val, c, counts, allowed


def solve_value_table(
    table: ArrayLike,
    cost: ArrayLike,
    budget: float,
    *,
    lower: ArrayLike = 0,
    time_limit: float = 60.0,
) -> IntegerPlan:
    """Minimise ``max_s table[s, n_s]`` over whole ``n_s >= lower_s`` with ``sum cost_s n_s <= budget``.

    ``table`` is (S, K+1): column ``k`` is sector ``s``'s value with ``k`` teams; ``inf`` (or ``nan``)
    forbids that count (use it for caps shorter than ``K``). Raises ``ValueError`` when no allocation
    fits the budget.
    """
    val, c, counts, allowed = _checked_table(table, cost, budget, lower)
    s_count, width = val.shape
    finite_val = np.where(allowed, val, 0.0)
    nvar = s_count * width  # x_{s,k}, then z
    rows_s = np.repeat(np.arange(s_count), width)
    cols = np.arange(nvar)
    one_each = sparse.coo_array((np.ones(nvar), (rows_s, cols)), shape=(s_count, nvar + 1))
    spend = sparse.coo_array(
        ((c[:, None] * counts[None, :]).ravel(), (np.zeros(nvar, dtype=int), cols)),
        shape=(1, nvar + 1),
    )
    # sum_k val x - z <= 0
    level_rows = sparse.coo_array(
        (
            np.concatenate([finite_val.ravel(), -np.ones(s_count)]),
            (
                np.concatenate([rows_s, np.arange(s_count)]),
                np.concatenate([cols, np.full(s_count, nvar)]),
            ),
        ),
        shape=(s_count, nvar + 1),
    )
    a = sparse.vstack([one_each, spend, level_rows]).tocsr()
    lb = np.concatenate([np.ones(s_count), [-np.inf], np.full(s_count, -np.inf)])
    ub = np.concatenate([np.ones(s_count), [budget], np.zeros(s_count)])
    upper = np.concatenate([allowed.ravel().astype(float), [np.inf]])
    bounds = Bounds(np.concatenate([np.zeros(nvar), [-np.inf]]), upper)
    integrality = np.concatenate([np.ones(nvar), [0]])
    options = {"time_limit": time_limit, "mip_rel_gap": 0.0}
    objective = np.zeros(nvar + 1)
    objective[-1] = 1.0
    first = milp(
        objective,
        constraints=LinearConstraint(a, lb, ub),
        bounds=bounds,
        integrality=integrality,
        options=options,
    )
    if first.x is None:
        raise RuntimeError(f"integer allocation MILP failed: {first.message}")
    z_star = float(first.x[-1])
    # Stage 2: cheapest plan at the optimal level.
    slack = 1e-9 * max(1.0, abs(z_star))
    bounds2 = Bounds(
        np.concatenate([np.zeros(nvar), [-np.inf]]),
        np.concatenate([allowed.ravel().astype(float), [z_star + slack]]),
    )
    cost_obj = np.concatenate([(c[:, None] * counts[None, :]).ravel(), [0.0]])
    second = milp(
        cost_obj,
        constraints=LinearConstraint(a, lb, ub),
        bounds=bounds2,
        integrality=integrality,
        options=options,
    )
    res = second if second.x is not None else first
    x = np.asarray(res.x[:nvar], dtype=float).reshape(s_count, width)
    teams = np.argmax(x, axis=1).astype(np.int64)
    values = val[np.arange(s_count), teams]
    level = float(values.max())
    attacked = np.flatnonzero(values >= level - 1e-9 * max(1.0, abs(level)))
    teams.setflags(write=False)
    values.setflags(write=False)
    attacked.setflags(write=False)
    return IntegerPlan(teams, level, values, attacked, float(np.sum(c * teams)), str(res.message))


def integer_teams(
    values: ArrayLike,
    cost: ArrayLike,
    budget: float,
    caps: ArrayLike,
    length_km: ArrayLike,
    sweep_width_km: ArrayLike,
    equipment: ArrayLike = 1.0,
    p_interdict: ArrayLike | Callable[[FloatArray], ArrayLike] = 1.0,
    *,
    team_size: ArrayLike = 1.0,
    lower: ArrayLike = 0,
    time_limit: float = 60.0,
) -> IntegerPlan:
    """Whole teams per sector minimising the adversary's best value within a budget.

    Args:
        values: adversary value ``v_s`` of a successful crossing.
        cost: cost per team in each sector; ``budget``: total.
        caps: most teams per sector (non-negative integers).
        length_km, sweep_width_km, equipment: Koopman parameters.
        p_interdict: constant per sector, or a callable of the guard vector (``teams * team_size``)
            returning ``p_i`` per sector (evaluated once per team count; any shape of dependence is
            fine here since the MILP does not need monotonicity).
        team_size: guards per team (``detection`` sees ``teams * team_size`` guards).
        lower: least teams per sector.
    """
    v = np.asarray(values, dtype=float).ravel()
    s_count = v.size
    cap = np.broadcast_to(np.asarray(caps), (s_count,))
    if np.any(cap < 0) or np.any(cap != np.floor(cap)):
        raise ValueError("caps must be non-negative integers")
    cap = cap.astype(int)
    width = int(cap.max()) + 1
    size = np.broadcast_to(np.asarray(team_size, dtype=float), (s_count,))
    table = np.full((s_count, width), np.inf)
    for k in range(width):
        guards = k * size
        p_i = p_interdict(guards) if callable(p_interdict) else p_interdict
        p_d = detection_probability(guards, length_km, sweep_width_km, equipment)
        col = expected_values(v, success_probability(p_d, np.broadcast_to(p_i, (s_count,))))
        table[:, k] = np.where(k <= cap, col, np.inf)
    return solve_value_table(table, cost, budget, lower=lower, time_limit=time_limit)
