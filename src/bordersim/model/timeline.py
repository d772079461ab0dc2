"""The timeline replayed once: the scenario's state (units, sectors, actors) in force in each phase.

A scenario is piecewise constant in time. Its state starts from the scenario file, the base
policies' actions apply first (a policy is a different starting point), then every dated timeline
event in date order; events before the period are history and apply before day 0. Phases start on
day 0, on each event's day inside the period, where a unit's or actor's ``active_from`` /
``active_until`` window opens or closes, and on each step of an activation after a dated request.

:func:`replay_timeline` is the one place that applies actions. The compiler evaluates the model's
probabilities on each :class:`TimelineState`; the planner reads the same state through the compiled
:class:`~bordersim.model.compiled.Phase` -- nothing else re-applies an action.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim.model.compiled import CompileError, nominal
from bordersim.scenario.schema import (
    CONTROLS,
    Action,
    Allocation,
    Choice,
    Escalation,
    FleeingBatch,
    MoveBase,
    ScaleRate,
    Scenario,
    SetChoice,
    SetControl,
    SetEquipment,
    SetPosture,
    SetStrength,
    TransferSectors,
    Unit,
)
from bordersim.scenario.validation import PolicyNameError, policy_names

__all__ = ["Batch", "Timeline", "TimelineState", "parse_policies", "replay_timeline"]

#: A batch of people fleeing: (day, index among the fleeing actors, arrivals per crossing (P,)).
Batch = tuple[int, int, NDArray[np.int64]]


@dataclass(frozen=True)
class TimelineState:
    """The scenario's state from ``day`` (days after the period's start) until the next phase.

    Unit fields (U,) follow ``scenario.units``; ``rate_scale`` and ``choice`` are keyed by actor id."""

    day: int
    date: dt.date
    control: NDArray[np.int8]  # (S,) index into CONTROLS
    equipment: NDArray[np.float64]  # (S,) equipment multiplier
    unit_strength: NDArray[np.float64]  # (U,) persons
    unit_posture: tuple[str, ...]  # (U,) border, reserve or inactive
    unit_base: tuple[str, ...]  # (U,) base id
    allocation: NDArray[np.float64]  # (U, S) share of each unit's strength per sector
    unit_active: NDArray[np.float64]  # (U,) fraction acting: window, activation after a request
    unit_window: NDArray[np.float64]  # (U,) 0/1: inside the unit's active_from/active_until
    rate_scale: dict[str, float]  # actor id -> multiplier on its rate
    choice: dict[str, Choice]  # actor id -> sector choice model in force


@dataclass(frozen=True)
class Timeline:
    """The replayed period: one :class:`TimelineState` per phase, plus what the policies set."""

    start: dt.date
    days: int
    policies: tuple[str, ...]
    base_posture: tuple[str, ...]  # (U,) after the base policies, before any dated event
    states: tuple[TimelineState, ...]
    batches: tuple[Batch, ...]
    request_day: float  # day help is requested (inf: never, or decided per replication)
    escalation: Escalation
    aid_cost_rub_per_day: float

    def state_on(self, day: int) -> TimelineState:
        """The state in force on ``day`` (days after ``start``)."""
        starts = [s.day for s in self.states]
        return self.states[int(np.searchsorted(starts, day, side="right")) - 1]


@dataclass
class _State:
    """The mutable state that actions change, as the replay walks through time."""

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


def parse_policies(sc: Scenario, policy: str | None) -> tuple[str, ...]:
    """The policy names of ``a+b`` (empty for none).

    Raises:
        CompileError: a name the scenario does not define, or one given twice (it would apply, and
        charge its cost, twice)."""
    try:
        return tuple(policy_names(policy, sc.policies, sc.id))
    except PolicyNameError as exc:
        raise CompileError(str(exc)) from None


def _apply(st: _State, action: Action, sector_index: dict[str, int]) -> None:
    if isinstance(action, SetControl):
        for s in action.sectors:
            st.control[sector_index[s]] = CONTROLS.index(action.control)
    elif isinstance(action, ScaleRate):
        st.rate_scale[action.actor] *= action.factor.value
    elif isinstance(action, TransferSectors):
        for uid in (action.from_unit, action.to_unit):
            if st.coverage[uid] is None:
                st.coverage[uid] = set(st.allocation[uid].sectors or sector_index)
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


def _active_fraction(
    u: Unit, today: dt.date, day: int, request_day: float, *, window_only: bool = False
) -> float:
    """Fraction of unit ``u`` acting on ``day``: 0 outside its window; after a request, on_request
    units act from their delay on, CSTO units ramp up linearly over ``ramp_days``."""
    if u.active_from is not None and today < u.active_from:
        return 0.0
    if u.active_until is not None and today >= u.active_until:
        return 0.0
    if window_only:
        return 1.0
    mode = u.activation.mode
    if mode == "always":
        return 1.0
    t0 = request_day + nominal(u.activation.delay_days)
    if not np.isfinite(t0) or day < t0:
        return 0.0
    if mode == "on_request":
        return 1.0
    ramp = nominal(u.activation.ramp_days)
    return 1.0 if ramp <= 0 else float(min(1.0, (day - t0) / ramp))


def _batch(sc: Scenario, act: FleeingBatch, day: int) -> Batch:
    cross_index = {c.id: i for i, c in enumerate(sc.border.crossings)}
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
    fleeing = [a for a in sc.actors if a.kind == "fleeing"]
    actor = next(i for i, a in enumerate(fleeing) if a.id == act.actor)
    return day, actor, arrivals


def _boundaries(
    sc: Scenario, start: dt.date, days: int, event_days: Sequence[int], request_day: float
) -> list[int]:
    """Sorted phase start days: 0, event days, window edges, activation steps after a request."""
    end = start + dt.timedelta(days=days)
    out: set[int] = {0, *event_days}
    windowed: tuple[Any, ...] = (*sc.units, *sc.actors)
    for obj in windowed:
        for when in (obj.active_from, obj.active_until):
            if when is not None and start <= when < end:
                out.add((when - start).days)
    if np.isfinite(request_day):
        for u in sc.units:
            if u.activation.mode != "always":
                d0 = request_day + nominal(u.activation.delay_days)
                ramp = nominal(u.activation.ramp_days) if u.activation.mode == "csto" else 0.0
                for k in range(int(np.ceil(ramp)) + 1):
                    d = int(np.ceil(d0 + k))
                    if 0 <= d < days:
                        out.add(d)
    return sorted(out)


def _snapshot(
    sc: Scenario, st: _State, day: int, today: dt.date, request_day: float
) -> TimelineState:
    sectors = sc.border.sectors
    length = np.array([s.length_km for s in sectors])
    sector_index = {s.id: i for i, s in enumerate(sectors)}
    return TimelineState(
        day=day,
        date=today,
        control=st.control.copy(),
        equipment=st.equipment.copy(),
        unit_strength=np.array([st.strength[u.id] for u in sc.units]),
        unit_posture=tuple(st.posture[u.id] for u in sc.units),
        unit_base=tuple(st.base[u.id] for u in sc.units),
        allocation=_allocation_matrix(sc, st, length, sector_index),
        unit_active=np.array([_active_fraction(u, today, day, request_day) for u in sc.units]),
        unit_window=np.array(
            [_active_fraction(u, today, day, 0.0, window_only=True) for u in sc.units]
        ),
        rate_scale=dict(st.rate_scale),
        choice=dict(st.choice),
    )


def replay_timeline(
    scenario: Scenario,
    *,
    policy: str | None = None,
    start: dt.date | None = None,
    days: int | None = None,
) -> Timeline:
    """Replay ``scenario`` under ``policy`` (``a+b``) over ``days`` from ``start`` (default: the
    scenario's period) and return the state in force in each phase (see the module docstring).

    Raises:
        CompileError: an unknown policy name."""
    sc = scenario
    policies = parse_policies(sc, policy)
    start = start or sc.period.start
    days = days or sc.period.days
    sector_index = {s.id: i for i, s in enumerate(sc.border.sectors)}
    st = _State(
        control=np.array([CONTROLS.index(s.control) for s in sc.border.sectors], dtype=np.int8),
        posture={u.id: u.posture for u in sc.units},
        allocation={u.id: u.allocation for u in sc.units},
        coverage={u.id: None for u in sc.units},
        base={u.id: u.base for u in sc.units},
        strength={u.id: u.strength.value for u in sc.units},
        rate_scale={a.id: 1.0 for a in sc.actors},
        equipment=np.ones(len(sc.border.sectors)),
        choice={a.id: a.choice for a in sc.actors},
    )
    escalation = sc.escalation
    aid_cost = 0.0
    for name in policies:
        pol = sc.policies[name]
        for act in pol.actions:
            _apply(st, act, sector_index)
        if pol.escalation is not None:
            escalation = pol.escalation
        if pol.cost_rub is not None and pol.cost_years is not None:
            aid_cost += pol.cost_rub.value / (pol.cost_years.value * 365.25)
    base_posture = tuple(st.posture[u.id] for u in sc.units)

    events = sorted(sc.timeline, key=lambda e: e.date)
    by_day: dict[int, list[Action]] = {}
    batches: list[Batch] = []
    for ev in events:
        d = (ev.date - start).days
        if d < 0:  # history: part of the initial state
            for act in ev.actions:
                _apply(st, act, sector_index)
        elif d < days:
            by_day.setdefault(d, [])
            for act in ev.actions:
                if isinstance(act, FleeingBatch):
                    batches.append(_batch(sc, act, d))
                else:
                    by_day[d].append(act)

    request_day = np.inf
    if escalation.mode == "date" and escalation.date is not None:
        request_day = float((escalation.date - start).days)

    states = []
    for d in _boundaries(sc, start, days, list(by_day), request_day):
        for act in by_day.get(d, []):
            _apply(st, act, sector_index)
        states.append(_snapshot(sc, st, d, start + dt.timedelta(days=d), request_day))
    return Timeline(
        start=start,
        days=days,
        policies=policies,
        base_posture=base_posture,
        states=tuple(states),
        batches=tuple(batches),
        request_day=request_day,
        escalation=escalation,
        aid_cost_rub_per_day=aid_cost,
    )
