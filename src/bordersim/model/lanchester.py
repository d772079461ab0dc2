"""Lanchester's square law in closed form: strengths after ``tau`` hours and the time to a break point.

Between two reinforcement arrivals a fight follows ``dD/dt = -alpha N``, ``dN/dt = -beta_f D``; with
``omega = sqrt(alpha beta_f)`` both strengths are sums of ``exp(+-omega tau)``, so the strength after
any time and the time at which a side falls to a threshold have closed forms. They are written here
so that they keep full precision when ``omega tau`` is very small or very large (see each function).
:func:`bordersim.model.engagement.resolve_engagements` strings them together between arrivals.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

__all__ = ["square_law_invariant", "strength_after", "time_to_threshold"]


def square_law_invariant(
    defenders: ArrayLike, attackers: ArrayLike, alpha: ArrayLike, beta: ArrayLike
) -> FloatArray:
    """beta D^2 - alpha N^2, constant along a square-law fight between reinforcement arrivals.

    Its sign says who would win a fight to the finish: > 0 the defenders, < 0 the attackers. Pass
    the effective beta (beta * fortification) for a fortified post.
    """
    d = np.asarray(defenders, dtype=float)
    n = np.asarray(attackers, dtype=float)
    return np.asarray(
        np.asarray(beta, dtype=float) * d * d - np.asarray(alpha, dtype=float) * n * n, dtype=float
    )


def strength_after(
    x0: FloatArray, y0: FloatArray, rate: FloatArray, omega: FloatArray, tau: FloatArray
) -> FloatArray:
    """x(tau) for dx/dt = -rate * y, dy/dt = -other * x, omega = sqrt(rate * other).

    Written as x0 exp(-omega tau) + (x0 - k y0) sinh(omega tau) with k = rate/omega, which equals
    x0 cosh - rate y0 sinh/omega but does not subtract two large numbers when omega tau is large;
    for omega = 0 it is the straight line x0 - rate y0 tau.
    """
    pos = omega > 0
    safe_omega = np.where(pos, omega, 1.0)
    k = rate / safe_omega
    wt = safe_omega * tau
    diff = x0 - k * y0
    curved = x0 * np.exp(-wt) + np.where(diff == 0.0, 0.0, diff * np.sinh(wt))
    slope = rate * y0
    straight = x0 - np.where(slope > 0, slope * tau, 0.0)
    return np.asarray(np.where(pos, curved, straight), dtype=float)


def time_to_threshold(
    x0: FloatArray, y0: FloatArray, rate: FloatArray, omega: FloatArray, c: FloatArray
) -> FloatArray:
    """Hours until x (as in :func:`strength_after`) first falls to c; 0 if already x0 <= c; inf
    if never.

    The root x* = exp(omega tau) of a x^2 - c x + b = 0 is evaluated as
    x* - 1 = 4b (x0 - c) / ((2b - c + s)(c + s)), s = sqrt(c^2 - 4ab), obtained by rationalising
    2b/(c + s) - 1; every term is non-negative, so there is no cancellation, and
    tau = log1p(x* - 1)/omega keeps full relative precision even when omega tau is tiny.
    """
    pos = omega > 0
    safe_omega = np.where(pos, omega, 1.0)
    k = rate / safe_omega
    two_a = x0 - k * y0
    two_b = x0 + k * y0
    disc = c * c - two_a * two_b
    s = np.sqrt(np.maximum(disc, 0.0))
    gap = x0 - c
    u = 2.0 * two_b * gap / ((two_b - c + s) * (c + s))
    curved = np.where(disc >= 0.0, np.log1p(u) / safe_omega, np.inf)
    slope = rate * y0
    straight = np.where(slope > 0, gap / np.where(slope > 0, slope, 1.0), np.inf)
    tau = np.where(pos, curved, straight)
    return np.asarray(np.where(gap <= 0.0, 0.0, tau), dtype=float)
