"""One :class:`~bordersim.model.compiled.Phase`: the model's closed-form probabilities evaluated on
one replayed :class:`~bordersim.model.timeline.TimelineState`.

Four jobs, one function each: the forces on the border and in reserve (guards, patrol teams,
reserve response, reinforcement slots), the covert outcome split (Koopman detection, interdiction),
the adversaries' sector choice, and the actors' rates; :func:`build_phase` assembles them with the
personnel and cost of the day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bordersim.model import choice as choice_model
from bordersim.model.codes import ChoiceMode, Side
from bordersim.model.compiled import IncursionParams, Phase, nominal
from bordersim.model.detection import detection_probability
from bordersim.model.interdiction import interdiction_probability, response_time_hours
from bordersim.model.outcomes import outcome_probabilities, success_probability
from bordersim.model.reinforcement import fastest_reserve_hours, reinforcements
from bordersim.model.timeline import TimelineState
from bordersim.scenario.schema import CONTROLS, TERRAINS, Actor, Scenario

__all__ = ["PhaseContext", "build_phase"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PhaseContext:
    """What every phase of one compile shares: the sectors' static arrays and the actor groups."""

    length_km: FloatArray  # (S,)
    terrain: NDArray[np.int8]  # (S,) index into TERRAINS
    sector_lonlat: FloatArray  # (S, 2) midpoints, degrees
    sweep: FloatArray  # (S,) km
    vanish: FloatArray  # (S,) hours
    speed: FloatArray  # (S,) km/h
    r0: FloatArray  # (S,) hours
    team_size: FloatArray  # (U,) guards per patrol team
    covert: tuple[Actor, ...]
    fleeing: tuple[Actor, ...]
    armed: tuple[Actor, ...]
    crossing_ids: tuple[str, ...]
    incursion: IncursionParams
    slots: tuple[int, ...]  # unit index of each reinforcement slot


@dataclass(frozen=True)
class _Forces:
    guards: FloatArray  # (S,) on-duty guards
    teams: FloatArray  # (S,) patrol teams
    unit_guards: FloatArray  # (U, S) at full activation
    unit_teams: FloatArray  # (U, S) at full activation
    reserve_hours: FloatArray  # (S,)
    reinf_hours: FloatArray  # (J, S)
    reinf_size: FloatArray  # (J, S)


def _forces(sc: Scenario, ctx: PhaseContext, st: TimelineState) -> _Forces:
    """Guards and patrol teams per sector, the reserves' response and reinforcement slots."""
    active, strength = st.unit_active, st.unit_strength
    avail = np.array([u.availability.value for u in sc.units])
    on_border = np.array([p == "border" for p in st.unit_posture])
    alloc, team = st.allocation, ctx.team_size
    reinf_hours, reinf_size = reinforcements(
        sc, st.unit_base, st.unit_posture, strength, ctx.sector_lonlat, ctx.incursion, ctx.slots
    )
    return _Forces(
        guards=((strength * avail * active * on_border)[:, None] * alloc).sum(axis=0),
        teams=((strength * avail * active * on_border / team)[:, None] * alloc).sum(axis=0),
        unit_guards=(strength * avail * on_border)[:, None] * alloc,
        unit_teams=(strength * avail * on_border / team)[:, None] * alloc,
        reserve_hours=fastest_reserve_hours(
            sc, st.unit_base, st.unit_posture, active, ctx.sector_lonlat
        ),
        reinf_hours=reinf_hours,
        reinf_size=reinf_size,
    )


def _route_weights(ctx: PhaseContext, st: TimelineState, a: Actor) -> FloatArray:
    """(S,) an actor's attraction to each sector: length x terrain weight x control weight."""
    tw = np.array([nominal(a.terrain_weight.get(t), 1.0) for t in TERRAINS])[ctx.terrain]
    cw = np.array([nominal(a.control_weight.get(c), 1.0) for c in CONTROLS])[st.control]
    return np.asarray(ctx.length_km * tw * cw, dtype=float)


def _choices(
    ctx: PhaseContext, st: TimelineState, success: FloatArray
) -> tuple[FloatArray, FloatArray, NDArray[np.int8], FloatArray]:
    """(q, values, codes, eta) of the covert actors: sector choice (Ac, S), sector values (Ac, S),
    ChoiceMode codes (Ac,) and adaptive learning rates (Ac,)."""
    length = ctx.length_km
    Ac, S = len(ctx.covert), len(length)
    q = np.zeros((Ac, S))
    values = np.zeros((Ac, S))
    codes = np.zeros(Ac, dtype=np.int8)
    eta = np.zeros(Ac)
    for j, a in enumerate(ctx.covert):
        w = _route_weights(ctx, st, a)
        ch = st.choice[a.id]
        mode = ChoiceMode.of(ch.model)
        codes[j] = mode
        # Sector value: the actor's value per crossing times the route attractiveness per km,
        # normalised so the best sector is worth `value` (the planner's v_s).
        attract = w / np.maximum(length, 1e-9)
        values[j] = a.value.value * attract / max(attract.max(), 1e-300)
        if mode in (ChoiceMode.FIXED, ChoiceMode.ADAPTIVE):
            q[j] = choice_model.fixed_choice(w)
        elif mode == ChoiceMode.BEST_RESPONSE:
            q[j] = choice_model.best_response(values[j], success)
        else:
            q[j] = choice_model.quantal_response(values[j], success, nominal(ch.rationality))
        eta[j] = nominal(ch.learning_rate)
    return q, values, codes, eta


def _in_window(st: TimelineState, a: Actor) -> float:
    if a.active_from is not None and st.date < a.active_from:
        return 0.0
    if a.active_until is not None and st.date >= a.active_until:
        return 0.0
    return 1.0


def _rates(ctx: PhaseContext, st: TimelineState) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Covert attempts/day (Ac,), fleeing people/day per crossing (Af, P), armed events/day (Aa, S)."""
    covert_rate = np.array(
        [a.rate_per_day.value * st.rate_scale[a.id] * _in_window(st, a) for a in ctx.covert]
    )
    P = len(ctx.crossing_ids)
    fleeing_rate = np.zeros((len(ctx.fleeing), P))
    for j, a in enumerate(ctx.fleeing):
        share = np.zeros(P)
        for c, x in (a.crossings or {}).items():
            share[ctx.crossing_ids.index(c)] = x
        share = share / share.sum()
        fleeing_rate[j] = a.rate_per_day.value * st.rate_scale[a.id] * _in_window(st, a) * share
    armed_rate = np.zeros((len(ctx.armed), len(ctx.length_km)))
    for j, a in enumerate(ctx.armed):
        w = _route_weights(ctx, st, a)
        tot = w.sum()
        if tot > 0:
            armed_rate[j] = a.rate_per_day.value * st.rate_scale[a.id] * _in_window(st, a) * w / tot
    return covert_rate, fleeing_rate, armed_rate


def build_phase(sc: Scenario, ctx: PhaseContext, st: TimelineState) -> Phase:
    """The arrays in force from ``st.day`` (see the module docstring)."""
    f = _forces(sc, ctx, st)
    p_d = detection_probability(f.guards, ctx.length_km, ctx.sweep, st.equipment)
    resp = response_time_hours(f.teams, ctx.length_km, ctx.speed, ctx.r0, f.reserve_hours)
    p_i = interdiction_probability(resp, ctx.vanish)
    phi = np.array([nominal(a.turn_back) for a in ctx.covert])
    outcome_p = outcome_probabilities(p_d[:, None], p_i[:, None], phi[None, :])  # (S, Ac, 4)
    q, values, codes, eta = _choices(ctx, st, success_probability(p_d, p_i))
    covert_rate, fleeing_rate, armed_rate = _rates(ctx, st)

    deployed = (
        st.unit_strength * st.unit_active * np.array([p != "inactive" for p in st.unit_posture])
    )
    personnel = np.array(
        [deployed[[u.side == side.name for u in sc.units]].sum() for side in Side], dtype=float
    )
    cost = float((deployed * np.array([nominal(u.cost_per_person_day) for u in sc.units])).sum())
    return Phase(
        start_day=st.day,
        control=st.control,
        guards=f.guards,
        equipment=st.equipment,
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
        unit_active=st.unit_active,
        unit_posture=st.unit_posture,
        unit_strength=st.unit_strength,
        unit_base=st.unit_base,
        personnel=personnel,
        cost_rub_per_day=cost,
        unit_window=st.unit_window,
        unit_guards=f.unit_guards,
        unit_teams=f.unit_teams,
        reserve_hours=f.reserve_hours,
        reinf_hours=f.reinf_hours,
        reinf_size=f.reinf_size,
    )
