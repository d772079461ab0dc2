"""A complete scenario for a new border: the border from :mod:`border_builder`, the rest placeholders.

``bordersim new`` assembles the scenario as plain data here and writes it as YAML (:func:`dump_yaml`).
Forces, threats and terrain parameters are placeholders (:mod:`placeholders`) with the Tajik-Afghan
built-in's assumed values as a starting scale, or, with ``--from``, a built-in's own forces, threats,
policies and ledger (:func:`copy_from`). ``bordersim export`` writes a built-in with its includes
merged (:func:`export_data`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from bordersim.scenario.border_builder import (
    JOIN_TOLERANCE_KM,
    TERRAIN_BREAKS_M,
    Line,
    Place,
    sector_terrain,
)
from bordersim.scenario.builtin import DATA_DIR
from bordersim.scenario.geometry import EARTH_RADIUS_KM
from bordersim.scenario.loading import load_data
from bordersim.scenario.placeholders import PLACEHOLDER

NEW_MARK = "# Written by `bordersim new`"
EXPORT_MARK = "# Written by `bordersim export`"
START = dt.date(2025, 1, 1)


def _ph(what: str) -> dict[str, Any]:
    return {"assumed": {"rationale": f"{PLACEHOLDER}. {what}"}}


def _q(value: float, key: str, unit: str | None = None, low: float | None = None,
       high: float | None = None) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {"value": value}
    if unit:
        out["unit"] = unit
    if low is not None:
        out["low"], out["high"] = low, high
    out["evidence"] = key
    return out


def border_block(
    line: Line,
    sectors: Sequence[tuple[float, float]],
    *,
    geometry: str,
    feature: str,
    length_km: float | None,
    profile: tuple[NDArray[np.float64], NDArray[np.float64]] | None,
    places: Sequence[Place],
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """(border, bases, evidence) of a new scenario: sectors with terrain and groups, crossings."""
    official = length_km if length_km is not None else line.length_km
    scale = official / line.length_km
    terr = (
        sector_terrain(profile[0], profile[1], sectors, scale)
        if profile is not None
        else [("plain", float("nan"))] * len(sectors)
    )
    width = 2 if len(sectors) < 100 else 3
    out_sectors, run, last = [], 0, None
    for i, ((a, b), (t, med)) in enumerate(zip(sectors, terr, strict=True)):
        if t != last:
            run, last = run + 1, t
        sid = f"s{i + 1:0{width}d}"
        if profile is None:
            group, name = "border", f"placeholder: terrain not classed (no --profile); {sid}"
        else:
            group, name = f"{run} {t}", f"{sid} {t} (km {a:.0f}-{b:.0f}, median {med:.0f} m)"
        out_sectors.append({
            "id": sid, "name": name, "start_km": round(a, 4), "end_km": round(b, 4),
            "terrain": t, "group": group,
            "afghan_district": "placeholder: the district across the border",
            "afghan_province": "placeholder: its province", "control": "government",
        })  # fmt: skip
    out_sectors[-1]["end_km"] = round(official, 4)
    crossings = [
        {"id": p.id, "name": p.name, "km": round(min(p.km, official), 1), "official": p.official,
         "capacity_per_day": _q(150, "crossing-capacity", "people/day", 50, 400)}
        for p in places if p.kind == "crossing"
    ]  # fmt: skip
    bases = [
        {"id": p.id, "name": p.name, "lat": round(p.lat, 5), "lon": round(p.lon, 5),
         "km": round(min(p.km, official), 1), "distance_km": round(p.distance_km, 1)}
        for p in places if p.kind == "base"
    ]  # fmt: skip
    if not bases:
        mid = int(np.searchsorted(line.cum_km, line.length_km / 2))
        bases = [{"id": "base", "name": "placeholder: a base (put at the line's middle vertex)",
                  "lat": round(float(line.lat[mid]), 5), "lon": round(float(line.lon[mid]), 5),
                  "km": round(float(line.cum_km[mid]) * scale, 1), "distance_km": 0.0}]  # fmt: skip
    measured = (
        f"the line measures {line.length_km:.1f} km (haversine on the WGS84 mean radius, "
        f"{EARTH_RADIUS_KM} km)"
    )
    evidence: dict[str, Any] = {
        "line-length": _ph(f"Official length given to `bordersim new --length-km`; {measured}.")
        if length_km is not None
        else {"assumed": {"rationale": f"Measured: {measured}; no official length was given."}},
    }
    if crossings:
        evidence["crossing-capacity"] = _ph(
            "People a crossing can receive per day; 150 (50-400) is the Tajik-Afghan built-in's "
            "assumption for a border post with a bridge."
        )
    border = {
        "geometry": geometry,
        "geometry_feature": feature,
        "official_length_km": _q(round(official, 4), "line-length", "km"),
        "sectors": out_sectors,
        "crossings": crossings,
    }
    return border, bases, evidence


def header(
    line_file: str, line: Line, length_km: float | None, profile: bool, notes: Sequence[str]
) -> list[str]:
    """The comment block at the top of a new scenario: how it was made and what was assumed."""
    scale = (length_km or line.length_km) / line.length_km
    lines = [
        f"{NEW_MARK} from {line_file}. Edit it freely: `bordersim new` overwrites only with --force.",
        f"# Chainage: haversine on the WGS84 mean radius ({EARTH_RADIUS_KM} km); the line measures "
        f"{line.length_km:.3f} km, scaled by {scale:.5f} to the official length.",
        f"# MultiLineString pieces were joined in order (they must meet within {JOIN_TOLERANCE_KM} km).",
    ]
    if profile:
        breaks = ", ".join(f"< {lim:g} m {name}" for lim, name in TERRAIN_BREAKS_M)
        lines.append(
            f"# Terrain (an assumption): median profile elevation in the sector, {breaks}, "
            "else high_mountain."
        )
    lines += [
        f'# Every quantity whose evidence says "{PLACEHOLDER}" is a placeholder:',
        "# `bordersim validate` lists the ones left. Sides: TJ stands for the defending state,",
        "# afghan_district/afghan_province for the district across the border (the schema's names).",
    ]
    return lines + [f"# {n}" for n in notes]


_TERRAIN_DEFAULTS = {  # the Tajik-Afghan built-in's assumed values: (value, low, high)
    "sweep_width_km": ("km", "sweep-width", ((0.25, 0.125, 0.5), (0.2, 0.1, 0.4),
                       (0.15, 0.075, 0.3), (0.12, 0.06, 0.24))),
    "vanish_mean_hours": ("h", "vanish-time", ((2.0, 1.0, 4.0), (3.0, 1.5, 6.0), (4.0, 2.0, 8.0),
                          (6.0, 3.0, 12.0))),
    "patrol_speed_kmh": ("km/h", "patrol-speed", ((30, 15, 45), (20, 10, 30), (10, 5, 15),
                         (5, 2.5, 7.5))),
    "base_delay_hours": ("h", "base-delay", ((0.5, 0.25, 1.0), (0.5, 0.25, 1.0),
                         (0.75, 0.25, 1.5), (1.0, 0.5, 2.0))),
    "road_tortuosity": (None, "road-tortuosity", ((1.3, 1.0, 1.7), (1.6, 1.2, 2.1),
                        (2.0, 1.4, 2.6), (2.5, 1.8, 3.3))),
}  # fmt: skip
_PLACEHOLDER_WHAT = {
    "sweep-width": "Koopman sweep width per on-duty guard, by terrain.",
    "vanish-time": "Mean hours for a detected group to vanish on this side, by terrain.",
    "patrol-speed": "Patrol speed along the border, by terrain.",
    "base-delay": "Hours for a post to get a response moving after a detection.",
    "road-tortuosity": "Road distance over straight-line distance, by terrain.",
    "guard-strength": "Strength of the border guard service (about 4 per km of border here).",
    "reserve-strength": "Strength of the reserve unit at the base.",
    "availability": "On-duty fraction of a force on a shift rota with leave.",
    "unit-mobility": "Hours to move out and road speed of a unit.",
    "team-size": "Guards per patrol team.",
    "personnel-cost": "Cost of one person-day on the border (the schema counts it in RUB).",
    "smuggling-rate": "Smuggling attempts per day along the whole border.",
    "group-sizes": "People per crossing group.",
    "adversary-values": "Relative value to the adversary of one successful crossing.",
    "turn-back": "Share of detected groups that turn back to the far side.",
    "route-preferences": "Preference of crossers for a terrain class.",
    "raid-rate": "Armed raids on border posts per day, and their attackers.",
    "incursion-model": "Post spacing, kill rates, break points and reinforcement shares of the "
    "armed-incursion model (the Tajik-Afghan built-in's assumed values).",
}


def placeholder_forces(length_km: float, base: str) -> dict[str, Any]:
    """Terrain parameters, one guard force, one reserve, two threats and two policies, all placeholders
    at the Tajik-Afghan built-in's assumed scale; the evidence ledger names each one."""
    terrain: dict[str, dict[str, Any]] = {
        t: {} for t in ("plain", "foothill", "gorge", "high_mountain")
    }
    for field, (unit_name, key, rows) in _TERRAIN_DEFAULTS.items():
        for t, (v, lo, hi) in zip(terrain, rows, strict=True):
            terrain[t][field] = _q(v, key, unit_name, lo, hi)
    guards = max(10, int(round(4 * length_km, -1)))

    def unit(uid: str, name: str, kind: str, strength: dict[str, Any], posture: str,
             team: int) -> dict[str, Any]:  # fmt: skip
        return {
            "id": uid, "name": name, "side": "TJ", "kind": kind, "strength": strength,
            "base": base, "availability": _q(0.33, "availability", None, 0.25, 0.5),
            "readiness_hours": _q(2, "unit-mobility", "h", 1, 4),
            "road_speed_kmh": _q(40, "unit-mobility", "km/h", 30, 50),
            "team_size": _q(team, "team-size", None, 3, 12),
            "cost_per_person_day": _q(1500, "personnel-cost", "RUB", 800, 3000),
            "posture": posture,
        }  # fmt: skip

    units = [
        unit("guards", "Border guards (placeholder strength)", "border_guard",
             _q(guards, "guard-strength", "troops", guards // 2, guards * 2), "border", 6),
        unit("reserve", "Reserve at the base (placeholder strength)", "motor_rifle",
             _q(500, "reserve-strength", "troops", 200, 1000), "reserve", 10),
    ]  # fmt: skip
    prefs = {"plain": (1.0, 0.5, 1.5), "foothill": (0.8, 0.4, 1.2), "gorge": (0.6, 0.3, 0.9),
             "high_mountain": (0.2, 0.1, 0.3)}  # fmt: skip
    actors = [
        {"id": "smugglers", "name": "Smugglers (placeholder rates)", "kind": "covert",
         "rate_per_day": _q(5, "smuggling-rate", "attempts/day", 1, 20),
         "group_size": _q(3, "group-sizes", "people", 1, 8),
         "value": _q(1, "adversary-values"), "turn_back": _q(0.3, "turn-back", None, 0.1, 0.5),
         "choice": {"model": "fixed"},
         "terrain_weight": {t: _q(v, "route-preferences", None, lo, hi)
                            for t, (v, lo, hi) in prefs.items()}},
        {"id": "raiders", "name": "Armed raids on posts (placeholder rates)", "kind": "armed",
         "rate_per_day": _q(0.01, "raid-rate", "events/day", 0.002, 0.05),
         "group_size": _q(30, "raid-rate", "fighters", 10, 100),
         "attackers": _q(30, "raid-rate", "fighters", 10, 100),
         "value": _q(10, "adversary-values"),
         "control_weight": {"government": _q(1.0, "raid-rate")}},
    ]  # fmt: skip
    inc = {"post_spacing_km": (10, "km", 5, 20), "fortification": (3, None, 1.5, 5),
           "alpha": (0.01, "defenders/attacker/h", 0.005, 0.02),
           "beta": (0.05, "attackers/defender/h", 0.025, 0.1), "break_defender": (0.3, None, 0.1, 0.5),
           "break_attacker": (0.5, None, 0.3, 0.8), "time_limit_hours": (24, "h", 12, 48),
           "local_fraction": (0.5, None, 0.25, 1.0), "reserve_fraction": (0.1, None, 0.05, 0.3),
           "air_fraction": (1.0, None, 0.5, 1.0), "breach_detection_factor": (0.5, None, 0.25, 0.8),
           "breach_detection_days": (7, "days", 3, 14)}  # fmt: skip
    policies = {
        "baseline": {
            "description": "As generated: the guards on the border, the reserve at its base."
        },
        "reserve-on-border": {
            "description": "The reserve joins the guards on the border from day 1.",
            "actions": [{"kind": "set_posture", "unit": "reserve", "posture": "border"}],
        },
    }
    return {
        "sources": {},
        "evidence": {k: _ph(v) for k, v in _PLACEHOLDER_WHAT.items()},
        "terrain": terrain,
        "units": units,
        "actors": actors,
        "incursions": {k: _q(v, "incursion-model", u, lo, hi) for k, (v, u, lo, hi) in inc.items()},
        "policies": policies,
    }


def dump_yaml(data: dict[str, Any], comments: Sequence[str] = ()) -> str:
    """YAML text of scenario data: small all-scalar mappings and scalar lists in flow style, as in the
    built-ins; ``comments`` (already ``#``-prefixed) on top."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)
    return "".join(f"{c}\n" for c in comments) + body


class _Dumper(yaml.SafeDumper):
    pass


def _scalar(v: Any) -> bool:
    return not isinstance(v, dict | list | tuple)


def _repr_dict(d: _Dumper, data: dict[Any, Any]) -> yaml.Node:
    flow = (
        bool(data)
        and all(map(_scalar, data.values()))
        and sum(len(str(k)) + len(str(v)) + 4 for k, v in data.items()) < 90
    )
    return d.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _repr_list(d: _Dumper, data: Any) -> yaml.Node:
    return d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=all(map(_scalar, data)))


_Dumper.add_representer(dict, _repr_dict)
_Dumper.add_representer(list, _repr_list)
_Dumper.add_representer(tuple, _repr_list)


def export_data(path: str | Path) -> dict[str, Any]:
    """A scenario file's data with its includes merged: what ``bordersim export`` writes."""
    return load_data(path, (DATA_DIR,)).data
