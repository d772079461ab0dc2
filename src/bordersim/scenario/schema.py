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

from bordersim.scenario.evidence import Evidence, Frozen, Quantity, Source
from bordersim.scenario.validation import (
    MAX_DAYS,
    MAX_KM,
    Count,
    Day,
    Name,
    Real,
    Text,
    quantity_problem,
)

Terrain = Literal["plain", "foothill", "gorge", "high_mountain"]
TERRAINS: tuple[Terrain, ...] = ("plain", "foothill", "gorge", "high_mountain")
Control = Literal["government", "taliban", "contested"]
CONTROLS: tuple[Control, ...] = ("government", "taliban", "contested")
Side = Literal["TJ", "RU", "CSTO"]
UnitKind = Literal["border_guard", "motor_rifle", "air_mobile", "rapid_reaction"]
Posture = Literal["border", "reserve", "inactive"]
ActorKind = Literal["covert", "armed", "fleeing"]

_TOL_KM = 1e-6
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


class Actor(Frozen):
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


class Incursions(Frozen):
    """Parameters of the armed-incursion model (DESIGN "Armed incursions"). Every field is optional:
    a scenario that gives none gets the engine's assumed placeholders (listed in
    :data:`bordersim.model.compile.INCURSION_DEFAULTS`), so older scenario files stay valid.

    Kill rates are per capita per hour (Lanchester's square law); fractions lie in [0, 1].
    """

    post_spacing_km: Quantity | None = Field(
        default=None,
        description="km of border per outpost: garrison = guards_s * spacing / length_s",
    )
    fortification: Quantity | None = Field(
        default=None, description="multiplier on the defenders' kill rate at a fortified post"
    )
    alpha: Quantity | None = Field(
        default=None, description="attackers' kill rate: defenders per attacker per hour"
    )
    beta: Quantity | None = Field(
        default=None, description="defenders' kill rate: attackers per defender per hour"
    )
    break_defender: Quantity | None = Field(
        default=None, description="defenders break at this fraction of their committed strength"
    )
    break_attacker: Quantity | None = Field(
        default=None, description="attackers break at this fraction of their initial strength"
    )
    time_limit_hours: Quantity | None = Field(
        default=None, description="an attack not decided by then is undecided (withdrawal)"
    )
    local_fraction: Quantity | None = Field(
        default=None, description="share of a neighbouring post's garrison sent to help"
    )
    reserve_fraction: Quantity | None = Field(
        default=None, description="share of a ground reserve unit's on-duty strength committed"
    )
    air_fraction: Quantity | None = Field(
        default=None, description="share of an air-mobile unit's on-duty strength flown in"
    )
    breach_detection_factor: Quantity | None = Field(
        default=None, description="p_detect multiplier in a sector after a breach"
    )
    breach_detection_days: Quantity | None = Field(
        default=None, description="days the lowered detection lasts (the breach day included)"
    )


class Escalation(Frozen):
    """When Tajikistan asks for help (policy lever)."""

    mode: Literal["never", "threshold", "date"] = "never"
    window_days: Count = Field(default=7, ge=1, le=int(MAX_DAYS))
    threshold: Count = Field(default=3, ge=1, le=10**6)
    date: Day | None = None


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
        _check_ranges(self, errors)
        if not any(p[:2] == ("border", "official_length_km") for p, _ in errors):
            _check_tiling(self, errors)  # a bad length would fail every sector and crossing too
        _check_references(self, errors)
        if errors:
            raise ScenarioConsistencyError(errors)
        return self

    # ---- helpers ---------------------------------------------------------------------------------
    def quantities(self) -> Iterator[tuple[str, Quantity]]:
        """Every quantity in the scenario with a stable dotted name (used as factor names)."""
        yield from _walk_quantities(self, "")

    def sector_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.border.sectors)


class ScenarioConsistencyError(ValueError):
    """Cross-field problems found after field validation, each with its field path."""

    def __init__(self, errors: list[tuple[tuple[str | int, ...], str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in errors))


def _walk_quantities(obj: object, prefix: str) -> Iterator[tuple[str, Quantity]]:
    if isinstance(obj, Quantity):
        yield prefix, obj
        return
    if isinstance(obj, Frozen):
        for name in type(obj).model_fields:
            if name == "evidence" and isinstance(obj, Scenario):
                continue
            yield from _walk_quantities(getattr(obj, name), f"{prefix}.{name}" if prefix else name)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk_quantities(v, f"{prefix}.{k}")
    elif isinstance(obj, tuple):
        for i, v in enumerate(obj):
            key = getattr(v, "id", None)
            yield from _walk_quantities(v, f"{prefix}.{key}" if key else f"{prefix}[{i}]")


def _check_tiling(sc: Scenario, errors: list[tuple[tuple[str | int, ...], str]]) -> None:
    length = sc.border.official_length_km.value
    pos = 0.0
    ids: set[str] = set()
    for i, s in enumerate(sc.border.sectors):
        path: tuple[str | int, ...] = ("border", "sectors", i)
        if s.id in ids:
            errors.append(((*path, "id"), f"duplicate sector id {s.id!r}"))
        ids.add(s.id)
        if s.end_km <= s.start_km:
            errors.append(((*path, "end_km"), f"end_km {s.end_km} must exceed start_km"))
        if s.start_km > pos + _TOL_KM:
            errors.append(((*path, "start_km"), f"gap: previous sector ends at km {pos:g}"))
        elif s.start_km < pos - _TOL_KM:
            errors.append(((*path, "start_km"), f"overlap: previous sector ends at km {pos:g}"))
        pos = s.end_km
    if sc.border.sectors and abs(pos - length) > 1e-3:
        errors.append(
            (
                ("border", "sectors", len(sc.border.sectors) - 1, "end_km"),
                f"sectors end at km {pos:g} but the official length is {length:g} km",
            )
        )
    for i, c in enumerate(sc.border.crossings):
        if c.km > length + _TOL_KM:
            errors.append(
                (("border", "crossings", i, "km"), f"km {c.km:g} is beyond the border's end")
            )


def _check_references(sc: Scenario, errors: list[tuple[tuple[str | int, ...], str]]) -> None:
    sectors = set(sc.sector_ids())
    bases = {b.id for b in sc.bases}
    units = {u.id for u in sc.units}
    actors = {a.id for a in sc.actors}
    crossings = {c.id for c in sc.border.crossings}

    def need(path: tuple[str | int, ...], value: str, known: set[str], what: str) -> None:
        if value not in known:
            hint = ", ".join(sorted(known)[:8])
            errors.append((path, f"unknown {what} {value!r} (known: {hint})"))

    for path, q in _walk_quantities_with_path(sc, ()):
        if q.evidence is not None and q.evidence not in sc.evidence:
            errors.append(((*path, "evidence"), f"unknown ledger key {q.evidence!r}"))
        for j, c in enumerate(q.claims):
            need((*path, "claims", j, "source"), c.source, set(sc.sources), "source")
    for key, ev in sc.evidence.items():
        for j, c in enumerate(ev.claims):
            need(("evidence", key, "claims", j, "source"), c.source, set(sc.sources), "source")
    for i, u in enumerate(sc.units):
        need(("units", i, "base"), u.base, bases, "base")
        for s in u.allocation.sectors or ():
            need(("units", i, "allocation", "sectors"), s, sectors, "sector")
        for s in u.allocation.weights or {}:
            need(("units", i, "allocation", "weights"), s, sectors, "sector")
    for i, a in enumerate(sc.actors):
        for cid in a.crossings or {}:
            need(("actors", i, "crossings"), cid, crossings, "crossing")

    def check_actions(path: tuple[str | int, ...], actions: tuple[Action, ...]) -> None:
        for j, act in enumerate(actions):
            p = (*path, j)
            for s in getattr(act, "sectors", None) or ():
                need((*p, "sectors"), s, sectors, "sector")
            for field in ("unit", "from_unit", "to_unit"):
                if hasattr(act, field):
                    need((*p, field), getattr(act, field), units, "unit")
            if hasattr(act, "actor"):
                need((*p, "actor"), act.actor, actors, "actor")
            if isinstance(act, MoveBase):
                need((*p, "base"), act.base, bases, "base")
            if isinstance(act, FleeingBatch):
                for cid in act.arrivals:
                    need((*p, "arrivals"), cid, crossings, "crossing")

    for i, event in enumerate(sc.timeline):
        need(("timeline", i, "evidence"), event.evidence, set(sc.evidence), "ledger key")
        check_actions(("timeline", i, "actions"), event.actions)
    for name, pol in sc.policies.items():
        check_actions(("policies", name, "actions"), pol.actions)


def _check_ranges(sc: Scenario, errors: list[tuple[tuple[str | int, ...], str]]) -> None:
    """Every quantity's whole range (value, low, high and its claims in the same unit) within its
    field's physical domain (:data:`bordersim.scenario.validation.QUANTITY_BOUNDS`)."""
    for path, q in _walk_quantities_with_path(sc, ()):
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        if q.evidence is not None and q.evidence not in sc.evidence:
            lo = q.low if q.low is not None else q.value  # the unknown key is reported elsewhere
            hi = q.high if q.high is not None else q.value
        else:
            lo, hi = q.bounds(sc.evidence)
        problem = quantity_problem(field, q.value, min(lo, q.value), max(hi, q.value))
        if problem:
            errors.append(((*path, "value"), problem))
    for name in sc.policies:
        if "+" in name:
            errors.append(
                (("policies", name), "a policy name may not hold '+' (it joins policies)")
            )


def _walk_quantities_with_path(
    obj: object, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Quantity]]:
    """Like :meth:`Scenario.quantities` but with the field path as in the YAML file."""
    if isinstance(obj, Quantity):
        yield path, obj
        return
    if isinstance(obj, Frozen):
        for name in type(obj).model_fields:
            if name == "evidence" and isinstance(obj, Scenario):
                continue
            yield from _walk_quantities_with_path(getattr(obj, name), (*path, name))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk_quantities_with_path(v, (*path, k))
    elif isinstance(obj, tuple):
        for i, v in enumerate(obj):
            yield from _walk_quantities_with_path(v, (*path, i))
