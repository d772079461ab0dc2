"""Reinforcement logistics: how fast reserves reach each sector, and how many arrive when.

Two uses, one set of rules:

- :func:`fastest_reserve_hours` -- the response to a detected covert group where a sector's patrols
  are slow: the fastest active reserve unit (readiness plus road travel along the border, or a
  straight flight for air-mobile units). Used by the compiler and, through the compiled phase, by
  the planner.
- :func:`reinforcements` -- the relief of an outpost under armed attack: every reserve unit's arrival
  hours and committed strength at every sector, air-mobile units in waves
  (:func:`~bordersim.model.activation.air_lift_arrivals`), laid out in the fixed slots of
  :func:`reinforcement_slots` so the engine resolves every engagement in one call.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from bordersim.model.activation import air_lift_arrivals, reserve_response_hours, road_distance_km
from bordersim.model.compiled import IncursionParams
from bordersim.scenario.geometry import haversine_km
from bordersim.scenario.schema import Scenario, Unit

__all__ = [
    "air_waves",
    "fastest_reserve_hours",
    "reinforcement_slots",
    "reinforcements",
    "sector_mid_km",
    "sector_tortuosity",
]

FloatArray = NDArray[np.float64]


def sector_mid_km(sc: Scenario) -> FloatArray:
    """(S,) km of each sector's midpoint along the border line."""
    return np.array([(s.start_km + s.end_km) / 2 for s in sc.border.sectors])


def sector_tortuosity(sc: Scenario) -> FloatArray:
    """(S,) road km per km of border in each sector's terrain."""
    return np.array([sc.terrain[s.terrain].road_tortuosity.value for s in sc.border.sectors])


def air_waves(u: Unit, inc: IncursionParams) -> int:
    """Waves an air-mobile unit needs to fly in its committed strength (at most); 0 for others."""
    if u.kind != "air_mobile" or u.lift_per_sortie is None or u.sorties_per_day is None:
        return 0
    lift = u.lift_per_sortie.value
    if lift <= 0 or u.sorties_per_day.value <= 0:
        return 0
    hi = u.strength.high if u.strength.high is not None else u.strength.value
    committed = max(hi, u.strength.value) * u.availability.value * inc.air_fraction
    return int(np.ceil(committed / lift))


def reinforcement_slots(sc: Scenario, inc: IncursionParams) -> list[int]:
    """Unit index of each reinforcement slot: one per ground unit, one per wave of an air unit.

    Fixed for the whole run (a unit that is not in reserve on some day gets size 0 there), so that
    every engagement of every phase has the same slot layout and all resolve in one call."""
    slots: list[int] = []
    for i, u in enumerate(sc.units):
        waves = air_waves(u, inc)
        slots.extend([i] * (waves if waves else 1))
    return slots


def reinforcements(
    sc: Scenario,
    unit_base: Sequence[str],
    posture: Sequence[str],
    strength: FloatArray,
    sector_lonlat: FloatArray,
    inc: IncursionParams,
    slots: Sequence[int],
) -> tuple[FloatArray, FloatArray]:
    """(J, S) arrival hours and sizes (at full activation) of every reserve unit at every sector.

    Ground units: readiness + road km (base to the border, then along it) x the sector's tortuosity
    / road speed (:func:`reserve_response_hours`), committing ``reserve_fraction`` of their on-duty
    strength. Air-mobile units fly straight at air speed in waves (:func:`air_lift_arrivals`),
    ``air_fraction`` of their on-duty strength, when that is faster than the road; else by road.
    Units not in reserve posture get size 0 (time inf). Unit arguments (U,) follow ``sc.units``;
    ``sector_lonlat`` is (S, 2) degrees."""
    tort = sector_tortuosity(sc)
    S = len(tort)
    hours = np.full((len(slots), S), np.inf)
    size = np.zeros((len(slots), S))
    mid_km = sector_mid_km(sc)
    bases = {b.id: b for b in sc.bases}
    # contiguous copies: the same memory layout, so the same SIMD path and bits, as the compiler's
    lon, lat = np.ascontiguousarray(sector_lonlat[:, 0]), np.ascontiguousarray(sector_lonlat[:, 1])
    for i, u in enumerate(sc.units):
        js = [j for j, k in enumerate(slots) if k == i]
        if posture[i] != "reserve" or strength[i] <= 0:
            continue
        b = bases[unit_base[i]]
        avail = u.availability.value
        road = reserve_response_hours(
            u.readiness_hours.value,
            road_distance_km(b.km, b.distance_km, mid_km),
            u.road_speed_kmh.value,
            tort,
        )
        air_ok = (
            u.kind == "air_mobile" and u.air_speed_kmh is not None and u.air_speed_kmh.value > 0
        )
        waves = air_waves(u, inc)
        if air_ok and waves:
            assert u.air_speed_kmh is not None and u.lift_per_sortie is not None
            assert u.sorties_per_day is not None
            fly = haversine_km(b.lon, b.lat, lon, lat) / u.air_speed_kmh.value
            committed = strength[i] * avail * inc.air_fraction
            t, n = air_lift_arrivals(
                np.full(S, committed),
                u.lift_per_sortie.value,
                u.sorties_per_day.value,
                fly,
                u.readiness_hours.value,
                max_waves=len(js),
            )
            k = t.shape[1]
            by_air = t[:, 0] <= road
            hours[js[:k]] = np.where(by_air, t.T, np.inf)
            size[js[:k]] = np.where(by_air, n.T, 0.0)
            ground = ~by_air  # the first slot carries the unit by road where that is faster
            hours[js[0]] = np.where(ground, road, hours[js[0]])
            size[js[0]] = np.where(ground, committed, size[js[0]])
        else:
            hours[js[0]] = road
            size[js[0]] = strength[i] * avail * inc.reserve_fraction
    return hours, size


def fastest_reserve_hours(
    sc: Scenario,
    unit_base: Sequence[str],
    posture: Sequence[str],
    active: FloatArray,
    sector_lonlat: FloatArray,
) -> FloatArray:
    """(S,) hours until the fastest active reserve unit reaches each sector: readiness plus travel
    by road (along the border, scaled by the sector terrain's tortuosity) or, for air-mobile units,
    by air in a straight line. inf where no reserve is active. Unit arguments (U,) follow
    ``sc.units``; ``sector_lonlat`` is (S, 2) degrees."""
    tort = sector_tortuosity(sc)
    mid_km = sector_mid_km(sc)
    bases = {b.id: b for b in sc.bases}
    reserve = np.full(len(mid_km), np.inf)
    for i, u in enumerate(sc.units):
        if posture[i] != "reserve" or active[i] <= 0:
            continue
        b = bases[unit_base[i]]
        road_km = road_distance_km(b.km, b.distance_km, mid_km)
        t = reserve_response_hours(u.readiness_hours.value, road_km, u.road_speed_kmh.value, tort)
        if u.kind == "air_mobile" and u.air_speed_kmh is not None:
            air_km = haversine_km(b.lon, b.lat, sector_lonlat[:, 0], sector_lonlat[:, 1])
            t = np.minimum(
                t, reserve_response_hours(u.readiness_hours.value, air_km, u.air_speed_kmh.value)
            )
        reserve = np.minimum(reserve, t)
    return reserve
