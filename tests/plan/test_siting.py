"""Tests for bordersim.plan.siting: p-median and p-center MILPs against enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bordersim.plan.siting import site_reserves, travel_times


def _brute(t: np.ndarray, w: np.ndarray, k: int, center: bool) -> float:
    best = np.inf
    for sites in itertools.combinations(range(t.shape[0]), k):
        times = t[list(sites)].min(axis=0)
        best = min(best, float((w * times).max() if center else np.sum(w * times)))
    return best


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("objective", ["median", "center"])
def test_matches_enumeration(seed: int, objective: str) -> None:
    rng = np.random.default_rng(seed)
    c, s = 7, 12
    t = travel_times(
        candidates_xy=rng.uniform(0, 100, (c, 2)),
        sectors_xy=rng.uniform(0, 100, (s, 2)),
        speed_kmh=rng.uniform(30, 80, c),
        readiness_hours=rng.uniform(0, 2, c),
    )
    w = rng.uniform(0.1, 3, s)
    k = 1 + seed % 3
    plan = site_reserves(t, k, weights=w, objective=objective)  # type: ignore[arg-type]
    assert len(plan.sites) == k
    assert plan.objective == pytest.approx(_brute(t, w, k, objective == "center"), rel=1e-9)
    assert np.array_equal(plan.times, t[list(plan.sites)].min(axis=0))


def test_existing_sites_stay_open_and_distance_matrix() -> None:
    d = np.array([[0.0, 10, 20], [20, 10, 0], [10, 0, 10]])
    t = travel_times(distance_km=d, speed_kmh=10.0)
    assert t == pytest.approx(d / 10)
    plan = site_reserves(t, 1)
    assert plan.sites == (2,)
    plan2 = site_reserves(t, 2, existing=[2])
    assert 2 in plan2.sites and len(plan2.sites) == 2
    assert plan2.objective == pytest.approx(_brute_with(t, [2], 2))
    with pytest.raises(ValueError):
        site_reserves(t, 0)
    with pytest.raises(ValueError):
        travel_times(distance_km=-d)


def _brute_with(t: np.ndarray, fixed: list[int], k: int) -> float:
    best = np.inf
    for sites in itertools.combinations(range(t.shape[0]), k):
        if set(fixed) <= set(sites):
            best = min(best, float(t[list(sites)].min(axis=0).sum()))
    return best
