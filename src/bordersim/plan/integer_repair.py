"""Whole guards for a water-filling plan: largest-remainder rounding, then a greedy exchange repair
that is exact for the integer min-max (the argument is in :func:`bordersim.plan.water_filling.water_fill`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bordersim.model.choice import expected_values
from bordersim.model.detection import detection_probability
from bordersim.model.outcomes import success_probability
from bordersim.plan.sector_values import SectorValues

FloatArray = NDArray[np.float64]

__all__ = ["fix_sum", "round_and_repair"]


def fix_sum(g: FloatArray, budget: float, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Remove floating-point residue so that sum(g) == budget, on the sector with most room."""
    g = np.clip(g, lo, hi)
    for _ in range(3):
        residual = budget - float(g.sum())
        if residual == 0.0:
            break
        room = (hi - g) if residual > 0 else (g - lo)
        i = int(np.argmax(room))
        g[i] = min(max(g[i] + residual, lo[i]), hi[i])
    return g


def round_and_repair(
    sectors: SectorValues, cont: FloatArray, budget: int, lo: FloatArray, hi: FloatArray
) -> FloatArray:
    """Largest-remainder rounding of ``cont`` to whole guards summing to ``budget``, then the greedy
    exchange repair on the max-value sector (see :func:`water_fill`)."""
    base = np.clip(np.floor(cont + 1e-9), lo, hi)
    short = budget - int(base.sum())
    rem = cont - base
    if short > 0:
        eligible = np.flatnonzero(base < hi)
        order = eligible[np.argsort(-rem[eligible], kind="stable")]
        # Each eligible sector takes one; any still short (caps permitting) are left to the repair.
        take = order[:short]
        base[take] += 1
        short -= take.size
        while short > 0:  # only when fewer sectors than missing guards have room
            room = np.flatnonzero(base < hi)
            k = min(short, room.size)
            base[room[:k]] += 1
            short -= k
    elif short < 0:
        eligible = np.flatnonzero(base > lo)
        order = eligible[np.argsort(rem[eligible], kind="stable")]
        base[order[:-short]] -= 1
    n = base
    cur = sectors.value(n)
    down = np.where(n > lo, sectors.value(np.maximum(n - 1, lo)), np.inf)
    const = sectors.p_i_fn is None
    for _ in range(10 * n.size + 1000):
        s = int(np.argmax(cur))
        top = cur[s]
        if n[s] >= hi[s]:
            break
        trial = n.copy() if not const else None
        if const:
            assert sectors.p_i is not None
            up = float(
                expected_values(
                    sectors.v[s],
                    success_probability(
                        detection_probability(n[s] + 1, sectors.length[s], sectors.sweep[s]),
                        sectors.p_i[s],
                    ),
                )
            )
        else:
            assert trial is not None
            trial[s] += 1
            up = float(sectors.value(trial)[s])
        if up >= top:
            break
        donor_cost = down.copy()
        donor_cost[s] = np.inf
        t = int(np.argmin(donor_cost))
        if donor_cost[t] >= top:
            break
        n[s] += 1
        n[t] -= 1
        for i in (s, t):
            idx = np.array([i])
            if const:
                vals = _subset_values(sectors, idx, np.array([n[i], max(n[i] - 1, lo[i])]))
                cur[i] = vals[0]
                down[i] = vals[1] if n[i] > lo[i] else np.inf
        if not const:
            cur = sectors.value(n)
            down = np.where(n > lo, sectors.value(np.maximum(n - 1, lo)), np.inf)
    return n + 0.0  # no negative zeros


def _subset_values(sectors: SectorValues, idx: NDArray[np.intp], g: FloatArray) -> FloatArray:
    """Values of one sector (``idx`` of length 1) at several guard counts (constant p_i only)."""
    assert sectors.p_i is not None
    i = idx[0]
    p_d = detection_probability(g, sectors.length[i], sectors.sweep[i])
    return expected_values(sectors.v[i], success_probability(p_d, sectors.p_i[i]))
