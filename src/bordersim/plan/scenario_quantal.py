"""The quantal-response planner's numerics: SLSQP from several starts, and rounding to whole guards.

Split from :mod:`bordersim.plan.scenario_plan` (which owns the problem) to keep modules small.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

FloatArray = NDArray[np.float64]

__all__ = ["largest_remainder", "solve_quantal"]


def largest_remainder(g: FloatArray, total: int) -> FloatArray:
    base = np.floor(g + 1e-9)
    short = int(total - base.sum())
    order = np.argsort(-(g - base), kind="stable")
    if short > 0:
        base[order[:short]] += 1
    elif short < 0:
        pos = [k for k in np.argsort(g - base, kind="stable") if base[k] > 0][:-short]
        base[pos] -= 1
    return base + 0.0


def _onto(x: FloatArray, lo: FloatArray) -> FloatArray:
    """Project shares ``x`` onto {x >= lo, sum x = 1} by rescaling the part above the floor."""
    above = np.maximum(np.asarray(x, dtype=float) - lo, 0.0)
    room = 1.0 - float(lo.sum())
    if above.sum() <= 0:
        return np.asarray(lo + room / lo.size, dtype=float)
    return np.asarray(lo + room * above / above.sum(), dtype=float)


def solve_quantal(
    objective: Callable[[FloatArray], float],
    budget: float,
    lower: FloatArray,
    starts: list[FloatArray],
) -> tuple[FloatArray, int, int]:
    """SLSQP on x = g / G (x >= lower / G, sum x = 1) from several starts; returns the best
    allocation, the number of starts and of converged runs. ``objective`` takes guards."""
    G = budget
    lo = np.asarray(lower, dtype=float) / G

    def f(x: FloatArray) -> float:
        return objective(np.clip(x, 0.0, 1.0) * G)

    best_x: FloatArray | None = None
    best_f = np.inf
    ok = 0
    for g0 in starts:
        x0 = _onto(np.clip(g0 / G, 0.0, 1.0), lo)
        res = minimize(
            f,
            x0,
            method="SLSQP",
            bounds=[(float(b), 1.0) for b in lo],
            constraints=[{"type": "eq", "fun": lambda x: float(x.sum() - 1.0)}],
            options={"maxiter": 300, "ftol": 1e-12},
        )
        x = np.clip(np.asarray(res.x, dtype=float), 0.0, 1.0)
        x = x / x.sum() if not lo.any() else _onto(x, lo)
        ok += bool(res.success)
        for cand in (x, x0):  # never return worse than the start
            val = f(cand)
            if val < best_f:
                best_f, best_x = val, cand
    assert best_x is not None
    return np.asarray(best_x * G, dtype=float), len(starts), ok
