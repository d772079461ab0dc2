"""Reserve siting for a scenario: where should the reserve garrisons be, to reach the sectors soonest?

The bridge from a compiled phase to :func:`bordersim.plan.siting.site_reserves`: road travel times
from every candidate base to every sector by the compiler's road rule, sector weights from the
phase's armed-incursion rates (covert attempts if there are none), and the current garrisons -- the
bases of the units in reserve on the date, as the compiler replayed them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from bordersim.model.activation import road_distance_km
from bordersim.model.compile import compile_scenario
from bordersim.model.reinforcement import sector_mid_km, sector_tortuosity
from bordersim.plan.scenario_inputs import default_date
from bordersim.plan.siting import SitingPlan, site_reserves, travel_times
from bordersim.scenario.schema import Scenario

FloatArray = NDArray[np.float64]

__all__ = ["SitingProblem", "SitingReport", "plan_sites", "siting_problem"]


@dataclass(frozen=True)
class SitingProblem:
    """Reserve siting over a scenario's bases: road travel times and sector weights."""

    date: dt.date
    candidate_ids: tuple[str, ...]
    candidate_names: tuple[str, ...]
    sector_ids: tuple[str, ...]
    times: FloatArray  # (C, S) hours
    weights: FloatArray  # (S,)
    weight_kind: str  # "armed incursions" or "covert attempts"
    current: tuple[int, ...]  # candidate indices of the current reserve garrisons
    road_speed_kmh: float
    current_ids: tuple[str, ...] = ()  # the current reserve garrisons (candidates or not)
    current_times: FloatArray | None = None  # (S,) hours from the nearest current garrison


@dataclass(frozen=True)
class SitingReport:
    """Chosen sites against the current garrisons: weighted mean and worst times (hours)."""

    problem: SitingProblem
    plan: SitingPlan
    mean_hours: float
    worst_hours: float
    current_mean_hours: float
    current_worst_hours: float


def siting_problem(
    scenario: Scenario,
    *,
    date: dt.date | None = None,
    road_speed_kmh: float = 40.0,
    candidates: Sequence[str] | None = None,
    policy: str | None = None,
) -> SitingProblem:
    """Travel times from the scenario's bases to the sectors by the compiler's road rule --
    ``(base.distance_km + |base.km - sector mid km|) * tortuosity(sector terrain) / speed`` -- and
    sector weights from the phase's armed-incursion rates (covert attempts if there are none).

    Raises:
        ValueError: unknown candidate base, or a non-positive speed.
    """
    if road_speed_kmh <= 0:
        raise ValueError("the road speed must be > 0")
    date = date or default_date(scenario, policy)
    c = compile_scenario(scenario, policy=policy, start=date, days=1)
    phase = c.phases[0]
    bases = {b.id: b for b in scenario.bases}
    ids = list(candidates) if candidates else list(bases)
    unknown = [b for b in ids if b not in bases]
    if unknown:
        raise ValueError(f"unknown base(s) {', '.join(unknown)} (bases: {', '.join(bases)})")
    mid_km, tort = sector_mid_km(scenario), sector_tortuosity(scenario)

    def road_times(base_ids: Sequence[str]) -> FloatArray:
        dist = np.array(
            [road_distance_km(bases[b].km, bases[b].distance_km, mid_km) * tort for b in base_ids]
        )
        return travel_times(distance_km=dist.reshape(len(base_ids), -1), speed_kmh=road_speed_kmh)

    times = road_times(ids)
    weights = phase.armed_rate.sum(axis=0) if phase.armed_rate.size else np.zeros(c.n_sectors)
    kind = "armed incursions per day"
    if not np.any(weights > 0):
        weights = (phase.covert_rate[:, None] * phase.choice_q).sum(axis=0)
        kind = "covert attempts per day"
    if not np.any(weights > 0):
        weights = np.ones(c.n_sectors)
        kind = "uniform"
    garrisons = {
        base
        for base, posture in zip(phase.unit_base, phase.unit_posture, strict=True)
        if posture == "reserve"
    }
    current = tuple(sorted(ids.index(b) for b in garrisons if b in ids))
    current_ids = tuple(sorted(garrisons))
    current_times = road_times(current_ids).min(axis=0) if current_ids else None
    return SitingProblem(
        date=date,
        candidate_ids=tuple(ids),
        candidate_names=tuple(bases[b].name for b in ids),
        sector_ids=c.sector_ids,
        times=times,
        weights=np.asarray(weights, dtype=float),
        weight_kind=kind,
        current=current,
        road_speed_kmh=float(road_speed_kmh),
        current_ids=current_ids,
        current_times=current_times,
    )


def _mean_worst(t: FloatArray | None, w: FloatArray) -> tuple[float, float]:
    if t is None:
        return float("nan"), float("nan")
    pos = w > 0
    return float(np.sum(w * t) / np.sum(w)), float(t[pos].max())


def plan_sites(
    problem: SitingProblem, k: int, objective: Literal["median", "center"] = "median"
) -> SitingReport:
    """Open ``k`` reserve sites (p-median or p-center on HiGHS) and compare with the garrisons."""
    plan = site_reserves(problem.times, k, weights=problem.weights, objective=objective)
    mean, worst = _mean_worst(plan.times, problem.weights)
    cmean, cworst = _mean_worst(problem.current_times, problem.weights)
    return SitingReport(problem, plan, mean, worst, cmean, cworst)
