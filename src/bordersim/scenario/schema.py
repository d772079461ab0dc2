"""The scenario schema: border, forces, threats, timeline, policy levers and the evidence ledger.

Every model is immutable and rejects unknown keys. Cross-references (a unit's base, an event's sectors,
a quantity's ledger key, a claim's source) and the geometry (sectors tile the border) are checked by
:class:`Scenario`'s validator, so a loaded scenario is always internally consistent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from bordersim.scenario.actor_outputs import InterdictionOutputs
from bordersim.scenario.consistency import (
    ScenarioConsistencyError,
    check_ranges,
    check_references,
    check_tiling,
    walk_quantities,
    walk_quantities_with_path,
)
from bordersim.scenario.evidence import Evidence, Frozen, Quantity, Source
from bordersim.scenario.levers import Escalation, Incursions
from bordersim.scenario.validation import (
    MAX_DAYS,
    MAX_KM,
    Count,
    Day,
    Name,
    Real,
    Text,
)

Terrain = Literal["plain", "foothill", "gorge", "high_mountain"]
TERRAINS: tuple[Terrain, ...] = ("plain", "foothill", "gorge", "high_mountain")
Control = Literal["government", "taliban", "contested"]
CONTROLS: tuple[Control, ...] = ("government", "taliban", "contested")
Side = Literal["TJ", "RU", "CSTO"]
UnitKind = Literal["border_guard", "motor_rifle", "air_mobile", "rapid_reaction"]
Posture = Literal["border", "reserve", "inactive"]
ActorKind = Literal["covert", "armed", "fleeing"]

#: Most people one fleeing batch may bring to one crossing (see validation's strength bound).
MAX_PEOPLE = 10**7


class Sector(Frozen):
    """A stretch of the official border line, by chainage (km from the western tripoint)."""

    id: Name
    name: Name
    start_km: Real = Field(ge=0, le=MAX_KM)
    end_km: Real = Field(le=MAX_KM)
    terrain: Terrain
    group: Name = Field(description="historic detachment area used to group results")
    afghan_district: Name
    afghan_province: Name
    control: Control

    @property
    def length_km(self) -> float:
        return self.end_km - self.start_km


class Crossing(Frozen):
    """An official crossing or a place where people fleeing are received."""

    id: Name
    name: Name
    km: Real = Field(ge=0, le=MAX_KM)
    official: bool = True
    capacity_per_day: Quantity | None = Field(
        default=None, description="people received per day (for people fleeing)"
    )


class Border(Frozen):
    geometry: Name = Field(description="package data file with the border line (GeoJSON)")
    geometry_feature: Name = "gshhg_wdbii_full"
    official_length_km: Quantity
    sectors: tuple[Sector, ...]
    crossings: tuple[Crossing, ...] = ()


class TerrainParams(Frozen):
    """Per-terrain-class parameters of detection and response."""

    sweep_width_km: Quantity = Field(description="Koopman effective sweep width per on-duty guard")
    vanish_mean_hours: Quantity = Field(description="mean time for a detected group to vanish")
    patrol_speed_kmh: Quantity
    base_delay_hours: Quantity = Field(description="r0: time to get a patrol moving")
    road_tortuosity: Quantity = Field(description="road distance / straight-line distance")


class Base(Frozen):
    id: Name
    name: Name
    lat: Real = Field(ge=-90, le=90)
    lon: Real = Field(ge=-180, le=180)
    km: Real = Field(ge=0, le=MAX_KM, description="chainage of the nearest point of the border")
    distance_km: Real = Field(ge=0, le=MAX_KM, description="straight-line distance to that point")


class Activation(Frozen):
    """When a unit acts: always, only after Tajikistan requests help, or CSTO ramp-up."""

    mode: Literal["always", "on_request", "csto"] = "always"
    delay_days: Quantity | None = None
    ramp_days: Quantity | None = None

    @model_validator(mode="after")
    def _needs_delay(self) -> Activation:
        if self.mode != "always" and self.delay_days is None:
            raise ValueError(f"activation mode {self.mode!r} needs `delay_days`")
        if self.mode == "csto" and self.ramp_days is None:
            raise ValueError("activation mode 'csto' needs `ramp_days`")
        return self


class Allocation(Frozen):
    """How a unit on the border spreads over sectors."""

    policy: Literal["proportional_length", "uniform", "weights"] = "proportional_length"
    sectors: tuple[Name, ...] | None = Field(default=None, description="subset; default all")
    weights: dict[Name, Real] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Allocation:
        if self.policy == "weights" and not self.weights:
            raise ValueError("allocation policy 'weights' needs `weights`")
        if self.weights and any(w < 0 for w in self.weights.values()):
            raise ScenarioConsistencyError([(("weights",), "allocation weights must be >= 0")])
        if self.weights and not any(w > 0 for w in self.weights.values()):
            raise ScenarioConsistencyError([(("weights",), "allocation weights must not all be 0")])
        return self


class Unit(Frozen):
    id: Name
    name: Name
    side: Side
    kind: UnitKind
    strength: Quantity
    base: Name
    availability: Quantity = Field(description="on-duty fraction in [0, 1]")
    readiness_hours: Quantity
    road_speed_kmh: Quantity
    air_speed_kmh: Quantity | None = None
    team_size: Quantity | None = Field(default=None, description="guards per patrol team")
    lift_per_sortie: Quantity | None = None
    sorties_per_day: Quantity | None = None
    cost_per_person_day: Quantity | None = None
    activation: Activation = Activation()
    posture: Posture = "border"
    allocation: Allocation = Allocation()
    active_from: Day | None = None
    active_until: Day | None = None

    @model_validator(mode="after")
    def _window(self) -> Unit:
        _check_window(self.active_from, self.active_until)
        return self


class Choice(Frozen):
    model: Literal["fixed", "best_response", "quantal", "adaptive"] = "fixed"
    rationality: Quantity | None = None
    learning_rate: Quantity | None = None
    memory_days: Count = Field(default=14, ge=1, le=int(MAX_DAYS))

    @model_validator(mode="after")
    def _params(self) -> Choice:
        if self.model == "quantal" and self.rationality is None:
            raise ValueError("choice model 'quantal' needs `rationality`")
        if self.model == "adaptive" and self.learning_rate is None:
            raise ValueError("choice model 'adaptive' needs `learning_rate`")
        return self


class Actor(InterdictionOutputs):
    """Who or what crosses from Afghanistan."""

    id: Name
    name: Name
    kind: ActorKind
    rate_per_day: Quantity = Field(description="attempts (covert), events (armed) or people/day")
    group_size: Quantity
    value: Quantity = Field(description="adversary's value of one successful crossing")
    turn_back: Quantity | None = Field(
        default=None, description="phi: fraction of detected got-aways that turn back"
    )
    choice: Choice = Choice()
    terrain_weight: dict[Terrain, Quantity] = Field(default_factory=dict)
    control_weight: dict[Control, Quantity] = Field(default_factory=dict)
    crossings: dict[Name, Real] | None = Field(
        default=None, description="fleeing: share of arrivals per reception crossing"
    )
    attackers: Quantity | None = Field(default=None, description="armed: attacker strength")
    active_from: Day | None = None
    active_until: Day | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> Actor:
        if self.kind == "covert" and self.turn_back is None:
            raise ValueError("a covert actor needs `turn_back`")
        if self.kind == "fleeing" and not self.crossings:
            raise ValueError("a fleeing actor needs `crossings` (where people are received)")
        if self.kind == "armed" and self.attackers is None:
            raise ValueError("an armed actor needs `attackers`")
        if self.crossings and (
            any(w < 0 for w in self.crossings.values())
            or not any(w > 0 for w in self.crossings.values())
        ):
            msg = "`crossings` shares must be >= 0 and not all 0"
            raise ScenarioConsistencyError([(("crossings",), msg)])
        _check_window(self.active_from, self.active_until)
        return self


def _check_window(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        msg = f"active_until ({end}) is before active_from ({start})"
        raise ScenarioConsistencyError([(("active_until",), msg)])


# --- timeline and policy actions -----------------------------------------------------------------


class SetControl(Frozen):
    kind: Literal["set_control"]
    sectors: tuple[Name, ...]
    control: Control


class ScaleRate(Frozen):
    kind: Literal["scale_rate"]
    actor: Name
    factor: Quantity


class FleeingBatch(Frozen):
    """A batch of people arriving at reception crossings on the event's date."""

    kind: Literal["fleeing_batch"]
    actor: Name
    arrivals: dict[Name, Count]
    total: Quantity | None = Field(
        default=None, description="rescale the arrivals to this total (sources disagree on it)"
    )

    @field_validator("arrivals")
    @classmethod
    def _non_negative(cls, v: dict[str, int]) -> dict[str, int]:
        if any(n < 0 for n in v.values()):
            raise ValueError("arrivals must be >= 0")
        if any(n > MAX_PEOPLE for n in v.values()):
            raise ValueError(f"arrivals must be <= {MAX_PEOPLE:g} people per crossing")
        return v


class TransferSectors(Frozen):
    """Sectors move from one border unit to another (the 2004-2005 handover)."""

    kind: Literal["transfer_sectors"]
    from_unit: Name
    to_unit: Name
    sectors: tuple[Name, ...]


class SetStrength(Frozen):
    kind: Literal["set_strength"]
    unit: Name
    strength: Quantity


class SetPosture(Frozen):
    kind: Literal["set_posture"]
    unit: Name
    posture: Posture
    allocation: Allocation | None = None


class MoveBase(Frozen):
    kind: Literal["move_base"]
    unit: Name
    base: Name


class SetEquipment(Frozen):
    """Equipment multiplier e_s >= 1 on some (default all) sectors."""

    kind: Literal["set_equipment"]
    multiplier: Quantity
    sectors: tuple[Name, ...] | None = None


class SetChoice(Frozen):
    kind: Literal["set_choice"]
    actor: Name
    choice: Choice


Action = Annotated[
    SetControl
    | ScaleRate
    | FleeingBatch
    | TransferSectors
    | SetStrength
    | SetPosture
    | MoveBase
    | SetEquipment
    | SetChoice,
    Field(discriminator="kind"),
]


class Event(Frozen):
    """A dated change to the scenario, with its evidence."""

    date: Day
    description: Text
    evidence: Name = Field(description="ledger key: the source of the event, or why it is assumed")
    actions: tuple[Action, ...]


class Policy(Frozen):
    """A named variant: changes applied from the first day, plus levers."""

    description: Text
    actions: tuple[Action, ...] = ()
    escalation: Escalation | None = None
    cost_rub: Quantity | None = Field(default=None, description="cost of the policy's programme")
    cost_years: Quantity | None = Field(
        default=None,
        description="years the programme serves: its cost is spread evenly over them, so a run "
        "is charged only for the days it covers (required with cost_rub)",
    )

    @model_validator(mode="after")
    def _cost_life(self) -> Policy:
        if self.cost_rub is not None and self.cost_years is None:
            raise ValueError("a policy with `cost_rub` needs `cost_years` (its service life)")
        return self  # cost_years > 0 is checked with every quantity's bounds (POSITIVE_FIELDS)


class Period(Frozen):
    start: Day
    days: Count = Field(gt=0, le=int(MAX_DAYS))


class Scenario(Frozen):
    """A complete, validated scenario."""

    id: Name
    title: Text
    description: Text
    period: Period
    sources: dict[Name, Source]
    evidence: dict[Name, Evidence] = Field(default_factory=dict)
    border: Border
    terrain: dict[Terrain, TerrainParams]
    bases: tuple[Base, ...]
    units: tuple[Unit, ...]
    actors: tuple[Actor, ...]
    timeline: tuple[Event, ...] = ()
    escalation: Escalation = Escalation()
    incursions: Incursions = Incursions()
    policies: dict[Name, Policy] = Field(default_factory=dict)

    # ---- consistency -----------------------------------------------------------------------------
    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        errors: list[tuple[tuple[str | int, ...], str]] = []
        check_ranges(self, errors)
        if not any(p[:2] == ("border", "official_length_km") for p, _ in errors):
            check_tiling(self, errors)  # a bad length would fail every sector and crossing too
        check_references(self, errors)
        if errors:
            raise ScenarioConsistencyError(errors)
        return self

    # ---- helpers ---------------------------------------------------------------------------------
    def quantities(self) -> Iterator[tuple[str, Quantity]]:
        """Every quantity in the scenario with a stable dotted name (used as factor names)."""
        yield from walk_quantities(self, "")

    def quantity_paths(self) -> Iterator[tuple[tuple[str | int, ...], Quantity]]:
        """Every quantity with its field path as in the YAML file, in :meth:`quantities` order."""
        yield from _walk_quantities_with_path(self, ())

    def sector_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.border.sectors)


# compile (model layer) imports this name; the walker lives with the checks now
_walk_quantities_with_path = walk_quantities_with_path
