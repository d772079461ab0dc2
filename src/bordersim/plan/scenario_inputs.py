"""The bridge from a compiled scenario to the planner: the planner's view of one phase.

For one date of a scenario (by default the first day of the period's last phase) the bridge reads the
compiled :class:`~bordersim.model.compiled.Phase` -- never the timeline itself: the unit strengths,
postures, bases and activation on that date are the ones the compiler replayed -- and builds the
planner's problem with the *same* model functions the compiler uses:

- the budget ``G``: the on-duty border guards of that phase (``guards`` overrides it);
- ``v_s``: the adversary's value of each sector, ``Phase.choice_values`` of one covert actor, or the
  actors' values weighted by their attempt rates (``actor=None``);
- ``p_d``: Koopman's law with the sector lengths, the terrain's sweep width and the phase's equipment
  multiplier;
- ``p_i``: :class:`~bordersim.plan.water_filling.PatrolInterdiction` -- teams of the border units'
  effective team size ``sum(D_u) / sum(D_u / team_u)`` (``D_u`` the on-duty guards of border unit ``u``),
  the terrain's patrol speed, base delay and vanishing time, and the phase's fastest active reserve
  response (``Phase.reserve_hours``). Recomputing the phase's own ``p_detect``/``p_interdict`` from the
  current guards with these inputs reproduces the compiled arrays; any difference is reported in
  :attr:`~bordersim.plan.scenario_plan.ScenarioPlan.notes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bordersim.model.choice import expected_values
from bordersim.model.compile import Compiled, Phase, compile_scenario
from bordersim.model.detection import detection_probability
from bordersim.model.outcomes import success_probability
from bordersim.plan.water_filling import PatrolInterdiction
from bordersim.scenario.schema import Scenario

FloatArray = NDArray[np.float64]

__all__ = ["BorderUnit", "PlanInputs", "bridge_notes", "default_date", "plan_inputs"]


@dataclass(frozen=True)
class BorderUnit:
    """A unit on the border at the planning date."""

    id: str
    strength: float  # persons on the date (before availability and activation)
    on_duty: float  # strength x availability x active fraction
    team_size: float
    posture_at_start: str  # posture after the base policies, before the timeline (for the policy)


@dataclass(frozen=True)
class PlanInputs:
    """Everything the planner needs about one phase of a scenario."""

    scenario_id: str
    policy: str | None
    date: dt.date
    sector_ids: tuple[str, ...]
    sector_names: tuple[str, ...]
    length_km: FloatArray
    sweep_width_km: FloatArray
    equipment: FloatArray
    actor: str | None  # None: values weighted over the covert actors by rate
    covert_ids: tuple[str, ...]
    covert_rates: FloatArray  # (Ac,) attempts/day in the phase
    actor_values: FloatArray  # (Ac, S) Phase.choice_values
    values: FloatArray  # (S,) the v_s planned against
    phase_guards: FloatArray  # (S,) on-duty guards in the phase
    budget: float  # G
    team_size: float  # effective guards per team over the border units
    reserve_hours: FloatArray  # (S,) fastest active reserve's response (inf: none)
    p_interdict: PatrolInterdiction
    border_units: tuple[BorderUnit, ...]
    phase: Phase
    compiled: Compiled

    @property
    def current(self) -> FloatArray:
        """The current allocation at the budget: the phase's guards, rescaled to ``budget`` when a
        different budget was asked for (the same pattern -- proportional to length today)."""
        total = float(self.phase_guards.sum())
        if total <= 0:
            return np.asarray(self.budget * self.length_km / self.length_km.sum(), dtype=float)
        return np.asarray(self.phase_guards * (self.budget / total), dtype=float)

    def p_detect(self, guards: FloatArray) -> FloatArray:
        """Koopman detection probability per sector for ``guards``."""
        return detection_probability(guards, self.length_km, self.sweep_width_km, self.equipment)

    def success(self, guards: FloatArray) -> FloatArray:
        """P(an attempt is not interdicted) per sector: ``1 - p_d p_i``."""
        return success_probability(self.p_detect(guards), self.p_interdict(guards))

    def sector_values(self, guards: FloatArray, values: FloatArray | None = None) -> FloatArray:
        """Adversary value per sector, ``v_s (1 - p_d p_i)``."""
        v = self.values if values is None else values
        return expected_values(v, self.success(guards))


def default_date(scenario: Scenario, policy: str | None = None) -> dt.date:
    """The first day of the last phase of the scenario's period."""
    c = compile_scenario(scenario, policy=policy)
    return c.start + dt.timedelta(days=c.phases[-1].start_day)


def _border_units(c: Compiled, phase: Phase) -> tuple[BorderUnit, ...]:
    """The units on border duty in ``phase`` with guards on duty, as the compiler replayed them."""
    units = []
    for i, uid in enumerate(c.unit_ids):
        if phase.unit_posture[i] != "border" or phase.unit_active[i] <= 0:
            continue
        strength = float(phase.unit_strength[i])
        d_u = strength * float(c.unit_availability[i]) * float(phase.unit_active[i])
        if d_u <= 0:
            continue
        team = float(c.unit_team_size[i])
        units.append(BorderUnit(uid, strength, d_u, team, c.unit_base_posture[i]))
    return tuple(units)


def _values(c: Compiled, phase: Phase, actor: str | None) -> FloatArray:
    """(S,) one covert actor's sector values, or all actors' weighted by their attempt rates."""
    if actor is not None:
        return np.asarray(phase.choice_values[c.covert_ids.index(actor)], dtype=float)
    rates = np.asarray(phase.covert_rate, dtype=float)
    w = rates if rates.sum() > 0 else np.ones_like(rates)
    return np.asarray((w[:, None] * phase.choice_values).sum(axis=0) / w.sum(), dtype=float)


def plan_inputs(
    scenario: Scenario,
    *,
    date: dt.date | None = None,
    guards: float | None = None,
    actor: str | None = None,
    policy: str | None = None,
    overrides: Mapping[str, float] | None = None,
) -> PlanInputs:
    """Build the planner's problem for one date of ``scenario`` (see the module docstring).

    ``overrides`` (quantity path -> value, as the uncertainty draws give them) change the compiled
    inputs; the robust planner builds one problem per draw this way.

    Raises:
        ValueError: unknown actor, no covert actor, no guards on the border, or a budget <= 0.
    """
    sc = scenario
    date = date or default_date(sc, policy)
    c = compile_scenario(sc, policy=policy, start=date, days=1, overrides=overrides)
    phase = c.phases[0]
    if not c.covert_ids:
        raise ValueError(f"scenario {sc.id} has no covert actor to plan against")
    if actor is not None and actor not in c.covert_ids:
        raise ValueError(
            f"unknown covert actor {actor!r} (covert actors: {', '.join(c.covert_ids)})"
        )
    units = _border_units(c, phase)
    if not units:
        raise ValueError(f"no border unit is on duty on {date} in scenario {sc.id}")
    on_duty = sum(b.on_duty for b in units)
    team_size = on_duty / sum(b.on_duty / b.team_size for b in units)
    budget = float(phase.guards.sum()) if guards is None else float(guards)
    if not np.isfinite(budget) or budget <= 0:
        raise ValueError(f"the guards to allocate must be > 0, got {budget:g}")
    p_i = PatrolInterdiction(
        team_size=team_size,
        length_km=c.length_km,
        patrol_speed_kmh=c.sector_speed,
        base_delay_hours=c.sector_r0,
        reserve_response_hours=phase.reserve_hours,
        vanish_mean_hours=c.sector_vanish,
    )
    return PlanInputs(
        scenario_id=sc.id,
        policy=policy,
        date=date,
        sector_ids=c.sector_ids,
        sector_names=c.sector_names,
        length_km=np.asarray(c.length_km, dtype=float),
        sweep_width_km=c.sector_sweep,
        equipment=np.asarray(phase.equipment, dtype=float),
        actor=actor,
        covert_ids=c.covert_ids,
        covert_rates=np.asarray(phase.covert_rate, dtype=float),
        actor_values=np.asarray(phase.choice_values, dtype=float),
        values=_values(c, phase, actor),
        phase_guards=np.asarray(phase.guards, dtype=float),
        budget=budget,
        team_size=float(team_size),
        reserve_hours=phase.reserve_hours,
        p_interdict=p_i,
        border_units=units,
        phase=phase,
        compiled=c,
    )


def bridge_notes(inp: PlanInputs) -> list[str]:
    """Check the bridge against the compiled phase (same model functions, same inputs)."""
    err_d = float(np.max(np.abs(inp.p_detect(inp.phase_guards) - inp.phase.p_detect)))
    err_i = float(np.max(np.abs(inp.p_interdict(inp.phase_guards) - inp.phase.p_interdict)))
    if max(err_d, err_i) <= 1e-9:
        return []
    return [
        f"the plan's model differs from the compiled phase by up to {max(err_d, err_i):.2g} "
        "in p_detect/p_interdict (border units with different team sizes and allocations)"
    ]
