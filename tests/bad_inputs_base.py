"""The small valid scenario the bad-input suite breaks one thing at a time (see test_bad_inputs.py).

Two sectors, a crossing, two bases, two units (one on request), a covert, an armed and a fleeing
actor, a timeline of several action kinds and two policies, with the shared ledger included: every
field kind the schema checks appears once, so each mutation has a single line to point at.
:class:`Case` and :func:`yaml_case` turn one replacement in it into a case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BASE = """\
id: tiny
title: "Tiny test scenario"
description: "Two sectors, two units, three actors."
include: [tj-af-common.yaml]
period: {start: 2021-06-01, days: 30}
border:
  geometry: border-tj-af.geojson
  geometry_feature: gshhg_wdbii_full
  official_length_km: {value: 1344.15, unit: km, evidence: border-length}
  sectors:
    - id: a
      name: "West"
      start_km: 0
      end_km: 600
      terrain: plain
      group: West
      afghan_district: "Kaldar"
      afghan_province: Balkh
      control: government
    - id: b
      name: "East"
      start_km: 600
      end_km: 1344.15
      terrain: gorge
      group: East
      afghan_district: "Darwaz"
      afghan_province: Badakhshan
      control: contested
  crossings:
    - id: panj
      name: "Panji Poyon"
      km: 126.7
      capacity_per_day: {value: 200, low: 50, high: 400, evidence: reception-capacity}
bases:
  - {id: hq, name: "HQ", lat: 38.5, lon: 68.8, km: 300, distance_km: 100}
  - {id: kulob, name: "Kulob", lat: 37.9, lon: 69.8, km: 460.6, distance_km: 32.9}
units:
  - id: guards
    name: "Guards"
    side: TJ
    kind: border_guard
    strength: {value: 5000, unit: troops, low: 4000, high: 6000, evidence: tj-border-troops}
    base: hq
    availability: {value: 0.33, low: 0.25, high: 0.5, evidence: availability}
    readiness_hours: {value: 2, unit: h, evidence: unit-mobility}
    road_speed_kmh: {value: 40, unit: km/h, evidence: unit-mobility}
    team_size: {value: 6, evidence: team-size}
    cost_per_person_day: {value: 1500, evidence: personnel-cost}
    allocation:
      policy: weights
      weights: {a: 2, b: 1}
  - id: reserve
    name: "Reserve"
    side: RU
    kind: motor_rifle
    strength: {value: 2000, evidence: 201st-strength}
    base: kulob
    availability: {value: 0.5, evidence: availability}
    readiness_hours: {value: 6, evidence: unit-mobility}
    road_speed_kmh: {value: 35, evidence: unit-mobility}
    posture: reserve
    activation:
      mode: on_request
      delay_days: {value: 2, low: 1, high: 5, evidence: on-request-delay}
    active_from: 2021-06-01
    active_until: 2021-12-31
actors:
  - id: smugglers
    name: "Smugglers"
    kind: covert
    rate_per_day: {value: 10, unit: attempts/day, evidence: covert-rates}
    group_size: {value: 3, unit: people, evidence: group-sizes}
    value: {value: 1, evidence: adversary-values}
    turn_back: {value: 0.3, evidence: turn-back}
    terrain_weight:
      gorge: {value: 1.5, evidence: route-preferences}
    choice:
      model: quantal
      rationality: {value: 1, low: 0, high: 3, evidence: route-preferences}
      memory_days: 14
  - id: raiders
    name: "Raiders"
    kind: armed
    rate_per_day: {value: 0.02, evidence: armed-incursions}
    group_size: {value: 50, evidence: armed-incursions}
    value: {value: 5, evidence: adversary-values}
    attackers: {value: 200, low: 150, high: 250, evidence: armed-incursions}
  - id: refugees
    name: "Refugees"
    kind: fleeing
    rate_per_day: {value: 20, evidence: covert-rates}
    group_size: {value: 1, evidence: group-sizes}
    value: {value: 0, evidence: adversary-values}
    crossings: {panj: 1.0}
timeline:
  - date: 2021-07-01
    description: "Far bank falls"
    evidence: kunduz-surge
    actions:
      - {kind: set_control, sectors: [a], control: taliban}
      - {kind: scale_rate, actor: smugglers, factor: {value: 2, evidence: kunduz-surge}}
      - kind: fleeing_batch
        actor: refugees
        arrivals: {panj: 300}
escalation: {mode: threshold, window_days: 7, threshold: 3}
policies:
  aid:
    description: "Equipment aid"
    actions:
      - {kind: set_equipment, multiplier: {value: 1.5, evidence: aid-equipment-effect}}
    cost_rub: {value: 1000000000, evidence: aid-programme}
    cost_years: {value: 5, evidence: aid-service-life}
  reserve-forward:
    description: "Reserve to the border"
    actions:
      - {kind: set_posture, unit: reserve, posture: border}
"""


@dataclass(frozen=True)
class Case:
    """One bad input: ``build(tmp)`` writes any files and returns the command line."""

    id: str
    build: Callable[[Path], list[str]]
    words: tuple[str, ...]  # fragments the message must hold (whitespace-normalised)
    located: str | None = None  # "FILE:LINE: PATH" the message must hold, FILE relative to tmp


def write_file(tmp: Path, name: str, text: str | bytes) -> Path:
    p = tmp / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def line_of(text: str, fragment: str) -> int:
    i = text.index(fragment)
    return text.count("\n", 0, i) + 1


def yaml_case(
    id: str,
    old: str,
    new: str,
    path: str,
    *words: str,
    command: str = "validate",
    at: str | None = None,
) -> Case:
    """Replace ``old`` (once in BASE) by ``new``; the message names ``path`` at the line of ``new``
    (or of the text ``at``, e.g. the mapping that lacks a required field)."""
    assert BASE.count(old) == 1, f"{id}: {old!r} must occur once in BASE"
    text = BASE.replace(old, new)
    line = line_of(text, at or new)

    def build(tmp: Path) -> list[str]:
        f = write_file(tmp, "sc.yaml", text)
        if command == "run":
            return ["run", str(f), "-n", "2", "--days", "3", "--out", str(tmp / "out")]
        return ["validate", str(f)]

    return Case(id, build, words, f"sc.yaml:{line}: {path}")
