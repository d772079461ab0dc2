"""The bridge from a compiled scenario to the planner: where should the border guards stand?

For one date of a scenario (by default the first day of the period's last phase) the bridge reads the
compiled :class:`~bordersim.model.compile.Phase` and the scenario's terrain parameters and builds the
planner's problem with the *same* model functions the compiler uses:

- the budget ``G``: the on-duty border guards of that phase (``guards`` overrides it);
- ``v_s``: the adversary's value of each sector, ``Phase.choice_values`` of one covert actor, or the
  actors' values weighted by their attempt rates (``actor=None``);
- ``p_d``: Koopman's law with the sector lengths, the terrain's sweep width and the phase's equipment
  multiplier;
- ``p_i``: :class:`~bordersim.plan.water_filling.PatrolInterdiction` -- teams of the border units'
  effective team size ``sum(D_u) / sum(D_u / team_u)`` (``D_u`` the on-duty guards of border unit ``u``),
  the terrain's patrol speed, base delay and vanishing time, and the fastest active reserve's response
  computed with the compiler's rule (road along the border scaled by tortuosity, or air for air-mobile
  units). Recomputing the phase's own ``p_detect``/``p_interdict`` from the current guards with these
  inputs reproduces the compiled arrays; any difference is reported in :attr:`ScenarioPlan.notes`.

Adversaries:

- ``"best"`` -- a best responder: minimise ``max_s v_s (1 - p_d p_i)`` by water-filling (exact), or with
  whole guards (``integer=True``, exact for the integer min-max, see
  :func:`~bordersim.plan.water_filling.water_fill`);
- ``"quantal"`` -- a logit responder with rationality ``lambda``: minimise the defender's expected loss
  ``sum_s q_s(g) v_s (1 - p_d p_i)`` with ``q`` from :func:`bordersim.model.choice.quantal_response`.
  The problem is smooth but not convex; it is solved by SLSQP from several starts (the water-filling
  plan, the current allocation, uniform per km, and proportional to value x length) and the best local
  optimum is returned -- a local method, with no certificate of global optimality.

Entry points
------------
- :func:`plan_inputs` -> :class:`PlanInputs` (the planner's view of one phase)
- :func:`plan_scenario` -> :class:`ScenarioPlan`
- :func:`plan_as_policy` -- a schema :class:`~bordersim.scenario.schema.Policy` that realises the plan
- :func:`siting_problem` / :func:`plan_sites` -- reserve siting over the scenario's bases
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from bordersim.model.activation import road_distance_km
from bordersim.model.choice import best_response, expected_values, quantal_response
from bordersim.model.compile import Compiled, Phase, compile_scenario, fastest_reserve_hours
from bordersim.model.detection import detection_probability
from bordersim.model.outcomes import success_probability
from bordersim.plan.siting import SitingPlan, site_reserves, travel_times
from bordersim.plan.water_filling import PatrolInterdiction, water_fill
from bordersim.scenario.evidence import Assumption, Quantity
from bordersim.scenario.schema import (
    TERRAINS,
    Allocation,
    MoveBase,
    Policy,
    Scenario,
    SetPosture,
    SetStrength,
)

FloatArray = NDArray[np.float64]
Adversary = Literal["best", "quantal"]

__all__ = [
    "BorderUnit",
    "PlanInputs",
    "ScenarioPlan",
    "SitingProblem",
    "SitingReport",
    "default_date",
    "plan_as_policy",
    "plan_inputs",
    "plan_scenario",
    "plan_sites",
    "siting_problem",
]

_DEFAULT_TEAM = 6.0  # the compiler's default guards per team


# --------------------------------------------------------------------------------------------------
# The planner's view of one phase


@dataclass(frozen=True)
class BorderUnit:
    """A unit on the border at the planning date."""

    id: str
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


@dataclass
class _UnitState:
    strength: float
    posture: str
    base: str
    posture_at_start: str = ""


def _unit_states(sc: Scenario, date: dt.date, policies: Sequence[str]) -> dict[str, _UnitState]:
    """Each unit's strength, posture and base on ``date``: base policies, then the timeline up to and
    including ``date`` (the order in which :func:`compile_scenario` applies them)."""
    st = {u.id: _UnitState(u.strength.value, u.posture, u.base) for u in sc.units}

    def apply(act: object) -> None:
        if isinstance(act, SetStrength):
            st[act.unit].strength = act.strength.value
        elif isinstance(act, SetPosture):
            st[act.unit].posture = act.posture
        elif isinstance(act, MoveBase):
            st[act.unit].base = act.base

    for name in policies:
        for act in sc.policies[name].actions:
            apply(act)
    for s in st.values():
        s.posture_at_start = s.posture
    for ev in sorted(sc.timeline, key=lambda e: e.date):
        if ev.date <= date:
            for act in ev.actions:
                apply(act)
    return st


def _reserve_hours(
    sc: Scenario, c: Compiled, phase: Phase, states: dict[str, _UnitState]
) -> FloatArray:
    """The compiler's reserve response (one rule for planner and engine)."""
    return fastest_reserve_hours(
        sc,
        {u.id: states[u.id].base for u in sc.units},
        phase.unit_posture,
        phase.unit_active,
        c.sector_lonlat,
    )


def plan_inputs(
    scenario: Scenario,
    *,
    date: dt.date | None = None,
    guards: float | None = None,
    actor: str | None = None,
    policy: str | None = None,
) -> PlanInputs:
    """Build the planner's problem for one date of ``scenario`` (see the module docstring).

    Raises:
        ValueError: unknown actor, no covert actor, no guards on the border, or a budget <= 0.
    """
    sc = scenario
    date = date or default_date(sc, policy)
    c = compile_scenario(sc, policy=policy, start=date, days=1)
    phase = c.phases[0]
    policies = [p.strip() for p in (policy or "").split("+") if p.strip()]
    if not c.covert_ids:
        raise ValueError(f"scenario {sc.id} has no covert actor to plan against")
    if actor is not None and actor not in c.covert_ids:
        raise ValueError(
            f"unknown covert actor {actor!r} (covert actors: {', '.join(c.covert_ids)})"
        )
    rates = np.asarray(phase.covert_rate, dtype=float)
    if actor is not None:
        values = phase.choice_values[c.covert_ids.index(actor)].astype(float)
    else:
        w = rates if rates.sum() > 0 else np.ones_like(rates)
        values = (w[:, None] * phase.choice_values).sum(axis=0) / w.sum()

    states = _unit_states(sc, date, policies)
    units = []
    for i, u in enumerate(sc.units):
        if phase.unit_posture[i] != "border" or phase.unit_active[i] <= 0:
            continue
        d_u = states[u.id].strength * u.availability.value * float(phase.unit_active[i])
        if d_u <= 0:
            continue
        team = u.team_size.value if u.team_size is not None else _DEFAULT_TEAM
        units.append(BorderUnit(u.id, d_u, team, states[u.id].posture_at_start))
    if not units:
        raise ValueError(f"no border unit is on duty on {date} in scenario {sc.id}")
    on_duty = sum(b.on_duty for b in units)
    team_size = on_duty / sum(b.on_duty / b.team_size for b in units)
    budget = float(phase.guards.sum()) if guards is None else float(guards)
    if not np.isfinite(budget) or budget <= 0:
        raise ValueError(f"the guards to allocate must be > 0, got {budget:g}")

    tp = [sc.terrain[TERRAINS[t]] for t in c.sector_terrain]
    reserve = _reserve_hours(sc, c, phase, states)
    p_i = PatrolInterdiction(
        team_size=team_size,
        length_km=c.length_km,
        patrol_speed_kmh=np.array([t.patrol_speed_kmh.value for t in tp]),
        base_delay_hours=np.array([t.base_delay_hours.value for t in tp]),
        reserve_response_hours=reserve,
        vanish_mean_hours=np.array([t.vanish_mean_hours.value for t in tp]),
    )
    return PlanInputs(
        scenario_id=sc.id,
        policy=policy,
        date=date,
        sector_ids=c.sector_ids,
        sector_names=c.sector_names,
        length_km=np.asarray(c.length_km, dtype=float),
        sweep_width_km=np.array([t.sweep_width_km.value for t in tp]),
        equipment=np.asarray(phase.equipment, dtype=float),
        actor=actor,
        covert_ids=c.covert_ids,
        covert_rates=rates,
        actor_values=np.asarray(phase.choice_values, dtype=float),
        values=np.asarray(values, dtype=float),
        phase_guards=np.asarray(phase.guards, dtype=float),
        budget=budget,
        team_size=float(team_size),
        reserve_hours=reserve,
        p_interdict=p_i,
        border_units=tuple(units),
        phase=phase,
        compiled=c,
    )


# --------------------------------------------------------------------------------------------------
# Plans


@dataclass(frozen=True)
class ScenarioPlan:
    """A recommended allocation of border guards for one phase, and what it changes.

    Attributes:
        adversary: ``"best"`` or ``"quantal"`` (``rationality`` is lambda for quantal).
        current, recommended: guards per sector (both sum to ``budget``).
        value_before, value_after: adversary value per sector ``v_s (1 - p_d p_i)``.
        best_before, best_after: index of the adversary's best sector before / after.
        predicted_before, predicted: the planner's objective -- the adversary's best value for
            ``best``, the expected value per attempt ``sum q_s v_s (1 - p_d p_i)`` for ``quantal``.
        improvement: ``predicted_before - predicted`` (> 0 when the plan helps the defender);
            ``relative_improvement`` divides by ``predicted_before``.
        attack_before, attack_after: the modelled adversary's choice of sector.
        method: how the plan was solved; ``notes``: caveats worth printing.
    """

    inputs: PlanInputs
    adversary: Adversary
    rationality: float | None
    integer: bool
    current: FloatArray
    recommended: FloatArray
    value_before: FloatArray
    value_after: FloatArray
    best_before: int
    best_after: int
    predicted_before: float
    predicted: float
    improvement: float
    relative_improvement: float
    attack_before: FloatArray
    attack_after: FloatArray
    p_detect_after: FloatArray
    p_interdict_after: FloatArray
    method: str
    notes: tuple[str, ...] = field(default=())

    @property
    def sector_ids(self) -> tuple[str, ...]:
        return self.inputs.sector_ids

    @property
    def budget(self) -> float:
        return self.inputs.budget

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able data (the ``optimize.json`` layout, without verification)."""
        i = self.inputs
        return {
            "scenario": i.scenario_id,
            "policy": i.policy,
            "date": i.date.isoformat(),
            "adversary": self.adversary,
            "rationality": self.rationality,
            "actor": i.actor,
            "integer": self.integer,
            "guards": i.budget,
            "method": self.method,
            "sectors": [
                {
                    "id": sid,
                    "name": i.sector_names[k],
                    "current": float(self.current[k]),
                    "recommended": float(self.recommended[k]),
                    "value_before": float(self.value_before[k]),
                    "value_after": float(self.value_after[k]),
                }
                for k, sid in enumerate(i.sector_ids)
            ],
            "best_before": {
                "sector": i.sector_ids[self.best_before],
                "value": float(self.value_before[self.best_before]),
            },
            "best_after": {
                "sector": i.sector_ids[self.best_after],
                "value": float(self.value_after[self.best_after]),
            },
            "predicted_before": self.predicted_before,
            "predicted": self.predicted,
            "improvement": self.improvement,
            "relative_improvement": self.relative_improvement,
            "notes": list(self.notes),
        }


def _objective(
    inp: PlanInputs, g: FloatArray, adversary: Adversary, lam: float
) -> tuple[float, FloatArray, FloatArray]:
    """(objective, per-sector values, attack distribution) for guards ``g``."""
    success = inp.success(g)
    vals = expected_values(inp.values, success)
    if adversary == "best":
        q = best_response(inp.values, success)
        return float(vals.max()), vals, q
    q = quantal_response(inp.values, success, lam)
    return float(np.sum(q * vals)), vals, q


def _largest_remainder(g: FloatArray, total: int) -> FloatArray:
    base = np.floor(g + 1e-9)
    short = int(total - base.sum())
    order = np.argsort(-(g - base), kind="stable")
    if short > 0:
        base[order[:short]] += 1
    elif short < 0:
        pos = [k for k in np.argsort(g - base, kind="stable") if base[k] > 0][:-short]
        base[pos] -= 1
    return base + 0.0


def _solve_quantal(
    inp: PlanInputs, lam: float, starts: list[FloatArray]
) -> tuple[FloatArray, int, int]:
    """SLSQP on x = g / G from several starts; returns the best allocation, starts, successes."""
    G = inp.budget
    n = inp.values.size

    def f(x: FloatArray) -> float:
        return _objective(inp, np.clip(x, 0.0, 1.0) * G, "quantal", lam)[0]

    best_x: FloatArray | None = None
    best_f = np.inf
    ok = 0
    for g0 in starts:
        x0 = np.clip(g0 / G, 0.0, 1.0)
        x0 = x0 / x0.sum() if x0.sum() > 0 else np.full(n, 1.0 / n)
        res = minimize(
            f,
            x0,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * n,
            constraints=[{"type": "eq", "fun": lambda x: float(x.sum() - 1.0)}],
            options={"maxiter": 300, "ftol": 1e-12},
        )
        x = np.clip(np.asarray(res.x, dtype=float), 0.0, 1.0)
        x = x / x.sum()
        ok += bool(res.success)
        for cand in (x, x0):  # never return worse than the start
            val = f(cand)
            if val < best_f:
                best_f, best_x = val, cand
    assert best_x is not None
    return np.asarray(best_x * G, dtype=float), len(starts), ok


def plan_scenario(
    scenario: Scenario,
    *,
    date: dt.date | None = None,
    guards: float | None = None,
    actor: str | None = None,
    adversary: Adversary = "best",
    rationality: float | None = None,
    integer: bool = False,
    policy: str | None = None,
) -> ScenarioPlan:
    """Recommend an allocation of the border guards on ``date`` (see the module docstring).

    Args:
        guards: on-duty guards to allocate (default: the phase's on-duty border guards).
        actor: covert actor whose sector values are planned against (default: rate-weighted mix).
        adversary: ``"best"`` (water-filling) or ``"quantal"`` (needs ``rationality``, lambda >= 0).
        integer: whole guards (exact for ``best``; largest-remainder rounding for ``quantal``).
        policy: base policy (``a+b``) in force; the plan is then meant to run as ``base+plan``.
    """
    if adversary not in ("best", "quantal"):
        raise ValueError(f"adversary must be 'best' or 'quantal', got {adversary!r}")
    if adversary == "quantal" and (rationality is None or rationality < 0):
        raise ValueError("a quantal adversary needs a rationality lambda >= 0")
    inp = plan_inputs(scenario, date=date, guards=guards, actor=actor, policy=policy)
    lam = float(rationality or 0.0)
    notes: list[str] = []
    current = inp.current
    wf = water_fill(
        inp.values,
        inp.budget,
        inp.length_km,
        inp.sweep_width_km,
        inp.equipment,
        inp.p_interdict,
        integer=integer and adversary == "best",
    )
    if adversary == "best":
        rec = np.asarray(wf.allocation, dtype=float)
        method = "water-filling" + (" (whole guards, exact)" if integer else " (exact)")
        if wf.unallocated > 0:
            notes.append(f"{wf.unallocated:g} guards left unallocated (fractional budget)")
    else:
        starts = [
            np.asarray(wf.allocation, dtype=float),
            current,
            inp.budget * inp.length_km / inp.length_km.sum(),
            inp.budget
            * inp.values
            * inp.length_km
            / max(float(np.sum(inp.values * inp.length_km)), 1e-300),
        ]
        rec, n_starts, n_ok = _solve_quantal(inp, lam, starts)
        method = (
            f"SLSQP from {n_starts} starts (water-filling, current, per-km, value x length; "
            f"{n_ok} converged): a local method, the best local optimum found"
        )
        if integer:
            rec = _largest_remainder(rec, int(np.floor(inp.budget + 1e-9)))
            method += ", then largest-remainder rounding to whole guards"
    pred_before, vb, qb = _objective(inp, current, adversary, lam)
    pred, va, qa = _objective(inp, rec, adversary, lam)
    # Check the bridge against the compiled phase (same model functions, same inputs).
    if guards is None:
        err_d = float(np.max(np.abs(inp.p_detect(inp.phase_guards) - inp.phase.p_detect)))
        err_i = float(np.max(np.abs(inp.p_interdict(inp.phase_guards) - inp.phase.p_interdict)))
        if max(err_d, err_i) > 1e-9:
            notes.append(
                f"the plan's model differs from the compiled phase by up to {max(err_d, err_i):.2g} "
                "in p_detect/p_interdict (border units with different team sizes and allocations)"
            )
    if inp.actor is None and len(inp.covert_ids) > 1:
        notes.append(
            "values are the covert actors' sector values weighted by their attempt rates "
            f"({', '.join(inp.covert_ids)})"
        )
    improvement = pred_before - pred
    return ScenarioPlan(
        inputs=inp,
        adversary=adversary,
        rationality=lam if adversary == "quantal" else None,
        integer=integer,
        current=current,
        recommended=rec,
        value_before=vb,
        value_after=va,
        best_before=int(np.argmax(vb)),
        best_after=int(np.argmax(va)),
        predicted_before=pred_before,
        predicted=pred,
        improvement=improvement,
        relative_improvement=improvement / pred_before if pred_before > 0 else 0.0,
        attack_before=qb,
        attack_after=qa,
        p_detect_after=inp.p_detect(rec),
        p_interdict_after=np.asarray(inp.p_interdict(rec), dtype=float),
        method=method,
        notes=tuple(notes),
    )


def plan_as_policy(plan: ScenarioPlan, scenario: Scenario, unit_id: str | None = None) -> Policy:
    """A :class:`Policy` that puts the recommended guards on the border.

    Every border unit on duty on the plan's date gets a ``set_posture`` action keeping its posture (as
    it stands after the base policies, so a unit the timeline brings to the border later still arrives
    then) with allocation policy ``weights`` over all sectors, the weights being the recommended guards
    per sector. With several border units each gets the *same* weights, i.e. each spreads its on-duty
    strength ``D_u`` in proportion to the plan: unit ``u`` puts ``D_u g_s / G`` in sector ``s``, the
    units together ``g_s sum(D_u) / G = g_s``, and every sector gets the same mix of team sizes (the
    planner's effective team size). When ``G`` differs from the units' on-duty total (``--guards``), a
    ``set_strength`` action scales each border unit by ``G / sum(D_u)`` so that the compiled guards
    match the plan. Timeline events after the date that move sectors between units or change strengths
    are not undone: the compiled guards then differ from the plan (verification reports it).

    Args:
        unit_id: restrict the policy to this border unit (it must then be the only one on duty).

    Raises:
        ValueError: ``unit_id`` is not on the border, or other border units are on duty too.
    """
    inp = plan.inputs
    units = list(inp.border_units)
    if unit_id is not None:
        chosen = [u for u in units if u.id == unit_id]
        if not chosen:
            known = ", ".join(u.id for u in units)
            raise ValueError(
                f"unit {unit_id!r} is not on the border on {inp.date} (on the border: {known})"
            )
        if len(units) > 1:
            others = ", ".join(u.id for u in units if u.id != unit_id)
            raise ValueError(
                f"border units {others} are also on duty on {inp.date}; leave unit_id unset to spread "
                "the plan over all of them"
            )
        units = chosen
    weights = {sid: float(g) for sid, g in zip(inp.sector_ids, plan.recommended, strict=True)}
    actions: list[SetPosture | SetStrength] = []
    on_duty = sum(u.on_duty for u in units)
    scale = inp.budget / on_duty
    by_id = {u.id: u for u in scenario.units}
    states = _unit_states(
        scenario, inp.date, [p.strip() for p in (inp.policy or "").split("+") if p.strip()]
    )
    for u in units:
        if abs(scale - 1.0) > 1e-12:
            actions.append(
                SetStrength(
                    kind="set_strength",
                    unit=u.id,
                    strength=Quantity(
                        value=states[u.id].strength * scale,
                        unit=by_id[u.id].strength.unit,
                        assumed=Assumption(
                            rationale=f"budget of {inp.budget:g} on-duty guards set by bordersim "
                            "optimize --guards"
                        ),
                    ),
                )
            )
        actions.append(
            SetPosture(
                kind="set_posture",
                unit=u.id,
                posture=u.posture_at_start,  # type: ignore[arg-type]
                allocation=Allocation(policy="weights", weights=weights),
            )
        )
    adv = (
        "best-responding" if plan.adversary == "best" else f"quantal (lambda {plan.rationality:g})"
    )
    return Policy(
        description=(
            f"bordersim optimize: guards allocated against a {adv} adversary on {inp.date} "
            f"({inp.budget:,.0f} on-duty guards; predicted adversary value {plan.predicted:.4g}, "
            f"was {plan.predicted_before:.4g})"
        ),
        actions=tuple(actions),
    )


# --------------------------------------------------------------------------------------------------
# Siting reserves


@dataclass(frozen=True)
class SitingProblem:
    """Reserve siting over a scenario's bases: road travel times and sector weights."""

    date: dt.date
    candidate_ids: tuple[str, ...]
    candidate_names: tuple[str, ...]
    sector_ids: tuple[str, ...]
    times: FloatArray  # (C, S) hours
    weights: FloatArray  # (S,)
    weight_kind: str  # "armed incursions" or "covert attempts"
    current: tuple[int, ...]  # candidate indices of the current reserve garrisons
    road_speed_kmh: float
    current_ids: tuple[str, ...] = ()  # the current reserve garrisons (candidates or not)
    current_times: FloatArray | None = None  # (S,) hours from the nearest current garrison


@dataclass(frozen=True)
class SitingReport:
    """Chosen sites against the current garrisons: weighted mean and worst times (hours)."""

    problem: SitingProblem
    plan: SitingPlan
    mean_hours: float
    worst_hours: float
    current_mean_hours: float
    current_worst_hours: float


def siting_problem(
    scenario: Scenario,
    *,
    date: dt.date | None = None,
    road_speed_kmh: float = 40.0,
    candidates: Sequence[str] | None = None,
    policy: str | None = None,
) -> SitingProblem:
    """Travel times from the scenario's bases to the sectors by the compiler's road rule --
    ``(base.distance_km + |base.km - sector mid km|) * tortuosity(sector terrain) / speed`` -- and
    sector weights from the phase's armed-incursion rates (covert attempts if there are none).

    Raises:
        ValueError: unknown candidate base, or a non-positive speed.
    """
    if road_speed_kmh <= 0:
        raise ValueError("the road speed must be > 0")
    date = date or default_date(scenario, policy)
    c = compile_scenario(scenario, policy=policy, start=date, days=1)
    phase = c.phases[0]
    bases = {b.id: b for b in scenario.bases}
    ids = list(candidates) if candidates else list(bases)
    unknown = [b for b in ids if b not in bases]
    if unknown:
        raise ValueError(f"unknown base(s) {', '.join(unknown)} (bases: {', '.join(bases)})")
    mid_km = np.array([(s.start_km + s.end_km) / 2 for s in scenario.border.sectors])
    tort = np.array([scenario.terrain[TERRAINS[t]].road_tortuosity.value for t in c.sector_terrain])

    def road_times(base_ids: Sequence[str]) -> FloatArray:
        dist = np.array(
            [road_distance_km(bases[b].km, bases[b].distance_km, mid_km) * tort for b in base_ids]
        )
        return travel_times(distance_km=dist.reshape(len(base_ids), -1), speed_kmh=road_speed_kmh)

    times = road_times(ids)
    weights = phase.armed_rate.sum(axis=0) if phase.armed_rate.size else np.zeros(c.n_sectors)
    kind = "armed incursions per day"
    if not np.any(weights > 0):
        weights = (phase.covert_rate[:, None] * phase.choice_q).sum(axis=0)
        kind = "covert attempts per day"
    if not np.any(weights > 0):
        weights = np.ones(c.n_sectors)
        kind = "uniform"
    states = _unit_states(
        scenario, date, [p.strip() for p in (policy or "").split("+") if p.strip()]
    )
    garrisons = {
        states[u.id].base
        for i, u in enumerate(scenario.units)
        if phase.unit_posture[i] == "reserve"
    }
    current = tuple(sorted(ids.index(b) for b in garrisons if b in ids))
    current_ids = tuple(sorted(garrisons))
    current_times = road_times(current_ids).min(axis=0) if current_ids else None
    return SitingProblem(
        date=date,
        candidate_ids=tuple(ids),
        candidate_names=tuple(bases[b].name for b in ids),
        sector_ids=c.sector_ids,
        times=times,
        weights=np.asarray(weights, dtype=float),
        weight_kind=kind,
        current=current,
        road_speed_kmh=float(road_speed_kmh),
        current_ids=current_ids,
        current_times=current_times,
    )


def _mean_worst(t: FloatArray | None, w: FloatArray) -> tuple[float, float]:
    if t is None:
        return float("nan"), float("nan")
    pos = w > 0
    return float(np.sum(w * t) / np.sum(w)), float(t[pos].max())


def plan_sites(
    problem: SitingProblem, k: int, objective: Literal["median", "center"] = "median"
) -> SitingReport:
    """Open ``k`` reserve sites (p-median or p-center on HiGHS) and compare with the garrisons."""
    plan = site_reserves(problem.times, k, weights=problem.weights, objective=objective)
    mean, worst = _mean_worst(plan.times, problem.weights)
    cmean, cworst = _mean_worst(problem.current_times, problem.weights)
    return SitingReport(problem, plan, mean, worst, cmean, cworst)
