"""Interdiction once detected: the response races the group's vanishing time.

A detected group vanishes (blends into the far bank, a village or the mountains) after an exponential
time with mean mu_tau hours. The response arrives after R_s hours, so the response catches it with
probability p_i = P(vanish time > R_s) = exp(-R_s / mu_tau).

Response time with local patrols (teams_s > 0): R_s = r0 + l_s / (2 * teams_s * v_tau) -- the mean
distance from a random point to the nearest of teams spread evenly along the sector is l/(2*teams)
for a team at each end of its own stretch. With no guards the nearest reserve responds:
R_s = readiness + distance / speed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def patrol_teams(guards: ArrayLike, team_size: ArrayLike) -> NDArray[np.float64]:
    """Number of patrol teams from on-duty guards (continuous: fractional teams are allowed so that
    the planner's problem stays smooth; a sector with fewer guards than one team still responds)."""
    g = np.asarray(guards, dtype=float)
    return np.asarray(g / np.asarray(team_size, dtype=float), dtype=float)


def response_time_hours(
    teams: ArrayLike,
    length_km: ArrayLike,
    patrol_speed_kmh: ArrayLike,
    base_delay_hours: ArrayLike,
    reserve_response_hours: ArrayLike,
) -> NDArray[np.float64]:
    """Hours until a response reaches a detected group: local patrols where there are teams,
    else the nearest reserve's readiness plus travel (``reserve_response_hours``)."""
    n = np.asarray(teams, dtype=float)
    ell = np.asarray(length_km, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        local = np.asarray(base_delay_hours, dtype=float) + ell / (
            2.0 * n * np.asarray(patrol_speed_kmh, dtype=float)
        )
    reserve = np.asarray(reserve_response_hours, dtype=float)
    return np.asarray(np.where(n > 0, np.minimum(local, reserve), reserve), dtype=float)


def interdiction_probability(
    response_hours: ArrayLike, vanish_mean_hours: ArrayLike
) -> NDArray[np.float64]:
    """P(response arrives before the group vanishes) = exp(-R/mu); 0 when the response never comes."""
    r = np.asarray(response_hours, dtype=float)
    mu = np.asarray(vanish_mean_hours, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = np.exp(-r / mu)
    return np.asarray(np.where(np.isfinite(r), p, 0.0), dtype=float)
