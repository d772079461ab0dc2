"""compile(): a validated Scenario to plain NumPy arrays (sectors x units x actors) for the engine.

The timeline, a policy's actions and escalation dates make the scenario piecewise constant in time; the
compiled form is a tuple of :class:`Phase` objects, each the arrays in force from its first day. All the
model's closed-form probabilities are evaluated here with the model layer's functions, so the engine only
draws random numbers and keeps state.

Quantities take their nominal ``value`` unless ``overrides`` (factor name -> value, names as in
:meth:`Scenario.quantities`) say otherwise: that is how experiments sample the uncertainty space.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim.model import choice as choice_model
from bordersim.model.activation import (
    air_lift_arrivals,
    reserve_response_hours,
    road_distance_km,
)
from bordersim.model.detection import detection_probability
from bordersim.model.interdiction import (
    interdiction_probability,
    response_time_hours,
)
from bordersim.model.outcomes import outcome_probabilities, success_probability
from bordersim.scenario.geometry import haversine_km, load_line
from bordersim.scenario.schema import (
    CONTROLS,
    TERRAINS,
    Action,
    Allocation,
    Choice,
    FleeingBatch,
    MoveBase,
    Quantity,
    ScaleRate,
    Scenario,
    SetChoice,
    SetControl,
    SetEquipment,
    SetPosture,
    SetStrength,
    TransferSectors,
    _walk_quantities_with_path,
)
from bordersim.scenario.validation import PolicyNameError, policy_names

CHOICE_CODES = {"fixed": 0, "best_response": 1, "quantal": 2, "adaptive": 3}
SIDES = ("TJ", "RU", "CSTO")
ACTIVATION_CODES = {"always": 0, "on_request": 1, "csto": 2}
ATTACKER_DISTS = {"fixed": 0, "uniform": 1, "triangular": 2}

#: Assumed placeholders for the incursion model when a scenario gives no ``incursions`` section (the
#: built-ins declare their own, with ledger entries). Kill rates per capita per hour: with a 3x
#: fortified post, 48 defenders against 225 attackers lose about 2 men an hour and break after some
#: 14 hours, the order of the 13 July 1993 fight at the 12th outpost (25 killed, timeline).
INCURSION_DEFAULTS: dict[str, float] = {
    "post_spacing_km": 10.0,
    "fortification": 3.0,
    "alpha": 0.01,
    "beta": 0.05,
    "break_defender": 0.3,
    "break_attacker": 0.5,
    "time_limit_hours": 24.0,
    "local_fraction": 0.5,
    "reserve_fraction": 0.1,
    "air_fraction": 1.0,
    "breach_detection_factor": 0.5,
    "breach_detection_days": 7.0,
}


class CompileError(ValueError):
    """A scenario/policy/override combination that cannot be compiled (e.g. unknown policy)."""


# --------------------------------------------------------------------------------------------------
# overrides


def quantity_names(scenario: Scenario) -> dict[str, tuple[str | int, ...]]:
    """Factor name (dotted, ids for list items) -> field path in the scenario."""
    names = {}
    for (name, _q), (path, _q2) in zip(
        scenario.quantities(), _walk_quantities_with_path(scenario, ()), strict=True
    ):
        names[name] = path
    return names


def with_overrides(scenario: Scenario, overrides: Mapping[str, float]) -> Scenario:
    """A copy of the scenario with some quantities' nominal values replaced (re-validated)."""
    if not overrides:
        return scenario
    names = quantity_names(scenario)
    data: Any = scenario.model_dump(mode="python", exclude_none=True)
    for name, value in overrides.items():
        if name not in names:
            raise CompileError(f"unknown factor {name!r}")
        node = data
        for p in names[name]:
            node = node[p]
        node["value"] = float(value)
        for k in ("low", "high"):  # keep the range valid around the new value
            if k in node and (
                (k == "low" and node[k] > value) or (k == "high" and node[k] < value)
            ):
                node[k] = float(value)
    return Scenario.model_validate(data)


# --------------------------------------------------------------------------------------------------
# compiled arrays


@dataclass(frozen=True)
class Phase:
    """Everything the engine needs, constant from ``start_day`` until the next phase."""

    start_day: int
    control: NDArray[np.int8]  # (S,) index into CONTROLS
    guards: NDArray[np.float64]  # (S,) on-duty guards
    equipment: NDArray[np.float64]  # (S,)
    p_detect: NDArray[np.float64]  # (S,)
    response_hours: NDArray[np.float64]  # (S,)
    p_interdict: NDArray[np.float64]  # (S,)
    outcome_p: NDArray[np.float64]  # (S, Ac, 4)
    covert_rate: NDArray[np.float64]  # (Ac,) attempts/day
    choice_code: NDArray[np.int8]  # (Ac,)
    choice_q: NDArray[np.float64]  # (Ac, S) initial / static choice
    choice_values: NDArray[np.float64]  # (Ac, S) adversary value of each sector
    learning_rate: NDArray[np.float64]  # (Ac,) adaptive displacement eta
    fleeing_rate: NDArray[np.float64]  # (Af, P) people/day per reception crossing
    armed_rate: NDArray[np.float64]  # (Aa, S) events/day (simulated from the incursion model on)
    unit_active: NDArray[np.float64]  # (U,) fraction of the unit acting (0..1)
    unit_posture: tuple[str, ...]  # (U,)
    personnel: NDArray[np.float64]  # (3,) persons deployed per day by side TJ, RU, CSTO
    cost_rub_per_day: float
    # --- for per-replication state in the engine (incursions, escalation by threshold) ---
    unit_window: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (U,) 0/1
    unit_guards: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))  # (U, S)
    unit_teams: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))  # (U, S)
    reserve_hours: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (S,)
    reinf_hours: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))  # (J, S)
    reinf_size: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))  # (J, S)


@dataclass(frozen=True)
class Compiled:
    """A scenario as arrays: static labels plus the phases of the period."""

    scenario_id: str
    policy: str
    start: dt.date
    days: int
    sector_ids: tuple[str, ...]
    sector_names: tuple[str, ...]
    sector_groups: tuple[str, ...]
    sector_terrain: NDArray[np.int8]  # index into TERRAINS
    length_km: NDArray[np.float64]  # (S,)
    sector_lonlat: NDArray[np.float64]  # (S, 2) midpoints
    covert_ids: tuple[str, ...]
    covert_names: tuple[str, ...]
    covert_value: NDArray[np.float64]  # (Ac,)
    fleeing_ids: tuple[str, ...]
    armed_ids: tuple[str, ...]
    crossing_ids: tuple[str, ...]
    crossing_names: tuple[str, ...]
    crossing_capacity: NDArray[np.float64]  # (P,)
    unit_ids: tuple[str, ...]
    unit_sides: tuple[str, ...]
    phases: tuple[Phase, ...]
    batches: tuple[tuple[int, int, NDArray[np.int64]], ...]  # (day, fleeing actor, arrivals (P,))
    memory_days: NDArray[np.float64]  # (Ac,)
    request_day: float  # day Tajikistan asks for help (inf: never / decided by the engine)
    escalation: dict[str, Any] = field(default_factory=dict)
    aid_cost_rub_per_day: float = 0.0  # programmes (e.g. aid) spread over their service life
    # --- armed incursions (see bordersim.engine.incursions) ---
    incursion: dict[str, float] = field(default_factory=lambda: dict(INCURSION_DEFAULTS))
    armed_attackers: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 4)))
    """(Aa, 4): low, mode (the nominal value), high, distribution code (ATTACKER_DISTS)."""
    posts: NDArray[np.float64] = field(default_factory=lambda: np.ones(0))  # (S,) outposts
    local_hours: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (S,)
    reinf_unit: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """(J,) unit index of each reinforcement slot (air-mobile units have one slot per wave)."""
    unit_activation: NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    unit_delay_days: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (U,)
    unit_ramp_days: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (U,)
    turn_back: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (Ac,) phi
    sector_sweep: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (S,)
    sector_vanish: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (S,)
    sector_speed: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (S,)
    sector_r0: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (S,)

    @property
    def n_sectors(self) -> int:
        return len(self.sector_ids)

    def phase_index(self) -> NDArray[np.int64]:
        """(days,) index of the phase in force on each day."""
        starts = np.array([p.start_day for p in self.phases])
        return np.searchsorted(starts, np.arange(self.days), side="right") - 1


@dataclass
class _State:
    """The mutable scenario state that actions change, day by day."""

    control: NDArray[np.int8]
    posture: dict[str, str]
    allocation: dict[str, Allocation]
    coverage: dict[
        str, set[str] | None
    ]  # explicit sector set after transfers (None: as allocation)
    base: dict[str, str]
    strength: dict[str, float]
    rate_scale: dict[str, float]
    equipment: NDArray[np.float64]
    choice: dict[str, Choice]


def _v(q: Quantity | None, default: float = 0.0) -> float:
    return default if q is None else float(q.value)


def _apply(sc: Scenario, st: _State, action: Action, sector_index: dict[str, int]) -> None:
    if isinstance(action, SetControl):
        for s in action.sectors:
            st.control[sector_index[s]] = CONTROLS.index(action.control)
    elif isinstance(action, ScaleRate):
        st.rate_scale[action.actor] *= action.factor.value
    elif isinstance(action, TransferSectors):
        for uid in (action.from_unit, action.to_unit):
            if st.coverage[uid] is None:
                unit_alloc = st.allocation[uid]
                st.coverage[uid] = set(unit_alloc.sectors or sector_index)
        from_cov, to_cov = st.coverage[action.from_unit], st.coverage[action.to_unit]
        assert from_cov is not None and to_cov is not None
        from_cov.difference_update(action.sectors)
        to_cov.update(action.sectors)
    elif isinstance(action, SetStrength):
        st.strength[action.unit] = action.strength.value
    elif isinstance(action, SetPosture):
        st.posture[action.unit] = action.posture
        if action.allocation is not None:
            st.allocation[action.unit] = action.allocation
            st.coverage[action.unit] = None
    elif isinstance(action, MoveBase):
        st.base[action.unit] = action.base
    elif isinstance(action, SetEquipment):
        idx = [sector_index[s] for s in action.sectors] if action.sectors else slice(None)
        st.equipment[idx] = action.multiplier.value
    elif isinstance(action, SetChoice):
        st.choice[action.actor] = action.choice
    elif isinstance(action, FleeingBatch):
        pass  # batches are events, not state: collected separately


def _allocation_matrix(
    sc: Scenario, st: _State, length: NDArray[np.float64], sector_index: dict[str, int]
) -> NDArray[np.float64]:
    """(U, S) share of each unit's strength in each sector (rows sum to 1 or 0)."""
    out = np.zeros((len(sc.units), len(length)))
    for i, u in enumerate(sc.units):
        alloc = st.allocation[u.id]
        cov = st.coverage[u.id]
        sectors = cov if cov is not None else set(alloc.sectors or sector_index)
        mask = np.zeros(len(length), dtype=bool)
        mask[[sector_index[s] for s in sectors]] = True
        if alloc.policy == "proportional_length":
            w = np.where(mask, length, 0.0)
        elif alloc.policy == "uniform":
            w = mask.astype(float)
        else:
            w = np.zeros(len(length))
            for s, x in (alloc.weights or {}).items():
                w[sector_index[s]] = x
            w = np.where(mask, w, 0.0)
        total = w.sum()
        if total > 0:
            out[i] = w / total
    return out


def _parse_policies(sc: Scenario, policy: str | None) -> list[str]:
    try:  # unknown names and a policy given twice (it would apply and charge twice) are refused
        return policy_names(policy, sc.policies, sc.id)
    except PolicyNameError as exc:
        raise CompileError(str(exc)) from None


def compile_scenario(
    scenario: Scenario,
    *,
    policy: str | None = None,
    start: dt.date | None = None,
    days: int | None = None,
    overrides: Mapping[str, float] | None = None,
) -> Compiled:
    """Compile a scenario (optionally a policy variant ``a+b``, a period, and factor overrides)."""
    sc = with_overrides(scenario, overrides or {})
    policies = _parse_policies(sc, policy)
    start = start or sc.period.start
    days = days or sc.period.days
    end = start + dt.timedelta(days=days)

    sectors = sc.border.sectors
    S = len(sectors)
    sector_index = {s.id: i for i, s in enumerate(sectors)}
    length = np.array([s.length_km for s in sectors])
    terrain = np.array([TERRAINS.index(s.terrain) for s in sectors], dtype=np.int8)
    L = sc.border.official_length_km.value
    from bordersim.scenario.builtin import DATA_DIR

    line = load_line(str(DATA_DIR / sc.border.geometry), sc.border.geometry_feature)
    mid = np.array([(s.start_km + s.end_km) / 2 for s in sectors])
    mlon, mlat = line.point_at(mid, L)

    tp = [sc.terrain[t] for t in TERRAINS]
    sweep = np.array([tp[t].sweep_width_km.value for t in terrain])
    vanish = np.array([tp[t].vanish_mean_hours.value for t in terrain])
    speed = np.array([tp[t].patrol_speed_kmh.value for t in terrain])
    r0 = np.array([tp[t].base_delay_hours.value for t in terrain])
    tort = np.array([tp[t].road_tortuosity.value for t in terrain])

    covert = [a for a in sc.actors if a.kind == "covert"]
    fleeing = [a for a in sc.actors if a.kind == "fleeing"]
    armed = [a for a in sc.actors if a.kind == "armed"]
    crossings = sc.border.crossings
    cross_index = {c.id: i for i, c in enumerate(crossings)}
    bases = {b.id: b for b in sc.bases}

    st = _State(
        control=np.array([CONTROLS.index(s.control) for s in sectors], dtype=np.int8),
        posture={u.id: u.posture for u in sc.units},
        allocation={u.id: u.allocation for u in sc.units},
        coverage={u.id: None for u in sc.units},
        base={u.id: u.base for u in sc.units},
        strength={u.id: u.strength.value for u in sc.units},
        rate_scale={a.id: 1.0 for a in sc.actors},
        equipment=np.ones(S),
        choice={a.id: a.choice for a in sc.actors},
    )
    escalation = sc.escalation
    aid_cost = 0.0
    for name in policies:
        pol = sc.policies[name]
        for act in pol.actions:
            _apply(sc, st, act, sector_index)
        if pol.escalation is not None:
            escalation = pol.escalation
        if pol.cost_rub is not None and pol.cost_years is not None:
            aid_cost += pol.cost_rub.value / (pol.cost_years.value * 365.25)

    # Events before the period are history: apply them to the initial state.
    events = sorted(sc.timeline, key=lambda e: e.date)
    for ev in events:
        if ev.date < start:
            for act in ev.actions:
                _apply(sc, st, act, sector_index)

    request_day = np.inf
    if escalation.mode == "date" and escalation.date is not None:
        request_day = float((escalation.date - start).days)

    # Phase boundaries: event dates, unit/actor windows, activation steps after a dated request.
    boundaries: set[int] = {0}
    by_day: dict[int, list[Action]] = {}
    batches: list[tuple[int, int, NDArray[np.int64]]] = []
    for ev in events:
        d = (ev.date - start).days
        if 0 <= d < days:
            boundaries.add(d)
            for act in ev.actions:
                if isinstance(act, FleeingBatch):
                    batches.append(_batch(act, d, fleeing, cross_index))
                else:
                    by_day.setdefault(d, []).append(act)
    windowed: tuple[Any, ...] = (*sc.units, *sc.actors)
    for obj in windowed:
        for when in (obj.active_from, obj.active_until):
            if when is not None and start <= when < end:
                boundaries.add((when - start).days)
    if np.isfinite(request_day):
        for u in sc.units:
            if u.activation.mode != "always":
                d0 = request_day + _v(u.activation.delay_days)
                ramp = _v(u.activation.ramp_days) if u.activation.mode == "csto" else 0.0
                for k in range(int(np.ceil(ramp)) + 1):
                    d = int(np.ceil(d0 + k))
                    if 0 <= d < days:
                        boundaries.add(d)

    inc = _incursion_params(sc)
    posts = np.maximum(1.0, length / inc["post_spacing_km"])
    local_hours = r0 + inc["post_spacing_km"] * tort / speed
    slots = _reinforcement_slots(sc, inc)

    phases = []
    for d in sorted(boundaries):
        for act in by_day.get(d, []):
            _apply(sc, st, act, sector_index)
        today = start + dt.timedelta(days=d)
        phases.append(
            _phase(
                sc, st, d, today, request_day, length, terrain, sector_index, (mlon, mlat),
                bases, (sweep, vanish, speed, r0, tort), covert, fleeing, armed, cross_index,
                inc, slots,
            )
        )  # fmt: skip

    return Compiled(
        scenario_id=sc.id,
        policy="+".join(policies) if policies else "baseline",
        start=start,
        days=days,
        sector_ids=tuple(s.id for s in sectors),
        sector_names=tuple(s.name for s in sectors),
        sector_groups=tuple(s.group for s in sectors),
        sector_terrain=terrain,
        length_km=length,
        sector_lonlat=np.column_stack([mlon, mlat]),
        covert_ids=tuple(a.id for a in covert),
        covert_names=tuple(a.name for a in covert),
        covert_value=np.array([a.value.value for a in covert]),
        fleeing_ids=tuple(a.id for a in fleeing),
        armed_ids=tuple(a.id for a in armed),
        crossing_ids=tuple(c.id for c in crossings),
        crossing_names=tuple(c.name for c in crossings),
        crossing_capacity=np.array([_v(c.capacity_per_day, np.inf) for c in crossings]),
        unit_ids=tuple(u.id for u in sc.units),
        unit_sides=tuple(u.side for u in sc.units),
        phases=tuple(phases),
        batches=tuple(batches),
        memory_days=np.array([float(a.choice.memory_days) for a in covert]),
        request_day=request_day,
        escalation=escalation.model_dump(mode="json"),
        aid_cost_rub_per_day=aid_cost,
        incursion=inc,
        armed_attackers=np.array([_attacker_dist(sc, a) for a in armed]).reshape(len(armed), 4),
        posts=posts,
        local_hours=local_hours,
        reinf_unit=np.array(slots, dtype=np.int64),
        unit_activation=np.array(
            [ACTIVATION_CODES[u.activation.mode] for u in sc.units], dtype=np.int8
        ),
        unit_delay_days=np.array([_v(u.activation.delay_days) for u in sc.units]),
        unit_ramp_days=np.array([_v(u.activation.ramp_days) for u in sc.units]),
        turn_back=np.array([_v(a.turn_back) for a in covert]),
        sector_sweep=sweep,
        sector_vanish=vanish,
        sector_speed=speed,
        sector_r0=r0,
    )


def _incursion_params(sc: Scenario) -> dict[str, float]:
    """Nominal incursion parameters: the scenario's, else the assumed placeholders."""
    out = dict(INCURSION_DEFAULTS)
    for name in out:
        q = getattr(sc.incursions, name)
        if q is not None:
            out[name] = float(q.value)
    if out["post_spacing_km"] <= 0:
        raise CompileError("incursions.post_spacing_km must be > 0")
    return out


def _attacker_dist(sc: Scenario, actor: Any) -> list[float]:
    """An armed actor's attacker strength per event: (low, mode, high, distribution code).

    The quantity's range describes how big raids are, event to event (the 1993 attack had
    ~200-250, most are far smaller), so the engine draws each event's strength from the quantity's
    own distribution: triangular with its mode at the nominal value, uniform when the value sits on
    an end of the range, fixed for a point (see :meth:`Quantity.distribution`)."""
    q = actor.attackers
    lo, hi = q.bounds(sc.evidence)
    dist = q.distribution(sc.evidence)
    return [lo, float(q.value), hi, float(ATTACKER_DISTS[dist])]


def _air_waves(u: Any, inc: dict[str, float]) -> int:
    """Waves an air-mobile unit needs to fly in its committed strength (at most)."""
    if u.kind != "air_mobile" or u.lift_per_sortie is None or u.sorties_per_day is None:
        return 0
    lift = u.lift_per_sortie.value
    if lift <= 0 or u.sorties_per_day.value <= 0:
        return 0
    hi = u.strength.high if u.strength.high is not None else u.strength.value
    committed = max(hi, u.strength.value) * u.availability.value * inc["air_fraction"]
    return int(np.ceil(committed / lift))


def _reinforcement_slots(sc: Scenario, inc: dict[str, float]) -> list[int]:
    """Unit index of each reinforcement slot: one per ground unit, one per wave of an air unit.

    Fixed for the whole run (a unit that is not in reserve on some day gets size 0 there), so that
    every engagement of every phase has the same slot layout and all resolve in one call."""
    slots: list[int] = []
    for i, u in enumerate(sc.units):
        waves = _air_waves(u, inc)
        slots.extend([i] * (waves if waves else 1))
    return slots


def _batch(
    act: FleeingBatch, day: int, fleeing: list[Any], cross_index: dict[str, int]
) -> tuple[int, int, NDArray[np.int64]]:
    arrivals = np.zeros(len(cross_index), dtype=np.int64)
    for c, n in act.arrivals.items():
        arrivals[cross_index[c]] = n
    if act.total is not None and arrivals.sum() > 0:
        # Rescale to the total by largest remainders, so the split keeps its shape and sums exactly.
        share = arrivals / arrivals.sum() * act.total.value
        base = np.floor(share).astype(np.int64)
        rest = round(act.total.value) - int(base.sum())
        order = np.argsort(-(share - base), kind="stable")
        base[order[:rest]] += 1
        arrivals = base
    actor = next(i for i, a in enumerate(fleeing) if a.id == act.actor)
    return day, actor, arrivals


def _active_fraction(
    u: Any, today: dt.date, day: int, request_day: float, *, window_only: bool = False
) -> float:
    if u.active_from is not None and today < u.active_from:
        return 0.0
    if u.active_until is not None and today >= u.active_until:
        return 0.0
    if window_only:
        return 1.0
    mode = u.activation.mode
    if mode == "always":
        return 1.0
    t0 = request_day + _v(u.activation.delay_days)
    if not np.isfinite(t0) or day < t0:
        return 0.0
    if mode == "on_request":
        return 1.0
    ramp = _v(u.activation.ramp_days)
    return 1.0 if ramp <= 0 else float(min(1.0, (day - t0) / ramp))


def _phase(
    sc: Scenario,
    st: _State,
    day: int,
    today: dt.date,
    request_day: float,
    length: NDArray[np.float64],
    terrain: NDArray[np.int8],
    sector_index: dict[str, int],
    mid: tuple[NDArray, NDArray],
    bases: dict[str, Any],
    tparams: tuple[NDArray, ...],
    covert: list[Any],
    fleeing: list[Any],
    armed: list[Any],
    cross_index: dict[str, int],
    inc: dict[str, float],
    slots: list[int],
) -> Phase:
    sweep, vanish, speed, r0, tort = tparams
    S = len(length)
    active = np.array([_active_fraction(u, today, day, request_day) for u in sc.units])
    strength = np.array([st.strength[u.id] for u in sc.units])
    avail = np.array([u.availability.value for u in sc.units])
    posture = tuple(st.posture[u.id] for u in sc.units)
    on_border = np.array([p == "border" for p in posture])
    alloc = _allocation_matrix(sc, st, length, sector_index)
    guards = ((strength * avail * active * on_border)[:, None] * alloc).sum(axis=0)
    team = np.array([_v(u.team_size, 6.0) for u in sc.units])
    teams = ((strength * avail * active * on_border / team)[:, None] * alloc).sum(axis=0)

    reserve = fastest_reserve_hours(
        sc, {u.id: st.base[u.id] for u in sc.units}, posture, active, np.column_stack(mid)
    )

    window = np.array([_active_fraction(u, today, day, 0.0, window_only=True) for u in sc.units])
    unit_guards = (strength * avail * on_border)[:, None] * alloc
    unit_teams = (strength * avail * on_border / team)[:, None] * alloc
    reinf_hours, reinf_size = _reinforcements(
        sc, st, posture, strength, avail, bases, mid, tort, inc, slots
    )

    p_d = detection_probability(guards, length, sweep, st.equipment)
    resp = response_time_hours(teams, length, speed, r0, reserve)
    p_i = interdiction_probability(resp, vanish)
    phi = np.array([_v(a.turn_back) for a in covert])
    outcome_p = outcome_probabilities(p_d[:, None], p_i[:, None], phi[None, :])  # (S, Ac, 4)

    def weights(a: Any) -> NDArray[np.float64]:
        tw = np.array([_v(a.terrain_weight.get(t), 1.0) for t in TERRAINS])[terrain]
        cw = np.array([_v(a.control_weight.get(c), 1.0) for c in CONTROLS])[st.control]
        return np.asarray(length * tw * cw, dtype=float)

    def in_window(a: Any) -> float:
        if a.active_from is not None and today < a.active_from:
            return 0.0
        if a.active_until is not None and today >= a.active_until:
            return 0.0
        return 1.0

    success = success_probability(p_d, p_i)
    Ac = len(covert)
    q = np.zeros((Ac, S))
    values = np.zeros((Ac, S))
    codes = np.zeros(Ac, dtype=np.int8)
    eta = np.zeros(Ac)
    for j, a in enumerate(covert):
        w = weights(a)
        ch = st.choice[a.id]
        codes[j] = CHOICE_CODES[ch.model]
        # Sector value: the actor's value per crossing times the route attractiveness per km,
        # normalised so the best sector is worth `value` (the planner's v_s).
        attract = w / np.maximum(length, 1e-9)
        values[j] = a.value.value * attract / max(attract.max(), 1e-300)
        if ch.model in ("fixed", "adaptive"):
            q[j] = choice_model.fixed_choice(w)
        elif ch.model == "best_response":
            q[j] = choice_model.best_response(values[j], success)
        else:
            lam = _v(ch.rationality)
            q[j] = choice_model.quantal_response(values[j], success, lam)
        eta[j] = _v(ch.learning_rate)
    covert_rate = np.array(
        [a.rate_per_day.value * st.rate_scale[a.id] * in_window(a) for a in covert]
    )

    fleeing_rate = np.zeros((len(fleeing), len(cross_index)))
    for j, a in enumerate(fleeing):
        share = np.zeros(len(cross_index))
        for c, x in (a.crossings or {}).items():
            share[cross_index[c]] = x
        share = share / share.sum()
        fleeing_rate[j] = a.rate_per_day.value * st.rate_scale[a.id] * in_window(a) * share

    armed_rate = np.zeros((len(armed), S))
    for j, a in enumerate(armed):
        w = weights(a)
        tot = w.sum()
        if tot > 0:
            armed_rate[j] = a.rate_per_day.value * st.rate_scale[a.id] * in_window(a) * w / tot

    deployed = strength * active * (np.array([p != "inactive" for p in posture]))
    personnel = np.array(
        [deployed[[u.side == side for u in sc.units]].sum() for side in SIDES], dtype=float
    )
    cost = float((deployed * np.array([_v(u.cost_per_person_day) for u in sc.units])).sum())
    return Phase(
        start_day=day,
        control=st.control.copy(),
        guards=guards,
        equipment=st.equipment.copy(),
        p_detect=p_d,
        response_hours=resp,
        p_interdict=p_i,
        outcome_p=outcome_p,
        covert_rate=covert_rate,
        choice_code=codes,
        choice_q=q,
        choice_values=values,
        learning_rate=eta,
        fleeing_rate=fleeing_rate,
        armed_rate=armed_rate,
        unit_active=active,
        unit_posture=posture,
        personnel=personnel,
        cost_rub_per_day=cost,
        unit_window=window,
        unit_guards=unit_guards,
        unit_teams=unit_teams,
        reserve_hours=reserve,
        reinf_hours=reinf_hours,
        reinf_size=reinf_size,
    )


def _reinforcements(
    sc: Scenario,
    st: _State,
    posture: tuple[str, ...],
    strength: NDArray[np.float64],
    avail: NDArray[np.float64],
    bases: dict[str, Any],
    mid: tuple[NDArray, NDArray],
    tort: NDArray[np.float64],
    inc: dict[str, float],
    slots: list[int],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(J, S) arrival hours and sizes (at full activation) of every reserve unit at every sector.

    Ground units: readiness + road km (base to the border, then along it) x the sector's tortuosity
    / road speed (:func:`reserve_response_hours`), committing ``reserve_fraction`` of their on-duty
    strength. Air-mobile units fly straight at air speed in waves (:func:`air_lift_arrivals`),
    ``air_fraction`` of their on-duty strength, when that is faster than the road; else by road.
    Units not in reserve posture get size 0 (time inf)."""
    S = len(tort)
    J = len(slots)
    hours = np.full((J, S), np.inf)
    size = np.zeros((J, S))
    mid_km = _mid_km(sc)
    for i, u in enumerate(sc.units):
        js = [j for j, k in enumerate(slots) if k == i]
        if posture[i] != "reserve" or strength[i] <= 0:
            continue
        b = bases[st.base[u.id]]
        road = reserve_response_hours(
            u.readiness_hours.value,
            road_distance_km(b.km, b.distance_km, mid_km),
            u.road_speed_kmh.value,
            tort,
        )
        air_ok = (
            u.kind == "air_mobile" and u.air_speed_kmh is not None and u.air_speed_kmh.value > 0
        )
        waves = _air_waves(u, inc)
        if air_ok and waves:
            assert u.air_speed_kmh is not None and u.lift_per_sortie is not None
            assert u.sorties_per_day is not None
            fly = haversine_km(b.lon, b.lat, mid[0], mid[1]) / u.air_speed_kmh.value
            committed = strength[i] * avail[i] * inc["air_fraction"]
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
            size[js[0]] = strength[i] * avail[i] * inc["reserve_fraction"]
    return hours, size


def fastest_reserve_hours(
    sc: Scenario,
    unit_base: Mapping[str, str],
    posture: Sequence[str],
    active: NDArray[np.float64],
    sector_lonlat: NDArray[np.float64],
) -> NDArray[np.float64]:
    """(S,) hours until the fastest active reserve unit reaches each sector: readiness plus travel
    by road (along the border, scaled by the sector terrain's tortuosity) or, for air-mobile units,
    by air in a straight line. inf where no reserve is active. Shared by the compiler (response
    to a detected group where a sector has no patrols) and the planner."""
    tort = np.array([sc.terrain[s.terrain].road_tortuosity.value for s in sc.border.sectors])
    mid_km = _mid_km(sc)
    bases = {b.id: b for b in sc.bases}
    reserve = np.full(len(mid_km), np.inf)
    for i, u in enumerate(sc.units):
        if posture[i] != "reserve" or active[i] <= 0:
            continue
        b = bases[unit_base[u.id]]
        road_km = road_distance_km(b.km, b.distance_km, mid_km)
        t = reserve_response_hours(u.readiness_hours.value, road_km, u.road_speed_kmh.value, tort)
        if u.kind == "air_mobile" and u.air_speed_kmh is not None:
            air_km = haversine_km(b.lon, b.lat, sector_lonlat[:, 0], sector_lonlat[:, 1])
            t = np.minimum(
                t, reserve_response_hours(u.readiness_hours.value, air_km, u.air_speed_kmh.value)
            )
        reserve = np.minimum(reserve, t)
    return reserve


def _mid_km(sc: Scenario) -> NDArray[np.float64]:
    return np.array([(s.start_km + s.end_km) / 2 for s in sc.border.sectors])


def compile_at(scenario: Scenario, date: dt.date, policy: str | None = None) -> Phase:
    """The arrays in force on one date (the first phase of a one-day compile)."""
    return compile_scenario(scenario, policy=policy, start=date, days=1).phases[0]
