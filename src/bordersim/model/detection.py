"""Detection of a covert crossing by Koopman's random-search law.

p_d(s) = 1 - exp(-w_tau * e_s * g_s / l_s)

w_tau: effective sweep width per on-duty guard (km) for the sector's terrain class; e_s >= 1: the equipment
multiplier; g_s: on-duty guards in the sector; l_s: the sector's length (km). Random search (Koopman 1946)
is the conservative law for a searcher whose effort is spread over a line without a pattern the evader can
exploit; it is concave in effort, which is what makes the planner's problem convex.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def search_density(
    guards: ArrayLike, length_km: ArrayLike, sweep_width_km: ArrayLike, equipment: ArrayLike = 1.0
) -> NDArray[np.float64]:
    """Koopman's search density z = w*e*g/l (dimensionless). A sector of zero length with guards is
    fully covered (z = inf); a sector with no guards has z = 0, whatever its length."""
    g = np.asarray(guards, dtype=float)
    ell = np.asarray(length_km, dtype=float)
    effort = np.asarray(sweep_width_km, dtype=float) * np.asarray(equipment, dtype=float) * g
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(effort > 0, effort / ell, 0.0)
    return np.asarray(z, dtype=float)


def detection_probability(
    guards: ArrayLike, length_km: ArrayLike, sweep_width_km: ArrayLike, equipment: ArrayLike = 1.0
) -> NDArray[np.float64]:
    """Probability that one covert crossing attempt is detected: 1 - exp(-w*e*g/l)."""
    return -np.expm1(-search_density(guards, length_km, sweep_width_km, equipment))


def guards_for_detection(
    p_d: ArrayLike, length_km: ArrayLike, sweep_width_km: ArrayLike, equipment: ArrayLike = 1.0
) -> NDArray[np.float64]:
    """Inverse of :func:`detection_probability`: on-duty guards that give detection ``p_d``
    (inf for p_d >= 1)."""
    p = np.asarray(p_d, dtype=float)
    with np.errstate(divide="ignore"):
        z = -np.log1p(-p)
    w_e = np.asarray(sweep_width_km, dtype=float) * np.asarray(equipment, dtype=float)
    return np.asarray(z * np.asarray(length_km, dtype=float) / w_e, dtype=float)
