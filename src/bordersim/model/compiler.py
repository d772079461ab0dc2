"""compile_scenario(): a validated Scenario to plain NumPy arrays (sectors x units x actors).

The timeline, a policy's actions and escalation dates make the scenario piecewise constant in time;
:func:`~bordersim.model.timeline.replay_timeline` walks through them once, and each replayed state
becomes one :class:`~bordersim.model.compiled.Phase` (:func:`~bordersim.model.phases.build_phase`).
All the model's closed-form probabilities are evaluated here with the model layer's functions, so
the engine only draws random numbers and keeps state.

Quantities take their nominal ``value`` unless ``overrides`` (factor name -> value, names as in
:meth:`Scenario.quantities`) say otherwise: that is how experiments sample the uncertainty space.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np

from bordersim.model.codes import ActivationMode, AttackerDist
from bordersim.model.compiled import DEFAULT_TEAM_SIZE, Compiled, IncursionParams, nominal
from bordersim.model.overrides import with_overrides
from bordersim.model.phases import PhaseContext, build_phase
from bordersim.model.reinforcement import reinforcement_slots, sector_tortuosity
from bordersim.model.seizures import CovertYield
from bordersim.model.timeline import replay_timeline
from bordersim.scenario.builtin import DATA_DIR
from bordersim.scenario.geometry import load_line
from bordersim.scenario.schema import TERRAINS, Actor, Scenario

__all__ = ["compile_scenario"]


def _context(sc: Scenario) -> PhaseContext:
    """The static per-sector arrays and actor groups every phase shares."""
    sectors = sc.border.sectors
    length = np.array([s.length_km for s in sectors])
    terrain = np.array([TERRAINS.index(s.terrain) for s in sectors], dtype=np.int8)
    line = load_line(str(DATA_DIR / sc.border.geometry), sc.border.geometry_feature)
    mid = np.array([(s.start_km + s.end_km) / 2 for s in sectors])
    mlon, mlat = line.point_at(mid, sc.border.official_length_km.value)
    tp = [sc.terrain[t] for t in TERRAINS]
    inc = IncursionParams.of(sc.incursions)
    return PhaseContext(
        length_km=length,
        terrain=terrain,
        sector_lonlat=np.column_stack([mlon, mlat]),
        sweep=np.array([tp[t].sweep_width_km.value for t in terrain]),
        vanish=np.array([tp[t].vanish_mean_hours.value for t in terrain]),
        speed=np.array([tp[t].patrol_speed_kmh.value for t in terrain]),
        r0=np.array([tp[t].base_delay_hours.value for t in terrain]),
        team_size=np.array([nominal(u.team_size, DEFAULT_TEAM_SIZE) for u in sc.units]),
        covert=tuple(a for a in sc.actors if a.kind == "covert"),
        fleeing=tuple(a for a in sc.actors if a.kind == "fleeing"),
        armed=tuple(a for a in sc.actors if a.kind == "armed"),
        crossing_ids=tuple(c.id for c in sc.border.crossings),
        incursion=inc,
        slots=tuple(reinforcement_slots(sc, inc)),
    )


def _attacker_dist(sc: Scenario, actor: Actor) -> list[float]:
    """An armed actor's attacker strength per event: (low, mode, high, AttackerDist code).

    The quantity's range describes how big raids are, event to event (the 1993 attack had
    ~200-250, most are far smaller), so the engine draws each event's strength from the quantity's
    own distribution: triangular with its mode at the nominal value, uniform when the value sits on
    an end of the range, fixed for a point (see :meth:`Quantity.distribution`)."""
    q = actor.attackers
    assert q is not None  # the schema requires attackers of an armed actor
    lo, hi = q.bounds(sc.evidence)
    return [lo, float(q.value), hi, float(AttackerDist.of(q.distribution(sc.evidence)))]


def compile_scenario(
    scenario: Scenario,
    *,
    policy: str | None = None,
    start: dt.date | None = None,
    days: int | None = None,
    overrides: Mapping[str, float] | None = None,
) -> Compiled:
    """Compile a scenario (optionally a policy variant ``a+b``, a period, and factor overrides).

    Raises:
        CompileError: an unknown policy or factor name, or incursion parameters out of range."""
    sc = with_overrides(scenario, overrides or {})
    timeline = replay_timeline(sc, policy=policy, start=start, days=days)
    ctx = _context(sc)
    inc = ctx.incursion
    sectors, crossings = sc.border.sectors, sc.border.crossings
    return Compiled(
        scenario_id=sc.id,
        policy="+".join(timeline.policies) if timeline.policies else "baseline",
        start=timeline.start,
        days=timeline.days,
        sector_ids=tuple(s.id for s in sectors),
        sector_names=tuple(s.name for s in sectors),
        sector_groups=tuple(s.group for s in sectors),
        sector_terrain=ctx.terrain,
        length_km=ctx.length_km,
        covert_ids=tuple(a.id for a in ctx.covert),
        covert_names=tuple(a.name for a in ctx.covert),
        fleeing_ids=tuple(a.id for a in ctx.fleeing),
        armed_ids=tuple(a.id for a in ctx.armed),
        crossing_ids=ctx.crossing_ids,
        crossing_names=tuple(c.name for c in crossings),
        crossing_capacity=np.array([nominal(c.capacity_per_day, np.inf) for c in crossings]),
        unit_ids=tuple(u.id for u in sc.units),
        unit_sides=tuple(u.side for u in sc.units),
        unit_availability=np.array([u.availability.value for u in sc.units]),
        unit_team_size=ctx.team_size,
        unit_base_posture=timeline.base_posture,
        phases=tuple(build_phase(sc, ctx, st) for st in timeline.states),
        batches=timeline.batches,
        memory_days=np.array([float(a.choice.memory_days) for a in ctx.covert]),
        request_day=timeline.request_day,
        escalation=timeline.escalation.model_dump(mode="json"),
        aid_cost_rub_per_day=timeline.aid_cost_rub_per_day,
        incursion=inc,
        armed_attackers=np.array([_attacker_dist(sc, a) for a in ctx.armed]).reshape(
            len(ctx.armed), 4
        ),
        posts=np.maximum(1.0, ctx.length_km / inc.post_spacing_km),
        local_hours=ctx.r0 + inc.post_spacing_km * sector_tortuosity(sc) / ctx.speed,
        reinf_unit=np.array(ctx.slots, dtype=np.int64),
        unit_activation=np.array(
            [ActivationMode.of(u.activation.mode) for u in sc.units], dtype=np.int8
        ),
        unit_delay_days=np.array([nominal(u.activation.delay_days) for u in sc.units]),
        unit_ramp_days=np.array([nominal(u.activation.ramp_days) for u in sc.units]),
        turn_back=np.array([nominal(a.turn_back) for a in ctx.covert]),
        sector_sweep=ctx.sweep,
        sector_vanish=ctx.vanish,
        sector_speed=ctx.speed,
        sector_r0=ctx.r0,
        covert_yield=CovertYield.of(ctx.covert),
    )
