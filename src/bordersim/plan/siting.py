"""Siting reserve bases to cut reinforcement times: p-median and p-center MILPs on HiGHS.

Given candidate sites ``c`` and sectors ``s`` with travel times ``t[c, s] = readiness_c + d[c, s] /
speed_c`` (hours), open ``k`` sites and send each sector's reinforcements from its nearest open one:

- p-median: minimise ``sum_s w_s t[a(s), s]`` -- the weighted mean reinforcement time;
- p-center: minimise ``max_s w_s t[a(s), s]`` -- the worst weighted time.

MILP: ``x_c in {0, 1}`` opens a site (``sum x = k``; ``existing`` sites are forced open),
``y_{c,s} in [0, 1]`` assigns sector ``s`` to site ``c`` (``sum_c y_{c,s} = 1``, ``y_{c,s} <= x_c``).
With ``x`` integral the best ``y`` is the nearest open site, so ``y`` needs no integrality.

Entry points
------------
- :func:`travel_times` -- the time matrix from coordinates (km, Euclidean) or a distance matrix.
- :func:`site_reserves` -> :class:`SitingPlan`
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

FloatArray = NDArray[np.float64]
Objective = Literal["median", "center"]

__all__ = ["SitingPlan", "site_reserves", "travel_times"]


@dataclass(frozen=True)
class SitingPlan:
    """Result of :func:`site_reserves`.

    Attributes:
        sites: indices of the open candidate sites (sorted).
        assignment: per sector, the open site its reinforcements come from.
        times: per sector, the reinforcement time (hours) from its assigned site.
        objective: the optimised quantity (weighted sum for ``median``, weighted max for ``center``).
        kind: ``"median"`` or ``"center"``.
    """

    sites: tuple[int, ...]
    assignment: NDArray[np.intp]
    times: FloatArray
    objective: float
    kind: str


def travel_times(
    *,
    candidates_xy: ArrayLike | None = None,
    sectors_xy: ArrayLike | None = None,
    distance_km: ArrayLike | None = None,
    speed_kmh: ArrayLike = 1.0,
    readiness_hours: ArrayLike = 0.0,
) -> FloatArray:
    """Hours from each candidate to each sector: ``readiness + distance / speed`` (per candidate).

    Give either coordinates (``candidates_xy`` (C, 2), ``sectors_xy`` (S, 2), km) or ``distance_km``
    (C, S)."""
    if distance_km is not None:
        d = np.asarray(distance_km, dtype=float)
    elif candidates_xy is not None and sectors_xy is not None:
        cxy = np.asarray(candidates_xy, dtype=float)
        sxy = np.asarray(sectors_xy, dtype=float)
        d = np.sqrt(((cxy[:, None, :] - sxy[None, :, :]) ** 2).sum(axis=-1))
    else:
        raise ValueError("give a distance matrix or both candidate and sector coordinates")
    if d.ndim != 2 or np.any(~np.isfinite(d)) or np.any(d < 0):
        raise ValueError("distances must be a finite non-negative (candidates, sectors) matrix")
    speed = np.asarray(speed_kmh, dtype=float)
    if np.any(speed <= 0):
        raise ValueError("speeds must be positive")
    ready = np.asarray(readiness_hours, dtype=float)
    speed_c = np.broadcast_to(speed.reshape(-1, 1) if speed.ndim else speed, (d.shape[0], 1))
    ready_c = np.broadcast_to(ready.reshape(-1, 1) if ready.ndim else ready, (d.shape[0], 1))
    return np.asarray(ready_c + d / speed_c, dtype=float)


def _checked(
    times: ArrayLike, k: int, weights: ArrayLike, objective: str, existing: Sequence[int]
) -> tuple[FloatArray, FloatArray, list[int]]:
    """Validated (times (C, S), weights (S,), sorted existing sites); ValueError on bad input."""
    t = np.asarray(times, dtype=float)
    if t.ndim != 2 or t.size == 0 or np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError("times must be a finite non-negative (candidates, sectors) matrix")
    n_c, n_s = t.shape
    if not 1 <= k <= n_c:
        raise ValueError(f"k must be between 1 and the number of candidates ({n_c}), got {k}")
    w = np.broadcast_to(np.asarray(weights, dtype=float), (n_s,))
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and >= 0")
    fixed = sorted(set(int(i) for i in existing))
    if any(i < 0 or i >= n_c for i in fixed) or len(fixed) > k:
        raise ValueError("existing sites must be valid candidate indices, at most k of them")
    if objective not in ("median", "center"):
        raise ValueError(f"objective must be 'median' or 'center', got {objective!r}")
    return t, w, fixed


def _formulation(
    t: FloatArray, w: FloatArray, k: int, center: bool
) -> tuple[FloatArray, LinearConstraint, int]:
    """(cost, constraints, number of variables) of the p-median / p-center MILP over
    ``x`` (C,), ``y`` (C*S,) and, for the center, ``z``."""
    n_c, n_s = t.shape
    wt = t * w[None, :]
    ny = n_c * n_s
    nvar = n_c + ny + (1 if center else 0)
    y_index = n_c + np.arange(ny).reshape(n_c, n_s)  # y_{c,s}
    rows: list[sparse.coo_array] = []
    lbs: list[FloatArray] = []
    ubs: list[FloatArray] = []
    # sum_c x_c = k
    rows.append(
        sparse.coo_array(
            (np.ones(n_c), (np.zeros(n_c, dtype=int), np.arange(n_c))), shape=(1, nvar)
        )
    )
    lbs.append(np.array([k]))
    ubs.append(np.array([k]))
    # sum_c y_{c,s} = 1
    rows.append(
        sparse.coo_array(
            (np.ones(ny), (np.tile(np.arange(n_s), n_c), y_index.ravel())), shape=(n_s, nvar)
        )
    )
    lbs.append(np.ones(n_s))
    ubs.append(np.ones(n_s))
    # y_{c,s} - x_c <= 0
    r = np.arange(ny)
    rows.append(
        sparse.coo_array(
            (
                np.concatenate([np.ones(ny), -np.ones(ny)]),
                (
                    np.concatenate([r, r]),
                    np.concatenate([y_index.ravel(), np.repeat(np.arange(n_c), n_s)]),
                ),
            ),
            shape=(ny, nvar),
        )
    )
    lbs.append(np.full(ny, -np.inf))
    ubs.append(np.zeros(ny))
    cost = np.zeros(nvar)
    if center:
        # sum_c w_s t_{c,s} y_{c,s} - z <= 0
        srow = np.tile(np.arange(n_s), n_c)
        rows.append(
            sparse.coo_array(
                (
                    np.concatenate([wt.ravel(), -np.ones(n_s)]),
                    (
                        np.concatenate([srow, np.arange(n_s)]),
                        np.concatenate([y_index.ravel(), np.full(n_s, nvar - 1)]),
                    ),
                ),
                shape=(n_s, nvar),
            )
        )
        lbs.append(np.full(n_s, -np.inf))
        ubs.append(np.zeros(n_s))
        cost[-1] = 1.0
    else:
        cost[n_c : n_c + ny] = wt.ravel()
    constraints = LinearConstraint(
        sparse.vstack(rows).tocsr(), np.concatenate(lbs), np.concatenate(ubs)
    )
    return cost, constraints, nvar


def site_reserves(
    times: ArrayLike,
    k: int,
    *,
    weights: ArrayLike = 1.0,
    objective: Objective = "median",
    existing: Sequence[int] = (),
    time_limit: float = 60.0,
) -> SitingPlan:
    """Open ``k`` of the candidate sites (rows of ``times``) to minimise weighted reinforcement time.

    Args:
        times: (C, S) hours from candidate ``c`` to sector ``s`` (see :func:`travel_times`).
        k: number of sites to open (``1 <= k <= C``), including any ``existing`` ones.
        weights: per-sector weight ``w_s >= 0`` (e.g. expected incursions).
        objective: ``"median"`` (weighted sum) or ``"center"`` (weighted max).
        existing: sites that must stay open.
    """
    t, w, fixed = _checked(times, k, weights, objective, existing)
    n_c, n_s = t.shape
    center = objective == "center"
    cost, constraints, nvar = _formulation(t, w, k, center)
    lower = np.zeros(nvar)
    lower[fixed] = 1.0
    upper = np.ones(nvar)
    if center:
        lower[-1], upper[-1] = 0.0, np.inf
    integrality = np.zeros(nvar)
    integrality[:n_c] = 1
    res = milp(
        cost,
        constraints=constraints,
        bounds=Bounds(lower, upper),
        integrality=integrality,
        options={"time_limit": time_limit, "mip_rel_gap": 0.0},
    )
    if res.x is None:
        raise RuntimeError(f"siting MILP failed: {res.message}")
    open_sites = np.flatnonzero(np.asarray(res.x[:n_c]) > 0.5)
    # Nearest open site for each sector (exactly what an optimal y does).
    sub = t[open_sites]
    assignment = open_sites[np.argmin(sub, axis=0)]
    times_s = t[assignment, np.arange(n_s)]
    value = float((w * times_s).max()) if center else float(np.sum(w * times_s))
    assignment.setflags(write=False)
    times_s.setflags(write=False)
    return SitingPlan(tuple(int(i) for i in open_sites), assignment, times_s, value, objective)
