"""The sectors of a water-filling problem: each one's value to the adversary as a function of its
guards, ``f_s(g) = v_s (1 - p_d(g) p_i)``, and the guards it needs to hold the adversary to a level.

Shared by the continuous solver (:mod:`bordersim.plan.water_filling`) and the integer repair
(:mod:`bordersim.plan.integer_repair`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bordersim.model.choice import expected_values
from bordersim.model.detection import detection_probability, guards_for_detection
from bordersim.model.outcomes import success_probability

FloatArray = NDArray[np.float64]
InterdictionFn = Callable[[FloatArray], ArrayLike]

__all__ = [
    "InterdictionFn",
    "SectorValues",
    "check_monotone",
    "required_guards",
    "required_guards_search",
]


class SectorValues:
    """The per-sector data and value function, on the full vector or on an index subset."""

    def __init__(
        self,
        values: FloatArray,
        length: FloatArray,
        sweep: FloatArray,
        p_i: FloatArray | None,
        p_i_fn: InterdictionFn | None,
    ) -> None:
        self.v = values
        self.length = length
        self.sweep = sweep  # sweep width x equipment, pre-multiplied
        self.p_i = p_i
        self.p_i_fn = p_i_fn

    def pi_full(self, g: FloatArray) -> FloatArray:
        """p_i for a full-length guard vector."""
        if self.p_i_fn is None:
            assert self.p_i is not None
            return self.p_i
        p = np.broadcast_to(np.asarray(self.p_i_fn(g), dtype=float), g.shape)
        return np.asarray(p, dtype=float)

    def value(self, g: FloatArray) -> FloatArray:
        """Adversary value of every sector for a full-length guard vector."""
        p_d = detection_probability(g, self.length, self.sweep)
        return expected_values(self.v, success_probability(p_d, self.pi_full(g)))


def required_guards(
    level: float,
    v: FloatArray,
    p_i: FloatArray,
    length: FloatArray,
    sweep: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
) -> FloatArray:
    """Guards each sector needs to hold the adversary to ``level`` (constant p_i), in [lo, hi]."""
    with np.errstate(divide="ignore", invalid="ignore"):
        need_pd = (1.0 - level / v) / p_i
    need_pd = np.clip(need_pd, 0.0, 1.0)  # > 1: unreachable -> inf guards -> cap
    with np.errstate(invalid="ignore"):
        g = guards_for_detection(need_pd, length, sweep)
        g = np.clip(g, lo, hi)
    return np.asarray(np.where(level >= v, lo, g), dtype=float)


def required_guards_search(
    level: float, sectors: SectorValues, lo: FloatArray, hi: FloatArray, g_tol: FloatArray
) -> FloatArray:
    """Smallest g in [lo, hi] with f_s(g) <= level, by vectorised bisection on g (hi if none)."""
    a = lo.copy()
    b = hi.copy()
    ok_at_lo = sectors.value(lo) <= level
    while True:
        open_ = (b - a) > g_tol
        if not open_.any():
            break
        mid = np.where(open_, 0.5 * (a + b), b)
        good = sectors.value(mid) <= level
        b = np.where(open_ & good, mid, b)
        a = np.where(open_ & ~good, mid, a)
    return np.asarray(np.where(ok_at_lo, lo, b), dtype=float)


def check_monotone(sectors: SectorValues, lo: FloatArray, hi: FloatArray, atol: float) -> None:
    """A callable p_i must keep every f_s non-increasing; check on a coarse grid of [lo, hi]."""
    previous = sectors.value(lo)
    for frac in np.linspace(0.125, 1.0, 8):
        cur = sectors.value(lo + frac * (hi - lo))
        if np.any(cur > previous + atol):
            bad = int(np.argmax(cur - previous))
            raise ValueError(
                f"p_interdict makes sector {bad}'s value increase with guards; the water-filling "
                "needs p_d * p_i non-decreasing in the guards of each sector"
            )
        previous = cur
